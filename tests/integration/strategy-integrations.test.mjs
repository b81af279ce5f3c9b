// Integration (phase 5): a playbook aligned with the current business
// strategy, kept per pair of versions, reviewed by comms; sign-off makes the
// partner's strategy operational and is the evidence the phases service
// reads; the comms coverage view and the statistics follow.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { etagVersion, expectProblem, expectStatus } from './lib/http.mjs';
import { createMentor, createPairing, createPartner, tokenFor } from './lib/fixtures.mjs';
import * as db from './lib/db.mjs';
import {
  cast,
  createPlaybook,
  decide,
  getPlaybook,
  integrate,
  integrationRows,
  linksOf,
  listAll,
  playbookBody,
  programme,
  publishStrategy,
  sapi,
  savePlaybook,
  setStatus,
  strategyBody,
} from './lib/strategy.mjs';

after(() => db.closeDb());

let w;
before(async () => {
  w = await cast();
});

describe('POST /v1/integrations: the alignment', () => {
  let strat;
  before(async () => {
    strat = await publishStrategy(w.tok.comms());
  });

  it('explains which pillars each theme supports, what is untouched, outside, in conflict, in common', async () => {
    const pb = await createPlaybook(w.tok.partner(), playbookBody(programme(), {
      themes: [
        { name: 'AI for boards', keywords: ['#AI', 'governance'], pillars: ['trusted-technology'] },
        { name: 'Net zero in practice', keywords: ['Climate'] },
        { name: 'Family business', keywords: ['heritage'], pillars: ['Heritage'] },
      ],
      platforms: [{ name: 'Twitter' }, { name: 'Instagram' }],
      goals: [{ description: 'Explain tax changes', metric: 'posts', target: 12 }],
      voice: 'Plain; never about pending litigations.',
    }));
    const res = expectStatus(await sapi('POST', '/v1/integrations', { token: w.tok.partner(), body: { playbook_id: pb.id } }), 201);
    const i = res.body;
    assert.equal(res.headers.get('location'), `/v1/integrations/${i.id}`);
    assert.equal(etagVersion(res), 1);
    assert.equal(i.status, 'pending_review');
    assert.equal(i.playbook_id, pb.id);
    assert.equal(i.partner_id, w.P.id);
    assert.equal(i.programme_id, pb.programme_id);
    assert.equal(i.playbook_revision, 1);
    assert.equal(i.strategy_version_id, strat.id);
    assert.equal(i.strategy_number, strat.number);
    assert.equal(i.requested_by, w.P.id);

    const a = i.alignment;
    assert.deepEqual(linksOf(a, 'AI for boards'), ['Trusted Technology:explicit']);
    assert.deepEqual(linksOf(a, 'Net zero in practice'), ['Sustainable Growth:suggested']);
    assert.deepEqual(a.themes.find((t) => t.theme === 'Net zero in practice').pillars[0].shared_keywords, ['climate']);
    assert.deepEqual(linksOf(a, 'Family business'), []);
    assert.deepEqual(a.unmatched_mappings, [{ theme: 'Family business', pillar: 'Heritage' }]);
    assert.deepEqual(a.themes_outside_pillars, ['Family business']);
    assert.deepEqual(a.untouched_pillars, ['People First']);
    assert.deepEqual(a.conflicts.map((c) => `${c.kind} ${c.phrase} ${c.field}`), [
      'off_limits_term tax goals[0].description',
      'off_limits_topic pending litigation voice',
    ]);
    assert.deepEqual(a.platforms_in_common, ['X']);
    assert.deepEqual(a.personal_platforms, ['Instagram']);
    assert.deepEqual(a.channels_not_used, ['LinkedIn', 'YouTube']);
    // themes 40 x 2/3 = 27, reach 30 x 2/3 = 20, platforms 20 x 1/2 = 10,
    // explicit 10 x 1/2 = 5, two conflicts -30: 32
    assert.equal(a.score, 32);
    assert.equal(i.score, 32);
    assert.deepEqual(a.explanation.components.map((c) => c.points), [27, 20, 10, 5, -30]);
    assert.match(a.explanation.summary, new RegExp(`^alignment 32 of 100 with business strategy version ${strat.number}`));

    const rows = await integrationRows(pb.id);
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].pillar_keys, ['trusted technology', 'sustainable growth']);
  });

  it('one result per pair of versions: running it again answers the same one (200)', async () => {
    const pb = await createPlaybook(w.tok.partner());
    const first = await integrate(w.tok.partner(), pb.id, 201);
    const again = await integrate(w.tok.comms(), pb.id, 200);
    assert.deepEqual(again, first);
    assert.equal((await integrationRows(pb.id)).length, 1);
  });

  it('a new playbook revision is a new pair: a new result; the pending one is superseded', async () => {
    const pb = await createPlaybook(w.tok.partner());
    const first = await integrate(w.tok.partner(), pb.id);
    await savePlaybook(w.tok.partner(), pb.id, { platforms: [{ name: 'LinkedIn' }] });
    const second = await integrate(w.tok.partner(), pb.id, 201);
    assert.notEqual(second.id, first.id);
    assert.equal(second.playbook_revision, 2);
    assert.ok(second.score > first.score, 'LinkedIn only: every platform is a business channel');
    const old = expectStatus(await sapi('GET', `/v1/integrations/${first.id}`, { token: w.tok.comms() }), 200).body;
    assert.equal(old.status, 'superseded');
    assert.equal(old.version, 2);
  });

  it('a new strategy version is a new pair too', async () => {
    const pb = await createPlaybook(w.tok.partner());
    const first = await integrate(w.tok.partner(), pb.id);
    const next = await publishStrategy(w.tok.comms(), strategyBody({
      pillars: [{ name: 'Governance', keywords: ['governance', 'boards'] }],
    }));
    const second = await integrate(w.tok.partner(), pb.id, 201);
    assert.equal(second.strategy_version_id, next.id);
    assert.deepEqual(linksOf(second.alignment, 'AI for boards'), ['Governance:suggested']);
    assert.deepEqual(second.alignment.unmatched_mappings, [{ theme: 'AI for boards', pillar: 'Trusted Technology' }]);
    assert.notEqual(second.id, first.id);
    strat = await publishStrategy(w.tok.comms());   // back to the usual strategy
  });

  it('who may run it: the partner (their own), comms, admin', async () => {
    const pb = await createPlaybook(w.tok.partner());
    await integrate(w.tok.admin(), pb.id, 201);
    await integrate(w.tok.comms(), pb.id, 200);
    for (const tok of [w.tok.mentor(), w.tok.viewer(), w.tok.service()]) {
      expectProblem(await sapi('POST', '/v1/integrations', { token: tok, body: { playbook_id: pb.id } }), 403, 'forbidden');
    }
    expectProblem(await sapi('POST', '/v1/integrations', { token: w.tok.other(), body: { playbook_id: pb.id } }), 403, 'forbidden');
  });

  it('no such playbook: 409 naming playbook_id', async () => {
    expectProblem(await sapi('POST', '/v1/integrations', { token: w.tok.comms(), body: { playbook_id: '00000000-0000-4000-8000-000000000000' } }),
      409, 'conflict', ['playbook_id']);
  });

  it('honours Idempotency-Key', async () => {
    const pb = await createPlaybook(w.tok.partner());
    const key = `int-${pb.id}`;
    const a = expectStatus(await sapi('POST', '/v1/integrations', { token: w.tok.partner(), body: { playbook_id: pb.id }, headers: { 'Idempotency-Key': key } }), 201);
    const b = expectStatus(await sapi('POST', '/v1/integrations', { token: w.tok.partner(), body: { playbook_id: pb.id }, headers: { 'Idempotency-Key': key } }), 201);
    assert.equal(b.headers.get('idempotent-replayed'), 'true');
    assert.equal(b.body.id, a.body.id);
  });

  it('concurrent runs of the same pair keep one result', async () => {
    const pb = await createPlaybook(w.tok.partner());
    const results = await Promise.all([1, 2, 3, 4].map(() =>
      sapi('POST', '/v1/integrations', { token: w.tok.comms(), body: { playbook_id: pb.id } })));
    const statuses = results.map((r) => r.status).sort();
    assert.ok(statuses.every((s) => s === 200 || s === 201), `statuses ${statuses}`);
    assert.equal(new Set(results.map((r) => r.body.id)).size, 1);
    assert.equal((await integrationRows(pb.id)).length, 1);
  });
});

