/*
 * http_enrolments.c - /v1/enrolments: the programme team enrols a partner;
 * the partner, their active mentor and admins read the journey and its
 * history; the partner (or, as agreed with them, their mentor) sets and
 * shifts their own target dates.
 */
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "events.h"
#include "phases.h"
#include "status.h"

static const char *const enrolment_statuses[] = { "active", "paused", "withdrawn", "operational",
                                                  NULL };

struct enrolment_op {
        char id[UUID_STR_LEN];
        char person_id[UUID_STR_LEN];
        char programme_id[UUID_STR_LEN];
        const char *business_unit;
        json_t *j_body;
        json_t *j_person;
        struct actor actor;
        struct page pg;
        struct enrolment_filter f;
};

static void
enrolment_op_release(struct enrolment_op *op)
{
        json_decref(op->j_body);
        json_decref(op->j_person);
}

/* ---- POST /v1/enrolments ------------------------------------------------------- */

static int
create_tx(PGconn *c, struct request *rq, void *arg)
{
        struct enrolment_op *op = arg;
        struct row r = { 0 };
        int rc = enrolments_db_insert(c, op->person_id, op->programme_id, op->business_unit,
                                      &op->actor, &r, &rq->prob);

        if (rc == ST_OK)
                rc = phases_emit(c, rq, "tandem.phases.enrolment.created", &r, "person_id",
                                 enrolment_event_fields);
        if (rc == ST_OK)
                rc = reply_enrolment(rq, &r, 201, true);
        row_release(&r);
        return rc;
}

/* The person must exist and be an active partner (the people service says). */
static int
check_partner(struct request *rq, struct enrolment_op *op)
{
        int rc = identity_person(rq, op->person_id, &op->j_person);

        if (rc == ST_NOT_FOUND || rc == ST_FORBIDDEN)
                problem_field(&rq->prob, "person_id", "no person with this id");
        else if (rc == ST_OK && !identity_has_role(op->j_person, "partner"))
                problem_field(&rq->prob, "person_id", "must be an active person with the"
                              " partner role");
        else if (rc != ST_OK)
                return rc;
        if (problem_field_count(&rq->prob) > 0)
                return problem_set(&rq->prob, ST_CONFLICT, NULL, "only an active partner can be"
                                   " enrolled");
        op->business_unit = json_string_value(json_object_get(op->j_person, "business_unit"));
        return ST_OK;
}

int
http_enrolments_create(struct request *rq)
{
        struct enrolment_op op = { 0 };
        int rc = ST_OK;

        if (!access_is_admin(rq))
                rc = access_forbid(rq, "only the programme team (admin) enrols partners");
        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = enrolment_json_check_create(op.j_body, &rq->prob);
        if (rc == ST_OK) {
                uuid_lower(op.person_id, json_string_value(json_object_get(op.j_body,
                                                                           "person_id")));
                uuid_lower(op.programme_id, json_string_value(json_object_get(op.j_body,
                                                                              "programme_id")));
                rc = check_partner(rq, &op);
        }
        if (rc == ST_OK)
                rc = phases_actor(rq, REL_ADMIN, &op.actor);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, create_tx, &op);
        enrolment_op_release(&op);
        return rc;
}

/* ---- GET /v1/enrolments/{id} ------------------------------------------------------ */

/* Unknown ids look forbidden to those who may not read everything. */
static int
not_found(struct request *rq)
{
        if (!access_reads_all(rq))
                return access_forbid(rq, "you may read your own enrolments and those of your"
                                     " active partners");
        return problem_set(&rq->prob, ST_NOT_FOUND, NULL, "no enrolment with this id");
}

struct get_op {
        char id[UUID_STR_LEN];
        char person_id[UUID_STR_LEN];
        struct row r;
};

static int
get_tx(PGconn *c, struct request *rq, void *arg)
{
        struct get_op *op = arg;

        (void)rq;
        return enrolments_db_get(c, op->id, &op->r, op->person_id);
}

