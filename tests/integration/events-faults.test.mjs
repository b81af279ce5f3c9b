// Faults a follower must survive (issue 12), with real phases and mentoring
// binaries on a scratch database of their own: the follower stopped while
// 1,000 events are written, two replicas and the following one killed, every
// database connection dropped while events flow, a producer answering 500 or
// garbage. Effects are counted: each `tandem.mentoring.session.held` event
// phases applies writes one `tandem.phases.enrolment.progressed` event naming
// it (its cause), in the transaction that moves the partner's stall clock.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import {
  createScratchDb, dropScratchDb, freePort, pgClient, scaled, startService,
} from './lib/spawn.mjs';

const PROGRAMME = 'de0fa017-0000-4000-8000-000000000001';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let scratch;
let db;
const instances = [];

async function start(service, name, env = {}) {
  const i = await startService(service, { name, env: { TANDEM_DATABASE_URL: scratch.url, ...env } });
  instances.push(i);
  await i.waitReady();
  return i;
}

async function readyz(i) {
  const res = await fetch(`${i.url}/readyz`, { signal: AbortSignal.timeout(3000) });
  return { status: res.status, body: await res.json() };
}

async function followerState(i, name = 'mentoring-progress') {
  const r = await readyz(i);
  return (r.body.followers ?? []).find((f) => f.name === name);
}

async function until(ms, probe, what) {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return Date.now() - t0;
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(100);
  }
}

// N partners with an active enrolment each; returns their person ids.
async function partners(n) {
  const rows = await db.query(
    `INSERT INTO phases.enrolment (person_id, programme_id, programme_version)
     SELECT gen_random_uuid(), $1, 1 FROM generate_series(1, $2) RETURNING person_id`,
    [PROGRAMME, n],
  );
  return rows.rows.map((r) => r.person_id);
}

// Writes @n session-held events for @people in mentoring's outbox, in
// transactions of @batch; returns when all are committed.
async function writeEvents(people, n, batch = 50) {
  for (let done = 0; done < n; done += batch) {
    const k = Math.min(batch, n - done);
    await db.query(
      `INSERT INTO mentoring.event (type, source, subject, person_id, data)
       SELECT 'tandem.mentoring.session.held', '/tandem/mentoring', gen_random_uuid()::text,
              ($1::uuid[])[1 + (g % cardinality($1::uuid[]))], '{}'
         FROM generate_series(1, $2) g`,
      [people, k],
    );
  }
}

// The effects for @people: progressed events, the distinct events they name,
// and how many of the events written were applied.
async function effects(people) {
  const ev = await db.query(
    `SELECT count(*)::int AS n, count(DISTINCT data->>'cause_id')::int AS causes FROM phases.event
      WHERE type = 'tandem.phases.enrolment.progressed' AND person_id = ANY($1::uuid[])`,
    [people],
  );
  const w = await db.query(
    `SELECT count(*)::int AS n FROM mentoring.event m WHERE m.person_id = ANY($1::uuid[])
        AND EXISTS (SELECT 1 FROM phases.event p WHERE p.data->>'cause_id' = m.id::text)`,
    [people],
  );
  return { progressed: ev.rows[0].n, causes: ev.rows[0].causes, written_applied: w.rows[0].n };
}

before(async () => {
  scratch = await createScratchDb();
  db = await pgClient(scratch.name);
});

after(async () => {
  for (const i of instances) i.kill();
  await Promise.all(instances.map((i) => i.exited));
  await db?.end();
  if (scratch) await dropScratchDb(scratch.name);
});

