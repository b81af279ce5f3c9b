/*
 * http_completions.c - handlers for a partner's completions: only the
 * partner records, edits or deletes their own activities (a mentor or admin
 * who tries gets a 403 of type partners-record-their-own-activities); the
 * partner's active mentor verifies them and comments on them.
 */
#include <string.h>
#include <time.h>

#include "mentoring.h"
#include "query.h"
#include "status.h"
#include "events.h"

#define OWN_ONLY "partners record their own activities: only the partner records, changes" \
        " or deletes a completion"

struct completion_op {
        char partner_id[UUID_STR_LEN];
        char item_id[UUID_STR_LEN];
        char id[UUID_STR_LEN];
        char me[UUID_STR_LEN];
        json_t *j_body;
        enum relation rel;
        struct completion_filter f;
        struct page pg;
};

enum path_parts { PATH_PARTNER = 0, PATH_ITEM = 1, PATH_COMPLETION = 2 };

/*
 * Reads the partner and @parts of the path.  (ulfius keeps path and query
 * parameters in one map: the list's item_id filter is not a path part.)
 */
static int
path_ids(struct request *rq, struct completion_op *op, unsigned parts)
{
        int rc = http_path_uuid(rq, "partner_id", op->partner_id);

        if (rc == ST_OK && (parts & PATH_ITEM))
                rc = http_path_uuid(rq, "item_id", op->item_id);
        if (rc == ST_OK && (parts & PATH_COMPLETION))
                rc = http_path_uuid(rq, "completion_id", op->id);
        return rc;
}

/* Locks the completion; 404 when it is not this partner's. */
static int
lock_completion(PGconn *c, struct request *rq, struct completion_op *op, int *comments)
{
        long long version = 0;
        int rc = completions_db_lock(c, op->partner_id, op->id, &version, comments);

        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "no such completion on this checklist");
        if (rc == ST_OK)
                rc = http_if_match(rq, version);
        return rc;
}

/* ---- POST .../items/{item_id}/completions ------------------------------------------ */

static int
create_tx(PGconn *c, struct request *rq, void *arg)
{
        struct completion_op *op = arg;
        struct db_row r = DB_ROW_INIT;
        char collection[80];
        long long version = 0;
        int32_t start = 0;
        int64_t done = 0;
        int rc = items_db_lock(c, op->partner_id, op->item_id, &version, &start);

        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "no such item on this checklist");
        rfc3339_to_epoch(json_string_value(json_object_get(op->j_body, "done_at")), &done);
        if (rc == ST_OK && day_of(done) < start)
                return problem_field(&rq->prob, "done_at", "is before the day this item"
                                     " started");
        if (rc == ST_OK)
                rc = completions_db_insert(c, op->item_id, op->partner_id, op->j_body, &r);
        snprintf(collection, sizeof(collection), "checklists/%s/completions", op->partner_id);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.mentoring.completion.recorded", &r,
                                "partner_id", mentoring_event_fields, NULL);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 201, collection);
        db_row_release(&r);
        return rc;
}

int
http_completions_create(struct request *rq)
{
        struct completion_op op = { 0 };
        int rc = path_ids(rq, &op, PATH_ITEM);

        if (rc == ST_OK)
                rc = mentoring_partner_only(rq, op.partner_id, PT_OWN_ACTIVITIES, OWN_ONLY);
        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = completions_json_check_create(op.j_body, (int64_t)time(NULL), &rq->prob);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, create_tx, &op);
        json_decref(op.j_body);
        return rc;
}

/* ---- GET one and the list ---------------------------------------------------------- */

static int
get_tx(PGconn *c, struct request *rq, void *arg)
{
        struct completion_op *op = arg;
        struct db_row r = DB_ROW_INIT;
        int rc = completions_db_get(c, op->partner_id, op->id, &r);

        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, "no such completion on this checklist");
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 200, NULL);
        db_row_release(&r);
        return rc;
}

int
http_completions_get(struct request *rq)
{
        struct completion_op op = { 0 };
        int rc = path_ids(rq, &op, PATH_COMPLETION);

        if (rc == ST_OK)
                rc = mentoring_read_partner(rq, op.partner_id, &op.rel);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, get_tx, &op);
        return rc;
}

static int
list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct completion_op *op = arg;

        rq->content_type = "application/json";
        return completions_db_list(c, &op->f, &op->pg, &rq->text_out);
}

int
http_completions_list(struct request *rq)
{
        struct completion_op op = { 0 };
        int rc = path_ids(rq, &op, PATH_PARTNER);

        if (rc != ST_OK)
                return rc;
        op.f.partner_id = op.partner_id;
        op.f.item_id = query_uuid(rq, "item_id");
        op.f.from = query_time(rq, "from");
        op.f.to = query_time(rq, "to");
        op.f.verified = query_bool(rq, "verified");
        http_page(rq, &op.pg);
        if (problem_field_count(&rq->prob) > 0)
                return ST_INVALID;
        rc = mentoring_read_partner(rq, op.partner_id, &op.rel);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, list_tx, &op);
        return rc;
}

/* ---- PATCH and DELETE: the partner's own ------------------------------------------------ */

static int
patch_tx(PGconn *c, struct request *rq, void *arg)
{
        struct completion_op *op = arg;
        struct db_row r = DB_ROW_INIT;
        int comments = 0;
        int rc = lock_completion(c, rq, op, &comments);

        if (rc == ST_OK)
                rc = completions_db_update(c, op->id, op->j_body, &r);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.mentoring.completion.updated", &r, "partner_id",
                                mentoring_event_fields, op->j_body);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 200, NULL);
        db_row_release(&r);
        return rc;
}

