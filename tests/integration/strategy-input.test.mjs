// Bad input to the strategy service: every fault gets a 4xx that names it
// (all at once), never a 500; a refused write leaves nothing behind.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectProblem, namesField } from './lib/http.mjs';
import * as db from './lib/db.mjs';
import {
  cast,
  count,
  createDraft,
  createPlaybook,
  integrate,
  playbookBody,
  programme,
  publishStrategy,
  revisionRows,
  sapi,
  strategyBody,
} from './lib/strategy.mjs';

after(() => db.closeDb());

const MAX_BODY = Number(process.env.TANDEM_TEST_MAX_BODY || 65536);

let w;
before(async () => {
  w = await cast();
});

const bad = (method, path, tok, body, o = {}) => sapi(method, path, { token: tok, body, invalid: true, ...o });

describe('bodies that are not a JSON object', () => {
  for (const [label, raw] of [
    ['malformed JSON', '{"programme_id": '],
    ['a JSON array', '[]'],
    ['a JSON string', '"x"'],
    ['an empty body', ''],
    ['duplicate members', '{"voice": "a", "voice": "b"}'],
  ]) {
    it(`${label} -> 400 malformed, on every write`, async () => {
      const pb = await createPlaybook(w.tok.partner());
      const v = await createDraft(w.tok.comms());
      for (const [method, path, tok] of [
        ['POST', '/v1/playbooks', w.tok.partner()],
        ['PATCH', `/v1/playbooks/${pb.id}`, w.tok.partner()],
        ['PUT', `/v1/playbooks/${pb.id}/sections/voice/status`, w.tok.partner()],
        ['POST', `/v1/playbooks/${pb.id}/comments`, w.tok.mentor()],
        ['POST', '/v1/business-strategy/versions', w.tok.comms()],
        ['PATCH', `/v1/business-strategy/versions/${v.id}`, w.tok.comms()],
        ['POST', '/v1/integrations', w.tok.comms()],
        ['PATCH', '/v1/integrations/00000000-0000-4000-8000-000000000000', w.tok.comms()],
      ]) {
        const res = await sapi(method, path, { token: tok, rawBody: raw, invalid: true });
        expectProblem(res, 400, 'malformed');
      }
      assert.equal((await revisionRows(pb.id)).length, 1);
    });
  }

  it('a body that is not application/json -> 415', async () => {
    const res = await sapi('POST', '/v1/playbooks', { token: w.tok.partner(), rawBody: 'programme_id=1', contentType: 'text/plain', invalid: true });
    expectProblem(res, 415, 'unsupported-media-type');
  });

  it('a body over the limit -> 413', async () => {
    const res = await sapi('POST', '/v1/business-strategy/versions', {
      token: w.tok.comms(), rawBody: `{"title": "${'x'.repeat(MAX_BODY)}"}`, invalid: true,
    });
    expectProblem(res, 413, 'payload-too-large');
  });
});

