/*
 * test_phases_json.c - unit tests for phases_json.c: programmes and their
 * phases (normal form, every fault at once, nested criteria named by path),
 * enrolments, target dates, transitions, workshops, questionnaires, and
 * assessments against their questionnaire.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "phases.h"
#include "status.h"

#define UUID_A "123e4567-e89b-12d3-a456-426614174000"
#define UUID_B "9b2c4d1e-0f3a-4b5c-8d6e-7f8091a2b3c4"

static json_t *
parse(const char *text)
{
        json_error_t err;
        json_t *j = json_loads(text, 0, &err);

        ck_assert_msg(j != NULL, "test JSON does not parse: %s (%s)", err.text, text);
        return j;
}

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

/* ---- programmes ------------------------------------------------------------------ */

#define PHASE(key, criteria) \
        "{\"key\": \"" key "\", \"name\": \"" key "\", \"guide_days\": 10, \"stall_days\": 5," \
        " \"criteria\": [" criteria "]}"

static int
check_programme(const char *text, struct problem *p, json_t **j_phases)
{
        json_t *j_body = parse(text);
        int rc;

        *j_phases = NULL;
        rc = programme_json_check(j_body, p, j_phases);
        json_decref(j_body);
        return rc;
}

START_TEST(test_programme_valid_and_normal)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_phases = NULL, *j_first, *j_second;

        ck_assert_int_eq(check_programme(
                "{\"name\": \"Pilot\", \"description\": null, \"phases\": ["
                PHASE("research", "{\"type\": \"assessment_submitted\"}") ", "
                "{\"position\": 2, \"key\": \"mentoring\", \"name\": \"Mentoring\","
                " \"description\": \"1:1\", \"guide_days\": 120, \"stall_days\": 30,"
                " \"criteria\": [{\"type\": \"sessions_held\", \"min\": 6},"
                " {\"type\": \"mentor_signoff\"}]}]}", &p, &j_phases), ST_OK);
        ck_assert_uint_eq(problem_field_count(&p), 0);
        ck_assert_uint_eq(json_array_size(j_phases), 2);
        j_first = json_array_get(j_phases, 0);
        j_second = json_array_get(j_phases, 1);
        ck_assert_int_eq(json_integer_value(json_object_get(j_first, "position")), 1);
        ck_assert_int_eq(json_integer_value(json_object_get(j_second, "position")), 2);
        ck_assert(json_is_null(json_object_get(j_first, "description")));
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(
                j_second, "criteria"), 1), "service")), "mentoring");
        ck_assert(json_is_false(json_object_get(json_array_get(json_object_get(
                j_first, "criteria"), 0), "within_phase")));
        json_decref(j_phases);

        /* a phase may have no exit criteria */
        ck_assert_int_eq(check_programme("{\"name\": \"Open\", \"phases\": [" PHASE("only", "")
                                         "]}", &p, &j_phases), ST_OK);
        json_decref(j_phases);
        problem_release(&p);
}
END_TEST

/* Two phases with the same non-string key: reported as a bad key, no printf of NULL. */
START_TEST(test_programme_duplicate_non_string_key)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_phases = NULL;

        ck_assert_int_eq(check_programme(
                "{\"name\": \"P\", \"phases\": ["
                "{\"key\": 5, \"name\": \"a\", \"guide_days\": 10, \"stall_days\": 5,"
                " \"criteria\": []},"
                "{\"key\": 5, \"name\": \"b\", \"guide_days\": 10, \"stall_days\": 5,"
                " \"criteria\": []}]}", &p, &j_phases), ST_INVALID);
        ck_assert_ptr_null(j_phases);
        ck_assert_int_eq(faults_for(&p, "phases[1]", "names two phases"), 0);
        ck_assert_int_ge(faults_for(&p, "phases[1].key", NULL), 1);
        problem_release(&p);

        /* a repeated string key: one error naming it */
        ck_assert_int_eq(check_programme(
                "{\"name\": \"P\", \"phases\": [" PHASE("a", "") ", " PHASE("a", "") ", "
                PHASE("a", "") "]}", &p, &j_phases), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "phases[2]", "key \"a\" names two phases"), 1);
        problem_release(&p);
}
END_TEST

