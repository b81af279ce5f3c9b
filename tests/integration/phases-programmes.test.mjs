// Programmes: the default template, defining and editing (each edit a new
// version), versions never rewritten, validation of phases and typed exit
// criteria, and who may do what.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { etagVersion, expectProblem, expectStatus } from './lib/http.mjs';
import { adminToken, createPartner, serviceToken, tokenFor, uniq } from './lib/fixtures.mjs';
import { DEFAULT_PROGRAMME, MISSING, createProgramme, enrol, getEnrolment, ph, viewerToken } from './lib/phases.mjs';
import * as db from './lib/db.mjs';

after(() => db.closeDb());

const body = (overrides = {}) => ({
  name: `Pilot ${uniq()}`,
  description: 'A shorter programme for a pilot group.',
  phases: [
    { key: 'research', name: 'Research', guide_days: 14, stall_days: 21, criteria: [{ type: 'assessment_submitted' }] },
    {
      key: 'mentoring',
      name: 'Mentoring',
      description: '1:1',
      guide_days: 90,
      stall_days: 30,
      criteria: [
        { type: 'sessions_held', min: 4 },
        { type: 'activity_rate', min_per_week: 1.5, weeks: 6 },
        { type: 'mentor_signoff', service: 'mentoring' },
      ],
    },
  ],
  ...overrides,
});

describe('the default programme', () => {
  it('exists from the first start with the five phases of DESIGN.md and their default criteria', async () => {
    const res = expectStatus(await ph('GET', `/v1/programmes/${DEFAULT_PROGRAMME}`, { token: adminToken() }), 200);
    const p = res.body;
    assert.equal(p.id, DEFAULT_PROGRAMME);
    assert.ok(etagVersion(res) >= 1);
    const v1 = expectStatus(await ph('GET', `/v1/programmes/${DEFAULT_PROGRAMME}/versions/1`, { token: adminToken() }), 200).body;
    assert.deepEqual(
      v1.phases.map((x) => x.key),
      ['research', 'workshops', 'playbook', 'mentoring', 'integration'],
    );
    assert.deepEqual(
      v1.phases.map((x) => x.criteria.map((c) => `${c.type}@${c.service}`)),
      [
        ['assessment_submitted@phases'],
        ['workshops_attended@phases'],
        ['playbook_sections_drafted@strategy'],
        ['sessions_held@mentoring', 'activity_rate@mentoring', 'mentor_signoff@mentoring'],
        ['integration_signed_off@strategy'],
      ],
    );
    for (const phase of v1.phases) assert.ok(phase.guide_days > 0 && phase.stall_days > 0);
  });
});

