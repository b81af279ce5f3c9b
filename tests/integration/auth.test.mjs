// Authentication: every /v1 route needs a valid bearer token; anything else
// is a 401 problem with WWW-Authenticate. The ops endpoints need no token.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectProblem, expectStatus } from './lib/http.mjs';
import { adminToken, createPartner, personBody, tokenFor } from './lib/fixtures.mjs';
import { bad, token } from './lib/tokens.mjs';
import * as db from './lib/db.mjs';

after(() => db.closeDb());

const ADMIN = { roles: ['admin'], sub: 'auth-test-admin', email: 'auth-test-admin@example.com' };

function expect401(res, { tokenSent }) {
  expectProblem(res, 401, 'unauthenticated');
  const h = res.headers.get('www-authenticate');
  assert.ok(h, 'WWW-Authenticate header');
  assert.match(h, /^Bearer realm="tandem"/);
  if (tokenSent) {
    assert.match(h, /error="invalid_token"/, `a refused token says invalid_token: ${h}`);
    assert.match(h, /error_description="[^"]*"/, `and why: ${h}`);
  } else {
    assert.doesNotMatch(h, /error=/, `no error= when there was no token: ${h}`);
  }
}

describe('requests without a usable Authorization header', () => {
  for (const [path] of [['/v1/people'], ['/v1/me'], ['/v1/pairings']]) {
    it(`no header on GET ${path} -> 401`, async () => {
      expect401(await api('GET', path), { tokenSent: false });
    });
  }

  it('no header on GET /v1/people/{id} -> 401, not 404 or 200', async () => {
    const p = await createPartner();
    expect401(await api('GET', `/v1/people/${p.id}`), { tokenSent: false });
  });

  it('no header on POST /v1/people -> 401 and nothing stored', async () => {
    const body = personBody();
    expect401(await api('POST', '/v1/people', { body }), { tokenSent: false });
    assert.equal((await db.peopleByEmail(body.email)).length, 0);
  });

  for (const [label, value] of [
    ['Basic scheme', `Basic ${Buffer.from('admin:admin').toString('base64')}`],
    ['the bare word Bearer', 'Bearer'],
    ['Bearer and spaces', 'Bearer    '],
    ['a token without a scheme', null],
  ]) {
    it(`${label} -> 401`, async () => {
      const auth = value ?? token(ADMIN);
      const res = await api('GET', '/v1/people', { auth });
      expectProblem(res, 401, 'unauthenticated');
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="tandem"/);
    });
  }
});

describe('tokens the service must refuse', () => {
  const cases = [
    ['alg none', () => bad.algNone(ADMIN)],
    ['alg none without the trailing dot', () => bad.algNoneNoDot(ADMIN)],
    ['alg None (mixed case)', () => bad.algNoneMixedCase(ADMIN)],
    ['a signature made with another secret', () => bad.badSignature(ADMIN)],
    ['an altered signature', () => bad.tamperedSignature(ADMIN)],
    ['a payload altered after signing', () => bad.tamperedPayload({ ...ADMIN, roles: ['viewer'] })],
    ['expired an hour ago', () => bad.expired(ADMIN)],
    ['nbf an hour in the future', () => bad.notYetValid(ADMIN)],
    ['the wrong issuer', () => bad.wrongIssuer(ADMIN)],
    ['the wrong audience', () => bad.wrongAudience(ADMIN)],
    ['alg RS256 signed with the HMAC secret (algorithm confusion)', () => bad.algConfusion(ADMIN)],
    ['alg HS512 (not configured)', () => bad.hs512(ADMIN)],
    ['not a JWT at all', () => bad.garbage()],
    ['two parts only', () => bad.twoParts()],
    ['bad base64', () => bad.badBase64()],
  ];
  for (const [label, make] of cases) {
    it(`${label} -> 401 invalid_token`, async () => {
      expect401(await api('GET', '/v1/people', { token: make() }), { tokenSent: true });
    });
  }

  it('a refused admin token cannot write', async () => {
    const body = personBody();
    for (const t of [bad.algNone(ADMIN), bad.expired(ADMIN), bad.badSignature(ADMIN), bad.algConfusion(ADMIN)]) {
      expect401(await api('POST', '/v1/people', { token: t, body }), { tokenSent: true });
    }
    assert.equal((await db.peopleByEmail(body.email)).length, 0);
  });

  it('the same claims, properly signed, are accepted', async () => {
    expectStatus(await api('GET', '/v1/people?limit=1', { token: token(ADMIN) }), 200);
    const p = await createPartner();
    expectStatus(await api('GET', '/v1/me', { token: tokenFor(p) }), 200);
    expectStatus(await api('GET', '/v1/people?limit=1', { token: adminToken() }), 200);
  });
});

describe('ops endpoints need no token', () => {
  for (const path of ['/healthz', '/readyz', '/metrics']) {
    it(`GET ${path} without a token -> 200`, async () => {
      expectStatus(await api('GET', path), 200);
    });
  }
});
