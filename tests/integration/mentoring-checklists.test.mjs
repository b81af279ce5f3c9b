// Activity templates, each partner's checklist, completions recorded by the
// partner alone, the mentor's verification and comments, and regularity
// against the partner's own cadence.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { etagVersion, expectProblem, expectStatus } from './lib/http.mjs';
import { ids, uniq } from './lib/fixtures.mjs';
import {
  cast,
  createCompletion,
  createItem,
  dateFromToday,
  daysFromNow,
  listAll,
  m,
  MISSING,
} from './lib/mentoring.mjs';
import * as db from './lib/db.mjs';

after(() => db.closeDb());

const w = {};
before(async () => Object.assign(w, await cast()));

const templateBody = (over = {}) => ({
  title: `Comment on three posts in your field ${uniq(3)}`,
  platform: 'linkedin',
  skill: 'engaging',
  suggested_cadence: 'weekly',
  description: 'Thoughtful comments, not likes.',
  ...over,
});

describe('activity templates', () => {
  it('the programme team manages them; others read them', async () => {
    const res = expectStatus(await m('POST', '/v1/activity-templates', { token: w.t.admin, body: templateBody({ suggested_cadence: { every_n_days: 10 } }) }), 201);
    const t = res.body;
    assert.equal(res.headers.get('location'), `/v1/activity-templates/${t.id}`);
    assert.deepEqual(t.suggested_cadence, { every_n_days: 10 });
    assert.equal(t.archived, false);
    for (const role of ['mentor', 'partner', 'service']) {
      expectStatus(await m('GET', `/v1/activity-templates/${t.id}`, { token: w.t[role] }), 200);
      expectProblem(await m('POST', '/v1/activity-templates', { token: w.t[role], body: templateBody() }), 403, 'forbidden');
      expectProblem(await m('PATCH', `/v1/activity-templates/${t.id}`, { token: w.t[role], body: { title: 'x' } }), 403, 'forbidden');
    }
    for (const role of ['viewer', 'comms']) {
      expectProblem(await m('GET', `/v1/activity-templates/${t.id}`, { token: w.t[role] }), 403, 'forbidden');
    }
    const patched = expectStatus(
      await m('PATCH', `/v1/activity-templates/${t.id}`, { token: w.t.admin, body: { suggested_cadence: 'monthly', description: null }, headers: { 'If-Match': '"1"' } }),
      200,
    );
    assert.equal(patched.body.suggested_cadence, 'monthly');
    assert.equal(patched.body.description, null);
    assert.equal(etagVersion(patched), 2);
    expectProblem(await m('PATCH', `/v1/activity-templates/${t.id}`, { token: w.t.admin, body: { title: 'y' }, headers: { 'If-Match': '"1"' } }), 412, 'precondition-failed');
    expectProblem(await m('GET', `/v1/activity-templates/${MISSING}`, { token: w.t.admin }), 404, 'not-found');
  });

  it('lists by platform and skill; archived ones only when asked', async () => {
    const platform = `plat-${uniq(3)}`;
    const a = expectStatus(await m('POST', '/v1/activity-templates', { token: w.t.admin, body: templateBody({ platform, skill: 'video' }) }), 201).body;
    const b = expectStatus(await m('POST', '/v1/activity-templates', { token: w.t.admin, body: templateBody({ platform, skill: 'writing' }) }), 201).body;
    expectStatus(await m('PATCH', `/v1/activity-templates/${b.id}`, { token: w.t.admin, body: { archived: true } }), 200);
    const list = async (qs) => ids(expectStatus(await m('GET', `/v1/activity-templates?${qs}`, { token: w.t.partner }), 200).body.items);
    assert.deepEqual(await list(`platform=${platform}`), [a.id]);
    assert.deepEqual(await list(`platform=${platform.toUpperCase()}&skill=VIDEO`), [a.id]);
    assert.deepEqual(await list(`platform=${platform}&archived=true`), [b.id]);
    const { items } = await listAll(`/v1/activity-templates?platform=${platform}&archived=false&limit=1`, w.t.mentor);
    assert.deepEqual(ids(items), [a.id]);
    expectProblem(await m('GET', '/v1/activity-templates?archived=maybe', { token: w.t.partner, invalid: true }), 400, 'validation', ['archived']);
  });

  it('validates templates, every fault at once', async () => {
    for (const [body, fields] of [
      [{}, ['title', 'platform', 'skill', 'suggested_cadence']],
      [templateBody({ suggested_cadence: 'hourly' }), ['suggested_cadence']],
      [templateBody({ suggested_cadence: { every_n_days: 0 } }), ['suggested_cadence']],
      [templateBody({ suggested_cadence: { every_n_days: 366 } }), ['suggested_cadence']],
      [templateBody({ suggested_cadence: { every_n_days: 3, times: 2 } }), ['suggested_cadence']],
      [templateBody({ suggested_cadence: null }), ['suggested_cadence']],
      [templateBody({ title: '', platform: 'p'.repeat(51), skill: 's'.repeat(101) }), ['title', 'platform', 'skill']],
      [templateBody({ id: MISSING }), ['id']],
    ]) {
      expectProblem(await m('POST', '/v1/activity-templates', { token: w.t.admin, body, invalid: true }), 400, 'validation', fields);
    }
  });
});

