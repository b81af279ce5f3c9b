// Workshops and attendance (a person's attendance list, progress events),
// questionnaires, self-assessments and mentor ratings kept apart, baselines,
// growth, and who may do which.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectProblem, expectStatus } from './lib/http.mjs';
import { adminToken, createMentor, createPartner, createPerson, ids, serviceToken, tokenFor, uniq } from './lib/fixtures.mjs';
import {
  DEFAULT_TEMPLATE,
  MISSING,
  age,
  answers,
  assessmentsOf,
  attend,
  attendanceOf,
  createWorkshop,
  enrol,
  getEnrolment,
  partnerWithMentor,
  ph,
  selfAssess,
  viewerToken,
} from './lib/phases.mjs';
import * as db from './lib/db.mjs';

after(() => db.closeDb());

const recent = (t) => Math.abs(Date.parse(t) - Date.now()) < 10 * 60 * 1000;

describe('workshops', () => {
  it('an admin records a workshop; everyone but viewers reads it', async () => {
    const b = { title: `LinkedIn basics ${uniq()}`, description: 'Profiles and first posts', platform: 'linkedin', skills: ['profile', 'posting'], held_at: '2026-02-01T09:30:00+01:00' };
    const res = expectStatus(await ph('POST', '/v1/workshops', { token: adminToken(), body: b }), 201);
    const w = res.body;
    assert.equal(res.headers.get('location'), `/v1/workshops/${w.id}`);
    assert.equal(w.held_at, '2026-02-01T08:30:00+00:00', 'stored and shown in UTC');
    assert.deepEqual(w.skills, ['profile', 'posting']);
    const partner = await createPartner();
    for (const tok of [tokenFor(partner), serviceToken()]) {
      assert.deepEqual(expectStatus(await ph('GET', `/v1/workshops/${w.id}`, { token: tok }), 200).body, w);
    }
    expectProblem(await ph('GET', `/v1/workshops/${w.id}`, { token: await viewerToken() }), 403, 'forbidden');
    expectProblem(await ph('GET', `/v1/workshops/${MISSING}`, { token: adminToken() }), 404, 'not-found');
    expectProblem(await ph('POST', '/v1/workshops', { token: tokenFor(partner), body: b }), 403, 'forbidden');
    const bad = await ph('POST', '/v1/workshops', {
      token: adminToken(),
      body: { title: '', platform: 'Linked In', skills: ['a', 'a'], held_at: '0000-01-01T00:00:00Z' },
      invalid: true,
    });
    expectProblem(bad, 400, 'validation', ['title', 'platform', 'skills[1]', 'held_at']);
  });

  it('attendance: partners only, once each; a person\'s list; a progress event', async () => {
    const { partner, mentor, pt, mt } = await partnerWithMentor();
    const e = await enrol(partner);
    await age(e.id, { progressDays: 40 });
    assert.equal((await getEnrolment(e.id)).pace, 'stalled');
    const w1 = await createWorkshop({ platform: 'x' });
    const w2 = await createWorkshop({ platform: 'linkedin' });
    const a = await attend(w1, partner);
    assert.equal(a.person_id, partner.id);
    assert.ok(recent(a.recorded_at));
    assert.equal((await getEnrolment(e.id)).pace, 'on_track', 'attending is a progress event');
    await attend(w2, partner);
    expectProblem(await ph('POST', `/v1/workshops/${w1.id}/attendance`, { token: adminToken(), body: { person_id: partner.id } }), 409, 'conflict', ['person_id']);
    expectProblem(await ph('POST', `/v1/workshops/${w1.id}/attendance`, { token: adminToken(), body: { person_id: mentor.id } }), 409, 'conflict', ['person_id']);
    expectProblem(await ph('POST', `/v1/workshops/${w1.id}/attendance`, { token: adminToken(), body: { person_id: MISSING } }), 409, 'conflict', ['person_id']);
    expectProblem(await ph('POST', `/v1/workshops/${MISSING}/attendance`, { token: adminToken(), body: { person_id: partner.id } }), 404, 'not-found');
    expectProblem(await ph('POST', `/v1/workshops/${w1.id}/attendance`, { token: mt(), body: { person_id: partner.id } }), 403, 'forbidden');
    assert.equal((await attendanceOf(partner.id)).length, 2);

    // the person's attendance list: themself, their mentor, admin; nobody else
    for (const tok of [pt(), mt(), adminToken()]) {
      const items = expectStatus(await ph('GET', `/v1/workshops?attended_by=${partner.id}`, { token: tok }), 200).body.items;
      assert.deepEqual(ids(items), [w1.id, w2.id]);
      assert.ok(items.every((x) => recent(x.attended_at)));
    }
    const only = expectStatus(await ph('GET', `/v1/workshops?attended_by=${partner.id}&platform=linkedin`, { token: pt() }), 200).body;
    assert.deepEqual(ids(only.items), [w2.id]);
    expectProblem(await ph('GET', `/v1/workshops?attended_by=${partner.id}`, { token: tokenFor(await createPartner()) }), 403, 'forbidden');

    // who attended: admin and service only
    const list = expectStatus(await ph('GET', `/v1/workshops/${w1.id}/attendance`, { token: serviceToken() }), 200).body;
    assert.deepEqual(list.items.map((x) => x.person_id), [partner.id]);
    expectProblem(await ph('GET', `/v1/workshops/${w1.id}/attendance`, { token: pt() }), 403, 'forbidden');

    // a mistake is removed by an admin
    expectProblem(await ph('DELETE', `/v1/workshops/${w1.id}/attendance/${partner.id}`, { token: pt() }), 403, 'forbidden');
    expectStatus(await ph('DELETE', `/v1/workshops/${w1.id}/attendance/${partner.id}`, { token: adminToken() }), 204);
    expectProblem(await ph('DELETE', `/v1/workshops/${w1.id}/attendance/${partner.id}`, { token: adminToken() }), 404, 'not-found');
    assert.deepEqual((await attendanceOf(partner.id)).map((r) => r.workshop_id), [w2.id]);
    void mentor;
  });
});

