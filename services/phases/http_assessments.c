/*
 * http_assessments.c - /v1/assessment-templates and /v1/assessments: the
 * questionnaire (items per platform and skill), the partner's own
 * self-assessments and their mentor's separate ratings, and the growth of
 * each from its baseline (the first of its kind).
 */
#include <string.h>

#include "identity.h"
#include "events.h"
#include "phases.h"
#include "status.h"

static const char *const kinds[] = { "self", "mentor", NULL };

struct assessment_op {
        char id[UUID_STR_LEN];
        char person_id[UUID_STR_LEN];
        char me[UUID_STR_LEN];
        const char *kind;
        const char *filter_person;
        json_t *j_body;
        struct page pg;
};

/* What an assessment's events carry (never the answers or comments). */
static const char *const assessment_fields[] = { "person_id", "kind", "template_id", NULL };

/* ---- templates ----------------------------------------------------------------- */

static int
template_create_tx(PGconn *c, struct request *rq, void *arg)
{
        struct assessment_op *op = arg;
        struct row r = { 0 };
        int rc = templates_db_insert(c, op->j_body, &r);

        if (rc == ST_OK)
                rc = phases_emit(c, rq, "tandem.phases.template.created", &r, NULL, NULL);
        if (rc == ST_OK)
                rc = reply_created(rq, &r, "assessment-templates", false);
        row_release(&r);
        return rc;
}

int
http_templates_create(struct request *rq)
{
        struct assessment_op op = { 0 };
        int rc = ST_OK;

        if (!access_is_admin(rq))
                rc = access_forbid(rq, "only the programme team (admin) writes questionnaires");
        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = template_json_check(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, template_create_tx, &op);
        json_decref(op.j_body);
        return rc;
}

static int
template_get_tx(PGconn *c, struct request *rq, void *arg)
{
        struct assessment_op *op = arg;
        struct row r = { 0 };
        int rc = templates_db_get(c, op->id, &r);

        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, "no assessment template with this id");
        if (rc == ST_OK)
                rc = reply_row(rq, &r, 200, false);
        row_release(&r);
        return rc;
}

int
http_templates_get(struct request *rq)
{
        struct assessment_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = access_no_viewer(rq);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, template_get_tx, &op);
        return rc;
}

static int
template_list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct assessment_op *op = arg;

        rq->content_type = "application/json";
        return templates_db_list(c, &op->pg, &rq->text_out);
}

int
http_templates_list(struct request *rq)
{
        struct assessment_op op = { 0 };
        int rc = access_no_viewer(rq);

        if (rc == ST_OK)
                rc = http_page(rq, &op.pg);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, template_list_tx, &op);
        return rc;
}

/* ---- POST /v1/assessments ------------------------------------------------------------ */

static int
assessment_create_tx(PGconn *c, struct request *rq, void *arg)
{
        struct assessment_op *op = arg;
        const char *template_id = json_string_value(json_object_get(op->j_body, "template_id"));
        json_t *j_items = NULL;
        struct row r = { 0 };
        int rc = templates_db_items(c, template_id, &j_items);

        if (rc == ST_NOT_FOUND) {
                problem_field(&rq->prob, "template_id", "no assessment template with this id");
                rc = problem_set(&rq->prob, ST_CONFLICT, NULL, "the questionnaire does not exist");
        }
        if (rc == ST_OK)
                rc = assessment_json_match(json_object_get(op->j_body, "answers"), j_items,
                                           &rq->prob);
        if (rc == ST_OK)
                rc = assessments_db_insert(c, op->j_body, op->me, &r);
        if (rc == ST_OK && strcmp(op->kind, "self") == 0)
                rc = enrolments_db_touch(c, op->person_id);   /* a progress event */
        if (rc == ST_OK)
                rc = phases_emit(c, rq, "tandem.phases.assessment.submitted", &r, "person_id",
                                 assessment_fields);
        if (rc == ST_OK)
                rc = reply_created(rq, &r, "assessments", false);
        row_release(&r);
        json_decref(j_items);
        return rc;
}

