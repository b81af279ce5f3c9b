// Bad input on the phases service: bodies that are not JSON objects, media
// types, sizes, unknown query parameters, paging parameters, ids that are not
// UUIDs, methods a route does not have, tokens; the ops endpoints; and the
// gateway's routes to the service.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectProblem, expectStatus, gatewayUrl } from './lib/http.mjs';
import { adminToken, createPartner, tokenFor, uniq } from './lib/fixtures.mjs';
import { token } from './lib/tokens.mjs';
import { DEFAULT_PROGRAMME, DEFAULT_TEMPLATE, MISSING, enrol, enrolmentsOf, partnerWithMentor, ph, viewerToken } from './lib/phases.mjs';
import * as db from './lib/db.mjs';

after(() => db.closeDb());

const MAX_BODY = Number(process.env.TANDEM_TEST_MAX_BODY || 65536);
const GW = gatewayUrl();

describe('bodies', () => {
  for (const [label, raw] of [
    ['malformed JSON', '{"person_id": '],
    ['a JSON array', '[]'],
    ['a JSON string', '"x"'],
    ['an empty body', ''],
    ['duplicate members', '{"person_id": "a", "person_id": "b"}'],
  ]) {
    it(`${label} -> 400 malformed, nothing stored`, async () => {
      expectProblem(await ph('POST', '/v1/enrolments', { token: adminToken(), rawBody: raw, invalid: true }), 400, 'malformed');
      expectProblem(await ph('POST', '/v1/programmes', { token: adminToken(), rawBody: raw, invalid: true }), 400, 'malformed');
    });
  }

  it('a body that is not application/json -> 415', async () => {
    const p = await createPartner();
    const res = await ph('POST', '/v1/enrolments', {
      token: adminToken(),
      rawBody: JSON.stringify({ person_id: p.id, programme_id: DEFAULT_PROGRAMME }),
      contentType: 'text/plain',
      invalid: true,
    });
    expectProblem(res, 415, 'unsupported-media-type');
    assert.equal((await enrolmentsOf(p.id)).length, 0);
  });

  it('a body over the limit -> 413', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(MAX_BODY), phases: [] });
    expectProblem(await ph('POST', '/v1/programmes', { token: adminToken(), rawBody: big, invalid: true }), 413, 'payload-too-large');
  });

  it('every missing and wrong field at once', async () => {
    const p = expectProblem(
      await ph('POST', '/v1/enrolments', { token: adminToken(), body: { person_id: 7, colour: 'red' }, invalid: true }),
      400,
      'validation',
      ['person_id', 'programme_id', 'colour'],
    );
    assert.equal(p.errors.find((e) => e.field === 'colour').message, 'unknown field');
    expectProblem(
      await ph('POST', '/v1/assessments', { token: adminToken(), body: { kind: 'self', answers: 'all good' }, invalid: true }),
      400,
      'validation',
      ['person_id', 'template_id', 'answers'],
    );
  });
});

describe('query parameters', () => {
  it('unknown parameters are refused by name', async () => {
    for (const path of ['/v1/enrolments?persn_id=1', '/v1/programmes?name=x', '/v1/workshops?title=x', `/v1/enrolments/${MISSING}?verbose=1`]) {
      expectProblem(await ph('GET', path, { token: adminToken(), invalid: true }), 400, 'validation', [path.split('?')[1].split('=')[0]]);
    }
  });

  it('filters and paging are checked, all at once', async () => {
    expectProblem(
      await ph('GET', '/v1/enrolments?person_id=x&programme_id=y&status=stalled&limit=0&cursor=zzz', { token: adminToken(), invalid: true }),
      400,
      'validation',
      ['person_id', 'programme_id', 'status', 'limit', 'cursor'],
    );
    expectProblem(await ph('GET', '/v1/workshops?platform=Linked%20In&attended_by=1', { token: adminToken(), invalid: true }), 400, 'validation', ['platform', 'attended_by']);
    expectProblem(await ph('GET', '/v1/assessments?kind=peer&limit=501', { token: adminToken(), invalid: true }), 400, 'validation', ['kind', 'limit']);
    expectProblem(await ph('GET', '/v1/programmes?limit=abc', { token: adminToken(), invalid: true }), 400, 'validation', ['limit']);
  });
});

