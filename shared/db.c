/*
 * db.c - a bounded libpq pool, prepared statements, and the transaction
 * runner with Idempotency-Key support.
 *
 * A connection is used by one thread at a time (libpq's rule).  The pool is a
 * fixed array and a stack of free slots behind one mutex.  A checkout that
 * finds none free queues in arrival order.  A returned connection goes back
 * to the stack and wakes the oldest waiter, and whoever runs first takes it
 * (handing each one to a sleeping thread would leave it idle until the
 * scheduler runs that thread: on a loaded machine a convoy); but once the
 * oldest has waited DB_HANDOFF_MS it is handed the connection directly, so
 * that a thread arriving late cannot keep taking it from under one woken
 * for it (with more HTTP connections than database connections an unlucky
 * request waited hundreds of milliseconds).  A waiter gives up at the
 * configured timeout, which the caller turns into a 503.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-events.h>

#include "access_db.h"
#include "buf.h"
#include "db.h"
#include "events.h"
#include "http.h"
#include "log.h"
#include "server.h"
#include "status.h"
#include "thread.h"

/*
 * One pooled connection.  The PGconn carries a pointer back to its slot
 * (PQsetInstanceData), so that db_exec, which sees only the PGconn, knows the
 * statement deadline and can mark a connection abandoned after a timeout.
 */
struct db_slot {
        PGconn *conn;                /* NULL: closed, connect again at checkout */
        struct db_pool *pool;
        unsigned deadline_ms;        /* for the statement now being run */
        bool abandoned;              /* a deadline passed: never used again */
        bool emitted;                /* the open transaction wrote an outbox row */
        bool in_tx;                  /* inside tx_once: statements may be deferred */
        struct db_deferred *deferred;/* db_defer's statements, sent with the COMMIT */
        unsigned ndeferred, capdeferred;
};

/* A statement db_defer keeps until the COMMIT (its parameters copied). */
struct db_deferred {
        const char *stmt;
        int nparams;
        char *params[DB_DEFER_PARAMS];
};

/* A thread waiting for a connection, queued in arrival order (db_take_slot). */
struct db_waiter {
        pthread_cond_t handed;
        struct timespec since;       /* when it queued */
        unsigned slot;
        bool granted;                /* slot was handed to it */
        struct db_waiter *next;
};

/* A waiter that has waited this long is handed the next connection returned. */
#define DB_HANDOFF_MS 5.0

struct db_pool {
        pthread_mutex_t lock;
        struct db_waiter *queue, **queue_tail;   /* waiting checkouts, oldest first */
        struct db_slot *slots;
        unsigned *free_stack;
        unsigned size, nfree;
        unsigned timeout_ms;         /* wait for a free connection */
        unsigned statement_ms;       /* every statement's deadline (client side) */
        unsigned max_busy;           /* threads in the pool at once before the stall check */
        unsigned busy;               /* threads between db_checkout and db_checkin */
        struct timespec progress;    /* the last time a checkout or statement finished */
        unsigned long long waits, timeouts, deadlines;
        atomic_ullong statements;    /* prepared statements run (for /metrics) */
        const struct db_stmt *stmts;
        struct db_conninfo ci;
        bool locks_ready;            /* lock and the event condition initialised */
        /* feeds' long polls wait here for a commit that wrote events (db_wait_events) */
        pthread_mutex_t ev_lock;
        pthread_cond_t ev_cond;
        unsigned long long ev_commits;
};

static void db_deferred_clear(struct db_slot *slot, unsigned from);

/* Deferred statements kept before they are sent ahead of the COMMIT anyway. */
#define DB_DEFER_MAX 64

/* Past this without progress while every allowed thread is in the pool, it refuses. */
#define DB_STALL_MS 250

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

static int
db_event(PGEventId id, void *info, void *pass)
{
        (void)id;
        (void)info;
        (void)pass;
        return 1;
}

/* libpq's notices and warnings ("terminating connection ...") as JSON log lines. */
static void
db_notice(void *arg, const PGresult *res)
{
        const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
        const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        int level = sev == NULL || strcmp(sev, "NOTICE") == 0 ? LOG_DEBUG
                    : strcmp(sev, "WARNING") == 0 || strcmp(sev, "FATAL") == 0 ? LOG_WARN : LOG_INFO;

        (void)arg;
        log_msg(level, "database", "%s %s: %s", sev != NULL ? sev : "NOTICE",
                state != NULL ? state : "-", msg != NULL ? msg : "");
}

