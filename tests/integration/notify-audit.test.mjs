// The notify service (issue 13, first slice): the suite's audit log and its
// change feed, over real HTTP against the real services.
//  - a change in each of people, phases, mentoring and strategy shows in
//    GET /v1/audit within 2 s, as the producer recorded it (id, type, actor,
//    person concerned);
//  - filters, pages, bad filters named; the CSV export (header, RFC 4180
//    quoting, the same rows as JSON);
//  - admin only (every other role 403, no token 401); the suite feed for
//    admin and service only, and its long poll hears a change in under 1 s;
//  - append-only: UPDATE, DELETE and TRUNCATE through SQL are refused; only
//    the pruner removes rows, and only those past the retention;
//  - a notify that was stopped catches up when it starts again, each event
//    recorded once;
//  - a client that goes away in the middle of a CSV export of 100,000 rows
//    stops it: notify says where, no statement or transaction of it is left
//    in the database, and the next export is whole.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectProblem, expectStatus, requireEnv } from './lib/http.mjs';
import {
  RUN, adminToken, createMentor, createPairing, createPartner, createPerson, serviceToken, tokenFor, uniq,
} from './lib/fixtures.mjs';
import { query } from './lib/db.mjs';
import { enrol } from './lib/phases.mjs';
import { createSession } from './lib/mentoring.mjs';
import { createPlaybook, playbookBody } from './lib/strategy.mjs';
import { token } from './lib/tokens.mjs';
import {
  createScratchDb, dropScratchDb, freePort, pgClient, scaled, startService,
} from './lib/spawn.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const na = (method, path, o = {}) => api(method, path, { service: 'notify', ...o });
const CSV_COLUMNS = ['id', 'time', 'received_at', 'service', 'type', 'subject', 'person_id', 'actor',
  'request_id', 'resource_version', 'data'];

// The audit entries matching @params (an object of query parameters), every page.
async function auditAll(params, tok = adminToken(), base) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 100; page++) {
    const qs = new URLSearchParams({ ...params, limit: '500', ...(cursor ? { cursor } : {}) });
    const res = expectStatus(await na('GET', `/v1/audit?${qs}`, { token: tok, base }), 200, 'reading the audit log');
    items.push(...res.body.items);
    cursor = res.body.next_cursor;
    if (!cursor) return items;
  }
  throw new Error('more than 100 pages');
}

// Polls until @probe returns a truthy value or @ms pass: [value, elapsed ms].
async function within(ms, probe) {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return [v, Date.now() - t0];
    if (Date.now() - t0 > ms) return [null, Date.now() - t0];
    await sleep(50);
  }
}

// The producer's own record of the first event about @subject (schema @service).
async function producerEvent(service, subject) {
  const rows = await query(
    `SELECT id::text, type, actor, person_id::text AS person_id FROM ${service}.event
      WHERE subject = $1 ORDER BY txid, seq LIMIT 1`,
    [subject],
  );
  assert.equal(rows.length, 1, `${service} recorded an event about ${subject}`);
  return rows[0];
}

// RFC 4180: records of fields; quoted fields may hold commas, CRLF and "".
function parseCsv(text) {
  const records = [];
  let rec = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"' && field === '') { quoted = true; i++; continue; }
    if (c === ',') { rec.push(field); field = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { rec.push(field); records.push(rec); rec = []; field = ''; i += 2; continue; }
    assert.notEqual(c, '"', 'a quote only opens a field or is doubled inside one');
    assert.notEqual(c, '\n', 'records end with CRLF; a bare LF is only inside quotes');
    field += c; i++;
  }
  assert.equal(field, '', 'the CSV ends with CRLF');
  assert.equal(rec.length, 0, 'the CSV ends with CRLF');
  return records;
}

const w = {};

before(async () => {
  w.partner = await createPartner();
  w.mentor = await createMentor();
  w.pairing = await createPairing(w.mentor, w.partner);
  w.t0 = Date.now();
});