describe('playbook bodies', () => {
  it('names every fault at once, nested fields included; nothing stored', async () => {
    const prog = programme();
    const res = await bad('POST', '/v1/playbooks', w.tok.partner(), {
      programme_id: prog,
      purpose: '',
      vision: 'v'.repeat(4001),
      audiences: [{ name: 'CFOs', size: 3 }],
      themes: [{ name: 'AI', keywords: 'ai' }, { name: 'ai' }, { description: 'no name' }],
      platforms: [],
      cadence: { posts_per_week: -1 },
      goals: [{ description: 'd', metric: 'm', target: 'ten', by: '2027-13-01' }],
      voice: 7,
      boundaries: ['ok', ''],
      mood: 'happy',
    });
    const p = expectProblem(res, 400, 'validation', [
      'purpose', 'vision', 'audiences[0].size', 'themes[0].keywords', 'themes[1].name', 'themes[2].name',
      'platforms', 'cadence.posts_per_week', 'goals[0].target', 'goals[0].by', 'voice', 'boundaries', 'mood',
    ]);
    assert.ok(p.errors.length >= 13);
    assert.equal(p.errors.find((e) => e.field === 'mood').message, 'unknown field');
    assert.equal((await db.query('SELECT 1 FROM strategy.playbook WHERE programme_id = $1', [prog])).length, 0);
  });

  it('programme_id is required and must be a UUID', async () => {
    expectProblem(await bad('POST', '/v1/playbooks', w.tok.partner(), { voice: 'x' }), 400, 'validation', ['programme_id']);
    expectProblem(await bad('POST', '/v1/playbooks', w.tok.partner(), { programme_id: 'abc' }), 400, 'validation', ['programme_id']);
  });

  it('PATCH: an empty object, programme_id, unknown sections -> 400; nothing saved', async () => {
    const pb = await createPlaybook(w.tok.partner());
    expectProblem(await bad('PATCH', `/v1/playbooks/${pb.id}`, w.tok.partner(), {}), 400, 'validation', ['body']);
    expectProblem(await bad('PATCH', `/v1/playbooks/${pb.id}`, w.tok.partner(), { programme_id: programme(), mission: 'x' }),
      400, 'validation', ['programme_id', 'mission']);
    expectProblem(await bad('PATCH', `/v1/playbooks/${pb.id}`, w.tok.partner(), { themes: [{ name: 'T', pillars: ['A', 'a!'] }] }),
      400, 'validation', ['themes[0].pillars[1]']);
    assert.equal((await revisionRows(pb.id)).length, 1);
  });

  it('section status and comment bodies', async () => {
    const pb = await createPlaybook(w.tok.partner());
    expectProblem(await bad('PUT', `/v1/playbooks/${pb.id}/sections/voice/status`, w.tok.partner(), { status: 'empty' }),
      400, 'validation', ['status']);
    expectProblem(await bad('PUT', `/v1/playbooks/${pb.id}/sections/voice/status`, w.tok.partner(), { status: 'draft', why: 1 }),
      400, 'validation', ['why']);
    expectProblem(await bad('POST', `/v1/playbooks/${pb.id}/comments`, w.tok.mentor(), { section: 'mood', body: '' }),
      400, 'validation', ['section', 'body']);
    expectProblem(await bad('POST', `/v1/playbooks/${pb.id}/comments`, w.tok.mentor(), { section: 'voice', body: 'b'.repeat(4001) }),
      400, 'validation', ['body']);
  });
});

describe('business strategy bodies', () => {
  it('names every fault at once; nothing stored', async () => {
    const before = await count('strategy_version');
    const res = await bad('POST', '/v1/business-strategy/versions', w.tok.comms(), {
      title: '',
      pillars: [{ name: 'P', keywords: [] }, { name: 'p.', keywords: ['k'] }, 'x'],
      channels: [{ name: 'LinkedIn' }, { name: 'linkedin' }],
      policies: { off_limits_terms: 'tax', extra: [] },
      kpis: [{ target: 5 }],
      owner: 'me',
    });
    expectProblem(res, 400, 'validation', ['title', 'pillars[0].keywords', 'pillars[1].name', 'pillars[2]', 'channels[1].name',
      'policies.off_limits_terms', 'policies.extra', 'kpis[0].name', 'owner']);
    expectProblem(await bad('POST', '/v1/business-strategy/versions', w.tok.comms(), { title: 't', pillars: [] }), 400, 'validation', ['pillars']);
    assert.equal(await count('strategy_version'), before);
  });

  it('PATCH of a draft: empty body, nulls -> 400', async () => {
    const v = await createDraft(w.tok.comms());
    expectProblem(await bad('PATCH', `/v1/business-strategy/versions/${v.id}`, w.tok.comms(), {}), 400, 'validation', ['body']);
    expectProblem(await bad('PATCH', `/v1/business-strategy/versions/${v.id}`, w.tok.comms(), { title: null, kpis: null }),
      400, 'validation', ['title', 'kpis']);
  });
});

