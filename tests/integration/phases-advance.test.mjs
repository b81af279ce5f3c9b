// Advancing through the phases on the test stack, where the mentoring and
// strategy services are not deployed (their URLs point at a port nothing
// listens on): rules on this service's own evidence are judged, rules on
// theirs report "evidence unavailable" and the advance answers 503, never a
// silent pass. Admin overrides with a recorded reason; the operational end
// state; who may advance; idempotency and If-Match.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectProblem, expectStatus } from './lib/http.mjs';
import { adminToken, createMentor, createPartner, serviceToken, tokenFor, uniq } from './lib/fixtures.mjs';
import {
  attend,
  createProgramme,
  createWorkshop,
  enrol,
  enrolmentRow,
  eventRows,
  fieldsOf,
  getEnrolment,
  overrideAdvance,
  partnerWithMentor,
  ph,
  selfAssess,
  viewerToken,
} from './lib/phases.mjs';
import * as db from './lib/db.mjs';

after(() => db.closeDb());

const advance = (id, tok, body, o = {}) => ph('POST', `/v1/enrolments/${id}/advance`, { token: tok, body, ...o });
const criteria = async (id, tok = adminToken()) =>
  expectStatus(await ph('GET', `/v1/enrolments/${id}/criteria`, { token: tok }), 200).body;

// What an unchanged enrolment looks like in the database.
async function unchanged(id, version, events) {
  assert.equal(Number((await enrolmentRow(id)).version), version, 'the enrolment did not change');
  assert.equal((await eventRows(id)).length, events, 'no event was recorded');
}

describe('advance through the default programme', () => {
  it('research: 409 naming the unmet rule until a self-assessment is in, then moves on', async () => {
    const { partner, pt } = await partnerWithMentor();
    const e = await enrol(partner);
    const p = expectProblem(await advance(e.id, pt()), 409, 'criteria-unmet', ['criteria[0].assessment_submitted']);
    assert.match(p.errors[0].message, /no self-assessment/);
    await unchanged(e.id, 1, 1);

    const before = await criteria(e.id, pt());
    assert.deepEqual([before.phase, before.ready, before.met, before.unmet], ['research', false, 0, 1]);

    await selfAssess(partner, pt());
    const ready = await criteria(e.id, pt());
    assert.equal(ready.ready, true);
    assert.equal(ready.criteria[0].status, 'met');
    const res = expectStatus(await advance(e.id, pt()), 200);
    assert.equal(res.body.current_phase, 'workshops');
    assert.equal(res.body.current_position, 2);
    assert.deepEqual(res.body.phases.slice(0, 2).map((x) => x.status), ['completed', 'in_progress']);
    assert.ok(res.body.phases[0].completed_at && res.body.phases[1].entered_at);
    const ev = (await eventRows(e.id)).at(-1);
    assert.deepEqual([ev.kind, ev.from_phase, ev.to_phase, ev.from_status, ev.to_status, ev.override, ev.reason], [
      'advanced', 'research', 'workshops', 'active', 'active', false, null,
    ]);
    assert.equal(ev.actor_person_id, partner.id);
    assert.equal(ev.actor_role, 'partner');
    assert.equal(ev.evidence[0].status, 'met');
    assert.deepEqual(ev.evidence[0].evidence, { self_assessments: 1 });
  });

  it('workshops: attendance counts; the 409 says what is missing', async () => {
    const { partner, pt } = await partnerWithMentor();
    const e = await enrol(partner);
    await overrideAdvance(e.id);
    const w1 = await createWorkshop();
    const w2 = await createWorkshop({ platform: 'x' });
    await attend(w1, partner);
    const p = expectProblem(await advance(e.id, pt()), 409, 'criteria-unmet', ['criteria[0].workshops_attended']);
    assert.equal(p.errors[0].message, 'attended 1 of the 2 workshops required');
    await attend(w2, partner);
    const res = expectStatus(await advance(e.id, pt()), 200);
    assert.equal(res.body.current_phase, 'playbook');
  });

  it('playbook: the strategy service is not deployed: 503 naming the rule, nothing changes, never a silent pass', async () => {
    const { partner, pt } = await partnerWithMentor();
    const e = await enrol(partner);
    await overrideAdvance(e.id);
    const moved = await overrideAdvance(e.id);
    assert.equal(moved.current_phase, 'playbook');
    const events = (await eventRows(e.id)).length;
    const p = expectProblem(await advance(e.id, pt()), 503, 'evidence-unavailable', ['criteria[0].playbook_sections_drafted']);
    assert.match(p.errors[0].message, /^evidence unavailable: the strategy service did not answer/);
    await unchanged(e.id, moved.version, events);
    const c = await criteria(e.id, pt());
    assert.deepEqual([c.ready, c.unavailable, c.criteria[0].status, c.criteria[0].evidence], [false, 1, 'unavailable', null]);
  });

  it('mentoring: all three mentoring rules unavailable, each named', async () => {
    const e = await enrol(await createPartner());
    for (let i = 0; i < 3; i++) await overrideAdvance(e.id);
    const p = expectProblem(await advance(e.id, adminToken()), 503, 'evidence-unavailable');
    assert.deepEqual(fieldsOf(p), ['criteria[0].sessions_held', 'criteria[1].activity_rate', 'criteria[2].mentor_signoff']);
  });

  it('an admin overrides with a recorded reason, kept with the evidence; the last phase makes it operational', async () => {
    const { partner, pt } = await partnerWithMentor();
    const e = await enrol(partner);
    let last;
    for (let i = 0; i < 4; i++) last = await overrideAdvance(e.id, `step ${i + 1}`);
    assert.equal(last.current_phase, 'integration');
    const done = expectStatus(await advance(e.id, adminToken(), { override_reason: 'signed off on paper' }), 200).body;
    assert.equal(done.status, 'operational');
    assert.equal(done.current_phase, null);
    assert.equal(done.pace, null);
    assert.ok(done.ended_at);
    assert.ok(done.phases.every((x) => x.status === 'completed'));

    const events = await eventRows(e.id);
    const final = events.at(-1);
    assert.deepEqual([final.kind, final.from_phase, final.to_phase, final.to_status, final.override, final.reason], [
      'operational', 'integration', null, 'operational', true, 'signed off on paper',
    ]);
    assert.equal(final.evidence[0].status, 'unavailable', 'the evidence as it stood is kept beside the override');
    assert.equal(events.filter((x) => x.override).length, 5);

    // an end state: no more moves
    expectProblem(await advance(e.id, adminToken(), { override_reason: 'again' }), 409, 'conflict');
    for (const a of ['pause', 'resume']) expectProblem(await ph('POST', `/v1/enrolments/${e.id}/${a}`, { token: pt() }), 409, 'conflict');
    expectProblem(await ph('POST', `/v1/enrolments/${e.id}/withdraw`, { token: pt(), body: { reason: 'x' } }), 409, 'conflict');
    const c = await criteria(e.id, pt());
    assert.deepEqual([c.status, c.phase, c.ready, c.criteria], ['operational', null, false, []]);

    const history = expectStatus(await ph('GET', `/v1/enrolments/${e.id}/history?limit=3`, { token: pt() }), 200).body;
    assert.equal(history.items.length, 3);
    assert.ok(history.next_cursor);
  });

  it('a programme whose phase has no criteria moves on at once', async () => {
    const prog = await createProgramme([['open', []], ['next', [{ type: 'assessment_submitted', within_phase: true }]]]);
    const { partner, pt } = await partnerWithMentor();
    const e = await enrol(partner, prog.id);
    expectStatus(await advance(e.id, pt()), 200);
    // within_phase: an assessment from before the phase began does not count
    await db.query(`UPDATE phases.enrolment_phase SET entered_at = now() + interval '1 hour' WHERE enrolment_id = $1 AND position = 2`, [e.id]);
    await selfAssess(partner, pt());
    const p = expectProblem(await advance(e.id, pt()), 409, 'criteria-unmet', ['criteria[0].assessment_submitted']);
    assert.match(p.errors[0].message, /since this phase began/);
    await db.query(`UPDATE phases.enrolment_phase SET entered_at = now() - interval '1 hour' WHERE enrolment_id = $1 AND position = 2`, [e.id]);
    assert.equal(expectStatus(await advance(e.id, pt()), 200).body.status, 'operational');
  });
});

