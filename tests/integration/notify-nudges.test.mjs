// Nudges and escalation on a stall (issue 13), over real HTTP and real SMTP:
// notify instances of this file's own send e-mail to an SMTP server on
// loopback (npm smtp-server), and the test reads each delivered message
// (npm mailparser): envelope recipient, subject, text.
//
// Time: the partner's last movement is moved back in notify's read model
// (as time passing would), then each instance runs with a test-only clock
// offset (TANDEM_NOTIFY_CLOCK_OFFSET_S) to reach the next step.  The
// partners are enrolled on a programme of this file's own, whose rule (14,
// 15, 16 days) no other test's enrolment meets.
//  - a stalled partner is nudged once, then their mentor, then the lead;
//    tandem.notify.nudge.sent says who and how, never the address;
//  - a paused enrolment is never nudged; the partner moving stops the chain;
//  - quiet hours are the recipient's own (Asia/Tokyo against UTC), and
//    weekends wait for Monday;
//  - SMTP down: retried, then delivered once;
//  - the delivery log's access, the rules' validation and access, the
//    mentors' digest (asked for, and on its day: once a week).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { api, expectProblem, expectStatus, gatewayUrl, requireEnv } from './lib/http.mjs';
import { adminToken, createMentor, createPairing, createPartner, createPerson, tokenFor, uniq } from './lib/fixtures.mjs';
import { query } from './lib/db.mjs';
import { createProgramme, enrol, ph } from './lib/phases.mjs';
import { createPlaybook, playbookBody } from './lib/strategy.mjs';
import { freePort, scaled, startService } from './lib/spawn.mjs';
import { scrape } from './lib/metrics.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const na = (method, path, o = {}) => api(method, path, { service: 'notify', ...o });
const DAY_S = 86400;
const NONE = { start: '00:00', end: '00:00', weekends: false };

// Polls @probe until it returns a truthy value; null after @ms.
async function within(ms, probe) {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() - t0 > ms) return null;
    await sleep(100);
  }
}

// An SMTP server on loopback that keeps every message it is given, parsed.
async function smtpSink(port = 0) {
  const mails = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      simpleParser(stream).then((m) => {
        mails.push({
          rcpt: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          from: session.envelope.mailFrom.address,
          subject: m.subject,
          text: m.text,
          html: m.html,
          messageId: m.messageId,
          date: m.date,
          mime: m.headers.get('mime-version'),
          to: m.to?.value ?? [],
        });
        cb();
      }, cb);
    },
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    port: server.server.address().port,
    mails,
    to: (email) => mails.filter((m) => m.rcpt.includes(email.toLowerCase())),
    close: () => new Promise((r) => server.close(r)),
  };
}

let sink;
let lead;
let prog;
const running = new Set();

function env(over = {}) {
  return {
    TANDEM_PEOPLE_URL: requireEnv('TANDEM_TEST_PEOPLE_URL'),
    TANDEM_PHASES_URL: requireEnv('TANDEM_TEST_PHASES_URL'),
    TANDEM_MENTORING_URL: requireEnv('TANDEM_TEST_MENTORING_URL'),
    TANDEM_STRATEGY_URL: requireEnv('TANDEM_TEST_STRATEGY_URL'),
    TANDEM_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
    TANDEM_SMTP_FROM: 'tandem@example.com',
    TANDEM_NUDGE_INTERVAL_MS: '250',
    TANDEM_NUDGE_RETRY_S: '1',
    TANDEM_DIGEST_DAY: String(((new Date().getUTCDay() + 2) % 7) + 1), // not today
    TANDEM_THREADS: '4',
    TANDEM_DB_POOL_SIZE: '6',
    ...over,
  };
}

// Runs a notify instance with the clock @offsetS ahead until @probe(instance)
// holds (then @settleMs more, to see that nothing else comes), and stops it.
async function runUntil(offsetS, probe, { settleMs = 1200, extra = {}, what = 'the expected mail' } = {}) {
  const inst = await startService('notify', {
    name: `notify-nudges-${uniq(3)}`,
    env: env({ TANDEM_NOTIFY_CLOCK_OFFSET_S: String(Math.round(offsetS)), ...extra }),
  });
  running.add(inst);
  try {
    await inst.waitReady();
    const ok = await within(scaled(20000), () => probe(inst));
    assert.ok(ok, `${what} (clock +${Math.round(offsetS)} s)\n${inst.output()}`);
    await sleep(settleMs);
    return ok;
  } finally {
    const res = await inst.stop();
    running.delete(inst);
    assert.equal(res.code, 0, `the instance exits 0 on SIGTERM\n${inst.output()}`);
  }
}

