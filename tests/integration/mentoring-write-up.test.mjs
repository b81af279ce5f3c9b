// The write-up of a held session (shared notes both read, the partner's own
// reflection, guideline adherence against the version in force when it was
// held), the agreed actions owned by the partner, and the guidelines as
// versioned data.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { etagVersion, expectProblem, expectStatus } from './lib/http.mjs';
import { uniq } from './lib/fixtures.mjs';
import {
  cast,
  createSession,
  dateFromToday,
  fullAdherence,
  holdSession,
  m,
  MISSING,
} from './lib/mentoring.mjs';
import * as db from './lib/db.mjs';

after(() => db.closeDb());

const w = {};
before(async () => Object.assign(w, await cast()));

const writeUp = (s, tok, body, o = {}) => m('PATCH', `/v1/sessions/${s.id}/write-up`, { token: tok, body, ...o });

describe('PATCH /v1/sessions/{id}/write-up', () => {
  it('shared notes by either, read by both; written up once notes and adherence are in', async () => {
    const s = await holdSession(await createSession(w.MP, w.t.mentor), w.t.mentor);
    const a = expectStatus(await writeUp(s, w.t.mentor, { shared_notes: 'We looked at three posts.' }), 200);
    assert.equal(a.body.write_up.shared_notes, 'We looked at three posts.');
    assert.equal(a.body.write_up.written_up_at, null, 'no adherence yet');
    const adherence = await fullAdherence(w.t.partner);
    adherence[Object.keys(adherence)[1]] = false;
    const b = expectStatus(await writeUp(s, w.t.partner, { guideline_adherence: adherence }, { headers: { 'If-Match': `"${a.body.version}"` } }), 200);
    assert.deepEqual(b.body.write_up.guideline_adherence, adherence);
    assert.ok(b.body.write_up.written_up_at);
    assert.equal(etagVersion(b), a.body.version + 1);
    const seen = expectStatus(await m('GET', `/v1/sessions/${s.id}`, { token: w.t.partner }), 200).body;
    assert.equal(seen.write_up.shared_notes, 'We looked at three posts.');
    const later = expectStatus(await writeUp(s, w.t.mentor, { shared_notes: 'Edited.' }), 200);
    assert.equal(later.body.write_up.written_up_at, b.body.write_up.written_up_at, 'written up once');
    expectProblem(await writeUp(s, w.t.mentor, { shared_notes: 'x' }, { headers: { 'If-Match': '"1"' } }), 412, 'precondition-failed');
  });

  it('the reflection is the partner\'s own: a mentor or admin gets 403 mentoring-not-consulting', async () => {
    const s = await holdSession(await createSession(w.MP, w.t.mentor), w.t.mentor);
    for (const role of ['mentor', 'admin', 'mentor2']) {
      const p = expectProblem(await writeUp(s, w.t[role], { partner_reflection: 'I learned a lot' }), 403, 'mentoring-not-consulting');
      assert.match(p.detail, /partner/);
    }
    const row = (await db.query('SELECT partner_reflection, version FROM mentoring.session WHERE id = $1', [s.id]))[0];
    assert.equal(row.partner_reflection, null);
    const ok = expectStatus(await writeUp(s, w.t.partner, { partner_reflection: 'Posting weekly is easier than I feared.' }), 200);
    assert.equal(ok.body.write_up.partner_reflection, 'Posting weekly is easier than I feared.');
    const seen = expectStatus(await m('GET', `/v1/sessions/${s.id}`, { token: w.t.mentor }), 200).body;
    assert.equal(seen.write_up.partner_reflection, 'Posting weekly is easier than I feared.');
  });

  it('others may not write it up at all', async () => {
    const s = await holdSession(await createSession(w.MP, w.t.mentor), w.t.mentor);
    for (const role of ['admin', 'service', 'mentor2', 'partner2', 'viewer', 'comms']) {
      expectProblem(await writeUp(s, w.t[role], { shared_notes: 'not mine to write' }), 403, 'forbidden');
    }
    assert.equal((await db.query('SELECT shared_notes FROM mentoring.session WHERE id = $1', [s.id]))[0].shared_notes, null);
  });

  it('adherence names every guideline of the session\'s version, and nothing else', async () => {
    const s = await holdSession(await createSession(w.MP, w.t.mentor), w.t.mentor);
    const full = await fullAdherence(w.t.mentor);
    const [first, ...rest] = Object.keys(full);
    const missing = Object.fromEntries(rest.map((k) => [k, true]));
    expectProblem(await writeUp(s, w.t.mentor, { guideline_adherence: missing }), 400, 'validation', [`guideline_adherence.${first}`]);
    expectProblem(
      await writeUp(s, w.t.mentor, { guideline_adherence: { ...full, 'be-on-time': true } }),
      400,
      'validation',
      ['guideline_adherence.be-on-time'],
    );
    expectProblem(
      await writeUp(s, w.t.mentor, { guideline_adherence: { ...full, [first]: 'yes' } }, { invalid: true }),
      400,
      'validation',
      [`guideline_adherence.${first}`],
    );
    for (const [body, fields] of [
      [{}, ['body']],
      [{ shared_notes: '' }, ['shared_notes']],
      [{ shared_notes: 'n'.repeat(10001), partner_reflection: 'r'.repeat(4001) }, ['shared_notes', 'partner_reflection']],
      [{ guideline_adherence: [] }, ['guideline_adherence']],
      [{ written_up_at: '2026-01-01T00:00:00Z' }, ['written_up_at']],
    ]) {
      expectProblem(await writeUp(s, w.t.mentor, body, { invalid: true }), 400, 'validation', fields);
    }
    const row = (await db.query('SELECT guideline_adherence, version FROM mentoring.session WHERE id = $1', [s.id]))[0];
    assert.equal(row.guideline_adherence, null);
    assert.equal(Number(row.version), s.version);
  });

  it('only a held session is written up (409)', async () => {
    const scheduled = await createSession(w.MP, w.t.mentor);
    expectProblem(await writeUp(scheduled, w.t.mentor, { shared_notes: 'too early' }), 409, 'conflict');
    const cancelled = expectStatus(
      await m('PATCH', `/v1/sessions/${(await createSession(w.MP, w.t.mentor)).id}`, { token: w.t.mentor, body: { status: 'cancelled' } }),
      200,
    ).body;
    expectProblem(await writeUp(cancelled, w.t.mentor, { shared_notes: 'never met' }), 409, 'conflict');
    expectProblem(await writeUp({ id: MISSING }, w.t.mentor, { shared_notes: 'x' }), 404, 'not-found');
  });
});