describe('POST /v1/programmes and GET', () => {
  it('defines version 1, in normal form, readable by everyone but viewers', async () => {
    const b = body();
    const res = expectStatus(await ph('POST', '/v1/programmes', { token: adminToken(), body: b }), 201);
    const p = res.body;
    assert.equal(res.headers.get('location'), `/v1/programmes/${p.id}`);
    assert.equal(etagVersion(res), 1);
    assert.equal(p.version, 1);
    assert.equal(p.latest_version, 1);
    assert.equal(p.name, b.name);
    assert.deepEqual(p.phases.map((x) => x.position), [1, 2]);
    assert.equal(p.phases[0].description, null);
    assert.deepEqual(p.phases[0].criteria, [{ type: 'assessment_submitted', service: 'phases', within_phase: false }]);
    assert.deepEqual(p.phases[1].criteria[1], { type: 'activity_rate', service: 'mentoring', min_per_week: 1.5, weeks: 6 });

    const partner = await createPartner();
    for (const tok of [tokenFor(partner), serviceToken(), adminToken()]) {
      const got = expectStatus(await ph('GET', `/v1/programmes/${p.id}`, { token: tok }), 200);
      assert.deepEqual(got.body, p);
      assert.equal(got.headers.get('etag'), '"1"');
    }
    expectProblem(await ph('GET', `/v1/programmes/${p.id}`, { token: await viewerToken() }), 403, 'forbidden');

    const rows = await db.query('SELECT * FROM phases.programme_version WHERE programme_id = $1', [p.id]);
    assert.equal(rows.length, 1);
    assert.match(rows[0].created_by, /^admin-/, 'the version records who wrote it');
  });

  it('lists programmes in creation order and pages', async () => {
    const a = await createProgramme([['one', []]]);
    const b = await createProgramme([['two', []]]);
    const all = [];
    let cursor = null;
    for (let i = 0; i < 500; i++) {
      const res = expectStatus(
        await ph('GET', `/v1/programmes?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: adminToken() }),
        200,
      );
      all.push(...res.body.items.map((x) => x.id));
      cursor = res.body.next_cursor;
      if (!cursor) break;
    }
    assert.equal(all[0], DEFAULT_PROGRAMME);
    assert.ok(all.indexOf(a.id) >= 0 && all.indexOf(a.id) < all.indexOf(b.id));
  });

  it('is for admins only; nothing is stored on a refusal', async () => {
    const partner = await createPartner();
    const b = body();
    for (const tok of [tokenFor(partner), serviceToken(), await viewerToken()]) {
      expectProblem(await ph('POST', '/v1/programmes', { token: tok, body: b }), 403, 'forbidden');
    }
    const rows = await db.query('SELECT 1 FROM phases.programme_version WHERE name = $1', [b.name]);
    assert.equal(rows.length, 0);
  });

  it('answers 404 for an unknown programme or version', async () => {
    expectProblem(await ph('GET', `/v1/programmes/${MISSING}`, { token: adminToken() }), 404, 'not-found');
    expectProblem(await ph('GET', `/v1/programmes/${DEFAULT_PROGRAMME}/versions/999`, { token: adminToken() }), 404, 'not-found');
    for (const v of ['0', '-1', 'x', '1.5', '99999999999']) {
      expectProblem(
        await ph('GET', `/v1/programmes/${DEFAULT_PROGRAMME}/versions/${v}`, { token: adminToken(), invalid: true }),
        404,
        'not-found',
      );
    }
    expectProblem(await ph('GET', `/v1/programmes/${MISSING}/versions`, { token: adminToken() }), 404, 'not-found');
  });
});

describe('validation of programmes', () => {
  const rejects = async (b, fields) => {
    const res = await ph('POST', '/v1/programmes', { token: adminToken(), body: b, invalid: true });
    const p = expectProblem(res, 400, 'validation', fields);
    return p;
  };

  it('names every fault at once, nested ones by path', async () => {
    const name = `Bad ${uniq()}`;
    await rejects(
      {
        name,
        colour: 'red',
        phases: [
          { key: 'Research', name: '', guide_days: 0, stall_days: 400, criteria: [{ type: 'workshops_attended' }] },
          { key: 'two', name: 'Two', guide_days: 1, stall_days: 1, criteria: [{ type: 'telepathy' }, { type: 'activity_rate', min_per_week: 0, weeks: 4 }] },
          { key: 'two', name: 'Again', guide_days: 1, stall_days: 1, criteria: [{ type: 'sessions_held', min: 3, service: 'strategy' }] },
        ],
      },
      [
        'colour',
        'phases[0].key',
        'phases[0].name',
        'phases[0].guide_days',
        'phases[0].stall_days',
        'phases[0].criteria[0].min',
        'phases[1].criteria[0].type',
        'phases[1].criteria[1].min_per_week',
        'phases[2]',
        'phases[2].criteria[0].service',
      ],
    );
    assert.equal((await db.query('SELECT 1 FROM phases.programme_version WHERE name = $1', [name])).length, 0);
  });

  it('needs a name and 1 to 20 phases', async () => {
    await rejects({ phases: [] }, ['name', 'phases']);
    await rejects({ name: 'x' }, ['phases']);
    const many = Array.from({ length: 21 }, (_, i) => ({ key: `p${i}`, name: 'p', guide_days: 1, stall_days: 1, criteria: [] }));
    await rejects({ name: 'x', phases: many }, ['phases']);
  });

  it('checks positions when given and sections as keys', async () => {
    await rejects(
      {
        name: 'x',
        phases: [
          { position: 2, key: 'a', name: 'A', guide_days: 1, stall_days: 1, criteria: [] },
          { key: 'b', name: 'B', guide_days: 1, stall_days: 1, criteria: [{ type: 'playbook_sections_drafted', sections: ['Purpose', 'vision', 'vision'] }] },
        ],
      },
      ['phases[0]', 'phases[1].criteria[0].sections[0]', 'phases[1].criteria[0].sections[2]'],
    );
  });
});

describe('PUT /v1/programmes/{id}: versions', () => {
  it('adds a version; the earlier one stays, and an enrolment keeps the version it enrolled on', async () => {
    const p = await createProgramme([['research', [{ type: 'assessment_submitted' }]], ['practice', []]]);
    const partner = await createPartner();
    const e = await enrol(partner, p.id);
    assert.equal(e.programme_version, 1);

    const edited = {
      name: 'Edited',
      phases: [
        { key: 'discovery', name: 'Discovery', guide_days: 5, stall_days: 5, criteria: [] },
        { key: 'practice', name: 'Practice', guide_days: 5, stall_days: 5, criteria: [] },
        { key: 'habit', name: 'Habit', guide_days: 5, stall_days: 5, criteria: [] },
      ],
    };
    const res = expectStatus(
      await ph('PUT', `/v1/programmes/${p.id}`, { token: adminToken(), body: edited, headers: { 'If-Match': '"1"' } }),
      200,
    );
    assert.equal(res.body.version, 2);
    assert.equal(etagVersion(res), 2);
    assert.deepEqual(res.body.phases.map((x) => x.key), ['discovery', 'practice', 'habit']);

    const v1 = expectStatus(await ph('GET', `/v1/programmes/${p.id}/versions/1`, { token: adminToken() }), 200).body;
    assert.deepEqual(v1.phases, p.phases);
    assert.equal(v1.latest_version, 2);
    const versions = expectStatus(await ph('GET', `/v1/programmes/${p.id}/versions`, { token: adminToken() }), 200).body;
    assert.deepEqual(versions.items.map((v) => [v.version, v.phases]), [[1, 2], [2, 3]]);

    // the enrolment's past is untouched; a new enrolment pins version 2
    const again = await getEnrolment(e.id);
    assert.equal(again.programme_version, 1);
    assert.deepEqual(again.phases.map((x) => x.key), ['research', 'practice']);
    const e2 = await enrol(await createPartner(), p.id);
    assert.equal(e2.programme_version, 2);
    assert.deepEqual(e2.phases.map((x) => x.key), ['discovery', 'practice', 'habit']);
  });

  it('answers 412 for a stale If-Match and 404 for an unknown programme; admins only', async () => {
    const p = await createProgramme([['only', []]]);
    const b = body();
    expectProblem(
      await ph('PUT', `/v1/programmes/${p.id}`, { token: adminToken(), body: b, headers: { 'If-Match': '"7"' } }),
      412,
      'precondition-failed',
    );
    expectProblem(await ph('PUT', `/v1/programmes/${MISSING}`, { token: adminToken(), body: b }), 404, 'not-found');
    expectProblem(await ph('PUT', `/v1/programmes/${p.id}`, { token: tokenFor(await createPartner()), body: b }), 403, 'forbidden');
    const rows = await db.query('SELECT version FROM phases.programme_version WHERE programme_id = $1', [p.id]);
    assert.deepEqual(rows.map((r) => r.version), [1]);
  });
});
