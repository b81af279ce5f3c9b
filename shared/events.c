/*
 * events.c - the outbox writer, the feed (cursor, visibility horizon, long
 * poll) and the retention pruner.
 *
 * Why a reader of the feed never skips an event
 * ---------------------------------------------
 * Each event row records the 64-bit id of the transaction that wrote it
 * (txid = pg_current_xact_id(), xid8) and a sequence number (seq).  The feed
 * is ordered by (txid, seq), and one read delivers only rows whose txid is
 * below the horizon H = pg_snapshot_xmin(pg_current_snapshot()) of that read,
 * the oldest transaction id still running when its snapshot was taken.
 *
 *  1. Every transaction with an id below H had ended (committed or aborted)
 *     when the snapshot was taken, so the read sees all of their committed
 *     rows and none of them can still change.
 *  2. A transaction that had no id yet takes one later, and ids are handed
 *     out in increasing order starting from at least H, so no new row can
 *     ever appear below H.
 *  3. H never goes down from one read to the next (the ids running later are
 *     either still running from before, >= the old H, or newer, > all old ids).
 *
 * So the rows below H form a prefix of the (txid, seq) order that is final
 * the moment it is read: a reader that resumes after the last position it
 * was given, even one below a later horizon, finds every event after it.  A
 * cursor on seq alone with the same horizon filter is not enough: seq is
 * taken at INSERT, so a transaction with a low seq and a txid above the
 * horizon is held back while a later seq with a lower txid is delivered, and
 * the cursor passes it.  Ordering by txid first is what closes that gap.
 *
 * The price: a long transaction anywhere in the cluster that holds an id
 * delays delivery (never loses it) until it ends; keep transactions short
 * (idle_in_transaction_session_timeout bounds a forgotten one).
 * tests/integration/events.test.mjs holds one writer's transaction open
 * while others commit, and checks that the follower receives every event.
 *
 * The long poll re-reads when a transaction of this process that wrote events
 * commits (db_wait_events: a condition variable, nothing on the wire), and
 * every EVENTS_POLL_MS anyway for another replica's commits (a cheap index
 * range scan that returns nothing), until an event shows or `wait` runs out:
 * no NOTIFY, whose commit-time lock would serialise every writer of the
 * cluster, so a commit pays nothing extra; the wait is bounded by the request.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "b64.h"
#include "buf.h"
#include "events.h"
#include "http.h"
#include "log.h"
#include "server.h"
#include "status.h"
#include "thread.h"

#define EVENTS_POLL_MS 100
#define EVENTS_WAIT_MAX_S 30
#define EVENTS_LIMIT_MAX 1000
#define EVENTS_LIMIT_DEFAULT 100
#define EVENTS_TYPES_MAX 16
#define EVENTS_TYPE_LEN_MAX 100
#define PRUNE_BATCH 1000
#define PRUNE_EVERY_S 3600

const char *const events_feed_query[] = { "after", "limit", "type", "wait", NULL };

/* ---- the outbox ---------------------------------------------------------------- */

int
outbox_emit(PGconn *conn, const struct request *rq, const struct event_out *ev)
{
        char version[24];
        char *data = ev->data != NULL ? json_dumps(ev->data, JSON_COMPACT) : NULL;
        const char *actor = ev->actor;
        const char *params[7];
        int rc;

        if (ev->data != NULL && data == NULL)
                return ST_NOMEM;
        if (actor == NULL && rq != NULL)
                actor = rq->me_known && rq->me[0] != '\0' ? rq->me : rq->who.subject;
        snprintf(version, sizeof(version), "%lld", ev->version);
        params[0] = ev->type;
        params[1] = ev->subject;
        params[2] = ev->person != NULL && ev->person[0] != '\0' ? ev->person : NULL;
        params[3] = actor != NULL && actor[0] != '\0' ? actor : NULL;
        params[4] = rq != NULL && rq->request_id[0] != '\0' ? rq->request_id : NULL;
        params[5] = ev->version > 0 ? version : NULL;
        params[6] = data;
        /* with the COMMIT, in its round trip (db_defer): an event costs no wait */
        rc = db_defer(conn, "events_insert", 7, params);
        if (rc == ST_OK)
                db_note_event(conn);   /* db_tx wakes this process's long polls on COMMIT */
        free(data);
        return rc;
}

int
outbox_emit4(PGconn *conn, const struct request *rq, const char *type, const char *subject,
             const char *person, long long version, const json_t *data)
{
        struct event_out ev = { type, subject, person, version, data, NULL };

        return outbox_emit(conn, rq, &ev);
}

