/*
 * http_nudges.c - the nudges' API: the rules document (GET, PUT
 * /v1/nudge-rules), the delivery log (GET /v1/nudges) and a digest run on
 * request (POST /v1/digests/run).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "notify.h"
#include "nudge.h"
#include "query.h"
#include "status.h"

static const char *const steps[] = { "partner", "mentor", "lead", NULL };
static const char *const states[] = { "pending", "sent", "failed", "cancelled", NULL };

/* ---- GET /v1/nudge-rules ------------------------------------------------------------ */

static int
rules_get_tx(PGconn *c, struct request *rq, void *arg)
{
        struct db_row r = DB_ROW_INIT;
        int rc = db_exec_row(c, "nudge_rules_get", 0, NULL, &r);

        (void)arg;
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 200, NULL);
        db_row_release(&r);
        return rc;
}

int
http_nudge_rules_get(struct request *rq)
{
        if (!access_has(rq, ROLE_ADMIN | ROLE_MENTOR | ROLE_SERVICE))
                return access_forbid(rq, "the nudge rules are for the programme team and mentors");
        return db_with(rq->svc->db, rq, rules_get_tx, NULL);
}

/* ---- PUT /v1/nudge-rules -------------------------------------------------------------- */

struct rules_op {
        char *body;          /* the validated document as JSON text */
        const char *by;
};

static int
rules_put_tx(PGconn *c, struct request *rq, void *arg)
{
        struct rules_op *op = arg;
        const char *params[2] = { op->body, op->by };
        PGresult *res = NULL;
        int rc = db_exec_one(c, "nudge_rules_lock", 0, NULL, &res);

        if (rc == ST_OK)
                rc = http_if_match(rq, strtoll(PQgetvalue(res, 0, 0), NULL, 10));
        PQclear(res);
        if (rc == ST_PRECONDITION)
                return problem_set(&rq->prob, rc, NULL, "the nudge rules changed meanwhile;"
                                   " read them again and retry");
        if (rc == ST_OK)
                rc = db_exec(c, "nudge_rules_put", 2, params, NULL);
        if (rc == ST_OK)
                rc = db_exec(c, "nudge_rules_clear", 0, NULL, NULL);
        if (rc == ST_OK)
                rc = db_exec(c, "nudge_rules_add", 1, params, NULL);
        if (rc == ST_OK)
                rc = db_exec(c, "nudge_requiet", 0, NULL, NULL);
        if (rc == ST_OK)
                rc = rules_get_tx(c, rq, NULL);
        return rc;
}

int
http_nudge_rules_put(struct request *rq)
{
        struct rules_op op = { NULL, NULL };
        json_t *j_body = NULL;
        int rc;

        if (!access_is_admin(rq))
                return access_forbid(rq, "only the programme team (admin) edits the nudge rules");
        rc = http_json_body(rq, &j_body);
        if (rc == ST_OK)
                rc = nudge_rules_check(j_body, &rq->prob);
        if (rc == ST_OK && (op.body = json_dumps(j_body, JSON_COMPACT)) == NULL)
                rc = ST_NOMEM;
        op.by = rq->who.subject;
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, rules_put_tx, &op);
        free(op.body);
        json_decref(j_body);
        return rc;
}

/* ---- GET /v1/nudges ------------------------------------------------------------------- */

struct list_op {
        struct page pg;
        const char *partner, *step, *status, *mentor;
        char *out;
};

static int
list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct list_op *op = arg;
        char after[24], limit[16];
        const char *params[6] = { after, limit, op->partner, op->step, op->status, op->mentor };

        (void)rq;
        snprintf(after, sizeof(after), "%lld", (long long)op->pg.after);
        snprintf(limit, sizeof(limit), "%d", op->pg.limit + 1);
        return db_exec_page(c, "nudge_page", 6, params, op->pg.limit, &op->out);
}

int
http_nudges_list(struct request *rq)
{
        struct list_op op = { { 0, 0 }, NULL, NULL, NULL, NULL, NULL };
        char me[UUID_STR_LEN];
        int rc;

        if (!access_has(rq, ROLE_ADMIN | ROLE_MENTOR | ROLE_SERVICE))
                return access_forbid(rq, "the nudges' log is for the programme team and mentors");
        op.partner = query_uuid(rq, "partner_id");
        op.step = query_enum(rq, "step", steps);
        op.status = query_enum(rq, "status", states);
        rc = http_page(rq, &op.pg);
        if (rc != ST_OK || problem_field_count(&rq->prob) > 0)
                return problem_set(&rq->prob, ST_INVALID, NULL, "bad nudge log filters");
        if (!access_reads_all(rq)) {
                /* a mentor: the steps of the partners they mentor now */
                rc = access_me(rq, me);
                if (rc != ST_OK)
                        return rc;
                op.mentor = me;
        }
        rc = db_with(rq->svc->db, rq, list_tx, &op);
        return http_reply_text(rq, rc, op.out);
}

/* ---- POST /v1/digests/run ---------------------------------------------------------- */

int
http_digests_run(struct request *rq)
{
        const char *mentor;
        int sent = 0, failed = 0, rc;

        if (!access_is_admin(rq))
                return access_forbid(rq, "only the programme team (admin) runs the digests");
        mentor = query_uuid(rq, "mentor_id");
        if (problem_field_count(&rq->prob) > 0)
                return problem_set(&rq->prob, ST_INVALID, NULL, "bad mentor_id");
        rc = nudge_digests_run(rq->svc, mentor, &sent, &failed);
        if (rc != ST_OK)
                return rc;
        rq->j_out = json_pack("{s:i, s:i}", "sent", sent, "failed", failed);
        return rq->j_out != NULL ? ST_OK : ST_NOMEM;
}
