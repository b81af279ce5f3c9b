// Admission answers kept in memory (shared/admcache.h, TANDEM_ADMISSION_TTL_MS):
// a partner's read in mentoring asks people's /v1/me once, then not again while
// the answer lives; a person who left is refused by people at once (its own
// write drops its cache) and by mentoring once the lifetime has passed.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectProblem, expectStatus, peopleUrl } from './lib/http.mjs';
import { adminToken, createPartner, createPerson, tokenFor } from './lib/fixtures.mjs';
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

// SQL statements the service at @base has run on its pool (its /metrics).
async function statements(base) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('tandem_db_statements_total{'));
  assert.ok(line, 'mentoring counts its statements in /metrics');
  return Number(line.slice(line.lastIndexOf(' ') + 1));
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

  it('a cached partner read runs one statement: the read itself (issue 16)', async () => {
    const p = await createPartner();
    const tok = tokenFor(p);
    expectStatus(await checklist(p, tok), 200);   // /v1/me and the withdrawn subjects cached
    const N = 20;
    const before0 = await statements(mentoring.url);
    for (let i = 0; i < N; i++) expectStatus(await checklist(p, tok), 200);
    const ran = (await statements(mentoring.url)) - before0;
    // the read's own statement each time; at most a few for the once-a-second check
    // of the withdrawn subjects (the old per-request lookup made it 2 N)
    assert.ok(ran >= N && ran <= N + 3, `${N} cached partner reads ran ${ran} statements`);
  });

  it('on a replica that does not follow people, a withdrawal still takes effect within 5 s, and a reinstatement', async () => {
    // an admin reads guidelines without asking people who they are: only the
    // withdrawn subjects (the other replica follows the feed) can refuse them
    const a = await createPerson({ roles: ['admin'] });
    const tok = tokenFor(a);
    const read = () => api('GET', '/v1/guidelines', { service: 'mentoring', base: mentoring.url, token: tok });
    expectStatus(await read(), 200);
    const patch = async (status) => expectStatus(await api('PATCH', `/v1/people/${a.id}`, {
      token: adminToken(), body: { status },
    }), 200);
    for (const [status, want] of [['left', 403], ['active', 200]]) {
      await patch(status);
      const since = Date.now();
      let res;
      for (let i = 0; i < 100; i++) {
        res = await read();
        if (res.status === want || Date.now() - since > scaled(5000)) break;
        await sleep(100);
      }
      if (want === 403) expectProblem(res, 403, 'access-withdrawn');
      else expectStatus(res, 200);
      assert.ok(Date.now() - since <= scaled(5000), `${status}: ${want} only after ${Date.now() - since} ms`);
    }
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
