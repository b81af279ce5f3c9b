/*
 * follow.c - what phases learns from the other services' event feeds
 * (follower.h): each runs inside the follower's transaction, with its cursor.
 *
 *  - Progress (issue 12, consequence 1): a session held or written up, a
 *    completion recorded or verified, a mentor's sign-off (mentoring), a
 *    playbook section saved or an integration run (strategy) counts as
 *    progress on the partner's stall clock, like a workshop attended here.
 *  - Sign-off completes the journey (consequence 4): comms signing off the
 *    current integration advances an active enrolment whose current phase
 *    asks for that sign-off (operational after the last phase), with a
 *    history entry naming the sign-off; an integration returned is entered
 *    in the history.
 *  - A mentor's sign-off revoked (mentoring) is entered in the partner's
 *    open enrolment's history, and the stall clock the sign-off restarted
 *    goes back to where it was, unless other progress moved it since (the
 *    sign-off's effect on the clock is kept when it is recorded:
 *    signoff_progress).  The mentor_signoff criterion needs nothing: it is
 *    read from mentoring when judged.
 */
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "follower.h"
#include "phases.h"
#include "status.h"

/* The feeds' types phases acts on. */
static const char mentoring_types[] =
        "tandem.mentoring.session.held,tandem.mentoring.session.written_up,"
        "tandem.mentoring.completion.recorded,tandem.mentoring.completion.verified,"
        "tandem.mentoring.signoff.recorded,tandem.mentoring.signoff.revoked";
static const char strategy_types[] =
        "tandem.strategy.playbook.section_saved,tandem.strategy.integration.created,"
        "tandem.strategy.integration.signed_off,tandem.strategy.integration.returned";

static bool
is_type(const struct follower_event *ev, const char *type)
{
        return strcmp(ev->type, type) == 0;
}

/* Moves the stall clock of the person's open enrolments to the event's time. */
static int
progress(PGconn *c, const struct follower_event *ev)
{
        const char *params[2] = { ev->person, ev->time };
        PGresult *res = NULL;
        json_t *j_data;
        int rc;

        if (ev->person == NULL)
                return ST_OK;
        rc = db_exec(c, "enrolment_progress", 2, params, &res);
        j_data = json_pack("{s:s, s:s}", "cause_type", ev->type, "cause_id", ev->id);
        for (int i = 0; rc == ST_OK && i < PQntuples(res); i++)
                rc = j_data != NULL ? outbox_emit4(c, NULL, "tandem.phases.enrolment.progressed",
                                                   PQgetvalue(res, i, 0), ev->person,
                                                   strtoll(PQgetvalue(res, i, 1), NULL, 10),
                                                   j_data)
                                    : ST_NOMEM;
        json_decref(j_data);
        PQclear(res);
        return rc;
}

/* The rule of the current phase that asks for comms' sign-off, or NULL. */
static const json_t *
signoff_rule(const json_t *j_criteria)
{
        size_t i;
        const json_t *j_rule;

        json_array_foreach(j_criteria, i, j_rule) {
                const char *t = json_string_value(json_object_get(j_rule, "type"));

                if (t != NULL && strcmp(t, "integration_signed_off") == 0)
                        return j_rule;
        }
        return NULL;
}

/* The partner's active enrolment, locked; ST_NOT_FOUND when there is none. */
static int
active_enrolment(PGconn *c, const char *person, struct enrolment_meta *m)
{
        const char *params[1] = { person };
        PGresult *res = NULL;
        int rc = db_exec_one(c, "enrolment_open_of", 1, params, &res);

        if (rc == ST_OK)
                rc = enrolments_db_meta(c, PQgetvalue(res, 0, 0), true, m);
        PQclear(res);
        return rc;
}

/* Who acted in another service, as the history names them: its actor, in @role. */
static void
event_actor(const struct follower_event *ev, const char *service, const char *role,
            struct actor *a)
{
        a->subject = ev->actor != NULL ? ev->actor : service;
        a->role = role;
        snprintf(a->person_id, sizeof(a->person_id), "%s",
                 ev->actor != NULL && uuid_valid(ev->actor) ? ev->actor : "");
}

static void
comms_actor(const struct follower_event *ev, struct actor *a)
{
        event_actor(ev, "service:strategy", "comms", a);
}

