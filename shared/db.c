/*
 * db.c - a bounded libpq pool, prepared statements, and the transaction
 * runner with Idempotency-Key support.
 *
 * A connection is used by one thread at a time (libpq's rule).  The pool is a
 * fixed array and a stack of free slots behind one mutex; a checkout waits on
 * a condition variable up to the configured timeout, which the caller turns
 * into a 503.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access_db.h"
#include "buf.h"
#include "db.h"
#include "events.h"
#include "http.h"
#include "log.h"
#include "server.h"
#include "status.h"

struct db_pool {
        pthread_mutex_t lock;
        pthread_cond_t freed;
        PGconn **conns;
        unsigned *free_stack;
        unsigned size, nfree;
        unsigned timeout_ms;
        unsigned long long waits, timeouts;
        const struct db_stmt *stmts;
        char *conninfo;
        char options[128];
        char appname[64];
};

const struct db_stmt db_shared_stmts[] = {
        { "idem_claim",
          "INSERT INTO idempotency_key (subject, route, key, request_hash)"
          " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1" },
        { "idem_get",
          "SELECT request_hash, status, body, etag, location FROM idempotency_key"
          " WHERE subject = $1 AND route = $2 AND key = $3" },
        { "idem_store",
          "UPDATE idempotency_key SET status = $4, body = $5, etag = $6, location = $7"
          " WHERE subject = $1 AND route = $2 AND key = $3" },
        { "ping", "SELECT 1" },
        { "schema_version", "SELECT coalesce(max(version), 0) FROM schema_migrations" },
        { NULL, NULL },
};

static int
db_prepare_table(PGconn *conn, const struct db_stmt *stmts)
{
        for (; stmts->name != NULL; stmts++) {
                PGresult *res = PQprepare(conn, stmts->name, stmts->sql, 0, NULL);
                int ok = PQresultStatus(res) == PGRES_COMMAND_OK;

                if (!ok)
                        log_error("cannot prepare \"%s\": %s", stmts->name,
                                  PQresultErrorMessage(res));
                PQclear(res);
                if (!ok)
                        return ST_INTERNAL;
        }
        return ST_OK;
}

static int
db_prepare(struct db_pool *pool, PGconn *conn)
{
        int rc = db_prepare_table(conn, db_shared_stmts);

        if (rc == ST_OK)
                rc = db_prepare_table(conn, events_stmts);   /* the outbox, feed, cursors */
        if (rc == ST_OK)
                rc = db_prepare_table(conn, access_stmts);   /* withdrawn subjects */
        if (rc == ST_OK && pool->stmts != NULL)
                rc = db_prepare_table(conn, pool->stmts);
        return rc;
}

static PGconn *
db_connect(struct db_pool *pool)
{
        const char *keys[] = { "dbname", "options", "application_name", "connect_timeout", NULL };
        const char *vals[] = { pool->conninfo, pool->options, pool->appname, "5", NULL };
        PGconn *conn = PQconnectdbParams(keys, vals, 1);

        if (PQstatus(conn) != CONNECTION_OK) {
                log_error("cannot connect to the database: %s", PQerrorMessage(conn));
                PQfinish(conn);
                return NULL;
        }
        if (db_prepare(pool, conn) != ST_OK) {
                PQfinish(conn);
                return NULL;
        }
        return conn;
}

static int
db_pool_alloc(struct db_pool *pool, const char *conninfo, const char *schema, unsigned size)
{
        pthread_condattr_t attr;

        pool->conns = calloc(size, sizeof(*pool->conns));
        pool->free_stack = calloc(size, sizeof(*pool->free_stack));
        pool->conninfo = strdup(conninfo);
        if (pool->conns == NULL || pool->free_stack == NULL || pool->conninfo == NULL)
                return ST_NOMEM;
        /* UTC sessions: PostgreSQL then renders times as RFC 3339 in UTC */
        snprintf(pool->options, sizeof(pool->options), "-c search_path=%s -c TimeZone=UTC", schema);
        snprintf(pool->appname, sizeof(pool->appname), "tandem-%s", schema);
        pthread_mutex_init(&pool->lock, NULL);
        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        pthread_cond_init(&pool->freed, &attr);
        pthread_condattr_destroy(&attr);
        return ST_OK;
}

