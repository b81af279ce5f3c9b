/*
 * test_row.c - unit tests for shared/row.c (one resource as PostgreSQL's JSON
 * text, and the reply made of it) and shared/query.c (typed query filters),
 * with results and requests built by hand: no database, no server.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <ulfius.h>

#include "query.h"
#include "row.h"
#include "server.h"
#include "status.h"

#define ID "123e4567-e89b-12d3-a456-426614174000"

/* A result with columns id, version, json and @n rows of @json. */
static PGresult *
result(int n, const char *json)
{
        PGresAttDesc attrs[3];
        const char *names[3] = { "id", "version", "json" };
        PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);

        ck_assert_ptr_nonnull(res);
        memset(attrs, 0, sizeof(attrs));
        for (int i = 0; i < 3; i++) {
                attrs[i].name = (char *)names[i];
                attrs[i].typid = 25;   /* text */
                attrs[i].typlen = -1;
                attrs[i].atttypmod = -1;
        }
        ck_assert(PQsetResultAttrs(res, 3, attrs));
        for (int r = 0; r < n; r++) {
                ck_assert(PQsetvalue(res, r, 0, (char *)ID, (int)strlen(ID)));
                ck_assert(PQsetvalue(res, r, 1, (char *)"7", 1));
                ck_assert(PQsetvalue(res, r, 2, (char *)json, (int)strlen(json)));
        }
        return res;
}

START_TEST(test_row_take)
{
        PGresult *res = result(1, "{\"a\": 1}");
        struct row r = ROW_INIT;

        ck_assert_int_eq(row_take(res, &r), ST_OK);
        ck_assert_str_eq(r.id, ID);
        ck_assert_int_eq(r.version, 7);
        ck_assert_str_eq(r.json, "{\"a\": 1}");
        row_release(&r);
        ck_assert_ptr_null(r.json);
        ck_assert_int_eq(r.version, 0);
        row_release(&r);     /* twice is harmless */
        row_release(NULL);
        PQclear(res);
}
END_TEST

START_TEST(test_row_take_empty)
{
        PGresult *res = result(0, "");
        struct row r = ROW_INIT;

        ck_assert_int_eq(row_take(res, &r), ST_NOT_FOUND);
        ck_assert_ptr_null(r.json);
        PQclear(res);
}
END_TEST

START_TEST(test_row_reply_read_passes_text_through)
{
        struct request rq;
        struct row r = ROW_INIT;

        memset(&rq, 0, sizeof(rq));
        r.json = strdup("{\"id\" : \"x\"}");
        r.version = 3;
        ck_assert_int_eq(row_reply(&rq, &r, 200, NULL), ST_OK);
        ck_assert_str_eq(rq.etag, "\"3\"");
        ck_assert_uint_eq(rq.http_status, 200);
        ck_assert_str_eq(rq.text_out, "{\"id\" : \"x\"}");
        ck_assert_str_eq(rq.content_type, "application/json");
        ck_assert_ptr_null(r.json);   /* moved */
        ck_assert_str_eq(rq.location, "");
        free(rq.text_out);
}
END_TEST

START_TEST(test_row_reply_create_parses_and_locates)
{
        struct request rq;
        struct row r = ROW_INIT;

        memset(&rq, 0, sizeof(rq));
        r.json = strdup("{\"id\": \"" ID "\", \"n\": 1}");
        snprintf(r.id, sizeof(r.id), "%s", ID);
        r.version = 1;
        ck_assert_int_eq(row_reply(&rq, &r, 201, "sessions/abc/actions"), ST_OK);
        ck_assert_uint_eq(rq.http_status, 201);
        ck_assert_str_eq(rq.location, "/v1/sessions/abc/actions/" ID);
        ck_assert_ptr_nonnull(rq.j_out);
        ck_assert_int_eq(json_integer_value(json_object_get(rq.j_out, "n")), 1);
        ck_assert_ptr_null(rq.text_out);
        json_decref(rq.j_out);
        row_release(&r);
}
END_TEST

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
        Suite *s = suite_create("row_query");
        TCase *tc_row = tcase_create("row");
        TCase *tc_query = tcase_create("query");

        tcase_add_test(tc_row, test_row_take);
        tcase_add_test(tc_row, test_row_take_empty);
        tcase_add_test(tc_row, test_row_reply_read_passes_text_through);
        tcase_add_test(tc_row, test_row_reply_create_parses_and_locates);
        suite_add_tcase(s, tc_row);
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
