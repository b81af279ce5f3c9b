// Pairings: create, the pairing rules (roles, active people, self-pairing,
// one active mentor per partner, capacity), ending, re-pairing, filters.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, etagVersion, expectProblem, expectStatus } from './lib/http.mjs';
import {
  adminToken,
  createMentor,
  createPairing,
  createPartner,
  createPerson,
  endPairing,
  ids,
  listAll,
} from './lib/fixtures.mjs';
import * as db from './lib/db.mjs';

after(() => db.closeDb());

const MISSING = '00000000-0000-4000-8000-000000000000';
const recent = (t) => Math.abs(Date.parse(t) - Date.now()) < 10 * 60 * 1000;

const pair = (mentor_id, partner_id, opts = {}) =>
  api('POST', '/v1/pairings', { token: adminToken(), body: { mentor_id, partner_id }, ...opts });

describe('POST /v1/pairings', () => {
  it('pairs an active mentor with an active partner', async () => {
    const m = await createMentor();
    const p = await createPartner();
    const res = expectStatus(await pair(m.id, p.id), 201);
    const pr = res.body;
    assert.equal(res.headers.get('location'), `/v1/pairings/${pr.id}`);
    assert.equal(etagVersion(res), 1);
    assert.equal(pr.mentor_id, m.id);
    assert.equal(pr.partner_id, p.id);
    assert.equal(pr.status, 'active');
    assert.equal(pr.ended_at, null);
    assert.equal(pr.end_reason, null);
    assert.equal(pr.version, 1);
    assert.ok(recent(pr.started_at) && recent(pr.created_at));

    const got = expectStatus(await api('GET', `/v1/pairings/${pr.id}`, { token: adminToken() }), 200);
    assert.deepEqual(got.body, pr);
    assert.equal(got.headers.get('etag'), '"1"');

    const rows = await db.pairingsOf({ mentorId: m.id, partnerId: p.id });
    assert.equal(rows.length, 1);
    assert.equal(rows[0].status, 'active');
  });

  it('needs a mentor who is an active person with the mentor role (409 naming mentor_id)', async () => {
    const p = await createPartner();
    const notMentor = await createPartner();
    const pausedMentor = await createMentor({ status: 'paused' });
    const leftMentor = await createMentor({ status: 'left' });
    for (const mentorId of [notMentor.id, pausedMentor.id, leftMentor.id, MISSING]) {
      expectProblem(await pair(mentorId, p.id), 409, 'conflict', ['mentor_id']);
    }
    assert.equal((await db.pairingsOf({ partnerId: p.id })).length, 0, 'nothing stored');
  });

  it('needs a partner who is an active person with the partner role (409 naming partner_id)', async () => {
    const m = await createMentor();
    const notPartner = await createMentor();
    const pausedPartner = await createPartner({ status: 'paused' });
    const leftPartner = await createPartner({ status: 'left' });
    for (const partnerId of [notPartner.id, pausedPartner.id, leftPartner.id, MISSING]) {
      expectProblem(await pair(m.id, partnerId), 409, 'conflict', ['partner_id']);
    }
    assert.equal((await db.pairingsOf({ mentorId: m.id })).length, 0, 'nothing stored');
  });

  it('refuses to pair a person with themself (400 naming partner_id)', async () => {
    const both = await createPerson({ roles: ['mentor', 'partner'], mentor_capacity: 2 });
    expectProblem(await pair(both.id, both.id), 400, 'validation', ['partner_id']);
    assert.equal((await db.pairingsOf({ mentorId: both.id })).length, 0);
  });

  it('allows one active mentor per partner (409 naming partner_id)', async () => {
    const m1 = await createMentor();
    const m2 = await createMentor();
    const p = await createPartner();
    await createPairing(m1, p);
    expectProblem(await pair(m2.id, p.id), 409, 'conflict', ['partner_id']);
    expectProblem(await pair(m1.id, p.id), 409, 'conflict', ['partner_id']);
    const rows = await db.pairingsOf({ partnerId: p.id });
    assert.equal(rows.length, 1);
    assert.equal(rows[0].mentor_id, m1.id);
  });

  it('keeps a mentor within capacity (409 naming mentor_id) and frees a place when a pairing ends', async () => {
    const m = await createMentor({ mentor_capacity: 2 });
    const p1 = await createPartner();
    const p2 = await createPartner();
    const p3 = await createPartner();
    const first = await createPairing(m, p1);
    await createPairing(m, p2);
    const res = await pair(m.id, p3.id);
    const prob = expectProblem(res, 409, 'conflict', ['mentor_id']);
    const err = prob.errors.find((e) => e.field === 'mentor_id');
    assert.match(err.message, /capacity/i);
    assert.match(err.message, /2/);
    assert.equal((await db.pairingsOf({ partnerId: p3.id })).length, 0);

    await endPairing(first);
    await createPairing(m, p3);
  });

  it('a mentor with capacity 0 takes nobody', async () => {
    const m = await createMentor({ mentor_capacity: 0 });
    const p = await createPartner();
    expectProblem(await pair(m.id, p.id), 409, 'conflict', ['mentor_id']);
  });

  it('lets two people whose pairing ended be paired again', async () => {
    const m = await createMentor();
    const p = await createPartner();
    const first = await createPairing(m, p);
    await endPairing(first, 'cancelled', 'schedules clashed');
    const second = await createPairing(m, p);
    assert.notEqual(second.id, first.id);
    assert.equal(second.status, 'active');
    const rows = await db.pairingsOf({ mentorId: m.id, partnerId: p.id });
    assert.deepEqual(
      rows.map((r) => r.status),
      ['cancelled', 'active'],
    );
  });
});

