/*
 * fuzz_phases.c - the phases service's request validation (phases_json.c)
 * and exit criteria (criteria.c): every body check, a programme's phases and
 * criteria in normal form, each rule judged with the input itself as the
 * remote service's answer (an answer of any shape must be judged, never
 * trusted), assessments matched against a template, and the day and time
 * parsers of pace.c.  Input: a request body, or a date or date-time.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "phases.h"

#define TODAY 20522L                    /* 2026-03-10 */
#define NOW 1773100800LL                /* 2026-03-10T00:00:00Z */

/* A template's items (test_phases_json.c's test_assessment_match). */
static const char items_text[] =
        "[{\"platform\": \"x\", \"skill\": \"posting\"},"
        " {\"platform\": \"x\", \"skill\": \"engaging\"},"
        " {\"platform\": \"blog\", \"skill\": \"posting\"}]";

static int
targets(const json_t *j_body, struct problem *p)
{
        return targets_json_check(j_body, TODAY, p);
}

static int
pause_resume(const json_t *j_body, struct problem *p)
{
        return transition_json_check(j_body, false, p);
}

static int
withdraw(const json_t *j_body, struct problem *p)
{
        return transition_json_check(j_body, true, p);
}

static int
one_rule(const json_t *j_body, struct problem *p)
{
        json_t *j_norm = NULL;
        int st = criteria_check_rule(j_body, "criteria[0]", p, &j_norm);

        json_decref(j_norm);
        return st;
}

static const fuzz_check_fn checks[] = {
        enrolment_json_check_create, targets, pause_resume, withdraw, advance_json_check,
        workshop_json_check, attendance_json_check, template_json_check, one_rule, NULL,
};

/* Judges every rule of a phase, as evidence_evaluate would with @j_remote. */
static void
judge_phase(const json_t *j_phase, const json_t *j_remote)
{
        static const struct local_evidence local = { 2, 1, 1 };
        struct rule_evidence ev = { &local, j_remote, "the service did not answer" };
        const json_t *j_criteria = json_object_get(j_phase, "criteria");
        struct verdict v = { json_array(), 0, 0, 0 };
        struct problem p = PROBLEM_INIT;
        enum rule_verdict rv;
        json_t *j_rule, *j_result;
        size_t i;

        (void)criteria_default_weeks(j_criteria);
        json_array_foreach(j_criteria, i, j_rule) {
                (void)criteria_service(j_rule);
                (void)criteria_weeks(j_rule);
                j_result = criteria_judge(j_rule, &ev, &rv);
                if (j_result != NULL)
                        (void)verdict_add(&v, j_result, rv);
        }
        fuzz_problem_done(&p, verdict_problem(&v, "fuzz", &p));
        verdict_release(&v);
}

static void
fuzz_programme(const json_t *j_body)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_phases = NULL, *j_phase;
        size_t i;

        fuzz_problem_done(&p, programme_json_check(j_body, &p, &j_phases));
        json_array_foreach(j_phases, i, j_phase) {
                judge_phase(j_phase, j_body);
                judge_phase(j_phase, NULL);
        }
        json_decref(j_phases);
}

static void
fuzz_assessment(const json_t *j_body)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_items;

        if (fuzz_check(assessment_json_check, j_body) != ST_OK)
                return;
        j_items = json_loads(items_text, 0, NULL);
        fuzz_problem_done(&p, assessment_json_match(json_object_get(j_body, "answers"),
                                                    j_items, &p));
        json_decref(j_items);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        json_t *j_body;
        char *s = fuzz_str(data, size);
        long day;
        long long epoch;

        if (s != NULL) {
                (void)pace_parse_day(s, &day);
                (void)pace_parse_time(s, &epoch);
                (void)slug_valid(s);
        }
        free(s);
        j_body = fuzz_json(data, size);
        if (json_is_object(j_body)) {
                fuzz_check_all(checks, j_body);
                fuzz_programme(j_body);
                fuzz_assessment(j_body);
        }
        json_decref(j_body);
        return 0;
}
