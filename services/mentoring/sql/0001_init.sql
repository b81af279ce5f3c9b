-- mentoring: the guidelines, 1:1 sessions and their write-ups, activity
-- templates, each partner's checklist and activity log, learnings and the
-- mentor's sign-off.  People and pairings live in the people service: ids
-- here refer to it and are checked through its API, never by a foreign key.

-- ---- guidelines: versioned, immutable once written ----------------------------
CREATE TABLE guideline_version (
    version     integer PRIMARY KEY CHECK (version >= 1),
    seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    items       jsonb NOT NULL CHECK (jsonb_typeof(items) = 'array'),
    note        text,
    created_by  uuid,
    created_at  timestamptz NOT NULL DEFAULT now()
);

INSERT INTO guideline_version (version, items, note) VALUES (1, $$[
  {"key": "partners-pace", "title": "Work at the partner's pace",
   "description": "The partner sets the pace and the cadence; the mentor follows it and never compares the partner with anyone else."},
  {"key": "share-experience", "title": "Share personal experience of the same activities",
   "description": "The mentor does the same activities on the same platforms and talks about doing them, rather than telling the partner what to do."},
  {"key": "share-learning", "title": "Share learning, failures and successes alike",
   "description": "Both say what worked and what did not; a failure shared is as useful as a success."}
]$$, 'The programme''s default mentoring guidelines');

-- ---- sessions ------------------------------------------------------------------
CREATE TABLE session (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq                 bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    pairing_id          uuid NOT NULL,
    mentor_id           uuid NOT NULL,
    partner_id          uuid NOT NULL,
    scheduled_at        timestamptz NOT NULL,
    duration_minutes    integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480),
    agenda              text,
    objectives          text[] NOT NULL DEFAULT '{}',
    status              text NOT NULL DEFAULT 'scheduled'
                        CHECK (status IN ('scheduled', 'held', 'cancelled', 'no_show')),
    status_reason       text,
    -- every change of time or status: {action, at, by, from?, to?, reason?}
    history             jsonb NOT NULL DEFAULT '[]',
    -- the write-up (held sessions only)
    guideline_version   integer REFERENCES guideline_version (version),
    guideline_adherence jsonb,
    shared_notes        text,
    partner_reflection  text,
    written_up_at       timestamptz,
    created_by          uuid NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    version             bigint NOT NULL DEFAULT 1,
    CHECK (mentor_id <> partner_id),
    CHECK (status = 'held' OR (guideline_adherence IS NULL AND shared_notes IS NULL
                               AND partner_reflection IS NULL AND written_up_at IS NULL))
);
CREATE INDEX session_partner_idx ON session (partner_id, seq);
CREATE INDEX session_mentor_idx ON session (mentor_id, seq);
CREATE INDEX session_pairing_idx ON session (pairing_id, seq);
CREATE INDEX session_backlog_idx ON session (scheduled_at)
    WHERE status = 'held' AND written_up_at IS NULL;

-- agreed actions: owned by the partner, tracked to done
CREATE TABLE session_action (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    session_id  uuid NOT NULL REFERENCES session (id),
    owner_id    uuid NOT NULL,
    title       text NOT NULL,
    due_on      date NOT NULL,
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    done_at     timestamptz,
    created_by  uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     bigint NOT NULL DEFAULT 1,
    CHECK ((status = 'done') = (done_at IS NOT NULL))
);
CREATE INDEX session_action_session_idx ON session_action (session_id, seq);

-- private notes: one per session and author, read by that author alone
CREATE TABLE private_note (
    session_id  uuid NOT NULL REFERENCES session (id),
    author_id   uuid NOT NULL,
    text        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (session_id, author_id)
);

-- ---- activity templates and checklists --------------------------------------
CREATE TABLE activity_template (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    title         text NOT NULL,
    platform      text NOT NULL,
    skill         text NOT NULL,
    cadence_kind  text NOT NULL
                  CHECK (cadence_kind IN ('daily', 'weekly', 'fortnightly', 'monthly', 'every_n_days')),
    cadence_days  integer NOT NULL CHECK (cadence_days BETWEEN 0 AND 365),
    description   text,
    archived      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    version       bigint NOT NULL DEFAULT 1
);