describe('the audit log', () => {
  it('a change in each of the four services shows in /v1/audit within 2 s, as its producer recorded it', async () => {
    const changes = [];
    const p = await createPerson({ roles: ['comms'] });
    changes.push({ service: 'people', subject: p.id, person: p.id, at: Date.now() });
    const e = await enrol(w.partner);
    changes.push({ service: 'phases', subject: e.id, person: w.partner.id, at: Date.now() });
    const s = await createSession(w.pairing, tokenFor(w.mentor));
    changes.push({ service: 'mentoring', subject: s.id, person: w.partner.id, at: Date.now() });
    const pb = await createPlaybook(tokenFor(w.partner));
    changes.push({ service: 'strategy', subject: pb.id, person: w.partner.id, at: Date.now() });
    w.changes = changes;
    for (const c of changes) {
      const src = await producerEvent(c.service, c.subject);
      assert.equal(src.person_id, c.person, `${c.service} names the person concerned`);
      const [hit] = await within(scaled(2000) - (Date.now() - c.at), async () => {
        const items = await auditAll({ service: c.service, subject: c.subject });
        return items.find((x) => x.id === src.id);
      });
      assert.ok(hit, `${c.service}'s event ${src.type} about ${c.subject} in the audit log within 2 s of the change`);
      assert.equal(hit.type, src.type);
      assert.equal(hit.actor, src.actor);
      assert.equal(hit.person_id, c.person);
      assert.equal(hit.service, c.service);
      assert.equal(hit.subject, c.subject);
      c.entry = hit;
    }
    // who did it: the admin (a token subject, not a person) for people and
    // phases, the mentor and the partner (their person ids) for the others
    assert.equal(changes[0].entry.actor, `admin-${RUN}`);
    assert.equal(changes[2].entry.actor, w.mentor.id);
    assert.equal(changes[3].entry.actor, w.partner.id);
  });

  it('filters by person, actor, service, type, subject and time; pages follow the cursor', async () => {
    const mine = await auditAll({ person_id: w.partner.id });
    assert.ok(mine.length >= 3, 'the partner is concerned by events of several services');
    assert.ok(mine.every((x) => x.person_id === w.partner.id));
    assert.deepEqual(
      new Set(mine.map((x) => x.service)),
      new Set(['people', 'phases', 'mentoring', 'strategy']),
      'the partner was created, enrolled, had a session and wrote a playbook',
    );
    for (let i = 1; i < mine.length; i++) assert.ok(mine[i].seq > mine[i - 1].seq, 'oldest arrival first');

    const byPartner = await auditAll({ actor: w.partner.id, service: 'strategy' });
    assert.ok(byPartner.length >= 1);
    assert.ok(byPartner.every((x) => x.actor === w.partner.id && x.service === 'strategy'));

    const typed = await auditAll({ person_id: w.partner.id, type: 'tandem.mentoring.*,tandem.phases.enrolment.created' });
    assert.ok(typed.length >= 2);
    assert.ok(typed.every((x) => x.type.startsWith('tandem.mentoring.') || x.type === 'tandem.phases.enrolment.created'));

    const strategyEntry = w.changes[3].entry;
    const bySubject = await auditAll({ subject: strategyEntry.subject });
    assert.ok(bySubject.some((x) => x.id === strategyEntry.id));
    assert.ok(bySubject.every((x) => x.subject === strategyEntry.subject));

    const t = new Date(strategyEntry.time);
    const inRange = await auditAll({
      subject: strategyEntry.subject,
      from: strategyEntry.time,
      to: new Date(t.getTime() + 1).toISOString(),
    });
    assert.ok(inRange.some((x) => x.id === strategyEntry.id), 'from is inclusive');
    assert.deepEqual(await auditAll({ subject: strategyEntry.subject, to: strategyEntry.time }), [], 'to is exclusive');
    assert.deepEqual(await auditAll({ person_id: w.partner.id, from: '2999-01-01' }), []);

    // one entry a page: the same entries, in the same order
    const paged = [];
    let cursor = null;
    for (let i = 0; i < 200; i++) {
      const qs = new URLSearchParams({ person_id: w.partner.id, limit: '1', ...(cursor ? { cursor } : {}) });
      const res = expectStatus(await na('GET', `/v1/audit?${qs}`, { token: adminToken() }), 200);
      assert.ok(res.body.items.length <= 1);
      paged.push(...res.body.items.map((x) => x.id));
      cursor = res.body.next_cursor;
      if (!cursor) break;
    }
    assert.deepEqual(paged, mine.map((x) => x.id));
  });

  it('bad filters are a 400 naming each field', async () => {
    const res = await na(
      'GET',
      '/v1/audit?person_id=nobody&service=email&type=Bad!&from=yesterday&to=2026-13-40&limit=0&cursor=%21',
      { token: adminToken(), invalid: true },
    );
    expectProblem(res, 400, 'validation', ['person_id', 'service', 'type', 'from', 'to', 'limit', 'cursor']);
    expectProblem(await na('GET', `/v1/audit?actor=${'a'.repeat(257)}`, { token: adminToken(), invalid: true }),
      400, 'validation', ['actor']);
    expectProblem(await na('GET', '/v1/audit?colour=red', { token: adminToken(), invalid: true }),
      400, 'validation', ['colour']);
  });

  it('Accept: text/csv streams the same rows as RFC 4180 CSV, quoting commas, quotes and newlines', async () => {
    // an admin whose token subject needs quoting is the actor of a change
    const odd = `admin, "odd"\nline ${uniq()}`;
    const oddAdmin = token({ sub: odd, roles: ['admin'] });
    const p = await createPerson({ roles: ['viewer'] }, { token: oddAdmin });
    const src = await producerEvent('people', p.id);
    assert.equal(src.actor, odd, 'the producer recorded the odd subject as the actor');
    const [seen] = await within(scaled(2000), async () => (await auditAll({ actor: odd })).length > 0);
    assert.ok(seen);

    for (const params of [{ actor: odd }, { person_id: w.partner.id }]) {
      const qs = new URLSearchParams(params);
      const json = await auditAll(params);
      const res = expectStatus(
        await na('GET', `/v1/audit?${qs}`, { token: adminToken(), headers: { accept: 'text/csv' } }),
        200,
      );
      assert.match(res.headers.get('content-type'), /^text\/csv/);
      const records = parseCsv(res.text);
      assert.deepEqual(records[0], CSV_COLUMNS, 'the header line');
      const rows = records.slice(1).map((r) => Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, r[i]])));
      assert.equal(rows.length, json.length, 'as many rows as the JSON pages');
      rows.forEach((r, i) => {
        const j = json[i];
        assert.equal(r.id, j.id);
        assert.equal(r.time, j.time);
        assert.equal(r.service, j.service);
        assert.equal(r.type, j.type);
        assert.equal(r.subject, j.subject ?? '');
        assert.equal(r.person_id, j.person_id ?? '');
        assert.equal(r.actor, j.actor ?? '');
        assert.equal(r.resource_version, j.resource_version === null ? '' : String(j.resource_version));
        assert.deepEqual(JSON.parse(r.data), j.data);
      });
    }
    // cursor sets where the export starts: the rows after the JSON page's
    const first = expectStatus(await na('GET', `/v1/audit?person_id=${w.partner.id}&limit=2`, { token: adminToken() }), 200);
    const rest = await na('GET', `/v1/audit?person_id=${w.partner.id}&cursor=${first.body.next_cursor}`,
      { token: adminToken(), headers: { accept: 'text/csv' } });
    const all = await auditAll({ person_id: w.partner.id });
    assert.deepEqual(parseCsv(rest.text).slice(1).map((r) => r[0]), all.slice(2).map((x) => x.id));
    const raw = (await na('GET', `/v1/audit?${new URLSearchParams({ actor: odd })}`,
      { token: adminToken(), headers: { accept: 'text/csv' } })).text;
    assert.ok(raw.includes(`"admin, ""odd""\nline `), 'the actor is quoted, its quotes doubled, its newline kept');
  });

  it('is for admins only: every other role 403, no token 401', async () => {
    expectStatus(await na('GET', '/v1/audit?limit=1', { token: adminToken() }), 200);
    const roles = {
      mentor: tokenFor(w.mentor),
      partner: tokenFor(w.partner),
      comms: tokenFor(await createPerson({ roles: ['comms'] })),
      viewer: tokenFor(await createPerson({ roles: ['viewer'] })),
      service: serviceToken(),
    };
    for (const [role, tok] of Object.entries(roles)) {
      expectProblem(await na('GET', '/v1/audit', { token: tok }), 403, 'forbidden');
      expectProblem(await na('GET', '/v1/audit', { token: tok, headers: { accept: 'text/csv' } }), 403, 'forbidden');
      assert.ok(true, role);
    }
    expectProblem(await na('GET', '/v1/audit'), 401, 'unauthenticated');
  });

  it('is append-only: UPDATE, DELETE and TRUNCATE are refused; the pruner removes only what is past the retention', async () => {
    const [{ seq }] = await query('SELECT max(seq)::text AS seq FROM notify.audit');
    await assert.rejects(query("UPDATE notify.audit SET actor = 'someone else' WHERE seq = $1", [seq]),
      (e) => e.code === '42501' && /append-only/.test(e.message));
    await assert.rejects(query('DELETE FROM notify.audit WHERE seq = $1', [seq]),
      (e) => e.code === '42501' && /append-only/.test(e.message));
    await assert.rejects(query('TRUNCATE notify.audit'), (e) => e.code === '42501');
    // a row past the retention: only the pruner removes it
    const id = (await query('SELECT gen_random_uuid()::text AS id'))[0].id;
    await query(
      `INSERT INTO notify.audit (id, service, type, time) VALUES ($1, 'people', 'tandem.people.person.created',
        now() - interval '401 days')`,
      [id],
    );
    await assert.rejects(query('DELETE FROM notify.audit WHERE id = $1', [id]), (e) => e.code === '42501');
    const before = Number((await query('SELECT count(*) AS n FROM notify.audit'))[0].n);
    const [{ n }] = await query('SELECT notify.audit_prune(400, 1000)::int AS n');
    assert.ok(n >= 1, 'the old row is pruned');
    assert.equal((await query('SELECT 1 FROM notify.audit WHERE id = $1', [id])).length, 0);
    assert.equal(Number((await query('SELECT count(*) AS n FROM notify.audit'))[0].n), before - n,
      'nothing within the retention was removed');
    assert.equal((await query('SELECT 1 FROM notify.audit WHERE seq = $1', [seq])).length, 1);
  });
});

