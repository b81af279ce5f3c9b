// Every write has its event (issue 12): for each write that is not covered by
// events.test.mjs, the event appears in its service's GET /v1/events with the
// right type, subject, person and data, and carries no private text (notes,
// comments, reflections, learnings, titles); a write refused after it began
// (a conflict, a stale If-Match, a fault found inside the transaction) leaves
// no event. Over real HTTP against the real services.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectProblem, expectStatus, requireEnv } from './lib/http.mjs';
import {
  adminToken, createMentor, createPairing, createPartner, serviceToken, tokenFor, uniq,
} from './lib/fixtures.mjs';
import {
  cast, createCompletion, createItem, createSession, holdSession, m,
} from './lib/mentoring.mjs';
import {
  cast as strategyCast, createDraft, createPlaybook, playbookBody, programme, publish, sapi,
} from './lib/strategy.mjs';

const SCIM_TOKEN = requireEnv('TANDEM_TEST_SCIM_TOKEN');

// The feed's end now: the cursor after the last event visible. (Each page is
// contract-checked, which is slow for 1,000 events: start from the last end.)
const ends = new Map();
async function mark(service) {
  let cursor = ends.get(service) ?? null;
  for (let i = 0; i < 100; i++) {
    const q = new URLSearchParams({ limit: '1000' });
    if (cursor) q.set('after', cursor);
    const res = expectStatus(
      await api('GET', `/v1/events?${q}`, { service, token: serviceToken() }), 200,
    );
    cursor = res.body.next_cursor;
    if (!res.body.more) {
      ends.set(service, cursor);
      return cursor;
    }
  }
  throw new Error(`${service}: the feed did not end in 100 pages`);
}

// Reads @service's feed after @cursor (long polls of 1 s) until @done(events)
// holds or 10 s pass; returns every event read.
async function readUntil(service, cursor, done) {
  const events = [];
  const t0 = Date.now();
  for (let i = 0; i < 200 && Date.now() - t0 < 10000; i++) {
    const q = new URLSearchParams({ limit: '1000', wait: '1' });
    if (cursor) q.set('after', cursor);
    const res = expectStatus(
      await api('GET', `/v1/events?${q}`, { service, token: serviceToken(), timeoutMs: 5000 }), 200,
    );
    events.push(...res.body.items);
    cursor = res.body.next_cursor;
    if (done(events) && !res.body.more) break;
  }
  return events;
}

// The events of @type about @subject after @cursor; waits for @n of them.
async function eventsOf(service, cursor, type, subject, n = 1) {
  const pick = (all) => all.filter((e) => e.type === type && e.subject === subject);
  const found = pick(await readUntil(service, cursor, (all) => pick(all).length >= n));
  assert.equal(found.length, n, `${n} ${type} event(s) about ${subject}`);
  return found;
}

// The one event of @type about @subject after @cursor, checked against the envelope.
async function theEvent(service, cursor, type, subject, { person, secrets = [] } = {}) {
  const [e] = await eventsOf(service, cursor, type, subject);
  assert.equal(e.specversion, '1.0');
  assert.equal(e.source, `/tandem/${service}`);
  assert.ok(e.actor, 'an actor');
  if (person !== undefined) assert.equal(e.personid, person);
  for (const s of secrets) {
    assert.equal(JSON.stringify(e).includes(s), false, `the event carries no private text (${s})`);
  }
  return e;
}

// The events after @cursor up to and including a later write's on the same
// service (@marker, returning the type and subject of its own event): that
// write shows the feed has passed the point where an earlier event would be.
async function upToMarker(service, cursor, marker) {
  const [mtype, msubject] = await marker();
  const is = (e) => e.type === mtype && e.subject === msubject;
  const all = await readUntil(service, cursor, (evs) => evs.some(is));
  assert.ok(all.some(is), 'the marker event arrived');
  return all;
}

// Asserts @n events of @type about @subject after @cursor, none more (see upToMarker).
async function exactly(n, service, cursor, type, subject, marker) {
  const all = await upToMarker(service, cursor, marker);
  assert.equal(all.filter((e) => e.type === type && e.subject === subject).length, n,
    `${n} ${type} about ${subject}`);
}

const secret = (what) => `${what}-${uniq()}-private`;

// ---- mentoring --------------------------------------------------------------

