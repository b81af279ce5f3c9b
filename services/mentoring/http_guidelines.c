/*
 * http_guidelines.c - handlers for /v1/guidelines: the programme's mentoring
 * guidelines as data.  Every change makes a new version; sessions are written
 * up against the version in force when they were held.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mentoring.h"
#include "status.h"
#include "events.h"

struct guidelines_op {
        json_t *j_body;
        char me[UUID_STR_LEN];
        char version[16];
        struct page pg;
};

/* A new version's event: its number; the items' words are read from the API. */
static const char *const guideline_event_fields[] = { "version", NULL };

/* ---- GET /v1/guidelines ------------------------------------------------------- */

static int
current_tx(PGconn *c, struct request *rq, void *arg)
{
        struct db_row r = DB_ROW_INIT;
        int rc = guidelines_db_current(c, &r);

        (void)arg;
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 200, NULL);
        db_row_release(&r);
        return rc;
}

int
http_guidelines_get(struct request *rq)
{
        int rc = mentoring_roles(rq);

        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, current_tx, NULL);
        return rc;
}

/* ---- PUT /v1/guidelines: a new version -------------------------------------------- */

static int
put_tx(PGconn *c, struct request *rq, void *arg)
{
        struct guidelines_op *op = arg;
        struct db_row r = DB_ROW_INIT;
        int rc = guidelines_db_current(c, &r);

        if (rc == ST_OK)
                rc = http_if_match(rq, r.version);
        db_row_release(&r);
        if (rc == ST_OK)
                rc = guidelines_db_insert(c, op->j_body, op->me, &r);
        if (rc == ST_CONFLICT)
                rc = problem_set(&rq->prob, ST_CONFLICT, NULL, "the guidelines changed"
                                 " meanwhile; read them again and retry");
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.mentoring.guidelines.versioned", &r, NULL,
                                guideline_event_fields, NULL);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 200, NULL);
        db_row_release(&r);
        return rc;
}

int
http_guidelines_put(struct request *rq)
{
        struct guidelines_op op = { 0 };
        int rc = ST_OK;

        if (!access_is_admin(rq))
                return access_forbid(rq, "only the programme team (admin) edits the guidelines");
        rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = guidelines_json_check(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = access_me(rq, op.me);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, put_tx, &op);
        json_decref(op.j_body);
        return rc;
}

/* ---- GET /v1/guidelines/versions[/{version}] ------------------------------------ */

static int
versions_tx(PGconn *c, struct request *rq, void *arg)
{
        struct guidelines_op *op = arg;

        rq->content_type = "application/json";
        return guidelines_db_list(c, &op->pg, &rq->text_out);
}

int
http_guidelines_versions(struct request *rq)
{
        struct guidelines_op op = { 0 };
        int rc = mentoring_roles(rq);

        if (rc == ST_OK)
                rc = http_page(rq, &op.pg);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, versions_tx, &op);
        return rc;
}

static int
version_tx(PGconn *c, struct request *rq, void *arg)
{
        struct guidelines_op *op = arg;
        struct db_row r = DB_ROW_INIT;
        int rc = guidelines_db_get(c, op->version, &r);

        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, "no guidelines version %s", op->version);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 200, NULL);
        db_row_release(&r);
        return rc;
}

int
http_guidelines_version(struct request *rq)
{
        struct guidelines_op op = { 0 };
        const char *v = u_map_get(rq->req->map_url, "version");
        char *end = NULL;
        long n = v != NULL ? strtol(v, &end, 10) : 0;
        int rc = mentoring_roles(rq);

        if (rc != ST_OK)
                return rc;
        if (v == NULL || *v == '\0' || *end != '\0' || n < 1 || n > 1000000)
                return problem_set(&rq->prob, ST_NOT_FOUND, NULL,
                                   "no such guidelines version (versions are 1, 2, ...)");
        snprintf(op.version, sizeof(op.version), "%ld", n);
        return db_with(rq->svc->db, rq, version_tx, &op);
}
