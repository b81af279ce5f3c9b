-- notify: the suite's audit log (issue 13, first slice).
--
-- Every event of every service, as notify's followers received it (follow.c),
-- kept TANDEM_AUDIT_RETENTION_DAYS (default 400) and append-only: the trigger
-- below refuses every UPDATE and TRUNCATE, and every DELETE except the
-- retention pruner's (audit_prune), which may only remove rows older than the
-- retention it names (at least one day).  seq is the order of arrival here.

CREATE TABLE audit (
    seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id               uuid NOT NULL UNIQUE,          -- the event's own id
    service          text NOT NULL,                 -- people, phases, mentoring, strategy
    type             text NOT NULL,
    subject          text,
    person_id        uuid,
    actor            text,
    request_id       text,
    resource_version bigint,
    time             timestamptz NOT NULL,          -- when the change committed there
    data             jsonb NOT NULL DEFAULT '{}',
    received_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_time ON audit (time);
CREATE INDEX audit_person ON audit (person_id, seq) WHERE person_id IS NOT NULL;
CREATE INDEX audit_actor ON audit (actor, seq);
CREATE INDEX audit_subject ON audit (subject, seq) WHERE subject IS NOT NULL;
CREATE INDEX audit_type ON audit (type, seq);

CREATE FUNCTION audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    days text := current_setting('tandem.audit_prune_days', true);
BEGIN
    IF TG_OP = 'DELETE' AND coalesce(days, '') <> '' THEN
        IF OLD.time < now() - make_interval(days => days::int) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- One batch of retention: the rows older than p_days (>= 1), at most p_batch.
CREATE FUNCTION audit_prune(p_days integer, p_batch integer) RETURNS bigint
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    n bigint;
BEGIN
    IF p_days IS NULL OR p_days < 1 THEN
        RAISE EXCEPTION 'audit retention must be at least one day';
    END IF;
    PERFORM set_config('tandem.audit_prune_days', p_days::text, true);
    DELETE FROM audit WHERE seq = ANY (ARRAY(
        SELECT seq FROM audit WHERE time < now() - make_interval(days => p_days)
        ORDER BY seq LIMIT p_batch FOR UPDATE SKIP LOCKED));
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM set_config('tandem.audit_prune_days', '', true);
    RETURN n;
END $$;

CREATE FUNCTION audit_time(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;

CREATE FUNCTION audit_json(a audit) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object('seq', a.seq, 'id', a.id, 'service', a.service,
                  'type', a.type, 'subject', a.subject, 'person_id', a.person_id,
                  'actor', a.actor, 'request_id', a.request_id,
                  'resource_version', a.resource_version, 'time', audit_time(a.time),
                  'received_at', audit_time(a.received_at), 'data', a.data) $$;
