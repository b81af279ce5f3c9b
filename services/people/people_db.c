/*
 * people_db.c - all SQL of the people service: the statement table and the
 * typed functions handlers call.  Every value is a parameter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "people.h"
#include "status.h"

/* A validated JSON body is passed whole as one jsonb parameter ($2). */
#define PATCH_TEXT(f) \
        f " = CASE WHEN $2::jsonb ? '" f "' THEN $2::jsonb->>'" f "' ELSE " f " END, "

const struct db_stmt people_stmts[] = {
        /* by external_id, else by e-mail, but only a person not linked to another subject */
        { "whoami",
          "SELECT id FROM person WHERE erased_at IS NULL AND (external_id = $1"
          " OR ($2 <> '' AND external_id IS NULL AND lower(email) = lower($2)))"
          " ORDER BY (external_id = $1) DESC NULLS LAST LIMIT 1" },
        /* whoami for the admission check: a read, plus whether the subject still needs linking */
        { "admit",
          "SELECT id, status, external_id IS NULL FROM person"
          " WHERE erased_at IS NULL AND (external_id = $1"
          " OR ($2 <> '' AND external_id IS NULL AND lower(email) = lower($2)))"
          " ORDER BY (external_id = $1) DESC NULLS LAST LIMIT 1" },
        /* the one write of a first sign-in matched by e-mail; a no-op once linked */
        { "admit_link",
          "UPDATE person SET external_id = $1, version = version + 1, updated_at = now()"
          " WHERE id = $2 AND external_id IS NULL AND erased_at IS NULL" },
        { "jit_insert",
          "INSERT INTO person AS p (external_id, email, display_name, roles)"
          " VALUES ($1, nullif($2, ''), $3, $4::text[]) ON CONFLICT DO NOTHING"
          " RETURNING p.id, p.status" },
        { "mentors",
          "SELECT 1 FROM pairing WHERE mentor_id = $1 AND partner_id = $2 AND status = 'active'" },
        { "tz_valid", "SELECT now() AT TIME ZONE $1" },
        { "person_get", "SELECT p.id, p.version, person_json(p) FROM person p WHERE p.id = $1" },
        { "person_lock",
          "SELECT version, erased_at IS NOT NULL FROM person WHERE id = $1 FOR UPDATE" },
        { "person_taken",
          "SELECT lower(email) = lower($1), coalesce(external_id = $2, false) FROM person"
          " WHERE (lower(email) = lower($1) OR external_id = $2)"
          " AND ($3::uuid IS NULL OR id <> $3)" },
        { "person_insert",
          "INSERT INTO person AS p (email, display_name, roles, external_id, title, business_unit,"
          " status, timezone, purpose, vision, mentor_capacity)"
          " SELECT b->>'email', b->>'display_name',"
          " ARRAY(SELECT jsonb_array_elements_text(b->'roles')), b->>'external_id', b->>'title',"
          " b->>'business_unit', coalesce(b->>'status', 'active'), coalesce(b->>'timezone', 'UTC'),"
          " b->>'purpose', b->>'vision', coalesce((b->>'mentor_capacity')::int, 0)"
          " FROM (SELECT $1::jsonb AS b) AS body"
          " RETURNING p.id, p.version, person_json(p)" },
        { "person_update",
          "UPDATE person AS p SET "
          PATCH_TEXT("email") PATCH_TEXT("display_name") PATCH_TEXT("external_id")
          PATCH_TEXT("title") PATCH_TEXT("business_unit") PATCH_TEXT("status")
          PATCH_TEXT("timezone") PATCH_TEXT("purpose") PATCH_TEXT("vision")
          " roles = CASE WHEN $2::jsonb ? 'roles'"
          "  THEN ARRAY(SELECT jsonb_array_elements_text($2::jsonb->'roles')) ELSE roles END,"
          " mentor_capacity = CASE WHEN $2::jsonb ? 'mentor_capacity'"
          "  THEN ($2::jsonb->>'mentor_capacity')::int ELSE mentor_capacity END,"
          " version = version + 1, updated_at = now()"
          " WHERE id = $1 RETURNING p.id, p.version, person_json(p)" },
        { "person_erase",
          "UPDATE person SET email = NULL, external_id = NULL, title = NULL, business_unit = NULL,"
          " user_name = NULL, given_name = NULL, family_name = NULL,"
          " purpose = NULL, vision = NULL, display_name = 'Erased person', roles = '{}',"
          " status = 'left', mentor_capacity = 0, timezone = 'UTC', erased_at = now(),"
          " updated_at = now(), version = version + 1 WHERE id = $1 AND erased_at IS NULL" },
        /* what the other services need to know of a person's access (access.h) */
        { "person_access",
          "SELECT status, array_to_string(roles, ','),"
          " encode(sha256(convert_to(external_id, 'UTF8')), 'hex'),"
          " encode(sha256(convert_to(lower(email), 'UTF8')), 'hex')"
          " FROM person WHERE id = $1" },
        /* the erasure report: a confirmation per service ($3 what it removed) */
        { "erasure_confirm",
          "INSERT INTO erasure_confirmation (person_id, service, removed)"
          " SELECT $1::uuid, $2, coalesce($3::jsonb, '{}') WHERE EXISTS"
          "  (SELECT 1 FROM person WHERE id = $1::uuid)"
          " ON CONFLICT (person_id, service) DO NOTHING" },
        { "erasure_report",
          "SELECT p.id, p.version, jsonb_build_object('person_id', p.id, 'erased_at', p.erased_at,"
          "  'complete', p.erased_at IS NOT NULL AND (SELECT count(*) FROM erasure_confirmation c"
          "   WHERE c.person_id = p.id) = 4,"
          "  'services', (SELECT jsonb_agg(jsonb_build_object('service', s.name,"
          "   'confirmed_at', c.confirmed_at, 'removed', c.removed) ORDER BY s.ord)"
          "   FROM (VALUES (1, 'people'), (2, 'phases'), (3, 'mentoring'), (4, 'strategy'))"
          "    AS s(ord, name)"
          "   LEFT JOIN erasure_confirmation c ON c.person_id = p.id AND c.service = s.name))::text"
          " FROM person p WHERE p.id = $1" },
        { "pairings_end_for",
          "UPDATE pairing SET status = 'cancelled', ended_at = now(), end_reason = $2,"
          " updated_at = now(), version = version + 1"
          " WHERE status = 'active' AND (mentor_id = $1 OR partner_id = $1)"
          " RETURNING id, version, mentor_id, partner_id" },
        { "person_list",
          "SELECT p.seq, person_json(p) FROM person p WHERE p.seq > $1"
          " AND ($2::text IS NULL OR $2 = ANY (p.roles))"
          " AND ($3::text IS NULL OR p.status = $3)"
          " AND ($4::text IS NULL OR p.business_unit = $4)"
          " AND ($5::text IS NULL OR strpos(lower(p.display_name), lower($5)) > 0"
          "      OR strpos(lower(p.email), lower($5)) > 0)"
          " AND ($6::uuid IS NULL OR p.id = $6 OR p.id IN (SELECT partner_id FROM pairing"
          "      WHERE mentor_id = $6 AND status = 'active'))"
          " ORDER BY p.seq LIMIT $7" },
        { "pairing_get",
          "SELECT x.id, x.version, pairing_json(x), x.mentor_id, x.partner_id"
          " FROM pairing x WHERE x.id = $1" },
        { "pairing_lock",
          "SELECT version, status = 'active' FROM pairing WHERE id = $1 FOR UPDATE" },
        { "pairing_people",
          "SELECT id, $1 = ANY (roles), status = 'active' AND erased_at IS NULL, mentor_capacity"
          " FROM person WHERE id = $2 FOR UPDATE" },
        { "pairing_counts",
          "SELECT (SELECT count(*) FROM pairing WHERE mentor_id = $1 AND status = 'active'),"
          " (SELECT count(*) FROM pairing WHERE partner_id = $2 AND status = 'active')" },
        { "pairing_insert",
          "INSERT INTO pairing AS x (mentor_id, partner_id) VALUES ($1, $2)"
          " RETURNING x.id, x.version, pairing_json(x)" },
        { "pairing_end",
          "UPDATE pairing AS x SET status = $2, end_reason = $3, ended_at = now(),"
          " updated_at = now(), version = version + 1"
          " WHERE id = $1 RETURNING x.id, x.version, pairing_json(x)" },
        { "pairing_list",
          "SELECT x.seq, pairing_json(x) FROM pairing x WHERE x.seq > $1"
          " AND ($2::uuid IS NULL OR x.mentor_id = $2)"
          " AND ($3::uuid IS NULL OR x.partner_id = $3)"
          " AND ($4::text IS NULL OR x.status = $4)"
          " AND ($5::uuid IS NULL OR x.mentor_id = $5 OR x.partner_id = $5)"
          " ORDER BY x.seq LIMIT $6" },
        { NULL, NULL },
};

