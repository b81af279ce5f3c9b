/*
 * test_strategy_json.c - unit tests for strategy_json.c: what a valid
 * playbook, section status, comment, business strategy version, integration
 * and review decision look like, and that every fault is reported at once,
 * named by its field.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "status.h"
#include "strategy.h"

#define PROGRAMME "123e4567-e89b-12d3-a456-426614174000"

static json_t *
parse(const char *text)
{
        json_error_t err;
        json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &err);

        ck_assert_msg(j != NULL, "fixture is not JSON: %s", err.text);
        return j;
}

/* True when @p names @field with a message containing @message. */
static bool
names(const struct problem *p, const char *field, const char *message)
{
        json_t *j_err;
        size_t i;

        json_array_foreach(p->j_errors, i, j_err) {
                const char *f = json_string_value(json_object_get(j_err, "field"));
                const char *m = json_string_value(json_object_get(j_err, "message"));

                if (strcmp(f, field) == 0 && strstr(m, message) != NULL)
                        return true;
        }
        return false;
}

#define ck_names(p, field, message) \
        ck_assert_msg(names(p, field, message), "no fault \"%s\" on %s (faults: %s)", message, \
                      field, dump(p))

/* The faults as one string, for failure messages (a static buffer: tests fork). */
static const char *
dump(const struct problem *p)
{
        static char buf[2048];
        char *text = p->j_errors != NULL ? json_dumps(p->j_errors, JSON_COMPACT) : NULL;

        snprintf(buf, sizeof(buf), "%s", text != NULL ? text : "none");
        free(text);
        return buf;
}

typedef int (*check_fn)(const json_t *, struct problem *);

/* Checks @text with @fn; the faults stay in @p. */
static int
check_text(check_fn fn, const char *text, struct problem *p)
{
        json_t *j = parse(text);
        int rc = fn(j, p);

        json_decref(j);
        return rc;
}

static void
expect_ok(check_fn fn, const char *text)
{
        struct problem p = PROBLEM_INIT;
        int rc = check_text(fn, text, &p);

        ck_assert_msg(rc == ST_OK, "%s refused: %s", text, dump(&p));
        problem_release(&p);
}

/* ---- playbooks -------------------------------------------------------------------- */

static const char full_playbook[] =
        "{\"programme_id\": \"" PROGRAMME "\","
        " \"purpose\": \"Share what audit taught me about trust\","
        " \"vision\": \"The voice clients look for on assurance\","
        " \"audiences\": [{\"name\": \"CFOs\", \"description\": \"mid-market\"},"
        "                {\"name\": \"Boards\"}],"
        " \"themes\": [{\"name\": \"Trust in numbers\", \"description\": \"why audit matters\","
        "               \"keywords\": [\"audit\", \"trust\"],"
        "               \"pillars\": [\"Trusted Technology\"]},"
        "              {\"name\": \"Family\"}],"
        " \"platforms\": [{\"name\": \"LinkedIn\", \"purpose\": \"long form\"}],"
        " \"cadence\": {\"posts_per_week\": 3, \"notes\": \"Tuesdays\"},"
        " \"goals\": [{\"description\": \"Grow followers\", \"metric\": \"followers\","
        "              \"target\": 500, \"by\": \"2026-12-31\"}],"
        " \"voice\": \"Plain and warm\", \"boundaries\": [\"politics\", \"clients\"]}";

START_TEST(test_playbook_create_full_and_minimal)
{
        expect_ok(playbook_json_check_create, full_playbook);
        expect_ok(playbook_json_check_create, "{\"programme_id\": \"" PROGRAMME "\"}");
        expect_ok(playbook_json_check_create, "{\"programme_id\": \"" PROGRAMME "\","
                  " \"purpose\": null, \"themes\": null, \"cadence\": null}");
}
END_TEST

