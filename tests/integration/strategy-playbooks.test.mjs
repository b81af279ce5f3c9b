// Playbooks: one per partner per programme; only the partner writes it (an
// admin or mentor gets 403 mentoring-not-consulting); every save is a
// revision; section statuses move partner -> mentor; comments; lists.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { etagVersion, expectProblem, expectStatus } from './lib/http.mjs';
import { adminToken, createMentor, createPairing, createPartner, endPairing, tokenFor } from './lib/fixtures.mjs';
import * as db from './lib/db.mjs';
import {
  SECTIONS,
  cast,
  createPlaybook,
  getPlaybook,
  listAll,
  playbookBody,
  playbookRow,
  programme,
  revisionRows,
  sapi,
  savePlaybook,
  setStatus,
} from './lib/strategy.mjs';

after(() => db.closeDb());

let w;
before(async () => {
  w = await cast();
});

const recent = (t) => Math.abs(Date.parse(t) - Date.now()) < 10 * 60 * 1000;

describe('POST /v1/playbooks', () => {
  it('starts the partner\'s playbook: revision 1, statuses, Location, ETag, stored', async () => {
    const body = playbookBody();
    const res = expectStatus(await sapi('POST', '/v1/playbooks', { token: w.tok.partner(), body }), 201);
    const pb = res.body;
    assert.equal(res.headers.get('location'), `/v1/playbooks/${pb.id}`);
    assert.equal(etagVersion(res), 1);
    assert.equal(pb.partner_id, w.P.id);
    assert.equal(pb.programme_id, body.programme_id);
    assert.equal(pb.revision, 1);
    assert.deepEqual(Object.keys(pb.content), SECTIONS, 'every section, in canonical order');
    assert.deepEqual(pb.content.themes, body.themes);
    assert.equal(pb.content.vision, null);
    assert.deepEqual(pb.section_status, {
      purpose: 'draft', vision: 'empty', audiences: 'empty', themes: 'draft', platforms: 'draft',
      cadence: 'empty', goals: 'draft', voice: 'draft', boundaries: 'empty',
    });
    assert.equal(pb.operational, false);
    assert.equal(pb.operational_at, null);
    assert.ok(recent(pb.created_at));

    const row = await playbookRow(pb.id);
    assert.equal(row.partner_id, w.P.id);
    const revs = await revisionRows(pb.id);
    assert.equal(revs.length, 1);
    assert.equal(revs[0].revision, 1);
    assert.deepEqual(revs[0].changed, ['purpose', 'themes', 'platforms', 'goals', 'voice']);
    assert.equal(revs[0].author_id, w.P.id);
  });

  it('an empty playbook is fine: every section empty', async () => {
    const pb = await createPlaybook(w.tok.partner(), { programme_id: programme() });
    assert.ok(Object.values(pb.section_status).every((s) => s === 'empty'));
    assert.ok(Object.values(pb.content).every((v) => v === null));
    assert.deepEqual((await revisionRows(pb.id))[0].changed, []);
  });

  it('one playbook per partner per programme: 409 naming programme_id', async () => {
    const prog = programme();
    await createPlaybook(w.tok.partner(), { programme_id: prog });
    const res = await sapi('POST', '/v1/playbooks', { token: w.tok.partner(), body: { programme_id: prog, voice: 'x' } });
    expectProblem(res, 409, 'conflict', ['programme_id']);
    assert.equal(await db.query('SELECT 1 FROM strategy.playbook WHERE programme_id = $1', [prog]).then((r) => r.length), 1);
    // another partner may have one for the same programme
    await createPlaybook(w.tok.other(), { programme_id: prog });
  });

  it('honours Idempotency-Key: a retry replays, another body is a 422', async () => {
    const body = playbookBody();
    const key = `pb-${body.programme_id}`;
    const first = expectStatus(await sapi('POST', '/v1/playbooks', { token: w.tok.partner(), body, headers: { 'Idempotency-Key': key } }), 201);
    const again = expectStatus(await sapi('POST', '/v1/playbooks', { token: w.tok.partner(), body, headers: { 'Idempotency-Key': key } }), 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body, first.body);
    assert.equal(again.headers.get('location'), first.headers.get('location'));
    const other = await sapi('POST', '/v1/playbooks', {
      token: w.tok.partner(), body: { ...body, voice: 'different' }, headers: { 'Idempotency-Key': key },
    });
    expectProblem(other, 422, 'idempotency-key-reused');
    assert.equal((await db.query('SELECT 1 FROM strategy.playbook WHERE programme_id = $1', [body.programme_id])).length, 1);
  });

  it('mentoring, not consulting: admin and mentor get 403 mentoring-not-consulting; others 403', async () => {
    for (const tok of [w.tok.admin(), w.tok.mentor()]) {
      expectProblem(await sapi('POST', '/v1/playbooks', { token: tok, body: playbookBody() }), 403, 'mentoring-not-consulting');
    }
    for (const tok of [w.tok.comms(), w.tok.viewer(), w.tok.service()]) {
      expectProblem(await sapi('POST', '/v1/playbooks', { token: tok, body: playbookBody() }), 403, 'forbidden');
    }
  });

  it('a partner token that matches no person may not start one', async () => {
    const ghost = tokenFor({ external_id: `ghost-${programme()}`, email: `ghost-${programme()}@example.com` }, ['partner']);
    expectProblem(await sapi('POST', '/v1/playbooks', { token: ghost, body: playbookBody() }), 403, 'forbidden');
  });
});

