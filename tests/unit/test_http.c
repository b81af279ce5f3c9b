/*
 * test_http.c - unit tests for the pure parts of http.c: opaque cursors,
 * UUID checks, pages rendered from a query result (db_page_json), rows taken
 * from a result (db_row_take) and replied (http_reply_row), optional query
 * filters (http_query_uuid, http_query_enum).  What needs a live ulfius request (path,
 * query, body, If-Match) is covered by the integration tests.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "db.h"
#include "http.h"
#include "status.h"

#define SENTINEL ((int64_t)-77)

static const int64_t positions[] = {
        1, 2, 42, 1000, 0x5a5a5a5a, 0x5a5a5a5b, (int64_t)1 << 40,
        INT64_MAX / 2, INT64_MAX - 1, INT64_MAX,
};

#define N_POSITIONS ((int)(sizeof(positions) / sizeof(positions[0])))

/* ---- cursors ---------------------------------------------------------------- */

START_TEST(test_cursor_round_trip)
{
        int64_t pos = positions[_i], back = SENTINEL;
        char cursor[32];

        cursor_encode(pos, cursor, sizeof(cursor));
        ck_assert_int_eq(cursor[0], 'c');
        ck_assert_uint_gt(strlen(cursor), 1);
        ck_assert_uint_lt(strlen(cursor), sizeof(cursor));
        for (const char *c = cursor + 1; *c != '\0'; c++)
                ck_assert_msg(isxdigit((unsigned char)*c), "cursor %s is not hex", cursor);
        ck_assert_int_eq(cursor_decode(cursor, &back), ST_OK);
        ck_assert_int_eq(back, pos);
}
END_TEST

START_TEST(test_cursor_distinct_and_opaque)
{
        char a[32], b[32];

        cursor_encode(42, a, sizeof(a));
        cursor_encode(43, b, sizeof(b));
        ck_assert_str_ne(a, b);
        /* Not the plain number: clients should not build cursors by hand. */
        ck_assert_str_ne(a, "c2a");
        ck_assert_str_ne(a, "c42");
}
END_TEST

START_TEST(test_cursor_encode_truncates_to_buffer)
{
        char small[4];

        memset(small, 'X', sizeof(small));
        cursor_encode(INT64_MAX, small, sizeof(small));
        ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
}
END_TEST

static void
expect_bad_cursor(const char *s)
{
        int64_t pos = SENTINEL;

        ck_assert_msg(cursor_decode(s, &pos) == ST_INVALID, "cursor \"%s\" accepted",
                      s != NULL ? s : "(null)");
        ck_assert_msg(pos == SENTINEL, "cursor \"%s\" wrote the position on failure",
                      s != NULL ? s : "(null)");
}

START_TEST(test_cursor_reject)
{
        char cursor[32];

        expect_bad_cursor(NULL);
        expect_bad_cursor("");
        expect_bad_cursor("x12");
        expect_bad_cursor("C12");
        expect_bad_cursor("12");
        expect_bad_cursor("c");
        expect_bad_cursor("czz");
        expect_bad_cursor("c12z");
        expect_bad_cursor("c12 ");
        expect_bad_cursor(" c12");
        expect_bad_cursor("c 12");
        expect_bad_cursor("c-12");
        expect_bad_cursor("c+12");
        /* 17 hex digits: longer than any cursor this service issues. */
        expect_bad_cursor("c00000000000000001");
        expect_bad_cursor("c123456789abcdef0123456789");
        /* Decodes to position 0, which is the start, never a next page. */
        expect_bad_cursor("c5a5a5a5a");
        /* Decodes to more than INT64_MAX (what a negative position would encode to). */
        cursor_encode(-1, cursor, sizeof(cursor));
        expect_bad_cursor(cursor);
        expect_bad_cursor("cffffffffffffffff");
        expect_bad_cursor("c8000000000000000");
}
END_TEST

/* ---- UUIDs ------------------------------------------------------------------ */

START_TEST(test_uuid_valid_accept)
{
        ck_assert(uuid_valid("123e4567-e89b-12d3-a456-426614174000"));
        ck_assert(uuid_valid("00000000-0000-0000-0000-000000000000"));
        ck_assert(uuid_valid("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF"));
        ck_assert(uuid_valid("123E4567-e89B-12d3-A456-42661417400a"));
}
END_TEST