START_TEST(test_programme_every_fault_at_once)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_phases = NULL;

        ck_assert_int_eq(check_programme(
                "{\"name\": \"\", \"colour\": \"red\", \"phases\": ["
                PHASE("research", "{\"type\": \"workshops_attended\"}") ", "
                "{\"position\": 7, \"key\": \"Research Phase\", \"name\": \"x\","
                " \"guide_days\": 0, \"stall_days\": 366, \"criteria\": [{\"type\": \"x\"}]},"
                PHASE("research", "") ", 5]}", &p, &j_phases), ST_INVALID);
        ck_assert_ptr_null(j_phases);
        ck_assert_int_eq(faults_for(&p, "name", NULL), 1);
        ck_assert_int_eq(faults_for(&p, "colour", "unknown field"), 1);
        ck_assert_int_eq(faults_for(&p, "phases[0].criteria[0].min", "is required"), 1);
        ck_assert_int_eq(faults_for(&p, "phases[1].key", "key"), 1);
        ck_assert_int_eq(faults_for(&p, "phases[1]", "position must be 2"), 1);
        ck_assert_int_eq(faults_for(&p, "phases[1].guide_days", NULL), 1);
        ck_assert_int_eq(faults_for(&p, "phases[1].stall_days", NULL), 1);
        ck_assert_int_eq(faults_for(&p, "phases[1].criteria[0].type", NULL), 1);
        ck_assert_int_eq(faults_for(&p, "phases[2]", "names two phases"), 1);
        ck_assert_int_eq(faults_for(&p, "phases[3]", "must be an object"), 1);
        problem_release(&p);
}
END_TEST

START_TEST(test_programme_phase_count)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_phases = NULL;
        char text[4096] = "{\"name\": \"Long\", \"phases\": [";
        size_t n = strlen(text);

        ck_assert_int_eq(check_programme("{\"name\": \"None\", \"phases\": []}", &p, &j_phases),
                         ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "phases", NULL), 1);
        problem_release(&p);
        ck_assert_int_eq(check_programme("{\"name\": \"Missing\"}", &p, &j_phases), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "phases", "is required"), 1);
        problem_release(&p);
        for (int i = 0; i < MAX_PHASES + 1; i++)
                n += (size_t)snprintf(text + n, sizeof(text) - n, "%s{\"key\": \"p%d\", \"name\":"
                                      " \"p\", \"guide_days\": 1, \"stall_days\": 1,"
                                      " \"criteria\": []}", i > 0 ? "," : "", i);
        snprintf(text + n, sizeof(text) - n, "]}");
        ck_assert_int_eq(check_programme(text, &p, &j_phases), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "phases", "at most 20"), 1);
        problem_release(&p);
}
END_TEST

START_TEST(test_slug)
{
        ck_assert(slug_valid("research"));
        ck_assert(slug_valid("phase-2_b"));
        ck_assert(slug_valid("2nd"));
        ck_assert(!slug_valid(""));
        ck_assert(!slug_valid(NULL));
        ck_assert(!slug_valid("Research"));
        ck_assert(!slug_valid("-lead"));
        ck_assert(!slug_valid("_lead"));
        ck_assert(!slug_valid("with space"));
        ck_assert(!slug_valid("caf\xc3\xa9"));
        ck_assert(slug_valid("a234567890123456789012345678901234567890"));
        ck_assert(!slug_valid("a2345678901234567890123456789012345678901"));
}
END_TEST

/* ---- enrolments, targets, transitions ----------------------------------------------- */

START_TEST(test_enrolment_create)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_body = parse("{\"person_id\": \"" UUID_A "\", \"programme_id\": \"" UUID_B "\"}");

        ck_assert_int_eq(enrolment_json_check_create(j_body, &p), ST_OK);
        json_decref(j_body);
        j_body = parse("{\"person_id\": \"nope\", \"extra\": 1}");
        ck_assert_int_eq(enrolment_json_check_create(j_body, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "person_id", "UUID"), 1);
        ck_assert_int_eq(faults_for(&p, "programme_id", "is required"), 1);
        ck_assert_int_eq(faults_for(&p, "extra", "unknown field"), 1);
        json_decref(j_body);
        problem_release(&p);
}
END_TEST