// Waits until notify's read model holds @partner's enrolment (with @status),
// their profile and, with @mentor, the pairing and the mentor's profile.
async function settled(partner, { mentor, status = 'active' } = {}) {
  const ok = await within(scaled(15000), async () => {
    const rows = await query(
      `SELECT 1 FROM notify.att_enrolment e JOIN notify.att_person p ON p.id = e.person_id
        WHERE e.person_id = $1 AND e.status = $2 AND p.email IS NOT NULL AND NOT p.profile_due
          AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM notify.att_pairing a
               JOIN notify.att_person m ON m.id = a.mentor_id AND m.email IS NOT NULL
               WHERE a.partner_id = e.person_id AND a.mentor_id = $3::uuid AND a.active))`,
      [partner.id, status, mentor?.id ?? null],
    );
    return rows.length === 1;
  });
  assert.ok(ok, `notify's read model has ${partner.display_name}'s enrolment and profile`);
}

// Moves @partner's last movement @days back in notify's read model; returns it.
async function stallFor(partner, days) {
  const rows = await query(
    `UPDATE notify.att_enrolment SET moved_at = now() - make_interval(secs => $2::float8),
            stalled_at = now() - make_interval(secs => $2::float8) + make_interval(days => stall_days)
      WHERE person_id = $1 RETURNING moved_at`,
    [partner.id, days * DAY_S],
  );
  await query(`UPDATE notify.att_person SET moved_at = $2 WHERE id = $1`, [partner.id, rows[0].moved_at]);
  return rows[0].moved_at;
}

const nudgesOf = (partner) =>
  query('SELECT * FROM notify.nudge WHERE partner_id = $1 ORDER BY seq', [partner.id]);

async function putRules(quiet = NONE, tok = adminToken()) {
  const res = await na('PUT', '/v1/nudge-rules', {
    token: tok,
    body: {
      defaults: { partner_days: 14, mentor_days: 21, lead_days: 35 },
      rules: [{ programme_id: prog.id, phase: null, partner_days: 14, mentor_days: 15, lead_days: 16 }],
      quiet_hours: quiet,
    },
  });
  return expectStatus(res, 200, 'replacing the nudge rules').body;
}

async function stalledPartner({ mentor = true, timezone = 'UTC' } = {}) {
  const partner = await createPartner({ timezone });
  const m = mentor ? await createMentor() : null;
  if (m) await createPairing(m, partner);
  const enrolment = await enrol(partner, prog.id);
  await settled(partner, { mentor: m });
  return { partner, mentor: m, enrolment };
}

const day = (t) => new Date(t).toISOString().slice(0, 10);

before(async () => {
  sink = await smtpSink();
  lead = await createPerson({ roles: ['admin'] });
  prog = await createProgramme([['kickoff', []], ['practice', []]]);
  await within(scaled(15000), async () =>
    (await query('SELECT 1 FROM notify.att_person WHERE id = $1 AND email IS NOT NULL', [lead.id])).length === 1);
  await putRules();
});

after(async () => {
  for (const inst of running) inst.kill();
  await sink?.close();
});

