/*
 * metrics.c - Prometheus text metrics (format 0.0.4).
 *
 * A fixed table of routes, each with request counters per HTTP status and a
 * latency histogram.  Routes are registered before the server starts; after
 * that the table's shape never changes and every counter is a relaxed C11
 * atomic, so metrics_observe() takes no lock.  Rendering reads the counters
 * while they move: each series is exact, series are not a snapshot together.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "metrics.h"

#define METRICS_MAX_ROUTES 64

/* The statuses counted separately; anything else goes to "other". */
static const unsigned metrics_statuses[] = {
        200, 201, 204, 400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 428, 500, 503,
};
#define N_STATUS (sizeof(metrics_statuses) / sizeof(metrics_statuses[0]))

/* Histogram upper bounds in seconds, as numbers and as rendered labels. */
static const double bucket_le[] = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
};
static const char *const bucket_label[] = {
        "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
        "0.5", "1", "2.5", "+Inf",
};
#define N_BUCKET (sizeof(bucket_le) / sizeof(bucket_le[0]) + 1)   /* with +Inf */

struct route_stats {
        char *method;                           /* NULL: the unmatched slot */
        char *pattern;
        atomic_ullong by_status[N_STATUS + 1];  /* last: other */
        atomic_ullong buckets[N_BUCKET];        /* per bucket, not cumulative */
        atomic_ullong sum_us;
};

struct metrics {
        char *service;
        int nroutes;
        struct route_stats unmatched;
        struct route_stats routes[METRICS_MAX_ROUTES];
};

struct metrics *
metrics_new(const char *service)
{
        struct metrics *m = calloc(1, sizeof(*m));

        if (m == NULL)
                return NULL;
        m->service = strdup(service != NULL ? service : "");
        if (m->service == NULL) {
                free(m);
                return NULL;
        }
        return m;
}

void
metrics_free(struct metrics *m)
{
        int i;

        if (m == NULL)
                return;
        for (i = 0; i < m->nroutes; i++) {
                free(m->routes[i].method);
                free(m->routes[i].pattern);
        }
        free(m->service);
        free(m);
}

int
metrics_route(struct metrics *m, const char *method, const char *pattern)
{
        struct route_stats *r;
        int i;

        if (m == NULL || method == NULL || pattern == NULL)
                return -1;
        for (i = 0; i < m->nroutes; i++) {
                if (strcmp(m->routes[i].method, method) == 0 &&
                    strcmp(m->routes[i].pattern, pattern) == 0)
                        return i;
        }
        if (m->nroutes == METRICS_MAX_ROUTES)
                return -1;
        r = &m->routes[m->nroutes];
        r->method = strdup(method);
        r->pattern = strdup(pattern);
        if (r->method == NULL || r->pattern == NULL) {
                free(r->method);
                free(r->pattern);
                r->method = r->pattern = NULL;
                return -1;
        }
        return m->nroutes++;
}

static size_t
status_slot(unsigned status)
{
        size_t i;

        for (i = 0; i < N_STATUS; i++) {
                if (metrics_statuses[i] == status)
                        return i;
        }
        return N_STATUS;
}

static size_t
bucket_slot(double seconds)
{
        size_t i;

        for (i = 0; i < N_BUCKET - 1; i++) {
                if (seconds <= bucket_le[i])
                        return i;
        }
        return N_BUCKET - 1;
}

void
metrics_observe(struct metrics *m, int idx, unsigned status, double ms)
{
        struct route_stats *r;

        if (m == NULL)
                return;
        r = idx >= 0 && idx < m->nroutes ? &m->routes[idx] : &m->unmatched;
        if (!(ms >= 0.0))       /* negative or NaN: a clock step, count as 0 */
                ms = 0.0;
        if (ms > 1e12)
                ms = 1e12;
        atomic_fetch_add_explicit(&r->by_status[status_slot(status)], 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&r->buckets[bucket_slot(ms / 1000.0)], 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&r->sum_us, (unsigned long long)(ms * 1000.0 + 0.5),
                                  memory_order_relaxed);
}

/* ---- rendering ----------------------------------------------------------- */

/* A label value escaped per the text format: \\, \" and \n. */
static void
buf_label(struct buf *b, const char *s)
{
        size_t n;

        while (*s != '\0') {
                n = strcspn(s, "\\\"\n");
                buf_add(b, s, n);
                s += n;
                if (*s == '\0')
                        break;
                buf_add(b, *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : "\\n", 2);
                s++;
        }
}

/* service="...",method="...",route="..." (no braces) */
static void
put_route_labels(struct buf *b, const struct metrics *m, const struct route_stats *r)
{
        buf_puts(b, "service=\"");
        buf_label(b, m->service);
        buf_puts(b, "\",method=\"");
        buf_label(b, r->method != NULL ? r->method : "");
        buf_puts(b, "\",route=\"");
        buf_label(b, r->pattern != NULL ? r->pattern : "unmatched");
        buf_puts(b, "\"");
}