START_TEST(test_targets)
{
        struct problem p = PROBLEM_INIT;
        long today = 0;
        json_t *j_body;

        ck_assert_int_eq(pace_parse_day("2026-03-10", &today), ST_OK);
        j_body = parse("{\"targets\": {\"research\": \"2026-03-10\", \"workshops\": null},"
                       " \"reason\": \"my plan\"}");
        ck_assert_int_eq(targets_json_check(j_body, today, &p), ST_OK);
        json_decref(j_body);
        j_body = parse("{\"targets\": {\"research\": \"2026-03-10\"}, \"reason\": \"agreed\","
                       " \"agreed_with_partner\": true}");
        ck_assert_int_eq(targets_json_check(j_body, today, &p), ST_OK);
        json_decref(j_body);

        j_body = parse("{\"targets\": {\"research\": \"2026-03-09\", \"workshops\": \"2026-02-30\","
                       " \"playbook\": 20260401, \"Bad Key\": null, \"mentoring\": \"2026-3-1\"},"
                       " \"agreed_with_partner\": \"yes\"}");
        ck_assert_int_eq(targets_json_check(j_body, today, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "targets.research", "past"), 1);
        ck_assert_int_eq(faults_for(&p, "targets.workshops", "date"), 1);
        ck_assert_int_eq(faults_for(&p, "targets.playbook", "date"), 1);
        ck_assert_int_eq(faults_for(&p, "targets.Bad Key", "phase key"), 1);
        ck_assert_int_eq(faults_for(&p, "targets.mentoring", "date"), 1);
        ck_assert_int_eq(faults_for(&p, "reason", "is required"), 1);
        ck_assert_int_eq(faults_for(&p, "agreed_with_partner", NULL), 1);
        json_decref(j_body);
        problem_release(&p);

        j_body = parse("{\"targets\": {}, \"reason\": \"x\"}");
        ck_assert_int_eq(targets_json_check(j_body, today, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "targets", "names no phase"), 1);
        json_decref(j_body);
        problem_release(&p);
        j_body = parse("{\"targets\": [\"2026-04-01\"], \"reason\": \"\"}");
        ck_assert_int_eq(targets_json_check(j_body, today, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "targets", "object"), 1);
        ck_assert_int_eq(faults_for(&p, "reason", NULL), 1);
        json_decref(j_body);
        problem_release(&p);
}
END_TEST

START_TEST(test_transitions)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_body;

        ck_assert_int_eq(transition_json_check(NULL, false, &p), ST_OK);
        ck_assert_int_eq(transition_json_check(NULL, true, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "reason", "is required"), 1);
        problem_release(&p);
        j_body = parse("{\"reason\": \"busy season\"}");
        ck_assert_int_eq(transition_json_check(j_body, false, &p), ST_OK);
        ck_assert_int_eq(transition_json_check(j_body, true, &p), ST_OK);
        json_decref(j_body);
        j_body = parse("{}");
        ck_assert_int_eq(transition_json_check(j_body, false, &p), ST_OK);
        ck_assert_int_eq(transition_json_check(j_body, true, &p), ST_INVALID);
        json_decref(j_body);
        problem_release(&p);
        j_body = parse("{\"reason\": \"\", \"when\": \"now\"}");
        ck_assert_int_eq(transition_json_check(j_body, false, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "reason", "empty"), 1);
        ck_assert_int_eq(faults_for(&p, "when", "unknown field"), 1);
        json_decref(j_body);
        problem_release(&p);

        ck_assert_int_eq(advance_json_check(NULL, &p), ST_OK);
        j_body = parse("{\"override_reason\": \"attended an equivalent course\"}");
        ck_assert_int_eq(advance_json_check(j_body, &p), ST_OK);
        json_decref(j_body);
        j_body = parse("{\"override_reason\": 1, \"force\": true}");
        ck_assert_int_eq(advance_json_check(j_body, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "override_reason", NULL), 1);
        ck_assert_int_eq(faults_for(&p, "force", "unknown field"), 1);
        json_decref(j_body);
        problem_release(&p);
}
END_TEST

