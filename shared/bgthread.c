/*
 * bgthread.c - a background thread with a loop body, naps, wake and stop
 * (bgthread.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "bgthread.h"
#include "status.h"
#include "thread.h"

struct bgthread {
        pthread_t thread;
        bgthread_fn body, done;
        void *arg;
        pthread_mutex_t lock;     /* guards stop and woken */
        pthread_cond_t cond;      /* on CLOCK_MONOTONIC */
        bool stop, woken;
};

static void *
bgthread_main(void *arg)
{
        struct bgthread *t = arg;

        while (!bgthread_stopping(t))
                t->body(t, t->arg);
        if (t->done != NULL)
                t->done(t, t->arg);
        return NULL;
}

static void
bgthread_free(struct bgthread *t)
{
        pthread_mutex_destroy(&t->lock);
        pthread_cond_destroy(&t->cond);
        free(t);
}

int
bgthread_start(struct bgthread **out, bgthread_fn body, bgthread_fn done, void *arg)
{
        struct bgthread *t;

        if (body == NULL)
                return ST_INVALID;
        t = calloc(1, sizeof(*t));
        if (t == NULL)
                return ST_NOMEM;
        t->body = body;
        t->done = done;
        t->arg = arg;
        pthread_mutex_init(&t->lock, NULL);
        if (thread_cond_init(&t->cond) != 0) {
                pthread_mutex_destroy(&t->lock);
                free(t);
                return ST_NOMEM;
        }
        *out = t;   /* before the thread runs: its body may read it where the caller keeps it */
        if (thread_start(&t->thread, bgthread_main, t) != 0) {
                *out = NULL;
                bgthread_free(t);
                return ST_INTERNAL;
        }
        return ST_OK;
}

bool
bgthread_nap(struct bgthread *t, unsigned ms)
{
        struct timespec until;
        bool stop;

        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += ms / 1000;
        until.tv_nsec += (long)(ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&t->lock);
        while (!t->stop && !t->woken
               && pthread_cond_timedwait(&t->cond, &t->lock, &until) != ETIMEDOUT)
                ;   /* a spurious wake-up: wait on to the deadline */
        t->woken = false;
        stop = t->stop;
        pthread_mutex_unlock(&t->lock);
        return stop;
}

bool
bgthread_stopping(struct bgthread *t)
{
        bool stop;

        pthread_mutex_lock(&t->lock);
        stop = t->stop;
        pthread_mutex_unlock(&t->lock);
        return stop;
}

/* Sets @flag (t->woken or t->stop) and ends @t's nap. */
static void
bgthread_raise(struct bgthread *t, bool *flag)
{
        pthread_mutex_lock(&t->lock);
        *flag = true;
        pthread_cond_signal(&t->cond);
        pthread_mutex_unlock(&t->lock);
}

void
bgthread_wake(struct bgthread *t)
{
        bgthread_raise(t, &t->woken);
}

void
bgthread_stop(struct bgthread *t)
{
        if (t != NULL)
                bgthread_raise(t, &t->stop);
}

void
bgthread_join(struct bgthread *t)
{
        if (t == NULL)
                return;
        bgthread_stop(t);
        pthread_join(t->thread, NULL);
        bgthread_free(t);
}
