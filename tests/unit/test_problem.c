/*
 * test_problem.c - unit tests for status.c and problem.c: the one mapping
 * from status codes to HTTP status, title and type slug, and the problem+json
 * body built from accumulated field errors.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "problem.h"
#include "status.h"

struct st_case {
        int st;
        unsigned http;
        const char *title;
        const char *slug;
};

/* Every code the suite uses, with what a client sees for it. */
static const struct st_case st_cases[] = {
        { ST_OK, 200, "OK", "ok" },
        { ST_INVALID, 400, "Invalid request", "validation" },
        { ST_MALFORMED, 400, "Malformed request", "malformed" },
        { ST_UNAUTHENTICATED, 401, "Unauthenticated", "unauthenticated" },
        { ST_FORBIDDEN, 403, "Forbidden", "forbidden" },
        { ST_NOT_FOUND, 404, "Not found", "not-found" },
        { ST_METHOD, 405, "Method not allowed", "method-not-allowed" },
        { ST_CONFLICT, 409, "Conflict", "conflict" },
        { ST_PRECONDITION, 412, "Precondition failed", "precondition-failed" },
        { ST_TOO_LARGE, 413, "Payload too large", "payload-too-large" },
        { ST_MEDIA_TYPE, 415, "Unsupported media type", "unsupported-media-type" },
        { ST_UNPROCESSABLE, 422, "Unprocessable content", "unprocessable" },
        { ST_UNAVAILABLE, 503, "Service unavailable", "unavailable" },
        { ST_RETRY, 503, "Service unavailable", "unavailable" },
        { ST_INTERNAL, 500, "Internal error", "internal" },
        { ST_NOMEM, 500, "Internal error", "internal" },
};

#define N_ST_CASES ((int)(sizeof(st_cases) / sizeof(st_cases[0])))

/* Returns the string member @key of @j_obj (borrowed); fails when absent. */
static const char *
str_of(const json_t *j_obj, const char *key)
{
        const json_t *j_val = json_object_get(j_obj, key);

        ck_assert_msg(json_is_string(j_val), "member \"%s\" is not a string", key);
        return json_string_value(j_val);
}

/* ---- status.c --------------------------------------------------------------- */

START_TEST(test_status_table)
{
        const struct st_case *c = &st_cases[_i];

        ck_assert_uint_eq(st_http_status(c->st), c->http);
        ck_assert_str_eq(st_title(c->st), c->title);
        ck_assert_str_eq(st_slug(c->st), c->slug);
}
END_TEST

START_TEST(test_status_unknown_is_internal)
{
        ck_assert_uint_eq(st_http_status(-999), 500);
        ck_assert_uint_eq(st_http_status(42), 500);
        ck_assert_str_eq(st_title(-999), "Internal error");
        ck_assert_str_eq(st_slug(-999), "internal");
}
END_TEST

/* ---- problem_set / problem_field -------------------------------------------- */

START_TEST(test_init_is_empty)
{
        struct problem p = PROBLEM_INIT;
        struct problem q;

        memset(&q, 0xAB, sizeof(q));
        problem_init(&q);
        ck_assert_int_eq(p.st, ST_OK);
        ck_assert_int_eq(q.st, ST_OK);
        ck_assert_str_eq(q.type, "");
        ck_assert_str_eq(q.detail, "");
        ck_assert_ptr_null(q.j_errors);
        ck_assert_uint_eq(problem_field_count(&p), 0);
        ck_assert_uint_eq(problem_field_count(&q), 0);
}
END_TEST

START_TEST(test_set_returns_status_and_fills_detail)
{
        struct problem p = PROBLEM_INIT;

        ck_assert_int_eq(problem_set(&p, ST_NOT_FOUND, NULL, "no person %s", "abc"),
                         ST_NOT_FOUND);
        ck_assert_int_eq(p.st, ST_NOT_FOUND);
        ck_assert_str_eq(p.type, "");
        ck_assert_str_eq(p.detail, "no person abc");
        ck_assert_uint_eq(problem_field_count(&p), 0);

        ck_assert_int_eq(problem_set(&p, ST_CONFLICT, "pairing-exists", "%d active", 2),
                         ST_CONFLICT);
        ck_assert_int_eq(p.st, ST_CONFLICT);
        ck_assert_str_eq(p.type, "pairing-exists");
        ck_assert_str_eq(p.detail, "2 active");
        problem_release(&p);
}
END_TEST

