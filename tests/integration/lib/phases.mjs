// Helpers for the phases service's integration tests: calls to the service
// (contract-checked against api-specs/phases.yaml), a partner with a mentor,
// enrolments, a complete self-assessment of the default questionnaire, and
// looks at what the service stored (schema "phases").

import assert from 'node:assert/strict';
import { api, expectStatus, serviceUrl } from './http.mjs';
import { adminToken, createMentor, createPairing, createPartner, createPerson, tokenFor, uniq } from './fixtures.mjs';
import { query } from './db.mjs';

export const PHASES_URL = serviceUrl('phases');
export const DEFAULT_PROGRAMME = 'de0fa017-0000-4000-8000-000000000001';
export const DEFAULT_TEMPLATE = 'de0fa017-0000-4000-8000-000000000002';
export const MISSING = '00000000-0000-4000-8000-000000000000';
export const DAY_MS = 24 * 3600 * 1000;

// One call to the phases service (or, with o.base, another instance or the gateway).
export const ph = (method, path, o = {}) => api(method, path, { service: 'phases', ...o });

// "YYYY-MM-DD", @days from today (UTC).
export const dayFromToday = (days) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

// A partner with an active mentor, and their tokens.
export async function partnerWithMentor(overrides = {}) {
  const partner = await createPartner(overrides);
  const mentor = await createMentor();
  const pairing = await createPairing(mentor, partner);
  return { partner, mentor, pairing, pt: () => tokenFor(partner), mt: () => tokenFor(mentor) };
}

export const viewerToken = async () => tokenFor(await createPerson({ roles: ['viewer'] }));

export async function enrol(person, programmeId = DEFAULT_PROGRAMME, opts = {}) {
  const res = await ph('POST', '/v1/enrolments', {
    token: adminToken(),
    body: { person_id: person.id ?? person, programme_id: programmeId },
    ...opts,
  });
  expectStatus(res, 201, 'enrolling a test partner');
  return res.body;
}

export async function getEnrolment(id, tok = adminToken()) {
  return expectStatus(await ph('GET', `/v1/enrolments/${id}`, { token: tok }), 200, 'reading an enrolment').body;
}

// Every item of the default questionnaire, rated @rate(platform, skill) -> [confidence, capability].
export const DEFAULT_ITEMS = [
  ['linkedin', 'profile'], ['linkedin', 'posting'], ['linkedin', 'engaging'], ['linkedin', 'networking'],
  ['x', 'profile'], ['x', 'posting'], ['x', 'engaging'], ['x', 'networking'],
  ['blog', 'posting'], ['blog', 'measuring'],
];

export function answers(rate = () => [2, 2]) {
  return DEFAULT_ITEMS.map(([platform, skill]) => {
    const [confidence, capability] = rate(platform, skill);
    return { platform, skill, confidence, capability };
  });
}

export async function selfAssess(person, tok, rate) {
  const res = await ph('POST', '/v1/assessments', {
    token: tok,
    body: { person_id: person.id, template_id: DEFAULT_TEMPLATE, kind: 'self', answers: answers(rate) },
  });
  expectStatus(res, 201, 'submitting a self-assessment');
  return res.body;
}

export async function createWorkshop(overrides = {}) {
  const res = await ph('POST', '/v1/workshops', {
    token: adminToken(),
    body: { title: `Workshop ${uniq()}`, platform: 'linkedin', skills: ['profile'], held_at: '2026-01-10T10:00:00Z', ...overrides },
  });
  expectStatus(res, 201, 'recording a test workshop');
  return res.body;
}

export async function attend(workshop, person) {
  const res = await ph('POST', `/v1/workshops/${workshop.id}/attendance`, {
    token: adminToken(),
    body: { person_id: person.id },
  });
  expectStatus(res, 201, 'recording attendance');
  return res.body;
}

// Advances as an admin with an override; returns the enrolment.
export async function overrideAdvance(enrolmentId, reason = 'test set-up') {
  const res = await ph('POST', `/v1/enrolments/${enrolmentId}/advance`, {
    token: adminToken(),
    body: { override_reason: reason },
  });
  expectStatus(res, 200, 'advancing with an override');
  return res.body;
}

// A programme of @phases ([key, criteria[]]), with short thresholds.
export async function createProgramme(phases, name = `Programme ${uniq()}`) {
  const res = await ph('POST', '/v1/programmes', {
    token: adminToken(),
    body: {
      name,
      phases: phases.map(([key, criteria, extra = {}]) => ({
        key, name: key[0].toUpperCase() + key.slice(1), guide_days: 10, stall_days: 7, criteria, ...extra,
      })),
    },
  });
  expectStatus(res, 201, 'creating a test programme');
  return res.body;
}

// ---- what is stored ---------------------------------------------------------------
export const enrolmentRow = async (id) => (await query('SELECT * FROM phases.enrolment WHERE id = $1', [id]))[0] ?? null;
export const enrolmentsOf = (personId) =>
  query('SELECT * FROM phases.enrolment WHERE person_id = $1 ORDER BY seq', [personId]);
export const phaseRows = (id) =>
  query('SELECT * FROM phases.enrolment_phase WHERE enrolment_id = $1 ORDER BY position', [id]);
export const eventRows = (id) =>
  query('SELECT * FROM phases.enrolment_event WHERE enrolment_id = $1 ORDER BY seq', [id]);
export const assessmentsOf = (personId) =>
  query('SELECT * FROM phases.assessment WHERE person_id = $1 ORDER BY seq', [personId]);
export const attendanceOf = (personId) =>
  query('SELECT * FROM phases.attendance WHERE person_id = $1 ORDER BY seq', [personId]);

// Moves an enrolment's stored facts into the past, as time passing would:
// @progressDays ago for its last progress event; @phaseDays ago for when its
// current phase began.
export async function age(id, { progressDays, phaseDays } = {}) {
  if (progressDays !== undefined) {
    await query(`UPDATE phases.enrolment SET last_progress_at = now() - make_interval(days => $2) WHERE id = $1`, [
      id,
      progressDays,
    ]);
  }
  if (phaseDays !== undefined) {
    await query(
      `UPDATE phases.enrolment_phase ph SET entered_at = now() - make_interval(days => $2)
         FROM phases.enrolment e WHERE e.id = $1 AND ph.enrolment_id = e.id AND ph.position = e.current_position`,
      [id, phaseDays],
    );
  }
}

// Sets a phase's target date directly (the API refuses past dates).
export async function setTargetInDb(id, key, date) {
  const rows = await query(
    'UPDATE phases.enrolment_phase SET target_date = $3 WHERE enrolment_id = $1 AND key = $2 RETURNING 1',
    [id, key, date],
  );
  assert.equal(rows.length, 1, `phase ${key} of ${id}`);
}

export const fieldsOf = (problem) => (problem.errors ?? []).map((e) => e.field);
