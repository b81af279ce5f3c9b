/*
 * follow.c - notify follows every event of the four services (follower.h)
 * into the audit log and the suite's feed, in the follower's transaction
 * with its cursor: each event is recorded exactly once.
 */
#include <stdio.h>
#include <string.h>

#include "follower.h"
#include "notify.h"
#include "status.h"

static int
apply(PGconn *c, const struct follower_event *ev, void *arg)
{
        const char *service = arg;
        char version[24];
        char *data = json_dumps(ev->data, JSON_COMPACT);
        const json_t *j_rid = json_object_get(ev->j_event, "requestid");
        const char *params[10];
        int rc;

        if (data == NULL)
                return ST_NOMEM;
        snprintf(version, sizeof(version), "%lld", ev->version);
        params[0] = ev->id;
        params[1] = service;
        params[2] = ev->type;
        params[3] = ev->subject;
        params[4] = ev->person != NULL && uuid_valid(ev->person) ? ev->person : NULL;
        params[5] = ev->actor;
        params[6] = json_string_value(j_rid);
        params[7] = ev->version > 0 ? version : NULL;
        params[8] = ev->time;
        params[9] = data;
        rc = audit_db_record(c, params);
        free(data);
        return rc;
}

int
notify_follow(struct service *svc)
{
        struct {
                const char *name, *url, *service;
        } feeds[] = {
                { "audit-people", svc->cfg.people_url, "people" },
                { "audit-phases", svc->cfg.phases_url, "phases" },
                { "audit-mentoring", svc->cfg.mentoring_url, "mentoring" },
                { "audit-strategy", svc->cfg.strategy_url, "strategy" },
        };

        for (size_t i = 0; i < sizeof(feeds) / sizeof(feeds[0]); i++) {
                struct follower_spec spec = {
                        feeds[i].name, feeds[i].url, NULL, apply, (void *)feeds[i].service,
                };
                int rc = follower_start(svc, &spec);

                if (rc != ST_OK)
                        return rc;
        }
        return ST_OK;
}