int
people_db_whoami(PGconn *c, const struct principal *who, char id[UUID_STR_LEN])
{
        const char *params[2] = { who->subject, who->email };
        PGresult *res = NULL;
        int rc = db_exec(c, "whoami", 2, params, &res);

        id[0] = '\0';
        if (rc == ST_OK && PQntuples(res) == 1)
                snprintf(id, UUID_STR_LEN, "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
        return rc;
}

int
people_db_mentors(PGconn *c, const char *mentor, const char *partner, bool *yes)
{
        const char *params[2] = { mentor, partner };
        PGresult *res = NULL;
        int rc = db_exec(c, "mentors", 2, params, &res);

        if (rc == ST_OK)
                *yes = PQntuples(res) > 0;
        PQclear(res);
        return rc;
}

int
people_db_tz_valid(PGconn *c, const char *tz, bool *ok)
{
        const char *params[1] = { tz };
        int rc = db_exec(c, "tz_valid", 1, params, NULL);

        *ok = rc == ST_OK;
        return rc == ST_INVALID ? ST_OK : rc;
}

int
people_db_get(PGconn *c, const char *id, struct db_row *out)
{
        const char *params[1] = { id };

        return db_exec_row(c, "person_get", 1, params, out);
}

/* Reads a version and a flag from a locking SELECT. */
static int
lock_row(PGconn *c, const char *stmt, const char *id, long long *version, bool *flag)
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec(c, stmt, 1, params, &res);

        if (rc == ST_OK && PQntuples(res) == 0)
                rc = ST_NOT_FOUND;
        if (rc == ST_OK) {
                *version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
                *flag = PQgetvalue(res, 0, 1)[0] == 't';
        }
        PQclear(res);
        return rc;
}

