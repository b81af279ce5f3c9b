// The weekly trend for the lead's dashboard (GET /v1/stats/phases/trend):
// phases entered and left per week and the running count of operational
// journeys, computed from the enrolment history (its timestamps moved back in
// time here), the filters, who may read it, and bad input answered by a
// problem naming the parameter.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectProblem, expectStatus } from './lib/http.mjs';
import { adminToken, tokenFor, uniq } from './lib/fixtures.mjs';
import { enrol, overrideAdvance, partnerWithMentor, ph, viewerToken } from './lib/phases.mjs';
import * as db from './lib/db.mjs';

after(() => db.closeDb());

const BU = `Trend BU ${uniq()}`;
const enc = encodeURIComponent;
const DAY = 86400000;
const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
// a Monday, far enough back that nothing else in the database moved then
const FROM = Date.UTC(2024, 0, 1);
const trend = async (qs, tok = adminToken()) =>
  expectStatus(await ph('GET', `/v1/stats/phases/trend${qs}`, { token: tok }), 200).body;

// Moves every timestamp of enrolment @id back by @days (entered, completed, ended).
const shiftBack = (id, days) =>
  db.query(
    `WITH p AS (UPDATE phases.enrolment_phase SET entered_at = entered_at - make_interval(days => $2),
                  completed_at = completed_at - make_interval(days => $2) WHERE enrolment_id = $1)
     UPDATE phases.enrolment SET enrolled_at = enrolled_at - make_interval(days => $2),
            ended_at = ended_at - make_interval(days => $2) WHERE id = $1`,
    [id, days],
  );
const daysAgo = (ms) => Math.floor((Date.now() - ms) / DAY);

describe('GET /v1/stats/phases/trend', () => {
  let a;
  let b;
  before(async () => {
    // a: enrolled in week 0 of the range, through all five phases: operational in week 0
    const wa = await partnerWithMentor({ business_unit: BU });
    a = await enrol(wa.partner);
    for (let i = 0; i < 5; i++) await overrideAdvance(a.id);
    await shiftBack(a.id, daysAgo(FROM + 2 * DAY));
    // b: enrolled in week 2, advanced once (research left, workshops entered)
    const wb = await partnerWithMentor({ business_unit: BU });
    b = await enrol(wb.partner);
    await overrideAdvance(b.id);
    await shiftBack(b.id, daysAgo(FROM + 15 * DAY));
  });

  it('counts phases entered and left per week and the operational journeys so far', async () => {
    const t = await trend(`?business_unit=${enc(BU)}&from=${iso(FROM)}&to=${iso(FROM + 27 * DAY)}&interval=week`);
    assert.equal(t.interval, 'week');
    assert.equal(t.from, '2024-01-01');
    assert.equal(t.to, '2024-01-28');
    assert.deepEqual(t.phases, ['research', 'workshops', 'playbook', 'mentoring', 'integration']);
    assert.equal(t.weeks.length, 4);
    assert.deepEqual(t.weeks.map((w) => [w.start, w.end]), [
      ['2024-01-01', '2024-01-07'], ['2024-01-08', '2024-01-14'],
      ['2024-01-15', '2024-01-21'], ['2024-01-22', '2024-01-28'],
    ]);
    const [w0, w1, w2, w3] = t.weeks;
    assert.deepEqual(w0.entered, { research: 1, workshops: 1, playbook: 1, mentoring: 1, integration: 1 });
    assert.deepEqual(w0.left, { research: 1, workshops: 1, playbook: 1, mentoring: 1, integration: 1 });
    assert.equal(w0.operational, 1);
    assert.deepEqual(Object.values(w1.entered), [0, 0, 0, 0, 0]);
    assert.equal(w1.operational, 1, 'a running total');
    assert.deepEqual(w2.entered, { research: 1, workshops: 1, playbook: 0, mentoring: 0, integration: 0 });
    assert.deepEqual(w2.left, { research: 1, workshops: 0, playbook: 0, mentoring: 0, integration: 0 });
    assert.equal(w3.operational, 1);
  });

  it('counts journeys that became operational before the range, and the last week may be short', async () => {
    const t = await trend(`?business_unit=${enc(BU)}&from=${iso(FROM + 7 * DAY)}&to=${iso(FROM + 16 * DAY)}`, await viewerToken());
    assert.equal(t.weeks.length, 2);
    assert.deepEqual([t.weeks[1].start, t.weeks[1].end], ['2024-01-15', '2024-01-17']);
    assert.equal(t.weeks[0].operational, 1, 'operational in the week before from');
    assert.equal(t.weeks[1].entered.research, 1);
  });

  it('defaults to the 12 weeks up to today', async () => {
    const t = await trend(`?business_unit=${enc(BU)}`);
    assert.equal(t.to, iso(Date.now()));
    assert.equal(t.weeks.length, 12);
    assert.equal(t.weeks.at(-1).operational, 1);
    assert.equal(t.weeks.at(-1).entered.research, 0);
  });

  it('answers bad input with a problem naming the parameter', async () => {
    for (const [qs, field] of [
      ['?from=2024-02-30', 'from'],
      ['?to=yesterday', 'to'],
      ['?from=2024-03-01&to=2024-02-01', 'from'],
      ['?from=2020-01-01&to=2024-01-01', 'from'],
      ['?interval=day', 'interval'],
      ['?programme_id=nope', 'programme_id'],
      ['?business_unit=', 'business_unit'],
    ]) {
      expectProblem(await ph('GET', `/v1/stats/phases/trend${qs}`, { token: adminToken(), invalid: true }), 400, 'validation', [field]);
    }
  });

  it('is for viewers, comms, admins and services: a partner or a mentor gets 403', async () => {
    for (const role of ['partner', 'mentor']) {
      const who = { external_id: `trend-${role}-${uniq()}`, email: `trend-${uniq()}@example.com` };
      expectProblem(await ph('GET', '/v1/stats/phases/trend', { token: tokenFor(who, [role]) }), 403, 'forbidden');
    }
    const comms = { external_id: `trend-comms-${uniq()}`, email: `trend-${uniq()}@example.com` };
    expectStatus(await ph('GET', '/v1/stats/phases/trend', { token: tokenFor(comms, ['comms']) }), 200);
  });
});
