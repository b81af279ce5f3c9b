// Second instances of the people service for the tests that start, stop and
// break services themselves (migrations.test.mjs, resilience.test.mjs), and
// scratch databases for them.
//
// startPeople() runs TANDEM_TEST_PEOPLE_BIN (through TANDEM_TEST_SERVICE_WRAPPER
// when the harness sets one, e.g. valgrind), records it in
// $TANDEM_TEST_RUNDIR/pids/NAME.pid so that the harness stops it should the
// test crash, and keeps its stdout and stderr (also appended to
// $TANDEM_TEST_RUNDIR/logs/NAME.log, which the harness scans for sanitizer
// reports and keeps on failure).

import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { requireEnv } from './http.mjs';

// Timeouts grow under a wrapper (valgrind is 20-50 times slower).
export const WRAPPED = (process.env.TANDEM_TEST_SERVICE_WRAPPER ?? '').trim() !== '';
export const SLOW = WRAPPED ? 6 : 1;
export const scaled = (ms) => ms * SLOW;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A TCP port nothing listens on right now (the kernel's pick for port 0).
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// The environment of a service instance on @port: the harness's settings,
// @env on top (a null value removes a variable).
export function serviceEnv(port, env = {}) {
  const out = { ...process.env };
  for (const k of Object.keys(out)) if (k.startsWith('TANDEM_')) delete out[k];
  Object.assign(out, {
    TANDEM_PORT: String(port),
    TANDEM_LISTEN_ADDR: '127.0.0.1',
    TANDEM_DATABASE_URL: requireEnv('TANDEM_TEST_DATABASE_URL'),
    TANDEM_JWT_SECRET: requireEnv('TANDEM_TEST_JWT_SECRET'),
    TANDEM_JWT_ISSUER: requireEnv('TANDEM_TEST_JWT_ISSUER'),
    TANDEM_JWT_AUDIENCE: requireEnv('TANDEM_TEST_JWT_AUDIENCE'),
    TANDEM_LOG_LEVEL: 'info',
  });
  if (process.env.TANDEM_TEST_MAX_BODY) out.TANDEM_MAX_BODY_BYTES = process.env.TANDEM_TEST_MAX_BODY;
  for (const [k, v] of Object.entries(env)) {
    if (v === null || v === undefined) delete out[k];
    else out[k] = String(v);
  }
  return out;
}

export const peopleEnv = serviceEnv;

// The harness's four services as an instance's peers (TANDEM_<NAME>_URL).
export const suitePeers = () => ({
  TANDEM_PEOPLE_URL: requireEnv('TANDEM_TEST_PEOPLE_URL'),
  TANDEM_PHASES_URL: requireEnv('TANDEM_TEST_PHASES_URL'),
  TANDEM_MENTORING_URL: requireEnv('TANDEM_TEST_MENTORING_URL'),
  TANDEM_STRATEGY_URL: requireEnv('TANDEM_TEST_STRATEGY_URL'),
});

/**
 * Starts an instance of @service (build/bin/tandem-<service>, beside the
 * people binary the harness names).
 * @param {string} service  "people", "phases", ...
 * @param {object} o
 * @param {string} o.name   pid file and log name (unique per instance)
 * @param {object} [o.env]  variables over serviceEnv()'s
 * @param {number} [o.port] default: a free port
 * @returns {Promise<Instance>}
 */
export async function startService(service, { name, env = {}, port } = {}) {
  const rundir = requireEnv('TANDEM_TEST_RUNDIR');
  const bin = path.join(path.dirname(requireEnv('TANDEM_TEST_PEOPLE_BIN')), `tandem-${service}`);
  port = port ?? (await freePort());
  const wrap = (process.env.TANDEM_TEST_SERVICE_WRAPPER ?? '').split(/\s+/).filter(Boolean);
  const [cmd, ...args] = [...wrap, bin];
  mkdirSync(path.join(rundir, 'pids'), { recursive: true });
  mkdirSync(path.join(rundir, 'logs'), { recursive: true });
  // EACCES/ETXTBSY: the binary is being relinked right now (a make running
  // beside the tests); it is back within moments.
  for (let attempt = 1; ; attempt++) {
    const child = spawn(cmd, args, { env: serviceEnv(port, env), stdio: ['ignore', 'pipe', 'pipe'] });
    const err = await new Promise((resolve) => {
      child.once('spawn', () => resolve(null));
      child.once('error', resolve);
    });
    if (!err) return new Instance(name, port, child, rundir, service);
    if (!['EACCES', 'ETXTBSY', 'ENOENT'].includes(err.code) || attempt >= 20) {
      throw new Error(`cannot start ${[cmd, ...args].join(' ')}: ${err.message}`, { cause: err });
    }
    await sleep(250);
  }
}

// Starts a people instance (see startService).
export function startPeople(o = {}) {
  return startService('people', o);
}

// Starts @service as an extra instance named after @label and waits until it
// is ready; stop() resolves to its exit code.
export async function startExtra(service, env, label = 'extra') {
  const instance = await startService(service, { name: `${service}-${label}`, env });
  await instance.waitReady();
  return { url: instance.url, instance, stop: async () => (await instance.stop()).code };
}

export class Instance {
  constructor(name, port, child, rundir, service = 'people') {
    this.name = name;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.child = child;
    this.stdout = '';
    this.stderr = '';
    this.exit = null; // {code, signal} once it has exited
    this.pidFile = path.join(rundir, 'pids', `${name}.pid`);
    this.logFile = path.join(rundir, 'logs', `${name}.log`);
    if (child.pid !== undefined) writeFileSync(this.pidFile, `${child.pid}\ntandem-${service}\n`);
    const keep = (which) => (chunk) => {
      const s = chunk.toString('utf8');
      this[which] += s;
      try {
        appendFileSync(this.logFile, s);
      } catch {
        // the log is a convenience; the test has the text
      }
    };
    child.on('error', (e) => {
      this.stderr += `\n[${e.message}]`; // a failed kill(): the test sees the process still running
    });
    child.stdout.on('data', keep('stdout'));
    child.stderr.on('data', keep('stderr'));
    // 'close': the process has exited and its output is all read
    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        this.exit = { code, signal };
        rmSync(this.pidFile, { force: true });
        resolve(this.exit);
      });
    });
  }

  get running() {
    return this.exit === null;
  }

  // The tail of what it wrote, for assertion messages.
  output(n = 1500) {
    const tail = (s) => (s.length > n ? `...${s.slice(-n)}` : s);
    return `[${this.name} on port ${this.port}, exit ${JSON.stringify(this.exit)}]\n` +
      `--- stderr:\n${tail(this.stderr)}\n--- stdout:\n${tail(this.stdout)}`;
  }

  // Resolves to {code, signal} when it exits within @ms, else null.
  async waitExit(ms) {
    let timer;
    const timeout = new Promise((r) => {
      timer = setTimeout(() => r(null), ms);
    });
    const res = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    return res;
  }

  // Polls GET /readyz until 200; throws (with its output) when it exits
  // first or @ms pass.
  async waitReady(ms = scaled(20000)) {
    const deadline = Date.now() + ms;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited before it was ready\n${this.output()}`);
      try {
        const res = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(2000) });
        await res.text();
        if (res.status === 200) return;
        last = `status ${res.status}`;
      } catch (e) {
        last = e.cause?.code ?? e.message;
      }
      await sleep(100);
    }
    throw new Error(`${this.name} not ready within ${ms} ms (last: ${last})\n${this.output()}`);
  }

  // SIGTERM; resolves to {code, signal, ms} once it exited, SIGKILLs it
  // after @ms (and then says timedOut).
  async stop(ms = scaled(15000)) {
    if (!this.running) return { ...this.exit, ms: 0 };
    const t0 = Date.now();
    this.child.kill('SIGTERM');
    const res = await this.waitExit(ms);
    if (res) return { ...res, ms: Date.now() - t0 };
    this.kill();
    await this.exited;
    return { ...this.exit, ms: Date.now() - t0, timedOut: true };
  }

  // SIGKILL, for clean-up after a failed test.
  kill() {
    if (this.running) this.child.kill('SIGKILL');
  }
}

// ---- scratch databases -----------------------------------------------------

// A client on TANDEM_TEST_DATABASE_URL (or on database @dbname of that server).
export async function pgClient(dbname) {
  const client = new pg.Client({ connectionString: dbUrl(dbname), connectionTimeoutMillis: 10000 });
  await client.connect();
  return client;
}

// TANDEM_TEST_DATABASE_URL with another database name.
export function dbUrl(dbname) {
  const url = new URL(requireEnv('TANDEM_TEST_DATABASE_URL'));
  if (dbname) url.pathname = `/${dbname}`;
  return url.toString();
}

async function admin(sql) {
  const client = await pgClient();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// Creates an empty database tandem_mig_<random>; returns {name, url}.
export async function createScratchDb() {
  const name = `tandem_mig_${randomBytes(5).toString('hex')}`;
  try {
    await admin(`CREATE DATABASE ${name}`);
  } catch (e) {
    if (e.code === '42501') {
      throw new Error(
        'role tandem may not create databases: the test cluster must create it with CREATEDB (deploy/local/lib.sh)',
        { cause: e },
      );
    }
    throw e;
  }
  return { name, url: dbUrl(name) };
}

// Drops a scratch database, ending whatever sessions it still has.  Not WITH
// (FORCE): that refuses (42501) when an autovacuum worker is in the database,
// which is not this role's to end, while a plain DROP DATABASE cancels
// autovacuum itself; so this role's own sessions are ended first, and the drop
// is tried again while one is still going (55006) or reconnecting.
export async function dropScratchDb(name) {
  if (!/^tandem_mig_[0-9a-f]+$/.test(name)) throw new Error(`not a scratch database: ${name}`);
  for (let attempt = 1; ; attempt++) {
    try {
      await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE datname = '${name}' AND backend_type = 'client backend' AND pid <> pg_backend_pid()`);
      await admin(`DROP DATABASE IF EXISTS ${name}`);
      return;
    } catch (e) {
      if (attempt >= 20 || !['55006', '42501'].includes(e.code)) throw e;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
