/*
 * server.c - start-up, the request dispatcher, the ops endpoints, and
 * graceful shutdown.
 *
 * Every route, the ops endpoints and the default 404/405 all pass through
 * dispatch(), so each request is authenticated, replied to once, counted and
 * logged exactly once.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "client.h"
#include "events.h"
#include "follower.h"
#include "http.h"
#include "log.h"
#include "server.h"
#include "status.h"
#include "thread.h"
#include "ticker.h"

/* How long draining waits with nothing in flight before it stops the server. */
#define DRAIN_QUIET_MS 150.0
/*
 * Request headers over MAX_HEADER_BYTES get a 431 problem+json from here.  A
 * connection's memory (MHD_OPTION_CONNECTION_MEMORY_LIMIT) is kept well above
 * that, since libmicrohttpd answers headers that do not fit it with a 431 of
 * its own that has no body and no hook to give it one: it does so only
 * beyond CONNECTION_MEMORY.  (The gateway accepts 32 KB; a service 64 KB.)
 * Not much more: libmicrohttpd zeroes a connection's whole pool between two
 * requests on it, so every byte of it is touched once per request and
 * resident once per open connection (at 256 KiB, 64 keep-alive connections
 * held 16 MiB and the zeroing was 7 % of a service's CPU).
 */
#define MAX_HEADER_BYTES (64 * 1024)
#define CONNECTION_MEMORY (128 * 1024)
/* a connection thread's stack: handlers keep no large buffer on it (at most a
 * few KB; jansson, libpq, OpenSSL and curl have theirs on the heap) */
#define CONNECTION_STACK (256 * 1024)
#define STREAM_BLOCK (32 * 1024)         /* a streamed body's blocks */
#define SERVICE_ARENAS 2                 /* malloc arenas (service_init) */

/* What ulfius hands back to dispatch(): the service and the matched route. */
struct binding {
        struct service *svc;
        struct route *route;         /* NULL for the default endpoint */
};

static double
ms_since(const struct timespec *t0)
{
        struct timespec t1;

        clock_gettime(CLOCK_MONOTONIC, &t1);
        return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* ---- request id ---------------------------------------------------------- */

static bool
request_id_sane(const char *s)
{
        size_t n = s != NULL ? strlen(s) : 0;

        if (n == 0 || n > 64)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isalnum((unsigned char)s[i]) && strchr("._-", s[i]) == NULL)
                        return false;
        return true;
}

/*
 * 16 random bytes for a request id, from a block each thread draws from the
 * kernel once every REQUEST_ID_BLOCK / 16 requests (one getrandom() a request
 * was a syscall of the seven a keep-alive read costs).
 */
#define REQUEST_ID_BLOCK 256

static void
request_id_random(unsigned char raw[16])
{
        static _Thread_local unsigned char block[REQUEST_ID_BLOCK];
        static _Thread_local size_t used = REQUEST_ID_BLOCK;

        if (used + 16 > sizeof(block)) {
                if (getrandom(block, sizeof(block), 0) != (ssize_t)sizeof(block))
                        block[0] ^= (unsigned char)clock();
                used = 0;
        }
        memcpy(raw, block + used, 16);
        used += 16;
}

static void
request_id_setup(struct request *rq)
{
        static const char hex[] = "0123456789abcdef";
        const char *given = http_header(rq, "X-Request-Id");
        unsigned char raw[16];

        if (request_id_sane(given)) {
                snprintf(rq->request_id, sizeof(rq->request_id), "%s", given);
                return;
        }
        request_id_random(raw);
        for (size_t i = 0; i < sizeof(raw); i++) {
                rq->request_id[2 * i] = hex[raw[i] >> 4];
                rq->request_id[2 * i + 1] = hex[raw[i] & 15];
        }
        rq->request_id[2 * sizeof(raw)] = '\0';
}

/* ---- checks before the handler ------------------------------------------ */

