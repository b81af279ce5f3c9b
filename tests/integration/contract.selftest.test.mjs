// Self-test of the contract checker, the api() helper and the token minter.
// Needs no Tandem service: it runs anywhere `npm ci` has run in tests/.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHmac } from 'node:crypto';
import { checkRequest, checkResponse, loadSpec, operations } from './lib/contract.mjs';
import { api } from './lib/http.mjs';

const ID = '3f0c1e0e-8a51-4d43-9b0a-4f0f4b9d8c11';
const ID2 = '9b2d7c1a-0f4e-4b8e-a1d2-6c3b5e7f9a10';
const T = '2026-11-27T12:00:00.123456Z';
const RID = 'req-123';

const person = (o = {}) => ({
  id: ID,
  external_id: 'ext-1',
  email: 'ada@example.com',
  display_name: 'Ada Lovelace',
  title: null,
  business_unit: 'Engineering',
  roles: ['partner'],
  status: 'active',
  timezone: 'Europe/London',
  purpose: null,
  vision: null,
  mentor_capacity: 0,
  created_at: T,
  updated_at: T,
  erased_at: null,
  version: 1,
  ...o,
});

const erased = () =>
  person({
    external_id: null,
    email: null,
    display_name: 'Erased person',
    business_unit: null,
    roles: [],
    status: 'left',
    erased_at: T,
    version: 2,
  });

const pairing = (o = {}) => ({
  id: ID2,
  mentor_id: ID,
  partner_id: '0d9c2b8e-1f3a-4c5d-8e7f-a0b1c2d3e4f5',
  status: 'active',
  started_at: T,
  ended_at: null,
  end_reason: null,
  created_at: T,
  updated_at: T,
  version: 1,
  ...o,
});

const problem = (status, slug, o = {}) => ({
  type: `https://tandem.dev/problems/${slug}`,
  title: 'Something',
  status,
  detail: 'What went wrong',
  request_id: RID,
  ...o,
});

const JSON_H = { 'content-type': 'application/json', 'x-request-id': RID };
const PROB_H = { 'content-type': 'application/problem+json', 'x-request-id': RID };
const AUTH_H = { ...PROB_H, 'www-authenticate': 'Bearer realm="tandem", error="invalid_token", error_description="expired"' };

function pass(r) {
  assert.equal(r.ok, true, `expected a pass, got:\n  ${r.errors.join('\n  ')}`);
}
function fail(r, pattern) {
  assert.equal(r.ok, false, 'expected a contract violation');
  if (pattern) assert.ok(r.errors.some((e) => pattern.test(e)), `no error matching ${pattern}: ${r.errors.join(' | ')}`);
}
const resp = (method, path, status, headers, body) =>
  checkResponse(method, path, status, headers, body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body));

describe('the spec loads and is self-consistent', () => {
  it('resolves every $ref, across files', () => {
    const spec = loadSpec();
    assert.equal(JSON.stringify(spec.doc).includes('"$ref"'), false);
    assert.equal(spec.doc.openapi, '3.1.0');
    const problemSchema = spec.doc.paths['/v1/people'].post.responses['409'].content['application/problem+json'].schema;
    assert.ok(JSON.stringify(problemSchema).includes('request_id'));
  });

  it('every operation has an operationId, and every /v1 operation documents 401 and 503', () => {
    const seen = new Set();
    for (const { method, template, operation } of operations()) {
      assert.ok(operation.operationId, `${method} ${template} has an operationId`);
      assert.ok(!seen.has(operation.operationId), `unique operationId ${operation.operationId}`);
      seen.add(operation.operationId);
      if (template.startsWith('/v1/')) {
        assert.ok(operation.responses['401'], `${method} ${template} documents 401`);
        assert.ok(operation.responses['503'], `${method} ${template} documents 503`);
        assert.ok(!operation.responses.default, `${method} ${template} has no catch-all default`);
      }
      for (const [code, r] of Object.entries(operation.responses)) {
        assert.ok(r.headers?.['X-Request-Id']?.required, `${method} ${template} ${code} carries X-Request-Id`);
      }
    }
    for (const id of ['people_create', 'people_list', 'people_get', 'people_update', 'people_erase', 'me_get',
      'pairings_create', 'pairings_list', 'pairings_get', 'pairings_end', 'ops_healthz', 'ops_readyz', 'ops_metrics']) {
      assert.ok(seen.has(id), `operation ${id}`);
    }
  });
});