START_TEST(test_playbook_create_every_fault_at_once)
{
        struct problem p = PROBLEM_INIT;
        int rc = check_text(playbook_json_check_create,
                            "{\"purpose\": \"\", \"vision\": 3, \"audiences\": [],"
                            " \"themes\": {}, \"platforms\": [\"LinkedIn\"],"
                            " \"cadence\": {\"posts_per_week\": 101, \"extra\": 1},"
                            " \"goals\": [{\"description\": \"x\"}], \"voice\": [\"a\"],"
                            " \"boundaries\": [\"\"], \"mood\": \"happy\"}", &p);

        ck_assert_int_eq(rc, ST_INVALID);
        ck_names(&p, "programme_id", "is required");
        ck_names(&p, "purpose", "must not be empty");
        ck_names(&p, "vision", "must be a string");
        ck_names(&p, "audiences", "at least 1");
        ck_names(&p, "themes", "must be an array");
        ck_names(&p, "platforms[0]", "must be an object");
        ck_names(&p, "cadence.posts_per_week", "from 0 to 100");
        ck_names(&p, "cadence.extra", "unknown field");
        ck_names(&p, "goals[0].metric", "is required");
        ck_names(&p, "goals[0].target", "is required");
        ck_names(&p, "voice", "must be a string");
        ck_names(&p, "boundaries", "item 0");
        ck_names(&p, "mood", "unknown field");
        problem_release(&p);
}
END_TEST

START_TEST(test_playbook_limits)
{
        struct problem p = PROBLEM_INIT;
        char *long_text = malloc(4002);
        json_t *j = parse("{\"programme_id\": \"" PROGRAMME "\"}");
        json_t *j_themes = json_array();

        memset(long_text, 'a', 4001);
        long_text[4001] = '\0';
        json_object_set_new(j, "purpose", json_string(long_text));
        for (int i = 0; i < 13; i++)
                json_array_append_new(j_themes, json_pack("{s:s}", "name", "a theme"));
        json_object_set_new(j, "themes", j_themes);
        ck_assert_int_eq(playbook_json_check_create(j, &p), ST_INVALID);
        ck_names(&p, "purpose", "at most 4000");
        ck_names(&p, "themes", "at most 12");
        json_decref(j);
        free(long_text);
        problem_release(&p);
}
END_TEST

START_TEST(test_playbook_theme_names_unique_normalised)
{
        struct problem p = PROBLEM_INIT;
        int rc = check_text(playbook_json_check_patch,
                            "{\"themes\": [{\"name\": \"AI Boards\"}, {\"name\": \"ai-board\"},"
                            "              {\"name\": \"!!!\"}],"
                            " \"platforms\": [{\"name\": \"LinkedIn\"}, {\"name\": \"linkedin\"}],"
                            " \"audiences\": [{\"name\": \"CFO\"}, {\"name\": \"CFOs\"}]}", &p);

        ck_assert_int_eq(rc, ST_INVALID);
        ck_names(&p, "themes[1].name", "repeats an earlier name");
        ck_names(&p, "themes[2].name", "letter or a digit");
        ck_names(&p, "platforms[1].name", "repeats");
        ck_names(&p, "audiences[1].name", "repeats");
        ck_assert_uint_eq(problem_field_count(&p), 4);
        problem_release(&p);
}
END_TEST

START_TEST(test_playbook_theme_pillars)
{
        struct problem p = PROBLEM_INIT;
        int rc = check_text(playbook_json_check_patch,
                            "{\"themes\": [{\"name\": \"T\", \"pillars\": [\"People\", \"people\"],"
                            "               \"keywords\": [\"a\", \"a\"]}]}", &p);

        ck_assert_int_eq(rc, ST_INVALID);
        ck_names(&p, "themes[0].pillars[1]", "repeats");
        ck_assert_uint_eq(problem_field_count(&p), 1);   /* repeated keywords are fine */
        problem_release(&p);
}
END_TEST

START_TEST(test_playbook_goal_fields)
{
        struct problem p = PROBLEM_INIT;
        int rc = check_text(playbook_json_check_patch,
                            "{\"goals\": [{\"description\": \"d\", \"metric\": \"m\","
                            "              \"target\": -1, \"by\": \"2026-02-30\"},"
                            "             {\"description\": \"d\", \"metric\": \"m\","
                            "              \"target\": 1.5}]}", &p);

        ck_assert_int_eq(rc, ST_INVALID);
        ck_names(&p, "goals[0].target", "from 0 to");
        ck_names(&p, "goals[0].by", "must be a date");
        ck_names(&p, "goals[1].target", "must be an integer");
        problem_release(&p);
}
END_TEST

