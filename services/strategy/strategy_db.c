/*
 * strategy_db.c - all SQL of the strategy service: the statement table and
 * the typed functions handlers call.  Every value is a parameter; JSON
 * documents travel as jsonb text and are rendered back by the schema's
 * *_json() functions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "strategy.h"

/* The validated body's ($2) member m, or the stored column when m is absent. */
#define KEEP(m, col) \
        col " = CASE WHEN $2::jsonb ? '" m "' THEN $2::jsonb->'" m "' ELSE " col " END, "

/* The three policy lists, each [] when not given. */
#define POLICIES(b) \
        "jsonb_build_object('off_limits_topics', coalesce(" b "->'off_limits_topics', '[]'),"   \
        " 'off_limits_terms', coalesce(" b "->'off_limits_terms', '[]'),"                      \
        " 'disclosure_rules', coalesce(" b "->'disclosure_rules', '[]'))"

/* Publishing takes this lock exclusively; integrations and sign-offs share it. */
#define PUBLISH_LOCK "hashtext('tandem.strategy.publish')"

const struct db_stmt strategy_stmts[] = {
        /* ---- playbooks ---- */
        { "playbook_owner", "SELECT partner_id FROM playbook WHERE id = $1" },
        { "playbook_get",
          "SELECT p.id, p.version, playbook_json(p), p.partner_id FROM playbook p"
          " WHERE p.id = $1" },
        { "playbook_lock",
          "SELECT partner_id, version, revision, content, section_status FROM playbook"
          " WHERE id = $1 FOR UPDATE" },
        { "playbook_insert",
          "INSERT INTO playbook AS p (partner_id, programme_id, content, section_status)"
          " VALUES ($1, $2, $3, $4) RETURNING p.id, p.version, playbook_json(p)" },
        { "playbook_save",
          "UPDATE playbook AS p SET content = $2, section_status = $3, revision = revision + 1,"
          " version = version + 1, updated_at = now()"
          " WHERE id = $1 RETURNING p.id, p.version, playbook_json(p), p.revision" },
        { "revision_insert",
          "INSERT INTO playbook_revision (playbook_id, revision, content, changed, author_id)"
          " VALUES ($1, $2, $3, ARRAY(SELECT jsonb_array_elements_text($4::jsonb)), $5)" },
        { "playbook_set_status",
          "UPDATE playbook AS p SET section_status = $2, version = version + 1,"
          " updated_at = now() WHERE id = $1 RETURNING p.id, p.version, playbook_json(p)" },
        { "playbook_list",
          "SELECT p.seq, playbook_summary_json(p) FROM playbook p WHERE p.seq > $1"
          " AND ($2::uuid IS NULL OR p.partner_id = $2)"
          " AND ($3::uuid IS NULL OR p.programme_id = $3)"
          " AND ($4::uuid IS NULL OR p.partner_id = $4)"
          " ORDER BY p.seq LIMIT $5" },
        { "revision_list",
          "SELECT r.seq, revision_summary_json(r) FROM playbook_revision r"
          " WHERE r.playbook_id = $1 AND r.seq > $2 ORDER BY r.seq LIMIT $3" },
        { "revision_get",
          "SELECT revision_json(r) FROM playbook_revision r"
          " WHERE r.playbook_id = $1 AND r.revision = $2" },
        { "comment_insert",
          "INSERT INTO playbook_comment AS c (playbook_id, section, revision, author_id,"
          " author_role, body)"
          " SELECT p.id, $2, p.revision, $3, $4, $5 FROM playbook p WHERE p.id = $1"
          " RETURNING c.id, 1, comment_json(c)" },
        { "comment_list",
          "SELECT c.seq, comment_json(c) FROM playbook_comment c WHERE c.playbook_id = $1"
          " AND ($2::text IS NULL OR c.section = $2) AND c.seq > $3 ORDER BY c.seq LIMIT $4" },

        /* ---- the business strategy ---- */
        { "business_current",
          "SELECT v.id, v.version, strategy_version_json(v) FROM strategy_version v"
          " WHERE v.is_current" },
        { "business_get",
          "SELECT v.id, v.version, strategy_version_json(v), v.status = 'published'"
          " FROM strategy_version v WHERE v.id = $1" },
        { "business_lock",
          "SELECT version, status = 'published' FROM strategy_version WHERE id = $1 FOR UPDATE" },
        { "business_insert",
          "INSERT INTO strategy_version AS v (number, title, pillars, pillar_keys, channels,"
          " policies, kpis, created_by)"
          " SELECT coalesce((SELECT max(number) FROM strategy_version), 0) + 1, b->>'title',"
          " b->'pillars', ARRAY(SELECT jsonb_array_elements_text($2::jsonb)),"
          " coalesce(b->'channels', '[]'), " POLICIES("b->'policies'") ","
          " coalesce(b->'kpis', '[]'), $3"
          " FROM (SELECT $1::jsonb AS b) AS body"
          " RETURNING v.id, v.version, strategy_version_json(v)" },
        { "business_update",
          "UPDATE strategy_version AS v SET "
          " title = CASE WHEN $2::jsonb ? 'title' THEN $2::jsonb->>'title' ELSE title END,"
          KEEP("pillars", "pillars") KEEP("channels", "channels")
          KEEP("kpis", "kpis")
          " policies = CASE WHEN $2::jsonb ? 'policies' THEN " POLICIES("$2::jsonb->'policies'")
          " ELSE policies END,"
          " pillar_keys = CASE WHEN $3::jsonb IS NULL THEN pillar_keys"
          "  ELSE ARRAY(SELECT jsonb_array_elements_text($3::jsonb)) END,"
          " version = version + 1, updated_at = now()"
          " WHERE id = $1 RETURNING v.id, v.version, strategy_version_json(v)" },
        { "business_publish_lock", "SELECT pg_advisory_xact_lock(" PUBLISH_LOCK ")" },
        { "business_share_lock", "SELECT pg_advisory_xact_lock_shared(" PUBLISH_LOCK ")" },
        { "business_unset_current",
          "UPDATE strategy_version SET is_current = false, version = version + 1,"
          " updated_at = now() WHERE is_current" },
        { "business_publish",
          "UPDATE strategy_version AS v SET status = 'published', is_current = true,"
          " published_at = now(), published_by = $2, version = version + 1, updated_at = now()"
          " WHERE id = $1 RETURNING v.id, v.version, strategy_version_json(v)" },
        { "business_list",
          "SELECT v.seq, strategy_version_summary_json(v) FROM strategy_version v"
          " WHERE v.seq > $1 AND ($2::text IS NULL OR v.status = $2)"
          " AND ($3::boolean OR v.status = 'published') ORDER BY v.seq LIMIT $4" },
        { "business_state",
          "SELECT id, number, pillars, channels, policies FROM strategy_version WHERE is_current" },
        /* per pillar of the current strategy, how many operational leaders carry it */
        { "business_coverage",
          "WITH cur AS (SELECT id, number, pillars, pillar_keys FROM strategy_version"
          "             WHERE is_current),"
          " per AS (SELECT p.ord, p.value->>'name' AS name,"
          "         (SELECT count(*) FROM (SELECT DISTINCT c.partner_id FROM carried_pillar c"
          "           WHERE c.pillar_key = cur.pillar_keys[p.ord::int]"
          "           AND ($1::uuid IS NULL OR c.programme_id = $1::uuid)) AS d) AS leaders"
          "         FROM cur CROSS JOIN LATERAL"
          "              jsonb_array_elements(cur.pillars) WITH ORDINALITY AS p(value, ord))"
          " SELECT json_build_object('strategy_version_id', cur.id,"
          "  'strategy_number', cur.number, 'programme_id', $1::uuid,"
          "  'operational_leaders', (SELECT count(*) FROM (SELECT DISTINCT partner_id"
          "    FROM operational_leader WHERE $1::uuid IS NULL OR programme_id = $1::uuid) AS d),"
          "  'pillars', coalesce((SELECT json_agg(json_build_object('pillar', name,"
          "             'leaders', leaders) ORDER BY ord) FROM per), '[]'),"
          "  'silent_pillars', coalesce((SELECT json_agg(name ORDER BY ord) FROM per"
          "             WHERE leaders = 0), '[]'))"
          " FROM cur" },

        /* ---- integrations ---- */
        { "integration_find",
          "SELECT i.id, i.version, integration_json(i) FROM integration i"
          " WHERE i.playbook_id = $1 AND i.playbook_revision = $2"
          " AND i.strategy_version_id = $3" },
        { "integration_supersede",
          "UPDATE integration SET status = 'superseded', version = version + 1,"
          " updated_at = now() WHERE playbook_id = $1 AND status = 'pending_review'" },
        { "integration_insert",
          "INSERT INTO integration AS i (playbook_id, partner_id, programme_id,"
          " playbook_revision, strategy_version_id, strategy_number, alignment, score,"
          " pillar_keys, requested_by)"
          " SELECT p.id, p.partner_id, p.programme_id, $2, $3, $4, $5, $6,"
          " ARRAY(SELECT jsonb_array_elements_text($7::jsonb)), $8"
          " FROM playbook p WHERE p.id = $1"
          " RETURNING i.id, i.version, integration_json(i)" },
        { "integration_get",
          "SELECT i.id, i.version, integration_json(i), i.partner_id FROM integration i"
          " WHERE i.id = $1" },
        { "integration_lock",
          "SELECT version, status, playbook_id, playbook_revision, strategy_version_id"
          " FROM integration WHERE id = $1 FOR UPDATE" },
        { "integration_currency",
          "SELECT (SELECT revision FROM playbook WHERE id = $1 FOR UPDATE),"
          " (SELECT id FROM strategy_version WHERE is_current)" },
        { "integration_decide",
          "UPDATE integration AS i SET status = $2, review_comment = $3, decided_by = $4,"
          " decided_at = now(), version = version + 1, updated_at = now()"
          " WHERE id = $1 RETURNING i.id, i.version, integration_json(i)" },
        { "playbook_sign_off",
          "WITH p AS (UPDATE playbook SET operational_at = coalesce(operational_at, now()),"
          "  signed_off_at = now(), signed_off_integration_id = $2, version = version + 1,"
          "  updated_at = now() WHERE id = $1 RETURNING id, partner_id, programme_id)"
          " INSERT INTO operational_leader AS o (playbook_id, partner_id, programme_id,"
          "  signed_off_at) SELECT p.id, p.partner_id, p.programme_id, now() FROM p"
          " ON CONFLICT (playbook_id) DO UPDATE SET signed_off_at = excluded.signed_off_at" },
        { "carried_clear", "DELETE FROM carried_pillar WHERE playbook_id = $1" },
        { "carried_insert",
          "INSERT INTO carried_pillar (pillar_key, partner_id, programme_id, playbook_id)"
          " SELECT DISTINCT k, o.partner_id, o.programme_id, o.playbook_id"
          " FROM operational_leader o, integration i, unnest(i.pillar_keys) AS k"
          " WHERE o.playbook_id = $1 AND i.id = $2" },
        { "integration_list",
          "SELECT i.seq, integration_summary_json(i) FROM integration i WHERE i.seq > $1"
          " AND ($2::uuid IS NULL OR i.playbook_id = $2)"
          " AND ($3::uuid IS NULL OR i.partner_id = $3)"
          " AND ($4::uuid IS NULL OR i.programme_id = $4)"
          " AND ($5::text IS NULL OR i.status = $5)"
          " AND ($6::uuid IS NULL OR i.partner_id = $6)"
          " ORDER BY i.seq LIMIT $7" },

        /* ---- evidence and statistics ---- */
        { "evidence_get",
          "SELECT json_build_object('person_id', $1::uuid,"
          " 'playbook_sections_drafted', coalesce((SELECT json_agg(s.name ORDER BY s.ord)"
          "   FROM unnest(playbook_sections()) WITH ORDINALITY AS s(name, ord)"
          "   WHERE p.section_status->>s.name IN ('draft', 'ready_for_review', 'reviewed')),"
          "   '[]'),"
          " 'integration_signed_off', p.signed_off_at IS NOT NULL,"
          " 'signed_off_at', p.signed_off_at)"
          " FROM (SELECT 1) AS one LEFT JOIN LATERAL"
          " (SELECT section_status, signed_off_at FROM playbook WHERE partner_id = $1::uuid"
          "  AND ($2::uuid IS NULL OR programme_id = $2::uuid) ORDER BY seq DESC LIMIT 1) AS p"
          " ON true" },
        { "stats_get",
          "WITH pb AS (SELECT section_status, signed_off_at FROM playbook"
          "            WHERE $1::uuid IS NULL OR programme_id = $1::uuid),"
          " ig AS (SELECT status FROM integration"
          "        WHERE $1::uuid IS NULL OR programme_id = $1::uuid)"
          " SELECT json_build_object('programme_id', $1::uuid,"
          "  'playbooks', (SELECT count(*) FROM pb),"
          "  'all_sections_drafted', (SELECT count(*) FROM pb WHERE NOT EXISTS"
          "    (SELECT 1 FROM jsonb_each_text(pb.section_status) AS e WHERE e.value = 'empty')),"
          "  'operational', (SELECT count(*) FROM pb WHERE signed_off_at IS NOT NULL),"
          "  'sections', (SELECT json_object_agg(x.name, x.counts ORDER BY x.ord) FROM"
          "    (SELECT s.name, s.ord, json_build_object("
          "       'empty', count(pb.*) FILTER (WHERE pb.section_status->>s.name = 'empty'),"
          "       'draft', count(pb.*) FILTER (WHERE pb.section_status->>s.name = 'draft'),"
          "       'ready_for_review',"
          "         count(pb.*) FILTER (WHERE pb.section_status->>s.name = 'ready_for_review'),"
          "       'reviewed', count(pb.*) FILTER (WHERE pb.section_status->>s.name = 'reviewed'))"
          "       AS counts"
          "     FROM unnest(playbook_sections()) WITH ORDINALITY AS s(name, ord)"
          "     LEFT JOIN pb ON true GROUP BY s.name, s.ord) AS x),"
          "  'integrations', (SELECT json_build_object("
          "    'pending_review', count(*) FILTER (WHERE status = 'pending_review'),"
          "    'signed_off', count(*) FILTER (WHERE status = 'signed_off'),"
          "    'returned', count(*) FILTER (WHERE status = 'returned'),"
          "    'superseded', count(*) FILTER (WHERE status = 'superseded')) FROM ig))" },
        /* erasure of $1 (access.h): their playbook's words go; its sections' statuses stay */
        { "person_erase",
          "WITH pb AS (UPDATE playbook SET content = (SELECT coalesce(jsonb_object_agg(k,"
          "   'null'::jsonb), '{}') FROM jsonb_object_keys(content) k),"
          "   version = version + 1, updated_at = now() WHERE partner_id = $1 RETURNING id),"
          " rv AS (UPDATE playbook_revision SET content = (SELECT coalesce(jsonb_object_agg(k,"
          "   'null'::jsonb), '{}') FROM jsonb_object_keys(content) k)"
          "  WHERE author_id = $1 OR playbook_id IN (SELECT id FROM pb) RETURNING 1),"
          " cm AS (UPDATE playbook_comment SET body = 'erased'"
          "  WHERE author_id = $1 OR playbook_id IN (SELECT id FROM pb) RETURNING 1),"
          " ig AS (UPDATE integration SET review_comment = NULL WHERE partner_id = $1"
          "  RETURNING 1)"
          " SELECT jsonb_build_object('playbooks', (SELECT count(*) FROM pb),"
          "  'playbook_revisions', (SELECT count(*) FROM rv),"
          "  'playbook_comments', (SELECT count(*) FROM cm),"
          "  'integration_comments', (SELECT count(*) FROM ig))::text" },
        { NULL, NULL },
};

