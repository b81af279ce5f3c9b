// Sessions: scheduling for an active pairing (asked of the people service),
// who may schedule and read, the lifecycle (reschedules kept in history,
// held / cancelled / no_show), bad input, idempotency, lists and filters,
// and the needs-write-up list.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { etagVersion, expectProblem, expectStatus } from './lib/http.mjs';
import { createMentor, createPairing, endPairing, ids, uniq } from './lib/fixtures.mjs';
import { tokenFor } from './lib/fixtures.mjs';
import {
  cast,
  createSession,
  daysFromNow,
  fullAdherence,
  holdSession,
  listAll,
  m,
  MISSING,
} from './lib/mentoring.mjs';
import * as db from './lib/db.mjs';

after(() => db.closeDb());

const w = {};
before(async () => Object.assign(w, await cast()));

const sessionRows = (pairingId) =>
  db.query('SELECT * FROM mentoring.session WHERE pairing_id = $1 ORDER BY seq', [pairingId]);

describe('POST /v1/sessions', () => {
  it('the mentor schedules a session of their active pairing', async () => {
    const at = daysFromNow(3);
    const res = expectStatus(
      await m('POST', '/v1/sessions', {
        token: w.t.mentor,
        body: { pairing_id: w.MP.id, scheduled_at: at, duration_minutes: 45, agenda: 'First steps', objectives: ['a', 'b'] },
      }),
      201,
    );
    const s = res.body;
    assert.equal(res.headers.get('location'), `/v1/sessions/${s.id}`);
    assert.equal(etagVersion(res), 1);
    assert.equal(s.pairing_id, w.MP.id);
    assert.equal(s.mentor_id, w.M.id);
    assert.equal(s.partner_id, w.P.id);
    assert.equal(Date.parse(s.scheduled_at), Date.parse(at));
    assert.equal(s.duration_minutes, 45);
    assert.deepEqual(s.objectives, ['a', 'b']);
    assert.equal(s.status, 'scheduled');
    assert.equal(s.created_by, w.M.id);
    assert.equal(s.needs_write_up, false);
    assert.deepEqual(s.actions, []);
    assert.equal(s.history.length, 1);
    assert.equal(s.history[0].action, 'scheduled');
    assert.equal(s.history[0].by, w.M.id);
    assert.deepEqual(s.write_up, {
      shared_notes: null, partner_reflection: null, guideline_version: null, guideline_adherence: null, written_up_at: null,
    });
    const got = expectStatus(await m('GET', `/v1/sessions/${s.id}`, { token: w.t.partner }), 200);
    assert.deepEqual(got.body, s);
    const rows = await db.query('SELECT mentor_id, partner_id FROM mentoring.session WHERE id = $1', [s.id]);
    assert.deepEqual(rows[0], { mentor_id: w.M.id, partner_id: w.P.id });
  });

  it('the partner schedules one too', async () => {
    const s = await createSession(w.MP, w.t.partner, { agenda: null, objectives: undefined });
    assert.equal(s.created_by, w.P.id);
    assert.equal(s.agenda, null);
    assert.deepEqual(s.objectives, []);
  });

  it('nobody outside the pairing schedules its sessions (403), and nothing is stored', async () => {
    const before_ = (await sessionRows(w.M2P2.id)).length;
    for (const role of ['admin', 'service', 'mentor', 'partner', 'loner', 'viewer', 'comms']) {
      const res = await m('POST', '/v1/sessions', {
        token: w.t[role],
        body: { pairing_id: w.M2P2.id, scheduled_at: daysFromNow(1), duration_minutes: 30 },
      });
      expectProblem(res, 403, 'forbidden');
    }
    assert.equal((await sessionRows(w.M2P2.id)).length, before_);
  });

  it('an ended pairing takes no new session (409 naming pairing_id)', async () => {
    const m3 = await createMentor();
    const pr = await createPairing(m3, w.Q);
    await endPairing(pr, 'cancelled', 'schedules clashed');
    const res = await m('POST', '/v1/sessions', {
      token: tokenFor(m3),
      body: { pairing_id: pr.id, scheduled_at: daysFromNow(1), duration_minutes: 30 },
    });
    expectProblem(res, 409, 'conflict', ['pairing_id']);
    assert.equal((await sessionRows(pr.id)).length, 0);
  });

  it('a pairing that does not exist is refused', async () => {
    const res = await m('POST', '/v1/sessions', {
      token: w.t.mentor,
      body: { pairing_id: MISSING, scheduled_at: daysFromNow(1), duration_minutes: 30 },
    });
    expectProblem(res, 403, 'forbidden');
  });

  it('reports every bad field at once and stores nothing', async () => {
    const n = (await sessionRows(w.MP.id)).length;
    const bad = [
      [{}, ['pairing_id', 'scheduled_at', 'duration_minutes']],
      [{ pairing_id: 'nope', scheduled_at: 'tomorrow', duration_minutes: '60' }, ['pairing_id', 'scheduled_at', 'duration_minutes']],
      [{ pairing_id: w.MP.id, scheduled_at: daysFromNow(1), duration_minutes: 4 }, ['duration_minutes']],
      [{ pairing_id: w.MP.id, scheduled_at: daysFromNow(1), duration_minutes: 481 }, ['duration_minutes']],
      [{ pairing_id: w.MP.id, scheduled_at: daysFromNow(-400), duration_minutes: 30 }, ['scheduled_at']],
      [{ pairing_id: w.MP.id, scheduled_at: daysFromNow(800), duration_minutes: 30 }, ['scheduled_at']],
      [{ pairing_id: w.MP.id, scheduled_at: daysFromNow(1), duration_minutes: 30, agenda: 'a'.repeat(4001) }, ['agenda']],
      [{ pairing_id: w.MP.id, scheduled_at: daysFromNow(1), duration_minutes: 30, objectives: Array(21).fill('x') }, ['objectives']],
      [{ pairing_id: w.MP.id, scheduled_at: daysFromNow(1), duration_minutes: 30, objectives: ['o'.repeat(501)] }, ['objectives']],
      [{ pairing_id: w.MP.id, scheduled_at: daysFromNow(1), duration_minutes: 30, status: 'held' }, ['status']],
      [{ pairing_id: w.MP.id, scheduled_at: '2026-02-30T10:00:00Z', duration_minutes: 30 }, ['scheduled_at']],
    ];
    for (const [body, fields] of bad) {
      const res = await m('POST', '/v1/sessions', { token: w.t.mentor, body, invalid: true });
      expectProblem(res, 400, 'validation', fields);
    }
    expectProblem(await m('POST', '/v1/sessions', { token: w.t.mentor, rawBody: '{"pairing_id": ', invalid: true }), 400, 'malformed');
    expectProblem(
      await m('POST', '/v1/sessions', { token: w.t.mentor, rawBody: '{}', contentType: 'text/plain', invalid: true }),
      415,
      'unsupported-media-type',
    );
    assert.equal((await sessionRows(w.MP.id)).length, n);
  });

  it('honours Idempotency-Key: a retry returns the first session and stores one', async () => {
    const key = `s-${uniq()}`;
    const body = { pairing_id: w.MP.id, scheduled_at: daysFromNow(5), duration_minutes: 30, agenda: key };
    const first = expectStatus(await m('POST', '/v1/sessions', { token: w.t.mentor, body, headers: { 'Idempotency-Key': key } }), 201);
    const again = expectStatus(await m('POST', '/v1/sessions', { token: w.t.mentor, body, headers: { 'Idempotency-Key': key } }), 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body, first.body);
    const other = await m('POST', '/v1/sessions', {
      token: w.t.mentor,
      body: { ...body, duration_minutes: 31 },
      headers: { 'Idempotency-Key': key },
    });
    expectProblem(other, 422, 'idempotency-key-reused');
    const rows = await db.query('SELECT id FROM mentoring.session WHERE agenda = $1', [key]);
    assert.equal(rows.length, 1);
  });
});

