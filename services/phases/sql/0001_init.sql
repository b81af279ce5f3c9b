-- phases: programmes and their versioned phase definitions, enrolments (each
-- partner's own journey) with per-phase progress and a history of every
-- transition, workshops and attendance, assessment templates and assessments.
--
-- Person ids refer to the people service's persons; this schema never reads
-- that schema, so they carry no foreign key.

-- A programme is its id; what it says lives in numbered versions.  Editing a
-- programme adds a version; an enrolment pins the version it enrolled on.
CREATE TABLE programme (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    version     integer NOT NULL DEFAULT 1 CHECK (version >= 1),   -- the latest version
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- phases: a JSON array validated by the service (phases_json.c):
-- [{position, key, name, description, guide_days, stall_days, criteria: [rule]}]
CREATE TABLE programme_version (
    programme_id uuid NOT NULL REFERENCES programme (id),
    version      integer NOT NULL CHECK (version >= 1),
    name         text NOT NULL,
    description  text,
    phases       jsonb NOT NULL CHECK (jsonb_typeof(phases) = 'array'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text NOT NULL,
    PRIMARY KEY (programme_id, version)
);

CREATE TABLE enrolment (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq               bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    person_id         uuid NOT NULL,
    programme_id      uuid NOT NULL,
    programme_version integer NOT NULL,
    -- a copy of the person's business unit at enrolment, so that statistics
    -- need no call to the people service per row
    business_unit     text,
    status            text NOT NULL DEFAULT 'active'
                      CHECK (status IN ('active', 'paused', 'withdrawn', 'operational')),
    current_position  integer NOT NULL DEFAULT 1 CHECK (current_position >= 1),
    enrolled_at       timestamptz NOT NULL DEFAULT now(),
    -- the last progress event: enrolled, a phase entered, resumed, a workshop
    -- attended, a self-assessment submitted
    last_progress_at  timestamptz NOT NULL DEFAULT now(),
    paused_at         timestamptz,
    ended_at          timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    version           bigint NOT NULL DEFAULT 1,
    FOREIGN KEY (programme_id, programme_version) REFERENCES programme_version,
    CHECK ((status = 'paused') = (paused_at IS NOT NULL)),
    CHECK ((status IN ('withdrawn', 'operational')) = (ended_at IS NOT NULL))
);
-- one open (active or paused) enrolment per person per programme
CREATE UNIQUE INDEX enrolment_one_open ON enrolment (person_id, programme_id)
    WHERE status IN ('active', 'paused');
CREATE INDEX enrolment_person_idx ON enrolment (person_id, seq);
CREATE INDEX enrolment_programme_idx ON enrolment (programme_id, business_unit);

-- One row per phase of the pinned version, copied at enrolment.
CREATE TABLE enrolment_phase (
    enrolment_id uuid NOT NULL REFERENCES enrolment (id),
    position     integer NOT NULL CHECK (position >= 1),
    key          text NOT NULL,
    name         text NOT NULL,
    guide_days   integer NOT NULL,
    stall_days   integer NOT NULL,
    status       text NOT NULL DEFAULT 'not_started'
                 CHECK (status IN ('not_started', 'in_progress', 'completed')),
    entered_at   timestamptz,
    completed_at timestamptz,
    target_date  date,     -- the partner's own plan; a guide, never imposed
    PRIMARY KEY (enrolment_id, position),
    CHECK ((status = 'not_started') = (entered_at IS NULL)),
    CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);
CREATE INDEX enrolment_phase_key_idx ON enrolment_phase (key, status);

-- Every transition and every target date shift: who, when, from, to, and the
-- evidence or the reason.
CREATE TABLE enrolment_event (
    seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id              uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    enrolment_id    uuid NOT NULL REFERENCES enrolment (id),
    kind            text NOT NULL CHECK (kind IN ('enrolled', 'advanced', 'operational',
                    'paused', 'resumed', 'withdrawn', 'target_set')),
    at              timestamptz NOT NULL DEFAULT now(),
    actor_subject   text NOT NULL,
    actor_person_id uuid,
    actor_role      text NOT NULL,
    from_status     text,
    to_status       text,
    from_phase      text,
    to_phase        text,
    phase           text,
    old_target      date,
    new_target      date,
    reason          text,
    override        boolean NOT NULL DEFAULT false,
    evidence        jsonb
);
CREATE INDEX enrolment_event_enrolment_idx ON enrolment_event (enrolment_id, seq);

CREATE TABLE workshop (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    title       text NOT NULL,
    description text,
    platform    text NOT NULL,
    skills      text[] NOT NULL DEFAULT '{}',
    held_at     timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX workshop_platform_idx ON workshop (platform, seq);

CREATE TABLE attendance (
    seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    workshop_id  uuid NOT NULL REFERENCES workshop (id),
    person_id    uuid NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    recorded_by  text NOT NULL,
    PRIMARY KEY (workshop_id, person_id)
);
CREATE INDEX attendance_person_idx ON attendance (person_id);

-- items: [{platform, skill, prompt}], validated by the service; immutable.
CREATE TABLE assessment_template (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    name        text NOT NULL,
    items       jsonb NOT NULL CHECK (jsonb_typeof(items) = 'array'),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A self-assessment (kind self, rated_by = person_id) or a mentor's rating of
-- the partner (kind mentor), kept apart.  The first of each kind per person is
-- the baseline.
CREATE TABLE assessment (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    person_id    uuid NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('self', 'mentor')),
    rated_by     uuid NOT NULL,
    template_id  uuid NOT NULL REFERENCES assessment_template (id),
    enrolment_id uuid REFERENCES enrolment (id),
    phase        text,
    baseline     boolean NOT NULL,
    submitted_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'self') = (rated_by = person_id))
);
CREATE UNIQUE INDEX assessment_one_baseline ON assessment (person_id, kind) WHERE baseline;
CREATE INDEX assessment_person_idx ON assessment (person_id, kind, seq);

CREATE TABLE assessment_answer (
    assessment_id uuid NOT NULL REFERENCES assessment (id),
    position      integer NOT NULL,
    platform      text NOT NULL,
    skill         text NOT NULL,
    confidence    smallint NOT NULL CHECK (confidence BETWEEN 1 AND 5),
    capability    smallint NOT NULL CHECK (capability BETWEEN 1 AND 5),
    PRIMARY KEY (assessment_id, platform, skill)
);

-- The JSON representations, rendered by PostgreSQL (sessions run in UTC, so
-- times are RFC 3339 in UTC).  An enrolment's pace is not here: the service
-- computes it at read time from these facts (pace.c).
CREATE FUNCTION programme_json(p programme, v programme_version) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', p.id, 'version', v.version, 'latest_version', p.version, 'name', v.name,
        'description', v.description, 'phases', v.phases, 'created_at', p.created_at,
        'version_created_at', v.created_at) $$;

CREATE FUNCTION enrolment_json(e enrolment) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', e.id, 'person_id', e.person_id, 'programme_id', e.programme_id,
        'programme_version', e.programme_version, 'business_unit', e.business_unit,
        'status', e.status, 'current_position', e.current_position,
        'current_phase', CASE WHEN e.status = 'operational' THEN NULL ELSE
            (SELECT ph.key FROM enrolment_phase ph
              WHERE ph.enrolment_id = e.id AND ph.position = e.current_position) END,
        'enrolled_at', e.enrolled_at, 'last_progress_at', e.last_progress_at,
        'paused_at', e.paused_at, 'ended_at', e.ended_at,
        'phases', (SELECT json_agg(json_build_object(
            'position', ph.position, 'key', ph.key, 'name', ph.name,
            'guide_days', ph.guide_days, 'stall_days', ph.stall_days, 'status', ph.status,
            'entered_at', ph.entered_at, 'completed_at', ph.completed_at,
            'target_date', ph.target_date) ORDER BY ph.position)
            FROM enrolment_phase ph WHERE ph.enrolment_id = e.id),
        'created_at', e.created_at, 'updated_at', e.updated_at, 'version', e.version) $$;

