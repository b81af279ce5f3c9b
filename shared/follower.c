/*
 * follower.c - a thread per subscription that follows another service's
 * event feed and applies each page with its cursor in one transaction
 * (follower.h says what it promises).
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "bgthread.h"
#include "buf.h"
#include "client.h"
#include "events.h"
#include "follower.h"
#include "log.h"
#include "server.h"
#include "status.h"

#define FOLLOW_PAGE 100          /* events per page */
#define FOLLOW_WAIT_S 4          /* the long poll; also bounds how long a stop waits */
#define FOLLOW_STANDBY_MS 1000   /* a standby replica retries the lock this often */
#define FOLLOW_ALIVE_MS 1000     /* how often a leader checks its lock's session */
#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 30000


struct follower {
        struct follower *next;
        struct service *svc;
        char *name, *url, *types;
        follower_apply_fn apply;
        void *arg;
        struct bgthread *thread;
        pthread_mutex_t lock;     /* guards the status below */
        PGconn *lock_conn;        /* holds the leadership lock; this thread only */
        bool leader;
        struct timespec alive_at; /* when the lock's session last answered */
        /* the cursor as this thread last stored or read it (this thread only);
         * apply_tx checks it against the row, so a stale copy costs one retry */
        char cursor[64];
        bool cursor_known;
        unsigned backoff_ms;
        /* status for /readyz */
        const char *state;
        char error[200];
        time_t since;
        long long applied, rejected;
};

/* One page fetched from the producer and being applied. */
struct page {
        struct follower *f;
        char after[64];           /* the cursor it was fetched from */
        const char *next;         /* borrowed from j_body */
        json_t *j_body;
        size_t count;
        long long applied, rejected;
        bool more;
        bool savepoints;          /* each event in its own savepoint (see apply_tx) */
        bool refused;             /* an event failed without savepoints: apply again with */
};

static void
set_state(struct follower *f, const char *state, const char *error)
{
        pthread_mutex_lock(&f->lock);
        if (f->state == NULL || strcmp(f->state, state) != 0)
                f->since = time(NULL);
        f->state = state;
        snprintf(f->error, sizeof(f->error), "%s", error != NULL ? error : "");
        pthread_mutex_unlock(&f->lock);
}

/* The next backoff, with up to 25 % jitter so replicas do not retry in step. */
static unsigned
backoff_next(struct follower *f)
{
        unsigned ms = f->backoff_ms, jitter = 0;

        f->backoff_ms = ms >= BACKOFF_MAX_MS / 2 ? BACKOFF_MAX_MS : ms * 2;
        if (getrandom(&jitter, sizeof(jitter), 0) != (ssize_t)sizeof(jitter))
                jitter = 0;
        return ms + jitter % (ms / 4 + 1);
}

