// Enrolments: enrolling (only active partners, one open enrolment per
// programme), reading the journey (who may), the partner's own target dates
// and their shifts, pause / resume / withdraw, and pace computed from the
// stored facts against the partner's own plan.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { etagVersion, expectProblem, expectStatus } from './lib/http.mjs';
import {
  adminToken,
  createMentor,
  createPairing,
  createPartner,
  createPerson,
  endPairing,
  ids,
  serviceToken,
  tokenFor,
  uniq,
} from './lib/fixtures.mjs';
import {
  DEFAULT_PROGRAMME,
  MISSING,
  age,
  createProgramme,
  dayFromToday,
  enrol,
  enrolmentRow,
  enrolmentsOf,
  eventRows,
  getEnrolment,
  partnerWithMentor,
  ph,
  phaseRows,
  setTargetInDb,
  viewerToken,
} from './lib/phases.mjs';
import * as db from './lib/db.mjs';

after(() => db.closeDb());

const recent = (t) => Math.abs(Date.parse(t) - Date.now()) < 10 * 60 * 1000;
const post = (path, tok, body, o = {}) => ph('POST', path, { token: tok, body, ...o });

describe('POST /v1/enrolments', () => {
  it('enrols an active partner on the latest version, the first phase started, business unit copied', async () => {
    const bu = `bu-${uniq()}`;
    const partner = await createPartner({ business_unit: bu });
    const res = expectStatus(await post('/v1/enrolments', adminToken(), { person_id: partner.id, programme_id: DEFAULT_PROGRAMME }), 201);
    const e = res.body;
    assert.equal(res.headers.get('location'), `/v1/enrolments/${e.id}`);
    assert.equal(etagVersion(res), 1);
    assert.equal(e.person_id, partner.id);
    assert.equal(e.programme_id, DEFAULT_PROGRAMME);
    assert.equal(e.business_unit, bu);
    assert.equal(e.status, 'active');
    assert.equal(e.current_position, 1);
    assert.equal(e.current_phase, 'research');
    assert.equal(e.pace, 'on_track');
    assert.ok(recent(e.enrolled_at) && recent(e.last_progress_at));
    assert.deepEqual(e.phases.map((p) => [p.key, p.status, p.pace]), [
      ['research', 'in_progress', 'on_track'],
      ['workshops', 'not_started', null],
      ['playbook', 'not_started', null],
      ['mentoring', 'not_started', null],
      ['integration', 'not_started', null],
    ]);
    assert.ok(recent(e.phases[0].entered_at));
    assert.ok(e.phases.every((p) => p.target_date === null && p.completed_at === null));

    const row = await enrolmentRow(e.id);
    assert.equal(row.business_unit, bu);
    const events = await eventRows(e.id);
    assert.deepEqual(events.map((x) => [x.kind, x.to_status, x.to_phase, x.actor_role]), [['enrolled', 'active', 'research', 'admin']]);
  });

  it('refuses a person who is not an active partner, or does not exist (409 naming person_id)', async () => {
    const mentor = await createMentor();
    const paused = await createPartner({ status: 'paused' });
    for (const id of [mentor.id, paused.id, MISSING]) {
      expectProblem(await post('/v1/enrolments', adminToken(), { person_id: id, programme_id: DEFAULT_PROGRAMME }), 409, 'conflict', ['person_id']);
      assert.equal((await enrolmentsOf(id)).length, 0);
    }
  });

  it('refuses an unknown programme (409 naming programme_id)', async () => {
    const partner = await createPartner();
    expectProblem(await post('/v1/enrolments', adminToken(), { person_id: partner.id, programme_id: MISSING }), 409, 'conflict', ['programme_id']);
    assert.equal((await enrolmentsOf(partner.id)).length, 0);
  });

  it('allows one open enrolment per person per programme; after withdrawing, another', async () => {
    const partner = await createPartner();
    const first = await enrol(partner);
    expectProblem(await post('/v1/enrolments', adminToken(), { person_id: partner.id, programme_id: DEFAULT_PROGRAMME }), 409, 'conflict', ['person_id']);
    // a paused enrolment is still open
    expectStatus(await post(`/v1/enrolments/${first.id}/pause`, tokenFor(partner)), 200);
    expectProblem(await post('/v1/enrolments', adminToken(), { person_id: partner.id, programme_id: DEFAULT_PROGRAMME }), 409, 'conflict', ['person_id']);
    // another programme is fine
    const other = await createProgramme([['only', []]]);
    await enrol(partner, other.id);
    expectStatus(await post(`/v1/enrolments/${first.id}/withdraw`, tokenFor(partner), { reason: 'changed role' }), 200);
    const second = await enrol(partner);
    assert.notEqual(second.id, first.id);
    assert.deepEqual((await enrolmentsOf(partner.id)).map((r) => r.status), ['withdrawn', 'active', 'active']);
  });

  it('is for admins only', async () => {
    const { partner, pt, mt } = await partnerWithMentor();
    for (const tok of [pt(), mt(), serviceToken(), await viewerToken()]) {
      expectProblem(await post('/v1/enrolments', tok, { person_id: partner.id, programme_id: DEFAULT_PROGRAMME }), 403, 'forbidden');
    }
    assert.equal((await enrolmentsOf(partner.id)).length, 0);
  });

  it('honours Idempotency-Key: a retry returns the first enrolment and creates nothing', async () => {
    const partner = await createPartner();
    const key = `enrol-${uniq()}`;
    const b = { person_id: partner.id, programme_id: DEFAULT_PROGRAMME };
    const first = expectStatus(await post('/v1/enrolments', adminToken(), b, { headers: { 'Idempotency-Key': key } }), 201);
    const again = expectStatus(await post('/v1/enrolments', adminToken(), b, { headers: { 'Idempotency-Key': key } }), 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.body.id, first.body.id);
    assert.equal((await enrolmentsOf(partner.id)).length, 1);
    expectProblem(
      await post('/v1/enrolments', adminToken(), { ...b, programme_id: MISSING }, { headers: { 'Idempotency-Key': key } }),
      422,
      'idempotency-key-reused',
    );
  });
});

