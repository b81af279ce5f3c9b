// Webhooks (issue 13): subscriptions, signed deliveries, retries, the
// delivery log, rotation, replay, and the guard against server-side request
// forgery, against real receivers on loopback (node http servers) that check
// every signature with the npm `standardwebhooks` library, a verifier nobody
// here wrote.
//  - the events are real: people created through the people service reach
//    notify's audit log and from there every matching subscription;
//  - a receiver that answers 500 and then recovers, one that hangs past the
//    10 s timeout, one whose port is closed for a while: every event arrives,
//    none is answered 2xx twice;
//  - `sequence` numbers a subscription's events 1, 2, 3 in the feed's order
//    (deliveries themselves are not ordered: README, Webhooks);
//  - rotation: two signatures, both verify; the secret never shows again;
//  - a target on a private, link-local or unique local address, or http to a
//    host not allowed, is a 422 naming url (the harness allows loopback only);
//    a notify that does not allow loopback refuses the delivery itself;
//  - notify's database connections dropped while it delivers: nothing lost,
//    nothing twice;
//  - fairness: a receiver that hangs holds at most half the workers, so
//    another subscription's deliveries arrive meanwhile;
//  - each attempt kept (the last 20) in the delivery's GET;
//  - admin only: other roles 403, no token 401.
// The harness runs notify with TANDEM_WEBHOOK_ALLOW=loopback and
// TANDEM_WEBHOOK_RETRY_BASE_MS=100.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { api, expectProblem, expectStatus, gatewayUrl, serviceUrl } from './lib/http.mjs';
import { adminToken, createPerson, serviceToken } from './lib/fixtures.mjs';
import { query } from './lib/db.mjs';
import { token } from './lib/tokens.mjs';
import { createScratchDb, dropScratchDb, freePort, pgClient, scaled, startExtra } from './lib/spawn.mjs';
import { scrape } from './lib/metrics.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const na = (method, p, o = {}) => api(method, p, { service: 'notify', token: adminToken(), ...o });
const TYPES = 'tandem.people.person.created';

// Polls until @probe returns a truthy value or @ms pass.
async function within(ms, probe, what) {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() - t0 > ms) assert.fail(`not within ${ms} ms: ${what}`);
    await sleep(50);
  }
}

// A receiver on loopback.  @answer(count of requests so far for this event id)
// returns a status, or 'hang' to never answer.  Every request is verified
// with each of the secrets in `secrets` (standardwebhooks).
class Receiver {
  constructor(answer = () => 200) {
    this.answer = answer;
    this.requests = [];
    this.secrets = [];
    this.hanging = new Set();
    this.server = null;
    this.port = null;
  }

  async listen(port = 0) {
    this.server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const id = req.headers['webhook-id'];
        const n = this.requests.filter((r) => r.id === id).length;
        const status = this.answer(n, id);
        const verified = this.secrets.map((s) => {
          try {
            new Webhook(s).verify(body, req.headers);
            return true;
          } catch {
            return false;
          }
        });
        this.requests.push({ id, headers: req.headers, body, json: JSON.parse(body), status, verified });
        if (status === 'hang') {
          this.hanging.add(res);
          return;
        }
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end('ok');
      });
    });
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', resolve);
    });
    this.port = this.server.address().port;
    return this;
  }

  get url() {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  // The requests answered 2xx, by event id.
  successes() {
    const by = new Map();
    for (const r of this.requests) {
      if (typeof r.status === 'number' && r.status < 300) by.set(r.id, (by.get(r.id) ?? 0) + 1);
    }
    return by;
  }

  async close() {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    if (this.server) {
      this.server.closeAllConnections?.();
      await new Promise((r) => this.server.close(r));
    }
    this.server = null;
  }
}

const receivers = [];
const hooks = [];
async function receiver(answer, port) {
  const r = await new Receiver(answer).listen(port);
  receivers.push(r);
  return r;
}

async function subscribe(url, body = {}) {
  const res = await na('POST', '/v1/webhooks', { body: { url, types: TYPES, ...body } });
  expectStatus(res, 201, 'subscribing');
  hooks.push(res.body.id);
  return res.body;
}

// Creates @n people one after another; returns their ids in creation order.
async function people(n) {
  const ids = [];
  for (let i = 0; i < n; i++) ids.push((await createPerson()).id);
  return ids;
}

