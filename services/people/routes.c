/*
 * routes.c - the people service's API, in one table.  api-specs/people.yaml
 * documents every line.
 */
#include "people.h"

static const char *const q_none[] = { NULL };
static const char *const q_people[] = { "role", "status", "business_unit", "q", "limit", "cursor",
                                        NULL };
static const char *const q_pairings[] = { "mentor_id", "partner_id", "status", "limit", "cursor",
                                          NULL };

struct route people_routes[] = {
        { "POST", "/v1/people", http_people_create, ROUTE_BODY | ROUTE_IDEMPOTENT, q_none, 0 },
        { "GET", "/v1/people", http_people_list, 0, q_people, 0 },
        { "GET", "/v1/people/:id", http_people_get, 0, q_none, 0 },
        { "PATCH", "/v1/people/:id", http_people_patch, ROUTE_BODY, q_none, 0 },
        { "DELETE", "/v1/people/:id", http_people_delete, 0, q_none, 0 },
        { "GET", "/v1/me", http_me_get, 0, q_none, 0 },
        { "POST", "/v1/pairings", http_pairings_create, ROUTE_BODY | ROUTE_IDEMPOTENT, q_none, 0 },
        { "GET", "/v1/pairings", http_pairings_list, 0, q_pairings, 0 },
        { "GET", "/v1/pairings/:id", http_pairings_get, 0, q_none, 0 },
        { "PATCH", "/v1/pairings/:id", http_pairings_patch, ROUTE_BODY, q_none, 0 },
        { NULL, NULL, NULL, 0, NULL, 0 },
};
