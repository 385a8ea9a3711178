// Browser sign-in for the deployed page (authMode "cognito"): the authorization code flow with
// PKCE (RFC 7636) against the user pool's hosted sign-in. The tokens live in sessionStorage, for
// this tab only; an expired ID token is refreshed with the refresh token, else the user signs in
// again. With any other authMode (the offline world, "none") there is nothing to do.
//
// config: the page's config.json, {"authMode", "cognito": {"domain", "clientId", "redirectUri"}}.

const TOKENS = "imagegen.auth.tokens"; // {id_token, access_token, refresh_token, expires_at}
const PENDING = "imagegen.auth.pending"; // {state, verifier}: a sign-in under way
const SCOPES = "openid email profile";
const MARGIN_MS = 60_000; // refresh a token this long before it expires

/** A sign-in that did not succeed: the API's sign_in_required, so the page says it in words,
 * with the hosted sign-in's (or the token endpoint's) own description as the message. */
export class SignInFailed extends Error {
  constructor(message) {
    super(message);
    this.code = "sign_in_required";
    this.status = null;
  }
}

/** RFC 4648 base64url, without padding. */
export function base64url(bytes) {
  let text = "";
  for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** A code verifier: 32 random bytes, 43 characters of base64url (RFC 7636 4.1). */
export function newVerifier() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The S256 code challenge of a verifier: base64url(SHA-256(verifier)) (RFC 7636 4.2). */
export async function challengeOf(verifier) {
  return base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
}

/** The hosted sign-in's address for this client, state and challenge. */
export function authorizeUrl(config, state, challenge) {
  const { domain, clientId, redirectUri } = config.cognito;
  const query = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: SCOPES,
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  return `${domain}/oauth2/authorize?${query}`;
}

/** Sign the user in: back from the hosted sign-in with ?code=, exchange it; signed in, keep
 * (or refresh) the tokens; else go to the hosted sign-in, a navigation this never returns from. */
export async function signIn(config) {
  if (config.authMode !== "cognito") return;
  const url = new URL(window.location.href);
  const error = url.searchParams.get("error");
  const code = url.searchParams.get("code");
  if (error || code) {
    const pending = readJson(PENDING);
    const state = url.searchParams.get("state");
    const description = url.searchParams.get("error_description");
    sessionStorage.removeItem(PENDING);
    cleanUrl(url);
    if (error) throw new SignInFailed(`The sign-in was refused: ${description || error}`);
    if (!pending || pending.state !== state) {
      return redirect(config); // an answer to no sign-in of this tab's: start a new one
    }
    keep(
      await tokenRequest(config, {
        grant_type: "authorization_code",
        code,
        redirect_uri: config.cognito.redirectUri,
        code_verifier: pending.verifier,
      }),
    );
    return;
  }
  await current(config);
}

/** The Authorization header the API's Cognito authorizer wants: the ID token, refreshed first
 * when it is about to expire (or a new sign-in, when it cannot be). */
export async function headers(config) {
  if (config.authMode !== "cognito") return {};
  const tokens = await current(config);
  return { Authorization: tokens.id_token };
}

/** Forget the tokens and end the hosted sign-in's session too. */
export function signOut(config) {
  sessionStorage.removeItem(TOKENS);
  if (config.authMode !== "cognito") return;
  const { domain, clientId, redirectUri } = config.cognito;
  const query = new URLSearchParams({ client_id: clientId, logout_uri: redirectUri });
  window.location.assign(`${domain}/logout?${query}`);
}

async function current(config) {
  const tokens = readJson(TOKENS);
  if (tokens && tokens.expires_at - MARGIN_MS > Date.now()) return tokens;
  if (tokens?.refresh_token) {
    try {
      return keep(
        await tokenRequest(config, { grant_type: "refresh_token", refresh_token: tokens.refresh_token }),
        tokens.refresh_token,
      );
    } catch {
      // an expired or revoked refresh token: sign in again
    }
  }
  sessionStorage.removeItem(TOKENS);
  return redirect(config);
}

async function redirect(config) {
  const state = newVerifier();
  const verifier = newVerifier();
  sessionStorage.setItem(PENDING, JSON.stringify({ state, verifier }));
  window.location.assign(authorizeUrl(config, state, await challengeOf(verifier)));
  return new Promise(() => {}); // the page is going away
}

async function tokenRequest(config, fields) {
  const response = await fetch(`${config.cognito.domain}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: config.cognito.clientId, ...fields }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.id_token) {
    throw new SignInFailed(`The sign-in failed: ${body.error_description || body.error || `HTTP ${response.status}`}`);
  }
  return body;
}

function keep(answer, refreshToken = answer.refresh_token) {
  const tokens = {
    id_token: answer.id_token,
    access_token: answer.access_token,
    refresh_token: refreshToken, // a refresh answer carries no new refresh token
    expires_at: Date.now() + Number(answer.expires_in || 3600) * 1000,
  };
  sessionStorage.setItem(TOKENS, JSON.stringify(tokens));
  return tokens;
}

function cleanUrl(url) {
  for (const name of ["code", "state", "error", "error_description"]) url.searchParams.delete(name);
  window.history.replaceState(window.history.state, "", `${url.pathname}${url.search}${url.hash}`);
}

function readJson(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key));
  } catch {
    return null;
  }
}
