-- The erasure report (issue 12): which services confirmed a person's erasure,
-- when, and what kind of data each removed ({kind: rows}).  The people
-- service writes its own row when it erases; the others' rows come from their
-- tandem.<service>.person.erased events (followers in main.c).
CREATE TABLE erasure_confirmation (
    person_id     uuid NOT NULL REFERENCES person (id),
    service       text NOT NULL CHECK (service IN ('people', 'phases', 'mentoring', 'strategy')),
    confirmed_at  timestamptz NOT NULL DEFAULT now(),
    removed       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(removed) = 'object'),
    PRIMARY KEY (person_id, service)
);
