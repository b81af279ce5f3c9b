// The business social media strategy: owned by comms; draft and published
// versions; exactly one current published version at any time.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { etagVersion, expectProblem, expectStatus } from './lib/http.mjs';
import * as db from './lib/db.mjs';
import {
  cast,
  count,
  createDraft,
  currentVersions,
  listAll,
  publish,
  publishStrategy,
  sapi,
  strategyBody,
} from './lib/strategy.mjs';

after(() => db.closeDb());

let w;
before(async () => {
  w = await cast();
});

describe('drafts', () => {
  it('comms drafts a version: numbered, with defaults, Location and ETag', async () => {
    const body = strategyBody({ channels: undefined, kpis: undefined, policies: { off_limits_terms: ['tax'] } });
    delete body.channels;
    delete body.kpis;
    const res = expectStatus(await sapi('POST', '/v1/business-strategy/versions', { token: w.tok.comms(), body }), 201);
    const v = res.body;
    assert.equal(res.headers.get('location'), `/v1/business-strategy/versions/${v.id}`);
    assert.equal(etagVersion(res), 1);
    assert.equal(v.status, 'draft');
    assert.equal(v.current, false);
    assert.equal(v.published_at, null);
    assert.equal(v.created_by, w.C.id);
    assert.deepEqual(v.channels, []);
    assert.deepEqual(v.kpis, []);
    assert.deepEqual(v.policies, { off_limits_topics: [], off_limits_terms: ['tax'], disclosure_rules: [] });
    assert.deepEqual(v.pillars, body.pillars);
    const next = await createDraft(w.tok.comms());
    assert.equal(next.number, v.number + 1);
    const row = (await db.query('SELECT pillar_keys FROM strategy.strategy_version WHERE id = $1', [v.id]))[0];
    assert.deepEqual(row.pillar_keys, ['trusted technology', 'sustainable growth', 'people first']);
  });

  it('only comms changes the strategy: admin, partner, mentor, viewer, service get 403', async () => {
    const before = await count('strategy_version');
    for (const tok of [w.tok.admin(), w.tok.partner(), w.tok.mentor(), w.tok.viewer(), w.tok.service()]) {
      expectProblem(await sapi('POST', '/v1/business-strategy/versions', { token: tok, body: strategyBody() }), 403, 'forbidden');
    }
    assert.equal(await count('strategy_version'), before);
  });

  it('comms edits a draft (If-Match); pillars change their keys', async () => {
    const v = await createDraft(w.tok.comms());
    const res = expectStatus(await sapi('PATCH', `/v1/business-strategy/versions/${v.id}`, {
      token: w.tok.comms(),
      body: { title: 'Renamed', pillars: [{ name: 'Client Stories', keywords: ['clients'] }], policies: { disclosure_rules: ['say so'] } },
      headers: { 'If-Match': '"1"' },
    }), 200);
    assert.equal(res.body.title, 'Renamed');
    assert.equal(res.body.version, 2);
    assert.deepEqual(res.body.policies, { off_limits_topics: [], off_limits_terms: [], disclosure_rules: ['say so'] });
    assert.deepEqual(res.body.channels, v.channels, 'untouched members stay');
    const row = (await db.query('SELECT pillar_keys FROM strategy.strategy_version WHERE id = $1', [v.id]))[0];
    assert.deepEqual(row.pillar_keys, ['client story']);
    expectProblem(await sapi('PATCH', `/v1/business-strategy/versions/${v.id}`, { token: w.tok.comms(), body: { title: 'x' }, headers: { 'If-Match': '"1"' } }),
      412, 'precondition-failed');
    expectProblem(await sapi('PATCH', `/v1/business-strategy/versions/${v.id}`, { token: w.tok.admin(), body: { title: 'x' } }), 403, 'forbidden');
  });

  it('drafts are read by comms and admin only', async () => {
    const v = await createDraft(w.tok.comms());
    for (const tok of [w.tok.comms(), w.tok.admin()]) {
      expectStatus(await sapi('GET', `/v1/business-strategy/versions/${v.id}`, { token: tok }), 200);
    }
    for (const tok of [w.tok.partner(), w.tok.mentor(), w.tok.service()]) {
      expectProblem(await sapi('GET', `/v1/business-strategy/versions/${v.id}`, { token: tok }), 403, 'forbidden');
    }
    const listed = await listAll('/v1/business-strategy/versions?status=draft', w.tok.partner());
    assert.equal(listed.items.length, 0, 'a partner lists no drafts');
    const comms = await listAll('/v1/business-strategy/versions?status=draft', w.tok.comms());
    assert.ok(comms.items.some((x) => x.id === v.id));
    assert.equal(comms.items.find((x) => x.id === v.id).pillar_count, 3);
  });
});

