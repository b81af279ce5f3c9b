/*
 * test_bgthread.c - unit tests for shared/bgthread.c: a nap ends on a wake
 * (even one that came before it), on a stop, or at its deadline on the
 * monotonic clock; a stop ends the loop and joins within a bound; done runs
 * once, on the thread.  The tests wait on what the thread did (counters),
 * each wait bounded; no test needs the wall clock.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include <check.h>

#include "bgthread.h"
#include "status.h"

#define LONG_NAP_MS 60000        /* a nap that only a wake or a stop ends in a test's time */
#define BOUND_MS 5000            /* how long a test waits for the thread, at most */

struct probe {
        atomic_int turns;        /* body calls begun */
        atomic_int naps_ended;
        atomic_int woken_early;  /* naps that ended before their deadline, not stopping */
        atomic_int stopped_naps; /* naps that returned true */
        atomic_int done;
        atomic_int go;           /* the first turn waits for it before it naps */
        atomic_int gated;        /* the first turn is waiting for go */
        unsigned nap_ms;
        long first_nap_ms;       /* how long the first nap lasted */
};

static long
ms_since(const struct timespec *t0)
{
        struct timespec now;

        clock_gettime(CLOCK_MONOTONIC, &now);
        return (now.tv_sec - t0->tv_sec) * 1000L + (now.tv_nsec - t0->tv_nsec) / 1000000L;
}

/* Waits (bounded) until *@v >= @want; true when it got there. */
static bool
wait_for(atomic_int *v, int want)
{
        struct timespec t0;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        while (atomic_load(v) < want && ms_since(&t0) < BOUND_MS)
                nanosleep(&(struct timespec){ 0, 1000000L }, NULL);
        return atomic_load(v) >= want;
}

static void
body(struct bgthread *t, void *arg)
{
        struct probe *p = arg;
        struct timespec t0;
        bool stop;
        long ms;

        if (atomic_fetch_add(&p->turns, 1) == 0 && atomic_load(&p->go) == 0) {
                atomic_store(&p->gated, 1);
                wait_for(&p->go, 1);
        }
        clock_gettime(CLOCK_MONOTONIC, &t0);
        stop = bgthread_nap(t, p->nap_ms);
        ms = ms_since(&t0);
        if (atomic_load(&p->naps_ended) == 0)
                p->first_nap_ms = ms;
        if (stop)
                atomic_fetch_add(&p->stopped_naps, 1);
        else if (ms < (long)p->nap_ms)
                atomic_fetch_add(&p->woken_early, 1);
        atomic_fetch_add(&p->naps_ended, 1);
}

static void
done(struct bgthread *t, void *arg)
{
        struct probe *p = arg;

        (void)t;
        atomic_fetch_add(&p->done, 1);
}

static struct bgthread *
start(struct probe *p, unsigned nap_ms, bool gate)
{
        struct bgthread *t = NULL;

        p->nap_ms = nap_ms;
        atomic_store(&p->go, gate ? 0 : 1);
        ck_assert_int_eq(bgthread_start(&t, body, done, p), ST_OK);
        ck_assert_ptr_nonnull(t);
        return t;
}

START_TEST(test_wake_ends_a_nap_in_progress)
{
        struct probe p = { 0 };
        struct bgthread *t = start(&p, LONG_NAP_MS, false);

        ck_assert(wait_for(&p.turns, 1));
        bgthread_wake(t);   /* before or during its nap: either way it ends now */
        ck_assert(wait_for(&p.naps_ended, 1));
        ck_assert_int_eq(atomic_load(&p.woken_early), 1);
        ck_assert_int_eq(atomic_load(&p.stopped_naps), 0);
        ck_assert(!bgthread_stopping(t));
        ck_assert(wait_for(&p.turns, 2));   /* the loop goes on: the next turn naps again */
        bgthread_join(t);
        ck_assert_int_eq(atomic_load(&p.done), 1);
}
END_TEST

