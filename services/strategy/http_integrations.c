/*
 * http_integrations.c - handlers for /v1/integrations: aligning a partner's
 * playbook with the current business strategy (one result kept per pair of
 * playbook revision and strategy version), and comms' review: sign-off, which
 * makes the partner's strategy operational, or return with comments.
 */
#include <string.h>

#include "status.h"
#include "strategy.h"
#include "events.h"

/* Comms' decision: signed_off or returned. */
static const char *
integration_type(const json_t *j_body)
{
        const char *st = json_string_value(json_object_get(j_body, "status"));

        return st != NULL && strcmp(st, "signed_off") == 0 ? "tandem.strategy.integration.signed_off"
                                                            : "tandem.strategy.integration.returned";
}

static const char *const integration_statuses[] = {
        "pending_review", "signed_off", "returned", "superseded", NULL,
};

struct int_op {
        char id[UUID_STR_LEN];
        char partner_id[UUID_STR_LEN];
        char me[UUID_STR_LEN];
        json_t *j_body;
        bool as_partner;          /* the caller acts as the playbook's partner */
        struct integration_filter f;
        struct page pg;
        struct db_row r;
};

static void
int_op_release(struct int_op *op)
{
        json_decref(op->j_body);
        db_row_release(&op->r);
}

static int
no_integration(struct request *rq, int rc)
{
        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "no integration with this id");
        return rc;
}

/*
 * Who works with integrations: comms and the programme team on every one, the
 * partner on their own (checked against the playbook or integration later).
 */
static int
integration_role(struct request *rq, struct int_op *op)
{
        if (access_has(rq, ROLE_COMMS | ROLE_ADMIN))
                return ST_OK;
        if (!access_has(rq, ROLE_PARTNER))
                return access_forbid(rq, "integrations are for the partner, comms and the"
                                     " programme team");
        op->as_partner = true;
        return access_me(rq, op->me);
}

/* ---- POST /v1/integrations: align a playbook with the current strategy -------------- */

static int
align_and_store(PGconn *c, struct request *rq, struct int_op *op,
                const struct playbook_state *pb, const struct strategy_state *st)
{
        json_t *j_alignment = NULL;
        int rc = integration_db_find(c, op->id, pb->revision, st->id, &op->r);

        if (rc == ST_OK)
                return http_reply_row(rq, &op->r, 200, "integrations");   /* kept for this pair */
        if (rc != ST_NOT_FOUND)
                return rc;
        rc = align_run(pb->j_content, st->j_strategy, &j_alignment);
        if (rc == ST_OK)
                rc = integration_db_insert(c, op->id, pb->revision, st, j_alignment, op->me,
                                           &op->r);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.strategy.integration.created", &op->r,
                                "partner_id", strategy_event_fields, NULL);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op->r, 201, "integrations");
        json_decref(j_alignment);
        return rc;
}

static int
create_tx(PGconn *c, struct request *rq, void *arg)
{
        struct int_op *op = arg;
        struct playbook_state pb = { 0 };
        struct strategy_state st = { 0 };
        int rc = business_db_share_lock(c);

        if (rc == ST_OK)
                rc = playbook_db_lock(c, op->id, &pb);
        if (rc == ST_NOT_FOUND) {
                problem_field(&rq->prob, "playbook_id", "no playbook with this id");
                rc = problem_set(&rq->prob, ST_CONFLICT, NULL, "there is no such playbook");
        }
        if (rc == ST_OK && op->as_partner && strcmp(pb.partner_id, op->me) != 0)
                rc = access_forbid(rq, "a partner runs the integration of their own playbook");
        if (rc == ST_OK)
                rc = business_db_current_state(c, &st);
        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, ST_CONFLICT, NULL, "no business strategy has been"
                                 " published yet: there is nothing to align with");
        if (rc == ST_OK)
                rc = align_and_store(c, rq, op, &pb, &st);
        db_row_release(&op->r);
        playbook_state_release(&pb);
        strategy_state_release(&st);
        return rc;
}

int
http_integrations_create(struct request *rq)
{
        struct int_op op = { 0 };
        int rc = integration_role(rq, &op);

        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = integration_json_check_create(op.j_body, &rq->prob);
        if (rc == ST_OK) {
                snprintf(op.id, sizeof(op.id), "%s",
                         json_string_value(json_object_get(op.j_body, "playbook_id")));
                for (char *p = op.id; *p != '\0'; p++)
                        *p = (char)(*p >= 'A' && *p <= 'F' ? *p + ('a' - 'A') : *p);
        }
        if (rc == ST_OK && !op.as_partner)
                rc = access_me(rq, op.me);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, create_tx, &op);
        int_op_release(&op);
        return rc;
}

