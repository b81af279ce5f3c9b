/*
 * scim_db.c - all SQL of SCIM provisioning: Users are rows of person, Groups
 * are Tandem's roles.  Every value is a parameter.  PostgreSQL renders the
 * SCIM JSON (scim_user_json in sql/0002_scim.sql), so a read passes text on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "scim.h"
#include "status.h"

/* A User as SCIM sees them: not erased and not deleted by the provider. */
#define VISIBLE " p.erased_at IS NULL AND p.scim_deleted_at IS NULL"
#define BY_USER_NAME \
        " (lower(p.user_name) = lower($3) OR (p.user_name IS NULL AND lower(p.email) = lower($3)))"
/*
 * One page and the total: $1 offset, $2 limit, $3 the filter's value.  A
 * filter matches a row or two: "seq + 0" keeps the planner from walking the
 * seq index in order to skip the sort (it would read every row).
 */
#define USERS_PAGE(cond) USERS_PAGE_BY(cond, "p.seq + 0")
#define USERS_PAGE_BY(cond, order) \
        "SELECT t.total, r.n, r.items FROM (SELECT count(*) AS total FROM person p" \
        " WHERE" VISIBLE " AND " cond ") t, (SELECT count(*) AS n," \
        " coalesce(jsonb_agg(x.j ORDER BY x.seq), '[]') AS items FROM (SELECT p.seq," \
        " scim_user_json(p) AS j FROM person p WHERE" VISIBLE " AND " cond \
        " ORDER BY " order " OFFSET $1 LIMIT $2) x) r"
#define FLAT_COLUMNS \
        " user_name = b->>'user_name', external_id = b->>'external_id'," \
        " given_name = b->>'given_name', family_name = b->>'family_name'," \
        " display_name = b->>'display_name', email = b->>'email', title = b->>'title'," \
        " business_unit = b->>'business_unit', timezone = coalesce(b->>'timezone', p.timezone),"

const struct db_stmt scim_stmts[] = {
        { "scim_user_get",
          "SELECT p.id, p.version, scim_user_json(p) FROM person p WHERE p.id = $1 AND" VISIBLE },
        { "scim_user_lock",
          "SELECT p.version, scim_user_flat(p) FROM person p WHERE p.id = $1 AND" VISIBLE
          " FOR UPDATE" },
        { "scim_taken",
          "SELECT p.id, p.scim_deleted_at IS NOT NULL,"
          " coalesce(lower(p.user_name) = lower($1), p.user_name IS NULL"
          "          AND lower(p.email) = lower($1), false),"
          " coalesce(p.external_id = $2, false), coalesce(lower(p.email) = lower($3), false)"
          " FROM person p WHERE p.erased_at IS NULL AND (lower(p.user_name) = lower($1)"
          " OR (p.user_name IS NULL AND lower(p.email) = lower($1)) OR p.external_id = $2"
          " OR lower(p.email) = lower($3)) AND ($4::uuid IS NULL OR p.id <> $4)"
          " ORDER BY p.seq FOR UPDATE" },
        { "scim_insert",
          "INSERT INTO person AS p (user_name, external_id, given_name, family_name,"
          " display_name, email, title, business_unit, timezone, status)"
          " SELECT b->>'user_name', b->>'external_id', b->>'given_name', b->>'family_name',"
          " b->>'display_name', b->>'email', b->>'title', b->>'business_unit',"
          " coalesce(b->>'timezone', 'UTC'),"
          " CASE WHEN (b->>'active')::boolean IS FALSE THEN 'left' ELSE 'active' END"
          " FROM (SELECT $1::jsonb AS b) AS body"
          " RETURNING p.id, p.version, scim_user_json(p), p.status" },
        /* active false: left; active true brings back a person who left, not a paused one */
        { "scim_replace",
          "UPDATE person AS p SET" FLAT_COLUMNS
          " status = CASE WHEN (b->>'active')::boolean IS FALSE THEN 'left'"
          "  WHEN (b->>'active')::boolean AND p.status = 'left' THEN 'active' ELSE p.status END,"
          " scim_deleted_at = NULL, version = p.version + 1, updated_at = now()"
          " FROM (SELECT $2::jsonb AS b) AS body WHERE p.id = $1"
          " RETURNING p.id, p.version, scim_user_json(p), p.status" },
        { "scim_delete",
          "UPDATE person AS p SET status = 'left', scim_deleted_at = now(),"
          " version = p.version + 1, updated_at = now() WHERE p.id = $1 AND" VISIBLE
          " RETURNING p.id" },
        { "scim_users_all", USERS_PAGE_BY("true", "p.seq") },
        { "scim_users_user_name", USERS_PAGE(BY_USER_NAME) },
        { "scim_users_external_id", USERS_PAGE("p.external_id = $3") },
        { "scim_users_email", USERS_PAGE("lower(p.email) = lower($3)") },
        { "scim_users_id", USERS_PAGE("p.id::text = lower($3)") },
        { "scim_groups",
          "SELECT count(*) OVER (), jsonb_strip_nulls(jsonb_build_object("
          " 'schemas', '[\"" SCIM_GROUP_SCHEMA "\"]'::jsonb, 'id', r.role,"
          " 'displayName', r.role, 'members', CASE WHEN $2 THEN (SELECT coalesce(jsonb_agg("
          "  jsonb_build_object('value', m.id, 'display', m.display_name,"
          "  '$ref', '/scim/v2/Users/' || m.id) ORDER BY m.seq), '[]') FROM (SELECT * FROM person p"
          "  WHERE r.role = ANY (p.roles) AND" VISIBLE " ORDER BY p.seq LIMIT 1000) m) END,"
          " 'meta', jsonb_build_object('resourceType', 'Group',"
          "  'location', '/scim/v2/Groups/' || r.role)))"
          " FROM unnest(ARRAY['admin', 'mentor', 'partner', 'comms', 'viewer'])"
          " WITH ORDINALITY AS r(role, n) WHERE ($1::text IS NULL OR r.role = $1)"
          " AND ($5::uuid IS NULL OR EXISTS (SELECT 1 FROM person p WHERE p.id = $5"
          "  AND r.role = ANY (p.roles) AND" VISIBLE "))"
          " ORDER BY r.n OFFSET $3 LIMIT $4" },
        { "scim_members_known",
          "SELECT count(*) FROM person p WHERE p.id = ANY ($1::uuid[]) AND" VISIBLE },
        { "scim_members_add",
          "UPDATE person AS p SET roles = array_append(p.roles, $1), version = p.version + 1,"
          " updated_at = now() WHERE p.id = ANY ($2::uuid[]) AND NOT ($1 = ANY (p.roles))"
          " AND" VISIBLE " RETURNING p.id" },
        { "scim_members_remove",
          "UPDATE person AS p SET roles = array_remove(p.roles, $1), version = p.version + 1,"
          " updated_at = now() WHERE p.id = ANY ($2::uuid[]) AND $1 = ANY (p.roles)"
          " RETURNING p.id" },
        { "scim_members_keep_only",
          "UPDATE person AS p SET roles = array_remove(p.roles, $1), version = p.version + 1,"
          " updated_at = now() WHERE $1 = ANY (p.roles) AND NOT (p.id = ANY ($2::uuid[]))"
          " AND p.erased_at IS NULL RETURNING p.id" },
        { NULL, NULL },
};

