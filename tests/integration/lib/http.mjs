// api(): one HTTP call to a Tandem service, with the contract checked.
//
// Every response goes through checkResponse(); a response the spec does not
// document (route, status, headers, media type, body) throws an
// AssertionError naming what is wrong. The request is checked too
// (checkRequest) so that a test cannot send something undocumented by
// mistake; a test that sends an invalid request on purpose passes
// `invalid: true`, which skips only the request check: the response must
// still be one the spec documents (so the spec must list that 4xx).

import assert from 'node:assert/strict';
import path from 'node:path';
import { SPEC_DIR, checkRequest, checkResponse, excerpt, isJsonMediaType, mediaType } from './contract.mjs';

export const PROBLEM_BASE = 'https://tandem.dev/problems/';

// The people service's base URL. Throws (the test fails, loudly) when the
// harness did not set it.
export function peopleUrl() {
  return requireEnv('TANDEM_TEST_PEOPLE_URL');
}

// A service's base URL (TANDEM_TEST_<NAME>_URL) and its spec (api-specs/<name>.yaml).
export function serviceUrl(service) {
  return requireEnv(`TANDEM_TEST_${service.toUpperCase()}_URL`);
}

export function specFile(service) {
  return path.join(SPEC_DIR, `${service}.yaml`);
}

export function gatewayUrl() {
  return requireEnv('TANDEM_TEST_GATEWAY_URL');
}

export function requireEnv(name) {
  const v = process.env[name];
  if (!v) {
    throw new Error(
      `${name} is not set: the integration tests need a running Tandem stack ` +
        '(the test harness sets TANDEM_TEST_* for them)',
    );
  }
  return v;
}

/**
 * @param {string} method  GET, POST, ...
 * @param {string} path    e.g. "/v1/people?limit=2"
 * @param {object} [o]
 * @param {string} [o.token]      bearer token (Authorization: Bearer <token>)
 * @param {string} [o.auth]       a raw Authorization header value instead
 * @param {*} [o.body]            sent as JSON
 * @param {string|Buffer} [o.rawBody] sent as is
 * @param {string|null} [o.contentType] Content-Type for a body (default
 *                                application/json; null sends none)
 * @param {object} [o.headers]    more request headers (a null value removes one)
 * @param {string} [o.service]    which service: "people" (default), "phases", ...;
 *                                picks its base URL and its spec
 * @param {string} [o.base]       base URL (default the service's; the gateway's works too)
 * @param {boolean} [o.invalid]   the request is invalid on purpose
 * @param {number} [o.timeoutMs]  default 15000
 * @returns {Promise<{status:number, headers:Headers, body:any, text:string, requestId:string|null}>}
 */
export async function api(method, path, o = {}) {
  const service = o.service ?? 'people';
  const base = o.base ?? serviceUrl(service);
  const spec = specFile(service);
  const headers = new Headers();
  if (o.token !== undefined && o.token !== null) headers.set('authorization', `Bearer ${o.token}`);
  if (o.auth !== undefined) headers.set('authorization', o.auth);

  let payload;
  if (o.rawBody !== undefined) payload = o.rawBody;
  else if (o.body !== undefined) payload = JSON.stringify(o.body);
  // fetch labels a string body text/plain by itself; bytes go unlabelled.
  if (typeof payload === 'string' && o.contentType === null) payload = Buffer.from(payload, 'utf8');
  if (payload !== undefined && o.contentType !== null) {
    headers.set('content-type', o.contentType ?? 'application/json');
  }
  for (const [k, v] of Object.entries(o.headers ?? {})) {
    if (v === null || v === undefined) headers.delete(k);
    else headers.set(k, v);
  }

  const upper = method.toUpperCase();
  if (!o.invalid) {
    const rc = checkRequest(upper, path, { headers, body: o.body, rawBody: o.rawBody }, { spec });
    if (!rc.ok) {
      throw new assert.AssertionError({
        message:
          `test bug: ${upper} ${path} is not a request the spec accepts ` +
          `(pass invalid: true if that is the point):\n  - ${rc.errors.join('\n  - ')}`,
      });
    }
  }

  const url = new URL(path, base.endsWith('/') ? base : `${base}/`);
  // new URL("/v1/x", "http://h:1/prefix/") drops the prefix; keep it.
  const prefix = new URL(base).pathname.replace(/\/$/, '');
  if (prefix) url.pathname = prefix + url.pathname;

  let res;
  try {
    res = await fetch(url, {
      method: upper,
      headers,
      body: payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(o.timeoutMs ?? 15000),
    });
  } catch (e) {
    throw new Error(`${upper} ${url}: request failed: ${e.cause?.message ?? e.message}`, { cause: e });
  }
  const text = await res.text();

  const rc = checkResponse(upper, path, res.status, res.headers, text, { spec });
  if (!rc.ok) {
    throw new assert.AssertionError({
      message:
        `contract violation: ${upper} ${path} -> ${res.status} ` +
        `(${res.headers.get('content-type') ?? 'no content-type'}):\n  - ${rc.errors.join('\n  - ')}\n` +
        `  body: ${excerpt(text, 600)}`,
    });
  }

  let body = text;
  if (isJsonMediaType(mediaType(res.headers.get('content-type'))) && text.length > 0) {
    body = JSON.parse(text); // checkResponse has parsed it already
  }
  return { status: res.status, headers: res.headers, body, text, requestId: res.headers.get('x-request-id') };
}

// A short description of a response for assertion messages.
export function describe(res) {
  return `${res.status} ${res.headers.get('content-type') ?? ''} ${excerpt(res.text, 500)}`;
}

export function expectStatus(res, status, what = '') {
  assert.equal(res.status, status, `${what ? `${what}: ` : ''}expected ${status}, got ${describe(res)}`);
  return res;
}

// True when a field error names @field (or an element of it: roles[1], roles.1).
export function namesField(err, field) {
  const f = String(err?.field ?? '');
  return f === field || f.startsWith(`${field}[`) || f.startsWith(`${field}.`) || f.startsWith(`/${field}`);
}

/**
 * Asserts @res is an RFC 9457 problem with @status and type slug @slug and,
 * when given, field errors naming each of @fields. Returns the body.
 */
export function expectProblem(res, status, slug, fields = []) {
  expectStatus(res, status);
  assert.equal(
    mediaType(res.headers.get('content-type')),
    'application/problem+json',
    `problem media type expected, got ${describe(res)}`,
  );
  const p = res.body;
  assert.equal(p.type, `${PROBLEM_BASE}${slug}`, `problem type: ${describe(res)}`);
  assert.equal(p.status, status);
  assert.equal(typeof p.title, 'string');
  assert.equal(typeof p.detail, 'string');
  assert.equal(p.request_id, res.headers.get('x-request-id'), 'request_id in the body equals X-Request-Id');
  for (const field of fields) {
    assert.ok(
      Array.isArray(p.errors) && p.errors.some((e) => namesField(e, field)),
      `problem should name field "${field}": ${describe(res)}`,
    );
  }
  return p;
}

// The version in an ETag header ("3" or W/"3"), as a number.
export function etagVersion(res) {
  const m = /^(?:W\/)?"(\d+)"$/.exec(res.headers.get('etag') ?? '');
  assert.ok(m, `ETag header expected, got ${JSON.stringify(res.headers.get('etag'))}`);
  return Number(m[1]);
}