/* ---- GET /v1/integrations/{id} --------------------------------------------------------- */

static int
get_tx(PGconn *c, struct request *rq, void *arg)
{
        struct int_op *op = arg;
        int rc = no_integration(rq, integration_db_get(c, op->id, &op->r, op->partner_id));

        if (rc == ST_OK && op->as_partner && strcmp(op->partner_id, op->me) != 0)
                rc = access_forbid(rq, "a partner reads their own integrations");
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op->r, 200, NULL);
        return rc;
}

int
http_integrations_get(struct request *rq)
{
        struct int_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK && !access_has(rq, ROLE_SERVICE))
                rc = integration_role(rq, &op);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, get_tx, &op);
        int_op_release(&op);
        return rc;
}

/* ---- GET /v1/integrations -------------------------------------------------------------- */

static int
list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct int_op *op = arg;

        rq->content_type = "application/json";
        return integration_db_list(c, &op->f, &op->pg, &rq->text_out);
}

int
http_integrations_list(struct request *rq)
{
        struct int_op op = { 0 };
        int rc = ST_OK;

        http_query_uuid(rq, "playbook_id", &op.f.playbook_id);
        http_query_uuid(rq, "partner_id", &op.f.partner_id);
        http_query_uuid(rq, "programme_id", &op.f.programme_id);
        http_query_enum(rq, "status", integration_statuses, &op.f.status);
        http_page(rq, &op.pg);
        if (problem_field_count(&rq->prob) > 0)
                return ST_INVALID;
        if (!access_has(rq, ROLE_SERVICE))
                rc = integration_role(rq, &op);
        if (rc == ST_OK && op.as_partner)
                op.f.visible_to = op.me[0] != '\0' ? op.me : NIL_UUID;
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, list_tx, &op);
        int_op_release(&op);
        return rc;
}

/* ---- PATCH /v1/integrations/{id}: comms signs off or returns -------------------------- */

static int
decide(PGconn *c, struct request *rq, struct int_op *op, const struct integration_lock *il)
{
        const char *status = json_string_value(json_object_get(op->j_body, "status"));
        const char *comment = json_string_value(json_object_get(op->j_body, "comment"));
        bool signing = strcmp(status, "signed_off") == 0;
        bool current = true;
        int rc = signing ? integration_db_current(c, il, &current) : ST_OK;

        if (rc == ST_OK && !current)
                rc = problem_set(&rq->prob, ST_CONFLICT, NULL, "the playbook or the business"
                                 " strategy changed since this alignment: run the integration"
                                 " again and sign off the new one");
        if (rc == ST_OK)
                rc = integration_db_decide(c, op->id, status, comment, op->me, &op->r);
        if (rc == ST_OK && signing)
                rc = playbook_db_sign_off(c, il->playbook_id, op->id);
        return rc;
}

static int
patch_tx(PGconn *c, struct request *rq, void *arg)
{
        struct int_op *op = arg;
        struct integration_lock il = { 0 };
        int rc = business_db_share_lock(c);

        if (rc == ST_OK)
                rc = no_integration(rq, integration_db_lock(c, op->id, &il));
        if (rc == ST_OK)
                rc = http_if_match(rq, il.version);
        if (rc == ST_OK && strcmp(il.status, "pending_review") != 0)
                rc = problem_set(&rq->prob, ST_CONFLICT, NULL, "this integration is %s: only one"
                                 " pending review is signed off or returned", il.status);
        if (rc == ST_OK)
                rc = decide(c, rq, op, &il);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, integration_type(op->j_body), &op->r,
                                "partner_id", strategy_event_fields, NULL);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op->r, 200, NULL);
        db_row_release(&op->r);
        return rc;
}

int
http_integrations_patch(struct request *rq)
{
        struct int_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK && !access_has(rq, ROLE_COMMS))
                rc = access_forbid(rq, "comms reviews integrations: signs them off or returns"
                                   " them");
        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = integration_json_check_decision(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = access_me(rq, op.me);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, patch_tx, &op);
        int_op_release(&op);
        return rc;
}