describe('checkResponse', () => {
  const withEtag = { ...JSON_H, etag: '"1"' };

  it('passes a valid Person', () => {
    const r = resp('GET', `/v1/people/${ID}`, 200, withEtag, person());
    pass(r);
    assert.equal(r.operationId, 'people_get');
    assert.equal(r.template, '/v1/people/{id}');
  });

  it('passes an erased Person', () => {
    pass(resp('GET', `/v1/people/${ID}`, 200, { ...JSON_H, etag: '"2"' }, erased()));
  });

  it('fails invalid Person bodies', () => {
    const { display_name: _dn, ...noName } = person();
    fail(resp('GET', `/v1/people/${ID}`, 200, withEtag, noName), /display_name/);
    fail(resp('GET', `/v1/people/${ID}`, 200, withEtag, person({ nickname: 'x' })), /nickname/);
    fail(resp('GET', `/v1/people/${ID}`, 200, withEtag, person({ email: 'not-an-email' })), /email/);
    fail(resp('GET', `/v1/people/${ID}`, 200, withEtag, person({ roles: ['service'] })), /roles/);
    fail(resp('GET', `/v1/people/${ID}`, 200, withEtag, person({ email: null })), /email/);
    fail(resp('GET', `/v1/people/${ID}`, 200, withEtag, person({ version: 0 })), /version/);
    fail(resp('GET', `/v1/people/${ID}`, 200, withEtag, person({ id: ID.toUpperCase() })), /id/);
    fail(resp('GET', `/v1/people/${ID}`, 200, withEtag, person({ created_at: '2026-11-27T14:00:00+02:00' })), /created_at/);
    fail(resp('GET', `/v1/people/${ID}`, 200, withEtag, person({ display_name: 'x'.repeat(201) })), /display_name/);
    fail(resp('GET', `/v1/people/${ID}`, 200, withEtag, person({ mentor_capacity: '3' })), /mentor_capacity/);
    fail(resp('GET', `/v1/people/${ID}`, 200, withEtag, { ...erased(), email: 'still@example.com' }), /email/);
    fail(resp('GET', `/v1/people/${ID}`, 200, withEtag, '{"id": '), /not valid JSON/);
  });

  it('fails an undocumented status', () => {
    fail(resp('GET', `/v1/people/${ID}`, 418, PROB_H, problem(418, 'teapot')), /418 is not documented/);
    fail(resp('GET', `/v1/people/${ID}`, 500, PROB_H, problem(500, 'internal')), /500 is not documented/);
    fail(resp('GET', `/v1/people/${ID}`, 201, withEtag, person()), /201 is not documented/);
    fail(resp('GET', '/v1/me', 409, PROB_H, problem(409, 'conflict')), /409 is not documented/);
  });

  it('fails an undocumented media type or a missing one', () => {
    fail(resp('GET', `/v1/people/${ID}`, 200, { ...withEtag, 'content-type': 'text/html' }, person()), /media type/);
    fail(resp('GET', `/v1/people/${ID}`, 404, JSON_H, problem(404, 'not-found')), /media type/);
    const { 'content-type': _ct, ...noCt } = withEtag;
    fail(resp('GET', `/v1/people/${ID}`, 200, noCt, person()), /Content-Type/);
    pass(resp('GET', `/v1/people/${ID}`, 200, { ...withEtag, 'content-type': 'application/json; charset=utf-8' }, person()));
  });

  it('checks the headers the spec requires', () => {
    fail(resp('GET', `/v1/people/${ID}`, 200, JSON_H, person()), /ETag is missing/);
    fail(resp('GET', `/v1/people/${ID}`, 200, { ...JSON_H, etag: '1' }, person()), /ETag/);
    fail(resp('GET', `/v1/people/${ID}`, 200, { ...JSON_H, etag: 'W/"01"' }, person()), /ETag/);
    pass(resp('GET', `/v1/people/${ID}`, 200, { ...JSON_H, etag: 'W/"1"' }, person())); // gzipped by the gateway
    fail(resp('GET', `/v1/people/${ID}`, 200, { 'content-type': 'application/json', etag: '"1"' }, person()), /X-Request-Id/);
    const created = { ...JSON_H, etag: '"1"' };
    fail(resp('POST', '/v1/people', 201, created, person()), /Location is missing/);
    pass(resp('POST', '/v1/people', 201, { ...created, location: `/v1/people/${ID}` }, person()));
    pass(
      resp('POST', '/v1/people', 201, { ...created, location: `/v1/people/${ID}`, 'idempotent-replayed': 'true' }, person()),
    );
    fail(resp('GET', '/v1/people', 401, PROB_H, problem(401, 'unauthenticated')), /WWW-Authenticate/);
    pass(resp('GET', '/v1/people', 401, AUTH_H, problem(401, 'unauthenticated')));
    fail(resp('GET', '/v1/people', 401, { ...AUTH_H, 'www-authenticate': 'Basic' }, problem(401, 'unauthenticated')));
  });

  it('checks problems: type per status, required members, errors for validation', () => {
    pass(resp('POST', '/v1/people', 400, PROB_H, problem(400, 'validation', { errors: [{ field: 'email', message: 'bad' }] })));
    pass(resp('POST', '/v1/people', 400, PROB_H, problem(400, 'malformed')));
    fail(resp('POST', '/v1/people', 400, PROB_H, problem(400, 'validation')), /errors/);
    fail(resp('POST', '/v1/people', 409, PROB_H, problem(409, 'not-found')), /type/);
    fail(resp('POST', '/v1/people', 409, PROB_H, problem(400, 'conflict')), /status/);
    const { request_id: _r, ...noRid } = problem(409, 'conflict');
    fail(resp('POST', '/v1/people', 409, PROB_H, noRid), /request_id/);
    pass(resp('POST', '/v1/people', 422, PROB_H, problem(422, 'idempotency-key-reused')));
    pass(resp('POST', '/v1/people', 413, PROB_H, problem(413, 'payload-too-large')));
    // 431 on any path, listed or not, before routing (shared/server.c)
    pass(resp('GET', '/healthz', 431, PROB_H, problem(431, 'request-header-fields-too-large')));
    pass(resp('GET', '/no/such/route', 431, PROB_H, problem(431, 'request-header-fields-too-large')));
    fail(resp('GET', '/healthz', 431, PROB_H, problem(431, 'payload-too-large')), /type/);
    fail(resp('GET', '/healthz', 431, { 'content-type': 'text/html', 'x-request-id': RID }, ''));
  });

  it('matches concrete paths, ignores the query string, and prefers literal segments', () => {
    pass(resp('GET', '/v1/people?limit=2&cursor=abc', 200, JSON_H, { items: [person()], next_cursor: 'abc' }));
    pass(resp('GET', '/v1/people', 200, JSON_H, { items: [], next_cursor: null }));
    fail(resp('GET', '/v1/people', 200, JSON_H, { items: [] }), /next_cursor/);
    assert.equal(resp('GET', '/v1/me', 200, { ...JSON_H, etag: '"1"' }, person()).operationId, 'me_get');
  });

  it('knows pairings', () => {
    const h = { ...JSON_H, etag: '"1"' };
    pass(resp('GET', `/v1/pairings/${ID2}`, 200, h, pairing()));
    pass(resp('PATCH', `/v1/pairings/${ID2}`, 200, { ...h, etag: '"2"' },
      pairing({ status: 'completed', ended_at: T, end_reason: 'done', version: 2 })));
    fail(resp('GET', `/v1/pairings/${ID2}`, 200, h, pairing({ status: 'completed' })), /ended_at|end_reason/);
    fail(resp('GET', `/v1/pairings/${ID2}`, 200, h, pairing({ ended_at: T })), /ended_at/);
  });

  it('treats routes the spec does not list as 404 problems', () => {
    pass(resp('GET', '/no-such-route', 404, PROB_H, problem(404, 'not-found')));
    fail(resp('GET', '/no-such-route', 200, JSON_H, {}), /must answer 404/);
    fail(resp('GET', '/v1/people/', 200, JSON_H, { items: [], next_cursor: null }), /must answer 404/);
    pass(resp('PUT', `/v1/people/${ID}`, 405, PROB_H, problem(405, 'method-not-allowed')));
    pass(resp('PUT', `/v1/people/${ID}`, 404, PROB_H, problem(404, 'not-found')));
    fail(resp('PUT', `/v1/people/${ID}`, 200, withEtag, person()), /405/);
  });

  it('documents no body for 204 and plain text for /metrics', () => {
    pass(resp('DELETE', `/v1/people/${ID}`, 204, { 'x-request-id': RID }, ''));
    fail(resp('DELETE', `/v1/people/${ID}`, 204, { 'x-request-id': RID }, '{}'), /no body/);
    pass(resp('GET', '/metrics', 200, { 'content-type': 'text/plain; version=0.0.4', 'x-request-id': RID }, '# x\n'));
    pass(resp('GET', '/healthz', 200, JSON_H, { status: 'ok', service: 'people' }));
    fail(resp('GET', '/healthz', 200, JSON_H, { status: 'fine', service: 'people' }), /status/);
    pass(resp('GET', '/readyz', 200, JSON_H, { status: 'ready', service: 'people', schema_version: 1 }));
    pass(resp('GET', '/readyz', 503, PROB_H, problem(503, 'unavailable')));
  });

  it('accepts a Headers object as well as a plain object', () => {
    pass(checkResponse('GET', `/v1/people/${ID}`, 200, new Headers(withEtag), JSON.stringify(person())));
  });
});

