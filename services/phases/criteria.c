/*
 * criteria.c - exit criteria as data: the typed rules a phase can require,
 * what a valid rule looks like, and how each is judged on its evidence.
 * Pure: the evidence is handed in (evidence.c fetches it).  Unit-tested in
 * tests/unit/test_phases_criteria.c.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "phases.h"
#include "status.h"

#define DEFAULT_WEEKS 4

static const char *const rule_types[] = {
        "assessment_submitted", "workshops_attended", "playbook_sections_drafted",
        "sessions_held", "activity_rate", "mentor_signoff", "integration_signed_off", NULL,
};
static const char *const services[] = { "phases", "mentoring", "strategy", NULL };

#define F_END { NULL, 0, 0, 0, 0, NULL, 0 }
#define F_TYPE { "type", JV_ENUM, JV_REQUIRED, 0, 0, rule_types, 0 }
#define F_SERVICE { "service", JV_ENUM, 0, 0, 0, services, 0 }

static const struct jv_field f_assessment[] = {
        F_TYPE, F_SERVICE, { "within_phase", JV_BOOL, 0, 0, 0, NULL, 0 }, F_END,
};
static const struct jv_field f_workshops[] = {
        F_TYPE, F_SERVICE, { "min", JV_INT, JV_REQUIRED, 1, 100, NULL, 0 }, F_END,
};
static const struct jv_field f_sections[] = {
        F_TYPE, F_SERVICE,
        { "sections", JV_STRING_ARRAY, JV_REQUIRED, 1, 20, NULL, SLUG_MAX }, F_END,
};
static const struct jv_field f_sessions[] = {
        F_TYPE, F_SERVICE, { "min", JV_INT, JV_REQUIRED, 1, 1000, NULL, 0 }, F_END,
};
/* min_per_week is a number (jsonv has no such type): checked by hand */
static const struct jv_field f_activity[] = {
        F_TYPE, F_SERVICE, { "weeks", JV_INT, JV_REQUIRED, 1, 52, NULL, 0 }, F_END,
};
static const struct jv_field f_plain[] = { F_TYPE, F_SERVICE, F_END };

enum rule_type {
        R_ASSESSMENT = 0, R_WORKSHOPS, R_SECTIONS, R_SESSIONS, R_ACTIVITY, R_SIGNOFF,
        R_INTEGRATION, R_COUNT,
};

struct rule_def {
        const char *service;
        const struct jv_field *fields;
};

static const struct rule_def rule_defs[R_COUNT] = {
        [R_ASSESSMENT] = { "phases", f_assessment },
        [R_WORKSHOPS] = { "phases", f_workshops },
        [R_SECTIONS] = { "strategy", f_sections },
        [R_SESSIONS] = { "mentoring", f_sessions },
        [R_ACTIVITY] = { "mentoring", f_activity },
        [R_SIGNOFF] = { "mentoring", f_plain },
        [R_INTEGRATION] = { "strategy", f_plain },
};

static bool
service_known(const char *s)
{
        for (int i = 0; services[i] != NULL; i++)
                if (strcmp(services[i], s) == 0)
                        return true;
        return false;
}

static int
rule_type(const json_t *j_rule)
{
        const char *t = json_string_value(json_object_get(j_rule, "type"));

        for (int i = 0; t != NULL && rule_types[i] != NULL; i++)
                if (strcmp(rule_types[i], t) == 0)
                        return i;
        return -1;
}

const char *
criteria_service(const json_t *j_rule)
{
        int t = rule_type(j_rule);

        return t >= 0 ? rule_defs[t].service : NULL;
}

int
criteria_weeks(const json_t *j_rule)
{
        json_t *j_weeks = json_object_get(j_rule, "weeks");

        return rule_type(j_rule) == R_ACTIVITY && json_is_integer(j_weeks)
               ? (int)json_integer_value(j_weeks) : 0;
}

