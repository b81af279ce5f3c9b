// PostgreSQL restarted while events flow (issue 12): a throwaway cluster of
// this test's own is stopped (pg_ctl stop -m fast) and started again while
// mentoring takes writes through its API (each one a row and its event),
// while events are written straight into mentoring's outbox, while a reader
// follows mentoring's feed and while phases follows it. Afterwards: every
// acknowledged write has its event in the feed, exactly once; no row without
// its event nor event without its row; phases applied each event that was
// committed exactly once; and the follower is following again.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import pg from 'pg';
import { requireEnv } from './lib/http.mjs';
import { adminToken, serviceToken, uniq } from './lib/fixtures.mjs';
import { scaled, startService } from './lib/spawn.mjs';
import { destroyClusters, newCluster } from './lib/cluster.mjs';

const PROGRAMME = 'de0fa017-0000-4000-8000-000000000001';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const instances = [];

after(async () => {
  await Promise.all(instances.filter((i) => i.running).map((i) => i.stop(5000)));
  destroyClusters();
});

async function until(ms, probe, what) {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return Date.now() - t0;
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(200);
  }
}

// One query on a fresh connection (the server may have restarted since the last).
async function query(cluster, text, params = []) {
  const c = new pg.Client({ host: '127.0.0.1', port: cluster.port, user: 'postgres', database: 'tandem' });
  c.on('error', () => {});   // the server going away mid-query: the query itself fails
  await c.connect();
  try {
    return (await c.query(text, params)).rows;
  } finally {
    await c.end();
  }
}

// A request on a fresh connection; {status, body} or {status: 0} when nothing answered.
async function call(url, method, token, body) {
  try {
    const res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(10000),
    });
    const text = await res.text();
    return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  } catch {
    return { status: 0 };
  }
}

