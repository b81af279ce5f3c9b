// The web app in a real browser: Debian's chromium driven by npm
// playwright-core, against the built app (web/dist) served by an nginx gateway
// of this file's, in front of people, phases, mentoring and strategy
// instances that trust a local OpenID provider (web/dev/local-op.mjs, the one
// `make run` uses) and verify its RS256 tokens through discovery and JWKS.
// Every person signs in through that provider (authorization code + PKCE) in
// a fresh browser context; the data is made here through the harness's
// services (the same database).  Each role's view shows the data, offers only
// that role's controls, passes axe-core with no serious or critical violation,
// and is photographed into the test logs (web/*.png).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectStatus, requireEnv } from './lib/http.mjs';
import { createMentor, createPairing, createPartner, createPerson, tokenFor, uniq } from './lib/fixtures.mjs';
import { DEFAULT_PROGRAMME, enrol, overrideAdvance, ph } from './lib/phases.mjs';
import { createSession, holdSession, m } from './lib/mentoring.mjs';
import { createPlaybook, integrate, playbookBody, publishStrategy } from './lib/strategy.mjs';
import { freePort, startService } from './lib/spawn.mjs';
import * as db from './lib/db.mjs';
import { startLocalOp } from '../../web/dev/local-op.mjs';
import { CHROMIUM, launch, seriousViolations } from '../../web/test/browser.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RUN = uniq(3);
const AUDIENCE = 'urn:tandem:web-test';
const SHOTS = path.join(requireEnv('TANDEM_TEST_LOGDIR'), 'web');
const KEEP = path.join(ROOT, 'build/test-logs/web');
const SERVICES = ['people', 'phases', 'mentoring', 'strategy', 'notify'];
const dayFromToday = (d) => new Date(Date.now() + d * 86400000).toISOString().slice(0, 10);

let op;
let gw; // the gateway's base URL
let browser;
const inst = {};
const w = {}; // the people
const calls = {}; // API calls per view

// Starts nginx from deploy/nginx/tandem.conf.template with render_nginx_conf
// (deploy/local/lib.sh), recorded in the harness's run dir so that it is
// stopped even if this file dies.
function gateway(action, port) {
  const dir = path.join(requireEnv('TANDEM_TEST_RUNDIR'), `gateway-web-${RUN}`);
  const ups = SERVICES.map((s) => `${s}=127.0.0.1:${inst[s]?.port ?? 9}`);
  const script = action === 'start'
    ? 'source deploy/local/lib.sh && render_nginx_conf "$1" "$2" 65536 "$3" "${@:4}" && nginx_start "$1"'
    : 'source deploy/local/lib.sh && nginx_stop "$1"';
  const r = spawnSync('bash', ['-c', script, 'gw', dir, String(port), path.join(requireEnv('TANDEM_TEST_LOGDIR'), `gateway-web`), ...ups], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TANDEM_RUNDIR: requireEnv('TANDEM_TEST_RUNDIR'), TANDEM_WEB_OIDC_ISSUER: op?.issuer ?? '', TANDEM_WEB_OIDC_RESOURCE: '' },
    timeout: 20000,
  });
  assert.equal(r.status, 0, `gateway ${action}: ${r.stderr}`);
}