START_TEST(test_set_truncates_long_detail)
{
        struct problem p = PROBLEM_INIT;
        char big[2000];

        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        problem_set(&p, ST_INVALID, NULL, "%s", big);
        ck_assert_uint_eq(strlen(p.detail), sizeof(p.detail) - 1);
        problem_release(&p);
}
END_TEST

/*
 * Text cut inside a UTF-8 character (a message over 255 bytes, a detail over
 * 511) or bytes that are not UTF-8 (a raw query value) are still recorded and
 * rendered, the broken bytes as '?': jansson refuses invalid UTF-8, which used
 * to drop the fault and leave the reply without it.
 */
START_TEST(test_text_cut_inside_a_character_is_kept)
{
        struct problem p = PROBLEM_INIT;
        char big[600];
        json_t *j_out;
        const char *msg;

        memset(big, 'x', sizeof(big));
        memcpy(big + 254, "\xc3\xa9", 3);                    /* é at bytes 254-255 */
        ck_assert_int_eq(problem_field(&p, "f\xff", "%s", big), ST_INVALID);
        ck_assert_uint_eq(problem_field_count(&p), 1);
        msg = json_string_value(json_object_get(json_array_get(p.j_errors, 0), "message"));
        ck_assert_ptr_nonnull(msg);
        ck_assert_uint_eq(strlen(msg), 255);
        ck_assert_int_eq(msg[254], '?');
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(p.j_errors, 0),
                                                           "field")), "f?");
        memset(big, 'x', sizeof(big));
        memcpy(big + 510, "\xc3\xa9", 3);                    /* é at bytes 510-511 */
        problem_set(&p, ST_MALFORMED, NULL, "%s", big);
        j_out = problem_to_json(&p, ST_MALFORMED, NULL);
        ck_assert_ptr_nonnull(j_out);
        ck_assert_uint_eq(strlen(json_string_value(json_object_get(j_out, "detail"))), 511);
        json_decref(j_out);
        problem_release(&p);
}
END_TEST