/* ---- helpers ------------------------------------------------------------------------- */

/* A compact JSON text of @j (malloc'd), NULL for NULL or out of memory. */
static char *
dump(const json_t *j)
{
        return j != NULL ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
}

/* Runs @stmt and copies the text of row 0, column 0 into *@out (malloc'd). */
static int
exec_text(PGconn *c, const char *stmt, int n, const char *const *params, char **out)
{
        PGresult *res = NULL;
        int rc = db_exec(c, stmt, n, params, &res);

        if (rc == ST_OK && PQntuples(res) == 0)
                rc = ST_NOT_FOUND;
        if (rc == ST_OK) {
                *out = strdup(PQgetvalue(res, 0, 0));
                rc = *out != NULL ? ST_OK : ST_NOMEM;
        }
        PQclear(res);
        return rc;
}

/* Formats the keyset position and the page size (+ 1) of @pg. */
static void
page_params(const struct page *pg, char after[24], char limit[16])
{
        snprintf(after, 24, "%lld", (long long)pg->after);
        snprintf(limit, 16, "%d", pg->limit + 1);
}

static void
copy_uuid(char out[UUID_STR_LEN], const PGresult *res, int row, int col)
{
        snprintf(out, UUID_STR_LEN, "%s", PQgetvalue(res, row, col));
}

