/*
 * routes.c - the strategy service's API, in one table.  api-specs/strategy.yaml
 * documents every line.
 */
#include "strategy.h"

static const char *const q_none[] = { NULL };
static const char *const q_page[] = { "limit", "cursor", NULL };
static const char *const q_playbooks[] = { "partner_id", "programme_id", "limit", "cursor", NULL };
static const char *const q_comments[] = { "section", "limit", "cursor", NULL };
static const char *const q_versions[] = { "status", "limit", "cursor", NULL };
static const char *const q_programme[] = { "programme_id", NULL };
static const char *const q_integrations[] = { "playbook_id", "partner_id", "programme_id",
                                              "status", "limit", "cursor", NULL };

#define CREATE (ROUTE_BODY | ROUTE_IDEMPOTENT)

struct route strategy_routes[] = {
        { "POST", "/v1/playbooks", http_playbooks_create, CREATE, q_none, 0 },
        { "GET", "/v1/playbooks", http_playbooks_list, 0, q_playbooks, 0 },
        { "GET", "/v1/playbooks/:id", http_playbooks_get, 0, q_none, 0 },
        { "PATCH", "/v1/playbooks/:id", http_playbooks_patch, ROUTE_BODY, q_none, 0 },
        { "PUT", "/v1/playbooks/:id/sections/:section/status", http_playbooks_status, ROUTE_BODY,
          q_none, 0 },
        { "GET", "/v1/playbooks/:id/revisions", http_revisions_list, 0, q_page, 0 },
        { "GET", "/v1/playbooks/:id/revisions/:revision", http_revisions_get, 0, q_none, 0 },
        { "POST", "/v1/playbooks/:id/comments", http_comments_create, CREATE, q_none, 0 },
        { "GET", "/v1/playbooks/:id/comments", http_comments_list, 0, q_comments, 0 },
        { "GET", "/v1/business-strategy", http_business_current, 0, q_none, 0 },
        { "GET", "/v1/business-strategy/coverage", http_business_coverage, 0, q_programme, 0 },
        { "POST", "/v1/business-strategy/versions", http_business_create, CREATE, q_none, 0 },
        { "GET", "/v1/business-strategy/versions", http_business_list, 0, q_versions, 0 },
        { "GET", "/v1/business-strategy/versions/:id", http_business_get, 0, q_none, 0 },
        { "PATCH", "/v1/business-strategy/versions/:id", http_business_patch, ROUTE_BODY, q_none,
          0 },
        { "POST", "/v1/business-strategy/versions/:id/publish", http_business_publish, 0, q_none,
          0 },
        { "POST", "/v1/integrations", http_integrations_create, CREATE, q_none, 0 },
        { "GET", "/v1/integrations", http_integrations_list, 0, q_integrations, 0 },
        { "GET", "/v1/integrations/:id", http_integrations_get, 0, q_none, 0 },
        { "PATCH", "/v1/integrations/:id", http_integrations_patch, ROUTE_BODY, q_none, 0 },
        { "GET", "/v1/evidence/strategy/:person_id", http_evidence_get, 0, q_programme, 0 },
        { "GET", "/v1/stats/strategy", http_stats_get, 0, q_programme, 0 },
        { NULL, NULL, NULL, 0, NULL, 0 },
};
