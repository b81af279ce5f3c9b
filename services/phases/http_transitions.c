/*
 * http_transitions.c - moving an enrolment: advance (the current phase's exit
 * criteria judged on evidence asked of the services that hold it), pause,
 * resume and withdraw, each kept in the history with who, when and why; and
 * GET .../criteria, the same judgement without moving.
 *
 * Evidence is asked over HTTP before the transaction, never while a row is
 * locked; the transaction then checks that the enrolment did not change
 * meanwhile.  A failed check rolls back, so an Idempotency-Key is kept only
 * for a transition that happened.
 */
#include <string.h>

#include "events.h"
#include "phases.h"
#include "status.h"

struct transition_op {
        char id[UUID_STR_LEN];
        json_t *j_body;
        struct enrolment_meta m;      /* as read before the evidence was asked */
        struct local_evidence local;
        struct verdict v;
        struct actor actor;
        enum relation rel;
        const char *override_reason;
        const char *to, *kind;        /* pause, resume, withdraw */
};

static void
transition_op_release(struct transition_op *op)
{
        json_decref(op->j_body);
        enrolment_meta_release(&op->m);
        verdict_release(&op->v);
}

/* Reads the enrolment, and the evidence this service holds for its partner. */
static int
read_tx(PGconn *c, struct request *rq, void *arg)
{
        struct transition_op *op = arg;
        int rc = enrolments_db_meta(c, op->id, false, &op->m);

        (void)rq;
        if (rc == ST_OK && op->m.status != ENROL_WITHDRAWN && op->m.status != ENROL_OPERATIONAL)
                rc = enrolments_db_local_evidence(c, op->m.person_id, op->m.phase_entered,
                                                  &op->local);
        return rc;
}

static int
read_enrolment(struct request *rq, struct transition_op *op)
{
        int rc = db_with(rq->svc->db, rq, read_tx, op);

        if (rc == ST_NOT_FOUND && !access_reads_all(rq))
                return access_forbid(rq, "you may act only on your own enrolment");
        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "no enrolment with this id");
        return rc;
}

/* Only the partner moves their own journey (and an admin); a mentor gets a 403 that says why. */
static int
partner_access(struct request *rq, struct transition_op *op, const char *what)
{
        int rc = access_relation(rq, op->m.person_id, &op->rel);

        if (rc != ST_OK)
                return rc;
        if (op->rel == REL_MENTOR) {
                char why[200];

                snprintf(why, sizeof(why), "%s is the partner's own"
                         " decision; a mentor reviews, shares experience and signs off", what);
                return access_not_consulting(rq, why);
        }
        if (op->rel == REL_NONE || op->rel == REL_SERVICE)
                return access_forbid(rq, "only the partner themself or an admin moves an"
                                     " enrolment");
        return phases_actor(rq, op->rel, &op->actor);
}

/* Locks the enrolment and checks it is the one the evidence was judged for. */
static int
lock_unchanged(PGconn *c, struct request *rq, struct transition_op *op,
               struct enrolment_meta *m)
{
        int rc = enrolments_db_meta(c, op->id, true, m);

        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "no enrolment with this id");
        if (rc == ST_OK)
                rc = http_if_match(rq, m->version);
        if (rc == ST_OK && m->version != op->m.version)
                rc = problem_set(&rq->prob, ST_CONFLICT, NULL, "the enrolment changed while this"
                                 " request was checked; read it again and retry");
        return rc;
}

static int
reply_current(PGconn *c, struct request *rq, const char *id, const char *type)
{
        char person[UUID_STR_LEN];
        struct row r = { 0 };
        int rc = enrolments_db_get(c, id, &r, person);

        if (rc == ST_OK)
                rc = phases_emit(c, rq, type, &r, "person_id", enrolment_event_fields);
        if (rc == ST_OK)
                rc = reply_enrolment(rq, &r, 200, false);
        row_release(&r);
        return rc;
}

/* ---- POST /v1/enrolments/{id}/advance ------------------------------------------ */

static int
advance_tx(PGconn *c, struct request *rq, void *arg)
{
        struct transition_op *op = arg;
        struct enrolment_meta m = { 0 };
        int rc = lock_unchanged(c, rq, op, &m);

        if (rc == ST_OK && m.status == ENROL_PAUSED)
                rc = problem_set(&rq->prob, ST_CONFLICT, NULL, "this enrolment is paused:"
                                 " resume it first");
        else if (rc == ST_OK && m.status != ENROL_ACTIVE)
                rc = problem_set(&rq->prob, ST_CONFLICT, NULL, "this enrolment has ended (%s)",
                                 m.status == ENROL_OPERATIONAL ? "operational" : "withdrawn");
        if (rc == ST_OK && op->override_reason == NULL)
                rc = verdict_problem(&op->v, m.phase_key, &rq->prob);
        if (rc == ST_OK)
                rc = enrolments_db_advance(c, &m, &op->actor, op->override_reason,
                                           op->v.j_results);
        if (rc == ST_OK)
                rc = reply_current(c, rq, op->id, op->override_reason != NULL
                                   ? "tandem.phases.enrolment.overridden"
                                   : "tandem.phases.enrolment.advanced");
        enrolment_meta_release(&m);
        return rc;
}