describe('mentoring: completions, verifications, comments', () => {
  let w;
  before(async () => { w = await cast(); });

  // A marker write on mentoring: an item created on the partner's checklist.
  const itemMarker = async () => {
    const item = await createItem(w.P, w.t.partner);
    return ['tandem.mentoring.checklist_item.created', item.id];
  };

  it('PATCH: completion.updated with the fields changed, never the reflection', async () => {
    const item = await createItem(w.P, w.t.partner);
    const c = await createCompletion(w.P, item, w.t.partner);
    const words = secret('reflection');
    const cur = await mark('mentoring');
    const res = expectStatus(await m('PATCH', `/v1/checklists/${w.P.id}/completions/${c.id}`, {
      token: w.t.partner, body: { reflection: words }, headers: { 'If-Match': `"${c.version}"` },
    }), 200);
    const e = await theEvent('mentoring', cur, 'tandem.mentoring.completion.updated', c.id,
      { person: w.P.id, secrets: [words] });
    assert.equal(e.resourceversion, res.body.version);
    assert.equal(e.data.item_id, item.id);
    assert.equal(e.data.partner_id, w.P.id);
    assert.equal(e.data.verified, false);
    assert.deepEqual(e.data.changed, ['reflection']);
  });

  it('a PATCH with a stale If-Match (412) leaves no event', async () => {
    const item = await createItem(w.P, w.t.partner);
    const c = await createCompletion(w.P, item, w.t.partner);
    const cur = await mark('mentoring');
    expectProblem(await m('PATCH', `/v1/checklists/${w.P.id}/completions/${c.id}`, {
      token: w.t.partner, body: { reflection: 'x' }, headers: { 'If-Match': '"99"' },
    }), 412, 'precondition-failed');
    await exactly(0, 'mentoring', cur, 'tandem.mentoring.completion.updated', c.id, itemMarker);
  });

  it('verified and unverified by the mentor: events without the note; verified carries who', async () => {
    const item = await createItem(w.P, w.t.partner);
    const c = await createCompletion(w.P, item, w.t.partner);
    const note = secret('note');
    const path = `/v1/checklists/${w.P.id}/completions/${c.id}/verification`;
    const cur = await mark('mentoring');
    expectStatus(await m('PUT', path, { token: w.t.mentor, body: { note } }), 200);
    const v = await theEvent('mentoring', cur, 'tandem.mentoring.completion.verified', c.id,
      { person: w.P.id, secrets: [note] });
    assert.equal(v.data.verified, true);
    assert.equal(v.data.verified_by, w.M.id);
    assert.equal(v.data.item_id, item.id);
    assert.equal(v.actor, w.M.id);
    expectStatus(await m('DELETE', path, { token: w.t.mentor }), 200);
    const u = await theEvent('mentoring', cur, 'tandem.mentoring.completion.unverified', c.id,
      { person: w.P.id });
    assert.equal(u.data.verified, false);
    assert.ok(u.resourceversion > v.resourceversion);
  });

  it('a verification refused inside its transaction (stale If-Match) leaves no event', async () => {
    const item = await createItem(w.P, w.t.partner);
    const c = await createCompletion(w.P, item, w.t.partner);
    const cur = await mark('mentoring');
    expectProblem(await m('PUT', `/v1/checklists/${w.P.id}/completions/${c.id}/verification`, {
      token: w.t.mentor, body: {}, headers: { 'If-Match': '"42"' },
    }), 412, 'precondition-failed');
    await exactly(0, 'mentoring', cur, 'tandem.mentoring.completion.verified', c.id, itemMarker);
  });

  it('a comment: completion.commented says who commented, never what', async () => {
    const item = await createItem(w.P, w.t.partner);
    const c = await createCompletion(w.P, item, w.t.partner);
    const text = secret('comment');
    const cur = await mark('mentoring');
    const res = expectStatus(await m('POST', `/v1/checklists/${w.P.id}/completions/${c.id}/comments`, {
      token: w.t.mentor, body: { text },
    }), 201);
    const e = await theEvent('mentoring', cur, 'tandem.mentoring.completion.commented', c.id,
      { person: w.P.id, secrets: [text] });
    assert.deepEqual(e.data, {
      partner_id: w.P.id, completion_id: c.id, comment_id: res.body.id, author_id: w.M.id,
    });
  });

  it('DELETE: completion.deleted names the item; a second DELETE (404) adds nothing', async () => {
    const item = await createItem(w.P, w.t.partner);
    const c = await createCompletion(w.P, item, w.t.partner, { reflection: secret('gone') });
    const path = `/v1/checklists/${w.P.id}/completions/${c.id}`;
    const cur = await mark('mentoring');
    expectStatus(await m('DELETE', path, { token: w.t.partner }), 204);
    const e = await theEvent('mentoring', cur, 'tandem.mentoring.completion.deleted', c.id,
      { person: w.P.id, secrets: [c.reflection] });
    assert.deepEqual(e.data, { item_id: item.id, partner_id: w.P.id });
    expectProblem(await m('DELETE', path, { token: w.t.partner }), 404, 'not-found');
    await exactly(1, 'mentoring', cur, 'tandem.mentoring.completion.deleted', c.id, async () => {
      const other = await createItem(w.P, w.t.partner);
      return ['tandem.mentoring.checklist_item.created', other.id];
    });
  });
});