int
http_enrolments_get(struct request *rq)
{
        struct get_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = access_no_viewer(rq);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, get_tx, &op);
        if (rc == ST_NOT_FOUND)
                rc = not_found(rq);
        if (rc == ST_OK)
                rc = phases_read_person(rq, op.person_id);
        if (rc == ST_OK)
                rc = reply_enrolment(rq, &op.r, 200, false);
        row_release(&op.r);
        return rc;
}

/* ---- GET /v1/enrolments ----------------------------------------------------------- */

static int
list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct enrolment_op *op = arg;
        char *page = NULL;
        int rc = enrolments_db_list(c, &op->f, &op->pg, &page);

        return rc == ST_OK ? reply_enrolment_page(rq, page) : rc;
}

/* Who sees what: admin and service everyone; others themselves or an active partner. */
static int
list_scope(struct request *rq, struct enrolment_op *op)
{
        int rc;

        if (access_reads_all(rq))
                return ST_OK;
        if (op->f.person_id != NULL)
                return phases_read_person(rq, op->f.person_id);
        rc = identity_me(rq, op->person_id);
        op->f.person_id = op->person_id[0] != '\0' ? op->person_id : NIL_UUID;
        return rc;
}

int
http_enrolments_list(struct request *rq)
{
        struct enrolment_op op = { 0 };
        int rc = access_no_viewer(rq);

        if (rc != ST_OK)
                return rc;
        http_query_uuid(rq, "person_id", &op.f.person_id);
        http_query_uuid(rq, "programme_id", &op.f.programme_id);
        http_query_enum(rq, "status", enrolment_statuses, &op.f.status);
        http_page(rq, &op.pg);
        if (problem_field_count(&rq->prob) > 0)
                return ST_INVALID;
        if (op.f.person_id != NULL) {
                uuid_lower(op.person_id, op.f.person_id);
                op.f.person_id = op.person_id;
        }
        rc = list_scope(rq, &op);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, list_tx, &op);
        return rc;
}

/* ---- GET /v1/enrolments/{id}/history ---------------------------------------------- */

static int
history_tx(PGconn *c, struct request *rq, void *arg)
{
        struct enrolment_op *op = arg;

        rq->content_type = "application/json";
        return enrolments_db_history(c, op->id, &op->pg, &rq->text_out);
}

int
http_enrolments_history(struct request *rq)
{
        struct enrolment_op op = { 0 };
        struct get_op g = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = access_no_viewer(rq);
        if (rc == ST_OK)
                rc = http_page(rq, &op.pg);
        memcpy(g.id, op.id, sizeof(g.id));
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, get_tx, &g);
        if (rc == ST_NOT_FOUND)
                rc = not_found(rq);
        if (rc == ST_OK)
                rc = phases_read_person(rq, g.person_id);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, history_tx, &op);
        row_release(&g.r);
        return rc;
}

/* ---- PATCH /v1/enrolments/{id}/target-dates ---------------------------------------- */

/* Checks the asked phases against the enrolment's own: known, not completed. */
static int
targets_known(struct request *rq, const json_t *j_targets, const json_t *j_current)
{
        const char *key;
        json_t *j_date, *j_phase;
        char field[96];
        bool unknown = false;

        json_object_foreach((json_t *)j_targets, key, j_date) {
                j_phase = json_object_get(j_current, key);
                snprintf(field, sizeof(field), "targets.%s", key);
                if (j_phase == NULL) {
                        problem_field(&rq->prob, field, "is not a phase of this enrolment's"
                                      " programme version");
                        unknown = true;
                } else if (strcmp(json_string_value(json_object_get(j_phase, "status")),
                                  "completed") == 0) {
                        problem_field(&rq->prob, field, "is completed: its dates are history");
                }
        }
        if (problem_field_count(&rq->prob) == 0)
                return ST_OK;
        return unknown ? ST_INVALID : problem_set(&rq->prob, ST_CONFLICT, NULL,
                                                  "a completed phase keeps its dates");
}

