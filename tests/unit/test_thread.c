/*
 * test_thread.c - unit tests for shared/thread.c: a background thread never
 * takes SIGTERM or SIGINT, whatever its starter had blocked, and the starter
 * keeps its own mask.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include <check.h>

#include "thread.h"

static void *
mask_of(void *arg)
{
        pthread_sigmask(SIG_BLOCK, NULL, (sigset_t *)arg);
        return NULL;
}

START_TEST(test_started_thread_blocks_stop_signals)
{
        sigset_t none, mine, theirs;
        pthread_t t;

        sigemptyset(&none);
        pthread_sigmask(SIG_SETMASK, &none, NULL);   /* as before service_run blocks them */
        ck_assert_int_eq(thread_start(&t, mask_of, &theirs), 0);
        pthread_join(t, NULL);
        ck_assert(sigismember(&theirs, SIGTERM));
        ck_assert(sigismember(&theirs, SIGINT));
        ck_assert(!sigismember(&theirs, SIGHUP));
        pthread_sigmask(SIG_BLOCK, NULL, &mine);
        ck_assert(!sigismember(&mine, SIGTERM));
        ck_assert(!sigismember(&mine, SIGINT));
}
END_TEST

START_TEST(test_stop_signals_are_term_and_int)
{
        sigset_t set;

        thread_stop_signals(&set);
        ck_assert(sigismember(&set, SIGTERM));
        ck_assert(sigismember(&set, SIGINT));
        ck_assert(!sigismember(&set, SIGPIPE));
}
END_TEST

int
main(void)
{
        Suite *s = suite_create("thread");
        TCase *tc = tcase_create("thread");
        SRunner *sr;
        int failed;

        tcase_add_test(tc, test_started_thread_blocks_stop_signals);
        tcase_add_test(tc, test_stop_signals_are_term_and_int);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