static bool
name_in(const char *const *names, const char *name)
{
        for (; names != NULL && *names != NULL; names++)
                if (strcmp(*names, name) == 0)
                        return true;
        return false;
}

/* Unknown query parameters are refused: a typo must not widen a filter. */
static int
check_query(struct request *rq)
{
        const char *url = rq->req->http_url;
        const char *q = url != NULL ? strchr(url, '?') : NULL;

        while (q != NULL && *q != '\0') {
                char name[64];
                size_t n;

                q++;
                n = strcspn(q, "=&");
                snprintf(name, sizeof(name), "%.*s", (int)(n < 63 ? n : 63), q);
                if (n > 0 && !name_in(rq->route->query, name))
                        problem_field(&rq->prob, name, "unknown query parameter");
                q = strchr(q, '&');
        }
        return problem_field_count(&rq->prob) > 0 ? ST_INVALID : ST_OK;
}

static int
check_body_size(struct request *rq)
{
        size_t max = rq->svc->cfg.max_body_bytes;
        const char *cl = http_header(rq, "Content-Length");

        if ((cl != NULL && strtoull(cl, NULL, 10) > max) || rq->req->binary_body_length > max)
                return problem_set(&rq->prob, ST_TOO_LARGE, NULL,
                                   "the body is larger than %zu bytes", max);
        return ST_OK;
}

/* The SCIM client calls its own routes and nothing else; nobody else calls those. */
static int
scim_gate(struct request *rq)
{
        bool scim_route = (rq->route->flags & ROUTE_SCIM) != 0;
        bool scim_client = (rq->who.roles & ROLE_SCIM) != 0;

        if (scim_route && !scim_client)
                return problem_set(&rq->prob, ST_FORBIDDEN, NULL,
                                   "only the SCIM provisioning client may call this,"
                                   " never with a person's token");
        if (!scim_route && scim_client)
                return problem_set(&rq->prob, ST_FORBIDDEN, NULL,
                                   "the SCIM provisioning client may call /scim/v2 only");
        return ST_OK;
}

static int
authenticate(struct request *rq)
{
        const char *h = http_header(rq, "Authorization");
        const char *token = h != NULL ? auth_bearer_token(h) : NULL;
        char why[96];

        if (token == NULL)
                return problem_set(&rq->prob, ST_UNAUTHENTICATED, NULL,
                                   "an Authorization: Bearer token is required");
        if (auth_verify(rq->svc->auth, token, time(NULL), &rq->who, why, sizeof(why)) != ST_OK) {
                snprintf(rq->auth_error, sizeof(rq->auth_error), "%s", why);
                return problem_set(&rq->prob, ST_UNAUTHENTICATED, NULL,
                                   "the bearer token was refused: %s", why);
        }
        rq->bearer = token;
        if (rq->who.roles == 0)
                return problem_set(&rq->prob, ST_FORBIDDEN, NULL,
                                   "the token is valid but carries no Tandem role");
        return scim_gate(rq);
}

static int
idempotency_setup(struct request *rq)
{
        const char *key = http_header(rq, "Idempotency-Key");
        unsigned char md[32];
        unsigned int mdlen = 0;
        EVP_MD_CTX *ctx;

        if (key == NULL)
                return ST_OK;
        if (key[0] == '\0' || strlen(key) > 200)
                return problem_field(&rq->prob, "Idempotency-Key", "must be 1 to 200 characters");
        ctx = EVP_MD_CTX_new();
        if (ctx == NULL)
                return ST_NOMEM;
        EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
        EVP_DigestUpdate(ctx, rq->req->http_verb, strlen(rq->req->http_verb) + 1);
        EVP_DigestUpdate(ctx, rq->req->url_path, strlen(rq->req->url_path) + 1);
        if (rq->req->binary_body_length > 0)
                EVP_DigestUpdate(ctx, rq->req->binary_body, rq->req->binary_body_length);
        EVP_DigestFinal_ex(ctx, md, &mdlen);
        EVP_MD_CTX_free(ctx);
        for (unsigned i = 0; i < mdlen && i < 32; i++)
                snprintf(rq->idem_hash + 2 * i, 3, "%02x", md[i]);
        rq->idem_key = key;
        return ST_OK;
}

