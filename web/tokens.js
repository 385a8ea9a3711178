// Idempotency keys (the body's client_token): a new one for each new request, and the same one
// when the same request is sent again after a failure that may have left it paid for (a lost
// answer, an image made but not stored, the same request still running), so that the retry
// answers what the first one stored instead of paying again. Once a try may have been paid for,
// its key is kept for the same body through any later failure (a throttled retry proves nothing
// about the first try), until a success or the API saying the key is taken (idempotency_key_reused).

const SEND_AGAIN = new Set(["network", "not_json", "image_not_stored", "request_in_progress", "upstream_timeout", "gateway_error", "internal_error"]);

export class Tokens {
  constructor() {
    this.last = null;
  }

  /** `body` with its client_token. */
  signed(body) {
    const key = JSON.stringify(body);
    if (!this.last || this.last.key !== key || !this.last.again) this.last = { key, token: crypto.randomUUID(), again: false };
    return { ...body, client_token: this.last.token };
  }

  /** After a failure: whether sending the same body again keeps its key (kept once any try of
   * it may have been paid for). */
  failed(error) {
    if (!this.last) return;
    const code = error && error.code;
    this.last.again = code !== "idempotency_key_reused" && (this.last.again || SEND_AGAIN.has(code));
  }

  /** After a success: the next request is a new one. */
  succeeded() {
    if (this.last) this.last.again = false;
  }
}

/** `call(body)` with a key that a retry of the same body after `failed` keeps. */
export async function once(tokens, body, call) {
  try {
    const answer = await call(tokens.signed(body));
    tokens.succeeded();
    return answer;
  } catch (error) {
    tokens.failed(error);
    throw error;
  }
}