/* ---- playbooks ------------------------------------------------------------------------ */

void
playbook_state_release(struct playbook_state *s)
{
        if (s == NULL)
                return;
        json_decref(s->j_content);
        json_decref(s->j_status);
        memset(s, 0, sizeof(*s));
}

int
playbook_db_owner(PGconn *c, const char *id, char partner_id[UUID_STR_LEN])
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec_one(c, "playbook_owner", 1, params, &res);

        if (rc == ST_OK)
                copy_uuid(partner_id, res, 0, 0);
        PQclear(res);
        return rc;
}

int
playbook_db_get(PGconn *c, const char *id, struct db_row *out, char partner_id[UUID_STR_LEN])
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec(c, "playbook_get", 1, params, &res);

        if (rc == ST_OK)
                rc = db_row_take(res, out);
        if (rc == ST_OK)
                copy_uuid(partner_id, res, 0, 3);
        PQclear(res);
        return rc;
}

int
playbook_db_lock(PGconn *c, const char *id, struct playbook_state *out)
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec_one(c, "playbook_lock", 1, params, &res);

        if (rc != ST_OK)
                goto out;
        copy_uuid(out->partner_id, res, 0, 0);
        out->version = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
        out->revision = (int)strtol(PQgetvalue(res, 0, 2), NULL, 10);
        out->j_content = json_loads(PQgetvalue(res, 0, 3), 0, NULL);
        out->j_status = json_loads(PQgetvalue(res, 0, 4), 0, NULL);
        if (out->j_content == NULL || out->j_status == NULL)
                rc = ST_NOMEM;