/* ---- the one reply site --------------------------------------------------- */

/* The renderer registered for the request's path, or NULL. */
static error_render_fn
renderer_for(const struct request *rq)
{
        const char *path = rq->req->url_path != NULL ? rq->req->url_path : "";

        for (size_t i = 0; i < SERVICE_RENDERERS_MAX; i++) {
                const char *prefix = rq->svc->renderers[i].prefix;

                if (prefix != NULL && strncmp(path, prefix, strlen(prefix)) == 0)
                        return rq->svc->renderers[i].fn;
        }
        return NULL;
}

int
service_error_renderer(struct service *svc, const char *prefix, error_render_fn fn)
{
        for (size_t i = 0; i < SERVICE_RENDERERS_MAX; i++) {
                if (svc->renderers[i].prefix == NULL) {
                        svc->renderers[i].prefix = prefix;
                        svc->renderers[i].fn = fn;
                        return ST_OK;
                }
        }
        return ST_INVALID;
}

/* problem+json, unless the path has a renderer of its own. */
static void
render_problem(struct request *rq, int rc, unsigned status)
{
        error_render_fn fn = renderer_for(rq);
        json_t *j_p;
        char *text;

        if (fn != NULL) {
                fn(rq, rc, status);
                return;
        }
        j_p = problem_to_json(&rq->prob, rc, rq->req->url_path);
        json_object_set_new(j_p, "request_id", json_string(rq->request_id));
        text = json_dumps(j_p, JSON_COMPACT);
        ulfius_set_string_body_response(rq->resp, status, text != NULL ? text : "{}");
        u_map_put(rq->resp->map_header, "Content-Type", "application/problem+json");
        free(text);
        json_decref(j_p);
}

static void
reply_problem(struct request *rq, int rc, unsigned *status)
{
        *status = st_http_status(rc);
        render_problem(rq, rc, *status);
        if (*status == 503)   /* a deadline passed or the database is switching over */
                u_map_put(rq->resp->map_header, "Retry-After", "1");
        if (rc == ST_UNAUTHENTICATED) {
                char www[256];

                if (rq->auth_error[0] != '\0')
                        snprintf(www, sizeof(www), "Bearer realm=\"tandem\", error=\"invalid_token\","
                                 " error_description=\"%s\"", rq->auth_error);
                else
                        snprintf(www, sizeof(www), "Bearer realm=\"tandem\"");
                u_map_put(rq->resp->map_header, "WWW-Authenticate", www);
        }
}

static void
reply_ok(struct request *rq, unsigned *status)
{
        *status = rq->http_status != 0 ? rq->http_status
                  : (rq->j_out != NULL || rq->text_out != NULL || rq->stream.read != NULL ? 200
                     : 204);
        if (rq->stream.read != NULL) {
                if (ulfius_set_stream_response(rq->resp, *status, rq->stream.read, rq->stream.free,
                                               U_STREAM_SIZE_UNKNOWN, STREAM_BLOCK,
                                               rq->stream.arg) == U_OK) {
                        rq->stream.read = NULL;   /* ulfius frees it when the response is done */
                        rq->stream.free = NULL;
                }
                u_map_put(rq->resp->map_header, "Content-Type", rq->content_type);
        } else if (rq->text_out != NULL) {
                ulfius_set_string_body_response(rq->resp, *status, rq->text_out);
                u_map_put(rq->resp->map_header, "Content-Type", rq->content_type);
        } else if (rq->j_out != NULL) {
                ulfius_set_json_body_response(rq->resp, *status, rq->j_out);
        } else {
                rq->resp->status = *status;
        }
        if (rq->etag[0] != '\0')
                u_map_put(rq->resp->map_header, "ETag", rq->etag);
        if (rq->location[0] != '\0')
                u_map_put(rq->resp->map_header, "Location", rq->location);
        if (rq->replayed)
                u_map_put(rq->resp->map_header, "Idempotent-Replayed", "true");
}

