// Contract checks against the OpenAPI 3.1 specifications in api-specs/.
//
// loadSpec() reads api-specs/people.yaml, resolves every $ref (also across
// files, e.g. ./common.yaml#/components/schemas/Problem) into one plain object
// tree, and compiles JSON Schemas with Ajv2020 + ajv-formats on demand.
//
// checkResponse(method, path, status, headers, bodyText) says whether a
// response is one the spec documents: the route (path template + method), the
// status, the required response headers, the media type and the JSON body.
// checkRequest(...) says whether a request is one the spec accepts; api() in
// http.mjs uses it to catch tests that send something undocumented by
// mistake (tests that mean to send an invalid request say so).
//
// Neither throws on a violation: both return {ok, errors: [string], ...}.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SPEC_DIR = path.resolve(here, '../../../api-specs');
export const DEFAULT_SPEC = path.join(SPEC_DIR, 'people.yaml');

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
// A $ref with only these siblings keeps the referenced object, the sibling
// overriding (OpenAPI 3.1 allows summary/description next to a Reference).
const ANNOTATION_SIBLINGS = new Set(['description', 'summary']);

// ---- $ref resolution ------------------------------------------------------

function decodePointerToken(t) {
  return decodeURIComponent(t).replace(/~1/g, '/').replace(/~0/g, '~');
}

function pointerGet(doc, fragment, where) {
  if (!fragment || fragment === '/') return doc;
  if (!fragment.startsWith('/')) throw new Error(`unsupported $ref fragment "#${fragment}" in ${where}`);
  let node = doc;
  for (const raw of fragment.slice(1).split('/')) {
    const key = decodePointerToken(raw);
    if (node === null || typeof node !== 'object' || !(key in node)) {
      throw new Error(`unresolvable $ref "#${fragment}" in ${where} (no "${key}")`);
    }
    node = node[key];
  }
  return node;
}

class Resolver {
  constructor() {
    this.files = new Map(); // absolute path -> parsed YAML
    this.done = new Map(); // "file#fragment" -> resolved node
  }

  load(file) {
    let doc = this.files.get(file);
    if (doc === undefined) {
      doc = YAML.parse(readFileSync(file, 'utf8'), { merge: false });
      this.files.set(file, doc);
    }
    return doc;
  }

  // Returns @node (found in @file) with every $ref replaced by its target.
  resolve(node, file, stack = []) {
    if (Array.isArray(node)) return node.map((n) => this.resolve(n, file, stack));
    if (node === null || typeof node !== 'object') return node;

    if (typeof node.$ref === 'string') {
      const ref = node.$ref;
      const hash = ref.indexOf('#');
      const filePart = hash < 0 ? ref : ref.slice(0, hash);
      const fragment = hash < 0 ? '' : ref.slice(hash + 1);
      const target = filePart ? path.resolve(path.dirname(file), filePart) : file;
      const key = `${target}#${fragment}`;
      if (stack.includes(key)) {
        throw new Error(`circular $ref ${[...stack, key].join(' -> ')}`);
      }
      let resolved = this.done.get(key);
      if (resolved === undefined) {
        const raw = pointerGet(this.load(target), fragment, `${file} ($ref ${ref})`);
        resolved = this.resolve(raw, target, [...stack, key]);
        this.done.set(key, resolved);
      }
      const siblings = Object.keys(node).filter((k) => k !== '$ref');
      if (siblings.length === 0) return resolved;
      const rest = {};
      for (const k of siblings) rest[k] = this.resolve(node[k], file, stack);
      if (siblings.every((k) => ANNOTATION_SIBLINGS.has(k))) return { ...resolved, ...rest };
      // A schema with keywords beside $ref: both apply (JSON Schema 2020-12).
      return { ...rest, allOf: [...(rest.allOf ?? []), resolved] };
    }

    const out = {};
    for (const [k, v] of Object.entries(node)) out[k] = this.resolve(v, file, stack);
    return out;
  }
}

// Loads @file (and what it references) and returns it fully dereferenced.
export function dereference(file) {
  const abs = path.resolve(file);
  const r = new Resolver();
  return r.resolve(r.load(abs), abs);
}

