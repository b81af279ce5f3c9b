// Access rules: every role against every route (a table), what each role's
// lists contain, and a mentor losing access when the pairing ends.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectProblem, expectStatus } from './lib/http.mjs';
import {
  adminToken,
  createMentor,
  createPairing,
  createPartner,
  createPerson,
  endPairing,
  ids,
  personBody,
  serviceToken,
  tokenFor,
} from './lib/fixtures.mjs';
import * as db from './lib/db.mjs';

after(() => db.closeDb());

const ROLES = ['admin', 'mentor', 'partner', 'comms', 'viewer', 'service'];

// The cast: M mentors P; M2 mentors Q2; Q has no mentor; C is comms; V viewer.
const w = {};
const tokens = {};

before(async () => {
  w.M = await createMentor({ mentor_capacity: 5 });
  w.P = await createPartner();
  w.Q = await createPartner();
  w.M2 = await createMentor();
  w.Q2 = await createPartner();
  w.C = await createPerson({ roles: ['comms'] });
  w.V = await createPerson({ roles: ['viewer'] });
  w.MP = await createPairing(w.M, w.P);
  w.M2Q2 = await createPairing(w.M2, w.Q2);
  tokens.admin = adminToken;
  tokens.mentor = () => tokenFor(w.M);
  tokens.partner = () => tokenFor(w.P);
  tokens.comms = () => tokenFor(w.C);
  tokens.viewer = () => tokenFor(w.V);
  tokens.service = serviceToken;
});

const only = (okRoles, okStatus, otherwise = 403) =>
  Object.fromEntries(ROLES.map((r) => [r, okRoles.includes(r) ? okStatus : otherwise]));

// [label, method, path(), body() | undefined, {role: status}, check(role, res)?]
const table = [
  ['GET /v1/people', 'GET', () => '/v1/people', undefined, only(['admin', 'mentor', 'partner', 'comms', 'service'], 200)],
  ['GET /v1/people/{own partner}', 'GET', () => `/v1/people/${w.P.id}`, undefined, only(['admin', 'service', 'mentor', 'partner'], 200)],
  ['GET /v1/people/{unpaired partner}', 'GET', () => `/v1/people/${w.Q.id}`, undefined, only(['admin', 'service'], 200)],
  ["GET /v1/people/{another mentor's partner}", 'GET', () => `/v1/people/${w.Q2.id}`, undefined, only(['admin', 'service'], 200)],
  ['GET /v1/people/{the mentor}', 'GET', () => `/v1/people/${w.M.id}`, undefined, only(['admin', 'service', 'mentor'], 200)],
  ['GET /v1/people/{the comms person}', 'GET', () => `/v1/people/${w.C.id}`, undefined, only(['admin', 'service', 'comms'], 200)],
  ['GET /v1/people/{the viewer}', 'GET', () => `/v1/people/${w.V.id}`, undefined, only(['admin', 'service'], 200)],
  ['POST /v1/people', 'POST', () => '/v1/people', () => personBody(), only(['admin'], 201)],
  ['PATCH /v1/people/{someone else}', 'PATCH', () => `/v1/people/${w.Q.id}`, () => ({ title: 'Changed' }), only(['admin'], 200)],
  ['DELETE /v1/people/{someone else}', 'DELETE', null, undefined, only(['admin'], 204)],
  ['GET /v1/me', 'GET', () => '/v1/me', undefined, { ...only(['mentor', 'partner', 'comms', 'viewer'], 200), admin: 404, service: 404 }],
  ['GET /v1/pairings', 'GET', () => '/v1/pairings', undefined, only(['admin', 'mentor', 'partner', 'comms', 'service'], 200)],
  ['GET /v1/pairings/{their pairing}', 'GET', () => `/v1/pairings/${w.MP.id}`, undefined, only(['admin', 'service', 'mentor', 'partner'], 200)],
  ['GET /v1/pairings/{another pairing}', 'GET', () => `/v1/pairings/${w.M2Q2.id}`, undefined, only(['admin', 'service'], 200)],
  ['POST /v1/pairings', 'POST', () => '/v1/pairings', null, only(['admin'], 201)],
  ['PATCH /v1/pairings/{their pairing}', 'PATCH', null, () => ({ status: 'cancelled', reason: 'not yours to end' }), only(['admin'], 200)],
];

