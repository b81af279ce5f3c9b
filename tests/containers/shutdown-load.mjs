// tests/containers/shutdown-load.mjs: the load of the graceful-shutdown test
// (tests/containers/run.sh).  Keeps CONNS keep-alive connections busy against
// one service, alternating a write (POST /v1/people) and a read (a page of
// people), until the service is gone or the time is up, and prints one JSON
// summary line.
//
//   node shutdown-load.mjs URL TOKEN TAG CONNS MAX_MS
//
// SIGUSR1 marks the moment the service is sent SIGTERM: a transport error
// (refused, reset) before it is a failure; after it, it is how a stopped
// service looks from outside.  So that requests are surely in flight at that
// moment, SLOW writes send their headers and half their body at the start and
// the rest only a second after SIGUSR1: the service must wait for them and
// answer them.  The summary carries every status seen (before/after SIGTERM),
// the slow writes' statuses, the ids of the people created (201s), transport
// errors by code, and how many requests were answered after SIGTERM.  TAG goes
// into every e-mail address, so the test can count the rows this run wrote.
import http from 'node:http';
import net from 'node:net';

const [url, token, tag, connsArg, maxMsArg] = process.argv.slice(2);
if (!url || !token || !tag) {
  console.error('usage: node shutdown-load.mjs URL TOKEN TAG [CONNS] [MAX_MS]');
  process.exit(2);
}
const CONNS = Number(connsArg ?? 16);
const MAX_MS = Number(maxMsArg ?? 15000);
const MAX_REQUESTS = 200000;
const SLOW = 4;
const SLOW_REST_AFTER_MS = 1000;
const STOP_AFTER_DOWN_MS = 1500; // keep trying this long after the first error post-SIGTERM

const base = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: CONNS });
const started = Date.now();
let sigtermAt = 0;
let firstDownAt = 0;
let sent = 0;
const summary = {
  statuses: { before: {}, after: {} },
  created: [],
  errors: { before: {}, after: {} },
  answered_after_sigterm: 0,
  requests: 0,
  slow: {},
};
const slowRests = [];
const sendSlowRests = () => slowRests.splice(0).forEach((f) => f());

process.on('SIGUSR1', () => {
  sigtermAt = Date.now();
  setTimeout(sendSlowRests, SLOW_REST_AFTER_MS);
});

function bump(obj, key) {
  obj[key] = (obj[key] ?? 0) + 1;
}

function request(method, path, body) {
  return new Promise((resolve) => {
    const data = body ? JSON.stringify(body) : null;
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        agent,
        timeout: 10000,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {}),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
        res.on('error', (e) => resolve({ error: e.code ?? e.message }));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e) => resolve({ error: e.code ?? e.message }));
    if (data) req.write(data);
    req.end();
  });
}

// A POST whose body arrives in two halves: the second once sendSlowRests runs.
function slowPost(i) {
  return new Promise((resolve) => {
    const body = JSON.stringify({
      email: `load-${tag}-slow-${i}@example.com`,
      display_name: `Load ${tag} slow ${i}`,
      roles: ['partner'],
    });
    const half = body.length >> 1;
    let data = '';
    const sock = net.connect({ host: base.hostname, port: Number(base.port) }, () => {
      sock.write(
        `POST /v1/people HTTP/1.1\r\nHost: ${base.host}\r\nAuthorization: Bearer ${token}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n` +
          body.slice(0, half),
      );
      slowRests.push(() => sock.write(body.slice(half)));
    });
    sock.setTimeout(30000, () => sock.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    sock.on('data', (c) => (data += c));
    sock.on('error', (e) => resolve({ error: e.code ?? e.message }));
    sock.on('close', () => {
      const m = /^HTTP\/1\.\d (\d{3})/.exec(data);
      if (!m) return resolve({ error: 'no response' });
      resolve({ status: Number(m[1]), body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
  });
}

async function slowWriter(i) {
  const res = await slowPost(i);
  bump(summary.slow, res.error ?? res.status);
  if (res.status === 201) summary.created.push(JSON.parse(res.body).id);
}

function done() {
  if (Date.now() - started > MAX_MS || sent >= MAX_REQUESTS) return true;
  return firstDownAt > 0 && Date.now() - firstDownAt > STOP_AFTER_DOWN_MS;
}

async function worker(w) {
  for (let i = 0; !done(); i++) {
    const write = i % 2 === 0;
    sent++;
    const res = write
      ? await request('POST', '/v1/people', {
          email: `load-${tag}-${w}-${i}@example.com`,
          display_name: `Load ${tag} ${w} ${i}`,
          roles: ['partner'],
        })
      : await request('GET', '/v1/people?limit=50');
    summary.requests++;
    const p = sigtermAt > 0 ? 'after' : 'before'; // by when it ended
    if (res.error) {
      bump(summary.errors[p], res.error);
      if (p === 'after' && firstDownAt === 0) firstDownAt = Date.now();
      // a refused connection: wait a little instead of spinning
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    bump(summary.statuses[p], res.status);
    if (p === 'after') summary.answered_after_sigterm++;
    if (write && res.status === 201) summary.created.push(JSON.parse(res.body).id);
  }
}

const slow = Array.from({ length: SLOW }, (_, i) => slowWriter(i));
await Promise.all(Array.from({ length: CONNS }, (_, w) => worker(w)));
sendSlowRests(); // no SIGUSR1 came: let them finish anyway
await Promise.all(slow);
agent.destroy();
summary.duration_ms = Date.now() - started;
summary.sigterm_sent = sigtermAt > 0;
console.log(JSON.stringify(summary));