describe('integration bodies', () => {
  it('playbook_id must be a UUID; decisions must be signed_off or returned', async () => {
    await publishStrategy(w.tok.comms());
    expectProblem(await bad('POST', '/v1/integrations', w.tok.comms(), { playbook_id: 'x', extra: 1 }), 400, 'validation', ['playbook_id', 'extra']);
    expectProblem(await bad('POST', '/v1/integrations', w.tok.comms(), {}), 400, 'validation', ['playbook_id']);
    const pb = await createPlaybook(w.tok.partner());
    const i = await integrate(w.tok.comms(), pb.id);
    expectProblem(await bad('PATCH', `/v1/integrations/${i.id}`, w.tok.comms(), { status: 'approved', comment: '' }),
      400, 'validation', ['status', 'comment']);
    expectProblem(await bad('PATCH', `/v1/integrations/${i.id}`, w.tok.comms(), { comment: 'c'.repeat(2001), status: 'returned' }),
      400, 'validation', ['comment']);
    assert.equal((await db.query('SELECT status FROM strategy.integration WHERE id = $1', [i.id]))[0].status, 'pending_review');
  });
});

describe('query parameters', () => {
  it('unknown ones are refused by name, on every route', async () => {
    const pb = await createPlaybook(w.tok.partner());
    for (const [path, tok] of [
      [`/v1/playbooks?partner=${w.P.id}`, w.tok.partner()],
      [`/v1/playbooks/${pb.id}?verbose=1`, w.tok.partner()],
      [`/v1/playbooks/${pb.id}/revisions?section=voice`, w.tok.partner()],
      ['/v1/business-strategy?version=2', w.tok.partner()],
      ['/v1/business-strategy/versions?current=true', w.tok.comms()],
      ['/v1/integrations?score=10', w.tok.comms()],
      [`/v1/evidence/strategy/${w.P.id}?weeks=4`, w.tok.admin()],
      ['/v1/stats/strategy?from=2026-01-01', w.tok.viewer()],
    ]) {
      const res = await sapi('GET', path, { token: tok, invalid: true });
      const p = expectProblem(res, 400, 'validation');
      assert.ok(p.errors.some((e) => e.message === 'unknown query parameter'), `${path}: ${res.text}`);
    }
  });

  it('bad filters, limits and cursors are named', async () => {
    for (const [path, tok, fields] of [
      ['/v1/playbooks?partner_id=x&programme_id=y&limit=0', w.tok.admin(), ['partner_id', 'programme_id', 'limit']],
      ['/v1/playbooks?cursor=nope', w.tok.partner(), ['cursor']],
      ['/v1/business-strategy/versions?status=old&limit=501', w.tok.comms(), ['status', 'limit']],
      ['/v1/integrations?status=done&playbook_id=1&partner_id=2&programme_id=3', w.tok.comms(),
        ['status', 'playbook_id', 'partner_id', 'programme_id']],
      ['/v1/business-strategy/coverage?programme_id=x', w.tok.comms(), ['programme_id']],
      ['/v1/stats/strategy?programme_id=x', w.tok.viewer(), ['programme_id']],
      [`/v1/evidence/strategy/${w.P.id}?programme_id=x`, w.tok.admin(), ['programme_id']],
    ]) {
      const res = await sapi('GET', path, { token: tok, invalid: true });
      expectProblem(res, 400, 'validation', fields);
    }
    const pb = await createPlaybook(w.tok.partner());
    const res = await sapi('GET', `/v1/playbooks/${pb.id}/comments?section=mood&limit=x`, { token: w.tok.partner(), invalid: true });
    const p = expectProblem(res, 400, 'validation', ['section', 'limit']);
    assert.ok(p.errors.some((e) => namesField(e, 'section') && /must be one of purpose, vision/.test(e.message)));
  });

  it('path ids that are not UUIDs are a 404', async () => {
    for (const path of ['/v1/playbooks/x', '/v1/playbooks/x/revisions', '/v1/integrations/x', '/v1/business-strategy/versions/x',
      '/v1/evidence/strategy/x']) {
      expectProblem(await sapi('GET', path, { token: w.tok.admin(), invalid: true }), 404, 'not-found');
    }
  });
});