describe('mentoring: learnings, activity templates, guidelines', () => {
  let w;
  before(async () => { w = await cast(); });

  const templateMarker = async () => {
    const t = expectStatus(await m('POST', '/v1/activity-templates', {
      token: w.t.admin,
      body: { title: `Marker ${uniq()}`, platform: 'linkedin', skill: 'writing', suggested_cadence: 'weekly' },
    }), 201).body;
    return ['tandem.mentoring.activity_template.created', t.id];
  };

  it('a learning created, changed and deleted: its events name the author and kind, never the text', async () => {
    const text = secret('learning');
    const cur = await mark('mentoring');
    const l = expectStatus(await m('POST', '/v1/learnings', {
      token: w.t.partner, body: { kind: 'failure', text, visibility: 'private', platform: 'x' },
    }), 201).body;
    const c = await theEvent('mentoring', cur, 'tandem.mentoring.learning.created', l.id,
      { person: w.P.id, secrets: [text] });
    assert.deepEqual(c.data, { author_id: w.P.id, author_role: 'partner', pairing_id: null, kind: 'failure', visibility: 'private' });
    const text2 = secret('learning2');
    expectStatus(await m('PATCH', `/v1/learnings/${l.id}`, {
      token: w.t.partner, body: { text: text2, visibility: 'library' },
    }), 200);
    const u = await theEvent('mentoring', cur, 'tandem.mentoring.learning.updated', l.id,
      { person: w.P.id, secrets: [text, text2] });
    assert.equal(u.data.visibility, 'library');
    assert.deepEqual(u.data.changed.sort(), ['text', 'visibility']);
    expectStatus(await m('DELETE', `/v1/learnings/${l.id}`, { token: w.t.partner }), 204);
    const d = await theEvent('mentoring', cur, 'tandem.mentoring.learning.deleted', l.id,
      { person: w.P.id, secrets: [text, text2] });
    assert.equal(d.data.author_id, w.P.id);
    assert.equal(d.data.kind, 'failure');
  });

  it('a learning PATCH refused inside the transaction (no pairing to share with) leaves no event', async () => {
    const l = expectStatus(await m('POST', '/v1/learnings', {
      token: w.t.partner, body: { kind: 'insight', text: 'solo', visibility: 'private' },
    }), 201).body;
    const cur = await mark('mentoring');
    expectProblem(await m('PATCH', `/v1/learnings/${l.id}`, {
      token: w.t.partner, body: { text: 'changed', visibility: 'pairing' },
    }), 400, 'validation', ['visibility']);
    await exactly(0, 'mentoring', cur, 'tandem.mentoring.learning.updated', l.id, templateMarker);
    const still = expectStatus(await m('GET', `/v1/learnings/${l.id}`, { token: w.t.partner }), 200).body;
    assert.equal(still.text, 'solo', 'nothing was written');
  });

  it('activity templates: created and updated (archived), without the description', async () => {
    const description = secret('description');
    const cur = await mark('mentoring');
    const t = expectStatus(await m('POST', '/v1/activity-templates', {
      token: w.t.admin,
      body: { title: `Template ${uniq()}`, platform: 'linkedin', skill: 'engaging', suggested_cadence: 'weekly', description },
    }), 201).body;
    const c = await theEvent('mentoring', cur, 'tandem.mentoring.activity_template.created', t.id,
      { secrets: [description] });
    assert.equal(c.personid, undefined, 'a template concerns nobody in particular');
    assert.deepEqual(c.data, { archived: false });
    expectStatus(await m('PATCH', `/v1/activity-templates/${t.id}`, {
      token: w.t.admin, body: { archived: true }, headers: { 'If-Match': `"${t.version}"` },
    }), 200);
    const u = await theEvent('mentoring', cur, 'tandem.mentoring.activity_template.updated', t.id);
    assert.deepEqual(u.data, { archived: true, changed: ['archived'] });
    assert.equal(u.resourceversion, t.version + 1);
    expectProblem(await m('PATCH', `/v1/activity-templates/${t.id}`, {
      token: w.t.admin, body: { archived: false }, headers: { 'If-Match': `"${t.version}"` },
    }), 412, 'precondition-failed');
    await exactly(1, 'mentoring', cur, 'tandem.mentoring.activity_template.updated', t.id, templateMarker);
  });

  it('guidelines: a new version is guidelines.versioned with its number; a stale one adds none', async () => {
    const g = expectStatus(await m('GET', '/v1/guidelines', { token: w.t.admin }), 200).body;
    const note = secret('why');
    const cur = await mark('mentoring');
    const items = g.items.map(({ key, title, description }) => ({ key, title, description }));
    const res = expectStatus(await m('PUT', '/v1/guidelines', {
      token: w.t.admin, body: { items, note }, headers: { 'If-Match': `"${g.version}"` },
    }), 200).body;
    const e = await theEvent('mentoring', cur, 'tandem.mentoring.guidelines.versioned', String(res.version),
      { secrets: [note] });
    assert.deepEqual(e.data, { version: res.version });
    expectProblem(await m('PUT', '/v1/guidelines', {
      token: w.t.admin, body: { items, note }, headers: { 'If-Match': `"${g.version}"` },
    }), 412, 'precondition-failed');
    const all = await upToMarker('mentoring', cur, templateMarker);
    assert.equal(all.filter((x) => x.type === 'tandem.mentoring.guidelines.versioned').length, 1);
  });
});