describe('publishing: exactly one current published version', () => {
  it('publishing makes a draft current; the previous stays published, no longer current', async () => {
    const a = await publishStrategy(w.tok.comms());
    assert.equal(a.status, 'published');
    assert.equal(a.current, true);
    assert.ok(a.published_at);
    assert.equal(a.published_by, w.C.id);
    const cur = expectStatus(await sapi('GET', '/v1/business-strategy', { token: w.tok.partner() }), 200);
    assert.equal(cur.body.id, a.id);
    assert.equal(cur.headers.get('etag'), `"${a.version}"`);

    const b = await publishStrategy(w.tok.comms());
    const oldA = expectStatus(await sapi('GET', `/v1/business-strategy/versions/${a.id}`, { token: w.tok.mentor() }), 200).body;
    assert.equal(oldA.status, 'published');
    assert.equal(oldA.current, false);
    assert.equal(expectStatus(await sapi('GET', '/v1/business-strategy', { token: w.tok.service() }), 200).body.id, b.id);
    assert.deepEqual((await currentVersions()).map((x) => x.id), [b.id]);
  });

  it('a published version never changes and cannot be published again (409)', async () => {
    const v = await publishStrategy(w.tok.comms());
    expectProblem(await sapi('PATCH', `/v1/business-strategy/versions/${v.id}`, { token: w.tok.comms(), body: { title: 'x' } }), 409, 'conflict');
    expectProblem(await sapi('POST', `/v1/business-strategy/versions/${v.id}/publish`, { token: w.tok.comms() }), 409, 'conflict');
    expectProblem(await sapi('POST', `/v1/business-strategy/versions/${v.id}/publish`, { token: w.tok.admin() }), 403, 'forbidden');
    expectProblem(await sapi('POST', '/v1/business-strategy/versions/00000000-0000-4000-8000-000000000000/publish', { token: w.tok.comms() }), 404, 'not-found');
  });

  it('publish honours If-Match', async () => {
    const v = await createDraft(w.tok.comms());
    expectProblem(await sapi('POST', `/v1/business-strategy/versions/${v.id}/publish`, { token: w.tok.comms(), headers: { 'If-Match': '"9"' } }),
      412, 'precondition-failed');
    expectStatus(await sapi('POST', `/v1/business-strategy/versions/${v.id}/publish`, { token: w.tok.comms(), headers: { 'If-Match': '"1"' } }), 200);
  });

  it('concurrent publishes leave exactly one current version', async () => {
    const drafts = [];
    for (let i = 0; i < 6; i++) drafts.push(await createDraft(w.tok.comms()));
    const results = await Promise.all(drafts.map((d) =>
      sapi('POST', `/v1/business-strategy/versions/${d.id}/publish`, { token: w.tok.comms() })));
    for (const r of results) expectStatus(r, 200);
    const cur = await currentVersions();
    assert.equal(cur.length, 1);
    assert.ok(drafts.some((d) => d.id === cur[0].id));
    assert.equal(await count('strategy_version', 'id = ANY($1) AND status = \'published\'', [drafts.map((d) => d.id)]), 6);
  });

  it('versions list: oldest first, paged, filtered by status', async () => {
    await publishStrategy(w.tok.comms());
    const { items, pages } = await listAll('/v1/business-strategy/versions?status=published&limit=2', w.tok.partner());
    assert.ok(items.length >= 3);
    assert.ok(pages.every((n) => n <= 2));
    assert.ok(items.every((x) => x.status === 'published'));
    const numbers = items.map((x) => x.number);
    assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b));
    assert.equal(items.filter((x) => x.current).length, 1);
  });

  it('viewers read neither the strategy nor its versions', async () => {
    expectProblem(await sapi('GET', '/v1/business-strategy', { token: w.tok.viewer() }), 403, 'forbidden');
    expectProblem(await sapi('GET', '/v1/business-strategy/versions', { token: w.tok.viewer() }), 403, 'forbidden');
  });
});

describe('unknown versions', () => {
  it('404 for an id that does not exist or is not a UUID', async () => {
    expectProblem(await sapi('GET', '/v1/business-strategy/versions/00000000-0000-4000-8000-000000000000', { token: w.tok.comms() }), 404, 'not-found');
    expectProblem(await sapi('GET', '/v1/business-strategy/versions/nope', { token: w.tok.comms(), invalid: true }), 404, 'not-found');
    expectProblem(await sapi('PATCH', '/v1/business-strategy/versions/00000000-0000-4000-8000-000000000000', { token: w.tok.comms(), body: { title: 'x' } }), 404, 'not-found');
  });
});
