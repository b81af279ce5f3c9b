/*
 * model.c - the read model behind the attention list and the nudges
 * (sql/0003_attention.sql; notify.h says what each table holds).
 *
 * Four followers, "attention-<service>", read the four feeds from their
 * beginning (a fresh notify database gets the whole model the feeds still
 * keep) and apply each event through a table of handlers, in the follower's
 * transaction with its cursor.  Every SQL function they call is idempotent,
 * and takes its times from the events, so a replay changes nothing.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "follower.h"
#include "notify.h"
#include "status.h"

/* The types that count as the partner moving (their clock restarts). */
static const char *const movement_types[] = {
        "tandem.phases.enrolment.created", "tandem.phases.enrolment.advanced",
        "tandem.phases.enrolment.overridden", "tandem.phases.enrolment.resumed",
        "tandem.phases.enrolment.progressed", "tandem.phases.attendance.recorded",
        "tandem.phases.assessment.submitted",
        "tandem.mentoring.session.held", "tandem.mentoring.session.written_up",
        "tandem.mentoring.completion.recorded", "tandem.mentoring.completion.updated",
        "tandem.mentoring.checklist_item.created", "tandem.mentoring.checklist_item.updated",
        "tandem.mentoring.signoff.recorded",
        "tandem.strategy.playbook.created", "tandem.strategy.playbook.section_saved",
        "tandem.strategy.integration.created", "tandem.strategy.integration.signed_off",
        NULL,
};

/* ---- reading an event's data --------------------------------------------------------- */

static const char *
data_str(const struct follower_event *ev, const char *key)
{
        return json_string_value(json_object_get(ev->data, key));
}

/* A UUID member of the data, or NULL when absent or not a UUID. */
static const char *
data_uuid(const struct follower_event *ev, const char *key)
{
        const char *s = data_str(ev, key);

        return s != NULL && uuid_valid(s) ? s : NULL;
}

/* The person the event concerns: personid, else the subject. */
static const char *
event_person(const struct follower_event *ev)
{
        if (ev->person != NULL && uuid_valid(ev->person))
                return ev->person;
        return ev->subject != NULL && uuid_valid(ev->subject) ? ev->subject : NULL;
}

static const char *
subject_uuid(const struct follower_event *ev)
{
        return ev->subject != NULL && uuid_valid(ev->subject) ? ev->subject : NULL;
}

/* A member as JSON text (malloc'd), or NULL when absent. */
static char *
data_json(const struct follower_event *ev, const char *key)
{
        const json_t *j = json_object_get(ev->data, key);

        return j != NULL && !json_is_null(j) ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY)
                                             : NULL;
}

/* "true", "false", or NULL when the member is not a boolean. */
static const char *
data_bool(const struct follower_event *ev, const char *key)
{
        const json_t *j = json_object_get(ev->data, key);

        if (!json_is_boolean(j))
                return NULL;
        return json_is_true(j) ? "true" : "false";
}

static bool
type_is(const struct follower_event *ev, const char *type)
{
        return strcmp(ev->type, type) == 0;
}

static bool
type_ends(const struct follower_event *ev, const char *verb)
{
        size_t n = strlen(ev->type), k = strlen(verb);

        return n > k && strcmp(ev->type + n - k, verb) == 0 && ev->type[n - k - 1] == '.';
}

/* ---- the handlers: one per resource ---------------------------------------------------- */

static int
on_person(PGconn *c, const struct follower_event *ev)
{
        const char *id = event_person(ev);
        const char *params[4];
        char *roles = NULL;
        int rc;

        if (id == NULL)
                return ST_INVALID;
        if (type_ends(ev, "left") || type_ends(ev, "deactivated") || type_ends(ev, "erased")) {
                params[0] = id;
                params[1] = type_ends(ev, "erased") ? "erased" : "left";
                params[2] = ev->time;
                return db_exec(c, "att_person_gone", 3, params, NULL);
        }
        if (type_ends(ev, "roles_changed")) {
                char *added = data_json(ev, "roles_added");
                char *removed = data_json(ev, "roles_removed");

                params[0] = id;
                params[1] = added;
                params[2] = removed;
                rc = db_exec(c, "att_person_roles", 3, params, NULL);
                free(added);
                free(removed);
                return rc;
        }
        roles = data_json(ev, "roles");
        params[0] = id;
        params[1] = roles;
        params[2] = type_ends(ev, "reinstated") ? "active" : data_str(ev, "status");
        params[3] = "true";    /* the profile may have changed: read it again */
        rc = db_exec(c, "att_person_seen", 4, params, NULL);
        free(roles);
        return rc;
}

