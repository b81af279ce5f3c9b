// The event feed every service serves (GET /v1/events): its contract, its
// cursor, its long poll, and the proof that a reader never skips an event
// whose transaction committed after later ones (shared/events.c explains why).

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { api, expectProblem, expectStatus, requireEnv } from './lib/http.mjs';
import { adminToken, createPartner, serviceToken, tokenFor, uniq } from './lib/fixtures.mjs';

const SERVICES = ['people', 'phases', 'mentoring', 'strategy'];

// Reads @service's feed from @cursor until a page says no more; returns the
// events and the cursor to continue from.
export async function readFeed(service, cursor, { type, limit = 50, wait = 0 } = {}) {
  const events = [];
  for (let i = 0; i < 200; i++) {
    const q = new URLSearchParams({ limit: String(limit), wait: String(wait) });
    if (cursor) q.set('after', cursor);
    if (type) q.set('type', type);
    const res = expectStatus(
      await api('GET', `/v1/events?${q}`, { service, token: serviceToken(), timeoutMs: 40000 }),
      200,
    );
    events.push(...res.body.items);
    cursor = res.body.next_cursor;
    if (!res.body.more) break;
  }
  return { events, cursor };
}

describe('GET /v1/events: the contract on every service', () => {
  for (const service of SERVICES) {
    it(`${service}: service and admin read it; a partner gets 403; bad parameters 400 naming them`, async () => {
      const page = expectStatus(await api('GET', '/v1/events?limit=5', { service, token: serviceToken() }), 200);
      assert.ok(Array.isArray(page.body.items));
      assert.equal(typeof page.body.next_cursor, 'string');
      expectStatus(await api('GET', '/v1/events?limit=1', { service, token: adminToken() }), 200);
      const partner = await createPartner();
      expectProblem(await api('GET', '/v1/events', { service, token: tokenFor(partner) }), 403, 'forbidden');
      expectProblem(await api('GET', '/v1/events', { service }), 401, 'unauthenticated');
      expectProblem(
        await api('GET', '/v1/events?after=not-a-cursor', { service, token: serviceToken() }),
        400, 'validation', ['after'],
      );
      expectProblem(
        await api('GET', '/v1/events?type=Tandem.X', { service, token: serviceToken() }),
        400, 'validation', ['type'],
      );
      expectProblem(
        await api('GET', '/v1/events?wait=31', { service, token: serviceToken(), invalid: true }),
        400, 'validation', ['wait'],
      );
      expectProblem(
        await api('GET', '/v1/events?limit=0', { service, token: serviceToken(), invalid: true }),
        400, 'validation', ['limit'],
      );
    });
  }
});

describe('the outbox: a change and its event commit together', () => {
  it('creating a person writes tandem.people.person.created with the actor, request id and version', async () => {
    const start = (await readFeed('people')).cursor;
    const rid = `ev-${uniq()}`;
    const res = expectStatus(
      await api('POST', '/v1/people', {
        token: adminToken(),
        headers: { 'X-Request-Id': rid },
        body: {
          email: `ev-${uniq()}@example.com`, display_name: 'Event Probe', roles: ['partner'],
        },
      }),
      201,
    );
    const { events } = await readFeed('people', start, { type: 'tandem.people.person.*' });
    const mine = events.filter((e) => e.subject === res.body.id);
    assert.equal(mine.length, 1, JSON.stringify(events));
    const [e] = mine;
    assert.equal(e.specversion, '1.0');
    assert.equal(e.type, 'tandem.people.person.created');
    assert.equal(e.source, '/tandem/people');
    assert.equal(e.personid, res.body.id);
    assert.equal(e.requestid, rid);
    assert.equal(e.resourceversion, 1);
    assert.ok(e.actor);
    assert.equal(JSON.stringify(e.data).includes('Event Probe'), false, 'no free text in data');
  });

  it('a refused change writes no event', async () => {
    const start = (await readFeed('people')).cursor;
    expectStatus(
      await api('POST', '/v1/people', {
        token: adminToken(), invalid: true, body: { email: 'not-an-email', display_name: 'x', roles: ['partner'] },
      }),
      400,
    );
    const { events } = await readFeed('people', start);
    assert.equal(events.filter((e) => e.type === 'tandem.people.person.created' && e.requestid === undefined).length, 0);
  });
});

