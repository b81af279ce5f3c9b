/*
 * http_checklists.c - handlers for /v1/checklists/{partner_id}: a partner's
 * checklist of activities with their regularity, and its items.  Only the
 * partner adds items and chooses their cadence (their pace); the partner,
 * their active mentor, admin and services read it.
 */
#include <string.h>
#include <time.h>

#include "buf.h"
#include "mentoring.h"
#include "query.h"
#include "status.h"
#include "events.h"

struct checklist_op {
        char partner_id[UUID_STR_LEN];
        char item_id[UUID_STR_LEN];
        int weeks;
        long windows;
        json_t *j_body;
        struct item_input *items;
        size_t n;
        int64_t now;
};

static void
checklist_op_release(struct checklist_op *op)
{
        item_inputs_free(op->items, op->n);
        json_decref(op->j_body);
}

static int
read_tx(PGconn *c, struct request *rq, void *arg)
{
        struct checklist_op *op = arg;

        (void)rq;
        return items_db_read(c, op->partner_id, op->item_id[0] != '\0' ? op->item_id : NULL,
                             &op->items, &op->n, &op->now);
}

/* Moves what @b built into the reply; ST_NOMEM when building failed. */
static int
reply_text(struct request *rq, struct buf *b, int failed)
{
        char *text = buf_detach(b);

        if (text == NULL || failed) {
                free(text);
                return failed ? ST_INTERNAL : ST_NOMEM;
        }
        rq->text_out = text;
        rq->content_type = "application/json";
        return ST_OK;
}

/* ---- GET /v1/checklists/{partner_id} ------------------------------------------------ */

int
http_checklist_get(struct request *rq)
{
        struct checklist_op op = { 0 };
        enum relation rel;
        struct buf b = BUF_INIT;
        int rc = http_path_uuid(rq, "partner_id", op.partner_id);

        op.weeks = (int)query_int(rq, "weeks", 1, WEEKS_MAX, WEEKS_DEFAULT);
        if (rc == ST_OK && problem_field_count(&rq->prob) > 0)
                rc = ST_INVALID;
        if (rc == ST_OK)
                rc = mentoring_read_partner(rq, op.partner_id, &rel);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, read_tx, &op);
        if (rc == ST_OK)
                rc = reply_text(rq, &b, checklist_render(&b, op.partner_id, op.items, op.n,
                                                         op.now, op.weeks));
        buf_release(&b);
        checklist_op_release(&op);
        return rc;
}

/* ---- POST /v1/checklists/{partner_id}/items ----------------------------------------- */

static int
item_create_tx(PGconn *c, struct request *rq, void *arg)
{
        struct checklist_op *op = arg;
        struct db_row r = DB_ROW_INIT;
        char collection[80];
        int rc = items_db_insert(c, op->partner_id, op->j_body, &r, &rq->prob);

        snprintf(collection, sizeof(collection), "checklists/%s/items", op->partner_id);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.mentoring.checklist_item.created", &r,
                                "partner_id", mentoring_event_fields, NULL);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 201, collection);
        db_row_release(&r);
        return rc;
}

int
http_items_create(struct request *rq)
{
        struct checklist_op op = { 0 };
        int rc = http_path_uuid(rq, "partner_id", op.partner_id);

        if (rc == ST_OK)
                rc = mentoring_partner_only(rq, op.partner_id, ACCESS_NOT_CONSULTING,
                                            "partners choose their own activities and their own"
                                            " pace: only the partner adds to their checklist");
        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = items_json_check_create(op.j_body, day_of((int64_t)time(NULL)), &rq->prob);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, item_create_tx, &op);
        checklist_op_release(&op);
        return rc;
}

/* ---- GET /v1/checklists/{partner_id}/items/{item_id} ------------------------------- */

int
http_items_get(struct request *rq)
{
        struct checklist_op op = { 0 };
        enum relation rel;
        struct buf b = BUF_INIT;
        int rc = http_path_uuid(rq, "partner_id", op.partner_id);

        if (rc == ST_OK)
                rc = http_path_uuid(rq, "item_id", op.item_id);
        op.weeks = (int)query_int(rq, "weeks", 1, WEEKS_MAX, WEEKS_DEFAULT);
        op.windows = query_int(rq, "windows", 1, WINDOWS_MAX, 12);
        if (rc == ST_OK && problem_field_count(&rq->prob) > 0)
                rc = ST_INVALID;
        if (rc == ST_OK)
                rc = mentoring_read_partner(rq, op.partner_id, &rel);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, read_tx, &op);
        if (rc == ST_OK && op.n == 0)
                rc = problem_set(&rq->prob, ST_NOT_FOUND, NULL, "no such item on this checklist");
        if (rc == ST_OK)
                rc = reply_text(rq, &b, checklist_render_item(&b, &op.items[0], op.now, op.weeks,
                                                              (size_t)op.windows));
        if (rc == ST_OK)
                http_set_etag(rq, op.items[0].version);
        buf_release(&b);
        checklist_op_release(&op);
        return rc;
}

/* ---- PATCH /v1/checklists/{partner_id}/items/{item_id} ----------------------------- */

static int
item_patch_tx(PGconn *c, struct request *rq, void *arg)
{
        struct checklist_op *op = arg;
        struct db_row r = DB_ROW_INIT;
        long long version = 0;
        int32_t start = 0;
        int rc = items_db_lock(c, op->partner_id, op->item_id, &version, &start);

        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "no such item on this checklist");
        if (rc == ST_OK)
                rc = http_if_match(rq, version);
        if (rc == ST_OK)
                rc = items_db_update(c, op->item_id, op->j_body, &r);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.mentoring.checklist_item.updated", &r,
                                "partner_id", mentoring_event_fields, NULL);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 200, NULL);
        db_row_release(&r);
        return rc;
}

int
http_items_patch(struct request *rq)
{
        struct checklist_op op = { 0 };
        int rc = http_path_uuid(rq, "partner_id", op.partner_id);

        if (rc == ST_OK)
                rc = http_path_uuid(rq, "item_id", op.item_id);
        if (rc == ST_OK)
                rc = mentoring_partner_only(rq, op.partner_id, ACCESS_NOT_CONSULTING,
                                            "partners set their own pace: only the partner changes"
                                            " their checklist");
        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = items_json_check_patch(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, item_patch_tx, &op);
        checklist_op_release(&op);
        return rc;
}
