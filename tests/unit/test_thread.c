/*
 * test_thread.c - unit tests for shared/thread.c: a background thread never
 * takes SIGTERM or SIGINT, whatever its starter had blocked, and the starter
 * keeps its own mask.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

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

/* A timed wait on thread_cond_init's condition takes a CLOCK_MONOTONIC deadline. */
START_TEST(test_cond_waits_on_the_monotonic_clock)
{
        pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
        pthread_cond_t cond;
        struct timespec start, deadline, end;
        int rc;
        long ms;

        ck_assert_int_eq(thread_cond_init(&cond), 0);
        clock_gettime(CLOCK_MONOTONIC, &start);
        deadline = start;
        deadline.tv_nsec += 50L * 1000 * 1000;
        if (deadline.tv_nsec >= 1000L * 1000 * 1000) {
                deadline.tv_sec++;
                deadline.tv_nsec -= 1000L * 1000 * 1000;
        }
        pthread_mutex_lock(&mu);
        do
                rc = pthread_cond_timedwait(&cond, &mu, &deadline);
        while (rc == 0);                       /* a spurious wake-up: wait again */
        pthread_mutex_unlock(&mu);
        clock_gettime(CLOCK_MONOTONIC, &end);
        ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000;
        ck_assert_int_eq(rc, ETIMEDOUT);
        /* on the wall clock the monotonic deadline would be decades past: no wait */
        ck_assert_int_ge(ms, 45);
        ck_assert_int_lt(ms, 5000);
        pthread_cond_destroy(&cond);
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
        tcase_add_test(tc, test_cond_waits_on_the_monotonic_clock);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