CREATE TABLE checklist_item (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    partner_id    uuid NOT NULL,
    template_id   uuid REFERENCES activity_template (id),
    title         text NOT NULL,
    platform      text NOT NULL,
    skill         text NOT NULL,
    description   text,
    cadence_kind  text NOT NULL
                  CHECK (cadence_kind IN ('daily', 'weekly', 'fortnightly', 'monthly', 'every_n_days')),
    cadence_days  integer NOT NULL CHECK (cadence_days BETWEEN 0 AND 365),
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
    started_on    date NOT NULL DEFAULT current_date,
    -- pause intervals [{from, to}] (dates; to null while paused)
    pauses        jsonb NOT NULL DEFAULT '[]',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    version       bigint NOT NULL DEFAULT 1
);
CREATE INDEX checklist_item_partner_idx ON checklist_item (partner_id, seq);

CREATE TABLE completion (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq                bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    item_id            uuid NOT NULL REFERENCES checklist_item (id),
    partner_id         uuid NOT NULL,
    done_at            timestamptz NOT NULL,
    evidence_url       text,
    reflection         text,
    verified_by        uuid,
    verified_at        timestamptz,
    verification_note  text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    version            bigint NOT NULL DEFAULT 1,
    CHECK ((verified_by IS NULL) = (verified_at IS NULL))
);
CREATE INDEX completion_item_idx ON completion (item_id, done_at);
CREATE INDEX completion_partner_idx ON completion (partner_id, done_at);
CREATE INDEX completion_partner_seq_idx ON completion (partner_id, seq);

CREATE TABLE completion_comment (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq            bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    completion_id  uuid NOT NULL REFERENCES completion (id) ON DELETE CASCADE,
    author_id      uuid NOT NULL,
    text           text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX completion_comment_idx ON completion_comment (completion_id, seq);

-- ---- learnings -------------------------------------------------------------------
CREATE TABLE learning (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    author_id    uuid NOT NULL,
    author_role  text NOT NULL CHECK (author_role IN ('mentor', 'partner')),
    pairing_id   uuid,
    mentor_id    uuid,
    partner_id   uuid,
    kind         text NOT NULL CHECK (kind IN ('failure', 'success', 'insight')),
    platform     text,
    skill        text,
    text         text NOT NULL,
    visibility   text NOT NULL CHECK (visibility IN ('private', 'pairing', 'library')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    version      bigint NOT NULL DEFAULT 1,
    CHECK ((pairing_id IS NULL) = (mentor_id IS NULL) AND (pairing_id IS NULL) = (partner_id IS NULL)),
    CHECK (visibility <> 'pairing' OR pairing_id IS NOT NULL)
);
CREATE INDEX learning_author_idx ON learning (author_id, seq);
CREATE INDEX learning_pairing_idx ON learning (pairing_id, seq) WHERE pairing_id IS NOT NULL;
CREATE INDEX learning_library_idx ON learning (seq) WHERE visibility = 'library';

-- ---- the mentor's sign-off: one current per partner ---------------------------------
CREATE TABLE signoff (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq            bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    partner_id     uuid NOT NULL,
    mentor_id      uuid NOT NULL,
    note           text NOT NULL,
    signed_off_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz,
    revoked_by     uuid,
    version        bigint NOT NULL DEFAULT 1,
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE UNIQUE INDEX signoff_one_current ON signoff (partner_id) WHERE revoked_at IS NULL;

-- ---- JSON representations, rendered here so that a read is one round trip.
-- Times are RFC 3339 in UTC: every pooled connection runs with TimeZone=UTC.
CREATE FUNCTION cadence_json(kind text, days integer) RETURNS json
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN kind = 'every_n_days' THEN json_build_object('every_n_days', days)
                      ELSE to_json(kind) END $$;

CREATE FUNCTION guideline_json(g guideline_version) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'version', g.version, 'items', g.items, 'note', g.note,
        'created_by', g.created_by, 'created_at', g.created_at) $$;

CREATE FUNCTION action_json(a session_action) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', a.id, 'session_id', a.session_id, 'owner_id', a.owner_id, 'title', a.title,
        'due_on', a.due_on, 'status', a.status, 'done_at', a.done_at,
        'created_by', a.created_by, 'created_at', a.created_at,
        'updated_at', a.updated_at, 'version', a.version) $$;

-- @write_up_days: a held session not written up this many days after it was
-- scheduled needs a write-up.  Private notes are another table: never here.
CREATE FUNCTION session_json(s session, write_up_days integer) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', s.id, 'pairing_id', s.pairing_id, 'mentor_id', s.mentor_id,
        'partner_id', s.partner_id, 'scheduled_at', s.scheduled_at,
        'duration_minutes', s.duration_minutes, 'agenda', s.agenda,
        'objectives', s.objectives, 'status', s.status, 'status_reason', s.status_reason,
        'history', s.history,
        'write_up', json_build_object(
            'shared_notes', s.shared_notes, 'partner_reflection', s.partner_reflection,
            'guideline_version', s.guideline_version,
            'guideline_adherence', s.guideline_adherence, 'written_up_at', s.written_up_at),
        'needs_write_up', s.status = 'held' AND s.written_up_at IS NULL
                          AND s.scheduled_at < now() - make_interval(days => write_up_days),
        'actions', coalesce((SELECT json_agg(action_json(a) ORDER BY a.seq)
                               FROM session_action a WHERE a.session_id = s.id), '[]'::json),
        'created_by', s.created_by, 'created_at', s.created_at,
        'updated_at', s.updated_at, 'version', s.version) $$;

