// Throwaway PostgreSQL clusters of a test's own (initdb on a free loopback
// port under the run's directory), for the tests that stop, kill, freeze,
// restart or promote a server: failover.test.mjs, events-restart.test.mjs.

import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './spawn.mjs';

const PG_BIN = process.env.TANDEM_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const clusters = [];

// Runs a PostgreSQL program as the postgres user (when the tests run as root).
export function asPg(cmd, args) {
  const full = path.join(PG_BIN, cmd);
  const r = process.getuid() === 0
    ? spawnSync('runuser', ['-u', 'postgres', '--', full, ...args], { encoding: 'utf8', cwd: '/' })
    : spawnSync(full, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

export class Cluster {
  constructor(dir, port) {
    this.dir = dir;
    this.data = path.join(dir, 'data');
    this.sock = path.join(dir, 'sock');
    this.port = port;
    mkdirSync(this.sock, { recursive: true });
    if (process.getuid() === 0) {
      spawnSync('chown', ['-R', 'postgres:', dir]);
    }
    clusters.push(this);
  }

  start() {
    asPg('pg_ctl', ['start', '-w', '-t', '60', '-D', this.data, '-l', path.join(this.dir, 'postgres.log'),
      '-o', `-p ${this.port} -k ${this.sock} -c listen_addresses=127.0.0.1`]);
  }

  // A clean shutdown (@mode fast: running transactions are rolled back, clients cut).
  stop(mode = 'fast') {
    asPg('pg_ctl', ['stop', '-w', '-t', '60', '-m', mode, '-D', this.data]);
  }

  // The postmaster and every process it started.
  pids() {
    const pid = Number(readFileSync(path.join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const kids = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout
      .split('\n').filter(Boolean).map(Number);
    return [pid, ...kids];
  }

  signal(sig) {
    for (const p of this.pids()) {
      try {
        process.kill(p, sig);
      } catch {
        // gone already
      }
    }
  }

  client() {
    return new pg.Client({ host: '127.0.0.1', port: this.port, user: 'postgres', database: 'tandem' });
  }

  destroy() {
    if (!existsSync(path.join(this.data, 'postmaster.pid'))) return;
    try {
      this.signal('SIGKILL');
    } catch {
      // no pid file any more
    }
  }
}

// Kills every cluster made here that still runs (a test's after hook).
export function destroyClusters() {
  for (const c of clusters) c.destroy();
}

export async function sql(cluster, text, params = [], database = 'tandem') {
  const c = new pg.Client({ host: '127.0.0.1', port: cluster.port, user: 'postgres', database });
  await c.connect();
  try {
    return (await c.query(text, params)).rows;
  } finally {
    await c.end();
  }
}

// A new cluster in @dir, started, with the role and database tandem; @conf
// lines are added to postgresql.conf.
export async function newCluster(dir, conf = []) {
  const c = new Cluster(dir, await freePort());
  asPg('initdb', ['-D', c.data, '--auth=trust', '-U', 'postgres', '--encoding=UTF8', '--no-locale', '--no-sync']);
  appendFileSync(path.join(c.data, 'postgresql.conf'), [
    'fsync = off', 'max_connections = 100', "log_line_prefix = '%m [%p] %q%a '", ...conf, '',
  ].join('\n'));
  c.start();
  await sql(c, 'CREATE ROLE tandem LOGIN CREATEDB', [], 'postgres');
  await sql(c, 'CREATE DATABASE tandem OWNER tandem', [], 'postgres');
  return c;
}
