/*
 * main.c - the notify service: start-up and shutdown only.
 */
#include <stdio.h>
#include <stdlib.h>

#include "access.h"
#include "notify.h"
#include "nudge.h"
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
        struct buf b = BUF_INIT;

        webhooks_metrics(&app->webhooks, &b);
        nudge_metrics(app->nudges, &b);
        return buf_detach(&b);
}

int
main(void)
{
        struct service svc;
        struct notify_app app = { 0 };
        struct access_people people = { NULL, NULL };
        const struct db_stmt *const tables[] = { notify_stmts, webhook_stmts, model_stmts,
                                                 profile_stmts, attention_stmts, nudge_stmts,
                                                 NULL };
        struct db_stmt *stmts = NULL;
        int rc;

        if (load_retention(&app) != ST_OK || webhooks_config(&app.webhooks) != ST_OK
            || nudge_config_load(&app.nudges) != ST_OK
            || db_stmts_join(tables, &stmts) != ST_OK)
                return 1;
        service_init(&svc, "notify", NOTIFY_DEFAULT_PORT, notify_migrations, stmts);
        svc.app = &app;
        svc.prune = notify_prune;
        svc.stop = notify_stop;
        svc.metrics_more = notify_metrics;
        if (access_follow_people(&svc, &people) != ST_OK || notify_follow(&svc) != ST_OK
            || model_follow(&svc) != ST_OK || profiles_start(&svc) != ST_OK
            || webhooks_start(&svc, &app.webhooks) != ST_OK
            || nudge_start(&svc, app.nudges) != ST_OK)
                return 1;
        rc = service_run(&svc, notify_routes);
        nudge_free(app.nudges);
        free(stmts);
        return rc;
}
