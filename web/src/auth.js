// Sign-in: OpenID Connect authorization code with PKCE (RFC 7636) against the
// provider the gateway names in /config.json.  The access token lives in this
// module's memory only: never in localStorage or sessionStorage (a reload signs
// out).  Only the PKCE verifier and state wait in sessionStorage across the
// redirect, and are removed as soon as they are used.

let session = null; // { token, expiresAt }
const PENDING = 'tandem.pkce';

const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const random = (n) => b64url(crypto.getRandomValues(new Uint8Array(n)));

async function discover(issuer) {
  const res = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!res.ok) throw new Error(`the sign-in provider's discovery answered ${res.status}`);
  return res.json();
}

export async function loadConfig() {
  const res = await fetch('/config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`/config.json answered ${res.status}`);
  return res.json();
}

const redirectUri = () => `${location.origin}/`;

export async function signIn(cfg) {
  const meta = await discover(cfg.issuer);
  const verifier = random(48);
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const state = random(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: cfg.client_id,
    redirect_uri: redirectUri(),
    scope: cfg.scope || 'openid profile email',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  if (cfg.resource) q.set('resource', cfg.resource);
  location.assign(`${meta.authorization_endpoint}?${q}`);
}

// Completes a sign-in when the provider sent us back with ?code=&state=.
// Returns true when a token was obtained.
export async function completeSignIn(cfg) {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (!code && !error) return false;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', '/');
  if (error) throw new Error(`sign-in refused: ${params.get('error_description') || error}`);
  if (!pending || pending.state !== params.get('state')) throw new Error('sign-in answer does not match the request (state)');
  const meta = await discover(cfg.issuer);
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri(),
    client_id: cfg.client_id,
    code_verifier: pending.verifier,
  });
  if (cfg.resource) body.set('resource', cfg.resource);
  const res = await fetch(meta.token_endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const tok = await res.json();
  if (!res.ok || !tok.access_token) throw new Error(`token endpoint: ${tok.error_description || tok.error || res.status}`);
  session = { token: tok.access_token, expiresAt: Date.now() + (tok.expires_in || 600) * 1000 };
  return true;
}

export const accessToken = () => (session && session.expiresAt > Date.now() ? session.token : null);
export const signOut = () => {
  session = null;
};
