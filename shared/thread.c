/*
 * thread.c - background threads that leave the stopping signals to the
 * main thread (thread.h).
 */
#include "thread.h"

void
thread_stop_signals(sigset_t *set)
{
        sigemptyset(set);
        sigaddset(set, SIGTERM);
        sigaddset(set, SIGINT);
}

int
thread_start(pthread_t *thread, void *(*fn)(void *), void *arg)
{
        sigset_t set, old;
        int rc;

        thread_stop_signals(&set);
        pthread_sigmask(SIG_BLOCK, &set, &old);
        rc = pthread_create(thread, NULL, fn, arg);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return rc;
}

int
thread_cond_init(pthread_cond_t *cond)
{
        pthread_condattr_t attr;
        int rc;

        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        rc = pthread_cond_init(cond, &attr);
        pthread_condattr_destroy(&attr);
        return rc;
}
