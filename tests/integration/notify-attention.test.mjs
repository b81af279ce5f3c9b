// The attention list (issue 13): GET /v1/attention, answered from notify's
// own read model of the suite's events, over real HTTP against the real
// services.
//  - each reason appears for the roles that act on it, within 2 s of the
//    change in the service that owns it, and goes when it is dealt with
//    (write-up written, section reviewed, integration decided, the partner
//    moving again, the pairing ending), also within 2 s;
//  - who sees what: a mentor their active partners' items and the write-ups
//    they owe, never another mentor's; the programme lead everything; comms
//    the integrations pending review; a partner their own slipped targets and
//    returned integrations; viewers and services 403; no token 401; a person
//    who left 403 access-withdrawn;
//  - filters (reason, programme, person), pages against the unpaged list,
//    bad filters named in one 400;
//  - no private text in the model (notes written up never reach notify).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectProblem, expectStatus, requireEnv } from './lib/http.mjs';
import {
  adminToken, createMentor, createPairing, createPartner, createPerson, endPairing, serviceToken, tokenFor, uniq,
} from './lib/fixtures.mjs';
import { query } from './lib/db.mjs';
import { DEFAULT_PROGRAMME, enrol, ph, selfAssess } from './lib/phases.mjs';
import { createCompletion, createItem, createSession, fullAdherence, holdSession, m } from './lib/mentoring.mjs';
import { createPlaybook, decide, integrate, playbookBody, publishStrategy, setStatus } from './lib/strategy.mjs';
import { createScratchDb, dropScratchDb, pgClient, scaled, startService, suitePeers } from './lib/spawn.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// A completion's done_at a moment ago: never before the day its item started (the default,
// an hour ago, is yesterday in the first hour of a UTC day)
const justNow = () => new Date(Date.now() - 1000).toISOString();
const na = (method, path, o = {}) => api(method, path, { service: 'notify', ...o });
const WITHIN_MS = scaled(2000);

// The caller's items (one page of up to 500), optionally filtered.
async function attention(tok, params = {}) {
  const qs = new URLSearchParams({ limit: '500', ...params });
  return expectStatus(await na('GET', `/v1/attention?${qs}`, { token: tok }), 200, 'reading the attention list').body.items;
}

// Polls @tok's list until @pred(items) holds or the time is up: [items, ms].
async function until(tok, params, pred, ms = WITHIN_MS + 1000) {
  const t0 = Date.now();
  for (let i = 0; i < 1000; i++) {
    const items = await attention(tok, params);
    if (pred(items)) return [items, Date.now() - t0];
    if (Date.now() - t0 > ms) return [items, Date.now() - t0];
    await sleep(25);
  }
  throw new Error('unreachable');
}

const has = (reason, subject) => (items) => items.some((i) => i.reason === reason && i.subject_id === subject);
const hasNot = (reason, subject) => (items) => !has(reason, subject)(items);

// The slowest change-to-list seen (reported at the end).
const slowest = { ms: 0, what: '' };

// Asserts the item shows (or goes, @gone) for @tok within 2 s of @t0.
async function within2s(tok, reason, subject, { gone = false, params = {}, what = '' } = {}) {
  const t0 = Date.now();
  const [items, ms] = await until(tok, params, gone ? hasNot(reason, subject) : has(reason, subject));
  if (ms > slowest.ms) Object.assign(slowest, { ms, what: `${what}: ${reason}${gone ? ' gone' : ''}` });
  assert.equal(has(reason, subject)(items), !gone, `${what}: ${reason} ${gone ? 'still there' : 'missing'} after ${ms} ms`);
  assert.ok(Date.now() - t0 < WITHIN_MS, `${what}: ${reason} took ${Date.now() - t0} ms (more than 2 s)`);
  return items.find((i) => i.reason === reason && i.subject_id === subject);
}

// The model's own rows, for setting up time having passed.
async function modelEnrolment(id) {
  for (let i = 0; i < 200; i++) {
    const rows = await query('SELECT * FROM notify.att_enrolment WHERE id = $1', [id]);
    if (rows.length === 1) return rows[0];
    await sleep(25);
  }
  throw new Error(`enrolment ${id} never reached notify's model`);
}

// As if @days passed since the partner last moved: the model's clock, not phases'.
async function ageModel(enrolmentId, days) {
  await modelEnrolment(enrolmentId);
  await query(
    `UPDATE notify.att_enrolment SET moved_at = now() - make_interval(days => $2),
            stalled_at = now() - make_interval(days => $2) + make_interval(days => stall_days)
      WHERE id = $1`,
    [enrolmentId, days],
  );
  await query('SELECT notify.att_enrolment_sync($1)', [enrolmentId]);
}

describe('GET /v1/attention', () => {
  const w = {};
  after(() => console.log(`# attention: slowest change to list ${slowest.ms} ms (${slowest.what})`));

  before(async () => {
    w.M = await createMentor();
    w.M2 = await createMentor();
    w.P = await createPartner({ timezone: 'Europe/London' });
    w.P2 = await createPartner();
    w.C = await createPerson({ roles: ['comms'] });
    w.V = await createPerson({ roles: ['viewer'] });
    w.pairing = await createPairing(w.M, w.P);
    w.pairing2 = await createPairing(w.M2, w.P2);
    w.t = {
      admin: adminToken(),
      mentor: tokenFor(w.M),
      mentor2: tokenFor(w.M2),
      partner: tokenFor(w.P),
      partner2: tokenFor(w.P2),
      comms: tokenFor(w.C),
      viewer: tokenFor(w.V),
    };
    w.enrolment = await enrol(w.P);
    w.enrolment2 = await enrol(w.P2);
  });

  it('shows a mentor a partner who stalled, with their name, and drops it within 2 s of the partner moving', async () => {
    await ageModel(w.enrolment.id, 30);
    const item = await within2s(w.t.mentor, 'stalled', w.enrolment.id, { what: 'mentor' });
    assert.equal(item.person.id, w.P.id);
    assert.equal(item.link, `/v1/enrolments/${w.enrolment.id}`);
    assert.equal(item.programme_id, DEFAULT_PROGRAMME);
    assert.equal(item.phase, 'research');
    assert.ok(Date.now() - Date.parse(item.since) > 29 * 86400e3, `since is the last movement: ${item.since}`);
    const [named] = await until(w.t.mentor, { reason: 'stalled' }, (items) =>
      items.some((i) => i.subject_id === w.enrolment.id && i.person.name === w.P.display_name));
    assert.ok(named.some((i) => i.person.name === w.P.display_name), 'the name comes from people');
    // the lead sees it; the other mentor, comms and the partner do not
    await within2s(w.t.admin, 'stalled', w.enrolment.id, { params: { person_id: w.P.id }, what: 'admin' });
    assert.ok(hasNot('stalled', w.enrolment.id)(await attention(w.t.mentor2)), 'another mentor');
    assert.ok(hasNot('stalled', w.enrolment.id)(await attention(w.t.comms)), 'comms');
    assert.ok(hasNot('stalled', w.enrolment.id)(await attention(w.t.partner)), 'the partner (stalled is for their mentor)');

    // the partner moves (a self-assessment in phases): gone within 2 s
    await selfAssess(w.P, w.t.partner);
    await within2s(w.t.mentor, 'stalled', w.enrolment.id, { gone: true, what: 'after moving' });
    const row = await modelEnrolment(w.enrolment.id);
    assert.ok(Date.now() - row.moved_at.getTime() < 60e3, 'the movement time is the event\'s');
    const person = (await query('SELECT moved_by, timezone FROM notify.att_person WHERE id = $1', [w.P.id]))[0];
    assert.equal(person.moved_by, 'tandem.phases.assessment.submitted');
    assert.equal(person.timezone, 'Europe/London');
  });

  it('shows the partner, their mentor and the lead a target date of the partner\'s own that slipped', async () => {
    const target = new Date(Date.now() + 20 * 86400e3).toISOString().slice(0, 10);
    const res = await ph('PATCH', `/v1/enrolments/${w.enrolment.id}/target-dates`, {
      token: w.t.partner,
      body: { targets: { research: target }, reason: 'a busy quarter' },
    });
    expectStatus(res, 200, 'setting a target date');
    // the plan reaches the model from the event
    const t0 = Date.now();
    let row;
    while (Date.now() - t0 < WITHIN_MS) {
      row = await modelEnrolment(w.enrolment.id);
      if (row.next_target && row.next_target.toISOString?.().slice(0, 10) === target) break;
      if (String(row.next_target).includes(target)) break;
      await sleep(25);
    }
    assert.ok(Date.now() - t0 < WITHIN_MS, 'the target date reached notify within 2 s');
    assert.ok(hasNot('behind_own_plan', w.enrolment.id)(await attention(w.t.partner)), 'not behind before the date');
    // the date passes
    await query(`UPDATE notify.att_enrolment SET next_target = current_date - 3,
                   phases = jsonb_set(phases, '{0,target_date}', to_jsonb((current_date - 3)::text))
                 WHERE id = $1`, [w.enrolment.id]);
    await query('SELECT notify.att_enrolment_sync($1)', [w.enrolment.id]);
    for (const [who, tok] of [['partner', w.t.partner], ['mentor', w.t.mentor]]) {
      const item = await within2s(tok, 'behind_own_plan', w.enrolment.id, { what: who });
      assert.equal(item.phase, 'research');
      assert.equal(item.link, `/v1/enrolments/${w.enrolment.id}/target-dates`);
    }
    await within2s(w.t.admin, 'behind_own_plan', w.enrolment.id, { params: { person_id: w.P.id }, what: 'admin' });
    assert.ok(hasNot('behind_own_plan', w.enrolment.id)(await attention(w.t.partner2)), 'another partner');
    assert.ok(hasNot('behind_own_plan', w.enrolment.id)(await attention(w.t.mentor2)), 'another mentor');
    const slipped = await query(`SELECT notify.att_slipped(phases, current_date) AS s FROM notify.att_enrolment
                                  WHERE id = $1`, [w.enrolment.id]);
    assert.deepEqual(slipped[0].s.map((x) => x.key), ['research'], 'which target slipped');
    // a paused enrolment asks nothing of anyone
    expectStatus(await ph('POST', `/v1/enrolments/${w.enrolment.id}/pause`, { token: w.t.partner, body: { reason: 'busy season' } }), 200);
    await within2s(w.t.partner, 'behind_own_plan', w.enrolment.id, { gone: true, what: 'paused' });
    expectStatus(await ph('POST', `/v1/enrolments/${w.enrolment.id}/resume`, { token: w.t.partner, body: { reason: 'back' } }), 200);
  });

  it('lists the write-up a mentor owes for a session held, until it is written up', async () => {
    const session = await createSession(w.pairing, w.t.mentor);
    await holdSession(session, w.t.mentor);
    const item = await within2s(w.t.mentor, 'write_up_owed', session.id, { what: 'mentor' });
    assert.equal(item.person.id, w.P.id);
    assert.equal(item.link, `/v1/sessions/${session.id}/write-up`);
    await within2s(w.t.admin, 'write_up_owed', session.id, { params: { reason: 'write_up_owed', person_id: w.P.id }, what: 'admin' });
    assert.ok(hasNot('write_up_owed', session.id)(await attention(w.t.partner)), 'the partner');
    assert.ok(hasNot('write_up_owed', session.id)(await attention(w.t.mentor2)), 'another mentor');

    // the partner's reflection alone does not complete it
    const secret = `private-reflection-${Date.now()}`;
    expectStatus(await m('PATCH', `/v1/sessions/${session.id}/write-up`, {
      token: w.t.partner, body: { partner_reflection: secret },
    }), 200);
    await sleep(300);
    assert.ok(has('write_up_owed', session.id)(await attention(w.t.mentor)), 'still owed after a reflection alone');
    expectStatus(await m('PATCH', `/v1/sessions/${session.id}/write-up`, {
      token: w.t.mentor,
      body: { shared_notes: `notes ${secret}`, guideline_adherence: await fullAdherence(w.t.mentor) },
    }), 200);
    await within2s(w.t.mentor, 'write_up_owed', session.id, { gone: true, what: 'written up' });
    // nothing the two wrote reached notify's read model
    for (const t of ['att_item', 'att_person', 'att_enrolment', 'att_pairing']) {
      const rows = await query(`SELECT count(*) AS n FROM notify.${t} x WHERE x::text LIKE $1`, [`%${secret}%`]);
      assert.equal(Number(rows[0].n), 0, `private text in notify.${t}`);
    }
  });

  it('lists a playbook section ready for review for the mentor until they review it', async () => {
    const pb = await createPlaybook(w.t.partner, playbookBody(DEFAULT_PROGRAMME));
    await setStatus(w.t.partner, pb.id, 'purpose', 'ready_for_review');
    const item = await within2s(w.t.mentor, 'section_review', pb.id, { what: 'mentor' });
    assert.equal(item.section, 'purpose');
    assert.equal(item.link, `/v1/playbooks/${pb.id}/sections/purpose/status`);
    assert.equal(item.programme_id, DEFAULT_PROGRAMME);
    assert.ok(hasNot('section_review', pb.id)(await attention(w.t.mentor2)), 'another mentor');
    assert.ok(hasNot('section_review', pb.id)(await attention(w.t.partner)), 'the partner');
    await setStatus(w.t.mentor, pb.id, 'purpose', 'reviewed');
    await within2s(w.t.mentor, 'section_review', pb.id, { gone: true, what: 'reviewed' });
    w.playbook = pb;
  });

  it('lists a partner\'s completions waiting for the mentor\'s verification as one item with their count', async () => {
    const item = await createItem(w.P, w.t.partner);
    await createCompletion(w.P, item, w.t.partner, { done_at: justNow() });
    const first = await within2s(w.t.mentor, 'completion_verification', w.P.id, { what: 'mentor' });
    assert.equal(first.link, `/v1/checklists/${w.P.id}/completions?verified=false`);
    await createCompletion(w.P, item, w.t.partner, { done_at: justNow() });
    const [items] = await until(w.t.mentor, { reason: 'completion_verification' },
      (xs) => xs.some((i) => i.subject_id === w.P.id && i.count === first.count + 1));
    const both = items.find((i) => i.subject_id === w.P.id);
    assert.equal(both?.count, first.count + 1, 'the second completion counts in the same item');
    assert.equal(both.since, first.since, 'since the oldest waiting');
    assert.ok(hasNot('completion_verification', w.P.id)(await attention(w.t.mentor2)), 'another mentor');
    assert.ok(hasNot('completion_verification', w.P.id)(await attention(w.t.comms)), 'comms');
  });

  it('shows comms and the lead an integration pending review, and the partner and the lead one returned', async () => {
    await publishStrategy(w.t.comms);
    const pb = w.playbook ?? await createPlaybook(w.t.partner, playbookBody(DEFAULT_PROGRAMME));
    const integ = await integrate(w.t.partner, pb.id);
    const item = await within2s(w.t.comms, 'integration_pending_review', integ.id, { what: 'comms' });
    assert.equal(item.link, `/v1/integrations/${integ.id}`);
    assert.equal(item.person.id, w.P.id);
    await within2s(w.t.admin, 'integration_pending_review', integ.id, { params: { person_id: w.P.id }, what: 'admin' });
    assert.ok(hasNot('integration_pending_review', integ.id)(await attention(w.t.mentor)), 'the mentor');
    assert.ok(hasNot('integration_pending_review', integ.id)(await attention(w.t.partner)), 'the partner');

    await decide(w.t.comms, integ.id, 'returned', 'Align the golf theme with a pillar, please.');
    await within2s(w.t.comms, 'integration_pending_review', integ.id, { gone: true, what: 'comms after returning' });
    await within2s(w.t.partner, 'integration_returned', integ.id, { what: 'partner' });
    await within2s(w.t.admin, 'integration_returned', integ.id, { params: { reason: 'integration_returned' }, what: 'admin' });
    assert.ok(hasNot('integration_returned', integ.id)(await attention(w.t.partner2)), 'another partner');
  });

  it('stops showing a mentor their former partner\'s items within 2 s of the pairing ending', async () => {
    const partner = await createPartner();
    const mentor = await createMentor();
    const pairing = await createPairing(mentor, partner);
    const session = await createSession(pairing, tokenFor(mentor));
    await holdSession(session, tokenFor(mentor));
    const e = await enrol(partner);
    await ageModel(e.id, 40);
    await within2s(tokenFor(mentor), 'stalled', e.id, { what: 'while paired' });
    await endPairing(pairing);
    await within2s(tokenFor(mentor), 'stalled', e.id, { gone: true, what: 'after the pairing ended' });
    // the write-up they owe is still theirs
    assert.ok(has('write_up_owed', session.id)(await attention(tokenFor(mentor))), 'the write-up owed stays');
  });

  it('filters by reason, programme and person, and pages through the same items as one page', async () => {
    const all = await attention(w.t.admin, { person_id: w.P.id });
    assert.ok(all.length >= 2, `the lead sees the partner's items (${all.length})`);
    assert.ok(all.every((i) => i.person.id === w.P.id));
    const reasons = new Set(all.map((i) => i.reason));
    for (const r of reasons) {
      const only = await attention(w.t.admin, { person_id: w.P.id, reason: r });
      assert.deepEqual(only.map((i) => i.subject_id), all.filter((i) => i.reason === r).map((i) => i.subject_id));
    }
    const other = await attention(w.t.admin, { person_id: w.P.id, programme_id: '00000000-0000-4000-8000-0000000000ff' });
    assert.deepEqual(other, [], 'no items in a programme the partner is not in');
    const inProgramme = await attention(w.t.admin, { person_id: w.P.id, programme_id: DEFAULT_PROGRAMME });
    assert.equal(inProgramme.length, all.length, 'items without a programme count for the partner\'s programme');
    // pages of 1 give the same items in the same order
    const paged = [];
    let cursor = null;
    for (let i = 0; i < 100; i++) {
      const qs = new URLSearchParams({ person_id: w.P.id, limit: '1', ...(cursor ? { cursor } : {}) });
      const page = expectStatus(await na('GET', `/v1/attention?${qs}`, { token: w.t.admin }), 200).body;
      assert.ok(page.items.length <= 1);
      paged.push(...page.items);
      cursor = page.next_cursor;
      if (!cursor) break;
    }
    assert.deepEqual(paged.map((i) => `${i.reason}/${i.subject_id}/${i.section}`),
      all.map((i) => `${i.reason}/${i.subject_id}/${i.section}`));
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].since <= all[i].since, 'oldest first');
  });

  // PostgreSQL writes each item's JSON text with the item and splices the person's name in
  // when the list is read; the page without filters runs another statement than a filtered one.
  it('shows the same items with and without filters, a name with quotes, backslashes and any letters as written', async () => {
    const name = `Zoë "Zed" O'Brien \\ 李 🎾 </b> ${uniq(3)}`;
    const partner = await createPartner({ display_name: name });
    const mentor = await createMentor();
    const pairing = await createPairing(mentor, partner);
    const tok = tokenFor(mentor);
    const e = await enrol(partner);
    await holdSession(await createSession(pairing, tok), tok);
    await ageModel(e.id, 30);
    const [items] = await until(tok, {}, (xs) => xs.length >= 2 && xs.every((i) => i.person.name === name));
    assert.deepEqual(items.map((i) => i.person.name), items.map(() => name), 'the name exactly as people has it');
    const stalled = items.find((i) => i.reason === 'stalled');
    assert.deepEqual(stalled, {
      person: { id: partner.id, name },
      reason: 'stalled',
      since: stalled.since,
      link: `/v1/enrolments/${e.id}`,
      subject_id: e.id,
      programme_id: DEFAULT_PROGRAMME,
      phase: 'research',
      section: null,
      count: 1,
    });
    assert.match(stalled.since, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const owed = items.find((i) => i.reason === 'write_up_owed');
    assert.equal(owed.programme_id, null, 'a write-up has no programme');
    assert.equal(owed.phase, null);

    // the mentor's list without filters is the union of their lists by reason, item for item
    const byReason = [];
    for (const reason of new Set(items.map((i) => i.reason))) byReason.push(...await attention(tok, { reason }));
    const key = (i) => `${i.since}/${i.reason}/${i.subject_id}/${i.section}`;
    assert.deepEqual([...byReason].sort((a, b) => key(a).localeCompare(key(b))),
      [...items].sort((a, b) => key(a).localeCompare(key(b))));

    // the lead's list without filters holds the partner's items as the filtered one shows them
    const mine = await attention(w.t.admin, { person_id: partner.id });
    const seen = [];
    let cursor = null;
    for (let i = 0; i < 100; i++) {
      const qs = new URLSearchParams({ limit: '500', ...(cursor ? { cursor } : {}) });
      const page = expectStatus(await na('GET', `/v1/attention?${qs}`, { token: w.t.admin }), 200).body;
      seen.push(...page.items.filter((x) => x.person.id === partner.id));
      for (let j = 1; j < page.items.length; j++) assert.ok(page.items[j - 1].since <= page.items[j].since, 'oldest first');
      cursor = page.next_cursor;
      if (!cursor) break;
    }
    assert.equal(cursor, null, 'the lead\'s list ends');
    assert.deepEqual(seen, mine);
    // and its pages follow on from each other
    const p1 = expectStatus(await na('GET', '/v1/attention?limit=2', { token: w.t.admin }), 200).body;
    assert.equal(p1.items.length, 2);
    const p2 = expectStatus(await na('GET', `/v1/attention?limit=2&cursor=${p1.next_cursor}`, { token: w.t.admin }), 200).body;
    assert.ok(p2.items.length > 0);
    assert.ok(p1.items[1].since <= p2.items[0].since, 'the second page starts after the first');
    assert.ok(!p2.items.some((x) => p1.items.some((y) => key(x) === key(y))), 'no item on both pages');
  });

  it('is routed by the gateway', async () => {
    const gw = requireEnv('TANDEM_TEST_GATEWAY_URL');
    const direct = await attention(w.t.mentor);
    const via = expectStatus(await na('GET', '/v1/attention?limit=500', { token: w.t.mentor, base: gw }), 200).body.items;
    assert.deepEqual(via.map((i) => i.subject_id), direct.map((i) => i.subject_id));
    expectProblem(await na('GET', '/v1/attention', { token: w.t.viewer, base: gw }), 403, 'forbidden');
  });

  it('refuses viewers, services, bad filters, no token and a person who left', async () => {
    expectProblem(await na('GET', '/v1/attention', { token: w.t.viewer }), 403, 'forbidden');
    expectProblem(await na('GET', '/v1/attention', { token: serviceToken() }), 403, 'forbidden');
    const res = await na('GET', '/v1/attention');
    assert.equal(res.status, 401);
    expectProblem(
      await na('GET', '/v1/attention?reason=bored&programme_id=x&person_id=y&limit=0&cursor=zz', { token: w.t.admin, invalid: true }),
      400, 'validation', ['reason', 'programme_id', 'person_id', 'limit', 'cursor'],
    );
    expectProblem(await na('GET', '/v1/attention?colour=red', { token: w.t.admin, invalid: true }), 400, 'validation', ['colour']);
    // a mentor who left is refused, whatever their token says
    const gone = await createMentor();
    const p = await createPartner();
    await createPairing(gone, p);
    expectStatus(await na('GET', '/v1/attention', { token: tokenFor(gone) }), 200);
    expectStatus(await api('PATCH', `/v1/people/${gone.id}`, { token: adminToken(), body: { status: 'left' } }), 200);
    const t0 = Date.now();
    let r;
    for (let i = 0; i < 200 && Date.now() - t0 < scaled(5000); i++) {
      r = await na('GET', '/v1/attention', { token: tokenFor(gone) });
      if (r.status === 403) break;
      await sleep(50);
    }
    expectProblem(r, 403, 'access-withdrawn');
  });
});

