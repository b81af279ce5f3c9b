// The public API through the gateway (same origin), with the in-memory token.
// Counts the calls each view makes (window.__tandemCalls, read by the tests).
import { accessToken } from './auth.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
  // "field: message" lines of a validation problem
  get fields() {
    return (this.problem?.errors || []).map((e) => `${e.field}: ${e.message}`);
  }
}

export const calls = { n: 0, paths: [] };
if (typeof window !== 'undefined') window.__tandemCalls = calls;

export async function api(method, path, { body, ifMatch } = {}) {
  const headers = { authorization: `Bearer ${accessToken()}`, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (ifMatch !== undefined) headers['if-match'] = `"${ifMatch}"`;
  if (method === 'POST') headers['idempotency-key'] = crypto.randomUUID();
  calls.n++;
  calls.paths.push(`${method} ${path}`);
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export const get = (path) => api('GET', path);
