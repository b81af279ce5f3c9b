/*
 * http_templates.c - handlers for /v1/activity-templates: the activities the
 * workshops teach (title, platform, skill, suggested cadence, description),
 * which partners put on their checklists.  The programme team manages them;
 * an archived template stays readable but no new item is made from it.
 */
#include <string.h>

#include "mentoring.h"
#include "query.h"
#include "status.h"
#include "events.h"

struct template_op {
        char id[UUID_STR_LEN];
        json_t *j_body;
        struct cadence cadence;
        bool has_cadence;
        struct template_filter f;
        struct page pg;
};

static int
read_cadence(struct request *rq, struct template_op *op)
{
        json_t *j = json_object_get(op->j_body, "suggested_cadence");

        op->has_cadence = j != NULL;
        return j != NULL ? mentoring_json_cadence(j, "suggested_cadence", &op->cadence, &rq->prob)
                         : ST_OK;
}

/* ---- POST ---------------------------------------------------------------------- */

static int
create_tx(PGconn *c, struct request *rq, void *arg)
{
        struct template_op *op = arg;
        struct db_row r = DB_ROW_INIT;
        int rc = templates_db_insert(c, op->j_body, &op->cadence, &r);

        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.mentoring.activity_template.created", &r, NULL,
                                mentoring_event_fields, NULL);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 201, "activity-templates");
        db_row_release(&r);
        return rc;
}

int
http_templates_create(struct request *rq)
{
        struct template_op op = { 0 };
        int rc;

        if (!access_is_admin(rq))
                return access_forbid(rq, "only the programme team (admin) manages activity"
                                     " templates");
        rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = templates_json_check_create(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = read_cadence(rq, &op);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, create_tx, &op);
        json_decref(op.j_body);
        return rc;
}

/* ---- GET one ---------------------------------------------------------------------- */

static int
get_tx(PGconn *c, struct request *rq, void *arg)
{
        struct template_op *op = arg;
        struct db_row r = DB_ROW_INIT;
        int rc = templates_db_get(c, op->id, &r);

        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, "no activity template with this id");
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 200, NULL);
        db_row_release(&r);
        return rc;
}

int
http_templates_get(struct request *rq)
{
        struct template_op op = { 0 };
        int rc = mentoring_roles(rq);

        if (rc == ST_OK)
                rc = http_path_uuid(rq, "id", op.id);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, get_tx, &op);
        return rc;
}

/* ---- PATCH ------------------------------------------------------------------------- */

static int
patch_tx(PGconn *c, struct request *rq, void *arg)
{
        struct template_op *op = arg;
        struct db_row r = DB_ROW_INIT;
        long long version = 0;
        int rc = templates_db_lock(c, op->id, &version);

        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "no activity template with this id");
        if (rc == ST_OK)
                rc = http_if_match(rq, version);
        if (rc == ST_OK)
                rc = templates_db_update(c, op->id, op->j_body,
                                         op->has_cadence ? &op->cadence : NULL, &r);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.mentoring.activity_template.updated", &r, NULL,
                                mentoring_event_fields, op->j_body);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 200, NULL);
        db_row_release(&r);
        return rc;
}

int
http_templates_patch(struct request *rq)
{
        struct template_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK && !access_is_admin(rq))
                rc = access_forbid(rq, "only the programme team (admin) manages activity"
                                   " templates");
        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = templates_json_check_patch(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = read_cadence(rq, &op);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, patch_tx, &op);
        json_decref(op.j_body);
        return rc;
}

/* ---- GET list ---------------------------------------------------------------------- */

static int
list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct template_op *op = arg;

        rq->content_type = "application/json";
        return templates_db_list(c, &op->f, &op->pg, &rq->text_out);
}

int
http_templates_list(struct request *rq)
{
        struct template_op op = { 0 };
        int rc = mentoring_roles(rq);

        if (rc != ST_OK)
                return rc;
        op.f.platform = query_text(rq, "platform", 50);
        op.f.skill = query_text(rq, "skill", 100);
        op.f.archived = query_bool(rq, "archived");
        if (op.f.archived < 0)
                op.f.archived = 0;
        http_page(rq, &op.pg);
        if (problem_field_count(&rq->prob) > 0)
                return ST_INVALID;
        return db_with(rq->svc->db, rq, list_tx, &op);
}