describe('comms review: sign-off makes the strategy operational; or return with comments', () => {
  before(async () => {
    await publishStrategy(w.tok.comms());
  });

  it('sign-off: the integration is signed_off, the playbook operational, the evidence says so', async () => {
    const pb = await createPlaybook(w.tok.partner());
    const i = await integrate(w.tok.partner(), pb.id);
    const ev0 = expectStatus(await sapi('GET', `/v1/evidence/strategy/${w.P.id}?programme_id=${pb.programme_id}`, { token: w.tok.mentor() }), 200).body;
    assert.deepEqual(ev0, {
      person_id: w.P.id,
      playbook_sections_drafted: ['purpose', 'themes', 'platforms', 'goals', 'voice'],
      integration_signed_off: false,
      signed_off_at: null,
    });
    const res = expectStatus(await sapi('PATCH', `/v1/integrations/${i.id}`, {
      token: w.tok.comms(), body: { status: 'signed_off', comment: 'Welcome to business as usual.' }, headers: { 'If-Match': '"1"' },
    }), 200);
    assert.equal(res.body.status, 'signed_off');
    assert.equal(res.body.decided_by, w.C.id);
    assert.ok(res.body.decided_at);
    assert.equal(res.body.review_comment, 'Welcome to business as usual.');
    const after1 = await getPlaybook(pb.id);
    assert.equal(after1.operational, true);
    assert.ok(after1.operational_at);
    assert.equal(after1.signed_off_integration_id, i.id);
    const ev = expectStatus(await sapi('GET', `/v1/evidence/strategy/${w.P.id}?programme_id=${pb.programme_id}`, { token: w.tok.partner() }), 200).body;
    assert.equal(ev.integration_signed_off, true);
    assert.equal(ev.signed_off_at, after1.signed_off_at);
  });

  it('a stale pair cannot be signed off (409): the playbook changed since', async () => {
    const pb = await createPlaybook(w.tok.partner());
    const i = await integrate(w.tok.partner(), pb.id);
    await savePlaybook(w.tok.partner(), pb.id, { vision: 'changed after alignment' });
    expectProblem(await sapi('PATCH', `/v1/integrations/${i.id}`, { token: w.tok.comms(), body: { status: 'signed_off' } }), 409, 'conflict');
    assert.equal((await getPlaybook(pb.id)).operational, false);
  });

  it('a stale pair cannot be signed off (409): a new strategy version was published since', async () => {
    const pb = await createPlaybook(w.tok.partner());
    const i = await integrate(w.tok.partner(), pb.id);
    await publishStrategy(w.tok.comms());
    const p = expectProblem(await sapi('PATCH', `/v1/integrations/${i.id}`, { token: w.tok.comms(), body: { status: 'signed_off' } }),
      409, 'conflict');
    assert.match(p.detail, /run the integration again/);
    // it may still be returned with comments, and a new run can be signed off
    await decide(w.tok.comms(), i.id, 'returned', 'The strategy changed: please run it again.');
    const again = await integrate(w.tok.partner(), pb.id, 201);
    assert.equal((await decide(w.tok.comms(), again.id, 'signed_off')).status, 'signed_off');
  });

  it('return needs a comment; then it is returned and can no longer be decided', async () => {
    const pb = await createPlaybook(w.tok.partner());
    const i = await integrate(w.tok.partner(), pb.id);
    expectProblem(await sapi('PATCH', `/v1/integrations/${i.id}`, { token: w.tok.comms(), body: { status: 'returned' }, invalid: true }),
      400, 'validation', ['comment']);
    const ret = await decide(w.tok.comms(), i.id, 'returned', 'Drop the tax goal: policy.');
    assert.equal(ret.status, 'returned');
    assert.equal(ret.review_comment, 'Drop the tax goal: policy.');
    expectProblem(await sapi('PATCH', `/v1/integrations/${i.id}`, { token: w.tok.comms(), body: { status: 'signed_off' } }), 409, 'conflict');
    // the partner sees the comments on their own integration
    const mine = expectStatus(await sapi('GET', `/v1/integrations/${i.id}`, { token: w.tok.partner() }), 200).body;
    assert.equal(mine.review_comment, 'Drop the tax goal: policy.');
    assert.equal((await getPlaybook(pb.id)).operational, false);
  });

  it('only comms decides: admin, partner, mentor get 403; stale If-Match 412', async () => {
    const pb = await createPlaybook(w.tok.partner());
    const i = await integrate(w.tok.partner(), pb.id);
    for (const tok of [w.tok.admin(), w.tok.partner(), w.tok.mentor(), w.tok.viewer()]) {
      expectProblem(await sapi('PATCH', `/v1/integrations/${i.id}`, { token: tok, body: { status: 'signed_off' } }), 403, 'forbidden');
    }
    expectProblem(await sapi('PATCH', `/v1/integrations/${i.id}`, { token: w.tok.comms(), body: { status: 'signed_off' }, headers: { 'If-Match': '"5"' } }),
      412, 'precondition-failed');
    expectProblem(await sapi('PATCH', '/v1/integrations/00000000-0000-4000-8000-000000000000', { token: w.tok.comms(), body: { status: 'signed_off' } }),
      404, 'not-found');
  });

  it('a superseded integration cannot be decided', async () => {
    const pb = await createPlaybook(w.tok.partner());
    const first = await integrate(w.tok.partner(), pb.id);
    await savePlaybook(w.tok.partner(), pb.id, { voice: 'new' });
    await integrate(w.tok.partner(), pb.id);
    expectProblem(await sapi('PATCH', `/v1/integrations/${first.id}`, { token: w.tok.comms(), body: { status: 'returned', comment: 'x' } }), 409, 'conflict');
  });
});

