-- notify: each attempt of a webhook delivery (issue 13), for the on-call
-- engineer asking "what did the receiver say the first time?".
--
-- webhook_delivery keeps the last attempt; webhook_attempt keeps each one
-- (when, success, response code, latency, error), bounded: the last 20 of a
-- delivery (webhook_record deletes older ones as it adds one), and gone with
-- the delivery (retention, a deleted subscription).  Written by the worker in
-- the transaction that records the outcome, under its lease, so an attempt is
-- there once.  GET /v1/webhooks/{id}/deliveries/{delivery} shows them.

CREATE TABLE webhook_attempt (
    delivery_id   bigint NOT NULL REFERENCES webhook_delivery ON DELETE CASCADE,
    attempt       integer NOT NULL,               -- webhook_delivery.attempts then
    at            timestamptz NOT NULL DEFAULT now(),
    ok            boolean NOT NULL,
    response_code integer,
    latency_ms    integer,
    error         text,
    PRIMARY KEY (delivery_id, attempt)
);

-- A delivery with its last 20 attempts, oldest first (the API's DeliveryDetail).
CREATE FUNCTION webhook_delivery_detail_json(d webhook_delivery) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT (webhook_delivery_json(d)::jsonb || jsonb_build_object('attempt_log',
                  coalesce((SELECT jsonb_agg(jsonb_build_object('attempt', a.attempt,
                              'at', webhook_time(a.at), 'ok', a.ok,
                              'response_code', a.response_code, 'latency_ms', a.latency_ms,
                              'error', a.error) ORDER BY a.attempt)
                            FROM (SELECT * FROM webhook_attempt x WHERE x.delivery_id = d.id
                                  ORDER BY x.attempt DESC LIMIT 20) a), '[]'::jsonb)))::json $$;
