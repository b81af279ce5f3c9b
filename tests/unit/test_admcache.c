/*
 * test_admcache.c - unit tests for admcache.c: answers kept until their
 * lifetime passes (a person who left is refused once it has), the size
 * bound, the e-mail check, invalidation by person, by subject and of all,
 * and the epoch that keeps an answer read before an invalidation out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "admcache.h"
#include "status.h"

#define PERSON_A "11111111-1111-4111-8111-111111111111"
#define PERSON_B "22222222-2222-4222-8222-222222222222"

static struct admcache_entry
entry(const char *id, const char *status)
{
        struct admcache_entry e;

        snprintf(e.person_id, sizeof(e.person_id), "%s", id);
        snprintf(e.status, sizeof(e.status), "%s", status);
        return e;
}

static struct admcache *
cache(unsigned size, unsigned ttl_ms)
{
        struct admcache *c = NULL;

        ck_assert_int_eq(admcache_new(size, ttl_ms, &c), ST_OK);
        ck_assert_ptr_nonnull(c);
        return c;
}

static void
put(struct admcache *c, const char *subject, const char *id, const char *status, uint64_t now)
{
        struct admcache_entry e = entry(id, status);

        admcache_put(c, admcache_epoch(c), subject, "a@example.com", &e, now);
}

START_TEST(test_hit_until_the_lifetime_passes)
{
        struct admcache *c = cache(64, 2000);
        struct admcache_entry e;

        ck_assert(!admcache_get(c, "sub-1", "a@example.com", 1000, &e));
        put(c, "sub-1", PERSON_A, "active", 1000);
        ck_assert(admcache_get(c, "sub-1", "a@example.com", 2999, &e));
        ck_assert_str_eq(e.person_id, PERSON_A);
        ck_assert_str_eq(e.status, "active");
        ck_assert(!admcache_get(c, "sub-1", "a@example.com", 3000, &e));
        admcache_free(c);
}
END_TEST

/*
 * The person left elsewhere (another instance, another service): the cached
 * "active" answer holds no longer than the lifetime; what is asked then is
 * the new answer, and "left" is what the caller is refused on.
 */
START_TEST(test_withdrawn_person_seen_once_the_lifetime_passes)
{
        struct admcache *c = cache(64, 500);
        struct admcache_entry e;

        put(c, "sub-1", PERSON_A, "active", 0);
        ck_assert(admcache_get(c, "sub-1", "a@example.com", 499, &e));
        ck_assert_str_eq(e.status, "active");
        ck_assert(!admcache_get(c, "sub-1", "a@example.com", 500, &e));
        put(c, "sub-1", PERSON_A, "left", 500);
        ck_assert(admcache_get(c, "sub-1", "a@example.com", 501, &e));
        ck_assert_str_eq(e.status, "left");
        admcache_free(c);
}
END_TEST

START_TEST(test_other_email_misses)
{
        struct admcache *c = cache(64, 5000);
        struct admcache_entry e;

        put(c, "sub-1", "", "", 0);
        ck_assert(admcache_get(c, "sub-1", "a@example.com", 1, &e));
        ck_assert_str_eq(e.person_id, "");
        ck_assert(!admcache_get(c, "sub-1", "b@example.com", 1, &e));
        admcache_free(c);
}
END_TEST

START_TEST(test_bounded_in_size)
{
        struct admcache *c = cache(64, 60000);
        struct admcache_entry e;
        char sub[32];
        int kept = 0;

        for (int i = 0; i < 1000; i++) {
                snprintf(sub, sizeof(sub), "sub-%d", i);
                put(c, sub, PERSON_A, "active", (uint64_t)i);
        }
        for (int i = 0; i < 1000; i++) {
                snprintf(sub, sizeof(sub), "sub-%d", i);
                kept += admcache_get(c, sub, "a@example.com", 1000, &e);
        }
        ck_assert_int_le(kept, 64);
        ck_assert_int_gt(kept, 0);
        /* the newest survive: a full set replaces its oldest entry */
        ck_assert(admcache_get(c, "sub-999", "a@example.com", 1000, &e));
        admcache_free(c);
}
END_TEST