describe('GET /v1/sessions/{id}', () => {
  it('the mentor, the partner, admin and service read it; others get 403', async () => {
    const s = await createSession(w.MP, w.t.mentor);
    for (const role of ['mentor', 'partner', 'admin', 'service']) {
      expectStatus(await m('GET', `/v1/sessions/${s.id}`, { token: w.t[role] }), 200);
    }
    for (const role of ['mentor2', 'partner2', 'loner', 'viewer', 'comms']) {
      expectProblem(await m('GET', `/v1/sessions/${s.id}`, { token: w.t[role] }), 403, 'forbidden');
    }
    expectProblem(await m('GET', `/v1/sessions/${MISSING}`, { token: w.t.mentor }), 404, 'not-found');
  });

  it('a partner\'s new mentor reads the sessions with the old one; the old one keeps their own', async () => {
    const c = await cast();
    const old = await createSession(c.MP, c.t.mentor);
    const newMentor = await createMentor();
    const before_ = await m('GET', `/v1/sessions/${old.id}`, { token: tokenFor(newMentor) });
    expectProblem(before_, 403, 'forbidden');
    await endPairing(c.MP);
    await createPairing(newMentor, c.P);
    expectStatus(await m('GET', `/v1/sessions/${old.id}`, { token: tokenFor(newMentor) }), 200);
    expectStatus(await m('GET', `/v1/sessions/${old.id}`, { token: c.t.mentor }), 200);
    const listed = expectStatus(await m('GET', `/v1/sessions?partner_id=${c.P.id}`, { token: tokenFor(newMentor) }), 200);
    assert.deepEqual(ids(listed.body.items), [old.id]);
  });
});

