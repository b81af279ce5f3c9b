// Exit criteria whose evidence lives in the mentoring and strategy services,
// judged over real HTTP. Those services are not built yet, so a stand-in (a
// tiny HTTP server on a free loopback port answering the agreed evidence
// contracts) takes their place, and a second phases instance is started with
// TANDEM_MENTORING_URL and TANDEM_STRATEGY_URL pointed at it. Checked: each
// rule met and unmet, what is forwarded (the caller's token, the request id,
// weeks), and every way the evidence can fail to arrive (5xx, 404, not JSON,
// another person's, too slow): "evidence unavailable", a 503, nothing changed.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectProblem, expectStatus } from './lib/http.mjs';
import { adminToken, uniq } from './lib/fixtures.mjs';
import { createProgramme, enrol, enrolmentRow, eventRows, fieldsOf, partnerWithMentor, ph } from './lib/phases.mjs';
import { mentoringEvidence, startEvidenceStandIn, startPhases, strategyEvidence } from './lib/stand-ins.mjs';
import * as db from './lib/db.mjs';

const TIMEOUT_MS = 800;
let standIn;
let phases;
let programme;

before(async () => {
  standIn = await startEvidenceStandIn();
  phases = await startPhases({
    TANDEM_MENTORING_URL: standIn.url,
    TANDEM_STRATEGY_URL: standIn.url,
    TANDEM_CLIENT_TIMEOUT_MS: String(TIMEOUT_MS),
  });
  programme = await createProgramme([
    [
      'mentoring',
      [
        { type: 'sessions_held', min: 6 },
        { type: 'activity_rate', min_per_week: 2, weeks: 4 },
        { type: 'mentor_signoff' },
      ],
    ],
    [
      'integration',
      [
        { type: 'playbook_sections_drafted', sections: ['purpose', 'vision', 'goals'] },
        { type: 'integration_signed_off' },
      ],
    ],
  ]);
});

after(async () => {
  const status = phases ? await phases.stop() : 0;
  await standIn?.close();
  await db.closeDb();
  assert.equal(status, 0, 'the second phases instance exits 0 on SIGTERM');
});

// Calls the second instance (the one that asks the stand-in).
const viaStandIn = (method, path, o = {}) => ph(method, path, { base: phases.url, ...o });
const advance = (id, tok, o = {}) => viaStandIn('POST', `/v1/enrolments/${id}/advance`, { token: tok, ...o });
const asked = (service, person) => standIn.requests.filter((r) => r.service === service && r.person === person);

async function journey() {
  const w = await partnerWithMentor();
  const e = await enrol(w.partner, programme.id);
  return { ...w, e };
}