int
criteria_default_weeks(const json_t *j_criteria)
{
        const json_t *j_rule;
        size_t i;

        json_array_foreach(j_criteria, i, j_rule)
                if (criteria_weeks(j_rule) > 0)
                        return criteria_weeks(j_rule);
        return DEFAULT_WEEKS;
}

/* min_per_week: a number above 0 and at most 100. */
static void
check_rate(const json_t *j_rule, const char *prefix, struct problem *p)
{
        json_t *j_rate = json_object_get(j_rule, "min_per_week");
        char name[128];

        snprintf(name, sizeof(name), "%s.min_per_week", prefix);
        if (j_rate == NULL)
                problem_field(p, name, "is required");
        else if (!json_is_number(j_rate))
                problem_field(p, name, "must be a number");
        else if (!(json_number_value(j_rate) > 0.0) || json_number_value(j_rate) > 100.0)
                problem_field(p, name, "must be above 0 and at most 100");
}

/* Sections are keys, each named once. */
static void
check_sections(const json_t *j_rule, const char *prefix, struct problem *p)
{
        json_t *j_sections = json_object_get(j_rule, "sections"), *j_s;
        char name[128];
        size_t i, k;

        json_array_foreach(j_sections, i, j_s) {
                snprintf(name, sizeof(name), "%s.sections[%zu]", prefix, i);
                if (!slug_valid(json_string_value(j_s)))
                        problem_field(p, name, "must be a key of 1 to 40 of a-z, 0-9, _ and -");
                for (k = 0; k < i; k++)
                        if (json_equal(json_array_get(j_sections, k), j_s)) {
                                problem_field(p, name, "names a section twice");
                                break;
                        }
        }
}

/* The normal form: a copy with the service and the defaults filled in. */
static int
rule_normalise(const json_t *j_rule, int t, json_t **j_norm)
{
        json_t *j_out = json_deep_copy(j_rule);

        if (j_out == NULL || json_object_set_new(j_out, "service",
                                                 json_string(rule_defs[t].service)) != 0)
                goto fail;
        if (t == R_ASSESSMENT && json_object_get(j_out, "within_phase") == NULL
            && json_object_set_new(j_out, "within_phase", json_false()) != 0)
                goto fail;
        if (t == R_ACTIVITY && json_object_set_new(j_out, "min_per_week",
                json_real(json_number_value(json_object_get(j_rule, "min_per_week")))) != 0)
                goto fail;
        *j_norm = j_out;
        return ST_OK;
fail:
        json_decref(j_out);
        return ST_NOMEM;
}

int
criteria_check_rule(const json_t *j_rule, const char *prefix, struct problem *p,
                    json_t **j_norm)
{
        size_t before = problem_field_count(p);
        const char *service;
        json_t *j_rest;
        char name[128];
        int t;

        if (!json_is_object(j_rule))
                return problem_field(p, prefix, "must be an object");
        t = rule_type(j_rule);
        if (t < 0) {
                snprintf(name, sizeof(name), "%s.type", prefix);
                return problem_field(p, name, "must be one of assessment_submitted, "
                                     "workshops_attended, playbook_sections_drafted, sessions_held,"
                                     " activity_rate, mentor_signoff, integration_signed_off");
        }
        j_rest = json_copy((json_t *)j_rule);
        if (j_rest == NULL)
                return ST_NOMEM;
        if (t == R_ACTIVITY) {
                json_object_del(j_rest, "min_per_week");
                check_rate(j_rule, prefix, p);
        }
        jv_check(j_rest, rule_defs[t].fields, prefix, p);
        json_decref(j_rest);
        if (t == R_SECTIONS && problem_field_count(p) == before)
                check_sections(j_rule, prefix, p);
        service = json_string_value(json_object_get(j_rule, "service"));
        if (service != NULL && service_known(service)
            && strcmp(service, rule_defs[t].service) != 0) {
                snprintf(name, sizeof(name), "%s.service", prefix);
                problem_field(p, name, "this rule's evidence is held by %s", rule_defs[t].service);
        }
        if (problem_field_count(p) > before)
                return ST_INVALID;
        return rule_normalise(j_rule, t, j_norm);
}