out:
        PQclear(res);
        return rc;
}

static int
revision_insert(PGconn *c, const char *id, const char *revision, const char *content,
                const char *changed, const char *author)
{
        const char *params[5] = { id, revision, content, changed, author };

        return db_exec(c, "revision_insert", 5, params, NULL);
}

int
playbook_db_insert(PGconn *c, const char *partner_id, const char *programme_id,
                   const json_t *j_content, const json_t *j_status, const json_t *j_changed,
                   struct db_row *out)
{
        char *content = dump(j_content), *status = dump(j_status), *changed = dump(j_changed);
        const char *params[4] = { partner_id, programme_id, content, status };
        int rc = content != NULL && status != NULL && changed != NULL ? ST_OK : ST_NOMEM;

        if (rc == ST_OK)
                rc = db_exec_row(c, "playbook_insert", 4, params, out);
        if (rc == ST_OK)
                rc = revision_insert(c, out->id, "1", content, changed, partner_id);
        free(content);
        free(status);
        free(changed);
        return rc;
}

int
playbook_db_save(PGconn *c, const char *id, const char *author_id, const json_t *j_content,
                 const json_t *j_status, const json_t *j_changed, struct db_row *out)
{
        char *content = dump(j_content), *status = dump(j_status), *changed = dump(j_changed);
        const char *params[3] = { id, content, status };
        PGresult *res = NULL;
        int rc = content != NULL && status != NULL && changed != NULL ? ST_OK : ST_NOMEM;

        if (rc == ST_OK)
                rc = db_exec(c, "playbook_save", 3, params, &res);
        if (rc == ST_OK)
                rc = db_row_take(res, out);
        if (rc == ST_OK)
                rc = revision_insert(c, id, PQgetvalue(res, 0, 3), content, changed, author_id);
        PQclear(res);
        free(content);
        free(status);
        free(changed);
        return rc;
}

