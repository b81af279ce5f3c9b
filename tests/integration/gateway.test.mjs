// The gateway (nginx) in front of the service: the same reads and writes
// work through it, X-Request-Id is passed through and echoed (or generated),
// and an oversize body is refused with 413.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import { api, expectProblem, expectStatus, gatewayUrl, peopleUrl } from './lib/http.mjs';
import {
  adminToken,
  createMentor,
  createPairing,
  createPartner,
  ids,
  personBody,
  RUN,
  tokenFor,
  uniq,
} from './lib/fixtures.mjs';
import * as db from './lib/db.mjs';
import { token } from './lib/tokens.mjs';

after(() => db.closeDb());

const GW = gatewayUrl();
const DIRECT = peopleUrl();
const MAX_BODY = Number(process.env.TANDEM_TEST_MAX_BODY || 65536);
const SANE_ID = /^[A-Za-z0-9._-]{1,64}$/;
const MISSING = '00000000-0000-4000-8000-000000000000';

const gw = (method, path, o = {}) => api(method, path, { ...o, base: GW });

describe('reads and writes through the gateway', () => {
  it('GET /v1/people/{id} and /v1/me give what the service gives', async () => {
    const p = await createPartner();
    const direct = expectStatus(await api('GET', `/v1/people/${p.id}`, { token: adminToken() }), 200);
    const via = expectStatus(await gw('GET', `/v1/people/${p.id}`, { token: adminToken() }), 200);
    assert.deepEqual(via.body, direct.body);
    assert.equal(via.headers.get('etag'), direct.headers.get('etag'));
    const me = expectStatus(await gw('GET', '/v1/me', { token: tokenFor(p) }), 200);
    assert.equal(me.body.id, p.id);
  });

  it('lists, filters and pages through the gateway', async () => {
    const bu = `bu-gw-${uniq()}`;
    const a = await createPartner({ business_unit: bu });
    const b = await createPartner({ business_unit: bu });
    const c = await createPartner({ business_unit: bu });
    const page1 = expectStatus(await gw('GET', `/v1/people?business_unit=${bu}&limit=2`, { token: adminToken() }), 200);
    assert.deepEqual(ids(page1.body.items), [a.id, b.id]);
    const page2 = expectStatus(
      await gw('GET', `/v1/people?business_unit=${bu}&limit=2&cursor=${encodeURIComponent(page1.body.next_cursor)}`, {
        token: adminToken(),
      }),
      200,
    );
    assert.deepEqual(ids(page2.body.items), [c.id]);
    assert.equal(page2.body.next_cursor, null);
  });

  it('pairings through the gateway', async () => {
    const m = await createMentor();
    const p = await createPartner();
    const pr = await createPairing(m, p);
    const one = expectStatus(await gw('GET', `/v1/pairings/${pr.id}`, { token: tokenFor(m) }), 200);
    assert.deepEqual(one.body, pr);
    const list = expectStatus(await gw('GET', `/v1/pairings?mentor_id=${m.id}`, { token: adminToken() }), 200);
    assert.deepEqual(ids(list.body.items), [pr.id]);
  });

  it('POST through the gateway creates once, with the service Location', async () => {
    const body = personBody();
    const res = expectStatus(await gw('POST', '/v1/people', { token: adminToken(), body }), 201);
    assert.equal(res.headers.get('location'), `/v1/people/${res.body.id}`);
    assert.equal((await db.peopleByEmail(body.email)).length, 1);
  });

  it('errors come through as problems: 401 with WWW-Authenticate, 404, 403', async () => {
    const r401 = await gw('GET', '/v1/people');
    expectProblem(r401, 401, 'unauthenticated');
    assert.match(r401.headers.get('www-authenticate') ?? '', /^Bearer realm="tandem"/);
    expectProblem(await gw('GET', `/v1/people/${MISSING}`, { token: adminToken() }), 404, 'not-found');
    const p = await createPartner();
    expectProblem(await gw('POST', '/v1/people', { token: tokenFor(p), body: personBody() }), 403, 'forbidden');
  });
});