int
db_pool_new(const char *conninfo, const char *schema, unsigned size, unsigned timeout_ms,
            const struct db_stmt *stmts, struct db_pool **out)
{
        struct db_pool *pool = calloc(1, sizeof(*pool));
        int rc = ST_NOMEM;

        if (pool == NULL)
                return ST_NOMEM;
        pool->size = size;
        pool->timeout_ms = timeout_ms;
        pool->stmts = stmts;
        rc = db_pool_alloc(pool, conninfo, schema, size);
        if (rc != ST_OK)
                goto out;
        for (unsigned i = 0; i < size; i++) {
                pool->conns[i] = db_connect(pool);
                if (pool->conns[i] == NULL) {
                        rc = ST_UNAVAILABLE;
                        goto out;
                }
                pool->free_stack[pool->nfree++] = i;
        }
        *out = pool;
        pool = NULL;
out:
        db_pool_free(pool);
        return rc;
}

void
db_pool_free(struct db_pool *pool)
{
        if (pool == NULL)
                return;
        for (unsigned i = 0; pool->conns != NULL && i < pool->size; i++)
                PQfinish(pool->conns[i]);
        if (pool->conns != NULL) {
                pthread_mutex_destroy(&pool->lock);
                pthread_cond_destroy(&pool->freed);
        }
        free(pool->conns);
        free(pool->free_stack);
        free(pool->conninfo);
        free(pool);
}

static void
deadline_after(struct timespec *ts, unsigned ms)
{
        clock_gettime(CLOCK_MONOTONIC, ts);
        ts->tv_sec += ms / 1000;
        ts->tv_nsec += (long)(ms % 1000) * 1000000L;
        if (ts->tv_nsec >= 1000000000L) {
                ts->tv_sec++;
                ts->tv_nsec -= 1000000000L;
        }
}

static int
db_take_slot(struct db_pool *pool, unsigned *slot)
{
        struct timespec deadline;
        int rc = ST_OK;

        pthread_mutex_lock(&pool->lock);
        if (pool->nfree == 0) {
                pool->waits++;
                deadline_after(&deadline, pool->timeout_ms);
        }
        while (pool->nfree == 0 && rc == ST_OK)
                if (pthread_cond_timedwait(&pool->freed, &pool->lock, &deadline) == ETIMEDOUT
                    && pool->nfree == 0)
                        rc = ST_UNAVAILABLE;
        if (rc == ST_OK)
                *slot = pool->free_stack[--pool->nfree];
        else
                pool->timeouts++;
        pthread_mutex_unlock(&pool->lock);
        return rc;
}

static void
db_give_slot(struct db_pool *pool, unsigned slot)
{
        pthread_mutex_lock(&pool->lock);
        pool->free_stack[pool->nfree++] = slot;
        pthread_cond_signal(&pool->freed);
        pthread_mutex_unlock(&pool->lock);
}

static unsigned
db_slot_of(struct db_pool *pool, PGconn *conn)
{
        for (unsigned i = 0; i < pool->size; i++)
                if (pool->conns[i] == conn)
                        return i;
        return pool->size;
}

/* Brings a broken connection back: reset, then prepare the statements again. */
static int
db_revive(struct db_pool *pool, PGconn *conn)
{
        if (PQstatus(conn) == CONNECTION_OK)
                return ST_OK;
        log_warn("database connection lost; resetting");
        PQreset(conn);
        if (PQstatus(conn) != CONNECTION_OK)
                return ST_UNAVAILABLE;
        return db_prepare(pool, conn) == ST_OK ? ST_OK : ST_UNAVAILABLE;
}