CREATE FUNCTION event_json(x enrolment_event) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', x.id, 'enrolment_id', x.enrolment_id, 'kind', x.kind, 'at', x.at,
        'actor', json_build_object('subject', x.actor_subject, 'person_id', x.actor_person_id,
                                   'role', x.actor_role),
        'from_status', x.from_status, 'to_status', x.to_status,
        'from_phase', x.from_phase, 'to_phase', x.to_phase, 'phase', x.phase,
        'old_target_date', x.old_target, 'new_target_date', x.new_target,
        'reason', x.reason, 'override', x.override, 'evidence', x.evidence) $$;

CREATE FUNCTION workshop_json(w workshop) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', w.id, 'title', w.title, 'description', w.description, 'platform', w.platform,
        'skills', w.skills, 'held_at', w.held_at, 'created_at', w.created_at) $$;

CREATE FUNCTION template_json(t assessment_template) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', t.id, 'name', t.name, 'scale', json_build_object('min', 1, 'max', 5),
        'items', t.items, 'created_at', t.created_at) $$;

CREATE FUNCTION assessment_json(a assessment) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', a.id, 'person_id', a.person_id, 'kind', a.kind, 'rated_by', a.rated_by,
        'template_id', a.template_id, 'enrolment_id', a.enrolment_id, 'phase', a.phase,
        'baseline', a.baseline, 'submitted_at', a.submitted_at,
        'answers', (SELECT json_agg(json_build_object(
            'platform', x.platform, 'skill', x.skill, 'confidence', x.confidence,
            'capability', x.capability) ORDER BY x.position)
            FROM assessment_answer x WHERE x.assessment_id = a.id)) $$;