int
playbook_db_set_status(PGconn *c, const char *id, const json_t *j_status, struct db_row *out)
{
        char *status = dump(j_status);
        const char *params[2] = { id, status };
        int rc = status != NULL ? db_exec_row(c, "playbook_set_status", 2, params, out) : ST_NOMEM;

        free(status);
        return rc;
}

int
playbook_db_list(PGconn *c, const struct playbook_filter *f, const struct page *pg, char **out)
{
        char after[24], limit[16];
        const char *params[5] = { after, f->partner_id, f->programme_id, f->visible_to, limit };

        page_params(pg, after, limit);
        return db_exec_page(c, "playbook_list", 5, params, pg->limit, out);
}

int
revision_db_list(PGconn *c, const char *playbook_id, const struct page *pg, char **out)
{
        char after[24], limit[16];
        const char *params[3] = { playbook_id, after, limit };

        page_params(pg, after, limit);
        return db_exec_page(c, "revision_list", 3, params, pg->limit, out);
}

int
revision_db_get(PGconn *c, const char *playbook_id, int revision, char **out)
{
        char rev[16];
        const char *params[2] = { playbook_id, rev };

        snprintf(rev, sizeof(rev), "%d", revision);
        return exec_text(c, "revision_get", 2, params, out);
}

int
comment_db_insert(PGconn *c, const char *playbook_id, const json_t *j_body,
                  const char *author_id, const char *role, struct db_row *out)
{
        const char *params[5] = { playbook_id,
                                  json_string_value(json_object_get(j_body, "section")),
                                  author_id[0] != '\0' ? author_id : NULL, role,
                                  json_string_value(json_object_get(j_body, "body")) };

        return db_exec_row(c, "comment_insert", 5, params, out);
}