describe('GET /v1/playbooks/{id}', () => {
  let pb;
  before(async () => {
    pb = await createPlaybook(w.tok.partner());
  });

  it('the partner, their mentor, admin and service read it, with its ETag', async () => {
    for (const tok of [w.tok.partner(), w.tok.mentor(), w.tok.admin(), w.tok.service()]) {
      const res = expectStatus(await sapi('GET', `/v1/playbooks/${pb.id}`, { token: tok }), 200);
      assert.deepEqual(res.body, pb);
      assert.equal(res.headers.get('etag'), '"1"');
    }
  });

  it('another partner, another mentor, comms and viewers get 403', async () => {
    for (const tok of [w.tok.other(), w.tok.otherMentor(), w.tok.comms(), w.tok.viewer()]) {
      expectProblem(await sapi('GET', `/v1/playbooks/${pb.id}`, { token: tok }), 403, 'forbidden');
    }
  });

  it('a mentor whose pairing ended loses access', async () => {
    const m = await createMentor();
    const p = await createPartner();
    const pairing = await createPairing(m, p);
    const own = await createPlaybook(tokenFor(p));
    expectStatus(await sapi('GET', `/v1/playbooks/${own.id}`, { token: tokenFor(m) }), 200);
    await endPairing(pairing);
    expectProblem(await sapi('GET', `/v1/playbooks/${own.id}`, { token: tokenFor(m) }), 403, 'forbidden');
  });

  it('404 for an unknown id or one that is not a UUID', async () => {
    expectProblem(await sapi('GET', '/v1/playbooks/00000000-0000-4000-8000-000000000000', { token: w.tok.admin() }), 404, 'not-found');
    expectProblem(await sapi('GET', '/v1/playbooks/not-a-uuid', { token: w.tok.admin(), invalid: true }), 404, 'not-found');
  });
});

