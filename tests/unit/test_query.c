/*
 * test_query.c - unit tests for shared/query.c (typed query filters), with
 * requests built by hand: no server.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <ulfius.h>

#include "query.h"
#include "server.h"
#include "status.h"

#define ID "123e4567-e89b-12d3-a456-426614174000"

/* ---- query.c ------------------------------------------------------------------- */

struct fake {
        struct _u_request req;
        struct request rq;
};

static void
fake_init(struct fake *f, const char *const *kv)
{
        memset(f, 0, sizeof(*f));
        ck_assert_int_eq(ulfius_init_request(&f->req), U_OK);
        for (; kv != NULL && kv[0] != NULL; kv += 2)
                u_map_put(f->req.map_url, kv[0], kv[1]);
        f->rq.req = &f->req;
}

static void
fake_release(struct fake *f)
{
        problem_release(&f->rq.prob);
        ulfius_clean_request(&f->req);
}

#define KV(...) ((const char *const[]){ __VA_ARGS__, NULL })

static bool
names(const struct problem *p, const char *field)
{
        size_t i;
        const json_t *j;

        json_array_foreach(p->j_errors, i, j)
                if (strcmp(json_string_value(json_object_get(j, "field")), field) == 0)
                        return true;
        return false;
}

START_TEST(test_query_good_values)
{
        static const char *const colours[] = { "red", "green", NULL };
        struct fake f;

        fake_init(&f, KV("id", ID, "c", "green", "b", "true", "n", "12", "t", "2026-01-02",
                         "u", "2026-01-02T10:00:00Z", "s", "hello"));
        ck_assert_str_eq(query_uuid(&f.rq, "id"), ID);
        ck_assert_str_eq(query_enum(&f.rq, "c", colours), "green");
        ck_assert_int_eq(query_bool(&f.rq, "b"), 1);
        ck_assert_int_eq(query_int(&f.rq, "n", 1, 104, 4), 12);
        ck_assert_str_eq(query_time(&f.rq, "t"), "2026-01-02");
        ck_assert_str_eq(query_time(&f.rq, "u"), "2026-01-02T10:00:00Z");
        ck_assert_str_eq(query_text(&f.rq, "s", 5), "hello");
        /* absent: the defaults, and no fault */
        ck_assert_ptr_null(query_uuid(&f.rq, "none"));
        ck_assert_ptr_null(query_enum(&f.rq, "none", colours));
        ck_assert_int_eq(query_bool(&f.rq, "none"), -1);
        ck_assert_int_eq(query_int(&f.rq, "none", 1, 104, 4), 4);
        ck_assert_ptr_null(query_time(&f.rq, "none"));
        ck_assert_uint_eq(problem_field_count(&f.rq.prob), 0);
        fake_release(&f);
}
END_TEST

START_TEST(test_query_bad_values_each_named)
{
        static const char *const colours[] = { "red", "green", NULL };
        struct fake f;

        fake_init(&f, KV("id", "nope", "c", "blue", "b", "yes", "n", "0", "m", "7x", "t",
                         "2026-02-30", "s", "", "l", "toolong"));
        ck_assert_ptr_null(query_uuid(&f.rq, "id"));
        ck_assert_ptr_null(query_enum(&f.rq, "c", colours));
        ck_assert_int_eq(query_bool(&f.rq, "b"), -1);
        ck_assert_int_eq(query_int(&f.rq, "n", 1, 104, 4), 4);
        ck_assert_int_eq(query_int(&f.rq, "m", 1, 104, 4), 4);
        ck_assert_ptr_null(query_time(&f.rq, "t"));
        ck_assert_ptr_null(query_text(&f.rq, "s", 5));
        ck_assert_ptr_null(query_text(&f.rq, "l", 5));
        ck_assert_uint_eq(problem_field_count(&f.rq.prob), 8);
        for (const char *const *n = KV("id", "c", "b", "n", "m", "t", "s", "l"); *n != NULL; n++)
                ck_assert_msg(names(&f.rq.prob, *n), "no fault named %s", *n);
        ck_assert_int_eq(f.rq.prob.st, ST_INVALID);
        fake_release(&f);
}
END_TEST

START_TEST(test_query_date_valid)
{
        ck_assert(query_date_valid("2024-02-29"));
        ck_assert(!query_date_valid("2023-02-29"));
        ck_assert(!query_date_valid("2024-2-29"));
        ck_assert(!query_date_valid("2024-02-29T00:00:00Z"));
        ck_assert(!query_date_valid(NULL));
}
END_TEST

static Suite *
row_suite(void)
{
        Suite *s = suite_create("query");
        TCase *tc_query = tcase_create("query");

        tcase_add_test(tc_query, test_query_good_values);
        tcase_add_test(tc_query, test_query_bad_values_each_named);
        tcase_add_test(tc_query, test_query_date_valid);
        suite_add_tcase(s, tc_query);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(row_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
