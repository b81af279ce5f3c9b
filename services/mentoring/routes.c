/*
 * routes.c - the mentoring service's API, in one table.  api-specs/mentoring.yaml
 * documents every line.
 */
#include "mentoring.h"

#define B ROUTE_BODY
#define BI (ROUTE_BODY | ROUTE_IDEMPOTENT)

static const char *const q_none[] = { NULL };
static const char *const q_page[] = { "limit", "cursor", NULL };
static const char *const q_sessions[] = { "pairing_id", "mentor_id", "partner_id", "status", "from",
                                          "to", "needs_write_up", "limit", "cursor", NULL };
static const char *const q_templates[] = { "platform", "skill", "archived", "limit", "cursor",
                                           NULL };
static const char *const q_weeks[] = { "weeks", NULL };
static const char *const q_item[] = { "weeks", "windows", NULL };
static const char *const q_completions[] = { "item_id", "from", "to", "verified", "limit",
                                             "cursor", NULL };
static const char *const q_learnings[] = { "kind", "platform", "skill", "visibility", "author_id",
                                           "pairing_id", "limit", "cursor", NULL };
static const char *const q_signoffs[] = { "partner_id", "mentor_id", "current", "limit", "cursor",
                                          NULL };

#define CHECKLIST "/v1/checklists/:partner_id"
#define COMPLETION CHECKLIST "/completions/:completion_id"

struct route mentoring_routes[] = {
        { "GET", "/v1/guidelines", http_guidelines_get, 0, q_none, 0 },
        { "PUT", "/v1/guidelines", http_guidelines_put, B, q_none, 0 },
        { "GET", "/v1/guidelines/versions", http_guidelines_versions, 0, q_page, 0 },
        { "GET", "/v1/guidelines/versions/:version", http_guidelines_version, 0, q_none, 0 },

        { "POST", "/v1/sessions", http_sessions_create, BI, q_none, 0 },
        { "GET", "/v1/sessions", http_sessions_list, 0, q_sessions, 0 },
        { "GET", "/v1/sessions/:id", http_sessions_get, 0, q_none, 0 },
        { "PATCH", "/v1/sessions/:id", http_sessions_patch, B, q_none, 0 },
        { "PATCH", "/v1/sessions/:id/write-up", http_sessions_write_up, B, q_none, 0 },
        { "POST", "/v1/sessions/:id/actions", http_actions_create, BI, q_none, 0 },
        { "PATCH", "/v1/sessions/:id/actions/:action_id", http_actions_patch, B, q_none, 0 },
        { "GET", "/v1/sessions/:id/private-notes", http_notes_get, 0, q_none, 0 },
        { "PUT", "/v1/sessions/:id/private-notes", http_notes_put, B, q_none, 0 },
        { "DELETE", "/v1/sessions/:id/private-notes", http_notes_delete, 0, q_none, 0 },

        { "POST", "/v1/activity-templates", http_templates_create, BI, q_none, 0 },
        { "GET", "/v1/activity-templates", http_templates_list, 0, q_templates, 0 },
        { "GET", "/v1/activity-templates/:id", http_templates_get, 0, q_none, 0 },
        { "PATCH", "/v1/activity-templates/:id", http_templates_patch, B, q_none, 0 },

        { "GET", CHECKLIST, http_checklist_get, 0, q_weeks, 0 },
        { "POST", CHECKLIST "/items", http_items_create, BI, q_none, 0 },
        { "GET", CHECKLIST "/items/:item_id", http_items_get, 0, q_item, 0 },
        { "PATCH", CHECKLIST "/items/:item_id", http_items_patch, B, q_none, 0 },
        { "POST", CHECKLIST "/items/:item_id/completions", http_completions_create, BI, q_none,
          0 },
        { "GET", CHECKLIST "/completions", http_completions_list, 0, q_completions, 0 },
        { "GET", COMPLETION, http_completions_get, 0, q_none, 0 },
        { "PATCH", COMPLETION, http_completions_patch, B, q_none, 0 },
        { "DELETE", COMPLETION, http_completions_delete, 0, q_none, 0 },
        { "PUT", COMPLETION "/verification", http_verification_put, B, q_none, 0 },
        { "DELETE", COMPLETION "/verification", http_verification_delete, 0, q_none, 0 },
        { "POST", COMPLETION "/comments", http_comments_create, BI, q_none, 0 },

        { "POST", "/v1/learnings", http_learnings_create, BI, q_none, 0 },
        { "GET", "/v1/learnings", http_learnings_list, 0, q_learnings, 0 },
        { "GET", "/v1/learnings/:id", http_learnings_get, 0, q_none, 0 },
        { "PATCH", "/v1/learnings/:id", http_learnings_patch, B, q_none, 0 },
        { "DELETE", "/v1/learnings/:id", http_learnings_delete, 0, q_none, 0 },

        { "POST", "/v1/signoffs", http_signoffs_create, BI, q_none, 0 },
        { "GET", "/v1/signoffs", http_signoffs_list, 0, q_signoffs, 0 },
        { "GET", "/v1/signoffs/:id", http_signoffs_get, 0, q_none, 0 },
        { "DELETE", "/v1/signoffs/:id", http_signoffs_delete, 0, q_none, 0 },

        { "GET", "/v1/evidence/mentoring/:person_id", http_evidence_get, 0, q_weeks, 0 },
        { "GET", "/v1/stats/mentoring", http_stats_get, 0, q_weeks, 0 },
        { NULL, NULL, NULL, 0, NULL, 0 },
};