int
db_checkout(struct db_pool *pool, PGconn **out)
{
        unsigned slot;
        int rc = db_take_slot(pool, &slot);

        if (rc != ST_OK) {
                log_warn("no database connection free within %u ms", pool->timeout_ms);
                return rc;
        }
        rc = db_revive(pool, pool->conns[slot]);
        if (rc != ST_OK) {
                db_give_slot(pool, slot);
                return rc;
        }
        *out = pool->conns[slot];
        return ST_OK;
}

void
db_checkin(struct db_pool *pool, PGconn *conn)
{
        unsigned slot;

        if (conn == NULL)
                return;
        slot = db_slot_of(pool, conn);
        if (slot == pool->size)
                return;
        switch (PQtransactionStatus(conn)) {
        case PQTRANS_INTRANS:
        case PQTRANS_INERROR:
                db_command(conn, "ROLLBACK");
                break;
        case PQTRANS_ACTIVE:
        case PQTRANS_UNKNOWN:
                PQreset(conn);
                if (PQstatus(conn) == CONNECTION_OK)
                        db_prepare(pool, conn);
                break;
        case PQTRANS_IDLE:
                break;
        }
        db_give_slot(pool, slot);
}

void
db_pool_stats(struct db_pool *pool, struct metrics_pool_stats *out)
{
        pthread_mutex_lock(&pool->lock);
        out->size = pool->size;
        out->idle = pool->nfree;
        out->in_use = pool->size - pool->nfree;
        out->waits = pool->waits;
        out->timeouts = pool->timeouts;
        pthread_mutex_unlock(&pool->lock);
}

static int
db_map_sqlstate(const char *state)
{
        if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
                return ST_RETRY;
        if (strcmp(state, "23505") == 0 || strcmp(state, "23P01") == 0
            || strcmp(state, "23503") == 0)
                return ST_CONFLICT;
        if (strncmp(state, "22", 2) == 0 || strcmp(state, "23514") == 0)
                return ST_INVALID;
        if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0)
                return ST_UNAVAILABLE;
        return ST_INTERNAL;
}

static int
db_result(PGconn *conn, const char *what, PGresult *res, PGresult **out, char sqlstate[6])
{
        ExecStatusType est = PQresultStatus(res);
        const char *state;
        int rc;

        if (est == PGRES_TUPLES_OK || est == PGRES_COMMAND_OK) {
                if (out != NULL)
                        *out = res;
                else
                        PQclear(res);
                return ST_OK;
        }
        state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        if (sqlstate != NULL)
                snprintf(sqlstate, 6, "%s", state != NULL ? state : "");
        rc = state != NULL ? db_map_sqlstate(state) : ST_UNAVAILABLE;
        if (PQstatus(conn) != CONNECTION_OK)
                rc = ST_UNAVAILABLE;
        if (rc == ST_UNAVAILABLE && state == NULL)
                log_warn("statement \"%s\": connection lost: %s", what, PQerrorMessage(conn));
        else if (rc == ST_INTERNAL || rc == ST_UNAVAILABLE)
                log_error("statement \"%s\" failed: %s %s", what, state != NULL ? state : "-",
                          PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) != NULL
                          ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : "no result");
        PQclear(res);
        return rc;
}

int
db_exec_state(PGconn *conn, const char *stmt, int nparams, const char *const *params,
              PGresult **out, char sqlstate[6])
{
        PGresult *res = PQexecPrepared(conn, stmt, nparams, params, NULL, NULL, 0);

        if (sqlstate != NULL)
                sqlstate[0] = '\0';
        return db_result(conn, stmt, res, out, sqlstate);
}

int
db_exec(PGconn *conn, const char *stmt, int nparams, const char *const *params, PGresult **out)
{
        return db_exec_state(conn, stmt, nparams, params, out, NULL);
}

int
db_exec_one(PGconn *conn, const char *stmt, int nparams, const char *const *params,
            PGresult **out)
{
        int rc = db_exec(conn, stmt, nparams, params, out);

        if (rc == ST_OK && PQntuples(*out) == 0) {
                PQclear(*out);
                *out = NULL;
                rc = ST_NOT_FOUND;
        }
        return rc;
}

