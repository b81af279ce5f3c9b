/*
 * http_business.c - handlers for /v1/business-strategy: the business social
 * media strategy, owned by comms, in draft and published versions with
 * exactly one current published version; and the programme view for comms
 * (how many operational leaders carry each pillar).  No SQL here.
 */
#include <string.h>

#include "status.h"
#include "strategy.h"
#include "events.h"

static const char *const version_statuses[] = { "draft", "published", NULL };

#define NOTHING_PUBLISHED "no business strategy has been published yet"

struct biz_op {
        char id[UUID_STR_LEN];
        char me[UUID_STR_LEN];
        json_t *j_body;
        const char *status;
        const char *programme_id;
        struct page pg;
        struct db_row r;
};

static void
biz_op_release(struct biz_op *op)
{
        json_decref(op->j_body);
        db_row_release(&op->r);
}

static int
no_version(struct request *rq, int rc)
{
        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL,
                                   "no business strategy version with this id");
        return rc;
}

static int
comms_only(struct request *rq)
{
        if (access_has(rq, ROLE_COMMS))
                return ST_OK;
        return access_forbid(rq, "the business strategy is owned and changed by comms");
}

/* Everyone but viewers (aggregates only) reads published versions. */
static int
reader(struct request *rq)
{
        if (rq->who.roles == ROLE_VIEWER)
                return access_forbid(rq, "viewers read aggregate statistics only");
        return ST_OK;
}

static bool
reads_drafts(const struct request *rq)
{
        return access_has(rq, ROLE_COMMS | ROLE_ADMIN);
}

/* ---- GET /v1/business-strategy: the current published version ---------------------- */

static int
current_tx(PGconn *c, struct request *rq, void *arg)
{
        struct biz_op *op = arg;
        int rc = business_db_current(c, &op->r);

        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, NOTHING_PUBLISHED);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op->r, 200, NULL);
        return rc;
}

int
http_business_current(struct request *rq)
{
        struct biz_op op = { 0 };
        int rc = reader(rq);

        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, current_tx, &op);
        biz_op_release(&op);
        return rc;
}

/* ---- GET /v1/business-strategy/coverage: the programme view -------------------------- */

static int
coverage_tx(PGconn *c, struct request *rq, void *arg)
{
        struct biz_op *op = arg;
        int rc = business_db_coverage(c, op->programme_id, &rq->text_out);

        rq->content_type = "application/json";
        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, NOTHING_PUBLISHED);
        return rc;
}

int
http_business_coverage(struct request *rq)
{
        struct biz_op op = { 0 };

        if (!access_has(rq, ROLE_COMMS | ROLE_ADMIN | ROLE_VIEWER | ROLE_SERVICE))
                return access_forbid(rq, "pillar coverage is for comms, the programme team and"
                                     " viewers");
        http_query_uuid(rq, "programme_id", &op.programme_id);
        if (problem_field_count(&rq->prob) > 0)
                return ST_INVALID;
        return db_with(rq->svc->db, rq, coverage_tx, &op);
}

/* ---- POST /v1/business-strategy/versions: a new draft -------------------------------- */

static int
create_tx(PGconn *c, struct request *rq, void *arg)
{
        struct biz_op *op = arg;
        json_t *j_keys = business_pillar_keys(json_object_get(op->j_body, "pillars"));
        int rc = j_keys != NULL ? business_db_insert(c, op->j_body, j_keys, op->me, &op->r)
                                : ST_NOMEM;

        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.strategy.business_strategy.created", &op->r,
                                NULL, strategy_event_fields, NULL);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op->r, 201, "business-strategy/versions");
        db_row_release(&op->r);
        json_decref(j_keys);
        return rc;
}

int
http_business_create(struct request *rq)
{
        struct biz_op op = { 0 };
        int rc = comms_only(rq);

        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = business_json_check_create(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = access_me(rq, op.me);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, create_tx, &op);
        biz_op_release(&op);
        return rc;
}