static unsigned
reply(struct request *rq, int rc)
{
        unsigned status = 500;

        if (rc == ST_OK)
                reply_ok(rq, &status);
        else
                reply_problem(rq, rc, &status);
        u_map_put(rq->resp->map_header, "X-Request-Id", rq->request_id);
        if (rq->route == NULL || !(rq->route->flags & ROUTE_PUBLIC))
                u_map_put(rq->resp->map_header, "Cache-Control", "no-store");
        if (atomic_load(&rq->svc->draining))
                u_map_put(rq->resp->map_header, "Connection", "close");
        return status;
}

/* ---- dispatch ------------------------------------------------------------- */

static int
run_route(struct request *rq)
{
        int rc = check_query(rq);

        if (rc == ST_OK)
                rc = check_body_size(rq);
        if (rc == ST_OK && !(rq->route->flags & ROUTE_PUBLIC))
                rc = authenticate(rq);
        if (rc == ST_OK && !(rq->route->flags & ROUTE_PUBLIC) && rq->svc->admit != NULL)
                rc = rq->svc->admit(rq);
        if (rc == ST_OK && (rq->route->flags & ROUTE_IDEMPOTENT))
                rc = idempotency_setup(rq);
        if (rc == ST_OK)
                rc = rq->route->handler(rq);
        return rc;
}

static void
request_finish(struct request *rq, unsigned status, const struct timespec *t0)
{
        struct log_request_line line = {
                .request_id = rq->request_id,
                .method = rq->req->http_verb,
                .route = rq->route != NULL ? rq->route->pattern : "unmatched",
                .status = status,
                .duration_ms = ms_since(t0),
                .subject = rq->who.subject,
        };

        metrics_observe(rq->svc->metrics, rq->route != NULL ? rq->route->metric : -1, status,
                        line.duration_ms);
        log_request(&line);
        principal_release(&rq->who);
        problem_release(&rq->prob);
        json_decref(rq->j_out);
        free(rq->text_out);
        if (rq->stream.free != NULL)
                rq->stream.free(rq->stream.arg);
}

static int route_fallback(struct request *rq);

/* The request's header fields, as sent, fit MAX_HEADER_BYTES. */
static int
check_header_size(struct request *rq)
{
        const struct _u_map *h = rq->req->map_header;
        size_t total = 0;

        for (int i = 0; h != NULL && i < h->nb_values; i++)
                total += strlen(h->keys[i]) + strlen(h->values[i]) + 4;   /* ": " and CRLF */
        if (total <= MAX_HEADER_BYTES)
                return ST_OK;
        return problem_set(&rq->prob, ST_HEADERS_TOO_LARGE, NULL,
                           "the request's header fields take %zu bytes; at most %d are accepted",
                           total, MAX_HEADER_BYTES);
}

static int
dispatch(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
        struct binding *b = user_data;
        struct request rq = { .svc = b->svc, .req = req, .resp = resp, .route = b->route };
        struct timespec t0;
        unsigned status;
        int rc;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        request_id_setup(&rq);
        rc = check_header_size(&rq);
        if (rc != ST_OK)
                rq.route = NULL;        /* refused before routing: plain problem+json */
        else
                rc = rq.route != NULL ? run_route(&rq) : route_fallback(&rq);
        status = reply(&rq, rc);
        request_finish(&rq, status, &t0);
        return U_CALLBACK_COMPLETE;
}