static void
fail(struct follower *f, const char *state, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void lock_drop(struct follower *f);

/*
 * Records a failure, logs it once as a JSON line, steps down (so that a
 * replica that can reach the producer takes over meanwhile), and backs off.
 */
static void
fail(struct follower *f, const char *state, const char *fmt, ...)
{
        char why[200];
        unsigned ms = backoff_next(f);
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(why, sizeof(why), fmt, ap);
        va_end(ap);
        set_state(f, state, why);
        log_warn("follower %s of %s: %s; retrying in %u ms", f->name, f->url, why, ms);
        lock_drop(f);
        bgthread_nap(f->thread, ms);
}

/* ---- leadership ---------------------------------------------------------------------- */

static PGconn *
lock_connect(struct follower *f)
{
        char options[128], appname[64];
        const char *keys[] = { "dbname", "options", "application_name", "connect_timeout", NULL };
        const char *vals[] = { f->svc->cfg.database_url, options, appname, "5", NULL };
        PGconn *conn;

        snprintf(options, sizeof(options), "-c search_path=%s", f->svc->cfg.service);
        snprintf(appname, sizeof(appname), "tandem-%s-follow", f->svc->cfg.service);
        conn = PQconnectdbParams(keys, vals, 1);
        if (PQstatus(conn) != CONNECTION_OK) {
                PQfinish(conn);
                return NULL;
        }
        for (const struct db_stmt *s = follower_lock_stmts; s->name != NULL; s++) {
                PGresult *res = PQprepare(conn, s->name, s->sql, 0, NULL);
                bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;

                PQclear(res);
                if (!ok) {
                        PQfinish(conn);
                        return NULL;
                }
        }
        return conn;
}

static void
lock_drop(struct follower *f)
{
        PQfinish(f->lock_conn);   /* the session ends: PostgreSQL releases the lock */
        f->lock_conn = NULL;
        f->leader = false;
        f->cursor_known = false;  /* another replica may move it meanwhile */
}

static long
ms_since(const struct timespec *t)
{
        struct timespec now;

        clock_gettime(CLOCK_MONOTONIC, &now);
        return (long)(now.tv_sec - t->tv_sec) * 1000L + (now.tv_nsec - t->tv_nsec) / 1000000L;
}

/* ST_OK when this replica follows; ST_CONFLICT when another does. */
static int
lead(struct follower *f)
{
        char key[160];
        const char *params[1] = { key };
        PGresult *res = NULL;
        int rc;

        if (f->leader) {
                /* still ours while the session lives; asked once a second, not once a
                 * page: the cursor check keeps exactly once if two ever overlap */
                if (ms_since(&f->alive_at) < FOLLOW_ALIVE_MS)
                        return ST_OK;
                if (db_exec(f->lock_conn, "follower_alive", 0, NULL, NULL) == ST_OK) {
                        clock_gettime(CLOCK_MONOTONIC, &f->alive_at);
                        return ST_OK;
                }
                log_warn("follower %s: lost its database session; claiming again", f->name);
                lock_drop(f);
        }
        if (f->lock_conn == NULL && (f->lock_conn = lock_connect(f)) == NULL)
                return ST_UNAVAILABLE;
        snprintf(key, sizeof(key), "tandem.follow.%s.%s", f->svc->cfg.service, f->name);
        rc = db_exec(f->lock_conn, "follower_try_lock", 1, params, &res);
        if (rc != ST_OK) {
                lock_drop(f);
                return ST_UNAVAILABLE;
        }
        f->leader = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
        PQclear(res);
        if (!f->leader)
                return ST_CONFLICT;
        clock_gettime(CLOCK_MONOTONIC, &f->alive_at);
        log_info("follower %s: following %s", f->name, f->url);
        return ST_OK;
}

/* ---- one page --------------------------------------------------------------------------- */

int
follower_event_parse(const json_t *j_event, struct follower_event *out)
{
        const json_t *j_data = json_object_get(j_event, "data");
        const json_t *j_version = json_object_get(j_event, "resourceversion");

        memset(out, 0, sizeof(*out));
        if (!json_is_object(j_event))
                return ST_MALFORMED;
        out->id = json_string_value(json_object_get(j_event, "id"));
        out->type = json_string_value(json_object_get(j_event, "type"));
        out->source = json_string_value(json_object_get(j_event, "source"));
        out->time = json_string_value(json_object_get(j_event, "time"));
        out->subject = json_string_value(json_object_get(j_event, "subject"));
        out->person = json_string_value(json_object_get(j_event, "personid"));
        out->actor = json_string_value(json_object_get(j_event, "actor"));
        if (out->id == NULL || out->type == NULL || out->source == NULL || out->time == NULL
            || strncmp(out->type, "tandem.", 7) != 0)
                return ST_MALFORMED;
        if (j_version != NULL && !json_is_integer(j_version))
                return ST_MALFORMED;
        out->version = j_version != NULL ? (long long)json_integer_value(j_version) : 0;
        if (!json_is_object(j_data))
                return ST_MALFORMED;   /* the feed always sends one, {} at least */
        out->data = j_data;
        out->j_event = j_event;
        return ST_OK;
}

static int
cursor_read(PGconn *conn, struct request *rq, void *arg)
{
        struct page *pg = arg;
        const char *params[1] = { pg->f->name };
        PGresult *res = NULL;
        int rc = db_exec(conn, "follower_cursor_init", 1, params, NULL);

        (void)rq;
        if (rc == ST_OK)
                rc = db_exec_one(conn, "follower_cursor_get", 1, params, &res);
        if (rc == ST_OK)
                snprintf(pg->after, sizeof(pg->after), "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
        return rc;
}

static bool
transient(int rc)
{
        return rc == ST_UNAVAILABLE || rc == ST_RETRY || rc == ST_NOMEM;
}

/*
 * Applies one event.  Without savepoints (the common case: two round trips
 * fewer per event) a refusal aborts the page, which apply_tx's caller then
 * applies again with a savepoint around each event, so that only the refused
 * event is rolled back, logged and counted.
 */
static int
apply_one(PGconn *conn, struct page *pg, const json_t *j_item)
{
        struct follower_event ev;
        unsigned mark = db_defer_mark(conn);
        int rc = follower_event_parse(j_item, &ev);

        if (rc == ST_OK && pg->savepoints)
                rc = db_command(conn, "SAVEPOINT follower_event");
        if (rc != ST_OK)
                return rc;
        rc = pg->f->apply(conn, &ev, pg->f->arg);
        /* with savepoints, its deferred statements (its events) run now, so that
         * a failure of theirs is this event's */
        if (rc == ST_OK && pg->savepoints)
                rc = db_defer_flush(conn);
        if (rc == ST_OK) {
                pg->applied++;
                return pg->savepoints ? db_command(conn, "RELEASE SAVEPOINT follower_event")
                                      : ST_OK;
        }
        if (transient(rc))
                return rc;
        db_defer_drop(conn, mark);
        if (!pg->savepoints) {
                pg->refused = true;
                return ST_CONFLICT;   /* rolls the page back; see follow_once */
        }
        log_error("follower %s: event %s (%s) cannot be applied (status %d); skipped",
                  pg->f->name, ev.id, ev.type, rc);
        pg->rejected++;
        return db_command(conn, "ROLLBACK TO SAVEPOINT follower_event");
}

static int
apply_tx(PGconn *conn, struct request *rq, void *arg)
{
        struct page *pg = arg;
        const json_t *j_items = json_object_get(pg->j_body, "items");
        const char *params[4];
        char applied[24], rejected[24];
        PGresult *res = NULL;
        int rc;

        (void)rq;
        pg->applied = pg->rejected = 0;   /* db_tx may run this again */
        pg->refused = false;
        params[0] = pg->f->name;
        rc = db_exec_one(conn, "follower_cursor_lock", 1, params, &res);
        if (rc == ST_OK && strcmp(PQgetvalue(res, 0, 0), pg->after) != 0)
                rc = ST_CONFLICT;   /* another replica moved it: fetch again from there */
        PQclear(res);
        for (size_t i = 0; rc == ST_OK && i < json_array_size(j_items); i++)
                rc = apply_one(conn, pg, json_array_get(j_items, i));
        if (rc != ST_OK)
                return rc;
        snprintf(applied, sizeof(applied), "%lld", pg->applied);
        snprintf(rejected, sizeof(rejected), "%lld", pg->rejected);
        params[1] = pg->next;
        params[2] = applied;
        params[3] = rejected;
        return db_exec(conn, "follower_cursor_set", 4, params, NULL);
}

/* The body is an event page: {"items": [objects], "next_cursor": "...", "more": bool}. */
static bool
page_shape_ok(struct page *pg)
{
        const json_t *j_items = json_object_get(pg->j_body, "items");
        struct follower_event ev;

        pg->next = json_string_value(json_object_get(pg->j_body, "next_cursor"));
        if (!json_is_array(j_items) || pg->next == NULL || strlen(pg->next) >= 64)
                return false;
        for (size_t i = 0; i < json_array_size(j_items); i++)
                if (follower_event_parse(json_array_get(j_items, i), &ev) != ST_OK)
                        return false;
        pg->count = json_array_size(j_items);
        pg->more = json_is_true(json_object_get(pg->j_body, "more"));
        return true;
}

static int
fetch(struct follower *f, struct page *pg)
{
        struct buf path = BUF_INIT;
        struct client_reply reply = { 0, NULL };
        char *token = NULL;
        int rc = service_own_token(f->svc, &token);

        if (rc == ST_NOT_FOUND) {
                fail(f, "no_token", "this service has no token of its own"
                     " (TANDEM_OIDC_CLIENT_ID): cannot read the feed");
                return rc;
        }
        if (rc != ST_OK) {
                fail(f, "unreachable", "no token from the identity provider now");
                return rc;
        }
        buf_fmt(&path, "/v1/events?limit=%d&wait=%d", FOLLOW_PAGE, FOLLOW_WAIT_S);
        if (pg->after[0] != '\0')
                buf_fmt(&path, "&after=%s", pg->after);
        if (f->types != NULL)
                buf_fmt(&path, "&type=%s", f->types);
        rc = path.failed ? ST_NOMEM : ST_OK;
        if (rc == ST_OK) {
                struct client_call call = {
                        "GET", f->url, path.p, token, NULL, NULL,
                        FOLLOW_WAIT_S * 1000 + f->svc->cfg.client_timeout_ms,
                };

                rc = client_do(&call, &reply);
        }
        if (rc != ST_OK && reply.status >= 500)
                fail(f, "unreachable", "GET /v1/events: the producer answered %ld",
                     reply.status);
        else if (rc != ST_OK)
                fail(f, "unreachable", "GET /v1/events: no answer (down, refused or timed out)");
        else if (reply.status != 200) {
                fail(f, "unreachable", "GET /v1/events: the producer answered %ld",
                     reply.status);
                rc = ST_UNAVAILABLE;
        } else {
                pg->j_body = reply.j_body;
                reply.j_body = NULL;
                if (!page_shape_ok(pg)) {
                        fail(f, "unreachable", "GET /v1/events: the answer is not an event"
                             " page (items, next_cursor)");
                        rc = ST_MALFORMED;
                }
        }
        client_reply_release(&reply);
        buf_release(&path);
        free(token);
        return rc;
}

/* Fetches and applies one page.  ST_OK when the follower may go on at once. */
static int
follow_once(struct follower *f, bool *more)
{
        struct page pg = { .f = f };
        int rc = ST_OK;

        *more = false;
        if (f->cursor_known)
                memcpy(pg.after, f->cursor, sizeof(pg.after));
        else
                rc = db_with(f->svc->db, NULL, cursor_read, &pg);
        if (rc != ST_OK) {
                fail(f, "unreachable", "cannot read its cursor in its own database");
                return rc;
        }
        rc = fetch(f, &pg);
        if (rc == ST_OK && (pg.count > 0 || strcmp(pg.next, pg.after) != 0)) {
                rc = db_tx(f->svc->db, NULL, apply_tx, &pg);
                /* refused, or a deferred statement (an event it emits) failed at COMMIT */
                if ((rc == ST_CONFLICT && pg.refused)
                    || (rc != ST_OK && rc != ST_CONFLICT && !transient(rc))) {
                        pg.savepoints = true;   /* again, rolling back only the refused event */
                        rc = db_tx(f->svc->db, NULL, apply_tx, &pg);
                }
                if (rc == ST_CONFLICT) {
                        f->cursor_known = false;   /* another replica moved it: read it again */
                        rc = ST_OK;
                        pg.applied = pg.rejected = 0;
                } else if (rc != ST_OK) {
                        fail(f, "unreachable", "applying %zu event(s) failed (status %d);"
                             " the page will be applied again", pg.count, rc);
                } else {
                        snprintf(f->cursor, sizeof(f->cursor), "%s", pg.next);
                        f->cursor_known = true;
                }
        } else if (rc == ST_OK) {
                memcpy(f->cursor, pg.after, sizeof(f->cursor));
                f->cursor_known = true;
        }
        if (rc == ST_OK) {
                f->backoff_ms = BACKOFF_MIN_MS;
                pthread_mutex_lock(&f->lock);
                f->applied += pg.applied;
                f->rejected += pg.rejected;
                pthread_mutex_unlock(&f->lock);
                set_state(f, pg.more ? "catching_up" : "following", NULL);
                *more = pg.more;
        } else {
                f->cursor_known = false;
        }
        json_decref(pg.j_body);
        return rc;
}

/* One turn of the follower's thread: lead, then follow one page. */
static void
follower_turn(struct bgthread *t, void *arg)
{
        struct follower *f = arg;
        bool more = false;
        int rc = lead(f);

        if (rc == ST_CONFLICT) {
                set_state(f, "standby", "another replica follows this feed");
                bgthread_nap(t, FOLLOW_STANDBY_MS);
        } else if (rc != ST_OK) {
                fail(f, "unreachable", "cannot reach its own database to claim the"
                     " subscription");
        } else {
                follow_once(f, &more);
        }
}

/* The thread's last call: its leadership ends with its session. */
static void
follower_done(struct bgthread *t, void *arg)
{
        (void)t;
        lock_drop(arg);
}

/* ---- start, stop, status ------------------------------------------------------------- */

static bool
name_ok(const char *s)
{
        size_t n = s != NULL ? strlen(s) : 0;

        if (n == 0 || n > 64)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')
                      || strchr("_.-", s[i]) != NULL))
                        return false;
        return true;
}

