// Stand-ins for what the phases service talks to but that is not built yet,
// over real HTTP on loopback:
//
//  - startEvidenceStandIn(): a tiny HTTP server answering the agreed evidence
//    contracts of the mentoring service (GET /v1/evidence/mentoring/{id}?weeks=N)
//    and the strategy service (GET /v1/evidence/strategy/{id}) with what a test
//    sets per person; it records every request (path, headers) it gets.
//  - startPhases(env): a second phases instance (the real binary, under the
//    harness's wrapper: valgrind or none) on a free port, with its own
//    TANDEM_MENTORING_URL / TANDEM_STRATEGY_URL; stop() sends SIGTERM and
//    resolves with the exit status.

import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { requireEnv } from './http.mjs';

// A port free on 127.0.0.1 now (the kernel's choice).
export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * The evidence stand-in. answers.mentoring / answers.strategy map a person id
 * to what to answer: {body} (JSON, 200), {status, body}, {raw, contentType},
 * {delayMs, ...}. Unknown people get 404 problem+json.
 */
export async function startEvidenceStandIn() {
  const answers = { mentoring: new Map(), strategy: new Map() };
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://stand-in');
    const m = /^\/v1\/evidence\/(mentoring|strategy)\/([^/]+)$/.exec(url.pathname);
    requests.push({ method: req.method, path: url.pathname, query: url.search, headers: req.headers, service: m?.[1], person: m?.[2] });
    const a = m ? answers[m[1]].get(m[2]) : undefined;
    const reply = () => {
      if (!a) {
        res.writeHead(404, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ type: 'https://tandem.dev/problems/not-found', title: 'Not found', status: 404 }));
        return;
      }
      if (a.raw !== undefined) {
        res.writeHead(a.status ?? 200, { 'content-type': a.contentType ?? 'application/json' });
        res.end(a.raw);
        return;
      }
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(a.body));
    };
    if (a?.delayMs) setTimeout(reply, a.delayMs);
    else reply();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    answers,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

// The agreed mentoring evidence for @personId.
export const mentoringEvidence = (personId, { sessions = 0, weeks = 4, completions = 0, rate = 0, signedOff = false, mentorId = null } = {}) => ({
  person_id: personId,
  sessions_held: sessions,
  activity: { weeks, completions, rate_per_week: rate },
  mentor_signoff: {
    signed_off: signedOff,
    signed_off_at: signedOff ? '2026-03-01T10:00:00Z' : null,
    mentor_id: signedOff ? mentorId : null,
  },
});

// The agreed strategy evidence for @personId.
export const strategyEvidence = (personId, { sections = [], signedOff = false } = {}) => ({
  person_id: personId,
  playbook_sections_drafted: sections,
  integration_signed_off: signedOff,
  signed_off_at: signedOff ? '2026-03-02T10:00:00Z' : null,
});

async function waitReady(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the phases instance exited (${child.exitCode}) before it was ready`);
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the phases instance at ${url} was not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Starts another phases instance with @env on top of the test stack's
 * database, secret and people service. Returns {url, stop()}.
 */
export async function startPhases(env = {}) {
  const port = await freePort();
  const wrapper = (process.env.TANDEM_TEST_PHASES_WRAPPER ?? '').trim();
  const argv = [...(wrapper ? wrapper.split(/\s+/) : []), requireEnv('TANDEM_TEST_PHASES_BIN')];
  const logdir = process.env.TANDEM_TEST_LOGDIR ?? requireEnv('TANDEM_TEST_RUNDIR');
  const logfile = path.join(logdir, `phases-extra-${port}.log`);
  const fd = openSync(logfile, 'a');
  const child = spawn(argv[0], argv.slice(1), {
    env: {
      ...process.env,
      TANDEM_PORT: String(port),
      TANDEM_LISTEN_ADDR: '127.0.0.1',
      TANDEM_DATABASE_URL: requireEnv('TANDEM_TEST_DATABASE_URL'),
      TANDEM_JWT_SECRET: requireEnv('TANDEM_TEST_JWT_SECRET'),
      TANDEM_JWT_ISSUER: requireEnv('TANDEM_TEST_JWT_ISSUER'),
      TANDEM_JWT_AUDIENCE: requireEnv('TANDEM_TEST_JWT_AUDIENCE'),
      TANDEM_PEOPLE_URL: requireEnv('TANDEM_TEST_PEOPLE_URL'),
      TANDEM_DB_POOL_SIZE: '4',
      TANDEM_THREADS: '2',
      TANDEM_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url, child, wrapper ? 180000 : 30000);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${e.message} (log: ${logfile})`);
  }
  return {
    url,
    logfile,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
