/*
 * test_withdrawn.c - unit tests for withdrawn.c: the digests are the ones the
 * SQL computes (access_db.c's DIGEST), a lookup merges every row matching the
 * subject or the lower-cased e-mail as access_withdrawn_find does, the bound,
 * and when a process's snapshot may answer at all.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "access.h"
#include "status.h"
#include "withdrawn.h"

/* encode(sha256(convert_to('abc', 'UTF8')), 'hex') */
#define ABC_HEX "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/* ... of lower('Ann@Example.COM') */
#define ANN_HEX "71d4f55f72fa128dfb468a1a3901507c804b74316488744d769d7f4b16696476"

static void
row(struct withdrawn_row *r, const char *subject, const char *email, bool left,
    unsigned removed)
{
        memset(r, 0, sizeof(*r));
        r->has_subject = subject != NULL && withdrawn_digest(subject, false, r->subject);
        r->has_email = email != NULL && withdrawn_digest(email, true, r->email);
        r->left = left;
        r->removed = removed;
}

START_TEST(test_digest_is_the_sql_one)
{
        unsigned char got[WITHDRAWN_DIGEST_LEN], want[WITHDRAWN_DIGEST_LEN];

        ck_assert(withdrawn_parse_digest(ABC_HEX, want));
        ck_assert(withdrawn_digest("abc", false, got));
        ck_assert_mem_eq(got, want, WITHDRAWN_DIGEST_LEN);
        ck_assert(withdrawn_parse_digest(ANN_HEX, want));
        ck_assert(withdrawn_digest("Ann@Example.COM", true, got));
        ck_assert_mem_eq(got, want, WITHDRAWN_DIGEST_LEN);
        /* a subject is digested as it is: case matters */
        ck_assert(withdrawn_digest("ABC", false, got));
        ck_assert(withdrawn_parse_digest(ABC_HEX, want));
        ck_assert(memcmp(got, want, WITHDRAWN_DIGEST_LEN) != 0);
}
END_TEST

START_TEST(test_digest_refusals)
{
        unsigned char d[WITHDRAWN_DIGEST_LEN];
        char long_mail[WITHDRAWN_EMAIL_MAX + 2];

        ck_assert(!withdrawn_digest(NULL, false, d));
        ck_assert(!withdrawn_digest("", true, d));              /* no e-mail matches nothing */
        ck_assert(!withdrawn_digest("J\xc3\x96RG@example.com", true, d));  /* the locale's */
        memset(long_mail, 'a', sizeof(long_mail) - 1);
        long_mail[sizeof(long_mail) - 1] = '\0';
        ck_assert(!withdrawn_digest(long_mail, true, d));
        ck_assert(withdrawn_digest("J\xc3\x96RG", false, d));   /* a subject needs no lower() */
}
END_TEST

START_TEST(test_parse_digest)
{
        unsigned char d[WITHDRAWN_DIGEST_LEN];
        char upper[] = ABC_HEX;

        ck_assert(withdrawn_parse_digest(ABC_HEX, d));
        ck_assert_uint_eq(d[0], 0xba);
        ck_assert_uint_eq(d[31], 0xad);
        upper[0] = 'B';             /* the SQL compares text: upper case matches nobody */
        ck_assert(!withdrawn_parse_digest(upper, d));
        ck_assert(!withdrawn_parse_digest(NULL, d));
        ck_assert(!withdrawn_parse_digest("", d));
        ck_assert(!withdrawn_parse_digest(ABC_HEX "0", d));
        upper[0] = 'g';
        ck_assert(!withdrawn_parse_digest(upper, d));
}
END_TEST

START_TEST(test_lookup_merges)
{
        struct withdrawn_row rows[4];
        struct withdrawn_set *s = NULL;
        struct withdrawn_answer a;

        row(&rows[0], "sub-left", "left@example.com", true, 0);
        row(&rows[1], "sub-roles", NULL, false, ROLE_MENTOR);
        row(&rows[2], NULL, "Roles@Example.com", false, ROLE_COMMS);
        row(&rows[3], "sub-roles", NULL, false, ROLE_ADMIN);
        ck_assert_int_eq(withdrawn_set_new(rows, 4, &s), ST_OK);

        ck_assert(withdrawn_set_lookup(s, "sub-left", NULL, &a));
        ck_assert(a.left);
        /* the e-mail alone, whatever its case, finds who left */
        ck_assert(withdrawn_set_lookup(s, "another", "LEFT@example.com", &a));
        ck_assert(a.left);
        /* the subject's rows and the e-mail's, merged */
        ck_assert(withdrawn_set_lookup(s, "sub-roles", "roles@example.com", &a));
        ck_assert(!a.left);
        ck_assert_uint_eq(a.removed, ROLE_MENTOR | ROLE_ADMIN | ROLE_COMMS);
        /* nobody withdrawn: nothing, and an empty e-mail matches no row */
        ck_assert(withdrawn_set_lookup(s, "someone", "", &a));
        ck_assert(!a.left);
        ck_assert_uint_eq(a.removed, 0);
        ck_assert(withdrawn_set_lookup(s, "someone", NULL, &a));
        ck_assert_uint_eq(a.removed, 0);
        /* a non-ASCII e-mail: ask the database */
        ck_assert(!withdrawn_set_lookup(s, "someone", "\xc3\xa9@example.com", &a));
        withdrawn_set_free(s);
}
END_TEST

