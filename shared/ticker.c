/*
 * ticker.c - periodic background work of a service (ticker.h).
 */
#include <stdlib.h>
#include <string.h>

#include "bgthread.h"
#include "log.h"
#include "server.h"
#include "status.h"
#include "ticker.h"

#define TICKER_BURST_MAX 1000    /* runs in a row without a pause, at most */

struct ticker {
        struct ticker *next;
        struct service *svc;
        char *name;
        unsigned every_ms;
        ticker_fn fn;
        void *arg;
        struct bgthread *thread;
        unsigned burst;           /* runs in a row that asked to go again (its thread only) */
};

/* A wait (none while a burst lasts), then a run unless asked to stop meanwhile. */
static void
ticker_turn(struct bgthread *bt, void *arg)
{
        struct ticker *t = arg;
        bool burst = t->burst > 0 && t->burst < TICKER_BURST_MAX;

        if (bgthread_nap(bt, burst ? 0 : t->every_ms))
                return;
        t->burst = t->fn(t->svc, t->arg) ? t->burst + 1 : 0;
}

static void
ticker_free(struct ticker *t)
{
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
        if (bgthread_start(&t->thread, ticker_turn, NULL, t) != ST_OK) {
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

        for (struct ticker *s = t; s != NULL; s = s->next)
                bgthread_stop(s->thread);   /* all at once, then each joined */
        for (; t != NULL; t = next) {
                next = t->next;
                bgthread_join(t->thread);
                ticker_free(t);
        }
        svc->tickers = NULL;
}