/* ---- GET /v1/business-strategy/versions ---------------------------------------------- */

static int
list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct biz_op *op = arg;

        rq->content_type = "application/json";
        return business_db_list(c, op->status, reads_drafts(rq), &op->pg, &rq->text_out);
}

int
http_business_list(struct request *rq)
{
        struct biz_op op = { 0 };
        int rc = reader(rq);

        if (rc != ST_OK)
                return rc;
        http_query_enum(rq, "status", version_statuses, &op.status);
        http_page(rq, &op.pg);
        if (problem_field_count(&rq->prob) > 0)
                return ST_INVALID;
        return db_with(rq->svc->db, rq, list_tx, &op);
}

/* ---- GET /v1/business-strategy/versions/{id} --------------------------------------------- */

static int
get_tx(PGconn *c, struct request *rq, void *arg)
{
        struct biz_op *op = arg;
        bool published = false;
        int rc = no_version(rq, business_db_get(c, op->id, &op->r, &published));

        if (rc == ST_OK && !published && !reads_drafts(rq))
                rc = access_forbid(rq, "drafts are read by comms and the programme team");
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op->r, 200, NULL);
        return rc;
}

int
http_business_get(struct request *rq)
{
        struct biz_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = reader(rq);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, get_tx, &op);
        biz_op_release(&op);
        return rc;
}

/* ---- PATCH /v1/business-strategy/versions/{id}: edit a draft ----------------------------- */

/* Locks draft @op->id and checks If-Match; a published version never changes. */
static int
lock_draft(PGconn *c, struct request *rq, struct biz_op *op)
{
        long long version = 0;
        bool published = false;
        int rc = no_version(rq, business_db_lock(c, op->id, &version, &published));

        if (rc == ST_OK)
                rc = http_if_match(rq, version);
        if (rc == ST_OK && published)
                rc = problem_set(&rq->prob, ST_CONFLICT, NULL, "this version is already published,"
                                 " and a published version never changes: create a new version");
        return rc;
}

static int
patch_tx(PGconn *c, struct request *rq, void *arg)
{
        struct biz_op *op = arg;
        json_t *j_pillars = json_object_get(op->j_body, "pillars");
        json_t *j_keys = j_pillars != NULL ? business_pillar_keys(j_pillars) : NULL;
        int rc = j_pillars == NULL || j_keys != NULL ? ST_OK : ST_NOMEM;

        if (rc == ST_OK)
                rc = lock_draft(c, rq, op);
        if (rc == ST_OK)
                rc = business_db_update(c, op->id, op->j_body, j_keys, &op->r);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.strategy.business_strategy.updated", &op->r, NULL,
                                strategy_event_fields, op->j_body);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op->r, 200, NULL);
        db_row_release(&op->r);
        json_decref(j_keys);
        return rc;
}

int
http_business_patch(struct request *rq)
{
        struct biz_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = comms_only(rq);
        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = business_json_check_patch(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, patch_tx, &op);
        biz_op_release(&op);
        return rc;
}

/* ---- POST /v1/business-strategy/versions/{id}/publish -------------------------------------- */

static int
publish_tx(PGconn *c, struct request *rq, void *arg)
{
        struct biz_op *op = arg;
        int rc = business_db_publish_lock(c);

        if (rc == ST_OK)
                rc = lock_draft(c, rq, op);
        if (rc == ST_OK)
                rc = business_db_publish(c, op->id, op->me, &op->r);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.strategy.business_strategy.published", &op->r,
                                NULL, strategy_event_fields, NULL);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op->r, 200, NULL);
        db_row_release(&op->r);
        return rc;
}

int
http_business_publish(struct request *rq)
{
        struct biz_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = comms_only(rq);
        if (rc == ST_OK)
                rc = access_me(rq, op.me);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, publish_tx, &op);
        biz_op_release(&op);
        return rc;
}
