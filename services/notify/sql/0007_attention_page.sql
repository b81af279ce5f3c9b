-- notify: one page of GET /v1/attention for a fraction of the work
-- (issue 13, the lead's list over 10,000 enrolments).
--
-- Before, each request had PostgreSQL plan the page's statement again (the
-- optional filters, "$1 IS NULL OR ...", keep it on custom plans), call the
-- non-inlinable att_time() through the SQL function executor for every row,
-- and build every item with json_build_object: about 0.7 ms of PostgreSQL's
-- CPU for a page of 50.  Now:
--   - each item's JSON members but the person are kept with the item
--     (att_item.body, a stored generated column: every write of the item
--     writes it again), so reading a page puts the person's id and name in
--     front of them;
--   - the page without filters (the lead's and a mentor's usual request) is a
--     PL/pgSQL statement planned once per connection (a generic plan: the
--     walk of att_item_order, the person by primary key, stop at the limit);
--     a page with filters is planned for its values, as before.

-- The members of the item's JSON object but the person (api-specs/notify.yaml,
-- AttentionItem), compact and without the braces, from the columns of
-- att_item.  Immutable: text, uuid and integer print the same in every
-- session, and att_time() does not depend on the session's time zone or
-- locale.
CREATE FUNCTION att_item_body(p_reason text, p_since timestamptz, p_link text, p_subject uuid,
                              p_programme uuid, p_section text, p_count integer) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
    SELECT '"reason":' || to_json(p_reason)
        || ',"since":"' || att_time(p_since)
        || '","link":' || to_json(p_link)
        || ',"subject_id":"' || p_subject
        || '","programme_id":' || coalesce('"' || p_programme || '"', 'null')
        || ',"phase":' || coalesce(to_json(CASE WHEN p_reason IN ('stalled', 'behind_own_plan')
                                              THEN nullif(p_section, '') END)::text, 'null')
        || ',"section":' || coalesce(to_json(CASE WHEN p_reason = 'section_review'
                                                THEN p_section END)::text, 'null')
        || ',"count":' || p_count $$;

ALTER TABLE att_item ADD COLUMN body text NOT NULL
    GENERATED ALWAYS AS (att_item_body(reason, since, link, subject_id, programme_id, section,
                                       count)) STORED;