/* A summary cut inside a character stays UTF-8, so the SCIM error body renders. */
START_TEST(test_summary_cut_inside_a_character)
{
        struct problem p = PROBLEM_INIT;
        char out[64];
        json_t *j_s;

        problem_field(&p, "name", "%s", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
        problem_summary(&p, ST_INVALID, out, 58);       /* "...; name: " + 4.5 characters */
        ck_assert_uint_eq(strlen(out), 57);
        j_s = json_string(out);
        ck_assert_msg(j_s != NULL, "summary \"%s\" is not UTF-8", out);
        ck_assert_int_eq(out[56], '?');
        json_decref(j_s);
        problem_release(&p);
}
END_TEST

START_TEST(test_field_accumulates_in_order)
{
        struct problem p = PROBLEM_INIT;
        const json_t *j_err;

        ck_assert_int_eq(problem_field(&p, "email", "must be an e-mail address"), ST_INVALID);
        ck_assert_int_eq(problem_field(&p, "roles", "item %d is not allowed", 2), ST_INVALID);
        ck_assert_int_eq(problem_field(&p, "a.b", "is required"), ST_INVALID);
        ck_assert_int_eq(p.st, ST_INVALID);
        ck_assert_uint_eq(problem_field_count(&p), 3);
        ck_assert(json_is_array(p.j_errors));

        j_err = json_array_get(p.j_errors, 0);
        ck_assert_str_eq(str_of(j_err, "field"), "email");
        ck_assert_str_eq(str_of(j_err, "message"), "must be an e-mail address");
        ck_assert_uint_eq(json_object_size(j_err), 2);
        j_err = json_array_get(p.j_errors, 1);
        ck_assert_str_eq(str_of(j_err, "field"), "roles");
        ck_assert_str_eq(str_of(j_err, "message"), "item 2 is not allowed");
        j_err = json_array_get(p.j_errors, 2);
        ck_assert_str_eq(str_of(j_err, "field"), "a.b");
        ck_assert_str_eq(str_of(j_err, "message"), "is required");
        problem_release(&p);
}
END_TEST

START_TEST(test_field_keeps_status_already_set)
{
        struct problem p = PROBLEM_INIT;

        problem_set(&p, ST_FORBIDDEN, NULL, "not yours");
        ck_assert_int_eq(problem_field(&p, "roles", "only an admin may change this"),
                         ST_INVALID);
        ck_assert_int_eq(p.st, ST_FORBIDDEN);
        ck_assert_uint_eq(problem_field_count(&p), 1);
        problem_release(&p);
}
END_TEST

START_TEST(test_release_frees_and_resets)
{
        struct problem p = PROBLEM_INIT;

        problem_set(&p, ST_CONFLICT, "custom", "detail");
        problem_field(&p, "x", "bad");
        problem_field(&p, "y", "bad");
        problem_release(&p);
        ck_assert_int_eq(p.st, ST_OK);
        ck_assert_str_eq(p.type, "");
        ck_assert_str_eq(p.detail, "");
        ck_assert_ptr_null(p.j_errors);
        ck_assert_uint_eq(problem_field_count(&p), 0);

        /* Reusable after release, and releasing twice or NULL is harmless. */
        problem_field(&p, "z", "bad");
        ck_assert_uint_eq(problem_field_count(&p), 1);
        problem_release(&p);
        problem_release(&p);
        problem_release(NULL);
}
END_TEST

/* ---- problem_to_json -------------------------------------------------------- */

START_TEST(test_json_type_title_status_for_each_code)
{
        const struct st_case *c = &st_cases[_i];
        struct problem p = PROBLEM_INIT;
        json_t *j_out;
        char type[128];

        j_out = problem_to_json(&p, c->st, NULL);
        ck_assert_ptr_nonnull(j_out);
        snprintf(type, sizeof(type), "%s%s", PROBLEM_TYPE_BASE, c->slug);
        ck_assert_str_eq(str_of(j_out, "type"), type);
        ck_assert_str_eq(str_of(j_out, "title"), c->title);
        ck_assert(json_is_integer(json_object_get(j_out, "status")));
        ck_assert_int_eq(json_integer_value(json_object_get(j_out, "status")), c->http);
        /* No detail recorded: the title stands in for it. */
        ck_assert_str_eq(str_of(j_out, "detail"), c->title);
        ck_assert_ptr_null(json_object_get(j_out, "instance"));
        ck_assert_ptr_null(json_object_get(j_out, "errors"));
        ck_assert_uint_eq(json_object_size(j_out), 4);
        json_decref(j_out);
}
END_TEST

START_TEST(test_json_custom_type_detail_instance)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_out;

        problem_set(&p, ST_CONFLICT, "capacity-reached", "mentor %s is full", "Ana");
        j_out = problem_to_json(&p, ST_CONFLICT, "/v1/pairings");
        ck_assert_ptr_nonnull(j_out);
        ck_assert_str_eq(str_of(j_out, "type"), PROBLEM_TYPE_BASE "capacity-reached");
        ck_assert_str_eq(str_of(j_out, "title"), "Conflict");
        ck_assert_int_eq(json_integer_value(json_object_get(j_out, "status")), 409);
        ck_assert_str_eq(str_of(j_out, "detail"), "mentor Ana is full");
        ck_assert_str_eq(str_of(j_out, "instance"), "/v1/pairings");
        ck_assert_ptr_null(json_object_get(j_out, "errors"));
        json_decref(j_out);
        problem_release(&p);
}
END_TEST

START_TEST(test_json_status_argument_is_authoritative)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_out;

        problem_set(&p, ST_NOT_FOUND, NULL, "gone");
        j_out = problem_to_json(&p, ST_UNAVAILABLE, NULL);
        ck_assert_str_eq(str_of(j_out, "type"), PROBLEM_TYPE_BASE "unavailable");
        ck_assert_str_eq(str_of(j_out, "title"), "Service unavailable");
        ck_assert_int_eq(json_integer_value(json_object_get(j_out, "status")), 503);
        ck_assert_str_eq(str_of(j_out, "detail"), "gone");
        json_decref(j_out);
        problem_release(&p);
}
END_TEST

START_TEST(test_json_errors_array)
{
        struct problem p = PROBLEM_INIT;
        const json_t *j_errors;
        json_t *j_out;

        problem_field(&p, "email", "is required");
        problem_field(&p, "roles", "must not be empty");
        j_out = problem_to_json(&p, ST_INVALID, "/v1/people");
        ck_assert_ptr_nonnull(j_out);
        ck_assert_str_eq(str_of(j_out, "type"), PROBLEM_TYPE_BASE "validation");
        ck_assert_int_eq(json_integer_value(json_object_get(j_out, "status")), 400);
        ck_assert_str_eq(str_of(j_out, "detail"), "one or more fields are invalid; see errors");
        ck_assert_str_eq(str_of(j_out, "instance"), "/v1/people");
        j_errors = json_object_get(j_out, "errors");
        ck_assert(json_is_array(j_errors));
        ck_assert_uint_eq(json_array_size(j_errors), 2);
        ck_assert_str_eq(str_of(json_array_get(j_errors, 0), "field"), "email");
        ck_assert_str_eq(str_of(json_array_get(j_errors, 1), "field"), "roles");

        /* The body keeps its own reference: releasing the problem first is safe. */
        problem_release(&p);
        ck_assert_uint_eq(json_array_size(json_object_get(j_out, "errors")), 2);
        ck_assert_str_eq(str_of(json_array_get(json_object_get(j_out, "errors"), 1),
                                "message"), "must not be empty");
        json_decref(j_out);
}
END_TEST

