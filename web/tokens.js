// Idempotency keys (the body's client_token): a new one for each new request, and the same one
// when the same request is sent again after a failure that may have left it paid for (a lost
// answer, an image made but not stored, the same request still running), so that the retry
// answers what the first one stored instead of paying again.

const SEND_AGAIN = new Set(["network", "not_json", "image_not_stored", "request_in_progress", "upstream_timeout", "gateway_error", "internal_error"]);

export class Tokens {
  constructor() {
    this.last = null;
  }

  /** `body` with its client_token. */
  signed(body) {
    const key = JSON.stringify(body);
    if (!this.last || this.last.key !== key || !this.last.again) this.last = { key, token: crypto.randomUUID(), again: false };
    this.last.again = false;
    return { ...body, client_token: this.last.token };
  }

  /** After a failure: whether sending the same body again keeps its key. */
  failed(error) {
    if (this.last) this.last.again = Boolean(error && SEND_AGAIN.has(error.code));
  }
}

/** `call(body)` with a key that a retry of the same body after `failed` keeps. */
export async function once(tokens, body, call) {
  try {
    return await call(tokens.signed(body));
  } catch (error) {
    tokens.failed(error);
    throw error;
  }
}
