/*
 * programmes_db.c - programmes and their numbered versions.  A write never
 * changes a version: an edit adds the next one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phases.h"
#include "status.h"

int
programmes_db_get(PGconn *c, const char *id, int version, struct row *out)
{
        char v[16];
        const char *params[2] = { id, v };

        snprintf(v, sizeof(v), "%d", version);
        return db_row(c, "programme_get", 2, params, out);
}

/* Runs @stmt, which answers the programme's id or version in row 0, column 0. */
static int
write_version(PGconn *c, const char *stmt, int n, const char *const *params, char *out,
              size_t outlen)
{
        PGresult *res = NULL;
        int rc = db_exec(c, stmt, n, params, &res);

        if (rc == ST_OK && PQntuples(res) != 1)
                rc = ST_NOT_FOUND;
        if (rc == ST_OK)
                snprintf(out, outlen, "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
        return rc;
}

int
programmes_db_insert(PGconn *c, const json_t *j_body, const char *phases, const char *by,
                     struct row *out)
{
        char *body = json_dumps(j_body, JSON_COMPACT);
        const char *params[3] = { body, phases, by };
        char id[UUID_STR_LEN];
        int rc = ST_NOMEM;

        if (body == NULL)
                return rc;
        rc = write_version(c, "programme_insert", 3, params, id, sizeof(id));
        if (rc == ST_OK)
                rc = programmes_db_get(c, id, 0, out);
        free(body);
        return rc;
}

int
programmes_db_update(PGconn *c, const char *id, const json_t *j_body, const char *phases,
                     const char *by, struct row *out)
{
        char *body = json_dumps(j_body, JSON_COMPACT);
        const char *params[4] = { id, body, phases, by };
        char version[16];
        int rc = ST_NOMEM;

        if (body == NULL)
                return rc;
        rc = write_version(c, "programme_update", 4, params, version, sizeof(version));
        if (rc == ST_OK)
                rc = programmes_db_get(c, id, 0, out);
        free(body);
        return rc;
}

int
programmes_db_lock(PGconn *c, const char *id, long long *version)
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec_one(c, "programme_lock", 1, params, &res);

        if (rc == ST_OK)
                *version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
        return rc;
}

int
programmes_db_list(PGconn *c, const struct page *pg, char **out)
{
        const char *params[2];

        return db_page(c, "programme_list", 2, params, pg, out);
}

int
programmes_db_versions(PGconn *c, const char *id, const struct page *pg, char **out)
{
        const char *params[3] = { id };

        return db_page(c, "programme_versions", 3, params, pg, out);
}