const persona = (p, what) => ({ sub: p.external_id, name: p.display_name, email: p.email, roles: p.roles, what });

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing (make deps installs Debian's chromium)`);
  assert.ok(existsSync(path.join(ROOT, 'web/dist/index.html')), 'web/dist is not built (make web)');
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync(KEEP, { recursive: true });

  // the people, their pairings, journeys, a held session, a pending integration
  w.A = await createPerson({ roles: ['admin'], display_name: `Lead ${RUN}` });
  w.M = await createMentor({ display_name: `Mentor ${RUN}` });
  w.P = await createPartner({ display_name: `Partner ${RUN}` });
  w.P2 = await createPartner({ display_name: `Integrator ${RUN}` });
  w.C = await createPerson({ roles: ['comms'], display_name: `Comms ${RUN}` });
  w.V = await createPerson({ roles: ['viewer'], display_name: `Viewer ${RUN}` });
  const mp = await createPairing(w.M, w.P);
  await createPairing(w.M, w.P2);
  w.e = await enrol(w.P);
  w.e2 = await enrol(w.P2);
  for (let i = 0; i < 4; i++) await overrideAdvance(w.e2.id); // P2 reaches integration
  w.session = await holdSession(await createSession(mp, tokenFor(w.M)), tokenFor(w.M));
  await publishStrategy(tokenFor(w.C));
  const pb = await createPlaybook(tokenFor(w.P2), playbookBody(DEFAULT_PROGRAMME));
  w.integration = await integrate(tokenFor(w.P2), pb.id);

  op = await startLocalOp({
    audience: AUDIENCE,
    redirects: [`http://127.0.0.1:${(w.gwPort = await freePort())}/`],
    people: [persona(w.A, 'lead'), persona(w.M, 'mentor'), persona(w.P, 'partner'), persona(w.P2, 'partner'), persona(w.C, 'comms'), persona(w.V, 'viewer')],
  });
  const ports = Object.fromEntries(await Promise.all(SERVICES.map(async (s) => [s, await freePort()])));
  const peers = Object.fromEntries(SERVICES.map((s) => [`TANDEM_${s.toUpperCase()}_URL`, `http://127.0.0.1:${ports[s]}`]));
  await Promise.all(SERVICES.map(async (s) => {
    inst[s] = await startService(s, {
      name: `${s}-web-${RUN}`,
      port: ports[s],
      env: {
        TANDEM_JWT_ALG: 'RS256', TANDEM_JWT_SECRET: null, TANDEM_JWT_ISSUER: null, TANDEM_OIDC_ISSUER: op.issuer,
        TANDEM_JWT_AUDIENCE: AUDIENCE, TANDEM_THREADS: 2, TANDEM_DB_POOL_SIZE: 4, ...peers,
      },
    });
  }));
  await Promise.all(SERVICES.map((s) => inst[s].waitReady()));
  gateway('start', w.gwPort);
  gw = `http://127.0.0.1:${w.gwPort}`;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (gw) gateway('stop');
  const codes = await Promise.all(SERVICES.map(async (s) => (inst[s] ? (await inst[s].stop()).code : 0)));
  await op?.stop();
  await db.closeDb();
  if (Object.keys(calls).length) console.log(`# web: API calls per view ${JSON.stringify(calls)}`);
  assert.deepEqual(codes, SERVICES.map(() => 0), 'the web test instances exit 0 on SIGTERM');
});

// Signs @person in through the provider's page in a fresh context; resolves
// once the view has loaded, with the page.
async function signIn(person, heading) {
  const page = await browser.page();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  await page.goto(`${gw}/`);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByText('LOCAL provider').waitFor();
  await page.getByRole('button', { name: `Sign in as ${person.display_name}` }).click();
  await page.getByRole('heading', { name: heading }).waitFor({ timeout: 15000 });
  await page.waitForFunction(() => !document.querySelector('main').innerText.includes('Loading…'), null, { timeout: 15000 });
  await page.getByText(`Signed in as ${person.display_name}`).waitFor();
  page.errors = errors;
  return page;
}

async function check(page, name) {
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  copyFileSync(file, path.join(KEEP, `${name}.png`));
  const bad = await seriousViolations(page);
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), [], `${name}: axe-core serious or critical violations`);
  calls[name] = await page.evaluate(() => window.__tandemCalls.n);
  assert.deepEqual(page.errors.filter((e) => !/favicon/.test(e)), [], `${name}: no errors in the page (CSP or script)`);
}

// Controls that belong to one role each; a view shows only its own.
const CONTROLS = {
  shift: (p) => p.getByRole('button', { name: 'Shift the date' }),
  writeUp: (p) => p.getByRole('button', { name: 'Record the write-up' }),
  signOff: (p) => p.getByRole('button', { name: /^(Sign off|Review) / }),
  attention: (p) => p.getByRole('heading', { name: /^Needs attention/ }),
};
async function onlyControls(page, mine) {
  for (const [k, loc] of Object.entries(CONTROLS)) {
    if (!mine.includes(k)) assert.equal(await loc(page).count(), 0, `${k} is not offered here`);
  }
}