int
db_command(PGconn *conn, const char *sql)
{
        return db_result(conn, sql, PQexec(conn, sql), NULL, NULL);
}

/* ---- Idempotency-Key ---------------------------------------------------- */

static int
idem_replay(PGconn *conn, struct request *rq, const char *const *params)
{
        PGresult *res = NULL;
        int rc = db_exec(conn, "idem_get", 3, params, &res);

        if (rc != ST_OK)
                return rc;
        if (PQntuples(res) != 1) {
                rc = ST_RETRY;   /* claimed by a transaction that rolled back meanwhile */
                goto out;
        }
        if (strcmp(PQgetvalue(res, 0, 0), rq->idem_hash) != 0) {
                rc = problem_set(&rq->prob, ST_UNPROCESSABLE, NULL,
                                 "this Idempotency-Key was used with a different request");
                goto out;
        }
        rq->http_status = (unsigned)strtoul(PQgetvalue(res, 0, 1), NULL, 10);
        rq->j_out = PQgetisnull(res, 0, 2) ? NULL : json_loads(PQgetvalue(res, 0, 2), 0, NULL);
        snprintf(rq->etag, sizeof(rq->etag), "%s", PQgetvalue(res, 0, 3));
        snprintf(rq->location, sizeof(rq->location), "%s", PQgetvalue(res, 0, 4));
        rq->replayed = 1;
out:
        PQclear(res);
        return rc;
}

/* Claims the key in this transaction; a committed earlier use is replayed. */
static int
idem_claim(PGconn *conn, struct request *rq, char *route)
{
        const char *params[4] = { rq->who.subject, route, rq->idem_key, rq->idem_hash };
        PGresult *res = NULL;
        int rc = db_exec(conn, "idem_claim", 4, params, &res);

        if (rc != ST_OK)
                return rc;
        if (PQntuples(res) == 0)
                rc = idem_replay(conn, rq, params);
        PQclear(res);
        return rc;
}

static int
idem_store(PGconn *conn, struct request *rq, char *route)
{
        char status[16];
        char *body = rq->j_out != NULL ? json_dumps(rq->j_out, JSON_COMPACT) : NULL;
        const char *params[7] = { rq->who.subject, route, rq->idem_key, status, body,
                                  rq->etag, rq->location };
        int rc;

        snprintf(status, sizeof(status), "%u", rq->http_status != 0 ? rq->http_status : 200);
        rc = db_exec(conn, "idem_store", 7, params, NULL);
        free(body);
        return rc;
}

/* ---- transactions -------------------------------------------------------- */

static void
tx_reset_output(struct request *rq)
{
        if (rq == NULL)
                return;
        json_decref(rq->j_out);
        rq->j_out = NULL;
        free(rq->text_out);      /* a read reply set by the attempt that failed */
        rq->text_out = NULL;
        rq->http_status = 0;
        rq->etag[0] = rq->location[0] = '\0';
        problem_release(&rq->prob);
}

static int
tx_once(PGconn *conn, struct request *rq, db_tx_fn fn, void *arg)
{
        char route[200];
        int idem = rq != NULL && rq->idem_key != NULL;
        int rc;

        if (idem)
                snprintf(route, sizeof(route), "%s %s", rq->route->method, rq->route->pattern);
        rc = db_command(conn, "BEGIN");
        if (rc == ST_UNAVAILABLE && PQstatus(conn) == CONNECTION_BAD)
                return ST_RETRY;   /* the server dropped an idle connection: nothing ran */
        if (rc == ST_OK && idem)
                rc = idem_claim(conn, rq, route);
        if (rc != ST_OK || (idem && rq->replayed))
                goto out;
        rc = fn(conn, rq, arg);
        if (rc == ST_OK && idem)
                rc = idem_store(conn, rq, route);
        if (rc == ST_OK)
                return db_command(conn, "COMMIT");
out:
        if (PQtransactionStatus(conn) != PQTRANS_IDLE)
                db_command(conn, "ROLLBACK");
        return rc;
}