describe('the nudge rules', () => {
  it('admin replaces them (If-Match), mentors read them, others 403; every fault named', async () => {
    const mentor = await createMentor();
    const partner = await createPartner();
    let res = expectStatus(await na('GET', '/v1/nudge-rules', { token: tokenFor(mentor) }), 200);
    assert.deepEqual(res.body.defaults, { partner_days: 14, mentor_days: 21, lead_days: 35 });
    assert.deepEqual(res.body.rules, [
      { programme_id: prog.id, phase: null, partner_days: 14, mentor_days: 15, lead_days: 16 }]);
    const version = res.body.version;
    assert.equal(res.headers.get('etag'), `"${version}"`);
    expectProblem(await na('GET', '/v1/nudge-rules', { token: tokenFor(partner) }), 403, 'forbidden');
    expectProblem(await na('PUT', '/v1/nudge-rules', {
      token: tokenFor(mentor),
      body: { defaults: { partner_days: 1, mentor_days: 2, lead_days: 3 }, quiet_hours: NONE },
    }), 403, 'forbidden');
    expectProblem(await na('PUT', '/v1/nudge-rules', {
      token: adminToken(),
      invalid: true,
      body: {
        defaults: { partner_days: 14, mentor_days: 7, lead_days: 400 },
        rules: [{ programme_id: 'nope', phase: 'Not A Key', partner_days: 0, mentor_days: 1, lead_days: 1 }],
        quiet_hours: { start: '25:00', end: '08:00', weekends: 'yes' },
        colour: 'red',
      },
    }), 400, 'validation', ['defaults.mentor_days', 'defaults.lead_days', 'rules[0].programme_id',
      'rules[0].partner_days', 'quiet_hours.start', 'quiet_hours.weekends', 'colour']);
    expectProblem(await na('PUT', '/v1/nudge-rules', {
      token: adminToken(),
      headers: { 'if-match': `"${version + 100}"` },
      body: { defaults: { partner_days: 1, mentor_days: 2, lead_days: 3 }, quiet_hours: NONE },
    }), 412, 'precondition-failed');
    res = expectStatus(await na('GET', '/v1/nudge-rules', { token: adminToken() }), 200);
    assert.equal(res.body.version, version, 'nothing changed');
    const again = await putRules();
    assert.equal(again.version, version + 1);
    // the gateway routes them to notify
    res = expectStatus(await na('GET', '/v1/nudge-rules', { token: adminToken(), base: gatewayUrl() }), 200);
    assert.equal(res.body.version, version + 1);
    expectStatus(await na('GET', '/v1/nudges?limit=1', { token: adminToken(), base: gatewayUrl() }), 200);
  });
});

describe('the chain', () => {
  it('a stalled partner is nudged once, then their mentor, then the lead; a paused one never', async () => {
    const { partner, mentor, enrolment } = await stalledPartner();
    const paused = await createPartner();
    const pe = await enrol(paused, prog.id);
    expectStatus(await ph('POST', `/v1/enrolments/${pe.id}/pause`, { token: tokenFor(paused), body: { reason: 'a break' } }), 200);
    await settled(paused, { status: 'paused' });
    const since = await stallFor(partner, 14.5);
    await stallFor(paused, 40);

    // day 14.5: the partner
    await runUntil(0, () => sink.to(partner.email).length > 0, { what: 'the partner is nudged' });
    let mails = sink.to(partner.email);
    assert.equal(mails.length, 1, 'one nudge');
    const m = mails[0];
    assert.equal(m.subject, 'Your Tandem journey: a nudge to pick it up again');
    assert.match(m.text, new RegExp(`since ${day(since)} \\(14 days\\)`));
    assert.match(m.text, /You are in the kickoff phase/);
    assert.match(m.text, /None of your own target dates has passed/);
    assert.match(m.text, /Next step:/);
    assert.ok(m.text.includes(`/v1/enrolments/${enrolment.id}`));
    assert.match(m.html, /<p>Hello /);
    assert.equal(m.mime, '1.0');
    assert.match(m.messageId, /^<nudge-[0-9a-f-]{36}@example\.com>$/);
    assert.ok(Math.abs(m.date - Date.now()) < 120000, 'Date is now');
    assert.equal(m.from, 'tandem@example.com');
    assert.equal(m.to[0].name, partner.display_name);
    assert.equal(sink.to(mentor.email).length, 0, 'the mentor not yet');

    // the log and the event
    let log = expectStatus(await na('GET', `/v1/nudges?partner_id=${partner.id}`, { token: adminToken() }), 200).body.items;
    assert.equal(log.length, 1);
    assert.equal(log[0].step, 'partner');
    assert.equal(log[0].status, 'sent');
    assert.equal(log[0].channel, 'email');
    assert.equal(log[0].recipient_id, partner.id);
    assert.equal(log[0].attempts, 1);
    assert.equal(new Date(log[0].stall_since).getTime(), new Date(since).getTime());
    const ev = expectStatus(await na('GET', '/v1/events?type=tandem.notify.nudge.sent&limit=1000', { token: adminToken() }), 200)
      .body.items.find((e) => e.subject === log[0].id);
    assert.ok(ev, 'tandem.notify.nudge.sent is in notify\'s feed');
    assert.equal(ev.personid, partner.id);
    assert.deepEqual(ev.data, { step: 'partner', recipient_role: 'partner', recipient_id: partner.id, channel: 'email' });
    assert.ok(!JSON.stringify(ev).includes(partner.email), 'no address in the event');

    // day 15.5: the mentor, and the partner not again
    // ... and counted on that instance's /metrics by step and channel
    const sentTo = async (inst, step) =>
      (await scrape(inst.url)).value('tandem_nudges_total', { step, channel: 'email', outcome: 'sent' });
    await runUntil(DAY_S, async (inst) => sink.to(mentor.email).length > 0 && (await sentTo(inst, 'mentor')) >= 1,
      { what: 'the mentor is told, and /metrics counts it' });
    mails = sink.to(mentor.email);
    assert.equal(mails.length, 1);
    assert.equal(mails[0].subject, `${partner.display_name} has not moved since ${day(since)}`);
    assert.ok(mails[0].text.includes(`${partner.display_name}, whom you mentor`));
    assert.equal(sink.to(partner.email).length, 1, 'the partner is not nudged twice for one stall');

    // day 16.5: the programme lead
    const forLead = () => sink.to(lead.email).filter((x) => x.subject === `Stalled: ${partner.display_name}, since ${day(since)}`);
    await runUntil(2 * DAY_S, () => forLead().length > 0, { what: 'the lead is told' });
    assert.equal(forLead().length, 1);
    assert.ok(forLead()[0].text.includes(`Mentor: ${mentor.display_name}.`));
    assert.equal(sink.to(partner.email).length, 1);
    assert.equal(sink.to(mentor.email).length, 1);
    log = expectStatus(await na('GET', `/v1/nudges?partner_id=${partner.id}&status=sent`, { token: adminToken() }), 200).body.items;
    assert.deepEqual(log.map((x) => x.step).filter((s, i, a) => a.indexOf(s) === i), ['partner', 'mentor', 'lead']);

    // paused: never
    assert.equal(sink.to(paused.email).length, 0, 'a paused enrolment is never nudged');
    assert.equal((await nudgesOf(paused)).length, 0);
  });

  it('the partner moving on (in another service) stops the chain', async () => {
    const { partner, mentor } = await stalledPartner();
    const since = await stallFor(partner, 14.5);
    await runUntil(0, () => sink.to(partner.email).length > 0, { what: 'the partner is nudged' });
    // the partner starts their playbook: strategy's event reaches notify's read model
    await createPlaybook(tokenFor(partner), playbookBody(prog.id));
    const moved = await within(scaled(10000), async () =>
      (await query('SELECT 1 FROM notify.att_enrolment WHERE person_id = $1 AND moved_at > $2', [partner.id, since])).length === 1);
    assert.ok(moved, 'the movement reached notify');
    // a day later the old stall would have reached the mentor: nothing comes
    await runUntil(DAY_S, () => true, { settleMs: 2000 });
    assert.equal(sink.to(mentor.email).length, 0, 'the mentor is not told');
    assert.equal(sink.to(partner.email).length, 1, 'no second nudge: the new stall is a day old');
    assert.deepEqual((await nudgesOf(partner)).map((n) => n.step), ['partner']);
  });
});