describe('mentoring: session actions and sign-off revocation', () => {
  let w;
  before(async () => { w = await cast(); });

  it('an action agreed and marked done: session_action events for the partner, never the title', async () => {
    const s = await holdSession(await createSession(w.MP, w.t.mentor), w.t.mentor);
    const title = secret('action');
    const cur = await mark('mentoring');
    const a = expectStatus(await m('POST', `/v1/sessions/${s.id}/actions`, {
      token: w.t.mentor, body: { title, due_on: new Date(Date.now() + 7 * 86400e3).toISOString().slice(0, 10) },
    }), 201).body;
    const c = await theEvent('mentoring', cur, 'tandem.mentoring.session_action.created', a.id,
      { person: w.P.id, secrets: [title] });
    assert.deepEqual(c.data, { session_id: s.id, owner_id: w.P.id, status: 'open' });
    expectStatus(await m('PATCH', `/v1/sessions/${s.id}/actions/${a.id}`, {
      token: w.t.partner, body: { status: 'done' },
    }), 200);
    const u = await theEvent('mentoring', cur, 'tandem.mentoring.session_action.updated', a.id,
      { person: w.P.id, secrets: [title] });
    assert.deepEqual(u.data, { session_id: s.id, owner_id: w.P.id, status: 'done', changed: ['status'] });
  });

  it('an action on a session not held (409, refused after the lock) leaves no event', async () => {
    const s = await createSession(w.MP, w.t.mentor, { scheduled_at: new Date(Date.now() + 86400e3).toISOString() });
    const cur = await mark('mentoring');
    expectProblem(await m('POST', `/v1/sessions/${s.id}/actions`, {
      token: w.t.mentor, body: { title: 'x', due_on: '2030-01-01' },
    }), 409, 'conflict');
    const all = await upToMarker('mentoring', cur, async () => {
      const item = await createItem(w.P, w.t.partner);
      return ['tandem.mentoring.checklist_item.created', item.id];
    });
    assert.deepEqual(all.filter((e) => e.type === 'tandem.mentoring.session_action.created'
      && e.data.session_id === s.id), []);
  });

  it('a sign-off revoked: signoff.revoked with current false; revoking again (409) adds none', async () => {
    const so = expectStatus(await m('POST', '/v1/signoffs', {
      token: w.t.mentor, body: { partner_id: w.P.id, note: secret('ready') },
    }), 201).body;
    const cur = await mark('mentoring');
    expectStatus(await m('DELETE', `/v1/signoffs/${so.id}`, { token: w.t.mentor }), 204);
    const e = await theEvent('mentoring', cur, 'tandem.mentoring.signoff.revoked', so.id,
      { person: w.P.id, secrets: [so.note] });
    assert.deepEqual(e.data, { partner_id: w.P.id, mentor_id: w.M.id, current: false });
    assert.equal(e.resourceversion, so.version + 1);
    expectProblem(await m('DELETE', `/v1/signoffs/${so.id}`, { token: w.t.mentor }), 409, 'conflict');
    await exactly(1, 'mentoring', cur, 'tandem.mentoring.signoff.revoked', so.id, async () => {
      const item = await createItem(w.P, w.t.partner);
      return ['tandem.mentoring.checklist_item.created', item.id];
    });
  });
});