/* True when @path matches @pattern segment by segment (":x" matches any). */
static bool
pattern_matches(const char *pattern, const char *path)
{
        while (*pattern != '\0' && *path != '\0') {
                size_t pn = strcspn(pattern + 1, "/") + 1, sn = strcspn(path + 1, "/") + 1;

                if (pattern[1] == ':' ? sn < 2 : (pn != sn || strncmp(pattern, path, pn) != 0))
                        return false;
                pattern += pn;
                path += sn;
        }
        return *pattern == '\0' && (*path == '\0' || strcmp(path, "/") == 0);
}

/* No route matched: 405 with Allow when the path exists, else 404. */
static int
route_fallback(struct request *rq)
{
        char allow[64] = "";
        size_t used = 0;

        for (const struct route *r = rq->svc->routes; r->method != NULL; r++) {
                if (!pattern_matches(r->pattern, rq->req->url_path) || used + 10 > sizeof(allow))
                        continue;
                used += (size_t)snprintf(allow + used, sizeof(allow) - used, "%s%s",
                                         used > 0 ? ", " : "", r->method);
        }
        if (used == 0)
                return problem_set(&rq->prob, ST_NOT_FOUND, NULL, "no such route: %s",
                                   rq->req->url_path);
        u_map_put(rq->resp->map_header, "Allow", allow);
        return problem_set(&rq->prob, ST_METHOD, NULL, "%s is not allowed here; allowed: %s",
                           rq->req->http_verb, allow);
}

/* ---- ops endpoints -------------------------------------------------------- */

static int
ops_healthz(struct request *rq)
{
        rq->j_out = json_pack("{s:s, s:s}", "status", "ok", "service", rq->svc->cfg.service);
        return ST_OK;
}

static int
ready_query(PGconn *conn, struct request *rq, void *arg)
{
        PGresult *res = NULL;
        int *version = arg;
        int rc = db_exec(conn, "schema_version", 0, NULL, &res);

        (void)rq;
        if (rc == ST_OK)
                *version = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
        return rc;
}

/* The schema version, asked within the health deadline. */
static int
ready_version(struct request *rq, int *version)
{
        PGconn *conn = NULL;
        int rc = db_checkout_within(rq->svc->db, rq->svc->cfg.db_health_ms, &conn);

        if (rc != ST_OK)
                return problem_set(&rq->prob, ST_UNAVAILABLE, NULL,
                                   "no database connection within %u ms: the database is"
                                   " not answering or every connection is busy",
                                   rq->svc->cfg.db_health_ms);
        db_set_deadline(conn, rq->svc->cfg.db_health_ms);
        rc = ready_query(conn, rq, version);
        db_checkin(rq->svc->db, conn);
        if (rc != ST_OK)
                return problem_set(&rq->prob, ST_UNAVAILABLE, NULL,
                                   "the database did not answer within %u ms",
                                   rq->svc->cfg.db_health_ms);
        return ST_OK;
}

static int
ops_readyz(struct request *rq)
{
        int version = -1;
        int latest = migrate_latest(rq->svc->migrations);
        int rc = ready_version(rq, &version);

        if (rc != ST_OK)
                return rc;
        if (!auth_verifier_ready(rq->svc->auth))
                return problem_set(&rq->prob, ST_UNAVAILABLE, NULL,
                                   "no signing keys from the identity provider yet");
        if (version != latest)
                return problem_set(&rq->prob, ST_UNAVAILABLE, NULL,
                                   "schema is at version %d, this build expects %d", version, latest);
        rq->j_out = json_pack("{s:s, s:s, s:i}", "status", "ready", "service",
                              rq->svc->cfg.service, "schema_version", version);
        /* followers lagging or unreachable do not make the service unready: said here */
        if (rq->j_out != NULL && rq->svc->followers != NULL)
                json_object_set_new(rq->j_out, "followers", follower_status_json(rq->svc));
        return rq->j_out != NULL ? ST_OK : ST_NOMEM;
}