int
outbox_row(PGconn *conn, const struct request *rq, const char *type, const struct db_row *r,
           const char *person_field, const char *const *fields, const json_t *j_changed)
{
        json_t *j_row = r->json != NULL ? json_loads(r->json, 0, NULL) : NULL;
        json_t *j_data = json_object();
        const char *person = NULL;
        int rc = ST_NOMEM;

        if (j_data == NULL || (r->json != NULL && j_row == NULL))
                goto out;
        for (; fields != NULL && *fields != NULL; fields++) {
                json_t *j_v = json_object_get(j_row, *fields);

                if (j_v != NULL && json_object_set(j_data, *fields, j_v) != 0)
                        goto out;
        }
        if (j_changed != NULL) {
                json_t *j_names = json_array();
                const char *key;
                json_t *j_v;

                if (j_names == NULL || json_object_set_new(j_data, "changed", j_names) != 0)
                        goto out;
                json_object_foreach((json_t *)j_changed, key, j_v)
                        if (json_array_append_new(j_names, json_string(key)) != 0)
                                goto out;
        }
        if (person_field != NULL)
                person = json_string_value(json_object_get(j_row, person_field));
        rc = outbox_emit4(conn, rq, type, r->id[0] != '\0' ? r->id : NULL, person, r->version,
                          j_data);
out:
        json_decref(j_row);
        json_decref(j_data);
        return rc;
}

/* ---- positions and cursors ------------------------------------------------------ */

int
event_pos_cmp(struct event_pos a, struct event_pos b)
{
        if (a.txid != b.txid)
                return a.txid < b.txid ? -1 : 1;
        if (a.seq != b.seq)
                return a.seq < b.seq ? -1 : 1;
        return 0;
}

void
event_cursor_encode(struct event_pos p, char *out, size_t outlen)
{
        char raw[48];
        int n = snprintf(raw, sizeof(raw), "e1:%" PRIu64 ":%" PRIu64, p.txid, p.seq);
        char *enc = b64url_encode(raw, (size_t)n);

        snprintf(out, outlen, "%s", enc != NULL ? enc : "");
        free(enc);
}