// ---- the spec, routes and validators --------------------------------------

class Contract {
  constructor(file) {
    this.file = path.resolve(file);
    this.doc = dereference(this.file);
    const common = dereference(path.join(path.dirname(this.file), 'common.yaml'));
    // What a route that the spec does not list must answer: the spec's own
    // (x-tandem-fallback: SCIM answers in its own error format), else the
    // common problem+json ones.
    const own = this.doc['x-tandem-fallback'] ?? {};
    this.fallback = {
      notFound: own.notFound ?? common.components.responses.NotFound,
      methodNotAllowed: own.methodNotAllowed ?? common.components.responses.MethodNotAllowed,
      // any path, refused before routing (shared/server.c check_header_size)
      headersTooLarge: common.components.responses.HeadersTooLarge,
    };
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.validators = new Map();
    this.routes = Object.entries(this.doc.paths ?? {}).map(([template, item]) => ({
      template,
      item,
      segments: template.split('/'),
    }));
  }

  validator(schema) {
    let v = this.validators.get(schema);
    if (!v) {
      v = this.ajv.compile(schema);
      this.validators.set(schema, v);
    }
    return v;
  }

  validate(schema, value) {
    const v = this.validator(schema);
    if (v(value)) return [];
    return v.errors.map(formatAjvError);
  }

  // Finds the path template that @concretePath matches (literal segments
  // win over templated ones, as OpenAPI requires). Returns null if none.
  match(concretePath) {
    const pathOnly = concretePath.split('?')[0].split('#')[0];
    const segs = pathOnly.split('/');
    let best = null;
    for (const route of this.routes) {
      if (route.segments.length !== segs.length) continue;
      const params = {};
      let literal = 0;
      let ok = true;
      for (let i = 0; i < segs.length && ok; i++) {
        const t = route.segments[i];
        const m = /^\{([^}]+)\}$/.exec(t);
        if (m) {
          if (segs[i] === '') ok = false;
          else {
            try {
              params[m[1]] = decodeURIComponent(segs[i]);
            } catch {
              params[m[1]] = segs[i];
            }
          }
        } else if (t === segs[i]) literal++;
        else ok = false;
      }
      if (ok && (!best || literal > best.literal)) best = { ...route, params, literal };
    }
    return best;
  }

  operation(method, concretePath) {
    const route = this.match(concretePath);
    if (!route) return { route: null, op: null };
    const op = route.item[method.toLowerCase()];
    return { route, op: METHODS.includes(method.toLowerCase()) ? op ?? null : null };
  }
}

const cached = new Map();

// Returns the (cached) contract for @file (default api-specs/people.yaml);
// each service's spec is loaded once.
export function loadSpec(file = DEFAULT_SPEC) {
  const key = path.resolve(file);
  if (!cached.has(key)) cached.set(key, new Contract(key));
  return cached.get(key);
}

// ---- helpers ---------------------------------------------------------------

function formatAjvError(e) {
  const where = e.instancePath || '(root)';
  let extra = '';
  if (e.keyword === 'additionalProperties') extra = ` "${e.params.additionalProperty}"`;
  else if (e.keyword === 'enum') extra = ` ${JSON.stringify(e.params.allowedValues)}`;
  else if (e.keyword === 'const') extra = ` ${JSON.stringify(e.params.allowedValue)}`;
  return `${where} ${e.message}${extra}`;
}

// Lower-cases header names; accepts a fetch Headers, a Map, or an object.
export function headerMap(headers) {
  const out = new Map();
  if (!headers) return out;
  const entries =
    typeof headers.entries === 'function' && !(headers instanceof Array)
      ? headers.entries()
      : Object.entries(headers);
  for (const [k, v] of entries) {
    if (v === undefined || v === null) continue;
    out.set(String(k).toLowerCase(), Array.isArray(v) ? v.join(', ') : String(v));
  }
  return out;
}

export function mediaType(contentType) {
  if (!contentType) return null;
  return contentType.split(';')[0].trim().toLowerCase();
}

export function isJsonMediaType(mt) {
  return mt === 'application/json' || (mt != null && /^application\/[a-z0-9.+-]*\+json$/.test(mt));
}

