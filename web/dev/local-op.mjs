// A local OpenID provider for `make run` and the browser tests (npm
// oidc-provider on loopback): authorization code with PKCE for the web app (a
// public client), JWT access tokens (RS256) for the Tandem API whose claims are
// the demo people's (sub = their external_id, roles, email, name), and a
// sign-in page with one button per demo person, marked LOCAL: no passwords,
// for this machine only.  Keys are made at start and kept in memory.
//
//   node web/dev/local-op.mjs --port P --redirect URL [--redirect URL...] [--ready FILE]
//                             [--audience A] [--local-mint]
//
// --local-mint also answers POST /local/token (form: sub, roles, email, ttl) with
// an access token signed by the same key, for any subject, without a browser:
// make run's demo data loader and its curl lines use it.  Loopback only, like
// everything here; never a production path.
// TANDEM_LOCAL_OP_SERVICES_SECRET (environment) adds the confidential client
// "tandem-services" (client credentials grant, tokens with roles ["service"]):
// make run gives it to every service as TANDEM_OIDC_CLIENT_ID/_SECRET.
// Prints one line, "local-op: issuer http://127.0.0.1:P", when it listens
// (and writes the issuer to FILE).  The API's audience is "tandem" (run.sh's).
// Also importable: startLocalOp({ port, redirects, audience, people }).