START_TEST(test_playbook_patch)
{
        struct problem p = PROBLEM_INIT;

        expect_ok(playbook_json_check_patch, "{\"voice\": \"Plain\"}");
        expect_ok(playbook_json_check_patch, "{\"voice\": null, \"themes\": null}");
        ck_assert_int_eq(check_text(playbook_json_check_patch, "{}", &p), ST_INVALID);
        ck_names(&p, "body", "names no section");
        problem_release(&p);
        ck_assert_int_eq(check_text(playbook_json_check_patch,
                                    "{\"programme_id\": \"" PROGRAMME "\"}", &p), ST_INVALID);
        ck_names(&p, "programme_id", "unknown field");
        problem_release(&p);
}
END_TEST

START_TEST(test_section_status_body)
{
        struct problem p = PROBLEM_INIT;

        expect_ok(playbook_json_check_status, "{\"status\": \"ready_for_review\"}");
        expect_ok(playbook_json_check_status, "{\"status\": \"reviewed\"}");
        expect_ok(playbook_json_check_status, "{\"status\": \"draft\"}");
        ck_assert_int_eq(check_text(playbook_json_check_status, "{\"status\": \"empty\"}", &p),
                         ST_INVALID);
        ck_names(&p, "status", "allowed values");
        problem_release(&p);
        ck_assert_int_eq(check_text(playbook_json_check_status, "{}", &p), ST_INVALID);
        ck_names(&p, "status", "is required");
        problem_release(&p);
}
END_TEST

START_TEST(test_comment_body)
{
        struct problem p = PROBLEM_INIT;

        expect_ok(comment_json_check, "{\"section\": \"themes\", \"body\": \"Nice\"}");
        ck_assert_int_eq(check_text(comment_json_check, "{\"section\": \"mood\", \"body\": \"\"}",
                                    &p), ST_INVALID);
        ck_names(&p, "section", "allowed values");
        ck_names(&p, "body", "must not be empty");
        problem_release(&p);
}
END_TEST

/* ---- the business strategy ------------------------------------------------------------- */

static const char full_strategy[] =
        "{\"title\": \"FY27 social strategy\","
        " \"pillars\": [{\"name\": \"Trusted Technology\", \"description\": \"d\","
        "                \"keywords\": [\"ai\", \"data\"]},"
        "               {\"name\": \"People First\", \"keywords\": [\"culture\"]}],"
        " \"channels\": [{\"name\": \"LinkedIn\", \"handle\": \"@acme\", \"purpose\": \"p\"}],"
        " \"policies\": {\"off_limits_topics\": [\"litigation\"], \"off_limits_terms\": [\"tax\"],"
        "                \"disclosure_rules\": [\"say so\"]},"
        " \"kpis\": [{\"name\": \"Reach\", \"target\": 100000, \"unit\": \"people\"}]}";

START_TEST(test_business_create)
{
        expect_ok(business_json_check_create, full_strategy);
        expect_ok(business_json_check_create,
                  "{\"title\": \"t\", \"pillars\": [{\"name\": \"P\", \"keywords\": [\"k\"]}]}");
}
END_TEST

START_TEST(test_business_create_faults)
{
        struct problem p = PROBLEM_INIT;
        int rc = check_text(business_json_check_create,
                            "{\"pillars\": [{\"name\": \"People\", \"keywords\": []},"
                            "               {\"name\": \"people!\", \"keywords\": [\"k\"]}, 4],"
                            " \"channels\": [{\"handle\": \"@x\"}],"
                            " \"policies\": {\"off_limits_terms\": \"tax\", \"other\": []},"
                            " \"kpis\": [{\"name\": \"k\", \"target\": \"big\"}]}", &p);

        ck_assert_int_eq(rc, ST_INVALID);
        ck_names(&p, "title", "is required");
        ck_names(&p, "pillars[0].keywords", "at least 1");
        ck_names(&p, "pillars[1].name", "repeats");
        ck_names(&p, "pillars[2]", "must be an object");
        ck_names(&p, "channels[0].name", "is required");
        ck_names(&p, "policies.off_limits_terms", "must be an array");
        ck_names(&p, "policies.other", "unknown field");
        ck_names(&p, "kpis[0].target", "must be an integer");
        problem_release(&p);
}
END_TEST

START_TEST(test_business_needs_a_pillar)
{
        struct problem p = PROBLEM_INIT;

        ck_assert_int_eq(check_text(business_json_check_create,
                                    "{\"title\": \"t\", \"pillars\": []}", &p), ST_INVALID);
        ck_names(&p, "pillars", "at least 1");
        problem_release(&p);
}
END_TEST