describe('a follower and its producer under faults', () => {
  let mentoring;
  const deadStrategy = () => `http://127.0.0.1:9`;   // nothing listens: that follower just waits

  before(async () => {
    mentoring = await start('mentoring', 'mentoring-events');
  });

  it('stopped while 1,000 events are written, restarted: each applied exactly once', async () => {
    const env = { TANDEM_MENTORING_URL: mentoring.url, TANDEM_STRATEGY_URL: deadStrategy() };
    let phases = await start('phases', 'phases-events-a', env);
    const people = await partners(20);
    await writeEvents(people, 10);
    await until(scaled(5000), async () => (await effects(people)).progressed === 10, '10 events applied');
    phases.kill();   // stopped hard: no goodbye
    await phases.exited;
    await writeEvents(people, 1000);
    phases = await start('phases', 'phases-events-a2', env);
    await until(scaled(30000), async () => (await effects(people)).progressed >= 1010, '1,010 events applied');
    await sleep(1000);
    assert.deepEqual(await effects(people), { progressed: 1010, causes: 1010, written_applied: 1010 });
    phases.kill();
    await phases.exited;
  });

  it('two replicas: one follows, the other stands by and takes over within seconds when it is killed', async () => {
    const env = { TANDEM_MENTORING_URL: mentoring.url, TANDEM_STRATEGY_URL: deadStrategy() };
    const people = await partners(10);
    const a = await start('phases', 'phases-events-r1', env);
    const b = await start('phases', 'phases-events-r2', env);
    let leader;
    await until(scaled(5000), async () => {
      const [sa, sb] = [await followerState(a), await followerState(b)];
      const states = [sa?.state, sb?.state].sort();
      if (states[1] === 'standby' && ['catching_up', 'following'].includes(states[0])) {
        leader = sa.state === 'standby' ? b : a;
        return true;
      }
      return false;
    }, 'one following, one standby');
    const other = leader === a ? b : a;
    await writeEvents(people, 200);
    await until(scaled(10000), async () => (await effects(people)).progressed >= 200, '200 applied');
    leader.kill();
    await leader.exited;
    await writeEvents(people, 200);
    const took = await until(scaled(10000), async () => (await effects(people)).progressed >= 400, 'takeover');
    await sleep(1000);
    assert.deepEqual(await effects(people), { progressed: 400, causes: 400, written_applied: 400 });
    assert.ok(took < scaled(10000), `took over in ${took} ms`);
    assert.match((await followerState(other)).state, /following|catching_up/);
    other.kill();
    await other.exited;
  });

  it('every database connection dropped (as a PostgreSQL restart does) while events flow: none lost, none twice', async () => {
    const env = { TANDEM_MENTORING_URL: mentoring.url, TANDEM_STRATEGY_URL: deadStrategy() };
    const people = await partners(10);
    const phases = await start('phases', 'phases-events-pg', env);
    const writing = (async () => {
      for (let i = 0; i < 10; i++) {
        await writeEvents(people, 30, 10);
        await sleep(100);
      }
    })();
    for (let i = 0; i < 3; i++) {
      await sleep(300);
      await db.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()
            AND backend_type = 'client backend'`,
      );
    }
    await writing;
    await until(scaled(30000), async () => (await effects(people)).progressed >= 300, '300 applied');
    await sleep(1000);
    assert.deepEqual(await effects(people), { progressed: 300, causes: 300, written_applied: 300 });
    assert.equal(phases.running, true, phases.output());
    phases.kill();
    await phases.exited;
  });

  it('retention: events older than TANDEM_EVENTS_RETENTION_DAYS are pruned, the rest kept', async () => {
    await db.query(
      `INSERT INTO mentoring.event (type, source, subject, time, data) VALUES
         ('tandem.mentoring.session.held', '/tandem/mentoring', 'old-one', now() - interval '8 days', '{}'),
         ('tandem.mentoring.session.held', '/tandem/mentoring', 'recent-one', now() - interval '6 days', '{}')`,
    );
    // the pruner runs at start and then hourly
    const m2 = await start('mentoring', 'mentoring-events-prune', { TANDEM_EVENTS_RETENTION_DAYS: '7' });
    await until(scaled(10000), async () => (await db.query(
      "SELECT 1 FROM mentoring.event WHERE subject = 'old-one'")).rowCount === 0, 'the old event pruned');
    assert.equal((await db.query("SELECT 1 FROM mentoring.event WHERE subject = 'recent-one'")).rowCount, 1);
    assert.match(m2.stdout + m2.stderr, /pruned \d+ event\(s\) older than 7 days/);
    m2.kill();
    await m2.exited;
  });

  it('a producer answering 500, then garbage: backoff, a clear log line, /readyz says so, no crash', async () => {
    let mode = 500;
    let hits = 0;
    const server = http.createServer((req, res) => {
      if (!req.url.startsWith('/v1/events')) {
        res.writeHead(404).end();
        return;
      }
      hits++;
      if (mode === 500) res.writeHead(500, { 'content-type': 'application/json' }).end('{"oops":1}');
      else if (mode === 'garbage') res.writeHead(200, { 'content-type': 'application/json' }).end('{"items": 5}');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('not json at all');
    });
    const port = await freePort();
    await new Promise((r) => server.listen(port, '127.0.0.1', r));
    try {
      const phases = await start('phases', 'phases-events-bad', {
        TANDEM_MENTORING_URL: `http://127.0.0.1:${port}`, TANDEM_STRATEGY_URL: deadStrategy(),
      });
      await until(scaled(5000), async () => (await followerState(phases))?.state === 'unreachable', 'unreachable');
      const r = await readyz(phases);
      assert.equal(r.status, 200, 'a follower in trouble does not make the service unready');
      assert.match((await followerState(phases)).error, /answered 500/);
      hits = 0;
      await sleep(3000);
      assert.ok(hits <= 6, `backs off: ${hits} requests in 3 s`);
      mode = 'garbage';
      await until(scaled(40000), async () => /not an event page/.test((await followerState(phases)).error ?? ''), 'garbage seen');
      mode = 'text';
      await sleep(1500);
      assert.equal(phases.running, true, phases.output());
      assert.match(phases.stdout + phases.stderr, /"level":"warn".*follower mentoring-progress of http:\/\/127\.0\.0\.1:\d+: GET \/v1\/events: the producer answered 500; retrying in \d+ ms/);
      phases.kill();
      await phases.exited;
    } finally {
      server.close();
    }
  });

  it('an event that cannot be applied is skipped alone, logged and counted; the rest of its page takes effect', async () => {
    // a page is applied without savepoints; a refusal rolls it back and applies it
    // again with one around each event (follower.c): only the bad one is skipped
    const [person] = await partners(1);
    const saved = (await db.query(
      "SELECT position FROM phases.event_cursor WHERE subscription = 'mentoring-progress'")).rows[0]?.position;
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const ev = (id, time) => ({
      specversion: '1.0', id, source: '/tandem/mentoring', type: 'tandem.mentoring.session.held',
      subject: 'refusal', time, datacontenttype: 'application/json', data: {}, personid: person,
    });
    const now = new Date().toISOString();
    const page = { items: [ev(ids[0], now), ev(ids[1], 'not a time'), ev(ids[2], now)], next_cursor: 'refusal-1', more: false };
    const server = http.createServer((req, res) => {
      const after = new URL(req.url, 'http://x').searchParams.get('after');
      const body = after === 'refusal-1' ? { items: [], next_cursor: 'refusal-1', more: false } : page;
      // an empty page after a pause, as a long poll answers
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
        body.items.length === 0 ? 500 : 0);
    });
    const port = await freePort();
    await new Promise((r) => server.listen(port, '127.0.0.1', r));
    try {
      const phases = await start('phases', 'phases-events-refused', {
        TANDEM_MENTORING_URL: `http://127.0.0.1:${port}`, TANDEM_STRATEGY_URL: deadStrategy(),
      });
      await until(scaled(10000), async () => (await followerState(phases))?.rejected === 1, 'one rejected');
      const f = await followerState(phases);
      assert.equal(f.applied, 2);
      const causes = await db.query(
        `SELECT data->>'cause_id' AS cause FROM phases.event
          WHERE type = 'tandem.phases.enrolment.progressed' AND person_id = $1 ORDER BY seq`, [person]);
      assert.deepEqual(causes.rows.map((r) => r.cause), [ids[0], ids[2]]);
      const cur = await db.query(
        "SELECT position, applied, rejected FROM phases.event_cursor WHERE subscription = 'mentoring-progress'");
      assert.equal(cur.rows[0].position, 'refusal-1');
      assert.match(phases.stdout + phases.stderr,
        new RegExp(`follower mentoring-progress: event ${ids[1]} \\(tandem\\.mentoring\\.session\\.held\\) cannot be applied`));
      assert.equal(phases.running, true, phases.output());
      phases.kill();
      await phases.exited;
    } finally {
      server.close();
      if (saved !== undefined) {
        await db.query("UPDATE phases.event_cursor SET position = $1 WHERE subscription = 'mentoring-progress'", [saved]);
      }
    }
  });
});
