/*
 * test_notify_csv.c - unit tests for csv.c: RFC 4180 fields and records as
 * the audit export writes them.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "notify.h"

static char *
field(const char *s, size_t n)
{
        struct buf b = BUF_INIT;

        csv_field(&b, s, n);
        ck_assert(!b.failed);
        return buf_detach(&b);
}

#define ck_field(in, want) do { \
                char *got_ = field((in), strlen(in)); \
                ck_assert_str_eq(got_, (want)); \
                free(got_); \
        } while (0)

START_TEST(plain_fields_are_as_is)
{
        ck_field("tandem.people.person.created", "tandem.people.person.created");
        ck_field("", "");
        ck_field("semi;colon and 'single' quotes", "semi;colon and 'single' quotes");
}
END_TEST

START_TEST(commas_quotes_and_line_breaks_are_quoted)
{
        ck_field("a,b", "\"a,b\"");
        ck_field("say \"hi\"", "\"say \"\"hi\"\"\"");
        ck_field("\"", "\"\"\"\"");
        ck_field("two\nlines", "\"two\nlines\"");
        ck_field("cr\rlf\r\n", "\"cr\rlf\r\n\"");
        ck_field("{\"a\":1,\"b\":\"x\"}", "\"{\"\"a\"\":1,\"\"b\"\":\"\"x\"\"}\"");
}
END_TEST

START_TEST(only_the_given_bytes_are_read)
{
        char *got = field("abc,def", 3);

        ck_assert_str_eq(got, "abc");
        free(got);
        got = field("a\"b,c", 3);
        ck_assert_str_eq(got, "\"a\"\"b\"");
        free(got);
}
END_TEST

START_TEST(records_end_with_crlf_and_null_is_empty)
{
        const char *values[4] = { "x", NULL, "a,b", "" };
        size_t lens[4] = { 1, 0, 3, 0 };
        struct buf b = BUF_INIT;
        char *got;

        csv_record(&b, values, lens, 4);
        csv_record(&b, values, lens, 1);
        got = buf_detach(&b);
        ck_assert_str_eq(got, "x,,\"a,b\",\r\nx\r\n");
        free(got);
}
END_TEST

#define ck_time(in, want) do { \
                char out_[CSV_TIME_LEN + 1]; \
                ck_assert_uint_eq(csv_time_utc((in), strlen(in), out_), CSV_TIME_LEN); \
                ck_assert_str_eq(out_, (want)); \
        } while (0)

/* as audit_time (to_char 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') writes the same instant */
START_TEST(times_are_written_as_audit_time_writes_them)
{
        ck_time("2026-12-07 02:08:21.123456", "2026-12-07T02:08:21.123456Z");
        ck_time("2026-12-07 02:08:21.12", "2026-12-07T02:08:21.120000Z");
        ck_time("2026-12-07 02:08:21.000001", "2026-12-07T02:08:21.000001Z");
        ck_time("2026-01-01 00:00:00", "2026-01-01T00:00:00.000000Z");
}
END_TEST

START_TEST(times_of_another_shape_are_refused)
{
        static const char *const bad[] = {
                "",                              /* nothing */
                "2026-12-07",                    /* a date */
                "2026-12-07 02:08:21.",          /* a point without digits */
                "2026-12-07 02:08:21.1234567",   /* 7 digits */
                "2026-12-07 02:08:21+00",        /* with its offset */
                "2026-12-07T02:08:21.5",         /* already a T */
                "12/07/2026 02:08:21.5 UTC",     /* DateStyle SQL */
                "Mon Dec 07 02:08:21.5 2026",    /* DateStyle Postgres */
                "12026-12-07 02:08:21",          /* a year past 9999 */
                "2026-12-07 02:08:21 BC",        /* BC */
                "infinity",
                "2026-12-07 0x:08:21",
        };
        char out[CSV_TIME_LEN + 1];

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_msg(csv_time_utc(bad[i], strlen(bad[i]), out) == 0, "%s", bad[i]);
        /* only the given bytes are read */
        ck_assert_uint_eq(csv_time_utc("2026-12-07 02:08:21.5,x", 21, out), CSV_TIME_LEN);
        ck_assert_str_eq(out, "2026-12-07T02:08:21.500000Z");
}
END_TEST

/* the export writes each record into the same buffer, emptied between them */
START_TEST(a_cleared_buffer_holds_only_the_next_record)
{
        const char *values[2] = { "a,b", "c" };
        size_t lens[2] = { 3, 1 };
        struct buf b = BUF_INIT;
        char *first;

        csv_record(&b, values, lens, 2);
        first = b.p;
        buf_clear(&b);
        ck_assert_str_eq(b.p, "");
        csv_record(&b, values + 1, lens + 1, 1);
        ck_assert_ptr_eq(b.p, first);
        ck_assert_str_eq(b.p, "c\r\n");
        buf_release(&b);
}
END_TEST

static Suite *
csv_suite(void)
{
        Suite *s = suite_create("notify_csv");
        TCase *tc = tcase_create("csv");

        tcase_add_test(tc, plain_fields_are_as_is);
        tcase_add_test(tc, commas_quotes_and_line_breaks_are_quoted);
        tcase_add_test(tc, only_the_given_bytes_are_read);
        tcase_add_test(tc, records_end_with_crlf_and_null_is_empty);
        tcase_add_test(tc, times_are_written_as_audit_time_writes_them);
        tcase_add_test(tc, times_of_another_shape_are_refused);
        tcase_add_test(tc, a_cleared_buffer_holds_only_the_next_record);
        suite_add_tcase(s, tc);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(csv_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
