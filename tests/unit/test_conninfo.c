/*
 * test_conninfo.c - unit tests for shared/conninfo.c: what TANDEM_DATABASE_URL
 * says wins; the service adds only what it leaves out.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "conninfo.h"
#include "status.h"

static void
build(const char *url, struct db_conninfo *ci)
{
        struct db_settings set = { .conninfo = url, .schema = "people", .size = 1,
                                   .statement_ms = 3000 };
        char err[256];

        ck_assert_msg(db_conninfo_build(&set, ci, err, sizeof(err)) == ST_OK, "%s", err);
}

#define ck_key(ci, key, want) ck_assert_str_eq(db_conninfo_get(ci, key), want)

START_TEST(test_defaults_fill_what_the_url_leaves_out)
{
        struct db_conninfo ci;

        build("postgresql://tandem@127.0.0.1:5433/tandem", &ci);
        ck_key(&ci, "host", "127.0.0.1");
        ck_key(&ci, "port", "5433");
        ck_key(&ci, "dbname", "tandem");
        ck_key(&ci, "application_name", "tandem-people");
        ck_key(&ci, "connect_timeout", "3");
        ck_key(&ci, "keepalives", "1");
        ck_key(&ci, "tcp_user_timeout", "10000");
        ck_key(&ci, "options", "-c search_path=people -c TimeZone=UTC -c statement_timeout=3000"
               " -c idle_in_transaction_session_timeout=6000");
        db_conninfo_release(&ci);
}
END_TEST

START_TEST(test_url_settings_win)
{
        struct db_conninfo ci;

        build("postgresql://u@h1:5432,h2:5433/db?application_name=ops-app&connect_timeout=7"
              "&keepalives=0&target_session_attrs=read-write"
              "&options=-c%20statement_timeout%3D900%20-c%20default_transaction_read_only%3Don",
              &ci);
        ck_key(&ci, "host", "h1,h2");
        ck_key(&ci, "port", "5432,5433");
        ck_key(&ci, "application_name", "ops-app");
        ck_key(&ci, "connect_timeout", "7");
        ck_key(&ci, "keepalives", "0");
        ck_key(&ci, "target_session_attrs", "read-write");
        /* the URL's -c comes after the service's, so the server takes the URL's */
        ck_key(&ci, "options", "-c search_path=people -c TimeZone=UTC -c statement_timeout=3000"
               " -c idle_in_transaction_session_timeout=6000"
               " -c statement_timeout=900 -c default_transaction_read_only=on");
        db_conninfo_release(&ci);
}
END_TEST

START_TEST(test_keyword_form_and_bad_url)
{
        struct db_settings set = { .conninfo = "host=/tmp port=5 application_name",
                                   .schema = "people", .size = 1 };
        struct db_conninfo ci;
        char err[256] = "";

        build("host=/var/run/postgresql dbname=t application_name=mine", &ci);
        ck_key(&ci, "host", "/var/run/postgresql");
        ck_key(&ci, "application_name", "mine");
        ck_assert_ptr_nonnull(strstr(db_conninfo_get(&ci, "options"), "statement_timeout=3000"));
        db_conninfo_release(&ci);

        ck_assert_int_eq(db_conninfo_build(&set, &ci, err, sizeof(err)), ST_INVALID);
        ck_assert_ptr_nonnull(strstr(err, "cannot parse"));
        db_conninfo_release(&ci);
}
END_TEST

int
main(void)
{
        Suite *s = suite_create("conninfo");
        TCase *tc = tcase_create("conninfo");
        SRunner *sr;
        int failed;

        tcase_add_test(tc, test_defaults_fill_what_the_url_leaves_out);
        tcase_add_test(tc, test_url_settings_win);
        tcase_add_test(tc, test_keyword_form_and_bad_url);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
