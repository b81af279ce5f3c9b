// Start-up of the people service against databases of its own: replicas
// migrating an empty database together, a schema newer than the build, an
// unreachable database, bad configuration, and /readyz once the database is
// gone. Each test starts its own instances (lib/spawn.mjs) on scratch
// databases (tandem_mig_<random>, created as role tandem, dropped at the end).

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { api, expectProblem, expectStatus } from './lib/http.mjs';
import {
  createScratchDb,
  dropScratchDb,
  freePort,
  pgClient,
  scaled,
  startPeople,
} from './lib/spawn.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

// The migrations this build embeds: services/people/sql/NNNN_name.sql, the
// way tools/embed-sql.sh names them.
const MIGRATIONS = readdirSync(path.resolve(here, '../../services/people/sql'))
  .filter((f) => /^\d+_.*\.sql$/.test(f))
  .sort()
  .map((f) => ({ version: Number(f.split('_')[0]), name: f.replace(/\.sql$/, '') }));
const LATEST = Math.max(...MIGRATIONS.map((m) => m.version));

const instances = [];
const scratch = new Set();
const tag = () => randomBytes(3).toString('hex');

async function start(name, env) {
  const inst = await startPeople({ name: `${name}-${tag()}`, env });
  instances.push(inst);
  return inst;
}

async function scratchDb() {
  const db = await createScratchDb();
  scratch.add(db.name);
  return db;
}

async function dropDb(name) {
  scratch.delete(name);
  await dropScratchDb(name);
}

// Stops what a failed test left running, then drops the scratch databases.
after(async () => {
  await Promise.all(
    instances.filter((i) => i.running).map(async (i) => {
      i.kill();
      await i.exited;
    }),
  );
  for (const name of scratch) await dropScratchDb(name);
});

