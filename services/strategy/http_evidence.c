/*
 * http_evidence.c - what other services and dashboards read:
 *   GET /v1/evidence/strategy/{person_id}  the phases service's exit evidence
 *       (sections drafted in the partner's current playbook; comms sign-off)
 *   GET /v1/stats/strategy                 aggregates for viewers
 */
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "strategy.h"

struct ev_op {
        char person_id[UUID_STR_LEN];
        const char *programme_id;
        char *coverage;           /* malloc'd JSON text, NULL without a published strategy */
        char *stats;
};

/* ---- GET /v1/evidence/strategy/{person_id} ----------------------------------------- */

static int
evidence_tx(PGconn *c, struct request *rq, void *arg)
{
        struct ev_op *op = arg;

        rq->content_type = "application/json";
        return evidence_db_get(c, op->person_id, op->programme_id, &rq->text_out);
}

/* The person themself, their active mentor, admin and calling services. */
static int
evidence_access(struct request *rq, const char *person_id)
{
        bool yes = false;
        int rc;

        if (access_has(rq, ROLE_ADMIN | ROLE_SERVICE))
                return ST_OK;
        rc = access_is_self(rq, person_id, &yes);
        if (rc == ST_OK && !yes)
                rc = access_is_mentor(rq, person_id, &yes);
        if (rc == ST_OK && !yes)
                rc = access_forbid(rq, "strategy evidence is read by the person, their mentor, the"
                                   " programme team and services");
        return rc;
}

int
http_evidence_get(struct request *rq)
{
        struct ev_op op = { 0 };
        int rc = http_path_uuid(rq, "person_id", op.person_id);

        if (rc != ST_OK)
                return rc;
        http_query_uuid(rq, "programme_id", &op.programme_id);
        if (problem_field_count(&rq->prob) > 0)
                return ST_INVALID;
        rc = evidence_access(rq, op.person_id);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, evidence_tx, &op);
        return rc;
}

/* ---- GET /v1/stats/strategy ---------------------------------------------------------- */

static int
stats_tx(PGconn *c, struct request *rq, void *arg)
{
        struct ev_op *op = arg;
        int rc;

        (void)rq;
        free(op->stats);
        free(op->coverage);
        op->stats = op->coverage = NULL;
        rc = stats_db_get(c, op->programme_id, &op->stats);
        if (rc == ST_OK)
                rc = business_db_coverage(c, op->programme_id, &op->coverage);
        return rc == ST_NOT_FOUND ? ST_OK : rc;   /* no published strategy: no coverage */
}

/* The statistics with the pillar coverage (or null) as "pillar_coverage". */
static int
stats_render(struct request *rq, const struct ev_op *op)
{
        json_t *j_stats = json_loads(op->stats, 0, NULL);
        json_t *j_cov = op->coverage != NULL ? json_loads(op->coverage, 0, NULL) : json_null();

        if (j_stats == NULL || j_cov == NULL
            || json_object_set_new(j_stats, "pillar_coverage", j_cov) != 0) {
                json_decref(j_stats);
                return ST_NOMEM;
        }
        rq->j_out = j_stats;
        return ST_OK;
}

int
http_stats_get(struct request *rq)
{
        struct ev_op op = { 0 };
        int rc;

        if (!access_has(rq, ROLE_VIEWER | ROLE_ADMIN | ROLE_COMMS | ROLE_SERVICE))
                return access_forbid(rq, "statistics are for viewers, comms and the programme"
                                     " team");
        http_query_uuid(rq, "programme_id", &op.programme_id);
        if (problem_field_count(&rq->prob) > 0)
                return ST_INVALID;
        rc = db_with(rq->svc->db, rq, stats_tx, &op);
        if (rc == ST_OK)
                rc = stats_render(rq, &op);
        free(op.stats);
        free(op.coverage);
        return rc;
}
