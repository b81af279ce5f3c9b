/*
 * ticker.c - periodic background work of a service (ticker.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "server.h"
#include "status.h"
#include "thread.h"
#include "ticker.h"

#define TICKER_BURST_MAX 1000    /* runs in a row without a pause, at most */

struct ticker {
        struct ticker *next;
        struct service *svc;
        char *name;
        unsigned every_ms;
        ticker_fn fn;
        void *arg;
        pthread_t thread;
        pthread_mutex_t lock;     /* guards stop */
        pthread_cond_t wake;
        int stop;
};

/* Waits @ms or until asked to stop; true when asked. */
static bool
ticker_wait(struct ticker *t, unsigned ms)
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
        while (!t->stop && pthread_cond_timedwait(&t->wake, &t->lock, &until) != ETIMEDOUT)
                ;
        stop = t->stop != 0;
        pthread_mutex_unlock(&t->lock);
        return stop;
}

static void *
ticker_main(void *arg)
{
        struct ticker *t = arg;
        unsigned burst = 0;

        while (!ticker_wait(t, burst > 0 && burst < TICKER_BURST_MAX ? 0 : t->every_ms))
                burst = t->fn(t->svc, t->arg) ? burst + 1 : 0;
        return NULL;
}

static void
ticker_free(struct ticker *t)
{
        pthread_mutex_destroy(&t->lock);
        pthread_cond_destroy(&t->wake);
        free(t->name);
        free(t);
}

int
ticker_start(struct service *svc, const char *name, unsigned every_ms, ticker_fn fn,
             void *arg)
{
        struct ticker *t;

        if (fn == NULL || every_ms == 0 || name == NULL)
                return ST_INVALID;
        t = calloc(1, sizeof(*t));
        if (t == NULL || (t->name = strdup(name)) == NULL) {
                free(t);
                return ST_NOMEM;
        }
        t->svc = svc;
        t->every_ms = every_ms;
        t->fn = fn;
        t->arg = arg;
        pthread_mutex_init(&t->lock, NULL);
        thread_cond_init(&t->wake);                            /* ticker_wait's clock */
        if (service_thread_create(&t->thread, ticker_main, t) != 0) {
                log_error("ticker %s: cannot start a thread", name);
                ticker_free(t);
                return ST_INTERNAL;
        }
        t->next = svc->tickers;
        svc->tickers = t;
        return ST_OK;
}

void
ticker_stop_all(struct service *svc)
{
        struct ticker *t = svc->tickers, *next;

        for (struct ticker *s = t; s != NULL; s = s->next) {
                pthread_mutex_lock(&s->lock);
                s->stop = 1;
                pthread_cond_signal(&s->wake);
                pthread_mutex_unlock(&s->lock);
        }
        for (; t != NULL; t = next) {
                next = t->next;
                pthread_join(t->thread, NULL);
                ticker_free(t);
        }
        svc->tickers = NULL;
}
