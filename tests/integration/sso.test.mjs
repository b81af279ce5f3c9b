// Corporate SSO against a real OpenID Connect provider (npm oidc-provider on
// loopback, lib/oidc.mjs): the people service started here with
// TANDEM_OIDC_ISSUER reads the discovery document and the JWKS, checks
// RS256 and ES256 tokens of typ at+jwt and JWT, maps the provider's groups
// to roles, resolves and links people, creates them just in time when told
// to, lets the SCIM client in by its client id, refetches keys on an unknown
// kid (and on a bad signature under a known kid: a key replaced under the
// same kid) without letting a flood of made-up kids hammer the provider, takes up
// rotated keys, and keeps working on cached keys with the provider down.
//
// The harness's own people instance stays on HS256 for the other tests;
// these instances share its database.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { api, expectProblem, expectStatus, requireEnv } from './lib/http.mjs';
import { peopleByExternalId, peopleByEmail } from './lib/db.mjs';
import { b64url } from './lib/tokens.mjs';
import { uniq } from './lib/fixtures.mjs';
import { AUDIENCE, OidcProvider, SCIM_CLIENT, SERVICE_CLIENT, newKey } from './lib/oidc.mjs';
import { freePort, scaled, startPeople } from './lib/spawn.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const RUN = uniq(3);
const ROLE_MAP = 'Tandem-Admins=admin,Tandem-Mentors=mentor,Tandem-Partners=partner,Tandem-Service=service';
const REFETCH_S = 2;

const personaAdmin = () => ({ sub: `oidc-admin-${RUN}-${uniq(2)}`, groups: ['Tandem-Admins'] });

// The environment of a people instance that trusts @op.
function oidcEnv(op, extra = {}) {
  return {
    TANDEM_JWT_ALG: 'RS256',
    TANDEM_JWT_SECRET: null,
    TANDEM_JWT_ISSUER: null,
    TANDEM_OIDC_ISSUER: op.issuer,
    TANDEM_JWT_AUDIENCE: AUDIENCE,
    TANDEM_JWT_LEEWAY_S: 1,
    TANDEM_ROLES_CLAIM: 'groups',
    TANDEM_ROLE_MAP: ROLE_MAP,
    TANDEM_SCIM_CLIENT_IDS: `other-client, ${SCIM_CLIENT.id}`,
    TANDEM_JWKS_REFETCH_S: REFETCH_S,
    TANDEM_THREADS: 4,
    ...extra,
  };
}

// A token whose header names @kid but that no provider signed.
function madeUpKid(kid, issuer) {
  const now = Math.floor(Date.now() / 1000);
  const h = b64url({ alg: 'RS256', typ: 'at+jwt', kid });
  const p = b64url({ sub: 'x', iss: issuer, aud: AUDIENCE, exp: now + 600, iat: now });
  return `${h}.${p}.${randomBytes(256).toString('base64url')}`;
}