describe('the checklist: only the partner adds and changes items', () => {
  it('the partner adds an item of their own and one from a template', async () => {
    const c = await cast();
    const t = expectStatus(await m('POST', '/v1/activity-templates', { token: c.t.admin, body: templateBody({ suggested_cadence: 'fortnightly' }) }), 201).body;
    const own = await createItem(c.P, c.t.partner, { cadence: { every_n_days: 3 }, started_on: dateFromToday(-2) });
    assert.equal(own.partner_id, c.P.id);
    assert.equal(own.template_id, null);
    assert.deepEqual(own.cadence, { every_n_days: 3 });
    assert.equal(own.started_on, dateFromToday(-2));
    assert.equal(own.status, 'active');
    const res = expectStatus(await m('POST', `/v1/checklists/${c.P.id}/items`, { token: c.t.partner, body: { template_id: t.id, cadence: 'monthly' } }), 201);
    const fromT = res.body;
    assert.equal(res.headers.get('location'), `/v1/checklists/${c.P.id}/items/${fromT.id}`);
    assert.equal(fromT.template_id, t.id);
    assert.equal(fromT.title, t.title);
    assert.equal(fromT.platform, t.platform);
    assert.equal(fromT.description, t.description);
    assert.equal(fromT.cadence, 'monthly', 'the partner\'s own pace wins over the suggestion');
    assert.equal(fromT.started_on, dateFromToday(0));
    const plain = expectStatus(await m('POST', `/v1/checklists/${c.P.id}/items`, { token: c.t.partner, body: { template_id: t.id } }), 201).body;
    assert.equal(plain.cadence, 'fortnightly', 'the template\'s suggestion when the partner names none');
    const list = expectStatus(await m('GET', `/v1/checklists/${c.P.id}`, { token: c.t.mentor }), 200).body;
    assert.deepEqual(ids(list.items), [own.id, fromT.id, plain.id]);
  });

  it('a mentor, admin or anyone else gets 403 mentoring-not-consulting', async () => {
    const c = await cast();
    const body = { title: 'Post', platform: 'x', skill: 'writing', cadence: 'daily' };
    for (const role of ['mentor', 'admin', 'mentor2', 'partner2', 'service']) {
      expectProblem(await m('POST', `/v1/checklists/${c.P.id}/items`, { token: c.t[role], body }), 403, 'mentoring-not-consulting');
    }
    for (const role of ['viewer', 'comms']) {
      expectProblem(await m('POST', `/v1/checklists/${c.P.id}/items`, { token: c.t[role], body }), 403, 'forbidden');
    }
    const item = await createItem(c.P, c.t.partner);
    for (const role of ['mentor', 'admin']) {
      expectProblem(await m('PATCH', `/v1/checklists/${c.P.id}/items/${item.id}`, { token: c.t[role], body: { cadence: 'daily' } }), 403, 'mentoring-not-consulting');
    }
    const rows = await db.query('SELECT cadence_kind FROM mentoring.checklist_item WHERE partner_id = $1', [c.P.id]);
    assert.deepEqual(rows.map((r) => r.cadence_kind), ['weekly']);
  });

  it('refuses bad items: every fault at once; templates that do not exist or are archived (409)', async () => {
    const c = await cast();
    for (const [body, fields] of [
      [{}, ['title', 'platform', 'skill', 'cadence']],
      [{ title: 'T', platform: 'p', skill: 's', cadence: 'sometimes' }, ['cadence']],
      [{ title: 'T', platform: 'p', skill: 's', cadence: 'daily', started_on: dateFromToday(-2000) }, ['started_on']],
      [{ title: 'T', platform: 'p', skill: 's', cadence: 'daily', started_on: dateFromToday(400) }, ['started_on']],
      [{ template_id: 'nope', status: 'paused' }, ['template_id', 'status']],
    ]) {
      expectProblem(await m('POST', `/v1/checklists/${c.P.id}/items`, { token: c.t.partner, body, invalid: true }), 400, 'validation', fields);
    }
    expectProblem(await m('POST', `/v1/checklists/${c.P.id}/items`, { token: c.t.partner, body: { template_id: MISSING } }), 409, 'conflict', ['template_id']);
    const t = expectStatus(await m('POST', '/v1/activity-templates', { token: c.t.admin, body: templateBody({ archived: true }) }), 201).body;
    expectProblem(await m('POST', `/v1/checklists/${c.P.id}/items`, { token: c.t.partner, body: { template_id: t.id } }), 409, 'conflict', ['template_id']);
    assert.equal((await db.query('SELECT count(*)::int AS n FROM mentoring.checklist_item WHERE partner_id = $1', [c.P.id]))[0].n, 0);
  });

  it('holds at most 100 items (409 for the 101st)', async () => {
    const c = await cast();
    for (let i = 0; i < 100; i++) {
      expectStatus(await m('POST', `/v1/checklists/${c.P.id}/items`, {
        token: c.t.partner,
        body: { title: `Item ${i}`, platform: 'p', skill: 's', cadence: 'monthly' },
      }), 201);
    }
    expectProblem(await m('POST', `/v1/checklists/${c.P.id}/items`, { token: c.t.partner, body: { title: 'one more', platform: 'p', skill: 's', cadence: 'monthly' } }), 409, 'conflict');
    const list = expectStatus(await m('GET', `/v1/checklists/${c.P.id}`, { token: c.t.partner }), 200).body;
    assert.equal(list.items.length, 100);
  });

  it('who reads a checklist: the partner, their active mentor, admin, service', async () => {
    for (const role of ['partner', 'mentor', 'admin', 'service']) {
      expectStatus(await m('GET', `/v1/checklists/${w.P.id}`, { token: w.t[role] }), 200);
    }
    for (const role of ['mentor2', 'partner2', 'loner', 'viewer', 'comms']) {
      expectProblem(await m('GET', `/v1/checklists/${w.P.id}`, { token: w.t[role] }), 403, 'forbidden');
    }
    expectProblem(await m('GET', `/v1/checklists/${w.P.id}?weeks=0`, { token: w.t.partner, invalid: true }), 400, 'validation', ['weeks']);
    expectProblem(await m('GET', `/v1/checklists/${w.P.id}?weeks=105`, { token: w.t.partner, invalid: true }), 400, 'validation', ['weeks']);
    expectProblem(await m('GET', '/v1/checklists/not-a-uuid', { token: w.t.partner, invalid: true }), 404, 'not-found');
  });
});