describe('quiet hours and weekends', () => {
  it('wait for the recipient\'s own waking hours (Asia/Tokyo against UTC)', async () => {
    const tokyo = await stalledPartner({ mentor: false, timezone: 'Asia/Tokyo' });
    const utc = await stalledPartner({ mentor: false, timezone: 'UTC' });
    // quiet from an hour before to an hour after Tokyo's time now; UTC is 9 h away
    const local = new Date(Date.now() + 9 * 3600 * 1000);
    const mins = local.getUTCHours() * 60 + local.getUTCMinutes();
    const hhmm = (x) => { const v = ((x % 1440) + 1440) % 1440; return `${String(Math.floor(v / 60)).padStart(2, '0')}:${String(v % 60).padStart(2, '0')}`; };
    await putRules({ start: hhmm(mins - 60), end: hhmm(mins + 60), weekends: false });
    try {
      await stallFor(tokyo.partner, 14.5);
      await stallFor(utc.partner, 14.5);
      await runUntil(0, () => sink.to(utc.partner.email).length > 0, { what: 'the UTC partner is nudged' });
      assert.equal(sink.to(tokyo.partner.email).length, 0, 'not in Tokyo\'s quiet hours');
      const row = (await nudgesOf(tokyo.partner)).find((n) => n.step === 'partner');
      assert.equal(row.status, 'pending');
      assert.match(row.outcome, /quiet hours/);
      assert.equal(row.attempts, 0, 'a deferral is not an attempt');
      const wait = (new Date(row.next_attempt_at) - Date.now()) / 60000;
      assert.ok(wait > 50 && wait <= 61, `deferred to the end of the quiet hours (${wait.toFixed(1)} min)`);
      // new quiet hours: what waited is looked at again at once
      await putRules({ start: hhmm(mins - 60), end: hhmm(mins + 90), weekends: false });
      const again = (await nudgesOf(tokyo.partner)).find((n) => n.step === 'partner');
      assert.ok(new Date(again.next_attempt_at) <= new Date(), 'due again after a change of the rules');
      // two hours later Tokyo is awake
      await runUntil(2 * 3600, () => sink.to(tokyo.partner.email).length > 0, { what: 'Tokyo is nudged after its quiet hours' });
      assert.equal(sink.to(tokyo.partner.email).length, 1);
    } finally {
      await putRules();
    }
  });

  it('a nudge due on a Saturday waits for Monday', async () => {
    const p = await stalledPartner({ mentor: false, timezone: 'UTC' });
    await putRules({ start: '00:00', end: '00:00', weekends: true });
    try {
      await stallFor(p.partner, 14.5);
      const now = new Date();
      const sat = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 12));
      sat.setUTCDate(sat.getUTCDate() + ((6 - sat.getUTCDay() + 7) % 7 || 7)); // the next Saturday, noon
      const toSat = (sat - now) / 1000;
      await runUntil(toSat, async (inst) => (await nudgesOf(p.partner)).some((n) => /quiet hours/.test(n.outcome ?? ''))
        && (await scrape(inst.url)).value('tandem_nudges_total', { step: 'partner', channel: 'email', outcome: 'deferred' }) >= 1,
        { what: 'deferred on Saturday, and counted as deferred in /metrics' });
      assert.equal(sink.to(p.partner.email).length, 0);
      const row = (await nudgesOf(p.partner)).find((n) => n.step === 'partner');
      const monday = new Date(sat.getTime() + 36 * 3600 * 1000); // Monday 00:00 on that clock
      assert.ok(Math.abs(new Date(row.next_attempt_at) - monday) < 120000,
        `next attempt at Monday 00:00 in the partner's zone (${row.next_attempt_at.toISOString()})`);
      await runUntil(toSat + 2 * DAY_S, () => sink.to(p.partner.email).length > 0, { what: 'sent on Monday' });
    } finally {
      await putRules();
    }
  });
});

