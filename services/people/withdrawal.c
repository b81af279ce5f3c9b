/*
 * withdrawal.c - the person events that make leaving take effect everywhere
 * (access.h): phases, mentoring and strategy follow them into their own
 * table of withdrawn subjects.  A person is named there by the digests of
 * their token subject and e-mail, never by the values themselves.  And the
 * other side of erasure: each service's confirmation, followed into the
 * erasure report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "follower.h"
#include "people.h"
#include "status.h"

/* The names of the ROLE_* bits in @bits as a new JSON array. */
static json_t *
role_names(unsigned bits)
{
        json_t *j_out = json_array();

        for (unsigned bit = 1; j_out != NULL && bit <= ROLE_VIEWER; bit <<= 1)
                if (bits & bit)
                        json_array_append_new(j_out, json_string(role_name(bit)));
        return j_out;
}

static const char *
or_null(const char *s)
{
        return s[0] != '\0' ? s : NULL;
}

/* Emits tandem.people.person.<verb> with the digests, @reason and the roles changed. */
static int
emit(PGconn *c, struct request *rq, const char *id, const char *verb,
     const struct person_access *who, const char *reason, unsigned removed, unsigned added)
{
        char type[64];
        json_t *j_data = json_pack("{s:s?, s:s?, s:s}", "subject_sha256",
                                   or_null(who->subject_sha256), "email_sha256",
                                   or_null(who->email_sha256), "reason", reason);
        int rc;

        if (j_data != NULL && (removed | added) != 0) {
                json_object_set_new(j_data, "roles_removed", role_names(removed));
                json_object_set_new(j_data, "roles_added", role_names(added));
        }
        if (j_data == NULL)
                return ST_NOMEM;
        snprintf(type, sizeof(type), "tandem.people.person.%s", verb);
        rc = outbox_emit4(c, rq, type, id, id, 0, j_data);
        json_decref(j_data);
        return rc;
}

int
people_access_changed(PGconn *c, struct request *rq, const char *id,
                      const struct person_access *was, const struct person_access *now,
                      const char *reason)
{
        unsigned removed = was->roles & ~now->roles, added = now->roles & ~was->roles;
        int rc = ST_OK;

        if (!was->left && now->left) {
                bool scim = strcmp(reason, "deactivated") == 0;

                rc = emit(c, rq, id, "left", now, reason, 0, 0);
                if (rc == ST_OK)
                        rc = people_db_end_pairings(c, rq, id, scim ? "deprovisioned over SCIM"
                                                                    : "left the programme",
                                                    scim ? "deprovisioned" : "left");
        } else if (was->left && !now->left) {
                rc = emit(c, rq, id, "reinstated", now, "reinstated", 0, 0);
        }
        if (rc == ST_OK && (removed | added) != 0)
                rc = emit(c, rq, id, "roles_changed", now, "roles changed", removed, added);
        return rc;
}

int
people_access_erased(PGconn *c, struct request *rq, const char *id,
                     const struct person_access *was)
{
        return emit(c, rq, id, "erased", was, "erased", 0, 0);
}

/* One of the other services confirmed an erasure: its row in the report. */
static int
apply_erased(PGconn *c, const struct follower_event *ev, void *arg)
{
        const char *service = arg;
        char *removed = NULL;
        int rc;

        if (ev->subject == NULL || !uuid_valid(ev->subject))
                return ST_INVALID;      /* never applicable: logged and skipped */
        removed = json_dumps(json_object_get(ev->data, "removed"), JSON_COMPACT);
        rc = people_db_erasure_confirm(c, ev->subject, service, removed);
        free(removed);
        return rc;
}

int
people_follow_erasures(struct service *svc)
{
        static const char *const services[] = { "phases", "mentoring", "strategy" };
        const char *urls[] = { svc->cfg.phases_url, svc->cfg.mentoring_url,
                               svc->cfg.strategy_url };
        char name[64], type[80];
        int rc = ST_OK;

        for (size_t i = 0; rc == ST_OK && i < 3; i++) {
                snprintf(name, sizeof(name), "%s-erasures", services[i]);
                snprintf(type, sizeof(type), "tandem.%s.person.erased", services[i]);
                rc = follower_start(svc, &(struct follower_spec){
                        .name = name, .producer_url = urls[i], .types = type,
                        .apply = apply_erased, .arg = (void *)services[i] });
        }
        return rc;
}