describe('completions: partners record their own activities', () => {
  it('the partner records one; a mentor or admin gets 403 partners-record-their-own-activities', async () => {
    const c = await cast();
    const item = await createItem(c.P, c.t.partner, { started_on: dateFromToday(-3) });
    const path = `/v1/checklists/${c.P.id}/items/${item.id}/completions`;
    const body = { done_at: daysFromNow(-1), evidence_url: 'https://www.linkedin.com/posts/me-123', reflection: 'Harder than it looks.' };
    for (const role of ['mentor', 'admin', 'mentor2', 'partner2', 'service']) {
      const p = expectProblem(await m('POST', path, { token: c.t[role], body }), 403, 'partners-record-their-own-activities');
      assert.match(p.detail, /partners record their own activities/);
    }
    for (const role of ['viewer', 'comms']) expectProblem(await m('POST', path, { token: c.t[role], body }), 403, 'forbidden');
    assert.equal((await db.query('SELECT count(*)::int AS n FROM mentoring.completion WHERE item_id = $1', [item.id]))[0].n, 0);

    const res = expectStatus(await m('POST', path, { token: c.t.partner, body }), 201);
    const done = res.body;
    assert.equal(res.headers.get('location'), `/v1/checklists/${c.P.id}/completions/${done.id}`);
    assert.equal(done.partner_id, c.P.id);
    assert.equal(done.item_id, item.id);
    assert.equal(Date.parse(done.done_at), Date.parse(body.done_at));
    assert.equal(done.evidence_url, body.evidence_url);
    assert.equal(done.verified, false);
    assert.deepEqual(done.comments, []);

    const cp = `/v1/checklists/${c.P.id}/completions/${done.id}`;
    for (const role of ['mentor', 'admin']) {
      expectProblem(await m('PATCH', cp, { token: c.t[role], body: { reflection: 'better' } }), 403, 'partners-record-their-own-activities');
      expectProblem(await m('DELETE', cp, { token: c.t[role] }), 403, 'partners-record-their-own-activities');
    }
    expectStatus(await m('GET', cp, { token: c.t.mentor }), 200);
  });

  it('refuses bad completions: future, before the item started, bad links; all at once', async () => {
    const c = await cast();
    const item = await createItem(c.P, c.t.partner, { started_on: dateFromToday(-3) });
    const path = `/v1/checklists/${c.P.id}/items/${item.id}/completions`;
    for (const [body, fields] of [
      [{}, ['done_at']],
      [{ done_at: daysFromNow(1) }, ['done_at']],
      [{ done_at: daysFromNow(-1), evidence_url: 'ftp://example.com/x' }, ['evidence_url']],
      [{ done_at: daysFromNow(-1), evidence_url: 'https://' }, ['evidence_url']],
      [{ done_at: daysFromNow(-1), evidence_url: 'https://exa mple.com/' }, ['evidence_url']],
      [{ done_at: 'yesterday', evidence_url: 'not a link', reflection: 'r'.repeat(4001) }, ['done_at', 'evidence_url', 'reflection']],
      [{ done_at: daysFromNow(-1), verified: true }, ['verified']],
    ]) {
      expectProblem(await m('POST', path, { token: c.t.partner, body, invalid: true }), 400, 'validation', fields);
    }
    expectProblem(await m('POST', path, { token: c.t.partner, body: { done_at: daysFromNow(-5) } }), 400, 'validation', ['done_at']);
    const other = await createItem(c.P2, c.t.partner2);
    expectProblem(await m('POST', `/v1/checklists/${c.P.id}/items/${other.id}/completions`, { token: c.t.partner, body: { done_at: daysFromNow(0) } }), 404, 'not-found');
    assert.equal((await db.query('SELECT count(*)::int AS n FROM mentoring.completion WHERE partner_id = $1', [c.P.id]))[0].n, 0);
  });

  it('the partner edits and deletes their own; new evidence clears a verification', async () => {
    const c = await cast();
    const item = await createItem(c.P, c.t.partner, { started_on: dateFromToday(-3) });
    const done = await createCompletion(c.P, item, c.t.partner, { evidence_url: 'https://example.com/a' });
    const cp = `/v1/checklists/${c.P.id}/completions/${done.id}`;
    expectStatus(await m('PUT', `${cp}/verification`, { token: c.t.mentor }), 200);
    const same = expectStatus(await m('PATCH', cp, { token: c.t.partner, body: { reflection: 'It worked.' } }), 200).body;
    assert.equal(same.verified, true, 'a reflection does not clear it');
    const moved = expectStatus(await m('PATCH', cp, { token: c.t.partner, body: { evidence_url: 'https://example.com/b' }, headers: { 'If-Match': `"${same.version}"` } }), 200).body;
    assert.equal(moved.verified, false);
    assert.equal(moved.verified_by, null);
    expectProblem(await m('PATCH', cp, { token: c.t.partner, body: {}, invalid: true }), 400, 'validation', ['body']);
    expectProblem(await m('DELETE', cp, { token: c.t.partner, headers: { 'If-Match': '"1"' } }), 412, 'precondition-failed');
    expectStatus(await m('DELETE', cp, { token: c.t.partner }), 204);
    expectProblem(await m('GET', cp, { token: c.t.partner }), 404, 'not-found');
  });
});

