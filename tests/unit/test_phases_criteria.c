/*
 * test_phases_criteria.c - unit tests for criteria.c: what a valid exit rule
 * looks like and its normal form, how each rule type is judged on the
 * evidence (met, unmet with what is missing, unavailable when the evidence is
 * missing or of the wrong shape), and the problem a verdict becomes.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "phases.h"
#include "status.h"

#define PERSON "9b2c4d1e-0f3a-4b5c-8d6e-7f8091a2b3c4"

static json_t *
parse(const char *text)
{
        json_error_t err;
        json_t *j = json_loads(text, 0, &err);

        ck_assert_msg(j != NULL, "test JSON does not parse: %s", err.text);
        return j;
}

/* How many faults in @p name @field (and contain @message, when given). */
static int
faults_for(const struct problem *p, const char *field, const char *message)
{
        const json_t *j_err;
        size_t i;
        int n = 0;

        json_array_foreach(p->j_errors, i, j_err) {
                const char *f = json_string_value(json_object_get(j_err, "field"));
                const char *m = json_string_value(json_object_get(j_err, "message"));

                if (f != NULL && strcmp(f, field) == 0
                    && (message == NULL || (m != NULL && strstr(m, message) != NULL)))
                        n++;
        }
        return n;
}

/* Checks the rule in @text; returns the status and (on success) its normal form. */
static int
check(const char *text, struct problem *p, json_t **j_norm)
{
        json_t *j_rule = parse(text);
        int rc;

        *j_norm = NULL;
        rc = criteria_check_rule(j_rule, "criteria[0]", p, j_norm);
        json_decref(j_rule);
        return rc;
}

static void
expect_ok(const char *text, const char *service)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_norm = NULL;

        ck_assert_msg(check(text, &p, &j_norm) == ST_OK, "rule should be valid: %s", text);
        ck_assert_uint_eq(problem_field_count(&p), 0);
        ck_assert_str_eq(json_string_value(json_object_get(j_norm, "service")), service);
        ck_assert_str_eq(criteria_service(j_norm), service);
        json_decref(j_norm);
        problem_release(&p);
}

static void
expect_fault(const char *text, const char *field, const char *message)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_norm = NULL;

        ck_assert_msg(check(text, &p, &j_norm) == ST_INVALID, "rule should be refused: %s", text);
        ck_assert_ptr_null(j_norm);
        ck_assert_msg(faults_for(&p, field, message) == 1, "%s: expected a fault on %s (%s)",
                      text, field, message != NULL ? message : "");
        problem_release(&p);
}

START_TEST(test_every_type_valid)
{
        expect_ok("{\"type\": \"assessment_submitted\"}", "phases");
        expect_ok("{\"type\": \"assessment_submitted\", \"within_phase\": true}", "phases");
        expect_ok("{\"type\": \"workshops_attended\", \"min\": 2}", "phases");
        expect_ok("{\"type\": \"playbook_sections_drafted\", \"sections\": [\"purpose\","
                  " \"vision\"]}", "strategy");
        expect_ok("{\"type\": \"sessions_held\", \"min\": 6}", "mentoring");
        expect_ok("{\"type\": \"activity_rate\", \"min_per_week\": 1.5, \"weeks\": 4}",
                  "mentoring");
        expect_ok("{\"type\": \"activity_rate\", \"min_per_week\": 2, \"weeks\": 52}",
                  "mentoring");
        expect_ok("{\"type\": \"mentor_signoff\"}", "mentoring");
        expect_ok("{\"type\": \"integration_signed_off\", \"service\": \"strategy\"}", "strategy");
}
END_TEST

START_TEST(test_normal_form)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_norm = NULL;

        ck_assert_int_eq(check("{\"type\": \"assessment_submitted\"}", &p, &j_norm), ST_OK);
        ck_assert(json_is_false(json_object_get(j_norm, "within_phase")));
        json_decref(j_norm);
        ck_assert_int_eq(check("{\"type\": \"activity_rate\", \"min_per_week\": 2, \"weeks\": 3}",
                               &p, &j_norm), ST_OK);
        ck_assert(json_is_real(json_object_get(j_norm, "min_per_week")));
        ck_assert(json_real_value(json_object_get(j_norm, "min_per_week")) == 2.0);
        ck_assert_int_eq(criteria_weeks(j_norm), 3);
        json_decref(j_norm);
        ck_assert_int_eq(check("{\"type\": \"sessions_held\", \"min\": 1}", &p, &j_norm), ST_OK);
        ck_assert_int_eq(criteria_weeks(j_norm), 0);    /* names no window */
        json_decref(j_norm);
        problem_release(&p);
}
END_TEST

