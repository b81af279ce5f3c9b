/*
 * http_notes.c - handlers for /v1/sessions/{id}/private-notes: each of the
 * session's mentor and partner keeps one private note on it, which is seen by
 * its author alone.  Nobody else reads it: not the other party, not an admin,
 * not a service.  Every query names the author, so there is no path by which
 * one person's note could reach another; nothing here is ever logged.
 */
#include <string.h>

#include "mentoring.h"
#include "status.h"

struct note_op {
        char session_id[UUID_STR_LEN];
        char me[UUID_STR_LEN];
        struct session_facts f;
        json_t *j_body;
};

static int
facts_tx(PGconn *c, struct request *rq, void *arg)
{
        struct note_op *op = arg;
        struct db_row r = DB_ROW_INIT;
        int rc = sessions_db_get(c, op->session_id, 0, &r, &op->f);

        db_row_release(&r);
        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, "no session with this id");
        return rc;
}

/*
 * The caller must be the session's mentor or partner: a private note is kept
 * by a participant, and read by its author alone.
 */
static int
note_author(struct request *rq, struct note_op *op)
{
        int rc = mentoring_roles(rq);

        if (rc == ST_OK)
                rc = http_path_uuid(rq, "id", op->session_id);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, facts_tx, op);
        if (rc == ST_OK && (rq->who.roles & (ROLE_MENTOR | ROLE_PARTNER)))
                rc = access_me(rq, op->me);
        if (rc != ST_OK)
                return rc;
        if (op->me[0] != '\0' && (strcmp(op->me, op->f.mentor_id) == 0
                                  || strcmp(op->me, op->f.partner_id) == 0))
                return ST_OK;
        return access_forbid(rq, "private notes are visible to their author alone, and only"
                             " the session's mentor and partner keep them");
}

/* ---- GET ------------------------------------------------------------------------ */

static int
get_tx(PGconn *c, struct request *rq, void *arg)
{
        struct note_op *op = arg;
        struct db_row r = DB_ROW_INIT;
        int rc = notes_db_get(c, op->session_id, op->me, &r);

        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, "you keep no private note on this session");
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 200, NULL);
        db_row_release(&r);
        return rc;
}

int
http_notes_get(struct request *rq)
{
        struct note_op op = { 0 };
        int rc = note_author(rq, &op);

        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, get_tx, &op);
        return rc;
}

/* ---- PUT ----------------------------------------------------------------------------- */

static int
put_tx(PGconn *c, struct request *rq, void *arg)
{
        struct note_op *op = arg;
        struct db_row r = DB_ROW_INIT;
        long long version = 0;
        bool created = false;
        int rc = notes_db_version(c, op->session_id, op->me, &version);

        if (rc == ST_OK && version > 0)
                rc = http_if_match(rq, version);
        if (rc == ST_OK)
                rc = notes_db_put(c, op->session_id, op->me,
                                  json_string_value(json_object_get(op->j_body, "text")), &r,
                                  &created);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, created ? 201 : 200, NULL);
        db_row_release(&r);
        return rc;
}

int
http_notes_put(struct request *rq)
{
        struct note_op op = { 0 };
        int rc = note_author(rq, &op);

        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = private_note_json_check(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, put_tx, &op);
        json_decref(op.j_body);
        return rc;
}

/* ---- DELETE ---------------------------------------------------------------------------- */

static int
delete_tx(PGconn *c, struct request *rq, void *arg)
{
        struct note_op *op = arg;
        long long version = 0;
        int rc = notes_db_version(c, op->session_id, op->me, &version);

        if (rc == ST_OK && version == 0)
                rc = problem_set(&rq->prob, ST_NOT_FOUND, NULL,
                                 "you keep no private note on this session");
        if (rc == ST_OK)
                rc = http_if_match(rq, version);
        if (rc == ST_OK)
                rc = notes_db_delete(c, op->session_id, op->me);
        rq->http_status = 204;
        return rc;
}

int
http_notes_delete(struct request *rq)
{
        struct note_op op = { 0 };
        int rc = note_author(rq, &op);

        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, delete_tx, &op);
        return rc;
}
