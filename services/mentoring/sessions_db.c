/*
 * sessions_db.c - typed calls for the guidelines, sessions, their agreed
 * actions and private notes (the SQL is in mentoring_db.c).  Private notes
 * are only ever read or written together with their author's id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "mentoring.h"
#include "status.h"

/* A validated body as one jsonb parameter: json_dumps into *@out. */
static int
body_text(const json_t *j_body, char **out)
{
        *out = json_dumps(j_body, JSON_COMPACT);
        return *out != NULL ? ST_OK : ST_NOMEM;
}

/* ---- guidelines ------------------------------------------------------------- */

int
guidelines_db_current(PGconn *c, struct db_row *out)
{
        return db_exec_row(c, "guidelines_current", 0, NULL, out);
}

int
guidelines_db_get(PGconn *c, const char *version, struct db_row *out)
{
        const char *params[1] = { version };

        return db_exec_row(c, "guidelines_get", 1, params, out);
}

int
guidelines_db_insert(PGconn *c, const json_t *j_body, const char *by, struct db_row *out)
{
        char *body = NULL;
        const char *params[2] = { NULL, by[0] != '\0' ? by : NULL };
        int rc = body_text(j_body, &body);

        params[0] = body;
        if (rc == ST_OK)
                rc = db_exec_row(c, "guidelines_insert", 2, params, out);
        free(body);
        return rc;
}

int
guidelines_db_list(PGconn *c, const struct page *pg, char **out)
{
        const char *params[2] = { NULL, NULL };

        return db_page(c, "guidelines_list", 2, params, pg, out);
}

/* ---- sessions -------------------------------------------------------------------- */

int
sessions_db_insert(PGconn *c, const json_t *j_body, const json_t *j_pairing, const char *by,
                   int days, struct db_row *out)
{
        char *body = NULL, d[16];
        const char *params[6] = {
                json_string_value(json_object_get(j_pairing, "id")),
                json_string_value(json_object_get(j_pairing, "mentor_id")),
                json_string_value(json_object_get(j_pairing, "partner_id")),
                by, NULL, d,
        };
        int rc = body_text(j_body, &body);

        snprintf(d, sizeof(d), "%d", days);
        params[4] = body;
        if (rc == ST_OK)
                rc = db_exec_row(c, "session_insert", 6, params, out);
        free(body);
        return rc;
}

static void
facts_take(const PGresult *res, struct session_facts *f)
{
        snprintf(f->mentor_id, sizeof(f->mentor_id), "%s", PQgetvalue(res, 0, 3));
        snprintf(f->partner_id, sizeof(f->partner_id), "%s", PQgetvalue(res, 0, 4));
        snprintf(f->pairing_id, sizeof(f->pairing_id), "%s", PQgetvalue(res, 0, 5));
        snprintf(f->status, sizeof(f->status), "%s", PQgetvalue(res, 0, 6));
        f->started = PQgetvalue(res, 0, 7)[0] == 't';
        f->history = (int)strtol(PQgetvalue(res, 0, 8), NULL, 10);
        f->guideline_version = (int)strtol(PQgetvalue(res, 0, 9), NULL, 10);
        f->actions = (int)strtol(PQgetvalue(res, 0, 10), NULL, 10);
        f->version = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
}

/* Runs session_get or session_lock; @out may be NULL. */
static int
session_read(PGconn *c, const char *stmt, const char *id, int days, struct db_row *out,
             struct session_facts *f)
{
        char d[16];
        const char *params[2] = { id, d };
        PGresult *res = NULL;
        int rc;

        snprintf(d, sizeof(d), "%d", days);
        rc = db_exec(c, stmt, strcmp(stmt, "session_get") == 0 ? 2 : 1, params, &res);
        if (rc == ST_OK && PQntuples(res) == 0)
                rc = ST_NOT_FOUND;
        if (rc == ST_OK && out != NULL)
                rc = db_row_take(res, out);
        if (rc == ST_OK)
                facts_take(res, f);
        PQclear(res);
        return rc;
}

int
sessions_db_get(PGconn *c, const char *id, int days, struct db_row *out, struct session_facts *f)
{
        return session_read(c, "session_get", id, days, out, f);
}

int
sessions_db_lock(PGconn *c, const char *id, struct session_facts *f)
{
        return session_read(c, "session_lock", id, 0, NULL, f);
}

int
sessions_db_update(PGconn *c, const char *id, const json_t *j_body, const char *by, int days,
                   struct db_row *out)
{
        char *body = NULL, d[16];
        const char *params[4] = { id, NULL, by, d };
        int rc = body_text(j_body, &body);

        snprintf(d, sizeof(d), "%d", days);
        params[1] = body;
        if (rc == ST_OK)
                rc = db_exec_row(c, "session_update", 4, params, out);
        free(body);
        return rc;
}

int
sessions_db_write_up(PGconn *c, const char *id, const json_t *j_body, int days, struct db_row *out)
{
        char *body = NULL, d[16];
        const char *params[3] = { id, NULL, d };
        int rc = body_text(j_body, &body);

        snprintf(d, sizeof(d), "%d", days);
        params[1] = body;
        if (rc == ST_OK)
                rc = db_exec_row(c, "session_write_up", 3, params, out);
        free(body);
        return rc;
}

