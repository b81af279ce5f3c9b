/*
 * learnings_db.c - typed calls for learnings, sign-offs, the evidence the
 * phases service reads and the statistics' aggregates (the SQL is in
 * mentoring_db.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mentoring.h"
#include "status.h"

static int
body_text(const json_t *j_body, char **out)
{
        *out = json_dumps(j_body, JSON_COMPACT);
        return *out != NULL ? ST_OK : ST_NOMEM;
}

/* Runs @stmt whose one row and column is a JSON document; copies it to *@out. */
static int
json_text(PGconn *c, const char *stmt, int n, const char *const *params, char **out)
{
        PGresult *res = NULL;
        int rc = db_exec(c, stmt, n, params, &res);

        if (rc == ST_OK && PQntuples(res) != 1)
                rc = ST_INTERNAL;
        if (rc == ST_OK)
                rc = (*out = strdup(PQgetvalue(res, 0, 0))) != NULL ? ST_OK : ST_NOMEM;
        PQclear(res);
        return rc;
}

/* ---- learnings ---------------------------------------------------------------------- */

int
learnings_db_insert(PGconn *c, const json_t *j_body, const struct learning_author *a,
                    struct db_row *out)
{
        char *body = NULL;
        const char *params[6] = { NULL, a->author_id, a->role, a->pairing_id, a->mentor_id,
                                  a->partner_id };
        int rc = body_text(j_body, &body);

        params[0] = body;
        if (rc == ST_OK)
                rc = db_exec_row(c, "learning_insert", 6, params, out);
        free(body);
        return rc;
}

static void
copy_col(const PGresult *res, int col, char *out, size_t len)
{
        snprintf(out, len, "%s", PQgetisnull(res, 0, col) ? "" : PQgetvalue(res, 0, col));
}

int
learnings_db_get(PGconn *c, const char *id, struct db_row *out, char author[UUID_STR_LEN],
                 char visibility[16], char mentor[UUID_STR_LEN], char partner[UUID_STR_LEN])
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec(c, "learning_get", 1, params, &res);

        if (rc == ST_OK)
                rc = db_row_take(res, out);
        if (rc == ST_OK) {
                copy_col(res, 3, author, UUID_STR_LEN);
                copy_col(res, 4, visibility, 16);
                copy_col(res, 5, mentor, UUID_STR_LEN);
                copy_col(res, 6, partner, UUID_STR_LEN);
        }
        PQclear(res);
        return rc;
}

int
learnings_db_lock(PGconn *c, const char *id, long long *version, char author[UUID_STR_LEN],
                  bool *has_pairing)
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec_one(c, "learning_lock", 1, params, &res);

        if (rc == ST_OK) {
                *version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
                copy_col(res, 1, author, UUID_STR_LEN);
                *has_pairing = PQgetvalue(res, 0, 2)[0] == 't';
        }
        PQclear(res);
        return rc;
}

int
learnings_db_update(PGconn *c, const char *id, const json_t *j_body, struct db_row *out)
{
        char *body = NULL;
        const char *params[2] = { id, NULL };
        int rc = body_text(j_body, &body);

        params[1] = body;
        if (rc == ST_OK)
                rc = db_exec_row(c, "learning_update", 2, params, out);
        free(body);
        return rc;
}

int
learnings_db_delete(PGconn *c, const char *id, struct db_row *out)
{
        const char *params[1] = { id };

        return db_exec_row(c, "learning_delete", 1, params, out);
}

int
learnings_db_list(PGconn *c, const struct learning_filter *f, const struct page *pg,
                  char **out)
{
        const char *params[11] = { NULL, f->kind, f->platform, f->skill, f->visibility,
                                   f->author_id, f->pairing_id, f->me,
                                   f->admin ? "true" : "false", f->mentor ? "true" : "false",
                                   NULL };

        return db_page(c, "learning_list", 11, params, pg, out);
}

/* ---- sign-offs ---------------------------------------------------------------------- */

int
signoffs_db_insert(PGconn *c, const char *partner_id, const char *mentor_id, const char *note,
                   struct db_row *out)
{
        const char *params[3] = { partner_id, mentor_id, note };

        return db_exec_row(c, "signoff_insert", 3, params, out);
}

static int
signoff_read(PGconn *c, const char *stmt, const char *id, struct db_row *out,
             char partner[UUID_STR_LEN], bool *current)
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec(c, stmt, 1, params, &res);

        if (rc == ST_OK)
                rc = db_row_take(res, out);
        if (rc == ST_OK) {
                copy_col(res, 3, partner, UUID_STR_LEN);
                *current = PQgetvalue(res, 0, 4)[0] == 't';
        }
        PQclear(res);
        return rc;
}

int
signoffs_db_get(PGconn *c, const char *id, struct db_row *out, char partner[UUID_STR_LEN],
                bool *current)
{
        return signoff_read(c, "signoff_get", id, out, partner, current);
}

int
signoffs_db_lock(PGconn *c, const char *id, long long *version, char partner[UUID_STR_LEN],
                 bool *current)
{
        struct db_row r = DB_ROW_INIT;
        int rc = signoff_read(c, "signoff_lock", id, &r, partner, current);

        *version = r.version;
        db_row_release(&r);
        return rc;
}

int
signoffs_db_revoke(PGconn *c, const char *id, const char *by, struct db_row *out)
{
        const char *params[2] = { id, by };

        return db_exec_row(c, "signoff_revoke", 2, params, out);
}

int
signoffs_db_list(PGconn *c, const struct signoff_filter *f, const struct page *pg, char **out)
{
        const char *params[6] = { NULL, f->partner_id, f->mentor_id,
                                  f->current < 0 ? NULL : f->current ? "true" : "false",
                                  f->member, NULL };

        return db_page(c, "signoff_list", 6, params, pg, out);
}

/* ---- evidence and statistics ---------------------------------------------------------- */

int
evidence_db_get(PGconn *c, const char *partner_id, int weeks, char **out)
{
        char w[16];
        const char *params[2] = { partner_id, w };

        snprintf(w, sizeof(w), "%d", weeks);
        return json_text(c, "evidence", 2, params, out);
}

int
stats_db_aggregates(PGconn *c, int weeks, int days, char **out)
{
        char w[16], d[16];
        const char *params[2] = { w, d };

        snprintf(w, sizeof(w), "%d", weeks);
        snprintf(d, sizeof(d), "%d", days);
        return json_text(c, "stats", 2, params, out);
}