START_TEST(test_uuid_valid_reject)
{
        ck_assert(!uuid_valid(NULL));
        ck_assert(!uuid_valid(""));
        /* wrong length */
        ck_assert(!uuid_valid("123e4567-e89b-12d3-a456-42661417400"));
        ck_assert(!uuid_valid("123e4567-e89b-12d3-a456-4266141740000"));
        ck_assert(!uuid_valid("123e4567e89b12d3a456426614174000"));
        ck_assert(!uuid_valid("{123e4567-e89b-12d3-a456-426614174000}"));
        ck_assert(!uuid_valid(" 123e4567-e89b-12d3-a456-426614174000"));
        /* bad hex */
        ck_assert(!uuid_valid("g23e4567-e89b-12d3-a456-426614174000"));
        ck_assert(!uuid_valid("123e4567-e89b-12d3-a456-42661417400z"));
        ck_assert(!uuid_valid("123e4567-e89b-12d3-a456-42661417 000"));
        /* dashes in the wrong places */
        ck_assert(!uuid_valid("123e456-7e89b-12d3-a456-426614174000"));
        ck_assert(!uuid_valid("123e4567-e89b12-d3-a456-426614174000"));
        ck_assert(!uuid_valid("123e4567-e89b-12d3-a4564-26614174000"));
        ck_assert(!uuid_valid("123e4567_e89b_12d3_a456_426614174000"));
        ck_assert(!uuid_valid("------------------------------------"));
        ck_assert(!uuid_valid("123e4567-e89b-12d3-a456-4266141740-0"));
}
END_TEST

/* ---- pages rendered from a query result --------------------------------------- */

/* A result like the list queries': column 0 the position, column 1 the row's JSON. */
static PGresult *
fake_rows(int n)
{
        PGresAttDesc attrs[2] = {
                { "seq", 0, 0, 0, 20, 8, -1 },
                { "json", 0, 0, 0, 114, -1, -1 },
        };
        PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
        char seq[24], row[64];

        ck_assert_int_eq(PQsetResultAttrs(res, 2, attrs), 1);
        for (int i = 0; i < n; i++) {
                snprintf(seq, sizeof(seq), "%d", 10 * (i + 1));
                snprintf(row, sizeof(row), "{\"n\" : %d, \"s\": \"a,b\"}", i);
                ck_assert_int_eq(PQsetvalue(res, i, 0, seq, (int)strlen(seq)), 1);
                ck_assert_int_eq(PQsetvalue(res, i, 1, row, (int)strlen(row)), 1);
        }
        return res;
}

static json_t *
page_of(int rows, int limit)
{
        PGresult *res = fake_rows(rows);
        char *text = db_page_json(res, limit);
        json_t *j_page;

        ck_assert_ptr_nonnull(text);
        j_page = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
        ck_assert_msg(j_page != NULL, "not JSON: %s", text);
        free(text);
        PQclear(res);
        return j_page;
}

START_TEST(test_page_empty)
{
        json_t *j_page = page_of(0, 50);

        ck_assert_uint_eq(json_array_size(json_object_get(j_page, "items")), 0);
        ck_assert(json_is_null(json_object_get(j_page, "next_cursor")));
        ck_assert_uint_eq(json_object_size(j_page), 2);
        json_decref(j_page);
}
END_TEST

START_TEST(test_page_last_is_null)
{
        json_t *j_page = page_of(2, 2);
        json_t *j_items = json_object_get(j_page, "items");

        ck_assert_uint_eq(json_array_size(j_items), 2);
        ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(j_items, 1), "n")), 1);
        ck_assert(json_is_null(json_object_get(j_page, "next_cursor")));
        json_decref(j_page);
}
END_TEST

START_TEST(test_page_extra_row_gives_cursor)
{
        json_t *j_page = page_of(3, 2);
        const char *cursor = json_string_value(json_object_get(j_page, "next_cursor"));
        int64_t back = SENTINEL;

        ck_assert_uint_eq(json_array_size(json_object_get(j_page, "items")), 2);
        ck_assert_ptr_nonnull(cursor);
        ck_assert_int_eq(cursor_decode(cursor, &back), ST_OK);
        ck_assert_int_eq(back, 20);   /* the last row shown, not the extra one */
        json_decref(j_page);
}
END_TEST