START_TEST(test_default_weeks)
{
        json_t *j_c = parse("[{\"type\": \"sessions_held\", \"min\": 1},"
                            " {\"type\": \"activity_rate\", \"min_per_week\": 1, \"weeks\": 8},"
                            " {\"type\": \"activity_rate\", \"min_per_week\": 1, \"weeks\": 2}]");

        ck_assert_int_eq(criteria_default_weeks(j_c), 8);   /* the first activity rule's */
        json_decref(j_c);
        j_c = parse("[{\"type\": \"mentor_signoff\"}]");
        ck_assert_int_eq(criteria_default_weeks(j_c), 4);
        json_decref(j_c);
}
END_TEST

START_TEST(test_bad_rules)
{
        expect_fault("{}", "criteria[0].type", "must be one of");
        expect_fault("{\"type\": \"vibes\"}", "criteria[0].type", "must be one of");
        expect_fault("{\"type\": 7}", "criteria[0].type", "must be one of");
        expect_fault("[1]", "criteria[0]", "must be an object");
        expect_fault("{\"type\": \"workshops_attended\"}", "criteria[0].min", "is required");
        expect_fault("{\"type\": \"workshops_attended\", \"min\": 0}", "criteria[0].min", NULL);
        expect_fault("{\"type\": \"workshops_attended\", \"min\": 101}", "criteria[0].min", NULL);
        expect_fault("{\"type\": \"workshops_attended\", \"min\": \"2\"}", "criteria[0].min",
                     "integer");
        expect_fault("{\"type\": \"sessions_held\", \"min\": 1001}", "criteria[0].min", NULL);
        expect_fault("{\"type\": \"mentor_signoff\", \"min\": 1}", "criteria[0].min",
                     "unknown field");
        expect_fault("{\"type\": \"assessment_submitted\", \"within_phase\": \"yes\"}",
                     "criteria[0].within_phase", NULL);
        expect_fault("{\"type\": \"sessions_held\", \"min\": 2, \"service\": \"phases\"}",
                     "criteria[0].service", "mentoring");
        expect_fault("{\"type\": \"sessions_held\", \"min\": 2, \"service\": \"elsewhere\"}",
                     "criteria[0].service", NULL);
}
END_TEST

START_TEST(test_bad_activity_rate)
{
        expect_fault("{\"type\": \"activity_rate\", \"weeks\": 4}", "criteria[0].min_per_week",
                     "is required");
        expect_fault("{\"type\": \"activity_rate\", \"min_per_week\": 0, \"weeks\": 4}",
                     "criteria[0].min_per_week", "above 0");
        expect_fault("{\"type\": \"activity_rate\", \"min_per_week\": -1.5, \"weeks\": 4}",
                     "criteria[0].min_per_week", "above 0");
        expect_fault("{\"type\": \"activity_rate\", \"min_per_week\": 100.5, \"weeks\": 4}",
                     "criteria[0].min_per_week", "at most 100");
        expect_fault("{\"type\": \"activity_rate\", \"min_per_week\": \"2\", \"weeks\": 4}",
                     "criteria[0].min_per_week", "number");
        expect_fault("{\"type\": \"activity_rate\", \"min_per_week\": 2}", "criteria[0].weeks",
                     "is required");
        expect_fault("{\"type\": \"activity_rate\", \"min_per_week\": 2, \"weeks\": 53}",
                     "criteria[0].weeks", NULL);
}
END_TEST

START_TEST(test_bad_sections)
{
        expect_fault("{\"type\": \"playbook_sections_drafted\"}", "criteria[0].sections",
                     "is required");
        expect_fault("{\"type\": \"playbook_sections_drafted\", \"sections\": []}",
                     "criteria[0].sections", NULL);
        expect_fault("{\"type\": \"playbook_sections_drafted\", \"sections\": [\"Purpose\"]}",
                     "criteria[0].sections[0]", "key");
        expect_fault("{\"type\": \"playbook_sections_drafted\", \"sections\": [\"a\", \"a\"]}",
                     "criteria[0].sections[1]", "twice");
}
END_TEST

