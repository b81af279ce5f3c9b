-- SCIM 2.0 provisioning: the identity provider's userName and name parts, and
-- when the provider deleted the user (the person stays, with status left, so
-- that the programme's records hold; SCIM no longer shows them).
ALTER TABLE person
    ADD COLUMN user_name text,
    ADD COLUMN given_name text,
    ADD COLUMN family_name text,
    ADD COLUMN scim_deleted_at timestamptz;
CREATE UNIQUE INDEX person_user_name_key ON person (lower(user_name)) WHERE user_name IS NOT NULL;

-- A SCIM User (RFC 7643 section 4.1, and the enterprise extension's
-- department); unassigned attributes are left out.
CREATE FUNCTION scim_user_json(p person) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT jsonb_strip_nulls(jsonb_build_object(
        'schemas', CASE WHEN p.business_unit IS NULL
            THEN '["urn:ietf:params:scim:schemas:core:2.0:User"]'::jsonb
            ELSE '["urn:ietf:params:scim:schemas:core:2.0:User",
                   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]'::jsonb END,
        'id', p.id,
        'externalId', p.external_id,
        'userName', coalesce(p.user_name, p.email),
        'name', jsonb_build_object('givenName', p.given_name, 'familyName', p.family_name,
                                   'formatted', p.display_name),
        'displayName', p.display_name,
        'title', p.title,
        'timezone', p.timezone,
        'active', p.status <> 'left',
        'emails', CASE WHEN p.email IS NULL THEN NULL ELSE jsonb_build_array(
            jsonb_build_object('value', p.email, 'type', 'work', 'primary', true)) END,
        'groups', (SELECT jsonb_agg(jsonb_build_object('value', r, 'display', r,
                                                       '$ref', '/scim/v2/Groups/' || r))
                   FROM unnest(p.roles) AS r),
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
            CASE WHEN p.business_unit IS NULL THEN NULL
                 ELSE jsonb_build_object('department', p.business_unit) END,
        'meta', jsonb_build_object('resourceType', 'User', 'created', p.created_at,
                                   'lastModified', p.updated_at,
                                   'location', '/scim/v2/Users/' || p.id,
                                   'version', 'W/"' || p.version || '"'))) $$;

-- What a SCIM PATCH starts from: the person's provisioned attributes, flat.
CREATE FUNCTION scim_user_flat(p person) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT jsonb_build_object(
        'user_name', coalesce(p.user_name, p.email), 'external_id', p.external_id,
        'given_name', p.given_name, 'family_name', p.family_name,
        'display_name', p.display_name, 'email', p.email, 'title', p.title,
        'business_unit', p.business_unit, 'timezone', p.timezone,
        'active', p.status <> 'left') $$;