START_TEST(test_business_patch)
{
        struct problem p = PROBLEM_INIT;

        expect_ok(business_json_check_patch, "{\"title\": \"New title\"}");
        expect_ok(business_json_check_patch, "{\"kpis\": []}");
        ck_assert_int_eq(check_text(business_json_check_patch, "{}", &p), ST_INVALID);
        ck_names(&p, "body", "names nothing");
        problem_release(&p);
        ck_assert_int_eq(check_text(business_json_check_patch,
                                    "{\"title\": null, \"pillars\": null}", &p), ST_INVALID);
        ck_names(&p, "title", "must not be null");
        ck_names(&p, "pillars", "must not be null");
        problem_release(&p);
}
END_TEST

START_TEST(test_pillar_keys)
{
        json_t *j_pillars = parse("[{\"name\": \"Trusted-Technologies\"}, {\"name\": \"People\"}]");
        json_t *j_keys = business_pillar_keys(j_pillars);

        ck_assert_uint_eq(json_array_size(j_keys), 2);
        ck_assert_str_eq(json_string_value(json_array_get(j_keys, 0)), "trusted technology");
        ck_assert_str_eq(json_string_value(json_array_get(j_keys, 1)), "people");
        json_decref(j_keys);
        json_decref(j_pillars);
}
END_TEST

/* ---- integrations ------------------------------------------------------------------------ */

START_TEST(test_integration_create)
{
        struct problem p = PROBLEM_INIT;

        expect_ok(integration_json_check_create, "{\"playbook_id\": \"" PROGRAMME "\"}");
        ck_assert_int_eq(check_text(integration_json_check_create,
                                    "{\"playbook_id\": \"nope\", \"x\": 1}", &p), ST_INVALID);
        ck_names(&p, "playbook_id", "must be a UUID");
        ck_names(&p, "x", "unknown field");
        problem_release(&p);
}
END_TEST

START_TEST(test_integration_decision)
{
        struct problem p = PROBLEM_INIT;

        expect_ok(integration_json_check_decision, "{\"status\": \"signed_off\"}");
        expect_ok(integration_json_check_decision,
                  "{\"status\": \"signed_off\", \"comment\": \"Welcome aboard\"}");
        expect_ok(integration_json_check_decision,
                  "{\"status\": \"returned\", \"comment\": \"Drop the tax theme\"}");
        ck_assert_int_eq(check_text(integration_json_check_decision,
                                    "{\"status\": \"returned\"}", &p), ST_INVALID);
        ck_names(&p, "comment", "is required when returning");
        problem_release(&p);
        ck_assert_int_eq(check_text(integration_json_check_decision,
                                    "{\"status\": \"pending_review\", \"comment\": \"\"}", &p),
                         ST_INVALID);
        ck_names(&p, "status", "allowed values");
        ck_names(&p, "comment", "must not be empty");
        problem_release(&p);
}
END_TEST

static Suite *
json_suite(void)
{
        Suite *s = suite_create("strategy_json");
        TCase *tc_pb = tcase_create("playbooks");
        TCase *tc_biz = tcase_create("business strategy");
        TCase *tc_int = tcase_create("integrations");

        tcase_add_test(tc_pb, test_playbook_create_full_and_minimal);
        tcase_add_test(tc_pb, test_playbook_create_every_fault_at_once);
        tcase_add_test(tc_pb, test_playbook_limits);
        tcase_add_test(tc_pb, test_playbook_theme_names_unique_normalised);
        tcase_add_test(tc_pb, test_playbook_theme_pillars);
        tcase_add_test(tc_pb, test_playbook_goal_fields);
        tcase_add_test(tc_pb, test_playbook_patch);
        tcase_add_test(tc_pb, test_section_status_body);
        tcase_add_test(tc_pb, test_comment_body);
        suite_add_tcase(s, tc_pb);

        tcase_add_test(tc_biz, test_business_create);
        tcase_add_test(tc_biz, test_business_create_faults);
        tcase_add_test(tc_biz, test_business_needs_a_pillar);
        tcase_add_test(tc_biz, test_business_patch);
        tcase_add_test(tc_biz, test_pillar_keys);
        suite_add_tcase(s, tc_biz);

        tcase_add_test(tc_int, test_integration_create);
        tcase_add_test(tc_int, test_integration_decision);
        suite_add_tcase(s, tc_int);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(json_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
