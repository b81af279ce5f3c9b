// One partner's whole journey through the default programme, across the real
// services over real HTTP: people (who is who, the pairing), phases (the
// enrolment and its exit criteria), mentoring (sessions, checklist activity,
// the mentor's sign-off) and strategy (the playbook, the business strategy,
// the integration comms signs off). The harness's own phases instance is told
// that mentoring and strategy live where nothing listens, so this file starts
// a phases instance of its own wired to the real ones. Every response is held
// against the answering service's spec (api() with its `service`).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectProblem, expectStatus, requireEnv } from './lib/http.mjs';
import { adminToken, createMentor, createPairing, createPartner, createPerson, tokenFor, uniq } from './lib/fixtures.mjs';
import { answers, DEFAULT_PROGRAMME, DEFAULT_TEMPLATE, enrol, fieldsOf, ph } from './lib/phases.mjs';
import { createCompletion, createItem, createSession, dateFromToday, holdSession, m } from './lib/mentoring.mjs';
import { createPlaybook, decide, integrate, programme, publishStrategy, sapi, strategyBody } from './lib/strategy.mjs';
import { startService } from './lib/spawn.mjs';
import * as db from './lib/db.mjs';

// The sections the default programme's playbook phase asks for.
const PLAYBOOK_SECTIONS = ['purpose', 'vision', 'audiences', 'themes', 'platforms', 'cadence', 'goals'];

let phases;

before(async () => {
  phases = await startService('phases', {
    name: `phases-e2e-${uniq(3)}`,
    env: {
      TANDEM_PEOPLE_URL: requireEnv('TANDEM_TEST_PEOPLE_URL'),
      TANDEM_MENTORING_URL: requireEnv('TANDEM_TEST_MENTORING_URL'),
      TANDEM_STRATEGY_URL: requireEnv('TANDEM_TEST_STRATEGY_URL'),
      TANDEM_THREADS: '2',
      TANDEM_DB_POOL_SIZE: '4',
    },
  });
  await phases.waitReady();
});

after(async () => {
  const res = phases ? await phases.stop() : { code: 0 };
  await db.closeDb();
  assert.equal(res.code, 0, `the e2e phases instance exits 0 on SIGTERM\n${phases?.output()}`);
});

// Calls to this file's phases instance (the one wired to the real services).
const P = (method, path, o = {}) => ph(method, path, { base: phases.url, ...o });
const advance = (id, tok, o = {}) => P('POST', `/v1/enrolments/${id}/advance`, { token: tok, ...o });
const criteria = async (id, tok) =>
  expectStatus(await P('GET', `/v1/enrolments/${id}/criteria`, { token: tok }), 200, 'reading the criteria').body;
const history = async (id, tok) =>
  expectStatus(await P('GET', `/v1/enrolments/${id}/history?limit=100`, { token: tok }), 200, 'reading the history').body;

// Advances as @tok; expects 200 and @phase next (null once operational).
async function advanceTo(e, tok, phase) {
  const res = expectStatus(await advance(e.id, tok), 200, `advancing to ${phase}`);
  assert.equal(res.body.current_phase, phase);
  assert.equal(res.headers.get('etag'), `"${res.body.version}"`);
  return res.body;
}

// A full playbook body for @programmeId: every section the default programme asks for.
const fullPlaybook = (programmeId) => ({
  programme_id: programmeId,
  purpose: 'Share what twenty years of audit taught me about trust.',
  vision: 'The partner people look to on trustworthy AI in the boardroom.',
  audiences: [{ name: 'CFOs', description: 'Finance leaders of listed companies' }],
  themes: [
    { name: 'AI for boards', keywords: ['AI', 'governance'], pillars: ['Trusted Technology'] },
    { name: 'Net zero in practice', keywords: ['climate', 'ESG'] },
  ],
  platforms: [{ name: 'LinkedIn', purpose: 'Long-form posts' }],
  cadence: { posts_per_week: 2, notes: 'Tuesday and Thursday mornings' },
  goals: [{ description: 'Grow my network', metric: 'followers', target: 500, by: '2027-06-30' }],
});