/* SCIM group membership: roles given and taken, person by person. */
static int
on_group(PGconn *c, const struct follower_event *ev)
{
        const char *role = data_str(ev, "role");
        const char *keys[2] = { "added", "removed" };
        int rc = ST_OK;

        if (role == NULL)
                return ST_INVALID;
        for (int k = 0; k < 2 && rc == ST_OK; k++) {
                const json_t *j_ids = json_object_get(ev->data, keys[k]);
                const json_t *j_id;
                size_t i;

                json_array_foreach(j_ids, i, j_id) {
                        const char *id = json_string_value(j_id);
                        char list[64];
                        const char *params[3] = { id, NULL, NULL };

                        if (id == NULL || !uuid_valid(id))
                                continue;
                        snprintf(list, sizeof(list), "[\"%s\"]", role);
                        params[k + 1] = list;
                        rc = db_exec(c, "att_person_roles", 3, params, NULL);
                        if (rc != ST_OK)
                                break;
                }
        }
        return rc;
}

static int
on_pairing(PGconn *c, const struct follower_event *ev)
{
        const char *status = data_str(ev, "status");
        const char *params[5] = {
                subject_uuid(ev), data_uuid(ev, "mentor_id"), data_uuid(ev, "partner_id"),
                status != NULL && strcmp(status, "active") == 0 && !type_ends(ev, "ended")
                        ? "true" : "false",
                ev->time,
        };

        if (params[0] == NULL || params[1] == NULL || params[2] == NULL)
                return ST_INVALID;
        return db_exec(c, "att_pairing_put", 5, params, NULL);
}

static int
on_enrolment(PGconn *c, const struct follower_event *ev)
{
        char *phases = NULL;
        const char *params[7];
        int rc;

        if (type_ends(ev, "progressed"))
                return ST_OK;           /* movement only (below) */
        params[0] = subject_uuid(ev);
        params[1] = data_uuid(ev, "person_id");
        params[2] = data_uuid(ev, "programme_id");
        params[3] = data_str(ev, "status");
        params[4] = data_str(ev, "current_phase");
        if (params[0] == NULL || params[1] == NULL || params[2] == NULL || params[3] == NULL)
                return ST_INVALID;
        phases = data_json(ev, "phases");
        params[5] = phases;
        params[6] = ev->time;
        rc = db_exec(c, "att_enrolment_put", 7, params, NULL);
        free(phases);
        return rc;
}

static int
on_session(PGconn *c, const struct follower_event *ev)
{
        const json_t *j_at = json_object_get(ev->data, "written_up_at");
        const char *written = j_at == NULL ? NULL : json_is_null(j_at) ? "false" : "true";
        const char *partner = data_uuid(ev, "partner_id");
        const char *params[6] = {
                subject_uuid(ev), partner != NULL ? partner : event_person(ev),
                data_uuid(ev, "mentor_id"), data_str(ev, "status"),
                /* without the member (older events) a write-up event means written up */
                written != NULL ? written : type_ends(ev, "written_up") ? "true" : "false",
                ev->time,
        };

        if (params[3] == NULL)
                return ST_OK;           /* no status: nothing the list shows changed */
        if (params[0] == NULL)
                return ST_INVALID;
        /* a held session names who owes its write-up; any other state only clears it */
        if (strcmp(params[3], "held") == 0 && (params[1] == NULL || params[2] == NULL))
                return ST_INVALID;
        return db_exec(c, "att_session", 6, params, NULL);
}