/* ---- workshops ---------------------------------------------------------------------- */

START_TEST(test_workshops)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_body = parse("{\"title\": \"LinkedIn basics\", \"platform\": \"linkedin\","
                               " \"skills\": [\"profile\", \"posting\"],"
                               " \"held_at\": \"2026-01-10T10:00:00Z\"}");

        ck_assert_int_eq(workshop_json_check(j_body, &p), ST_OK);
        json_decref(j_body);
        j_body = parse("{\"title\": \"\", \"platform\": \"Linked In\", \"skills\": [\"a\", \"a\","
                       " \"B\"], \"held_at\": \"yesterday\", \"room\": 4}");
        ck_assert_int_eq(workshop_json_check(j_body, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "title", NULL), 1);
        ck_assert_int_eq(faults_for(&p, "platform", "key"), 1);
        ck_assert_int_eq(faults_for(&p, "skills[1]", "twice"), 1);
        ck_assert_int_eq(faults_for(&p, "skills[2]", "key"), 1);
        ck_assert_int_eq(faults_for(&p, "held_at", "RFC 3339"), 1);
        ck_assert_int_eq(faults_for(&p, "room", "unknown field"), 1);
        json_decref(j_body);
        problem_release(&p);

        j_body = parse("{\"title\": \"Old\", \"platform\": \"x\","
                       " \"held_at\": \"0000-01-01T00:00:00Z\"}");
        ck_assert_int_eq(workshop_json_check(j_body, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "held_at", "between 1970 and 9999"), 1);
        json_decref(j_body);
        problem_release(&p);

        j_body = parse("{\"person_id\": \"" UUID_A "\"}");
        ck_assert_int_eq(attendance_json_check(j_body, &p), ST_OK);
        json_decref(j_body);
        j_body = parse("{\"person\": \"" UUID_A "\"}");
        ck_assert_int_eq(attendance_json_check(j_body, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "person_id", "is required"), 1);
        ck_assert_int_eq(faults_for(&p, "person", "unknown field"), 1);
        json_decref(j_body);
        problem_release(&p);
}
END_TEST

/* ---- questionnaires and assessments ------------------------------------------------------- */

START_TEST(test_templates)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_body = parse("{\"name\": \"Q\", \"items\": [{\"platform\": \"x\", \"skill\":"
                               " \"posting\", \"prompt\": \"How sure?\"}, {\"platform\": \"x\","
                               " \"skill\": \"engaging\"}]}");

        ck_assert_int_eq(template_json_check(j_body, &p), ST_OK);
        json_decref(j_body);
        j_body = parse("{\"name\": \"Q\", \"items\": [{\"platform\": \"x\","
                       " \"skill\": \"posting\"}, {\"platform\": \"x\", \"skill\": \"posting\"},"
                       " {\"platform\": \"X\"}, 3]}");
        ck_assert_int_eq(template_json_check(j_body, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "items[1]", "repeats"), 1);
        ck_assert_int_eq(faults_for(&p, "items[2].platform", "key"), 1);
        ck_assert_int_eq(faults_for(&p, "items[2].skill", "is required"), 1);
        ck_assert_int_eq(faults_for(&p, "items[3]", "object"), 1);
        json_decref(j_body);
        problem_release(&p);
        j_body = parse("{\"name\": \"Q\", \"items\": []}");
        ck_assert_int_eq(template_json_check(j_body, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "items", NULL), 1);
        json_decref(j_body);
        problem_release(&p);
}
END_TEST

#define ANSWER(platform, skill, conf, cap) \
        "{\"platform\": \"" platform "\", \"skill\": \"" skill "\", \"confidence\": " conf \
        ", \"capability\": " cap "}"

