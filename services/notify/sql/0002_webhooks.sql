-- notify: outgoing webhooks (issue 13), after the Standard Webhooks specification.
--
-- webhook is a subscription; webhook_delivery is one event for one
-- subscription: queued by the fan-out (webhooks.c, a follower of this
-- service's own suite feed, so every event of every service and notify's own),
-- claimed by a delivery worker with FOR UPDATE SKIP LOCKED and a lease
-- (deliver.c), retried until it succeeds or its retry window closes.
-- sequence counts a subscription's events in the suite feed's order, from 1
-- without gaps: each delivery carries it (the CloudEvents "sequence"
-- extension) so a receiver can put them back in order and see a gap.

CREATE TABLE webhook (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq              bigint GENERATED ALWAYS AS IDENTITY UNIQUE,   -- the list's order
    url              text NOT NULL,
    types            text NOT NULL DEFAULT '*',     -- the filter as given
    patterns         text[] NOT NULL,               -- the same, as LIKE patterns
    description      text NOT NULL DEFAULT '',
    enabled          boolean NOT NULL DEFAULT true,
    disabled_reason  text,
    disabled_at      timestamptz,
    secret           bytea NOT NULL,                -- never leaves this schema but signed
    old_secret       bytea,                         -- the one before a rotation ...
    old_secret_until timestamptz,                   -- ... valid until then
    failing_since    timestamptz,                   -- first failure since the last success
    last_sequence    bigint NOT NULL DEFAULT 0,
    version          bigint NOT NULL DEFAULT 1,
    created_by       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_delivery (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id      uuid NOT NULL REFERENCES webhook ON DELETE CASCADE,
    event_id        uuid NOT NULL,
    event_type      text NOT NULL,
    sequence        bigint NOT NULL,
    body            text NOT NULL,                  -- the exact bytes signed and sent
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_at         timestamptz NOT NULL DEFAULT now(),
    queued_at       timestamptz NOT NULL DEFAULT now(),   -- the retry window starts here
    last_attempt_at timestamptz,
    response_code   integer,
    latency_ms      integer,
    error           text,
    succeeded_at    timestamptz,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_delivery_due ON webhook_delivery (next_at) WHERE status = 'pending';
CREATE INDEX webhook_delivery_log ON webhook_delivery (webhook_id, id);

CREATE FUNCTION webhook_time(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

-- A subscription as the API shows it: never a secret.
CREATE FUNCTION webhook_json(w webhook) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object('id', w.id, 'url', w.url, 'types', w.types,
                  'description', w.description, 'enabled', w.enabled,
                  'disabled_reason', w.disabled_reason,
                  'disabled_at', webhook_time(w.disabled_at),
                  'failing_since', webhook_time(w.failing_since),
                  'old_secret_expires_at',
                      CASE WHEN w.old_secret_until > now() THEN webhook_time(w.old_secret_until) END,
                  'version', w.version, 'created_at', webhook_time(w.created_at),
                  'updated_at', webhook_time(w.updated_at)) $$;

CREATE FUNCTION webhook_delivery_json(d webhook_delivery) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT json_build_object('id', d.id, 'webhook_id', d.webhook_id,
                  'event_id', d.event_id, 'event_type', d.event_type, 'sequence', d.sequence,
                  'status', d.status, 'attempts', d.attempts,
                  'response_code', d.response_code, 'latency_ms', d.latency_ms,
                  'error', d.error, 'queued_at', webhook_time(d.queued_at),
                  'last_attempt_at', webhook_time(d.last_attempt_at),
                  'next_attempt_at', CASE WHEN d.status = 'pending' THEN webhook_time(d.next_at) END,
                  'succeeded_at', webhook_time(d.succeeded_at)) $$;
