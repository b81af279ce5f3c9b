// The mentor's sign-off and the evidence the phases service reads for the
// mentoring phase's exit criteria: GET /v1/evidence/mentoring/{person_id}
// ?weeks=N -> {person_id, sessions_held, activity: {weeks, completions,
// rate_per_week}, mentor_signoff: {signed_off, signed_off_at, mentor_id}}.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { etagVersion, expectProblem, expectStatus } from './lib/http.mjs';
import { createMentor, createPairing, endPairing, ids, tokenFor, uniq } from './lib/fixtures.mjs';
import {
  cast,
  createCompletion,
  createItem,
  createSession,
  dateFromToday,
  holdSession,
  m,
  MISSING,
} from './lib/mentoring.mjs';
import * as db from './lib/db.mjs';

after(() => db.closeDb());

const w = {};
before(async () => Object.assign(w, await cast()));

const evidence = async (person, tok, weeks = 4) =>
  expectStatus(await m('GET', `/v1/evidence/mentoring/${person.id}?weeks=${weeks}`, { token: tok }), 200).body;

describe('GET /v1/evidence/mentoring/{person_id}', () => {
  it('starts empty, exactly in the agreed shape', async () => {
    const c = await cast();
    assert.deepEqual(await evidence(c.P, c.t.service), {
      person_id: c.P.id,
      sessions_held: 0,
      activity: { weeks: 4, completions: 0, rate_per_week: 0 },
      mentor_signoff: { signed_off: false, signed_off_at: null, mentor_id: null },
    });
  });

  it('counts held sessions only, and completions in the last N weeks with their rate', async () => {
    const c = await cast();
    await holdSession(await createSession(c.MP, c.t.mentor, { scheduled_at: `${dateFromToday(-20)}T10:00:00Z` }), c.t.mentor);
    await holdSession(await createSession(c.MP, c.t.partner), c.t.partner);
    await createSession(c.MP, c.t.mentor, { scheduled_at: `${dateFromToday(5)}T10:00:00Z` });
    const cancelled = await createSession(c.MP, c.t.mentor);
    expectStatus(await m('PATCH', `/v1/sessions/${cancelled.id}`, { token: c.t.mentor, body: { status: 'cancelled' } }), 200);
    const item = await createItem(c.P, c.t.partner, { cadence: 'weekly', started_on: dateFromToday(-60) });
    for (const d of [-50, -20, -13, -6, -1]) {
      await createCompletion(c.P, item, c.t.partner, { done_at: `${dateFromToday(d)}T12:00:00Z` });
    }
    const e4 = await evidence(c.P, c.t.mentor, 4);
    assert.equal(e4.sessions_held, 2);
    assert.deepEqual(e4.activity, { weeks: 4, completions: 4, rate_per_week: 1 });
    const e2 = await evidence(c.P, c.t.mentor, 2);
    assert.deepEqual(e2.activity, { weeks: 2, completions: 3, rate_per_week: 1.5 });
    const e8 = await evidence(c.P, c.t.partner, 8);
    assert.deepEqual(e8.activity, { weeks: 8, completions: 5, rate_per_week: 0.63 });
    const dflt = expectStatus(await m('GET', `/v1/evidence/mentoring/${c.P.id}`, { token: c.t.admin }), 200).body;
    assert.equal(dflt.activity.weeks, 12);
  });

  it('is read by the person, their active mentor, admin and service only', async () => {
    for (const role of ['partner', 'mentor', 'admin', 'service']) {
      expectStatus(await m('GET', `/v1/evidence/mentoring/${w.P.id}?weeks=4`, { token: w.t[role] }), 200);
    }
    for (const role of ['partner2', 'mentor2', 'loner', 'viewer', 'comms']) {
      expectProblem(await m('GET', `/v1/evidence/mentoring/${w.P.id}?weeks=4`, { token: w.t[role] }), 403, 'forbidden');
    }
    for (const qs of ['weeks=0', 'weeks=105', 'weeks=four', 'weeks=']) {
      expectProblem(await m('GET', `/v1/evidence/mentoring/${w.P.id}?${qs}`, { token: w.t.admin, invalid: true }), 400, 'validation', ['weeks']);
    }
    expectProblem(await m('GET', `/v1/evidence/mentoring/${w.P.id}?week=4`, { token: w.t.admin, invalid: true }), 400, 'validation', ['week']);
    expectProblem(await m('GET', '/v1/evidence/mentoring/someone', { token: w.t.admin, invalid: true }), 404, 'not-found');
  });
});