describe('SSO with a real OpenID Connect provider', () => {
  let op;
  let rs; // RS256, JIT off, subject "sub"
  let es; // ES256, JIT on, subject "oid"
  const call = (inst, method, path, o = {}) => api(method, path, { base: inst.url, ...o });

  before(async () => {
    op = await OidcProvider.start();
    [rs, es] = await Promise.all([
      startPeople({ name: `people-oidc-rs-${RUN}`, env: oidcEnv(op) }),
      startPeople({
        name: `people-oidc-es-${RUN}`,
        env: oidcEnv(op, { TANDEM_JWT_ALG: 'ES256', TANDEM_SUBJECT_CLAIM: 'oid', TANDEM_JIT_PROVISIONING: 'on' }),
      }),
    ]);
    await Promise.all([rs.waitReady(), es.waitReady()]);
  });

  after(async () => {
    for (const inst of [rs, es]) {
      if (!inst) continue;
      const res = await inst.stop();
      assert.equal(res.code, 0, `${inst.name} exits 0 on SIGTERM\n${inst.output()}`);
    }
    await op?.stop();
  });

  it('reads the discovery document and the JWKS once each at start', () => {
    assert.equal(op.discoveryFetches, 2, 'one discovery per instance');
    assert.equal(op.jwksFetches, 2, 'one JWKS fetch per instance');
  });

  it('accepts RS256 tokens with typ at+jwt and typ JWT', async () => {
    for (const typ of [undefined, 'JWT']) {
      const t = await op.token({ persona: { ...personaAdmin(), typ } });
      const res = expectStatus(await call(rs, 'GET', '/v1/people?limit=1', { token: t }), 200, `typ ${typ ?? 'at+jwt'}`);
      assert.ok(Array.isArray(res.body.items));
    }
  });

  it('accepts ES256 tokens (both typ values) where ES256 is configured, and refuses the other algorithm', async () => {
    for (const typ of [undefined, 'JWT']) {
      const t = await op.token({ persona: { ...personaAdmin(), oid: `oid-${uniq()}`, typ }, resource: 'urn:tandem:es256' });
      expectStatus(await call(es, 'GET', '/v1/people?limit=1', { token: t }), 200);
      const r = await call(rs, 'GET', '/v1/people?limit=1', { token: t });
      expectProblem(r, 401, 'unauthenticated');
      assert.match(r.headers.get('www-authenticate'), /algorithm not accepted/);
    }
  });

  it('refuses a token for another audience and one from another issuer', async () => {
    const other = await op.token({ persona: personaAdmin(), resource: 'urn:other:rs256' });
    const r1 = await call(rs, 'GET', '/v1/people', { token: other });
    expectProblem(r1, 401, 'unauthenticated');
    assert.match(r1.headers.get('www-authenticate'), /wrong audience/);

    // same keys, another issuer: the signature holds, the issuer does not
    const op2 = await OidcProvider.start({ keys: op.keys });
    try {
      const foreign = await op2.token({ persona: personaAdmin() });
      const r2 = await call(rs, 'GET', '/v1/people', { token: foreign });
      expectProblem(r2, 401, 'unauthenticated');
      assert.match(r2.headers.get('www-authenticate'), /wrong issuer/);
    } finally {
      await op2.stop();
    }
  });

  it('maps provider groups to roles; unknown groups are ignored; no role is a 403', async () => {
    const mentorOnly = await op.token({ persona: { sub: `m-${uniq()}`, groups: ['Tandem-Mentors', 'Finance', 'Everyone'] } });
    // a mentor with no person record sees an empty list, not everyone
    const r = expectStatus(await call(rs, 'GET', '/v1/people', { token: mentorOnly }), 200);
    assert.deepEqual(r.body.items, []);
    const none = await op.token({ persona: { sub: `n-${uniq()}`, groups: ['Finance', 'admin'] } });
    const p = expectProblem(await call(rs, 'GET', '/v1/people', { token: none }), 403, 'forbidden');
    assert.match(p.detail, /no Tandem role/);
  });

  it('resolves a person by external_id, else by e-mail, linking the subject once', async () => {
    const admin = await op.token({ persona: personaAdmin() });
    const email = `sso-${uniq()}@example.com`;
    const created = expectStatus(
      await call(rs, 'POST', '/v1/people', {
        token: admin,
        body: { email, display_name: 'Grace Hopper', roles: ['partner'] },
      }),
      201,
    ).body;
    assert.equal(created.external_id, null);
    const sub = `entra-${uniq()}`;
    const t = await op.token({ persona: { sub, email: email.toUpperCase(), groups: ['Tandem-Partners'] } });
    const me = expectStatus(await call(rs, 'GET', '/v1/me', { token: t }), 200).body;
    assert.equal(me.id, created.id);
    assert.equal(me.external_id, sub, 'the subject is linked on first sign-in');
    assert.equal((await peopleByExternalId(sub)).length, 1);

    // another subject with the same e-mail does not take the person over
    const intruder = await op.token({ persona: { sub: `other-${uniq()}`, email, groups: ['Tandem-Partners'] } });
    expectProblem(await call(rs, 'GET', '/v1/me', { token: intruder }), 404, 'not-found');
    // found by external_id alone from now on
    const bySub = await op.token({ persona: { sub, groups: ['Tandem-Partners'] } });
    assert.equal(expectStatus(await call(rs, 'GET', '/v1/me', { token: bySub }), 200).body.id, created.id);
  });

  it('creates nobody just in time where it is off (the default)', async () => {
    const email = `nojit-${uniq()}@example.com`;
    const t = await op.token({ persona: { sub: `nojit-${uniq()}`, email, groups: ['Tandem-Partners'] } });
    expectProblem(await call(rs, 'GET', '/v1/me', { token: t }), 404, 'not-found');
    assert.equal((await peopleByEmail(email)).length, 0);
  });

  it('creates a person just in time where it is on, with the subject claim configured (oid)', async () => {
    const oid = `oid-${uniq()}`;
    const email = `jit-${uniq()}@example.com`;
    const t = await op.token({
      persona: { sub: 'pairwise-sub', oid, email, name: 'Katherine Johnson', groups: ['Tandem-Partners', 'Tandem-Mentors', 'Finance'] },
      resource: 'urn:tandem:es256',
    });
    const me = expectStatus(await call(es, 'GET', '/v1/me', { token: t }), 200).body;
    assert.equal(me.external_id, oid);
    assert.equal(me.email, email);
    assert.equal(me.display_name, 'Katherine Johnson');
    assert.deepEqual([...me.roles].sort(), ['mentor', 'partner']);
    // once only
    expectStatus(await call(es, 'GET', '/v1/me', { token: t }), 200);
    assert.equal((await peopleByEmail(email)).length, 1);
    // a service token makes no person
    const svc = await op.token({ persona: { oid: `svc-${uniq()}`, groups: ['Tandem-Service'] }, resource: 'urn:tandem:es256' });
    expectProblem(await call(es, 'GET', '/v1/me', { token: svc }), 404, 'not-found');
  });

  it('creates nobody just in time from a token without a valid e-mail (a person has one until erased)', async () => {
    for (const email of [undefined, 'not-an-address']) {
      const oid = `oid-noemail-${uniq()}`;
      const persona = { oid, name: 'Dorothy Vaughan', groups: ['Tandem-Partners'], ...(email ? { email } : {}) };
      const t = await op.token({ persona, resource: 'urn:tandem:es256' });
      expectProblem(await call(es, 'GET', '/v1/me', { token: t }), 404, 'not-found');
      assert.equal((await peopleByExternalId(oid)).length, 0, `no person for e-mail ${email}`);
      // an admin without an e-mail still reads the list; every person in it has an e-mail
      const a = await op.token({ persona: { ...personaAdmin(), oid: `oid-${uniq()}` }, resource: 'urn:tandem:es256' });
      const list = expectStatus(await call(es, 'GET', '/v1/people?limit=100', { token: a }), 200).body;
      for (const p of list.items) assert.ok(p.erased_at !== null || typeof p.email === 'string', p.id);
    }
  });

  it('a service token from the client credentials grant reads as the service', async () => {
    const svc = await op.token({ persona: { groups: ['Tandem-Service'] } });
    const res = expectStatus(await call(rs, 'GET', '/v1/people?limit=2', { token: svc }), 200);
    assert.ok(res.body.items.length > 0, 'the service reads everyone');
  });

  it("a service's own token comes from the client credentials grant (tandem-token --service)", async () => {
    const env = {
      PATH: process.env.PATH,
      TANDEM_JWT_ALG: 'RS256',
      TANDEM_OIDC_ISSUER: op.issuer,
      TANDEM_JWT_AUDIENCE: AUDIENCE,
      TANDEM_OIDC_CLIENT_ID: SERVICE_CLIENT.id,
      TANDEM_OIDC_CLIENT_SECRET: SERVICE_CLIENT.secret,
      TANDEM_OIDC_SCOPE: 'api',
      TANDEM_OIDC_RESOURCE: 'urn:tandem:rs256',
    };
    for (const k of ['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS']) if (process.env[k]) env[k] = process.env[k];
    const { stdout } = await promisify(execFile)(requireEnv('TANDEM_TEST_TOKEN_BIN'), ['--service', 'phases'], { env });
    const t = stdout.trim().split('\n').pop();
    const claims = JSON.parse(Buffer.from(t.split('.')[1], 'base64url'));
    assert.equal(claims.client_id, SERVICE_CLIENT.id);
    const res = expectStatus(await call(rs, 'GET', '/v1/people?limit=2', { token: t }), 200);
    assert.ok(res.body.items.length > 0, 'the service reads everyone');
    // a wrong secret gets no token
    await assert.rejects(
      promisify(execFile)(requireEnv('TANDEM_TEST_TOKEN_BIN'), ['--service', 'phases'], {
        env: { ...env, TANDEM_OIDC_CLIENT_SECRET: 'wrong' },
      }),
      /issued no token/,
    );
  });

  it('lets the SCIM client in by its client id, and nobody else', async () => {
    const scim = await op.token({ client: SCIM_CLIENT });
    const res = await api('GET', '/scim/v2/ServiceProviderConfig', { service: 'scim', base: rs.url, token: scim });
    expectStatus(res, 200);
    const list = await api('GET', '/scim/v2/Users?count=1', { service: 'scim', base: rs.url, token: scim });
    expectStatus(list, 200);
    // the SCIM client is nothing else, whatever groups it carries
    expectProblem(await call(rs, 'GET', '/v1/people', { token: scim }), 403, 'forbidden');
    const admin = await op.token({ persona: personaAdmin() });
    const refused = await api('GET', '/scim/v2/Users', { service: 'scim', base: rs.url, token: admin });
    assert.equal(refused.status, 403);
  });

  it('a flood of made-up kids costs the provider at most one JWKS fetch per interval', async () => {
    await sleep(REFETCH_S * 1000 + 100);   // whatever fetched last, the interval has passed
    const before = op.jwksFetches;
    const t0 = Date.now();
    const results = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        call(rs, 'GET', '/v1/people', { token: madeUpKid(`made-up-${i}-${uniq()}`, op.issuer) }),
      ),
    );
    const seconds = (Date.now() - t0) / 1000;
    for (const r of results) {
      expectProblem(r, 401, 'unauthenticated');
      assert.match(r.headers.get('www-authenticate'), /unknown key id/);
    }
    const fetched = op.jwksFetches - before;
    assert.ok(fetched >= 1, 'an unknown kid is looked up once');
    assert.ok(fetched <= Math.ceil(seconds / REFETCH_S) + 1, `${fetched} JWKS fetches in ${seconds} s`);
  });

  it('takes up a rotated key; tokens under the old key work until they expire', async () => {
    // long enough to outlive the refetch interval and two calls on a loaded machine
    const old = await op.token({ persona: { ...personaAdmin(), ttl: REFETCH_S + 8 } });
    const oldLong = await op.token({ persona: personaAdmin() });
    const oldExp = JSON.parse(Buffer.from(old.split('.')[1], 'base64url')).exp;
    await sleep(REFETCH_S * 1000 + 100);
    op.rotate('RSA', `rsa-2-${RUN}`);
    const fresh = await op.token({ persona: personaAdmin() });
    assert.notEqual(JSON.parse(Buffer.from(fresh.split('.')[0], 'base64url')).kid, 'rsa-1');
    expectStatus(await call(rs, 'GET', '/v1/people?limit=1', { token: fresh }), 200, 'the new key is fetched');
    expectStatus(await call(rs, 'GET', '/v1/people?limit=1', { token: old }), 200, 'the old key still works');
    // past its exp (and the 1 s leeway), the old token is refused; a long one still works.
    // The service reads whole seconds from a coarse clock (time(), a few ms behind
    // Date.now()): waking exactly at exp + 2 s could still be exp + 1 to it.
    await sleep(Math.max(0, (oldExp + 2) * 1000 + 500 - Date.now()));
    const expired = await call(rs, 'GET', '/v1/people?limit=1', { token: old });
    expectProblem(expired, 401, 'unauthenticated');
    assert.match(expired.headers.get('www-authenticate'), /token expired/);
    expectStatus(await call(rs, 'GET', '/v1/people?limit=1', { token: oldLong }), 200);
  });

  it('takes up a key replaced under the same kid; forged signatures under a known kid are rate-limited', async () => {
    const kid = op.signingKid.RS256;
    // a person that does not exist: 404 once the token is taken, 401 otherwise
    const probe = `/v1/people/${randomUUID()}`;
    const before = await op.token({ persona: personaAdmin() });
    expectProblem(await call(rs, 'GET', probe, { token: before }), 404, 'not-found');
    await sleep(REFETCH_S * 1000 + 100);
    // the provider replaces its RSA key and keeps the kid (some do on rotation)
    op.install([newKey('RSA', kid), ...op.keys.filter((k) => k.kid !== kid)]);
    const replaced = await op.token({ persona: personaAdmin() });
    assert.equal(JSON.parse(Buffer.from(replaced.split('.')[0], 'base64url')).kid, kid);
    const fetches = op.jwksFetches;
    // a bad signature under a known kid fetches the JWKS again
    expectProblem(await call(rs, 'GET', probe, { token: replaced }), 404, 'not-found');
    assert.equal(op.jwksFetches, fetches + 1, 'one JWKS fetch');
    const gone = await call(rs, 'GET', probe, { token: before });
    expectProblem(gone, 401, 'unauthenticated');
    assert.match(gone.headers.get('www-authenticate'), /bad signature/);

    // a flood of forged signatures under the known kid: at most one fetch per interval
    await sleep(REFETCH_S * 1000 + 100);
    const [h, p] = replaced.split('.');
    const from = op.jwksFetches;
    const t0 = Date.now();
    const results = await Promise.all(
      Array.from({ length: 120 }, () =>
        call(rs, 'GET', probe, { token: `${h}.${p}.${randomBytes(256).toString('base64url')}` }),
      ),
    );
    const seconds = (Date.now() - t0) / 1000;
    for (const r of results) {
      expectProblem(r, 401, 'unauthenticated');
      assert.match(r.headers.get('www-authenticate'), /bad signature/);
    }
    const fetched = op.jwksFetches - from;
    assert.ok(fetched >= 1, 'a bad signature is looked up once');
    assert.ok(fetched <= Math.ceil(seconds / REFETCH_S) + 1, `${fetched} JWKS fetches in ${seconds} s`);
    expectProblem(await call(rs, 'GET', probe, { token: replaced }), 404, 'not-found');
  });

  it('keeps working on cached keys while the provider is down', async () => {
    const t = await op.token({ persona: personaAdmin() });
    const te = await op.token({ persona: { ...personaAdmin(), oid: `oid-${uniq()}` }, resource: 'urn:tandem:es256' });
    await op.stop();
    expectStatus(await call(rs, 'GET', '/v1/people?limit=1', { token: t }), 200);
    expectStatus(await call(es, 'GET', '/v1/people?limit=1', { token: te }), 200);
    // an unknown kid fails fast (connection refused), nothing hangs or breaks
    const r = await call(rs, 'GET', '/v1/people', { token: madeUpKid(`down-${uniq()}`, op.issuer) });
    expectProblem(r, 401, 'unauthenticated');
    expectStatus(await call(rs, 'GET', '/readyz'), 200);
    expectStatus(await call(rs, 'GET', '/v1/people?limit=1', { token: t }), 200);
  });
});