import http from 'node:http';
import { createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import Provider from 'oidc-provider';

export const CLIENT_ID = 'tandem-web';
// The services' own client (client credentials grant) when a secret is given:
// its tokens carry roles ["service"], for the calls a service makes on its own
// behalf (notify following every feed, the access feed, ...).
export const SERVICES_CLIENT_ID = 'tandem-services';

// The demo people of deploy/local/demo-data.sh (made up; every address is @example.com).
export const DEMO_PEOPLE = [
  { sub: 'demo-admin', name: 'Ada Admin', email: 'ada.admin@example.com', roles: ['admin'], what: 'Programme lead' },
  { sub: 'demo-mentor-1', name: 'Mona Mentor', email: 'mona.mentor@example.com', roles: ['mentor'], what: 'Mentor of Paula, Percy and Priya' },
  { sub: 'demo-partner-1', name: 'Paula Placeholder', email: 'paula.placeholder@example.com', roles: ['partner'], what: 'Partner, Audit' },
  { sub: 'demo-partner-2', name: 'Percy Pretend', email: 'percy.pretend@example.com', roles: ['partner'], what: 'Partner, Tax' },
  { sub: 'demo-comms', name: 'Cora Comms', email: 'cora.comms@example.com', roles: ['comms'], what: 'Head of social media' },
  { sub: 'demo-viewer', name: 'Vic Viewer', email: 'vic.viewer@example.com', roles: ['viewer'], what: 'Insights analyst (aggregates only)' },
];

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

class MemoryAdapter {
  static stores = new Map();
  constructor(name) {
    if (!MemoryAdapter.stores.has(name)) MemoryAdapter.stores.set(name, new Map());
    this.store = MemoryAdapter.stores.get(name);
  }
  async upsert(id, payload) { this.store.set(id, payload); }
  async find(id) { return this.store.get(id); }
  async findByUserCode() { return undefined; }
  async findByUid(uid) { for (const v of this.store.values()) if (v.uid === uid) return v; return undefined; }
  async consume(id) { const p = this.store.get(id); if (p) p.consumed = Math.floor(Date.now() / 1000); }
  async destroy(id) { this.store.delete(id); }
  async revokeByGrantId(grantId) { for (const [k, v] of this.store) if (v.grantId === grantId) this.store.delete(k); }
}

function signInPage(uid, people, clientName) {
  const rows = people
    .map(
      (p) => `<li><form method="post" action="/interaction/${esc(uid)}/login">
<input type="hidden" name="sub" value="${esc(p.sub)}">
<button type="submit">Sign in as ${esc(p.name)}</button> <span>${esc(p.roles.join(', '))}: ${esc(p.what)}</span></form></li>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Local sign-in (Tandem)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#111}
.local{background:#fff3bf;border:2px solid #8a6d00;padding:.5rem 1rem;border-radius:6px}
ul{list-style:none;padding:0}li{margin:.5rem 0}button{font:inherit;padding:.4rem .8rem;cursor:pointer}
button:focus{outline:3px solid #1c5ab4;outline-offset:2px}span{color:#333}</style></head>
<body><main><h1>Sign in to ${esc(clientName)}</h1>
<p class="local" role="note"><strong>LOCAL provider</strong>: a stand-in for your company's sign-in, on this machine only.
Each button signs in as one of the made-up demo people; no password.</p>
<ul>${rows}</ul></main></body></html>`;
}

export async function startLocalOp({ port = 0, redirects = [], audience = 'tandem', people = DEMO_PEOPLE, ttl = 3600, localMint = false, servicesSecret = '' } = {}) {
  const bySub = new Map(people.map((p) => [p.sub, p]));
  const formTargets = [...new Set(redirects.map((u) => new URL(u).origin))].join(' ');
  const keys = [{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: `local-${randomBytes(4).toString('hex')}`, use: 'sig', alg: 'RS256' }];
  const server = http.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const RESOURCE = 'urn:tandem:api';
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_name: 'Tandem',
      application_type: 'web',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: redirects,
    }, ...(servicesSecret ? [{
      client_id: SERVICES_CLIENT_ID,
      client_secret: servicesSecret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
    }] : [])],
    jwks: { keys },
    adapter: MemoryAdapter,
    cookies: { keys: [randomBytes(16).toString('hex')] },
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email', 'api'],
    claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
    findAccount: (ctx, sub) => {
      const p = bySub.get(sub);
      return p ? { accountId: sub, claims: () => ({ sub, name: p.name, email: p.email }) } : undefined;
    },
    ttl: { AccessToken: ttl, ClientCredentials: ttl, AuthorizationCode: 60, Session: 3600, Interaction: 600, Grant: 3600, IdToken: ttl },
    clientBasedCORS: () => true,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: Boolean(servicesSecret) },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'api', audience, accessTokenFormat: 'jwt', accessTokenTTL: ttl, jwt: { sign: { alg: 'RS256' } } }),
      },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    formats: {
      customizers: {
        jwt: (ctx, token, jwt) => {
          const p = bySub.get(token.accountId);
          if (p) Object.assign(jwt.payload, { roles: p.roles, email: p.email, name: p.name });
          else if (!token.accountId && token.clientId === SERVICES_CLIENT_ID) jwt.payload.roles = ['service'];
        },
      },
    },
  });
  provider.proxy = false;
  provider.on('server_error', (ctx, err) => console.error(`local-op: ${err.message}`));
  const callback = provider.callback();
  const signingKey = createPrivateKey({ key: keys[0], format: 'jwk' });
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  // an RS256 access token for @sub, as the authorization code flow gives (typ JWT)
  const mint = (sub, roles, email, seconds) => {
    const now = Math.floor(Date.now() / 1000);
    const payload = { iss: issuer, aud: audience, sub, roles, iat: now, exp: now + seconds };
    if (email) payload.email = email;
    const head = `${b64({ alg: 'RS256', typ: 'JWT', kid: keys[0].kid })}.${b64(payload)}`;
    return `${head}.${sign('sha256', Buffer.from(head), signingKey).toString('base64url')}`;
  };

  const readForm = (req) => new Promise((resolve) => {
    let body = '';
    req.on('data', (c) => { body += c; if (body.length > 4096) req.destroy(); });
    req.on('end', () => resolve(new URLSearchParams(body)));
  });

  server.on('request', async (req, res) => {
    const url = new URL(req.url, issuer);
    if (localMint && url.pathname === '/local/token' && req.method === 'POST') {
      const f = await readForm(req);
      const sub = f.get('sub');
      if (!sub) { res.writeHead(400, { 'content-type': 'text/plain' }); return res.end('sub is required\n'); }
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
      return res.end(`${mint(sub, (f.get('roles') || '').split(',').filter(Boolean), f.get('email'), Number(f.get('ttl')) || ttl)}\n`);
    }
    const m = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec(url.pathname);
    if (!m) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (!m[2] && req.method === 'GET') {
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          // the form posts here, then redirects back to the app: both may be form targets
          'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${formTargets}; frame-ancestors 'none'`,
          'cache-control': 'no-store',
        });
        return res.end(signInPage(details.uid, people, 'Tandem'));
      }
      if (m[2] && req.method === 'POST') {
        const sub = (await readForm(req)).get('sub');
        if (!bySub.has(sub)) { res.writeHead(400); return res.end('unknown person'); }
        const grant = new provider.Grant({ accountId: sub, clientId: details.params.client_id });
        grant.addOIDCScope('openid profile email');
        grant.addResourceScope(RESOURCE, 'api');
        const grantId = await grant.save();
        return provider.interactionFinished(req, res, { login: { accountId: sub }, consent: { grantId } }, { mergeWithLastSubmission: false });
      }
      res.writeHead(405);
      res.end();
    } catch (err) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`sign-in failed: ${err.message}`);
    }
  });
  return {
    issuer,
    clientId: CLIENT_ID,
    mint: (sub, roles, email, seconds = ttl) => mint(sub, roles, email, seconds),
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

// ---- as a program -------------------------------------------------------------
if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  // the services' client secret comes from the environment, never the command line
  const opt = { redirects: [], port: 0, servicesSecret: process.env.TANDEM_LOCAL_OP_SERVICES_SECRET ?? '' };
  let ready = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--port') opt.port = Number(args[++i]);
    else if (args[i] === '--redirect') opt.redirects.push(args[++i]);
    else if (args[i] === '--audience') opt.audience = args[++i];
    else if (args[i] === '--ready') ready = args[++i];
    else if (args[i] === '--local-mint') opt.localMint = true;
    else { console.error(`local-op: unknown argument ${args[i]}`); process.exit(2); }
  }
  const op = await startLocalOp(opt);
  if (ready) writeFileSync(ready, `${op.issuer}\n`);
  console.log(`local-op: issuer ${op.issuer}`);
  const stop = () => op.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