START_TEST(test_assessment_shape)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_body = parse("{\"person_id\": \"" UUID_A "\", \"template_id\": \"" UUID_B "\","
                               " \"kind\": \"self\", \"answers\": ["
                               ANSWER("x", "posting", "1", "5") "]}");

        ck_assert_int_eq(assessment_json_check(j_body, &p), ST_OK);
        json_decref(j_body);
        j_body = parse("{\"person_id\": \"" UUID_A "\", \"template_id\": \"" UUID_B "\","
                       " \"kind\": \"peer\", \"answers\": [" ANSWER("x", "posting", "0", "6") ","
                       " {\"platform\": \"x\", \"skill\": \"engaging\", \"confidence\": 3},"
                       ANSWER("x", "posting", "2", "2") "]}");
        ck_assert_int_eq(assessment_json_check(j_body, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "kind", NULL), 1);
        ck_assert_int_eq(faults_for(&p, "answers[0].confidence", "from 1 to 5"), 1);
        ck_assert_int_eq(faults_for(&p, "answers[0].capability", "from 1 to 5"), 1);
        ck_assert_int_eq(faults_for(&p, "answers[1].capability", "is required"), 1);
        json_decref(j_body);
        problem_release(&p);
        j_body = parse("{\"person_id\": \"" UUID_A "\", \"template_id\": \"" UUID_B "\","
                       " \"kind\": \"self\", \"answers\": [" ANSWER("x", "posting", "2", "2") ","
                       ANSWER("x", "posting", "3", "3") "]}");
        ck_assert_int_eq(assessment_json_check(j_body, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "answers[1]", "repeats"), 1);
        json_decref(j_body);
        problem_release(&p);
}
END_TEST

START_TEST(test_assessment_match)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_items = parse("[{\"platform\": \"x\", \"skill\": \"posting\"},"
                                " {\"platform\": \"x\", \"skill\": \"engaging\"},"
                                " {\"platform\": \"blog\", \"skill\": \"posting\"}]");
        json_t *j_all = parse("[" ANSWER("blog", "posting", "1", "1") ","
                              ANSWER("x", "posting", "2", "2") ","
                              ANSWER("x", "engaging", "3", "3") "]");
        json_t *j_some = parse("[" ANSWER("x", "posting", "2", "2") ","
                               ANSWER("linkedin", "posting", "3", "3") "]");

        ck_assert_int_eq(assessment_json_match(j_all, j_items, &p), ST_OK);
        ck_assert_int_eq(assessment_json_match(j_some, j_items, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "answers[1]", "not an item of this template"), 1);
        ck_assert_int_eq(faults_for(&p, "answers", "x / engaging is not answered"), 1);
        ck_assert_int_eq(faults_for(&p, "answers", "blog / posting is not answered"), 1);
        json_decref(j_items);
        json_decref(j_all);
        json_decref(j_some);
        problem_release(&p);
}
END_TEST

static Suite *
phases_json_suite(void)
{
        Suite *s = suite_create("phases_json");
        TCase *tc_prog = tcase_create("programmes");
        TCase *tc_enrol = tcase_create("enrolments");
        TCase *tc_other = tcase_create("workshops_assessments");

        tcase_add_test(tc_prog, test_programme_valid_and_normal);
        tcase_add_test(tc_prog, test_programme_every_fault_at_once);
        tcase_add_test(tc_prog, test_programme_duplicate_non_string_key);
        tcase_add_test(tc_prog, test_programme_phase_count);
        tcase_add_test(tc_prog, test_slug);
        suite_add_tcase(s, tc_prog);

        tcase_add_test(tc_enrol, test_enrolment_create);
        tcase_add_test(tc_enrol, test_targets);
        tcase_add_test(tc_enrol, test_transitions);
        suite_add_tcase(s, tc_enrol);

        tcase_add_test(tc_other, test_workshops);
        tcase_add_test(tc_other, test_templates);
        tcase_add_test(tc_other, test_assessment_shape);
        tcase_add_test(tc_other, test_assessment_match);
        suite_add_tcase(s, tc_other);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(phases_json_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
