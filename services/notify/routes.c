/*
 * routes.c - the notify service's API, in one table.  api-specs/notify.yaml
 * documents every line; GET /v1/events (the suite's feed) is the one every
 * service serves (server.c), here over everything notify received.
 */
#include "notify.h"
#include "nudge.h"

static const char *const q_audit[] = { "actor", "person_id", "service", "type", "subject",
                                       "from", "to", "limit", "cursor", NULL };
static const char *const q_nudges[] = { "partner_id", "step", "status", "limit", "cursor", NULL };
static const char *const q_digests[] = { "mentor_id", NULL };

static const char *const q_none[] = { NULL };
static const char *const q_page[] = { "limit", "cursor", NULL };
static const char *const q_deliveries[] = { "status", "limit", "cursor", NULL };
static const char *const q_attention[] = { "reason", "programme_id", "person_id", "limit",
                                           "cursor", NULL };

struct route notify_routes[] = {
        { "GET", "/v1/attention", http_attention_list, 0, q_attention, 0 },
        { "GET", "/v1/audit", http_audit_list, 0, q_audit, 0 },
        { "POST", "/v1/webhooks", http_webhooks_create, ROUTE_BODY, q_none, 0 },
        { "GET", "/v1/webhooks", http_webhooks_list, 0, q_page, 0 },
        { "GET", "/v1/webhooks/:id", http_webhooks_get, 0, q_none, 0 },
        { "PATCH", "/v1/webhooks/:id", http_webhooks_patch, ROUTE_BODY, q_none, 0 },
        { "DELETE", "/v1/webhooks/:id", http_webhooks_delete, 0, q_none, 0 },
        { "POST", "/v1/webhooks/:id/rotate", http_webhooks_rotate, 0, q_none, 0 },
        { "GET", "/v1/webhooks/:id/deliveries", http_webhooks_deliveries, 0, q_deliveries, 0 },
        { "GET", "/v1/webhooks/:id/deliveries/:delivery", http_webhooks_delivery_get, 0, q_none,
          0 },
        { "POST", "/v1/webhooks/:id/deliveries/:delivery/redeliver", http_webhooks_redeliver, 0,
          q_none, 0 },
        { "POST", "/v1/webhooks/:id/replay", http_webhooks_replay, ROUTE_BODY, q_none, 0 },
        { "GET", "/v1/nudge-rules", http_nudge_rules_get, 0, q_none, 0 },
        { "PUT", "/v1/nudge-rules", http_nudge_rules_put, ROUTE_BODY, q_none, 0 },
        { "GET", "/v1/nudges", http_nudges_list, 0, q_nudges, 0 },
        { "POST", "/v1/digests/run", http_digests_run, 0, q_digests, 0 },
        { NULL, NULL, NULL, 0, NULL, 0 },
};