describe("the suite's change feed", () => {
  it('is for admin and service; viewers, partners, mentors and comms get 403; no token 401', async () => {
    expectStatus(await na('GET', '/v1/events?limit=1', { token: adminToken() }), 200);
    expectStatus(await na('GET', '/v1/events?limit=1', { token: serviceToken() }), 200);
    for (const roles of [['viewer'], ['partner'], ['mentor'], ['comms']]) {
      const tok = tokenFor(await createPerson({ roles, ...(roles[0] === 'mentor' ? { mentor_capacity: 2 } : {}) }));
      expectProblem(await na('GET', '/v1/events?limit=1', { token: tok }), 403, 'forbidden');
    }
    expectProblem(await na('GET', '/v1/events?limit=1'), 401, 'unauthenticated');
  });

  it('one cursor over every service; a long poll hears a new change in under a second', async () => {
    // the end of the feed
    let cursor = '';
    const sources = new Set();
    for (let i = 0; i < 1000; i++) {
      const res = expectStatus(await na('GET', `/v1/events?limit=1000${cursor ? `&after=${cursor}` : ''}`,
        { token: serviceToken() }), 200);
      for (const ev of res.body.items) sources.add(ev.source);
      cursor = res.body.next_cursor;
      if (!res.body.more) break;
    }
    for (const s of ['people', 'phases', 'mentoring', 'strategy']) assert.ok(sources.has(`/tandem/${s}`), s);

    let changedAt = 0;
    let subject = null;
    const change = (async () => {
      await sleep(300);
      const p = await createPartner();
      changedAt = Date.now();
      subject = p.id;
    })();
    let heard = null;
    for (let i = 0; i < 20 && !heard; i++) {
      const res = expectStatus(await na('GET', `/v1/events?after=${cursor}&wait=10&type=tandem.people.*`,
        { token: serviceToken(), timeoutMs: 20000 }), 200);
      cursor = res.body.next_cursor;
      heard = res.body.items.find((ev) => subject && ev.subject === subject);
      if (heard) heard.at = Date.now();
    }
    await change;
    assert.ok(heard, 'the long poll delivered the new person');
    assert.equal(heard.type, 'tandem.people.person.created');
    assert.equal(heard.source, '/tandem/people');
    assert.ok(heard.at - changedAt < scaled(1000), `heard ${heard.at - changedAt} ms after the change`);
  });
});

