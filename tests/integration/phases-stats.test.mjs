// Statistics for dashboards: aggregates only (partners per phase and per
// pace, median and 90th-percentile days in each phase, assessment growth per
// platform), the programme and business unit filters, and who may read them.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectProblem, expectStatus } from './lib/http.mjs';
import { adminToken, createPartner, createPerson, serviceToken, tokenFor, uniq } from './lib/fixtures.mjs';
import {
  DEFAULT_PROGRAMME,
  age,
  createProgramme,
  dayFromToday,
  enrol,
  overrideAdvance,
  partnerWithMentor,
  ph,
  selfAssess,
  setTargetInDb,
  viewerToken,
} from './lib/phases.mjs';
import * as db from './lib/db.mjs';

after(() => db.closeDb());

const BU = `Stats BU ${uniq()}`;
const stats = async (qs, tok = adminToken()) => expectStatus(await ph('GET', `/v1/stats/phases${qs}`, { token: tok }), 200).body;
const enc = encodeURIComponent;

// Sets how long an enrolment's completed phase @key took.
const tookDays = (id, key, days) =>
  db.query(
    `UPDATE phases.enrolment_phase SET entered_at = completed_at - make_interval(days => $3)
      WHERE enrolment_id = $1 AND key = $2 AND status = 'completed'`,
    [id, key, days],
  );

before(async () => {
  // six partners of one business unit, one in each state
  const mk = async () => {
    const w = await partnerWithMentor({ business_unit: BU });
    return { ...w, e: await enrol(w.partner) };
  };
  const onTrack = await mk();
  const stalled = await mk();
  const behind = await mk();
  const paused = await mk();
  const operational = await mk();
  const withdrawn = await mk();
  await setTargetInDb(behind.e.id, 'research', dayFromToday(-2));
  await overrideAdvance(paused.e.id);
  await tookDays(paused.e.id, 'research', 10);
  expectStatus(await ph('POST', `/v1/enrolments/${paused.e.id}/pause`, { token: paused.pt() }), 200);
  for (let i = 0; i < 5; i++) await overrideAdvance(operational.e.id);
  await tookDays(operational.e.id, 'research', 20);
  expectStatus(await ph('POST', `/v1/enrolments/${withdrawn.e.id}/withdraw`, { token: withdrawn.pt(), body: { reason: 'moved on' } }), 200);
  // growth: one partner re-assessed (+2 confidence, +1 capability everywhere), one assessed once
  await selfAssess(onTrack.partner, onTrack.pt(), () => [2, 2]);
  await selfAssess(onTrack.partner, onTrack.pt(), () => [4, 3]);
  await selfAssess(stalled.partner, stalled.pt(), () => [5, 5]);
  await age(stalled.e.id, { progressDays: 30 }); // after the assessment, itself a progress event
});

describe('GET /v1/stats/phases', () => {
  it('counts per status, per pace and per phase, for a business unit', async () => {
    const s = await stats(`?business_unit=${enc(BU)}`);
    assert.equal(s.business_unit, BU);
    assert.equal(s.programme_id, null);
    assert.deepEqual(s.enrolments, { active: 3, paused: 1, withdrawn: 1, operational: 1 });
    assert.deepEqual(s.pace, { on_track: 1, behind_own_plan: 1, stalled: 1, paused: 1 });
    const byKey = Object.fromEntries(s.phases.map((p) => [p.key, p]));
    assert.deepEqual(s.phases.map((p) => p.key), ['research', 'workshops', 'playbook', 'mentoring', 'integration']);
    assert.equal(byKey.research.partners, 3);
    assert.equal(byKey.workshops.partners, 1);
    assert.equal(byKey.integration.partners, 0);
    assert.equal(byKey.research.completed, 2);
    assert.equal(byKey.research.median_days, 15);
    assert.equal(byKey.research.p90_days, 19);
    assert.equal(byKey.workshops.completed, 1);
    assert.ok(byKey.workshops.median_days >= 0 && byKey.workshops.median_days < 1);
    assert.equal(byKey.mentoring.completed, 1);
    assert.deepEqual(
      s.assessment_growth.map((g) => [g.platform, g.partners, g.confidence_change, g.capability_change]),
      [['blog', 1, 2, 1], ['linkedin', 1, 2, 1], ['x', 1, 2, 1]],
    );
    // aggregates only: nothing that names a person
    assert.doesNotMatch(JSON.stringify(s), /person_id|[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}/);
  });

  it('filters by programme', async () => {
    const same = await stats(`?business_unit=${enc(BU)}&programme_id=${DEFAULT_PROGRAMME}`);
    assert.deepEqual(same.enrolments, { active: 3, paused: 1, withdrawn: 1, operational: 1 });
    assert.equal(same.programme_id, DEFAULT_PROGRAMME);
    const other = await createProgramme([['only', []]]);
    const none = await stats(`?business_unit=${enc(BU)}&programme_id=${other.id}`);
    assert.deepEqual(none.enrolments, { active: 0, paused: 0, withdrawn: 0, operational: 0 });
    assert.deepEqual(none.phases, []);
    assert.deepEqual(none.assessment_growth, []);
    const p = await createPartner({ business_unit: `${BU} 2` });
    await enrol(p, other.id);
    const one = await stats(`?programme_id=${other.id}`);
    assert.deepEqual(one.phases.map((x) => [x.key, x.partners, x.completed, x.median_days]), [['only', 1, 0, null]]);
  });

  it('works without filters', async () => {
    const s = await stats('');
    assert.ok(s.enrolments.active >= 3 && s.phases.length >= 5);
  });

  it('is for viewers, comms, admins and services; partners and mentors get 403', async () => {
    const { pt, mt } = await partnerWithMentor();
    const comms = await createPerson({ roles: ['comms'] });
    for (const tok of [await viewerToken(), tokenFor(comms), serviceToken(), adminToken()]) {
      await stats(`?business_unit=${enc(BU)}`, tok);
    }
    for (const tok of [pt(), mt()]) expectProblem(await ph('GET', '/v1/stats/phases', { token: tok }), 403, 'forbidden');
  });

  it('names bad filters', async () => {
    const bad = (qs) => ph('GET', `/v1/stats/phases${qs}`, { token: adminToken(), invalid: true });
    expectProblem(await bad('?programme_id=nope'), 400, 'validation', ['programme_id']);
    expectProblem(await bad(`?business_unit=${'b'.repeat(101)}`), 400, 'validation', ['business_unit']);
    expectProblem(await bad('?business_unit='), 400, 'validation', ['business_unit']);
    expectProblem(await bad('?phase=research'), 400, 'validation', ['phase']);
  });
});