START_TEST(test_set_bound)
{
        struct withdrawn_row *rows = calloc(WITHDRAWN_MAX + 1, sizeof(*rows));
        struct withdrawn_set *s = NULL;
        struct withdrawn_answer a;

        ck_assert_ptr_nonnull(rows);
        ck_assert_int_eq(withdrawn_set_new(rows, WITHDRAWN_MAX + 1, &s), ST_INVALID);
        ck_assert_ptr_null(s);
        ck_assert_int_eq(withdrawn_set_new(rows, 0, &s), ST_OK);
        ck_assert(withdrawn_set_lookup(s, "x", "x@example.com", &a));
        ck_assert(!a.left);
        withdrawn_set_free(s);
        free(rows);
}
END_TEST

START_TEST(test_snapshot_freshness)
{
        struct withdrawn *w = NULL;
        struct withdrawn_row r;
        struct withdrawn_set *s = NULL;
        struct withdrawn_answer a;
        uint64_t t = 100000;

        row(&r, "sub", NULL, true, 0);
        ck_assert_int_eq(withdrawn_new(&w), ST_OK);
        ck_assert_int_eq(withdrawn_version(w), -1);
        ck_assert(!withdrawn_lookup(w, t, "sub", NULL, &a));    /* nothing loaded */
        ck_assert(withdrawn_claim_check(w, t));
        ck_assert(!withdrawn_claim_check(w, t));                /* one checker at a time */
        ck_assert_int_eq(withdrawn_set_new(&r, 1, &s), ST_OK);
        withdrawn_checked(w, t, true, 7, s, false);
        ck_assert_int_eq(withdrawn_version(w), 7);
        ck_assert(withdrawn_lookup(w, t + 10, "sub", NULL, &a));
        ck_assert(a.left);
        ck_assert(!withdrawn_claim_check(w, t + WITHDRAWN_CHECK_MS - 1));
        ck_assert(withdrawn_claim_check(w, t + WITHDRAWN_CHECK_MS));
        /* the database could not be asked: the snapshot ages out */
        withdrawn_checked(w, t + WITHDRAWN_CHECK_MS, false, -1, NULL, false);
        ck_assert(withdrawn_lookup(w, t + WITHDRAWN_STALE_MS, "sub", NULL, &a));
        ck_assert(!withdrawn_lookup(w, t + WITHDRAWN_STALE_MS + 1, "sub", NULL, &a));
        /* unchanged: the same set stays, checked anew */
        ck_assert(withdrawn_claim_check(w, t + 5000));
        withdrawn_checked(w, t + 5000, true, 7, NULL, false);
        ck_assert(withdrawn_lookup(w, t + 5001, "sub", NULL, &a));
        ck_assert(a.left);
        /* too big to keep: it answers for nobody */
        ck_assert(withdrawn_claim_check(w, t + 7000));
        withdrawn_checked(w, t + 7000, true, 8, NULL, true);
        ck_assert(!withdrawn_lookup(w, t + 7001, "sub", NULL, &a));
        withdrawn_free(w);
}
END_TEST

static Suite *
withdrawn_suite(void)
{
        Suite *s = suite_create("withdrawn");
        TCase *tc_pure = tcase_create("pure");
        TCase *tc_snapshot = tcase_create("snapshot");

        tcase_add_test(tc_pure, test_digest_is_the_sql_one);
        tcase_add_test(tc_pure, test_digest_refusals);
        tcase_add_test(tc_pure, test_parse_digest);
        tcase_add_test(tc_pure, test_lookup_merges);
        tcase_add_test(tc_pure, test_set_bound);
        suite_add_tcase(s, tc_pure);
        tcase_add_test(tc_snapshot, test_snapshot_freshness);
        suite_add_tcase(s, tc_snapshot);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(withdrawn_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
