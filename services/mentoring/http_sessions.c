/*
 * http_sessions.c - handlers for /v1/sessions: 1:1 sessions of an active
 * pairing, their lifecycle (scheduled, then held, cancelled or no_show;
 * rescheduling keeps its history), the write-up and the agreed actions.
 *
 * The people service is asked (with the caller's token) before any database
 * work, so that no pooled connection waits on another service: a session's
 * mentor and partner never change, so reading them first is safe.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "identity.h"
#include "mentoring.h"
#include "query.h"
#include "status.h"
#include "events.h"

/* A session held is progress (phases follows it); any other change is an update. */
static const char *
session_type(const json_t *j_body)
{
        const char *st = json_string_value(json_object_get(j_body, "status"));

        if (st != NULL && strcmp(st, "held") == 0)
                return "tandem.mentoring.session.held";
        if (st != NULL && strcmp(st, "cancelled") == 0)
                return "tandem.mentoring.session.cancelled";
        return "tandem.mentoring.session.updated";
}

enum part { PART_NONE, PART_MENTOR, PART_PARTNER };

struct session_op {
        char id[UUID_STR_LEN];
        char action_id[UUID_STR_LEN];
        char me[UUID_STR_LEN];
        json_t *j_body;
        json_t *j_pairing;
        struct session_facts f;
        struct db_row r;
        enum part part;
};

static void
session_op_release(struct session_op *op)
{
        json_decref(op->j_body);
        json_decref(op->j_pairing);
        db_row_release(&op->r);
}

static int
days(const struct request *rq)
{
        return mentoring_app(rq)->write_up_days;
}

/* ---- reading a session and the caller's part in it ------------------------------ */

static int
read_tx(PGconn *c, struct request *rq, void *arg)
{
        struct session_op *op = arg;
        int rc = sessions_db_get(c, op->id, days(rq), &op->r, &op->f);

        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, "no session with this id");
        return rc;
}

/* Reads the session named in the path and finds the caller's part in it. */
static int
session_load(struct request *rq, struct session_op *op)
{
        int rc = mentoring_roles(rq);

        if (rc == ST_OK)
                rc = http_path_uuid(rq, "id", op->id);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, read_tx, op);
        if (rc == ST_OK && (rq->who.roles & (ROLE_MENTOR | ROLE_PARTNER)))
                rc = access_me(rq, op->me);
        if (rc != ST_OK)
                return rc;
        if (strcmp(op->me, op->f.mentor_id) == 0)
                op->part = PART_MENTOR;
        else if (strcmp(op->me, op->f.partner_id) == 0)
                op->part = PART_PARTNER;
        return ST_OK;
}

/* Admin, service, the session's mentor and partner, the partner's active mentor. */
static int
may_read_session(struct request *rq, struct session_op *op)
{
        enum relation rel = REL_NONE;
        int rc;

        if (op->part != PART_NONE)
                return ST_OK;
        rc = access_relation(rq, op->f.partner_id, &rel);
        if (rc == ST_OK && rel == REL_NONE)
                rc = access_forbid(rq, "you may read only sessions you are in, or those of the"
                                   " partners you actively mentor");
        return rc;
}

static int
participant(struct request *rq, const struct session_op *op, const char *what)
{
        if (op->part != PART_NONE)
                return ST_OK;
        return problem_set(&rq->prob, ST_FORBIDDEN, NULL, "only the session's mentor and"
                           " partner %s", what);
}

/* The session is locked and unchanged in the parts a write relies on. */
static int
lock_session(PGconn *c, struct request *rq, struct session_op *op)
{
        int rc = sessions_db_lock(c, op->id, &op->f);

        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "no session with this id");
        return rc;
}

/* ---- POST /v1/sessions ---------------------------------------------------------------- */

static int
create_tx(PGconn *c, struct request *rq, void *arg)
{
        struct session_op *op = arg;
        int rc = sessions_db_insert(c, op->j_body, op->j_pairing, op->me, days(rq), &op->r);

        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.mentoring.session.scheduled", &op->r,
                                "partner_id", mentoring_event_fields, NULL);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op->r, 201, "sessions");
        return rc;
}

