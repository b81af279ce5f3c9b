/*
 * http_programmes.c - /v1/programmes: the programme team (admin) defines
 * programmes; every edit is a new version, and enrolments keep the version
 * they enrolled on.  Everyone but viewers reads them.
 */
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "phases.h"
#include "status.h"

struct programme_op {
        char id[UUID_STR_LEN];
        int version;
        json_t *j_body;
        char *phases;          /* the normal form, as JSON text */
        struct page pg;
};

static void
programme_op_release(struct programme_op *op)
{
        json_decref(op->j_body);
        free(op->phases);
}

/* Reads and validates a programme body into @op. */
static int
programme_body(struct request *rq, struct programme_op *op)
{
        json_t *j_phases = NULL;
        int rc = http_json_body(rq, &op->j_body);

        if (rc == ST_OK)
                rc = programme_json_check(op->j_body, &rq->prob, &j_phases);
        if (rc == ST_OK) {
                op->phases = json_dumps(j_phases, JSON_COMPACT);
                rc = op->phases != NULL ? ST_OK : ST_NOMEM;
        }
        json_decref(j_phases);
        return rc;
}

/* ---- POST /v1/programmes ------------------------------------------------------ */

static int
create_tx(PGconn *c, struct request *rq, void *arg)
{
        struct programme_op *op = arg;
        struct row r = { 0 };
        int rc = programmes_db_insert(c, op->j_body, op->phases, rq->who.subject, &r);

        if (rc == ST_OK)
                rc = phases_emit(c, rq, "tandem.phases.programme.created", &r, NULL, NULL);
        if (rc == ST_OK)
                rc = reply_created(rq, &r, "programmes", true);
        row_release(&r);
        return rc;
}

int
http_programmes_create(struct request *rq)
{
        struct programme_op op = { 0 };
        int rc = ST_OK;

        if (!access_is_admin(rq))
                rc = access_forbid(rq, "only the programme team (admin) defines programmes");
        if (rc == ST_OK)
                rc = programme_body(rq, &op);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, create_tx, &op);
        programme_op_release(&op);
        return rc;
}

/* ---- PUT /v1/programmes/{id}: a new version ------------------------------------ */

static int
put_tx(PGconn *c, struct request *rq, void *arg)
{
        struct programme_op *op = arg;
        struct row r = { 0 };
        long long version = 0;
        int rc = programmes_db_lock(c, op->id, &version);

        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "no programme with this id");
        if (rc == ST_OK)
                rc = http_if_match(rq, version);
        if (rc == ST_OK)
                rc = programmes_db_update(c, op->id, op->j_body, op->phases, rq->who.subject, &r);
        if (rc == ST_OK)
                rc = phases_emit(c, rq, "tandem.phases.programme.versioned", &r, NULL, NULL);
        if (rc == ST_OK)
                rc = reply_row(rq, &r, 200, true);
        row_release(&r);
        return rc;
}

int
http_programmes_put(struct request *rq)
{
        struct programme_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK && !access_is_admin(rq))
                rc = access_forbid(rq, "only the programme team (admin) edits programmes");
        if (rc == ST_OK)
                rc = programme_body(rq, &op);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, put_tx, &op);
        programme_op_release(&op);
        return rc;
}

/* ---- GET /v1/programmes/{id} and /v1/programmes/{id}/versions/{version} ----------- */

static int
get_tx(PGconn *c, struct request *rq, void *arg)
{
        struct programme_op *op = arg;
        struct row r = { 0 };
        int rc = programmes_db_get(c, op->id, op->version, &r);

        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, "%s", op->version == 0
                                 ? "no programme with this id" : "no such programme or version");
        if (rc == ST_OK)
                rc = reply_row(rq, &r, 200, op->version == 0);
        row_release(&r);
        return rc;
}

int
http_programmes_get(struct request *rq)
{
        struct programme_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = access_no_viewer(rq);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, get_tx, &op);
        return rc;
}

/* A version number in the path: 1..2^31-1, else 404. */
static int
path_version(struct request *rq, int *out)
{
        const char *v = u_map_get(rq->req->map_url, "version");
        char *end = NULL;
        long n;

        n = v != NULL && v[0] >= '1' && v[0] <= '9' ? strtol(v, &end, 10) : 0;
        if (n <= 0 || n > 2147483647L || *end != '\0')
                return problem_set(&rq->prob, ST_NOT_FOUND, NULL,
                                   "no such version (versions are whole numbers from 1)");
        *out = (int)n;
        return ST_OK;
}

int
http_programmes_version_get(struct request *rq)
{
        struct programme_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = path_version(rq, &op.version);
        if (rc == ST_OK)
                rc = access_no_viewer(rq);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, get_tx, &op);
        return rc;
}

/* ---- lists ---------------------------------------------------------------------------- */

static int
list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct programme_op *op = arg;

        rq->content_type = "application/json";
        return programmes_db_list(c, &op->pg, &rq->text_out);
}

int
http_programmes_list(struct request *rq)
{
        struct programme_op op = { 0 };
        int rc = access_no_viewer(rq);

        if (rc == ST_OK)
                rc = http_page(rq, &op.pg);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, list_tx, &op);
        return rc;
}

static int
versions_tx(PGconn *c, struct request *rq, void *arg)
{
        struct programme_op *op = arg;
        struct row r = { 0 };
        int rc = programmes_db_get(c, op->id, 0, &r);

        row_release(&r);
        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "no programme with this id");
        rq->content_type = "application/json";
        if (rc == ST_OK)
                rc = programmes_db_versions(c, op->id, &op->pg, &rq->text_out);
        return rc;
}

int
http_programmes_versions(struct request *rq)
{
        struct programme_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = access_no_viewer(rq);
        if (rc == ST_OK)
                rc = http_page(rq, &op.pg);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, versions_tx, &op);
        return rc;
}
