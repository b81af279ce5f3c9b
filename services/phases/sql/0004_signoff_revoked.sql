-- A mentor's sign-off revoked (mentoring's tandem.mentoring.signoff.revoked,
-- follow.c) is entered in the partner's history, and the stall clock the
-- sign-off restarted goes back to where it was, unless progress since moved it:
-- signoff_progress keeps, per open enrolment, what a sign-off did to the clock.
ALTER TABLE enrolment_event DROP CONSTRAINT enrolment_event_kind_check;
ALTER TABLE enrolment_event ADD CONSTRAINT enrolment_event_kind_check
    CHECK (kind IN ('enrolled', 'advanced', 'operational', 'paused', 'resumed', 'withdrawn',
                    'target_set', 'integration_returned', 'mentor_signoff_revoked'));

CREATE TABLE signoff_progress (
    signoff_id   uuid NOT NULL,
    enrolment_id uuid NOT NULL REFERENCES enrolment (id),
    before_at    timestamptz NOT NULL,   -- last_progress_at before the sign-off
    after_at     timestamptz NOT NULL,   -- last_progress_at the sign-off left
    PRIMARY KEY (signoff_id, enrolment_id)
);
