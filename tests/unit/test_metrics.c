/*
 * test_metrics.c - unit tests for metrics.c: counters by route and status,
 * cumulative histograms, label escaping, pool gauges, the unmatched route,
 * lock-free counting from several threads, and a service's own families
 * (metrics_family, metrics_sample).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "buf.h"
#include "metrics.h"

#define SVC "service=\"people\""
#define GET_ID SVC ",method=\"GET\",route=\"/v1/people/:id\""
#define REQS "tandem_http_requests_total{"
#define HIST "tandem_http_request_duration_seconds"

/* True when @line is a whole line of @text. */
static int
has_line(const char *text, const char *line)
{
        size_t n = strlen(line);
        const char *p = text;

        while ((p = strstr(p, line)) != NULL) {
                if ((p == text || p[-1] == '\n') && p[n] == '\n')
                        return 1;
                p += n;
        }
        return 0;
}

#define ck_assert_line(text, line) \
        ck_assert_msg(has_line(text, line), "missing line: %s\n--- in:\n%s", line, text)

START_TEST(test_counts_by_route_and_status)
{
        struct metrics *m = metrics_new("people");
        int get, post, i;
        char *text;

        ck_assert_ptr_nonnull(m);
        get = metrics_route(m, "GET", "/v1/people/:id");
        post = metrics_route(m, "POST", "/v1/people");
        ck_assert_int_eq(get, 0);
        ck_assert_int_eq(post, 1);
        ck_assert_int_eq(metrics_route(m, "GET", "/v1/people/:id"), get);
        for (i = 0; i < 3; i++)
                metrics_observe(m, get, 200, 1.0);
        metrics_observe(m, get, 404, 1.0);
        metrics_observe(m, post, 201, 1.0);
        metrics_observe(m, post, 418, 1.0);
        text = metrics_render(m, NULL);
        ck_assert_ptr_nonnull(text);
        ck_assert_line(text, "# HELP tandem_http_requests_total"
                       " HTTP requests by route and status.");
        ck_assert_line(text, "# TYPE tandem_http_requests_total counter");
        ck_assert_line(text, REQS GET_ID ",status=\"200\"} 3");
        ck_assert_line(text, REQS GET_ID ",status=\"404\"} 1");
        ck_assert_line(text, REQS SVC
                       ",method=\"POST\",route=\"/v1/people\",status=\"201\"} 1");
        ck_assert_line(text, REQS SVC
                       ",method=\"POST\",route=\"/v1/people\",status=\"other\"} 1");
        ck_assert_ptr_null(strstr(text, "status=\"500\""));
        ck_assert_ptr_null(strstr(text, "tandem_db_pool"));
        ck_assert_line(text, "# TYPE tandem_up gauge");
        ck_assert_line(text, "tandem_up{" SVC "} 1");
        free(text);
        metrics_free(m);
}
END_TEST

START_TEST(test_histogram_cumulative)
{
        struct metrics *m = metrics_new("people");
        int get = metrics_route(m, "GET", "/v1/people/:id");
        char *text;

        metrics_observe(m, get, 200, 0.3);
        metrics_observe(m, get, 200, 5.0);      /* exactly on a bound: le is <= */
        metrics_observe(m, get, 200, 30.0);
        metrics_observe(m, get, 500, 3000.0);
        text = metrics_render(m, NULL);
        ck_assert_line(text, "# TYPE tandem_http_request_duration_seconds histogram");
        ck_assert_line(text, HIST "_bucket{" GET_ID ",le=\"0.0005\"} 1");
        ck_assert_line(text, HIST "_bucket{" GET_ID ",le=\"0.0025\"} 1");
        ck_assert_line(text, HIST "_bucket{" GET_ID ",le=\"0.005\"} 2");
        ck_assert_line(text, HIST "_bucket{" GET_ID ",le=\"0.025\"} 2");
        ck_assert_line(text, HIST "_bucket{" GET_ID ",le=\"0.05\"} 3");
        ck_assert_line(text, HIST "_bucket{" GET_ID ",le=\"2.5\"} 3");
        ck_assert_line(text, HIST "_bucket{" GET_ID ",le=\"+Inf\"} 4");
        ck_assert_line(text, HIST "_sum{" GET_ID "} 3.035300");
        ck_assert_line(text, HIST "_count{" GET_ID "} 4");
        free(text);
        metrics_free(m);
}
END_TEST

START_TEST(test_unobserved_route_has_no_series)
{
        struct metrics *m = metrics_new("people");
        char *text;

        metrics_route(m, "DELETE", "/v1/people/:id");
        text = metrics_render(m, NULL);
        ck_assert_ptr_null(strstr(text, "DELETE"));
        ck_assert_line(text, "# TYPE tandem_http_request_duration_seconds histogram");
        free(text);
        metrics_free(m);
}
END_TEST

START_TEST(test_label_escaping)
{
        struct metrics *m = metrics_new("a\"b\\c\nd");
        int idx = metrics_route(m, "GET", "/v1/x/\"q\"");
        char *text;

        metrics_observe(m, idx, 200, 1.0);
        text = metrics_render(m, NULL);
        ck_assert_line(text, REQS "service=\"a\\\"b\\\\c\\nd\",method=\"GET\","
                       "route=\"/v1/x/\\\"q\\\"\",status=\"200\"} 1");
        ck_assert_line(text, "tandem_up{service=\"a\\\"b\\\\c\\nd\"} 1");
        free(text);
        metrics_free(m);
}
END_TEST

