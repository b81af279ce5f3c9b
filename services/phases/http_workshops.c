/*
 * http_workshops.c - /v1/workshops: the programme team records workshops and
 * who attended (evidence for the workshops phase); a person's attendance list
 * is GET /v1/workshops?attended_by={person_id}.
 */
#include <string.h>

#include "identity.h"
#include "events.h"
#include "phases.h"
#include "status.h"

struct workshop_op {
        char id[UUID_STR_LEN];
        char person_id[UUID_STR_LEN];
        const char *platform, *attended_by;
        json_t *j_body;
        struct page pg;
};

/* What a workshop's events carry. */
static const char *const workshop_fields[] = { "platform", "held_at", NULL };

/* ---- POST /v1/workshops ------------------------------------------------------ */

static int
create_tx(PGconn *c, struct request *rq, void *arg)
{
        struct workshop_op *op = arg;
        struct row r = { 0 };
        int rc = workshops_db_insert(c, op->j_body, &r);

        if (rc == ST_OK)
                rc = phases_emit(c, rq, "tandem.phases.workshop.created", &r, NULL, workshop_fields);
        if (rc == ST_OK)
                rc = reply_created(rq, &r, "workshops", false);
        row_release(&r);
        return rc;
}

int
http_workshops_create(struct request *rq)
{
        struct workshop_op op = { 0 };
        int rc = ST_OK;

        if (!access_is_admin(rq))
                rc = access_forbid(rq, "only the programme team (admin) records workshops");
        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = workshop_json_check(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, create_tx, &op);
        json_decref(op.j_body);
        return rc;
}

/* ---- GET /v1/workshops/{id} and GET /v1/workshops ---------------------------------- */

static int
get_tx(PGconn *c, struct request *rq, void *arg)
{
        struct workshop_op *op = arg;
        struct row r = { 0 };
        int rc = workshops_db_get(c, op->id, &r);

        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, "no workshop with this id");
        if (rc == ST_OK)
                rc = reply_row(rq, &r, 200, false);
        row_release(&r);
        return rc;
}

int
http_workshops_get(struct request *rq)
{
        struct workshop_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = access_no_viewer(rq);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, get_tx, &op);
        return rc;
}

static int
list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct workshop_op *op = arg;

        rq->content_type = "application/json";
        return workshops_db_list(c, op->platform, op->attended_by, &op->pg, &rq->text_out);
}

int
http_workshops_list(struct request *rq)
{
        struct workshop_op op = { 0 };
        int rc = access_no_viewer(rq);

        if (rc != ST_OK)
                return rc;
        op.platform = http_query(rq, "platform");
        if (op.platform != NULL && !slug_valid(op.platform))
                problem_field(&rq->prob, "platform", "must be a key: 1 to 40 of a-z, 0-9, _ and -");
        http_query_uuid(rq, "attended_by", &op.attended_by);
        http_page(rq, &op.pg);
        if (problem_field_count(&rq->prob) > 0)
                return ST_INVALID;
        if (op.attended_by != NULL) {
                uuid_lower(op.person_id, op.attended_by);
                op.attended_by = op.person_id;
                rc = phases_read_person(rq, op.attended_by);
        }
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, list_tx, &op);
        return rc;
}

/* ---- POST /v1/workshops/{id}/attendance ------------------------------------------------ */

static int
attend_tx(PGconn *c, struct request *rq, void *arg)
{
        struct workshop_op *op = arg;
        struct row r = { 0 };
        int rc = workshops_db_get(c, op->id, &r);

        row_release(&r);
        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "no workshop with this id");
        if (rc == ST_OK)
                rc = attendance_db_insert(c, op->id, op->person_id, rq->who.subject, &r);
        if (rc == ST_CONFLICT) {
                problem_field(&rq->prob, "person_id", "attendance is already recorded");
                rc = problem_set(&rq->prob, ST_CONFLICT, NULL, "this attendance is already"
                                 " recorded");
        }
        if (rc == ST_OK)
                rc = enrolments_db_touch(c, op->person_id);   /* a progress event */
        if (rc == ST_OK) {
                json_t *j_data = json_pack("{s:s}", "workshop_id", op->id);

                rc = j_data != NULL ? outbox_emit4(c, rq, "tandem.phases.attendance.recorded",
                                                   op->id, op->person_id, 0, j_data) : ST_NOMEM;
                json_decref(j_data);
        }
        if (rc == ST_OK)
                rc = reply_created(rq, &r, NULL, false);
        row_release(&r);
        return rc;
}

/* The attendee must be an active partner (the people service says). */
static int
check_attendee(struct request *rq, const char *person_id)
{
        json_t *j_person = NULL;
        int rc = identity_person(rq, person_id, &j_person);

        if (rc == ST_NOT_FOUND || rc == ST_FORBIDDEN)
                problem_field(&rq->prob, "person_id", "no person with this id");
        else if (rc == ST_OK && !identity_has_role(j_person, "partner"))
                problem_field(&rq->prob, "person_id", "must be an active person with the"
                              " partner role");
        json_decref(j_person);
        if (problem_field_count(&rq->prob) > 0)
                return problem_set(&rq->prob, ST_CONFLICT, NULL, "only an active partner's"
                                   " attendance is recorded");
        return rc;
}

int
http_attendance_create(struct request *rq)
{
        struct workshop_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK && !access_is_admin(rq))
                rc = access_forbid(rq, "only the programme team (admin) records attendance");
        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = attendance_json_check(op.j_body, &rq->prob);
        if (rc == ST_OK) {
                uuid_lower(op.person_id, json_string_value(json_object_get(op.j_body,
                                                                           "person_id")));
                rc = check_attendee(rq, op.person_id);
        }
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, attend_tx, &op);
        json_decref(op.j_body);
        return rc;
}

/* ---- GET and DELETE attendance ---------------------------------------------------------- */

static int
attendance_list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct workshop_op *op = arg;
        struct row r = { 0 };
        int rc = workshops_db_get(c, op->id, &r);

        row_release(&r);
        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "no workshop with this id");
        rq->content_type = "application/json";
        if (rc == ST_OK)
                rc = attendance_db_list(c, op->id, &op->pg, &rq->text_out);
        return rc;
}

int
http_attendance_list(struct request *rq)
{
        struct workshop_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK && !access_reads_all(rq))
                rc = access_forbid(rq, "only the programme team (admin) lists attendees; a person"
                                   " reads their own with GET /v1/workshops?attended_by=");
        if (rc == ST_OK)
                rc = http_page(rq, &op.pg);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, attendance_list_tx, &op);
        return rc;
}

static int
unattend_tx(PGconn *c, struct request *rq, void *arg)
{
        struct workshop_op *op = arg;
        int rc = attendance_db_delete(c, op->id, op->person_id);

        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, "no such attendance is recorded");
        if (rc == ST_OK) {
                json_t *j_data = json_pack("{s:s}", "workshop_id", op->id);

                rc = j_data != NULL ? outbox_emit4(c, rq, "tandem.phases.attendance.removed",
                                                   op->id, op->person_id, 0, j_data) : ST_NOMEM;
                json_decref(j_data);
        }
        rq->http_status = 204;
        return rc;
}

int
http_attendance_delete(struct request *rq)
{
        struct workshop_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = http_path_uuid(rq, "person_id", op.person_id);
        if (rc == ST_OK && !access_is_admin(rq))
                rc = access_forbid(rq, "only the programme team (admin) corrects attendance");
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, unattend_tx, &op);
        return rc;
}
