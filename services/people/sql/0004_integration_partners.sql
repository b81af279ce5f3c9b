-- The partners whose integrations comms review (issue 14): comms may read these
-- partners' display names (GET /v1/people/names), nothing else of them.  Rows
-- come from the strategy service's tandem.strategy.integration.created events
-- (the follower in names.c); a partner stays here once an integration of
-- theirs was submitted, so comms can still name whom they signed off.
CREATE TABLE integration_partner (
    partner_id  uuid PRIMARY KEY,
    first_at    timestamptz NOT NULL DEFAULT now()
);