// ---- strategy ---------------------------------------------------------------

describe('strategy: playbook comments and the business strategy', () => {
  let w;
  before(async () => { w = await strategyCast(); });

  it('a playbook comment: playbook.commented names the section and author, never the body', async () => {
    const pb = await createPlaybook(w.tok.partner(), playbookBody(programme()));
    const body = secret('comment');
    const cur = await mark('strategy');
    const c = expectStatus(await sapi('POST', `/v1/playbooks/${pb.id}/comments`, {
      token: w.tok.mentor(), body: { section: 'themes', body },
    }), 201).body;
    const e = await theEvent('strategy', cur, 'tandem.strategy.playbook.commented', pb.id,
      { person: w.P.id, secrets: [body] });
    assert.deepEqual(e.data, {
      partner_id: w.P.id, playbook_id: pb.id, comment_id: c.id, author_id: w.M.id,
      author_role: 'mentor', section: 'themes',
    });
  });

  it('a draft changed and published: business_strategy.updated (fields, not words) and .published', async () => {
    const v = await createDraft(w.tok.comms());
    const title = secret('title');
    const cur = await mark('strategy');
    expectStatus(await sapi('PATCH', `/v1/business-strategy/versions/${v.id}`, {
      token: w.tok.comms(), body: { title }, headers: { 'If-Match': `"${v.version}"` },
    }), 200);
    const u = await theEvent('strategy', cur, 'tandem.strategy.business_strategy.updated', v.id,
      { secrets: [title] });
    assert.deepEqual(u.data, { status: 'draft', current: false, changed: ['title'] });
    const p = await publish(w.tok.comms(), v);
    const e = await theEvent('strategy', cur, 'tandem.strategy.business_strategy.published', v.id);
    assert.deepEqual(e.data, { status: 'published', current: true });
    assert.equal(e.resourceversion, p.version);
    assert.equal(e.actor, w.C.id);

    // a published version never changes: the 409 comes from inside the transaction
    expectProblem(await sapi('PATCH', `/v1/business-strategy/versions/${v.id}`, {
      token: w.tok.comms(), body: { title: 'again' },
    }), 409, 'conflict');
    await exactly(1, 'strategy', cur, 'tandem.strategy.business_strategy.updated', v.id, async () => {
      const d = await createDraft(w.tok.comms());
      return ['tandem.strategy.business_strategy.created', d.id];
    });
  });
});

// ---- people -----------------------------------------------------------------

