// Ops endpoints: /healthz, /readyz, /metrics (Prometheus text), and the
// 404/405 problems for routes that do not exist.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectProblem, expectStatus } from './lib/http.mjs';
import { adminToken, createPartner, tokenFor, uniq } from './lib/fixtures.mjs';

const MISSING = '00000000-0000-4000-8000-000000000000';

describe('health and readiness', () => {
  it('GET /healthz -> 200 {status: ok, service: people}', async () => {
    const res = expectStatus(await api('GET', '/healthz'), 200);
    assert.deepEqual(res.body, { status: 'ok', service: 'people' });
    assert.ok(res.requestId);
  });

  it('GET /readyz -> 200 {status: ready, service: people, schema_version}', async () => {
    const res = expectStatus(await api('GET', '/readyz'), 200);
    assert.equal(res.body.status, 'ready');
    assert.equal(res.body.service, 'people');
    assert.ok(Number.isInteger(res.body.schema_version) && res.body.schema_version >= 1);
  });

  it('ops endpoints echo X-Request-Id too', async () => {
    const rid = `ops-${uniq()}`;
    const res = await api('GET', '/healthz', { headers: { 'X-Request-Id': rid } });
    assert.equal(res.headers.get('x-request-id'), rid);
  });

  it('a request without X-Request-Id gets a fresh random id, never one seen before', async () => {
    // 40 > the 16 ids a thread draws from one getrandom() block (shared/server.c)
    const ids = [];
    for (let i = 0; i < 40; i++) ids.push((await api('GET', '/healthz')).requestId);
    for (const id of ids) assert.match(id ?? '', /^[0-9a-f]{32}$/);
    assert.equal(new Set(ids).size, ids.length, 'every id differs');
    const bits = ids.join('').split('').reduce((n, c) => n + parseInt(c, 16).toString(2).replace(/0/g, '').length, 0);
    const share = bits / (ids.length * 128);
    assert.ok(share > 0.4 && share < 0.6, `about half the bits are set (${share.toFixed(3)})`);
  });
});

// Sums the samples of @metric whose labels mention @needle.
function sumSamples(text, metric, needle) {
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?\s+(\S+)/.exec(line);
    if (!m || !(m[1] ?? '').includes(needle)) continue;
    found = true;
    sum += Number(m[2]);
  }
  return { sum, found };
}

describe('GET /metrics', () => {
  it('is Prometheus text with the request, latency and pool metrics', async () => {
    const res = expectStatus(await api('GET', '/metrics'), 200);
    const ct = res.headers.get('content-type') ?? '';
    assert.match(ct, /^text\/plain/);
    assert.match(ct, /version=0\.0\.4/);
    const text = res.body;
    assert.match(text, /^# TYPE tandem_http_requests_total counter$/m);
    assert.match(text, /^# HELP tandem_http_requests_total .+$/m);
    assert.match(text, /^tandem_http_request_duration_seconds_(bucket|sum|count)[{ ]/m);
    assert.match(text, /^tandem_db_pool_[a-z_]+[{ ]/m);
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? (-?[0-9.eE+-]+|[+-]Inf|NaN)( -?[0-9]+)?$/, `sample line: ${line}`);
    }
  });

  it('counts a request to a route that was just called', async () => {
    const p = await createPartner();
    const before = sumSamples(expectStatus(await api('GET', '/metrics'), 200).body, 'tandem_http_requests_total', '/v1/me');
    for (let i = 0; i < 3; i++) expectStatus(await api('GET', '/v1/me', { token: tokenFor(p) }), 200);
    const text = expectStatus(await api('GET', '/metrics'), 200).body;
    const after = sumSamples(text, 'tandem_http_requests_total', '/v1/me');
    assert.ok(after.found, 'a tandem_http_requests_total sample for route /v1/me');
    assert.ok(after.sum >= before.sum + 3, `counter went from ${before.sum} to ${after.sum}`);
    const get200 = text
      .split('\n')
      .filter((l) => l.startsWith('tandem_http_requests_total{') && l.includes('/v1/me'))
      .some((l) => l.includes('GET') && l.includes('200'));
    assert.ok(get200, 'the sample carries the method and status');
  });
});

describe('routes that do not exist', () => {
  for (const path of ['/no-such-route', '/v1', '/v1/peoples', '/v1/people/x/y', '/v2/people']) {
    it(`GET ${path} -> 404 problem`, async () => {
      expectProblem(await api('GET', path, { token: adminToken(), invalid: true }), 404, 'not-found');
    });
  }

  it('an unknown route without a token -> 404 problem', async () => {
    expectProblem(await api('GET', '/definitely-not-here', { invalid: true }), 404, 'not-found');
  });

  for (const [method, path] of [
    ['PUT', `/v1/people/${MISSING}`],
    ['DELETE', '/v1/people'],
    ['DELETE', `/v1/pairings/${MISSING}`],
    ['POST', '/v1/me'],
    ['POST', '/healthz'],
  ]) {
    it(`${method} ${path} -> 405 (or 404) problem, never a success`, async () => {
      const res = await api(method, path, { token: adminToken(), invalid: true });
      assert.ok([404, 405].includes(res.status), `got ${res.status}`);
      expectProblem(res, res.status, res.status === 405 ? 'method-not-allowed' : 'not-found');
    });
  }
});