/* True when @me is the mentor or the partner of @j_pairing. */
static bool
member_of(const json_t *j_pairing, const char *me)
{
        const char *m = json_string_value(json_object_get(j_pairing, "mentor_id"));
        const char *p = json_string_value(json_object_get(j_pairing, "partner_id"));

        return me[0] != '\0' && ((m != NULL && strcmp(m, me) == 0)
                                  || (p != NULL && strcmp(p, me) == 0));
}

/* The pairing must be active, and the caller its mentor or partner. */
static int
check_pairing(struct request *rq, struct session_op *op)
{
        const char *id = json_string_value(json_object_get(op->j_body, "pairing_id"));
        const char *status;
        int rc = identity_pairing(rq, id, &op->j_pairing);

        if (rc == ST_NOT_FOUND) {
                problem_field(&rq->prob, "pairing_id", "no pairing has this id");
                return problem_set(&rq->prob, ST_CONFLICT, NULL, "no such pairing");
        }
        if (rc == ST_FORBIDDEN)
                return access_forbid(rq, "you may schedule sessions only for a pairing you are in");
        if (rc != ST_OK)
                return rc;
        if (!member_of(op->j_pairing, op->me))
                return access_forbid(rq, "only the pairing's mentor or partner schedules its"
                                     " sessions");
        status = json_string_value(json_object_get(op->j_pairing, "status"));
        if (status == NULL || strcmp(status, "active") != 0) {
                problem_field(&rq->prob, "pairing_id", "the pairing is %s, not active",
                              status != NULL ? status : "unknown");
                return problem_set(&rq->prob, ST_CONFLICT, NULL,
                                   "sessions are scheduled for active pairings only");
        }
        return ST_OK;
}

int
http_sessions_create(struct request *rq)
{
        struct session_op op = { 0 };
        int rc = mentoring_roles(rq);

        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = sessions_json_check_create(op.j_body, (int64_t)time(NULL), &rq->prob);
        if (rc == ST_OK)
                rc = access_me(rq, op.me);
        if (rc == ST_OK)
                rc = check_pairing(rq, &op);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, create_tx, &op);
        session_op_release(&op);
        return rc;
}

/* ---- GET /v1/sessions/{id} ------------------------------------------------------------- */

int
http_sessions_get(struct request *rq)
{
        struct session_op op = { 0 };
        int rc = session_load(rq, &op);

        if (rc == ST_OK)
                rc = may_read_session(rq, &op);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op.r, 200, NULL);
        session_op_release(&op);
        return rc;
}

/* ---- PATCH /v1/sessions/{id}: reschedule, edit, or end the lifecycle ---------------- */

/* Whether the session has begun at the time it will have after this change. */
static bool
begun(const struct session_op *op)
{
        int64_t t;
        const char *at = json_string_value(json_object_get(op->j_body, "scheduled_at"));

        if (at != NULL && rfc3339_to_epoch(at, &t))
                return t <= (int64_t)time(NULL);
        return op->f.started;
}

static int
patch_rules(struct request *rq, const struct session_op *op)
{
        const char *to = json_string_value(json_object_get(op->j_body, "status"));
        int entries = (json_object_get(op->j_body, "scheduled_at") != NULL) + (to != NULL);

        if (strcmp(op->f.status, "scheduled") != 0)
                return problem_set(&rq->prob, ST_CONFLICT, NULL, "the session is %s: only a"
                                   " scheduled session changes (write a held one up instead)",
                                   op->f.status);
        if (to != NULL && strcmp(to, "cancelled") != 0 && !begun(op)) {
                problem_field(&rq->prob, "status", "a session is %s only once its time has come",
                              strcmp(to, "held") == 0 ? "held" : "a no-show");
                return problem_set(&rq->prob, ST_CONFLICT, NULL, "the session has not begun");
        }
        if (op->f.history + entries > HISTORY_MAX)
                return problem_set(&rq->prob, ST_CONFLICT, NULL, "this session was changed %d"
                                   " times already; cancel it and schedule a new one",
                                   op->f.history);
        return ST_OK;
}