/* ---- rows: taken from a result, replied ---------------------------------------- */

/* A result like a single-resource statement's: id, version, JSON. */
static PGresult *
fake_row(bool present)
{
        PGresAttDesc attrs[3] = {
                { "id", 0, 0, 0, 2950, 16, -1 },
                { "version", 0, 0, 0, 20, 8, -1 },
                { "json", 0, 0, 0, 114, -1, -1 },
        };
        PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
        const char *vals[3] = { "123e4567-e89b-12d3-a456-426614174000", "7", "{\"a\": [1, 2]}" };

        ck_assert_int_eq(PQsetResultAttrs(res, 3, attrs), 1);
        for (int c = 0; present && c < 3; c++)
                ck_assert_int_eq(PQsetvalue(res, 0, c, (char *)vals[c], (int)strlen(vals[c])), 1);
        return res;
}

START_TEST(test_row_take)
{
        PGresult *res = fake_row(true);
        struct db_row r = { 0 };

        ck_assert_int_eq(db_row_take(res, &r), ST_OK);
        ck_assert_str_eq(r.id, "123e4567-e89b-12d3-a456-426614174000");
        ck_assert_int_eq(r.version, 7);
        ck_assert_str_eq(r.json, "{\"a\": [1, 2]}");
        db_row_release(&r);
        ck_assert_ptr_null(r.json);
        ck_assert_int_eq(r.version, 0);
        db_row_release(NULL);
        PQclear(res);
}
END_TEST

START_TEST(test_row_take_none)
{
        PGresult *res = fake_row(false);
        struct db_row r = { 0 };

        ck_assert_int_eq(db_row_take(res, &r), ST_NOT_FOUND);
        ck_assert_ptr_null(r.json);
        PQclear(res);
}
END_TEST

START_TEST(test_reply_row_read_passes_text)
{
        struct request rq = { 0 };
        struct db_row r = { strdup("{\"x\" : 1}"), 3, "abc" };

        ck_assert_int_eq(http_reply_row(&rq, &r, 200, NULL), ST_OK);
        ck_assert_str_eq(rq.etag, "\"3\"");
        ck_assert_uint_eq(rq.http_status, 200);
        ck_assert_str_eq(rq.text_out, "{\"x\" : 1}");   /* untouched, not re-rendered */
        ck_assert_str_eq(rq.content_type, "application/json");
        ck_assert_ptr_null(r.json);                    /* moved into the request */
        ck_assert_ptr_null(rq.j_out);
        ck_assert_str_eq(rq.location, "");
        free(rq.text_out);
}
END_TEST

START_TEST(test_reply_row_created)
{
        struct request rq = { 0 };
        struct db_row r = { strdup("{\"x\": 1}"), 1, "123e4567-e89b-12d3-a456-426614174000" };

        ck_assert_int_eq(http_reply_row(&rq, &r, 201, "things"), ST_OK);
        ck_assert_uint_eq(rq.http_status, 201);
        ck_assert_str_eq(rq.location, "/v1/things/123e4567-e89b-12d3-a456-426614174000");
        ck_assert_int_eq(json_integer_value(json_object_get(rq.j_out, "x")), 1);
        ck_assert_ptr_null(rq.text_out);
        json_decref(rq.j_out);
        db_row_release(&r);
}
END_TEST

START_TEST(test_reply_row_created_without_location)
{
        struct request rq = { 0 };
        struct db_row r = { strdup("{\"x\": 2}"), 1, "123e4567-e89b-12d3-a456-426614174000" };

        ck_assert_int_eq(http_reply_row(&rq, &r, 201, ""), ST_OK);
        ck_assert_str_eq(rq.location, "");
        ck_assert_ptr_nonnull(rq.j_out);
        json_decref(rq.j_out);
        db_row_release(&r);
}
END_TEST

/* ---- optional query filters -------------------------------------------------------- */