int
people_db_lock(PGconn *c, const char *id, long long *version, bool *erased)
{
        return lock_row(c, "person_lock", id, version, erased);
}

/* Names the unique field a write collides with, so the 409 says which. */
static int
people_db_taken(PGconn *c, const json_t *j_body, const char *self, struct problem *p)
{
        const char *params[3] = { json_string_value(json_object_get(j_body, "email")),
                                  json_string_value(json_object_get(j_body, "external_id")), self };
        PGresult *res = NULL;
        int rc = db_exec(c, "person_taken", 3, params, &res);
        int n = rc == ST_OK ? PQntuples(res) : 0;

        for (int i = 0; i < n; i++) {
                if (PQgetvalue(res, i, 0)[0] == 't')
                        problem_field(p, "email", "is already in use by another person");
                if (PQgetvalue(res, i, 1)[0] == 't')
                        problem_field(p, "external_id", "is already linked to another person");
        }
        PQclear(res);
        if (rc == ST_OK && n > 0)
                rc = problem_set(p, ST_CONFLICT, NULL, "another person already has these details");
        return rc;
}

static int
write_person(PGconn *c, const char *stmt, int n, const char *const *params,
             const json_t *j_body, const char *self, struct db_row *out, struct problem *p)
{
        int rc = people_db_taken(c, j_body, self, p);

        if (rc == ST_OK)
                rc = db_exec_row(c, stmt, n, params, out);
        if (rc == ST_CONFLICT && problem_field_count(p) == 0)
                rc = ST_RETRY;   /* lost a race with a concurrent write: look again */
        return rc;
}

int
people_db_insert(PGconn *c, const json_t *j_body, struct db_row *out, struct problem *p)
{
        char *body = json_dumps(j_body, JSON_COMPACT);
        const char *params[1] = { body };
        int rc = ST_NOMEM;

        if (body == NULL)
                return rc;
        rc = write_person(c, "person_insert", 1, params, j_body, NULL, out, p);
        free(body);
        return rc;
}

int
people_db_update(PGconn *c, const char *id, const json_t *j_body, struct db_row *out,
                 struct problem *p)
{
        char *body = json_dumps(j_body, JSON_COMPACT);
        const char *params[2] = { id, body };
        int rc = ST_NOMEM;

        if (body == NULL)
                return rc;
        rc = write_person(c, "person_update", 2, params, j_body, id, out, p);
        free(body);
        return rc;
}

int
people_db_erase(PGconn *c, const struct request *rq, const char *id)
{
        const char *params[1] = { id };
        int rc = db_exec(c, "person_erase", 1, params, NULL);

        if (rc == ST_OK)
                rc = people_db_end_pairings(c, rq, id, "person erased", "erased");
        return rc;
}