describe('who may advance', () => {
  it('a mentor gets 403 mentoring-not-consulting; only an admin may override', async () => {
    const { partner, pt, mt } = await partnerWithMentor();
    const e = await enrol(partner);
    await selfAssess(partner, pt());
    const p = expectProblem(await advance(e.id, mt()), 403, 'mentoring-not-consulting');
    assert.match(p.detail, /mentoring, not consulting/);
    expectProblem(await advance(e.id, pt(), { override_reason: 'I am sure' }), 403, 'forbidden');
    expectProblem(await advance(e.id, mt(), { override_reason: 'trust me' }), 403, 'forbidden');
    for (const tok of [tokenFor(await createPartner()), tokenFor(await createMentor()), serviceToken(), await viewerToken()]) {
      expectProblem(await advance(e.id, tok), 403, 'forbidden');
    }
    await unchanged(e.id, Number((await enrolmentRow(e.id)).version), 1);
    expectStatus(await advance(e.id, pt()), 200);
  });

  it('validates the body and answers 404 / 403 for unknown enrolments', async () => {
    const e = await enrol(await createPartner());
    expectProblem(await advance(e.id, adminToken(), { override_reason: '' }, { invalid: true }), 400, 'validation', ['override_reason']);
    expectProblem(await advance(e.id, adminToken(), { force: true }, { invalid: true }), 400, 'validation', ['force']);
    expectProblem(await advance(e.id, adminToken(), { override_reason: 'r'.repeat(501) }, { invalid: true }), 400, 'validation', ['override_reason']);
    expectProblem(await ph('POST', `/v1/enrolments/${e.id}/advance`, { token: adminToken(), rawBody: '{"override_reason": ', invalid: true }), 400, 'malformed');
    const missing = '00000000-0000-4000-8000-000000000000';
    expectProblem(await advance(missing, adminToken(), { override_reason: 'x' }), 404, 'not-found');
    expectProblem(await advance(missing, tokenFor(await createPartner())), 403, 'forbidden');
    assert.equal((await getEnrolment(e.id)).current_phase, 'research');
  });
});

describe('advance honours If-Match and Idempotency-Key', () => {
  it('412 on a stale version; a retried advance moves once', async () => {
    const { partner, pt } = await partnerWithMentor();
    const e = await enrol(partner);
    await selfAssess(partner, pt());
    expectProblem(await advance(e.id, pt(), undefined, { headers: { 'If-Match': '"41"' } }), 412, 'precondition-failed');
    const key = `advance-${uniq()}`;
    const now = await getEnrolment(e.id);
    const first = expectStatus(await advance(e.id, pt(), undefined, { headers: { 'Idempotency-Key': key, 'If-Match': `"${now.version}"` } }), 200);
    const again = expectStatus(await advance(e.id, pt(), undefined, { headers: { 'Idempotency-Key': key } }), 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body, first.body);
    assert.equal(again.body.current_phase, 'workshops');
    assert.equal((await eventRows(e.id)).filter((x) => x.kind === 'advanced').length, 1);
    assert.equal((await getEnrolment(e.id)).current_phase, 'workshops');
  });
});