void
db_log_notices(PGconn *conn)
{
        PQsetNoticeReceiver(conn, db_notice, NULL);
}

static PGconn *
db_connect(struct db_pool *pool, struct db_slot *slot)
{
        PGconn *conn = PQconnectdbParams(pool->ci.keys, pool->ci.vals, 0);

        if (PQstatus(conn) != CONNECTION_OK) {
                log_error("cannot connect to the database: %s", PQerrorMessage(conn));
                PQfinish(conn);
                return NULL;
        }
        db_log_notices(conn);
        if (!PQregisterEventProc(conn, db_event, "tandem-db", NULL)
            || !PQsetInstanceData(conn, db_event, slot)) {
                PQfinish(conn);
                return NULL;
        }
        slot->abandoned = false;
        slot->deadline_ms = pool->statement_ms + DB_GRACE_MS;
        if (db_prepare(pool, conn) != ST_OK) {
                PQfinish(conn);
                return NULL;
        }
        return conn;
}

static int
db_pool_alloc(struct db_pool *pool, const struct db_settings *set)
{
        char err[256];

        pool->slots = calloc(set->size, sizeof(*pool->slots));
        pool->free_stack = calloc(set->size, sizeof(*pool->free_stack));
        if (pool->slots == NULL || pool->free_stack == NULL)
                return ST_NOMEM;
        if (db_conninfo_build(set, &pool->ci, err, sizeof(err)) != ST_OK) {
                log_error("TANDEM_DATABASE_URL: %s", err);
                return ST_INVALID;
        }
        pthread_mutex_init(&pool->lock, NULL);
        pool->queue_tail = &pool->queue;
        pthread_mutex_init(&pool->ev_lock, NULL);
        thread_cond_init(&pool->ev_cond);
        pool->locks_ready = true;
        clock_gettime(CLOCK_MONOTONIC, &pool->progress);
        return ST_OK;
}

