// Admission answers kept in memory (shared/admcache.h, TANDEM_ADMISSION_TTL_MS):
// a partner's read in mentoring asks people's /v1/me once, then not again while
// the answer lives; a person who left is refused by people at once (its own
// write drops its cache) and by mentoring once the lifetime has passed.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectProblem, expectStatus, peopleUrl } from './lib/http.mjs';
import { adminToken, createPartner, tokenFor } from './lib/fixtures.mjs';
import { startExtra, scaled } from './lib/spawn.mjs';

const TTL_MS = 1500;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// GET /v1/me requests people has answered so far (its /metrics).
async function meCalls() {
  const res = await fetch(`${peopleUrl()}/metrics`);
  let n = 0;
  for (const line of (await res.text()).split('\n')) {
    if (line.startsWith('tandem_http_requests_total{') && line.includes('route="/v1/me"')) {
      n += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return n;
}

describe('admission answers in memory', () => {
  let mentoring;
  before(async () => {
    mentoring = await startExtra('mentoring', {
      TANDEM_PEOPLE_URL: peopleUrl(),
      TANDEM_ADMISSION_TTL_MS: scaled(TTL_MS),
    }, 'admission');
  });
  after(async () => {
    if (mentoring) assert.equal(await mentoring.stop(), 0);
  });

  const checklist = (p, tok) =>
    api('GET', `/v1/checklists/${p.id}`, { service: 'mentoring', base: mentoring.url, token: tok });

  it('a partner read asks /v1/me once while the answer lives', async () => {
    const p = await createPartner();
    const tok = tokenFor(p);
    const before0 = await meCalls();
    expectStatus(await checklist(p, tok), 200);
    const first = await meCalls();
    assert.equal(first, before0 + 1, 'the first read asks people who the caller is');
    for (let i = 0; i < 5; i++) expectStatus(await checklist(p, tok), 200);
    assert.equal(await meCalls(), first, 'the next reads within the lifetime do not');
  });

  it('a person who left is refused by people at once and by mentoring once the lifetime passes', async () => {
    const p = await createPartner();
    const tok = tokenFor(p);
    expectStatus(await api('GET', '/v1/me', { token: tok }), 200);
    expectStatus(await checklist(p, tok), 200);
    expectStatus(await api('PATCH', `/v1/people/${p.id}`, {
      token: adminToken(),
      body: { status: 'left' },
      headers: { 'If-Match': '"1"' },
    }), 200);
    expectProblem(await api('GET', '/v1/me', { token: tok }), 403, 'access-withdrawn');
    expectProblem(await api('GET', `/v1/people/${p.id}`, { token: tok }), 403, 'access-withdrawn');
    await sleep(scaled(TTL_MS) + 100);
    expectProblem(await checklist(p, tok), 403, 'access-withdrawn');
  });

  it('the first sign-in by e-mail links the subject once; later requests write nothing', async () => {
    const p = await createPartner({ external_id: undefined });
    const tok = tokenFor(p, ['partner'], { sub: `sso-${p.id}` });
    const me = expectStatus(await api('GET', '/v1/me', { token: tok }), 200).body;
    assert.equal(me.external_id, `sso-${p.id}`);
    assert.equal(me.version, 2, 'linking is one write');
    await sleep(scaled(TTL_MS) + 100);   // the next request asks the database again
    const again = expectStatus(await api('GET', '/v1/me', { token: tok }), 200).body;
    assert.equal(again.version, 2, 'an admission that finds the person linked writes nothing');
  });
});
