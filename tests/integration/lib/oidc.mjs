// A real OpenID Connect provider on loopback (npm oidc-provider) for the SSO
// tests: discovery, a JWKS with RSA and EC P-256 keys, the client
// credentials grant issuing JWT access tokens (RFC 9068, typ at+jwt, or typ
// JWT on request), key rotation, stopping and starting, and a count of the
// requests it served per path.
//
// People's tokens are minted through the client credentials grant too, with
// a "persona" whose claims (sub, email, groups, name, oid) the token
// customizer writes in: a resource server sees the same kind of token as
// after a browser sign-in, without a browser. (The token endpoint takes no
// extra parameters, so the persona of the one request in flight is held by
// the provider object: token() calls must not overlap.)

import http from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';
import { freePort } from './spawn.mjs';

export const AUDIENCE = 'urn:tandem:api';
export const OTHER_AUDIENCE = 'urn:other:api';
export const CLIENT = { id: 'tandem-test', secret: `test-${randomBytes(12).toString('hex')}` };
export const SCIM_CLIENT = { id: 'tandem-scim', secret: `scim-${randomBytes(12).toString('hex')}` };
// A Tandem service's own client: its tokens carry the group the role map makes "service".
export const SERVICE_CLIENT = { id: 'tandem-phases', secret: `svc-${randomBytes(12).toString('hex')}` };

// Resource indicators (RFC 8707) and what their tokens look like.
const RESOURCES = {
  'urn:tandem:rs256': { audience: AUDIENCE, alg: 'RS256' },
  'urn:tandem:es256': { audience: AUDIENCE, alg: 'ES256' },
  'urn:other:rs256': { audience: OTHER_AUDIENCE, alg: 'RS256' },
};

// A new signing key as a private JWK.
export function newKey(kty, kid) {
  const { privateKey } =
    kty === 'RSA'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: kty === 'RSA' ? 'RS256' : 'ES256' };
}

const silence = () => {};

// The provider's storage: a Map per model (its own in-memory adapter warns on use).
class MemoryAdapter {
  static stores = new Map();

  constructor(name) {
    if (!MemoryAdapter.stores.has(name)) MemoryAdapter.stores.set(name, new Map());
    this.store = MemoryAdapter.stores.get(name);
  }

  async upsert(id, payload) {
    this.store.set(id, payload);
  }

  async find(id) {
    return this.store.get(id);
  }

  async findByUserCode() {
    return undefined;
  }

  async findByUid() {
    return undefined;
  }

  async consume(id) {
    const p = this.store.get(id);
    if (p) p.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    this.store.delete(id);
  }

  async revokeByGrantId() {}
}

function configuration(op) {
  return {
    clients: [CLIENT, SCIM_CLIENT, SERVICE_CLIENT].map((c) => ({
      client_id: c.id,
      client_secret: c.secret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    jwks: { keys: op.keys },
    adapter: MemoryAdapter,
    cookies: { keys: [randomBytes(16).toString('hex')] },
    ttl: { ClientCredentials: (ctx, token) => token.resourceServer?.accessTokenTTL ?? 600 },
    scopes: ['api'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'urn:tandem:rs256',
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, indicator) => {
          const rs = RESOURCES[indicator];
          if (!rs) throw new Error(`unknown resource ${indicator}`);
          const persona = op.persona ?? {};
          return {
            scope: 'api',
            audience: rs.audience,
            accessTokenFormat: 'jwt',
            accessTokenTTL: persona.ttl ?? 600,
            jwt: { sign: { alg: rs.alg, kid: op.signingKid[rs.alg] } },
          };
        },
      },
    },
    formats: {
      customizers: {
        jwt: (ctx, token, jwt) => {
          const p = op.persona ?? (token.clientId === SERVICE_CLIENT.id ? { groups: ['Tandem-Service'] } : {});
          for (const k of ['sub', 'email', 'groups', 'name', 'oid']) if (p[k] !== undefined) jwt.payload[k] = p[k];
          if (p.typ) jwt.header = { typ: p.typ };
        },
      },
    },
  };
}

export class OidcProvider {
  // @keys: private JWKs; the first of each algorithm signs.
  constructor({ port, keys }) {
    this.port = port;
    this.issuer = `http://127.0.0.1:${port}`;
    this.keys = keys;
    this.signingKid = {};
    this.counts = new Map();
    this.server = null;
    this.handler = null;
    this.persona = null;
    this.install(keys);
  }

  static async start({ keys = [newKey('RSA', 'rsa-1'), newKey('EC', 'ec-1')], port } = {}) {
    const op = new OidcProvider({ port: port ?? (await freePort()), keys });
    await op.listen();
    return op;
  }

  // Publishes @keys from now on (a new Provider behind the same port).
  install(keys) {
    this.keys = keys;
    this.signingKid = {};
    for (const k of keys) this.signingKid[k.alg] ??= k.kid;
    const provider = new Provider(this.issuer, configuration(this));
    provider.proxy = false;
    provider.on('server_error', silence);
    this.handler = provider.callback();
  }

  // Publishes a new key of @kty first (it signs from now on) and keeps the others.
  rotate(kty, kid) {
    const key = newKey(kty, kid);
    this.install([key, ...this.keys]);
    return key;
  }

  async listen() {
    this.server = http.createServer((req, res) => {
      const path = new URL(req.url, this.issuer).pathname;
      this.counts.set(path, (this.counts.get(path) ?? 0) + 1);
      this.handler(req, res);
    });
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', resolve);
    });
  }

  async stop() {
    if (!this.server) return;
    const s = this.server;
    this.server = null;
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }

  count(path) {
    return this.counts.get(path) ?? 0;
  }

  get jwksFetches() {
    return this.count('/jwks');
  }

  get discoveryFetches() {
    return this.count('/.well-known/openid-configuration');
  }

  /**
   * A JWT access token from the client credentials grant.
   * @param {object} [o]
   * @param {object} [o.persona]  claims for a person: sub, email, groups, name, oid;
   *                              typ ('JWT' for typ JWT), ttl (seconds)
   * @param {string} [o.resource] urn:tandem:rs256 (default), urn:tandem:es256, urn:other:rs256
   * @param {object} [o.client]   CLIENT (default) or SCIM_CLIENT
   */
  async token({ persona, resource = 'urn:tandem:rs256', client = CLIENT } = {}) {
    const form = new URLSearchParams({ grant_type: 'client_credentials', scope: 'api', resource });
    if (this.persona) throw new Error('OidcProvider.token: calls must not overlap');
    this.persona = persona ?? null;
    const res = await fetch(`${this.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form,
    }).finally(() => {
      this.persona = null;
    });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`token endpoint: ${res.status} ${JSON.stringify(body)}`);
    return body.access_token;
  }
}
