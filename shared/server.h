/*
 * server.h - the HTTP server every service runs, its route table, and the
 * per-request context handed to handlers.
 *
 * Each route goes through one dispatcher, in this order: request id, body
 * size and media type, bearer token (unless ROUTE_PUBLIC), the handler, the
 * single reply (JSON or problem+json), metrics, then one JSON log line.
 * ulfius has no "after" hook, so a wrapper rather than chained callbacks is
 * what guarantees that every request is logged and counted exactly once.
 */
#ifndef TANDEM_SERVER_H
#define TANDEM_SERVER_H

#include <stdatomic.h>
#include <ulfius.h>
#include "admcache.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "metrics.h"
#include "migrate.h"
#include "problem.h"
#include "svctoken.h"
#include "withdrawn.h"

struct request;
typedef int (*handler_fn)(struct request *rq);

/*
 * Renders a failed request in a protocol's own error format instead of
 * problem+json (SCIM answers its clients in its own).  It sets the body and
 * Content-Type of rq->resp with status @status; @rc is the request's status
 * and rq->prob says what went wrong.
 */
typedef void (*error_render_fn)(struct request *rq, int rc, unsigned status);

#define SERVICE_RENDERERS_MAX 4

enum route_flags {
        ROUTE_PUBLIC = 1u << 0,      /* no token needed (ops endpoints) */
        ROUTE_IDEMPOTENT = 1u << 1,  /* honours Idempotency-Key */
        ROUTE_BODY = 1u << 2,        /* takes a JSON body */
        ROUTE_SCIM = 1u << 3,        /* the SCIM client only; it may call nothing else */
};

struct route {
        const char *method;
        const char *pattern;         /* ulfius pattern: "/v1/people/:id" */
        handler_fn handler;
        unsigned flags;
        const char *const *query;    /* allowed query parameters, NULL-terminated */
        int metric;                  /* filled by server_start */
};

/* The one service context, handed to every handler; no other globals. */
struct service {
        struct config cfg;
        struct db_pool *db;
        struct auth_verifier *auth;
        struct service_token *own_token;  /* this service's own token, or NULL */
        struct metrics *metrics;
        /* who each subject is, for a few seconds (admcache.h); NULL when turned off */
        struct admcache *admission;
        /* access_withdrawn in memory (withdrawn.h); NULL unless the service follows people */
        struct withdrawn *withdrawn;
        const struct migration *migrations;
        struct route *routes;        /* ended by { NULL } */
        void *app;                   /* the service's own state */
        /*
         * The service's own check of an authenticated caller before any
         * handler runs, or NULL (the people service refuses a person whose
         * access was withdrawn).  Returns ST_OK or a status recorded in rq->prob.
         */
        handler_fn admit;
        struct {
                const char *prefix;          /* a path prefix, "/scim/" */
                error_render_fn fn;
        } renderers[SERVICE_RENDERERS_MAX];
        struct follower *followers;  /* follower.h: feeds this service follows */
        struct ticker *tickers;      /* ticker.h: its own periodic background work */
        struct events_state *events; /* events.h: the retention pruner */
        /*
         * The service's own retention, run by the pruner after the outbox's
         * (hourly, outside any transaction), or NULL.  Returns how many rows it
         * removed, or -1.
         */
        long long (*prune)(PGconn *conn, struct service *svc);
        /* The service's own background threads, stopped first at shutdown (before
         * the followers and the pool), or NULL. */
        void (*stop)(struct service *svc);
        /* The service's own metrics: Prometheus text (malloc'd) appended to
         * /metrics, or NULL. */
        char *(*metrics_more)(struct service *svc);
        atomic_int inflight;
        atomic_int draining;
        struct _u_instance instance;
};

/* Everything a handler needs; owned by the dispatcher. */
struct request {
        struct service *svc;
        const struct _u_request *req;
        struct _u_response *resp;
        const struct route *route;
        char request_id[80];
        const char *bearer;          /* borrowed from the request headers */
        char me[37];                 /* the caller's person id, once identity_me asked */
        int me_known;
        struct principal who;
        char auth_error[96];         /* why a token was refused, for WWW-Authenticate */
        struct problem prob;
        /* output: filled by the handler (or by the db_tx callback) */
        unsigned http_status;        /* 0: 200, or 204 when j_out is NULL */
        json_t *j_out;               /* owned; replied as JSON */
        char *text_out;              /* owned; replied as text instead (metrics) */
        const char *content_type;    /* for text_out, or for stream */
        /*
         * Or a body streamed in blocks (a large export, in constant memory):
         * read fills @buf with up to @max bytes and returns how many,
         * U_STREAM_END at the end or U_STREAM_ERROR; free releases arg once
         * the response is done (also when the reply becomes an error).
         */
        struct {
                ssize_t (*read)(void *arg, uint64_t offset, char *buf, size_t max);
                void (*free)(void *arg);
                void *arg;
        } stream;
        char etag[48];               /* "" or an ETag value to send */
        char location[160];          /* "" or a Location header */
        /* Idempotency-Key, when the route honours it and the client sent one */
        const char *idem_key;
        char idem_hash[65];          /* sha256 hex of method, route and body */
        int replayed;
};

/*
 * Loads configuration, sets up logging, applies @migs, opens the pool with
 * @stmts, builds the verifier: everything up to listening.  Exits the process
 * with a message and status 1 on any failure (it runs only at start).
 */
void service_init(struct service *svc, const char *name, unsigned default_port,
                  const struct migration *migs, const struct db_stmt *stmts);

/*
 * Renders the errors of every request whose path starts with @prefix
 * (borrowed; a literal) with @fn, including 404 and 405 for paths no route
 * matches.  Returns ST_OK, or ST_INVALID when the table is full.
 */
int service_error_renderer(struct service *svc, const char *prefix, error_render_fn fn);

/*
 * The bearer token for a call this service makes on its own behalf, with no
 * user token to forward (svctoken.h): *@out is malloc'd.  ST_NOT_FOUND when
 * it has no way to authenticate as itself (RS256/ES256 without
 * TANDEM_OIDC_CLIENT_ID), ST_UNAVAILABLE when the provider gives none now.
 */
int service_own_token(struct service *svc, char **out);

/*
 * pthread_create for a service's background thread (a follower, the pruner):
 * the thread starts with SIGTERM and SIGINT blocked, so that only
 * service_run's sigwait takes them, even when it is started before
 * service_run (a signal taken by such a thread would kill the process).
 * Returns pthread_create's result.
 */
int service_thread_create(pthread_t *thread, void *(*fn)(void *), void *arg);

/*
 * Registers @routes (the service's table) plus /healthz, /readyz, /metrics
 * and a problem+json 404, starts the HTTP server (a thread per connection),
 * and waits for SIGTERM or SIGINT; then stops accepting, lets in-flight requests finish within
 * cfg.shutdown_ms, closes the pool.  Returns the process exit status.
 */
int service_run(struct service *svc, struct route *routes);

#endif