describe('questionnaires', () => {
  it('the default questionnaire exists; admins write new ones, validated', async () => {
    const t = expectStatus(await ph('GET', `/v1/assessment-templates/${DEFAULT_TEMPLATE}`, { token: tokenFor(await createPartner()) }), 200).body;
    assert.deepEqual(t.scale, { min: 1, max: 5 });
    assert.equal(t.items.length, 10);
    assert.deepEqual(t.items[0], { platform: 'linkedin', skill: 'profile', prompt: t.items[0].prompt });

    const b = { name: `Short ${uniq()}`, items: [{ platform: 'x', skill: 'posting', prompt: 'Posting on X' }, { platform: 'x', skill: 'engaging' }] };
    const res = expectStatus(await ph('POST', '/v1/assessment-templates', { token: adminToken(), body: b }), 201);
    assert.equal(res.headers.get('location'), `/v1/assessment-templates/${res.body.id}`);
    assert.deepEqual(res.body.items[1], { platform: 'x', skill: 'engaging', prompt: null });
    const list = expectStatus(await ph('GET', '/v1/assessment-templates?limit=500', { token: serviceToken() }), 200).body;
    assert.equal(list.items[0].id, DEFAULT_TEMPLATE);
    assert.ok(ids(list.items).includes(res.body.id));
    expectProblem(await ph('POST', '/v1/assessment-templates', { token: tokenFor(await createMentor()), body: b }), 403, 'forbidden');
    expectProblem(
      await ph('POST', '/v1/assessment-templates', { token: adminToken(), body: { name: '', items: [{ platform: 'x', skill: 'a' }, { platform: 'x', skill: 'a' }, { skill: 'B' }] }, invalid: true }),
      400,
      'validation',
      ['name', 'items[1]', 'items[2].platform', 'items[2].skill'],
    );
    expectProblem(await ph('GET', `/v1/assessment-templates/${MISSING}`, { token: adminToken() }), 404, 'not-found');
  });
});