/* A wake while the body works is kept: the next nap returns at once, and only that one. */
START_TEST(test_wake_while_working_ends_the_next_nap)
{
        struct probe p = { 0 };
        struct bgthread *t = start(&p, LONG_NAP_MS, true);

        ck_assert(wait_for(&p.gated, 1));   /* the first turn is working, not napping */
        bgthread_wake(t);
        bgthread_wake(t);                   /* two wakes before a nap count as one */
        atomic_store(&p.go, 1);
        ck_assert(wait_for(&p.naps_ended, 1));
        ck_assert_int_eq(atomic_load(&p.woken_early), 1);
        ck_assert(wait_for(&p.turns, 2));
        /* the second turn's nap is long: it has not ended on the first wakes */
        ck_assert_int_eq(atomic_load(&p.naps_ended), 1);
        bgthread_join(t);
        ck_assert_int_eq(atomic_load(&p.stopped_naps), 1);
}
END_TEST

START_TEST(test_stop_ends_the_nap_and_joins_within_a_bound)
{
        struct probe p = { 0 };
        struct bgthread *t = start(&p, LONG_NAP_MS, false);
        struct timespec t0;
        int turns;

        ck_assert(wait_for(&p.turns, 1));
        clock_gettime(CLOCK_MONOTONIC, &t0);
        bgthread_join(t);
        ck_assert_int_lt(ms_since(&t0), BOUND_MS);
        turns = atomic_load(&p.turns);
        ck_assert_int_eq(atomic_load(&p.naps_ended), turns);   /* the turn in progress ended */
        ck_assert_int_eq(atomic_load(&p.stopped_naps), 1);
        ck_assert_int_eq(atomic_load(&p.woken_early), 0);
        ck_assert_int_eq(atomic_load(&p.done), 1);
}
END_TEST

/* Stop asks without waiting; the loop runs no turn after it; join then returns. */
START_TEST(test_stop_before_any_turn_runs_done_only)
{
        struct probe p = { 0 };
        struct bgthread *t = start(&p, LONG_NAP_MS, true);

        ck_assert(wait_for(&p.gated, 1));
        bgthread_stop(t);
        ck_assert(bgthread_stopping(t));
        atomic_store(&p.go, 1);
        bgthread_join(t);
        ck_assert_int_eq(atomic_load(&p.turns), 1);
        ck_assert_int_eq(atomic_load(&p.stopped_naps), 1);   /* a nap after a stop: at once */
        ck_assert_int_eq(atomic_load(&p.done), 1);
}
END_TEST

/* Unwoken, a nap lasts its time on the monotonic clock, then the loop turns again. */
START_TEST(test_nap_lasts_until_its_deadline)
{
        struct probe p = { 0 };
        struct bgthread *t = start(&p, 30, false);

        ck_assert(wait_for(&p.naps_ended, 2));
        bgthread_join(t);
        ck_assert_int_eq(atomic_load(&p.woken_early), 0);
        ck_assert_int_ge(p.first_nap_ms, 30);
}
END_TEST

START_TEST(test_start_refuses_no_body_and_stop_accepts_null)
{
        struct bgthread *t = NULL;

        ck_assert_int_eq(bgthread_start(&t, NULL, done, NULL), ST_INVALID);
        ck_assert_ptr_null(t);
        bgthread_stop(NULL);
        bgthread_join(NULL);
}
END_TEST

int
main(void)
{
        Suite *s = suite_create("bgthread");
        TCase *tc = tcase_create("bgthread");
        SRunner *sr;
        int failed;

        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_wake_ends_a_nap_in_progress);
        tcase_add_test(tc, test_wake_while_working_ends_the_next_nap);
        tcase_add_test(tc, test_stop_ends_the_nap_and_joins_within_a_bound);
        tcase_add_test(tc, test_stop_before_any_turn_runs_done_only);
        tcase_add_test(tc, test_nap_lasts_until_its_deadline);
        tcase_add_test(tc, test_start_refuses_no_body_and_stop_accepts_null);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