/* Whether @ev says the completion is verified: "true", "false", or NULL (it does not say). */
static const char *
completion_verified(const struct follower_event *ev)
{
        if (type_ends(ev, "verified"))
                return "true";
        if (type_ends(ev, "unverified") || type_ends(ev, "verification_removed"))
                return "false";
        if (data_bool(ev, "verified") != NULL)
                return data_bool(ev, "verified");
        return type_ends(ev, "recorded") ? "false" : NULL;
}

static int
on_completion(PGconn *c, const struct follower_event *ev)
{
        bool gone = type_ends(ev, "deleted");
        const char *verified = gone ? "true" : completion_verified(ev);
        const char *partner = data_uuid(ev, "partner_id");
        const char *params[5] = { subject_uuid(ev), partner != NULL ? partner : event_person(ev),
                                  verified, gone ? "true" : "false", ev->time };

        if (verified == NULL)
                return ST_OK;           /* a comment, say: the verification did not change */
        if (params[0] == NULL || params[1] == NULL)
                return ST_INVALID;
        return db_exec(c, "att_completion", 5, params, NULL);
}

static int
on_signoff(PGconn *c, const struct follower_event *ev)
{
        const char *params[5] = {
                subject_uuid(ev), data_uuid(ev, "partner_id"), data_uuid(ev, "mentor_id"),
                type_ends(ev, "recorded") ? "true" : "false", ev->time,
        };

        if (params[1] == NULL)
                params[1] = event_person(ev);
        if (params[0] == NULL || params[1] == NULL)
                return ST_INVALID;
        return db_exec(c, "att_signoff", 5, params, NULL);
}

static int
on_playbook(PGconn *c, const struct follower_event *ev)
{
        char *statuses = NULL;
        const char *params[5] = { subject_uuid(ev), data_uuid(ev, "partner_id"),
                                  data_uuid(ev, "programme_id"), NULL, ev->time };
        int rc;

        if (!json_is_object(json_object_get(ev->data, "section_status")))
                return ST_OK;           /* the statuses did not come with it: nothing to change */
        if (params[0] == NULL || params[1] == NULL)
                return ST_INVALID;
        statuses = data_json(ev, "section_status");
        params[3] = statuses;
        rc = statuses != NULL ? db_exec(c, "att_sections", 5, params, NULL) : ST_NOMEM;
        free(statuses);
        return rc;
}

static int
on_integration(PGconn *c, const struct follower_event *ev)
{
        const char *params[6] = {
                subject_uuid(ev), data_uuid(ev, "playbook_id"), data_uuid(ev, "partner_id"),
                data_uuid(ev, "programme_id"), data_str(ev, "status"), ev->time,
        };

        if (params[4] == NULL)
                return ST_OK;           /* no status: nothing the list shows changed */
        if (params[0] == NULL || params[2] == NULL)
                return ST_INVALID;
        return db_exec(c, "att_integration", 6, params, NULL);
}

/* Event type prefixes and what takes them; the first match wins. */
static const struct {
        const char *prefix;
        int (*fn)(PGconn *c, const struct follower_event *ev);
} handlers[] = {
        { "tandem.people.person.", on_person },
        { "tandem.people.group.members_changed", on_group },
        { "tandem.people.pairing.", on_pairing },
        { "tandem.phases.enrolment.", on_enrolment },
        { "tandem.mentoring.session.", on_session },
        { "tandem.mentoring.completion.", on_completion },
        { "tandem.mentoring.signoff.", on_signoff },
        { "tandem.strategy.playbook.", on_playbook },
        { "tandem.strategy.integration.", on_integration },
};

bool
model_is_movement(const char *type)
{
        for (size_t i = 0; movement_types[i] != NULL; i++)
                if (strcmp(type, movement_types[i]) == 0)
                        return true;
        return false;
}

/* The partner whose progress @ev is: the event's person, or its data's partner. */
static const char *
mover(const struct follower_event *ev)
{
        const char *p = data_uuid(ev, "partner_id");

        if (p == NULL)
                p = data_uuid(ev, "person_id");
        if (p == NULL)
                p = event_person(ev);
        /* a mentor's assessment of the partner is the mentor's work, not theirs */
        if (type_is(ev, "tandem.phases.assessment.submitted")) {
                const char *kind = data_str(ev, "kind");

                if (kind != NULL && strcmp(kind, "self") != 0)
                        return NULL;
        }
        return p;
}