describe('delivery', () => {
  it('SMTP down: retried with backoff, then delivered once', async () => {
    const p = await stalledPartner({ mentor: false });
    await stallFor(p.partner, 14.5);
    const port = await freePort();
    const inst = await startService('notify', {
      name: `notify-nudges-down-${uniq(3)}`,
      env: env({ TANDEM_SMTP_URL: `smtp://127.0.0.1:${port}`, TANDEM_SMTP_TIMEOUT_MS: '1000' }),
    });
    running.add(inst);
    let second;
    try {
      await inst.waitReady();
      const failing = await within(scaled(20000), async () => {
        const [row] = await nudgesOf(p.partner);
        return row && row.status === 'pending' && row.attempts >= 2 ? row : null;
      });
      assert.ok(failing, `attempted and kept for a retry\n${inst.output()}`);
      assert.match(failing.outcome, /smtp: /);
      // an on-call engineer sees it on /metrics: e-mails failing, steps retried
      const m = await scrape(inst.url);
      assert.equal(m.type('tandem_nudges_total'), 'counter');
      assert.ok(m.value('tandem_notify_emails_failed_total') >= 2, m.text);
      assert.ok(m.value('tandem_nudges_total', { step: 'partner', channel: 'email', outcome: 'retried' }) >= 2, m.text);
      assert.equal(m.value('tandem_nudges_total', { outcome: 'sent' }), 0, 'nothing sent while the server is down');
      second = await smtpSink(port);
      const got = await within(scaled(20000), () => second.to(p.partner.email).length > 0);
      assert.ok(got, 'delivered once the server is back');
      await sleep(1500);
      assert.equal(second.to(p.partner.email).length, 1, 'delivered once');
      const after = await scrape(inst.url);
      assert.ok(after.value('tandem_nudges_total', { step: 'partner', channel: 'email', outcome: 'sent' }) >= 1, after.text);
      const [row] = await nudgesOf(p.partner);
      assert.equal(row.status, 'sent');
      assert.ok(row.attempts >= 3);
    } finally {
      assert.equal((await inst.stop()).code, 0);
      running.delete(inst);
      await second?.close();
    }
  });

  it('the database dropping the scheduler\'s connections costs a round, not a nudge', async () => {
    const p = await stalledPartner({ mentor: false });
    const app = `nudges-drop-${uniq(3)}`;
    const url = new URL(requireEnv('TANDEM_TEST_DATABASE_URL'));
    url.searchParams.set('application_name', app);
    const inst = await startService('notify', { name: `notify-nudges-drop-${uniq(3)}`, env: env({ TANDEM_DATABASE_URL: url.toString() }) });
    running.add(inst);
    try {
      await inst.waitReady();
      // every connection of this instance is terminated, again and again, while the stall comes due
      const kill = () => query('SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1', [app]);
      assert.ok((await kill())[0].n > 0, 'the instance had connections to drop');
      await stallFor(p.partner, 14.5);
      for (let i = 0; i < 5; i++) {
        await sleep(150);
        await kill();
      }
      const got = await within(scaled(20000), () => sink.to(p.partner.email).length > 0);
      assert.ok(got, `nudged once the database answers again\n${inst.output()}`);
      await sleep(1000);
      assert.equal(sink.to(p.partner.email).length, 1, 'once');
      assert.ok((await fetch(`${inst.url}/healthz`)).ok, 'still alive');
    } finally {
      assert.equal((await inst.stop()).code, 0);
      running.delete(inst);
    }
  });

  it('the log: admin sees all, a mentor their partners\', others 403; bad filters named', async () => {
    const a = await stalledPartner();
    await stallFor(a.partner, 14.5);
    await runUntil(0, () => sink.to(a.partner.email).length > 0);
    let items = expectStatus(await na('GET', `/v1/nudges?partner_id=${a.partner.id}`, { token: tokenFor(a.mentor) }), 200).body.items;
    assert.equal(items.length, 1, 'their mentor sees it');
    const other = await createMentor();
    items = expectStatus(await na('GET', `/v1/nudges?partner_id=${a.partner.id}`, { token: tokenFor(other) }), 200).body.items;
    assert.equal(items.length, 0, 'another mentor does not');
    expectProblem(await na('GET', '/v1/nudges', { token: tokenFor(a.partner) }), 403, 'forbidden');
    expectProblem(await na('GET', '/v1/nudges?step=nobody&partner_id=x', { token: adminToken(), invalid: true }),
      400, 'validation', ['step', 'partner_id']);
    const page = expectStatus(await na('GET', '/v1/nudges?limit=1', { token: adminToken() }), 200).body;
    assert.equal(page.items.length, 1);
    assert.ok(page.next_cursor);
  });
});