describe('PATCH /v1/playbooks/{id}: every save is a revision', () => {
  it('saves sections: a new revision with what changed; changed sections go back to draft', async () => {
    const pb = await createPlaybook(w.tok.partner());
    await setStatus(w.tok.partner(), pb.id, 'voice', 'ready_for_review');
    await setStatus(w.tok.mentor(), pb.id, 'voice', 'reviewed');
    await setStatus(w.tok.partner(), pb.id, 'purpose', 'ready_for_review');
    const before = await getPlaybook(pb.id);
    const res = expectStatus(await sapi('PATCH', `/v1/playbooks/${pb.id}`, {
      token: w.tok.partner(),
      body: { vision: 'Be the voice on assurance.', voice: 'Warmer.', purpose: before.content.purpose },
      headers: { 'If-Match': `"${before.version}"` },
    }), 200);
    const after1 = res.body;
    assert.equal(after1.revision, 2);
    assert.equal(after1.version, before.version + 1);
    assert.equal(etagVersion(res), after1.version);
    assert.equal(after1.section_status.vision, 'draft');
    assert.equal(after1.section_status.voice, 'draft', 'the review was of the old text');
    assert.equal(after1.section_status.purpose, 'ready_for_review', 'unchanged: keeps its status');
    const revs = await revisionRows(pb.id);
    assert.deepEqual(revs.map((r) => r.revision), [1, 2]);
    assert.deepEqual(revs[1].changed, ['vision', 'voice']);
    assert.equal(revs[1].content.vision, 'Be the voice on assurance.');
  });

  it('null clears a section (empty); a save that changes nothing makes no revision', async () => {
    const pb = await createPlaybook(w.tok.partner());
    const cleared = await savePlaybook(w.tok.partner(), pb.id, { goals: null });
    assert.equal(cleared.content.goals, null);
    assert.equal(cleared.section_status.goals, 'empty');
    assert.equal(cleared.revision, 2);
    const same = await savePlaybook(w.tok.partner(), pb.id, { voice: pb.content.voice, goals: null });
    assert.equal(same.revision, 2);
    assert.equal(same.version, cleared.version);
    assert.equal((await revisionRows(pb.id)).length, 2);
  });

  it('If-Match with a stale version is a 412 and changes nothing', async () => {
    const pb = await createPlaybook(w.tok.partner());
    await savePlaybook(w.tok.partner(), pb.id, { voice: 'v2' });
    const res = await sapi('PATCH', `/v1/playbooks/${pb.id}`, { token: w.tok.partner(), body: { voice: 'v3' }, headers: { 'If-Match': '"1"' } });
    expectProblem(res, 412, 'precondition-failed');
    assert.equal((await getPlaybook(pb.id)).content.voice, 'v2');
  });

  it('mentoring, not consulting: the mentor and admin get 403 mentoring-not-consulting; nothing changes', async () => {
    const pb = await createPlaybook(w.tok.partner());
    for (const tok of [w.tok.mentor(), w.tok.admin(), w.tok.otherMentor()]) {
      const p = expectProblem(await sapi('PATCH', `/v1/playbooks/${pb.id}`, { token: tok, body: { voice: 'ghost-written' } }),
        403, 'mentoring-not-consulting');
      assert.match(p.detail, /only the partner writes their playbook/);
    }
    for (const tok of [w.tok.other(), w.tok.comms(), w.tok.viewer()]) {
      expectProblem(await sapi('PATCH', `/v1/playbooks/${pb.id}`, { token: tok, body: { voice: 'x' } }), 403, 'forbidden');
    }
    const row = await playbookRow(pb.id);
    assert.equal(row.revision, 1);
    assert.equal(row.content.voice, pb.content.voice);
  });

  it('404 for a playbook that does not exist', async () => {
    expectProblem(await sapi('PATCH', '/v1/playbooks/00000000-0000-4000-8000-000000000000', { token: w.tok.partner(), body: { voice: 'x' } }), 404, 'not-found');
  });
});

describe('revisions: list them and read any one', () => {
  let pb;
  before(async () => {
    pb = await createPlaybook(w.tok.partner());
    await savePlaybook(w.tok.partner(), pb.id, { voice: 'second' });
    await savePlaybook(w.tok.partner(), pb.id, { voice: 'third', vision: 'v' });
  });

  it('lists every save oldest first, paged', async () => {
    const { items, pages } = await listAll(`/v1/playbooks/${pb.id}/revisions?limit=2`, w.tok.mentor(), 10);
    assert.deepEqual(items.map((r) => r.revision), [1, 2, 3]);
    assert.deepEqual(pages, [2, 1]);
    assert.deepEqual(items[2].changed, ['vision', 'voice']);
  });

  it('reads one revision\'s content as saved', async () => {
    const res = expectStatus(await sapi('GET', `/v1/playbooks/${pb.id}/revisions/2`, { token: w.tok.partner() }), 200);
    assert.equal(res.body.revision, 2);
    assert.equal(res.body.content.voice, 'second');
    assert.equal(res.body.content.vision, null);
    const first = expectStatus(await sapi('GET', `/v1/playbooks/${pb.id}/revisions/1`, { token: w.tok.admin() }), 200);
    assert.equal(first.body.content.voice, pb.content.voice);
  });

  it('404 for a revision that does not exist or is not a number from 1', async () => {
    for (const n of ['4', '0', '-1', 'abc', '01', '99999999999']) {
      expectProblem(await sapi('GET', `/v1/playbooks/${pb.id}/revisions/${n}`, { token: w.tok.partner(), invalid: true }), 404, 'not-found');
    }
  });

  it('readers as for the playbook', async () => {
    expectProblem(await sapi('GET', `/v1/playbooks/${pb.id}/revisions`, { token: w.tok.other() }), 403, 'forbidden');
    expectProblem(await sapi('GET', `/v1/playbooks/${pb.id}/revisions/1`, { token: w.tok.comms() }), 403, 'forbidden');
  });
});

