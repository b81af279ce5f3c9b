-- strategy: each partner's playbook (versioned), the business social media
-- strategy (versioned, owned by comms), and the integration of the two.
--
-- People and programmes belong to other services: partner_id, author ids and
-- programme_id are their ids, kept here as plain uuids (no foreign keys across
-- services).

-- The nine playbook sections, in their canonical order.
CREATE FUNCTION playbook_sections() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY['purpose', 'vision', 'audiences', 'themes', 'platforms', 'cadence',
                       'goals', 'voice', 'boundaries'] $$;

CREATE TABLE playbook (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    partner_id      uuid NOT NULL,
    programme_id    uuid NOT NULL,
    revision        integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
    -- every section is a key; an empty section is null
    content         jsonb NOT NULL,
    -- section -> empty | draft | ready_for_review | reviewed
    section_status  jsonb NOT NULL,
    -- set by the first comms sign-off: the partner's strategy is business as usual
    operational_at  timestamptz,
    -- the latest sign-off
    signed_off_at   timestamptz,
    signed_off_integration_id uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         bigint NOT NULL DEFAULT 1,
    UNIQUE (partner_id, programme_id),
    CHECK ((operational_at IS NULL) = (signed_off_at IS NULL))
);
CREATE INDEX playbook_programme_idx ON playbook (programme_id, seq);

-- Every save of a playbook's content.
CREATE TABLE playbook_revision (
    playbook_id     uuid NOT NULL REFERENCES playbook (id),
    revision        integer NOT NULL,
    seq             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    content         jsonb NOT NULL,
    changed         text[] NOT NULL,
    author_id       uuid NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (playbook_id, revision)
);

-- Comments on sections: the mentor's (and the partner's replies, the programme team's).
CREATE TABLE playbook_comment (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    playbook_id     uuid NOT NULL REFERENCES playbook (id),
    section         text NOT NULL CHECK (section = ANY (playbook_sections())),
    revision        integer NOT NULL,
    author_id       uuid,
    author_role     text NOT NULL CHECK (author_role IN ('partner', 'mentor', 'admin')),
    body            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX playbook_comment_idx ON playbook_comment (playbook_id, seq);

-- The business social media strategy, one row per version.
CREATE TABLE strategy_version (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    number          integer NOT NULL UNIQUE CHECK (number >= 1),
    title           text NOT NULL,
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    is_current      boolean NOT NULL DEFAULT false,
    pillars         jsonb NOT NULL,
    -- the pillars' normalised names, in the same order (strategy_align.c)
    pillar_keys     text[] NOT NULL,
    channels        jsonb NOT NULL,
    policies        jsonb NOT NULL,
    kpis            jsonb NOT NULL,
    created_by      uuid,
    published_by    uuid,
    published_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         bigint NOT NULL DEFAULT 1,
    CHECK (NOT is_current OR status = 'published'),
    CHECK ((status = 'published') = (published_at IS NOT NULL))
);
-- exactly one current published version once the first is published
CREATE UNIQUE INDEX strategy_version_one_current ON strategy_version ((true)) WHERE is_current;

-- An alignment of one playbook revision with one strategy version, and its review.
CREATE TABLE integration (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq                 bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    playbook_id         uuid NOT NULL REFERENCES playbook (id),
    partner_id          uuid NOT NULL,
    programme_id        uuid NOT NULL,
    playbook_revision   integer NOT NULL,
    strategy_version_id uuid NOT NULL REFERENCES strategy_version (id),
    strategy_number     integer NOT NULL,
    status              text NOT NULL DEFAULT 'pending_review'
                        CHECK (status IN ('pending_review', 'signed_off', 'returned', 'superseded')),
    -- json, not jsonb: kept as strategy_align.c wrote it, in its order
    alignment           json NOT NULL,
    score               integer NOT NULL CHECK (score BETWEEN 0 AND 100),
    pillar_keys         text[] NOT NULL,
    requested_by        uuid,
    review_comment      text,
    decided_by          uuid,
    decided_at          timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    version             bigint NOT NULL DEFAULT 1,
    UNIQUE (playbook_id, playbook_revision, strategy_version_id),
    CHECK ((status IN ('signed_off', 'returned')) = (decided_at IS NOT NULL))
);
CREATE INDEX integration_partner_idx ON integration (partner_id, seq);
CREATE INDEX integration_playbook_idx ON integration (playbook_id, seq);
CREATE INDEX integration_status_idx ON integration (status, seq);

-- A per-section object (content or statuses) with its keys in canonical order.
CREATE FUNCTION playbook_sections_json(j jsonb) RETURNS json
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT json_object_agg(s.name, j->s.name ORDER BY s.ord)
          FROM unnest(playbook_sections()) WITH ORDINALITY AS s(name, ord) $$;

-- What the coverage view reads, written with each sign-off in its transaction,
-- so that it never reads the playbooks' content: the operational playbooks,
-- and one row per pillar (normalised key) each one's latest sign-off carries.
-- Keyed so that distinct partners are counted in index order, without a sort.
CREATE TABLE operational_leader (
    playbook_id     uuid PRIMARY KEY REFERENCES playbook (id),
    partner_id      uuid NOT NULL,
    programme_id    uuid NOT NULL,
    signed_off_at   timestamptz NOT NULL
);
CREATE INDEX operational_leader_partner_idx ON operational_leader (partner_id, programme_id);

CREATE TABLE carried_pillar (
    pillar_key      text NOT NULL,
    partner_id      uuid NOT NULL,
    programme_id    uuid NOT NULL,
    playbook_id     uuid NOT NULL REFERENCES operational_leader (playbook_id),
    PRIMARY KEY (pillar_key, partner_id, programme_id)
);
CREATE INDEX carried_pillar_playbook_idx ON carried_pillar (playbook_id);

-- ---- JSON representations, rendered by PostgreSQL (every pooled connection
-- runs with TimeZone=UTC, so times are RFC 3339 in UTC) -------------------------

CREATE FUNCTION playbook_json(p playbook) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', p.id, 'partner_id', p.partner_id, 'programme_id', p.programme_id,
        'revision', p.revision, 'content', playbook_sections_json(p.content),
        'section_status', playbook_sections_json(p.section_status),
        'operational', p.operational_at IS NOT NULL, 'operational_at', p.operational_at,
        'signed_off_at', p.signed_off_at,
        'signed_off_integration_id', p.signed_off_integration_id,
        'created_at', p.created_at, 'updated_at', p.updated_at, 'version', p.version) $$;