describe('X-Request-Id', () => {
  for (const [name, base] of [
    ['gateway', () => GW],
    ['service', () => DIRECT],
  ]) {
    it(`${name}: a sane X-Request-Id is echoed, in the header and in problems`, async () => {
      const rid = `test-${uniq()}.A_b-9`;
      const ok = await api('GET', '/v1/people?limit=1', {
        base: base(),
        token: adminToken(),
        headers: { 'X-Request-Id': rid },
      });
      expectStatus(ok, 200);
      assert.equal(ok.headers.get('x-request-id'), rid);
      const nf = await api('GET', `/v1/people/${MISSING}`, {
        base: base(),
        token: adminToken(),
        headers: { 'X-Request-Id': rid },
      });
      const prob = expectProblem(nf, 404, 'not-found');
      assert.equal(nf.headers.get('x-request-id'), rid);
      assert.equal(prob.request_id, rid);
      const unauth = await api('GET', '/v1/me', { base: base(), headers: { 'X-Request-Id': rid } });
      assert.equal(expectProblem(unauth, 401, 'unauthenticated').request_id, rid);
    });

    it(`${name}: without X-Request-Id a fresh one is generated for each request`, async () => {
      const a = expectStatus(await api('GET', '/v1/people?limit=1', { base: base(), token: adminToken() }), 200);
      const b = expectStatus(await api('GET', '/v1/people?limit=1', { base: base(), token: adminToken() }), 200);
      assert.match(a.requestId ?? '', SANE_ID);
      assert.match(b.requestId ?? '', SANE_ID);
      assert.notEqual(a.requestId, b.requestId);
    });
  }

  for (const insane of ['x'.repeat(65), 'has spaces in it', '<script>alert(1)</script>', 'semi;colon', 'é-accent']) {
    it(`service: an insane X-Request-Id ${JSON.stringify(insane.slice(0, 20))} is replaced`, async () => {
      const res = await api('GET', '/v1/people?limit=1', {
        token: adminToken(),
        headers: { 'X-Request-Id': insane },
        invalid: true,
      });
      expectStatus(res, 200);
      assert.notEqual(res.requestId, insane);
      assert.match(res.requestId ?? '', SANE_ID);
    });
  }
});

describe('body size limit through the gateway', () => {
  for (const size of [MAX_BODY + 1, 2 * 1024 * 1024]) {
    it(`a ${size}-byte body is refused with 413 (by the gateway or the service), nothing stored`, async () => {
      const body = personBody();
      const base = Buffer.byteLength(JSON.stringify({ ...body, purpose: '' }));
      body.purpose = 'x'.repeat(size - base);
      assert.equal(Buffer.byteLength(JSON.stringify(body)), size);
      const res = await gw('POST', '/v1/people', { token: adminToken(), body, invalid: true });
      expectProblem(res, 413, 'payload-too-large');
      assert.equal((await db.peopleByEmail(body.email)).length, 0);
    });
  }
});

describe('large tokens through the gateway', () => {
  it('a 16 KB token (an identity provider token with many group claims) gets 200 through the gateway', async () => {
    // a valid HS256 token, minted like every test token, with a large claim
    const groups = Array.from({ length: 560 }, (_, i) => `grp-${String(i).padStart(4, '0')}-${uniq()}`);
    const big = token({ sub: `admin-${RUN}`, roles: ['admin'], email: `admin-${RUN}@example.com`, extra: { groups } });
    assert.ok(big.length >= 16 * 1024, `token is ${big.length} bytes`);
    assert.ok(big.length < 24 * 1024, `token is ${big.length} bytes`);
    const p = await createPartner();
    const direct = expectStatus(await api('GET', `/v1/people/${p.id}`, { token: big }), 200);
    const via = expectStatus(await gw('GET', `/v1/people/${p.id}`, { token: big }), 200);
    assert.deepEqual(via.body, direct.body);
  });
});

describe("the gateway's own ops endpoints", () => {
  const ops = (path, o = {}) => api('GET', path, { ...o, base: GW, service: 'gateway' });

  it('GET /readyz -> 200 {status: ready, service: gateway}, with the request id', async () => {
    const res = expectStatus(await ops('/readyz', { headers: { 'X-Request-Id': 'gw-ready-1' } }), 200);
    assert.deepEqual(res.body, { status: 'ready', service: 'gateway' });
    assert.equal(res.headers.get('x-request-id'), 'gw-ready-1');
  });

  it('GET /healthz -> 200 {status: ok, service: gateway}', async () => {
    const res = expectStatus(await ops('/healthz'), 200);
    assert.deepEqual(res.body, { status: 'ok', service: 'gateway' });
  });
});

