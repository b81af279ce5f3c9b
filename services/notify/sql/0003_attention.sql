-- notify: the read model behind GET /v1/attention and the nudges (issue 13).
--
-- Filled by the followers of the four services' feeds (model.c), in the
-- follower's transaction with its cursor: each event takes effect once, and
-- every function here is idempotent on a replay (upserts, greatest(), times
-- taken from the events, never now()).  On a fresh notify database the
-- followers start at the beginning of each feed, so the model holds what the
-- feeds still keep (TANDEM_EVENTS_RETENTION_DAYS, default 30).
--
-- Only ids, statuses, dates and the names of things: never a note, a comment
-- or any text a person wrote.  Names, e-mail addresses and time zones are read
-- from the people service by id (model.c, the profile reader), never carried
-- in events (those go to the audit log, which erasure cannot reach).

-- Everyone the feeds mention.  moved_at: the person's last movement as a
-- partner, the time of the last event of any service that counts as their
-- progress (model.c, movement_types).
CREATE TABLE att_person (
    id           uuid PRIMARY KEY,
    display_name text,
    email        text,
    timezone     text,
    roles        text[] NOT NULL DEFAULT '{}',
    status       text NOT NULL DEFAULT 'active',     -- active, left, erased
    moved_at     timestamptz,
    moved_by     text,                               -- the type of that event
    profile_due  boolean NOT NULL DEFAULT true,      -- to be read from people again
    profile_at   timestamptz,                        -- when it last was
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX att_person_profile_due ON att_person (updated_at) WHERE profile_due;

-- Mentor and partner pairings, active or ended.
CREATE TABLE att_pairing (
    id         uuid PRIMARY KEY,
    mentor_id  uuid NOT NULL,
    partner_id uuid NOT NULL,
    active     boolean NOT NULL,
    started_at timestamptz NOT NULL,
    ended_at   timestamptz
);
CREATE INDEX att_pairing_mentor ON att_pairing (mentor_id, partner_id) WHERE active;
CREATE INDEX att_pairing_partner ON att_pairing (partner_id) WHERE active;

-- Each enrolment (a partner's journey through a programme).  phases: the
-- partner's own plan as phases sent it, [{position, key, status, stall_days,
-- target_date, entered_at, completed_at}].  stall_days: the current phase's
-- threshold (att_stall_days_default() when phases did not say).  stalled_at:
-- moved_at + that threshold, while active.  next_target: the earliest target
-- date of a phase not yet completed (behind the partner's own plan once it
-- has passed: att_slipped lists which).
CREATE TABLE att_enrolment (
    id            uuid PRIMARY KEY,
    person_id     uuid NOT NULL,
    programme_id  uuid NOT NULL,
    status        text NOT NULL,                     -- active, paused, withdrawn, operational
    current_phase text,
    phases        jsonb NOT NULL DEFAULT '[]',
    stall_days    integer NOT NULL,
    moved_at      timestamptz NOT NULL,
    stalled_at    timestamptz,
    next_target   date,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX att_enrolment_person ON att_enrolment (person_id);
CREATE INDEX att_enrolment_stalled ON att_enrolment (stalled_at) WHERE status = 'active';
CREATE INDEX att_enrolment_programme ON att_enrolment (programme_id, person_id);

-- Microseconds since the epoch: the list's order and cursor (immutable:
-- the epoch does not depend on the session's time zone).
CREATE FUNCTION att_us(t timestamptz) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (extract(epoch FROM t) * 1000000)::bigint $$;

-- What needs someone: one row per thing to act on.
--   reason                      subject      owner   since
--   stalled                     enrolment    -       last movement (due after the threshold)
--   behind_own_plan             enrolment    -       the day after the target date
--   write_up_owed               session      mentor  when it was held
--   section_review              playbook     -       when it was made ready (section: its name)
--   completion_verification     partner      -       the oldest completion not verified (count: how many)
--   integration_pending_review  integration  -       when it was aligned (comms' sign-off waits)
--   integration_returned        integration  -       when comms returned it
-- person_id is always the partner.
-- section: the playbook section, or for stalled and behind_own_plan the
-- phase (the current one; the one whose target date slipped).  An item shows
-- from due_at on (the same as since but for stalled).
CREATE TABLE att_item (
    seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    reason       text NOT NULL,
    subject_id   uuid NOT NULL,
    section      text NOT NULL DEFAULT '',
    person_id    uuid NOT NULL,
    owner_id     uuid,
    parent_id    uuid,                               -- an integration's playbook
    programme_id uuid,
    since        timestamptz NOT NULL,
    due_at       timestamptz NOT NULL,
    link         text NOT NULL,
    count        integer NOT NULL DEFAULT 1,                  -- how many things it stands for
    since_key    bigint GENERATED ALWAYS AS (att_us(since)) STORED,
    PRIMARY KEY (reason, subject_id, section)
);
CREATE INDEX att_item_order ON att_item (since_key, seq);
CREATE INDEX att_item_person ON att_item (person_id, reason);
CREATE INDEX att_item_owner ON att_item (owner_id) WHERE owner_id IS NOT NULL;
CREATE INDEX att_item_reason ON att_item (reason, since_key, seq);
CREATE INDEX att_item_subject ON att_item (subject_id);
CREATE INDEX att_item_parent ON att_item (parent_id) WHERE parent_id IS NOT NULL;

-- Activity completions not yet verified by the partner's mentor (verified
-- and deleted ones leave); one item per partner stands for them all.
CREATE TABLE att_completion (
    id          uuid PRIMARY KEY,
    partner_id  uuid NOT NULL,
    recorded_at timestamptz NOT NULL
);
CREATE INDEX att_completion_partner ON att_completion (partner_id, recorded_at);

-- Mentor sign-offs (current or revoked): the nudges' digest reads them.
CREATE TABLE att_signoff (
    id         uuid PRIMARY KEY,
    partner_id uuid NOT NULL,
    mentor_id  uuid,
    current    boolean NOT NULL,
    at         timestamptz NOT NULL
);
CREATE INDEX att_signoff_partner ON att_signoff (partner_id) WHERE current;

-- The stall threshold when phases did not name one (README, Attention).
CREATE FUNCTION att_stall_days_default() RETURNS integer
    LANGUAGE sql IMMUTABLE AS $$ SELECT 14 $$;

CREATE FUNCTION att_time(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- The phases of @phases not completed whose target date is before @on:
-- [{key, target_date}] in order (empty when none slipped).
CREATE FUNCTION att_slipped(phases jsonb, on_day date) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(jsonb_agg(jsonb_build_object('key', p->>'key',
                                                        'target_date', p->>'target_date')
                                    ORDER BY (p->>'target_date')), '[]'::jsonb)
          FROM jsonb_array_elements(phases) p
          WHERE coalesce(p->>'status', '') <> 'completed'
            AND p->>'target_date' IS NOT NULL AND (p->>'target_date')::date < on_day $$;

CREATE FUNCTION att_item_put(p_reason text, p_subject uuid, p_section text, p_person uuid,
                             p_owner uuid, p_programme uuid, p_since timestamptz,
                             p_due timestamptz, p_link text) RETURNS void
    LANGUAGE sql SET search_path FROM CURRENT AS $$
    INSERT INTO att_item (reason, subject_id, section, person_id, owner_id, programme_id,
                          since, due_at, link)
    VALUES (p_reason, p_subject, p_section, p_person, p_owner, p_programme, p_since, p_due,
            p_link)
    ON CONFLICT (reason, subject_id, section) DO UPDATE
       SET person_id = EXCLUDED.person_id, owner_id = EXCLUDED.owner_id,
           programme_id = coalesce(EXCLUDED.programme_id, att_item.programme_id),
           since = EXCLUDED.since, due_at = EXCLUDED.due_at, link = EXCLUDED.link $$;

-- A person as a people event names them; NULL arguments keep what is known.
CREATE FUNCTION att_person_seen(p_id uuid, p_roles text[], p_status text, p_profile boolean)
    RETURNS void
    LANGUAGE sql SET search_path FROM CURRENT AS $$
    INSERT INTO att_person (id, roles, status)
    VALUES (p_id, coalesce(p_roles, '{}'), coalesce(p_status, 'active'))
    ON CONFLICT (id) DO UPDATE
       SET roles = coalesce(p_roles, att_person.roles),
           status = CASE WHEN att_person.status = 'erased' THEN 'erased'
                         ELSE coalesce(p_status, att_person.status) END,
           profile_due = (att_person.profile_due OR p_profile) AND att_person.status <> 'erased',
           updated_at = now() $$;

CREATE FUNCTION att_person_roles(p_id uuid, p_added text[], p_removed text[]) RETURNS void
    LANGUAGE sql SET search_path FROM CURRENT AS $$
    SELECT att_person_seen(p_id, NULL, NULL, false);
    UPDATE att_person
       SET roles = ARRAY(SELECT DISTINCT r FROM unnest(roles || coalesce(p_added, '{}')) r
                         WHERE r <> ALL (coalesce(p_removed, '{}')) ORDER BY r)
     WHERE id = p_id $$;

-- A person left (@p_status 'left') or was erased ('erased'): their active
-- pairings end (people ends them too); an erased person's profile goes.
CREATE FUNCTION att_person_gone(p_id uuid, p_status text, p_at timestamptz) RETURNS void
    LANGUAGE sql SET search_path FROM CURRENT AS $$
    SELECT att_person_seen(p_id, NULL, p_status, false);
    UPDATE att_pairing SET active = false, ended_at = coalesce(ended_at, p_at)
     WHERE active AND (mentor_id = p_id OR partner_id = p_id);
    UPDATE att_person SET display_name = NULL, email = NULL, timezone = NULL,
                          profile_due = false
     WHERE id = p_id AND p_status = 'erased' $$;

CREATE FUNCTION att_pairing_put(p_id uuid, p_mentor uuid, p_partner uuid, p_active boolean,
                                p_at timestamptz) RETURNS void
    LANGUAGE sql SET search_path FROM CURRENT AS $$
    SELECT att_person_seen(p_mentor, NULL, NULL, false);
    SELECT att_person_seen(p_partner, NULL, NULL, false);
    INSERT INTO att_pairing (id, mentor_id, partner_id, active, started_at, ended_at)
    VALUES (p_id, p_mentor, p_partner, p_active, p_at, CASE WHEN NOT p_active THEN p_at END)
    ON CONFLICT (id) DO UPDATE
       SET active = att_pairing.active AND EXCLUDED.active,      -- an ended pairing stays ended
           ended_at = coalesce(att_pairing.ended_at, EXCLUDED.ended_at) $$;

-- Recomputes the stalled and behind_own_plan items of one enrolment.
CREATE FUNCTION att_enrolment_sync(p_id uuid) RETURNS void
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    e att_enrolment;
    link text := '/v1/enrolments/' || p_id;
    late text;
BEGIN
    SELECT * INTO e FROM att_enrolment WHERE id = p_id;
    SELECT p->>'key' INTO late FROM jsonb_array_elements(e.phases) p
     WHERE coalesce(p->>'status', '') <> 'completed'
       AND (p->>'target_date')::date = e.next_target
     ORDER BY (p->>'position')::integer LIMIT 1;
    DELETE FROM att_item WHERE subject_id = p_id AND reason IN ('stalled', 'behind_own_plan');
    IF e.id IS NULL OR e.status <> 'active' THEN
        RETURN;
    END IF;
    PERFORM att_item_put('stalled', e.id, coalesce(e.current_phase, ''), e.person_id, NULL,
                         e.programme_id, e.moved_at, e.stalled_at, link);
    IF e.next_target IS NOT NULL THEN
        PERFORM att_item_put('behind_own_plan', e.id, coalesce(late, ''), e.person_id, NULL,
                             e.programme_id,
                             (e.next_target + 1)::timestamp AT TIME ZONE 'UTC',
                             (e.next_target + 1)::timestamp AT TIME ZONE 'UTC',
                             link || '/target-dates');
    END IF;
END $$;

-- An enrolment as a phases event says it is.  @p_phases: the event's phases
-- array (NULL when the event had none: the plan known stays).
CREATE FUNCTION att_enrolment_put(p_id uuid, p_person uuid, p_programme uuid, p_status text,
                                  p_phase text, p_phases jsonb, p_at timestamptz)
    RETURNS void
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    plan jsonb;
    days integer;
BEGIN
    PERFORM att_person_seen(p_person, NULL, NULL, false);
    INSERT INTO att_enrolment (id, person_id, programme_id, status, current_phase, phases,
                               stall_days, moved_at, updated_at)
    VALUES (p_id, p_person, p_programme, p_status, p_phase, coalesce(p_phases, '[]'),
            att_stall_days_default(), p_at, p_at)
    ON CONFLICT (id) DO UPDATE
       SET status = EXCLUDED.status, current_phase = EXCLUDED.current_phase,
           phases = coalesce(p_phases, att_enrolment.phases),
           updated_at = greatest(att_enrolment.updated_at, EXCLUDED.updated_at);
    SELECT phases INTO plan FROM att_enrolment WHERE id = p_id;
    SELECT (p->>'stall_days')::integer INTO days
      FROM jsonb_array_elements(plan) p WHERE p->>'key' = p_phase;
    UPDATE att_enrolment
       SET stall_days = coalesce(days, att_stall_days_default()),
           next_target = (SELECT min((p->>'target_date')::date)
                            FROM jsonb_array_elements(plan) p
                           WHERE coalesce(p->>'status', '') <> 'completed'),
           moved_at = greatest(moved_at,
                               (SELECT moved_at FROM att_person WHERE id = p_person))
     WHERE id = p_id;
    UPDATE att_enrolment
       SET stalled_at = CASE WHEN status = 'active'
                             THEN moved_at + make_interval(days => stall_days) END
     WHERE id = p_id;
    PERFORM att_enrolment_sync(p_id);
END $$;

-- The partner @p_person moved at @p_at (an event of any service that counts
-- as progress): their clock restarts on every open enrolment.
CREATE FUNCTION att_moved(p_person uuid, p_at timestamptz, p_type text) RETURNS void
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    e_id uuid;
BEGIN
    PERFORM att_person_seen(p_person, NULL, NULL, false);
    UPDATE att_person SET moved_at = p_at, moved_by = p_type
     WHERE id = p_person AND (moved_at IS NULL OR moved_at < p_at);
    FOR e_id IN
        UPDATE att_enrolment
           SET moved_at = p_at,
               stalled_at = CASE WHEN status = 'active'
                                 THEN p_at + make_interval(days => stall_days) END
         WHERE person_id = p_person AND status IN ('active', 'paused') AND moved_at < p_at
        RETURNING id
    LOOP
        PERFORM att_enrolment_sync(e_id);
    END LOOP;
END $$;

-- A playbook's section statuses (@p_statuses {section: status}) at @p_at:
-- each ready_for_review section is an item (since it became ready).
CREATE FUNCTION att_sections(p_playbook uuid, p_partner uuid, p_programme uuid,
                             p_statuses jsonb, p_at timestamptz) RETURNS void
    LANGUAGE sql SET search_path FROM CURRENT AS $$
    DELETE FROM att_item
     WHERE reason = 'section_review' AND subject_id = p_playbook
       AND coalesce(p_statuses->>section, '') <> 'ready_for_review';
    INSERT INTO att_item (reason, subject_id, section, person_id, programme_id, since, due_at,
                          link)
    SELECT 'section_review', p_playbook, s.key, p_partner, p_programme, p_at, p_at,
           '/v1/playbooks/' || p_playbook || '/sections/' || s.key || '/status'
      FROM jsonb_each_text(p_statuses) s
     WHERE s.value = 'ready_for_review'
    ON CONFLICT (reason, subject_id, section) DO NOTHING $$;

-- A session's state: held and not written up is a write-up its mentor owes.
CREATE FUNCTION att_session(p_id uuid, p_partner uuid, p_mentor uuid, p_status text,
                            p_written_up boolean, p_since timestamptz) RETURNS void
    LANGUAGE sql SET search_path FROM CURRENT AS $$
    DELETE FROM att_item WHERE reason = 'write_up_owed' AND subject_id = p_id
       AND (p_status <> 'held' OR p_written_up);
    SELECT att_item_put('write_up_owed', p_id, '', p_partner, p_mentor, NULL, p_since,
                        p_since, '/v1/sessions/' || p_id || '/write-up')
     WHERE p_status = 'held' AND NOT p_written_up
       AND NOT EXISTS (SELECT 1 FROM att_item
                        WHERE reason = 'write_up_owed' AND subject_id = p_id) $$;

-- A completion recorded, verified or not, or gone (@p_gone): the partner's
-- completion_verification item counts those waiting, since the oldest.
CREATE FUNCTION att_completion(p_id uuid, p_partner uuid, p_verified boolean, p_gone boolean,
                               p_at timestamptz) RETURNS void
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    n integer;
    oldest timestamptz;
BEGIN
    IF p_gone OR p_verified THEN
        DELETE FROM att_completion WHERE id = p_id;
    ELSE
        INSERT INTO att_completion (id, partner_id, recorded_at) VALUES (p_id, p_partner, p_at)
        ON CONFLICT (id) DO NOTHING;
    END IF;
    SELECT count(*), min(recorded_at) INTO n, oldest FROM att_completion
     WHERE partner_id = p_partner;
    IF n = 0 THEN
        DELETE FROM att_item WHERE reason = 'completion_verification' AND subject_id = p_partner;
        RETURN;
    END IF;
    INSERT INTO att_item (reason, subject_id, person_id, since, due_at, link, count)
    VALUES ('completion_verification', p_partner, p_partner, oldest, oldest,
            '/v1/checklists/' || p_partner || '/completions?verified=false', n)
    ON CONFLICT (reason, subject_id, section) DO UPDATE
       SET since = EXCLUDED.since, due_at = EXCLUDED.due_at, count = EXCLUDED.count;
END $$;

-- An integration's state: pending_review waits for comms' sign-off; returned
-- waits for the partner (until a newer alignment of the playbook or a
-- sign-off); a newer alignment supersedes the playbook's others.
CREATE FUNCTION att_integration(p_id uuid, p_playbook uuid, p_partner uuid,
                                p_programme uuid, p_status text, p_at timestamptz)
    RETURNS void
    LANGUAGE sql SET search_path FROM CURRENT AS $$
    DELETE FROM att_item
     WHERE reason IN ('integration_pending_review', 'integration_returned')
       AND (subject_id = p_id
            OR (parent_id = p_playbook AND p_status IN ('pending_review', 'signed_off')));
    INSERT INTO att_item (reason, subject_id, parent_id, person_id, programme_id, since,
                          due_at, link)
    SELECT CASE p_status WHEN 'returned' THEN 'integration_returned'
                         ELSE 'integration_pending_review' END,
           p_id, p_playbook, p_partner, p_programme, p_at, p_at, '/v1/integrations/' || p_id
     WHERE p_status IN ('pending_review', 'returned') $$;

CREATE FUNCTION att_signoff(p_id uuid, p_partner uuid, p_mentor uuid, p_current boolean,
                            p_at timestamptz) RETURNS void
    LANGUAGE sql SET search_path FROM CURRENT AS $$
    INSERT INTO att_signoff (id, partner_id, mentor_id, current, at)
    VALUES (p_id, p_partner, p_mentor, p_current, p_at)
    ON CONFLICT (id) DO UPDATE SET current = att_signoff.current AND EXCLUDED.current $$;
