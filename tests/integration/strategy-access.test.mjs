// Access to the strategy service: every role against every route, as a table.
// "mentor" is the partner's active mentor; the partner is the playbook's own.
// Routes that change things get fresh data for each call.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectProblem } from './lib/http.mjs';
import * as db from './lib/db.mjs';
import { token } from './lib/tokens.mjs';
import { cast, createDraft, createPlaybook, integrate, programme, publishStrategy, sapi, strategyBody } from './lib/strategy.mjs';

after(() => db.closeDb());

const ROLES = ['admin', 'mentor', 'partner', 'comms', 'viewer', 'service'];
const NC = 'nc';   // 403 mentoring-not-consulting

let w;
const fx = {};
before(async () => {
  w = await cast();
  await publishStrategy(w.tok.comms());
  fx.pb = await createPlaybook(w.tok.partner());
  fx.int = await integrate(w.tok.partner(), fx.pb.id);
  fx.draft = await createDraft(w.tok.comms());
});

const only = (ok, status, otherwise = 403) =>
  Object.fromEntries(ROLES.map((r) => [r, ok.includes(r) ? status : otherwise]));
const readers = only(['admin', 'mentor', 'partner', 'service'], 200);

// [label, method, path(), body() | undefined, {role: status | [statuses] | 'nc'}]
const table = [
  ['POST /v1/playbooks', 'POST', () => '/v1/playbooks', () => ({ programme_id: programme() }),
    { ...only(['partner'], 201), admin: NC, mentor: NC }],
  ['GET /v1/playbooks', 'GET', () => '/v1/playbooks', undefined, only(['admin', 'mentor', 'partner', 'comms', 'service'], 200)],
  ['GET /v1/playbooks/{id}', 'GET', () => `/v1/playbooks/${fx.pb.id}`, undefined, readers],
  ['PATCH /v1/playbooks/{id}', 'PATCH', () => `/v1/playbooks/${fx.pb.id}`, () => ({ vision: `v ${Math.random()}` }),
    { ...only(['partner'], 200), admin: NC, mentor: NC }],
  // (voice is a draft already: for the partner and the mentor nothing changes)
  ['PUT .../sections/{s}/status', 'PUT', () => `/v1/playbooks/${fx.pb.id}/sections/voice/status`, () => ({ status: 'draft' }),
    { ...only(['partner', 'mentor'], 200), admin: NC }],
  ['PUT .../status (submit)', 'PUT', () => `/v1/playbooks/${fx.pb.id}/sections/purpose/status`,
    () => ({ status: 'ready_for_review' }), { ...only(['partner'], 200), admin: NC, mentor: NC }],
  ['GET .../revisions', 'GET', () => `/v1/playbooks/${fx.pb.id}/revisions`, undefined, readers],
  ['GET .../revisions/1', 'GET', () => `/v1/playbooks/${fx.pb.id}/revisions/1`, undefined, readers],
  ['POST .../comments', 'POST', () => `/v1/playbooks/${fx.pb.id}/comments`, () => ({ section: 'voice', body: 'hm' }),
    only(['admin', 'mentor', 'partner'], 201)],
  ['GET .../comments', 'GET', () => `/v1/playbooks/${fx.pb.id}/comments`, undefined, readers],
  ['GET /v1/business-strategy', 'GET', () => '/v1/business-strategy', undefined, only(['admin', 'mentor', 'partner', 'comms', 'service'], 200)],
  ['GET /v1/business-strategy/coverage', 'GET', () => '/v1/business-strategy/coverage', undefined,
    only(['admin', 'comms', 'viewer', 'service'], 200)],
  ['POST /v1/business-strategy/versions', 'POST', () => '/v1/business-strategy/versions', () => strategyBody(), only(['comms'], 201)],
  ['GET /v1/business-strategy/versions', 'GET', () => '/v1/business-strategy/versions', undefined,
    only(['admin', 'mentor', 'partner', 'comms', 'service'], 200)],
  ['GET .../versions/{draft}', 'GET', () => `/v1/business-strategy/versions/${fx.draft.id}`, undefined, only(['admin', 'comms'], 200)],
  ['PATCH .../versions/{draft}', 'PATCH', () => `/v1/business-strategy/versions/${fx.draft.id}`, () => ({ title: 'New title' }),
    only(['comms'], 200)],
  ['POST .../versions/{draft}/publish', 'POST', null, undefined, only(['comms'], 200)],
  ['POST /v1/integrations', 'POST', () => '/v1/integrations', () => ({ playbook_id: fx.pb.id }),
    only(['admin', 'partner', 'comms'], [200, 201])],
  ['GET /v1/integrations', 'GET', () => '/v1/integrations', undefined, only(['admin', 'partner', 'comms', 'service'], 200)],
  ['GET /v1/integrations/{id}', 'GET', () => `/v1/integrations/${fx.int.id}`, undefined, only(['admin', 'partner', 'comms', 'service'], 200)],
  ['PATCH /v1/integrations/{id}', 'PATCH', null, () => ({ status: 'returned', comment: 'Not yet.' }), only(['comms'], 200)],
  ['GET /v1/evidence/strategy/{partner}', 'GET', () => `/v1/evidence/strategy/${w.P.id}`, undefined, readers],
  ['GET /v1/stats/strategy', 'GET', () => '/v1/stats/strategy', undefined, only(['admin', 'comms', 'viewer', 'service'], 200)],
];

describe('strategy access table: each role against each route', () => {
  for (const [label, method, pathFn, bodyFn, expected] of table) {
    for (const role of ROLES) {
      const want = expected[role];
      it(`${role.padEnd(7)} ${label} -> ${want === NC ? '403 mentoring-not-consulting' : want}`, async () => {
        let path = pathFn?.();
        if (label.endsWith('/publish')) {
          path = `/v1/business-strategy/versions/${(await createDraft(w.tok.comms())).id}/publish`;
        } else if (label === 'PATCH /v1/integrations/{id}') {
          // a fresh playbook and a pending integration of it, on the current strategy
          const pb = await createPlaybook(w.tok.partner());
          path = `/v1/integrations/${(await integrate(w.tok.partner(), pb.id)).id}`;
        }
        const res = await sapi(method, path, { token: w.tok[role](), body: bodyFn?.() });
        if (want === NC) {
          expectProblem(res, 403, 'mentoring-not-consulting');
        } else if (Array.isArray(want)) {
          assert.ok(want.includes(res.status), `${role} ${label}: ${res.status} ${res.text.slice(0, 200)}`);
        } else if (want === 403) {
          expectProblem(res, 403, 'forbidden');
        } else {
          assert.equal(res.status, want, `${role} ${label}: ${res.text.slice(0, 300)}`);
        }
      });
    }
  }
});

describe('tokens', () => {
  it('no token: 401 with WWW-Authenticate; a token without a Tandem role: 403', async () => {
    const res = await sapi('GET', '/v1/playbooks');
    expectProblem(res, 401, 'unauthenticated');
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="tandem"/);
    expectProblem(await sapi('GET', '/v1/stats/strategy', { token: token({ roles: [] }) }), 403, 'forbidden');
  });
});