int
comment_db_list(PGconn *c, const char *playbook_id, const char *section, const struct page *pg,
                char **out)
{
        char after[24], limit[16];
        const char *params[4] = { playbook_id, section, after, limit };

        page_params(pg, after, limit);
        return db_exec_page(c, "comment_list", 4, params, pg->limit, out);
}

/* ---- the business strategy ----------------------------------------------------------------- */

int
business_db_current(PGconn *c, struct db_row *out)
{
        return db_exec_row(c, "business_current", 0, NULL, out);
}

int
business_db_get(PGconn *c, const char *id, struct db_row *out, bool *published)
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec(c, "business_get", 1, params, &res);

        if (rc == ST_OK)
                rc = db_row_take(res, out);
        if (rc == ST_OK)
                *published = PQgetvalue(res, 0, 3)[0] == 't';
        PQclear(res);
        return rc;
}

int
business_db_lock(PGconn *c, const char *id, long long *version, bool *published)
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec_one(c, "business_lock", 1, params, &res);

        if (rc == ST_OK) {
                *version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
                *published = PQgetvalue(res, 0, 1)[0] == 't';
        }
        PQclear(res);
        return rc;
}

int
business_db_insert(PGconn *c, const json_t *j_body, const json_t *j_keys, const char *author_id,
                   struct db_row *out)
{
        char *body = dump(j_body), *keys = dump(j_keys);
        const char *params[3] = { body, keys, author_id[0] != '\0' ? author_id : NULL };
        int rc = body != NULL && keys != NULL ? ST_OK : ST_NOMEM;