-- The item as the API shows it: the person, then @body (att_item.body).
-- Inlined into the statements below (stable, no SET).  Concatenation only:
-- a substr() of the body would count its characters (7 % of the page's CPU).
CREATE FUNCTION att_item_json(p_person uuid, p_name text, p_body text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT '{"person":{"id":"' || p_person || '","name":'
        || coalesce(to_json(p_name)::text, 'null') || '},' || p_body || '}' $$;

-- The items a caller who is not admin sees, before the filters: the union of
-- the branches their roles open (@p_mentor, @p_comms, @p_partner) for the
-- person @p_me.  Inlined into the statements below.
CREATE FUNCTION att_mine(p_me uuid, p_mentor boolean, p_comms boolean, p_partner boolean)
    RETURNS SETOF att_item
    LANGUAGE sql STABLE AS $$
    SELECT i.* FROM att_pairing pr JOIN att_item i ON i.person_id = pr.partner_id
     WHERE p_mentor AND pr.mentor_id = p_me AND pr.active
       AND i.reason IN ('stalled', 'behind_own_plan', 'section_review', 'completion_verification')
    UNION ALL
    SELECT i.* FROM att_item i WHERE p_mentor AND i.owner_id = p_me AND i.reason = 'write_up_owed'
    UNION ALL
    SELECT i.* FROM att_item i WHERE p_comms AND i.reason = 'integration_pending_review'
    UNION ALL
    SELECT i.* FROM att_item i WHERE p_partner AND i.person_id = p_me
       AND i.reason IN ('behind_own_plan', 'integration_returned') $$;

-- One page of the whole list (admin) after (@p_key, @p_seq), at most
-- @p_limit rows, oldest first; NULL filters filter nothing.  @p_programme
-- also matches items without a programme of partners enrolled in it.
CREATE FUNCTION att_page_all(p_reason text, p_programme uuid, p_person uuid,
                             p_key bigint, p_seq bigint, p_limit integer)
    RETURNS TABLE (since_key bigint, seq bigint, item text)
    LANGUAGE plpgsql STABLE
    SET plan_cache_mode = force_generic_plan SET search_path FROM CURRENT AS $$
BEGIN
    IF p_reason IS NULL AND p_programme IS NULL AND p_person IS NULL THEN
        RETURN QUERY
        SELECT i.since_key, i.seq, att_item_json(i.person_id, p.display_name, i.body)
          FROM att_item i JOIN att_person p ON p.id = i.person_id AND p.status = 'active'
         WHERE i.due_at <= now() AND (i.since_key, i.seq) > (p_key, p_seq)
         ORDER BY i.since_key, i.seq LIMIT p_limit;
        RETURN;
    END IF;
    -- planned for the values (a filter picks its own index)
    RETURN QUERY EXECUTE $q$
        SELECT i.since_key, i.seq, att_item_json(i.person_id, p.display_name, i.body)
          FROM att_item i JOIN att_person p ON p.id = i.person_id AND p.status = 'active'
         WHERE i.due_at <= now() AND (i.since_key, i.seq) > ($4, $5)
           AND ($1::text IS NULL OR i.reason = $1)
           AND ($3::uuid IS NULL OR i.person_id = $3)
           AND ($2::uuid IS NULL OR i.programme_id = $2
                OR (i.programme_id IS NULL AND EXISTS (SELECT 1 FROM att_enrolment e
                     WHERE e.person_id = i.person_id AND e.programme_id = $2)))
         ORDER BY i.since_key, i.seq LIMIT $6 $q$
        USING p_reason, p_programme, p_person, p_key, p_seq, p_limit;
END $$;

-- The same for a caller who is not admin: the items att_mine() gives them.
CREATE FUNCTION att_page_mine(p_me uuid, p_mentor boolean, p_comms boolean, p_partner boolean,
                              p_reason text, p_programme uuid, p_person uuid,
                              p_key bigint, p_seq bigint, p_limit integer)
    RETURNS TABLE (since_key bigint, seq bigint, item text)
    LANGUAGE plpgsql STABLE
    SET plan_cache_mode = force_generic_plan SET search_path FROM CURRENT AS $$
BEGIN
    IF p_reason IS NULL AND p_programme IS NULL AND p_person IS NULL THEN
        RETURN QUERY
        SELECT i.since_key, i.seq, att_item_json(i.person_id, p.display_name, i.body)
          FROM att_mine(p_me, p_mentor, p_comms, p_partner) i
          JOIN att_person p ON p.id = i.person_id AND p.status = 'active'
         WHERE i.due_at <= now() AND (i.since_key, i.seq) > (p_key, p_seq)
         ORDER BY i.since_key, i.seq LIMIT p_limit;
        RETURN;
    END IF;
    RETURN QUERY EXECUTE $q$
        SELECT i.since_key, i.seq, att_item_json(i.person_id, p.display_name, i.body)
          FROM att_mine($7, $8, $9, $10) i
          JOIN att_person p ON p.id = i.person_id AND p.status = 'active'
         WHERE i.due_at <= now() AND (i.since_key, i.seq) > ($4, $5)
           AND ($1::text IS NULL OR i.reason = $1)
           AND ($3::uuid IS NULL OR i.person_id = $3)
           AND ($2::uuid IS NULL OR i.programme_id = $2
                OR (i.programme_id IS NULL AND EXISTS (SELECT 1 FROM att_enrolment e
                     WHERE e.person_id = i.person_id AND e.programme_id = $2)))
         ORDER BY i.since_key, i.seq LIMIT $6 $q$
        USING p_reason, p_programme, p_person, p_key, p_seq, p_limit,
              p_me, p_mentor, p_comms, p_partner;
END $$;