describe('PostgreSQL restarted while events flow', () => {
  it('no acknowledged event lost, none delivered or applied twice; the follower resumes', { timeout: scaled(180000) }, async () => {
    const cluster = await newCluster(path.join(requireEnv('TANDEM_TEST_RUNDIR'), `events-restart-${uniq(3)}`));
    const url = `postgresql://tandem@127.0.0.1:${cluster.port}/tandem`;
    const mentoring = await startService('mentoring', { name: 'mentoring-restart', env: { TANDEM_DATABASE_URL: url } });
    instances.push(mentoring);
    await mentoring.waitReady();
    const phases = await startService('phases', {
      name: 'phases-restart',
      env: { TANDEM_DATABASE_URL: url, TANDEM_MENTORING_URL: mentoring.url, TANDEM_STRATEGY_URL: 'http://127.0.0.1:9' },
    });
    instances.push(phases);
    await phases.waitReady();
    const people = (await query(cluster,
      `INSERT INTO phases.enrolment (person_id, programme_id, programme_version)
       SELECT gen_random_uuid(), $1, 1 FROM generate_series(1, 10) RETURNING person_id`, [PROGRAMME]))
      .map((r) => r.person_id);

    let stop = false;
    const acked = { templates: [], events: [] };
    const failed = { templates: 0, events: 0 };

    // (1) writes through the API: an activity template and its event, or neither
    const apiWriter = async () => {
      for (let i = 0; !stop && i < 5000; i++) {
        const res = await call(`${mentoring.url}/v1/activity-templates`, 'POST', adminToken(), {
          title: `Restart ${uniq()}`, platform: 'linkedin', skill: 'writing', suggested_cadence: 'weekly',
        });
        if (res.status === 201) acked.templates.push(res.body.id);
        else {
          assert.ok([0, 503].includes(res.status), `a write answers 201 or 503, not ${res.status}`);
          failed.templates++;
          await sleep(100);
        }
      }
    };
    // (2) events written straight into the outbox, 5 a transaction
    const sqlWriter = async () => {
      for (let i = 0; !stop && i < 5000; i++) {
        try {
          const rows = await query(cluster,
            `INSERT INTO mentoring.event (type, source, subject, person_id, data)
             SELECT 'tandem.mentoring.session.held', '/tandem/mentoring', gen_random_uuid()::text,
                    ($1::uuid[])[1 + (g % cardinality($1::uuid[]))], '{}'
               FROM generate_series(1, 5) g RETURNING id`, [people]);
          acked.events.push(...rows.map((r) => r.id));
        } catch {
          failed.events++;
          await sleep(100);
        }
      }
    };
    // (3) a reader of the feed, as any follower reads it
    const seen = [];
    let cursor = null;
    let readerDone = false;
    const reader = async () => {
      for (let i = 0; !readerDone && i < 20000; i++) {
        const q = new URLSearchParams({ limit: '200', wait: '1' });
        if (cursor) q.set('after', cursor);
        const res = await call(`${mentoring.url}/v1/events?${q}`, 'GET', serviceToken());
        if (res.status !== 200) {
          await sleep(200);
          continue;
        }
        seen.push(...res.body.items);
        cursor = res.body.next_cursor;
      }
    };

    const startedBefore = (await query(cluster, 'SELECT pg_postmaster_start_time() AS t'))[0].t;
    const tasks = Promise.all([apiWriter(), sqlWriter()]);
    const reading = reader();
    try {
      await sleep(2000);
      cluster.stop('fast');
      await sleep(1500);
      cluster.start();
      await sleep(3000);
    } finally {
      stop = true;   // the loops end whatever happened
      await tasks.catch(() => {});
    }
    await tasks;
    const startedAfter = (await query(cluster, 'SELECT pg_postmaster_start_time() AS t'))[0].t;

    const have = () => {
      const subjects = new Set(seen.map((e) => e.subject));
      const got = new Set(seen.map((e) => e.id));
      return acked.templates.every((t) => subjects.has(t)) && acked.events.every((id) => got.has(id));
    };
    try {
      await until(scaled(30000), async () => have(), 'the reader has every acknowledged event');
    } finally {
      readerDone = true;
      await reading;
    }
    const ids = new Set(seen.map((e) => e.id));

    console.log(`events restart figure: ${acked.templates.length} API writes and ${acked.events.length}` +
      ` outbox events acknowledged, ${failed.templates} + ${failed.events} refused during the restart,` +
      ` ${seen.length} events read`);
    assert.notEqual(String(startedAfter), String(startedBefore), 'the server did restart');
    assert.ok(failed.templates + failed.events > 0, 'writes met the restart');
    assert.ok(acked.templates.length > 0 && acked.events.length > 0);

    // the feed: every event once, in an order that never goes back
    assert.equal(ids.size, seen.length, 'no event delivered twice');
    const created = seen.filter((e) => e.type === 'tandem.mentoring.activity_template.created');
    const perTemplate = new Map();
    for (const e of created) perTemplate.set(e.subject, (perTemplate.get(e.subject) ?? 0) + 1);
    for (const t of acked.templates) assert.equal(perTemplate.get(t), 1, `template ${t}: one event`);

    // the outbox: a row for each event and an event for each row, whatever was acknowledged
    const [counts] = await query(cluster,
      `SELECT (SELECT count(*) FROM mentoring.activity_template)::int AS rows,
              (SELECT count(*) FROM mentoring.event
                WHERE type = 'tandem.mentoring.activity_template.created')::int AS events,
              (SELECT count(*) FROM mentoring.event
                WHERE type = 'tandem.mentoring.activity_template.created'
                  AND subject::uuid NOT IN (SELECT id FROM mentoring.activity_template))::int AS orphans`);
    assert.equal(counts.rows, counts.events, 'no change without its event');
    assert.equal(counts.orphans, 0, 'no event without its change');
    assert.equal(created.length, counts.events, 'the reader saw every committed one');

    // the follower: each committed session.held applied once, acknowledged or not
    const effects = async () => (await query(cluster,
      `SELECT (SELECT count(*) FROM mentoring.event WHERE type = 'tandem.mentoring.session.held')::int AS held,
              count(*)::int AS progressed, count(DISTINCT data->>'cause_id')::int AS causes
         FROM phases.event WHERE type = 'tandem.phases.enrolment.progressed'`))[0];
    await until(scaled(30000), async () => {
      const e = await effects();
      return e.progressed >= e.held;
    }, 'phases applied every event');
    await sleep(1000);
    const e = await effects();
    assert.deepEqual({ progressed: e.progressed, causes: e.causes }, { progressed: e.held, causes: e.held },
      'each committed event applied exactly once');
    const applied = new Set((await query(cluster,
      `SELECT data->>'cause_id' AS id FROM phases.event WHERE type = 'tandem.phases.enrolment.progressed'`))
      .map((r) => r.id));
    assert.deepEqual(acked.events.filter((id) => !applied.has(id)), [], 'every acknowledged event applied');

    // both services still run, and phases follows again
    assert.equal(mentoring.running, true, mentoring.output());
    assert.equal(phases.running, true, phases.output());
    await until(scaled(10000), async () => {
      const res = await fetch(`${phases.url}/readyz`, { signal: AbortSignal.timeout(3000) }).catch(() => null);
      if (res?.status !== 200) return false;
      const f = ((await res.json()).followers ?? []).find((x) => x.name === 'mentoring-progress');
      return f?.state === 'following';
    }, 'phases follows mentoring again');
  });
});
