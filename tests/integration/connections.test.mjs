// How a service holds its HTTP connections (shared/server.c): a thread for
// each connection, so a request that blocks (a long poll on /v1/events, a slow
// statement) holds up nothing but its own connection.  In the old worker pool
// (32 workers, each pinned to the connections it accepted) 40 long polls left
// no worker free: a plain GET, and the mentoring service's call to people's
// /v1/me on its kept-alive connection, waited behind them (3 s, then 503).
// Also: the connection limit (TANDEM_MAX_CONNECTIONS) and SIGTERM with long
// polls open.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { api, expectStatus, serviceUrl, specFile } from './lib/http.mjs';
import { checkResponse } from './lib/contract.mjs';
import { adminToken, createPerson, serviceToken } from './lib/fixtures.mjs';
import { cast, createSession } from './lib/mentoring.mjs';
import { scaled, startPeople } from './lib/spawn.mjs';

const POLLS = 40;        // more than the old pool's 32 workers
const POLL_WAIT_S = 8;   // each long poll's wait
const QUICK_MS = 1000;   // generous for a loaded machine; the fault was 3 s and more
// a type nothing emits (the filter takes any well-formed type), so that each
// poll waits its whole wait, whatever other tests write meanwhile
const QUIET_TYPE = 'tandem.people.connections.probe';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// GET @path on @base through node:http with @agent (false: a fresh connection);
// the response is held against the spec; resolves to {status, body, ms, reused}.
function rawGet(base, path, agent, token = adminToken()) {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.get(new URL(path, base), {
      agent, headers: { authorization: `Bearer ${token}` }, timeout: 15000,
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        const rc = checkResponse('GET', path, res.statusCode, res.headers, text, { spec: specFile('people') });
        assert.ok(rc.ok, `contract: ${rc.errors?.join('; ')}`);
        resolve({ status: res.statusCode, body: JSON.parse(text), ms: Date.now() - t0, reused: req.reusedSocket });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer in 15 s`)));
    req.on('error', reject);
  });
}

// Opens @n long polls on @base's feed; resolves to their promises once sent.
function longPolls(n, base, wait = POLL_WAIT_S) {
  const q = new URLSearchParams({ type: QUIET_TYPE, wait: String(wait), limit: '1' });
  return Array.from({ length: n }, () =>
    api('GET', `/v1/events?${q}`, { base, token: serviceToken(), timeoutMs: (wait + 20) * 1000 }));
}

describe('a blocking request holds up only its own connection', () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  after(() => agent.destroy());

  it(`with ${POLLS} long polls open on people, a GET on a fresh and on a kept-alive connection and mentoring's call to people answer at once`, async () => {
    const person = await createPerson();
    const w = await cast();
    const base = serviceUrl('people');
    const path = `/v1/people/${person.id}`;
    // the kept-alive connection, opened before the polls
    assert.equal((await rawGet(base, path, agent)).status, 200);

    const t0 = Date.now();
    const polls = longPolls(POLLS, base);
    await sleep(500); // the polls are in and waiting

    const fresh = await rawGet(base, path, false);
    assert.equal(fresh.status, 200);
    assert.equal(fresh.body.id, person.id);
    assert.ok(fresh.ms < QUICK_MS, `a fresh connection took ${fresh.ms} ms`);

    const kept = await rawGet(base, path, agent);
    assert.equal(kept.status, 200);
    assert.ok(kept.reused, 'the second GET went over the kept-alive connection');
    assert.ok(kept.ms < QUICK_MS, `a kept-alive connection took ${kept.ms} ms`);

    // mentoring asks people for /v1/me (the mentor's person) on its own
    // kept-alive connections: 201, not 503 "the people service did not answer"
    const t1 = Date.now();
    const session = await createSession(w.MP, w.t.mentor);
    assert.equal(session.pairing_id, w.MP.id);
    const sessionMs = Date.now() - t1;
    assert.ok(Date.now() - t0 < POLL_WAIT_S * 1000, 'all of it happened while the polls were open');
    assert.ok(sessionMs < 2 * QUICK_MS, `the mentoring request took ${sessionMs} ms`);

    // and each poll answered in its own time: 200, its wait served out
    for (const res of await Promise.all(polls)) {
      expectStatus(res, 200);
      assert.deepEqual(res.body.items, []);
    }
    assert.ok(Date.now() - t0 >= (POLL_WAIT_S - 1) * 1000, 'the polls waited');
  });
});

const LIMIT = 30;

describe(`an instance with TANDEM_MAX_CONNECTIONS=${LIMIT}`, () => {
  let inst;
  after(() => inst?.kill());

  it('closes a connection beyond the limit without an answer, serves again once one closes, and SIGTERM with long polls open exits 0 at once', async () => {
    inst = await startPeople({ name: 'people-connections', env: { TANDEM_MAX_CONNECTIONS: String(LIMIT) } });
    await inst.waitReady();
    const open = [];
    for (let i = 0; i < LIMIT; i++) {
      const s = net.connect(inst.port, '127.0.0.1');
      await new Promise((resolve, reject) => { s.once('connect', resolve); s.once('error', reject); });
      open.push(s);
    }
    await sleep(200); // the server has accepted them

    // one more: accepted by the kernel, closed by libmicrohttpd without a byte
    const extra = net.connect(inst.port, '127.0.0.1');
    const seen = await new Promise((resolve) => {
      let data = '';
      const timer = setTimeout(() => resolve({ data, closed: false }), scaled(5000));
      extra.on('data', (c) => { data += c; });
      extra.on('error', () => {}); // a reset is a close too
      extra.on('close', () => { clearTimeout(timer); resolve({ data, closed: true }); });
      extra.on('connect', () => extra.write('GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n'));
    });
    assert.equal(seen.closed, true, 'the connection beyond the limit is closed');
    assert.equal(seen.data, '', 'without an answer');

    // one closes: a new connection is served
    open.pop().destroy();
    let served = null;
    for (let i = 0; i < 50 && served === null; i++) {
      await sleep(100);
      served = await api('GET', '/v1/people?limit=1', { base: inst.url, token: adminToken() })
        .catch(() => null);
    }
    assert.ok(served, 'served once a connection closed');
    expectStatus(served, 200);
    for (const s of open) s.destroy();
    await sleep(200);

    // SIGTERM with long polls open: they wake and answer, the process exits 0
    const polls = longPolls(3, inst.url, 25);
    // polls whose clients have gone, and an idle kept-alive connection
    const ac = new AbortController();
    const q = new URLSearchParams({ type: QUIET_TYPE, wait: '20', limit: '1' });
    const gone = Array.from({ length: 20 }, () => fetch(`${inst.url}/v1/events?${q}`, {
      headers: { authorization: `Bearer ${serviceToken()}` }, signal: ac.signal }).catch(() => null));
    const idle = new http.Agent({ keepAlive: true });
    await rawGet(inst.url, '/v1/people?limit=1', idle);
    await sleep(300);
    ac.abort();
    await Promise.all(gone);
    await sleep(500);
    const t0 = Date.now();
    const stopped = await inst.stop(scaled(15000));
    assert.equal(stopped.code, 0, inst.output());
    assert.ok(!stopped.timedOut, inst.output());
    for (const res of await Promise.all(polls)) expectStatus(res, 200);
    assert.ok(Date.now() - t0 < scaled(5000), `exited in ${Date.now() - t0} ms`);
  });
});
