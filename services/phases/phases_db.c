/*
 * phases_db.c - every SQL statement of the phases service, in one table that
 * the pool prepares on each connection, and the helpers the typed *_db.c
 * functions share.  Every value is a parameter; limits and cursors too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phases.h"
#include "status.h"

/* The enrolment's scope in statistics: $1 programme_id, $2 business_unit. */
#define STATS_SCOPE \
        " ($1::uuid IS NULL OR e.programme_id = $1) AND ($2::text IS NULL OR e.business_unit = $2)"

const struct db_stmt phases_stmts[] = {
        /* ---- programmes ---- */
        { "programme_insert",
          "WITH p AS (INSERT INTO programme DEFAULT VALUES RETURNING id)"
          " INSERT INTO programme_version (programme_id, version, name, description, phases,"
          " created_by) SELECT p.id, 1, $1::jsonb->>'name', $1::jsonb->>'description', $2::jsonb,"
          " $3 FROM p RETURNING programme_id" },
        { "programme_get",
          "SELECT p.id, p.version, programme_json(p, v) FROM programme p"
          " JOIN programme_version v ON v.programme_id = p.id"
          " AND v.version = CASE WHEN $2::int = 0 THEN p.version ELSE $2::int END"
          " WHERE p.id = $1" },
        { "programme_lock", "SELECT version FROM programme WHERE id = $1 FOR UPDATE" },
        { "programme_update",
          "WITH p AS (UPDATE programme SET version = version + 1, updated_at = now()"
          " WHERE id = $1 RETURNING id, version)"
          " INSERT INTO programme_version (programme_id, version, name, description, phases,"
          " created_by) SELECT p.id, p.version, $2::jsonb->>'name', $2::jsonb->>'description',"
          " $3::jsonb, $4 FROM p RETURNING version" },
        { "programme_list",
          "SELECT p.seq, programme_json(p, v) FROM programme p"
          " JOIN programme_version v ON v.programme_id = p.id AND v.version = p.version"
          " WHERE p.seq > $1 ORDER BY p.seq LIMIT $2" },
        { "programme_versions",
          "SELECT v.version, json_build_object('programme_id', v.programme_id, 'version',"
          " v.version, 'name', v.name, 'phases', jsonb_array_length(v.phases),"
          " 'created_at', v.created_at, 'created_by', v.created_by)"
          " FROM programme_version v WHERE v.programme_id = $1 AND v.version > $2"
          " ORDER BY v.version LIMIT $3" },

        /* ---- enrolments ---- */
        { "enrolment_insert",
          "WITH v AS (SELECT pv.* FROM programme p JOIN programme_version pv"
          "  ON pv.programme_id = p.id AND pv.version = p.version WHERE p.id = $2),"
          " e AS (INSERT INTO enrolment (person_id, programme_id, programme_version, business_unit)"
          "  SELECT $1, v.programme_id, v.version, $3 FROM v RETURNING id),"
          " ph AS (INSERT INTO enrolment_phase (enrolment_id, position, key, name, guide_days,"
          "  stall_days, status, entered_at)"
          "  SELECT e.id, (x->>'position')::int, x->>'key', x->>'name', (x->>'guide_days')::int,"
          "  (x->>'stall_days')::int,"
          "  CASE WHEN (x->>'position')::int = 1 THEN 'in_progress' ELSE 'not_started' END,"
          "  CASE WHEN (x->>'position')::int = 1 THEN now() END"
          "  FROM e, v, jsonb_array_elements(v.phases) AS x)"
          " INSERT INTO enrolment_event (enrolment_id, kind, actor_subject, actor_person_id,"
          " actor_role, to_status, to_phase)"
          " SELECT e.id, 'enrolled', $4, $5::uuid, $6, 'active',"
          " (SELECT v.phases->0->>'key' FROM v)"
          " FROM e RETURNING enrolment_id" },
        { "enrolment_get",
          "SELECT e.id, e.version, enrolment_json(e), e.person_id FROM enrolment e"
          " WHERE e.id = $1" },
        { "enrolment_meta",
          "SELECT e.person_id, e.status, e.version, e.current_position, ph.key, ph.entered_at,"
          " (pv.phases -> (e.current_position - 1) -> 'criteria')::text, e.programme_id"
          " FROM enrolment e JOIN enrolment_phase ph"
          "  ON ph.enrolment_id = e.id AND ph.position = e.current_position"
          " JOIN programme_version pv"
          "  ON pv.programme_id = e.programme_id AND pv.version = e.programme_version"
          " WHERE e.id = $1" },
        { "enrolment_meta_lock",
          "SELECT e.person_id, e.status, e.version, e.current_position, ph.key, ph.entered_at,"
          " (pv.phases -> (e.current_position - 1) -> 'criteria')::text, e.programme_id"
          " FROM enrolment e JOIN enrolment_phase ph"
          "  ON ph.enrolment_id = e.id AND ph.position = e.current_position"
          " JOIN programme_version pv"
          "  ON pv.programme_id = e.programme_id AND pv.version = e.programme_version"
          " WHERE e.id = $1 FOR UPDATE OF e" },
        { "enrolment_advance",
          "WITH done AS (UPDATE enrolment_phase SET status = 'completed', completed_at = now()"
          "  WHERE enrolment_id = $1 AND position = $2::int RETURNING key),"
          " nxt AS (UPDATE enrolment_phase SET status = 'in_progress', entered_at = now()"
          "  WHERE enrolment_id = $1 AND position = $2::int + 1 RETURNING key),"
          " e AS (UPDATE enrolment SET"
          "  current_position = current_position + (SELECT count(*) FROM nxt)::int,"
          "  status = CASE WHEN EXISTS (SELECT 1 FROM nxt) THEN status ELSE 'operational' END,"
          "  ended_at = CASE WHEN EXISTS (SELECT 1 FROM nxt) THEN ended_at ELSE now() END,"
          "  last_progress_at = now(), updated_at = now(), version = version + 1"
          "  WHERE id = $1 RETURNING id, status)"
          " INSERT INTO enrolment_event (enrolment_id, kind, actor_subject, actor_person_id,"
          " actor_role, from_status, to_status, from_phase, to_phase, reason, override, evidence)"
          " SELECT e.id, CASE WHEN e.status = 'operational' THEN 'operational' ELSE 'advanced' END,"
          " $3, $4::uuid, $5, 'active', e.status, (SELECT key FROM done), (SELECT key FROM nxt),"
          " $6, $6::text IS NOT NULL, $7::jsonb FROM e" },
        { "enrolment_status",
          "WITH e AS (UPDATE enrolment SET status = $2::text,"
          "  paused_at = CASE WHEN $2::text = 'paused' THEN now() END,"
          "  ended_at = CASE WHEN $2::text = 'withdrawn' THEN now() END,"
          "  last_progress_at = CASE WHEN $2::text = 'active' THEN now() ELSE last_progress_at END,"
          "  updated_at = now(), version = version + 1 WHERE id = $1 RETURNING id, status)"
          " INSERT INTO enrolment_event (enrolment_id, kind, actor_subject, actor_person_id,"
          " actor_role, from_status, to_status, phase, reason)"
          " SELECT e.id, $3, $4, $5::uuid, $6, $7, e.status, $8, $9 FROM e" },
        { "enrolment_targets",
          "SELECT json_object_agg(key, json_build_object('status', status,"
          " 'target_date', target_date))::text FROM enrolment_phase WHERE enrolment_id = $1" },
        { "target_set",
          "WITH old AS (SELECT position, target_date FROM enrolment_phase"
          "  WHERE enrolment_id = $1 AND key = $2),"
          " upd AS (UPDATE enrolment_phase ph SET target_date = $3::date FROM old"
          "  WHERE ph.enrolment_id = $1 AND ph.position = old.position RETURNING ph.position)"
          " INSERT INTO enrolment_event (enrolment_id, kind, actor_subject, actor_person_id,"
          " actor_role, phase, old_target, new_target, reason)"
          " SELECT $1, 'target_set', $4, $5::uuid, $6, $2, old.target_date, $3::date, $7"
          " FROM old, upd" },
        { "enrolment_bump",
          "UPDATE enrolment SET version = version + 1, updated_at = now() WHERE id = $1" },
        /*
         * progress from another service's event (follow.c), never ahead of now.  The
         * version stays: the stall clock is read-time state like the pace itself, and a
         * partner's advance, checked against the version it read, must not lose a race
         * to a session their mentor marked held meanwhile.
         */
        { "enrolment_progress",
          "UPDATE enrolment SET last_progress_at = greatest(last_progress_at,"
          "  least(now(), $2::timestamptz))"
          " WHERE person_id = $1 AND status IN ('active', 'paused') RETURNING id, version" },
        /* a mentor's sign-off: what it does to the stall clock, kept before it does it,
         * and undone when it is revoked unless progress since moved the clock */
        { "signoff_progress_keep",
          "INSERT INTO signoff_progress (signoff_id, enrolment_id, before_at, after_at)"
          " SELECT $1::uuid, e.id, e.last_progress_at,"
          "  greatest(e.last_progress_at, least(now(), $3::timestamptz))"
          " FROM enrolment e WHERE e.person_id = $2 AND e.status IN ('active', 'paused')"
          " ON CONFLICT (signoff_id, enrolment_id) DO NOTHING" },
        { "signoff_progress_undo",
          "WITH kept AS (DELETE FROM signoff_progress WHERE signoff_id = $1::uuid"
          "  RETURNING enrolment_id, before_at, after_at)"
          " UPDATE enrolment e SET last_progress_at = kept.before_at FROM kept"
          " WHERE e.id = kept.enrolment_id AND e.status IN ('active', 'paused')"
          "  AND e.last_progress_at = kept.after_at" },
        { "enrolment_open_of",
          "SELECT id FROM enrolment WHERE person_id = $1 AND status IN ('active', 'paused')"
          " ORDER BY enrolled_at DESC LIMIT 1" },
        { "enrolment_note",
          "INSERT INTO enrolment_event (enrolment_id, kind, actor_subject, actor_person_id,"
          " actor_role, phase, reason) VALUES ($1, $2, $3, $4::uuid, $5, $6, $7)" },
        { "enrolment_touch",
          "UPDATE enrolment SET last_progress_at = now(), updated_at = now(), version = version + 1"
          " WHERE person_id = $1 AND status IN ('active', 'paused')" },
        { "local_evidence",
          "SELECT (SELECT count(*) FROM assessment WHERE person_id = $1 AND kind = 'self'),"
          " (SELECT count(*) FROM assessment WHERE person_id = $1 AND kind = 'self'"
          "  AND submitted_at >= $2::timestamptz),"
          " (SELECT count(*) FROM attendance WHERE person_id = $1)" },
        { "enrolment_list",
          "SELECT e.seq, enrolment_json(e) FROM enrolment e WHERE e.seq > $4"
          " AND ($1::uuid IS NULL OR e.person_id = $1)"
          " AND ($2::uuid IS NULL OR e.programme_id = $2)"
          " AND ($3::text IS NULL OR e.status = $3)"
          " ORDER BY e.seq LIMIT $5" },
        { "enrolment_history",
          "SELECT x.seq, event_json(x) FROM enrolment_event x"
          " WHERE x.enrolment_id = $1 AND x.seq > $2 ORDER BY x.seq LIMIT $3" },

        /* ---- workshops ---- */
        { "workshop_insert",
          "INSERT INTO workshop AS w (title, description, platform, skills, held_at)"
          " SELECT b->>'title', b->>'description', b->>'platform',"
          " ARRAY(SELECT jsonb_array_elements_text(coalesce(b->'skills', '[]'))),"
          " (b->>'held_at')::timestamptz FROM (SELECT $1::jsonb AS b) AS body"
          " RETURNING w.id, 1, workshop_json(w)" },
        { "workshop_get", "SELECT w.id, 1, workshop_json(w) FROM workshop w WHERE w.id = $1" },
        { "workshop_list",
          "SELECT w.seq, CASE WHEN $2::uuid IS NULL THEN workshop_json(w)::jsonb"
          " ELSE workshop_json(w)::jsonb || jsonb_build_object('attended_at', a.recorded_at) END"
          " FROM workshop w LEFT JOIN attendance a ON a.workshop_id = w.id AND a.person_id = $2"
          " WHERE w.seq > $3 AND ($1::text IS NULL OR w.platform = $1)"
          " AND ($2::uuid IS NULL OR a.person_id IS NOT NULL)"
          " ORDER BY w.seq LIMIT $4" },
        { "attendance_insert",
          "INSERT INTO attendance AS a (workshop_id, person_id, recorded_by) VALUES ($1, $2, $3)"
          " RETURNING a.workshop_id, 1, json_build_object('workshop_id', a.workshop_id,"
          " 'person_id', a.person_id, 'recorded_at', a.recorded_at,"
          " 'recorded_by', a.recorded_by)" },
        { "attendance_delete",
          "DELETE FROM attendance WHERE workshop_id = $1 AND person_id = $2 RETURNING 1" },
        { "attendance_list",
          "SELECT a.seq, json_build_object('workshop_id', a.workshop_id, 'person_id', a.person_id,"
          " 'recorded_at', a.recorded_at, 'recorded_by', a.recorded_by)"
          " FROM attendance a WHERE a.workshop_id = $1 AND a.seq > $2 ORDER BY a.seq LIMIT $3" },

        /* ---- assessment templates and assessments ---- */
        { "template_insert",
          "INSERT INTO assessment_template AS t (name, items)"
          " SELECT b->>'name', (SELECT jsonb_agg(jsonb_build_object('platform', i->>'platform',"
          "  'skill', i->>'skill', 'prompt', i->'prompt') ORDER BY n)"
          "  FROM jsonb_array_elements(b->'items') WITH ORDINALITY AS x(i, n))"
          " FROM (SELECT $1::jsonb AS b) AS body RETURNING t.id, 1, template_json(t)" },
        { "template_get",
          "SELECT t.id, 1, template_json(t) FROM assessment_template t WHERE t.id = $1" },
        { "template_items", "SELECT items::text FROM assessment_template WHERE id = $1" },
        { "template_list",
          "SELECT t.seq, template_json(t) FROM assessment_template t WHERE t.seq > $1"
          " ORDER BY t.seq LIMIT $2" },
        { "assessment_insert",
          "WITH body AS (SELECT $1::jsonb AS b),"
          " enr AS (SELECT e.id, ph.key FROM enrolment e JOIN enrolment_phase ph"
          "  ON ph.enrolment_id = e.id AND ph.position = e.current_position"
          "  WHERE e.person_id = ($1::jsonb->>'person_id')::uuid"
          "  AND e.status IN ('active', 'paused') ORDER BY e.seq DESC LIMIT 1),"
          " a AS (INSERT INTO assessment (person_id, kind, rated_by, template_id, enrolment_id,"
          "  phase, baseline)"
          "  SELECT (b->>'person_id')::uuid, b->>'kind', $2::uuid, (b->>'template_id')::uuid,"
          "  (SELECT id FROM enr), (SELECT key FROM enr), NOT EXISTS (SELECT 1 FROM assessment x"
          "   WHERE x.person_id = (b->>'person_id')::uuid AND x.kind = b->>'kind')"
          "  FROM body RETURNING id),"
          " ans AS (INSERT INTO assessment_answer (assessment_id, position, platform, skill,"
          "  confidence, capability)"
          "  SELECT a.id, y.n, y.x->>'platform', y.x->>'skill', (y.x->>'confidence')::smallint,"
          "  (y.x->>'capability')::smallint"
          "  FROM a, body, jsonb_array_elements(body.b->'answers') WITH ORDINALITY AS y(x, n))"
          " SELECT id FROM a" },
        { "assessment_get",
          "SELECT a.id, 1, assessment_json(a), a.person_id FROM assessment a WHERE a.id = $1" },
        { "assessment_list",
          "SELECT a.seq, assessment_json(a) FROM assessment a WHERE a.seq > $3"
          " AND ($1::uuid IS NULL OR a.person_id = $1) AND ($2::text IS NULL OR a.kind = $2)"
          " ORDER BY a.seq LIMIT $4" },
        { "assessment_growth",
          "WITH base AS (SELECT * FROM assessment WHERE person_id = $1 AND kind = $2 AND baseline),"
          " latest AS (SELECT * FROM assessment WHERE person_id = $1 AND kind = $2"
          "  ORDER BY seq DESC LIMIT 1),"
          " items AS (SELECT b.platform, b.skill, b.position, b.confidence AS bc,"
          "  b.capability AS bk, l.confidence AS lc, l.capability AS lk"
          "  FROM base JOIN assessment_answer b ON b.assessment_id = base.id"
          "  CROSS JOIN latest JOIN assessment_answer l ON l.assessment_id = latest.id"
          "  AND l.platform = b.platform AND l.skill = b.skill)"
          " SELECT json_build_object('person_id', $1::uuid, 'kind', $2::text,"
          " 'assessments', (SELECT count(*) FROM assessment WHERE person_id = $1 AND kind = $2),"
          " 'baseline', (SELECT json_build_object('id', id, 'submitted_at', submitted_at,"
          "  'phase', phase) FROM base),"
          " 'latest', (SELECT json_build_object('id', id, 'submitted_at', submitted_at,"
          "  'phase', phase) FROM latest),"
          " 'items', coalesce((SELECT json_agg(json_build_object('platform', platform, 'skill',"
          "  skill, 'baseline', json_build_object('confidence', bc, 'capability', bk),"
          "  'latest', json_build_object('confidence', lc, 'capability', lk),"
          "  'change', json_build_object('confidence', lc - bc, 'capability', lk - bk))"
          "  ORDER BY position) FROM items), '[]'),"
          " 'platforms', coalesce((SELECT json_agg(json_build_object('platform', platform,"
          "  'items', n, 'confidence_change', dc, 'capability_change', dk) ORDER BY platform)"
          "  FROM (SELECT platform, count(*) AS n, round(avg(lc - bc), 2) AS dc,"
          "  round(avg(lk - bk), 2) AS dk FROM items GROUP BY platform) AS g), '[]'))::text" },

        /* ---- statistics: aggregates only ---- */
        { "stats_status",
          "SELECT count(*) FILTER (WHERE e.status = 'active'),"
          " count(*) FILTER (WHERE e.status = 'paused'),"
          " count(*) FILTER (WHERE e.status = 'withdrawn'),"
          " count(*) FILTER (WHERE e.status = 'operational')"
          " FROM enrolment e WHERE" STATS_SCOPE },
        { "stats_pace",
          "SELECT e.status, ph.key, ph.target_date - date '1970-01-01',"
          " extract(epoch FROM e.last_progress_at)::bigint, ph.stall_days"
          " FROM enrolment e JOIN enrolment_phase ph"
          "  ON ph.enrolment_id = e.id AND ph.position = e.current_position"
          " WHERE e.status IN ('active', 'paused') AND" STATS_SCOPE },
        /* the percentiles sort only completed stays, and only (key, days): in memory */
        { "stats_phase_days",
          "SELECT k.key, k.name, k.position, coalesce(d.n, 0), d.median, d.p90"
          " FROM (SELECT ph.key, min(ph.name) AS name, min(ph.position) AS position"
          "  FROM enrolment e JOIN enrolment_phase ph ON ph.enrolment_id = e.id"
          "  WHERE" STATS_SCOPE " GROUP BY ph.key) AS k"
          " LEFT JOIN (SELECT c.key, count(*) AS n,"
          "  round(percentile_cont(0.5) WITHIN GROUP (ORDER BY c.d)::numeric, 2) AS median,"
          "  round(percentile_cont(0.9) WITHIN GROUP (ORDER BY c.d)::numeric, 2) AS p90"
          "  FROM (SELECT ph.key, extract(epoch FROM ph.completed_at - ph.entered_at) / 86400 AS d"
          "   FROM enrolment e JOIN enrolment_phase ph ON ph.enrolment_id = e.id"
          "   WHERE ph.status = 'completed' AND" STATS_SCOPE ") AS c"
          "  GROUP BY c.key) AS d ON d.key = k.key"
          " ORDER BY k.position, k.key" },
        { "stats_growth",
          "WITH scope AS (SELECT DISTINCT e.person_id FROM enrolment e WHERE" STATS_SCOPE "),"
          /* materialised: the latest is looked up once per person, not once per answer */
          " pairs AS MATERIALIZED (SELECT b.person_id, b.id AS base_id,"
          "  (SELECT l.id FROM assessment l WHERE l.person_id = b.person_id AND l.kind = 'self'"
          "   ORDER BY l.seq DESC LIMIT 1)"
          "  AS last_id FROM assessment b"
          "  WHERE b.kind = 'self' AND b.baseline"
          "  AND (($1::uuid IS NULL AND $2::text IS NULL)"
          "       OR b.person_id IN (SELECT person_id FROM scope))),"
          " diffs AS (SELECT p.person_id, ba.platform, avg(la.confidence - ba.confidence) AS dc,"
          "  avg(la.capability - ba.capability) AS dk FROM pairs p"
          "  JOIN assessment_answer ba ON ba.assessment_id = p.base_id"
          "  JOIN assessment_answer la ON la.assessment_id = p.last_id"
          "  AND la.platform = ba.platform AND la.skill = ba.skill"
          "  WHERE p.last_id <> p.base_id GROUP BY p.person_id, ba.platform)"
          " SELECT platform, count(*), round(avg(dc), 2), round(avg(dk), 2) FROM diffs"
          " GROUP BY platform ORDER BY platform" },
        /* erasure of $1 (access.h): the reasons given in their journey; its facts stay */
        { "person_erase",
          "WITH ev AS (UPDATE enrolment_event SET reason = NULL,"
          "   actor_subject = CASE WHEN actor_person_id = $1 THEN 'erased' ELSE actor_subject END"
          "  WHERE actor_person_id = $1"
          "   OR enrolment_id IN (SELECT id FROM enrolment WHERE person_id = $1) RETURNING 1)"
          " SELECT jsonb_build_object('enrolment_reasons', (SELECT count(*) FROM ev))::text" },
        /* the phases in scope, in programme order (the trend's keys) */
        { "stats_trend_keys",
          "SELECT ph.key FROM enrolment e JOIN enrolment_phase ph ON ph.enrolment_id = e.id"
          " WHERE" STATS_SCOPE " GROUP BY ph.key ORDER BY min(ph.position), ph.key" },
        /* Moves per week from the enrolment history: phases entered and left (completed),
         * and journeys that became operational; $3 is the first day, $4 the day after the
         * last.  Bucket -1 holds the operational journeys before the range. */
        { "stats_trend_moves",
          "WITH scoped AS (SELECT e.id, e.status, e.ended_at FROM enrolment e WHERE" STATS_SCOPE "),"
          " m AS (SELECT ph.key, 'entered' AS kind, ph.entered_at AS at FROM scoped e"
          "  JOIN enrolment_phase ph ON ph.enrolment_id = e.id"
          "  WHERE ph.entered_at >= $3::date::timestamp AT TIME ZONE 'UTC'"
          "  AND ph.entered_at < $4::date::timestamp AT TIME ZONE 'UTC'"
          " UNION ALL SELECT ph.key, 'left', ph.completed_at FROM scoped e"
          "  JOIN enrolment_phase ph ON ph.enrolment_id = e.id"
          "  WHERE ph.completed_at >= $3::date::timestamp AT TIME ZONE 'UTC'"
          "  AND ph.completed_at < $4::date::timestamp AT TIME ZONE 'UTC'"
          " UNION ALL SELECT '', 'operational', e.ended_at FROM scoped e"
          "  WHERE e.status = 'operational'"
          "  AND e.ended_at < $4::date::timestamp AT TIME ZONE 'UTC')"
          " SELECT kind, key, greatest(-1, floor(extract(epoch FROM"
          "  at - $3::date::timestamp AT TIME ZONE 'UTC') / 604800))::int AS week, count(*)"
          " FROM m GROUP BY 1, 2, 3" },
        { NULL, NULL },
};