describe('checkRequest', () => {
  const json = { 'content-type': 'application/json' };
  const create = { email: 'ada@example.com', display_name: 'Ada', roles: ['partner'] };

  it('passes documented requests', () => {
    pass(checkRequest('POST', '/v1/people', { headers: json, body: create }));
    pass(checkRequest('POST', '/v1/people', { headers: { ...json, 'idempotency-key': 'k1' }, body: create }));
    pass(checkRequest('PATCH', `/v1/people/${ID}`, { headers: { ...json, 'if-match': '"1"' }, body: { title: null } }));
    pass(checkRequest('GET', `/v1/people?limit=2&role=mentor&q=x&business_unit=y&status=active&cursor=c`));
    pass(checkRequest('GET', `/v1/pairings?mentor_id=${ID}&status=completed`));
    pass(checkRequest('POST', '/v1/pairings', { headers: json, body: { mentor_id: ID, partner_id: ID2 } }));
    pass(checkRequest('PATCH', `/v1/pairings/${ID2}`, { headers: json, body: { status: 'cancelled', reason: 'r' } }));
  });

  it('fails undocumented or invalid requests', () => {
    fail(checkRequest('POST', '/v1/people', { headers: json, body: { ...create, nickname: 'x' } }), /nickname/);
    fail(checkRequest('POST', '/v1/people', { headers: json, body: { email: 'a@example.com' } }), /display_name/);
    fail(checkRequest('POST', '/v1/people', { headers: { 'content-type': 'text/plain' }, body: create }), /media type/);
    fail(checkRequest('POST', '/v1/people', { headers: json }), /body is required/);
    fail(checkRequest('PATCH', `/v1/people/${ID}`, { headers: json, body: {} }));
    fail(checkRequest('PATCH', `/v1/people/${ID}`, { headers: json, body: { display_name: null } }), /display_name/);
    fail(checkRequest('GET', '/v1/people?colour=blue'), /colour/);
    fail(checkRequest('GET', '/v1/people?limit=0'), /limit/);
    fail(checkRequest('GET', '/v1/people?limit=abc'), /limit/);
    fail(checkRequest('GET', '/v1/people/not-a-uuid'), /path/);
    fail(checkRequest('PUT', `/v1/people/${ID}`), /method/);
    fail(checkRequest('GET', '/nowhere'), /no such route/);
    fail(checkRequest('GET', '/v1/me', { body: {} , headers: json }), /no request body/);
    fail(checkRequest('POST', '/v1/people', { headers: { ...json, 'idempotency-key': 'k'.repeat(201) }, body: create }));
  });
});

