/*
 * test_jsonbody.c - unit tests for jsonbody.c: a body that jansson refuses for
 * one value, or that holds \u0000, gets a field error naming the member and
 * the fault; broken JSON stays a malformed body; a good body parses.
 */
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "jsonbody.h"
#include "problem.h"
#include "status.h"

/* Parses @text and expects @st with one error on @field mentioning @fault. */
static void
expect_fault(int st, const char *text, const char *field, const char *fault)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_out = NULL;
        const json_t *j_err;

        ck_assert_int_eq(json_body_parse(text, strlen(text), &j_out, &p), st);
        ck_assert_ptr_null(j_out);
        ck_assert_int_eq(p.st, st);
        ck_assert_uint_eq(problem_field_count(&p), 1);
        j_err = json_array_get(p.j_errors, 0);
        ck_assert_str_eq(json_string_value(json_object_get(j_err, "field")), field);
        ck_assert_msg(strstr(json_string_value(json_object_get(j_err, "message")), fault) != NULL,
                      "%s: message '%s' lacks '%s'", text,
                      json_string_value(json_object_get(j_err, "message")), fault);
        if (st == ST_MALFORMED)   /* the detail names the member too */
                ck_assert_ptr_nonnull(strstr(p.detail, field));
        else
                ck_assert_ptr_null(strstr(p.detail, "not valid JSON"));
        problem_release(&p);
}

static void
expect_field(const char *text, const char *field, const char *fault)
{
        expect_fault(ST_INVALID, text, field, fault);
}

START_TEST(test_nul_in_string)
{
        expect_field("{\"title\":\"a\\u0000b\"}", "title", "\\u0000");
        expect_field("{\"a\":1,\"profile\":{\"names\":[\"x\",\"\\u0000\"]}}",
                     "profile.names[1]", "\\u0000");
        expect_field("[\"\\u0000\"]", "[0]", "\\u0000");
}
END_TEST

START_TEST(test_nul_everywhere_counted)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_out = NULL;
        const char *text = "{\"a\":\"\\u0000\",\"b\":\"ok\",\"c\":[\"\\u0000\",\"\\u0000\"]}";

        ck_assert_int_eq(json_body_parse(text, strlen(text), &j_out, &p), ST_INVALID);
        ck_assert_uint_eq(problem_field_count(&p), 3);
        problem_release(&p);
}
END_TEST

START_TEST(test_nul_in_key)
{
        expect_field("{\"profile\":{\"na\\u0000me\":1}}", "profile.na\\u0000me", "member name");
}
END_TEST

START_TEST(test_lone_surrogate)
{
        expect_field("{\"display_name\":\"Ann \\ud800\"}", "display_name", "surrogate");
        expect_field("{\"x\":{\"y\":[1,2,\"\\udc00\"]}}", "x.y[2]", "surrogate");
        expect_field("{\"a\":[{\"b\":\"\\ud83d\\ude00\"},{\"c\":\"\\ud800x\"}]}", "a[1].c",
                     "surrogate");
}
END_TEST

START_TEST(test_integer_beyond_64_bits)
{
        expect_field("{\"mentor_capacity\":18446744073709551616}", "mentor_capacity", "64 bits");
        expect_field("{\"a\":{\"n\":-99999999999999999999}}", "a.n", "64 bits");
        expect_field("{\"a\":[9223372036854775808, 1]}", "a[0]", "64 bits");
        expect_field("{\"r\":1e999}", "r", "too large");
}
END_TEST

START_TEST(test_duplicate_member_and_bad_utf8)
{
        /* broken JSON (for this API), but the member is named */
        expect_fault(ST_MALFORMED, "{\"a\":{\"b\":1,\"b\":2}}", "a.b", "twice");
        expect_fault(ST_MALFORMED, "{\"a\":1,\"name\":\"x\xff\"}", "name", "UTF-8");
}
END_TEST

START_TEST(test_broken_json_is_malformed)
{
        static const char *const texts[] = {
                "{", "{\"a\":}", "{\"a\":1,}", "nul", "{\"a\":\"\\x\"}", "[1 2]", "{\"a\":1}x",
        };

        for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
                struct problem p = PROBLEM_INIT;
                json_t *j_out = NULL;

                ck_assert_int_eq(json_body_parse(texts[i], strlen(texts[i]), &j_out, &p),
                                 ST_MALFORMED);
                ck_assert_ptr_nonnull(strstr(p.detail, "not valid JSON"));
                ck_assert_uint_eq(problem_field_count(&p), 0);
                problem_release(&p);
        }
}
END_TEST

START_TEST(test_good_body)
{
        const char *text = "{\"a\":\"\\ud83d\\ude00\",\"n\":9223372036854775807,\"m\":-1}";
        struct problem p = PROBLEM_INIT;
        json_t *j_out = NULL;

        ck_assert_int_eq(json_body_parse(text, strlen(text), &j_out, &p), ST_OK);
        ck_assert_int_eq(json_integer_value(json_object_get(j_out, "n")), INT64_MAX);
        json_decref(j_out);
        problem_release(&p);
}
END_TEST

START_TEST(test_path_at)
{
        const char *t = "{\"a\":{\"b\":[10,{\"c\":\"xy";
        char path[64];

        json_body_path_at(t, strlen(t), strlen(t), path, sizeof(path));
        ck_assert_str_eq(path, "a.b[1].c");
        json_body_path_at(t, strlen(t), 0, path, sizeof(path));
        ck_assert_str_eq(path, "");
        json_body_path_at(t, strlen(t), 13, path, sizeof(path));   /* at the 10 */
        ck_assert_str_eq(path, "a.b[0]");
        json_body_path_at(t, strlen(t), strlen(t), path, 4);        /* truncated */
        ck_assert_str_eq(path, "a.b");
}
END_TEST

static Suite *
jsonbody_suite(void)
{
        Suite *s = suite_create("jsonbody");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_nul_in_string);
        tcase_add_test(tc, test_nul_everywhere_counted);
        tcase_add_test(tc, test_nul_in_key);
        tcase_add_test(tc, test_lone_surrogate);
        tcase_add_test(tc, test_integer_beyond_64_bits);
        tcase_add_test(tc, test_duplicate_member_and_bad_utf8);
        tcase_add_test(tc, test_broken_json_is_malformed);
        tcase_add_test(tc, test_good_body);
        tcase_add_test(tc, test_path_at);
        suite_add_tcase(s, tc);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(jsonbody_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? 0 : 1;
}
