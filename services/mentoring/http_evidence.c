/*
 * http_evidence.c - what other services and dashboards read: the evidence the
 * phases service's exit criteria ask for (GET /v1/evidence/mentoring/{id}),
 * and the statistics (aggregates only: counts, rates and distributions, never
 * a person's records or any text they wrote).
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mentoring.h"
#include "query.h"
#include "status.h"

struct evidence_op {
        char person_id[UUID_STR_LEN];
        int weeks;
        char *aggregates;
        struct item_input *items;
        size_t n;
        int64_t now;
};

/* ---- GET /v1/evidence/mentoring/{person_id}?weeks=N -------------------------------- */

static int
evidence_tx(PGconn *c, struct request *rq, void *arg)
{
        struct evidence_op *op = arg;

        rq->content_type = "application/json";
        return evidence_db_get(c, op->person_id, op->weeks, &rq->text_out);
}

int
http_evidence_get(struct request *rq)
{
        struct evidence_op op = { 0 };
        enum relation rel;
        int rc = http_path_uuid(rq, "person_id", op.person_id);

        op.weeks = (int)query_int(rq, "weeks", 1, WEEKS_MAX, WEEKS_DEFAULT);
        if (rc == ST_OK && problem_field_count(&rq->prob) > 0)
                rc = ST_INVALID;
        /* the person themself, their active mentor, admin and services */
        if (rc == ST_OK)
                rc = mentoring_read_partner(rq, op.person_id, &rel);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, evidence_tx, &op);
        return rc;
}

/* ---- GET /v1/stats/mentoring?weeks=N ------------------------------------------------ */

static int
stats_tx(PGconn *c, struct request *rq, void *arg)
{
        struct evidence_op *op = arg;
        int rc = stats_db_aggregates(c, op->weeks, mentoring_app(rq)->write_up_days,
                                     &op->aggregates);

        if (rc == ST_OK)
                rc = stats_db_items(c, op->weeks, &op->items, &op->n, &op->now);
        return rc;
}

static int
stats_render(struct request *rq, struct evidence_op *op)
{
        struct distribution d;
        struct buf b = BUF_INIT;

        if (regularity_distribution(op->items, op->n, op->now, op->weeks, &d) != 0)
                return ST_INTERNAL;
        render_reopen(&b, op->aggregates, strlen(op->aggregates), "activity_regularity");
        render_distribution(&b, &d);
        buf_puts(&b, "}");
        rq->text_out = buf_detach(&b);
        rq->content_type = "application/json";
        return rq->text_out != NULL ? ST_OK : ST_NOMEM;
}

int
http_stats_get(struct request *rq)
{
        struct evidence_op op = { 0 };
        int rc;

        op.weeks = (int)query_int(rq, "weeks", 1, WEEKS_MAX, WEEKS_DEFAULT);
        if (problem_field_count(&rq->prob) > 0)
                return ST_INVALID;
        rc = db_with(rq->svc->db, rq, stats_tx, &op);
        if (rc == ST_OK)
                rc = stats_render(rq, &op);
        free(op.aggregates);
        item_inputs_free(op.items, op.n);
        return rc;
}