describe('PATCH /v1/pairings/{id}', () => {
  it('ends an active pairing as completed with the reason', async () => {
    const pr = await createPairing(await createMentor(), await createPartner());
    const res = expectStatus(
      await api('PATCH', `/v1/pairings/${pr.id}`, {
        token: adminToken(),
        body: { status: 'completed', reason: 'programme finished' },
        headers: { 'If-Match': '"1"' },
      }),
      200,
    );
    assert.equal(res.body.status, 'completed');
    assert.equal(res.body.end_reason, 'programme finished');
    assert.ok(recent(res.body.ended_at));
    assert.equal(res.body.version, 2);
    assert.equal(etagVersion(res), 2);
    const row = await db.pairingById(pr.id);
    assert.equal(row.status, 'completed');
    assert.equal(row.end_reason, 'programme finished');
    assert.ok(row.ended_at instanceof Date);
  });

  it('answers 409 for a pairing that is no longer active, and changes nothing', async () => {
    const pr = await createPairing(await createMentor(), await createPartner());
    const ended = await endPairing(pr, 'cancelled', 'first reason');
    const res = await api('PATCH', `/v1/pairings/${pr.id}`, {
      token: adminToken(),
      body: { status: 'completed', reason: 'second reason' },
    });
    expectProblem(res, 409, 'conflict');
    const row = await db.pairingById(pr.id);
    assert.equal(row.status, 'cancelled');
    assert.equal(row.end_reason, 'first reason');
    assert.equal(Number(row.version), ended.version);
  });

  it('answers 412 for a stale If-Match and leaves the pairing active', async () => {
    const pr = await createPairing(await createMentor(), await createPartner());
    const res = await api('PATCH', `/v1/pairings/${pr.id}`, {
      token: adminToken(),
      body: { status: 'completed', reason: 'x' },
      headers: { 'If-Match': '"7"' },
    });
    expectProblem(res, 412, 'precondition-failed');
    assert.equal((await db.pairingById(pr.id)).status, 'active');
  });

  it('validates the body: status completed|cancelled and a reason of 1..500 characters', async () => {
    const pr = await createPairing(await createMentor(), await createPartner());
    const bad = [
      [{ status: 'active', reason: 'x' }, ['status']],
      [{ status: 'completed' }, ['reason']],
      [{ reason: 'x' }, ['status']],
      [{ status: 'completed', reason: '' }, ['reason']],
      [{ status: 'completed', reason: 'r'.repeat(501) }, ['reason']],
      [{ status: 'done', reason: 7 }, ['status', 'reason']],
      [{ status: 'completed', reason: 'x', mentor_id: pr.mentor_id }, ['mentor_id']],
    ];
    for (const [body, fields] of bad) {
      const res = await api('PATCH', `/v1/pairings/${pr.id}`, { token: adminToken(), body, invalid: true });
      expectProblem(res, 400, 'validation', fields);
    }
    const row = await db.pairingById(pr.id);
    assert.equal(row.status, 'active');
    assert.equal(Number(row.version), 1);

    const ok = await api('PATCH', `/v1/pairings/${pr.id}`, {
      token: adminToken(),
      body: { status: 'cancelled', reason: 'r'.repeat(500) },
    });
    expectStatus(ok, 200);
    assert.equal(ok.body.end_reason.length, 500);
  });

  it('answers 404 for a pairing that does not exist', async () => {
    expectProblem(
      await api('PATCH', `/v1/pairings/${MISSING}`, { token: adminToken(), body: { status: 'completed', reason: 'x' } }),
      404,
      'not-found',
    );
    expectProblem(await api('GET', `/v1/pairings/${MISSING}`, { token: adminToken() }), 404, 'not-found');
  });
});

describe('GET /v1/pairings', () => {
  it('filters by mentor_id, partner_id and status, and pages', async () => {
    const m = await createMentor({ mentor_capacity: 10 });
    const other = await createMentor();
    const ps = [];
    for (let i = 0; i < 3; i++) ps.push(await createPartner());
    const a = await createPairing(m, ps[0]);
    const b = await createPairing(m, ps[1]);
    const c = await createPairing(m, ps[2]);
    await endPairing(b);
    const d = await createPairing(other, ps[1]);

    const list = async (qs) =>
      ids(expectStatus(await api('GET', `/v1/pairings?${qs}`, { token: adminToken() }), 200).body.items);

    assert.deepEqual(await list(`mentor_id=${m.id}`), [a.id, b.id, c.id]);
    assert.deepEqual(await list(`mentor_id=${m.id}&status=active`), [a.id, c.id]);
    assert.deepEqual(await list(`mentor_id=${m.id}&status=completed`), [b.id]);
    assert.deepEqual(await list(`mentor_id=${m.id}&status=cancelled`), []);
    assert.deepEqual(await list(`partner_id=${ps[1].id}`), [b.id, d.id]);
    assert.deepEqual(await list(`partner_id=${ps[1].id}&status=active`), [d.id]);
    assert.deepEqual(await list(`mentor_id=${other.id}&partner_id=${ps[1].id}`), [d.id]);

    const { items, pages } = await listAll(`/v1/pairings?mentor_id=${m.id}&limit=1`);
    assert.deepEqual(ids(items), [a.id, b.id, c.id]);
    assert.deepEqual(pages.slice(0, 3), [1, 1, 1]);
  });

  it('rejects a bad status or a mentor_id that is not a UUID (400 naming the parameter)', async () => {
    const opts = { token: adminToken(), invalid: true };
    expectProblem(await api('GET', '/v1/pairings?status=paused', opts), 400, 'validation', ['status']);
    expectProblem(await api('GET', '/v1/pairings?mentor_id=nope', opts), 400, 'validation', ['mentor_id']);
    expectProblem(await api('GET', '/v1/pairings?partner_id=123', opts), 400, 'validation', ['partner_id']);
  });
});
