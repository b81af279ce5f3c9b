/*
 * http_learnings.c - handlers for /v1/learnings: what mentors and partners
 * learn (failures, successes, insights), kept private, shared within their
 * pairing, or put in the mentors' library.  A mentor's notes on their own
 * experience of the same activities are learnings too.
 *
 * Who reads a learning: its author always; the other member of its pairing
 * (and admin) when shared with the pairing; every mentor (and admin) when in
 * the library.  A private learning is its author's alone.
 */
#include <string.h>

#include "identity.h"
#include "mentoring.h"
#include "query.h"
#include "status.h"
#include "events.h"

static const char *const kinds[] = { "failure", "success", "insight", NULL };
static const char *const visibilities[] = { "private", "pairing", "library", NULL };

struct learning_op {
        char id[UUID_STR_LEN];
        char me[UUID_STR_LEN];
        json_t *j_body;
        json_t *j_pairing;
        struct learning_author author;
        struct learning_filter f;
        struct page pg;
        struct db_row r;
        char author_id[UUID_STR_LEN], visibility[16];
        char mentor[UUID_STR_LEN], partner[UUID_STR_LEN];
};

static void
learning_op_release(struct learning_op *op)
{
        json_decref(op->j_body);
        json_decref(op->j_pairing);
        db_row_release(&op->r);
}

/* Only mentors and partners who are people in the programme log learnings. */
static int
author_me(struct request *rq, struct learning_op *op)
{
        int rc;

        if ((rq->who.roles & (ROLE_MENTOR | ROLE_PARTNER)) == 0)
                return access_forbid(rq, "mentors and partners log learnings");
        rc = access_me(rq, op->me);
        if (rc == ST_OK && op->me[0] == '\0')
                rc = access_forbid(rq, "no person in the programme is linked to this token");
        return rc;
}

/* ---- POST ---------------------------------------------------------------------- */

static int
pairing_of(struct request *rq, struct learning_op *op, const char *pairing_id)
{
        const char *m, *p;
        int rc = identity_pairing(rq, pairing_id, &op->j_pairing);

        if (rc == ST_NOT_FOUND) {
                problem_field(&rq->prob, "pairing_id", "no pairing has this id");
                return problem_set(&rq->prob, ST_CONFLICT, NULL, "no such pairing");
        }
        if (rc == ST_FORBIDDEN)
                return access_forbid(rq, "you may share learnings only with a pairing you are in");
        if (rc != ST_OK)
                return rc;
        m = json_string_value(json_object_get(op->j_pairing, "mentor_id"));
        p = json_string_value(json_object_get(op->j_pairing, "partner_id"));
        if (m == NULL || p == NULL || (strcmp(m, op->me) != 0 && strcmp(p, op->me) != 0))
                return access_forbid(rq, "you may share learnings only with a pairing you are in");
        op->author.pairing_id = pairing_id;
        op->author.mentor_id = m;
        op->author.partner_id = p;
        op->author.role = strcmp(m, op->me) == 0 ? "mentor" : "partner";
        return ST_OK;
}

static int
create_tx(PGconn *c, struct request *rq, void *arg)
{
        struct learning_op *op = arg;
        int rc = learnings_db_insert(c, op->j_body, &op->author, &op->r);

        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.mentoring.learning.created", &op->r, "author_id",
                                mentoring_event_fields, NULL);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op->r, 201, "learnings");
        return rc;
}

int
http_learnings_create(struct request *rq)
{
        struct learning_op op = { 0 };
        const char *pairing_id;
        int rc = author_me(rq, &op);

        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = learnings_json_check_create(op.j_body, &rq->prob);
        if (rc != ST_OK)
                goto out;
        op.author.author_id = op.me;
        op.author.role = (rq->who.roles & ROLE_MENTOR) ? "mentor" : "partner";
        pairing_id = json_string_value(json_object_get(op.j_body, "pairing_id"));
        if (pairing_id != NULL)
                rc = pairing_of(rq, &op, pairing_id);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, create_tx, &op);
out:
        learning_op_release(&op);
        return rc;
}

/* ---- GET one ----------------------------------------------------------------------- */

static int
get_tx(PGconn *c, struct request *rq, void *arg)
{
        struct learning_op *op = arg;
        int rc = learnings_db_get(c, op->id, &op->r, op->author_id, op->visibility, op->mentor,
                                  op->partner);

        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, "no learning with this id");
        return rc;
}