// Compression: the gateway gzips JSON above 1 KB when the client allows it,
// never otherwise; the body is the same JSON either way.  Raw node:http, so
// what is on the wire is seen (fetch would decompress by itself).
describe('gzip through the gateway', () => {
  const raw = (path, headers) =>
    new Promise((resolve, reject) => {
      const req = http.get(new URL(path, GW), { headers, timeout: 15000 }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, bytes: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer in 15 s`)));
      req.on('error', reject);
    });
  const auth = () => ({ authorization: `Bearer ${adminToken()}` });

  it('a large JSON list is gzipped when Accept-Encoding allows it, and not otherwise', async () => {
    const bu = `bu-gz-${uniq()}`;
    for (let i = 0; i < 12; i++) await createPartner({ business_unit: bu, purpose: `purpose ${i} `.repeat(20) });
    const path = `/v1/people?business_unit=${bu}&limit=100`;
    // the contract holds through the gateway (fetch asks for gzip by itself)
    const checked = expectStatus(await gw('GET', path, { token: adminToken() }), 200);
    assert.equal(checked.body.items.length, 12);

    const gz = await raw(path, { ...auth(), 'accept-encoding': 'gzip' });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.match(gz.headers.vary ?? '', /Accept-Encoding/i);
    const plain = await raw(path, auth()); // no Accept-Encoding: identity
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    const refused = await raw(path, { ...auth(), 'accept-encoding': 'gzip;q=0, identity' });
    assert.equal(refused.headers['content-encoding'], undefined);
    const unzipped = zlib.gunzipSync(gz.bytes);
    assert.deepEqual(JSON.parse(unzipped), JSON.parse(plain.bytes));
    assert.deepEqual(JSON.parse(plain.bytes), checked.body);
    assert.ok(gz.bytes.length * 3 < plain.bytes.length, `gzip ${gz.bytes.length} bytes vs ${plain.bytes.length}`);
  });

  it('a small body is not compressed; problems pass through readable', async () => {
    const p = await createPartner();
    const small = await raw(`/v1/people/${p.id}`, { ...auth(), 'accept-encoding': 'gzip' });
    assert.equal(small.status, 200);
    assert.equal(small.headers['content-encoding'], undefined);
    assert.equal(small.headers.etag, '"1"');
    const nf = await raw(`/v1/people/${MISSING}`, { ...auth(), 'accept-encoding': 'gzip' });
    assert.equal(nf.status, 404);
    assert.equal(JSON.parse(nf.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(nf.bytes) : nf.bytes).status, 404);
  });

  it("a gzipped resource's ETag is weak, and If-Match with it still updates (a stale one is a 412)", async () => {
    const p = await createPartner({ purpose: 'a long purpose. '.repeat(100), vision: 'a long vision. '.repeat(100) });
    const gz = await raw(`/v1/people/${p.id}`, { ...auth(), 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gz.headers.etag, 'W/"1"');
    const plain = await raw(`/v1/people/${p.id}`, auth());
    assert.equal(plain.headers.etag, '"1"');
    // through the contract-checked client too (it asks for gzip)
    const via = expectStatus(await gw('GET', `/v1/people/${p.id}`, { token: adminToken() }), 200);
    assert.equal(via.headers.get('etag'), 'W/"1"');
    const upd = expectStatus(
      await gw('PATCH', `/v1/people/${p.id}`, { token: adminToken(), body: { title: 'Lead' }, headers: { 'If-Match': 'W/"1"' } }),
      200,
    );
    assert.equal(upd.body.title, 'Lead');
    expectProblem(
      await gw('PATCH', `/v1/people/${p.id}`, { token: adminToken(), body: { title: 'Again' }, headers: { 'If-Match': 'W/"1"' } }),
      412,
      'precondition-failed',
    );
    const after = expectStatus(await api('GET', `/v1/people/${p.id}`, { token: adminToken() }), 200);
    assert.equal(after.body.title, 'Lead');
  });
});
