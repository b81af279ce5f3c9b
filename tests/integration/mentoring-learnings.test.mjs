// Learnings: mentors and partners log failures, successes and insights,
// kept private, shared with their pairing, or put in the mentors' library.
// Every visibility against every reader.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { etagVersion, expectProblem, expectStatus } from './lib/http.mjs';
import { createMentor, ids, tokenFor, uniq } from './lib/fixtures.mjs';
import { cast, m, MISSING } from './lib/mentoring.mjs';
import * as db from './lib/db.mjs';

after(() => db.closeDb());

const w = {};
const L = {};
before(async () => {
  Object.assign(w, await cast());
  w.M3 = await createMentor();
  w.t.mentor3 = tokenFor(w.M3);
  const log = async (tok, body) => expectStatus(await m('POST', '/v1/learnings', { token: tok, body }), 201).body;
  L.partnerPrivate = await log(w.t.partner, { kind: 'failure', text: `My thread flopped ${uniq()}`, visibility: 'private', platform: 'x' });
  L.partnerPairing = await log(w.t.partner, { kind: 'insight', text: 'Mornings work better', visibility: 'pairing', pairing_id: w.MP.id });
  L.mentorPairing = await log(w.t.mentor, { kind: 'success', text: 'My first video got replies', visibility: 'pairing', pairing_id: w.MP.id, skill: 'video' });
  L.mentorLibrary = await log(w.t.mentor, { kind: 'failure', text: 'Scheduling tools made me sound robotic', visibility: 'library', platform: 'linkedin' });
  L.mentorPrivate = await log(w.t.mentor, { kind: 'insight', text: 'I talk too much in sessions', visibility: 'private' });
});

// who may read which: [learning, readers that get it]
const matrix = () => [
  ['partnerPrivate', ['partner']],
  ['partnerPairing', ['partner', 'mentor', 'admin']],
  ['mentorPairing', ['partner', 'mentor', 'admin']],
  ['mentorLibrary', ['mentor', 'mentor2', 'mentor3', 'admin']],
  ['mentorPrivate', ['mentor']],
];
const READERS = ['partner', 'mentor', 'mentor2', 'mentor3', 'partner2', 'loner', 'admin', 'service'];

describe('who reads a learning', () => {
  it('the author records it with their side of the pairing', async () => {
    assert.equal(L.partnerPairing.author_id, w.P.id);
    assert.equal(L.partnerPairing.author_role, 'partner');
    assert.equal(L.partnerPairing.pairing_id, w.MP.id);
    assert.equal(L.mentorPairing.author_role, 'mentor');
    assert.equal(L.mentorLibrary.author_role, 'mentor');
    assert.equal(L.mentorLibrary.pairing_id, null);
  });

  for (const [name, allowed] of matrix()) {
    for (const reader of READERS) {
      const ok = allowed.includes(reader);
      it(`${name}: ${reader} ${ok ? 'reads it' : 'gets 404'}`, async () => {
        const res = await m('GET', `/v1/learnings/${L[name].id}`, { token: w.t[reader] });
        if (ok) {
          expectStatus(res, 200);
          assert.equal(res.body.text, L[name].text);
        } else {
          expectProblem(res, 404, 'not-found');
          assert.equal(res.text.includes(L[name].text), false);
        }
      });
    }
  }

  it('each reader\'s list holds exactly what they may read', async () => {
    for (const reader of READERS) {
      const res = expectStatus(await m('GET', '/v1/learnings?limit=500', { token: w.t[reader] }), 200);
      const got = new Set(ids(res.body.items));
      for (const [name, allowed] of matrix()) {
        assert.equal(got.has(L[name].id), allowed.includes(reader), `${reader} and ${name}`);
      }
    }
    for (const role of ['viewer', 'comms']) {
      expectProblem(await m('GET', '/v1/learnings', { token: w.t[role] }), 403, 'forbidden');
      expectProblem(await m('GET', `/v1/learnings/${L.mentorLibrary.id}`, { token: w.t[role] }), 403, 'forbidden');
    }
  });

  it('filters by kind, visibility, platform, skill, author and pairing', async () => {
    const list = async (qs, tok = w.t.mentor) => ids(expectStatus(await m('GET', `/v1/learnings?${qs}`, { token: tok }), 200).body.items);
    assert.deepEqual(await list(`pairing_id=${w.MP.id}`), [L.partnerPairing.id, L.mentorPairing.id]);
    assert.deepEqual(await list(`pairing_id=${w.MP.id}&kind=success`), [L.mentorPairing.id]);
    assert.deepEqual(await list(`author_id=${w.M.id}&visibility=private`), [L.mentorPrivate.id]);
    assert.deepEqual(await list(`author_id=${w.M.id}&platform=LinkedIn`), [L.mentorLibrary.id]);
    assert.deepEqual(await list(`author_id=${w.M.id}&skill=video`), [L.mentorPairing.id]);
    assert.deepEqual(await list(`author_id=${w.P.id}&visibility=private`), [], 'never another\'s private one');
    for (const [qs, field] of [['kind=lesson', 'kind'], ['visibility=public', 'visibility'], ['author_id=me', 'author_id'], ['platform=', 'platform']]) {
      expectProblem(await m('GET', `/v1/learnings?${qs}`, { token: w.t.mentor, invalid: true }), 400, 'validation', [field]);
    }
  });
});