int
db_pool_open(const struct db_settings *set, const struct db_stmt *stmts, struct db_pool **out)
{
        struct db_pool *pool = calloc(1, sizeof(*pool));
        int rc = ST_NOMEM;

        if (pool == NULL)
                return ST_NOMEM;
        pool->size = set->size;
        pool->timeout_ms = set->checkout_ms;
        pool->statement_ms = set->statement_ms != 0 ? set->statement_ms : DB_STATEMENT_MS;
        pool->max_busy = set->max_busy;
        pool->stmts = stmts;
        rc = db_pool_alloc(pool, set);
        if (rc != ST_OK)
                goto out;
        for (unsigned i = 0; i < pool->size; i++) {
                pool->slots[i].pool = pool;
                pool->slots[i].conn = db_connect(pool, &pool->slots[i]);
                if (pool->slots[i].conn == NULL) {
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

int
db_pool_new(const char *conninfo, const char *schema, unsigned size, unsigned timeout_ms,
            const struct db_stmt *stmts, struct db_pool **out)
{
        struct db_settings set = { .conninfo = conninfo, .schema = schema, .size = size,
                                   .checkout_ms = timeout_ms };

        return db_pool_open(&set, stmts, out);
}

void
db_pool_free(struct db_pool *pool)
{
        if (pool == NULL)
                return;
        for (unsigned i = 0; pool->slots != NULL && i < pool->size; i++) {
                db_deferred_clear(&pool->slots[i], 0);
                PQfinish(pool->slots[i].conn);
        }
        if (pool->locks_ready) {
                pthread_mutex_destroy(&pool->lock);
                pthread_mutex_destroy(&pool->ev_lock);
                pthread_cond_destroy(&pool->ev_cond);
        }
        db_conninfo_release(&pool->ci);
        free(pool->slots);
        free(pool->free_stack);
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

static double
ms_between(const struct timespec *a, const struct timespec *b)
{
        return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/*
 * True when every thread the pool admits at once is already in it and none
 * has finished anything for DB_STALL_MS: the database is hanging, and the
 * last free worker must stay free for /healthz and /metrics.
 */
static bool
db_stalled(struct db_pool *pool)
{
        struct timespec now;

        if (pool->max_busy == 0 || pool->busy < pool->max_busy)
                return false;
        clock_gettime(CLOCK_MONOTONIC, &now);
        return ms_between(&pool->progress, &now) > DB_STALL_MS;
}

/* Takes w out of the queue; the lock is held. */
static void
db_unqueue(struct db_pool *pool, struct db_waiter *w)
{
        struct db_waiter **p = &pool->queue;

        while (*p != NULL && *p != w)
                p = &(*p)->next;
        if (*p == NULL)
                return;
        *p = w->next;
        if (pool->queue_tail == &w->next)
                pool->queue_tail = p;
}

/* A connection is free and someone waits: wake the oldest to take it. */
static void
db_wake_oldest(struct db_pool *pool)
{
        if (pool->nfree > 0 && pool->queue != NULL)
                pthread_cond_signal(&pool->queue->handed);
}

static int
db_take_slot(struct db_pool *pool, unsigned timeout_ms, unsigned *slot)
{
        struct timespec deadline;
        struct db_waiter w = { .granted = false, .next = NULL };
        int rc = ST_OK;

        pthread_mutex_lock(&pool->lock);
        if (db_stalled(pool)) {
                pool->timeouts++;
                pthread_mutex_unlock(&pool->lock);
                return ST_UNAVAILABLE;
        }
        if (pool->busy++ == 0)   /* idle time is no stall */
                clock_gettime(CLOCK_MONOTONIC, &pool->progress);
        if (pool->nfree > 0) {
                *slot = pool->free_stack[--pool->nfree];
                pthread_mutex_unlock(&pool->lock);
                return ST_OK;
        }
        pool->waits++;
        clock_gettime(CLOCK_MONOTONIC, &w.since);
        deadline_after(&deadline, timeout_ms);
        thread_cond_init(&w.handed);
        *pool->queue_tail = &w;
        pool->queue_tail = &w.next;
        while (!w.granted && pool->nfree == 0 && rc == ST_OK)
                if (pthread_cond_timedwait(&w.handed, &pool->lock, &deadline) == ETIMEDOUT
                    && !w.granted && pool->nfree == 0)
                        rc = ST_UNAVAILABLE;
        if (!w.granted)
                db_unqueue(pool, &w);
        if (w.granted) {
                *slot = w.slot;
        } else if (rc == ST_OK) {
                *slot = pool->free_stack[--pool->nfree];
        } else {
                pool->timeouts++;
                pool->busy--;
        }
        db_wake_oldest(pool);   /* another connection free: the next in line */
        pthread_mutex_unlock(&pool->lock);
        pthread_cond_destroy(&w.handed);
        return rc;
}

static void
db_give_slot(struct db_pool *pool, unsigned slot)
{
        struct db_waiter *w;
        struct timespec now;

        pthread_mutex_lock(&pool->lock);
        pool->busy--;
        w = pool->queue;
        if (w != NULL) {
                clock_gettime(CLOCK_MONOTONIC, &now);
                if (ms_between(&w->since, &now) >= DB_HANDOFF_MS) {
                        pool->queue = w->next;
                        if (pool->queue == NULL)
                                pool->queue_tail = &pool->queue;
                        w->slot = slot;
                        w->granted = true;
                        pthread_cond_signal(&w->handed);
                        pthread_mutex_unlock(&pool->lock);
                        return;
                }
        }
        pool->free_stack[pool->nfree++] = slot;
        db_wake_oldest(pool);
        pthread_mutex_unlock(&pool->lock);
}

/* Notes that the database answered (a statement finished in time). */
static void
db_progress(struct db_pool *pool)
{
        pthread_mutex_lock(&pool->lock);
        clock_gettime(CLOCK_MONOTONIC, &pool->progress);
        pthread_mutex_unlock(&pool->lock);
}

static struct db_slot *
db_slot_of(PGconn *conn)
{
        return conn != NULL ? PQinstanceData(conn, db_event) : NULL;
}

/*
 * Brings a slot's connection back: a closed, broken or abandoned one is
 * replaced by a new connection (libpq tries every host of a multi-host URL,
 * each within connect_timeout, and keeps to target_session_attrs).
 */
static int
db_revive(struct db_pool *pool, struct db_slot *slot)
{
        if (slot->conn != NULL && PQstatus(slot->conn) == CONNECTION_OK && !slot->abandoned)
                return ST_OK;
        if (slot->conn != NULL)
                log_warn("database connection lost; connecting again");
        PQfinish(slot->conn);
        slot->conn = db_connect(pool, slot);
        return slot->conn != NULL ? ST_OK : ST_UNAVAILABLE;
}

int
db_checkout_within(struct db_pool *pool, unsigned timeout_ms, PGconn **out)
{
        unsigned slot;
        int rc = db_take_slot(pool, timeout_ms, &slot);

        if (rc != ST_OK) {
                log_warn("no database connection free within %u ms", timeout_ms);
                return rc;
        }
        rc = db_revive(pool, &pool->slots[slot]);
        if (rc != ST_OK) {
                db_give_slot(pool, slot);
                return rc;
        }
        db_progress(pool);
        *out = pool->slots[slot].conn;
        return ST_OK;
}

int
db_checkout(struct db_pool *pool, PGconn **out)
{
        return db_checkout_within(pool, pool->timeout_ms, out);
}

static void db_tx_enter(PGconn *conn, bool in);

void
db_checkin(struct db_pool *pool, PGconn *conn)
{
        struct db_slot *slot = db_slot_of(conn);

        if (slot == NULL || slot->pool != pool)
                return;
        db_tx_enter(conn, false);   /* nothing deferred outlives its transaction */
        if (!slot->abandoned && PQstatus(conn) == CONNECTION_OK) {
                PGTransactionStatusType ts = PQtransactionStatus(conn);

                if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
                        db_command(conn, "ROLLBACK");
                else if (ts == PQTRANS_ACTIVE || ts == PQTRANS_UNKNOWN)
                        slot->abandoned = true;
        }
        /* a connection that missed a deadline or broke is closed now, without
         * waiting for the server; the next checkout connects again */
        if (slot->abandoned || PQstatus(conn) != CONNECTION_OK) {
                PQfinish(conn);
                slot->conn = NULL;
        }
        slot->deadline_ms = pool->statement_ms + DB_GRACE_MS;
        db_give_slot(pool, (unsigned)(slot - pool->slots));
}

void
db_set_deadline(PGconn *conn, unsigned ms)
{
        struct db_slot *slot = db_slot_of(conn);

        if (slot != NULL)
                slot->deadline_ms = ms;
}

void
db_pool_stats(struct db_pool *pool, struct metrics_pool_stats *out)
{
        pthread_mutex_lock(&pool->lock);
        out->size = pool->size;
        out->idle = pool->nfree;
        out->in_use = pool->size - pool->nfree;
        out->waits = pool->waits;
        out->timeouts = pool->timeouts + pool->deadlines;
        out->statements = atomic_load_explicit(&pool->statements, memory_order_relaxed);
        pthread_mutex_unlock(&pool->lock);
}

static bool
db_usable(PGconn *conn)
{
        struct db_slot *slot = db_slot_of(conn);

        return slot == NULL || !slot->abandoned;
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
        /* the connection went, a statement_timeout fired, the server is shutting
         * down or starting, or it became read-only: worth a retry later */
        if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0
            || strcmp(state, "57014") == 0 || strcmp(state, "25006") == 0)
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
        if (PQstatus(conn) != CONNECTION_OK || !db_usable(conn))
                rc = ST_UNAVAILABLE;
        if (state != NULL && strcmp(state, "25006") == 0 && db_slot_of(conn) != NULL)
                db_slot_of(conn)->abandoned = true;   /* a standby now: find the primary */
        else if (res == NULL && !db_usable(conn))
                return rc;   /* the deadline passed: logged already */
        if (rc == ST_UNAVAILABLE && state == NULL)
                log_warn("statement \"%s\": connection lost: %s", what, PQerrorMessage(conn));
        else if (rc == ST_INTERNAL || rc == ST_UNAVAILABLE)
                log_error("statement \"%s\" failed: %s %s", what, state != NULL ? state : "-",
                          PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) != NULL
                          ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : "no result");
        PQclear(res);
        return rc;
}

/* Waits until libpq has a whole result for @conn, or @deadline passes (ST_UNAVAILABLE). */
static int
db_wait(PGconn *conn, const struct timespec *deadline)
{
        struct pollfd pfd = { .fd = PQsocket(conn), .events = POLLIN };
        struct timespec now;
        double left;

        while (PQisBusy(conn)) {
                clock_gettime(CLOCK_MONOTONIC, &now);
                left = ms_between(&now, deadline);
                if (left <= 0)
                        return ST_UNAVAILABLE;
                if (poll(&pfd, 1, (int)left + 1) < 0 && errno != EINTR)
                        return ST_OK;     /* PQgetResult reports the broken socket */
                if (!PQconsumeInput(conn))
                        return ST_OK;
        }
        return ST_OK;
}

/*
 * Collects the results of the query just sent on @conn within the slot's
 * deadline: the first error, else the last result.  After a missed deadline
 * the connection is abandoned (never used again: the server may still be
 * running the statement, or be gone) and NULL is returned.
 */
static PGresult *
db_collect(PGconn *conn, struct db_slot *slot, const char *what)
{
        struct timespec deadline;
        PGresult *keep = NULL, *res;

        deadline_after(&deadline, slot->deadline_ms);
        for (;;) {
                if (db_wait(conn, &deadline) != ST_OK) {
                        log_warn("statement \"%s\": no answer within %u ms; connection"
                                 " abandoned", what, slot->deadline_ms);
                        slot->abandoned = true;
                        pthread_mutex_lock(&slot->pool->lock);
                        slot->pool->deadlines++;
                        pthread_mutex_unlock(&slot->pool->lock);
                        PQclear(keep);
                        return NULL;
                }
                res = PQgetResult(conn);
                if (res == NULL)
                        break;
                if (keep != NULL && PQresultStatus(keep) == PGRES_FATAL_ERROR) {
                        PQclear(res);
                        continue;
                }
                PQclear(keep);
                keep = res;
        }
        db_progress(slot->pool);
        return keep;
}

/* Runs a statement on @conn under its deadline; @send sends it. */
static PGresult *
db_run(PGconn *conn, const char *what, int sent)
{
        struct db_slot *slot = db_slot_of(conn);

        if (!sent)
                return NULL;
        if (slot == NULL) {
                /* a connection outside a pool: wait as long as it takes */
                PGresult *keep = NULL, *res;

                while ((res = PQgetResult(conn)) != NULL) {
                        PQclear(keep);
                        keep = res;
                }
                return keep;
        }
        return db_collect(conn, slot, what);
}


/* Counts a statement run on a pooled connection. */
static void
db_count_statement(PGconn *conn)
{
        struct db_slot *slot = db_slot_of(conn);

        if (slot != NULL)
                atomic_fetch_add_explicit(&slot->pool->statements, 1, memory_order_relaxed);
}

int
db_exec_state(PGconn *conn, const char *stmt, int nparams, const char *const *params,
              PGresult **out, char sqlstate[6])
{
        PGresult *res;

        if (sqlstate != NULL)
                sqlstate[0] = '\0';
        if (!db_usable(conn))
                return ST_UNAVAILABLE;
        db_count_statement(conn);
        res = db_run(conn, stmt,
                     PQsendQueryPrepared(conn, stmt, nparams, params, NULL, NULL, 0));
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
        if (!db_usable(conn))
                return ST_UNAVAILABLE;
        return db_result(conn, sql, db_run(conn, sql, PQsendQuery(conn, sql)), NULL, NULL);
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
                rc = problem_set(&rq->prob, ST_UNPROCESSABLE, "idempotency-key-reused",
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
db_deferred_clear(struct db_slot *slot, unsigned from)
{
        for (unsigned i = from; i < slot->ndeferred; i++)
                for (int k = 0; k < slot->deferred[i].nparams; k++)
                        free(slot->deferred[i].params[k]);
        slot->ndeferred = from;
        if (from == 0) {
                free(slot->deferred);
                slot->deferred = NULL;
                slot->capdeferred = 0;
        }
}

/*
 * Sends the deferred statements and, with @commit, the COMMIT, in one
 * pipeline: one round trip.  The first failure is the result (the pipeline
 * skips what follows it, the COMMIT too, and tx_once rolls back).
 */
static int
db_deferred_send(PGconn *conn, struct db_slot *slot, bool commit)
{
        struct timespec deadline;
        const char *what = commit ? "COMMIT" : "deferred statements";
        unsigned expect = slot->ndeferred + (commit ? 1u : 0u), nulls = 0;
        int rc = ST_OK;
        bool sent = PQenterPipelineMode(conn) == 1;

        for (unsigned i = 0; sent && i < slot->ndeferred; i++) {
                struct db_deferred *d = &slot->deferred[i];

                db_count_statement(conn);
                sent = PQsendQueryPrepared(conn, d->stmt, d->nparams,
                                           (const char *const *)d->params, NULL, NULL, 0) == 1;
        }
        if (sent && commit)
                sent = PQsendQueryParams(conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) == 1;
        if (sent)
                sent = PQpipelineSync(conn) == 1;
        db_deferred_clear(slot, 0);
        if (!sent) {
                log_warn("%s: cannot send: %s", what, PQerrorMessage(conn));
                slot->abandoned = true;   /* its state is unknown: never reused */
                return ST_UNAVAILABLE;
        }
        deadline_after(&deadline, slot->deadline_ms);
        for (;;) {
                PGresult *res;
                ExecStatusType est;

                if (db_wait(conn, &deadline) != ST_OK || PQstatus(conn) != CONNECTION_OK) {
                        log_warn("%s: no answer within %u ms; connection abandoned", what,
                                 slot->deadline_ms);
                        slot->abandoned = true;
                        return ST_UNAVAILABLE;
                }
                res = PQgetResult(conn);
                if (res == NULL) {
                        /* the end of one statement's results; a broken pipeline ends here */
                        if (++nulls > expect + 1) {
                                slot->abandoned = true;
                                return ST_UNAVAILABLE;
                        }
                        continue;
                }
                est = PQresultStatus(res);
                if (est == PGRES_PIPELINE_SYNC) {
                        PQclear(res);
                        break;
                }
                if (est == PGRES_TUPLES_OK || est == PGRES_COMMAND_OK || est == PGRES_PIPELINE_ABORTED)
                        PQclear(res);
                else if (rc == ST_OK)
                        rc = db_result(conn, what, res, NULL, NULL);
                else
                        PQclear(res);
        }
        if (PQexitPipelineMode(conn) != 1) {
                slot->abandoned = true;
                return ST_UNAVAILABLE;
        }
        db_progress(slot->pool);
        return rc;
}

int
db_defer(PGconn *conn, const char *stmt, int nparams, const char *const *params)
{
        struct db_slot *slot = db_slot_of(conn);
        struct db_deferred *d;

        if (slot == NULL || !slot->in_tx || nparams > DB_DEFER_PARAMS)
                return db_exec(conn, stmt, nparams, params, NULL);
        if (!db_usable(conn))
                return ST_UNAVAILABLE;
        if (slot->ndeferred == DB_DEFER_MAX) {
                int rc = db_deferred_send(conn, slot, false);

                if (rc != ST_OK)
                        return rc;
        }
        if (slot->ndeferred == slot->capdeferred) {
                unsigned cap = slot->capdeferred != 0 ? slot->capdeferred * 2 : 4;
                struct db_deferred *grown = realloc(slot->deferred, cap * sizeof(*grown));

                if (grown == NULL)
                        return ST_NOMEM;
                slot->deferred = grown;
                slot->capdeferred = cap;
        }
        d = &slot->deferred[slot->ndeferred];
        d->stmt = stmt;
        d->nparams = 0;
        for (int k = 0; k < nparams; k++) {
                d->params[k] = params[k] != NULL ? strdup(params[k]) : NULL;
                if (params[k] != NULL && d->params[k] == NULL) {
                        d->nparams = k;
                        slot->ndeferred++;
                        db_deferred_clear(slot, slot->ndeferred - 1);
                        return ST_NOMEM;
                }
        }
        d->nparams = nparams;
        slot->ndeferred++;
        return ST_OK;
}

unsigned
db_defer_mark(PGconn *conn)
{
        struct db_slot *slot = db_slot_of(conn);

        return slot != NULL ? slot->ndeferred : 0;
}

void
db_defer_drop(PGconn *conn, unsigned mark)
{
        struct db_slot *slot = db_slot_of(conn);

        if (slot != NULL && mark < slot->ndeferred)
                db_deferred_clear(slot, mark);
}

int
db_defer_flush(PGconn *conn)
{
        struct db_slot *slot = db_slot_of(conn);

        if (slot == NULL || slot->ndeferred == 0)
                return ST_OK;
        if (!db_usable(conn))
                return ST_UNAVAILABLE;
        return db_deferred_send(conn, slot, false);
}

/* COMMIT, with the deferred statements ahead of it in the same round trip. */
static int
db_commit(PGconn *conn)
{
        struct db_slot *slot = db_slot_of(conn);

        if (slot == NULL || slot->ndeferred == 0)
                return db_command(conn, "COMMIT");
        if (!db_usable(conn))
                return ST_UNAVAILABLE;
        return db_deferred_send(conn, slot, true);
}

static void
db_tx_enter(PGconn *conn, bool in)
{
        struct db_slot *slot = db_slot_of(conn);

        if (slot == NULL)
                return;
        slot->in_tx = in;
        if (slot->ndeferred > 0)
                db_deferred_clear(slot, 0);
}

void
db_note_event(PGconn *conn)
{
        struct db_slot *slot = db_slot_of(conn);

        if (slot != NULL)
                slot->emitted = true;
}

static void
db_events_forget(PGconn *conn)
{
        struct db_slot *slot = db_slot_of(conn);

        if (slot != NULL)
                slot->emitted = false;
}

/* After a COMMIT: wakes the feeds' long polls when the transaction wrote events. */
static void
db_events_committed(PGconn *conn)
{
        struct db_slot *slot = db_slot_of(conn);

        if (slot == NULL || !slot->emitted)
                return;
        slot->emitted = false;
        pthread_mutex_lock(&slot->pool->ev_lock);
        slot->pool->ev_commits++;
        pthread_cond_broadcast(&slot->pool->ev_cond);
        pthread_mutex_unlock(&slot->pool->ev_lock);
}

unsigned long long
db_events_seen(struct db_pool *pool)
{
        unsigned long long n;

        pthread_mutex_lock(&pool->ev_lock);
        n = pool->ev_commits;
        pthread_mutex_unlock(&pool->ev_lock);
        return n;
}

void
db_wait_events(struct db_pool *pool, unsigned long long seen, unsigned ms)
{
        struct timespec deadline;

        deadline_after(&deadline, ms);
        pthread_mutex_lock(&pool->ev_lock);
        while (pool->ev_commits == seen
               && pthread_cond_timedwait(&pool->ev_cond, &pool->ev_lock, &deadline) != ETIMEDOUT)
                ;
        pthread_mutex_unlock(&pool->ev_lock);
}

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
        db_events_forget(conn);
        db_tx_enter(conn, true);
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
        if (rc == ST_OK) {
                rc = db_commit(conn);
                db_tx_enter(conn, false);
                if (rc == ST_OK)
                        db_events_committed(conn);
                else if (PQtransactionStatus(conn) == PQTRANS_INERROR)
                        db_command(conn, "ROLLBACK");   /* a deferred statement failed */
                return rc;
        }
out:
        db_tx_enter(conn, false);
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
                if (rc != ST_UNAVAILABLE || PQstatus(conn) != CONNECTION_BAD || !db_usable(conn)) {
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

int
db_stmts_join(const struct db_stmt *const *tables, struct db_stmt **out)
{
        size_t n = 0, k = 0;
        struct db_stmt *all;

        for (size_t t = 0; tables[t] != NULL; t++)
                for (const struct db_stmt *s = tables[t]; s->name != NULL; s++)
                        n++;
        all = calloc(n + 1, sizeof(*all));
        if (all == NULL)
                return ST_NOMEM;
        for (size_t t = 0; tables[t] != NULL; t++)
                for (const struct db_stmt *s = tables[t]; s->name != NULL; s++)
                        all[k++] = *s;
        *out = all;
        return ST_OK;
}