START_TEST(test_json_errors_with_other_status)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_out;

        problem_field(&p, "roles", "only an admin may change this field");
        problem_set(&p, ST_FORBIDDEN, NULL, "you may change only your own profile fields");
        j_out = problem_to_json(&p, ST_FORBIDDEN, NULL);
        ck_assert_str_eq(str_of(j_out, "type"), PROBLEM_TYPE_BASE "forbidden");
        ck_assert_int_eq(json_integer_value(json_object_get(j_out, "status")), 403);
        ck_assert_str_eq(str_of(j_out, "detail"), "you may change only your own profile fields");
        ck_assert_uint_eq(json_array_size(json_object_get(j_out, "errors")), 1);
        json_decref(j_out);
        problem_release(&p);
}
END_TEST

START_TEST(test_json_round_trips_through_text)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_out, *j_back;
        char *text;

        problem_field(&p, "display_name", "must be at most %d characters", 200);
        j_out = problem_to_json(&p, ST_INVALID, "/v1/people/\"x\"");
        text = json_dumps(j_out, JSON_COMPACT);
        ck_assert_ptr_nonnull(text);
        j_back = json_loads(text, 0, NULL);
        ck_assert_ptr_nonnull(j_back);
        ck_assert(json_equal(j_out, j_back));
        free(text);
        json_decref(j_back);
        json_decref(j_out);
        problem_release(&p);
}
END_TEST

START_TEST(test_summary_detail_and_fields)
{
        struct problem p = PROBLEM_INIT;
        char out[128], tiny[12];

        problem_field(&p, "userName", "is required");
        problem_field(&p, "emails", "is not an e-mail address");
        problem_summary(&p, ST_INVALID, out, sizeof(out));
        ck_assert_str_eq(out, "one or more fields are invalid; see errors; userName: is required;"
                         " emails: is not an e-mail address");
        problem_summary(&p, ST_INVALID, tiny, sizeof(tiny));
        ck_assert_uint_eq(strlen(tiny), sizeof(tiny) - 1);
        problem_release(&p);
        problem_set(&p, ST_NOT_FOUND, NULL, "no User with this id");
        problem_summary(&p, ST_NOT_FOUND, out, sizeof(out));
        ck_assert_str_eq(out, "no User with this id");
        problem_release(&p);
        problem_summary(&p, ST_FORBIDDEN, out, sizeof(out));
        ck_assert_str_eq(out, "Forbidden");
}
END_TEST

static Suite *
problem_suite(void)
{
        Suite *s = suite_create("problem");
        TCase *tc_status = tcase_create("status");
        TCase *tc_problem = tcase_create("problem");
        TCase *tc_json = tcase_create("to_json");

        tcase_add_loop_test(tc_status, test_status_table, 0, N_ST_CASES);
        tcase_add_test(tc_status, test_status_unknown_is_internal);
        suite_add_tcase(s, tc_status);

        tcase_add_test(tc_problem, test_init_is_empty);
        tcase_add_test(tc_problem, test_set_returns_status_and_fills_detail);
        tcase_add_test(tc_problem, test_set_truncates_long_detail);
        tcase_add_test(tc_problem, test_field_accumulates_in_order);
        tcase_add_test(tc_problem, test_text_cut_inside_a_character_is_kept);
        tcase_add_test(tc_problem, test_field_keeps_status_already_set);
        tcase_add_test(tc_problem, test_release_frees_and_resets);
        suite_add_tcase(s, tc_problem);

        /* st_cases[0] is ST_OK, which is never rendered as a problem. */
        tcase_add_loop_test(tc_json, test_json_type_title_status_for_each_code, 1, N_ST_CASES);
        tcase_add_test(tc_json, test_json_custom_type_detail_instance);
        tcase_add_test(tc_json, test_json_status_argument_is_authoritative);
        tcase_add_test(tc_json, test_json_errors_array);
        tcase_add_test(tc_json, test_json_errors_with_other_status);
        tcase_add_test(tc_json, test_json_round_trips_through_text);
        tcase_add_test(tc_json, test_summary_detail_and_fields);
        tcase_add_test(tc_json, test_summary_cut_inside_a_character);
        suite_add_tcase(s, tc_json);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(problem_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