describe('logging and changing learnings', () => {
  it('only mentors and partners log them', async () => {
    for (const role of ['admin', 'service']) {
      expectProblem(await m('POST', '/v1/learnings', { token: w.t[role], body: { kind: 'insight', text: 'x', visibility: 'library' } }), 403, 'forbidden');
    }
  });

  it('a pairing is one the author is in (403), that exists (409), and is required to share with it (400)', async () => {
    expectProblem(
      await m('POST', '/v1/learnings', { token: w.t.partner, body: { kind: 'insight', text: 'x', visibility: 'pairing', pairing_id: w.M2P2.id } }),
      403,
      'forbidden',
    );
    expectProblem(
      await m('POST', '/v1/learnings', { token: w.t.partner, body: { kind: 'insight', text: 'x', visibility: 'pairing', pairing_id: MISSING } }),
      403,
      'forbidden',
    );
    expectProblem(await m('POST', '/v1/learnings', { token: w.t.partner, body: { kind: 'insight', text: 'x', visibility: 'pairing' } }), 400, 'validation', ['pairing_id']);
    for (const [body, fields] of [
      [{}, ['kind', 'text', 'visibility']],
      [{ kind: 'lesson', text: '', visibility: 'public' }, ['kind', 'text', 'visibility']],
      [{ kind: 'insight', text: 't'.repeat(4001), visibility: 'private', platform: 'p'.repeat(51), skill: '' }, ['text', 'platform', 'skill']],
      [{ kind: 'insight', text: 'x', visibility: 'private', author_id: w.M.id }, ['author_id']],
    ]) {
      expectProblem(await m('POST', '/v1/learnings', { token: w.t.partner, body, invalid: true }), 400, 'validation', fields);
    }
  });

  it('the author alone changes and deletes it', async () => {
    const l = expectStatus(await m('POST', '/v1/learnings', { token: w.t.partner, body: { kind: 'failure', text: 'draft', visibility: 'private', pairing_id: w.MP.id } }), 201).body;
    const p = `/v1/learnings/${l.id}`;
    for (const role of ['mentor', 'mentor2']) {
      expectProblem(await m('PATCH', p, { token: w.t[role], body: { text: 'mine now' } }), 403, 'forbidden');
      expectProblem(await m('DELETE', p, { token: w.t[role] }), 403, 'forbidden');
    }
    expectProblem(await m('PATCH', p, { token: w.t.admin, body: { text: 'mine now' } }), 403, 'forbidden');
    const shared = expectStatus(await m('PATCH', p, { token: w.t.partner, body: { visibility: 'pairing', text: 'What I learned' }, headers: { 'If-Match': '"1"' } }), 200);
    assert.equal(etagVersion(shared), 2);
    expectStatus(await m('GET', p, { token: w.t.mentor }), 200);
    expectProblem(await m('PATCH', p, { token: w.t.partner, body: { kind: 'success' }, headers: { 'If-Match': '"1"' } }), 412, 'precondition-failed');
    expectProblem(await m('PATCH', p, { token: w.t.partner, body: {}, invalid: true }), 400, 'validation', ['body']);
    expectStatus(await m('DELETE', p, { token: w.t.partner }), 204);
    expectProblem(await m('GET', p, { token: w.t.partner }), 404, 'not-found');
    expectProblem(await m('DELETE', p, { token: w.t.partner }), 404, 'not-found');
  });

  it('a learning logged without a pairing cannot be shared with one (400 naming visibility)', async () => {
    const l = expectStatus(await m('POST', '/v1/learnings', { token: w.t.mentor, body: { kind: 'insight', text: 'solo', visibility: 'private' } }), 201).body;
    expectProblem(await m('PATCH', `/v1/learnings/${l.id}`, { token: w.t.mentor, body: { visibility: 'pairing' } }), 400, 'validation', ['visibility']);
    const lib = expectStatus(await m('PATCH', `/v1/learnings/${l.id}`, { token: w.t.mentor, body: { visibility: 'library' } }), 200).body;
    assert.equal(lib.visibility, 'library');
    expectStatus(await m('GET', `/v1/learnings/${l.id}`, { token: w.t.mentor3 }), 200);
  });
});