describe('tokens', () => {
  before(() => {
    process.env.TANDEM_TEST_JWT_SECRET ??= 'selftest-secret';
    process.env.TANDEM_TEST_JWT_ISSUER ??= 'selftest-issuer';
    process.env.TANDEM_TEST_JWT_AUDIENCE ??= 'selftest-audience';
  });

  it('mints HS256 tokens the shared secret verifies, with the configured claims', async () => {
    const { token, decode } = await import('./lib/tokens.mjs');
    const t = token({ sub: 'u1', roles: ['admin', 'mentor'], email: 'u1@example.com' });
    const [h, p, s] = t.split('.');
    const expect = createHmac('sha256', process.env.TANDEM_TEST_JWT_SECRET).update(`${h}.${p}`).digest('base64url');
    assert.equal(s, expect);
    const d = decode(t);
    assert.deepEqual(d.header, { alg: 'HS256', typ: 'JWT' });
    assert.equal(d.payload.sub, 'u1');
    assert.deepEqual(d.payload.roles, ['admin', 'mentor']);
    assert.equal(d.payload.iss, process.env.TANDEM_TEST_JWT_ISSUER);
    assert.equal(d.payload.aud, process.env.TANDEM_TEST_JWT_AUDIENCE);
    assert.ok(d.payload.exp > Date.now() / 1000);
    assert.equal('nbf' in d.payload, false);
  });

  it('makes the bad ones bad', async () => {
    const { bad, decode, now } = await import('./lib/tokens.mjs');
    const c = { sub: 'u1', roles: ['admin'] };
    assert.equal(bad.algNone(c).split('.')[2], '');
    assert.equal(decode(bad.algNone(c)).header.alg, 'none');
    assert.equal(bad.algNoneNoDot(c).split('.').length, 2);
    assert.ok(decode(bad.expired(c)).payload.exp < now() - 60);
    assert.ok(decode(bad.notYetValid(c)).payload.nbf > now() + 60);
    assert.notEqual(decode(bad.wrongIssuer(c)).payload.iss, process.env.TANDEM_TEST_JWT_ISSUER);
    assert.notEqual(decode(bad.wrongAudience(c)).payload.aud, process.env.TANDEM_TEST_JWT_AUDIENCE);
    assert.equal(decode(bad.algConfusion(c)).header.alg, 'RS256');
    assert.equal('exp' in decode(bad.noExp(c)).payload, false);
    const tp = bad.tamperedPayload({ ...c, roles: ['viewer'] });
    assert.deepEqual(decode(tp).payload.roles, ['admin']);
    const ts = bad.tamperedSignature(c);
    assert.equal(ts.split('.').length, 3);
  });
});