int
scim_db_get(PGconn *c, const char *id, struct db_row *out)
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec(c, "scim_user_get", 1, params, &res);

        if (rc == ST_OK)
                rc = db_row_take(res, out);
        PQclear(res);
        return rc;
}

int
scim_db_lock(PGconn *c, const char *id, long long *version, json_t **flat)
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec_one(c, "scim_user_lock", 1, params, &res);

        if (rc == ST_OK) {
                *version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
                *flat = json_loads(PQgetvalue(res, 0, 1), 0, NULL);
                rc = *flat != NULL ? ST_OK : ST_NOMEM;
        }
        PQclear(res);
        return rc;
}

/* The flat member @key as a parameter (NULL when absent or null). */
static const char *
flat_str(const json_t *j_flat, const char *key)
{
        return json_string_value(json_object_get(j_flat, key));
}

/*
 * Looks for other persons with this userName, externalId or e-mail.  Records
 * a uniqueness fault per collision with a live person; a person the provider
 * deleted earlier with the same userName or externalId is offered for
 * revival in @revive ("" when none).
 */
static int
scim_taken(PGconn *c, const json_t *j_flat, const char *self, char revive[UUID_STR_LEN],
           struct problem *p)
{
        const char *params[4] = { flat_str(j_flat, "user_name"), flat_str(j_flat, "external_id"),
                                  flat_str(j_flat, "email"), self };
        PGresult *res = NULL;
        int rc = db_exec(c, "scim_taken", 4, params, &res);
        int n = rc == ST_OK ? PQntuples(res) : 0;

        revive[0] = '\0';
        for (int i = 0; i < n; i++) {
                bool deleted = PQgetvalue(res, i, 1)[0] == 't';
                bool user = PQgetvalue(res, i, 2)[0] == 't', ext = PQgetvalue(res, i, 3)[0] == 't';

                if (deleted && (user || ext) && revive[0] == '\0') {
                        snprintf(revive, UUID_STR_LEN, "%s", PQgetvalue(res, i, 0));
                        continue;
                }
                if (user)
                        problem_field(p, "userName", "is already provisioned");
                if (ext)
                        problem_field(p, "externalId", "is already provisioned");
                if (PQgetvalue(res, i, 4)[0] == 't')
                        problem_field(p, "emails", "is another person's e-mail address");
        }
        PQclear(res);
        if (rc == ST_OK && problem_field_count(p) > 0)
                rc = problem_set(p, ST_CONFLICT, "uniqueness", "another person already has"
                                 " this userName, externalId or e-mail address");
        return rc;
}

