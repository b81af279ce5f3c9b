// JWTs for the tests, minted with node:crypto only.
//
// token() signs HS256 with TANDEM_TEST_JWT_SECRET for TANDEM_TEST_JWT_ISSUER
// and TANDEM_TEST_JWT_AUDIENCE. The bad.* helpers make the tokens the
// service must refuse.

import { createHmac, randomBytes } from 'node:crypto';
import { requireEnv } from './http.mjs';

const HMAC = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

export function b64url(data) {
  return Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)).toString('base64url');
}

export function jwtConfig() {
  return {
    secret: requireEnv('TANDEM_TEST_JWT_SECRET'),
    issuer: requireEnv('TANDEM_TEST_JWT_ISSUER'),
    audience: requireEnv('TANDEM_TEST_JWT_AUDIENCE'),
  };
}

export const now = () => Math.floor(Date.now() / 1000);

// Signs header.payload. alg "none" gives an empty signature; an alg that is
// not HMAC (e.g. RS256) is still HMAC-SHA256-signed with the secret: the
// classic algorithm-confusion token.
export function sign(header, payload, secret) {
  const input = `${b64url(header)}.${b64url(payload)}`;
  if (String(header.alg).toLowerCase() === 'none') return `${input}.`;
  const digest = HMAC[header.alg] ?? 'sha256';
  return `${input}.${createHmac(digest, secret).update(input).digest('base64url')}`;
}

/**
 * Mints a token. Claims left undefined get defaults; a claim set to null is
 * left out of the token.
 * @param {object} c
 * @param {string} [c.sub]     default a random "test-..." subject
 * @param {string[]} [c.roles] default []
 * @param {string} [c.email]
 * @param {number} [c.exp]     seconds since the epoch (default now + ttl)
 * @param {number} [c.nbf]     default: left out
 * @param {number} [c.iat]     default now
 * @param {string} [c.iss]     default TANDEM_TEST_JWT_ISSUER
 * @param {string|string[]} [c.aud] default TANDEM_TEST_JWT_AUDIENCE
 * @param {string} [c.alg]     default HS256
 * @param {number} [c.ttl]     default 600 s
 * @param {string} [c.secret]  default TANDEM_TEST_JWT_SECRET
 * @param {object} [c.extra]   more claims
 * @param {object} [c.header]  more header members
 */
export function token(c = {}) {
  const cfg = jwtConfig();
  const t = now();
  const claims = {
    sub: c.sub === undefined ? `test-${randomBytes(6).toString('hex')}` : c.sub,
    roles: c.roles === undefined ? [] : c.roles,
    email: c.email,
    iss: c.iss === undefined ? cfg.issuer : c.iss,
    aud: c.aud === undefined ? cfg.audience : c.aud,
    iat: c.iat === undefined ? t : c.iat,
    nbf: c.nbf,
    exp: c.exp === undefined ? t + (c.ttl ?? 600) : c.exp,
    ...(c.extra ?? {}),
  };
  for (const k of Object.keys(claims)) if (claims[k] === undefined || claims[k] === null) delete claims[k];
  const header = { alg: c.alg ?? 'HS256', typ: 'JWT', ...(c.header ?? {}) };
  return sign(header, claims, c.secret ?? cfg.secret);
}

// Decodes (does not verify) a token: {header, payload, signature}.
export function decode(jwt) {
  const [h, p, s] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')),
    signature: s,
  };
}

// Tokens the service must refuse (each otherwise valid, for claims @c).
export const bad = {
  // alg "none", no signature: "header.payload."
  algNone: (c = {}) => token({ ...c, alg: 'none' }),
  // alg "none" with the signature part missing altogether: "header.payload"
  algNoneNoDot: (c = {}) => token({ ...c, alg: 'none' }).replace(/\.$/, ''),
  // alg "None" in another case
  algNoneMixedCase: (c = {}) => token({ ...c, alg: 'None' }),
  // signed with another secret
  badSignature: (c = {}) => token({ ...c, secret: `not-${jwtConfig().secret}-${randomBytes(4).toString('hex')}` }),
  // a valid token whose signature was altered
  tamperedSignature: (c = {}) => {
    const t = token(c);
    const i = t.lastIndexOf('.') + 1;
    return t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1);
  },
  // a valid signature over a payload that was changed afterwards
  tamperedPayload: (c = {}) => {
    const t = token(c);
    const [h, , s] = t.split('.');
    const { payload } = decode(t);
    return `${h}.${b64url({ ...payload, roles: ['admin'] })}.${s}`;
  },
  // expired an hour ago (well beyond any leeway)
  expired: (c = {}) => token({ ...c, iat: now() - 7200, exp: now() - 3600 }),
  // not valid before an hour from now
  notYetValid: (c = {}) => token({ ...c, nbf: now() + 3600 }),
  wrongIssuer: (c = {}) => token({ ...c, iss: `${jwtConfig().issuer}-wrong` }),
  wrongAudience: (c = {}) => token({ ...c, aud: `${jwtConfig().audience}-wrong` }),
  // header says RS256, signed with HMAC over the shared secret
  algConfusion: (c = {}) => token({ ...c, alg: 'RS256' }),
  // HS512 is not an accepted algorithm (configuration says HS256)
  hs512: (c = {}) => token({ ...c, alg: 'HS512' }),
  // no exp claim at all
  noExp: (c = {}) => token({ ...c, exp: null }),
  // not a JWT
  garbage: () => 'not-a-jwt',
  twoParts: () => 'abc.def',
  badBase64: () => 'e30.!!!.e30',
};