static void
follower_free(struct follower *f)
{
        if (f == NULL)
                return;
        free(f->name);
        free(f->url);
        free(f->types);
        free(f);
}

int
follower_start(struct service *svc, const struct follower_spec *spec)
{
        struct follower *f;
        char why[160], *filter = NULL;
        int rc;

        if (!name_ok(spec->name) || spec->apply == NULL || spec->producer_url == NULL
            || strncmp(spec->producer_url, "http", 4) != 0)
                return ST_INVALID;
        if (spec->types != NULL) {
                rc = event_type_filter(spec->types, &filter, why, sizeof(why));
                free(filter);
                if (rc != ST_OK)
                        return rc;
        }
        f = calloc(1, sizeof(*f));
        if (f == NULL)
                return ST_NOMEM;
        f->svc = svc;
        f->name = strdup(spec->name);
        f->url = strdup(spec->producer_url);
        f->types = spec->types != NULL ? strdup(spec->types) : NULL;
        f->apply = spec->apply;
        f->arg = spec->arg;
        f->backoff_ms = BACKOFF_MIN_MS;
        f->state = "starting";
        f->since = time(NULL);
        if (f->name == NULL || f->url == NULL || (spec->types != NULL && f->types == NULL)) {
                follower_free(f);
                return ST_NOMEM;
        }
        pthread_mutex_init(&f->lock, NULL);
        rc = bgthread_start(&f->thread, follower_turn, follower_done, f);
        if (rc != ST_OK) {
                pthread_mutex_destroy(&f->lock);
                follower_free(f);
                return rc;
        }
        f->next = svc->followers;
        svc->followers = f;
        return ST_OK;
}