static bool
has_key(const PGresult *res, const char *key)
{
        for (int i = 0; i < PQntuples(res); i++)
                if (strcmp(PQgetvalue(res, i, 0), key) == 0)
                        return true;
        return false;
}

int
sessions_db_check_adherence(PGconn *c, int version, const json_t *j_adherence,
                            struct problem *p)
{
        char v[16], name[96];
        const char *params[1] = { v };
        const char *key;
        json_t *j_val;
        PGresult *res = NULL;
        int rc;

        snprintf(v, sizeof(v), "%d", version);
        rc = db_exec(c, "guideline_keys", 1, params, &res);
        if (rc != ST_OK)
                return rc;
        json_object_foreach((json_t *)j_adherence, key, j_val) {
                snprintf(name, sizeof(name), "guideline_adherence.%.60s", key);
                if (!has_key(res, key))
                        problem_field(p, name, "is not a guideline of version %d, the version"
                                      " in force when the session was held", version);
        }
        for (int i = 0; i < PQntuples(res); i++) {
                snprintf(name, sizeof(name), "guideline_adherence.%.60s", PQgetvalue(res, i, 0));
                if (json_object_get(j_adherence, PQgetvalue(res, i, 0)) == NULL)
                        problem_field(p, name, "is required: say whether the session honoured"
                                      " this guideline");
        }
        PQclear(res);
        return problem_field_count(p) > 0 ? ST_INVALID : ST_OK;
}

static const char *
tri(int v)
{
        return v < 0 ? NULL : v ? "true" : "false";
}

int
sessions_db_list(PGconn *c, const struct session_filter *f, const struct page *pg, char **out)
{
        char d[16];
        const char *params[11] = { NULL, f->pairing_id, f->mentor_id, f->partner_id, f->status,
                                   f->from, f->to, tri(f->needs_write_up), f->member, d, NULL };

        snprintf(d, sizeof(d), "%d", f->days);
        return db_page(c, "session_list", 11, params, pg, out);
}

/* ---- agreed actions ------------------------------------------------------------------ */

int
actions_db_insert(PGconn *c, const char *session_id, const char *owner, const json_t *j_body,
                  const char *by, struct db_row *out)
{
        char *body = NULL;
        const char *params[4] = { session_id, owner, NULL, by };
        int rc = body_text(j_body, &body);

        params[2] = body;
        if (rc == ST_OK)
                rc = db_exec_row(c, "action_insert", 4, params, out);
        free(body);
        return rc;
}

int
actions_db_lock(PGconn *c, const char *session_id, const char *id, long long *version,
                bool *done)
{
        const char *params[2] = { id, session_id };
        PGresult *res = NULL;
        int rc = db_exec_one(c, "action_lock", 2, params, &res);

        if (rc == ST_OK) {
                *version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
                *done = PQgetvalue(res, 0, 1)[0] == 't';
        }
        PQclear(res);
        return rc;
}

int
actions_db_update(PGconn *c, const char *id, const json_t *j_body, struct db_row *out)
{
        char *body = NULL;
        const char *params[2] = { id, NULL };
        int rc = body_text(j_body, &body);

        params[1] = body;
        if (rc == ST_OK)
                rc = db_exec_row(c, "action_update", 2, params, out);
        free(body);
        return rc;
}

/* ---- private notes ----------------------------------------------------------------- */

int
notes_db_get(PGconn *c, const char *session_id, const char *author, struct db_row *out)
{
        const char *params[2] = { session_id, author };

        return db_exec_row(c, "note_get", 2, params, out);
}

int
notes_db_put(PGconn *c, const char *session_id, const char *author, const char *text,
             struct db_row *out, bool *created)
{
        const char *params[3] = { session_id, author, text };
        PGresult *res = NULL;
        int rc = db_exec(c, "note_put", 3, params, &res);

        if (rc == ST_OK)
                rc = db_row_take(res, out);
        if (rc == ST_OK)
                *created = PQgetvalue(res, 0, 3)[0] == 't';
        PQclear(res);
        return rc;
}

int
notes_db_version(PGconn *c, const char *session_id, const char *author, long long *version)
{
        const char *params[2] = { session_id, author };
        PGresult *res = NULL;
        int rc = db_exec(c, "note_version", 2, params, &res);

        *version = 0;
        if (rc == ST_OK && PQntuples(res) == 1)
                *version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
        return rc;
}

int
notes_db_delete(PGconn *c, const char *session_id, const char *author)
{
        const char *params[2] = { session_id, author };

        return db_exec(c, "note_delete", 2, params, NULL);
}

int
sessions_db_cancel_for(PGconn *c, const char *person_id, const char *why)
{
        const char *params[2] = { person_id, why };
        PGresult *res = NULL;
        json_t *j_data = json_pack("{s:s, s:s}", "status", "cancelled", "reason",
                                   "participant_left");
        int rc = j_data != NULL ? db_exec(c, "sessions_cancel_for", 2, params, &res) : ST_NOMEM;

        for (int i = 0; rc == ST_OK && i < PQntuples(res); i++)
                rc = outbox_emit4(c, NULL, "tandem.mentoring.session.cancelled",
                                  PQgetvalue(res, i, 0), PQgetvalue(res, i, 2),
                                  strtoll(PQgetvalue(res, i, 1), NULL, 10), j_data);
        PQclear(res);
        json_decref(j_data);
        return rc;
}