START_TEST(test_invalidate_person)
{
        struct admcache *c = cache(64, 60000);
        struct admcache_entry e;

        put(c, "sub-1", PERSON_A, "active", 0);
        put(c, "sub-2", PERSON_A, "active", 0);   /* two subjects, one person */
        put(c, "sub-3", PERSON_B, "active", 0);
        admcache_invalidate_person(c, PERSON_A);
        ck_assert(!admcache_get(c, "sub-1", "a@example.com", 1, &e));
        ck_assert(!admcache_get(c, "sub-2", "a@example.com", 1, &e));
        ck_assert(admcache_get(c, "sub-3", "a@example.com", 1, &e));
        admcache_free(c);
}
END_TEST

START_TEST(test_invalidate_subject_and_clear)
{
        struct admcache *c = cache(64, 60000);
        struct admcache_entry e;

        put(c, "sub-1", PERSON_A, "active", 0);
        put(c, "sub-2", PERSON_B, "active", 0);
        admcache_invalidate_subject(c, "sub-1");
        ck_assert(!admcache_get(c, "sub-1", "a@example.com", 1, &e));
        ck_assert(admcache_get(c, "sub-2", "a@example.com", 1, &e));
        admcache_clear(c);
        ck_assert(!admcache_get(c, "sub-2", "a@example.com", 1, &e));
        admcache_free(c);
}
END_TEST

/* An answer read before an invalidation and stored after it is dropped. */
START_TEST(test_put_after_invalidation_is_dropped)
{
        struct admcache *c = cache(64, 60000);
        struct admcache_entry e = entry(PERSON_A, "active"), got;
        uint64_t epoch = admcache_epoch(c);

        admcache_invalidate_person(c, PERSON_A);
        admcache_put(c, epoch, "sub-1", "a@example.com", &e, 0);
        ck_assert(!admcache_get(c, "sub-1", "a@example.com", 1, &got));
        admcache_put(c, admcache_epoch(c), "sub-1", "a@example.com", &e, 0);
        ck_assert(admcache_get(c, "sub-1", "a@example.com", 1, &got));
        admcache_free(c);
}
END_TEST

START_TEST(test_disabled_cache)
{
        struct admcache *c = NULL;
        struct admcache_entry e = entry(PERSON_A, "active");
        unsigned long long hits, misses;

        ck_assert_int_eq(admcache_new(4096, 0, &c), ST_OK);
        ck_assert_ptr_null(c);
        ck_assert_int_eq(admcache_new(0, 5000, &c), ST_OK);
        ck_assert_ptr_null(c);
        admcache_put(c, admcache_epoch(c), "sub-1", "", &e, 0);
        ck_assert(!admcache_get(c, "sub-1", "", 1, &e));
        admcache_invalidate_person(c, PERSON_A);
        admcache_clear(c);
        admcache_stats(c, &hits, &misses);
        ck_assert_uint_eq(hits + misses, 0);
        admcache_free(c);
}
END_TEST

START_TEST(test_stats_and_long_subject)
{
        struct admcache *c = cache(64, 60000);
        struct admcache_entry e;
        unsigned long long hits, misses;
        char long_sub[300];

        memset(long_sub, 'x', sizeof(long_sub) - 1);
        long_sub[sizeof(long_sub) - 1] = '\0';
        put(c, long_sub, PERSON_A, "active", 0);   /* too long to keep: never a wrong hit */
        ck_assert(!admcache_get(c, long_sub, "a@example.com", 1, &e));
        put(c, "sub-1", PERSON_A, "active", 0);
        ck_assert(admcache_get(c, "sub-1", "a@example.com", 1, &e));
        ck_assert(!admcache_get(c, "sub-2", "a@example.com", 1, &e));
        admcache_stats(c, &hits, &misses);
        ck_assert_uint_eq(hits, 1);
        ck_assert_uint_eq(misses, 1);
        admcache_free(c);
}
END_TEST

static Suite *
admcache_suite(void)
{
        Suite *s = suite_create("admcache");
        TCase *tc = tcase_create("cache");

        tcase_add_test(tc, test_hit_until_the_lifetime_passes);
        tcase_add_test(tc, test_withdrawn_person_seen_once_the_lifetime_passes);
        tcase_add_test(tc, test_other_email_misses);
        tcase_add_test(tc, test_bounded_in_size);
        tcase_add_test(tc, test_invalidate_person);
        tcase_add_test(tc, test_invalidate_subject_and_clear);
        tcase_add_test(tc, test_put_after_invalidation_is_dropped);
        tcase_add_test(tc, test_disabled_cache);
        tcase_add_test(tc, test_stats_and_long_subject);
        suite_add_tcase(s, tc);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(admcache_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