/* ---- judging ---------------------------------------------------------------- */

void
verdict_release(struct verdict *v)
{
        if (v == NULL)
                return;
        json_decref(v->j_results);
        memset(v, 0, sizeof(*v));
}

int
verdict_add(struct verdict *v, json_t *j_result, enum rule_verdict rv)
{
        if (v->j_results == NULL)
                v->j_results = json_array();
        if (j_result == NULL || v->j_results == NULL
            || json_array_append_new(v->j_results, j_result) != 0)
                return ST_NOMEM;
        if (rv == RULE_MET)
                v->met++;
        else if (rv == RULE_UNMET)
                v->unmet++;
        else
                v->unavailable++;
        return ST_OK;
}

/* What judging one rule found. */
struct finding {
        enum rule_verdict verdict;
        char detail[400];
        json_t *j_evidence;      /* owned until handed to the result */
};

static void
found(struct finding *f, enum rule_verdict v, json_t *j_evidence, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static void
found(struct finding *f, enum rule_verdict v, json_t *j_evidence, const char *fmt, ...)
{
        va_list ap;

        f->verdict = v;
        json_decref(f->j_evidence);
        f->j_evidence = j_evidence;
        va_start(ap, fmt);
        vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
        va_end(ap);
}

/* The remote answer was not what the contract promised. */
static void
malformed(struct finding *f, const char *service, const char *member)
{
        found(f, RULE_UNAVAILABLE, NULL, "evidence unavailable: the %s service answered without"
              " a valid %s", service, member);
}

static json_int_t
rule_int(const json_t *j_rule, const char *name)
{
        return json_integer_value(json_object_get(j_rule, name));
}

static void
judge_assessment(const json_t *j_rule, const struct local_evidence *l, struct finding *f)
{
        bool in_phase = json_is_true(json_object_get(j_rule, "within_phase"));
        long long n = in_phase ? l->self_assessments_in_phase : l->self_assessments;
        json_t *j_ev = json_pack("{s:I}", in_phase ? "self_assessments_in_phase"
                                 : "self_assessments", (json_int_t)n);

        if (n > 0)
                found(f, RULE_MET, j_ev, "%lld self-assessment(s) submitted", n);
        else if (in_phase)
                found(f, RULE_UNMET, j_ev, "no self-assessment submitted since this phase began");
        else
                found(f, RULE_UNMET, j_ev, "no self-assessment submitted yet");
}

static void
judge_workshops(const json_t *j_rule, const struct local_evidence *l, struct finding *f)
{
        long long min = rule_int(j_rule, "min"), n = l->workshops_attended;
        json_t *j_ev = json_pack("{s:I}", "workshops_attended", (json_int_t)n);

        if (n >= min)
                found(f, RULE_MET, j_ev, "attended %lld workshop(s), %lld required", n, min);
        else
                found(f, RULE_UNMET, j_ev, "attended %lld of the %lld workshops required", n, min);
}

static bool
array_has_string(const json_t *j_arr, const char *s)
{
        size_t i;
        json_t *j_v;

        json_array_foreach(j_arr, i, j_v)
                if (json_is_string(j_v) && strcmp(json_string_value(j_v), s) == 0)
                        return true;
        return false;
}

static bool
string_array(const json_t *j_arr)
{
        size_t i;
        json_t *j_v;

        if (!json_is_array(j_arr))
                return false;
        json_array_foreach(j_arr, i, j_v)
                if (!json_is_string(j_v))
                        return false;
        return true;
}

static void
judge_sections(const json_t *j_rule, const json_t *j_remote, struct finding *f)
{
        const json_t *j_drafted = json_object_get(j_remote, "playbook_sections_drafted");
        json_t *j_missing, *j_s;
        struct buf b = BUF_INIT;
        char *list;
        size_t i;

        if (!string_array(j_drafted)) {
                malformed(f, "strategy", "playbook_sections_drafted");
                return;
        }
        j_missing = json_array();
        json_array_foreach(json_object_get(j_rule, "sections"), i, j_s) {
                if (array_has_string(j_drafted, json_string_value(j_s)))
                        continue;
                json_array_append(j_missing, j_s);
                buf_fmt(&b, "%s%s", b.len > 0 ? ", " : "", json_string_value(j_s));
        }
        list = buf_detach(&b);
        if (json_array_size(j_missing) == 0)
                found(f, RULE_MET, json_pack("{s:O, s:o}", "drafted", j_drafted, "missing",
                                             j_missing), "every required section is drafted");
        else
                found(f, RULE_UNMET, json_pack("{s:O, s:o}", "drafted", j_drafted, "missing",
                                               j_missing), "sections not drafted yet: %s",
                      list != NULL ? list : "?");
        free(list);
}

static void
judge_sessions(const json_t *j_rule, const json_t *j_remote, struct finding *f)
{
        json_t *j_n = json_object_get(j_remote, "sessions_held");
        long long min = rule_int(j_rule, "min"), n;
        json_t *j_ev;

        if (!json_is_integer(j_n) || json_integer_value(j_n) < 0) {
                malformed(f, "mentoring", "sessions_held");
                return;
        }
        n = json_integer_value(j_n);
        j_ev = json_pack("{s:I}", "sessions_held", (json_int_t)n);
        if (n >= min)
                found(f, RULE_MET, j_ev, "held %lld session(s), %lld required", n, min);
        else
                found(f, RULE_UNMET, j_ev, "held %lld of the %lld sessions required", n, min);
}

static void
judge_activity(const json_t *j_rule, const json_t *j_remote, struct finding *f)
{
        const json_t *j_act = json_object_get(j_remote, "activity");
        const json_t *j_rate = json_object_get(j_act, "rate_per_week");
        const json_t *j_weeks = json_object_get(j_act, "weeks");
        double min = json_number_value(json_object_get(j_rule, "min_per_week")), rate;
        long long weeks = rule_int(j_rule, "weeks");
        json_t *j_ev;

        if (!json_is_number(j_rate) || !isfinite(json_number_value(j_rate))
            || json_number_value(j_rate) < 0 || !json_is_integer(j_weeks)
            || json_integer_value(j_weeks) != weeks) {
                malformed(f, "mentoring", "activity for the weeks asked");
                return;
        }
        rate = json_number_value(j_rate);
        j_ev = json_pack("{s:I, s:f, s:O}", "weeks", (json_int_t)weeks, "rate_per_week", rate,
                         "completions", json_object_get(j_act, "completions") != NULL
                         ? json_object_get(j_act, "completions") : json_null());
        if (rate >= min)
                found(f, RULE_MET, j_ev, "%.2f activities a week over the last %lld weeks,"
                      " %.2f required", rate, weeks, min);
        else
                found(f, RULE_UNMET, j_ev, "%.2f activities a week over the last %lld weeks;"
                      " %.2f required", rate, weeks, min);
}

/* {signed_off: bool, signed_off_at, ...} from @j_src, copied as evidence. */
static void
judge_signoff(const json_t *j_src, const char *service, const char *member,
              const char *who, struct finding *f)
{
        const json_t *j_flag = json_object_get(j_src, "signed_off");
        json_t *j_ev;

        if (!json_is_boolean(j_flag)) {
                malformed(f, service, member);
                return;
        }
        j_ev = json_pack("{s:O, s:O}", "signed_off", j_flag, "signed_off_at",
                         json_object_get(j_src, "signed_off_at") != NULL
                         ? json_object_get(j_src, "signed_off_at") : json_null());
        if (j_ev != NULL && json_object_get(j_src, "mentor_id") != NULL)
                json_object_set(j_ev, "mentor_id", json_object_get(j_src, "mentor_id"));
        if (json_is_true(j_flag))
                found(f, RULE_MET, j_ev, "%s signed off", who);
        else
                found(f, RULE_UNMET, j_ev, "%s not signed off yet", who);
}

static void
judge_integration(const json_t *j_remote, struct finding *f)
{
        const json_t *j_flag = json_object_get(j_remote, "integration_signed_off");
        json_t *j_src;

        if (!json_is_boolean(j_flag)) {
                malformed(f, "strategy", "integration_signed_off");
                return;
        }
        /* the same shape as a mentor's sign-off, for one judge */
        j_src = json_pack("{s:O, s:O}", "signed_off", j_flag, "signed_off_at",
                          json_object_get(j_remote, "signed_off_at") != NULL
                          ? json_object_get(j_remote, "signed_off_at") : json_null());
        judge_signoff(j_src, "strategy", "integration_signed_off",
                      "the integration is", f);
        json_decref(j_src);
}

static void
judge_remote(const json_t *j_rule, int t, const json_t *j_remote, struct finding *f)
{
        if (t == R_SECTIONS)
                judge_sections(j_rule, j_remote, f);
        else if (t == R_SESSIONS)
                judge_sessions(j_rule, j_remote, f);
        else if (t == R_ACTIVITY)
                judge_activity(j_rule, j_remote, f);
        else if (t == R_SIGNOFF)
                judge_signoff(json_object_get(j_remote, "mentor_signoff"), "mentoring",
                              "mentor_signoff", "the mentor has", f);
        else if (t == R_INTEGRATION)
                judge_integration(j_remote, f);
        else
                found(f, RULE_UNAVAILABLE, NULL, "evidence unavailable: no judge for this rule");
}

json_t *
criteria_judge(const json_t *j_rule, const struct rule_evidence *ev, enum rule_verdict *out)
{
        struct finding f = { RULE_UNAVAILABLE, "", NULL };
        int t = rule_type(j_rule);
        json_t *j_result;

        if (t < 0)
                found(&f, RULE_UNAVAILABLE, NULL, "evidence unavailable: unknown rule type");
        else if (t == R_ASSESSMENT)
                judge_assessment(j_rule, ev->local, &f);
        else if (t == R_WORKSHOPS)
                judge_workshops(j_rule, ev->local, &f);
        else if (ev->j_remote == NULL)
                found(&f, RULE_UNAVAILABLE, NULL, "evidence unavailable: %s",
                      ev->unavailable != NULL ? ev->unavailable : "no answer");
        else
                judge_remote(j_rule, t, ev->j_remote, &f);
        j_result = json_pack("{s:O, s:s, s:s, s:o}", "rule", j_rule, "status",
                             f.verdict == RULE_MET ? "met"
                             : f.verdict == RULE_UNMET ? "unmet" : "unavailable",
                             "detail", f.detail,
                             "evidence", f.j_evidence != NULL ? f.j_evidence : json_null());
        *out = f.verdict;
        return j_result;
}

int
verdict_problem(const struct verdict *v, const char *phase, struct problem *p)
{
        enum rule_verdict want = v->unavailable > 0 ? RULE_UNAVAILABLE : RULE_UNMET;
        const char *status = want == RULE_UNAVAILABLE ? "unavailable" : "unmet";
        json_t *j_r;
        size_t i;

        if (v->unavailable == 0 && v->unmet == 0)
                return ST_OK;
        json_array_foreach(v->j_results, i, j_r) {
                char field[96];
                const char *s = json_string_value(json_object_get(j_r, "status"));

                if (s == NULL || strcmp(s, status) != 0)
                        continue;
                snprintf(field, sizeof(field), "criteria[%zu].%s", i, json_string_value(
                         json_object_get(json_object_get(j_r, "rule"), "type")));
                problem_field(p, field, "%s", json_string_value(json_object_get(j_r, "detail")));
        }
        if (want == RULE_UNAVAILABLE)
                return problem_set(p, ST_UNAVAILABLE, "evidence-unavailable",
                                   "the evidence for %d of the %s phase's exit criteria could not"
                                   " be had; nothing changed, try again later", v->unavailable,
                                   phase);
        return problem_set(p, ST_CONFLICT, "criteria-unmet",
                           "%d of the %s phase's exit criteria are not met yet", v->unmet, phase);
}