describe('mentoring evidence', () => {
  it('unmet rules are each named with what is missing; the caller\'s token and request id are forwarded', async () => {
    const { partner, pt, e } = await journey();
    standIn.answers.mentoring.set(partner.id, { body: mentoringEvidence(partner.id, { sessions: 4, rate: 1.5, completions: 6 }) });
    const rid = `ev-${uniq()}`;
    const tok = pt();
    const res = await advance(e.id, tok, { headers: { 'X-Request-Id': rid } });
    const p = expectProblem(res, 409, 'criteria-unmet');
    assert.deepEqual(fieldsOf(p), ['criteria[0].sessions_held', 'criteria[1].activity_rate', 'criteria[2].mentor_signoff']);
    assert.equal(p.errors[0].message, 'held 4 of the 6 sessions required');
    assert.match(p.errors[1].message, /^1\.50 activities a week over the last 4 weeks; 2\.00 required$/);
    assert.equal(p.errors[2].message, 'the mentor has not signed off yet');

    const calls = asked('mentoring', partner.id);
    assert.equal(calls.length, 1, 'one call for the three mentoring rules');
    assert.equal(calls[0].query, '?weeks=4');
    assert.equal(calls[0].headers.authorization, `Bearer ${tok}`, 'the partner\'s own token');
    assert.equal(calls[0].headers['x-request-id'], rid);
    assert.equal(Number((await enrolmentRow(e.id)).version), 1);
  });

  it('met: moves on, and the history keeps the evidence judged', async () => {
    const { partner, mentor, pt, e } = await journey();
    standIn.answers.mentoring.set(partner.id, {
      body: mentoringEvidence(partner.id, { sessions: 7, rate: 2.25, completions: 9, signedOff: true, mentorId: mentor.id }),
    });
    const c = expectStatus(await viaStandIn('GET', `/v1/enrolments/${e.id}/criteria`, { token: pt() }), 200).body;
    assert.deepEqual([c.ready, c.met, c.unmet, c.unavailable], [true, 3, 0, 0]);
    const res = expectStatus(await advance(e.id, pt()), 200);
    assert.equal(res.body.current_phase, 'integration');
    const ev = (await eventRows(e.id)).at(-1);
    assert.equal(ev.kind, 'advanced');
    assert.deepEqual(ev.evidence.map((r) => r.status), ['met', 'met', 'met']);
    assert.deepEqual(ev.evidence[0].evidence, { sessions_held: 7 });
    assert.equal(ev.evidence[1].evidence.rate_per_week, 2.25);
    assert.equal(ev.evidence[2].evidence.mentor_id, mentor.id);
  });

  it('every way the evidence can fail to arrive is "unavailable": 503 naming the rules, nothing changed', async () => {
    const { partner, pt, e } = await journey();
    const cases = [
      ['a server error', { status: 500, body: { oops: true } }, /did not answer/],
      ['another status', { status: 403, body: { no: true } }, /answered 403/],
      ['not JSON', { raw: '<html>hello</html>', contentType: 'text/html' }, /without a JSON object/],
      ['another person', { body: mentoringEvidence('00000000-0000-4000-8000-000000000001', { sessions: 99, rate: 9, signedOff: true }) }, /another person/],
      ['a wrong shape', { body: { person_id: partner.id, sessions_held: 'many' } }, /without a valid/],
      ['too slow', { delayMs: TIMEOUT_MS + 1200, body: mentoringEvidence(partner.id, { sessions: 9, rate: 9, signedOff: true }) }, /did not answer/],
    ];
    for (const [label, answer, why] of cases) {
      standIn.answers.mentoring.set(partner.id, answer);
      const t0 = Date.now();
      const p = expectProblem(await advance(e.id, pt()), 503, 'evidence-unavailable');
      assert.ok(Date.now() - t0 < TIMEOUT_MS + 3000, `${label}: answered in time`);
      assert.ok(p.errors.length >= 1, label);
      assert.ok(p.errors.every((x) => x.message.startsWith('evidence unavailable')), label);
      assert.ok(p.errors.some((x) => why.test(x.message)), `${label}: ${JSON.stringify(p.errors)}`);
    }
    // no answer at all for this person: 404 from the stand-in
    standIn.answers.mentoring.delete(partner.id);
    expectProblem(await advance(e.id, pt()), 503, 'evidence-unavailable', ['criteria[0].sessions_held']);
    assert.equal(Number((await enrolmentRow(e.id)).version), 1);
    assert.equal((await eventRows(e.id)).length, 1);
  });

  it('asks for the weeks each activity rule names, once per window', async () => {
    const prog = await createProgramme([
      [
        'habits',
        [
          { type: 'sessions_held', min: 1 },
          { type: 'activity_rate', min_per_week: 1, weeks: 8 },
          { type: 'activity_rate', min_per_week: 3, weeks: 2 },
        ],
      ],
    ]);
    const { partner, pt } = await partnerWithMentor();
    const e = await enrol(partner, prog.id);
    // the stand-in answers for 8 weeks whatever is asked: the 2-week rule cannot use it
    standIn.answers.mentoring.set(partner.id, { body: mentoringEvidence(partner.id, { sessions: 1, rate: 1, weeks: 8 }) });
    const p = expectProblem(await advance(e.id, pt()), 503, 'evidence-unavailable', ['criteria[2].activity_rate']);
    assert.equal(p.errors.length, 1);
    assert.match(p.errors[0].message, /activity for the weeks asked/);
    assert.deepEqual(asked('mentoring', partner.id).map((r) => r.query), ['?weeks=8', '?weeks=2']);
  });
});

describe('strategy evidence and the operational end state', () => {
  it('names the playbook sections not drafted yet, then moves to operational when signed off', async () => {
    const { partner, mentor, pt, e } = await journey();
    standIn.answers.mentoring.set(partner.id, { body: mentoringEvidence(partner.id, { sessions: 6, rate: 2, signedOff: true, mentorId: mentor.id }) });
    expectStatus(await advance(e.id, pt()), 200);

    standIn.answers.strategy.set(partner.id, { body: strategyEvidence(partner.id, { sections: ['purpose', 'themes'] }) });
    const p = expectProblem(await advance(e.id, pt()), 409, 'criteria-unmet');
    assert.deepEqual(fieldsOf(p), ['criteria[0].playbook_sections_drafted', 'criteria[1].integration_signed_off']);
    assert.equal(p.errors[0].message, 'sections not drafted yet: vision, goals');
    assert.equal(p.errors[1].message, 'the integration is not signed off yet');
    const calls = asked('strategy', partner.id);
    assert.equal(calls.length, 1, 'one call for both strategy rules');
    // the playbook of the enrolment's programme, not whichever the partner wrote last
    assert.equal(calls[0].query, `?programme_id=${programme.id}`);

    standIn.answers.strategy.set(partner.id, {
      body: strategyEvidence(partner.id, { sections: ['goals', 'purpose', 'vision', 'themes'], signedOff: true }),
    });
    const res = expectStatus(await advance(e.id, pt()), 200);
    assert.equal(res.body.status, 'operational');
    assert.equal(res.body.current_phase, null);
    const ev = (await eventRows(e.id)).at(-1);
    assert.equal(ev.kind, 'operational');
    assert.deepEqual(ev.evidence[0].evidence.missing, []);
    assert.equal(ev.evidence[1].evidence.signed_off, true);
  });

  it('an admin may still override unavailable evidence, and the reason is kept', async () => {
    const { partner, e } = await journey();
    standIn.answers.mentoring.set(partner.id, { status: 502, body: {} });
    const res = expectStatus(await advance(e.id, adminToken(), { body: { override_reason: 'mentoring records on paper' } }), 200);
    assert.equal(res.body.current_phase, 'integration');
    const ev = (await eventRows(e.id)).at(-1);
    assert.equal(ev.override, true);
    assert.equal(ev.reason, 'mentoring records on paper');
    assert.deepEqual(ev.evidence.map((r) => r.status), ['unavailable', 'unavailable', 'unavailable']);
  });
});