describe('people: pairings ended by leaving, deprovisioning and erasure each have their event', () => {
  const scim = (method, path, body) => api(method, path, {
    service: 'scim', token: SCIM_TOKEN, body,
    ...(body !== undefined ? { contentType: 'application/scim+json' } : {}),
  });

  async function endedBy(act, cause) {
    const partner = await createPartner();
    const mentor = await createMentor();
    const pairing = await createPairing(mentor, partner);
    const cur = await mark('people');
    await act(partner, mentor);
    const e = await theEvent('people', cur, 'tandem.people.pairing.ended', pairing.id, { person: partner.id });
    assert.deepEqual(e.data, { mentor_id: mentor.id, partner_id: partner.id, status: 'cancelled', cause });
    assert.equal(e.resourceversion, pairing.version + 1);
    return e;
  }

  it('an admin sets the partner left: pairing.ended, cause left', async () => {
    await endedBy(async (partner) => {
      expectStatus(await api('PATCH', `/v1/people/${partner.id}`, {
        token: adminToken(), body: { status: 'left' },
      }), 200);
    }, 'left');
  });

  it('SCIM deletes the mentor: pairing.ended, cause deprovisioned', async () => {
    await endedBy(async (_p, mentor) => {
      expectStatus(await scim('DELETE', `/scim/v2/Users/${mentor.id}`), 204);
    }, 'deprovisioned');
  });

  it('SCIM deactivates the partner (active false): pairing.ended, cause deprovisioned', async () => {
    await endedBy(async (partner) => {
      expectStatus(await scim('PATCH', `/scim/v2/Users/${partner.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', value: { active: false } }],
      }), 200);
    }, 'deprovisioned');
  });

  it('erasure: pairing.ended, cause erased, with person.erased in the same request', async () => {
    let cur;
    let who;
    const ended = await endedBy(async (partner) => {
      who = partner;
      cur = await mark('people');
      expectStatus(await api('DELETE', `/v1/people/${partner.id}`, { token: adminToken() }), 204);
    }, 'erased');
    const erased = await theEvent('people', cur, 'tandem.people.person.erased', who.id, { person: who.id });
    assert.equal(ended.actor, erased.actor);
    assert.equal(ended.requestid, erased.requestid, 'one request, one transaction');
  });

  it('SCIM Groups: a member removed from a role gets person.roles_changed, and loses the role everywhere', async () => {
    const mentor = await createMentor();
    const tok = tokenFor(mentor);
    // (mentoring asks people who the caller is; a worker of people busy with a long poll
    // can hold that past mentoring's deadline: the status wanted comes on a retry)
    const statusBecomes = async (want) => {
      let status = 0;
      for (const t0 = Date.now(); status !== want && Date.now() - t0 < 10000;) {
        status = (await m('GET', '/v1/learnings', { token: tok, invalid: true })).status;
        if (status !== want) await new Promise((r) => setTimeout(r, 100));
      }
      return status;
    };
    assert.equal(await statusBecomes(200), 200, 'a mentor reads learnings');
    const cur = await mark('people');
    const ops = (op) => ({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op, path: 'members', value: [{ value: mentor.id }] }],
    });
    expectStatus(await scim('PATCH', '/scim/v2/Groups/mentor', ops('remove')), 204);
    const e = await theEvent('people', cur, 'tandem.people.person.roles_changed', mentor.id, { person: mentor.id });
    assert.deepEqual(e.data.roles_removed, ['mentor']);
    assert.deepEqual(e.data.roles_added, []);
    // mentoring follows it: the token still says mentor, the answer is 403 within 5 s
    assert.equal(await statusBecomes(403), 403, 'the role removed over SCIM is withdrawn in mentoring');
    const cur2 = await mark('people');
    expectStatus(await scim('PATCH', '/scim/v2/Groups/mentor', ops('add')), 204);
    const back = await theEvent('people', cur2, 'tandem.people.person.roles_changed', mentor.id);
    assert.deepEqual(back.data.roles_added, ['mentor']);
  });

  it('a person SCIM deleted and provisioned again is reinstated (person.reinstated)', async () => {
    const u = uniq();
    const body = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      externalId: `oid-${u}`, userName: `back.${u}@example.com`, active: true,
      displayName: `Back ${u}`, emails: [{ primary: true, value: `back.${u}@example.com` }],
    };
    const user = expectStatus(await scim('POST', '/scim/v2/Users', body), 201).body;
    expectStatus(await scim('DELETE', `/scim/v2/Users/${user.id}`), 204);
    const cur = await mark('people');
    const again = expectStatus(await scim('POST', '/scim/v2/Users', body), 201).body;
    assert.equal(again.id, user.id, 'the same person comes back');
    const e = await theEvent('people', cur, 'tandem.people.person.reinstated', user.id, { person: user.id });
    assert.equal(e.data.reason, 'reinstated');
  });
});
