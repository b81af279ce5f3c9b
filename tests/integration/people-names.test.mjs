// GET /v1/people/names: display names only, for lists that name people.
// Least privilege: whoever may read a person reads their name; comms, who may
// read no person's record, read the names of the partners whose integrations
// they review (learnt from strategy's integration events), and no one else's.
// A name the caller may not read is left out like an unknown id.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectProblem, expectStatus } from './lib/http.mjs';
import { adminToken, createPartner, serviceToken, tokenFor } from './lib/fixtures.mjs';
import * as db from './lib/db.mjs';
import { cast, createPlaybook, integrate, MISSING, publishStrategy } from './lib/strategy.mjs';

after(() => db.closeDb());

const names = (ids, token) => api('GET', `/v1/people/names?ids=${ids.join(',')}`, { token });
const shown = (res) => expectStatus(res, 200).body.items.map((x) => x.id);

// Polls until comms reads @id's name (the people service follows strategy's
// feed); at most 15 s.
async function untilCommsReads(tok, id) {
  const deadline = Date.now() + 15000;
  for (;;) {
    const res = expectStatus(await names([id], tok), 200);
    if (res.body.items.length === 1) return res.body.items[0];
    if (Date.now() > deadline) assert.fail(`comms never read the name of ${id}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let w;
before(async () => {
  w = await cast();
  await publishStrategy(w.tok.comms());
});

describe('GET /v1/people/names: who reads which names', () => {
  it('admin and service read every name, once each, in the order asked; unknown ids are left out', async () => {
    for (const tok of [adminToken(), serviceToken()]) {
      const res = expectStatus(await names([w.Q.id, w.P.id, MISSING, w.M.id, w.P.id], tok), 200);
      assert.deepEqual(res.body.items, [
        { id: w.Q.id, display_name: w.Q.display_name },
        { id: w.P.id, display_name: w.P.display_name },
        { id: w.M.id, display_name: w.M.display_name },
      ]);
    }
  });

  it('a partner reads their own name only; a mentor theirs and their active partners\'', async () => {
    assert.deepEqual(shown(await names([w.P.id, w.Q.id, w.M.id], w.tok.partner())), [w.P.id]);
    assert.deepEqual(shown(await names([w.P.id, w.Q.id, w.M.id, w.Q2.id], w.tok.mentor())), [w.P.id, w.M.id]);
  });

  it('comms reads the name of a partner once they submitted an integration, and never their record', async () => {
    const before = expectStatus(await names([w.P.id, w.Q.id], w.tok.comms()), 200);
    assert.deepEqual(before.body.items, [], 'no integration yet: no name');
    const pb = await createPlaybook(w.tok.partner());
    await integrate(w.tok.partner(), pb.id, 201);
    const item = await untilCommsReads(w.tok.comms(), w.P.id);
    assert.deepEqual(item, { id: w.P.id, display_name: w.P.display_name });
    // the name, nothing more: the record stays refused, and so do others' names
    expectProblem(await api('GET', `/v1/people/${w.P.id}`, { token: w.tok.comms() }), 403, 'forbidden');
    assert.deepEqual(shown(await names([w.Q.id, w.M.id, w.P.id, w.V.id], w.tok.comms())), [w.P.id]);
    const people = expectStatus(await api('GET', '/v1/people?role=partner&limit=500', { token: w.tok.comms() }), 200);
    assert.ok(!people.body.items.some((p) => p.id === w.P.id), 'the people list still shows comms only themself');
  });

  it('an integration run by comms for a partner names that partner to comms too', async () => {
    const R = await createPartner();
    const pb = await createPlaybook(tokenFor(R));
    expectStatus(await names([R.id], w.tok.comms()), 200);
    await integrate(w.tok.comms(), pb.id, 201);
    assert.equal((await untilCommsReads(w.tok.comms(), R.id)).display_name, R.display_name);
  });

  it('a viewer gets 403; no token 401', async () => {
    expectProblem(await names([w.P.id], w.tok.viewer()), 403, 'forbidden');
    expectProblem(await names([w.P.id]), 401, 'unauthenticated');
  });
});

describe('GET /v1/people/names: bad input', () => {
  const bad = (q) => api('GET', `/v1/people/names${q}`, { token: adminToken(), invalid: true });
  const many = Array.from({ length: 101 }, () => MISSING).join(',');
  for (const [what, q] of [
    ['no ids', ''],
    ['empty ids', '?ids='],
    ['a non-UUID', `?ids=${MISSING},nope`],
    ['a trailing comma', `?ids=${MISSING},`],
    ['101 ids', `?ids=${many}`],
  ]) {
    it(`${what}: 400 naming ids`, async () => {
      expectProblem(await bad(q), 400, 'validation', ['ids']);
    });
  }
});
