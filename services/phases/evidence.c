/*
 * evidence.c - asking the services that hold the evidence for exit criteria
 * (mentoring: sessions, activity, sign-off; strategy: playbook, integration),
 * with the caller's token, and judging every rule on what came back.  A
 * service that does not answer, or answers what the contract does not
 * promise, makes its rules "unavailable": never a silent pass.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "phases.h"
#include "status.h"

#define MAX_ASKED 8

/* One answer, kept so that each service (and weeks) is asked once. */
struct answer {
        const char *service;
        int weeks;
        json_t *j_body;        /* owned, NULL when unavailable */
        char why[160];
};

struct asked {
        struct answer a[MAX_ASKED];
        int n;
};

static void
asked_release(struct asked *s)
{
        for (int i = 0; i < s->n; i++)
                json_decref(s->a[i].j_body);
        s->n = 0;
}

static const char *
service_url(const struct request *rq, const char *service)
{
        return strcmp(service, "mentoring") == 0 ? rq->svc->cfg.mentoring_url
                                                 : rq->svc->cfg.strategy_url;
}

/* Keeps @r's body in @ans when it is the evidence the contract promises. */
static void
take_reply(struct answer *ans, const char *person_id, struct client_reply *r)
{
        const char *pid = json_string_value(json_object_get(r->j_body, "person_id"));

        if (r->status != 200)
                snprintf(ans->why, sizeof(ans->why), "the %s service answered %ld",
                         ans->service, r->status);
        else if (!json_is_object(r->j_body))
                snprintf(ans->why, sizeof(ans->why), "the %s service answered without a JSON"
                         " object", ans->service);
        else if (pid == NULL || strcasecmp(pid, person_id) != 0)
                snprintf(ans->why, sizeof(ans->why), "the %s service answered for another"
                         " person", ans->service);
        else {
                ans->j_body = r->j_body;
                r->j_body = NULL;
        }
}

static void
ask(struct request *rq, const char *person_id, const char *programme_id, struct answer *ans)
{
        struct client_reply r = { 0, NULL };
        char path[160];
        struct client_call call = {
                .method = "GET",
                .base_url = service_url(rq, ans->service),
                .path = path,
                .bearer = rq->bearer,
                .request_id = rq->request_id,
                .timeout_ms = rq->svc->cfg.client_timeout_ms,
        };

        if (strcmp(ans->service, "mentoring") == 0)
                snprintf(path, sizeof(path), "/v1/evidence/mentoring/%s?weeks=%d", person_id,
                         ans->weeks);
        else
                snprintf(path, sizeof(path), "/v1/evidence/strategy/%s?programme_id=%s",
                         person_id, programme_id);
        if (client_do(&call, &r) != ST_OK)
                snprintf(ans->why, sizeof(ans->why), "the %s service did not answer%s",
                         ans->service, r.status >= 500 ? " (a server error)" : "");
        else
                take_reply(ans, person_id, &r);
        client_reply_release(&r);
}

/* The answer for @service and @weeks: asked now, or kept from before. */
static const struct answer *
answer_for(struct request *rq, const char *person_id, const char *programme_id,
           struct asked *s, const char *service, int weeks)
{
        struct answer *ans;

        for (int i = 0; i < s->n; i++)
                if (strcmp(s->a[i].service, service) == 0 && s->a[i].weeks == weeks)
                        return &s->a[i];
        if (s->n == MAX_ASKED)
                return NULL;
        ans = &s->a[s->n++];
        memset(ans, 0, sizeof(*ans));
        ans->service = service;
        ans->weeks = weeks;
        ask(rq, person_id, programme_id, ans);
        return ans;
}

int
evidence_evaluate(struct request *rq, const char *person_id, const char *programme_id,
                  const json_t *j_criteria, const struct local_evidence *local,
                  struct verdict *out)
{
        struct asked s = { .n = 0 };
        const struct answer *ans;
        enum rule_verdict rv;
        const json_t *j_rule;
        json_t *j_result;
        const char *service;
        int weeks, default_weeks = criteria_default_weeks(j_criteria);
        int rc = ST_OK;
        size_t i;

        memset(out, 0, sizeof(*out));
        out->j_results = json_array();
        json_array_foreach(j_criteria, i, j_rule) {
                struct rule_evidence ev = { .local = local, .unavailable = "no evidence asked" };

                service = criteria_service(j_rule);
                if (service != NULL && strcmp(service, "phases") != 0) {
                        weeks = criteria_weeks(j_rule) > 0 ? criteria_weeks(j_rule)
                                                            : default_weeks;
                        ans = answer_for(rq, person_id, programme_id, &s, service,
                                         strcmp(service, "mentoring") == 0 ? weeks : 0);
                        ev.j_remote = ans != NULL ? ans->j_body : NULL;
                        ev.unavailable = ans != NULL ? ans->why : "too many evidence requests";
                }
                j_result = criteria_judge(j_rule, &ev, &rv);
                rc = verdict_add(out, j_result, rv);
                if (rc != ST_OK)
                        break;
        }
        asked_release(&s);
        return rc;
}