describe('assessments', () => {
  const submit = (tok, b, o = {}) => ph('POST', '/v1/assessments', { token: tok, body: b, ...o });
  const self = (partner, rate) => ({ person_id: partner.id, template_id: DEFAULT_TEMPLATE, kind: 'self', answers: answers(rate) });

  it('the partner\'s first self-assessment is the baseline, tied to their phase; a progress event', async () => {
    const { partner, pt } = await partnerWithMentor();
    const e = await enrol(partner);
    await age(e.id, { progressDays: 30 });
    const res = expectStatus(await submit(pt(), self(partner)), 201);
    const a = res.body;
    assert.equal(res.headers.get('location'), `/v1/assessments/${a.id}`);
    assert.deepEqual([a.kind, a.baseline, a.person_id, a.rated_by, a.enrolment_id, a.phase], ['self', true, partner.id, partner.id, e.id, 'research']);
    assert.equal(a.answers.length, 10);
    assert.equal((await getEnrolment(e.id)).pace, 'on_track');
    const second = expectStatus(await submit(pt(), self(partner, () => [4, 3])), 201).body;
    assert.equal(second.baseline, false);
    assert.deepEqual((await assessmentsOf(partner.id)).map((r) => [r.kind, r.baseline]), [['self', true], ['self', false]]);
  });

  it('a mentor\'s rating is kept apart, with its own baseline, and never mixed into the self score', async () => {
    const { partner, mentor, pt, mt } = await partnerWithMentor();
    await selfAssess(partner, pt(), () => [2, 2]);
    await selfAssess(partner, pt(), () => [4, 4]);
    const rating = expectStatus(await submit(mt(), { ...self(partner, () => [1, 1]), kind: 'mentor' }), 201).body;
    assert.deepEqual([rating.kind, rating.baseline, rating.rated_by], ['mentor', true, mentor.id]);

    const growth = expectStatus(await ph('GET', `/v1/assessments/growth/${partner.id}`, { token: pt() }), 200).body;
    assert.equal(growth.kind, 'self');
    assert.equal(growth.assessments, 2);
    assert.ok(growth.items.every((x) => x.change.confidence === 2 && x.change.capability === 2));
    assert.deepEqual(
      growth.platforms.map((x) => [x.platform, x.items, x.confidence_change, x.capability_change]),
      [['blog', 2, 2, 2], ['linkedin', 4, 2, 2], ['x', 4, 2, 2]],
    );
    const mentorGrowth = expectStatus(await ph('GET', `/v1/assessments/growth/${partner.id}?kind=mentor`, { token: mt() }), 200).body;
    assert.equal(mentorGrowth.assessments, 1);
    assert.equal(mentorGrowth.baseline.id, rating.id);
    assert.ok(mentorGrowth.items.every((x) => x.change.confidence === 0 && x.latest.confidence === 1));

    const kinds = async (qs) => expectStatus(await ph('GET', `/v1/assessments?person_id=${partner.id}${qs}`, { token: mt() }), 200).body.items.map((x) => x.kind);
    assert.deepEqual(await kinds(''), ['self', 'self', 'mentor']);
    assert.deepEqual(await kinds('&kind=mentor'), ['mentor']);
  });

  it('mentoring, not consulting: only the partner submits a self-assessment; only their active mentor rates them', async () => {
    const { partner, pt, mt } = await partnerWithMentor();
    for (const tok of [mt(), adminToken()]) {
      expectProblem(await submit(tok, self(partner)), 403, 'mentoring-not-consulting');
    }
    for (const tok of [tokenFor(await createPartner()), tokenFor(await createMentor()), serviceToken()]) {
      expectProblem(await submit(tok, self(partner)), 403, 'forbidden');
    }
    expectProblem(await submit(await viewerToken(), self(partner)), 403, 'forbidden');
    for (const tok of [pt(), adminToken(), tokenFor(await createMentor())]) {
      expectProblem(await submit(tok, { ...self(partner), kind: 'mentor' }), 403, 'forbidden');
    }
    assert.equal((await assessmentsOf(partner.id)).length, 0, 'nothing stored');
  });

  it('every item answered once with both ratings; nothing else', async () => {
    const { partner, pt } = await partnerWithMentor();
    const some = answers().slice(0, 9);
    let p = expectProblem(await submit(pt(), { ...self(partner), answers: some }), 400, 'validation', ['answers']);
    assert.match(p.errors[0].message, /blog \/ measuring is not answered/);
    p = expectProblem(
      await submit(pt(), { ...self(partner), answers: [...answers(), { platform: 'tiktok', skill: 'dancing', confidence: 3, capability: 3 }] }),
      400,
      'validation',
      ['answers[10]'],
    );
    const twice = answers();
    twice[1] = { ...twice[0] };
    expectProblem(await submit(pt(), { ...self(partner), answers: twice }), 400, 'validation', ['answers[1]']);
    const out = answers((pl, sk) => (pl === 'x' && sk === 'posting' ? [0, 6] : [2, 2]));
    expectProblem(await submit(pt(), { ...self(partner), answers: out }, { invalid: true }), 400, 'validation', ['answers[5].confidence', 'answers[5].capability']);
    const half = answers();
    delete half[2].capability;
    expectProblem(await submit(pt(), { ...self(partner), answers: half }, { invalid: true }), 400, 'validation', ['answers[2].capability']);
    expectProblem(await submit(pt(), { ...self(partner), template_id: MISSING }), 409, 'conflict', ['template_id']);
    expectProblem(await submit(pt(), { ...self(partner), kind: 'peer' }, { invalid: true }), 400, 'validation', ['kind']);
    assert.equal((await assessmentsOf(partner.id)).length, 0);
  });

  it('reading: the person, their active mentor, admin and service; lists scoped the same way', async () => {
    const { partner, pt, mt } = await partnerWithMentor();
    const a = await selfAssess(partner, pt());
    for (const tok of [pt(), mt(), adminToken(), serviceToken()]) {
      expectStatus(await ph('GET', `/v1/assessments/${a.id}`, { token: tok }), 200);
    }
    const stranger = await createPartner();
    expectProblem(await ph('GET', `/v1/assessments/${a.id}`, { token: tokenFor(stranger) }), 403, 'forbidden');
    expectProblem(await ph('GET', `/v1/assessments/growth/${partner.id}`, { token: tokenFor(stranger) }), 403, 'forbidden');
    expectProblem(await ph('GET', `/v1/assessments?person_id=${partner.id}`, { token: tokenFor(stranger) }), 403, 'forbidden');
    expectProblem(await ph('GET', `/v1/assessments/${MISSING}`, { token: adminToken() }), 404, 'not-found');
    expectProblem(await ph('GET', `/v1/assessments/${a.id}`, { token: await viewerToken() }), 403, 'forbidden');
    const mine = expectStatus(await ph('GET', '/v1/assessments', { token: pt() }), 200).body.items;
    assert.deepEqual(ids(mine), [a.id]);
    assert.deepEqual(ids(expectStatus(await ph('GET', '/v1/assessments', { token: tokenFor(stranger) }), 200).body.items), []);
    const comms = await createPerson({ roles: ['comms'] });
    assert.deepEqual(ids(expectStatus(await ph('GET', '/v1/assessments', { token: tokenFor(comms) }), 200).body.items), []);
    const g = expectStatus(await ph('GET', `/v1/assessments/growth/${stranger.id}`, { token: adminToken() }), 200).body;
    assert.deepEqual([g.assessments, g.baseline, g.latest, g.items, g.platforms], [0, null, null, [], []]);
    expectProblem(await ph('GET', `/v1/assessments/growth/${partner.id}?kind=peer`, { token: pt(), invalid: true }), 400, 'validation', ['kind']);
  });
});