START_TEST(test_every_fault_at_once)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_norm = NULL;

        ck_assert_int_eq(check("{\"type\": \"activity_rate\", \"min_per_week\": 0,"
                               " \"weeks\": 0, \"extra\": 1, \"service\": \"strategy\"}",
                               &p, &j_norm), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "criteria[0].min_per_week", NULL), 1);
        ck_assert_int_eq(faults_for(&p, "criteria[0].weeks", NULL), 1);
        ck_assert_int_eq(faults_for(&p, "criteria[0].extra", "unknown field"), 1);
        ck_assert_int_eq(faults_for(&p, "criteria[0].service", NULL), 1);
        problem_release(&p);
}
END_TEST

/* ---- judging ---------------------------------------------------------------------- */

static const struct local_evidence nothing = { 0, 0, 0 };

/* Judges the rule in @rule_text on @local and the remote answer @remote_text (NULL: none). */
static enum rule_verdict
judge(const char *rule_text, const struct local_evidence *local, const char *remote_text,
      json_t **j_result)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_norm = NULL, *j_remote = remote_text != NULL ? parse(remote_text) : NULL;
        struct rule_evidence ev = { local, j_remote, "the mentoring service did not answer" };
        enum rule_verdict rv = RULE_MET;

        ck_assert_int_eq(check(rule_text, &p, &j_norm), ST_OK);
        *j_result = criteria_judge(j_norm, &ev, &rv);
        ck_assert_ptr_nonnull(*j_result);
        ck_assert_ptr_nonnull(json_object_get(*j_result, "rule"));
        ck_assert_str_eq(json_string_value(json_object_get(*j_result, "status")),
                         rv == RULE_MET ? "met" : rv == RULE_UNMET ? "unmet" : "unavailable");
        json_decref(j_norm);
        json_decref(j_remote);
        problem_release(&p);
        return rv;
}

static const char *
detail(const json_t *j_result)
{
        return json_string_value(json_object_get(j_result, "detail"));
}

START_TEST(test_judge_local)
{
        struct local_evidence some = { 2, 0, 1 };
        json_t *j_r = NULL;

        ck_assert_int_eq(judge("{\"type\": \"assessment_submitted\"}", &nothing, NULL, &j_r),
                         RULE_UNMET);
        ck_assert_str_eq(detail(j_r), "no self-assessment submitted yet");
        json_decref(j_r);
        ck_assert_int_eq(judge("{\"type\": \"assessment_submitted\"}", &some, NULL, &j_r),
                         RULE_MET);
        json_decref(j_r);
        ck_assert_int_eq(judge("{\"type\": \"assessment_submitted\", \"within_phase\": true}",
                               &some, NULL, &j_r), RULE_UNMET);
        ck_assert_ptr_nonnull(strstr(detail(j_r), "since this phase began"));
        json_decref(j_r);
        ck_assert_int_eq(judge("{\"type\": \"workshops_attended\", \"min\": 2}", &some, NULL,
                               &j_r), RULE_UNMET);
        ck_assert_str_eq(detail(j_r), "attended 1 of the 2 workshops required");
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j_r, "evidence"),
                                                            "workshops_attended")), 1);
        json_decref(j_r);
        some.workshops_attended = 2;
        ck_assert_int_eq(judge("{\"type\": \"workshops_attended\", \"min\": 2}", &some, NULL,
                               &j_r), RULE_MET);
        json_decref(j_r);
}
END_TEST

#define MENTORING(sessions, rate, weeks, signed) \
        "{\"person_id\": \"" PERSON "\", \"sessions_held\": " sessions ", \"activity\":" \
        " {\"weeks\": " weeks ", \"completions\": 9, \"rate_per_week\": " rate "}," \
        " \"mentor_signoff\": {\"signed_off\": " signed ", \"signed_off_at\": null," \
        " \"mentor_id\": null}}"

