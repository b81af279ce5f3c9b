// Failover: the services in front of a PostgreSQL primary with a synchronous
// standby (both started here, on free loopback ports), reached through a
// multi-host URL with target_session_attrs=read-write.  Under a write load
// with Idempotency-Keys the primary is (1) killed, (2) frozen with SIGSTOP (a
// hung host whose kernel still accepts TCP), and the standby promoted.  Every
// service must answer throughout: 503 with Retry-After within its deadline,
// /healthz fast; then follow the promoted server; and no acknowledged write
// may be missing from it.  Also: settings in TANDEM_DATABASE_URL reach the
// server and win over the service's own.
//
// Figures are printed as "failover figure: ..." lines.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { requireEnv } from './lib/http.mjs';
import { adminToken, personBody } from './lib/fixtures.mjs';
import { freePort, startService } from './lib/spawn.mjs';
import { Cluster, asPg, destroyClusters, newCluster, sql } from './lib/cluster.mjs';

const SERVICES = ['people', 'phases', 'mentoring', 'strategy'];
const STATEMENT_MS = 3000;
const HEALTH_MS = 500;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const instances = [];

after(async () => {
  await Promise.all(instances.filter((i) => i.running).map((i) => i.stop(5000)));
  destroyClusters();
});

// ---- the two clusters -----------------------------------------------------------

// A primary with a synchronous standby made by pg_basebackup.
async function pair(label) {
  const base = path.join(requireEnv('TANDEM_TEST_RUNDIR'), `failover-${label}`);
  const primary = await newCluster(path.join(base, 'primary'), ['synchronous_commit = on']);
  const standby = new Cluster(path.join(base, 'standby'), await freePort());
  asPg('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', standby.data,
    '-X', 'stream', '-R', '--checkpoint=fast', '--no-sync']);
  appendFileSync(path.join(standby.data, 'postgresql.auto.conf'),
    `primary_conninfo = 'host=127.0.0.1 port=${primary.port} user=postgres application_name=standby'\n`);
  standby.start();
  // synchronous only now: before, every commit would wait for a standby not yet there
  await sql(primary, "ALTER SYSTEM SET synchronous_standby_names = 'standby'");
  await sql(primary, 'SELECT pg_reload_conf()');
  for (let i = 0; i < 100; i++) {
    const rows = await sql(primary, "SELECT 1 FROM pg_stat_replication WHERE sync_state = 'sync'");
    if (rows.length === 1) return { primary, standby };
    await sleep(100);
  }
  throw new Error('the standby never became synchronous');
}

// ---- requests on fresh connections (a blocked worker cannot hold them) --------------

function request(url, { method = 'GET', body, headers = {}, timeoutMs = 15000 } = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const payload = body !== undefined ? JSON.stringify(body) : undefined;
    const req = http.request(url, {
      method, agent: false,
      headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) },
    }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text, ms: performance.now() - t0 }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, error: e.message, ms: performance.now() - t0 }));
    if (payload) req.write(payload);
    req.end();
  });
}

async function startAll(url, label) {
  const env = {
    TANDEM_DATABASE_URL: url, TANDEM_DB_STATEMENT_TIMEOUT_MS: STATEMENT_MS,
    TANDEM_DB_HEALTH_TIMEOUT_MS: HEALTH_MS, TANDEM_DB_TIMEOUT_MS: 1000,
  };
  const started = await Promise.all(SERVICES.map((s) => startService(s, { name: `${s}-failover-${label}`, env })));
  instances.push(...started);
  await Promise.all(started.map((i) => i.waitReady(30000)));
  return Object.fromEntries(SERVICES.map((s, k) => [s, started[k]]));
}

// ---- one run: load, an event on the primary, promotion, checks ----------------------

