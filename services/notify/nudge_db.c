/*
 * nudge_db.c - the statements of the nudges and the digest.  The stall
 * comes from the attention read model (sql/0003: att_enrolment.moved_at, the
 * partner's last movement; att_pairing; att_person's profile read from
 * people); the rules, the steps and the delivery log are sql/0004.
 *
 * "Now" is now() plus TANDEM_NOTIFY_CLOCK_OFFSET_S (a test-only knob, 0 in
 * production): every statement takes the offset as $1.
 */
#include "nudge.h"

#define NOW "(now() + make_interval(secs => $1::float8))"

const struct db_stmt nudge_stmts[] = {
        { "nudge_lock", "SELECT pg_try_advisory_xact_lock(hashtext('tandem.notify.nudges'))" },
        /* pending steps of a stall that is over: the partner moved, paused, left */
        { "nudge_cancel",
          "UPDATE nudge n SET status = 'cancelled', lease_until = NULL,"
          "  outcome = CASE WHEN e.id IS NULL THEN 'cancelled: the enrolment is gone'"
          "   WHEN e.status = 'paused' THEN 'cancelled: the enrolment is paused'"
          "   WHEN e.status <> 'active' THEN 'cancelled: the enrolment is ' || e.status"
          "   WHEN p.status IS DISTINCT FROM 'active' THEN 'cancelled: the partner left'"
          "   ELSE 'cancelled: the partner moved on' END"
          " FROM nudge x LEFT JOIN att_enrolment e ON e.id = x.enrolment_id"
          " LEFT JOIN att_person p ON p.id = x.partner_id"
          " WHERE n.seq = x.seq AND n.status = 'pending'"
          "  AND (n.lease_until IS NULL OR n.lease_until < now())"
          "  AND (e.id IS NULL OR e.status <> 'active' OR e.moved_at <> n.stall_since"
          "       OR p.status IS DISTINCT FROM 'active')"
          "  AND $1::float8 IS NOT NULL" },
        /* every step each active stall has reached, once per stall ($2: the channel) */
        { "nudge_plan",
          "WITH st AS ("
          "  SELECT e.id, e.person_id, e.programme_id, e.current_phase, e.moved_at, d.*,"
          "   (SELECT a.mentor_id FROM att_pairing a WHERE a.partner_id = e.person_id"
          "     AND a.active ORDER BY a.started_at DESC LIMIT 1) AS mentor_id,"
          "   extract(epoch FROM " NOW " - e.moved_at) / 86400 AS age"
          "  FROM att_enrolment e JOIN att_person p ON p.id = e.person_id AND p.status = 'active',"
          "   LATERAL nudge_days(e.programme_id, e.current_phase) d"
          "  WHERE e.status = 'active' AND e.moved_at <= " NOW
          "   - make_interval(days => d.partner_days)),"
          " steps AS ("
          "  SELECT st.*, 'partner' AS step, st.person_id AS recipient FROM st"
          "  UNION ALL SELECT st.*, 'mentor', st.mentor_id FROM st"
          "   WHERE st.age >= st.mentor_days AND st.mentor_id IS NOT NULL"
          "  UNION ALL SELECT st.*, 'lead', a.id FROM st JOIN att_person a"
          "   ON 'admin' = ANY (a.roles) AND a.status = 'active' AND a.id <> st.person_id"
          "   WHERE st.age >= st.lead_days)"
          " INSERT INTO nudge (enrolment_id, partner_id, mentor_id, programme_id, phase,"
          "  stall_since, step, recipient_id, channel, next_attempt_at)"
          " SELECT id, person_id, mentor_id, programme_id, current_phase, moved_at, step,"
          "  recipient, $2, now() - interval '1 second' FROM steps"
          " ON CONFLICT (enrolment_id, stall_since, step, recipient_id) DO NOTHING" },
        /* leases up to $2 due steps for $3 seconds, with what their message needs */
        { "nudge_claim",
          "WITH c AS (UPDATE nudge n SET lease_until = now() + make_interval(secs => $3::int)"
          "  WHERE n.seq IN (SELECT seq FROM nudge WHERE status = 'pending'"
          "   AND next_attempt_at <= " NOW " AND (lease_until IS NULL OR lease_until < now())"
          "   ORDER BY next_attempt_at LIMIT $2::int FOR UPDATE SKIP LOCKED) RETURNING n.*)"
          " SELECT c.seq, c.id, c.step, c.recipient_id, c.partner_id, c.enrolment_id,"
          "  c.attempts, r.email, r.display_name, r.status, l.isodow, l.minute,"
          "  p.display_name, m.display_name, coalesce(c.phase, e.current_phase),"
          "  to_char(c.stall_since AT TIME ZONE coalesce(r.timezone, 'UTC'), 'YYYY-MM-DD'),"
          "  floor(extract(epoch FROM " NOW " - c.stall_since) / 86400)::int,"
          "  att_slipped(coalesce(e.phases, '[]'), l.day)::text, r.profile_due"
          " FROM c LEFT JOIN att_person r ON r.id = c.recipient_id"
          " LEFT JOIN att_person p ON p.id = c.partner_id"
          " LEFT JOIN att_person m ON m.id = c.mentor_id"
          " LEFT JOIN att_enrolment e ON e.id = c.enrolment_id,"
          " LATERAL nudge_local(" NOW ", r.timezone) l ORDER BY c.seq" },
        /* quiet hours: try again in $3 minutes, no attempt counted */
        { "nudge_defer",
          "UPDATE nudge SET lease_until = NULL, outcome = $4,"
          "  next_attempt_at = " NOW " + make_interval(mins => $3::int)"
          " WHERE seq = $2::bigint AND status = 'pending'" },
        /* an attempt's outcome: $3 sent, failed, cancelled or pending (retry in $4 s) */
        { "nudge_finish",
          "UPDATE nudge SET lease_until = NULL, outcome = $5, channel = $6,"
          "  attempts = attempts + CASE WHEN $3 = 'cancelled' THEN 0 ELSE 1 END,"
          "  status = $3, sent_at = CASE WHEN $3 = 'sent' THEN now() END,"
          "  next_attempt_at = " NOW " + make_interval(secs => $4::int)"
          " WHERE seq = $2::bigint AND status = 'pending'"
          " RETURNING id, partner_id, step, recipient_id, channel" },
        /* the delivery log: $1 after, $2 limit, $3 partner, $4 step, $5 status, $6 mentor */
        { "nudge_page",
          "SELECT n.seq, nudge_json(n) FROM nudge n WHERE n.seq > $1::bigint"
          " AND ($3::uuid IS NULL OR n.partner_id = $3::uuid)"
          " AND ($4::text IS NULL OR n.step = $4::text)"
          " AND ($5::text IS NULL OR n.status = $5::text)"
          " AND ($6::uuid IS NULL OR EXISTS (SELECT 1 FROM att_pairing a"
          "      WHERE a.partner_id = n.partner_id AND a.mentor_id = $6::uuid AND a.active))"
          " ORDER BY n.seq LIMIT $2::int" },
        /* the rules document */
        { "nudge_rules_get", "SELECT 'rules', version, nudge_rules_json()::text FROM nudge_settings" },
        { "nudge_rules_lock", "SELECT version FROM nudge_settings FOR UPDATE" },
        { "nudge_rules_put",
          "WITH s AS (UPDATE nudge_settings SET version = version + 1,"
          "  partner_days = ($1::jsonb->'defaults'->>'partner_days')::int,"
          "  mentor_days = ($1::jsonb->'defaults'->>'mentor_days')::int,"
          "  lead_days = ($1::jsonb->'defaults'->>'lead_days')::int,"
          "  quiet_start = split_part($1::jsonb->'quiet_hours'->>'start', ':', 1)::int * 60"
          "   + split_part($1::jsonb->'quiet_hours'->>'start', ':', 2)::int,"
          "  quiet_end = split_part($1::jsonb->'quiet_hours'->>'end', ':', 1)::int * 60"
          "   + split_part($1::jsonb->'quiet_hours'->>'end', ':', 2)::int,"
          "  quiet_weekends = ($1::jsonb->'quiet_hours'->>'weekends')::boolean,"
          "  updated_at = now(), updated_by = $2 RETURNING version)"
          " SELECT version FROM s" },
        { "nudge_rules_clear", "DELETE FROM nudge_rule" },
        /* new quiet hours: what waited for the old ones is looked at again */
        { "nudge_requiet",
          "UPDATE nudge SET next_attempt_at = now() - interval '1 second'"
          " WHERE status = 'pending' AND outcome LIKE 'deferred: quiet hours%'" },
        { "nudge_rules_add",
          "INSERT INTO nudge_rule (position, programme_id, phase, partner_days, mentor_days,"
          "  lead_days)"
          " SELECT r.ord, (r.j->>'programme_id')::uuid, r.j->>'phase',"
          "  (r.j->>'partner_days')::int, (r.j->>'mentor_days')::int, (r.j->>'lead_days')::int"
          " FROM jsonb_array_elements(coalesce($1::jsonb->'rules', '[]')) WITH ORDINALITY"
          "  AS r(j, ord)" },
        { "nudge_quiet",
          "SELECT quiet_start, quiet_end, quiet_weekends FROM nudge_settings" },
        /* mentors whose digest is due: local weekday $2 from hour $3, not sent this week */
        { "digest_due",
          "SELECT m.id, l.week FROM att_person m, LATERAL nudge_local(" NOW ", m.timezone) l"
          " WHERE 'mentor' = ANY (m.roles) AND m.status = 'active'"
          "  AND ($2::int = 0 OR (l.isodow = $2::int AND l.minute >= $3::int * 60))"
          "  AND ($4::uuid IS NULL OR m.id = $4::uuid)"
          "  AND EXISTS (SELECT 1 FROM att_pairing a WHERE a.mentor_id = m.id AND a.active)"
          "  AND ($2::int = 0 OR NOT EXISTS (SELECT 1 FROM digest d"
          "      WHERE d.mentor_id = m.id AND d.week = l.week))"
          " ORDER BY m.id LIMIT 200" },
        /* a mentor's digest: who they are, then one row per active partner */
        { "digest_mentor",
          "SELECT email, display_name, status FROM att_person WHERE id = $2::uuid"
          " AND $1::float8 IS NOT NULL" },
        { "digest_lines",
          "SELECT coalesce(p.display_name, 'a partner'), e.current_phase,"
          "  CASE WHEN e.id IS NULL THEN 'not enrolled' WHEN e.status = 'paused' THEN 'paused'"
          "   WHEN e.status <> 'active' THEN e.status"
          "   WHEN e.stalled_at <= " NOW " THEN 'stalled'"
          "   WHEN jsonb_array_length(att_slipped(e.phases, " NOW "::date)) > 0"
          "    THEN 'behind their own plan'"
          "   ELSE 'on track' END,"
          "  (SELECT count(*) FROM att_item i WHERE i.reason = 'write_up_owed'"
          "    AND i.person_id = a.partner_id AND i.owner_id = a.mentor_id)::int,"
          "  (SELECT count(*) FROM att_item i WHERE i.reason = 'section_review'"
          "    AND i.person_id = a.partner_id)::int"
          " FROM att_pairing a LEFT JOIN att_person p ON p.id = a.partner_id"
          " LEFT JOIN LATERAL (SELECT * FROM att_enrolment x WHERE x.person_id = a.partner_id"
          "   ORDER BY (x.status IN ('active', 'paused')) DESC, x.updated_at DESC LIMIT 1) e"
          "  ON true"
          " WHERE a.mentor_id = $2::uuid AND a.active ORDER BY p.display_name, a.partner_id"
          " LIMIT 100" },
        { "digest_record",
          "INSERT INTO digest (mentor_id, week, channel, outcome) VALUES ($1::uuid, $2, $3, $4)"
          " ON CONFLICT (mentor_id, week) DO NOTHING RETURNING 1" },
        { NULL, NULL },
};