describe('SSO: the provider is down when the service starts', () => {
  it('starts without keys (not ready), and takes the keys once the provider answers', async () => {
    const port = await freePort();
    const keys = [newKey('RSA', 'late-rsa'), newKey('EC', 'late-ec')];
    const issuer = `http://127.0.0.1:${port}`;
    const inst = await startPeople({ name: `people-oidc-late-${RUN}`, env: oidcEnv({ issuer }) });
    let op;
    try {
      // start gives up on the provider after a few tries and listens anyway
      const deadline = Date.now() + scaled(30000);
      let ready = null;
      while (Date.now() < deadline) {
        try {
          ready = await fetch(`${inst.url}/readyz`, { signal: AbortSignal.timeout(2000) });
          break;
        } catch {
          if (!inst.running) throw new Error(`exited\n${inst.output()}`);
          await sleep(200);
        }
      }
      assert.ok(ready, `it listens\n${inst.output()}`);
      const notReady = await api('GET', '/readyz', { base: inst.url });
      expectProblem(notReady, 503, 'unavailable');
      assert.match(notReady.body.detail, /signing keys/);

      op = await OidcProvider.start({ port, keys });
      const t = await op.token({ persona: personaAdmin() });
      let res;
      for (let i = 0; i < 20; i++) {
        res = await api('GET', '/v1/people?limit=1', { base: inst.url, token: t });
        if (res.status === 200) break;
        await sleep(500);
      }
      expectStatus(res, 200, 'keys fetched once the provider is up');
      expectStatus(await api('GET', '/readyz', { base: inst.url }), 200);
    } finally {
      const res = await inst.stop();
      await op?.stop();
      assert.equal(res.code, 0, inst.output());
    }
  });

  it('refuses to start when the discovery document names another issuer', async () => {
    const op = await OidcProvider.start();
    const inst = await startPeople({
      name: `people-oidc-wrong-${RUN}`,
      env: oidcEnv({ issuer: `${op.issuer}/` }),
    });
    try {
      const exit = await inst.waitExit(scaled(15000));
      assert.ok(exit, `it stops\n${inst.output()}`);
      assert.equal(exit.code, 1);
      assert.match(inst.stderr, /TANDEM_OIDC_ISSUER: .*another issuer/);
    } finally {
      inst.kill();
      await op.stop();
    }
  });
});