static int
apply(PGconn *c, const struct follower_event *ev, void *arg)
{
        int rc = ST_OK;

        (void)arg;
        for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
                if (strncmp(ev->type, handlers[i].prefix, strlen(handlers[i].prefix)) == 0) {
                        rc = handlers[i].fn(c, ev);
                        break;
                }
        if (rc == ST_OK && model_is_movement(ev->type)) {
                const char *who = mover(ev);
                const char *params[3] = { who, ev->time, ev->type };

                if (who != NULL)
                        rc = db_exec(c, "att_moved", 3, params, NULL);
        }
        return rc;
}

int
model_follow(struct service *svc)
{
        struct {
                const char *name, *url, *types;
        } feeds[] = {
                { "attention-people", svc->cfg.people_url,
                  "tandem.people.person.*,tandem.people.pairing.*,tandem.people.group.*" },
                { "attention-phases", svc->cfg.phases_url,
                  "tandem.phases.enrolment.*,tandem.phases.attendance.recorded,"
                  "tandem.phases.assessment.submitted" },
                { "attention-mentoring", svc->cfg.mentoring_url,
                  "tandem.mentoring.session.*,tandem.mentoring.completion.*,"
                  "tandem.mentoring.checklist_item.*,tandem.mentoring.signoff.*" },
                { "attention-strategy", svc->cfg.strategy_url,
                  "tandem.strategy.playbook.*,tandem.strategy.integration.*" },
        };

        for (size_t i = 0; i < sizeof(feeds) / sizeof(feeds[0]); i++) {
                struct follower_spec spec = { feeds[i].name, feeds[i].url, feeds[i].types,
                                              apply, NULL };
                int rc = follower_start(svc, &spec);

                if (rc != ST_OK)
                        return rc;
        }
        return ST_OK;
}

/* ---- statements ---------------------------------------------------------------------------- */

const struct db_stmt model_stmts[] = {
        { "att_person_seen",
          "SELECT att_person_seen($1::uuid, CASE WHEN $2::jsonb IS NULL THEN NULL"
          " ELSE ARRAY(SELECT jsonb_array_elements_text($2::jsonb)) END, $3::text,"
          " $4::boolean)" },
        { "att_person_roles",
          "SELECT att_person_roles($1::uuid,"
          " ARRAY(SELECT jsonb_array_elements_text(coalesce($2::jsonb, '[]'))),"
          " ARRAY(SELECT jsonb_array_elements_text(coalesce($3::jsonb, '[]'))))" },
        { "att_person_gone", "SELECT att_person_gone($1::uuid, $2::text, $3::timestamptz)" },
        { "att_pairing_put",
          "SELECT att_pairing_put($1::uuid, $2::uuid, $3::uuid, $4::boolean, $5::timestamptz)" },
        { "att_enrolment_put",
          "SELECT att_enrolment_put($1::uuid, $2::uuid, $3::uuid, $4::text, $5::text,"
          " $6::jsonb, $7::timestamptz)" },
        { "att_moved", "SELECT att_moved($1::uuid, $2::timestamptz, $3::text)" },
        { "att_sections",
          "SELECT att_sections($1::uuid, $2::uuid, $3::uuid, $4::jsonb, $5::timestamptz)" },
        { "att_session",
          "SELECT att_session($1::uuid, $2::uuid, $3::uuid, $4::text, $5::boolean,"
          " $6::timestamptz)" },
        { "att_completion",
          "SELECT att_completion($1::uuid, $2::uuid, $3::boolean, $4::boolean,"
          " $5::timestamptz)" },
        { "att_signoff",
          "SELECT att_signoff($1::uuid, $2::uuid, $3::uuid, $4::boolean, $5::timestamptz)" },
        { "att_integration",
          "SELECT att_integration($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::text,"
          " $6::timestamptz)" },
        { NULL, NULL },
};
