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