describe('agreed actions', () => {
  it('are agreed in a held session, owned by the partner, and closed by the partner alone', async () => {
    const s = await holdSession(await createSession(w.MP, w.t.mentor), w.t.mentor);
    const res = expectStatus(
      await m('POST', `/v1/sessions/${s.id}/actions`, { token: w.t.mentor, body: { title: 'Draft three posts', due_on: dateFromToday(7) } }),
      201,
    );
    const a = res.body;
    assert.equal(res.headers.get('location'), `/v1/sessions/${s.id}/actions/${a.id}`);
    assert.equal(a.owner_id, w.P.id);
    assert.equal(a.created_by, w.M.id);
    assert.equal(a.status, 'open');
    assert.equal(a.done_at, null);
    const path = `/v1/sessions/${s.id}/actions/${a.id}`;
    for (const role of ['mentor', 'admin', 'mentor2']) {
      expectProblem(await m('PATCH', path, { token: w.t[role], body: { status: 'done' } }), 403, 'mentoring-not-consulting');
    }
    const moved = expectStatus(await m('PATCH', path, { token: w.t.mentor, body: { due_on: dateFromToday(14) } }), 200);
    assert.equal(moved.body.due_on, dateFromToday(14));
    expectProblem(await m('PATCH', path, { token: w.t.partner, body: { status: 'done' }, headers: { 'If-Match': '"1"' } }), 412, 'precondition-failed');
    const done = expectStatus(await m('PATCH', path, { token: w.t.partner, body: { status: 'done' } }), 200);
    assert.equal(done.body.status, 'done');
    assert.ok(done.body.done_at);
    const reopened = expectStatus(await m('PATCH', path, { token: w.t.partner, body: { status: 'open' } }), 200);
    assert.equal(reopened.body.done_at, null);
    const seen = expectStatus(await m('GET', `/v1/sessions/${s.id}`, { token: w.t.mentor }), 200).body;
    assert.deepEqual(seen.actions.map((x) => x.id), [a.id]);
    assert.equal(seen.actions[0].version, 4);
  });

  it('not in a session that was not held (409); not by outsiders (403); bad input (400)', async () => {
    const scheduled = await createSession(w.MP, w.t.mentor);
    const body = { title: 'x', due_on: dateFromToday(3) };
    expectProblem(await m('POST', `/v1/sessions/${scheduled.id}/actions`, { token: w.t.mentor, body }), 409, 'conflict');
    const s = await holdSession(await createSession(w.MP, w.t.mentor), w.t.mentor);
    for (const role of ['admin', 'mentor2', 'service', 'viewer']) {
      expectProblem(await m('POST', `/v1/sessions/${s.id}/actions`, { token: w.t[role], body }), 403, 'forbidden');
    }
    for (const [b, fields] of [
      [{}, ['title', 'due_on']],
      [{ title: '', due_on: '2026-02-30' }, ['title', 'due_on']],
      [{ title: 't'.repeat(501), due_on: dateFromToday(1), owner_id: w.M.id }, ['title', 'owner_id']],
    ]) {
      expectProblem(await m('POST', `/v1/sessions/${s.id}/actions`, { token: w.t.partner, body: b, invalid: true }), 400, 'validation', fields);
    }
    const a = expectStatus(await m('POST', `/v1/sessions/${s.id}/actions`, { token: w.t.partner, body }), 201).body;
    expectProblem(await m('PATCH', `/v1/sessions/${s.id}/actions/${a.id}`, { token: w.t.partner, body: {}, invalid: true }), 400, 'validation', ['body']);
    expectProblem(await m('PATCH', `/v1/sessions/${scheduled.id}/actions/${a.id}`, { token: w.t.partner, body: { title: 'y' } }), 404, 'not-found');
    expectProblem(await m('PATCH', `/v1/sessions/${s.id}/actions/${MISSING}`, { token: w.t.partner, body: { title: 'y' } }), 404, 'not-found');
    const rows = await db.query('SELECT count(*)::int AS n FROM mentoring.session_action WHERE session_id = $1', [s.id]);
    assert.equal(rows[0].n, 1);
  });

  it('honour Idempotency-Key', async () => {
    const s = await holdSession(await createSession(w.MP, w.t.mentor), w.t.mentor);
    const key = `a-${uniq()}`;
    const body = { title: 'One post a week', due_on: dateFromToday(7) };
    const first = expectStatus(await m('POST', `/v1/sessions/${s.id}/actions`, { token: w.t.partner, body, headers: { 'Idempotency-Key': key } }), 201);
    const again = expectStatus(await m('POST', `/v1/sessions/${s.id}/actions`, { token: w.t.partner, body, headers: { 'Idempotency-Key': key } }), 201);
    assert.equal(again.body.id, first.body.id);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    const rows = await db.query('SELECT count(*)::int AS n FROM mentoring.session_action WHERE session_id = $1', [s.id]);
    assert.equal(rows[0].n, 1);
  });
});