describe('sign-offs', () => {
  it('the active mentor signs the partner off with a note; the evidence says so', async () => {
    const c = await cast();
    const res = expectStatus(await m('POST', '/v1/signoffs', { token: c.t.mentor, body: { partner_id: c.P.id, note: 'Posting weekly for two months; ready.' } }), 201);
    const s = res.body;
    assert.equal(res.headers.get('location'), `/v1/signoffs/${s.id}`);
    assert.equal(etagVersion(res), 1);
    assert.equal(s.partner_id, c.P.id);
    assert.equal(s.mentor_id, c.M.id);
    assert.equal(s.current, true);
    const e = await evidence(c.P, c.t.service);
    assert.deepEqual(e.mentor_signoff, { signed_off: true, signed_off_at: s.signed_off_at, mentor_id: c.M.id });
    for (const role of ['partner', 'mentor', 'admin', 'service']) {
      expectStatus(await m('GET', `/v1/signoffs/${s.id}`, { token: c.t[role] }), 200);
    }
    for (const role of ['mentor2', 'partner2', 'viewer']) {
      expectProblem(await m('GET', `/v1/signoffs/${s.id}`, { token: c.t[role] }), 403, 'forbidden');
    }
  });

  it('nobody else signs a partner off: not the partner, not admin, not another mentor', async () => {
    const c = await cast();
    for (const role of ['partner', 'admin', 'mentor2', 'service', 'viewer', 'comms']) {
      expectProblem(await m('POST', '/v1/signoffs', { token: c.t[role], body: { partner_id: c.P.id, note: 'ready' } }), 403, 'forbidden');
    }
    assert.equal((await db.query('SELECT count(*)::int AS n FROM mentoring.signoff WHERE partner_id = $1', [c.P.id]))[0].n, 0);
    for (const [body, fields] of [
      [{}, ['partner_id', 'note']],
      [{ partner_id: 'p', note: '' }, ['partner_id', 'note']],
      [{ partner_id: c.P.id, note: 'n'.repeat(2001), signed_off_at: 'now' }, ['note', 'signed_off_at']],
    ]) {
      expectProblem(await m('POST', '/v1/signoffs', { token: c.t.mentor, body, invalid: true }), 400, 'validation', fields);
    }
  });

  it('one current sign-off per partner; the mentor revokes it, and may sign again', async () => {
    const c = await cast();
    const first = expectStatus(await m('POST', '/v1/signoffs', { token: c.t.mentor, body: { partner_id: c.P.id, note: 'ready' } }), 201).body;
    expectProblem(await m('POST', '/v1/signoffs', { token: c.t.mentor, body: { partner_id: c.P.id, note: 'ready again' } }), 409, 'conflict', ['partner_id']);
    for (const role of ['partner', 'admin', 'mentor2']) {
      expectProblem(await m('DELETE', `/v1/signoffs/${first.id}`, { token: c.t[role] }), 403, 'forbidden');
    }
    expectProblem(await m('DELETE', `/v1/signoffs/${first.id}`, { token: c.t.mentor, headers: { 'If-Match': '"2"' } }), 412, 'precondition-failed');
    expectStatus(await m('DELETE', `/v1/signoffs/${first.id}`, { token: c.t.mentor, headers: { 'If-Match': '"1"' } }), 204);
    const revoked = expectStatus(await m('GET', `/v1/signoffs/${first.id}`, { token: c.t.partner }), 200).body;
    assert.equal(revoked.current, false);
    assert.equal(revoked.revoked_by, c.M.id);
    assert.ok(revoked.revoked_at);
    assert.equal((await evidence(c.P, c.t.partner)).mentor_signoff.signed_off, false);
    expectProblem(await m('DELETE', `/v1/signoffs/${first.id}`, { token: c.t.mentor }), 409, 'conflict');
    const second = expectStatus(await m('POST', '/v1/signoffs', { token: c.t.mentor, body: { partner_id: c.P.id, note: 'ready, for real' } }), 201).body;
    const list = async (qs, tok = c.t.partner) => ids(expectStatus(await m('GET', `/v1/signoffs?${qs}`, { token: tok }), 200).body.items);
    assert.deepEqual(await list(`partner_id=${c.P.id}`), [first.id, second.id]);
    assert.deepEqual(await list(`partner_id=${c.P.id}&current=true`, c.t.mentor), [second.id]);
    assert.deepEqual(await list(`partner_id=${c.P.id}&current=false`, c.t.admin), [first.id]);
    assert.deepEqual(await list(`partner_id=${c.P.id}`, c.t.mentor2), []);
    assert.deepEqual(await list('limit=500', c.t.loner), []);
    expectProblem(await m('GET', '/v1/signoffs?current=yes', { token: c.t.admin, invalid: true }), 400, 'validation', ['current']);
    expectProblem(await m('GET', `/v1/signoffs/${MISSING}`, { token: c.t.admin }), 404, 'not-found');
  });

  it('a mentor whose pairing ended neither signs nor revokes; the new mentor does', async () => {
    const c = await cast();
    const s = expectStatus(await m('POST', '/v1/signoffs', { token: c.t.mentor, body: { partner_id: c.P.id, note: 'ready' } }), 201).body;
    await endPairing(c.MP);
    expectProblem(await m('DELETE', `/v1/signoffs/${s.id}`, { token: c.t.mentor }), 403, 'forbidden');
    const next = await createMentor();
    await createPairing(next, c.P);
    expectStatus(await m('DELETE', `/v1/signoffs/${s.id}`, { token: tokenFor(next) }), 204);
    expectProblem(await m('POST', '/v1/signoffs', { token: c.t.mentor, body: { partner_id: c.P.id, note: 'again' } }), 403, 'forbidden');
    const key = `so-${uniq()}`;
    const body = { partner_id: c.P.id, note: 'ready under my mentoring' };
    const a = expectStatus(await m('POST', '/v1/signoffs', { token: tokenFor(next), body, headers: { 'Idempotency-Key': key } }), 201);
    const b = expectStatus(await m('POST', '/v1/signoffs', { token: tokenFor(next), body, headers: { 'Idempotency-Key': key } }), 201);
    assert.equal(b.body.id, a.body.id);
    assert.equal(b.headers.get('idempotent-replayed'), 'true');
  });
});