CREATE FUNCTION playbook_summary_json(p playbook) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', p.id, 'partner_id', p.partner_id, 'programme_id', p.programme_id,
        'revision', p.revision, 'section_status', playbook_sections_json(p.section_status),
        'operational', p.operational_at IS NOT NULL, 'operational_at', p.operational_at,
        'created_at', p.created_at, 'updated_at', p.updated_at, 'version', p.version) $$;

CREATE FUNCTION revision_json(r playbook_revision) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'playbook_id', r.playbook_id, 'revision', r.revision,
        'content', playbook_sections_json(r.content),
        'changed', r.changed, 'author_id', r.author_id, 'created_at', r.created_at) $$;

CREATE FUNCTION revision_summary_json(r playbook_revision) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'playbook_id', r.playbook_id, 'revision', r.revision, 'changed', r.changed,
        'author_id', r.author_id, 'created_at', r.created_at) $$;

CREATE FUNCTION comment_json(c playbook_comment) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', c.id, 'playbook_id', c.playbook_id, 'section', c.section,
        'revision', c.revision, 'author_id', c.author_id, 'author_role', c.author_role,
        'body', c.body, 'created_at', c.created_at) $$;

CREATE FUNCTION strategy_version_json(v strategy_version) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', v.id, 'number', v.number, 'title', v.title, 'status', v.status,
        'current', v.is_current, 'pillars', v.pillars, 'channels', v.channels,
        'policies', v.policies, 'kpis', v.kpis, 'created_by', v.created_by,
        'published_by', v.published_by, 'published_at', v.published_at,
        'created_at', v.created_at, 'updated_at', v.updated_at, 'version', v.version) $$;

CREATE FUNCTION strategy_version_summary_json(v strategy_version) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', v.id, 'number', v.number, 'title', v.title, 'status', v.status,
        'current', v.is_current, 'pillar_count', jsonb_array_length(v.pillars),
        'published_at', v.published_at, 'created_at', v.created_at,
        'updated_at', v.updated_at, 'version', v.version) $$;

CREATE FUNCTION integration_json(i integration) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', i.id, 'playbook_id', i.playbook_id, 'partner_id', i.partner_id,
        'programme_id', i.programme_id, 'playbook_revision', i.playbook_revision,
        'strategy_version_id', i.strategy_version_id, 'strategy_number', i.strategy_number,
        'status', i.status, 'score', i.score, 'alignment', i.alignment,
        'requested_by', i.requested_by, 'review_comment', i.review_comment,
        'decided_by', i.decided_by, 'decided_at', i.decided_at,
        'created_at', i.created_at, 'updated_at', i.updated_at, 'version', i.version) $$;

CREATE FUNCTION integration_summary_json(i integration) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object(
        'id', i.id, 'playbook_id', i.playbook_id, 'partner_id', i.partner_id,
        'programme_id', i.programme_id, 'playbook_revision', i.playbook_revision,
        'strategy_version_id', i.strategy_version_id, 'strategy_number', i.strategy_number,
        'status', i.status, 'score', i.score, 'review_comment', i.review_comment,
        'decided_by', i.decided_by, 'decided_at', i.decided_at,
        'created_at', i.created_at, 'updated_at', i.updated_at, 'version', i.version) $$;