static int
patch_tx(PGconn *c, struct request *rq, void *arg)
{
        struct session_op *op = arg;
        int rc = lock_session(c, rq, op);

        if (rc == ST_OK)
                rc = http_if_match(rq, op->f.version);
        if (rc == ST_OK)
                rc = patch_rules(rq, op);
        db_row_release(&op->r);
        if (rc == ST_OK)
                rc = sessions_db_update(c, op->id, op->j_body, op->me, days(rq), &op->r);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, session_type(op->j_body), &op->r,
                                "partner_id", mentoring_event_fields, NULL);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op->r, 200, NULL);
        return rc;
}

int
http_sessions_patch(struct request *rq)
{
        struct session_op op = { 0 };
        int rc = session_load(rq, &op);

        if (rc == ST_OK)
                rc = participant(rq, &op, "change it");
        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = sessions_json_check_patch(op.j_body, (int64_t)time(NULL), &rq->prob);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, patch_tx, &op);
        session_op_release(&op);
        return rc;
}

/* ---- PATCH /v1/sessions/{id}/write-up -------------------------------------------------- */

static int
write_up_tx(PGconn *c, struct request *rq, void *arg)
{
        struct session_op *op = arg;
        json_t *j_adherence = json_object_get(op->j_body, "guideline_adherence");
        int rc = lock_session(c, rq, op);

        if (rc == ST_OK)
                rc = http_if_match(rq, op->f.version);
        if (rc == ST_OK && strcmp(op->f.status, "held") != 0)
                rc = problem_set(&rq->prob, ST_CONFLICT, NULL, "the session is %s: only a held"
                                 " session is written up", op->f.status);
        if (rc == ST_OK && j_adherence != NULL)
                rc = sessions_db_check_adherence(c, op->f.guideline_version, j_adherence,
                                                 &rq->prob);
        db_row_release(&op->r);
        if (rc == ST_OK)
                rc = sessions_db_write_up(c, op->id, op->j_body, days(rq), &op->r);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.mentoring.session.written_up", &op->r,
                                "partner_id", mentoring_event_fields, NULL);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op->r, 200, NULL);
        return rc;
}

int
http_sessions_write_up(struct request *rq)
{
        struct session_op op = { 0 };
        int rc = session_load(rq, &op);

        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = sessions_json_check_write_up(op.j_body, &rq->prob);
        /* the partner's own work first, so that a mentor or admin learns why */
        if (rc == ST_OK && json_object_get(op.j_body, "partner_reflection") != NULL
            && op.part != PART_PARTNER)
                rc = access_not_consulting(rq, "the reflection is the partner's"
                                           " own: only the partner writes it");
        if (rc == ST_OK)
                rc = participant(rq, &op, "write it up");
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, write_up_tx, &op);
        session_op_release(&op);
        return rc;
}

/* An agreed action's event: its session, owner (the partner) and status; never its title. */
static int
action_event(PGconn *c, struct request *rq, const char *type, const struct session_op *op,
             const json_t *j_changed)
{
        return outbox_row(c, rq, type, &op->r, "owner_id", mentoring_event_fields, j_changed);
}

/* ---- POST /v1/sessions/{id}/actions ---------------------------------------------------- */

static int
action_create_tx(PGconn *c, struct request *rq, void *arg)
{
        struct session_op *op = arg;
        char collection[80];
        int rc = lock_session(c, rq, op);

        if (rc == ST_OK && strcmp(op->f.status, "held") != 0)
                rc = problem_set(&rq->prob, ST_CONFLICT, NULL, "actions are agreed in a held"
                                 " session; this one is %s", op->f.status);
        if (rc == ST_OK && op->f.actions >= ACTIONS_MAX)
                rc = problem_set(&rq->prob, ST_CONFLICT, NULL, "a session holds at most %d"
                                 " actions", ACTIONS_MAX);
        db_row_release(&op->r);
        if (rc == ST_OK)
                rc = actions_db_insert(c, op->id, op->f.partner_id, op->j_body, op->me, &op->r);
        if (rc == ST_OK)
                rc = action_event(c, rq, "tandem.mentoring.session_action.created", op, NULL);
        snprintf(collection, sizeof(collection), "sessions/%s/actions", op->id);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op->r, 201, collection);
        return rc;
}

