/*
 * audit_db.c - the audit log's statements: recording, the filtered pages, the
 * CSV rows and retention.  The table and its append-only trigger are in
 * sql/0001_init.sql.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "notify.h"
#include "status.h"

#define PRUNE_BATCH 1000
#define PRUNE_ROUNDS_MAX 100000

/* $1 after, $2 actor, $3 person, $4 service, $5 type patterns, $6 subject, $7 from, $8 to,
 * $9 limit */
#define AUDIT_WHERE \
        " FROM audit a WHERE a.seq > $1::bigint" \
        " AND ($2::text IS NULL OR a.actor = $2::text)" \
        " AND ($3::uuid IS NULL OR a.person_id = $3::uuid)" \
        " AND ($4::text IS NULL OR a.service = $4::text)" \
        " AND ($5::text[] IS NULL OR a.type LIKE ANY ($5::text[]))" \
        " AND ($6::text IS NULL OR a.subject = $6::text)" \
        " AND ($7::timestamptz IS NULL OR a.time >= $7::timestamptz)" \
        " AND ($8::timestamptz IS NULL OR a.time < $8::timestamptz)" \
        " ORDER BY a.seq LIMIT $9::int"

const char *const audit_csv_columns[] = {
        "id", "time", "received_at", "service", "type", "subject", "person_id", "actor",
        "request_id", "resource_version", "data", NULL,
};

const struct db_stmt notify_stmts[] = {
        /* the event into the audit log, and (once) into the suite's feed (event) */
        { "audit_record",
          "WITH a AS (INSERT INTO audit (id, service, type, subject, person_id, actor, request_id,"
          "   resource_version, time, data)"
          "  VALUES ($1::uuid, $2, $3, $4, $5::uuid, $6, $7, $8::bigint, $9::timestamptz,"
          "   coalesce($10::jsonb, '{}'::jsonb))"
          "  ON CONFLICT (id) DO NOTHING RETURNING *)"
          " INSERT INTO event (id, type, source, subject, person_id, actor, request_id,"
          "  resource_version, time, data)"
          " SELECT id, type, '/tandem/' || service, subject, person_id, actor, request_id,"
          "  resource_version, time, data FROM a" },
        { "audit_page", "SELECT a.seq, audit_json(a)" AUDIT_WHERE },
        { "audit_rows",
          "SELECT a.seq, a.id, a.time AT TIME ZONE 'UTC', a.received_at AT TIME ZONE 'UTC',"
          "  a.service, a.type,"
          "  a.subject, a.person_id, a.actor, a.request_id, a.resource_version, a.data::text"
          AUDIT_WHERE },
        { "audit_prune", "SELECT audit_prune($1::int, $2::int)" },
        /* erasure (access.h): the audit log holds ids, types and field names, never a
         * person's words, so there is nothing of theirs to remove */
        { "person_erase", "SELECT '{}'::json FROM (SELECT $1::uuid) AS p" },
        { NULL, NULL },
};

int
audit_db_record(PGconn *c, const char *const params[10])
{
        return db_exec(c, "audit_record", 10, params, NULL);
}

static void
filter_params(const struct audit_filter *f, int64_t after, int limit, char pos[24], char lim[16],
              const char *params[9])
{
        snprintf(pos, 24, "%" PRId64, after);
        snprintf(lim, 16, "%d", limit);
        params[0] = pos;
        params[1] = f->actor;
        params[2] = f->person;
        params[3] = f->service;
        params[4] = f->types;
        params[5] = f->subject;
        params[6] = f->from;
        params[7] = f->to;
        params[8] = lim;
}

int
audit_db_page(PGconn *c, const struct audit_filter *f, const struct page *pg, char **out)
{
        char pos[24], lim[16];
        const char *params[9];

        filter_params(f, pg->after, pg->limit + 1, pos, lim, params);
        return db_exec_page(c, "audit_page", 9, params, pg->limit, out);
}

int
audit_db_rows(PGconn *c, const struct audit_filter *f, int64_t after, int limit, PGresult **res)
{
        char pos[24], lim[16];
        const char *params[9];

        filter_params(f, after, limit, pos, lim, params);
        return db_exec(c, "audit_rows", 9, params, res);
}

long long
audit_db_prune(PGconn *c, struct service *svc)
{
        const struct notify_app *app = svc->app;
        char days[16], batch[16];
        const char *params[2] = { days, batch };
        long long total = 0;

        snprintf(days, sizeof(days), "%u", app->audit_retention_days);
        snprintf(batch, sizeof(batch), "%d", PRUNE_BATCH);
        /* one short transaction per batch: the followers never wait on a long delete */
        for (int round = 0; round < PRUNE_ROUNDS_MAX; round++) {
                PGresult *res = NULL;
                long long n;

                if (db_exec_one(c, "audit_prune", 2, params, &res) != ST_OK)
                        return -1;
                n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
                PQclear(res);
                total += n;
                if (n < PRUNE_BATCH)
                        break;
                nanosleep(&(struct timespec){ 0, 20000000L }, NULL);
        }
        if (total > 0)
                log_info("pruned %lld audit row(s) older than %u days", total,
                         app->audit_retention_days);
        return total;
}
