-- people: persons, their roles, and mentor-partner pairings.
CREATE TABLE person (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    external_id     text,
    email           text,
    display_name    text NOT NULL,
    title           text,
    business_unit   text,
    roles           text[] NOT NULL DEFAULT '{}',
    status          text NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'paused', 'left')),
    timezone        text NOT NULL DEFAULT 'UTC',
    purpose         text,
    vision          text,
    mentor_capacity integer NOT NULL DEFAULT 0 CHECK (mentor_capacity BETWEEN 0 AND 100),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    erased_at       timestamptz,
    version         bigint NOT NULL DEFAULT 1,
    CHECK (roles <@ ARRAY['partner', 'mentor', 'admin', 'comms', 'viewer']::text[])
);
CREATE UNIQUE INDEX person_email_key ON person (lower(email)) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX person_external_id_key ON person (external_id) WHERE external_id IS NOT NULL;
CREATE INDEX person_roles_idx ON person USING gin (roles);
CREATE INDEX person_business_unit_idx ON person (business_unit, seq);

CREATE TABLE pairing (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    mentor_id   uuid NOT NULL REFERENCES person (id),
    partner_id  uuid NOT NULL REFERENCES person (id),
    status      text NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'completed', 'cancelled')),
    started_at  timestamptz NOT NULL DEFAULT now(),
    ended_at    timestamptz,
    end_reason  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     bigint NOT NULL DEFAULT 1,
    CHECK (mentor_id <> partner_id),
    CHECK ((status = 'active') = (ended_at IS NULL))
);
-- at most one active mentor per partner
CREATE UNIQUE INDEX pairing_one_active_mentor ON pairing (partner_id) WHERE status = 'active';
CREATE INDEX pairing_mentor_idx ON pairing (mentor_id, status);

-- The JSON representations, rendered by PostgreSQL so that a read is one round
-- trip and the service passes the text through.  Times are RFC 3339 in UTC:
-- every pooled connection runs with TimeZone=UTC.  Both functions are simple
-- enough for the planner to inline.
CREATE FUNCTION person_json(p person) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', p.id, 'external_id', p.external_id, 'email', p.email,
        'display_name', p.display_name, 'title', p.title, 'business_unit', p.business_unit,
        'roles', p.roles, 'status', p.status, 'timezone', p.timezone,
        'purpose', p.purpose, 'vision', p.vision, 'mentor_capacity', p.mentor_capacity,
        'created_at', p.created_at, 'updated_at', p.updated_at,
        'erased_at', p.erased_at, 'version', p.version) $$;

CREATE FUNCTION pairing_json(x pairing) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', x.id, 'mentor_id', x.mentor_id, 'partner_id', x.partner_id, 'status', x.status,
        'started_at', x.started_at, 'ended_at', x.ended_at,
        'end_reason', x.end_reason, 'created_at', x.created_at,
        'updated_at', x.updated_at, 'version', x.version) $$;