describe('PATCH /v1/sessions/{id}: the lifecycle', () => {
  it('rescheduling keeps its history, with the reason, and bumps the version', async () => {
    const s = await createSession(w.MP, w.t.mentor, { scheduled_at: daysFromNow(2) });
    const to = daysFromNow(4);
    const res = expectStatus(
      await m('PATCH', `/v1/sessions/${s.id}`, {
        token: w.t.partner,
        body: { scheduled_at: to, reason: 'board meeting moved' },
        headers: { 'If-Match': '"1"' },
      }),
      200,
    );
    assert.equal(res.body.version, 2);
    assert.equal(etagVersion(res), 2);
    assert.equal(Date.parse(res.body.scheduled_at), Date.parse(to));
    assert.equal(res.body.history.length, 2);
    const h = res.body.history[1];
    assert.equal(h.action, 'rescheduled');
    assert.equal(h.by, w.P.id);
    assert.equal(Date.parse(h.from), Date.parse(s.scheduled_at));
    assert.equal(Date.parse(h.to), Date.parse(to));
    assert.equal(h.reason, 'board meeting moved');
    expectProblem(
      await m('PATCH', `/v1/sessions/${s.id}`, { token: w.t.mentor, body: { duration_minutes: 50 }, headers: { 'If-Match': '"1"' } }),
      412,
      'precondition-failed',
    );
    const edited = expectStatus(await m('PATCH', `/v1/sessions/${s.id}`, { token: w.t.mentor, body: { duration_minutes: 50, agenda: null } }), 200);
    assert.equal(edited.body.duration_minutes, 50);
    assert.equal(edited.body.agenda, null);
    assert.equal(edited.body.history.length, 2, 'an edit is not a reschedule');
  });

  it('a session is held only once its time has come (409 naming status)', async () => {
    const s = await createSession(w.MP, w.t.mentor, { scheduled_at: daysFromNow(1) });
    for (const status of ['held', 'no_show']) {
      expectProblem(await m('PATCH', `/v1/sessions/${s.id}`, { token: w.t.mentor, body: { status } }), 409, 'conflict', ['status']);
    }
    // moved into the past and held in one go
    const res = expectStatus(
      await m('PATCH', `/v1/sessions/${s.id}`, {
        token: w.t.mentor,
        body: { scheduled_at: daysFromNow(0, -2), status: 'held', reason: 'we met early' },
      }),
      200,
    );
    assert.equal(res.body.status, 'held');
    assert.deepEqual(res.body.history.map((x) => x.action), ['scheduled', 'rescheduled', 'held']);
    assert.equal(res.body.history[2].reason, 'we met early');
    assert.equal(res.body.history[1].reason, undefined);
    const g = expectStatus(await m('GET', '/v1/guidelines', { token: w.t.mentor }), 200).body;
    assert.equal(res.body.write_up.guideline_version, g.version, 'held under the version in force');
  });

  it('held, cancelled and no-show sessions change no more (409)', async () => {
    const held = await holdSession(await createSession(w.MP, w.t.mentor), w.t.mentor);
    const cancelled = expectStatus(
      await m('PATCH', `/v1/sessions/${(await createSession(w.MP, w.t.mentor, { scheduled_at: daysFromNow(2) })).id}`, {
        token: w.t.partner,
        body: { status: 'cancelled', reason: 'travelling' },
      }),
      200,
    ).body;
    assert.equal(cancelled.status_reason, 'travelling');
    const noShow = expectStatus(
      await m('PATCH', `/v1/sessions/${(await createSession(w.MP, w.t.mentor)).id}`, { token: w.t.mentor, body: { status: 'no_show' } }),
      200,
    ).body;
    for (const s of [held, cancelled, noShow]) {
      for (const body of [{ status: 'cancelled' }, { scheduled_at: daysFromNow(3) }, { agenda: 'late' }]) {
        expectProblem(await m('PATCH', `/v1/sessions/${s.id}`, { token: w.t.mentor, body }), 409, 'conflict');
      }
      const row = (await db.query('SELECT status, version FROM mentoring.session WHERE id = $1', [s.id]))[0];
      assert.equal(row.status, s.status);
      assert.equal(Number(row.version), s.version);
    }
  });

  it('only the session\'s mentor and partner change it', async () => {
    const s = await createSession(w.MP, w.t.mentor, { scheduled_at: daysFromNow(2) });
    for (const role of ['admin', 'service', 'mentor2', 'partner2']) {
      expectProblem(await m('PATCH', `/v1/sessions/${s.id}`, { token: w.t[role], body: { status: 'cancelled' } }), 403, 'forbidden');
    }
    for (const role of ['viewer', 'comms']) {
      expectProblem(await m('PATCH', `/v1/sessions/${s.id}`, { token: w.t[role], body: { status: 'cancelled' } }), 403, 'forbidden');
    }
    assert.equal((await db.query('SELECT status FROM mentoring.session WHERE id = $1', [s.id]))[0].status, 'scheduled');
  });

  it('validates the body: every fault at once', async () => {
    const s = await createSession(w.MP, w.t.mentor, { scheduled_at: daysFromNow(2) });
    const bad = [
      [{}, ['body']],
      [{ reason: 'why' }, ['reason']],
      [{ status: 'scheduled' }, ['status']],
      [{ status: 'done', duration_minutes: 0, scheduled_at: 'soon' }, ['status', 'duration_minutes', 'scheduled_at']],
      [{ pairing_id: w.MP.id }, ['pairing_id']],
      [{ status: 'cancelled', reason: '' }, ['reason']],
      [{ status: 'cancelled', reason: 'r'.repeat(501) }, ['reason']],
    ];
    for (const [body, fields] of bad) {
      expectProblem(await m('PATCH', `/v1/sessions/${s.id}`, { token: w.t.mentor, body, invalid: true }), 400, 'validation', fields);
    }
    assert.equal(Number((await db.query('SELECT version FROM mentoring.session WHERE id = $1', [s.id]))[0].version), 1);
  });

  it('a session takes at most 50 changes of time or status (409 after)', async () => {
    const s = await createSession(w.MP, w.t.mentor, { scheduled_at: daysFromNow(2) });
    for (let i = 0; i < 49; i++) {
      expectStatus(await m('PATCH', `/v1/sessions/${s.id}`, { token: w.t.mentor, body: { scheduled_at: daysFromNow(3 + (i % 2)) } }), 200);
    }
    expectProblem(await m('PATCH', `/v1/sessions/${s.id}`, { token: w.t.mentor, body: { scheduled_at: daysFromNow(9) } }), 409, 'conflict');
    expectStatus(await m('PATCH', `/v1/sessions/${s.id}`, { token: w.t.mentor, body: { agenda: 'still editable' } }), 200);
  });
});

