-- Issue 12: comms' review of an integration reaches the enrolment's history
-- (follow.c): an integration returned is entered, and comms is a role that
-- moves an enrolment (its sign-off completes the journey).
ALTER TABLE enrolment_event DROP CONSTRAINT enrolment_event_kind_check;
ALTER TABLE enrolment_event ADD CONSTRAINT enrolment_event_kind_check
    CHECK (kind IN ('enrolled', 'advanced', 'operational', 'paused', 'resumed', 'withdrawn',
                    'target_set', 'integration_returned'));