async function run(label, event) {
  const { primary, standby } = await pair(label);
  const url = `postgresql://tandem@127.0.0.1:${primary.port},127.0.0.1:${standby.port}/tandem` +
    '?target_session_attrs=read-write&connect_timeout=2';
  const svc = await startAll(url, label);
  const tok = adminToken();
  const acked = [];
  const bad = [];
  const t = { event: null, promoted: null, first503: null, first2xxAfter: null };
  let stop = false;
  let maxWriteMs = 0;

  // writers: each POST is retried with the same Idempotency-Key until acknowledged
  const writer = async () => {
    while (!stop) {
      const body = personBody();
      const key = randomBytes(12).toString('hex');
      for (let attempt = 0; attempt < 200 && !stop; attempt++) {
        const res = await request(`${svc.people.url}/v1/people`, {
          method: 'POST', body, headers: { authorization: `Bearer ${tok}`, 'idempotency-key': key },
        });
        const now = performance.now();
        maxWriteMs = Math.max(maxWriteMs, res.ms);
        if (res.status === 201) {
          acked.push(body.email);
          if (t.promoted !== null && t.first2xxAfter === null) t.first2xxAfter = now;
          break;
        }
        if (res.status === 503) {
          if (t.event !== null && t.first503 === null) t.first503 = now;
          if (!/problem\+json/.test(res.headers['content-type'] ?? '') || !res.headers['retry-after']) {
            bad.push(`503 without problem+json or Retry-After: ${JSON.stringify(res.headers)}`);
          }
        } else {
          bad.push(`POST answered ${res.status} ${res.error ?? res.text.slice(0, 200)} after ${res.ms.toFixed(0)} ms`);
        }
        await sleep(50);
      }
    }
  };
  // probes: /healthz and /readyz of every service, each on a fresh connection
  const probes = { healthz: [], readyz: [] };
  const prober = async (name) => {
    while (!stop) {
      for (const what of ['healthz', 'readyz']) {
        const res = await request(`${svc[name].url}/${what}`, { timeoutMs: 10000 });
        probes[what].push({ name, at: performance.now(), ms: res.ms, status: res.status });
      }
      await sleep(100);
    }
  };
  const tasks = [writer(), writer(), writer(), ...SERVICES.map(prober)];

  await sleep(2000);
  t.event = performance.now();
  if (event === 'kill') primary.signal('SIGKILL');
  else primary.signal('SIGSTOP');
  await sleep(5000);
  asPg('pg_ctl', ['promote', '-w', '-D', standby.data]);
  t.promoted = performance.now();
  const deadline = performance.now() + 30000;
  while (t.first2xxAfter === null && performance.now() < deadline) await sleep(100);
  await sleep(2000);
  stop = true;
  await Promise.all(tasks);
  if (event === 'freeze') primary.signal('SIGKILL'); // never let it wake as a second primary

  const frozen = (p) => p.at > t.event && p.at < t.promoted;
  const healthMax = Math.max(...probes.healthz.filter(frozen).map((p) => p.ms));
  const readyMax = Math.max(...probes.readyz.filter(frozen).map((p) => p.ms));
  const stored = new Set((await sql(standby, 'SELECT email FROM people.person')).map((r) => r.email));
  const lost = acked.filter((e) => !stored.has(e));
  console.log(`failover figure: ${event}: first 503 ${(t.first503 - t.event).toFixed(0)} ms after the` +
    ` ${event}; first 2xx ${(t.first2xxAfter - t.promoted).toFixed(0)} ms after promotion;` +
    ` /healthz max ${healthMax.toFixed(1)} ms, /readyz max ${readyMax.toFixed(0)} ms during the outage;` +
    ` slowest write answer ${maxWriteMs.toFixed(0)} ms; ${acked.length} writes acknowledged, ${lost.length} lost`);

  assert.deepEqual(bad, [], 'every answer is 201 or a 503 problem+json with Retry-After');
  assert.deepEqual(lost, [], 'no acknowledged write is missing on the promoted server');
  assert.ok(t.first503 !== null, 'writes got 503 during the outage');
  assert.ok(t.first2xxAfter !== null, 'writes succeeded again after promotion');
  assert.ok(maxWriteMs < 2 * STATEMENT_MS + 4000, `no write waited past its deadline (${maxWriteMs} ms)`);
  // a worker blocked on the database would hold /healthz for the statement deadline
  // (3.5 s) or a connect_timeout (2 s on the hung host); on 2 busy cores a free
  // worker still answers within about a second
  assert.ok(healthMax < 1900, `/healthz stayed fast during the outage (${healthMax} ms)`);
  assert.ok(readyMax < 2 * STATEMENT_MS + 4000, `/readyz answered within its deadline (${readyMax} ms)`);
  for (const name of SERVICES) {
    const mine = probes.readyz.filter((p) => p.name === name);
    assert.ok(mine.some((p) => frozen(p) && p.status === 503), `${name} /readyz said 503 during the outage`);
    assert.equal(mine.at(-1).status, 200, `${name} /readyz is 200 on the promoted server`);
  }
}

