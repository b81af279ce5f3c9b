/*
 * ticker.h - a service's own periodic work in the background (reading what
 * a read model lacks, timers), on a thread of its own.
 *
 * Each ticker runs @fn every @every_ms from its start until the service
 * stops: service_run stops every ticker (waiting for a run in progress)
 * before it stops the followers and closes the pool, so @fn may use the
 * pool and call other services.  A run that wants to go again at once (more
 * work waits) returns true.  The thread is a bgthread (bgthread.h): it
 * starts with SIGTERM and SIGINT blocked and waits on the monotonic clock.
 */
#ifndef TANDEM_TICKER_H
#define TANDEM_TICKER_H

#include <stdbool.h>

struct service;

/* One run; returns true to run again at once, false to wait @every_ms. */
typedef bool (*ticker_fn)(struct service *svc, void *arg);

/*
 * Starts a ticker named @name (copied; for the logs) on @svc.  Call after
 * service_init.  ST_OK, ST_INVALID (no fn, every_ms 0), ST_NOMEM or
 * ST_INTERNAL (no thread).
 */
int ticker_start(struct service *svc, const char *name, unsigned every_ms, ticker_fn fn,
                 void *arg);

/* Stops and frees every ticker of @svc (service_run calls it). */
void ticker_stop_all(struct service *svc);

#endif
