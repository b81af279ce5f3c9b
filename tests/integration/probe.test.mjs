// tools/tandem-probe: the images' HEALTHCHECK.  It reads the service's own
// TANDEM_LISTEN_ADDR and TANDEM_PORT, GETs a path and exits 0 only on a 200.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { peopleUrl } from './lib/http.mjs';

const BIN = process.env.TANDEM_TEST_PROBE_BIN;
const people = new URL(peopleUrl());

// Runs the probe with @env (and nothing else from ours); resolves {code, stderr}.
function probe(args, env) {
  return new Promise((resolve) => {
    execFile(BIN, args, { env, timeout: 10000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? (err.code ?? -1) : 0, stderr });
    });
  });
}

// A loopback port with nothing listening on it.
function closedPort() {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const at = (port, addr = '127.0.0.1') => ({ TANDEM_LISTEN_ADDR: addr, TANDEM_PORT: String(port) });

describe('tandem-probe', { skip: !BIN && 'TANDEM_TEST_PROBE_BIN is not set' }, () => {
  it('exits 0 when /healthz answers 200', async () => {
    assert.deepEqual(await probe([], at(people.port)), { code: 0, stderr: '' });
  });

  it('probes a wildcard listen address on loopback, and any path', async () => {
    assert.equal((await probe(['/readyz'], at(people.port, '0.0.0.0'))).code, 0);
  });

  it('exits 1 and says why on a status other than 200', async () => {
    const r = await probe(['/no-such-route'], at(people.port));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\/no-such-route answered 'HTTP\/1\.1 404/);
  });

  it('exits 1 when nothing listens', async () => {
    const r = await probe([], at(await closedPort()));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /connect to 127\.0\.0\.1 port \d+: Connection refused/);
  });

  it('exits 2 on a missing or bad TANDEM_PORT, a bad address or a bad path', async () => {
    assert.equal((await probe([], {})).code, 2);
    assert.equal((await probe([], { TANDEM_PORT: '80x' })).code, 2);
    assert.equal((await probe([], { TANDEM_PORT: '70000' })).code, 2);
    assert.equal((await probe(['healthz'], at(people.port))).code, 2);
    assert.equal((await probe(['/a b'], at(people.port))).code, 2);
    assert.equal((await probe(['/healthz', 'extra'], at(people.port))).code, 2);
    const r = await probe([], at(people.port, 'people.example'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not an IP address/);
  });
});