describe('ids, routes and methods', () => {
  for (const path of ['/v1/enrolments/nope', '/v1/programmes/123', '/v1/workshops/x/attendance', `/v1/assessments/growth/not-a-uuid`, '/v1/assessment-templates/zz']) {
    it(`GET ${path} -> 404`, async () => {
      expectProblem(await ph('GET', path, { token: adminToken(), invalid: true }), 404, 'not-found');
    });
  }

  for (const [method, path] of [
    ['DELETE', `/v1/programmes/${DEFAULT_PROGRAMME}`],
    ['PATCH', `/v1/enrolments/${MISSING}`],
    ['PUT', '/v1/workshops'],
    ['DELETE', `/v1/assessments/${MISSING}`],
    ['POST', '/v1/stats/phases'],
    ['GET', `/v1/enrolments/${MISSING}/advance`],
  ]) {
    it(`${method} ${path} -> 405 with Allow`, async () => {
      const res = await ph(method, path, { token: adminToken(), invalid: true });
      expectProblem(res, 405, 'method-not-allowed');
      assert.ok(res.headers.get('allow'));
    });
  }
});

describe('tokens', () => {
  it('no token -> 401; a refused token -> 401; a token without a Tandem role -> 403', async () => {
    const r = await ph('GET', '/v1/programmes');
    expectProblem(r, 401, 'unauthenticated');
    assert.match(r.headers.get('www-authenticate'), /^Bearer realm="tandem"/);
    expectProblem(await ph('GET', '/v1/programmes', { token: token({ roles: ['partner'], exp: 1 }) }), 401, 'unauthenticated');
    expectProblem(await ph('GET', '/v1/programmes', { token: token({ roles: ['janitor'] }) }), 403, 'forbidden');
  });

  it('a partner the people service does not know sees nothing of anyone', async () => {
    const ghost = token({ sub: `ghost-${uniq()}`, roles: ['partner'], email: `ghost-${uniq()}@example.com` });
    const res = expectStatus(await ph('GET', '/v1/enrolments', { token: ghost }), 200);
    assert.deepEqual(res.body.items, []);
    expectProblem(await ph('POST', '/v1/assessments', {
      token: ghost,
      body: { person_id: MISSING, template_id: DEFAULT_TEMPLATE, kind: 'self', answers: [{ platform: 'x', skill: 'posting', confidence: 1, capability: 1 }] },
    }), 403, 'forbidden');
  });
});

describe('ops endpoints', () => {
  it('healthz, readyz and metrics', async () => {
    assert.deepEqual(expectStatus(await ph('GET', '/healthz'), 200).body, { status: 'ok', service: 'phases' });
    const ready = expectStatus(await ph('GET', '/readyz'), 200).body;
    assert.deepEqual([ready.status, ready.service, ready.schema_version], ['ready', 'phases', 4]);
    await ph('GET', `/v1/enrolments/${MISSING}`, { token: adminToken() });
    const metrics = expectStatus(await ph('GET', '/metrics'), 200).body;
    assert.match(metrics, /tandem_http_requests_total\{[^}]*\/v1\/enrolments\/:id[^}]*\}/);
  });
});

describe('through the gateway', () => {
  const gw = (method, path, o = {}) => ph(method, path, { base: GW, ...o });

  it('every phases prefix reaches the phases service', async () => {
    const { partner, pt } = await partnerWithMentor();
    const e = await enrol(partner);
    const rid = `gw-${uniq()}`;
    const got = expectStatus(await gw('GET', `/v1/enrolments/${e.id}`, { token: pt(), headers: { 'X-Request-Id': rid } }), 200);
    assert.equal(got.headers.get('x-request-id'), rid);
    assert.equal(got.body.id, e.id);
    // (weak when the gateway gzipped the body: the version is what If-Match compares)
    assert.equal(got.headers.get('etag').replace(/^W\//, ''), '"1"');
    expectStatus(await gw('GET', `/v1/programmes/${DEFAULT_PROGRAMME}`, { token: pt() }), 200);
    expectStatus(await gw('GET', '/v1/workshops?limit=1', { token: pt() }), 200);
    expectStatus(await gw('GET', `/v1/assessment-templates/${DEFAULT_TEMPLATE}`, { token: pt() }), 200);
    expectStatus(await gw('GET', `/v1/assessments/growth/${partner.id}`, { token: pt() }), 200);
    expectStatus(await gw('GET', '/v1/stats/phases', { token: await viewerToken() }), 200);
    const p = expectProblem(await gw('POST', `/v1/enrolments/${e.id}/advance`, { token: pt() }), 409, 'criteria-unmet');
    assert.equal(p.request_id.length > 0, true);
    expectProblem(await gw('GET', '/v1/stats/people', { token: adminToken(), invalid: true }), 404, 'not-found');
    void tokenFor;
  });
});