static int
signed_off(PGconn *c, const struct follower_event *ev)
{
        struct enrolment_meta m = { 0 };
        struct actor a;
        char detail[160];
        const json_t *j_rule;
        json_t *j_evidence = NULL;
        int rc = active_enrolment(c, ev->person, &m);

        if (rc == ST_NOT_FOUND)
                return ST_OK;   /* no journey waiting on it */
        if (rc != ST_OK || m.status != ENROL_ACTIVE || (j_rule = signoff_rule(m.j_criteria)) == NULL)
                goto out;
        comms_actor(ev, &a);
        snprintf(detail, sizeof(detail), "comms signed off integration %s",
                 ev->subject != NULL ? ev->subject : "?");
        j_evidence = json_pack("[{s:O, s:s, s:s, s:{s:s?, s:s, s:s?, s:s}}]", "rule", j_rule,
                               "status", "met", "detail", detail, "evidence",
                               "integration_id", ev->subject, "event_id", ev->id,
                               "signed_off_by", ev->actor, "signed_off_at", ev->time);
        rc = j_evidence != NULL ? enrolments_db_advance(c, &m, &a, NULL, j_evidence) : ST_NOMEM;
        if (rc == ST_OK) {
                struct row r = { 0 };
                char person[UUID_STR_LEN];

                rc = enrolments_db_get(c, m.id, &r, person);
                if (rc == ST_OK)
                        rc = phases_emit(c, NULL, "tandem.phases.enrolment.advanced", &r,
                                         "person_id", enrolment_event_fields);
                row_release(&r);
        }
out:
        json_decref(j_evidence);
        enrolment_meta_release(&m);
        return rc == ST_NOT_FOUND ? ST_OK : rc;
}

/* A line of @kind by @a in the partner's open enrolment's history (none: nothing to do). */
static int
note(PGconn *c, const struct follower_event *ev, const char *kind, const struct actor *a,
     const char *reason)
{
        struct enrolment_meta m = { 0 };
        int rc = active_enrolment(c, ev->person, &m);

        if (rc == ST_OK) {
                const char *params[7] = {
                        m.id, kind, a->subject, a->person_id[0] != '\0' ? a->person_id : NULL,
                        a->role, m.phase_key, reason,
                };

                rc = db_exec(c, "enrolment_note", 7, params, NULL);
        }
        enrolment_meta_release(&m);
        return rc == ST_NOT_FOUND ? ST_OK : rc;
}

/* An integration returned: a line in the partner's open enrolment's history. */
static int
returned(PGconn *c, const struct follower_event *ev)
{
        struct actor a;
        char reason[160];

        comms_actor(ev, &a);
        snprintf(reason, sizeof(reason), "integration %s returned by comms",
                 ev->subject != NULL ? ev->subject : "?");
        return note(c, ev, "integration_returned", &a, reason);
}

/* A mentor's sign-off recorded: progress, its effect on the clock kept for a revocation. */
static int
signoff_recorded(PGconn *c, const struct follower_event *ev)
{
        const char *params[3] = { ev->subject, ev->person, ev->time };
        int rc = ST_OK;

        if (ev->subject != NULL && uuid_valid(ev->subject))
                rc = db_exec(c, "signoff_progress_keep", 3, params, NULL);
        return rc == ST_OK ? progress(c, ev) : rc;
}

/* A mentor's sign-off revoked: the clock it restarted goes back, and the history says so. */
static int
signoff_revoked(PGconn *c, const struct follower_event *ev)
{
        const char *params[1] = { ev->subject };
        struct actor a;
        char reason[160];
        int rc;

        if (ev->subject == NULL || !uuid_valid(ev->subject))
                return ST_OK;   /* names no sign-off: nothing to undo or enter */
        rc = db_exec(c, "signoff_progress_undo", 1, params, NULL);
        if (rc != ST_OK)
                return rc;
        event_actor(ev, "service:mentoring", "mentor", &a);
        snprintf(reason, sizeof(reason), "mentor sign-off %s revoked", ev->subject);
        return note(c, ev, "mentor_signoff_revoked", &a, reason);
}

static int
apply(PGconn *c, const struct follower_event *ev, void *arg)
{
        (void)arg;
        if (ev->person == NULL || !uuid_valid(ev->person))
                return ST_OK;
        if (is_type(ev, "tandem.strategy.integration.signed_off"))
                return signed_off(c, ev);
        if (is_type(ev, "tandem.strategy.integration.returned"))
                return returned(c, ev);
        if (is_type(ev, "tandem.mentoring.signoff.recorded"))
                return signoff_recorded(c, ev);
        if (is_type(ev, "tandem.mentoring.signoff.revoked"))
                return signoff_revoked(c, ev);
        return progress(c, ev);
}

int
phases_follow(struct service *svc)
{
        struct follower_spec mentoring = {
                "mentoring-progress", svc->cfg.mentoring_url, mentoring_types, apply, NULL,
        };
        struct follower_spec strategy = {
                "strategy-progress", svc->cfg.strategy_url, strategy_types, apply, NULL,
        };
        int rc = follower_start(svc, &mentoring);

        return rc == ST_OK ? follower_start(svc, &strategy) : rc;
}