describe('GET /v1/sessions', () => {
  it('filters by pairing, status and time, pages, and shows each caller their own', async () => {
    const c = await cast();
    const a = await createSession(c.MP, c.t.mentor, { scheduled_at: daysFromNow(-10) });
    const b = await holdSession(await createSession(c.MP, c.t.mentor, { scheduled_at: daysFromNow(-5) }), c.t.mentor);
    const d = await createSession(c.MP, c.t.partner, { scheduled_at: daysFromNow(10) });
    const other = await createSession(c.M2P2, c.t.mentor2);
    const list = async (qs, tok = c.t.admin) =>
      ids(expectStatus(await m('GET', `/v1/sessions?${qs}`, { token: tok }), 200).body.items);

    assert.deepEqual(await list(`pairing_id=${c.MP.id}`), [a.id, b.id, d.id]);
    assert.deepEqual(await list(`pairing_id=${c.MP.id}&status=held`), [b.id]);
    assert.deepEqual(await list(`partner_id=${c.P.id}&from=${encodeURIComponent(daysFromNow(-7))}`), [b.id, d.id]);
    assert.deepEqual(await list(`mentor_id=${c.M.id}&to=${daysFromNow(0).slice(0, 10)}`), [a.id, b.id]);
    assert.deepEqual(await list(`pairing_id=${c.M2P2.id}`), [other.id]);
    // scope: each sees their own
    assert.deepEqual(await list('limit=500', c.t.mentor), [a.id, b.id, d.id]);
    assert.deepEqual(await list('limit=500', c.t.partner), [a.id, b.id, d.id]);
    assert.deepEqual(await list(`pairing_id=${c.MP.id}`, c.t.mentor2), []);
    assert.deepEqual(await list(`partner_id=${c.P.id}`, c.t.mentor2), []);
    assert.deepEqual(await list('limit=500', c.t.loner), []);
    expectProblem(await m('GET', '/v1/sessions', { token: c.t.viewer }), 403, 'forbidden');
    expectProblem(await m('GET', '/v1/sessions', { token: c.t.comms }), 403, 'forbidden');

    const { items, pages } = await listAll(`/v1/sessions?pairing_id=${c.MP.id}&limit=1`, c.t.partner);
    assert.deepEqual(ids(items), [a.id, b.id, d.id]);
    assert.deepEqual(pages.slice(0, 3), [1, 1, 1]);
  });

  it('needs_write_up: held, not written up, scheduled more than the configured days ago', async () => {
    const c = await cast();
    const old = await holdSession(await createSession(c.MP, c.t.mentor, { scheduled_at: daysFromNow(-10) }), c.t.mentor);
    const recent = await holdSession(await createSession(c.MP, c.t.mentor, { scheduled_at: daysFromNow(-1) }), c.t.mentor);
    const done = await holdSession(await createSession(c.MP, c.t.mentor, { scheduled_at: daysFromNow(-10) }), c.t.mentor);
    const notHeld = await createSession(c.MP, c.t.mentor, { scheduled_at: daysFromNow(-10) });
    expectStatus(
      await m('PATCH', `/v1/sessions/${done.id}/write-up`, {
        token: c.t.mentor,
        body: { shared_notes: 'all good', guideline_adherence: await fullAdherence(c.t.mentor) },
      }),
      200,
    );
    assert.equal(old.needs_write_up, true);
    assert.equal(recent.needs_write_up, false);
    const list = async (qs) =>
      ids(expectStatus(await m('GET', `/v1/sessions?pairing_id=${c.MP.id}&${qs}`, { token: c.t.mentor }), 200).body.items);
    assert.deepEqual(await list('needs_write_up=true'), [old.id]);
    assert.deepEqual(await list('needs_write_up=false'), [recent.id, done.id, notHeld.id]);
    const got = expectStatus(await m('GET', `/v1/sessions/${done.id}`, { token: c.t.partner }), 200).body;
    assert.equal(got.needs_write_up, false);
  });

  it('rejects bad filters, naming each', async () => {
    const bad = [
      ['status=open', 'status'],
      ['pairing_id=x', 'pairing_id'],
      ['mentor_id=1', 'mentor_id'],
      ['partner_id=', 'partner_id'],
      ['from=yesterday', 'from'],
      ['to=2026-13-01', 'to'],
      ['needs_write_up=yes', 'needs_write_up'],
      ['limit=0', 'limit'],
      ['cursor=zzz', 'cursor'],
      ['colour=red', 'colour'],
    ];
    for (const [qs, field] of bad) {
      expectProblem(await m('GET', `/v1/sessions?${qs}`, { token: w.t.admin, invalid: true }), 400, 'validation', [field]);
    }
  });
});