describe('a partner\'s journey through every service', () => {
  const w = {};

  it('1. admin creates a mentor and a partner, pairs them and enrols the partner', async () => {
    w.mentor = await createMentor();
    w.partner = await createPartner();
    w.comms = await createPerson({ roles: ['comms'] });
    w.pairing = await createPairing(w.mentor, w.partner);
    w.pt = () => tokenFor(w.partner);
    w.mt = () => tokenFor(w.mentor);
    w.ct = () => tokenFor(w.comms);
    w.e = await enrol(w.partner, DEFAULT_PROGRAMME, { base: phases.url });
    assert.equal(w.e.status, 'active');
    assert.equal(w.e.programme_id, DEFAULT_PROGRAMME);
    assert.equal(w.e.current_phase, 'research');
    // the partner and their mentor read it; the mentor reads the criteria with evidence from both services
    expectStatus(await P('GET', `/v1/enrolments/${w.e.id}`, { token: w.mt() }), 200);
  });

  it('2. research, workshops and playbook: met for real, advanced by the partner', async () => {
    // research: a self-assessment
    expectProblem(await advance(w.e.id, w.pt()), 409, 'criteria-unmet', ['criteria[0].assessment_submitted']);
    expectStatus(await P('POST', '/v1/assessments', {
      token: w.pt(),
      body: { person_id: w.partner.id, template_id: DEFAULT_TEMPLATE, kind: 'self', answers: answers() },
    }), 201, 'the partner\'s self-assessment');
    await advanceTo(w.e, w.pt(), 'workshops');

    // workshops: two attended
    expectProblem(await advance(w.e.id, w.pt()), 409, 'criteria-unmet', ['criteria[0].workshops_attended']);
    for (const platform of ['linkedin', 'x']) {
      const ws = expectStatus(await P('POST', '/v1/workshops', {
        token: adminToken(),
        body: { title: `E2E ${platform} ${uniq()}`, platform, skills: ['posting'], held_at: `${dateFromToday(-2)}T10:00:00Z` },
      }), 201).body;
      expectStatus(await P('POST', `/v1/workshops/${ws.id}/attendance`, {
        token: adminToken(), body: { person_id: w.partner.id },
      }), 201);
    }
    await advanceTo(w.e, w.pt(), 'playbook');

    // playbook: nothing drafted in the strategy service yet; the real answer names every section
    let p = expectProblem(await advance(w.e.id, w.pt()), 409, 'criteria-unmet', ['criteria[0].playbook_sections_drafted']);
    assert.equal(p.errors[0].message, `sections not drafted yet: ${PLAYBOOK_SECTIONS.join(', ')}`);

    // the partner drafts some sections for the enrolment's programme
    const first = fullPlaybook(w.e.programme_id);
    const partial = { programme_id: first.programme_id, purpose: first.purpose, vision: first.vision };
    w.playbook = await createPlaybook(w.pt(), partial);
    assert.equal(w.playbook.programme_id, DEFAULT_PROGRAMME);
    p = expectProblem(await advance(w.e.id, w.pt()), 409, 'criteria-unmet', ['criteria[0].playbook_sections_drafted']);
    assert.equal(p.errors[0].message, 'sections not drafted yet: audiences, themes, platforms, cadence, goals');

    // ... then the rest (a new revision)
    const { programme_id: _, ...rest } = first;
    expectStatus(await sapi('PATCH', `/v1/playbooks/${w.playbook.id}`, {
      token: w.pt(), body: rest, headers: { 'If-Match': `"${w.playbook.version}"` },
    }), 200, 'the partner completes the playbook');

    // the same partner starts a playbook in another programme afterwards (their latest):
    // the evidence phases judges must still be this enrolment's programme's playbook
    w.otherPlaybook = await createPlaybook(w.pt(), { programme_id: programme(), purpose: 'A pilot of my own.' });

    const c = await criteria(w.e.id, w.mt());
    assert.deepEqual([c.phase, c.ready, c.met, c.unmet, c.unavailable], ['playbook', true, 1, 0, 0]);
    assert.deepEqual(c.criteria[0].evidence.missing, []);
    await advanceTo(w.e, w.pt(), 'mentoring');
  });

  it('3. mentoring: refused before the evidence exists, moves on once sessions, activity and sign-off are real', async () => {
    const p = expectProblem(await advance(w.e.id, w.pt()), 409, 'criteria-unmet',
      ['criteria[0].sessions_held', 'criteria[1].activity_rate', 'criteria[2].mentor_signoff']);
    assert.equal(p.errors[0].message, 'held 0 of the 6 sessions required');
    assert.match(p.errors[1].message, /^0\.00 activities a week over the last 4 weeks; 2\.00 required$/);
    assert.equal(p.errors[2].message, 'the mentor has not signed off yet');

    // an admin without an override is judged like the partner (its token is forwarded too)
    expectProblem(await advance(w.e.id, adminToken()), 409, 'criteria-unmet',
      ['criteria[0].sessions_held', 'criteria[1].activity_rate', 'criteria[2].mentor_signoff']);

    // six sessions held over the past weeks, scheduled and marked held by mentor or partner
    for (let i = 0; i < 6; i++) {
      const tok = i % 2 === 0 ? w.mt() : w.pt();
      const s = await createSession(w.pairing, tok, { scheduled_at: `${dateFromToday(-5 * (6 - i))}T09:00:00Z` });
      await holdSession(s, tok);
    }
    // the partner's own checklist: nine completions over the last four weeks (2.25 a week)
    const item = await createItem(w.partner, w.pt(), { cadence: 'weekly', started_on: dateFromToday(-40) });
    for (const d of [-26, -23, -20, -16, -13, -9, -6, -3, -1]) {
      await createCompletion(w.partner, item, w.pt(), { done_at: `${dateFromToday(d)}T12:00:00Z` });
    }
    // held sessions and activity, but no sign-off yet
    expectProblem(await advance(w.e.id, w.pt()), 409, 'criteria-unmet', ['criteria[2].mentor_signoff']);

    const so = expectStatus(await m('POST', '/v1/signoffs', {
      token: w.mt(), body: { partner_id: w.partner.id, note: 'Posting twice a week for a month; ready.' },
    }), 201, 'the mentor signs off').body;

    // the mentor may not move the partner on, not even now, nor override
    expectProblem(await advance(w.e.id, w.mt()), 403, 'mentoring-not-consulting');
    expectProblem(await advance(w.e.id, w.mt(), { body: { override_reason: 'I think they are ready' } }), 403, 'forbidden');

    const c = await criteria(w.e.id, w.pt());
    assert.deepEqual([c.ready, c.met, c.unmet, c.unavailable], [true, 3, 0, 0]);
    assert.deepEqual(c.criteria[0].evidence, { sessions_held: 6 });
    assert.deepEqual(c.criteria[1].evidence, { weeks: 4, rate_per_week: 2.25, completions: 9 });
    assert.equal(c.criteria[2].evidence.signed_off, true);
    assert.equal(c.criteria[2].evidence.mentor_id, w.mentor.id);
    assert.equal(Date.parse(c.criteria[2].evidence.signed_off_at), Date.parse(so.signed_off_at));

    await advanceTo(w.e, w.pt(), 'integration');
  });

  it('4. integration: refused until comms signs the integration off, then operational', async () => {
    expectProblem(await advance(w.e.id, w.pt()), 409, 'criteria-unmet', ['criteria[0].integration_signed_off']);

    await publishStrategy(w.ct(), strategyBody());
    const i = await integrate(w.pt(), w.playbook.id);
    assert.equal(i.status, 'pending_review');
    // pending review is not signed off
    const p = expectProblem(await advance(w.e.id, w.pt()), 409, 'criteria-unmet', ['criteria[0].integration_signed_off']);
    assert.equal(p.errors[0].message, 'the integration is not signed off yet');

    const signed = await decide(w.ct(), i.id, 'signed_off', 'Welcome to business as usual.');
    assert.equal(signed.status, 'signed_off');
    // comms' sign-off completes the journey by itself: phases follows strategy's events
    let done;
    for (let k = 0; k < 50; k++) {
      done = expectStatus(await P('GET', `/v1/enrolments/${w.e.id}`, { token: w.pt() }), 200).body;
      if (done.status === 'operational') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(done.status, 'operational');
    assert.ok(done.ended_at);
    expectProblem(await advance(w.e.id, w.pt()), 409, 'conflict');

    // the history: every transition, by the partner, with the evidence it was judged on
    const h = await history(w.e.id, w.mt());
    assert.equal(h.next_cursor, null);
    assert.deepEqual(h.items.map((x) => [x.kind, x.from_phase, x.to_phase]), [
      ['enrolled', null, 'research'],
      ['advanced', 'research', 'workshops'],
      ['advanced', 'workshops', 'playbook'],
      ['advanced', 'playbook', 'mentoring'],
      ['advanced', 'mentoring', 'integration'],
      ['operational', 'integration', null],
    ]);
    for (const x of h.items.slice(1)) {
      assert.equal(x.override, false);
      const by = x.kind === 'operational' ? ['comms', w.comms.id] : ['partner', w.partner.id];
      assert.deepEqual([x.actor.role, x.actor.person_id], by);
      assert.ok(x.evidence.length >= 1);
      assert.ok(x.evidence.every((r) => r.status === 'met'), JSON.stringify(x.evidence));
    }
    const byPhase = Object.fromEntries(h.items.slice(1).map((x) => [x.from_phase, x.evidence]));
    assert.deepEqual(byPhase.playbook[0].evidence.missing, []);
    assert.deepEqual(byPhase.mentoring.map((r) => r.rule.type), ['sessions_held', 'activity_rate', 'mentor_signoff']);
    assert.deepEqual(byPhase.mentoring[0].evidence, { sessions_held: 6 });
    assert.equal(byPhase.mentoring[2].evidence.mentor_id, w.mentor.id);
    assert.equal(byPhase.integration[0].evidence.integration_id, i.id);
  });
});

describe('overrides over the real evidence', () => {
  it('an admin override with a reason is recorded, with the real (unmet) evidence it overrode', async () => {
    const partner = await createPartner();
    const mentor = await createMentor();
    await createPairing(mentor, partner);
    const e = await enrol(partner, DEFAULT_PROGRAMME, { base: phases.url });
    // the partner has no records anywhere: both services answer zeros, not 404
    const reasons = ['assessed on paper', 'attended the 2025 workshops', 'playbook kept in a document', 'mentored before joining'];
    for (const reason of reasons) {
      expectStatus(await advance(e.id, adminToken(), { body: { override_reason: reason } }), 200, `override: ${reason}`);
    }
    // the partner themself may not override
    expectProblem(await advance(e.id, tokenFor(partner), { body: { override_reason: 'trust me' } }), 403, 'forbidden');
    const h = await history(e.id, adminToken());
    const overrides = h.items.filter((x) => x.override);
    assert.deepEqual(overrides.map((x) => x.reason), reasons);
    assert.ok(overrides.every((x) => x.actor.role === 'admin'));
    const playbook = overrides[2].evidence[0];
    assert.equal(playbook.status, 'unmet');
    assert.deepEqual(playbook.evidence.missing, PLAYBOOK_SECTIONS);
    const mentoring = overrides[3].evidence;
    assert.deepEqual(mentoring.map((r) => r.status), ['unmet', 'unmet', 'unmet']);
    assert.deepEqual(mentoring[0].evidence, { sessions_held: 0 });
    assert.equal(mentoring[1].evidence.rate_per_week, 0);
    assert.equal(mentoring[2].evidence.signed_off, false);
    const now = expectStatus(await P('GET', `/v1/enrolments/${e.id}`, { token: tokenFor(partner) }), 200).body;
    assert.equal(now.current_phase, 'integration');
  });
});