describe('through the gateway', () => {
  it('routes /v1/audit and the suite feed /v1/events to notify', async () => {
    const gw = requireEnv('TANDEM_TEST_GATEWAY_URL');
    const audit = expectStatus(await na('GET', `/v1/audit?person_id=${w.partner.id}&limit=500`, { token: adminToken(), base: gw }), 200);
    assert.ok(audit.body.items.length >= 3, 'the audit entries about the partner');
    const sources = new Set();
    let after = '';
    for (let i = 0; i < 1000; i++) {
      const feed = expectStatus(await na('GET', `/v1/events?limit=1000${after ? `&after=${after}` : ''}`,
        { token: serviceToken(), base: gw }), 200);
      for (const ev of feed.body.items) sources.add(ev.source);
      after = feed.body.next_cursor;
      if (!feed.body.more) break;
    }
    for (const s of ['people', 'phases', 'mentoring', 'strategy']) {
      assert.ok(sources.has(`/tandem/${s}`), `the gateway's /v1/events is the suite feed: ${s} in it`);
    }
    expectProblem(await na('GET', '/v1/audit', { token: tokenFor(w.partner), base: gw }), 403, 'forbidden');
  });
});

describe('following', () => {
  let scratch;
  after(async () => {
    if (scratch) await dropScratchDb(scratch.name);
  });

  it('a notify that was stopped catches up when it starts again, each event recorded once', async () => {
    scratch = await createScratchDb();
    const env = {
      TANDEM_DATABASE_URL: scratch.url,
      TANDEM_PEOPLE_URL: requireEnv('TANDEM_TEST_PEOPLE_URL'),
      TANDEM_PHASES_URL: requireEnv('TANDEM_TEST_PHASES_URL'),
      TANDEM_MENTORING_URL: requireEnv('TANDEM_TEST_MENTORING_URL'),
      TANDEM_STRATEGY_URL: requireEnv('TANDEM_TEST_STRATEGY_URL'),
      TANDEM_THREADS: '4',
      TANDEM_DB_POOL_SIZE: '6',
    };
    const start = async () => {
      const inst = await startService('notify', { name: `notify-catchup-${uniq(3)}`, env });
      await inst.waitReady();
      return inst;
    };
    const find = async (inst, subject) => (await auditAll({ subject }, adminToken(), inst.url)).length > 0;

    let inst = await start();
    // from the start of every feed: the partner made in before() is there
    let [ok] = await within(scaled(60000), () => find(inst, w.partner.id));
    assert.ok(ok, `the new instance caught up with the people feed\n${inst.output?.() ?? ''}`);
    assert.equal((await inst.stop()).code, 0, 'exits 0 on SIGTERM');

    // changes while it is down
    const p = await createPartner();
    const pb = await createPlaybook(tokenFor(p), playbookBody());
    inst = await start();
    try {
      [ok] = await within(scaled(20000), async () => (await find(inst, p.id)) && find(inst, pb.id));
      assert.ok(ok, 'what happened while notify was down is in its audit log after the restart');
      const client = await import('./lib/spawn.mjs').then((m) => m.pgClient(scratch.name));
      try {
        const { rows } = await client.query(
          `SELECT (SELECT count(*) FROM notify.audit)::int AS rows,
                  (SELECT count(DISTINCT id) FROM notify.audit)::int AS ids,
                  (SELECT sum(applied) FROM notify.event_cursor WHERE subscription LIKE 'audit-%')::int AS applied`,
        );
        assert.equal(rows[0].rows, rows[0].ids);
        assert.equal(rows[0].applied, rows[0].rows, 'each applied event is one row (one snapshot)');
      } finally {
        await client.end();
      }
    } finally {
      assert.equal((await inst.stop()).code, 0);
    }
  });
});