int
http_enrolments_advance(struct request *rq)
{
        struct transition_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = http_optional_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = advance_json_check(op.j_body, &rq->prob);
        op.override_reason = json_string_value(json_object_get(op.j_body, "override_reason"));
        if (rc == ST_OK && op.override_reason != NULL && !access_is_admin(rq))
                rc = access_forbid(rq, "only an admin may advance without the exit criteria met,"
                                   " with a recorded reason");
        if (rc == ST_OK)
                rc = read_enrolment(rq, &op);
        if (rc == ST_OK)
                rc = partner_access(rq, &op, "moving on to the next phase");
        if (rc == ST_OK && op.m.status == ENROL_ACTIVE)
                rc = evidence_evaluate(rq, op.m.person_id, op.m.programme_id,
                                       op.m.j_criteria, &op.local, &op.v);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, advance_tx, &op);
        transition_op_release(&op);
        return rc;
}

/* ---- GET /v1/enrolments/{id}/criteria -------------------------------------------- */

static int
criteria_reply(struct request *rq, const struct transition_op *op, bool open)
{
        json_t *j_results = op->v.j_results != NULL ? op->v.j_results : json_array();

        rq->j_out = json_pack("{s:s, s:s, s:s?, s:b, s:i, s:i, s:i, s:O}",
                              "enrolment_id", op->id,
                              "status", open ? (op->m.status == ENROL_PAUSED ? "paused" : "active")
                              : (op->m.status == ENROL_OPERATIONAL ? "operational" : "withdrawn"),
                              "phase", open ? op->m.phase_key : NULL,
                              "ready", open && op->v.unmet == 0 && op->v.unavailable == 0,
                              "met", op->v.met, "unmet", op->v.unmet,
                              "unavailable", op->v.unavailable, "criteria", j_results);
        if (op->v.j_results == NULL)
                json_decref(j_results);
        return rq->j_out != NULL ? ST_OK : ST_NOMEM;
}

int
http_enrolments_criteria(struct request *rq)
{
        struct transition_op op = { 0 };
        bool open;
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = access_no_viewer(rq);
        if (rc == ST_OK)
                rc = read_enrolment(rq, &op);
        if (rc == ST_OK)
                rc = phases_read_person(rq, op.m.person_id);
        open = op.m.status == ENROL_ACTIVE || op.m.status == ENROL_PAUSED;
        if (rc == ST_OK && open)
                rc = evidence_evaluate(rq, op.m.person_id, op.m.programme_id,
                                       op.m.j_criteria, &op.local, &op.v);
        if (rc == ST_OK)
                rc = criteria_reply(rq, &op, open);
        transition_op_release(&op);
        return rc;
}

/* ---- POST .../pause, .../resume, .../withdraw ------------------------------------- */

static int
status_tx(PGconn *c, struct request *rq, void *arg)
{
        struct transition_op *op = arg;
        struct enrolment_meta m = { 0 };
        const char *reason = json_string_value(json_object_get(op->j_body, "reason"));
        int rc = lock_unchanged(c, rq, op, &m);
        bool ok;

        if (strcmp(op->kind, "paused") == 0)
                ok = m.status == ENROL_ACTIVE;
        else if (strcmp(op->kind, "resumed") == 0)
                ok = m.status == ENROL_PAUSED;
        else
                ok = m.status == ENROL_ACTIVE || m.status == ENROL_PAUSED;
        if (rc == ST_OK && !ok)
                rc = problem_set(&rq->prob, ST_CONFLICT, NULL, "an enrolment that is %s cannot be"
                                 " %s", m.status == ENROL_ACTIVE ? "active"
                                 : m.status == ENROL_PAUSED ? "paused"
                                 : m.status == ENROL_WITHDRAWN ? "withdrawn" : "operational",
                                 op->kind);
        if (rc == ST_OK)
                rc = enrolments_db_status(c, &m, op->to, op->kind, &op->actor, reason);
        if (rc == ST_OK) {
                char type[64];

                snprintf(type, sizeof(type), "tandem.phases.enrolment.%s", op->kind);
                rc = reply_current(c, rq, op->id, type);
        }
        enrolment_meta_release(&m);
        return rc;
}

static int
change_status(struct request *rq, const char *to, const char *kind, const char *what)
{
        struct transition_op op = { .to = to, .kind = kind };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = http_optional_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = transition_json_check(op.j_body, strcmp(kind, "withdrawn") == 0, &rq->prob);
        if (rc == ST_OK)
                rc = read_enrolment(rq, &op);
        if (rc == ST_OK)
                rc = partner_access(rq, &op, what);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, status_tx, &op);
        transition_op_release(&op);
        return rc;
}

int
http_enrolments_pause(struct request *rq)
{
        return change_status(rq, "paused", "paused", "pausing");
}

int
http_enrolments_resume(struct request *rq)
{
        return change_status(rq, "active", "resumed", "resuming");
}

int
http_enrolments_withdraw(struct request *rq)
{
        return change_status(rq, "withdrawn", "withdrawn", "withdrawing");
}