START_TEST(test_judge_mentoring)
{
        json_t *j_r = NULL;

        ck_assert_int_eq(judge("{\"type\": \"sessions_held\", \"min\": 6}", &nothing,
                               MENTORING("4", "2.5", "4", "false"), &j_r), RULE_UNMET);
        ck_assert_str_eq(detail(j_r), "held 4 of the 6 sessions required");
        json_decref(j_r);
        ck_assert_int_eq(judge("{\"type\": \"sessions_held\", \"min\": 6}", &nothing,
                               MENTORING("6", "2.5", "4", "false"), &j_r), RULE_MET);
        json_decref(j_r);
        ck_assert_int_eq(judge("{\"type\": \"activity_rate\", \"min_per_week\": 2, \"weeks\": 4}",
                               &nothing, MENTORING("6", "1.75", "4", "false"), &j_r), RULE_UNMET);
        ck_assert_ptr_nonnull(strstr(detail(j_r), "1.75 activities a week"));
        json_decref(j_r);
        ck_assert_int_eq(judge("{\"type\": \"activity_rate\", \"min_per_week\": 2, \"weeks\": 4}",
                               &nothing, MENTORING("6", "2", "4", "false"), &j_r), RULE_MET);
        json_decref(j_r);
        ck_assert_int_eq(judge("{\"type\": \"mentor_signoff\"}", &nothing,
                               MENTORING("6", "2", "4", "false"), &j_r), RULE_UNMET);
        ck_assert_str_eq(detail(j_r), "the mentor has not signed off yet");
        json_decref(j_r);
        ck_assert_int_eq(judge("{\"type\": \"mentor_signoff\"}", &nothing,
                               MENTORING("6", "2", "4", "true"), &j_r), RULE_MET);
        json_decref(j_r);
}
END_TEST

START_TEST(test_judge_strategy)
{
        const char *drafted = "{\"person_id\": \"" PERSON "\", \"playbook_sections_drafted\":"
                              " [\"purpose\", \"themes\"], \"integration_signed_off\": false,"
                              " \"signed_off_at\": null}";
        json_t *j_r = NULL, *j_missing;

        ck_assert_int_eq(judge("{\"type\": \"playbook_sections_drafted\", \"sections\":"
                               " [\"purpose\", \"vision\", \"goals\"]}", &nothing, drafted, &j_r),
                         RULE_UNMET);
        ck_assert_str_eq(detail(j_r), "sections not drafted yet: vision, goals");
        j_missing = json_object_get(json_object_get(j_r, "evidence"), "missing");
        ck_assert_uint_eq(json_array_size(j_missing), 2);
        json_decref(j_r);
        ck_assert_int_eq(judge("{\"type\": \"playbook_sections_drafted\", \"sections\":"
                               " [\"themes\"]}", &nothing, drafted, &j_r), RULE_MET);
        json_decref(j_r);
        ck_assert_int_eq(judge("{\"type\": \"integration_signed_off\"}", &nothing, drafted, &j_r),
                         RULE_UNMET);
        ck_assert_str_eq(detail(j_r), "the integration is not signed off yet");
        json_decref(j_r);
        ck_assert_int_eq(judge("{\"type\": \"integration_signed_off\"}", &nothing,
                               "{\"integration_signed_off\": true, \"signed_off_at\":"
                               " \"2026-03-01T10:00:00Z\"}", &j_r), RULE_MET);
        json_decref(j_r);
}
END_TEST

START_TEST(test_judge_unavailable)
{
        json_t *j_r = NULL;

        /* no answer at all: never a silent pass */
        ck_assert_int_eq(judge("{\"type\": \"sessions_held\", \"min\": 1}", &nothing, NULL, &j_r),
                         RULE_UNAVAILABLE);
        ck_assert_str_eq(detail(j_r), "evidence unavailable: the mentoring service did not"
                         " answer");
        ck_assert(json_is_null(json_object_get(j_r, "evidence")));
        json_decref(j_r);
        /* answers of the wrong shape */
        ck_assert_int_eq(judge("{\"type\": \"sessions_held\", \"min\": 1}", &nothing,
                               "{\"sessions_held\": \"12\"}", &j_r), RULE_UNAVAILABLE);
        ck_assert_ptr_nonnull(strstr(detail(j_r), "without a valid sessions_held"));
        json_decref(j_r);
        ck_assert_int_eq(judge("{\"type\": \"sessions_held\", \"min\": 1}", &nothing,
                               "{\"sessions_held\": -1}", &j_r), RULE_UNAVAILABLE);
        json_decref(j_r);
        ck_assert_int_eq(judge("{\"type\": \"activity_rate\", \"min_per_week\": 1, \"weeks\": 8}",
                               &nothing, MENTORING("1", "3", "4", "true"), &j_r),
                         RULE_UNAVAILABLE);     /* answered for other weeks than asked */
        json_decref(j_r);
        ck_assert_int_eq(judge("{\"type\": \"mentor_signoff\"}", &nothing, "{\"mentor_signoff\":"
                               " {\"signed_off\": \"yes\"}}", &j_r), RULE_UNAVAILABLE);
        json_decref(j_r);
        ck_assert_int_eq(judge("{\"type\": \"playbook_sections_drafted\", \"sections\": [\"a\"]}",
                               &nothing, "{\"playbook_sections_drafted\": [1]}", &j_r),
                         RULE_UNAVAILABLE);
        json_decref(j_r);
        ck_assert_int_eq(judge("{\"type\": \"integration_signed_off\"}", &nothing, "{}", &j_r),
                         RULE_UNAVAILABLE);
        json_decref(j_r);
}
END_TEST