        if (rc == ST_OK)
                rc = db_exec_row(c, "business_insert", 3, params, out);
        if (rc == ST_CONFLICT)
                rc = ST_RETRY;   /* another version took this number meanwhile: count again */
        free(body);
        free(keys);
        return rc;
}

int
business_db_update(PGconn *c, const char *id, const json_t *j_body, const json_t *j_keys,
                   struct db_row *out)
{
        char *body = dump(j_body), *keys = dump(j_keys);
        const char *params[3] = { id, body, keys };
        int rc = body != NULL && (keys != NULL || j_keys == NULL) ? ST_OK : ST_NOMEM;

        if (rc == ST_OK)
                rc = db_exec_row(c, "business_update", 3, params, out);
        free(body);
        free(keys);
        return rc;
}

int
business_db_share_lock(PGconn *c)
{
        return db_exec(c, "business_share_lock", 0, NULL, NULL);
}

int
business_db_publish(PGconn *c, const char *id, const char *author_id, struct db_row *out)
{
        const char *params[2] = { id, author_id[0] != '\0' ? author_id : NULL };
        int rc = db_exec(c, "business_unset_current", 0, NULL, NULL);

        if (rc == ST_OK)
                rc = db_exec_row(c, "business_publish", 2, params, out);
        return rc;
}

/* Publishing is serialised: exactly one current version at every commit. */
int
business_db_publish_lock(PGconn *c)
{
        return db_exec(c, "business_publish_lock", 0, NULL, NULL);
}

int
business_db_list(PGconn *c, const char *status, bool drafts, const struct page *pg, char **out)
{
        char after[24], limit[16];
        const char *params[4] = { after, status, drafts ? "true" : "false", limit };

        page_params(pg, after, limit);
        return db_exec_page(c, "business_list", 4, params, pg->limit, out);
}

int
business_db_coverage(PGconn *c, const char *programme_id, char **out)
{
        const char *params[1] = { programme_id };

        return exec_text(c, "business_coverage", 1, params, out);
}

void
strategy_state_release(struct strategy_state *s)
{
        if (s == NULL)
                return;
        json_decref(s->j_strategy);
        memset(s, 0, sizeof(*s));
}

int
business_db_current_state(PGconn *c, struct strategy_state *out)
{
        PGresult *res = NULL;
        int rc = db_exec_one(c, "business_state", 0, NULL, &res);

        if (rc != ST_OK)
                goto out;
        copy_uuid(out->id, res, 0, 0);
        out->number = (int)strtol(PQgetvalue(res, 0, 1), NULL, 10);
        out->j_strategy = json_pack("{s:i, s:o?, s:o?, s:o?}", "number", out->number,
                                    "pillars", json_loads(PQgetvalue(res, 0, 2), 0, NULL),
                                    "channels", json_loads(PQgetvalue(res, 0, 3), 0, NULL),
                                    "policies", json_loads(PQgetvalue(res, 0, 4), 0, NULL));
        if (out->j_strategy == NULL)
                rc = ST_NOMEM;
out:
        PQclear(res);
        return rc;
}

/* ---- integrations -------------------------------------------------------------------------- */

int
integration_db_find(PGconn *c, const char *playbook_id, int revision, const char *strategy_id,
                    struct db_row *out)
{
        char rev[16];
        const char *params[3] = { playbook_id, rev, strategy_id };

        snprintf(rev, sizeof(rev), "%d", revision);
        return db_exec_row(c, "integration_find", 3, params, out);
}

