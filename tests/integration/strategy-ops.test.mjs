// The strategy service's ops endpoints and fallbacks, and how it behaves on a
// database where nothing is published yet and when the people service does
// not answer (extra instances started by the test).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { expectProblem, expectStatus, peopleUrl, requireEnv } from './lib/http.mjs';
import { uniq } from './lib/fixtures.mjs';
import * as db from './lib/db.mjs';
import { startExtra } from './lib/spawn.mjs';
import { cast, createPlaybook, playbookBody, sapi } from './lib/strategy.mjs';

after(() => db.closeDb());

let w;
before(async () => {
  w = await cast();
});

describe('ops endpoints', () => {
  it('/healthz, /readyz and /metrics need no token', async () => {
    // a request of its own on /v1/playbooks/:id, so the series below exists
    // when this file runs alone
    const pb = await createPlaybook(w.tok.partner());
    expectStatus(await sapi('GET', `/v1/playbooks/${pb.id}`, { token: w.tok.partner() }), 200);
    assert.deepEqual(expectStatus(await sapi('GET', '/healthz'), 200).body, { status: 'ok', service: 'strategy' });
    const ready = expectStatus(await sapi('GET', '/readyz'), 200).body;
    assert.equal(ready.service, 'strategy');
    assert.equal(ready.schema_version, 1);
    const m = expectStatus(await sapi('GET', '/metrics'), 200);
    assert.match(m.body, /tandem_http_requests_total\{[^}]*route="\/v1\/playbooks\/:id"/);
  });

  it('unknown routes are a 404 problem; a known path with another method a 405', async () => {
    expectProblem(await sapi('GET', '/v1/strategies', { token: w.tok.admin(), invalid: true }), 404, 'not-found');
    const res = await sapi('DELETE', '/v1/playbooks', { token: w.tok.admin(), invalid: true });
    expectProblem(res, 405, 'method-not-allowed');
    assert.match(res.headers.get('allow') ?? '', /GET/);
    assert.match(res.headers.get('allow') ?? '', /POST/);
  });
});

// A superuser connection to the test cluster (trust authentication on loopback).
function superuser(database = 'postgres') {
  const url = new URL(requireEnv('TANDEM_TEST_DATABASE_URL'));
  url.username = 'postgres';
  url.pathname = `/${database}`;
  return url.toString();
}

describe('a fresh database: nothing published yet', () => {
  const dbName = `strategy_fresh_${uniq()}`;
  let extra;
  before(async () => {
    const admin = new pg.Client({ connectionString: superuser() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName} OWNER tandem`);
    await admin.end();
    const url = new URL(requireEnv('TANDEM_TEST_DATABASE_URL'));
    url.pathname = `/${dbName}`;
    extra = await startExtra('strategy', { TANDEM_DATABASE_URL: url.toString(), TANDEM_PEOPLE_URL: peopleUrl() }, 'fresh');
  });
  after(async () => {
    if (extra) assert.equal(await extra.stop(), 0, 'the extra service exits 0 on SIGTERM');
    const admin = new pg.Client({ connectionString: superuser() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
    await admin.end();
  });

  it('the current strategy and the coverage view are a 404; integration is a 409', async () => {
    const o = () => ({ base: extra.url });
    expectProblem(await sapi('GET', '/v1/business-strategy', { token: w.tok.partner(), ...o() }), 404, 'not-found');
    expectProblem(await sapi('GET', '/v1/business-strategy/coverage', { token: w.tok.comms(), ...o() }), 404, 'not-found');
    const pb = expectStatus(await sapi('POST', '/v1/playbooks', { token: w.tok.partner(), body: playbookBody(), ...o() }), 201).body;
    expectProblem(await sapi('POST', '/v1/integrations', { token: w.tok.partner(), body: { playbook_id: pb.id }, ...o() }), 409, 'conflict');
    const stats = expectStatus(await sapi('GET', '/v1/stats/strategy', { token: w.tok.viewer(), ...o() }), 200).body;
    assert.equal(stats.playbooks, 1);
    assert.equal(stats.pillar_coverage, null);
  });
});

describe('when the people service does not answer', () => {
  let extra;
  let pb;
  before(async () => {
    pb = await createPlaybook(w.tok.partner());
    extra = await startExtra('strategy', {
      TANDEM_DATABASE_URL: requireEnv('TANDEM_TEST_DATABASE_URL'),
      TANDEM_PEOPLE_URL: 'http://127.0.0.1:9',   // discard: nothing listens
    }, 'nopeople');
  });
  after(async () => {
    if (extra) assert.equal(await extra.stop(), 0, 'the extra service exits 0 on SIGTERM');
  });

  it('calls that need to know who the caller is answer 503, never 500; nothing is written', async () => {
    const o = { base: extra.url };
    expectProblem(await sapi('GET', `/v1/playbooks/${pb.id}`, { token: w.tok.partner(), ...o }), 503, 'unavailable');
    expectProblem(await sapi('PATCH', `/v1/playbooks/${pb.id}`, { token: w.tok.partner(), body: { voice: 'x' }, ...o }), 503, 'unavailable');
    expectProblem(await sapi('GET', `/v1/evidence/strategy/${w.P.id}`, { token: w.tok.mentor(), ...o }), 503, 'unavailable');
    assert.equal((await db.query('SELECT revision FROM strategy.playbook WHERE id = $1', [pb.id]))[0].revision, 1);
  });

  it('admin and service reads need no one: they still work', async () => {
    const o = { base: extra.url };
    expectStatus(await sapi('GET', `/v1/playbooks/${pb.id}`, { token: w.tok.admin(), ...o }), 200);
    expectStatus(await sapi('GET', `/v1/evidence/strategy/${w.P.id}`, { token: w.tok.service(), ...o }), 200);
  });
});