int
http_actions_create(struct request *rq)
{
        struct session_op op = { 0 };
        int rc = session_load(rq, &op);

        if (rc == ST_OK)
                rc = participant(rq, &op, "agree actions in it");
        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = actions_json_check_create(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, action_create_tx, &op);
        session_op_release(&op);
        return rc;
}

/* ---- PATCH /v1/sessions/{id}/actions/{action_id} ----------------------------------------- */

static int
action_patch_tx(PGconn *c, struct request *rq, void *arg)
{
        struct session_op *op = arg;
        long long version = 0;
        bool done = false;
        int rc = actions_db_lock(c, op->id, op->action_id, &version, &done);

        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "no such action in this session");
        if (rc == ST_OK)
                rc = http_if_match(rq, version);
        db_row_release(&op->r);
        if (rc == ST_OK)
                rc = actions_db_update(c, op->action_id, op->j_body, &op->r);
        if (rc == ST_OK)
                rc = action_event(c, rq, "tandem.mentoring.session_action.updated", op,
                                  op->j_body);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op->r, 200, NULL);
        return rc;
}

int
http_actions_patch(struct request *rq)
{
        struct session_op op = { 0 };
        int rc = session_load(rq, &op);

        if (rc == ST_OK)
                rc = http_path_uuid(rq, "action_id", op.action_id);
        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = actions_json_check_patch(op.j_body, &rq->prob);
        if (rc == ST_OK && json_object_get(op.j_body, "status") != NULL
            && op.part != PART_PARTNER)
                rc = access_not_consulting(rq, "agreed actions are the"
                                           " partner's: only the partner marks them done or open");
        if (rc == ST_OK)
                rc = participant(rq, &op, "change its actions");
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, action_patch_tx, &op);
        session_op_release(&op);
        return rc;
}

/* ---- GET /v1/sessions ------------------------------------------------------------------- */

static const char *const session_states[] = { "scheduled", "held", "cancelled", "no_show", NULL };

struct list_op {
        struct session_filter f;
        struct page pg;
        char me[UUID_STR_LEN];
};

static int
list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct list_op *op = arg;

        rq->content_type = "application/json";
        return sessions_db_list(c, &op->f, &op->pg, &rq->text_out);
}

/* What the caller's list is limited to (op->f.member); NULL for everything. */
static int
list_scope(struct request *rq, struct list_op *op)
{
        enum relation rel = REL_NONE;
        int rc;

        if (rq->who.roles & (ROLE_ADMIN | ROLE_SERVICE))
                return ST_OK;
        if (op->f.partner_id != NULL) {
                rc = access_relation(rq, op->f.partner_id, &rel);
                if (rc != ST_OK || rel == REL_MENTOR)
                        return rc;   /* a mentor reads their active partner's sessions */
        }
        rc = access_me(rq, op->me);
        op->f.member = op->me[0] != '\0' ? op->me : NIL_UUID;
        return rc;
}

int
http_sessions_list(struct request *rq)
{
        struct list_op op = { 0 };
        int rc = mentoring_roles(rq);

        if (rc != ST_OK)
                return rc;
        op.f.pairing_id = query_uuid(rq, "pairing_id");
        op.f.mentor_id = query_uuid(rq, "mentor_id");
        op.f.partner_id = query_uuid(rq, "partner_id");
        op.f.status = query_enum(rq, "status", session_states);
        op.f.from = query_time(rq, "from");
        op.f.to = query_time(rq, "to");
        op.f.needs_write_up = query_bool(rq, "needs_write_up");
        op.f.days = days(rq);
        http_page(rq, &op.pg);
        if (problem_field_count(&rq->prob) > 0)
                return ST_INVALID;
        rc = list_scope(rq, &op);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, list_tx, &op);
        return rc;
}
