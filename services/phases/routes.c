/*
 * routes.c - the phases service's API, in one table.  api-specs/phases.yaml
 * documents every line.
 */
#include "phases.h"

static const char *const q_none[] = { NULL };
static const char *const q_page[] = { "limit", "cursor", NULL };
static const char *const q_enrolments[] = { "person_id", "programme_id", "status", "limit",
                                            "cursor", NULL };
static const char *const q_workshops[] = { "platform", "attended_by", "limit", "cursor", NULL };
static const char *const q_assessments[] = { "person_id", "kind", "limit", "cursor", NULL };
static const char *const q_growth[] = { "kind", NULL };
static const char *const q_stats[] = { "programme_id", "business_unit", NULL };
static const char *const q_trend[] = { "programme_id", "business_unit", "from", "to", "interval",
                                       NULL };

#define IDEM (ROUTE_BODY | ROUTE_IDEMPOTENT)

struct route phases_routes[] = {
        { "POST", "/v1/programmes", http_programmes_create, IDEM, q_none, 0 },
        { "GET", "/v1/programmes", http_programmes_list, 0, q_page, 0 },
        { "GET", "/v1/programmes/:id", http_programmes_get, 0, q_none, 0 },
        { "PUT", "/v1/programmes/:id", http_programmes_put, ROUTE_BODY, q_none, 0 },
        { "GET", "/v1/programmes/:id/versions", http_programmes_versions, 0, q_page, 0 },
        { "GET", "/v1/programmes/:id/versions/:version", http_programmes_version_get, 0, q_none,
          0 },

        { "POST", "/v1/enrolments", http_enrolments_create, IDEM, q_none, 0 },
        { "GET", "/v1/enrolments", http_enrolments_list, 0, q_enrolments, 0 },
        { "GET", "/v1/enrolments/:id", http_enrolments_get, 0, q_none, 0 },
        { "GET", "/v1/enrolments/:id/history", http_enrolments_history, 0, q_page, 0 },
        { "GET", "/v1/enrolments/:id/criteria", http_enrolments_criteria, 0, q_none, 0 },
        { "PATCH", "/v1/enrolments/:id/target-dates", http_enrolments_targets, ROUTE_BODY,
          q_none, 0 },
        { "POST", "/v1/enrolments/:id/advance", http_enrolments_advance, IDEM, q_none, 0 },
        { "POST", "/v1/enrolments/:id/pause", http_enrolments_pause, IDEM, q_none, 0 },
        { "POST", "/v1/enrolments/:id/resume", http_enrolments_resume, IDEM, q_none, 0 },
        { "POST", "/v1/enrolments/:id/withdraw", http_enrolments_withdraw, IDEM, q_none, 0 },

        { "POST", "/v1/workshops", http_workshops_create, IDEM, q_none, 0 },
        { "GET", "/v1/workshops", http_workshops_list, 0, q_workshops, 0 },
        { "GET", "/v1/workshops/:id", http_workshops_get, 0, q_none, 0 },
        { "POST", "/v1/workshops/:id/attendance", http_attendance_create, IDEM, q_none, 0 },
        { "GET", "/v1/workshops/:id/attendance", http_attendance_list, 0, q_page, 0 },
        { "DELETE", "/v1/workshops/:id/attendance/:person_id", http_attendance_delete, 0, q_none,
          0 },

        { "POST", "/v1/assessment-templates", http_templates_create, IDEM, q_none, 0 },
        { "GET", "/v1/assessment-templates", http_templates_list, 0, q_page, 0 },
        { "GET", "/v1/assessment-templates/:id", http_templates_get, 0, q_none, 0 },
        { "POST", "/v1/assessments", http_assessments_create, IDEM, q_none, 0 },
        { "GET", "/v1/assessments", http_assessments_list, 0, q_assessments, 0 },
        { "GET", "/v1/assessments/:id", http_assessments_get, 0, q_none, 0 },
        { "GET", "/v1/assessments/growth/:person_id", http_assessments_growth, 0, q_growth, 0 },

        { "GET", "/v1/stats/phases", http_stats_phases, 0, q_stats, 0 },
        { "GET", "/v1/stats/phases/trend", http_stats_trend, 0, q_trend, 0 },
        { NULL, NULL, NULL, 0, NULL, 0 },
};
