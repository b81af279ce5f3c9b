/*
 * access_db.c - the withdrawn subjects table every service that follows the
 * people service keeps (access.h): its definition, created in every schema by
 * migrate.c, and its statements, prepared on every pooled connection by db.c.
 *
 * A person is known here only by SHA-256 digests of their token subject and
 * of their lower-cased e-mail address, as the people service's events carry
 * them: enough to recognise a token, nothing to read back.
 */
#include <stddef.h>

#include "access_db.h"

const char access_sql[] =
        "CREATE TABLE IF NOT EXISTS access_withdrawn ("
        "  person_id uuid PRIMARY KEY,"
        "  subject_sha256 text,"
        "  email_sha256 text,"
        "  left_at timestamptz,"                        /* NULL: only roles were removed */
        "  roles_removed text[] NOT NULL DEFAULT '{}',"
        "  reason text NOT NULL DEFAULT '',"
        "  updated_at timestamptz NOT NULL DEFAULT now());"
        "CREATE INDEX IF NOT EXISTS access_withdrawn_subject ON access_withdrawn (subject_sha256);"
        "CREATE INDEX IF NOT EXISTS access_withdrawn_email ON access_withdrawn (email_sha256);"
        /* withdrawn.h: every change bumps the version, in the writer's transaction, so
         * that each process reloads its snapshot only when the table changed */
        "CREATE TABLE IF NOT EXISTS access_withdrawn_version ("
        "  one boolean PRIMARY KEY DEFAULT true CHECK (one),"
        "  version bigint NOT NULL DEFAULT 0);"
        "INSERT INTO access_withdrawn_version DEFAULT VALUES ON CONFLICT DO NOTHING;"
        "CREATE OR REPLACE FUNCTION access_withdrawn_bump() RETURNS trigger"
        " LANGUAGE plpgsql AS $$ BEGIN"
        "  EXECUTE format('UPDATE %I.access_withdrawn_version SET version = version + 1',"
        "                 TG_TABLE_SCHEMA);"
        "  RETURN NULL;"
        " END $$;"
        "CREATE OR REPLACE TRIGGER access_withdrawn_bump"
        " AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON access_withdrawn"
        " FOR EACH STATEMENT EXECUTE FUNCTION access_withdrawn_bump();";

#define DIGEST(x) "encode(sha256(convert_to(" x ", 'UTF8')), 'hex')"

const struct db_stmt access_stmts[] = {
        /* $1 the token's subject, $2 its e-mail ('' for none): left?, the roles removed */
        { "access_withdrawn_find",
          "SELECT coalesce(bool_or(left_at IS NOT NULL), false),"
          "  coalesce(string_agg(array_to_string(roles_removed, ','), ','), '')"
          " FROM access_withdrawn WHERE subject_sha256 = " DIGEST("$1")
          " OR ($2 <> '' AND email_sha256 = " DIGEST("lower($2)") ")" },
        /* $1 person, $2 subject digest, $3 e-mail digest, $4 reason */
        { "access_withdrawn_left",
          "INSERT INTO access_withdrawn AS w (person_id, subject_sha256, email_sha256, left_at,"
          "  reason) VALUES ($1::uuid, $2, $3, now(), $4)"
          " ON CONFLICT (person_id) DO UPDATE SET left_at = coalesce(w.left_at, now()),"
          "  subject_sha256 = coalesce($2, w.subject_sha256),"
          "  email_sha256 = coalesce($3, w.email_sha256), reason = $4, updated_at = now()" },
        /* $1 person, $2 subject digest, $3 e-mail digest, $4 roles removed, $5 roles given */
        { "access_withdrawn_roles",
          "INSERT INTO access_withdrawn AS w (person_id, subject_sha256, email_sha256,"
          "  roles_removed, reason)"
          " VALUES ($1::uuid, $2, $3, ARRAY(SELECT DISTINCT unnest($4::text[])), 'roles removed')"
          " ON CONFLICT (person_id) DO UPDATE SET"
          "  roles_removed = ARRAY(SELECT DISTINCT r FROM unnest(w.roles_removed || $4::text[]) r"
          "   WHERE r <> ALL ($5::text[])),"
          "  subject_sha256 = coalesce($2, w.subject_sha256),"
          "  email_sha256 = coalesce($3, w.email_sha256), updated_at = now()" },
        { "access_withdrawn_reinstate",
          "UPDATE access_withdrawn SET left_at = NULL, updated_at = now() WHERE person_id = $1" },
        /* a person neither gone nor missing a role is not withdrawn at all */
        { "access_withdrawn_tidy",
          "DELETE FROM access_withdrawn WHERE person_id = $1 AND left_at IS NULL"
          " AND cardinality(roles_removed) = 0" },
        /* withdrawn.h: has the table changed since the snapshot was read? */
        { "access_withdrawn_version", "SELECT version FROM access_withdrawn_version" },
        /* withdrawn.h: the snapshot, $1 rows at most, and the version it was read at;
         * an empty table is one row of NULLs but the version */
        { "access_withdrawn_all",
          "SELECT v.version, w.person_id IS NOT NULL, w.subject_sha256, w.email_sha256,"
          "  w.left_at IS NOT NULL, array_to_string(w.roles_removed, ',')"
          " FROM access_withdrawn_version v"
          " LEFT JOIN (SELECT * FROM access_withdrawn LIMIT $1::int) w ON true" },
        /* the service's name, as its events say it (/tandem/<schema>) */
        { "access_service", "SELECT current_schema()" },
        { NULL, NULL },
};
