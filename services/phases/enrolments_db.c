/*
 * enrolments_db.c - enrolments, their phases, every transition and target
 * date shift in the history, and the evidence this service holds itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phases.h"
#include "status.h"

void
enrolment_meta_release(struct enrolment_meta *m)
{
        if (m == NULL)
                return;
        json_decref(m->j_criteria);
        m->j_criteria = NULL;
}

/* The actor's person id as a parameter: NULL (SQL NULL) when there is none. */
static const char *
actor_person(const struct actor *a)
{
        return a->person_id[0] != '\0' ? a->person_id : NULL;
}

int
enrolments_db_insert(PGconn *c, const char *person_id, const char *programme_id,
                     const char *business_unit, const struct actor *a, struct row *out,
                     struct problem *p)
{
        const char *params[6] = { person_id, programme_id, business_unit, a->subject,
                                  actor_person(a), a->role };
        char person[UUID_STR_LEN];
        PGresult *res = NULL;
        char state[6];
        int rc = db_exec_state(c, "enrolment_insert", 6, params, &res, state);

        if (rc == ST_CONFLICT && strcmp(state, "23505") == 0)
                problem_field(p, "person_id", "already has an open (active or paused)"
                              " enrolment in this programme");
        else if (rc == ST_OK && PQntuples(res) == 0)
                problem_field(p, "programme_id", "no programme with this id");
        if (problem_field_count(p) > 0)
                rc = problem_set(p, ST_CONFLICT, NULL, "this enrolment breaks an enrolment rule");
        else if (rc == ST_OK)
                rc = enrolments_db_get(c, PQgetvalue(res, 0, 0), out, person);
        PQclear(res);
        return rc;
}

int
enrolments_db_get(PGconn *c, const char *id, struct row *out, char person_id[UUID_STR_LEN])
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec_one(c, "enrolment_get", 1, params, &res);

        if (rc == ST_OK) {
                out->json = strdup(PQgetvalue(res, 0, 2));
                snprintf(out->id, sizeof(out->id), "%s", PQgetvalue(res, 0, 0));
                out->version = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
                snprintf(person_id, UUID_STR_LEN, "%s", PQgetvalue(res, 0, 3));
                rc = out->json != NULL ? ST_OK : ST_NOMEM;
        }
        PQclear(res);
        return rc;
}

static int
meta_take(PGresult *res, struct enrolment_meta *m)
{
        int status = enrol_status_parse(PQgetvalue(res, 0, 1));

        if (status < 0)
                return ST_INTERNAL;
        snprintf(m->person_id, sizeof(m->person_id), "%s", PQgetvalue(res, 0, 0));
        m->status = (enum enrol_status)status;
        m->version = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
        m->position = (int)strtol(PQgetvalue(res, 0, 3), NULL, 10);
        snprintf(m->phase_key, sizeof(m->phase_key), "%s", PQgetvalue(res, 0, 4));
        snprintf(m->phase_entered, sizeof(m->phase_entered), "%s", PQgetvalue(res, 0, 5));
        snprintf(m->programme_id, sizeof(m->programme_id), "%s", PQgetvalue(res, 0, 7));
        json_decref(m->j_criteria);
        m->j_criteria = json_loads(PQgetvalue(res, 0, 6), 0, NULL);
        if (!json_is_array(m->j_criteria))
                m->j_criteria = json_array();   /* a pinned version always has one; be safe */
        return m->j_criteria != NULL ? ST_OK : ST_NOMEM;
}

int
enrolments_db_meta(PGconn *c, const char *id, bool lock, struct enrolment_meta *out)
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec(c, lock ? "enrolment_meta_lock" : "enrolment_meta", 1, params, &res);

        if (rc == ST_OK && PQntuples(res) == 0)
                rc = ST_NOT_FOUND;
        if (rc == ST_OK) {
                snprintf(out->id, sizeof(out->id), "%s", id);
                rc = meta_take(res, out);
        }
        PQclear(res);
        return rc;
}

int
enrolments_db_advance(PGconn *c, const struct enrolment_meta *m, const struct actor *a,
                      const char *override_reason, const json_t *j_evidence)
{
        char pos[16], *evidence = json_dumps(j_evidence, JSON_COMPACT);
        const char *params[7] = { m->id, pos, a->subject, actor_person(a), a->role,
                                  override_reason, evidence };
        int rc = ST_NOMEM;

        snprintf(pos, sizeof(pos), "%d", m->position);
        if (evidence != NULL)
                rc = db_exec(c, "enrolment_advance", 7, params, NULL);
        free(evidence);
        return rc;
}

int
enrolments_db_status(PGconn *c, const struct enrolment_meta *m, const char *to,
                     const char *kind, const struct actor *a, const char *reason)
{
        static const char *const names[] = { "active", "paused", "withdrawn", "operational" };
        const char *params[9] = { m->id, to, kind, a->subject, actor_person(a), a->role,
                                  names[m->status], m->phase_key, reason };

        return db_exec(c, "enrolment_status", 9, params, NULL);
}

int
enrolments_db_targets(PGconn *c, const char *id, json_t **out)
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec(c, "enrolment_targets", 1, params, &res);

        if (rc == ST_OK) {
                *out = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
                rc = json_is_object(*out) ? ST_OK : ST_INTERNAL;
        }
        PQclear(res);
        return rc;
}

int
enrolments_db_set_target(PGconn *c, const char *id, const char *key, const char *date,
                         const struct actor *a, const char *reason)
{
        const char *params[7] = { id, key, date, a->subject, actor_person(a), a->role, reason };

        return db_exec(c, "target_set", 7, params, NULL);
}

int
enrolments_db_bump(PGconn *c, const char *id)
{
        const char *params[1] = { id };

        return db_exec(c, "enrolment_bump", 1, params, NULL);
}

int
enrolments_db_touch(PGconn *c, const char *person_id)
{
        const char *params[1] = { person_id };

        return db_exec(c, "enrolment_touch", 1, params, NULL);
}

int
enrolments_db_local_evidence(PGconn *c, const char *person_id, const char *since,
                             struct local_evidence *out)
{
        const char *params[2] = { person_id, since };
        PGresult *res = NULL;
        int rc = db_exec(c, "local_evidence", 2, params, &res);

        if (rc == ST_OK) {
                out->self_assessments = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
                out->self_assessments_in_phase = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
                out->workshops_attended = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
        }
        PQclear(res);
        return rc;
}

int
enrolments_db_list(PGconn *c, const struct enrolment_filter *f, const struct page *pg,
                   char **out)
{
        const char *params[5] = { f->person_id, f->programme_id, f->status };

        return db_page(c, "enrolment_list", 5, params, pg, out);
}

int
enrolments_db_history(PGconn *c, const char *id, const struct page *pg, char **out)
{
        const char *params[3] = { id };

        return db_page(c, "enrolment_history", 3, params, pg, out);
}
