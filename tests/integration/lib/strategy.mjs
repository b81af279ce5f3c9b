// Helpers for the strategy service's tests: calls contract-checked against
// api-specs/strategy.yaml, a cast of people (made through the people service),
// and the usual bodies: a business strategy, a playbook, an integration.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { api, expectStatus } from './http.mjs';
import {
  adminToken,
  createMentor,
  createPairing,
  createPartner,
  createPerson,
  serviceToken,
  tokenFor,
  uniq,
} from './fixtures.mjs';
import { query } from './db.mjs';

// One call to the strategy service (or, with base, the gateway).
export const sapi = (method, path, o = {}) => api(method, path, { service: 'strategy', ...o });

export const programme = () => randomUUID();

// Follows next_cursor from @path to the end (at most @maxPages pages);
// returns {items, pages: [item counts]}.
export async function listAll(path, tok, maxPages = 50) {
  const items = [];
  const pages = [];
  let cursor = null;
  for (let i = 0; i < maxPages; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await sapi('GET', cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path, { token: tok });
    expectStatus(res, 200, `listing ${path}`);
    items.push(...res.body.items);
    pages.push(res.body.items.length);
    cursor = res.body.next_cursor;
    if (cursor === null) return { items, pages };
  }
  throw new Error(`${path}: still a next_cursor after ${maxPages} pages`);
}
export const MISSING = '00000000-0000-4000-8000-000000000000';
export const SECTIONS = ['purpose', 'vision', 'audiences', 'themes', 'platforms', 'cadence', 'goals',
  'voice', 'boundaries'];

/**
 * A cast for one test file: partner P mentored by M; partner Q with no mentor;
 * mentor M2 mentoring Q2; comms C; viewer V. Each has a token function.
 */
export async function cast() {
  const w = {};
  w.P = await createPartner();
  w.Q = await createPartner();
  w.M = await createMentor();
  w.M2 = await createMentor();
  w.Q2 = await createPartner();
  w.C = await createPerson({ roles: ['comms'] });
  w.V = await createPerson({ roles: ['viewer'] });
  await createPairing(w.M, w.P);
  await createPairing(w.M2, w.Q2);
  w.tok = {
    admin: adminToken,
    service: serviceToken,
    partner: () => tokenFor(w.P),
    other: () => tokenFor(w.Q),
    mentor: () => tokenFor(w.M),
    otherMentor: () => tokenFor(w.M2),
    comms: () => tokenFor(w.C),
    viewer: () => tokenFor(w.V),
  };
  return w;
}

// A business strategy version body; @o overrides members.
export function strategyBody(o = {}) {
  return {
    title: `FY27 social strategy ${uniq()}`,
    pillars: [
      { name: 'Trusted Technology', description: 'AI and data we can stand behind', keywords: ['AI', 'data', 'cyber security'] },
      { name: 'Sustainable Growth', keywords: ['ESG', 'climate', 'net zero'] },
      { name: 'People First', keywords: ['culture', 'talent', 'wellbeing'] },
    ],
    channels: [{ name: 'LinkedIn', handle: '@example' }, { name: 'X' }, { name: 'YouTube' }],
    policies: {
      off_limits_topics: ['pending litigation'],
      off_limits_terms: ['guaranteed returns', 'tax'],
      disclosure_rules: ['Say when a post is about a client.'],
    },
    kpis: [{ name: 'Reach', target: 100000, unit: 'people' }],
    ...o,
  };
}

export async function createDraft(commsTok, body = strategyBody()) {
  const res = await sapi('POST', '/v1/business-strategy/versions', { token: commsTok, body });
  expectStatus(res, 201, 'drafting a strategy version');
  return res.body;
}

export async function publish(commsTok, version) {
  const res = await sapi('POST', `/v1/business-strategy/versions/${version.id}/publish`, { token: commsTok });
  expectStatus(res, 200, 'publishing a strategy version');
  return res.body;
}

// Drafts and publishes a version; returns the published version.
export async function publishStrategy(commsTok, body = strategyBody()) {
  return publish(commsTok, await createDraft(commsTok, body));
}

// A playbook body for @programmeId with a typical set of sections.
export function playbookBody(programmeId = programme(), o = {}) {
  return {
    programme_id: programmeId,
    purpose: 'Share what twenty years of audit taught me about trust.',
    themes: [
      { name: 'AI for boards', keywords: ['AI', 'governance'], pillars: ['Trusted Technology'] },
      { name: 'Net zero in practice', keywords: ['climate'] },
      { name: 'Golf', keywords: ['handicap'] },
    ],
    platforms: [{ name: 'LinkedIn' }, { name: 'Instagram' }],
    goals: [{ description: 'Grow my network', metric: 'followers', target: 500, by: '2027-06-30' }],
    voice: 'Plain and warm.',
    ...o,
  };
}

export async function createPlaybook(tok, body = playbookBody()) {
  const res = await sapi('POST', '/v1/playbooks', { token: tok, body });
  expectStatus(res, 201, 'creating a playbook');
  return res.body;
}

export async function getPlaybook(id, tok = adminToken()) {
  const res = await sapi('GET', `/v1/playbooks/${id}`, { token: tok });
  expectStatus(res, 200, 'reading a playbook');
  return res.body;
}

export async function savePlaybook(tok, id, body) {
  const res = await sapi('PATCH', `/v1/playbooks/${id}`, { token: tok, body });
  expectStatus(res, 200, 'saving a playbook');
  return res.body;
}

export async function setStatus(tok, id, section, status) {
  const res = await sapi('PUT', `/v1/playbooks/${id}/sections/${section}/status`, { token: tok, body: { status } });
  expectStatus(res, 200, `moving ${section} to ${status}`);
  return res.body;
}

// Runs an integration; expects @status (201 new, 200 kept); returns the body.
export async function integrate(tok, playbookId, status = 201) {
  const res = await sapi('POST', '/v1/integrations', { token: tok, body: { playbook_id: playbookId } });
  expectStatus(res, status, 'running an integration');
  return res.body;
}

export async function decide(tok, id, status, comment) {
  const body = comment === undefined ? { status } : { status, comment };
  const res = await sapi('PATCH', `/v1/integrations/${id}`, { token: tok, body });
  expectStatus(res, 200, `deciding an integration (${status})`);
  return res.body;
}

// ---- what is stored ---------------------------------------------------------

export async function playbookRow(id) {
  return (await query('SELECT * FROM strategy.playbook WHERE id = $1', [id]))[0] ?? null;
}

export async function revisionRows(playbookId) {
  return query('SELECT * FROM strategy.playbook_revision WHERE playbook_id = $1 ORDER BY revision', [playbookId]);
}

export async function integrationRows(playbookId) {
  return query('SELECT * FROM strategy.integration WHERE playbook_id = $1 ORDER BY seq', [playbookId]);
}

export async function currentVersions() {
  return query('SELECT id, number FROM strategy.strategy_version WHERE is_current');
}

export async function count(table, where = 'true', params = []) {
  return Number((await query(`SELECT count(*) AS n FROM strategy.${table} WHERE ${where}`, params))[0].n);
}

// The names a theme is linked to in an alignment, as "pillar:source".
export function linksOf(alignment, theme) {
  const t = alignment.themes.find((x) => x.theme === theme);
  assert.ok(t, `no theme ${theme} in the alignment`);
  return t.pillars.map((l) => `${l.pillar}:${l.source}`);
}