int
people_db_list(PGconn *c, const struct people_filter *f, const struct page *pg, char **out)
{
        char after[24], limit[16];
        const char *params[7] = { after, f->role, f->status, f->business_unit, f->q,
                                  f->visible_to, limit };

        snprintf(after, sizeof(after), "%lld", (long long)pg->after);
        snprintf(limit, sizeof(limit), "%d", pg->limit + 1);
        return db_exec_page(c, "person_list", 7, params, pg->limit, out);
}

int
pairings_db_get(PGconn *c, const char *id, struct db_row *out, char mentor[UUID_STR_LEN],
                char partner[UUID_STR_LEN])
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec(c, "pairing_get", 1, params, &res);

        if (rc == ST_OK)
                rc = db_row_take(res, out);
        if (rc == ST_OK) {
                snprintf(mentor, UUID_STR_LEN, "%s", PQgetvalue(res, 0, 3));
                snprintf(partner, UUID_STR_LEN, "%s", PQgetvalue(res, 0, 4));
        }
        PQclear(res);
        return rc;
}

int
pairings_db_lock(PGconn *c, const char *id, long long *version, bool *active)
{
        return lock_row(c, "pairing_lock", id, version, active);
}

/* Locks one side of a pairing and checks its role and status. */
static int
pairing_member(PGconn *c, const char *role, const char *field, const char *id,
               long *capacity, struct problem *p)
{
        const char *params[2] = { role, id };
        PGresult *res = NULL;
        int rc = db_exec(c, "pairing_people", 2, params, &res);

        if (rc != ST_OK)
                return rc;
        if (PQntuples(res) == 0 || PQgetvalue(res, 0, 1)[0] != 't'
            || PQgetvalue(res, 0, 2)[0] != 't')
                problem_field(p, field, "must be an active person with the %s role", role);
        else if (capacity != NULL)
                *capacity = strtol(PQgetvalue(res, 0, 3), NULL, 10);
        PQclear(res);
        return ST_OK;
}

static int
pairing_rules(PGconn *c, const char *mentor, const char *partner, long capacity,
              struct problem *p)
{
        const char *params[2] = { mentor, partner };
        PGresult *res = NULL;
        int rc = db_exec(c, "pairing_counts", 2, params, &res);
        long mentoring;

        if (rc != ST_OK)
                return rc;
        mentoring = strtol(PQgetvalue(res, 0, 0), NULL, 10);
        if (mentoring >= capacity)
                problem_field(p, "mentor_id", "mentor is at capacity (%ld)", capacity);
        if (strtol(PQgetvalue(res, 0, 1), NULL, 10) > 0)
                problem_field(p, "partner_id", "partner already has an active mentor");
        PQclear(res);
        return ST_OK;
}

int
pairings_db_insert(PGconn *c, const char *mentor, const char *partner, struct db_row *out,
                   struct problem *p)
{
        const char *params[2] = { mentor, partner };
        long capacity = 0;
        bool mentor_first = strcmp(mentor, partner) < 0;
        int rc;

        /* lock both people in id order, so two concurrent pairings cannot deadlock */
        rc = mentor_first ? pairing_member(c, "mentor", "mentor_id", mentor, &capacity, p)
                          : pairing_member(c, "partner", "partner_id", partner, NULL, p);
        if (rc == ST_OK)
                rc = mentor_first ? pairing_member(c, "partner", "partner_id", partner, NULL, p)
                                  : pairing_member(c, "mentor", "mentor_id", mentor, &capacity, p);
        if (rc == ST_OK && problem_field_count(p) == 0)
                rc = pairing_rules(c, mentor, partner, capacity, p);
        if (rc == ST_OK && problem_field_count(p) > 0)
                return problem_set(p, ST_CONFLICT, NULL, "this pairing breaks a pairing rule");
        if (rc == ST_OK)
                rc = db_exec_row(c, "pairing_insert", 2, params, out);
        return rc;
}

int
pairings_db_end(PGconn *c, const char *id, const char *status, const char *reason,
                struct db_row *out)
{
        const char *params[3] = { id, status, reason };

        return db_exec_row(c, "pairing_end", 3, params, out);
}

