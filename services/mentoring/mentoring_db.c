/*
 * mentoring_db.c - the mentoring service's statement table (all of its SQL,
 * grouped by resource) and the helpers the typed *_db.c functions share.
 * Every value is a parameter; a request body, once validated, is passed whole
 * as one jsonb parameter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mentoring.h"
#include "status.h"

/*
 * Columns of an item read for its regularity (see item_take in checklists_db.c);
 * the completions' times come last.
 */
#define ITEM_READ_COLUMNS \
        "SELECT i.id, item_json(i), i.cadence_kind, i.cadence_days," \
        " i.started_on - DATE '1970-01-01', i.status = 'active'," \
        " ARRAY(SELECT (p->>'from')::date - DATE '1970-01-01'" \
        "       FROM jsonb_array_elements(i.pauses) p)," \
        " ARRAY(SELECT coalesce((p->>'to')::date - DATE '1970-01-01', 2147483647)" \
        "       FROM jsonb_array_elements(i.pauses) p)," \
        " floor(extract(epoch FROM now()))::bigint, i.partner_id, i.version,"

#define SESSION_VISIBLE \
        " AND ($9::uuid IS NULL OR s.mentor_id = $9 OR s.partner_id = $9)"

const struct db_stmt mentoring_stmts[] = {
        /* ---- guidelines ---------------------------------------------------------- */
        { "guidelines_current",
          "SELECT g.version::text, g.version, guideline_json(g) FROM guideline_version g"
          " ORDER BY g.version DESC LIMIT 1" },
        { "guidelines_get",
          "SELECT g.version::text, g.version, guideline_json(g) FROM guideline_version g"
          " WHERE g.version = $1::int" },
        { "guidelines_insert",
          "INSERT INTO guideline_version AS g (version, items, note, created_by)"
          " SELECT coalesce((SELECT max(version) FROM guideline_version), 0) + 1,"
          " (SELECT jsonb_agg(jsonb_build_object('key', e->>'key', 'title', e->>'title',"
          "   'description', e->>'description') ORDER BY o)"
          "  FROM jsonb_array_elements($1::jsonb->'items') WITH ORDINALITY AS t(e, o)),"
          " $1::jsonb->>'note', $2::uuid"
          " RETURNING g.version::text, g.version, guideline_json(g)" },
        { "guidelines_list",
          "SELECT g.seq, guideline_json(g) FROM guideline_version g WHERE g.seq > $1"
          " ORDER BY g.seq LIMIT $2" },
        { "guideline_keys",
          "SELECT e->>'key' FROM guideline_version g, jsonb_array_elements(g.items) e"
          " WHERE g.version = $1::int" },

        /* ---- sessions -------------------------------------------------------------- */
        { "session_insert",
          "INSERT INTO session AS s (pairing_id, mentor_id, partner_id, scheduled_at,"
          " duration_minutes, agenda, objectives, created_by, history)"
          " SELECT $1::uuid, $2::uuid, $3::uuid, (b->>'scheduled_at')::timestamptz,"
          " (b->>'duration_minutes')::int, b->>'agenda',"
          " ARRAY(SELECT jsonb_array_elements_text(coalesce(b->'objectives', '[]'))), $4::uuid,"
          " jsonb_build_array(jsonb_build_object('action', 'scheduled', 'at', now(),"
          "   'by', $4::uuid, 'to', (b->>'scheduled_at')::timestamptz))"
          " FROM (SELECT $5::jsonb AS b) AS body"
          " RETURNING s.id, s.version, session_json(s, $6::int)" },
        { "session_get",
          "SELECT s.id, s.version, session_json(s, $2::int), s.mentor_id, s.partner_id,"
          " s.pairing_id, s.status, s.scheduled_at <= now(), jsonb_array_length(s.history),"
          " coalesce(s.guideline_version, 0),"
          " (SELECT count(*) FROM session_action a WHERE a.session_id = s.id)"
          " FROM session s WHERE s.id = $1" },
        { "session_lock",
          "SELECT s.id, s.version, '{}', s.mentor_id, s.partner_id,"
          " s.pairing_id, s.status, s.scheduled_at <= now(), jsonb_array_length(s.history),"
          " coalesce(s.guideline_version, 0),"
          " (SELECT count(*) FROM session_action a WHERE a.session_id = s.id)"
          " FROM session s WHERE s.id = $1 FOR UPDATE" },
        /* a person who left: their sessions still to come are cancelled, saying why */
        { "sessions_cancel_for",
          "UPDATE session AS s SET status = 'cancelled',"
          " status_reason = CASE WHEN s.mentor_id = $1 THEN 'the mentor ' ELSE 'the partner ' END"
          "   || $2,"
          " history = s.history || jsonb_build_array(jsonb_build_object('action', 'cancelled',"
          "   'at', now(), 'by', $1::uuid, 'reason', CASE WHEN s.mentor_id = $1"
          "   THEN 'the mentor ' ELSE 'the partner ' END || $2)),"
          " version = s.version + 1, updated_at = now()"
          " WHERE s.status = 'scheduled' AND (s.mentor_id = $1 OR s.partner_id = $1)"
          " RETURNING s.id, s.version, s.partner_id" },
        /*
         * Erasure of $1 (issue 12): their words go, the rows aggregates count stay.
         * Their sessions keep status and times; notes they wrote are deleted.
         */
        { "person_erase",
          "WITH ss AS (UPDATE session SET agenda = NULL, objectives = '{}', shared_notes = NULL,"
          "   partner_reflection = NULL, status_reason = NULL,"
          "   history = (SELECT coalesce(jsonb_agg(h - 'reason'), '[]') FROM"
          "     jsonb_array_elements(history) h),"
          "   version = version + 1, updated_at = now()"
          "  WHERE partner_id = $1 OR mentor_id = $1 RETURNING id),"
          " sa AS (UPDATE session_action SET title = 'erased'"
          "  WHERE owner_id = $1 OR created_by = $1 OR session_id IN (SELECT id FROM ss)"
          "  RETURNING 1),"
          " pn AS (DELETE FROM private_note WHERE author_id = $1 RETURNING 1),"
          " ci AS (UPDATE checklist_item SET title = CASE WHEN template_id IS NULL"
          "   THEN 'erased' ELSE title END, description = NULL"
          "  WHERE partner_id = $1 RETURNING 1),"
          " co AS (UPDATE completion SET reflection = NULL, evidence_url = NULL,"
          "   verification_note = NULL WHERE partner_id = $1 RETURNING id),"
          " cc AS (DELETE FROM completion_comment WHERE author_id = $1"
          "   OR completion_id IN (SELECT id FROM co) RETURNING 1),"
          " le AS (UPDATE learning SET text = 'erased' WHERE author_id = $1 RETURNING 1),"
          " so AS (UPDATE signoff SET note = '' WHERE partner_id = $1 OR mentor_id = $1"
          "   RETURNING 1)"
          " SELECT jsonb_build_object('sessions', (SELECT count(*) FROM ss),"
          "  'session_actions', (SELECT count(*) FROM sa),"
          "  'private_notes', (SELECT count(*) FROM pn),"
          "  'checklist_items', (SELECT count(*) FROM ci),"
          "  'completion_reflections', (SELECT count(*) FROM co),"
          "  'completion_comments', (SELECT count(*) FROM cc),"
          "  'learnings', (SELECT count(*) FROM le), 'signoff_notes', (SELECT count(*) FROM so))::text" },
        { "session_update",
          "UPDATE session AS s SET"
          " scheduled_at = coalesce(($2::jsonb->>'scheduled_at')::timestamptz, s.scheduled_at),"
          " duration_minutes = coalesce(($2::jsonb->>'duration_minutes')::int,"
          "   s.duration_minutes),"
          " agenda = CASE WHEN $2::jsonb ? 'agenda' THEN $2::jsonb->>'agenda' ELSE s.agenda END,"
          " objectives = CASE WHEN $2::jsonb ? 'objectives'"
          "   THEN ARRAY(SELECT jsonb_array_elements_text($2::jsonb->'objectives'))"
          "   ELSE s.objectives END,"
          " status = coalesce($2::jsonb->>'status', s.status),"
          " status_reason = CASE WHEN $2::jsonb ? 'status' THEN $2::jsonb->>'reason'"
          "   ELSE s.status_reason END,"
          " guideline_version = CASE WHEN $2::jsonb->>'status' = 'held'"
          "   THEN (SELECT max(version) FROM guideline_version) ELSE s.guideline_version END,"
          " history = s.history"
          "  || CASE WHEN ($2::jsonb->>'scheduled_at')::timestamptz <> s.scheduled_at"
          "     THEN jsonb_build_array(jsonb_strip_nulls(jsonb_build_object("
          "       'action', 'rescheduled', 'at', now(), 'by', $3::uuid, 'from', s.scheduled_at,"
          "       'to', ($2::jsonb->>'scheduled_at')::timestamptz, 'reason',"
          "       CASE WHEN $2::jsonb ? 'status' THEN NULL ELSE $2::jsonb->>'reason' END)))"
          "     ELSE '[]'::jsonb END"
          "  || CASE WHEN $2::jsonb ? 'status'"
          "     THEN jsonb_build_array(jsonb_strip_nulls(jsonb_build_object("
          "       'action', $2::jsonb->>'status', 'at', now(), 'by', $3::uuid,"
          "       'reason', $2::jsonb->>'reason')))"
          "     ELSE '[]'::jsonb END,"
          " updated_at = now(), version = s.version + 1"
          " WHERE s.id = $1 RETURNING s.id, s.version, session_json(s, $4::int)" },
        { "session_write_up",
          "UPDATE session AS s SET"
          " shared_notes = coalesce($2::jsonb->>'shared_notes', s.shared_notes),"
          " partner_reflection = coalesce($2::jsonb->>'partner_reflection',"
          "   s.partner_reflection),"
          " guideline_adherence = coalesce($2::jsonb->'guideline_adherence',"
          "   s.guideline_adherence),"
          " written_up_at = CASE WHEN s.written_up_at IS NOT NULL THEN s.written_up_at"
          "   WHEN coalesce($2::jsonb->>'shared_notes', s.shared_notes) IS NOT NULL"
          "    AND coalesce($2::jsonb->'guideline_adherence', s.guideline_adherence) IS NOT NULL"
          "   THEN now() END,"
          " updated_at = now(), version = s.version + 1"
          " WHERE s.id = $1 RETURNING s.id, s.version, session_json(s, $3::int)" },
        { "session_list",
          "SELECT s.seq, session_json(s, $10::int) FROM session s WHERE s.seq > $1"
          " AND ($2::uuid IS NULL OR s.pairing_id = $2)"
          " AND ($3::uuid IS NULL OR s.mentor_id = $3)"
          " AND ($4::uuid IS NULL OR s.partner_id = $4)"
          " AND ($5::text IS NULL OR s.status = $5)"
          " AND ($6::timestamptz IS NULL OR s.scheduled_at >= $6)"
          " AND ($7::timestamptz IS NULL OR s.scheduled_at < $7)"
          " AND ($8::boolean IS NULL OR $8 = (s.status = 'held' AND s.written_up_at IS NULL"
          "      AND s.scheduled_at < now() - make_interval(days => $10::int)))"
          SESSION_VISIBLE
          " ORDER BY s.seq LIMIT $11" },

        /* ---- agreed actions ----------------------------------------------------------- */
        { "action_insert",
          "INSERT INTO session_action AS a (session_id, owner_id, title, due_on, created_by)"
          " SELECT $1::uuid, $2::uuid, b->>'title', (b->>'due_on')::date, $4::uuid"
          " FROM (SELECT $3::jsonb AS b) AS body"
          " RETURNING a.id, a.version, action_json(a)" },
        { "action_lock",
          "SELECT version, status = 'done' FROM session_action"
          " WHERE id = $1 AND session_id = $2 FOR UPDATE" },
        { "action_update",
          "UPDATE session_action AS a SET"
          " title = coalesce($2::jsonb->>'title', a.title),"
          " due_on = coalesce(($2::jsonb->>'due_on')::date, a.due_on),"
          " status = coalesce($2::jsonb->>'status', a.status),"
          " done_at = CASE coalesce($2::jsonb->>'status', a.status)"
          "   WHEN 'done' THEN coalesce(a.done_at, now()) ELSE NULL END,"
          " updated_at = now(), version = a.version + 1"
          " WHERE a.id = $1 RETURNING a.id, a.version, action_json(a)" },

        /* ---- private notes: always by session and author ------------------------------ */
        { "note_get",
          "SELECT n.session_id, n.version, private_note_json(n) FROM private_note n"
          " WHERE n.session_id = $1 AND n.author_id = $2" },
        { "note_put",
          "INSERT INTO private_note AS n (session_id, author_id, text) VALUES ($1, $2, $3)"
          " ON CONFLICT (session_id, author_id) DO UPDATE"
          " SET text = EXCLUDED.text, updated_at = now(), version = n.version + 1"
          " RETURNING n.session_id, n.version, private_note_json(n), n.version = 1" },
        { "note_version",
          "SELECT version FROM private_note WHERE session_id = $1 AND author_id = $2"
          " FOR UPDATE" },
        { "note_delete",
          "DELETE FROM private_note WHERE session_id = $1 AND author_id = $2" },

        /* ---- activity templates ---------------------------------------------------- */
        { "template_insert",
          "INSERT INTO activity_template AS t (title, platform, skill, cadence_kind,"
          " cadence_days, description, archived)"
          " SELECT b->>'title', b->>'platform', b->>'skill', $2, $3::int, b->>'description',"
          " coalesce((b->>'archived')::boolean, false)"
          " FROM (SELECT $1::jsonb AS b) AS body"
          " RETURNING t.id, t.version, template_json(t)" },
        { "template_get",
          "SELECT t.id, t.version, template_json(t), t.archived FROM activity_template t"
          " WHERE t.id = $1" },
        { "template_lock",
          "SELECT version FROM activity_template WHERE id = $1 FOR UPDATE" },
        { "template_update",
          "UPDATE activity_template AS t SET"
          " title = coalesce($2::jsonb->>'title', t.title),"
          " platform = coalesce($2::jsonb->>'platform', t.platform),"
          " skill = coalesce($2::jsonb->>'skill', t.skill),"
          " description = CASE WHEN $2::jsonb ? 'description' THEN $2::jsonb->>'description'"
          "   ELSE t.description END,"
          " archived = coalesce(($2::jsonb->>'archived')::boolean, t.archived),"
          " cadence_kind = coalesce($3, t.cadence_kind),"
          " cadence_days = coalesce($4::int, t.cadence_days),"
          " updated_at = now(), version = t.version + 1"
          " WHERE t.id = $1 RETURNING t.id, t.version, template_json(t)" },
        { "template_list",
          "SELECT t.seq, template_json(t) FROM activity_template t WHERE t.seq > $1"
          " AND ($2::text IS NULL OR lower(t.platform) = lower($2))"
          " AND ($3::text IS NULL OR lower(t.skill) = lower($3))"
          " AND ($4::boolean IS NULL OR t.archived = $4)"
          " ORDER BY t.seq LIMIT $5" },

        /* ---- checklist items ------------------------------------------------------ */
        { "item_read_partner",
          ITEM_READ_COLUMNS
          " ARRAY(SELECT floor(date_part('epoch', c.done_at))::bigint FROM completion c"
          "       WHERE c.item_id = i.id ORDER BY c.done_at)"
          " FROM checklist_item i WHERE i.partner_id = $1 ORDER BY i.seq" },
        { "item_read_one",
          ITEM_READ_COLUMNS
          " ARRAY(SELECT floor(date_part('epoch', c.done_at))::bigint FROM completion c"
          "       WHERE c.item_id = i.id ORDER BY c.done_at)"
          " FROM checklist_item i WHERE i.partner_id = $1 AND i.id = $2" },
        { "item_read_stats",
          ITEM_READ_COLUMNS
          " ARRAY(SELECT floor(date_part('epoch', c.done_at))::bigint FROM completion c"
          "       WHERE c.item_id = i.id AND c.done_at > now() - make_interval(weeks => $1::int)"
          "       ORDER BY c.done_at)"
          " FROM checklist_item i ORDER BY i.partner_id, i.seq" },
        { "item_count",
          "SELECT pg_advisory_xact_lock(hashtextextended($1::uuid::text, 0)),"
          " (SELECT count(*) FROM checklist_item WHERE partner_id = $1::uuid)" },
        { "item_template",
          "SELECT archived FROM activity_template WHERE id = $1" },
        { "item_insert",
          "INSERT INTO checklist_item AS i (partner_id, template_id, title, platform, skill,"
          " description, cadence_kind, cadence_days, started_on)"
          " SELECT $1::uuid, t.id, coalesce(b->>'title', t.title),"
          " coalesce(b->>'platform', t.platform), coalesce(b->>'skill', t.skill),"
          " CASE WHEN b ? 'description' THEN b->>'description' ELSE t.description END,"
          " coalesce($3, t.cadence_kind), coalesce($4::int, t.cadence_days),"
          " coalesce((b->>'started_on')::date, current_date)"
          " FROM (SELECT $2::jsonb AS b) AS body"
          " LEFT JOIN activity_template t ON t.id = (b->>'template_id')::uuid"
          " RETURNING i.id, i.version, item_json(i)" },
        { "item_lock",
          "SELECT version, started_on - DATE '1970-01-01' FROM checklist_item"
          " WHERE id = $1 AND partner_id = $2 FOR UPDATE" },
        { "item_update",
          "UPDATE checklist_item AS i SET"
          " title = coalesce($2::jsonb->>'title', i.title),"
          " platform = coalesce($2::jsonb->>'platform', i.platform),"
          " skill = coalesce($2::jsonb->>'skill', i.skill),"
          " description = CASE WHEN $2::jsonb ? 'description' THEN $2::jsonb->>'description'"
          "   ELSE i.description END,"
          " cadence_kind = coalesce($3, i.cadence_kind),"
          " cadence_days = coalesce($4::int, i.cadence_days),"
          " status = coalesce($2::jsonb->>'status', i.status),"
          " pauses = CASE"
          "   WHEN $2::jsonb->>'status' = 'paused' AND i.status = 'active'"
          "   THEN i.pauses || jsonb_build_array(jsonb_build_object('from', current_date,"
          "        'to', NULL))"
          "   WHEN $2::jsonb->>'status' = 'active' AND i.status = 'paused'"
          "    AND (i.pauses->-1->>'from')::date = current_date"
          "   THEN i.pauses - -1"
          "   WHEN $2::jsonb->>'status' = 'active' AND i.status = 'paused'"
          "   THEN jsonb_set(i.pauses, ARRAY[(jsonb_array_length(i.pauses) - 1)::text, 'to'],"
          "        to_jsonb(current_date))"
          "   ELSE i.pauses END,"
          " updated_at = now(), version = i.version + 1"
          " WHERE i.id = $1 RETURNING i.id, i.version, item_json(i)" },

        /* ---- completions --------------------------------------------------------- */
        { "completion_insert",
          "INSERT INTO completion AS c (item_id, partner_id, done_at, evidence_url, reflection)"
          " SELECT $1::uuid, $2::uuid, date_trunc('second', (b->>'done_at')::timestamptz),"
          " b->>'evidence_url', b->>'reflection' FROM (SELECT $3::jsonb AS b) AS body"
          " RETURNING c.id, c.version, completion_json(c)" },
        { "completion_get",
          "SELECT c.id, c.version, completion_json(c) FROM completion c"
          " WHERE c.id = $2 AND c.partner_id = $1" },
        { "completion_lock",
          "SELECT c.version, (SELECT count(*) FROM completion_comment m"
          " WHERE m.completion_id = c.id) FROM completion c"
          " WHERE c.id = $2 AND c.partner_id = $1 FOR UPDATE" },
        { "completion_update",
          "UPDATE completion AS c SET"
          " evidence_url = CASE WHEN $2::jsonb ? 'evidence_url'"
          "   THEN $2::jsonb->>'evidence_url' ELSE c.evidence_url END,"
          " reflection = CASE WHEN $2::jsonb ? 'reflection'"
          "   THEN $2::jsonb->>'reflection' ELSE c.reflection END,"
          /* new evidence has not been verified */
          " verified_by = CASE WHEN $2::jsonb ? 'evidence_url'"
          "   AND ($2::jsonb->>'evidence_url') IS DISTINCT FROM c.evidence_url"
          "   THEN NULL ELSE c.verified_by END,"
          " verified_at = CASE WHEN $2::jsonb ? 'evidence_url'"
          "   AND ($2::jsonb->>'evidence_url') IS DISTINCT FROM c.evidence_url"
          "   THEN NULL ELSE c.verified_at END,"
          " verification_note = CASE WHEN $2::jsonb ? 'evidence_url'"
          "   AND ($2::jsonb->>'evidence_url') IS DISTINCT FROM c.evidence_url"
          "   THEN NULL ELSE c.verification_note END,"
          " updated_at = now(), version = c.version + 1"
          " WHERE c.id = $1 RETURNING c.id, c.version, completion_json(c)" },
        { "completion_delete",
          "DELETE FROM completion WHERE id = $1 RETURNING id, version,"
          " json_build_object('item_id', item_id, 'partner_id', partner_id)" },
        { "completion_verify",
          "UPDATE completion AS c SET verified_by = $2, verified_at = now(),"
          " verification_note = $3, updated_at = now(), version = c.version + 1"
          " WHERE c.id = $1 RETURNING c.id, c.version, completion_json(c)" },
        { "completion_unverify",
          "UPDATE completion AS c SET verified_by = NULL, verified_at = NULL,"
          " verification_note = NULL, updated_at = now(), version = c.version + 1"
          " WHERE c.id = $1 RETURNING c.id, c.version, completion_json(c)" },
        { "comment_insert",
          "INSERT INTO completion_comment AS m (completion_id, author_id, text)"
          " VALUES ($1, $2, $3)"
          " RETURNING m.id, 1, json_build_object('id', m.id, 'completion_id', m.completion_id,"
          " 'author_id', m.author_id, 'text', m.text, 'created_at', m.created_at)" },
        { "completion_list",
          "SELECT c.seq, completion_json(c) FROM completion c"
          " WHERE c.partner_id = $2 AND c.seq > $1"
          " AND ($3::uuid IS NULL OR c.item_id = $3)"
          " AND ($4::timestamptz IS NULL OR c.done_at >= $4)"
          " AND ($5::timestamptz IS NULL OR c.done_at < $5)"
          " AND ($6::boolean IS NULL OR (c.verified_by IS NOT NULL) = $6)"
          " ORDER BY c.seq LIMIT $7" },

        /* ---- learnings ------------------------------------------------------------- */
        { "learning_insert",
          "INSERT INTO learning AS l (author_id, author_role, pairing_id, mentor_id,"
          " partner_id, kind, platform, skill, text, visibility)"
          " SELECT $2::uuid, $3, $4::uuid, $5::uuid, $6::uuid, b->>'kind', b->>'platform',"
          " b->>'skill', b->>'text', b->>'visibility' FROM (SELECT $1::jsonb AS b) AS body"
          " RETURNING l.id, l.version, learning_json(l)" },
        { "learning_get",
          "SELECT l.id, l.version, learning_json(l), l.author_id, l.visibility,"
          " l.mentor_id, l.partner_id FROM learning l WHERE l.id = $1" },
        { "learning_lock",
          "SELECT version, author_id, pairing_id IS NOT NULL FROM learning"
          " WHERE id = $1 FOR UPDATE" },
        { "learning_update",
          "UPDATE learning AS l SET"
          " kind = coalesce($2::jsonb->>'kind', l.kind),"
          " text = coalesce($2::jsonb->>'text', l.text),"
          " visibility = coalesce($2::jsonb->>'visibility', l.visibility),"
          " platform = CASE WHEN $2::jsonb ? 'platform' THEN $2::jsonb->>'platform'"
          "   ELSE l.platform END,"
          " skill = CASE WHEN $2::jsonb ? 'skill' THEN $2::jsonb->>'skill' ELSE l.skill END,"
          " updated_at = now(), version = l.version + 1"
          " WHERE l.id = $1 RETURNING l.id, l.version, learning_json(l)" },
        { "learning_delete",
          "DELETE FROM learning WHERE id = $1 RETURNING id, version,"
          " json_build_object('author_id', author_id, 'author_role', author_role,"
          " 'pairing_id', pairing_id, 'kind', kind, 'visibility', visibility)" },
        { "learning_list",
          "SELECT l.seq, learning_json(l) FROM learning l WHERE l.seq > $1"
          " AND ($2::text IS NULL OR l.kind = $2)"
          " AND ($3::text IS NULL OR lower(l.platform) = lower($3))"
          " AND ($4::text IS NULL OR lower(l.skill) = lower($4))"
          " AND ($5::text IS NULL OR l.visibility = $5)"
          " AND ($6::uuid IS NULL OR l.author_id = $6)"
          " AND ($7::uuid IS NULL OR l.pairing_id = $7)"
          " AND (l.author_id = $8::uuid"
          "      OR (l.visibility = 'pairing' AND ($9::boolean OR l.mentor_id = $8::uuid"
          "          OR l.partner_id = $8::uuid))"
          "      OR (l.visibility = 'library' AND ($9::boolean OR $10::boolean)))"
          " ORDER BY l.seq LIMIT $11" },

        /* ---- sign-offs --------------------------------------------------------------- */
        { "signoff_insert",
          "INSERT INTO signoff AS s (partner_id, mentor_id, note) VALUES ($1, $2, $3)"
          " RETURNING s.id, s.version, signoff_json(s)" },
        { "signoff_get",
          "SELECT s.id, s.version, signoff_json(s), s.partner_id, s.revoked_at IS NULL"
          " FROM signoff s WHERE s.id = $1" },
        { "signoff_lock",
          "SELECT s.id, s.version, '{}', s.partner_id, s.revoked_at IS NULL"
          " FROM signoff s WHERE s.id = $1 FOR UPDATE" },
        { "signoff_revoke",
          "UPDATE signoff AS s SET revoked_at = now(), revoked_by = $2, version = s.version + 1"
          " WHERE s.id = $1 AND s.revoked_at IS NULL RETURNING s.id, s.version, signoff_json(s)" },
        { "signoff_list",
          "SELECT s.seq, signoff_json(s) FROM signoff s WHERE s.seq > $1"
          " AND ($2::uuid IS NULL OR s.partner_id = $2)"
          " AND ($3::uuid IS NULL OR s.mentor_id = $3)"
          " AND ($4::boolean IS NULL OR (s.revoked_at IS NULL) = $4)"
          " AND ($5::uuid IS NULL OR s.partner_id = $5 OR s.mentor_id = $5)"
          " ORDER BY s.seq LIMIT $6" },

        /* ---- evidence and statistics ------------------------------------------------ */
        { "evidence",
          "SELECT json_build_object('person_id', $1::uuid,"
          " 'sessions_held', (SELECT count(*) FROM session"
          "   WHERE partner_id = $1::uuid AND status = 'held'),"
          " 'activity', json_build_object('weeks', $2::int, 'completions', c.n,"
          "   'rate_per_week', round(c.n::numeric / $2::int, 2)),"
          " 'mentor_signoff', json_build_object('signed_off', s.id IS NOT NULL,"
          "   'signed_off_at', s.signed_off_at, 'mentor_id', s.mentor_id))"
          " FROM (SELECT count(*) AS n FROM completion WHERE partner_id = $1::uuid"
          "   AND done_at > now() - make_interval(weeks => $2::int) AND done_at <= now()) c"
          " LEFT JOIN signoff s ON s.partner_id = $1::uuid AND s.revoked_at IS NULL" },
        { "stats",
          "SELECT json_build_object("
          " 'sessions', (SELECT json_build_object('total', count(*),"
          "   'scheduled', count(*) FILTER (WHERE status = 'scheduled'),"
          "   'held', count(*) FILTER (WHERE status = 'held'),"
          "   'cancelled', count(*) FILTER (WHERE status = 'cancelled'),"
          "   'no_show', count(*) FILTER (WHERE status = 'no_show')) FROM session),"
          " 'sessions_per_pairing', (SELECT json_build_object('pairings', count(*),"
          "   'mean_held', coalesce(round(avg(n), 2), 0),"
          "   'median_held', coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY n), 0),"
          "   'max_held', coalesce(max(n), 0))"
          "   FROM (SELECT count(*) FILTER (WHERE status = 'held') AS n FROM session"
          "         GROUP BY pairing_id) x),"
          " 'write_up_backlog', (SELECT json_build_object('days', $2::int, 'sessions', count(*))"
          "   FROM session WHERE status = 'held' AND written_up_at IS NULL"
          "   AND scheduled_at < now() - make_interval(days => $2::int)),"
          " 'guideline_adherence', (SELECT coalesce(json_agg(json_build_object('key', k,"
          "   'sessions', n, 'honoured', h, 'rate', round(h::numeric / n, 3)) ORDER BY k),"
          "   '[]'::json) FROM (SELECT e.key AS k, count(*) AS n,"
          "   count(*) FILTER (WHERE e.value = 'true'::jsonb) AS h"
          "   FROM session s, jsonb_each(s.guideline_adherence) e"
          "   WHERE s.guideline_adherence IS NOT NULL GROUP BY e.key) a),"
          " 'learnings_by_kind', (SELECT json_build_object("
          "   'failure', count(*) FILTER (WHERE kind = 'failure'),"
          "   'success', count(*) FILTER (WHERE kind = 'success'),"
          "   'insight', count(*) FILTER (WHERE kind = 'insight')) FROM learning),"
          " 'activity', (SELECT json_build_object('weeks', $1::int, 'completions', count(*),"
          "   'partners', count(DISTINCT partner_id)) FROM completion"
          "   WHERE done_at > now() - make_interval(weeks => $1::int) AND done_at <= now()),"
          " 'signoffs_current', (SELECT count(*) FROM signoff WHERE revoked_at IS NULL))" },
        { NULL, NULL },
};

int
db_page(PGconn *c, const char *stmt, int n, const char **params, const struct page *pg,
        char **out)
{
        char after[24], limit[16];
        PGresult *res = NULL;
        int rc;

        snprintf(after, sizeof(after), "%lld", (long long)pg->after);
        snprintf(limit, sizeof(limit), "%d", pg->limit + 1);
        params[0] = after;
        params[n - 1] = limit;
        rc = db_exec(c, stmt, n, params, &res);
        if (rc == ST_OK) {
                *out = db_page_json(res, pg->limit);
                rc = *out != NULL ? ST_OK : ST_NOMEM;
        }
        PQclear(res);
        return rc;
}
