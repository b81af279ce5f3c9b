// Statistics: aggregates only (counts, rates, distributions), for every role
// including viewers; never an id or any text anyone wrote. Other tests run
// before this one, so it asserts what its own data adds.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectProblem, expectStatus, gatewayUrl } from './lib/http.mjs';
import { uniq } from './lib/fixtures.mjs';
import {
  assertNowhere,
  cast,
  createCompletion,
  createItem,
  createSession,
  dateFromToday,
  fullAdherence,
  holdSession,
  m,
} from './lib/mentoring.mjs';
import * as db from './lib/db.mjs';

after(() => db.closeDb());

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const stats = async (tok, qs = '') => expectStatus(await m('GET', `/v1/stats/mentoring${qs}`, { token: tok }), 200).body;

describe('GET /v1/stats/mentoring', () => {
  it('every role reads it, viewers included; it holds no ids and no text', async () => {
    const c = await cast();
    const secret = `shared-${uniq()}`;
    const s = await holdSession(await createSession(c.MP, c.t.mentor), c.t.mentor);
    expectStatus(await m('PATCH', `/v1/sessions/${s.id}/write-up`, { token: c.t.partner, body: { shared_notes: secret, partner_reflection: secret } }), 200);
    expectStatus(await m('PUT', `/v1/sessions/${s.id}/private-notes`, { token: c.t.mentor, body: { text: secret } }), 201);
    for (const role of ['viewer', 'comms', 'admin', 'mentor', 'partner', 'service']) {
      const res = expectStatus(await m('GET', '/v1/stats/mentoring', { token: c.t[role] }), 200);
      assert.equal(UUID.test(res.text), false, `no ids in statistics (${role})`);
      assertNowhere(res.text, secret, `statistics as ${role}`);
    }
  });

  it('counts sessions, the write-up backlog, adherence, learnings, activity and sign-offs', async () => {
    const c = await cast();
    const before = await stats(c.t.viewer, '?weeks=4');
    const backlog = await holdSession(await createSession(c.MP, c.t.mentor, { scheduled_at: `${dateFromToday(-10)}T09:00:00Z` }), c.t.mentor);
    assert.equal(backlog.needs_write_up, true);
    const written = await holdSession(await createSession(c.MP, c.t.mentor), c.t.mentor);
    const adherence = await fullAdherence(c.t.mentor);
    const keys = Object.keys(adherence);
    adherence[keys[0]] = false;
    expectStatus(await m('PATCH', `/v1/sessions/${written.id}/write-up`, { token: c.t.mentor, body: { shared_notes: 'ok', guideline_adherence: adherence } }), 200);
    await createSession(c.MP, c.t.partner, { scheduled_at: `${dateFromToday(3)}T09:00:00Z` });
    for (const kind of ['failure', 'failure', 'success']) {
      expectStatus(await m('POST', '/v1/learnings', { token: c.t.partner, body: { kind, text: 'x', visibility: 'private' } }), 201);
    }
    const item = await createItem(c.P, c.t.partner, { started_on: dateFromToday(-20) });
    await createCompletion(c.P, item, c.t.partner, { done_at: `${dateFromToday(-2)}T09:00:00Z` });
    expectStatus(await m('POST', '/v1/signoffs', { token: c.t.mentor, body: { partner_id: c.P.id, note: 'ready' } }), 201);

    const after_ = await stats(c.t.viewer, '?weeks=4');
    assert.equal(after_.sessions.total - before.sessions.total, 3);
    assert.equal(after_.sessions.held - before.sessions.held, 2);
    assert.equal(after_.sessions.scheduled - before.sessions.scheduled, 1);
    assert.equal(after_.sessions_per_pairing.pairings - before.sessions_per_pairing.pairings, 1);
    assert.ok(after_.sessions_per_pairing.max_held >= 2);
    assert.equal(after_.write_up_backlog.days, 3);
    assert.equal(after_.write_up_backlog.sessions - before.write_up_backlog.sessions, 1);
    const adh = (st, key) => st.guideline_adherence.find((g) => g.key === key) ?? { sessions: 0, honoured: 0 };
    assert.equal(adh(after_, keys[0]).sessions - adh(before, keys[0]).sessions, 1);
    assert.equal(adh(after_, keys[0]).honoured - adh(before, keys[0]).honoured, 0);
    assert.equal(adh(after_, keys[1]).honoured - adh(before, keys[1]).honoured, 1);
    assert.equal(after_.learnings_by_kind.failure - before.learnings_by_kind.failure, 2);
    assert.equal(after_.learnings_by_kind.success - before.learnings_by_kind.success, 1);
    assert.equal(after_.learnings_by_kind.insight - before.learnings_by_kind.insight, 0);
    assert.equal(after_.activity.weeks, 4);
    assert.equal(after_.activity.completions - before.activity.completions, 1);
    assert.equal(after_.activity.partners - before.activity.partners, 1);
    assert.equal(after_.signoffs_current - before.signoffs_current, 1);
    const r = after_.activity_regularity;
    assert.equal(r.weeks, 4);
    assert.deepEqual(r.on_cadence.map((b) => [b.from, b.to]), [[0, 0.25], [0.25, 0.5], [0.5, 0.75], [0.75, 1]]);
    assert.equal(r.partners - before.activity_regularity.partners, 1);
    assert.equal(r.partners, r.no_windows_yet + r.on_cadence.reduce((n, b) => n + b.partners, 0));
  });

  it('weeks is 1..104', async () => {
    const c = await cast();
    for (const qs of ['weeks=0', 'weeks=105', 'weeks=x']) {
      expectProblem(await m('GET', `/v1/stats/mentoring?${qs}`, { token: c.t.viewer, invalid: true }), 400, 'validation', ['weeks']);
    }
  });
});

describe('the mentoring routes through the gateway', () => {
  it('reach the mentoring service, with the request id passed through', async () => {
    const c = await cast();
    const base = gatewayUrl();
    const rid = `gw-m-${uniq()}`;
    const g = expectStatus(await m('GET', '/v1/guidelines', { token: c.t.partner, base, headers: { 'X-Request-Id': rid } }), 200);
    assert.equal(g.headers.get('x-request-id'), rid);
    expectStatus(await m('GET', '/v1/stats/mentoring', { token: c.t.viewer, base }), 200);
    expectStatus(await m('GET', `/v1/evidence/mentoring/${c.P.id}?weeks=4`, { token: c.t.service, base }), 200);
    const s = expectStatus(await m('POST', '/v1/sessions', { token: c.t.mentor, base, body: { pairing_id: c.MP.id, scheduled_at: `${dateFromToday(2)}T09:00:00Z`, duration_minutes: 30 } }), 201).body;
    expectStatus(await m('GET', `/v1/sessions/${s.id}`, { token: c.t.partner, base }), 200);
    const item = await createItem(c.P, c.t.partner);
    expectStatus(await m('GET', `/v1/checklists/${c.P.id}/items/${item.id}`, { token: c.t.mentor, base }), 200);
    expectStatus(await m('GET', '/v1/activity-templates', { token: c.t.mentor, base }), 200);
    expectStatus(await m('GET', '/v1/learnings', { token: c.t.mentor, base }), 200);
    expectStatus(await m('GET', '/v1/signoffs', { token: c.t.mentor, base }), 200);
    const problem = expectProblem(await m('POST', `/v1/checklists/${c.P.id}/items/${item.id}/completions`, {
      token: c.t.mentor, base, body: { done_at: `${dateFromToday(0)}T00:00:00Z` },
    }), 403, 'partners-record-their-own-activities');
    assert.ok(problem.request_id);
  });
});
