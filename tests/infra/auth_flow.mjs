// web/auth.js in Node, with the few browser objects it touches stood in for: the location it
// navigates, the history it rewrites, sessionStorage, and the hosted sign-in's token endpoint
// (fetch). Exits non-zero on the first failed assertion; prints "ok" when every step passed.
import assert from "node:assert/strict";

const calls = { assign: [], replaceState: [], fetch: [] };
const store = new Map();
globalThis.sessionStorage = {
  getItem: (k) => (store.has(k) ? store.get(k) : null),
  setItem: (k, v) => store.set(k, String(v)),
  removeItem: (k) => store.delete(k),
};
globalThis.window = {
  location: { href: "https://d111.cloudfront.net/", assign: (url) => calls.assign.push(url) },
  history: { state: null, replaceState: (_s, _t, url) => calls.replaceState.push(url) },
};
let answer = () => ({ status: 200, body: {} });
globalThis.fetch = async (url, init) => {
  calls.fetch.push({ url, init, form: Object.fromEntries(new URLSearchParams(init.body.toString())) });
  const { status, body } = answer();
  return { ok: status < 400, status, json: async () => body };
};

const auth = await import(new URL("../../web/auth.js", import.meta.url));
const config = {
  authMode: "cognito",
  cognito: {
    domain: "https://pool.auth.us-east-1.amazoncognito.com",
    clientId: "client123",
    redirectUri: "https://d111.cloudfront.net/",
  },
};
// until the calls that do not return (a navigation) have made their move: digests are asynchronous
async function until(done) {
  for (let i = 0; i < 200 && !done(); i += 1) await new Promise((resolve) => setTimeout(resolve, 1));
  assert.ok(done());
}

// RFC 7636 appendix B: the verifier's octets, the verifier, its S256 challenge
const octets = [116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121];
assert.equal(auth.base64url(new Uint8Array(octets)), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
assert.equal(await auth.challengeOf("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
assert.match(auth.newVerifier(), /^[A-Za-z0-9_-]{43}$/);

// not signed in: off to the hosted sign-in, with a fresh state and the verifier's challenge
auth.signIn(config); // never resolves: the page is navigating away
await until(() => calls.assign.length === 1);
const authorize = new URL(calls.assign[0]);
assert.equal(`${authorize.origin}${authorize.pathname}`, "https://pool.auth.us-east-1.amazoncognito.com/oauth2/authorize");
const pending = JSON.parse(store.get("imagegen.auth.pending"));
assert.deepEqual(Object.fromEntries(authorize.searchParams), {
  response_type: "code",
  client_id: "client123",
  redirect_uri: "https://d111.cloudfront.net/",
  scope: "openid email profile",
  state: pending.state,
  code_challenge: await auth.challengeOf(pending.verifier),
  code_challenge_method: "S256",
});

// back with ?code=: exchanged with the verifier, tokens kept, the URL cleaned
window.location.href = `https://d111.cloudfront.net/?code=abc&state=${pending.state}#top`;
answer = () => ({ status: 200, body: { id_token: "id1", access_token: "a1", refresh_token: "r1", expires_in: 3600 } });
await auth.signIn(config);
assert.equal(calls.fetch.length, 1);
assert.equal(calls.fetch[0].url, "https://pool.auth.us-east-1.amazoncognito.com/oauth2/token");
assert.equal(calls.fetch[0].init.method, "POST");
assert.equal(calls.fetch[0].init.headers["Content-Type"], "application/x-www-form-urlencoded");
assert.deepEqual(calls.fetch[0].form, {
  client_id: "client123",
  grant_type: "authorization_code",
  code: "abc",
  redirect_uri: "https://d111.cloudfront.net/",
  code_verifier: pending.verifier,
});
assert.deepEqual(calls.replaceState, ["/#top"]);
assert.equal(store.has("imagegen.auth.pending"), false);

// signed in: the ID token, no call
window.location.href = "https://d111.cloudfront.net/";
assert.deepEqual(await auth.headers(config), { Authorization: "id1" });
await auth.signIn(config);
assert.equal(calls.fetch.length, 1);

// about to expire: refreshed, the refresh token kept
const kept = JSON.parse(store.get("imagegen.auth.tokens"));
store.set("imagegen.auth.tokens", JSON.stringify({ ...kept, expires_at: Date.now() + 30_000 }));
answer = () => ({ status: 200, body: { id_token: "id2", access_token: "a2", expires_in: 3600 } });
assert.deepEqual(await auth.headers(config), { Authorization: "id2" });
assert.deepEqual(calls.fetch[1].form, { client_id: "client123", grant_type: "refresh_token", refresh_token: "r1" });
assert.equal(JSON.parse(store.get("imagegen.auth.tokens")).refresh_token, "r1");

// the refresh token refused: sign in again
store.set("imagegen.auth.tokens", JSON.stringify({ ...kept, expires_at: 0 }));
answer = () => ({ status: 400, body: { error: "invalid_grant" } });
auth.headers(config);
await until(() => calls.assign.length === 2);
assert.equal(store.has("imagegen.auth.tokens"), false);

// a code for another tab's (or an old) sign-in is not exchanged: a new sign-in starts
window.location.href = "https://d111.cloudfront.net/?code=stolen&state=forged";
auth.signIn(config);
await until(() => calls.assign.length === 3);
assert.equal(calls.fetch.length, 3); // the exchange, the refresh and the refused refresh only

// the hosted sign-in's refusal, in words
window.location.href = "https://d111.cloudfront.net/?error=access_denied&error_description=User+is+disabled.";
const { describe } = await import(new URL("../../web/errors.js", import.meta.url));
const refused = await auth.signIn(config).then(() => null, (error) => error);
assert.equal(refused.code, "sign_in_required"); // an error code the page has words for, not "a problem of its own"
assert.equal(refused.message, "The sign-in was refused: User is disabled.");
assert.equal(describe(refused).what, "You are not signed in, or your sign-in has expired");

// a code the token endpoint will not exchange: the same, with Cognito's description
store.set("imagegen.auth.pending", JSON.stringify({ state: "s1", verifier: "v1" }));
window.location.href = "https://d111.cloudfront.net/?code=old&state=s1";
answer = () => ({ status: 400, body: { error: "invalid_grant", error_description: "Authorization code has been used." } });
const failed = await auth.signIn(config).then(() => null, (error) => error);
assert.deepEqual([failed.code, failed.message], ["sign_in_required", "The sign-in failed: Authorization code has been used."]);

// signing out forgets the tokens and ends the hosted session, back to the page
store.set("imagegen.auth.tokens", JSON.stringify(kept));
auth.signOut(config);
assert.equal(store.has("imagegen.auth.tokens"), false);
assert.equal(
  calls.assign.at(-1),
  "https://pool.auth.us-east-1.amazoncognito.com/logout?client_id=client123&logout_uri=https%3A%2F%2Fd111.cloudfront.net%2F",
);

// no sign-in in the other modes
assert.deepEqual(await auth.headers({ authMode: "none" }), {});
await auth.signIn({ authMode: "none" });
assert.equal(calls.assign.length, 4);
console.log("ok");