static void
put_header(struct buf *b, const char *name, const char *type, const char *help)
{
        buf_fmt(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void
metrics_family(struct buf *b, const char *name, const char *type, const char *help)
{
        put_header(b, name, type, help);
}

void
metrics_sample(struct buf *b, const char *name, const char *const *labels, double value)
{
        buf_puts(b, name);
        for (size_t i = 0; labels != NULL && labels[i] != NULL && labels[i + 1] != NULL; i += 2) {
                buf_fmt(b, "%s%s=\"", i == 0 ? "{" : ",", labels[i]);
                buf_label(b, labels[i + 1]);
                buf_puts(b, "\"");
        }
        if (labels != NULL && labels[0] != NULL)
                buf_puts(b, "}");
        if (value == (double)(long long)value)
                buf_fmt(b, " %lld\n", (long long)value);
        else
                buf_fmt(b, " %.3f\n", value);
}

static unsigned long long
load_relaxed(const atomic_ullong *a)
{
        return atomic_load_explicit(a, memory_order_relaxed);
}

static void
render_requests(struct buf *b, const struct metrics *m, const struct route_stats *r)
{
        unsigned long long n;
        size_t i;

        for (i = 0; i <= N_STATUS; i++) {
                n = load_relaxed(&r->by_status[i]);
                if (n == 0)
                        continue;
                buf_puts(b, "tandem_http_requests_total{");
                put_route_labels(b, m, r);
                if (i < N_STATUS)
                        buf_fmt(b, ",status=\"%u\"} %llu\n", metrics_statuses[i], n);
                else
                        buf_fmt(b, ",status=\"other\"} %llu\n", n);
        }
}

/* Buckets are cumulative; _count is the +Inf bucket, so the two always agree. */
static void
render_histogram(struct buf *b, const struct metrics *m, const struct route_stats *r)
{
        unsigned long long cum = 0, sum_us;
        size_t i;

        for (i = 0; i < N_BUCKET; i++)
                cum += load_relaxed(&r->buckets[i]);
        if (cum == 0)
                return;
        cum = 0;
        for (i = 0; i < N_BUCKET; i++) {
                cum += load_relaxed(&r->buckets[i]);
                buf_puts(b, "tandem_http_request_duration_seconds_bucket{");
                put_route_labels(b, m, r);
                buf_fmt(b, ",le=\"%s\"} %llu\n", bucket_label[i], cum);
        }
        sum_us = load_relaxed(&r->sum_us);
        buf_puts(b, "tandem_http_request_duration_seconds_sum{");
        put_route_labels(b, m, r);
        buf_fmt(b, "} %llu.%06llu\n", sum_us / 1000000, sum_us % 1000000);
        buf_puts(b, "tandem_http_request_duration_seconds_count{");
        put_route_labels(b, m, r);
        buf_fmt(b, "} %llu\n", cum);
}

/* One sample labelled with the service only. */
static void
put_service_sample(struct buf *b, const struct metrics *m, const char *name,
                   unsigned long long v)
{
        buf_fmt(b, "%s{service=\"", name);
        buf_label(b, m->service);
        buf_fmt(b, "\"} %llu\n", v);
}

static void
render_pool(struct buf *b, const struct metrics *m, const struct metrics_pool_stats *p)
{
        put_header(b, "tandem_db_pool_size", "gauge", "Connections the database pool may hold.");
        put_service_sample(b, m, "tandem_db_pool_size", p->size);
        put_header(b, "tandem_db_pool_in_use", "gauge", "Connections checked out now.");
        put_service_sample(b, m, "tandem_db_pool_in_use", p->in_use);
        put_header(b, "tandem_db_pool_idle", "gauge", "Open connections waiting in the pool.");
        put_service_sample(b, m, "tandem_db_pool_idle", p->idle);
        put_header(b, "tandem_db_pool_waits_total", "counter",
                   "Checkouts that had to wait for a connection.");
        put_service_sample(b, m, "tandem_db_pool_waits_total", p->waits);
        put_header(b, "tandem_db_pool_timeouts_total", "counter",
                   "Checkouts that gave up waiting (answered 503).");
        put_service_sample(b, m, "tandem_db_pool_timeouts_total", p->timeouts);
        put_header(b, "tandem_db_statements_total", "counter",
                   "SQL statements run on the pool's connections.");
        put_service_sample(b, m, "tandem_db_statements_total", p->statements);
}

char *
metrics_render(const struct metrics *m, const struct metrics_pool_stats *pool)
{
        struct buf b = BUF_INIT;
        int i;

        if (m == NULL)
                return NULL;
        put_header(&b, "tandem_http_requests_total", "counter",
                   "HTTP requests by route and status.");
        for (i = 0; i < m->nroutes; i++)
                render_requests(&b, m, &m->routes[i]);
        render_requests(&b, m, &m->unmatched);
        put_header(&b, "tandem_http_request_duration_seconds", "histogram",
                   "HTTP request latency by route.");
        for (i = 0; i < m->nroutes; i++)
                render_histogram(&b, m, &m->routes[i]);
        render_histogram(&b, m, &m->unmatched);
        if (pool != NULL)
                render_pool(&b, m, pool);
        put_header(&b, "tandem_up", "gauge", "1 while the service is running.");
        put_service_sample(&b, m, "tandem_up", 1);
        return buf_detach(&b);
}