describe('a fresh notify database', () => {
  let scratch;
  after(async () => {
    if (scratch) await dropScratchDb(scratch.name);
  });

  // The model's rows about @personId, in a stable order, as comparable text.
  const ITEMS = `SELECT reason, subject_id, section, person_id, owner_id, programme_id, since, due_at, link
                   FROM notify.att_item WHERE person_id = $1 ORDER BY reason, subject_id, section`;
  const rowsOf = async (run, personId) => JSON.stringify((await run(ITEMS, [personId])).rows);

  it('builds the same model from the start of the feeds, and a replay changes nothing', async () => {
    // a partner with something of each kind waiting, seen by the running notify
    const partner = await createPartner();
    const mentor = await createMentor();
    const pairing = await createPairing(mentor, partner);
    await enrol(partner);
    await holdSession(await createSession(pairing, tokenFor(mentor)), tokenFor(mentor));
    const pb = await createPlaybook(tokenFor(partner), playbookBody(DEFAULT_PROGRAMME));
    await setStatus(tokenFor(partner), pb.id, 'purpose', 'ready_for_review');
    await createCompletion(partner, await createItem(partner, tokenFor(partner)), tokenFor(partner), { done_at: justNow() });
    const [mine] = await until(tokenFor(mentor), {}, (items) => items.length >= 3);
    assert.ok(mine.length >= 3, `the running notify shows the mentor the three items (${mine.length})`);
    const main = JSON.stringify(await query(ITEMS, [partner.id]));

    scratch = await createScratchDb();
    const env = {
      TANDEM_DATABASE_URL: scratch.url,
      ...suitePeers(),
      TANDEM_THREADS: '2',
      TANDEM_DB_POOL_SIZE: '6',
    };
    const client = await pgClient(scratch.name);
    const run = (sql, params) => client.query(sql, params);
    let inst = await startService('notify', { name: `notify-model-${uniq(3)}`, env });
    try {
      await inst.waitReady();
      // The fresh model reads the whole history of the run's feeds (every test file's
      // events: tens of thousands in a full make test), so the bound is time, not rounds.
      const REBUILD_MS = scaled(180000);
      const caughtUp = async () => {
        for (const end = Date.now() + REBUILD_MS; Date.now() < end;) {
          if ((await rowsOf(run, partner.id)) === main) return true;
          await sleep(100);
        }
        return false;
      };
      const progress = async () => JSON.stringify((await run(`SELECT subscription, applied, rejected
                         FROM notify.event_cursor WHERE subscription LIKE 'attention-%' ORDER BY 1`)).rows);
      assert.ok(await caughtUp(), `the fresh notify built the same items within ${REBUILD_MS} ms: `
        + `expected ${main}, got ${await rowsOf(run, partner.id)}; cursors ${await progress()}`);
      const stats = (await run(`SELECT sum(applied)::int AS applied, sum(rejected)::int AS rejected
                                 FROM notify.event_cursor WHERE subscription LIKE 'attention-%'`)).rows[0];
      assert.ok(stats.applied > 0);
      assert.equal(stats.rejected, 0, 'every event of the suite\'s history applied to the model');
      assert.equal((await inst.stop()).code, 0, 'exits 0 on SIGTERM');

      // replay every feed from its start over the model it built
      const before = (await run('SELECT count(*)::int AS n FROM notify.att_item')).rows[0].n;
      const applied = stats.applied;
      await run(`UPDATE notify.event_cursor SET position = '' WHERE subscription LIKE 'attention-%'`);
      inst = await startService('notify', { name: `notify-replay-${uniq(3)}`, env });
      await inst.waitReady();
      let again = 0;
      for (const end = Date.now() + REBUILD_MS; Date.now() < end && again < applied;) {
        again = (await run(`SELECT sum(applied)::int - $1 AS n FROM notify.event_cursor
                             WHERE subscription LIKE 'attention-%'`, [applied])).rows[0].n;
        if (again < applied) await sleep(100);
      }
      assert.ok(again >= applied, `the replay applied the feeds again (${again} of ${applied})`);
      assert.equal(await rowsOf(run, partner.id), main, 'the same items after a replay');
      const after2 = (await run('SELECT count(*)::int AS n FROM notify.att_item')).rows[0].n;
      assert.ok(after2 >= before && after2 - before < 20, `no item twice (${before} then ${after2})`);
    } finally {
      await client.end();
      if (inst.running) assert.equal((await inst.stop()).code, 0);
    }
  });
});