int
db_tx(struct db_pool *pool, struct request *rq, db_tx_fn fn, void *arg)
{
        PGconn *conn = NULL;
        int rc = ST_RETRY;

        for (int attempt = 0; attempt < 5 && rc == ST_RETRY; attempt++) {
                if (attempt > 0) {
                        tx_reset_output(rq);
                        nanosleep(&(struct timespec){ 0, (long)attempt * 2000000L }, NULL);
                }
                rc = db_checkout(pool, &conn);
                if (rc != ST_OK)
                        break;
                rc = tx_once(conn, rq, fn, arg);
                db_checkin(pool, conn);
        }
        if (rc == ST_RETRY)
                rc = ST_UNAVAILABLE;
        return rc;
}

int
db_with(struct db_pool *pool, struct request *rq, db_tx_fn fn, void *arg)
{
        PGconn *conn = NULL;
        int rc = ST_UNAVAILABLE;

        /* reads only: safe to run again once on a connection the server dropped */
        for (int attempt = 0; attempt < 2; attempt++) {
                rc = db_checkout(pool, &conn);
                if (rc != ST_OK)
                        return rc;
                rc = fn(conn, rq, arg);
                if (rc != ST_UNAVAILABLE || PQstatus(conn) != CONNECTION_BAD) {
                        db_checkin(pool, conn);
                        break;
                }
                db_checkin(pool, conn);
                tx_reset_output(rq);
        }
        return rc == ST_RETRY ? ST_UNAVAILABLE : rc;
}

/* ---- pages ------------------------------------------------------------------ */

char *
db_page_json(const PGresult *res, int limit)
{
        struct buf b = BUF_INIT;
        char cursor[32];
        int n = PQntuples(res);

        buf_puts(&b, "{\"items\":[");
        for (int i = 0; i < n && i < limit; i++) {
                if (i > 0)
                        buf_puts(&b, ",");
                buf_add(&b, PQgetvalue(res, i, 1), (size_t)PQgetlength(res, i, 1));
        }
        if (n > limit) {
                cursor_encode(strtoll(PQgetvalue(res, limit - 1, 0), NULL, 10), cursor,
                              sizeof(cursor));
                buf_fmt(&b, "],\"next_cursor\":\"%s\"}", cursor);
        } else {
                buf_puts(&b, "],\"next_cursor\":null}");
        }
        return buf_detach(&b);
}

/* ---- rows ------------------------------------------------------------------- */

void
db_row_release(struct db_row *r)
{
        if (r == NULL)
                return;
        free(r->json);
        memset(r, 0, sizeof(*r));
}

int
db_row_take(const PGresult *res, struct db_row *out)
{
        if (PQntuples(res) == 0)
                return ST_NOT_FOUND;
        out->json = strdup(PQgetvalue(res, 0, 2));
        if (out->json == NULL)
                return ST_NOMEM;
        snprintf(out->id, sizeof(out->id), "%s", PQgetvalue(res, 0, 0));
        out->version = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
        return ST_OK;
}

int
db_exec_row(PGconn *conn, const char *stmt, int nparams, const char *const *params,
            struct db_row *out)
{
        PGresult *res = NULL;
        int rc = db_exec(conn, stmt, nparams, params, &res);

        if (rc == ST_OK)
                rc = db_row_take(res, out);
        PQclear(res);
        return rc;
}

int
db_exec_page(PGconn *conn, const char *stmt, int nparams, const char *const *params,
             int limit, char **out)
{
        PGresult *res = NULL;
        int rc = db_exec(conn, stmt, nparams, params, &res);

        if (rc == ST_OK) {
                *out = db_page_json(res, limit);
                rc = *out != NULL ? ST_OK : ST_NOMEM;
        }
        PQclear(res);
        return rc;
}
