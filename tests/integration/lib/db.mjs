// Read-only looks at what the people service stored in PostgreSQL
// (TANDEM_TEST_DATABASE_URL), to assert what is stored and what is not.

import pg from 'pg';
import { requireEnv } from './http.mjs';

let pool = null;
let schemaPromise = null;

export function db() {
  if (!pool) {
    pool = new pg.Pool({
      connectionString: requireEnv('TANDEM_TEST_DATABASE_URL'),
      max: 2,
      idleTimeoutMillis: 1000,
      allowExitOnIdle: true,
      connectionTimeoutMillis: 10000,
    });
  }
  return pool;
}

export async function closeDb() {
  if (pool) {
    const p = pool;
    pool = null;
    schemaPromise = null;
    await p.end();
  }
}

export async function query(sql, params = []) {
  return (await db().query(sql, params)).rows;
}

// The schema holding the service's tables: "people" by design; found by
// looking, so that the tests follow wherever the migrations put them.
async function schema() {
  if (!schemaPromise) {
    schemaPromise = query(
      `SELECT table_schema FROM information_schema.tables
        WHERE table_name = 'person'
          AND table_schema NOT IN ('pg_catalog', 'information_schema')
        ORDER BY (table_schema = 'people') DESC, table_schema
        LIMIT 1`,
    ).then((rows) => {
      if (rows.length === 0) throw new Error('no "person" table in the test database');
      return `"${rows[0].table_schema.replace(/"/g, '""')}"`;
    });
  }
  return schemaPromise;
}

export async function personById(id) {
  const rows = await query(`SELECT * FROM ${await schema()}.person WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

// Rows whose email equals @email case-insensitively.
export async function peopleByEmail(email) {
  return query(`SELECT * FROM ${await schema()}.person WHERE lower(email) = lower($1) ORDER BY created_at, id`, [email]);
}

export async function peopleByExternalId(externalId) {
  return query(`SELECT * FROM ${await schema()}.person WHERE external_id = $1 ORDER BY created_at, id`, [externalId]);
}

export async function pairingById(id) {
  const rows = await query(`SELECT * FROM ${await schema()}.pairing WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

export async function pairingsOf({ mentorId, partnerId } = {}) {
  const where = [];
  const params = [];
  if (mentorId) {
    params.push(mentorId);
    where.push(`mentor_id = $${params.length}`);
  }
  if (partnerId) {
    params.push(partnerId);
    where.push(`partner_id = $${params.length}`);
  }
  return query(
    `SELECT * FROM ${await schema()}.pairing ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id`,
    params,
  );
}