describe('the mentor verifies and comments', () => {
  it('the active mentor verifies (with or without a note) and withdraws; nobody else does', async () => {
    const c = await cast();
    const item = await createItem(c.P, c.t.partner, { started_on: dateFromToday(-3) });
    const done = await createCompletion(c.P, item, c.t.partner);
    const vp = `/v1/checklists/${c.P.id}/completions/${done.id}/verification`;
    for (const role of ['partner', 'admin', 'mentor2', 'service']) {
      expectProblem(await m('PUT', vp, { token: c.t[role], body: { note: 'looks right' } }), 403, 'forbidden');
    }
    const v = expectStatus(await m('PUT', vp, { token: c.t.mentor, body: { note: 'Saw the post: strong opening.' } }), 200).body;
    assert.equal(v.verified, true);
    assert.equal(v.verified_by, c.M.id);
    assert.equal(v.verification_note, 'Saw the post: strong opening.');
    const again = expectStatus(await m('PUT', vp, { token: c.t.mentor }), 200).body;
    assert.equal(again.verification_note, null);
    expectProblem(await m('PUT', vp, { token: c.t.mentor, body: { note: '' }, invalid: true }), 400, 'validation', ['note']);
    expectProblem(await m('DELETE', vp, { token: c.t.partner }), 403, 'forbidden');
    const off = expectStatus(await m('DELETE', vp, { token: c.t.mentor }), 200).body;
    assert.equal(off.verified, false);
    expectProblem(await m('PUT', `/v1/checklists/${c.P.id}/completions/${MISSING}/verification`, { token: c.t.mentor }), 404, 'not-found');
  });

  it('the partner and their mentor comment; others may not', async () => {
    const c = await cast();
    const item = await createItem(c.P, c.t.partner, { started_on: dateFromToday(-3) });
    const done = await createCompletion(c.P, item, c.t.partner);
    const cp = `/v1/checklists/${c.P.id}/completions/${done.id}`;
    const a = expectStatus(await m('POST', `${cp}/comments`, { token: c.t.mentor, body: { text: 'I tried the same hook last week.' } }), 201).body;
    assert.equal(a.author_id, c.M.id);
    expectStatus(await m('POST', `${cp}/comments`, { token: c.t.partner, body: { text: 'Did it work for you?' } }), 201);
    for (const role of ['admin', 'mentor2', 'service', 'viewer']) {
      expectProblem(await m('POST', `${cp}/comments`, { token: c.t[role], body: { text: 'hello' } }), 403, 'forbidden');
    }
    expectProblem(await m('POST', `${cp}/comments`, { token: c.t.partner, body: { text: '' }, invalid: true }), 400, 'validation', ['text']);
    const got = expectStatus(await m('GET', cp, { token: c.t.partner }), 200).body;
    assert.deepEqual(got.comments.map((x) => x.text), ['I tried the same hook last week.', 'Did it work for you?']);
  });

  it('lists a partner\'s completions with filters, to those who may read them', async () => {
    const c = await cast();
    const a = await createItem(c.P, c.t.partner, { started_on: dateFromToday(-10) });
    const b = await createItem(c.P, c.t.partner, { started_on: dateFromToday(-10) });
    const x = await createCompletion(c.P, a, c.t.partner, { done_at: daysFromNow(-8) });
    const y = await createCompletion(c.P, b, c.t.partner, { done_at: daysFromNow(-4) });
    const z = await createCompletion(c.P, a, c.t.partner, { done_at: daysFromNow(-1) });
    expectStatus(await m('PUT', `/v1/checklists/${c.P.id}/completions/${y.id}/verification`, { token: c.t.mentor }), 200);
    const list = async (qs, tok = c.t.mentor) =>
      ids(expectStatus(await m('GET', `/v1/checklists/${c.P.id}/completions?${qs}`, { token: tok }), 200).body.items);
    assert.deepEqual(await list(''), [x.id, y.id, z.id]);
    assert.deepEqual(await list(`item_id=${a.id}`), [x.id, z.id]);
    assert.deepEqual(await list('verified=true'), [y.id]);
    assert.deepEqual(await list(`from=${encodeURIComponent(daysFromNow(-5))}&to=${encodeURIComponent(daysFromNow(-2))}`), [y.id]);
    assert.deepEqual(await list('limit=500', c.t.service), [x.id, y.id, z.id]);
    for (const role of ['mentor2', 'partner2', 'viewer']) {
      expectProblem(await m('GET', `/v1/checklists/${c.P.id}/completions`, { token: c.t[role] }), 403, 'forbidden');
    }
    expectProblem(await m('GET', `/v1/checklists/${c.P.id}/completions?item_id=1&verified=no`, { token: c.t.partner, invalid: true }), 400, 'validation', ['item_id', 'verified']);
  });
});