// The receiver's requests about @ids (other tests' people may arrive too).
const about = (r, ids) => r.requests.filter((q) => ids.includes(q.json.subject));

async function deliveries(id, params = '') {
  const res = await na('GET', `/v1/webhooks/${id}/deliveries${params}`);
  expectStatus(res, 200, 'reading the delivery log');
  return res.body.items;
}

after(async () => {
  for (const id of hooks) await na('DELETE', `/v1/webhooks/${id}`).catch(() => {});
  for (const r of receivers) await r.close();
});

describe('webhooks: signed deliveries', () => {
  it('delivers each matching event once, signed as Standard Webhooks says, numbered in order', async () => {
    const r = await receiver();
    const hook = await subscribe(r.url, { description: 'warehouse' });
    assert.match(hook.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    r.secrets.push(hook.secret);
    const ids = await people(3);

    await within(scaled(10000), () => about(r, ids).length >= 3, 'three deliveries');
    const got = about(r, ids);
    assert.equal(got.length, 3, 'each event once');
    for (const q of got) {
      assert.deepEqual(q.verified, [true], 'the standardwebhooks library verifies the signature');
      assert.equal(q.headers['webhook-id'], q.json.id, 'webhook-id is the event id');
      assert.match(q.headers['webhook-timestamp'], /^\d+$/);
      assert.ok(Math.abs(Number(q.headers['webhook-timestamp']) - Date.now() / 1000) < 60);
      assert.match(q.headers['content-type'], /^application\/json/);
      assert.equal(q.json.specversion, '1.0');
      assert.equal(q.json.type, TYPES);
      assert.equal(q.json.source, '/tandem/people');
      assert.match(q.json.sequence, /^\d{20}$/);
    }
    // a forged body does not verify
    assert.throws(() => new Webhook(hook.secret).verify(got[0].body.replace('"1.0"', '"1.1"'), got[0].headers));

    // sequence: 1, 2, 3 in the order the people were created
    const bySeq = [...got].sort((a, b) => a.json.sequence.localeCompare(b.json.sequence));
    assert.deepEqual(bySeq.map((q) => q.json.subject), ids);
    assert.deepEqual(bySeq.map((q) => Number(q.json.sequence)), [1, 2, 3]);

    // the log says so
    const log = await within(scaled(5000), async () => {
      const items = await deliveries(hook.id, '?status=succeeded');
      return items.length >= 3 ? items : null;
    }, 'the log shows three successes');
    assert.deepEqual(log.map((d) => d.event_id).sort(), got.map((q) => q.id).sort());
    for (const d of log) {
      assert.equal(d.attempts, 1);
      assert.equal(d.response_code, 200);
      assert.equal(typeof d.latency_ms, 'number');
      assert.equal(d.error, null);
    }
    assert.deepEqual(log.map((d) => d.id), [...log.map((d) => d.id)].sort((a, b) => b - a), 'newest first');
    const page1 = await deliveries(hook.id, '?limit=2');
    const res = await na('GET', `/v1/webhooks/${hook.id}/deliveries?limit=2`);
    assert.ok(res.body.next_cursor, 'a second page');
    const page2 = await deliveries(hook.id, `?limit=2&cursor=${encodeURIComponent(res.body.next_cursor)}`);
    assert.equal(page1.length + page2.length, 3);
  });

  it('never shows or records the secret again', async () => {
    const r = await receiver();
    const hook = await subscribe(r.url);
    const got = await na('GET', `/v1/webhooks/${hook.id}`);
    expectStatus(got, 200);
    assert.equal(got.body.secret, undefined);
    assert.equal(got.headers.get('etag'), `"${got.body.version}"`);
    const list = await na('GET', '/v1/webhooks?limit=500');
    assert.ok(list.body.items.some((w) => w.id === hook.id));
    assert.ok(!list.text.includes('whsec_'));
    const raw = hook.secret.slice('whsec_'.length);
    const hex = Buffer.from(raw, 'base64').toString('hex');
    const events = await query(
      `SELECT count(*)::int AS n FROM notify.event WHERE type LIKE 'tandem.notify.webhook.%'
         AND (data::text LIKE $1 OR data::text LIKE $2 OR data::text LIKE $3)`,
      [`%${raw}%`, `%${hex}%`, `%${hook.url ?? r.url}%`],
    );
    assert.equal(events[0].n, 0, 'no secret nor URL in an event');
    const created = await query(
      `SELECT data FROM notify.event WHERE type = 'tandem.notify.webhook.created' AND subject = $1`, [hook.id]);
    assert.equal(created.length, 1, 'the subscription recorded its event');
    // at rest the secret is sealed (the harness sets TANDEM_WEBHOOK_SECRET_KEY)
    const stored = await query(`SELECT encode(secret, 'hex') AS hex FROM notify.webhook WHERE id = $1`, [hook.id]);
    assert.equal(stored[0].hex.length, 2 * 61, 'version, nonce, ciphertext and tag');
    assert.ok(!stored[0].hex.includes(hex), 'not the secret itself');
    const logdir = process.env.TANDEM_TEST_LOGDIR;
    if (logdir) {
      const log = readFileSync(path.join(logdir, 'notify.log'), 'utf8');
      assert.ok(!log.includes(raw) && !log.includes(hex), 'no secret in the log');
    }
  });
});

describe('webhooks: failures and retries', () => {
  it('a receiver that fails, one that hangs past the timeout, one that is away: all arrive, none twice', async () => {
    const flaky = await receiver((n) => (n < 2 ? 500 : 204));
    const slow = await receiver((n) => (n < 1 ? 'hang' : 200));
    const awayPort = await freePort();
    const flakyHook = await subscribe(flaky.url);
    const slowHook = await subscribe(slow.url);
    const awayHook = await subscribe(`http://127.0.0.1:${awayPort}/hook`);
    flaky.secrets.push(flakyHook.secret);
    slow.secrets.push(slowHook.secret);

    const ids = await people(3);
    // the away receiver comes back after its first attempts failed
    await within(scaled(10000), async () => {
      const items = await deliveries(awayHook.id);
      return items.filter((d) => d.attempts >= 2 && d.status === 'pending').length >= 3;
    }, 'the away receiver refused at least twice');
    // the queue as /metrics shows it: pending deliveries and the oldest one's age
    const queued = await query(`SELECT min(queued_at) AS t FROM notify.webhook_delivery d JOIN notify.webhook w
      ON w.id = d.webhook_id WHERE d.status = 'pending' AND w.enabled`);
    const waiting = await scrape(serviceUrl('notify'));
    assert.equal(waiting.type('tandem_webhook_oldest_pending_age_seconds'), 'gauge');
    assert.ok(waiting.value('tandem_webhook_pending') >= 3, waiting.text);
    const age = waiting.value('tandem_webhook_oldest_pending_age_seconds');
    assert.ok(age > 0 && Math.abs(age - (Date.now() - queued[0].t) / 1000) < 30, `the oldest pending age (${age} s)`);
    assert.ok(waiting.value('tandem_follower_applied_total') >= 3, 'the followers count what they applied');
    assert.ok(waiting.value('tandem_follower_idle_seconds') >= 0);
    const away = await receiver(() => 200, awayPort);
    away.secrets.push(awayHook.secret);

    const all = [flaky, slow, away];
    await within(scaled(45000), () => all.every((r) => ids.every((id) => about(r, [id]).some((q) => q.status < 300))),
      'every event reached every receiver');
    await sleep(1500); // anything still in flight would show now
    for (const r of all) {
      const ok = r.successes();
      for (const q of about(r, ids)) assert.deepEqual(q.verified, [true]);
      const okIds = [...new Set(about(r, ids).map((q) => q.id))];
      assert.equal(okIds.length, 3);
      for (const id of okIds) assert.equal(ok.get(id), 1, 'answered 2xx exactly once');
      const seqs = [...new Set(about(r, ids).map((q) => Number(q.json.sequence)))].sort();
      assert.deepEqual(seqs, [1, 2, 3], 'sequence without gaps');
    }
    assert.ok(about(flaky, ids).length >= 9, 'each event tried three times');
    assert.ok(about(slow, ids).filter((q) => q.status === 'hang').length >= 1, 'one attempt hung');
    const slowLog = await deliveries(slowHook.id);
    const retried = slowLog.find((d) => d.attempts >= 2);
    assert.ok(retried, 'the hung delivery was tried again');
    assert.equal(retried.status, 'succeeded');
    const flakyLog = await deliveries(flakyHook.id);
    assert.ok(flakyLog.every((d) => d.status === 'succeeded' && d.attempts === 3 && d.response_code === 204));
    const hist = await na('GET', `/v1/webhooks/${flakyHook.id}/deliveries/${flakyLog[0].id}`);
    expectStatus(hist, 200);
    assert.deepEqual(hist.body.attempt_log.map((a) => a.response_code), [500, 500, 204], 'each attempt kept');
    const slowHist = (await na('GET', `/v1/webhooks/${slowHook.id}/deliveries/${retried.id}`)).body.attempt_log;
    assert.equal(slowHist[0].response_code, null, 'the hung attempt had no answer');
    assert.match(slowHist[0].error, /timed? ?out/i);
    const state = await na('GET', `/v1/webhooks/${flakyHook.id}`);
    assert.equal(state.body.failing_since, null, 'a success clears failing_since');

    const done = await scrape(serviceUrl('notify'));
    const n = (outcome) => done.value('tandem_webhook_deliveries_total', { outcome });
    assert.ok(n('succeeded') >= 9 && n('failed_attempt') >= 6, 'deliveries by outcome in /metrics');
    assert.ok(n('succeeded') - waiting.value('tandem_webhook_deliveries_total', { outcome: 'succeeded' }) >= 3,
      'the counters moved with these deliveries');
  });

  it('survives its database connections being dropped: every event once', async () => {
    const r = await receiver();
    const hook = await subscribe(r.url);
    r.secrets.push(hook.secret);
    const ids = [];
    for (let i = 0; i < 4; i++) {
      ids.push(...(await people(1)));
      await sleep(150 * i);
      const killed = await query(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
          WHERE application_name LIKE 'tandem-notify%' AND pid <> pg_backend_pid()`);
      assert.ok(killed[0].n >= 1, 'notify had connections to drop');
    }
    // a claim whose answer was lost waits for its 60 s lease: allow for one
    await within(scaled(75000), () => ids.every((id) => about(r, [id]).some((q) => q.status === 200)),
      'every event delivered after the drops');
    await sleep(500);
    const ok = r.successes();
    for (const q of about(r, ids)) {
      assert.deepEqual(q.verified, [true]);
      assert.equal(ok.get(q.id), 1, 'once');
    }
    assert.deepEqual([...new Set(about(r, ids).map((q) => Number(q.json.sequence)))].sort(), [1, 2, 3, 4]);
    expectStatus(await na('GET', `/v1/webhooks/${hook.id}`), 200);
  });

  it('gives a delivery up after its retry window, and disables a subscription failing for 5 days', async () => {
    const port = await freePort(); // nothing listens: every attempt fails
    const hook = await subscribe(`http://127.0.0.1:${port}/hook`);
    const [id] = await people(1);
    await within(scaled(10000), async () => (await deliveries(hook.id)).some((d) => d.attempts >= 1 && d.error),
      'a failed attempt');
    let [d] = await deliveries(hook.id);
    assert.equal(d.status, 'pending');
    assert.equal(d.response_code, null);
    assert.ok(d.next_attempt_at);
    // three days pass (the window runs from when it was queued)
    await query(`UPDATE notify.webhook_delivery SET queued_at = now() - interval '73 hours'
                  WHERE webhook_id = $1`, [hook.id]);
    d = await within(scaled(10000), async () => (await deliveries(hook.id)).find((x) => x.status === 'failed'),
      'given up');
    assert.equal(d.next_attempt_at, null);
    let w = (await na('GET', `/v1/webhooks/${hook.id}`)).body;
    assert.equal(w.enabled, true);
    assert.ok(w.failing_since);

    // failing for five days: the next failure disables it, and says why
    await query(`UPDATE notify.webhook SET failing_since = now() - interval '5 days 1 hour' WHERE id = $1`, [hook.id]);
    await people(1);
    w = await within(scaled(10000), async () => {
      const x = (await na('GET', `/v1/webhooks/${hook.id}`)).body;
      return x.enabled ? null : x;
    }, 'disabled');
    assert.match(w.disabled_reason, /failing since .*last attempt: /);
    assert.ok(w.disabled_at);
    const ev = await query(`SELECT data FROM notify.event WHERE type = 'tandem.notify.webhook.disabled' AND subject = $1`,
      [hook.id]);
    assert.equal(ev.length, 1);
    assert.equal(ev[0].data.enabled, false);
    // nothing is attempted while disabled
    const before = (await deliveries(hook.id)).map((x) => x.attempts).join();
    await sleep(600);
    assert.equal((await deliveries(hook.id)).map((x) => x.attempts).join(), before);

    // enabled again by the admin: the reason goes, the pending delivery resumes
    const on = await na('PATCH', `/v1/webhooks/${hook.id}`, { body: { enabled: true }, headers: { 'if-match': `"${w.version}"` } });
    expectStatus(on, 200);
    assert.equal(on.body.disabled_reason, null);
    assert.equal(on.body.failing_since, null);
    const stale = await na('PATCH', `/v1/webhooks/${hook.id}`, { body: { description: 'x' }, headers: { 'if-match': `"${w.version}"` } });
    expectProblem(stale, 412, 'precondition-failed');
    assert.ok(id);
  });
});

describe('webhooks: fairness between subscriptions', () => {
  it('a receiver that hangs does not hold back another subscription\'s deliveries', async () => {
    // A hangs on every request (until the 10 s timeout) and has a backlog of 5;
    // the harness's notify has 4 workers, so due-first alone would give A all 4.
    // Earlier tests' receivers that hang (or failed and were deleted) may still hold
    // workers until their 10 s timeout: start with every worker free, else A's share
    // and theirs together can fill all four and B waits for a timeout, whatever the rule
    // (in flight for over a second: a lease is 60 s, and quick attempts of other
    // subscriptions come and go meanwhile)
    await within(scaled(15000), async () => (await query(
      `SELECT count(*)::int AS n FROM notify.webhook_delivery
        WHERE claimed_until > now() AND claimed_until < now() + interval '59 seconds'`))[0].n === 0,
    'no delivery of an earlier test hanging in flight');
    const a = await receiver(() => 'hang');
    const hookA = await subscribe(a.url, { description: 'hangs' });
    await people(5);
    await within(scaled(10000), () => a.hanging.size >= 1, 'A\'s deliveries are in flight, hanging');
    await sleep(500); // A takes what workers it may
    const b = await receiver();
    const hookB = await subscribe(b.url, { description: 'prompt' });
    b.secrets.push(hookB.secret);
    const t0 = Date.now();
    const ids = await people(3);
    await within(9000, () => ids.every((id) => about(b, [id]).some((q) => q.status === 200)),
      'B\'s deliveries arrive while A hangs');
    const took = Date.now() - t0;
    // not one of A's attempts has ended (timed out) yet: B did not wait for a worker A held
    const endedA = await query(`SELECT count(*)::int AS n FROM notify.webhook_attempt t
      JOIN notify.webhook_delivery d ON d.id = t.delivery_id WHERE d.webhook_id = $1`, [hookA.id]);
    assert.equal(endedA[0].n, 0, `B served in ${took} ms, before any of A's hanging attempts timed out`);
    assert.ok(a.hanging.size >= 1, 'A was still hanging meanwhile');
    assert.ok(a.hanging.size <= 2, `A holds at most half the workers (${a.hanging.size} in flight)`);
    for (const q of about(b, ids)) assert.deepEqual(q.verified, [true]);
    // A's backlog is waiting, not lost: its deliveries are pending, none failed
    const logA = await deliveries(hookA.id);
    assert.ok(logA.length >= 5 && logA.every((d) => d.status === 'pending'), JSON.stringify(logA.map((d) => d.status)));
    expectStatus(await na('DELETE', `/v1/webhooks/${hookA.id}`), 204);
    await a.close();
  });
});

describe('webhooks: each attempt of a delivery', () => {
  it('keeps every attempt (500, then 200), the last 20 of them, in the delivery\'s GET', async () => {
    const r = await receiver((n) => (n < 1 ? 500 : 200));
    const hook = await subscribe(r.url);
    r.secrets.push(hook.secret);
    const [id] = await people(1);
    await within(scaled(10000), () => about(r, [id]).some((q) => q.status === 200), 'delivered on the second attempt');
    const [entry] = (await within(scaled(5000), async () => {
      const items = (await deliveries(hook.id)).filter((d) => d.status === 'succeeded');
      return items.length ? items : null;
    }, 'the log shows the success'));
    const got = await na('GET', `/v1/webhooks/${hook.id}/deliveries/${entry.id}`);
    expectStatus(got, 200, 'one delivery');
    const d = got.body;
    assert.equal(d.id, entry.id);
    assert.equal(d.status, 'succeeded');
    assert.equal(d.attempts, 2);
    assert.equal(d.response_code, 200, 'the delivery keeps the last attempt');
    assert.equal(d.attempt_log.length, 2, JSON.stringify(d.attempt_log));
    const [first, second] = d.attempt_log;
    assert.deepEqual([first.attempt, first.ok, first.response_code, first.error], [1, false, 500, 'HTTP 500']);
    assert.deepEqual([second.attempt, second.ok, second.response_code, second.error], [2, true, 200, null]);
    for (const a of d.attempt_log) assert.ok(Number.isInteger(a.latency_ms) && a.latency_ms >= 0);
    assert.ok(Date.parse(first.at) <= Date.parse(second.at));
    assert.equal(second.at, d.last_attempt_at);
    // the list stays light: no attempt_log there
    assert.equal(entry.attempt_log, undefined);

    // bounded: a delivery with 25 attempts behind it, tried once more, keeps the last 20
    await query(`INSERT INTO notify.webhook_attempt (delivery_id, attempt, at, ok, response_code, latency_ms, error)
                 SELECT $1, g, now() - make_interval(secs => 30 - g), false, 503, 1, 'HTTP 503'
                   FROM generate_series(3, 25) g`, [d.id]);
    await query('UPDATE notify.webhook_delivery SET attempts = 25 WHERE id = $1', [d.id]);
    expectStatus(await na('POST', `/v1/webhooks/${hook.id}/deliveries/${d.id}/redeliver`), 202);
    const again = await within(scaled(10000), async () => {
      const x = (await na('GET', `/v1/webhooks/${hook.id}/deliveries/${d.id}`)).body;
      return x.status === 'succeeded' && x.attempts === 26 ? x : null;
    }, 'redelivered as attempt 26');
    assert.equal(again.attempt_log.length, 20, 'the last 20 attempts');
    assert.deepEqual(again.attempt_log.map((a) => a.attempt), Array.from({ length: 20 }, (_, i) => i + 7));
    assert.equal(again.attempt_log.at(-1).ok, true);
    const kept = await query('SELECT count(*)::int AS n FROM notify.webhook_attempt WHERE delivery_id = $1', [d.id]);
    assert.equal(kept[0].n, 20, 'older attempts are deleted, not hidden');

    // another subscription's delivery, or no delivery: 404
    const other = await subscribe(r.url);
    expectProblem(await na('GET', `/v1/webhooks/${other.id}/deliveries/${d.id}`), 404, 'not-found');
    expectProblem(await na('GET', `/v1/webhooks/${hook.id}/deliveries/999999999`), 404, 'not-found');
    expectProblem(await na('GET', `/v1/webhooks/${hook.id}/deliveries/0`, { invalid: true }), 404, 'not-found');

    // pruned with the delivery
    expectStatus(await na('DELETE', `/v1/webhooks/${hook.id}`), 204);
    const gone = await query('SELECT count(*)::int AS n FROM notify.webhook_attempt WHERE delivery_id = $1', [d.id]);
    assert.equal(gone[0].n, 0, 'the attempts go with the delivery');
  });
});

describe('webhooks: rotation, redelivery, replay', () => {
  it('rotation: both secrets sign for a day, and both signatures verify', async () => {
    const r = await receiver();
    const hook = await subscribe(r.url);
    const rot = await na('POST', `/v1/webhooks/${hook.id}/rotate`);
    expectStatus(rot, 200);
    assert.notEqual(rot.body.secret, hook.secret);
    const expires = Date.parse(rot.body.old_secret_expires_at) - Date.now();
    assert.ok(expires > 23.9 * 3600e3 && expires <= 24 * 3600e3, 'the old secret stays 24 h');
    r.secrets.push(hook.secret, rot.body.secret);
    const ids = await people(1);
    await within(scaled(10000), () => about(r, ids).length >= 1, 'a delivery');
    const [q] = about(r, ids);
    assert.equal(q.headers['webhook-signature'].split(' ').length, 2);
    assert.deepEqual(q.verified, [true, true], 'old and new secrets both verify');
    // the old secret's own signature, alone, verifies (a receiver not yet switched)
    const [newSig, oldSig] = q.headers['webhook-signature'].split(' ');
    assert.doesNotThrow(() => new Webhook(hook.secret).verify(q.body, { ...q.headers, 'webhook-signature': oldSig }));
    assert.doesNotThrow(() => new Webhook(rot.body.secret).verify(q.body, { ...q.headers, 'webhook-signature': newSig }));
    const got = await na('GET', `/v1/webhooks/${hook.id}`);
    assert.equal(got.body.secret, undefined);
    assert.equal(got.body.old_secret_expires_at, rot.body.old_secret_expires_at);
  });

  it('redeliver sends the same event again; replay re-queues the events since a time', async () => {
    const r = await receiver();
    const since = new Date(Date.now() - 1000).toISOString();
    const hook = await subscribe(r.url);
    r.secrets.push(hook.secret);
    const ids = await people(2);
    await within(scaled(10000), () => about(r, ids).length >= 2, 'two deliveries');
    const log = await deliveries(hook.id);
    const first = log.find((d) => d.event_id === about(r, ids)[0].id);
    const re = await na('POST', `/v1/webhooks/${hook.id}/deliveries/${first.id}/redeliver`);
    expectStatus(re, 202);
    assert.equal(re.body.status, 'pending');
    await within(scaled(10000), () => r.requests.filter((q) => q.id === first.event_id).length >= 2, 'redelivered');
    const again = r.requests.filter((q) => q.id === first.event_id);
    assert.equal(again[1].body, again[0].body, 'the same body');
    assert.deepEqual(again[1].verified, [true]);

    const rp = await na('POST', `/v1/webhooks/${hook.id}/replay`, { body: { since } });
    expectStatus(rp, 202);
    assert.ok(rp.body.requeued >= 2, JSON.stringify(rp.body));
    assert.equal(rp.body.more, false);
    await within(scaled(10000), () => ids.every((id) => about(r, [id]).length >= 2 + (about(r, [id])[0].id === first.event_id ? 1 : 0)),
      'replayed');

    const none = await na('POST', `/v1/webhooks/${hook.id}/deliveries/999999999/redeliver`);
    expectProblem(none, 404, 'not-found');
    const bad = await na('POST', `/v1/webhooks/${hook.id}/replay`, { body: { since: 'yesterday' }, invalid: true });
    expectProblem(bad, 400, 'validation', ['since']);
    const gone = await na('POST', '/v1/webhooks/00000000-0000-4000-8000-000000000000/replay', { body: { since } });
    expectProblem(gone, 404, 'not-found');
  });
});

describe('webhooks: where deliveries may go', () => {
  it('refuses private, link-local and unique local targets and plain http with a 422 naming url', async () => {
    const refused = [
      'http://10.0.0.1/hook',
      'https://10.0.0.1/hook',
      'https://169.254.169.254/latest/meta-data/',
      'https://192.168.1.10/',
      'https://172.16.5.4/',
      'https://[fd00::1]/',
      'https://[fe80::1]/',
      'https://[::ffff:10.0.0.1]/',
      'http://93.184.215.14/',          // public, but http to a target not allowed
      'https://0.0.0.0/',
      'https://no-such-host.invalid/',
    ];
    for (const url of refused) {
      const res = await na('POST', '/v1/webhooks', { body: { url } });
      expectProblem(res, 422, 'webhook-target-refused', ['url']);
    }
    for (const url of ['ftp://example.com/', 'not a url', 'http://user:pw@127.0.0.1/']) {
      const res = await na('POST', '/v1/webhooks', { body: { url } });
      expectProblem(res, 400, 'validation', ['url']);
    }
    const types = await na('POST', '/v1/webhooks', { body: { url: 'https://93.184.215.14/', types: 'Bad Type' } });
    expectProblem(types, 400, 'validation', ['types']);
    // a public https address is fine (disabled: nothing is sent out of this machine)
    const ok = await na('POST', '/v1/webhooks', { body: { url: 'https://93.184.215.14/hook', enabled: false } });
    expectStatus(ok, 201);
    hooks.push(ok.body.id);
    const patch = await na('PATCH', `/v1/webhooks/${ok.body.id}`, { body: { url: 'https://10.1.2.3/' } });
    expectProblem(patch, 422, 'webhook-target-refused', ['url']);
    const count = await query('SELECT count(*)::int AS n FROM notify.webhook WHERE url LIKE $1', ['%10.0.0.1%']);
    assert.equal(count[0].n, 0, 'nothing stored');
  });

  it('a notify that does not allow loopback refuses the delivery itself', async () => {
    const r = await receiver();
    const { name, url } = await createScratchDb();
    let extra;
    try {
      extra = await startExtra('notify', { TANDEM_DATABASE_URL: url, TANDEM_WEBHOOK_ALLOW: null,
        TANDEM_WEBHOOK_RETRY_BASE_MS: '100' }, 'ssrf');
      const c = await pgClient(name);
      try {
        // a subscription made before the rule changed, and an event for it
        const w = await c.query(`INSERT INTO notify.webhook (url, patterns, secret) VALUES ($1, '{%}', decode(repeat('ab', 32), 'hex'))
                                 RETURNING id`, [r.url]);
        await c.query(`INSERT INTO notify.webhook_delivery (webhook_id, event_id, event_type, sequence, body)
                       VALUES ($1, gen_random_uuid(), 'tandem.people.person.created', 1, '{}')`, [w.rows[0].id]);
        const d = await within(scaled(10000), async () => {
          const x = await c.query('SELECT attempts, error FROM notify.webhook_delivery WHERE webhook_id = $1', [w.rows[0].id]);
          return x.rows[0].attempts >= 1 && x.rows[0].error ? x.rows[0] : null;
        }, 'an attempt');
        assert.match(d.error, /^refused: 127\.0\.0\.1 is a loopback address/);
      } finally {
        await c.end();
      }
      assert.equal(r.requests.length, 0, 'nothing reached the receiver');
      const metrics = await fetch(`${extra.url}/metrics`).then((x) => x.text());
      assert.match(metrics, /tandem_webhook_deliveries_total\{outcome="refused"\} [1-9]/);
    } finally {
      if (extra) assert.equal(await extra.stop(), 0, 'a clean stop on SIGTERM');
      await dropScratchDb(name);
    }
  });
});

describe('webhooks: access', () => {
  it('is for admin only: other roles 403 and see nothing, no token 401', async () => {
    const r = await receiver();
    const hook = await subscribe(r.url);
    for (const roles of [['viewer'], ['mentor'], ['partner'], ['comms'], ['service']]) {
      const tok = roles[0] === 'service' ? serviceToken() : token({ roles });
      expectProblem(await na('GET', '/v1/webhooks', { token: tok }), 403, 'forbidden');
      expectProblem(await na('GET', `/v1/webhooks/${hook.id}`, { token: tok }), 403, 'forbidden');
      expectProblem(await na('GET', `/v1/webhooks/${hook.id}/deliveries`, { token: tok }), 403, 'forbidden');
      expectProblem(await na('GET', `/v1/webhooks/${hook.id}/deliveries/1`, { token: tok }), 403, 'forbidden');
      expectProblem(await na('POST', '/v1/webhooks', { token: tok, body: { url: r.url } }), 403, 'forbidden');
      expectProblem(await na('POST', `/v1/webhooks/${hook.id}/rotate`, { token: tok }), 403, 'forbidden');
      expectProblem(await na('DELETE', `/v1/webhooks/${hook.id}`, { token: tok }), 403, 'forbidden');
    }
    expectProblem(await na('GET', '/v1/webhooks', { token: null }), 401, 'unauthenticated');
    // the gateway routes /v1/webhooks to notify
    const gw = await na('GET', `/v1/webhooks/${hook.id}`, { base: gatewayUrl() });
    expectStatus(gw, 200);
    assert.equal(gw.body.id, hook.id);
    const del = await na('DELETE', `/v1/webhooks/${hook.id}`);
    expectStatus(del, 204);
    expectProblem(await na('GET', `/v1/webhooks/${hook.id}`), 404, 'not-found');
  });
});