describe('the CSV export of a large log', () => {
  let scratch;
  let inst;
  after(async () => {
    if (inst) await inst.stop();
    if (scratch) await dropScratchDb(scratch.name);
  });

  it('a client that goes away mid-export stops it: no statement left running, no transaction held', async () => {
    const ROWS = 100000;
    scratch = await createScratchDb();
    const dead = `http://127.0.0.1:${await freePort()}`;   // no feed: the log holds only the rows below
    inst = await startService('notify', {
      name: `notify-export-${uniq(3)}`,
      env: {
        TANDEM_DATABASE_URL: scratch.url, TANDEM_PEOPLE_URL: dead, TANDEM_PHASES_URL: dead,
        TANDEM_MENTORING_URL: dead, TANDEM_STRATEGY_URL: dead,
      },
    });
    await inst.waitReady();
    const client = await pgClient(scratch.name);
    const running = async () => (await client.query(
      `SELECT count(*) FILTER (WHERE state = 'active')::int AS active,
              count(*) FILTER (WHERE state LIKE 'idle in transaction%')::int AS in_tx
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND query LIKE '%FROM audit a%'`)).rows[0];
    try {
      await client.query(
        `INSERT INTO notify.audit (id, service, type, subject, actor, time, data)
         SELECT gen_random_uuid(), 'people', 'tandem.people.person.created', 'export-' || g, 'someone',
                now() - make_interval(secs => $1 - g), jsonb_build_object('changed', jsonb_build_array('title', 'email'))
           FROM generate_series(1, $1::int) AS g`, [ROWS]);

      // read a little of the export, then go away
      const ac = new AbortController();
      const res = await fetch(`${inst.url}/v1/audit`, {
        headers: { authorization: `Bearer ${adminToken()}`, accept: 'text/csv' }, signal: ac.signal,
      });
      assert.equal(res.status, 200);
      const reader = res.body.getReader();
      let got = 0;
      while (got < 256 * 1024) {
        const { value, done } = await reader.read();
        assert.ok(!done, 'the export is larger than what was read');
        got += value.length;
      }
      ac.abort();
      await reader.cancel().catch(() => {});

      // notify notices and stops where it was, well short of the log's end
      const [stopped] = await within(scaled(3000), async () =>
        (inst.stderr + inst.stdout).match(/audit export stopped after (\d+) row\(s\)/));
      assert.ok(stopped, `notify says the export stopped\n${inst.output()}`);
      assert.ok(Number(stopped[1]) < ROWS, `stopped after ${stopped[1]} of ${ROWS} rows`);
      // and nothing of it is left in the database: no statement, no open transaction
      for (let i = 0; i < 5; i++) {
        assert.deepEqual(await running(), { active: 0, in_tx: 0 });
        await sleep(100);
      }

      // a whole export afterwards: every row, one line each and the header
      const whole = await fetch(`${inst.url}/v1/audit`, {
        headers: { authorization: `Bearer ${adminToken()}`, accept: 'text/csv' },
      });
      assert.equal(whole.status, 200);
      const text = await whole.text();
      assert.equal(text.split('\r\n').length - 1, ROWS + 1, 'rows + header, each ending CRLF');
      assert.equal((inst.stderr + inst.stdout).match(/audit export stopped/g).length, 1,
        'the whole export ended normally (only the first one stopped early)');
    } finally {
      await client.end();
    }
  });
});
