-- notify: fairness between webhook subscriptions (issue 13).
--
-- A delivery in flight has claimed_until set (the claim's lease; cleared when
-- its outcome is recorded, stale once the lease passes).  The claim prefers
-- the subscription with the fewest in flight and skips one that has its
-- share already (half a process's workers; one once half of them are busy):
-- a receiver that hangs or fails holds at most half the workers, so another
-- subscription's deliveries go out meanwhile (deliver.c).

ALTER TABLE webhook_delivery ADD COLUMN claimed_until timestamptz;
CREATE INDEX webhook_delivery_in_flight ON webhook_delivery (webhook_id)
    WHERE claimed_until IS NOT NULL;
-- the claim's probe: a subscription's first due delivery
CREATE INDEX webhook_delivery_due_by_webhook ON webhook_delivery (webhook_id, next_at, id)
    WHERE status = 'pending';
