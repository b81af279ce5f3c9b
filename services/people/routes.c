/*
 * routes.c - the people service's API, in one table.  api-specs/people.yaml
 * documents every line.
 */
#include "scim.h"

static const char *const q_none[] = { NULL };
static const char *const q_people[] = { "role", "status", "business_unit", "q", "limit", "cursor",
                                        NULL };
static const char *const q_names[] = { "ids", NULL };
static const char *const q_scim_list[] = { "filter", "startIndex", "count", "attributes",
                                           "excludedAttributes", NULL };
static const char *const q_scim_one[] = { "attributes", "excludedAttributes", NULL };
static const char *const q_pairings[] = { "mentor_id", "partner_id", "status", "limit", "cursor",
                                          NULL };

struct route people_routes[] = {
        { "POST", "/v1/people", http_people_create, ROUTE_BODY | ROUTE_IDEMPOTENT, q_none, 0 },
        { "GET", "/v1/people", http_people_list, 0, q_people, 0 },
        /* before /v1/people/:id: ulfius tries routes of one priority in this order */
        { "GET", "/v1/people/names", http_people_names, 0, q_names, 0 },
        { "GET", "/v1/people/:id", http_people_get, 0, q_none, 0 },
        { "PATCH", "/v1/people/:id", http_people_patch, ROUTE_BODY, q_none, 0 },
        { "DELETE", "/v1/people/:id", http_people_delete, 0, q_none, 0 },
        { "GET", "/v1/people/:id/erasure", http_people_erasure, 0, q_none, 0 },
        { "GET", "/v1/me", http_me_get, 0, q_none, 0 },
        { "POST", "/v1/pairings", http_pairings_create, ROUTE_BODY | ROUTE_IDEMPOTENT, q_none, 0 },
        { "GET", "/v1/pairings", http_pairings_list, 0, q_pairings, 0 },
        { "GET", "/v1/pairings/:id", http_pairings_get, 0, q_none, 0 },
        { "PATCH", "/v1/pairings/:id", http_pairings_patch, ROUTE_BODY, q_none, 0 },
        /* SCIM 2.0 (api-specs/scim.yaml): the SCIM client only */
        { "GET", "/scim/v2/ServiceProviderConfig", http_scim_spconfig, ROUTE_SCIM, q_none, 0 },
        { "GET", "/scim/v2/Schemas", http_scim_schemas, ROUTE_SCIM, q_none, 0 },
        { "GET", "/scim/v2/Schemas/:id", http_scim_schema, ROUTE_SCIM, q_none, 0 },
        { "GET", "/scim/v2/ResourceTypes", http_scim_resource_types, ROUTE_SCIM, q_none, 0 },
        { "GET", "/scim/v2/ResourceTypes/:id", http_scim_resource_type, ROUTE_SCIM, q_none, 0 },
        { "POST", "/scim/v2/Users", http_scim_users_create, ROUTE_SCIM | ROUTE_BODY, q_none, 0 },
        { "GET", "/scim/v2/Users", http_scim_users_list, ROUTE_SCIM, q_scim_list, 0 },
        { "GET", "/scim/v2/Users/:id", http_scim_users_get, ROUTE_SCIM, q_scim_one, 0 },
        { "PUT", "/scim/v2/Users/:id", http_scim_users_put, ROUTE_SCIM | ROUTE_BODY, q_none, 0 },
        { "PATCH", "/scim/v2/Users/:id", http_scim_users_patch, ROUTE_SCIM | ROUTE_BODY, q_none,
          0 },
        { "DELETE", "/scim/v2/Users/:id", http_scim_users_delete, ROUTE_SCIM, q_none, 0 },
        { "POST", "/scim/v2/Groups", http_scim_groups_create, ROUTE_SCIM | ROUTE_BODY, q_none, 0 },
        { "GET", "/scim/v2/Groups", http_scim_groups_list, ROUTE_SCIM, q_scim_list, 0 },
        { "GET", "/scim/v2/Groups/:id", http_scim_groups_get, ROUTE_SCIM, q_scim_one, 0 },
        { "PATCH", "/scim/v2/Groups/:id", http_scim_groups_patch, ROUTE_SCIM | ROUTE_BODY, q_none,
          0 },
        { "PUT", "/scim/v2/Groups/:id", http_scim_groups_put, ROUTE_SCIM | ROUTE_BODY, q_none, 0 },
        { "DELETE", "/scim/v2/Groups/:id", http_scim_groups_delete, ROUTE_SCIM, q_none, 0 },
        { NULL, NULL, NULL, 0, NULL, 0 },
};