CREATE FUNCTION private_note_json(n private_note) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'session_id', n.session_id, 'author_id', n.author_id, 'text', n.text,
        'created_at', n.created_at, 'updated_at', n.updated_at, 'version', n.version) $$;

CREATE FUNCTION template_json(t activity_template) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', t.id, 'title', t.title, 'platform', t.platform, 'skill', t.skill,
        'suggested_cadence', cadence_json(t.cadence_kind, t.cadence_days),
        'description', t.description, 'archived', t.archived,
        'created_at', t.created_at, 'updated_at', t.updated_at, 'version', t.version) $$;

CREATE FUNCTION item_json(i checklist_item) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', i.id, 'partner_id', i.partner_id, 'template_id', i.template_id,
        'title', i.title, 'platform', i.platform, 'skill', i.skill,
        'description', i.description, 'cadence', cadence_json(i.cadence_kind, i.cadence_days),
        'status', i.status, 'started_on', i.started_on, 'pauses', i.pauses,
        'created_at', i.created_at, 'updated_at', i.updated_at, 'version', i.version) $$;

CREATE FUNCTION completion_json(c completion) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', c.id, 'item_id', c.item_id, 'partner_id', c.partner_id, 'done_at', c.done_at,
        'evidence_url', c.evidence_url, 'reflection', c.reflection,
        'verified', c.verified_by IS NOT NULL, 'verified_by', c.verified_by,
        'verified_at', c.verified_at, 'verification_note', c.verification_note,
        'comments', coalesce((SELECT json_agg(json_build_object(
                'id', m.id, 'completion_id', m.completion_id, 'author_id', m.author_id,
                'text', m.text,
                'created_at', m.created_at) ORDER BY m.seq)
            FROM completion_comment m WHERE m.completion_id = c.id), '[]'::json),
        'created_at', c.created_at, 'updated_at', c.updated_at, 'version', c.version) $$;

CREATE FUNCTION learning_json(l learning) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', l.id, 'author_id', l.author_id, 'author_role', l.author_role,
        'pairing_id', l.pairing_id, 'kind', l.kind, 'platform', l.platform, 'skill', l.skill,
        'text', l.text, 'visibility', l.visibility, 'created_at', l.created_at,
        'updated_at', l.updated_at, 'version', l.version) $$;

CREATE FUNCTION signoff_json(s signoff) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', s.id, 'partner_id', s.partner_id, 'mentor_id', s.mentor_id, 'note', s.note,
        'signed_off_at', s.signed_off_at, 'current', s.revoked_at IS NULL,
        'revoked_at', s.revoked_at, 'revoked_by', s.revoked_by, 'version', s.version) $$;