describe('reading enrolments', () => {
  it('the partner, their active mentor, admin and service read it; others get 403', async () => {
    const { partner, mentor, pairing, pt, mt } = await partnerWithMentor();
    const e = await enrol(partner);
    for (const tok of [pt(), mt(), adminToken(), serviceToken()]) {
      const res = expectStatus(await ph('GET', `/v1/enrolments/${e.id}`, { token: tok }), 200);
      assert.equal(res.body.id, e.id);
      assert.equal(res.headers.get('etag'), '"1"');
    }
    const stranger = await createPartner();
    const otherMentor = await createMentor();
    const comms = await createPerson({ roles: ['comms'] });
    for (const tok of [tokenFor(stranger), tokenFor(otherMentor), tokenFor(comms), await viewerToken()]) {
      expectProblem(await ph('GET', `/v1/enrolments/${e.id}`, { token: tok }), 403, 'forbidden');
      expectProblem(await ph('GET', `/v1/enrolments/${e.id}/history`, { token: tok }), 403, 'forbidden');
    }
    // the mentor loses access when the pairing ends
    await endPairing(pairing);
    expectProblem(await ph('GET', `/v1/enrolments/${e.id}`, { token: tokenFor(mentor) }), 403, 'forbidden');
  });

  it('an unknown id is a 404 for admin and a 403 for others', async () => {
    expectProblem(await ph('GET', `/v1/enrolments/${MISSING}`, { token: adminToken() }), 404, 'not-found');
    expectProblem(await ph('GET', `/v1/enrolments/${MISSING}`, { token: tokenFor(await createPartner()) }), 403, 'forbidden');
    expectProblem(await ph('GET', '/v1/enrolments/not-a-uuid', { token: adminToken(), invalid: true }), 404, 'not-found');
  });

  it('lists: a partner sees their own; a mentor an active partner\'s; filters apply', async () => {
    const { partner, mentor, pt, mt } = await partnerWithMentor();
    const other = await createProgramme([['only', []]]);
    const a = await enrol(partner);
    const b = await enrol(partner, other.id);
    const list = async (tok, qs = '') => ids(expectStatus(await ph('GET', `/v1/enrolments${qs}`, { token: tok }), 200).body.items);

    assert.deepEqual(await list(pt()), [a.id, b.id]);
    assert.deepEqual(await list(pt(), `?programme_id=${other.id}`), [b.id]);
    assert.deepEqual(await list(pt(), '?status=paused'), []);
    assert.deepEqual(await list(mt(), `?person_id=${partner.id}`), [a.id, b.id]);
    assert.deepEqual(await list(mt()), [], 'a mentor without person_id sees their own (none)');
    assert.deepEqual(await list(adminToken(), `?person_id=${partner.id}&programme_id=${DEFAULT_PROGRAMME}`), [a.id]);
    assert.deepEqual(await list(adminToken(), `?person_id=${partner.id}&limit=1`), [a.id]);

    const stranger = await createPartner();
    expectProblem(await ph('GET', `/v1/enrolments?person_id=${partner.id}`, { token: tokenFor(stranger) }), 403, 'forbidden');
    expectProblem(await ph('GET', '/v1/enrolments', { token: await viewerToken() }), 403, 'forbidden');
    assert.deepEqual(await list(tokenFor(stranger)), []);
    void mentor;
  });

  it('pages with cursors', async () => {
    const partner = await createPartner();
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await enrol(partner, (await createProgramme([['only', []]])).id)).id);
    const seen = [];
    let cursor = null;
    for (let i = 0; i < 5; i++) {
      const qs = `?person_id=${partner.id}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = expectStatus(await ph('GET', `/v1/enrolments${qs}`, { token: adminToken() }), 200);
      seen.push(...ids(res.body.items));
      cursor = res.body.next_cursor;
      if (!cursor) break;
    }
    assert.deepEqual(seen, made);
  });
});

describe('target dates: the partner\'s own plan', () => {
  const targets = (id, tok, b, o = {}) => ph('PATCH', `/v1/enrolments/${id}/target-dates`, { token: tok, body: b, ...o });

  it('the partner sets and shifts them; every shift is kept with who, when and why', async () => {
    const { partner, pt } = await partnerWithMentor();
    const e = await enrol(partner);
    const d1 = dayFromToday(30);
    const d2 = dayFromToday(60);
    let res = expectStatus(
      await targets(e.id, pt(), { targets: { research: d1, workshops: d2 }, reason: 'my first plan' }, { headers: { 'If-Match': '"1"' } }),
      200,
    );
    assert.equal(etagVersion(res), 2);
    assert.equal(res.body.phases[0].target_date, d1);
    assert.equal(res.body.phases[1].target_date, d2);
    const d3 = dayFromToday(45);
    res = expectStatus(await targets(e.id, pt(), { targets: { research: d3, workshops: d2 }, reason: 'a busy month' }), 200);
    assert.equal(res.body.version, 3, 'only a change bumps the version');
    res = expectStatus(await targets(e.id, pt(), { targets: { workshops: null }, reason: 'no date for now' }), 200);
    assert.equal(res.body.phases[1].target_date, null);
    res = expectStatus(await targets(e.id, pt(), { targets: { workshops: null }, reason: 'again' }), 200);
    assert.equal(res.body.version, 4, 'an unchanged date changes nothing');

    const shifts = (await eventRows(e.id)).filter((x) => x.kind === 'target_set');
    assert.deepEqual(
      shifts.map((x) => [x.phase, x.old_target?.toISOString?.() ? 'd' : x.old_target, x.reason, x.actor_role, x.actor_person_id]),
      [
        ['research', null, 'my first plan', 'partner', partner.id],
        ['workshops', null, 'my first plan', 'partner', partner.id],
        ['research', 'd', 'a busy month', 'partner', partner.id],
        ['workshops', 'd', 'no date for now', 'partner', partner.id],
      ],
    );
    const history = expectStatus(await ph('GET', `/v1/enrolments/${e.id}/history`, { token: pt() }), 200).body.items;
    const shift = history.find((x) => x.kind === 'target_set' && x.reason === 'a busy month');
    assert.equal(shift.old_target_date, d1);
    assert.equal(shift.new_target_date, d3);
    assert.equal(shift.actor.person_id, partner.id);
  });

  it('a mentor shifts dates only as agreed with the partner; strangers and service may not', async () => {
    const { partner, mentor, mt } = await partnerWithMentor();
    const e = await enrol(partner);
    const d = dayFromToday(20);
    expectProblem(await targets(e.id, mt(), { targets: { research: d }, reason: 'I think so' }), 403, 'forbidden', ['agreed_with_partner']);
    expectProblem(
      await targets(e.id, mt(), { targets: { research: d }, reason: 'x', agreed_with_partner: false }),
      403,
      'forbidden',
      ['agreed_with_partner'],
    );
    const res = expectStatus(
      await targets(e.id, mt(), { targets: { research: d }, reason: 'agreed in our session', agreed_with_partner: true }),
      200,
    );
    assert.equal(res.body.phases[0].target_date, d);
    const shift = (await eventRows(e.id)).find((x) => x.kind === 'target_set');
    assert.equal(shift.actor_role, 'mentor');
    assert.equal(shift.actor_person_id, mentor.id);

    for (const tok of [tokenFor(await createPartner()), tokenFor(await createMentor()), serviceToken(), await viewerToken()]) {
      expectProblem(await targets(e.id, tok, { targets: { research: dayFromToday(25) }, reason: 'x', agreed_with_partner: true }), 403, 'forbidden');
    }
    expectStatus(await targets(e.id, adminToken(), { targets: { research: dayFromToday(26) }, reason: 'programme team' }), 200);
  });

  it('refuses past dates (400), unknown phases (400), completed phases and ended enrolments (409), stale versions (412)', async () => {
    const { partner, pt } = await partnerWithMentor();
    const e = await enrol(partner);
    expectProblem(
      await targets(e.id, pt(), { targets: { research: dayFromToday(-1), workshops: '2026-02-30' }, reason: 'x' }, { invalid: true }),
      400,
      'validation',
      ['targets.research', 'targets.workshops'],
    );
    expectProblem(await targets(e.id, pt(), { targets: { nowhere: dayFromToday(5) }, reason: 'x' }), 400, 'validation', ['targets.nowhere']);
    expectProblem(await targets(e.id, pt(), { targets: {}, reason: 'x' }, { invalid: true }), 400, 'validation', ['targets']);
    expectProblem(await targets(e.id, pt(), { targets: { research: dayFromToday(5) } }, { invalid: true }), 400, 'validation', ['reason']);
    expectProblem(
      await targets(e.id, pt(), { targets: { research: dayFromToday(5) }, reason: 'x' }, { headers: { 'If-Match': '"9"' } }),
      412,
      'precondition-failed',
    );
    expectStatus(await ph('POST', `/v1/enrolments/${e.id}/advance`, { token: adminToken(), body: { override_reason: 'set-up' } }), 200);
    expectProblem(await targets(e.id, pt(), { targets: { research: dayFromToday(5) }, reason: 'x' }), 409, 'conflict', ['targets.research']);
    expectStatus(await ph('POST', `/v1/enrolments/${e.id}/withdraw`, { token: pt(), body: { reason: 'leaving' } }), 200);
    expectProblem(await targets(e.id, pt(), { targets: { workshops: dayFromToday(5) }, reason: 'x' }), 409, 'conflict');
    assert.ok((await phaseRows(e.id)).every((p) => p.target_date === null), 'nothing was set');
  });
});

describe('pause, resume, withdraw', () => {
  it('the partner pauses (pace paused, never stalled), resumes (progress clock restarts) and withdraws', async () => {
    const { partner, pt } = await partnerWithMentor();
    const e = await enrol(partner);
    await age(e.id, { progressDays: 60 });
    assert.equal((await getEnrolment(e.id)).pace, 'stalled');

    let res = expectStatus(await ph('POST', `/v1/enrolments/${e.id}/pause`, { token: pt(), body: { reason: 'busy season' } }), 200);
    assert.equal(res.body.status, 'paused');
    assert.equal(res.body.pace, 'paused');
    assert.equal(res.body.phases[0].pace, 'paused');
    assert.ok(recent(res.body.paused_at));
    expectProblem(await ph('POST', `/v1/enrolments/${e.id}/pause`, { token: pt() }), 409, 'conflict');
    expectProblem(await ph('POST', `/v1/enrolments/${e.id}/advance`, { token: adminToken(), body: { override_reason: 'x' } }), 409, 'conflict');

    res = expectStatus(await ph('POST', `/v1/enrolments/${e.id}/resume`, { token: pt() }), 200);
    assert.equal(res.body.status, 'active');
    assert.equal(res.body.pace, 'on_track', 'resuming is a progress event');
    assert.equal(res.body.paused_at, null);
    expectProblem(await ph('POST', `/v1/enrolments/${e.id}/resume`, { token: pt() }), 409, 'conflict');

    res = expectStatus(await ph('POST', `/v1/enrolments/${e.id}/withdraw`, { token: pt(), body: { reason: 'new role' } }), 200);
    assert.equal(res.body.status, 'withdrawn');
    assert.equal(res.body.pace, null);
    assert.ok(recent(res.body.ended_at));
    for (const action of ['pause', 'resume', 'withdraw']) {
      expectProblem(await ph('POST', `/v1/enrolments/${e.id}/${action}`, { token: pt(), body: { reason: 'again' } }), 409, 'conflict');
    }
    const events = await eventRows(e.id);
    assert.deepEqual(
      events.map((x) => [x.kind, x.from_status, x.to_status, x.phase, x.reason, x.actor_role]),
      [
        ['enrolled', null, 'active', null, null, 'admin'],
        ['paused', 'active', 'paused', 'research', 'busy season', 'partner'],
        ['resumed', 'paused', 'active', 'research', null, 'partner'],
        ['withdrawn', 'active', 'withdrawn', 'research', 'new role', 'partner'],
      ],
    );
  });

  it('withdrawing needs a reason; a mentor gets 403 mentoring-not-consulting; admins may', async () => {
    const { partner, pt, mt } = await partnerWithMentor();
    const e = await enrol(partner);
    expectProblem(await ph('POST', `/v1/enrolments/${e.id}/withdraw`, { token: pt(), invalid: true }), 400, 'validation', ['reason']);
    expectProblem(await ph('POST', `/v1/enrolments/${e.id}/withdraw`, { token: pt(), body: {}, invalid: true }), 400, 'validation', ['reason']);
    for (const action of ['pause', 'withdraw']) {
      expectProblem(await ph('POST', `/v1/enrolments/${e.id}/${action}`, { token: mt(), body: { reason: 'x' } }), 403, 'mentoring-not-consulting');
    }
    for (const tok of [tokenFor(await createPartner()), serviceToken(), await viewerToken()]) {
      expectProblem(await ph('POST', `/v1/enrolments/${e.id}/pause`, { token: tok }), 403, 'forbidden');
    }
    assert.equal((await enrolmentRow(e.id)).status, 'active');
    expectStatus(await ph('POST', `/v1/enrolments/${e.id}/pause`, { token: adminToken(), body: { reason: 'on leave' } }), 200);
    const ev = (await eventRows(e.id)).at(-1);
    assert.equal(ev.actor_role, 'admin');
  });

  it('honours If-Match (412) and Idempotency-Key (one transition for a retry)', async () => {
    const { partner, pt } = await partnerWithMentor();
    const e = await enrol(partner);
    expectProblem(await ph('POST', `/v1/enrolments/${e.id}/pause`, { token: pt(), headers: { 'If-Match': '"5"' } }), 412, 'precondition-failed');
    const key = `pause-${uniq()}`;
    const first = expectStatus(await ph('POST', `/v1/enrolments/${e.id}/pause`, { token: pt(), headers: { 'Idempotency-Key': key } }), 200);
    const again = expectStatus(await ph('POST', `/v1/enrolments/${e.id}/pause`, { token: pt(), headers: { 'Idempotency-Key': key } }), 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body, first.body);
    assert.equal((await eventRows(e.id)).filter((x) => x.kind === 'paused').length, 1);
  });
});

describe('pace, against the partner\'s own plan', () => {
  it('on_track, behind_own_plan past the target date, stalled without progress beyond the threshold', async () => {
    const { partner, pt } = await partnerWithMentor();
    const e = await enrol(partner);
    expectStatus(await ph('PATCH', `/v1/enrolments/${e.id}/target-dates`, { token: pt(), body: { targets: { research: dayFromToday(0) }, reason: 'today' } }), 200);
    assert.equal((await getEnrolment(e.id)).pace, 'on_track', 'the target day itself is on plan');
    await setTargetInDb(e.id, 'research', dayFromToday(-1));
    let got = await getEnrolment(e.id, pt());
    assert.equal(got.pace, 'behind_own_plan');
    assert.equal(got.phases[0].pace, 'behind_own_plan');
    // research's stall threshold is 21 days in the default programme
    await age(e.id, { progressDays: 21 });
    assert.equal((await getEnrolment(e.id)).pace, 'behind_own_plan', 'exactly the threshold is not yet stalled');
    await age(e.id, { progressDays: 22 });
    got = await getEnrolment(e.id);
    assert.equal(got.pace, 'stalled', 'stalled outranks behind');
    // another partner's plan is theirs alone: no cohort
    const other = await enrol(await createPartner());
    assert.equal((await getEnrolment(other.id)).pace, 'on_track');
  });

  it('a completed phase is judged by when it was completed against its target', async () => {
    const e = await enrol(await createPartner());
    await setTargetInDb(e.id, 'research', dayFromToday(-3));
    await db.query(`UPDATE phases.enrolment_phase SET entered_at = now() - interval '10 days' WHERE enrolment_id = $1 AND position = 1`, [e.id]);
    const after = await (async () => {
      const res = await ph('POST', `/v1/enrolments/${e.id}/advance`, { token: adminToken(), body: { override_reason: 'late' } });
      return expectStatus(res, 200).body;
    })();
    assert.equal(after.phases[0].status, 'completed');
    assert.equal(after.phases[0].pace, 'behind_own_plan');
    assert.equal(after.phases[1].pace, 'on_track');
    assert.equal(after.current_phase, 'workshops');
  });

  it('lists compute pace for every item', async () => {
    const partner = await createPartner();
    const e = await enrol(partner);
    await age(e.id, { progressDays: 90 });
    const items = expectStatus(await ph('GET', `/v1/enrolments?person_id=${partner.id}`, { token: adminToken() }), 200).body.items;
    assert.deepEqual(items.map((x) => x.pace), ['stalled']);
  });
});
