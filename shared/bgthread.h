/*
 * bgthread.h - one background thread of a service, written once: a loop
 * body run over and over until the thread is asked to stop, naps that a
 * wake or the stop cut short, and a stop that joins.  The tickers
 * (ticker.h), the followers (follower.h) and notify's delivery workers run
 * on it.
 *
 *   start        thread_start (SIGTERM and SIGINT blocked in the thread),
 *                then body(t, arg) while the thread is not asked to stop,
 *                then done(t, arg) once, on the thread (it may free @arg)
 *   nap(ms)      waits on a CLOCK_MONOTONIC condition (thread_cond_init):
 *                up to @ms, less when woken or asked to stop
 *   wake         ends the nap in progress, or else the next one at once (a
 *                wake that comes while the body works is not lost)
 *   stop, join   stop asks (and ends a nap) without waiting, so that many
 *                threads stop together; join asks, waits for the turn in
 *                progress to end, and frees
 */
#ifndef TANDEM_BGTHREAD_H
#define TANDEM_BGTHREAD_H

#include <stdbool.h>

struct bgthread;

/* One turn of the loop (body), or the last call on the thread (done). */
typedef void (*bgthread_fn)(struct bgthread *t, void *arg);

/*
 * Starts a thread running @body (required) and then @done (or NULL) with
 * @arg.  *@out is set before the thread starts (so the body may read the
 * handle where the caller keeps it, e.g. in @arg) and is NULL on failure:
 * ST_INVALID (no body), ST_NOMEM or ST_INTERNAL (no thread).
 */
int bgthread_start(struct bgthread **out, bgthread_fn body, bgthread_fn done, void *arg);

/*
 * Naps up to @ms on @t's own thread; returns early on a wake (which it
 * consumes) or when @t is asked to stop.  Returns true when asked to stop.
 */
bool bgthread_nap(struct bgthread *t, unsigned ms);

/* True once @t is asked to stop. */
bool bgthread_stopping(struct bgthread *t);

/* Ends @t's nap in progress, or its next nap at once.  Any thread. */
void bgthread_wake(struct bgthread *t);

/* Asks @t to stop and ends its nap; does not wait.  Accepts NULL. */
void bgthread_stop(struct bgthread *t);

/*
 * Asks @t to stop, waits until its turn in progress and its done have
 * returned, and frees it.  Accepts NULL.  Not from @t's own thread.
 */
void bgthread_join(struct bgthread *t);

#endif
