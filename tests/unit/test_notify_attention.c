/*
 * test_notify_attention.c - unit tests for attention.c: whose items each
 * role sees, and the attention list's cursor.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "auth.h"
#include "notify.h"
#include "status.h"

START_TEST(admin_sees_the_whole_programme)
{
        struct attention_scope s;

        ck_assert_int_eq(attention_scope_of(ROLE_ADMIN | ROLE_MENTOR, &s), ST_OK);
        ck_assert(s.all);
        ck_assert(!s.mentor && !s.comms && !s.partner);   /* all covers them */
}
END_TEST

START_TEST(each_role_opens_its_own_branch)
{
        struct attention_scope s;

        ck_assert_int_eq(attention_scope_of(ROLE_MENTOR, &s), ST_OK);
        ck_assert(s.mentor && !s.all && !s.comms && !s.partner);
        ck_assert_int_eq(attention_scope_of(ROLE_COMMS | ROLE_PARTNER, &s), ST_OK);
        ck_assert(s.comms && s.partner && !s.mentor && !s.all);
}
END_TEST

START_TEST(viewers_and_services_get_none)
{
        struct attention_scope s = { 0 };

        ck_assert_int_eq(attention_scope_of(ROLE_VIEWER, &s), ST_FORBIDDEN);
        ck_assert_int_eq(attention_scope_of(ROLE_SERVICE, &s), ST_FORBIDDEN);
        ck_assert_int_eq(attention_scope_of(0, &s), ST_FORBIDDEN);
}
END_TEST

START_TEST(cursor_round_trips)
{
        char c[80];
        int64_t key = 0, seq = 0;

        attention_cursor_encode(1765061678123456LL, 42, c, sizeof(c));
        ck_assert_ptr_nonnull(strchr(c, '.'));
        ck_assert_int_eq(attention_cursor_decode(c, &key, &seq), ST_OK);
        ck_assert(key == 1765061678123456LL);
        ck_assert(seq == 42);
}
END_TEST

START_TEST(foreign_cursors_are_refused)
{
        int64_t key = 7, seq = 9;
        char c[80], cut[96];

        ck_assert_int_eq(attention_cursor_decode(NULL, &key, &seq), ST_INVALID);
        ck_assert_int_eq(attention_cursor_decode("", &key, &seq), ST_INVALID);
        ck_assert_int_eq(attention_cursor_decode("abc", &key, &seq), ST_INVALID);
        ck_assert_int_eq(attention_cursor_decode("c1.", &key, &seq), ST_INVALID);
        ck_assert_int_eq(attention_cursor_decode(".c1", &key, &seq), ST_INVALID);
        attention_cursor_encode(5, 6, c, sizeof(c));
        snprintf(cut, sizeof(cut), "%s.c1", c);         /* three parts */
        ck_assert_int_eq(attention_cursor_decode(cut, &key, &seq), ST_INVALID);
        ck_assert(key == 7 && seq == 9);                  /* untouched on failure */
}
END_TEST

START_TEST(reasons_are_the_seven)
{
        size_t n = 0;

        while (attention_reasons[n] != NULL)
                n++;
        ck_assert_uint_eq(n, 7);
        ck_assert_str_eq(attention_reasons[0], "stalled");
}
END_TEST

static Suite *
attention_suite(void)
{
        Suite *s = suite_create("notify_attention");
        TCase *tc = tcase_create("attention");

        tcase_add_test(tc, admin_sees_the_whole_programme);
        tcase_add_test(tc, each_role_opens_its_own_branch);
        tcase_add_test(tc, viewers_and_services_get_none);
        tcase_add_test(tc, cursor_round_trips);
        tcase_add_test(tc, foreign_cursors_are_refused);
        tcase_add_test(tc, reasons_are_the_seven);
        suite_add_tcase(s, tc);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(attention_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