describe('the feed never skips an event committed late', () => {
  const db = new pg.Pool({ connectionString: requireEnv('TANDEM_TEST_DATABASE_URL'), max: 4 });
  after(() => db.end());

  const insert = (c, tag) =>
    c.query(
      `INSERT INTO strategy.event (type, source, subject, data)
       VALUES ('tandem.strategy.probe.noted', '/tandem/strategy', $1, '{}')`,
      [tag],
    );

  it('an event with a lower transaction id committed after later ones is still delivered, each once', async () => {
    const type = 'tandem.strategy.probe.*';
    const run = uniq();
    let { cursor } = await readFeed('strategy', null, { type });
    const seen = [];
    const a = await db.connect();
    const b = await db.connect();
    const c = await db.connect();
    try {
      // A takes its transaction id first, B next; both stay open.
      await a.query('BEGIN');
      await a.query('SELECT pg_current_xact_id()');
      await b.query('BEGIN');
      await b.query('SELECT pg_current_xact_id()');
      // C (a higher id, a lower seq than A's event) commits first.
      await c.query('BEGIN');
      await insert(c, `${run}-c`);
      await c.query('COMMIT');
      // A writes its event (a higher seq, the lowest id) and commits while B is open.
      await insert(a, `${run}-a`);
      await a.query('COMMIT');
      // With a seq cursor and an xmin filter, A's event would be read now and C's
      // skipped for good; here A's comes and C's waits for B.
      let page = await readFeed('strategy', cursor, { type, limit: 1 });
      seen.push(...page.events);
      cursor = page.cursor;
      assert.deepEqual(seen.map((e) => e.subject), [`${run}-a`]);
      // more writers commit meanwhile, through the real service too
      for (let i = 0; i < 5; i++) {
        await c.query('BEGIN');
        await insert(c, `${run}-c${i}`);
        await c.query('COMMIT');
      }
      page = await readFeed('strategy', cursor, { type, limit: 2 });
      seen.push(...page.events);
      cursor = page.cursor;
      assert.deepEqual(seen.map((e) => e.subject), [`${run}-a`], 'nothing above the open B');
      await insert(b, `${run}-b`);
      await b.query('COMMIT');
      page = await readFeed('strategy', cursor, { type, limit: 2, wait: 2 });
      seen.push(...page.events);
    } finally {
      for (const x of [a, b, c]) {
        await x.query('ROLLBACK').catch(() => {});
        x.release();
      }
    }
    const subjects = seen.map((e) => e.subject).filter((s) => s.startsWith(run));
    const want = [`${run}-a`, `${run}-c`, `${run}-b`, ...[0, 1, 2, 3, 4].map((i) => `${run}-c${i}`)];
    assert.deepEqual([...subjects].sort(), [...want].sort(), 'every event exactly once');
    assert.equal(new Set(seen.map((e) => e.id)).size, seen.length, 'no event twice');
  });

  it('a long poll hears a new event well under a second', async () => {
    const type = 'tandem.strategy.probe.*';
    const { cursor } = await readFeed('strategy', null, { type });
    const tag = `lp-${uniq()}`;
    const t0 = Date.now();
    const pending = api('GET', `/v1/events?wait=10&type=${encodeURIComponent(type)}&after=${cursor}`, {
      service: 'strategy', token: serviceToken(), timeoutMs: 20000,
    });
    await new Promise((r) => setTimeout(r, 300));
    const t1 = Date.now();
    await insert(db, tag);
    const res = expectStatus(await pending, 200);
    const heard = Date.now() - t1;
    assert.deepEqual(res.body.items.map((e) => e.subject), [tag]);
    assert.ok(heard < 800, `heard after ${heard} ms`);
    assert.ok(Date.now() - t0 < 5000);
  });

  it('wait runs out with an empty page and a cursor that still continues', async () => {
    const type = 'tandem.strategy.none_such.*';
    const t0 = Date.now();
    const res = expectStatus(
      await api('GET', `/v1/events?wait=1&type=${encodeURIComponent(type)}`, { service: 'strategy', token: serviceToken() }),
      200,
    );
    assert.deepEqual(res.body.items, []);
    assert.ok(Date.now() - t0 >= 900);
    assert.equal(res.body.more, false);
    expectStatus(
      await api('GET', `/v1/events?after=${res.body.next_cursor}`, { service: 'strategy', token: serviceToken() }),
      200,
    );
  });
});
