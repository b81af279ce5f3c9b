/*
 * http_people.c - handlers for /v1/people and /v1/me.  No SQL here: each
 * handler parses, checks access, runs its people_db_* calls in one
 * transaction, and leaves the reply to the dispatcher.
 */
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "people.h"
#include "status.h"

/* Whether the caller may read person @id: themself, or their active partner. */
static int
may_read_person(PGconn *c, struct request *rq, const char *id)
{
        char me[UUID_STR_LEN];
        bool paired = false;
        int rc;

        if (access_reads_all(rq))
                return ST_OK;
        rc = access_no_viewer(rq);
        if (rc == ST_OK)
                rc = people_whoami(c, rq, me);
        if (rc != ST_OK || strcmp(me, id) == 0)
                return rc;
        if (me[0] != '\0' && (rq->who.roles & ROLE_MENTOR))
                rc = people_db_mentors(c, me, id, &paired);
        if (rc == ST_OK && !paired)
                rc = access_forbid(rq, "you may read your own profile and those of your active partners");
        return rc;
}

/* ---- GET /v1/people/{id} ------------------------------------------------- */

struct person_op {
        char id[UUID_STR_LEN];
        json_t *j_body;
        bool self_only;
};

static int
people_get_tx(PGconn *c, struct request *rq, void *arg)
{
        struct person_op *op = arg;
        struct db_row r = { 0 };
        int rc = may_read_person(c, rq, op->id);

        if (rc == ST_OK)
                rc = people_db_get(c, op->id, &r);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 200, NULL);
        db_row_release(&r);
        return rc;
}

int
http_people_get(struct request *rq)
{
        struct person_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, people_get_tx, &op);
        return rc;
}

/* ---- GET /v1/me ------------------------------------------------------------ */

static int
me_tx(PGconn *c, struct request *rq, void *arg)
{
        struct db_row r = { 0 };
        char me[UUID_STR_LEN];
        int rc = people_whoami(c, rq, me);

        (void)arg;
        if (rc == ST_OK && me[0] == '\0')
                return problem_set(&rq->prob, ST_NOT_FOUND, NULL,
                                   "no person is linked to this token's subject or e-mail");
        if (rc == ST_OK)
                rc = people_db_get(c, me, &r);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 200, NULL);
        db_row_release(&r);
        return rc;
}

int
http_me_get(struct request *rq)
{
        return db_with(rq->svc->db, rq, me_tx, NULL);
}

/* ---- POST /v1/people --------------------------------------------------------- */

/* Unknown zones fail here rather than inside the write's transaction. */
static int
tz_check_tx(PGconn *c, struct request *rq, void *arg)
{
        const char *tz = arg;
        bool ok = true;
        int rc = people_db_tz_valid(c, tz, &ok);

        if (rc == ST_OK && !ok)
                rc = problem_field(&rq->prob, "timezone", "is not a time zone this system knows");
        return rc;
}

/*
 * Finishes validation after the pure checks gave @rc: a well-formed zone name
 * is looked up in the database, so that an unknown zone is reported together
 * with every other fault.
 */
static int
validate_timezone(struct request *rq, const json_t *j_body, int rc)
{
        const char *tz = json_string_value(json_object_get(j_body, "timezone"));
        int trc;

        if ((rc != ST_OK && rc != ST_INVALID) || !people_json_tz_shape(tz))
                return rc;
        trc = db_with(rq->svc->db, rq, tz_check_tx, (void *)tz);
        if (trc != ST_OK && trc != ST_INVALID)
                return trc;
        return problem_field_count(&rq->prob) > 0 ? ST_INVALID : rc;
}

/* What a person's events carry: no names, no free text. */
static const char *const person_fields[] = { "status", "roles", "mentor_capacity", NULL };

static int
people_create_tx(PGconn *c, struct request *rq, void *arg)
{
        struct db_row r = { 0 };
        int rc = people_db_insert(c, arg, &r, &rq->prob);

        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.people.person.created", &r, "id", person_fields,
                                NULL);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 201, "people");
        db_row_release(&r);
        return rc;
}

int
http_people_create(struct request *rq)
{
        json_t *j_body = NULL;
        int rc;

        if (!access_is_admin(rq))
                return access_forbid(rq, "only the programme team (admin) adds people");
        rc = http_json_body(rq, &j_body);
        if (rc == ST_OK)
                rc = validate_timezone(rq, j_body, people_json_check_create(j_body, &rq->prob));
        if (rc == ST_OK)
                rc = people_write(rq, people_create_tx, j_body);
        json_decref(j_body);
        return rc;
}

/* ---- PATCH /v1/people/{id} ----------------------------------------------------- */

static int
people_patch_tx(PGconn *c, struct request *rq, void *arg)
{
        struct person_op *op = arg;
        struct db_row r = { 0 };
        struct person_access was, now;
        long long version = 0;
        bool erased = false;
        int rc = people_db_lock(c, op->id, &version, &erased);

        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "no person with this id");
        if (rc == ST_OK && erased)
                return problem_set(&rq->prob, ST_CONFLICT, NULL, "this person was erased");
        if (rc == ST_OK)
                rc = http_if_match(rq, version);
        if (rc == ST_OK)
                rc = people_db_access(c, op->id, &was);
        if (rc == ST_OK)
                rc = people_db_update(c, op->id, op->j_body, &r, &rq->prob);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.people.person.updated", &r, "id", person_fields,
                                op->j_body);
        if (rc == ST_OK)
                rc = people_db_access(c, op->id, &now);
        if (rc == ST_OK)
                rc = people_access_changed(c, rq, op->id, &was, &now, "left");
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 200, NULL);
        db_row_release(&r);
        return rc;
}