async function onDb(dbname, fn) {
  const client = await pgClient(dbname);
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

// Asserts a SIGTERM ends @inst with status 0.
async function stopClean(inst) {
  const res = await inst.stop();
  assert.ok(!res.timedOut, `${inst.name} did not exit within ${scaled(15000)} ms of SIGTERM\n${inst.output()}`);
  assert.equal(res.code, 0, `${inst.name} exit status after SIGTERM\n${inst.output()}`);
}

// Asserts @inst exits on its own within @ms, with a non-zero status (not by a
// signal, i.e. not a crash); returns the status.
async function expectStartupFailure(inst, ms) {
  const res = await inst.waitExit(ms);
  if (!res) inst.kill();
  assert.ok(res, `${inst.name} still running after ${ms} ms (it must give up, not hang)\n${inst.output()}`);
  assert.equal(res.signal, null, `${inst.name} was killed by a signal\n${inst.output()}`);
  assert.notEqual(res.code, 0, `${inst.name} must exit non-zero\n${inst.output()}`);
  return res.code;
}

// Log lines (JSON on stdout) at level error.
const errorLines = (inst) =>
  inst.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .filter((l) => {
      try {
        return JSON.parse(l).level === 'error';
      } catch {
        return true; // not a log line: worth seeing
      }
    });

// What a schema looks like: its tables, columns, constraints and indexes,
// and the other schemas of the database.
async function schemaShape(client, schema = 'people') {
  const q = async (sql, params = [schema]) => (await client.query(sql, params)).rows;
  return {
    schemas: await q(
      `SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'
        ORDER BY nspname`,
      [],
    ),
    columns: await q(
      `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
        WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
    ),
    constraints: await q(
      `SELECT c.conname, pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
         JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = $1 ORDER BY c.conname`,
    ),
    indexes: await q(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname`),
    migrations: await q(`SELECT version, name, applied_at FROM ${schema}.schema_migrations ORDER BY version`, []),
  };
}

describe('migrations', () => {
  it('two replicas starting at once on an empty database apply each migration exactly once', async () => {
    const db = await scratchDb();
    const env = { TANDEM_DATABASE_URL: db.url };
    const [a, b] = await Promise.all([start('people-mig-a', env), start('people-mig-b', env)]);
    await Promise.all([a.waitReady(), b.waitReady()]);

    const rows = await onDb(db.name, async (c) =>
      (await c.query('SELECT version, name FROM people.schema_migrations ORDER BY version')).rows,
    );
    assert.deepEqual(rows, MIGRATIONS, 'one row per migration of this build, none twice, none missing');

    for (const inst of [a, b]) {
      const res = expectStatus(await api('GET', '/readyz', { base: inst.url }), 200);
      assert.equal(res.body.schema_version, LATEST, `${inst.name}: schema_version`);
      assert.deepEqual(errorLines(inst), [], `${inst.name} logged no error\n${inst.output()}`);
      assert.equal(inst.stderr, '', `${inst.name} wrote nothing to stderr`);
    }
    await Promise.all([stopClean(a), stopClean(b)]);
  });

  it('refuses to start on a schema newer than the build, and changes nothing', async () => {
    const db = await scratchDb();
    const env = { TANDEM_DATABASE_URL: db.url };
    const first = await start('people-mig-old', env);
    await first.waitReady();
    await stopClean(first);

    const shape = await onDb(db.name, async (c) => {
      await c.query(`INSERT INTO people.schema_migrations (version, name) VALUES (9999, 'from the future')`);
      return schemaShape(c);
    });
    assert.ok(shape.migrations.some((m) => m.version === 9999));

    const second = await start('people-mig-new', env);
    const t0 = Date.now();
    await expectStartupFailure(second, scaled(5000));
    assert.match(second.stderr, /newer/i, `stderr says the schema is newer\n${second.output()}`);
    assert.match(second.stderr, /refus/i, `stderr says it refuses\n${second.output()}`);
    assert.match(second.stderr, /9999/, `stderr names the version found\n${second.output()}`);
    assert.ok(Date.now() - t0 < scaled(5000));

    const now = await onDb(db.name, (c) => schemaShape(c));
    assert.deepEqual(now, shape, 'the schema and schema_migrations are as they were');
  });

  it('exits non-zero with a clear message when the database is unreachable', async () => {
    const port = await freePort(); // nothing listens there
    const password = `pw${randomBytes(6).toString('hex')}`;
    const inst = await start('people-mig-nodb', {
      TANDEM_DATABASE_URL: `postgresql://tandem:${password}@127.0.0.1:${port}/tandem`,
    });
    await expectStartupFailure(inst, scaled(10000));
    assert.match(inst.stderr, /connect/i, `stderr says it cannot connect\n${inst.output()}`);
    assert.match(inst.stderr, new RegExp(String(port)), `stderr names where it tried\n${inst.output()}`);
    assert.ok(!inst.stdout.includes(password) && !inst.stderr.includes(password), 'the password is not echoed');
  });

  // A connection that is accepted but never answered (a hung server, a
  // firewall that swallows packets): start-up gives up (connect_timeout)
  // instead of hanging, SIGTERM being blocked until the service listens.
  it(
    'gives up on a database that accepts connections but never answers',
    async () => {
      const sockets = new Set();
      const silent = net.createServer((s) => {
        sockets.add(s);
        s.on('error', () => {});
      });
      await new Promise((r) => silent.listen(0, '127.0.0.1', r));
      try {
        const inst = await start('people-mig-silentdb', {
          TANDEM_DATABASE_URL: `postgresql://tandem@127.0.0.1:${silent.address().port}/tandem`,
        });
        await expectStartupFailure(inst, scaled(9000));
        assert.match(inst.stderr, /cannot connect/i, inst.output());
        assert.match(inst.stderr, /timeout/i, `stderr says it timed out\n${inst.output()}`);
      } finally {
        for (const sock of sockets) sock.destroy();
        await new Promise((r) => silent.close(r));
      }
    },
  );
});

describe('configuration faults', () => {
  it('TANDEM_PORT=abc -> exit 1, naming TANDEM_PORT', async () => {
    const inst = await start('people-cfg-port', { TANDEM_PORT: 'abc' });
    const code = await expectStartupFailure(inst, scaled(5000));
    assert.equal(code, 1, inst.output());
    assert.match(inst.stderr, /TANDEM_PORT/, inst.output());
  });

  it('an IPv6 TANDEM_LISTEN_ADDR -> exit 1, never a listener on every interface', async () => {
    const inst = await start('people-cfg-listen', { TANDEM_LISTEN_ADDR: '::1' });
    const code = await expectStartupFailure(inst, scaled(10000));
    assert.equal(code, 1, inst.output());
    assert.match(inst.stderr, /TANDEM_LISTEN_ADDR/, inst.output());
  });

  it('a 10-character TANDEM_JWT_SECRET -> exit 1, and the secret is never printed', async () => {
    const secret = `s3${randomBytes(4).toString('hex')}`;
    assert.equal(secret.length, 10);
    const inst = await start('people-cfg-secret', { TANDEM_JWT_SECRET: secret });
    const code = await expectStartupFailure(inst, scaled(5000));
    assert.equal(code, 1, inst.output());
    assert.match(inst.stderr, /TANDEM_JWT_SECRET/, inst.output());
    assert.ok(!inst.stderr.includes(secret), `the secret appears on stderr\n${inst.output()}`);
    assert.ok(!inst.stdout.includes(secret), `the secret appears on stdout\n${inst.output()}`);
  });
});

describe('readiness without a database', () => {
  it('/readyz answers 503 once the database is dropped, /healthz still 200, and SIGTERM still exits 0', async () => {
    const db = await scratchDb();
    const inst = await start('people-mig-dropped', { TANDEM_DATABASE_URL: db.url });
    await inst.waitReady();
    expectStatus(await api('GET', '/readyz', { base: inst.url }), 200);

    await dropDb(db.name); // WITH (FORCE): ends the service's sessions too

    for (let i = 0; i < 3; i++) {
      const res = await api('GET', '/readyz', { base: inst.url });
      expectProblem(res, 503, 'unavailable');
    }
    const health = expectStatus(await api('GET', '/healthz', { base: inst.url }), 200);
    assert.deepEqual(health.body, { status: 'ok', service: 'people' });
    await stopClean(inst);
  });
});