/* @a with @b after it (both malloc'd and taken; NULL @b: @a as is). */
static char *
metrics_append(char *a, char *b)
{
        size_t na = strlen(a), nb = b != NULL ? strlen(b) : 0;
        char *out = b != NULL ? realloc(a, na + nb + 1) : a;

        if (out == NULL) {
                free(a);
        } else if (b != NULL) {
                memcpy(out + na, b, nb + 1);
        }
        free(b);
        return out;
}

static int
ops_metrics(struct request *rq)
{
        struct metrics_pool_stats ps;

        db_pool_stats(rq->svc->db, &ps);
        rq->text_out = metrics_render(rq->svc->metrics, &ps);
        if (rq->text_out != NULL && rq->svc->metrics_more != NULL)
                rq->text_out = metrics_append(rq->text_out, rq->svc->metrics_more(rq->svc));
        rq->content_type = "text/plain; version=0.0.4; charset=utf-8";
        return rq->text_out != NULL ? ST_OK : ST_NOMEM;
}

static struct route ops_routes[] = {
        { "GET", "/healthz", ops_healthz, ROUTE_PUBLIC, NULL, 0 },
        { "GET", "/readyz", ops_readyz, ROUTE_PUBLIC, NULL, 0 },
        { "GET", "/metrics", ops_metrics, ROUTE_PUBLIC, NULL, 0 },
        /* every service's own event feed (events.h): service and admin only */
        { "GET", "/v1/events", events_feed, 0, events_feed_query, 0 },
        { NULL, NULL, NULL, 0, NULL, 0 },
};

/* ---- start-up --------------------------------------------------------------- */

static const char *
env_get(const char *name)
{
        return getenv(name);
}

static void
die(const char *what, const char *why)
{
        fprintf(stderr, "tandem: %s: %s\n", what, why);
        log_error("%s: %s", what, why);
        /* followers, the pruner or libpq's own threads may be running: exit()'s
         * library destructors (Kerberos', through libpq) racing them aborted the
         * process instead of exiting 1, so flush and leave without them */
        fflush(stdout);
        fflush(stderr);
        _exit(1);
}