describe('reading integrations', () => {
  it('comms, admin and service read all; a partner their own; mentors and viewers 403', async () => {
    const pb = await createPlaybook(w.tok.partner());
    const i = await integrate(w.tok.partner(), pb.id);
    for (const tok of [w.tok.comms(), w.tok.admin(), w.tok.service(), w.tok.partner()]) {
      expectStatus(await sapi('GET', `/v1/integrations/${i.id}`, { token: tok }), 200);
    }
    for (const tok of [w.tok.other(), w.tok.mentor(), w.tok.viewer()]) {
      expectProblem(await sapi('GET', `/v1/integrations/${i.id}`, { token: tok }), 403, 'forbidden');
    }
    const mine = await listAll(`/v1/integrations?playbook_id=${pb.id}`, w.tok.partner());
    assert.deepEqual(mine.items.map((x) => x.id), [i.id]);
    assert.equal(mine.items[0].alignment, undefined, 'summaries carry no alignment');
    const others = await listAll(`/v1/integrations?playbook_id=${pb.id}`, w.tok.other());
    assert.deepEqual(others.items, [], 'another partner lists none of them');
    const byStatus = await listAll(`/v1/integrations?partner_id=${w.P.id}&status=pending_review&limit=2`, w.tok.comms());
    assert.ok(byStatus.items.some((x) => x.id === i.id));
    assert.ok(byStatus.items.every((x) => x.status === 'pending_review' && x.partner_id === w.P.id));
    expectProblem(await sapi('GET', '/v1/integrations', { token: w.tok.mentor() }), 403, 'forbidden');
  });
});

