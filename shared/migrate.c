/*
 * migrate.c - numbered schema migrations under a PostgreSQL advisory lock.
 *
 * Every service schema also gets the tables the shared library needs:
 * schema_migrations (what was applied), idempotency_key (stored responses
 * of POSTs retried with an Idempotency-Key), and for events (events.h,
 * follower.h) the outbox `event` and the followers' `event_cursor`.  They
 * are defined once, here, and created in every schema.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>

#include "access_db.h"
#include "db.h"
#include "migrate.h"
#include "status.h"

static const char framework_sql[] =
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "  version integer PRIMARY KEY,"
        "  name text NOT NULL,"
        "  applied_at timestamptz NOT NULL DEFAULT now());"
        "CREATE TABLE IF NOT EXISTS idempotency_key ("
        "  subject text NOT NULL,"
        "  route text NOT NULL,"
        "  key text NOT NULL,"
        "  request_hash text NOT NULL,"
        "  status integer,"
        "  body text,"
        "  etag text NOT NULL DEFAULT '',"
        "  location text NOT NULL DEFAULT '',"
        "  created_at timestamptz NOT NULL DEFAULT now(),"
        "  PRIMARY KEY (subject, route, key));"
        /* the outbox: see events.c for why (txid, seq) is the feed's order */
        "CREATE TABLE IF NOT EXISTS event ("
        "  txid xid8 NOT NULL DEFAULT pg_current_xact_id(),"
        "  seq bigint GENERATED ALWAYS AS IDENTITY,"
        "  id uuid NOT NULL DEFAULT gen_random_uuid(),"
        "  type text NOT NULL CHECK (type ~ '^tandem\\.[a-z]+\\.[a-z_]+\\.[a-z_]+$'),"
        "  source text NOT NULL,"
        "  subject text,"
        "  person_id uuid,"
        "  actor text,"
        "  request_id text,"
        "  resource_version bigint,"
        "  time timestamptz NOT NULL DEFAULT now(),"
        "  data jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(data) = 'object'),"
        "  PRIMARY KEY (txid, seq));"
        "CREATE INDEX IF NOT EXISTS event_time ON event (time);"
        /* one row per subscription this service follows: the producer's cursor */
        "CREATE TABLE IF NOT EXISTS event_cursor ("
        "  subscription text PRIMARY KEY,"
        "  position text NOT NULL DEFAULT '',"
        "  applied bigint NOT NULL DEFAULT 0,"
        "  rejected bigint NOT NULL DEFAULT 0,"
        "  updated_at timestamptz NOT NULL DEFAULT now());";

int
migrate_latest(const struct migration *migs)
{
        int latest = 0;

        for (; migs->name != NULL; migs++)
                if (migs->version > latest)
                        latest = migs->version;
        return latest;
}

static int
exec_ok(PGconn *conn, const char *sql, int nparams, const char *const *params,
        char *err, unsigned long errlen)
{
        PGresult *res = nparams == 0 ? PQexec(conn, sql)   /* a migration is many statements */
                                     : PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
        ExecStatusType st = PQresultStatus(res);
        int rc = ST_OK;

        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
                snprintf(err, errlen, "%s", PQresultErrorMessage(res));
                rc = ST_INTERNAL;
        }
        PQclear(res);
        return rc;
}

static int
current_version(PGconn *conn, int *out, char *err, unsigned long errlen)
{
        PGresult *res = PQexec(conn, "SELECT coalesce(max(version), 0) FROM schema_migrations");
        int rc = ST_OK;

        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
                snprintf(err, errlen, "%s", PQresultErrorMessage(res));
                rc = ST_INTERNAL;
        } else {
                *out = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
        }
        PQclear(res);
        return rc;
}

static int
apply_one(PGconn *conn, const struct migration *m, char *err, unsigned long errlen)
{
        char ver[16];
        const char *params[2] = { ver, m->name };
        int rc;

        snprintf(ver, sizeof(ver), "%d", m->version);
        rc = exec_ok(conn, "BEGIN", 0, NULL, err, errlen);
        if (rc == ST_OK)
                rc = exec_ok(conn, m->sql, 0, NULL, err, errlen);
        if (rc == ST_OK)
                rc = exec_ok(conn, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                             2, params, err, errlen);
        if (rc == ST_OK)
                return exec_ok(conn, "COMMIT", 0, NULL, err, errlen);
        PQclear(PQexec(conn, "ROLLBACK"));
        return rc;
}

static int
apply_missing(PGconn *conn, const char *schema, const struct migration *migs,
              char *err, unsigned long errlen)
{
        int have = 0;
        int latest = migrate_latest(migs);
        int rc = exec_ok(conn, framework_sql, 0, NULL, err, errlen);

        if (rc == ST_OK)   /* access.h: the withdrawn subjects, in every schema */
                rc = exec_ok(conn, access_sql, 0, NULL, err, errlen);
        if (rc == ST_OK)
                rc = current_version(conn, &have, err, errlen);
        if (rc != ST_OK)
                return rc;
        if (have > latest) {
                snprintf(err, errlen, "schema \"%s\" is at version %d, newer than this build"
                         " knows (%d): refusing to start", schema, have, latest);
                return ST_CONFLICT;
        }
        for (; migs->name != NULL && rc == ST_OK; migs++)
                if (migs->version > have)
                        rc = apply_one(conn, migs, err, errlen);
        return rc;
}

/* Migrations may wait for another replica's lock and run long: a generous deadline. */
#define MIGRATE_STATEMENT_MS 600000

static PGconn *
migrate_connect(const char *conninfo, const char *schema, char *err, unsigned long errlen)
{
        struct db_settings set = { .conninfo = conninfo, .schema = schema, .size = 1,
                                   .statement_ms = MIGRATE_STATEMENT_MS };
        struct db_conninfo ci;
        PGconn *conn = NULL;

        if (db_conninfo_build(&set, &ci, err, errlen) == ST_OK) {
                conn = PQconnectdbParams(ci.keys, ci.vals, 0);
                if (PQstatus(conn) != CONNECTION_OK) {
                        snprintf(err, errlen, "cannot connect: %s", PQerrorMessage(conn));
                        PQfinish(conn);
                        conn = NULL;
                }
        }
        db_conninfo_release(&ci);
        if (conn != NULL)
                db_log_notices(conn);
        return conn;
}

int
migrate_apply(const char *conninfo, const char *schema, const struct migration *migs,
              char *err, unsigned long errlen)
{
        char lockname[96];
        const char *params[1] = { lockname };
        PGconn *conn;
        int rc;

        snprintf(lockname, sizeof(lockname), "tandem.migrate.%s", schema);
        conn = migrate_connect(conninfo, schema, err, errlen);
        if (conn == NULL)
                return ST_UNAVAILABLE;
        /* replicas starting together wait here; the loser finds nothing left to do */
        rc = exec_ok(conn, "SELECT pg_advisory_lock(hashtext($1))", 1, params, err, errlen);
        if (rc == ST_OK) {
                char create[128];

                snprintf(create, sizeof(create), "CREATE SCHEMA IF NOT EXISTS %s", schema);
                rc = exec_ok(conn, create, 0, NULL, err, errlen);
        }
        if (rc == ST_OK)
                rc = apply_missing(conn, schema, migs, err, errlen);
        PQclear(PQexecParams(conn, "SELECT pg_advisory_unlock(hashtext($1))", 1, NULL, params,
                             NULL, NULL, 0));
        PQfinish(conn);
        return rc;
}