static bool
may_read(const struct request *rq, const struct learning_op *op)
{
        bool me = op->me[0] != '\0';

        if (me && strcmp(op->author_id, op->me) == 0)
                return true;
        if (strcmp(op->visibility, "pairing") == 0)
                return access_is_admin(rq) || (me && (strcmp(op->mentor, op->me) == 0
                                                      || strcmp(op->partner, op->me) == 0));
        if (strcmp(op->visibility, "library") == 0)
                return (rq->who.roles & (ROLE_ADMIN | ROLE_MENTOR)) != 0;
        return false;
}

int
http_learnings_get(struct request *rq)
{
        struct learning_op op = { 0 };
        int rc = mentoring_roles(rq);

        if (rc == ST_OK)
                rc = http_path_uuid(rq, "id", op.id);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, get_tx, &op);
        if (rc == ST_OK && (rq->who.roles & (ROLE_MENTOR | ROLE_PARTNER)))
                rc = access_me(rq, op.me);
        if (rc == ST_OK && !may_read(rq, &op))
                rc = problem_set(&rq->prob, ST_NOT_FOUND, NULL, "no learning with this id");
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op.r, 200, NULL);
        learning_op_release(&op);
        return rc;
}

/* ---- PATCH and DELETE: the author's own --------------------------------------------- */

static int
lock_own(PGconn *c, struct request *rq, struct learning_op *op, bool *has_pairing)
{
        long long version = 0;
        char author[UUID_STR_LEN] = "";
        int rc = learnings_db_lock(c, op->id, &version, author, has_pairing);

        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "no learning with this id");
        if (rc == ST_OK && strcmp(author, op->me) != 0)
                return access_forbid(rq, "only its author changes or deletes a learning");
        if (rc == ST_OK)
                rc = http_if_match(rq, version);
        return rc;
}

static int
patch_tx(PGconn *c, struct request *rq, void *arg)
{
        struct learning_op *op = arg;
        const char *vis = json_string_value(json_object_get(op->j_body, "visibility"));
        bool has_pairing = false;
        int rc = lock_own(c, rq, op, &has_pairing);

        if (rc == ST_OK && vis != NULL && strcmp(vis, "pairing") == 0 && !has_pairing)
                return problem_field(&rq->prob, "visibility", "a learning logged without a"
                                     " pairing cannot be shared with one");
        if (rc == ST_OK)
                rc = learnings_db_update(c, op->id, op->j_body, &op->r);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.mentoring.learning.updated", &op->r, "author_id",
                                mentoring_event_fields, op->j_body);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op->r, 200, NULL);
        return rc;
}

int
http_learnings_patch(struct request *rq)
{
        struct learning_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = author_me(rq, &op);
        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = learnings_json_check_patch(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, patch_tx, &op);
        learning_op_release(&op);
        return rc;
}

static int
delete_tx(PGconn *c, struct request *rq, void *arg)
{
        struct learning_op *op = arg;
        struct db_row r = DB_ROW_INIT;
        bool has_pairing = false;
        int rc = lock_own(c, rq, op, &has_pairing);

        if (rc == ST_OK)
                rc = learnings_db_delete(c, op->id, &r);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.mentoring.learning.deleted", &r, "author_id",
                                mentoring_event_fields, NULL);
        db_row_release(&r);
        rq->http_status = 204;
        return rc;
}

int
http_learnings_delete(struct request *rq)
{
        struct learning_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = author_me(rq, &op);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, delete_tx, &op);
        return rc;
}

/* ---- GET list ----------------------------------------------------------------------- */

static int
list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct learning_op *op = arg;

        rq->content_type = "application/json";
        return learnings_db_list(c, &op->f, &op->pg, &rq->text_out);
}

int
http_learnings_list(struct request *rq)
{
        struct learning_op op = { 0 };
        int rc = mentoring_roles(rq);

        if (rc != ST_OK)
                return rc;
        op.f.kind = query_enum(rq, "kind", kinds);
        op.f.visibility = query_enum(rq, "visibility", visibilities);
        op.f.platform = query_text(rq, "platform", 50);
        op.f.skill = query_text(rq, "skill", 100);
        op.f.author_id = query_uuid(rq, "author_id");
        op.f.pairing_id = query_uuid(rq, "pairing_id");
        http_page(rq, &op.pg);
        if (problem_field_count(&rq->prob) > 0)
                return ST_INVALID;
        if (rq->who.roles & (ROLE_MENTOR | ROLE_PARTNER))
                rc = access_me(rq, op.me);
        op.f.me = op.me[0] != '\0' ? op.me : NIL_UUID;
        op.f.admin = access_is_admin(rq);
        op.f.mentor = (rq->who.roles & ROLE_MENTOR) != 0;
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, list_tx, &op);
        return rc;
}