describe('failover to a synchronous standby', () => {
  it('primary killed: 503 within the deadline, then the promoted server; no acknowledged write lost',
    { timeout: 90000 }, () => run('kill', 'kill'));
  it('primary frozen (SIGSTOP): the same, and /healthz stays fast', { timeout: 90000 },
    () => run('freeze', 'freeze'));
});

describe('TANDEM_DATABASE_URL settings win', () => {
  it("the URL's application_name and options reach the server; libpq's messages are JSON",
    { timeout: 60000 }, async () => {
      const db = requireEnv('TANDEM_TEST_DATABASE_URL');
      const app = `ops-${randomBytes(4).toString('hex')}`;
      const sep = db.includes('?') ? '&' : '?';
      // the service sets TimeZone=UTC itself: the URL's later -c must win
      const url = `${db}${sep}application_name=${app}` +
        `&options=${encodeURIComponent('-c TimeZone=Asia/Kolkata')}`;
      const inst = await startService('people', { name: 'people-urlwins', env: { TANDEM_DATABASE_URL: url } });
      instances.push(inst);
      await inst.waitReady(30000);
      const c = new pg.Client({ connectionString: db });
      await c.connect();
      try {
        const rows = (await c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
          [app])).rows;
        assert.ok(rows[0].n >= 1, `sessions named ${app} on the server`);
      } finally {
        await c.end();
      }
      const res = await request(`${inst.url}/v1/people`, {
        method: 'POST', body: personBody(), headers: { authorization: `Bearer ${adminToken()}` },
      });
      assert.equal(res.status, 201, res.text);
      assert.match(JSON.parse(res.text).created_at, /\+05:30$/, 'times in the URL\'s time zone');

      // a URL that makes every session read-only: the migrations are refused and
      // the service says so and exits, rather than silently writing anyway
      const ro = await startService('people', {
        name: 'people-urlro',
        env: { TANDEM_DATABASE_URL: `${db}${sep}options=${encodeURIComponent('-c default_transaction_read_only=on')}` },
      });
      instances.push(ro);
      const exit = await ro.waitExit(20000);
      assert.equal(exit?.code, 1, ro.output());
      assert.match(ro.stderr, /read-only transaction/);

      // the server ends its sessions: what libpq hears goes through the JSON log,
      // and the service reconnects
      const killer = new pg.Client({ connectionString: db });
      await killer.connect();
      try {
        await killer.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
          [app]);
      } finally {
        await killer.end();
      }
      await sleep(300);
      let ready = 0;
      for (let i = 0; i < 20 && ready === 0; i++) {
        if ((await request(`${inst.url}/readyz`)).status === 200) ready++;
      }
      assert.equal(ready, 1, 'ready again after the server ended every session');
      const lines = (inst.stderr + inst.stdout).split('\n').filter((l) => l.trim() !== '');
      const plain = lines.filter((l) => {
        try {
          JSON.parse(l);
          return false;
        } catch {
          return true;
        }
      });
      assert.deepEqual(plain, [], 'every line the service wrote is JSON');
    });
});