/* Sets each target that changes; *@changed counts them. */
static int
targets_apply(PGconn *c, struct enrolment_op *op, const json_t *j_current, int *changed)
{
        const json_t *j_targets = json_object_get(op->j_body, "targets");
        const char *reason = json_string_value(json_object_get(op->j_body, "reason"));
        const char *key, *now_date, *new_date;
        json_t *j_date;
        int rc = ST_OK;

        *changed = 0;
        json_object_foreach((json_t *)j_targets, key, j_date) {
                now_date = json_string_value(json_object_get(json_object_get(j_current, key),
                                                             "target_date"));
                new_date = json_string_value(j_date);
                if ((now_date == NULL && new_date == NULL)
                    || (now_date != NULL && new_date != NULL && strcmp(now_date, new_date) == 0))
                        continue;
                rc = enrolments_db_set_target(c, op->id, key, new_date, &op->actor, reason);
                if (rc != ST_OK)
                        break;
                (*changed)++;
        }
        if (rc == ST_OK && *changed > 0)
                rc = enrolments_db_bump(c, op->id);
        return rc;
}

static int
targets_tx(PGconn *c, struct request *rq, void *arg)
{
        struct enrolment_op *op = arg;
        struct enrolment_meta m = { 0 };
        json_t *j_current = NULL;
        struct row r = { 0 };
        int changed = 0;
        int rc = enrolments_db_meta(c, op->id, true, &m);

        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, "no enrolment with this id");
        if (rc == ST_OK)
                rc = http_if_match(rq, m.version);
        if (rc == ST_OK && m.status != ENROL_ACTIVE && m.status != ENROL_PAUSED)
                rc = problem_set(&rq->prob, ST_CONFLICT, NULL, "this enrolment has ended:"
                                 " its plan is history");
        if (rc == ST_OK)
                rc = enrolments_db_targets(c, op->id, &j_current);
        if (rc == ST_OK)
                rc = targets_known(rq, json_object_get(op->j_body, "targets"), j_current);
        if (rc == ST_OK)
                rc = targets_apply(c, op, j_current, &changed);
        if (rc == ST_OK)
                rc = enrolments_db_get(c, op->id, &r, op->person_id);
        if (rc == ST_OK && changed > 0)
                rc = phases_emit(c, rq, "tandem.phases.enrolment.targets_set", &r, "person_id",
                                 enrolment_event_fields);
        if (rc == ST_OK)
                rc = reply_enrolment(rq, &r, 200, false);
        row_release(&r);
        json_decref(j_current);
        enrolment_meta_release(&m);
        return rc;
}

/* The partner sets their own plan; a mentor only as agreed with them; admin always. */
static int
targets_access(struct request *rq, struct enrolment_op *op)
{
        enum relation rel = REL_NONE;
        int rc = access_relation(rq, op->person_id, &rel);

        if (rc != ST_OK)
                return rc;
        if (rel == REL_MENTOR && !json_is_true(json_object_get(op->j_body,
                                                               "agreed_with_partner"))) {
                problem_field(&rq->prob, "agreed_with_partner", "a mentor shifts a partner's"
                              " dates only as agreed with them: say so with true");
                return access_forbid(rq, "the plan is the partner's own");
        }
        if (rel == REL_NONE || rel == REL_SERVICE)
                return access_forbid(rq, "only the partner, their active mentor (as agreed with"
                                     " the partner) or an admin sets target dates");
        return phases_actor(rq, rel, &op->actor);
}

int
http_enrolments_targets(struct request *rq)
{
        struct enrolment_op op = { 0 };
        struct get_op g = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = access_no_viewer(rq);
        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = targets_json_check(op.j_body, pace_day_of(clock_now()), &rq->prob);
        memcpy(g.id, op.id, sizeof(g.id));
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, get_tx, &g);
        if (rc == ST_NOT_FOUND)
                rc = not_found(rq);
        memcpy(op.person_id, g.person_id, sizeof(op.person_id));
        if (rc == ST_OK)
                rc = targets_access(rq, &op);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, targets_tx, &op);
        row_release(&g.r);
        enrolment_op_release(&op);
        return rc;
}