/* Only an admin edits others; anyone may edit their own profile fields. */
static int
patch_access(PGconn *c, struct request *rq, void *arg)
{
        struct person_op *op = arg;
        char me[UUID_STR_LEN];
        int rc;

        if (access_is_admin(rq))
                return ST_OK;
        rc = people_whoami(c, rq, me);
        if (rc == ST_OK && strcmp(me, op->id) != 0)
                rc = access_forbid(rq, "you may edit only your own profile");
        op->self_only = true;
        return rc;
}

int
http_people_patch(struct request *rq)
{
        struct person_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = access_no_viewer(rq);
        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, patch_access, &op);
        if (rc == ST_OK)
                rc = validate_timezone(rq, op.j_body,
                                       people_json_check_patch(op.j_body, op.self_only, &rq->prob));
        if (rc == ST_OK)
                rc = people_write(rq, people_patch_tx, &op);
        json_decref(op.j_body);
        return rc;
}

/* ---- DELETE /v1/people/{id}: the right to erasure ------------------------------ */

static int
people_erase_tx(PGconn *c, struct request *rq, void *arg)
{
        struct person_op *op = arg;
        struct person_access was;
        long long version = 0;
        bool erased = false;
        int rc = people_db_lock(c, op->id, &version, &erased);

        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "no person with this id");
        if (rc != ST_OK || erased)
                return rc;   /* erasing twice changes nothing and is not an error */
        rc = http_if_match(rq, version);
        if (rc == ST_OK)
                rc = people_db_access(c, op->id, &was);
        if (rc == ST_OK)
                rc = people_db_erase(c, rq, op->id);
        if (rc == ST_OK)
                rc = people_access_erased(c, rq, op->id, &was);
        if (rc == ST_OK)
                rc = people_db_erasure_confirm(c, op->id, "people", "{\"profile\": 1}");
        rq->http_status = 204;
        return rc;
}

int
http_people_delete(struct request *rq)
{
        struct person_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK && !access_is_admin(rq))
                rc = access_forbid(rq, "only the programme team (admin) erases people");
        if (rc == ST_OK)
                rc = people_write(rq, people_erase_tx, &op);
        return rc;
}

/* ---- GET /v1/people/{id}/erasure: the erasure report --------------------------- */

static int
erasure_tx(PGconn *c, struct request *rq, void *arg)
{
        struct person_op *op = arg;
        struct db_row r = { 0 };
        int rc = people_db_erasure_report(c, op->id, &r);

        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "no person with this id");
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 200, NULL);
        db_row_release(&r);
        return rc;
}

int
http_people_erasure(struct request *rq)
{
        struct person_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK && !access_is_admin(rq))
                rc = access_forbid(rq, "only the programme team (admin) reads erasure reports");
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, erasure_tx, &op);
        return rc;
}

/* ---- GET /v1/people ------------------------------------------------------------ */

static const char *const person_roles[] = { "partner", "mentor", "admin", "comms", "viewer", NULL };
static const char *const person_statuses[] = { "active", "paused", "left", NULL };

static bool
one_of(const char *const *values, const char *s)
{
        for (; *values != NULL; values++)
                if (strcmp(*values, s) == 0)
                        return true;
        return false;
}

struct list_op {
        struct people_filter f;
        struct page pg;
        char me[UUID_STR_LEN];
};

static int
people_list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct list_op *op = arg;
        int rc = people_scope(c, rq, op->me, &op->f.visible_to);

        if (rc == ST_OK)
                rc = people_db_list(c, &op->f, &op->pg, &rq->text_out);
        rq->content_type = "application/json";
        return rc;
}

static void
list_filters(struct request *rq, struct people_filter *f)
{
        f->role = http_query(rq, "role");
        f->status = http_query(rq, "status");
        f->business_unit = http_query(rq, "business_unit");
        f->q = http_query(rq, "q");
        if (f->role != NULL && !one_of(person_roles, f->role))
                problem_field(&rq->prob, "role", "must be one of partner, mentor, admin, comms, viewer");
        if (f->status != NULL && !one_of(person_statuses, f->status))
                problem_field(&rq->prob, "status", "must be one of active, paused, left");
        if (f->q != NULL && (f->q[0] == '\0' || jv_utf8_len(f->q) > 200))
                problem_field(&rq->prob, "q", "must be 1 to 200 characters");
        if (f->business_unit != NULL && jv_utf8_len(f->business_unit) > 100)
                problem_field(&rq->prob, "business_unit", "must be at most 100 characters");
}

int
http_people_list(struct request *rq)
{
        struct list_op op = { 0 };

        if (access_no_viewer(rq) != ST_OK)
                return ST_FORBIDDEN;
        list_filters(rq, &op.f);
        http_page(rq, &op.pg);
        if (problem_field_count(&rq->prob) > 0)
                return ST_INVALID;
        return db_with(rq->svc->db, rq, people_list_tx, &op);
}