describe('guidelines: versioned data', () => {
  it('everyone in mentoring reads the version in force; viewers and comms do not', async () => {
    const g = expectStatus(await m('GET', '/v1/guidelines', { token: w.t.partner }), 200);
    assert.equal(etagVersion(g), g.body.version);
    assert.ok(g.body.items.length >= 1);
    for (const role of ['admin', 'mentor', 'service']) expectStatus(await m('GET', '/v1/guidelines', { token: w.t[role] }), 200);
    for (const role of ['viewer', 'comms']) expectProblem(await m('GET', '/v1/guidelines', { token: w.t[role] }), 403, 'forbidden');
  });

  it('the first version holds the programme\'s three defaults', async () => {
    const v1 = expectStatus(await m('GET', '/v1/guidelines/versions/1', { token: w.t.mentor }), 200).body;
    assert.deepEqual(v1.items.map((i) => i.key), ['partners-pace', 'share-experience', 'share-learning']);
    assert.match(v1.items[0].title, /partner's pace/);
    expectProblem(await m('GET', '/v1/guidelines/versions/0', { token: w.t.mentor }), 404, 'not-found');
    expectProblem(await m('GET', '/v1/guidelines/versions/999999', { token: w.t.mentor }), 404, 'not-found');
    expectProblem(await m('GET', '/v1/guidelines/versions/one', { token: w.t.mentor }), 404, 'not-found');
  });

  it('an admin makes a new version; sessions are written up against the version they were held under', async () => {
    const cur = expectStatus(await m('GET', '/v1/guidelines', { token: w.t.admin }), 200).body;
    const heldBefore = await holdSession(await createSession(w.MP, w.t.mentor), w.t.mentor);
    const oldAdherence = Object.fromEntries(cur.items.map((i) => [i.key, true]));
    const items = [...cur.items.map(({ key, title, description }) => ({ key, title, description })),
      { key: `listen-first-${uniq(2)}`, title: 'Listen before advising' }];
    expectProblem(
      await m('PUT', '/v1/guidelines', { token: w.t.admin, body: { items }, headers: { 'If-Match': `"${cur.version + 5}"` } }),
      412,
      'precondition-failed',
    );
    for (const role of ['mentor', 'partner', 'service']) {
      expectProblem(await m('PUT', '/v1/guidelines', { token: w.t[role], body: { items } }), 403, 'forbidden');
    }
    const next = expectStatus(
      await m('PUT', '/v1/guidelines', { token: w.t.admin, body: { items, note: 'added listening' }, headers: { 'If-Match': `"${cur.version}"` } }),
      200,
    );
    assert.equal(next.body.version, cur.version + 1);
    assert.equal(etagVersion(next), cur.version + 1);
    assert.equal(next.body.items.length, cur.items.length + 1);
    assert.equal(next.body.items.at(-1).description, null);
    const heldAfter = await holdSession(await createSession(w.MP, w.t.mentor), w.t.mentor);
    assert.equal(heldBefore.write_up.guideline_version, cur.version);
    assert.equal(heldAfter.write_up.guideline_version, cur.version + 1);
    // the old session: the old keys; the new one: the new keys
    expectStatus(await writeUp(heldBefore, w.t.mentor, { guideline_adherence: oldAdherence }), 200);
    expectProblem(await writeUp(heldAfter, w.t.mentor, { guideline_adherence: oldAdherence }), 400, 'validation', [`guideline_adherence.${items.at(-1).key}`]);
    expectStatus(await writeUp(heldAfter, w.t.mentor, { guideline_adherence: await fullAdherence(w.t.mentor) }), 200);
    const versions = expectStatus(await m('GET', '/v1/guidelines/versions?limit=500', { token: w.t.mentor }), 200).body;
    assert.equal(versions.items.at(-1).version, cur.version + 1);
    // put the defaults back in force for the other tests
    expectStatus(await m('PUT', '/v1/guidelines', { token: w.t.admin, body: { items: cur.items.map(({ key, title, description }) => ({ key, title, description })) } }), 200);
  });

  it('validates a new version: every fault at once, keys unique and well-formed', async () => {
    const before_ = expectStatus(await m('GET', '/v1/guidelines', { token: w.t.admin }), 200).body.version;
    const bad = [
      [{}, ['items']],
      [{ items: [] }, ['items']],
      [{ items: Array.from({ length: 21 }, (_, i) => ({ key: `k${i}`, title: 't' })) }, ['items']],
      [{ items: [{ key: 'Bad Key', title: '' }] }, ['items[0].key', 'items[0].title']],
      [{ items: [{ key: 'a', title: 't' }, { key: 'a', title: 'u' }] }, ['items[1].key']],
      [{ items: [{ key: 'a', title: 't', weight: 3 }] }, ['items[0].weight']],
      [{ items: ['a'] }, ['items[0]']],
      [{ items: [{ key: 'a-', title: 't' }], note: '' }, ['items[0].key', 'note']],
    ];
    for (const [body, fields] of bad) {
      expectProblem(await m('PUT', '/v1/guidelines', { token: w.t.admin, body, invalid: true }), 400, 'validation', fields);
    }
    assert.equal(expectStatus(await m('GET', '/v1/guidelines', { token: w.t.admin }), 200).body.version, before_);
  });
});