void
row_release(struct row *r)
{
        if (r == NULL)
                return;
        free(r->json);
        memset(r, 0, sizeof(*r));
}

int
db_row(PGconn *c, const char *stmt, int n, const char *const *params, struct row *out)
{
        PGresult *res = NULL;
        int rc = db_exec(c, stmt, n, params, &res);

        if (rc == ST_OK && PQntuples(res) == 0)
                rc = ST_NOT_FOUND;
        if (rc == ST_OK) {
                out->json = strdup(PQgetvalue(res, 0, 2));
                snprintf(out->id, sizeof(out->id), "%s", PQgetvalue(res, 0, 0));
                out->version = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
                rc = out->json != NULL ? ST_OK : ST_NOMEM;
        }
        PQclear(res);
        return rc;
}

int
db_page(PGconn *c, const char *stmt, int n, const char **params, const struct page *pg,
        char **out)
{
        char after[24], limit[16];
        PGresult *res = NULL;
        int rc;

        snprintf(after, sizeof(after), "%lld", (long long)pg->after);
        snprintf(limit, sizeof(limit), "%d", pg->limit + 1);
        params[n - 2] = after;
        params[n - 1] = limit;
        rc = db_exec(c, stmt, n, params, &res);
        if (rc == ST_OK) {
                *out = db_page_json(res, pg->limit);
                rc = *out != NULL ? ST_OK : ST_NOMEM;
        }
        PQclear(res);
        return rc;
}