/* A decimal uint64 of 1..20 digits, nothing else. */
static int
parse_u64(const char *s, size_t n, uint64_t *out)
{
        uint64_t v = 0;

        if (n == 0 || n > 20)
                return ST_INVALID;
        for (size_t i = 0; i < n; i++) {
                unsigned d;

                if (s[i] < '0' || s[i] > '9')
                        return ST_INVALID;
                d = (unsigned)(s[i] - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return ST_INVALID;
                v = v * 10 + d;
        }
        *out = v;
        return ST_OK;
}

int
event_cursor_decode(const char *s, struct event_pos *out)
{
        unsigned char *raw = NULL;
        size_t n = 0;
        const char *colon;
        char text[64];
        int rc = ST_INVALID;

        if (s == NULL || strlen(s) > 60 || b64url_decode(s, strlen(s), &raw, &n) != ST_OK)
                return ST_INVALID;
        if (n < 5 || n >= sizeof(text) || memcmp(raw, "e1:", 3) != 0)
                goto out;
        memcpy(text, raw, n);
        text[n] = '\0';
        if (strlen(text) != n)
                goto out;
        colon = strchr(text + 3, ':');
        if (colon != NULL
            && parse_u64(text + 3, (size_t)(colon - text - 3), &out->txid) == ST_OK
            && parse_u64(colon + 1, strlen(colon + 1), &out->seq) == ST_OK)
                rc = ST_OK;
out:
        free(raw);
        return rc;
}

static bool
type_char_ok(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
}

int
event_type_filter(const char *s, char **out, char *why, size_t whylen)
{
        struct buf b = BUF_INIT;
        const char *p = s;
        int count = 0;

        buf_puts(&b, "{");
        while (p != NULL) {
                const char *end = strchr(p, ',');
                size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
                bool prefix = n > 0 && p[n - 1] == '*';
                size_t body = prefix ? n - 1 : n;

                if (n == 0 || n > EVENTS_TYPE_LEN_MAX || ++count > EVENTS_TYPES_MAX) {
                        snprintf(why, whylen, "must be a comma-separated list of up to %d event"
                                 " types of 1 to %d characters", EVENTS_TYPES_MAX,
                                 EVENTS_TYPE_LEN_MAX);
                        goto bad;
                }
                for (size_t i = 0; i < body; i++)
                        if (!type_char_ok(p[i])) {
                                snprintf(why, whylen, "an event type holds only a-z, 0-9, '.'"
                                         " and '_', and '*' only at its end");
                                goto bad;
                        }
                if (count > 1)
                        buf_puts(&b, ",");
                buf_puts(&b, "\"");
                for (size_t i = 0; i < body; i++) {
                        if (p[i] == '_')
                                buf_puts(&b, "\\\\");   /* LIKE's escape for a literal _ */
                        buf_add(&b, p + i, 1);
                }
                buf_puts(&b, prefix ? "%\"" : "\"");
                p = end != NULL ? end + 1 : NULL;
        }
        buf_puts(&b, "}");
        *out = buf_detach(&b);
        return *out != NULL ? ST_OK : ST_NOMEM;
bad:
        free(buf_detach(&b));
        return ST_INVALID;
}

/* ---- the feed ------------------------------------------------------------------------ */

struct feed_op {
        struct event_pos after;
        char *types;             /* PostgreSQL array of LIKE patterns, or NULL */
        int limit;
        /* the result of one read */
        struct buf items;
        int count;
        struct event_pos next;
};

static struct event_pos
pos_of(const PGresult *res, int row)
{
        struct event_pos p = { 0, 0 };

        parse_u64(PQgetvalue(res, row, 1), (size_t)PQgetlength(res, row, 1), &p.txid);
        parse_u64(PQgetvalue(res, row, 2), (size_t)PQgetlength(res, row, 2), &p.seq);
        return p;
}

static int
feed_read(PGconn *conn, struct request *rq, void *arg)
{
        struct feed_op *op = arg;
        char txid[24], seq[24], limit[16];
        const char *params[4] = { txid, seq, op->types, limit };
        PGresult *res = NULL;
        struct event_pos last = op->after;
        int rc, n;

        (void)rq;
        snprintf(txid, sizeof(txid), "%" PRIu64, op->after.txid);
        snprintf(seq, sizeof(seq), "%" PRIu64, op->after.seq);
        snprintf(limit, sizeof(limit), "%d", op->limit);
        rc = db_exec(conn, "events_feed", 4, params, &res);
        if (rc != ST_OK)
                return rc;
        buf_release(&op->items);
        op->count = 0;
        n = PQntuples(res);
        for (int i = 0; i < n; i++) {
                struct event_pos p = pos_of(res, i);

                if (strcmp(PQgetvalue(res, i, 0), "0") == 0) {
                        if (op->count++ > 0)
                                buf_puts(&op->items, ",");
                        buf_add(&op->items, PQgetvalue(res, i, 3), (size_t)PQgetlength(res, i, 3));
                        last = p;
                } else if (op->count < op->limit && event_pos_cmp(p, last) > 0) {
                        /* a short page saw every match up to the horizon's last row */
                        last = p;
                }
        }
        op->next = last;
        PQclear(res);
        return op->items.failed ? ST_NOMEM : ST_OK;
}

static double
now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A whole number in @min..@max, @def when absent; a field error otherwise. */
static long
feed_int(struct request *rq, const char *name, long min, long max, long def)
{
        const char *s = http_query(rq, name);
        uint64_t v = 0;

        if (s == NULL)
                return def;
        if (parse_u64(s, strlen(s), &v) != ST_OK || v < (uint64_t)min || v > (uint64_t)max) {
                problem_field(&rq->prob, name, "must be a whole number from %ld to %ld", min, max);
                return def;
        }
        return (long)v;
}

static int
feed_params(struct request *rq, struct feed_op *op, long *wait_s)
{
        const char *after = http_query(rq, "after");
        const char *type = http_query(rq, "type");
        char why[160];

        if (!(rq->who.roles & (ROLE_SERVICE | ROLE_ADMIN)))
                return problem_set(&rq->prob, ST_FORBIDDEN, NULL,
                                   "the event feed is for the service and admin roles");
        op->limit = (int)feed_int(rq, "limit", 1, EVENTS_LIMIT_MAX, EVENTS_LIMIT_DEFAULT);
        *wait_s = feed_int(rq, "wait", 0, EVENTS_WAIT_MAX_S, 0);
        if (after != NULL && after[0] != '\0' && event_cursor_decode(after, &op->after) != ST_OK)
                problem_field(&rq->prob, "after", "must be a next_cursor this feed returned");
        if (type != NULL) {
                int rc = event_type_filter(type, &op->types, why, sizeof(why));

                if (rc == ST_NOMEM)
                        return rc;
                if (rc != ST_OK)
                        problem_field(&rq->prob, "type", "%s", why);
        }
        if (problem_field_count(&rq->prob) > 0)
                return problem_set(&rq->prob, ST_INVALID, NULL, "bad event feed parameters");
        return ST_OK;
}

int
events_feed(struct request *rq)
{
        struct feed_op op = { .items = BUF_INIT };
        struct buf b = BUF_INIT;
        char cursor[64];
        long wait_s = 0;
        double deadline;
        int rc = feed_params(rq, &op, &wait_s);

        deadline = now_ms() + (double)wait_s * 1e3;
        while (rc == ST_OK) {
                unsigned long long seen = db_events_seen(rq->svc->db);
                double left;

                rc = db_with(rq->svc->db, rq, feed_read, &op);
                left = deadline - now_ms();
                if (rc != ST_OK || op.count > 0 || left < 1 || atomic_load(&rq->svc->draining))
                        break;
                /* a commit with events in this process wakes it at once; another
                 * replica's is found by the next poll */
                db_wait_events(rq->svc->db, seen, left < EVENTS_POLL_MS ? (unsigned)left
                                                                        : EVENTS_POLL_MS);
        }
        if (rc == ST_OK) {
                event_cursor_encode(op.next, cursor, sizeof(cursor));
                buf_puts(&b, "{\"items\":[");
                if (op.items.len > 0)
                        buf_add(&b, op.items.p, op.items.len);
                buf_fmt(&b, "],\"next_cursor\":\"%s\",\"more\":%s}", cursor,
                        op.count == op.limit ? "true" : "false");
                rq->text_out = buf_detach(&b);
                rq->content_type = "application/json";
                rc = rq->text_out != NULL ? ST_OK : ST_NOMEM;
        }
        buf_release(&op.items);
        free(op.types);
        return rc;
}

/* ---- retention ------------------------------------------------------------------------- */

long long
events_prune(PGconn *conn, unsigned days)
{
        return events_prune_stmt(conn, "events_prune", days);
}

long long
events_prune_stmt(PGconn *conn, const char *stmt, unsigned days)
{
        char d[16], batch[16];
        const char *params[2] = { d, batch };
        long long total = 0;

        snprintf(d, sizeof(d), "%u", days);
        snprintf(batch, sizeof(batch), "%d", PRUNE_BATCH);
        /* one short transaction per batch: writers never wait on a long delete */
        for (int round = 0; round < 100000; round++) {
                PGresult *res = NULL;
                long long n;

                if (db_exec(conn, stmt, 2, params, &res) != ST_OK)
                        return -1;
                n = strtoll(PQcmdTuples(res), NULL, 10);
                PQclear(res);
                total += n;
                if (n < PRUNE_BATCH)
                        break;
                nanosleep(&(struct timespec){ 0, 20000000L }, NULL);
        }
        return total;
}

struct events_state {
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t wake;
        int stop;
};

static int
prune_tx(PGconn *conn, struct request *rq, void *arg)
{
        struct service *svc = arg;
        long long n = events_prune(conn, svc->cfg.events_retention_days);

        (void)rq;
        if (n > 0)
                log_info("pruned %lld event(s) older than %u days", n,
                         svc->cfg.events_retention_days);
        if (n >= 0 && svc->prune != NULL)
                n = svc->prune(conn, svc);
        return n >= 0 ? ST_OK : ST_UNAVAILABLE;
}

static void *
pruner_main(void *arg)
{
        struct service *svc = arg;
        struct events_state *st = svc->events;
        int stop = 0;

        while (!stop) {
                struct timespec until;

                db_with(svc->db, NULL, prune_tx, svc);
                clock_gettime(CLOCK_REALTIME, &until);
                until.tv_sec += PRUNE_EVERY_S;
                pthread_mutex_lock(&st->lock);
                while (!st->stop && pthread_cond_timedwait(&st->wake, &st->lock, &until) != ETIMEDOUT)
                        ;
                stop = st->stop;
                pthread_mutex_unlock(&st->lock);
        }
        return NULL;
}

int
events_start(struct service *svc)
{
        struct events_state *st = calloc(1, sizeof(*st));

        if (st == NULL)
                return ST_NOMEM;
        pthread_mutex_init(&st->lock, NULL);
        pthread_cond_init(&st->wake, NULL);
        svc->events = st;
        if (thread_start(&st->thread, pruner_main, svc) != 0) {
                svc->events = NULL;
                free(st);
                return ST_INTERNAL;
        }
        return ST_OK;
}

void
events_stop(struct service *svc)
{
        struct events_state *st = svc->events;

        if (st == NULL)
                return;
        pthread_mutex_lock(&st->lock);
        st->stop = 1;
        pthread_cond_signal(&st->wake);
        pthread_mutex_unlock(&st->lock);
        pthread_join(st->thread, NULL);
        pthread_mutex_destroy(&st->lock);
        pthread_cond_destroy(&st->wake);
        free(st);
        svc->events = NULL;
}