static void
block_signals(void)
{
        sigset_t set;

        thread_stop_signals(&set);
        pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* An IPv4 literal: anything else is refused at start, never widened to 0.0.0.0. */
static bool
listen_addr_ok(const char *addr)
{
        struct in_addr a;

        return inet_pton(AF_INET, addr, &a) == 1;
}

int
service_thread_create(pthread_t *thread, void *(*fn)(void *), void *arg)
{
        return thread_start(thread, fn, arg);
}

void
service_init(struct service *svc, const char *name, unsigned default_port,
             const struct migration *migs, const struct db_stmt *stmts)
{
        char err[512];

        /* signals keep their default action until service_run: a start-up stuck on
         * the database still stops on SIGTERM */
        signal(SIGPIPE, SIG_IGN);
        /* glibc gives each of up to 8 x cores threads an arena of its own, and
         * each keeps what it freed.  Two arenas (and the per-thread caches in
         * front of them) took 2 to 5 MiB off the peak RSS of three services in
         * make bench (README); MALLOC_ARENA_MAX still wins. */
        if (getenv("MALLOC_ARENA_MAX") == NULL)
                mallopt(M_ARENA_MAX, SERVICE_ARENAS);
        memset(svc, 0, sizeof(*svc));
        json_object_seed(0);
        if (config_load(&svc->cfg, name, default_port, env_get, err, sizeof(err)) != ST_OK)
                die("configuration", err);
        if (!listen_addr_ok(svc->cfg.listen_addr))
                die("configuration", "TANDEM_LISTEN_ADDR: only IPv4 addresses are supported");
        log_setup(name, svc->cfg.log_level);
        config_log(&svc->cfg);
        if (auth_verifier_new(&svc->cfg, &svc->auth, err, sizeof(err)) != ST_OK)
                die("authentication", err);
        if (migrate_apply(svc->cfg.database_url, name, migs, err, sizeof(err)) != ST_OK)
                die("migrations", err);
        if (db_pool_open(&(struct db_settings){
                                 .conninfo = svc->cfg.database_url, .schema = name,
                                 .size = svc->cfg.db_pool_size,
                                 .checkout_ms = svc->cfg.db_timeout_ms,
                                 .statement_ms = svc->cfg.db_statement_ms,
                                 /* one worker stays free for /healthz and /metrics
                                  * while the database hangs */
                                 .max_busy = svc->cfg.threads > 1 ? svc->cfg.threads - 1 : 0 },
                         stmts, &svc->db) != ST_OK)
                die("database", "cannot open the connection pool");
        svc->metrics = metrics_new(name);
        if (svc->metrics == NULL || client_global_init() != ST_OK ||
            admcache_new(svc->cfg.admission_cache_size, svc->cfg.admission_ttl_ms,
                         &svc->admission) != ST_OK)
                die("start-up", "out of memory");
        switch (service_token_new(&svc->cfg, svc->auth, &svc->own_token)) {
        case ST_OK:
                break;
        case ST_NOT_FOUND:
                log_info("no token of its own: set TANDEM_OIDC_CLIENT_ID and"
                         " TANDEM_OIDC_CLIENT_SECRET for calls made on its own behalf");
                break;
        default:
                die("start-up", "out of memory");
        }
        svc->migrations = migs;
}

int
service_own_token(struct service *svc, char **out)
{
        if (svc->own_token == NULL)
                return ST_NOT_FOUND;
        return service_token_get(svc->own_token, out);
}

static int
register_table(struct service *svc, struct route *routes, struct binding **bp)
{
        for (struct route *r = routes; r->method != NULL; r++) {
                struct binding *b = (*bp)++;

                b->svc = svc;
                b->route = r;
                r->metric = metrics_route(svc->metrics, r->method, r->pattern);
                if (ulfius_add_endpoint_by_val(&svc->instance, r->method, NULL, r->pattern, 0,
                                               dispatch, b) != U_OK)
                        return ST_INTERNAL;
        }
        return ST_OK;
}

static size_t
route_count(const struct route *r)
{
        size_t n = 0;

        while (r[n].method != NULL)
                n++;
        return n;
}

/*
 * A request is in flight from its first line until MHD has finished with it,
 * so that draining also waits for one still being received.  These wrap the
 * two callbacks ulfius needs (FIELD-NOTES: without them it leaks or fails).
 */
static void *
on_request_start(void *cls, const char *uri)
{
        struct service *svc = cls;

        atomic_fetch_add(&svc->inflight, 1);
        return ulfius_uri_logger(NULL, uri);
}

static void
on_request_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                enum MHD_RequestTerminationCode toe)
{
        struct service *svc = cls;

        mhd_request_completed(NULL, conn, con_cls, toe);
        atomic_fetch_sub(&svc->inflight, 1);
}

static int
server_start(struct service *svc, struct sockaddr_in *addr)
{
        struct MHD_OptionItem ops[] = {
                { MHD_OPTION_CONNECTION_LIMIT, (intptr_t)svc->cfg.max_connections, NULL },
                { MHD_OPTION_THREAD_STACK_SIZE, CONNECTION_STACK, NULL },
                { MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_request_done, svc },
                { MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_request_start, svc },
                { MHD_OPTION_SOCK_ADDR, 0, addr },
                { MHD_OPTION_CONNECTION_TIMEOUT, 60, NULL },
                { MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONNECTION_MEMORY, NULL },
                { MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL },
                { MHD_OPTION_END, 0, NULL },
        };
        /* a thread for each connection (poll: MHD has no epoll in this mode), so a
         * request that blocks (a long poll, a slow statement) holds up only its own
         * connection; in a worker pool it held up every connection on its worker,
         * kept-alive service-to-service ones included */
        unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION
                         | MHD_USE_POLL | MHD_USE_ERROR_LOG | MHD_USE_ITC;

        return ulfius_start_framework_with_mhd_options(&svc->instance, flags, ops) == U_OK
               ? ST_OK : ST_UNAVAILABLE;
}