describe('section statuses: the partner submits, the mentor reviews', () => {
  it('partner: draft -> ready_for_review -> draft; mentor: ready_for_review -> reviewed, or back to draft', async () => {
    const pb = await createPlaybook(w.tok.partner());
    let cur = await setStatus(w.tok.partner(), pb.id, 'themes', 'ready_for_review');
    assert.equal(cur.section_status.themes, 'ready_for_review');
    assert.equal(cur.revision, 1, 'a status move is not a content revision');
    cur = await setStatus(w.tok.mentor(), pb.id, 'themes', 'draft');
    assert.equal(cur.section_status.themes, 'draft', 'sent back');
    await setStatus(w.tok.partner(), pb.id, 'themes', 'ready_for_review');
    cur = await setStatus(w.tok.mentor(), pb.id, 'themes', 'reviewed');
    assert.equal(cur.section_status.themes, 'reviewed');
    const row = await playbookRow(pb.id);
    assert.equal(row.section_status.themes, 'reviewed');
    // the same status again changes nothing
    const same = await setStatus(w.tok.mentor(), pb.id, 'themes', 'reviewed');
    assert.equal(same.version, cur.version);
  });

  it('a partner may not mark their own section reviewed (403)', async () => {
    const pb = await createPlaybook(w.tok.partner());
    const res = await sapi('PUT', `/v1/playbooks/${pb.id}/sections/voice/status`, { token: w.tok.partner(), body: { status: 'reviewed' } });
    expectProblem(res, 403, 'forbidden');
  });

  it('mentoring, not consulting: a mentor submitting for the partner, or an admin, gets 403 mentoring-not-consulting', async () => {
    const pb = await createPlaybook(w.tok.partner());
    expectProblem(await sapi('PUT', `/v1/playbooks/${pb.id}/sections/voice/status`, { token: w.tok.mentor(), body: { status: 'ready_for_review' } }),
      403, 'mentoring-not-consulting');
    expectProblem(await sapi('PUT', `/v1/playbooks/${pb.id}/sections/voice/status`, { token: w.tok.admin(), body: { status: 'ready_for_review' } }),
      403, 'mentoring-not-consulting');
    assert.equal((await playbookRow(pb.id)).section_status.voice, 'draft');
  });

  it('409: an empty section cannot move; a mentor cannot review what was not submitted', async () => {
    const pb = await createPlaybook(w.tok.partner());
    expectProblem(await sapi('PUT', `/v1/playbooks/${pb.id}/sections/vision/status`, { token: w.tok.partner(), body: { status: 'ready_for_review' } }), 409, 'conflict');
    expectProblem(await sapi('PUT', `/v1/playbooks/${pb.id}/sections/voice/status`, { token: w.tok.mentor(), body: { status: 'reviewed' } }), 409, 'conflict');
  });

  it('another mentor, another partner, comms: 403; unknown section: 404; stale If-Match: 412', async () => {
    const pb = await createPlaybook(w.tok.partner());
    for (const tok of [w.tok.otherMentor(), w.tok.other(), w.tok.comms()]) {
      expectProblem(await sapi('PUT', `/v1/playbooks/${pb.id}/sections/voice/status`, { token: tok, body: { status: 'draft' } }), 403, 'forbidden');
    }
    expectProblem(await sapi('PUT', `/v1/playbooks/${pb.id}/sections/mood/status`, { token: w.tok.partner(), body: { status: 'draft' }, invalid: true }), 404, 'not-found');
    expectProblem(await sapi('PUT', `/v1/playbooks/${pb.id}/sections/voice/status`, {
      token: w.tok.partner(), body: { status: 'ready_for_review' }, headers: { 'If-Match': '"7"' },
    }), 412, 'precondition-failed');
  });
});

