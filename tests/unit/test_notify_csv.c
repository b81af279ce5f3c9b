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

static Suite *
csv_suite(void)
{
        Suite *s = suite_create("notify_csv");
        TCase *tc = tcase_create("csv");

        tcase_add_test(tc, plain_fields_are_as_is);
        tcase_add_test(tc, commas_quotes_and_line_breaks_are_quoted);
        tcase_add_test(tc, only_the_given_bytes_are_read);
        tcase_add_test(tc, records_end_with_crlf_and_null_is_empty);
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