describe('access table: each role against each route', () => {
  for (const [label, method, pathFn, bodyFn, expected] of table) {
    for (const role of ROLES) {
      const want = expected[role];
      it(`${role.padEnd(7)} ${label} -> ${want}`, async () => {
        let path = pathFn?.();
        let body = bodyFn?.();
        // Routes whose admin call changes things get their own data.
        if (label.startsWith('DELETE /v1/people')) {
          path = `/v1/people/${(await createPartner()).id}`;
        } else if (label === 'POST /v1/pairings') {
          body = { mentor_id: (await createMentor()).id, partner_id: (await createPartner()).id };
        } else if (label.startsWith('PATCH /v1/pairings')) {
          const pr = role === 'admin' ? await createPairing(await createMentor(), await createPartner()) : w.MP;
          path = `/v1/pairings/${pr.id}`;
        } else if (label.startsWith('PATCH /v1/people') && role === 'admin') {
          path = `/v1/people/${(await createPartner()).id}`;
        }
        const res = await api(method, path, { token: tokens[role](), body });
        if (want >= 400) expectProblem(res, want, want === 403 ? 'forbidden' : 'not-found');
        else expectStatus(res, want);

        // A refused write leaves nothing behind.
        if (want === 403 && method === 'POST' && path === '/v1/people') {
          assert.equal((await db.peopleByEmail(body.email)).length, 0);
        }
        if (want === 403 && method === 'POST' && path === '/v1/pairings') {
          assert.equal((await db.pairingsOf({ mentorId: body.mentor_id })).length, 0);
        }
        if (want === 403 && method === 'DELETE') {
          assert.notEqual((await db.personById(path.split('/').pop())).email, null);
        }
        if (want === 403 && method === 'PATCH' && path.startsWith('/v1/people/')) {
          assert.equal((await db.personById(w.Q.id)).title, null);
        }
        if (want === 403 && method === 'PATCH' && path.startsWith('/v1/pairings/')) {
          assert.equal((await db.pairingById(w.MP.id)).status, 'active');
        }
        if (method === 'GET' && path === '/v1/me' && want === 200) {
          const who = { mentor: w.M, partner: w.P, comms: w.C, viewer: w.V }[role];
          assert.equal(res.body.id, who.id);
        }
      });
    }
  }
});

describe('what each role sees in the lists', () => {
  const listPeople = async (tok, qs = '') =>
    ids(expectStatus(await api('GET', `/v1/people${qs}`, { token: tok }), 200).body.items);
  const listPairings = async (tok, qs = '') =>
    ids(expectStatus(await api('GET', `/v1/pairings${qs}`, { token: tok }), 200).body.items);

  it('a mentor sees themself and their active partners only; filters apply on top', async () => {
    assert.deepEqual(await listPeople(tokens.mentor()), [w.M.id, w.P.id]);
    assert.deepEqual(await listPeople(tokens.mentor(), '?role=partner'), [w.P.id]);
    assert.deepEqual(await listPeople(tokens.mentor(), '?role=mentor'), [w.M.id]);
    assert.deepEqual(await listPeople(tokens.mentor(), `?q=${encodeURIComponent(w.Q.display_name)}`), []);
    assert.deepEqual(await listPairings(tokens.mentor()), [w.MP.id]);
    assert.deepEqual(await listPairings(tokens.mentor(), `?mentor_id=${w.M2.id}`), []);
  });

  it('a partner sees only themself and their own pairings', async () => {
    assert.deepEqual(await listPeople(tokens.partner()), [w.P.id]);
    assert.deepEqual(await listPairings(tokens.partner()), [w.MP.id]);
    assert.deepEqual(await listPeople(tokenFor(w.Q)), [w.Q.id]);
    assert.deepEqual(await listPairings(tokenFor(w.Q)), []);
  });

  it('comms sees only themself and no pairings', async () => {
    assert.deepEqual(await listPeople(tokens.comms()), [w.C.id]);
    assert.deepEqual(await listPairings(tokens.comms()), []);
  });

  it('admin and service see everyone', async () => {
    for (const tok of [tokens.admin(), tokens.service()]) {
      const people = await listPeople(tok, `?q=${encodeURIComponent(w.Q.email)}`);
      assert.deepEqual(people, [w.Q.id]);
      assert.deepEqual(await listPairings(tok, `?mentor_id=${w.M2.id}`), [w.M2Q2.id]);
    }
  });
});

describe('a mentor loses access when the pairing ends', () => {
  it('after PATCH to completed', async () => {
    const m = await createMentor();
    const p = await createPartner();
    const pr = await createPairing(m, p);
    expectStatus(await api('GET', `/v1/people/${p.id}`, { token: tokenFor(m) }), 200);
    await endPairing(pr);
    expectProblem(await api('GET', `/v1/people/${p.id}`, { token: tokenFor(m) }), 403, 'forbidden');
    const list = expectStatus(await api('GET', '/v1/people', { token: tokenFor(m) }), 200);
    assert.deepEqual(ids(list.body.items), [m.id]);
  });

  it('after the partner is erased', async () => {
    const m = await createMentor();
    const p = await createPartner();
    await createPairing(m, p);
    expectStatus(await api('DELETE', `/v1/people/${p.id}`, { token: adminToken() }), 204);
    expectProblem(await api('GET', `/v1/people/${p.id}`, { token: tokenFor(m) }), 403, 'forbidden');
  });

  it('a new pairing gives access back', async () => {
    const m = await createMentor();
    const p = await createPartner();
    await endPairing(await createPairing(m, p));
    expectProblem(await api('GET', `/v1/people/${p.id}`, { token: tokenFor(m) }), 403, 'forbidden');
    await createPairing(m, p);
    expectStatus(await api('GET', `/v1/people/${p.id}`, { token: tokenFor(m) }), 200);
  });
});
