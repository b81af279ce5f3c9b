/*
 * main.c - the notify service: start-up and shutdown only.
 */
#include <stdio.h>
#include <stdlib.h>

#include "access.h"
#include "notify.h"
#include "status.h"

/* TANDEM_AUDIT_RETENTION_DAYS: 1..36500, default 400; a bad value stops the start. */
static int
load_retention(struct notify_app *app)
{
        const char *s = getenv("TANDEM_AUDIT_RETENTION_DAYS");
        char *end = NULL;
        long v;

        app->audit_retention_days = AUDIT_RETENTION_DEFAULT_DAYS;
        if (s == NULL || s[0] == '\0')
                return ST_OK;
        v = strtol(s, &end, 10);
        if (end == s || *end != '\0' || v < 1 || v > AUDIT_RETENTION_MAX_DAYS) {
                fprintf(stderr, "config: TANDEM_AUDIT_RETENTION_DAYS: must be a whole number"
                        " of days from 1 to %d\n", AUDIT_RETENTION_MAX_DAYS);
                return ST_INVALID;
        }
        app->audit_retention_days = (unsigned)v;
        return ST_OK;
}

/* The statement tables of the service's parts, as the one table the pool prepares. */
static const struct db_stmt *
notify_all_stmts(void)
{
        static const struct db_stmt *const tables[] = { notify_stmts, webhook_stmts, NULL };
        static struct db_stmt all[128];
        size_t n = 0;

        for (size_t t = 0; tables[t] != NULL; t++)
                for (const struct db_stmt *s = tables[t]; s->name != NULL; s++)
                        if (n + 1 < sizeof(all) / sizeof(all[0]))
                                all[n++] = *s;
        all[n] = (struct db_stmt){ NULL, NULL };
        return all;
}

/* The pruner: the audit log's retention, then the delivery log's (the feed's). */
static long long
notify_prune(PGconn *c, struct service *svc)
{
        long long a = audit_db_prune(c, svc);
        long long w = webhook_db_prune(c, svc->cfg.events_retention_days);

        return a < 0 || w < 0 ? -1 : a + w;
}

static void
notify_stop(struct service *svc)
{
        struct notify_app *app = svc->app;

        webhooks_stop(&app->webhooks);
}

static char *
notify_metrics(struct service *svc)
{
        const struct notify_app *app = svc->app;

        return webhooks_metrics(&app->webhooks);
}

int
main(void)
{
        struct service svc;
        struct notify_app app;
        struct access_people people = { NULL, NULL };

        if (load_retention(&app) != ST_OK || webhooks_config(&app.webhooks) != ST_OK)
                return 1;
        service_init(&svc, "notify", NOTIFY_DEFAULT_PORT, notify_migrations, notify_all_stmts());
        svc.app = &app;
        svc.prune = notify_prune;
        svc.stop = notify_stop;
        svc.metrics_more = notify_metrics;
        if (access_follow_people(&svc, &people) != ST_OK || notify_follow(&svc) != ST_OK
            || webhooks_start(&svc, &app.webhooks) != ST_OK)
                return 1;
        return service_run(&svc, notify_routes);
}