/*
 * Runs a write returning id, version, json, status.  A person who left loses
 * their pairings in the handler (people_access_changed), each with its event.
 */
static int
write_user(PGconn *c, const char *stmt, int n, const char *const *params, struct db_row *out)
{
        PGresult *res = NULL;
        int rc = db_exec(c, stmt, n, params, &res);

        if (rc == ST_OK)
                rc = db_row_take(res, out);
        PQclear(res);
        if (rc == ST_CONFLICT)
                rc = ST_RETRY;  /* lost a race with a concurrent write: look again */
        return rc;
}

/* The flat person as one jsonb parameter (a new string). */
static char *
flat_text(const json_t *j_flat)
{
        return json_dumps(j_flat, JSON_COMPACT);
}

int
scim_db_replace(PGconn *c, const char *id, const json_t *j_flat, struct db_row *out,
                struct problem *p)
{
        char revive[UUID_STR_LEN];
        char *body = NULL;
        const char *params[2] = { id, NULL };
        int rc = scim_taken(c, j_flat, id, revive, p);

        if (rc != ST_OK)
                return rc;
        body = flat_text(j_flat);
        if (body == NULL)
                return ST_NOMEM;
        params[1] = body;
        rc = write_user(c, "scim_replace", 2, params, out);
        free(body);
        return rc;
}

int
scim_db_create(PGconn *c, const json_t *j_flat, struct db_row *out, bool *revived,
               struct problem *p)
{
        char revive[UUID_STR_LEN];
        char *body = NULL;
        const char *params[1] = { NULL };
        int rc = scim_taken(c, j_flat, NULL, revive, p);

        if (rc != ST_OK)
                return rc;
        *revived = revive[0] != '\0';
        if (*revived)
                return scim_db_replace(c, revive, j_flat, out, p);
        body = flat_text(j_flat);
        if (body == NULL)
                return ST_NOMEM;
        params[0] = body;
        rc = write_user(c, "scim_insert", 1, params, out);
        free(body);
        return rc;
}

int
scim_db_delete(PGconn *c, const char *id)
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec_one(c, "scim_delete", 1, params, &res);

        PQclear(res);
        return rc;   /* the pairings end in the handler (people_access_changed) */
}

/* {schemas, totalResults, startIndex, itemsPerPage, Resources} around the rows' text. */
static char *
list_response(const char *total, const char *n, long start, const char *items)
{
        struct buf b = BUF_INIT;

        buf_fmt(&b, "{\"schemas\":[\"%s\"],\"totalResults\":%s,\"startIndex\":%ld,"
                "\"itemsPerPage\":%s,\"Resources\":", SCIM_LIST_SCHEMA, total, start, n);
        buf_puts(&b, items);
        buf_puts(&b, "}");
        return buf_detach(&b);
}

static const char *
list_stmt(enum scim_filter_attr attr)
{
        switch (attr) {
        case SCIM_FILTER_USERNAME:
                return "scim_users_user_name";
        case SCIM_FILTER_EXTERNAL_ID:
                return "scim_users_external_id";
        case SCIM_FILTER_EMAIL:
                return "scim_users_email";
        case SCIM_FILTER_ID:
                return "scim_users_id";
        case SCIM_FILTER_DISPLAY_NAME:
        case SCIM_FILTER_NONE:
                break;
        }
        return "scim_users_all";
}

int
scim_db_list(PGconn *c, const struct scim_filter *f, long start, long count, char **out)
{
        char offset[24], limit[24];
        const char *params[3] = { offset, limit, f->value };
        PGresult *res = NULL;
        int rc;

        snprintf(offset, sizeof(offset), "%ld", start - 1);
        snprintf(limit, sizeof(limit), "%ld", count);
        rc = db_exec(c, list_stmt(f->attr), f->attr == SCIM_FILTER_NONE ? 2 : 3, params, &res);
        if (rc == ST_OK) {
                *out = list_response(PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), start,
                                     PQgetvalue(res, 0, 2));
                rc = *out != NULL ? ST_OK : ST_NOMEM;
        }
        PQclear(res);
        return rc;
}

/* Runs the groups query; @res rows are (total, group json). */
static int
groups_query(PGconn *c, const char *role, const char *member, bool members, long start,
             long count, PGresult **res)
{
        char offset[24], limit[24];
        const char *params[5] = { role, members ? "true" : "false", offset, limit,
                                  member != NULL && member[0] != '\0' ? member : NULL };

        snprintf(offset, sizeof(offset), "%ld", start - 1);
        snprintf(limit, sizeof(limit), "%ld", count);
        return db_exec(c, "scim_groups", 5, params, res);
}