describe('the web app in Chromium, signed in through the OpenID provider', () => {
  it('serves the app with a strict Content-Security-Policy and its sign-in settings', async () => {
    const res = await fetch(`${gw}/`);
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.ok(csp.includes(`connect-src 'self' ${op.issuer}`), csp);
    const cfg = await (await fetch(`${gw}/config.json`)).json();
    assert.equal(cfg.issuer, op.issuer);
    const miss = await fetch(`${gw}/no-such-page`);
    assert.equal(miss.status, 404, 'other paths keep the problem+json 404');
  });

  it("the lead sees the funnel, pace, attention list and trends, and drills down to a partner's journey", async () => {
    const page = await signIn(w.A, 'Programme dashboard');
    await page.getByRole('figure', { name: 'Partners per phase (the funnel)' }).waitFor();
    await page.getByRole('figure', { name: 'Operational journeys, week by week' }).waitFor();
    await onlyControls(page, ['attention']);
    await check(page, 'lead');
    // drill down: partners in integration, then one journey (the partner may be beyond the first 500)
    await page.getByRole('button', { name: /^Integration: \d+: show who/ }).click();
    await page.getByRole('heading', { name: /^Partners in Integration/ }).waitFor();
    const row = page.getByRole('button', { name: w.P2.display_name });
    if (await row.count()) {
      await row.click();
      await page.getByRole('heading', { name: `${w.P2.display_name}'s journey` }).waitFor();
      assert.equal(await page.getByTestId('journey-status').textContent(), 'active');
    }
    await page.context().close();
  });

  it('the viewer sees the aggregate charts only, with tables', async () => {
    const page = await signIn(w.V, 'Programme at a glance');
    await page.getByRole('figure', { name: 'Pace across the programme' }).waitFor();
    assert.ok(await page.getByRole('table').count() >= 2, 'tables beside the charts');
    await onlyControls(page, []);
    assert.equal(await page.getByRole('button', { name: /show who/ }).count(), 0, 'no drill-down to people');
    await check(page, 'viewer');
    await page.context().close();
  });

  it('a partner shifts a target date with a reason and sees it', async () => {
    const page = await signIn(w.P, 'My programme');
    await page.getByRole('heading', { name: 'My journey' }).waitFor();
    await onlyControls(page, ['shift']);
    await check(page, 'partner');
    const date = dayFromToday(40);
    await page.getByLabel('Phase').selectOption('research');
    await page.getByLabel('New target date').fill(date);
    await page.getByLabel('Reason').fill('a busy quarter');
    await page.getByRole('button', { name: 'Shift the date' }).click();
    await page.getByText(`Target for research moved to ${date}.`).waitFor();
    await page.getByTestId('target-research').filter({ hasText: date }).waitFor();
    const e = expectStatus(await ph('GET', `/v1/enrolments/${w.e.id}`, { token: tokenFor(w.P) }), 200).body;
    assert.equal(e.phases.find((x) => x.key === 'research').target_date, date);
    await page.context().close();
  });

  it('a mentor sees their partners and records a write-up against the guidelines', async () => {
    const page = await signIn(w.M, 'My partners');
    await page.getByRole('rowheader', { name: w.P.display_name }).waitFor();
    await onlyControls(page, ['writeUp']);
    await check(page, 'mentor');
    const notes = `We looked at the first posts (${RUN}).`;
    await page.getByLabel('Shared notes (the partner reads them)').fill(notes);
    await page.getByRole('button', { name: 'Record the write-up' }).click();
    await page.getByText(/^Write-up recorded/).waitFor();
    const s = expectStatus(await m('GET', `/v1/sessions/${w.session.id}`, { token: tokenFor(w.M) }), 200).body;
    assert.equal(s.write_up.shared_notes, notes);
    assert.ok(Object.values(s.write_up.guideline_adherence).every((v) => v === true));
    await page.context().close();
  });

  it("comms signs off an integration, and the partner's journey shows operational", async () => {
    // comms read the names of the partners whose integrations they review (GET /v1/people/names)
    const who = w.P2.display_name;
    const page = await signIn(w.C, 'Integrations');
    await page.getByRole('article', { name: `Integration of ${who}` }).waitFor();
    await onlyControls(page, ['signOff']);
    await check(page, 'comms');
    await page.getByRole('button', { name: `Review ${who}` }).click();
    await page.getByText(/^alignment \d+ of 100 with business strategy/).first().waitFor();
    await page.getByRole('button', { name: `Sign off ${who}` }).click();
    await page.getByRole('article', { name: `Integration of ${who}` }).waitFor({ state: 'detached' });
    await page.context().close();

    // The sign-off completes the integration phase's gate.  Phases moves the
    // journey on from strategy's event (consequence 4, events-follow.test.mjs);
    // if its follower has not yet, the lead advances it, the gate now met.
    const admin = op.mint(w.A.external_id, ['admin'], w.A.email, 300);
    const now = await (await fetch(`${gw}/v1/enrolments/${w.e2.id}`, { headers: { authorization: `Bearer ${admin}` } })).json();
    if (now.status !== 'operational') {
      const r = await fetch(`${gw}/v1/enrolments/${w.e2.id}/advance`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
      assert.equal(r.status, 200, `the gate is met after the sign-off: ${await r.text()}`);
    }
    const partner = await signIn(w.P2, 'My programme');
    await partner.getByTestId('journey-status').filter({ hasText: 'operational' }).waitFor();
    await check(partner, 'partner-operational');
    await partner.context().close();
  });
});

// The lead's dashboard with 10,000 more enrolments in the database (rows as
// the phases service writes them, inserted with SQL as deploy/local/bench.sh
// does): it renders, and the time it takes is reported (a figure, not a
// verdict: a loaded machine must not fail the suite).  Last in this file, the
// last file of the suite: nothing after it counts rows.
describe('the lead dashboard with 10,000 enrolments', () => {
  const N = Number(process.env.TANDEM_WEB_BENCH_ENROLMENTS || 10000);
  before(async () => {
    await db.query(`
      INSERT INTO people.person (external_id, email, display_name, business_unit, roles, purpose, vision)
      SELECT 'webbench-${RUN}-' || g, 'webbench-${RUN}-' || g || '@example.com', 'Bench Partner ' || g,
             (ARRAY['Audit', 'Tax', 'Consulting', 'Deals', 'Legal'])[1 + g % 5], ARRAY['partner'],
             'Purpose of bench partner ' || g, 'Vision of bench partner ' || g
        FROM generate_series(1, ${N}) AS g`);
    await db.query(`
      INSERT INTO phases.enrolment (person_id, programme_id, programme_version, business_unit, status,
                                    current_position, enrolled_at, last_progress_at, paused_at, ended_at)
      SELECT p.id, $1, 1, p.business_unit, b.status, b.pos,
             now() - make_interval(days => b.pos * 40 + (p.seq % 17)::int),
             now() - make_interval(days => (p.seq % 45)::int),
             CASE WHEN b.status = 'paused' THEN now() - interval '3 days' END,
             CASE WHEN b.status IN ('operational', 'withdrawn') THEN now() - interval '1 day' END
        FROM people.person p
        CROSS JOIN LATERAL (SELECT CASE WHEN p.seq % 25 = 1 THEN 'operational' WHEN p.seq % 20 = 0 THEN 'paused'
                                        WHEN p.seq % 33 = 2 THEN 'withdrawn' ELSE 'active' END AS status,
                                   CASE WHEN p.seq % 25 = 1 THEN 5 ELSE 1 + (p.seq % 5)::int END AS pos) AS b
       WHERE p.external_id LIKE 'webbench-${RUN}-%'`, [DEFAULT_PROGRAMME]);
    await db.query(`
      INSERT INTO phases.enrolment_phase (enrolment_id, position, key, name, guide_days, stall_days, status,
                                          entered_at, completed_at, target_date)
      SELECT e.id, x.position, x.key, x.name, x.guide_days, x.stall_days,
             CASE WHEN x.position < e.current_position OR e.status = 'operational' THEN 'completed'
                  WHEN x.position = e.current_position THEN 'in_progress' ELSE 'not_started' END,
             CASE WHEN x.position <= e.current_position THEN e.enrolled_at + make_interval(days => (x.position - 1) * 40) END,
             CASE WHEN x.position < e.current_position OR e.status = 'operational'
                  THEN e.enrolled_at + make_interval(days => (x.position - 1) * 40 + 10 + (e.seq % 29)::int) END,
             CASE WHEN e.seq % 3 = 0 THEN (now() + make_interval(days => x.position * 30 - (e.seq % 50)::int))::date END
        FROM phases.enrolment e
        JOIN people.person p ON p.id = e.person_id AND p.external_id LIKE 'webbench-${RUN}-%'
        CROSS JOIN LATERAL (SELECT (v->>'position')::int AS position, v->>'key' AS key, v->>'name' AS name,
                                   (v->>'guide_days')::int AS guide_days, (v->>'stall_days')::int AS stall_days
                              FROM phases.programme_version pv, jsonb_array_elements(pv.phases) AS v
                             WHERE pv.programme_id = e.programme_id AND pv.version = e.programme_version) AS x`);
    await db.query('ANALYZE people.person; ANALYZE phases.enrolment; ANALYZE phases.enrolment_phase');
  });

  it(`renders the funnel, pace and attention list; the time is reported`, async () => {
    const total = Number((await db.query("SELECT count(*) AS n FROM phases.enrolment WHERE status <> 'withdrawn'"))[0].n);
    let page;
    const runs = [];
    for (let i = 0; i < 3; i++) { // three sign-ins, each a fresh browser context: the median is reported
      await page?.context().close();
      page = await signIn(w.A, 'Programme dashboard');
      await page.getByRole('figure', { name: 'Partners per phase (the funnel)' }).waitFor();
      await page.getByRole('heading', { name: /^Needs attention/ }).waitFor();
      runs.push(await page.evaluate(() => ({
        ms: Math.round(performance.now() - window.__tandemCalls.viewStart),
        n: window.__tandemCalls.n,
        bytes: performance.getEntriesByType('resource').filter((r) => r.name.includes('/v1/'))
          .reduce((s, r) => s + r.transferSize, 0),
        page500: performance.getEntriesByType('resource').filter((r) => r.name.includes('/v1/enrolments?'))
          .map((r) => `${Math.round(r.decodedBodySize / 1024)} KB, ${Math.round(r.transferSize / 1024)} KB gzipped`)[0],
        slowest: performance.getEntriesByType('resource').filter((r) => r.name.includes('/v1/'))
          .sort((a, b) => b.duration - a.duration).slice(0, 4)
          .map((r) => `${new URL(r.name).pathname.replace(/^\/v1\//, '')} ${Math.round(r.duration)} ms`).join(', '),
      })));
    }
    const t = [...runs].sort((a, b) => a.ms - b.ms)[1];
    console.log(`# web: lead dashboard with ${total} enrolments: rendered in ${runs.map((r) => r.ms).join(', ')} ms (median ${t.ms}) from the view starting to load; ${t.n} API calls, ${Math.round(t.bytes / 1024)} KB of API responses on the wire (the page of 500 active enrolments: ${t.page500}); slowest calls: ${t.slowest}`);
    // What the names cost, side by side through the gateway: the 500 partners of
    // the first page of active journeys by GET /v1/people/names (5 calls of 100
    // at once, what the view does) against paging through every partner (the
    // view's former way: up to 20 pages of 500 one after the other).
    const admin = op.mint(w.A.external_id, ['admin'], w.A.email, 300);
    const gwGet = async (p) => {
      const r = await fetch(`${gw}${p}`, { headers: { authorization: `Bearer ${admin}` } });
      assert.equal(r.status, 200, p);
      return r.json();
    };
    const active = await gwGet('/v1/enrolments?status=active&limit=500');
    const ids = [...new Set(active.items.map((e) => e.person_id))];
    let t0 = performance.now();
    await Promise.all(Array.from({ length: Math.ceil(ids.length / 100) }, (_, i) =>
      gwGet(`/v1/people/names?ids=${ids.slice(i * 100, i * 100 + 100).join(',')}`)));
    const byNames = Math.round(performance.now() - t0);
    t0 = performance.now();
    let cursor = null;
    let pages = 0;
    do {
      const pg = await gwGet(`/v1/people?role=partner&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      cursor = pg.next_cursor;
      pages++;
    } while (cursor && pages < 20);
    console.log(`# web: names of the ${ids.length} partners on the lead's first page: ${byNames} ms with /v1/people/names, ${Math.round(performance.now() - t0)} ms paging through ${pages} pages of partners`);
    // the funnel counts the seeded journeys ("Research: 2,001: show who")
    const labels = await page.getByRole('figure', { name: 'Partners per phase (the funnel)' }).getByRole('button')
      .evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label')));
    const counted = labels.reduce((s, l) => s + Number((/: ([\d,]+): show who$/.exec(l)?.[1] ?? '0').replace(/,/g, '')), 0);
    assert.ok(counted >= N * 0.8, `the funnel counts ${counted} partners (${labels.join('; ')}), ${total} enrolments not withdrawn`);
    await page.context().close();
  });
});
