// Leaving takes effect everywhere (issue 12, consequence 2): phases, mentoring
// and strategy follow the people service's person events into their own table
// of withdrawn subjects, so a person who left, was deactivated over SCIM or
// lost their roles gets 403 access-withdrawn from every service within 5 s,
// whatever their token still says; reinstated, they get in again.  Their
// pairings end in people and their scheduled sessions are cancelled in
// mentoring, saying why.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectProblem, expectStatus, gatewayUrl, requireEnv } from './lib/http.mjs';
import { adminToken, createMentor, createPairing, createPerson, tokenFor } from './lib/fixtures.mjs';
import { createSession, daysFromNow, m } from './lib/mentoring.mjs';
import * as db from './lib/db.mjs';

after(() => db.closeDb());

const WITHIN_MS = 5000;

// A read on each following service that the role may make.
const READS = {
  admin: [
    ['phases', '/v1/programmes'],
    ['mentoring', '/v1/guidelines'],
    ['strategy', '/v1/playbooks'],
  ],
  viewer: [
    ['phases', '/v1/stats/phases'],
    ['mentoring', '/v1/stats/mentoring'],
    ['strategy', '/v1/stats/strategy'],
  ],
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls @path on @service until it answers @status (at most WITHIN_MS from
// @since); returns the last response and when it came.
async function until(service, path, tok, status, since, o = {}) {
  let res;
  for (let i = 0; i < 200; i++) {
    res = await api('GET', path, { service, token: tok, ...o });
    if (res.status === status || Date.now() - since > WITHIN_MS) break;
    await sleep(100);
  }
  return { res, ms: Date.now() - since };
}

// Every read of @reads answers @status (a problem of type @slug, if given)
// within WITHIN_MS of @since; @since null: before any change, untimed (the
// first call to a service also loads its spec).
async function everywhere(reads, tok, status, since, slug) {
  for (const [service, path] of reads) {
    const { res, ms } = await until(service, path, tok, status, since ?? Date.now());
    if (slug) expectProblem(res, status, slug);
    else expectStatus(res, status, `${service} ${path}`);
    if (since !== null) assert.ok(ms <= WITHIN_MS, `${service} ${path}: ${status} only after ${ms} ms`);
  }
}

const patchPerson = async (id, body) =>
  expectStatus(await api('PATCH', `/v1/people/${id}`, { token: adminToken(), body }), 200).body;

describe('a person who leaves is refused everywhere, whatever their token says', () => {
  it('an admin set to left gets 403 access-withdrawn from phases, mentoring and strategy within 5 s; reinstated, 200 again', async () => {
    const a = await createPerson({ roles: ['admin'] });
    const tok = tokenFor(a);
    await everywhere(READS.admin, tok, 200, null);

    await patchPerson(a.id, { status: 'left' });
    await everywhere(READS.admin, tok, 403, Date.now(), 'access-withdrawn');

    await patchPerson(a.id, { status: 'active' });
    await everywhere(READS.admin, tok, 200, Date.now());
  });

  it('a viewer who left reads no statistics anywhere; through the gateway too', async () => {
    const v = await createPerson({ roles: ['viewer'] });
    const tok = tokenFor(v);
    await everywhere(READS.viewer, tok, 200, null);
    await patchPerson(v.id, { status: 'left' });
    const since = Date.now();
    await everywhere(READS.viewer, tok, 403, since, 'access-withdrawn');
    for (const [service, path] of READS.viewer) {
      const res = await api('GET', path, { service, token: tok, base: gatewayUrl() });
      expectProblem(res, 403, 'access-withdrawn');
    }
  });

  it('an admin deactivated over SCIM is refused everywhere; reactivated, let in again', async () => {
    const a = await createPerson({ roles: ['admin'] });
    const tok = tokenFor(a);
    const scim = (active) =>
      api('PATCH', `/scim/v2/Users/${a.id}`, {
        service: 'scim',
        token: requireEnv('TANDEM_TEST_SCIM_TOKEN'),
        contentType: 'application/scim+json',
        body: {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', path: 'active', value: active }],
        },
      });
    await everywhere(READS.admin, tok, 200, null);
    expectStatus(await scim(false), 200);
    await everywhere(READS.admin, tok, 403, Date.now(), 'access-withdrawn');
    expectStatus(await scim(true), 200);
    await everywhere(READS.admin, tok, 200, Date.now());
  });

  it('roles people removed no longer count: all gone is access-withdrawn; given back, 200', async () => {
    const a = await createPerson({ roles: ['admin'] });
    const tok = tokenFor(a, ['admin']);
    await everywhere(READS.admin, tok, 200, null);
    await patchPerson(a.id, { roles: ['viewer'] });
    await everywhere(READS.admin, tok, 403, Date.now(), 'access-withdrawn');
    await patchPerson(a.id, { roles: ['admin'] });
    await everywhere(READS.admin, tok, 200, Date.now());
  });

  it('a removed role is taken out of a token that keeps another: admin and viewer, admin removed, reads stats only', async () => {
    const a = await createPerson({ roles: ['admin', 'viewer'] });
    const tok = tokenFor(a, ['admin', 'viewer']);
    await everywhere(READS.admin, tok, 200, null);
    await patchPerson(a.id, { roles: ['viewer'] });
    const since = Date.now();
    const { res } = await until('strategy', '/v1/playbooks', tok, 403, since);
    expectProblem(res, 403, 'forbidden');   // a viewer, no longer an admin
    await everywhere(READS.viewer, tok, 200, since);
  });
});

describe('a partner who leaves: pairing ended, scheduled sessions cancelled with the reason', () => {
  it('their mentor sees the session cancelled "the partner left the programme"; the partner is refused', async () => {
    const mentor = await createMentor();
    const partner = await createPerson({ roles: ['partner'] });
    const pairing = await createPairing(mentor, partner);
    const coming = await createSession(pairing, tokenFor(mentor), { scheduled_at: daysFromNow(3) });

    await patchPerson(partner.id, { status: 'left' });
    const ended = await db.pairingById(pairing.id);
    assert.equal(ended.status, 'cancelled');
    assert.equal(ended.end_reason, 'left the programme');

    const since = Date.now();
    let s;
    for (let i = 0; i < 60; i++) {
      s = expectStatus(await m('GET', `/v1/sessions/${coming.id}`, { token: adminToken() }), 200).body;
      if (s.status === 'cancelled' || Date.now() - since > WITHIN_MS) break;
      await sleep(100);
    }
    assert.equal(s.status, 'cancelled', `the session is ${s.status} ${Date.now() - since} ms later`);
    const last = s.history[s.history.length - 1];
    assert.equal(last.action, 'cancelled');
    assert.equal(last.reason, 'the partner left the programme');
    const tok = tokenFor(partner);
    expectProblem(await m('GET', `/v1/sessions/${coming.id}`, { token: tok }), 403, 'access-withdrawn');
  });
});