int
pairings_db_list(PGconn *c, const struct pairing_filter *f, const struct page *pg, char **out)
{
        char after[24], limit[16];
        const char *params[6] = { after, f->mentor_id, f->partner_id, f->status, f->member, limit };

        snprintf(after, sizeof(after), "%lld", (long long)pg->after);
        snprintf(limit, sizeof(limit), "%d", pg->limit + 1);
        return db_exec_page(c, "pairing_list", 6, params, pg->limit, out);
}

/* Links @who's subject to the person @id found by e-mail: one UPDATE, the first time only. */
static int
admit_link(PGconn *c, const struct principal *who, const char *id, bool *linked)
{
        const char *params[2] = { who->subject, id };
        PGresult *res = NULL;
        int rc = db_exec(c, "admit_link", 2, params, &res);

        *linked = rc == ST_OK && strcmp(PQcmdTuples(res), "1") == 0;
        PQclear(res);
        return rc;
}

int
people_db_admit(PGconn *c, const struct principal *who, struct admission *out)
{
        const char *params[2] = { who->subject, who->email };
        PGresult *res = NULL;
        int rc = db_exec(c, "admit", 2, params, &res);
        bool unlinked = false;

        memset(out, 0, sizeof(*out));
        if (rc == ST_OK && PQntuples(res) == 1) {
                snprintf(out->id, sizeof(out->id), "%s", PQgetvalue(res, 0, 0));
                snprintf(out->status, sizeof(out->status), "%s", PQgetvalue(res, 0, 1));
                unlinked = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
        }
        PQclear(res);
        if (rc == ST_OK && unlinked)
                rc = admit_link(c, who, out->id, &out->linked);
        return rc;
}

int
people_db_jit(PGconn *c, const struct principal *who, const char *name, const char *roles,
              struct admission *out)
{
        const char *params[4] = { who->subject, who->email, name, roles };
        PGresult *res = NULL;
        int rc = db_exec(c, "jit_insert", 4, params, &res);

        if (rc == ST_OK && PQntuples(res) == 1) {
                snprintf(out->id, sizeof(out->id), "%s", PQgetvalue(res, 0, 0));
                snprintf(out->status, sizeof(out->status), "%s", PQgetvalue(res, 0, 1));
                out->created = true;
        }
        PQclear(res);
        return rc;
}

/* Copies column @col of row 0 into @out, or "" when NULL. */
static void
copy_text(const PGresult *res, int col, char *out, size_t outlen)
{
        snprintf(out, outlen, "%s", PQgetisnull(res, 0, col) ? "" : PQgetvalue(res, 0, col));
}

int
people_db_access(PGconn *c, const char *id, struct person_access *out)
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec_one(c, "person_access", 1, params, &res);

        if (rc == ST_OK) {
                out->left = strcmp(PQgetvalue(res, 0, 0), "left") == 0;
                out->roles = access_roles_from_list(PQgetvalue(res, 0, 1));
                copy_text(res, 2, out->subject_sha256, sizeof(out->subject_sha256));
                copy_text(res, 3, out->email_sha256, sizeof(out->email_sha256));
        }
        PQclear(res);
        return rc;
}

int
people_db_end_pairings(PGconn *c, const struct request *rq, const char *id, const char *reason,
                       const char *cause)
{
        const char *params[2] = { id, reason };
        PGresult *res = NULL;
        int rc = db_exec(c, "pairings_end_for", 2, params, &res);

        for (int i = 0; rc == ST_OK && i < PQntuples(res); i++) {
                json_t *j_data = json_pack("{s:s, s:s, s:s, s:s}", "mentor_id",
                                           PQgetvalue(res, i, 2), "partner_id",
                                           PQgetvalue(res, i, 3), "status", "cancelled",
                                           "cause", cause);

                rc = j_data != NULL ? outbox_emit4(c, rq, "tandem.people.pairing.ended",
                                                   PQgetvalue(res, i, 0), PQgetvalue(res, i, 3),
                                                   strtoll(PQgetvalue(res, i, 1), NULL, 10),
                                                   j_data)
                                    : ST_NOMEM;
                json_decref(j_data);
        }
        PQclear(res);
        return rc;
}

int
people_db_erasure_confirm(PGconn *c, const char *id, const char *service, const char *removed)
{
        const char *params[3] = { id, service, removed };

        return db_exec(c, "erasure_confirm", 3, params, NULL);
}

int
people_db_erasure_report(PGconn *c, const char *id, struct db_row *out)
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec_one(c, "erasure_report", 1, params, &res);

        if (rc == ST_OK)
                rc = db_row_take(res, out);
        PQclear(res);
        return rc;
}