describe('regularity against the partner\'s own cadence', () => {
  it('weekly: windows met and missed, the streak, last activity and the rate', async () => {
    const c = await cast();
    const item = await createItem(c.P, c.t.partner, { cadence: 'weekly', started_on: dateFromToday(-27) });
    for (const d of [-26, -19, -5]) {
      await createCompletion(c.P, item, c.t.partner, { done_at: `${dateFromToday(d)}T12:00:00Z` });
    }
    const list = expectStatus(await m('GET', `/v1/checklists/${c.P.id}?weeks=4`, { token: c.t.mentor }), 200).body;
    const r = list.items[0].regularity;
    assert.equal(r.weeks, 4);
    assert.equal(r.windows_met, 3);
    assert.equal(r.windows_missed, 1);
    assert.equal(r.windows_excused, 0);
    assert.equal(r.current_streak, 1);
    assert.equal(r.longest_streak, 2);
    assert.deepEqual(r.current_window, { start: dateFromToday(-6), end: dateFromToday(1), completions: 1, state: 'met' });
    assert.equal(Date.parse(r.last_activity_at), Date.parse(`${dateFromToday(-5)}T12:00:00Z`));
    assert.equal(r.completions_total, 3);
    assert.equal(r.completions_in_weeks, 3);
    assert.equal(r.rate_per_week, 0.75);
    assert.deepEqual(r.recent_windows.map((x) => x.state), ['met', 'met', 'missed', 'met']);
    assert.equal(list.regularity.windows_met, 3);
    assert.equal(list.regularity.windows_missed, 1);
    assert.equal(list.regularity.on_cadence_ratio, 0.75);
    assert.equal(list.regularity.items_active, 1);
    assert.equal(list.regularity.rate_per_week, 0.75);

    const one = expectStatus(await m('GET', `/v1/checklists/${c.P.id}/items/${item.id}?weeks=2&windows=2`, { token: c.t.partner }), 200);
    assert.equal(etagVersion(one), 1);
    assert.equal(one.body.regularity.recent_windows.length, 2);
    assert.equal(one.body.regularity.completions_in_weeks, 1);
    assert.equal(one.body.regularity.rate_per_week, 0.5);
    expectProblem(await m('GET', `/v1/checklists/${c.P.id}/items/${item.id}?windows=401`, { token: c.t.partner, invalid: true }), 400, 'validation', ['windows']);
    expectProblem(await m('GET', `/v1/checklists/${c.P2.id}/items/${item.id}`, { token: c.t.admin }), 404, 'not-found');
  });

  it('a pause excuses the window it covers; resuming the same day leaves no trace', async () => {
    const c = await cast();
    const item = await createItem(c.P, c.t.partner, { cadence: 'daily', started_on: dateFromToday(-6) });
    await createCompletion(c.P, item, c.t.partner, { done_at: `${dateFromToday(-6)}T09:00:00Z` });
    await createCompletion(c.P, item, c.t.partner, { done_at: `${dateFromToday(-5)}T09:00:00Z` });
    const ip = `/v1/checklists/${c.P.id}/items/${item.id}`;
    const paused = expectStatus(await m('PATCH', ip, { token: c.t.partner, body: { status: 'paused' } }), 200).body;
    assert.equal(paused.status, 'paused');
    assert.deepEqual(paused.pauses, [{ from: dateFromToday(0), to: null }]);
    let r = expectStatus(await m('GET', ip, { token: c.t.partner }), 200).body.regularity;
    assert.equal(r.windows_met, 2);
    assert.equal(r.windows_missed, 4);
    assert.equal(r.windows_excused, 1);
    assert.equal(r.current_window.state, 'excused');
    const list = expectStatus(await m('GET', `/v1/checklists/${c.P.id}`, { token: c.t.partner }), 200).body;
    assert.equal(list.regularity.items_paused, 1);
    const resumed = expectStatus(await m('PATCH', ip, { token: c.t.partner, body: { status: 'active' } }), 200).body;
    assert.deepEqual(resumed.pauses, []);
    r = expectStatus(await m('GET', ip, { token: c.t.partner }), 200).body.regularity;
    assert.equal(r.current_window.state, 'open');
    assert.equal(r.windows_excused, 0);
  });

  it('the partner changes their own pace: a new cadence re-reads the history', async () => {
    const c = await cast();
    const item = await createItem(c.P, c.t.partner, { cadence: 'daily', started_on: dateFromToday(-13) });
    await createCompletion(c.P, item, c.t.partner, { done_at: `${dateFromToday(-12)}T09:00:00Z` });
    await createCompletion(c.P, item, c.t.partner, { done_at: `${dateFromToday(-2)}T09:00:00Z` });
    const ip = `/v1/checklists/${c.P.id}/items/${item.id}`;
    const before_ = expectStatus(await m('GET', ip, { token: c.t.partner }), 200).body.regularity;
    assert.equal(before_.windows_missed, 11);
    expectStatus(await m('PATCH', ip, { token: c.t.partner, body: { cadence: 'fortnightly' } }), 200);
    const after_ = expectStatus(await m('GET', ip, { token: c.t.partner }), 200).body.regularity;
    assert.equal(after_.windows_missed, 0);
    assert.equal(after_.windows_met, 1);
    assert.equal(after_.current_streak, 1);
  });
});