describe('evidence for the phases service', () => {
  it('the person, their mentor, admin and service read it; others 403', async () => {
    const ok = [w.tok.partner(), w.tok.mentor(), w.tok.admin(), w.tok.service()];
    for (const tok of ok) expectStatus(await sapi('GET', `/v1/evidence/strategy/${w.P.id}`, { token: tok }), 200);
    for (const tok of [w.tok.other(), w.tok.otherMentor(), w.tok.comms(), w.tok.viewer()]) {
      expectProblem(await sapi('GET', `/v1/evidence/strategy/${w.P.id}`, { token: tok }), 403, 'forbidden');
    }
  });

  it('without a playbook: no sections, not signed off', async () => {
    const p = await createPartner();
    const ev = expectStatus(await sapi('GET', `/v1/evidence/strategy/${p.id}`, { token: tokenFor(p) }), 200).body;
    assert.deepEqual(ev, { person_id: p.id, playbook_sections_drafted: [], integration_signed_off: false, signed_off_at: null });
  });

  it('the current playbook is the one created last, or the programme\'s when given', async () => {
    const p = await createPartner();
    const first = await createPlaybook(tokenFor(p), { programme_id: programme(), vision: 'v', voice: 'x' });
    await createPlaybook(tokenFor(p), { programme_id: programme(), purpose: 'p' });
    const cur = expectStatus(await sapi('GET', `/v1/evidence/strategy/${p.id}`, { token: w.tok.admin() }), 200).body;
    assert.deepEqual(cur.playbook_sections_drafted, ['purpose']);
    const one = expectStatus(await sapi('GET', `/v1/evidence/strategy/${p.id}?programme_id=${first.programme_id}`, { token: w.tok.admin() }), 200).body;
    assert.deepEqual(one.playbook_sections_drafted, ['vision', 'voice']);
  });

  it('sections count as drafted from draft on, in canonical order', async () => {
    const m = await createMentor();
    const p = await createPartner();
    await createPairing(m, p);
    const pb = await createPlaybook(tokenFor(p), { programme_id: programme(), voice: 'v', purpose: 'p', boundaries: ['politics'] });
    await setStatus(tokenFor(p), pb.id, 'voice', 'ready_for_review');
    await setStatus(tokenFor(m), pb.id, 'voice', 'reviewed');
    const ev = expectStatus(await sapi('GET', `/v1/evidence/strategy/${p.id}`, { token: tokenFor(m) }), 200).body;
    assert.deepEqual(ev.playbook_sections_drafted, ['purpose', 'voice', 'boundaries']);
  });
});