START_TEST(test_pool_gauges)
{
        struct metrics *m = metrics_new("people");
        struct metrics_pool_stats pool = { 10, 3, 7, 42, 5, 123456 };
        char *text = metrics_render(m, &pool);

        ck_assert_line(text, "# TYPE tandem_db_pool_size gauge");
        ck_assert_line(text, "tandem_db_pool_size{" SVC "} 10");
        ck_assert_line(text, "tandem_db_pool_in_use{" SVC "} 3");
        ck_assert_line(text, "tandem_db_pool_idle{" SVC "} 7");
        ck_assert_line(text, "# TYPE tandem_db_pool_waits_total counter");
        ck_assert_line(text, "tandem_db_pool_waits_total{" SVC "} 42");
        ck_assert_line(text, "# TYPE tandem_db_pool_timeouts_total counter");
        ck_assert_line(text, "tandem_db_pool_timeouts_total{" SVC "} 5");
        ck_assert_line(text, "# TYPE tandem_db_statements_total counter");
        ck_assert_line(text, "tandem_db_statements_total{" SVC "} 123456");
        free(text);
        metrics_free(m);
}
END_TEST

START_TEST(test_unmatched_route)
{
        struct metrics *m = metrics_new("people");
        char *text;

        metrics_observe(m, -1, 404, 0.2);
        metrics_observe(m, 7, 404, 0.2);       /* never registered: unmatched too */
        text = metrics_render(m, NULL);
        ck_assert_line(text, REQS SVC
                       ",method=\"\",route=\"unmatched\",status=\"404\"} 2");
        ck_assert_line(text, HIST "_count{" SVC
                       ",method=\"\",route=\"unmatched\"} 2");
        free(text);
        metrics_free(m);
}
END_TEST

START_TEST(test_table_full)
{
        struct metrics *m = metrics_new("people");
        char pattern[32];
        int i;

        for (i = 0; i < 64; i++) {
                snprintf(pattern, sizeof(pattern), "/r%d", i);
                ck_assert_int_eq(metrics_route(m, "GET", pattern), i);
        }
        ck_assert_int_eq(metrics_route(m, "GET", "/one-too-many"), -1);
        ck_assert_int_eq(metrics_route(m, "GET", "/r5"), 5);
        metrics_free(m);
        metrics_free(NULL);
}
END_TEST

#define OBSERVERS 4
#define PER_THREAD 20000

struct observer {
        struct metrics *m;
        int idx;
};

static void *
observe_many(void *arg)
{
        struct observer *o = arg;
        int i;

        for (i = 0; i < PER_THREAD; i++)
                metrics_observe(o->m, o->idx, i % 2 == 0 ? 200 : 503, 2.0);
        return NULL;
}

START_TEST(test_own_families)
{
        struct buf b = BUF_INIT;
        const char *labels[] = { "step", "partner", "why", "a \"quote\"\nand \\", NULL };
        char *text;

        metrics_family(&b, "tandem_nudges_total", "counter", "Nudges.");
        metrics_sample(&b, "tandem_nudges_total", labels, 3);
        metrics_sample(&b, "tandem_things", NULL, 0);
        metrics_sample(&b, "tandem_age_seconds", NULL, 1.25);
        text = buf_detach(&b);
        ck_assert_ptr_nonnull(text);
        ck_assert_line(text, "# HELP tandem_nudges_total Nudges.");
        ck_assert_line(text, "# TYPE tandem_nudges_total counter");
        ck_assert_line(text, "tandem_nudges_total{step=\"partner\",why=\"a \\\"quote\\\"\\nand \\\\\"} 3");
        ck_assert_line(text, "tandem_things 0");
        ck_assert_line(text, "tandem_age_seconds 1.250");
        free(text);
}
END_TEST

START_TEST(test_concurrent_observe)
{
        struct metrics *m = metrics_new("people");
        struct observer o = { m, metrics_route(m, "GET", "/v1/people/:id") };
        pthread_t threads[OBSERVERS];
        char *text;
        int i;

        for (i = 0; i < OBSERVERS; i++)
                ck_assert_int_eq(pthread_create(&threads[i], NULL, observe_many, &o), 0);
        for (i = 0; i < OBSERVERS; i++)
                ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
        text = metrics_render(m, NULL);
        ck_assert_line(text, REQS GET_ID ",status=\"200\"} 40000");
        ck_assert_line(text, REQS GET_ID ",status=\"503\"} 40000");
        ck_assert_line(text, HIST "_bucket{" GET_ID ",le=\"0.001\"} 0");
        ck_assert_line(text, HIST "_bucket{" GET_ID ",le=\"0.0025\"} 80000");
        ck_assert_line(text, HIST "_count{" GET_ID "} 80000");
        ck_assert_line(text, HIST "_sum{" GET_ID "} 160.000000");
        free(text);
        metrics_free(m);
}
END_TEST

static Suite *
metrics_suite(void)
{
        Suite *s = suite_create("metrics");
        TCase *tc = tcase_create("render");

        tcase_add_test(tc, test_counts_by_route_and_status);
        tcase_add_test(tc, test_histogram_cumulative);
        tcase_add_test(tc, test_unobserved_route_has_no_series);
        tcase_add_test(tc, test_label_escaping);
        tcase_add_test(tc, test_pool_gauges);
        tcase_add_test(tc, test_unmatched_route);
        tcase_add_test(tc, test_table_full);
        tcase_add_test(tc, test_concurrent_observe);
        tcase_add_test(tc, test_own_families);
        tcase_set_timeout(tc, 60);      /* the threads test is slow under valgrind */
        suite_add_tcase(s, tc);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(metrics_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
