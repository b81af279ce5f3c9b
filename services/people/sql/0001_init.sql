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
