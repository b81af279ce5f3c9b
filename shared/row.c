/*
 * row.c - one resource read from PostgreSQL as JSON text (see row.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "row.h"
#include "server.h"
#include "status.h"

void
row_release(struct row *r)
{
        if (r == NULL)
                return;
        free(r->json);
        memset(r, 0, sizeof(*r));
}

int
row_take(const PGresult *res, struct row *out)
{
        if (PQntuples(res) == 0 || PQnfields(res) < 3)
                return ST_NOT_FOUND;
        out->json = strdup(PQgetvalue(res, 0, 2));
        if (out->json == NULL)
                return ST_NOMEM;
        snprintf(out->id, sizeof(out->id), "%s", PQgetvalue(res, 0, 0));
        out->version = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
        return ST_OK;
}

int
row_exec(PGconn *c, const char *stmt, int n, const char *const *params, struct row *out)
{
        PGresult *res = NULL;
        int rc = db_exec(c, stmt, n, params, &res);

        if (rc == ST_OK)
                rc = row_take(res, out);
        PQclear(res);
        return rc;
}

int
row_reply(struct request *rq, struct row *r, unsigned status, const char *collection)
{
        http_set_etag(rq, r->version);
        rq->http_status = status;
        if (collection == NULL) {
                rq->text_out = r->json;
                rq->content_type = "application/json";
                r->json = NULL;
                return ST_OK;
        }
        snprintf(rq->location, sizeof(rq->location), "/v1/%s/%s", collection, r->id);
        rq->j_out = json_loads(r->json, 0, NULL);
        return rq->j_out != NULL ? ST_OK : ST_NOMEM;
}
