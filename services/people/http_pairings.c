/*
 * http_pairings.c - handlers for /v1/pairings: an admin pairs a mentor with a
 * partner and ends pairings; mentors and partners read their own.
 */
#include <string.h>

#include "events.h"
#include "people.h"
#include "status.h"

struct pairing_op {
        char id[UUID_STR_LEN];
        json_t *j_body;
};

/* What a pairing's events carry (the end reason is free text: not in it). */
static const char *const pairing_fields[] = { "mentor_id", "partner_id", "status", NULL };

/* ---- POST /v1/pairings ----------------------------------------------------- */

static int
pairings_create_tx(PGconn *c, struct request *rq, void *arg)
{
        struct pairing_op *op = arg;
        struct db_row r = { 0 };
        char mentor[UUID_STR_LEN], partner[UUID_STR_LEN];
        int rc;

        snprintf(mentor, sizeof(mentor), "%s", json_string_value(json_object_get(op->j_body,
                                                                                 "mentor_id")));
        snprintf(partner, sizeof(partner), "%s", json_string_value(json_object_get(op->j_body,
                                                                                   "partner_id")));
        rc = pairings_db_insert(c, mentor, partner, &r, &rq->prob);
        if (rc == ST_CONFLICT && problem_field_count(&rq->prob) == 0)
                problem_field(&rq->prob, "partner_id", "partner already has an active mentor");
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.people.pairing.created", &r, "partner_id",
                                pairing_fields, NULL);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 201, "pairings");
        db_row_release(&r);
        return rc;
}

int
http_pairings_create(struct request *rq)
{
        struct pairing_op op = { 0 };
        int rc;

        if (!(rq->who.roles & ROLE_ADMIN))
                return access_forbid(rq, "only the programme team (admin) pairs mentors and partners");
        rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = pairings_json_check_create(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, pairings_create_tx, &op);
        json_decref(op.j_body);
        return rc;
}

/* ---- GET /v1/pairings/{id} ------------------------------------------------- */

static int
pairings_get_tx(PGconn *c, struct request *rq, void *arg)
{
        struct pairing_op *op = arg;
        struct db_row r = { 0 };
        char mentor[UUID_STR_LEN], partner[UUID_STR_LEN], me[UUID_STR_LEN] = "";
        int rc = pairings_db_get(c, op->id, &r, mentor, partner);

        if (rc == ST_OK && !access_reads_all(rq))
                rc = people_whoami(c, rq, me);
        if (rc == ST_OK && !access_reads_all(rq) && strcmp(me, mentor) != 0 && strcmp(me, partner) != 0)
                rc = access_forbid(rq, "you may read only pairings you are in");
        if (rc == ST_NOT_FOUND && !access_reads_all(rq))
                rc = access_forbid(rq, "you may read only pairings you are in");
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 200, NULL);
        db_row_release(&r);
        return rc;
}

int
http_pairings_get(struct request *rq)
{
        struct pairing_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = access_no_viewer(rq);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, pairings_get_tx, &op);
        return rc;
}

/* ---- PATCH /v1/pairings/{id}: end a pairing ------------------------------------ */

static int
pairings_end_tx(PGconn *c, struct request *rq, void *arg)
{
        struct pairing_op *op = arg;
        struct db_row r = { 0 };
        long long version = 0;
        bool active = false;
        int rc = pairings_db_lock(c, op->id, &version, &active);

        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "no pairing with this id");
        if (rc == ST_OK)
                rc = http_if_match(rq, version);
        if (rc == ST_OK && !active)
                rc = problem_set(&rq->prob, ST_CONFLICT, NULL, "this pairing has already ended");
        if (rc == ST_OK)
                rc = pairings_db_end(c, op->id,
                                     json_string_value(json_object_get(op->j_body, "status")),
                                     json_string_value(json_object_get(op->j_body, "reason")), &r);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.people.pairing.ended", &r, "partner_id",
                                pairing_fields, NULL);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 200, NULL);
        db_row_release(&r);
        return rc;
}

int
http_pairings_patch(struct request *rq)
{
        struct pairing_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK && !(rq->who.roles & ROLE_ADMIN))
                rc = access_forbid(rq, "only the programme team (admin) ends pairings");
        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = pairings_json_check_patch(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, pairings_end_tx, &op);
        json_decref(op.j_body);
        return rc;
}

/* ---- GET /v1/pairings ------------------------------------------------------------ */

static const char *const pairing_statuses[] = { "active", "completed", "cancelled", NULL };

struct pairing_list_op {
        struct pairing_filter f;
        struct page pg;
        char me[UUID_STR_LEN];
};

static int
pairings_list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct pairing_list_op *op = arg;
        int rc = people_scope(c, rq, op->me, &op->f.member);

        if (rc == ST_OK)
                rc = pairings_db_list(c, &op->f, &op->pg, &rq->text_out);
        rq->content_type = "application/json";
        return rc;
}

int
http_pairings_list(struct request *rq)
{
        struct pairing_list_op op = { 0 };
        size_t i;

        if (access_no_viewer(rq) != ST_OK)
                return ST_FORBIDDEN;
        http_query_uuid(rq, "mentor_id", &op.f.mentor_id);
        http_query_uuid(rq, "partner_id", &op.f.partner_id);
        op.f.status = http_query(rq, "status");
        for (i = 0; op.f.status != NULL && pairing_statuses[i] != NULL; i++)
                if (strcmp(pairing_statuses[i], op.f.status) == 0)
                        break;
        if (op.f.status != NULL && pairing_statuses[i] == NULL)
                problem_field(&rq->prob, "status", "must be one of active, completed, cancelled");
        http_page(rq, &op.pg);
        if (problem_field_count(&rq->prob) > 0)
                return ST_INVALID;
        return db_with(rq->svc->db, rq, pairings_list_tx, &op);
}
