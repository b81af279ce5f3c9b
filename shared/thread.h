/*
 * thread.h - starting a background thread of the suite (a follower, the
 * event pruner, the JWKS fetcher) so that it never takes a stopping signal.
 */
#ifndef TANDEM_THREAD_H
#define TANDEM_THREAD_H

#include <pthread.h>
#include <signal.h>

/* The signals only service_run's sigwait takes: SIGTERM and SIGINT. */
void thread_stop_signals(sigset_t *set);

/*
 * pthread_create with thread_stop_signals blocked in the new thread, whether
 * or not the caller has blocked them yet (a thread started before
 * service_run that took SIGTERM would kill the process instead of draining
 * it).  Returns pthread_create's result.
 */
int thread_start(pthread_t *thread, void *(*fn)(void *), void *arg);

/*
 * pthread_cond_init on CLOCK_MONOTONIC, the clock every timed wait of the
 * suite uses (a wall clock set back would stretch a wait).  Returns
 * pthread_cond_init's result.
 */
int thread_cond_init(pthread_cond_t *cond);

#endif