/* A request whose URL map holds @name=@value (when @value is not NULL). */
static void
query_request(struct _u_request *req, struct request *rq, const char *name, const char *value)
{
        ck_assert_int_eq(ulfius_init_request(req), U_OK);
        if (value != NULL)
                ck_assert_int_eq(u_map_put(req->map_url, name, value), U_OK);
        memset(rq, 0, sizeof(*rq));
        rq->req = req;
}

static const char *const colours[] = { "red", "green", NULL };

START_TEST(test_query_uuid)
{
        struct _u_request req;
        struct request rq;
        const char *out = "sentinel";

        query_request(&req, &rq, "id", NULL);
        http_query_uuid(&rq, "id", &out);
        ck_assert_ptr_null(out);
        ck_assert_uint_eq(problem_field_count(&rq.prob), 0);
        ulfius_clean_request(&req);

        query_request(&req, &rq, "id", "123e4567-e89b-12d3-a456-426614174000");
        http_query_uuid(&rq, "id", &out);
        ck_assert_str_eq(out, "123e4567-e89b-12d3-a456-426614174000");
        ck_assert_uint_eq(problem_field_count(&rq.prob), 0);
        ulfius_clean_request(&req);

        query_request(&req, &rq, "id", "123");
        http_query_uuid(&rq, "id", &out);
        ck_assert_uint_eq(problem_field_count(&rq.prob), 1);
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rq.prob.j_errors, 0),
                                                           "field")), "id");
        problem_release(&rq.prob);
        ulfius_clean_request(&req);
}
END_TEST

START_TEST(test_query_enum)
{
        struct _u_request req;
        struct request rq;
        const char *out = "sentinel";
        const char *msg;

        query_request(&req, &rq, "colour", NULL);
        http_query_enum(&rq, "colour", colours, &out);
        ck_assert_ptr_null(out);
        ulfius_clean_request(&req);

        query_request(&req, &rq, "colour", "green");
        http_query_enum(&rq, "colour", colours, &out);
        ck_assert_str_eq(out, "green");
        ck_assert_uint_eq(problem_field_count(&rq.prob), 0);
        ulfius_clean_request(&req);

        query_request(&req, &rq, "colour", "blue");
        http_query_enum(&rq, "colour", colours, &out);
        ck_assert_uint_eq(problem_field_count(&rq.prob), 1);
        msg = json_string_value(json_object_get(json_array_get(rq.prob.j_errors, 0), "message"));
        ck_assert_str_eq(msg, "must be one of red, green");
        problem_release(&rq.prob);
        ulfius_clean_request(&req);
}
END_TEST

static Suite *
http_suite(void)
{
        Suite *s = suite_create("http");
        TCase *tc_cursor = tcase_create("cursor");
        TCase *tc_uuid = tcase_create("uuid");
        TCase *tc_page = tcase_create("page");
        TCase *tc_row = tcase_create("row");
        TCase *tc_query = tcase_create("query");

        tcase_add_loop_test(tc_cursor, test_cursor_round_trip, 0, N_POSITIONS);
        tcase_add_test(tc_cursor, test_cursor_distinct_and_opaque);
        tcase_add_test(tc_cursor, test_cursor_encode_truncates_to_buffer);
        tcase_add_test(tc_cursor, test_cursor_reject);
        suite_add_tcase(s, tc_cursor);

        tcase_add_test(tc_uuid, test_uuid_valid_accept);
        tcase_add_test(tc_uuid, test_uuid_valid_reject);
        suite_add_tcase(s, tc_uuid);

        tcase_add_test(tc_page, test_page_empty);
        tcase_add_test(tc_page, test_page_last_is_null);
        tcase_add_test(tc_page, test_page_extra_row_gives_cursor);
        suite_add_tcase(s, tc_page);

        tcase_add_test(tc_row, test_row_take);
        tcase_add_test(tc_row, test_row_take_none);
        tcase_add_test(tc_row, test_reply_row_read_passes_text);
        tcase_add_test(tc_row, test_reply_row_created);
        tcase_add_test(tc_row, test_reply_row_created_without_location);
        suite_add_tcase(s, tc_row);

        tcase_add_test(tc_query, test_query_uuid);
        tcase_add_test(tc_query, test_query_enum);
        suite_add_tcase(s, tc_query);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(http_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