describe('comments on sections', () => {
  it('the mentor, the partner and admin comment; on the revision of the time', async () => {
    const pb = await createPlaybook(w.tok.partner());
    await savePlaybook(w.tok.partner(), pb.id, { voice: 'v2' });
    const res = expectStatus(await sapi('POST', `/v1/playbooks/${pb.id}/comments`, {
      token: w.tok.mentor(), body: { section: 'themes', body: 'Golf could be your own voice; keep it.' },
    }), 201);
    assert.equal(res.body.author_id, w.M.id);
    assert.equal(res.body.author_role, 'mentor');
    assert.equal(res.body.revision, 2);
    const reply = expectStatus(await sapi('POST', `/v1/playbooks/${pb.id}/comments`, { token: w.tok.partner(), body: { section: 'themes', body: 'Thanks!' } }), 201);
    assert.equal(reply.body.author_role, 'partner');
    const adm = expectStatus(await sapi('POST', `/v1/playbooks/${pb.id}/comments`, { token: w.tok.admin(), body: { section: 'voice', body: 'Nice.' } }), 201);
    assert.equal(adm.body.author_role, 'admin');
    assert.equal(adm.body.author_id, null, 'the test admin is not a person');

    const all = expectStatus(await sapi('GET', `/v1/playbooks/${pb.id}/comments`, { token: w.tok.partner() }), 200);
    assert.deepEqual(all.body.items.map((c) => c.body), ['Golf could be your own voice; keep it.', 'Thanks!', 'Nice.']);
    const themes = expectStatus(await sapi('GET', `/v1/playbooks/${pb.id}/comments?section=themes&limit=1`, { token: w.tok.mentor() }), 200);
    assert.equal(themes.body.items.length, 1);
    assert.ok(themes.body.next_cursor);
    const next = expectStatus(await sapi('GET', `/v1/playbooks/${pb.id}/comments?section=themes&limit=1&cursor=${themes.body.next_cursor}`, { token: w.tok.mentor() }), 200);
    assert.deepEqual(next.body.items.map((c) => c.body), ['Thanks!']);
    assert.equal(next.body.next_cursor, null);
  });

  it('others may neither comment nor read comments', async () => {
    const pb = await createPlaybook(w.tok.partner());
    for (const tok of [w.tok.otherMentor(), w.tok.other(), w.tok.comms(), w.tok.viewer()]) {
      expectProblem(await sapi('POST', `/v1/playbooks/${pb.id}/comments`, { token: tok, body: { section: 'voice', body: 'x' } }), 403, 'forbidden');
      expectProblem(await sapi('GET', `/v1/playbooks/${pb.id}/comments`, { token: tok }), 403, 'forbidden');
    }
    assert.equal((await db.query('SELECT 1 FROM strategy.playbook_comment WHERE playbook_id = $1', [pb.id])).length, 0);
  });

  it('a comment on an unknown playbook is a 404', async () => {
    expectProblem(await sapi('POST', '/v1/playbooks/00000000-0000-4000-8000-000000000000/comments', { token: w.tok.admin(), body: { section: 'voice', body: 'x' } }), 404, 'not-found');
  });
});

describe('GET /v1/playbooks', () => {
  it('a partner lists their own; a mentor a partner of theirs with partner_id; admin all', async () => {
    const p = await createPartner();
    const m = await createMentor();
    await createPairing(m, p);
    const a = await createPlaybook(tokenFor(p));
    const b = await createPlaybook(tokenFor(p));
    const own = expectStatus(await sapi('GET', '/v1/playbooks', { token: tokenFor(p) }), 200);
    assert.deepEqual(own.body.items.map((x) => x.id), [a.id, b.id]);
    assert.equal(own.body.items[0].content, undefined, 'summaries carry no content');
    const mine = expectStatus(await sapi('GET', '/v1/playbooks', { token: tokenFor(m) }), 200);
    assert.deepEqual(mine.body.items, [], 'a mentor without partner_id sees their own (none)');
    const theirs = expectStatus(await sapi('GET', `/v1/playbooks?partner_id=${p.id}&limit=1`, { token: tokenFor(m) }), 200);
    assert.deepEqual(theirs.body.items.map((x) => x.id), [a.id]);
    assert.ok(theirs.body.next_cursor);
    const byProgramme = expectStatus(await sapi('GET', `/v1/playbooks?programme_id=${b.programme_id}`, { token: adminToken() }), 200);
    assert.deepEqual(byProgramme.body.items.map((x) => x.id), [b.id]);
    const all = expectStatus(await sapi('GET', `/v1/playbooks?partner_id=${p.id}`, { token: w.tok.service() }), 200);
    assert.equal(all.body.items.length, 2);
  });

  it('partner_id of someone you neither are nor mentor: 403; viewers: 403', async () => {
    expectProblem(await sapi('GET', `/v1/playbooks?partner_id=${w.P.id}`, { token: w.tok.otherMentor() }), 403, 'forbidden');
    expectProblem(await sapi('GET', `/v1/playbooks?partner_id=${w.P.id}`, { token: w.tok.other() }), 403, 'forbidden');
    expectProblem(await sapi('GET', '/v1/playbooks', { token: w.tok.viewer() }), 403, 'forbidden');
  });
});