void
follower_stop_all(struct service *svc)
{
        struct follower *f, *next;

        for (f = svc->followers; f != NULL; f = f->next)
                bgthread_stop(f->thread);   /* all at once, then each joined */
        for (f = svc->followers; f != NULL; f = next) {
                next = f->next;
                bgthread_join(f->thread);
                pthread_mutex_destroy(&f->lock);
                follower_free(f);
        }
        svc->followers = NULL;
}

json_t *
follower_status_json(struct service *svc)
{
        json_t *j_all;

        if (svc->followers == NULL)
                return NULL;
        j_all = json_array();
        for (struct follower *f = svc->followers; j_all != NULL && f != NULL; f = f->next) {
                char since[32];
                struct tm tm;
                json_t *j;

                pthread_mutex_lock(&f->lock);
                gmtime_r(&f->since, &tm);
                strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%SZ", &tm);
                j = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s?, s:s}", "name", f->name,
                              "producer", f->url, "state", f->state,
                              "applied", (json_int_t)f->applied,
                              "rejected", (json_int_t)f->rejected,
                              "error", f->error[0] != '\0' ? f->error : NULL, "since", since);
                pthread_mutex_unlock(&f->lock);
                if (j == NULL || json_array_append_new(j_all, j) != 0) {
                        json_decref(j_all);
                        return NULL;
                }
        }
        return j_all;
}
