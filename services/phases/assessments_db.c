/*
 * assessments_db.c - questionnaire templates, self-assessments and mentor
 * ratings (stored apart by kind), and growth from the baseline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phases.h"
#include "status.h"

int
templates_db_insert(PGconn *c, const json_t *j_body, struct row *out)
{
        char *body = json_dumps(j_body, JSON_COMPACT);
        const char *params[1] = { body };
        int rc = ST_NOMEM;

        if (body != NULL)
                rc = db_row(c, "template_insert", 1, params, out);
        free(body);
        return rc;
}

int
templates_db_get(PGconn *c, const char *id, struct row *out)
{
        const char *params[1] = { id };

        return db_row(c, "template_get", 1, params, out);
}

int
templates_db_items(PGconn *c, const char *id, json_t **out)
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec_one(c, "template_items", 1, params, &res);

        if (rc == ST_OK) {
                *out = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
                rc = *out != NULL ? ST_OK : ST_NOMEM;
        }
        PQclear(res);
        return rc;
}

int
templates_db_list(PGconn *c, const struct page *pg, char **out)
{
        const char *params[2];

        return db_page(c, "template_list", 2, params, pg, out);
}

int
assessments_db_get(PGconn *c, const char *id, struct row *out, char person_id[UUID_STR_LEN])
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec_one(c, "assessment_get", 1, params, &res);

        if (rc == ST_OK) {
                out->json = strdup(PQgetvalue(res, 0, 2));
                snprintf(out->id, sizeof(out->id), "%s", PQgetvalue(res, 0, 0));
                snprintf(person_id, UUID_STR_LEN, "%s", PQgetvalue(res, 0, 3));
                rc = out->json != NULL ? ST_OK : ST_NOMEM;
        }
        PQclear(res);
        return rc;
}

int
assessments_db_insert(PGconn *c, const json_t *j_body, const char *rated_by, struct row *out)
{
        char *body = json_dumps(j_body, JSON_COMPACT);
        const char *params[2] = { body, rated_by };
        char person[UUID_STR_LEN];
        PGresult *res = NULL;
        char state[6];
        int rc = ST_NOMEM;

        if (body == NULL)
                return rc;
        rc = db_exec_state(c, "assessment_insert", 2, params, &res, state);
        if (rc == ST_CONFLICT && strcmp(state, "23505") == 0)
                rc = ST_RETRY;  /* two first submissions raced for the baseline: again */
        if (rc == ST_OK)
                rc = assessments_db_get(c, PQgetvalue(res, 0, 0), out, person);
        PQclear(res);
        free(body);
        return rc;
}

int
assessments_db_list(PGconn *c, const char *person_id, const char *kind,
                    const struct page *pg, char **out)
{
        const char *params[4] = { person_id, kind };

        return db_page(c, "assessment_list", 4, params, pg, out);
}

int
assessments_db_growth(PGconn *c, const char *person_id, const char *kind, char **out)
{
        const char *params[2] = { person_id, kind };
        PGresult *res = NULL;
        int rc = db_exec(c, "assessment_growth", 2, params, &res);

        if (rc == ST_OK) {
                *out = strdup(PQgetvalue(res, 0, 0));
                rc = *out != NULL ? ST_OK : ST_NOMEM;
        }
        PQclear(res);
        return rc;
}