/*
 * Stops accepting, then waits until no request has been in flight for a quiet
 * spell (a request already in a kept-alive socket's buffer is picked up in that
 * time), or until cfg.shutdown_ms has passed.
 */
static void
drain(struct service *svc)
{
        struct timespec t0;
        double quiet_since = 0;
        MHD_socket fd;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        atomic_store(&svc->draining, 1);
        fd = MHD_quiesce_daemon(svc->instance.mhd_daemon);
        if (fd != MHD_INVALID_SOCKET)
                close(fd);
        log_info("draining: no new connections, %d request(s) in flight",
                 atomic_load(&svc->inflight));
        while (ms_since(&t0) < svc->cfg.shutdown_ms) {
                if (atomic_load(&svc->inflight) > 0)
                        quiet_since = ms_since(&t0);
                else if (ms_since(&t0) - quiet_since >= DRAIN_QUIET_MS)
                        break;
                nanosleep(&(struct timespec){ 0, 10000000L }, NULL);
        }
        log_info("drained in %.0f ms, %d request(s) still in flight", ms_since(&t0),
                 atomic_load(&svc->inflight));
}

static void
service_release(struct service *svc, struct binding *bindings)
{
        if (svc->stop != NULL)
                svc->stop(svc);
        ticker_stop_all(svc);
        follower_stop_all(svc);
        events_stop(svc);
        ulfius_clean_instance(&svc->instance);
        free(bindings);
        db_pool_free(svc->db);
        service_token_free(svc->own_token);
        auth_verifier_free(svc->auth);
        metrics_free(svc->metrics);
        admcache_free(svc->admission);
        withdrawn_free(svc->withdrawn);
        client_global_cleanup();
        config_release(&svc->cfg);
}

static int
wait_for_signal(void)
{
        sigset_t set;
        int sig = 0;

        thread_stop_signals(&set);
        sigwait(&set, &sig);
        return sig;
}

int
service_run(struct service *svc, struct route *routes)
{
        struct sockaddr_in addr = { .sin_family = AF_INET };
        struct binding *bindings, *next;
        int rc;

        addr.sin_port = htons((uint16_t)svc->cfg.port);
        /* never fall back to 0.0.0.0: an address this server cannot bind is fatal */
        if (inet_pton(AF_INET, svc->cfg.listen_addr, &addr.sin_addr) != 1)
                die("configuration", "TANDEM_LISTEN_ADDR: only IPv4 addresses are supported");
        bindings = calloc(route_count(routes) + route_count(ops_routes) + 1, sizeof(*bindings));
        if (bindings == NULL || ulfius_init_instance(&svc->instance, svc->cfg.port, &addr, NULL)
                                != U_OK)
                die("start-up", "cannot initialise the HTTP server");
        svc->instance.max_post_body_size = svc->cfg.max_body_bytes + 1;
        svc->routes = routes;
        next = bindings;
        rc = register_table(svc, ops_routes, &next);
        if (rc == ST_OK)
                rc = register_table(svc, routes, &next);
        next->svc = svc;
        if (rc == ST_OK)
                rc = ulfius_set_default_endpoint(&svc->instance, dispatch, next) == U_OK
                     ? ST_OK : ST_INTERNAL;
        block_signals();   /* before the first thread, so only sigwait sees them */
        if (rc == ST_OK)
                rc = server_start(svc, &addr);
        if (rc != ST_OK)
                die("start-up", "cannot listen on the configured address and port");
        if (events_start(svc) != ST_OK)
                die("start-up", "cannot start the event pruner");
        log_info("listening on %s:%u", svc->cfg.listen_addr, svc->cfg.port);
        log_info("signal %d: draining", wait_for_signal());
        drain(svc);
        ulfius_stop_framework(&svc->instance);
        service_release(svc, bindings);
        log_info("stopped");
        return 0;
}