describe('the mentors\' weekly digest', () => {
  it('an admin sends it now; on its day it goes once a week', async () => {
    const { partner, mentor } = await stalledPartner();
    await stallFor(partner, 8); // past the phase's stall threshold (7), short of a nudge (14)
    const inst = await startService('notify', { name: `notify-digest-${uniq(3)}`, env: env({ TANDEM_NUDGE_INTERVAL_MS: '0' }) });
    running.add(inst);
    try {
      await inst.waitReady();
      expectProblem(await na('POST', `/v1/digests/run?mentor_id=${mentor.id}`, { token: tokenFor(mentor), base: inst.url }), 403, 'forbidden');
      const res = expectStatus(await na('POST', `/v1/digests/run?mentor_id=${mentor.id}`, { token: adminToken(), base: inst.url }), 200);
      assert.deepEqual(res.body, { sent: 1, failed: 0 });
    } finally {
      assert.equal((await inst.stop()).code, 0);
      running.delete(inst);
    }
    const digests = () => sink.to(mentor.email).filter((m) => m.subject === 'Your week in Tandem: 1 partners');
    assert.equal(digests().length, 1);
    assert.match(digests()[0].text, new RegExp(`${partner.display_name}: kickoff, stalled; write-ups owed: 0;`));

    // on its day (today, from 00:00 in the mentor's zone): once, however often the scheduler looks
    const today = String(((new Date().getUTCDay() + 6) % 7) + 1);
    await runUntil(0, () => digests().length === 2,
      { extra: { TANDEM_DIGEST_DAY: today, TANDEM_DIGEST_HOUR: '0' }, what: 'the weekly digest' });
    await runUntil(0, () => true, { extra: { TANDEM_DIGEST_DAY: today, TANDEM_DIGEST_HOUR: '0' }, settleMs: 1500 });
    assert.equal(digests().length, 2, 'once this week');
  });
});
