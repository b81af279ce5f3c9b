// Starting an extra service process for a test (another database, a people
// service that does not answer), under the harness's wrapper (valgrind in
// make memcheck), logging into the run's log directory so that the harness
// checks its sanitizer and valgrind reports too.

import { spawn } from 'node:child_process';
import { openSync, closeSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { requireEnv } from './http.mjs';

// A TCP port free on 127.0.0.1 right now.
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

async function waitReady(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the extra service exited (${child.exitCode}) before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      // not yet listening
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

/**
 * Starts $TANDEM_TEST_<NAME>_BIN on a free port with the test JWT settings
 * plus @env; resolves when /readyz answers. Returns {url, stop()}, where
 * stop() sends SIGTERM and resolves with the exit code.
 */
export async function startExtra(name, env, label = 'extra') {
  const bin = requireEnv(`TANDEM_TEST_${name.toUpperCase()}_BIN`);
  const port = await freePort();
  const logDir = path.join(requireEnv('TANDEM_TEST_RUNDIR'), 'logs');
  mkdirSync(logDir, { recursive: true });
  const log = openSync(path.join(logDir, `${name}-${label}-${port}.log`), 'a');
  const wrapper = (process.env.TANDEM_TEST_SERVICE_WRAPPER ?? '').split(' ').filter(Boolean);
  const argv = [...wrapper, bin];
  const child = spawn(argv[0], argv.slice(1), {
    env: {
      ...process.env,
      TANDEM_PORT: String(port),
      TANDEM_LISTEN_ADDR: '127.0.0.1',
      TANDEM_JWT_SECRET: requireEnv('TANDEM_TEST_JWT_SECRET'),
      TANDEM_JWT_ISSUER: requireEnv('TANDEM_TEST_JWT_ISSUER'),
      TANDEM_JWT_AUDIENCE: requireEnv('TANDEM_TEST_JWT_AUDIENCE'),
      TANDEM_LOG_LEVEL: 'info',
      TANDEM_CLIENT_TIMEOUT_MS: '1000',
      ...env,
    },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await waitReady(`${url}/readyz`, child, wrapper.length > 0 ? 180000 : 30000);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    url,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
