-- notify: nudges and escalation on a stall, and the mentors' weekly digest
-- (issue 13).
--
-- The rules are data: defaults and per programme and phase overrides, plus
-- the quiet hours every recipient keeps in their own time zone.  Each step of
-- a stall (partner, mentor, programme lead) is one row of nudge, unique per
-- stall (the partner's last movement), so it fires once; the row is the
-- delivery log too (attempts, outcome).  A digest row is one mentor's week.

-- The settings of the rules document: one row, versioned for If-Match.
CREATE TABLE nudge_settings (
    id              boolean PRIMARY KEY DEFAULT true CHECK (id),
    version         bigint NOT NULL DEFAULT 1,
    partner_days    integer NOT NULL DEFAULT 14,
    mentor_days     integer NOT NULL DEFAULT 21,
    lead_days       integer NOT NULL DEFAULT 35,
    quiet_start     integer NOT NULL DEFAULT 1200 CHECK (quiet_start BETWEEN 0 AND 1439),
    quiet_end       integer NOT NULL DEFAULT 480 CHECK (quiet_end BETWEEN 0 AND 1439),
    quiet_weekends  boolean NOT NULL DEFAULT true,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    updated_by      text,
    CHECK (partner_days BETWEEN 1 AND 365 AND partner_days <= mentor_days
           AND mentor_days <= lead_days AND lead_days <= 365)
);
INSERT INTO nudge_settings DEFAULT VALUES;

-- Overrides: a programme (NULL: every programme) and a phase key (NULL: every
-- phase).  The most specific row wins: programme and phase, the programme,
-- the phase, then the defaults above.
CREATE TABLE nudge_rule (
    position      integer NOT NULL PRIMARY KEY,
    programme_id  uuid,
    phase         text,
    partner_days  integer NOT NULL,
    mentor_days   integer NOT NULL,
    lead_days     integer NOT NULL,
    CHECK (partner_days BETWEEN 1 AND 365 AND partner_days <= mentor_days
           AND mentor_days <= lead_days AND lead_days <= 365)
);
CREATE UNIQUE INDEX nudge_rule_scope ON nudge_rule
    (coalesce(programme_id, '00000000-0000-0000-0000-000000000000'::uuid), coalesce(phase, ''));

-- The days of each step for an enrolment of @programme in @phase.
CREATE FUNCTION nudge_days(p_programme uuid, p_phase text,
                           OUT partner_days integer, OUT mentor_days integer,
                           OUT lead_days integer)
    LANGUAGE sql STABLE AS $$
    SELECT r.partner_days, r.mentor_days, r.lead_days FROM (
        SELECT partner_days, mentor_days, lead_days,
               (CASE WHEN programme_id IS NOT NULL THEN 2 ELSE 0 END
                + CASE WHEN phase IS NOT NULL THEN 1 ELSE 0 END) AS rank
          FROM nudge_rule
         WHERE (programme_id IS NULL OR programme_id = p_programme)
           AND (phase IS NULL OR phase = p_phase)
        UNION ALL
        SELECT partner_days, mentor_days, lead_days, -1 FROM nudge_settings) r
     ORDER BY r.rank DESC LIMIT 1 $$;

CREATE FUNCTION nudge_hhmm(m integer) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT lpad((m / 60)::text, 2, '0') || ':' || lpad((m % 60)::text, 2, '0') $$;

CREATE FUNCTION nudge_rules_json() RETURNS json
    LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'version', s.version,
        'defaults', json_build_object('partner_days', s.partner_days,
                                      'mentor_days', s.mentor_days, 'lead_days', s.lead_days),
        'rules', coalesce((SELECT json_agg(json_build_object(
                     'programme_id', r.programme_id, 'phase', r.phase,
                     'partner_days', r.partner_days, 'mentor_days', r.mentor_days,
                     'lead_days', r.lead_days) ORDER BY r.position) FROM nudge_rule r), '[]'),
        'quiet_hours', json_build_object('start', nudge_hhmm(s.quiet_start),
                                         'end', nudge_hhmm(s.quiet_end),
                                         'weekends', s.quiet_weekends),
        'updated_at', to_char(s.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
        'updated_by', s.updated_by)
      FROM nudge_settings s $$;

-- One step of one stall, and its delivery.
CREATE TABLE nudge (
    seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id              uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    enrolment_id    uuid NOT NULL,
    partner_id      uuid NOT NULL,
    mentor_id       uuid,                          -- the partner's mentor when planned
    programme_id    uuid,
    phase           text,
    stall_since     timestamptz NOT NULL,          -- the partner's last movement
    step            text NOT NULL CHECK (step IN ('partner', 'mentor', 'lead')),
    recipient_id    uuid NOT NULL,
    channel         text NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'log')),
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_until     timestamptz,                   -- a replica is sending it until then
    outcome         text,                          -- what the last attempt did (no address, no text)
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    UNIQUE (enrolment_id, stall_since, step, recipient_id)
);
CREATE INDEX nudge_due ON nudge (next_attempt_at) WHERE status = 'pending';
CREATE INDEX nudge_partner ON nudge (partner_id, seq);
CREATE INDEX nudge_mentor ON nudge (mentor_id, seq);

CREATE FUNCTION nudge_json(n nudge) RETURNS json
    LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', n.id, 'enrolment_id', n.enrolment_id, 'partner_id', n.partner_id,
        'mentor_id', n.mentor_id, 'programme_id', n.programme_id, 'phase', n.phase,
        'stall_since', audit_time(n.stall_since), 'step', n.step,
        'recipient_id', n.recipient_id, 'channel', n.channel, 'status', n.status,
        'attempts', n.attempts, 'next_attempt_at',
        CASE WHEN n.status = 'pending' THEN audit_time(n.next_attempt_at) END,
        'outcome', n.outcome, 'created_at', audit_time(n.created_at),
        'sent_at', audit_time(n.sent_at)) $$;

-- One mentor's weekly digest: the ISO week in the mentor's own time zone.
CREATE TABLE digest (
    mentor_id   uuid NOT NULL,
    week        text NOT NULL,                 -- '2026-W49'
    channel     text NOT NULL,
    outcome     text,
    sent_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (mentor_id, week)
);

-- The local wall time of @t in zone @tz (a zone PostgreSQL does not know:
-- UTC), for quiet hours and the digest's day: isodow 1..7, minute of day,
-- the ISO week ('2026-W49').  PostgreSQL's own tz database does the work, so
-- the service's threads never touch TZ or localtime.
CREATE FUNCTION nudge_local(t timestamptz, tz text,
                            OUT isodow integer, OUT minute integer, OUT week text,
                            OUT day date)
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    l timestamp;
BEGIN
    BEGIN
        l := t AT TIME ZONE coalesce(nullif(tz, ''), 'UTC');
    EXCEPTION WHEN invalid_parameter_value OR data_exception THEN
        l := t AT TIME ZONE 'UTC';
    END;
    isodow := extract(isodow FROM l)::integer;
    minute := (extract(hour FROM l) * 60 + extract(minute FROM l))::integer;
    week := to_char(l, 'IYYY-"W"IW');
    day := l::date;
END $$;