int
scim_db_groups(PGconn *c, const char *role, const char *member, bool members, long start,
               long count, char **out)
{
        struct buf items = BUF_INIT;
        PGresult *res = NULL;
        char n[16], *text;
        int rc = groups_query(c, role, member, members, start, count, &res);
        int rows = rc == ST_OK ? PQntuples(res) : 0;

        buf_puts(&items, "[");
        for (int i = 0; i < rows; i++) {
                buf_puts(&items, i > 0 ? "," : "");
                buf_puts(&items, PQgetvalue(res, i, 1));
        }
        buf_puts(&items, "]");
        text = buf_detach(&items);
        snprintf(n, sizeof(n), "%d", rows);
        if (rc == ST_OK && text != NULL)
                *out = list_response(rows > 0 ? PQgetvalue(res, 0, 0) : "0", n, start, text);
        if (rc == ST_OK && (text == NULL || *out == NULL))
                rc = ST_NOMEM;
        free(text);
        PQclear(res);
        return rc;
}

int
scim_db_group(PGconn *c, const char *role, bool members, char **out)
{
        PGresult *res = NULL;
        int rc = groups_query(c, role, NULL, members, 1, 1, &res);

        if (rc == ST_OK && PQntuples(res) == 0)
                rc = ST_NOT_FOUND;
        if (rc == ST_OK) {
                *out = strdup(PQgetvalue(res, 0, 1));
                rc = *out != NULL ? ST_OK : ST_NOMEM;
        }
        PQclear(res);
        return rc;
}

/* The ids of @j_ids as a PostgreSQL array literal (a new string). */
static char *
uuid_array(const json_t *j_ids)
{
        struct buf b = BUF_INIT;
        const json_t *j_id;
        size_t i;

        buf_puts(&b, "{");
        json_array_foreach(j_ids, i, j_id) {
                buf_puts(&b, i > 0 ? "," : "");
                buf_puts(&b, json_string_value(j_id));   /* checked: UUIDs only */
        }
        buf_puts(&b, "}");
        return buf_detach(&b);
}

/* Every id in @ids (a literal of @n distinct or repeated ids) is a visible User. */
static int
members_known(PGconn *c, const char *ids, const json_t *j_ids, struct problem *p)
{
        const char *params[1] = { ids };
        PGresult *res = NULL;
        json_t *j_seen = json_object();
        const json_t *j_id;
        size_t i;
        int rc = j_seen != NULL ? db_exec(c, "scim_members_known", 1, params, &res) : ST_NOMEM;

        json_array_foreach(j_ids, i, j_id)
                json_object_set_new(j_seen, json_string_value(j_id), json_true());
        if (rc == ST_OK &&
            strtoll(PQgetvalue(res, 0, 0), NULL, 10) != (long long)json_object_size(j_seen))
                rc = problem_set(p, ST_INVALID, "invalidValue",
                                 "a member is not a provisioned User");
        PQclear(res);
        json_decref(j_seen);
        return rc;
}

/* Runs the members statement @stmt for @role and the ids of @j_ids. */
static int
members_exec(PGconn *c, const char *stmt, const char *role, const json_t *j_ids,
             json_t *j_changed)
{
        char *ids = uuid_array(j_ids);
        const char *params[2] = { role, ids };
        PGresult *res = NULL;
        int rc = ids != NULL ? db_exec(c, stmt, 2, params, &res) : ST_NOMEM;

        for (int i = 0; rc == ST_OK && i < PQntuples(res); i++)
                if (json_array_append_new(j_changed, json_string(PQgetvalue(res, i, 0))) != 0)
                        rc = ST_NOMEM;
        PQclear(res);
        free(ids);
        return rc;
}

int
scim_db_group_members(PGconn *c, const char *role, const struct scim_members *m,
                      json_t *j_gained, json_t *j_lost, struct problem *p)
{
        char *ids = uuid_array(m->j_add);
        int rc = ids != NULL ? ST_OK : ST_NOMEM;

        if (rc == ST_OK && json_array_size(m->j_add) > 0)
                rc = members_known(c, ids, m->j_add, p);
        free(ids);
        if (rc == ST_OK && m->replace)
                rc = members_exec(c, "scim_members_keep_only", role, m->j_add, j_lost);
        if (rc == ST_OK && json_array_size(m->j_add) > 0)
                rc = members_exec(c, "scim_members_add", role, m->j_add, j_gained);
        if (rc == ST_OK && json_array_size(m->j_remove) > 0)
                rc = members_exec(c, "scim_members_remove", role, m->j_remove, j_lost);
        return rc;
}
