/*
 * workshops_db.c - workshops (evidence for the workshops phase) and who
 * attended them.
 */
#include <stdlib.h>

#include "phases.h"
#include "status.h"

int
workshops_db_insert(PGconn *c, const json_t *j_body, struct row *out)
{
        char *body = json_dumps(j_body, JSON_COMPACT);
        const char *params[1] = { body };
        int rc = ST_NOMEM;

        if (body != NULL)
                rc = db_row(c, "workshop_insert", 1, params, out);
        free(body);
        return rc;
}

int
workshops_db_get(PGconn *c, const char *id, struct row *out)
{
        const char *params[1] = { id };

        return db_row(c, "workshop_get", 1, params, out);
}

int
workshops_db_list(PGconn *c, const char *platform, const char *attended_by,
                  const struct page *pg, char **out)
{
        const char *params[4] = { platform, attended_by };

        return db_page(c, "workshop_list", 4, params, pg, out);
}

int
attendance_db_insert(PGconn *c, const char *workshop_id, const char *person_id,
                     const char *by, struct row *out)
{
        const char *params[3] = { workshop_id, person_id, by };

        return db_row(c, "attendance_insert", 3, params, out);
}

int
attendance_db_delete(PGconn *c, const char *workshop_id, const char *person_id)
{
        const char *params[2] = { workshop_id, person_id };
        PGresult *res = NULL;
        int rc = db_exec_one(c, "attendance_delete", 2, params, &res);

        PQclear(res);
        return rc;
}

int
attendance_db_list(PGconn *c, const char *workshop_id, const struct page *pg, char **out)
{
        const char *params[3] = { workshop_id };

        return db_page(c, "attendance_list", 3, params, pg, out);
}