int
integration_db_insert(PGconn *c, const char *playbook_id, int revision,
                      const struct strategy_state *st, const json_t *j_alignment,
                      const char *requested_by, struct db_row *out)
{
        char rev[16], number[16], score[16];
        json_t *j_keys = align_touched_keys(j_alignment);
        char *alignment = dump(j_alignment), *keys = dump(j_keys);
        const char *params[8] = { playbook_id, rev, st->id, number, alignment, score, keys,
                                  requested_by[0] != '\0' ? requested_by : NULL };
        const char *pb[1] = { playbook_id };
        int rc = alignment != NULL && keys != NULL ? ST_OK : ST_NOMEM;

        snprintf(rev, sizeof(rev), "%d", revision);
        snprintf(number, sizeof(number), "%d", st->number);
        snprintf(score, sizeof(score), "%d", align_score(j_alignment));
        if (rc == ST_OK)
                rc = db_exec(c, "integration_supersede", 1, pb, NULL);
        if (rc == ST_OK)
                rc = db_exec_row(c, "integration_insert", 8, params, out);
        if (rc == ST_CONFLICT)
                rc = ST_RETRY;   /* the same pair, inserted meanwhile: find it on the retry */
        json_decref(j_keys);
        free(alignment);
        free(keys);
        return rc;
}

int
integration_db_get(PGconn *c, const char *id, struct db_row *out, char partner_id[UUID_STR_LEN])
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec(c, "integration_get", 1, params, &res);

        if (rc == ST_OK)
                rc = db_row_take(res, out);
        if (rc == ST_OK)
                copy_uuid(partner_id, res, 0, 3);
        PQclear(res);
        return rc;
}

int
integration_db_lock(PGconn *c, const char *id, struct integration_lock *out)
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec_one(c, "integration_lock", 1, params, &res);

        if (rc == ST_OK) {
                out->version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
                snprintf(out->status, sizeof(out->status), "%s", PQgetvalue(res, 0, 1));
                copy_uuid(out->playbook_id, res, 0, 2);
                out->playbook_revision = (int)strtol(PQgetvalue(res, 0, 3), NULL, 10);
                copy_uuid(out->strategy_id, res, 0, 4);
        }
        PQclear(res);
        return rc;
}

int
integration_db_current(PGconn *c, const struct integration_lock *il, bool *current)
{
        const char *params[1] = { il->playbook_id };
        PGresult *res = NULL;
        int rc = db_exec(c, "integration_currency", 1, params, &res);

        if (rc == ST_OK)
                *current = strtol(PQgetvalue(res, 0, 0), NULL, 10) == il->playbook_revision
                           && strcmp(PQgetvalue(res, 0, 1), il->strategy_id) == 0;
        PQclear(res);
        return rc;
}

int
integration_db_decide(PGconn *c, const char *id, const char *status, const char *comment,
                      const char *decided_by, struct db_row *out)
{
        const char *params[4] = { id, status, comment, decided_by[0] != '\0' ? decided_by : NULL };

        return db_exec_row(c, "integration_decide", 4, params, out);
}

int
playbook_db_sign_off(PGconn *c, const char *playbook_id, const char *integration_id)
{
        const char *params[2] = { playbook_id, integration_id };
        int rc = db_exec(c, "playbook_sign_off", 2, params, NULL);

        if (rc == ST_OK)
                rc = db_exec(c, "carried_clear", 1, params, NULL);
        if (rc == ST_OK)
                rc = db_exec(c, "carried_insert", 2, params, NULL);
        return rc;
}

int
integration_db_list(PGconn *c, const struct integration_filter *f, const struct page *pg,
                    char **out)
{
        char after[24], limit[16];
        const char *params[7] = { after, f->playbook_id, f->partner_id, f->programme_id,
                                  f->status, f->visible_to, limit };

        page_params(pg, after, limit);
        return db_exec_page(c, "integration_list", 7, params, pg->limit, out);
}

/* ---- evidence and statistics ------------------------------------------------------------- */

int
evidence_db_get(PGconn *c, const char *person_id, const char *programme_id, char **out)
{
        const char *params[2] = { person_id, programme_id };

        return exec_text(c, "evidence_get", 2, params, out);
}

int
stats_db_get(PGconn *c, const char *programme_id, char **out)
{
        const char *params[1] = { programme_id };

        return exec_text(c, "stats_get", 1, params, out);
}