function findMediaObject(content, mt) {
  if (mt in content) return content[mt];
  const [type] = mt.split('/');
  if (`${type}/*` in content) return content[`${type}/*`];
  if ('*/*' in content) return content['*/*'];
  return null;
}

// Coerces a query/header string to what a simple parameter schema expects,
// the way a server reads it (integers and numbers from text).
function coerceParam(schema, raw) {
  const types = [].concat(schema?.type ?? []);
  if (types.includes('integer') && /^-?\d+$/.test(raw)) return Number(raw);
  if (types.includes('number') && raw.trim() !== '' && !Number.isNaN(Number(raw))) return Number(raw);
  if (types.includes('boolean') && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

function checkBody(contract, where, responseOrBody, bodyText, mt, errors) {
  const media = findMediaObject(responseOrBody.content, mt);
  if (!media) {
    errors.push(
      `${where}: media type "${mt}" is not documented (documented: ${Object.keys(
        responseOrBody.content,
      ).join(', ')})`,
    );
    return;
  }
  if (!media.schema) return;
  let value = bodyText;
  if (isJsonMediaType(mt)) {
    try {
      value = JSON.parse(bodyText);
    } catch (e) {
      errors.push(`${where}: body is not valid JSON (${e.message}): ${excerpt(bodyText)}`);
      return;
    }
  }
  for (const msg of contract.validate(media.schema, value)) errors.push(`${where}: body ${msg}`);
}

export function excerpt(text, n = 300) {
  const s = String(text ?? '');
  return s.length > n ? `${s.slice(0, n)}... (${s.length} chars)` : s;
}

// ---- the checks ------------------------------------------------------------

/**
 * Checks one response against the spec.
 * @returns {{ok: boolean, errors: string[], operationId: string|null, template: string|null}}
 */
export function checkResponse(method, reqPath, status, headers, bodyText, { spec } = {}) {
  const contract = loadSpec(spec);
  const errors = [];
  const hdrs = headerMap(headers);
  const m = String(method).toUpperCase();
  const { route, op } = contract.operation(m, reqPath);
  const code = String(status);
  let response = null;
  let where;

  if (status === 431) {
    where = `${m} ${reqPath} -> 431 (before routing)`;
    response = contract.fallback.headersTooLarge;
  } else if (!route) {
    where = `${m} ${reqPath} (no such route in the spec)`;
    if (status === 404) response = contract.fallback.notFound;
    else errors.push(`${where}: status ${status}, but a route the spec does not list must answer 404`);
  } else if (!op) {
    where = `${m} ${route.template} (method not in the spec)`;
    if (status === 405) response = contract.fallback.methodNotAllowed;
    else if (status === 404) response = contract.fallback.notFound;
    else errors.push(`${where}: status ${status}, but an unlisted method must answer 405 (or 404)`);
  } else {
    where = `${m} ${route.template} -> ${code}`;
    const responses = op.responses ?? {};
    response = responses[code] ?? responses[`${code[0]}XX`] ?? responses.default ?? null;
    if (!response) {
      errors.push(
        `${m} ${route.template}: status ${code} is not documented (documented: ${Object.keys(responses).join(
          ', ',
        )})`,
      );
    }
  }

  if (response) {
    // Headers the spec requires, and the values of those it describes.
    for (const [name, h] of Object.entries(response.headers ?? {})) {
      const lname = name.toLowerCase();
      if (lname === 'content-type') continue;
      const value = hdrs.get(lname);
      if (value === undefined) {
        if (h.required) errors.push(`${where}: required header ${name} is missing`);
        continue;
      }
      if (h.schema) {
        for (const msg of contract.validate(h.schema, value)) {
          errors.push(`${where}: header ${name}: ${JSON.stringify(value)} ${msg.replace(/^\(root\) /, '')}`);
        }
      }
    }
    // Body and media type.
    const ct = hdrs.get('content-type');
    const text = bodyText ?? '';
    if (response.content && Object.keys(response.content).length > 0) {
      const mt = mediaType(ct);
      if (!mt) errors.push(`${where}: no Content-Type (expected one of ${Object.keys(response.content).join(', ')})`);
      else checkBody(contract, where, response, text, mt, errors);
    } else if (text.length > 0 && m !== 'HEAD') {
      errors.push(`${where}: the spec documents no body, got ${excerpt(text)}`);
    }
  }

  return {
    ok: errors.length === 0,
    errors,
    operationId: op?.operationId ?? null,
    template: route?.template ?? null,
  };
}

/**
 * Checks that a request is one the spec accepts: a documented route and
 * method, valid path, query and header parameters (no unknown query
 * parameter), and a body of a documented media type that validates.
 * @param {object} req {headers, body (a JS value, sent as JSON), rawBody}
 * @returns {{ok: boolean, errors: string[], operationId: string|null}}
 */
export function checkRequest(method, reqPath, { headers, body, rawBody } = {}, { spec } = {}) {
  const contract = loadSpec(spec);
  const errors = [];
  const m = String(method).toUpperCase();
  const { route, op } = contract.operation(m, reqPath);
  if (!route) return { ok: false, errors: [`${m} ${reqPath}: no such route in the spec`], operationId: null };
  if (!op) return { ok: false, errors: [`${m} ${route.template}: method not in the spec`], operationId: null };
  const where = `${m} ${route.template} request`;
  const hdrs = headerMap(headers);

  const params = new Map();
  for (const p of [...(route.item.parameters ?? []), ...(op.parameters ?? [])]) {
    params.set(`${p.in}:${p.in === 'header' ? p.name.toLowerCase() : p.name}`, p);
  }

  for (const [name, value] of Object.entries(route.params)) {
    const p = params.get(`path:${name}`);
    if (!p) errors.push(`${where}: path parameter {${name}} is not documented`);
    else for (const msg of contract.validate(p.schema ?? {}, value)) errors.push(`${where}: path {${name}} ${msg}`);
  }

  const qi = reqPath.indexOf('?');
  const query = new URLSearchParams(qi >= 0 ? reqPath.slice(qi + 1) : '');
  for (const [name, raw] of query) {
    const p = params.get(`query:${name}`);
    if (!p) {
      errors.push(`${where}: query parameter "${name}" is not documented`);
      continue;
    }
    for (const msg of contract.validate(p.schema ?? {}, coerceParam(p.schema, raw))) {
      errors.push(`${where}: query ${name}=${JSON.stringify(raw)} ${msg.replace(/^\(root\) /, '')}`);
    }
  }
  for (const p of params.values()) {
    if (p.in === 'query' && p.required && !query.has(p.name)) {
      errors.push(`${where}: required query parameter "${p.name}" is missing`);
    }
    if (p.in === 'header') {
      const v = hdrs.get(p.name.toLowerCase());
      if (v === undefined) {
        if (p.required) errors.push(`${where}: required header ${p.name} is missing`);
      } else {
        for (const msg of contract.validate(p.schema ?? {}, v)) {
          errors.push(`${where}: header ${p.name} ${msg.replace(/^\(root\) /, '')}`);
        }
      }
    }
  }

  const hasBody = body !== undefined || rawBody !== undefined;
  if (!op.requestBody) {
    if (hasBody) errors.push(`${where}: the spec documents no request body`);
  } else if (!hasBody) {
    if (op.requestBody.required) errors.push(`${where}: a request body is required`);
  } else {
    const mt = mediaType(hdrs.get('content-type'));
    if (!mt) errors.push(`${where}: no Content-Type`);
    else {
      const text =
        body !== undefined ? JSON.stringify(body) : Buffer.isBuffer(rawBody) ? rawBody.toString('utf8') : String(rawBody);
      checkBody(contract, where, op.requestBody, text, mt, errors);
    }
  }

  return { ok: errors.length === 0, errors, operationId: op.operationId ?? null };
}

// Every operation of the spec: [{method, template, operation}].
export function operations({ spec } = {}) {
  const contract = loadSpec(spec);
  const out = [];
  for (const { template, item } of contract.routes) {
    for (const method of METHODS) {
      if (item[method]) out.push({ method: method.toUpperCase(), template, operation: item[method] });
    }
  }
  return out;
}
