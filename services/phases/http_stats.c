/*
 * http_stats.c - GET /v1/stats/phases: aggregates for dashboards (viewers,
 * comms, admins and services); never a person's record.
 */
#include "phases.h"
#include "status.h"

struct stats_op {
        struct stats_filter f;
};

static int
stats_tx(PGconn *c, struct request *rq, void *arg)
{
        struct stats_op *op = arg;

        return stats_db_phases(c, &op->f, clock_now(), &rq->j_out);
}

int
http_stats_phases(struct request *rq)
{
        struct stats_op op = { { NULL, NULL } };

        if (!(rq->who.roles & (ROLE_VIEWER | ROLE_COMMS | ROLE_ADMIN | ROLE_SERVICE)))
                return access_forbid(rq, "statistics are for viewers, comms and the programme"
                                     " team");
        http_query_uuid(rq, "programme_id", &op.f.programme_id);
        op.f.business_unit = http_query(rq, "business_unit");
        if (op.f.business_unit != NULL && (op.f.business_unit[0] == '\0'
                                           || jv_utf8_len(op.f.business_unit) > 100))
                problem_field(&rq->prob, "business_unit", "must be 1 to 100 characters");
        if (problem_field_count(&rq->prob) > 0)
                return ST_INVALID;
        return db_with(rq->svc->db, rq, stats_tx, &op);
}