describe('the programme view for comms, and statistics', () => {
  it('per pillar, how many operational leaders carry it; the silent pillars', async () => {
    const prog = programme();
    const strat = await publishStrategy(w.tok.comms());
    const leaders = [await createPartner(), await createPartner(), await createPartner()];
    const themes = [
      [{ name: 'AI', pillars: ['Trusted Technology'] }],
      [{ name: 'AI too', keywords: ['data'] }, { name: 'Climate', keywords: ['climate'] }],
      [{ name: 'Golf' }],
    ];
    for (let k = 0; k < leaders.length; k++) {
      const pb = await createPlaybook(tokenFor(leaders[k]), { programme_id: prog, themes: themes[k] });
      const i = await integrate(w.tok.comms(), pb.id);
      await decide(w.tok.comms(), i.id, 'signed_off');
    }
    // a fourth partner is not operational: not counted
    const pending = await createPlaybook(tokenFor(await createPartner()), { programme_id: prog, themes: [{ name: 'X', pillars: ['People First'] }] });
    await integrate(w.tok.comms(), pending.id);

    const res = expectStatus(await sapi('GET', `/v1/business-strategy/coverage?programme_id=${prog}`, { token: w.tok.comms() }), 200);
    assert.deepEqual(res.body, {
      strategy_version_id: strat.id,
      strategy_number: strat.number,
      programme_id: prog,
      operational_leaders: 3,
      pillars: [
        { pillar: 'Trusted Technology', leaders: 2 },
        { pillar: 'Sustainable Growth', leaders: 1 },
        { pillar: 'People First', leaders: 0 },
      ],
      silent_pillars: ['People First'],
    });
    // viewers, admin and services read it too; partners and mentors do not
    for (const tok of [w.tok.viewer(), w.tok.admin(), w.tok.service()]) {
      expectStatus(await sapi('GET', `/v1/business-strategy/coverage?programme_id=${prog}`, { token: tok }), 200);
    }
    for (const tok of [w.tok.partner(), w.tok.mentor()]) {
      expectProblem(await sapi('GET', '/v1/business-strategy/coverage', { token: tok }), 403, 'forbidden');
    }

    const stats = expectStatus(await sapi('GET', `/v1/stats/strategy?programme_id=${prog}`, { token: w.tok.viewer() }), 200).body;
    assert.equal(stats.programme_id, prog);
    assert.equal(stats.playbooks, 4);
    assert.equal(stats.operational, 3);
    assert.equal(stats.all_sections_drafted, 0);
    assert.deepEqual(stats.sections.themes, { empty: 0, draft: 4, ready_for_review: 0, reviewed: 0 });
    assert.deepEqual(stats.sections.voice, { empty: 4, draft: 0, ready_for_review: 0, reviewed: 0 });
    assert.deepEqual(Object.keys(stats.sections), ['purpose', 'vision', 'audiences', 'themes', 'platforms', 'cadence', 'goals', 'voice', 'boundaries']);
    assert.deepEqual(stats.integrations, { pending_review: 1, signed_off: 3, returned: 0, superseded: 0 });
    assert.deepEqual(stats.pillar_coverage, res.body);
  });

  it('a later sign-off replaces what a leader carries', async () => {
    const prog = programme();
    await publishStrategy(w.tok.comms());
    const p = await createPartner();
    const pb = await createPlaybook(tokenFor(p), { programme_id: prog, themes: [{ name: 'AI', pillars: ['Trusted Technology'] }] });
    await decide(w.tok.comms(), (await integrate(w.tok.comms(), pb.id)).id, 'signed_off');
    await savePlaybook(tokenFor(p), pb.id, { themes: [{ name: 'Wellbeing', pillars: ['People First'] }] });
    await decide(w.tok.comms(), (await integrate(w.tok.comms(), pb.id)).id, 'signed_off');
    const cov = expectStatus(await sapi('GET', `/v1/business-strategy/coverage?programme_id=${prog}`, { token: w.tok.comms() }), 200).body;
    assert.deepEqual(cov.pillars.map((x) => x.leaders), [0, 0, 1]);
    assert.equal(cov.operational_leaders, 1);
  });

  it('statistics: viewers, comms, admin, service; not partners or mentors', async () => {
    for (const tok of [w.tok.viewer(), w.tok.comms(), w.tok.admin(), w.tok.service()]) {
      const s = expectStatus(await sapi('GET', '/v1/stats/strategy', { token: tok }), 200).body;
      assert.equal(s.programme_id, null);
      assert.ok(s.playbooks >= 1);
    }
    for (const tok of [w.tok.partner(), w.tok.mentor()]) {
      expectProblem(await sapi('GET', '/v1/stats/strategy', { token: tok }), 403, 'forbidden');
    }
  });
});