/* A verdict of three rules: met, unmet, and @third. */
static void
three(struct verdict *v, enum rule_verdict third)
{
        static const char *const texts[] = {
                "{\"rule\": {\"type\": \"assessment_submitted\"}, \"status\": \"met\","
                " \"detail\": \"ok\"}",
                "{\"rule\": {\"type\": \"workshops_attended\"}, \"status\": \"unmet\","
                " \"detail\": \"attended 1 of the 2 workshops required\"}",
                "{\"rule\": {\"type\": \"sessions_held\"}, \"status\": \"%s\","
                " \"detail\": \"evidence unavailable: down\"}",
        };
        char text[256];

        memset(v, 0, sizeof(*v));
        ck_assert_int_eq(verdict_add(v, parse(texts[0]), RULE_MET), ST_OK);
        ck_assert_int_eq(verdict_add(v, parse(texts[1]), RULE_UNMET), ST_OK);
        snprintf(text, sizeof(text), texts[2], third == RULE_MET ? "met" : third == RULE_UNMET
                 ? "unmet" : "unavailable");
        ck_assert_int_eq(verdict_add(v, parse(text), third), ST_OK);
}

START_TEST(test_verdict_problem)
{
        struct problem p = PROBLEM_INIT;
        struct verdict v;

        three(&v, RULE_UNAVAILABLE);
        ck_assert_int_eq(v.met + v.unmet + v.unavailable, 3);
        ck_assert_int_eq(verdict_problem(&v, "mentoring", &p), ST_UNAVAILABLE);
        ck_assert_str_eq(p.type, "evidence-unavailable");
        ck_assert_uint_eq(problem_field_count(&p), 1);     /* names the unavailable rule */
        ck_assert_int_eq(faults_for(&p, "criteria[2].sessions_held", "unavailable"), 1);
        verdict_release(&v);
        problem_release(&p);

        three(&v, RULE_UNMET);
        ck_assert_int_eq(verdict_problem(&v, "mentoring", &p), ST_CONFLICT);
        ck_assert_str_eq(p.type, "criteria-unmet");
        ck_assert_uint_eq(problem_field_count(&p), 2);
        ck_assert_int_eq(faults_for(&p, "criteria[1].workshops_attended", "1 of the 2"), 1);
        ck_assert_int_eq(faults_for(&p, "criteria[2].sessions_held", NULL), 1);
        ck_assert_ptr_nonnull(strstr(p.detail, "2 of the mentoring phase"));
        verdict_release(&v);
        problem_release(&p);

        memset(&v, 0, sizeof(v));
        ck_assert_int_eq(verdict_add(&v, parse("{\"status\": \"met\"}"), RULE_MET), ST_OK);
        ck_assert_int_eq(verdict_problem(&v, "research", &p), ST_OK);
        ck_assert_uint_eq(problem_field_count(&p), 0);
        verdict_release(&v);
        verdict_release(NULL);
        memset(&v, 0, sizeof(v));
        ck_assert_int_eq(verdict_problem(&v, "empty", &p), ST_OK);   /* no criteria: all met */
        problem_release(&p);
}
END_TEST

static Suite *
criteria_suite(void)
{
        Suite *s = suite_create("phases_criteria");
        TCase *tc_check = tcase_create("check");
        TCase *tc_judge = tcase_create("judge");

        tcase_add_test(tc_check, test_every_type_valid);
        tcase_add_test(tc_check, test_normal_form);
        tcase_add_test(tc_check, test_default_weeks);
        tcase_add_test(tc_check, test_bad_rules);
        tcase_add_test(tc_check, test_bad_activity_rate);
        tcase_add_test(tc_check, test_bad_sections);
        tcase_add_test(tc_check, test_every_fault_at_once);
        suite_add_tcase(s, tc_check);

        tcase_add_test(tc_judge, test_judge_local);
        tcase_add_test(tc_judge, test_judge_mentoring);
        tcase_add_test(tc_judge, test_judge_strategy);
        tcase_add_test(tc_judge, test_judge_unavailable);
        tcase_add_test(tc_judge, test_verdict_problem);
        suite_add_tcase(s, tc_judge);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(criteria_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
