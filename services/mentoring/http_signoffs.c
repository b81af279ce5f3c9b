/*
 * http_signoffs.c - handlers for /v1/signoffs: the partner's active mentor
 * signs the partner off as ready for integration, with a note.  One current
 * sign-off per partner; the mentor revokes it with DELETE (the row stays,
 * revoked, so the history holds).
 */
#include <string.h>

#include "mentoring.h"
#include "query.h"
#include "status.h"
#include "events.h"

struct signoff_op {
        char id[UUID_STR_LEN];
        char me[UUID_STR_LEN];
        char partner[UUID_STR_LEN];
        json_t *j_body;
        struct db_row r;
        bool current;
        struct signoff_filter f;
        struct page pg;
};

/* The caller must be @partner_id's active mentor. */
static int
active_mentor(struct request *rq, struct signoff_op *op, const char *partner_id,
              const char *what)
{
        enum relation rel = REL_NONE;
        int rc = mentoring_roles(rq);

        if (rc == ST_OK)
                rc = access_relation(rq, partner_id, &rel);
        if (rc == ST_OK)
                rc = access_me(rq, op->me);
        if (rc == ST_OK && rel != REL_MENTOR)
                rc = access_forbid(rq, what);
        return rc;
}

/* ---- POST ------------------------------------------------------------------------- */

static int
create_tx(PGconn *c, struct request *rq, void *arg)
{
        struct signoff_op *op = arg;
        const char *partner = json_string_value(json_object_get(op->j_body, "partner_id"));
        int rc = signoffs_db_insert(c, partner, op->me,
                                    json_string_value(json_object_get(op->j_body, "note")),
                                    &op->r);

        if (rc == ST_CONFLICT) {
                problem_field(&rq->prob, "partner_id", "is signed off already; revoke the"
                              " current sign-off first");
                return problem_set(&rq->prob, ST_CONFLICT, NULL, "one current sign-off per"
                                   " partner");
        }
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.mentoring.signoff.recorded", &op->r,
                                "partner_id", mentoring_event_fields, NULL);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op->r, 201, "signoffs");
        return rc;
}

int
http_signoffs_create(struct request *rq)
{
        struct signoff_op op = { 0 };
        int rc = mentoring_roles(rq);

        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = signoffs_json_check(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = active_mentor(rq, &op, json_string_value(json_object_get(op.j_body,
                                                                              "partner_id")),
                                   "a partner is signed off by their active mentor");
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, create_tx, &op);
        json_decref(op.j_body);
        db_row_release(&op.r);
        return rc;
}

/* ---- GET one ---------------------------------------------------------------------- */

static int
get_tx(PGconn *c, struct request *rq, void *arg)
{
        struct signoff_op *op = arg;
        int rc = signoffs_db_get(c, op->id, &op->r, op->partner, &op->current);

        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, "no sign-off with this id");
        return rc;
}

int
http_signoffs_get(struct request *rq)
{
        struct signoff_op op = { 0 };
        enum relation rel;
        int rc = mentoring_roles(rq);

        if (rc == ST_OK)
                rc = http_path_uuid(rq, "id", op.id);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, get_tx, &op);
        if (rc == ST_OK)
                rc = mentoring_read_partner(rq, op.partner, &rel);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op.r, 200, NULL);
        db_row_release(&op.r);
        return rc;
}

/* ---- DELETE: revoke ------------------------------------------------------------------- */

static int
revoke_tx(PGconn *c, struct request *rq, void *arg)
{
        struct signoff_op *op = arg;
        struct db_row r = DB_ROW_INIT;
        char partner[UUID_STR_LEN] = "";
        long long version = 0;
        bool current = false;
        int rc = signoffs_db_lock(c, op->id, &version, partner, &current);

        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "no sign-off with this id");
        if (rc == ST_OK)
                rc = http_if_match(rq, version);
        if (rc == ST_OK && !current)
                rc = problem_set(&rq->prob, ST_CONFLICT, NULL, "this sign-off was revoked"
                                 " already");
        if (rc == ST_OK)
                rc = signoffs_db_revoke(c, op->id, op->me, &r);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.mentoring.signoff.revoked", &r, "partner_id",
                                mentoring_event_fields, NULL);
        db_row_release(&r);
        rq->http_status = 204;
        return rc;
}

int
http_signoffs_delete(struct request *rq)
{
        struct signoff_op op = { 0 };
        int rc = mentoring_roles(rq);

        if (rc == ST_OK)
                rc = http_path_uuid(rq, "id", op.id);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, get_tx, &op);
        if (rc == ST_OK)
                rc = active_mentor(rq, &op, op.partner, "a sign-off is revoked by the partner's"
                                   " active mentor");
        db_row_release(&op.r);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, revoke_tx, &op);
        return rc;
}

/* ---- GET list ---------------------------------------------------------------------- */

static int
list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct signoff_op *op = arg;

        rq->content_type = "application/json";
        return signoffs_db_list(c, &op->f, &op->pg, &rq->text_out);
}

static int
list_scope(struct request *rq, struct signoff_op *op)
{
        enum relation rel = REL_NONE;
        int rc;

        if (rq->who.roles & (ROLE_ADMIN | ROLE_SERVICE))
                return ST_OK;
        if (op->f.partner_id != NULL) {
                rc = access_relation(rq, op->f.partner_id, &rel);
                if (rc != ST_OK || rel == REL_MENTOR)
                        return rc;
        }
        rc = access_me(rq, op->me);
        op->f.member = op->me[0] != '\0' ? op->me : NIL_UUID;
        return rc;
}

int
http_signoffs_list(struct request *rq)
{
        struct signoff_op op = { 0 };
        int rc = mentoring_roles(rq);

        if (rc != ST_OK)
                return rc;
        op.f.partner_id = query_uuid(rq, "partner_id");
        op.f.mentor_id = query_uuid(rq, "mentor_id");
        op.f.current = query_bool(rq, "current");
        http_page(rq, &op.pg);
        if (problem_field_count(&rq->prob) > 0)
                return ST_INVALID;
        rc = list_scope(rq, &op);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, list_tx, &op);
        return rc;
}
