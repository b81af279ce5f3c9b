// Test data for the integration tests: people and pairings created through
// the API with unique emails and external ids, and tokens that map to them.
//
// Importing this module fails at once (and so the test file fails, loudly)
// when TANDEM_TEST_PEOPLE_URL is not set: these tests need a running stack.

import { randomBytes } from 'node:crypto';
import { api, expectStatus, peopleUrl } from './http.mjs';
import { token } from './tokens.mjs';

export const PEOPLE_URL = peopleUrl();

// A random suffix that keeps this run's data apart from every other run's.
export const uniq = (bytes = 5) => randomBytes(bytes).toString('hex');
export const RUN = uniq(4);

export const uniqueEmail = (prefix = 'p') => `${prefix}-${uniq()}@example.com`;

// An admin that is not a person in the service (roles come from the token).
export const adminToken = () =>
  token({ sub: `admin-${RUN}`, roles: ['admin'], email: `admin-${RUN}@example.com` });

// A calling service: reads only; not a person.
export const serviceToken = () => token({ sub: `svc-${RUN}`, roles: ['service'] });

// A token for @person (sub = external_id, email) with @roles (default: the
// person's roles).
export const tokenFor = (person, roles = person.roles, claims = {}) =>
  token({ sub: person.external_id, email: person.email, roles, ...claims });

// A valid PersonCreate body with unique email, external id and name;
// @overrides win (an undefined value removes the member).
export function personBody(overrides = {}) {
  const u = uniq();
  const body = {
    email: `p-${u}@example.com`,
    display_name: `Test Person ${u}`,
    roles: ['partner'],
    external_id: `ext-${u}`,
    ...overrides,
  };
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  return body;
}

export async function createPerson(overrides = {}, opts = {}) {
  const res = await api('POST', '/v1/people', { token: adminToken(), body: personBody(overrides), ...opts });
  expectStatus(res, 201, 'creating a test person');
  return res.body;
}

export const createPartner = (o = {}) => createPerson({ roles: ['partner'], ...o });
export const createMentor = (o = {}) => createPerson({ roles: ['mentor'], mentor_capacity: 5, ...o });

export async function createPairing(mentor, partner, opts = {}) {
  const res = await api('POST', '/v1/pairings', {
    token: adminToken(),
    body: { mentor_id: mentor.id ?? mentor, partner_id: partner.id ?? partner },
    ...opts,
  });
  expectStatus(res, 201, 'creating a test pairing');
  return res.body;
}

export async function endPairing(pairing, status = 'completed', reason = 'programme finished') {
  const res = await api('PATCH', `/v1/pairings/${pairing.id ?? pairing}`, {
    token: adminToken(),
    body: { status, reason },
  });
  expectStatus(res, 200, 'ending a test pairing');
  return res.body;
}

export async function getPerson(id, tok = adminToken()) {
  const res = await api('GET', `/v1/people/${id}`, { token: tok });
  expectStatus(res, 200, 'reading a test person');
  return res.body;
}

// Follows next_cursor from @path (which has its own filters and limit)
// until the end; returns {items, pages: [item counts]}. Stops after
// @maxPages to fail instead of looping on a cursor that never ends.
export async function listAll(path, tok = adminToken(), maxPages = 50) {
  const items = [];
  const pages = [];
  let cursor = null;
  for (let i = 0; i < maxPages; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await api('GET', cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path, {
      token: tok,
    });
    expectStatus(res, 200, `listing ${path}`);
    items.push(...res.body.items);
    pages.push(res.body.items.length);
    cursor = res.body.next_cursor;
    if (cursor === null) return { items, pages };
  }
  throw new Error(`${path}: still a next_cursor after ${maxPages} pages`);
}

export const ids = (items) => items.map((x) => x.id);
