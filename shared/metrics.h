/*
 * metrics.h - Prometheus text metrics: requests by route and status, a
 * latency histogram per route, and database pool gauges.
 *
 * Routes are registered before the server starts; counting afterwards is
 * lock-free (C11 atomics), so it is safe from every worker thread.
 */
#ifndef TANDEM_METRICS_H
#define TANDEM_METRICS_H

#include <stddef.h>

struct metrics;

struct metrics_pool_stats {
        unsigned size, in_use, idle;
        unsigned long long waits, timeouts;
        unsigned long long statements;   /* prepared statements run on the pool */
};

/* Returns a new registry for @service, NULL on out of memory. */
struct metrics *metrics_new(const char *service);
void metrics_free(struct metrics *m);

/*
 * Registers a route ("GET /v1/people/:id") and returns its index, or -1 when
 * the table is full.  Call before the server starts.
 */
int metrics_route(struct metrics *m, const char *method, const char *pattern);

/* Counts one request on route @idx (-1: unmatched) with @status in @ms. */
void metrics_observe(struct metrics *m, int idx, unsigned status, double ms);

/*
 * Renders the Prometheus text exposition, with @pool's gauges when not NULL.
 * Returns a new malloc'd string, NULL on out of memory.
 */
char *metrics_render(const struct metrics *m, const struct metrics_pool_stats *pool);

/*
 * For a service's own families (server.h's metrics_more): appends the
 * "# HELP" and "# TYPE" lines of @name to @b, and one sample
 * name{label="value",...} n with @labels (pairs of label name and value,
 * NULL-terminated; values escaped per the text format).
 */
struct buf;
void metrics_family(struct buf *b, const char *name, const char *type, const char *help);
void metrics_sample(struct buf *b, const char *name, const char *const *labels, double value);

#endif