describe('api() checks every response against the spec', () => {
  let server;
  let base;
  const seen = [];

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        const send = (status, headers, payload) => {
          res.writeHead(status, { 'x-request-id': RID, ...headers });
          res.end(payload === undefined ? '' : typeof payload === 'string' ? payload : JSON.stringify(payload));
        };
        if (req.url === `/v1/people/${ID}`) send(200, { 'content-type': 'application/json', etag: '"1"' }, person());
        else if (req.url === '/v1/me') send(418, { 'content-type': 'text/plain' }, 'teapot');
        else if (req.url === '/v1/people' && req.method === 'POST') {
          send(400, { 'content-type': 'application/problem+json' },
            problem(400, 'validation', { errors: [{ field: 'nickname', message: 'unknown field' }] }));
        } else if (req.url === '/v1/people/not-a-uuid') send(404, { 'content-type': 'application/problem+json' }, problem(404, 'not-found'));
        else send(500, { 'content-type': 'application/problem+json' }, problem(500, 'internal'));
      });
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${server.address().port}`;
  });

  after(() => new Promise((r) => server.close(r)));

  it('returns a documented response, parsed', async () => {
    const res = await api('GET', `/v1/people/${ID}`, { base, token: 'abc' });
    assert.equal(res.status, 200);
    assert.equal(res.body.display_name, 'Ada Lovelace');
    assert.equal(res.requestId, RID);
    assert.equal(seen.at(-1).headers.authorization, 'Bearer abc');
  });

  it('throws an AssertionError on an undocumented status', async () => {
    await assert.rejects(api('GET', '/v1/me', { base }), (e) => {
      assert.ok(e instanceof assert.AssertionError);
      assert.match(e.message, /contract violation: GET \/v1\/me -> 418/);
      return true;
    });
  });

  it('throws on a 500, which the spec never documents', async () => {
    await assert.rejects(api('GET', '/v1/pairings', { base }), /500 is not documented/);
  });

  it('refuses to send an undocumented request unless told it is invalid on purpose', async () => {
    const n = seen.length;
    await assert.rejects(
      api('POST', '/v1/people', { base, body: { nickname: 'x' } }),
      /test bug: POST \/v1\/people is not a request the spec accepts/,
    );
    assert.equal(seen.length, n, 'nothing was sent');
    const res = await api('POST', '/v1/people', { base, body: { nickname: 'x' }, invalid: true });
    assert.equal(res.status, 400);
    assert.equal(seen.at(-1).headers['content-type'], 'application/json');
    assert.equal(seen.at(-1).body, '{"nickname":"x"}');
    const nf = await api('GET', '/v1/people/not-a-uuid', { base, invalid: true });
    assert.equal(nf.status, 404);
  });

  it('sends raw bodies with the given Content-Type, or none', async () => {
    await api('POST', '/v1/people', { base, rawBody: 'a=b', contentType: 'text/plain', invalid: true });
    assert.equal(seen.at(-1).headers['content-type'], 'text/plain');
    await api('POST', '/v1/people', { base, rawBody: '{}', contentType: null, invalid: true });
    assert.equal(seen.at(-1).headers['content-type'], undefined);
    assert.equal(seen.at(-1).body, '{}');
  });
});
