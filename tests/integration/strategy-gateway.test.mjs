// The gateway routes the strategy service's prefixes to it: /v1/playbooks,
// /v1/business-strategy, /v1/integrations, /v1/evidence/strategy and
// /v1/stats/strategy; the answers are the service's own.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectProblem, expectStatus, gatewayUrl } from './lib/http.mjs';
import * as db from './lib/db.mjs';
import { cast, createPlaybook, integrate, publishStrategy, sapi } from './lib/strategy.mjs';

after(() => db.closeDb());

const GW = gatewayUrl();
const gw = (method, path, o = {}) => sapi(method, path, { ...o, base: GW });

let w;
before(async () => {
  w = await cast();
  await publishStrategy(w.tok.comms());
});

describe('strategy routes through the gateway', () => {
  it('every prefix reaches the strategy service, with the same answers', async () => {
    const pb = await createPlaybook(w.tok.partner());
    const i = await integrate(w.tok.partner(), pb.id);
    for (const [path, tok] of [
      [`/v1/playbooks/${pb.id}`, w.tok.partner()],
      ['/v1/playbooks', w.tok.partner()],
      [`/v1/playbooks/${pb.id}/revisions/1`, w.tok.mentor()],
      ['/v1/business-strategy', w.tok.partner()],
      ['/v1/business-strategy/coverage', w.tok.comms()],
      ['/v1/business-strategy/versions?limit=1', w.tok.comms()],
      [`/v1/integrations/${i.id}`, w.tok.comms()],
      [`/v1/evidence/strategy/${w.P.id}`, w.tok.mentor()],
      ['/v1/stats/strategy', w.tok.viewer()],
    ]) {
      const direct = expectStatus(await sapi('GET', path, { token: tok }), 200);
      const via = expectStatus(await gw('GET', path, { token: tok }), 200);
      assert.deepEqual(via.body, direct.body, path);
      // the same version; weak (W/) when the gateway gzipped the body
      assert.equal((via.headers.get('etag') ?? '').replace(/^W\//, ''), direct.headers.get('etag') ?? '');
    }
  });

  it('writes go through: a POST with its Location, a PATCH with If-Match', async () => {
    const res = expectStatus(await gw('POST', '/v1/playbooks', { token: w.tok.partner(), body: { programme_id: crypto.randomUUID() } }), 201);
    assert.equal(res.headers.get('location'), `/v1/playbooks/${res.body.id}`);
    const saved = expectStatus(await gw('PATCH', `/v1/playbooks/${res.body.id}`, {
      token: w.tok.partner(), body: { voice: 'Through the gateway.' }, headers: { 'If-Match': '"1"' },
    }), 200);
    assert.equal(saved.body.revision, 2);
  });

  it('problems come through: 403 mentoring-not-consulting, 404, X-Request-Id echoed', async () => {
    const pb = await createPlaybook(w.tok.partner());
    const rid = `gw-strategy-${Date.now()}`;
    const res = await gw('PATCH', `/v1/playbooks/${pb.id}`, { token: w.tok.mentor(), body: { voice: 'x' }, headers: { 'X-Request-Id': rid } });
    expectProblem(res, 403, 'mentoring-not-consulting');
    assert.equal(res.headers.get('x-request-id'), rid);
    expectProblem(await gw('GET', '/v1/integrations/00000000-0000-4000-8000-000000000000', { token: w.tok.comms() }), 404, 'not-found');
  });

  it('look-alike prefixes are not routed to the service', async () => {
    for (const path of ['/v1/playbooksx', '/v1/evidence/strategyx/1', '/v1/stats/strategies', '/v1/integration']) {
      const res = await gw('GET', path, { token: w.tok.admin(), invalid: true });
      expectProblem(res, 404, 'not-found');
      assert.equal(res.body.instance, undefined, `${path}: answered by the gateway itself, not a service`);
    }
  });
});
