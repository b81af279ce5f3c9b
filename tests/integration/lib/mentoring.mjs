// Test data for the mentoring service's integration tests: a cast of people
// and pairings made through the people service, tokens for each of them, and
// sessions, items and completions made through the mentoring service.
//
// Importing this module fails at once when TANDEM_TEST_MENTORING_URL is not
// set: these tests need a running stack.

import assert from 'node:assert/strict';
import { api, expectStatus, serviceUrl } from './http.mjs';
import {
  adminToken,
  createMentor,
  createPairing,
  createPartner,
  createPerson,
  serviceToken,
  tokenFor,
} from './fixtures.mjs';

export const MENTORING_URL = serviceUrl('mentoring');
export const MISSING = '00000000-0000-4000-8000-000000000000';
export const DAY = 86400 * 1000;

// One call to the mentoring service (the contract is mentoring.yaml).
export const m = (method, path, o = {}) => api(method, path, { service: 'mentoring', ...o });

// An RFC 3339 time @days days from now (negative: in the past), whole seconds.
export const daysFromNow = (days, hours = 0) =>
  new Date(Math.floor((Date.now() + days * DAY + hours * 3600 * 1000) / 1000) * 1000).toISOString();

// The UTC date (YYYY-MM-DD) @days days from today.
export const dateFromToday = (days) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

/**
 * A mentor M paired with partner P; another mentor M2 with partner P2; a
 * partner Q with no mentor; comms C; viewer V; and a token for each role.
 * Every cast is new, so tests never share state.
 */
export async function cast() {
  const w = {};
  w.M = await createMentor({ mentor_capacity: 5 });
  w.P = await createPartner();
  w.M2 = await createMentor();
  w.P2 = await createPartner();
  w.Q = await createPartner();
  w.C = await createPerson({ roles: ['comms'] });
  w.V = await createPerson({ roles: ['viewer'] });
  w.MP = await createPairing(w.M, w.P);
  w.M2P2 = await createPairing(w.M2, w.P2);
  w.t = {
    admin: adminToken(),
    service: serviceToken(),
    mentor: tokenFor(w.M),
    partner: tokenFor(w.P),
    mentor2: tokenFor(w.M2),
    partner2: tokenFor(w.P2),
    loner: tokenFor(w.Q),
    comms: tokenFor(w.C),
    viewer: tokenFor(w.V),
  };
  return w;
}

// Schedules a session of @pairing as @tok; @over overrides the body.
export async function createSession(pairing, tok, over = {}) {
  const body = {
    pairing_id: pairing.id ?? pairing,
    scheduled_at: daysFromNow(-1),
    duration_minutes: 60,
    agenda: 'How the first posts went',
    objectives: ['Review the week', 'Pick next week\'s themes'],
    ...over,
  };
  const res = await m('POST', '/v1/sessions', { token: tok, body });
  expectStatus(res, 201, 'creating a test session');
  return res.body;
}

// Marks @session held as @tok.
export async function holdSession(session, tok) {
  const res = await m('PATCH', `/v1/sessions/${session.id}`, { token: tok, body: { status: 'held' } });
  expectStatus(res, 200, 'marking a test session held');
  return res.body;
}

// Adherence honouring every guideline of @session's version.
export async function fullAdherence(tok, value = true) {
  const g = expectStatus(await m('GET', '/v1/guidelines', { token: tok }), 200).body;
  return Object.fromEntries(g.items.map((i) => [i.key, value]));
}

// An item of the partner's own on @partner's checklist.
export async function createItem(partner, tok, over = {}) {
  const body = {
    title: 'Post a reflection on LinkedIn',
    platform: 'linkedin',
    skill: 'writing',
    cadence: 'weekly',
    ...over,
  };
  const res = await m('POST', `/v1/checklists/${partner.id}/items`, { token: tok, body });
  expectStatus(res, 201, 'creating a test checklist item');
  return res.body;
}

export async function createCompletion(partner, item, tok, over = {}) {
  const res = await m('POST', `/v1/checklists/${partner.id}/items/${item.id}/completions`, {
    token: tok,
    body: { done_at: daysFromNow(0), ...over }, // now: an hour ago is yesterday before 01:00 UTC, before the item started
  });
  expectStatus(res, 201, 'recording a test completion');
  return res.body;
}

// Follows next_cursor from @path as @tok until the end: {items, pages}.
export async function listAll(path, tok, maxPages = 50) {
  const items = [];
  const pages = [];
  let cursor = null;
  for (let i = 0; i < maxPages; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await m('GET', cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path, { token: tok });
    expectStatus(res, 200, `listing ${path}`);
    items.push(...res.body.items);
    pages.push(res.body.items.length);
    cursor = res.body.next_cursor;
    if (cursor === null) return { items, pages };
  }
  throw new Error(`${path}: still a next_cursor after ${maxPages} pages`);
}

// Asserts that @text appears nowhere in @value (any JSON) or in a string.
export function assertNowhere(value, text, what) {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  assert.equal(s.includes(text), false, `${what} must not contain the private text`);
}