int
http_completions_patch(struct request *rq)
{
        struct completion_op op = { 0 };
        int rc = path_ids(rq, &op, PATH_COMPLETION);

        if (rc == ST_OK)
                rc = mentoring_partner_only(rq, op.partner_id, PT_OWN_ACTIVITIES, OWN_ONLY);
        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = completions_json_check_patch(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, patch_tx, &op);
        json_decref(op.j_body);
        return rc;
}

static int
delete_tx(PGconn *c, struct request *rq, void *arg)
{
        struct completion_op *op = arg;
        struct db_row r = DB_ROW_INIT;
        int comments = 0;
        int rc = lock_completion(c, rq, op, &comments);

        if (rc == ST_OK)
                rc = completions_db_delete(c, op->id, &r);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.mentoring.completion.deleted", &r, "partner_id",
                                mentoring_event_fields, NULL);
        db_row_release(&r);
        rq->http_status = 204;
        return rc;
}

int
http_completions_delete(struct request *rq)
{
        struct completion_op op = { 0 };
        int rc = path_ids(rq, &op, PATH_COMPLETION);

        if (rc == ST_OK)
                rc = mentoring_partner_only(rq, op.partner_id, PT_OWN_ACTIVITIES, OWN_ONLY);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, delete_tx, &op);
        return rc;
}

/* ---- verification and comments: the mentor's part ---------------------------------- */

/* The partner's active mentor; for comments, the partner too. */
static int
mentor_or_partner(struct request *rq, struct completion_op *op, bool partner_too,
                  const char *why)
{
        int rc = mentoring_roles(rq);

        if (rc == ST_OK)
                rc = access_relation(rq, op->partner_id, &op->rel);
        if (rc == ST_OK)
                rc = access_me(rq, op->me);
        if (rc != ST_OK)
                return rc;
        if (op->rel == REL_MENTOR || (partner_too && op->rel == REL_SELF))
                return ST_OK;
        return access_forbid(rq, why);
}

static int
verify_tx(PGconn *c, struct request *rq, void *arg)
{
        struct completion_op *op = arg;
        struct db_row r = DB_ROW_INIT;
        int comments = 0;
        int rc = lock_completion(c, rq, op, &comments);

        if (rc == ST_OK && op->j_body != NULL)
                rc = completions_db_verify(c, op->id, op->me,
                                           json_string_value(json_object_get(op->j_body, "note")),
                                           &r);
        else if (rc == ST_OK)
                rc = completions_db_unverify(c, op->id, &r);
        /* a verification is progress on the partner's pace (phases follows it) */
        if (rc == ST_OK)
                rc = outbox_row(c, rq, op->j_body != NULL
                                               ? "tandem.mentoring.completion.verified"
                                               : "tandem.mentoring.completion.unverified",
                                &r, "partner_id", mentoring_event_fields, NULL);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 200, NULL);
        db_row_release(&r);
        return rc;
}

int
http_verification_put(struct request *rq)
{
        struct completion_op op = { 0 };
        int rc = path_ids(rq, &op, PATH_COMPLETION);

        if (rc == ST_OK)
                rc = mentor_or_partner(rq, &op, false, "a completion is verified by the"
                                       " partner's active mentor");
        if (rc == ST_OK && rq->req->binary_body_length == 0)
                op.j_body = json_object();   /* no note */
        else if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK && op.j_body == NULL)
                rc = ST_NOMEM;
        if (rc == ST_OK)
                rc = verification_json_check(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, verify_tx, &op);
        json_decref(op.j_body);
        return rc;
}

int
http_verification_delete(struct request *rq)
{
        struct completion_op op = { 0 };
        int rc = path_ids(rq, &op, PATH_COMPLETION);

        if (rc == ST_OK)
                rc = mentor_or_partner(rq, &op, false, "a verification is withdrawn by the"
                                       " partner's active mentor");
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, verify_tx, &op);
        return rc;
}

/* tandem.mentoring.completion.commented: that a comment exists, never its text. */
static int
comment_event(PGconn *c, struct request *rq, const struct completion_op *op,
              const struct db_row *comment)
{
        json_t *j_data = json_pack("{s:s, s:s, s:s, s:s}", "partner_id", op->partner_id,
                                   "completion_id", op->id, "comment_id", comment->id,
                                   "author_id", op->me);
        int rc = j_data != NULL ? outbox_emit4(c, rq, "tandem.mentoring.completion.commented",
                                               op->id, op->partner_id, 0, j_data)
                                : ST_NOMEM;

        json_decref(j_data);
        return rc;
}

static int
comment_tx(PGconn *c, struct request *rq, void *arg)
{
        struct completion_op *op = arg;
        struct db_row r = DB_ROW_INIT;
        int comments = 0;
        int rc = lock_completion(c, rq, op, &comments);

        if (rc == ST_OK && comments >= COMMENTS_MAX)
                rc = problem_set(&rq->prob, ST_CONFLICT, NULL, "a completion holds at most %d"
                                 " comments", COMMENTS_MAX);
        if (rc == ST_OK)
                rc = completions_db_comment(c, op->id, op->me,
                                            json_string_value(json_object_get(op->j_body, "text")),
                                            &r);
        if (rc == ST_OK)
                rc = comment_event(c, rq, op, &r);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 201, "comments");
        rq->location[0] = '\0';   /* a comment is read with its completion */
        db_row_release(&r);
        return rc;
}

int
http_comments_create(struct request *rq)
{
        struct completion_op op = { 0 };
        int rc = path_ids(rq, &op, PATH_COMPLETION);

        if (rc == ST_OK)
                rc = mentor_or_partner(rq, &op, true, "only the partner and their active mentor"
                                       " comment on a completion");
        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = comment_json_check(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, comment_tx, &op);
        json_decref(op.j_body);
        return rc;
}