/* A self-assessment is the partner's own work; a rating is their active mentor's. */
static int
assessment_access(struct request *rq, struct assessment_op *op)
{
        enum relation rel = REL_NONE;
        bool self = strcmp(op->kind, "self") == 0;
        int rc = access_relation(rq, op->person_id, &rel);

        if (rc != ST_OK)
                return rc;
        if (self && rel == REL_SELF && (rq->who.roles & ROLE_PARTNER))
                return identity_me(rq, op->me);
        if (!self && rel == REL_MENTOR)
                return identity_me(rq, op->me);
        if (self && (rel == REL_MENTOR || access_is_admin(rq)))
                return access_not_consulting(rq, "a self-assessment"
                                             " is the partner's own; a mentor submits a separate"
                                             " rating (kind mentor)");
        if (self)
                return access_forbid(rq, "only a partner assesses themself");
        return access_forbid(rq, "only the partner's active mentor submits a mentor rating");
}

int
http_assessments_create(struct request *rq)
{
        struct assessment_op op = { 0 };
        int rc = access_no_viewer(rq);

        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = assessment_json_check(op.j_body, &rq->prob);
        if (rc == ST_OK) {
                uuid_lower(op.person_id, json_string_value(json_object_get(op.j_body,
                                                                           "person_id")));
                op.kind = json_string_value(json_object_get(op.j_body, "kind"));
                rc = assessment_access(rq, &op);
        }
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, assessment_create_tx, &op);
        json_decref(op.j_body);
        return rc;
}

/* ---- reads --------------------------------------------------------------------------------- */

struct assessment_get {
        char id[UUID_STR_LEN];
        char person_id[UUID_STR_LEN];
        struct row r;
};

static int
assessment_get_tx(PGconn *c, struct request *rq, void *arg)
{
        struct assessment_get *g = arg;

        (void)rq;
        return assessments_db_get(c, g->id, &g->r, g->person_id);
}

int
http_assessments_get(struct request *rq)
{
        struct assessment_get g = { 0 };
        int rc = http_path_uuid(rq, "id", g.id);

        if (rc == ST_OK)
                rc = access_no_viewer(rq);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, assessment_get_tx, &g);
        if (rc == ST_NOT_FOUND && !access_reads_all(rq))
                rc = access_forbid(rq, "you may read your own assessments and those of your"
                                   " active partners");
        else if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, "no assessment with this id");
        if (rc == ST_OK)
                rc = phases_read_person(rq, g.person_id);
        if (rc == ST_OK)
                rc = reply_row(rq, &g.r, 200, false);
        row_release(&g.r);
        return rc;
}

static int
assessment_list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct assessment_op *op = arg;

        rq->content_type = "application/json";
        return assessments_db_list(c, op->filter_person, op->kind, &op->pg, &rq->text_out);
}

int
http_assessments_list(struct request *rq)
{
        struct assessment_op op = { 0 };
        int rc = access_no_viewer(rq);

        if (rc != ST_OK)
                return rc;
        http_query_uuid(rq, "person_id", &op.filter_person);
        http_query_enum(rq, "kind", kinds, &op.kind);
        http_page(rq, &op.pg);
        if (problem_field_count(&rq->prob) > 0)
                return ST_INVALID;
        if (op.filter_person != NULL) {
                uuid_lower(op.person_id, op.filter_person);
                op.filter_person = op.person_id;
                if (!access_reads_all(rq))
                        rc = phases_read_person(rq, op.person_id);
        } else if (!access_reads_all(rq)) {
                rc = identity_me(rq, op.person_id);
                op.filter_person = op.person_id[0] != '\0' ? op.person_id : NIL_UUID;
        }
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, assessment_list_tx, &op);
        return rc;
}

static int
growth_tx(PGconn *c, struct request *rq, void *arg)
{
        struct assessment_op *op = arg;

        rq->content_type = "application/json";
        return assessments_db_growth(c, op->person_id, op->kind, &rq->text_out);
}

int
http_assessments_growth(struct request *rq)
{
        struct assessment_op op = { 0 };
        int rc = http_path_uuid(rq, "person_id", op.person_id);

        if (rc == ST_OK)
                rc = access_no_viewer(rq);
        if (rc != ST_OK)
                return rc;
        http_query_enum(rq, "kind", kinds, &op.kind);
        if (problem_field_count(&rq->prob) > 0)
                return ST_INVALID;
        if (op.kind == NULL)
                op.kind = "self";
        rc = phases_read_person(rq, op.person_id);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, growth_tx, &op);
        return rc;
}
