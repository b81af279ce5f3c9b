/*
 * test_client.c - unit tests for client.c against a real ulfius server run
 * in-process on 127.0.0.1 (a free port found by binding to port 0): forwarded
 * headers, JSON bodies, timeouts, 5xx, non-JSON answers, refusals, size cap;
 * and against a raw loopback server that counts the connections it accepts:
 * calls reuse kept-alive connections.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>
#include <ulfius.h>

#include "client.h"
#include "log.h"
#include "status.h"

#define BIG_BODY (5u << 20)

static struct _u_instance server;
static struct sockaddr_in server_addr;     /* ulfius borrows it: must outlive the server */
static char base_url[64];
static char refused_url[64];

/* A port nobody listens on now: bind to port 0, read it, close. */
static unsigned
free_port(void)
{
        struct sockaddr_in a;
        socklen_t len = sizeof(a);
        int fd = socket(AF_INET, SOCK_STREAM, 0);

        ck_assert_int_ge(fd, 0);
        memset(&a, 0, sizeof(a));
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
        ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
        close(fd);
        return ntohs(a.sin_port);
}

static json_t *
header_or_null(const struct _u_request *req, const char *name)
{
        const char *v = u_map_get_case(req->map_header, name);

        return v != NULL ? json_string(v) : json_null();
}

/* Echoes the request's method, forwarded headers and JSON body. */
static int
cb_echo(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
        json_t *j_body = ulfius_get_json_body_request(req, NULL);
        json_t *j_out;

        (void)user_data;
        j_out = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}",
                          "method", req->http_verb,
                          "authorization", header_or_null(req, "Authorization"),
                          "request_id", header_or_null(req, "X-Request-Id"),
                          "accept", header_or_null(req, "Accept"),
                          "content_type", header_or_null(req, "Content-Type"),
                          "body", j_body != NULL ? j_body : json_null());
        ulfius_set_json_body_response(resp, 200, j_out);
        json_decref(j_out);
        return U_CALLBACK_COMPLETE;
}

/* A token endpoint: echoes the form's grant_type and the Basic credentials. */
static int
cb_token(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
        const char *grant = u_map_get(req->map_post_body, "grant_type");
        json_t *j_out;

        (void)user_data;
        j_out = json_pack("{s:s, s:s?, s:o, s:o}", "access_token", "t0k3n", "grant_type", grant,
                          "authorization", header_or_null(req, "Authorization"),
                          "content_type", header_or_null(req, "Content-Type"));
        ulfius_set_json_body_response(resp, 200, j_out);
        json_decref(j_out);
        return U_CALLBACK_COMPLETE;
}

static int
cb_slow(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
        struct timespec two_s = { 2, 0 };

        (void)req;
        (void)user_data;
        nanosleep(&two_s, NULL);
        ulfius_set_string_body_response(resp, 200, "{}");
        return U_CALLBACK_COMPLETE;
}

static int
cb_down(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
        (void)req;
        (void)user_data;
        ulfius_set_string_body_response(resp, 503,
                                        "{\"title\":\"Service unavailable\",\"status\":503}");
        u_map_put(resp->map_header, "Content-Type", "application/problem+json");
        return U_CALLBACK_COMPLETE;
}

static int
cb_text(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
        (void)req;
        (void)user_data;
        ulfius_set_string_body_response(resp, 200, "hello, not json");
        u_map_put(resp->map_header, "Content-Type", "text/plain");
        return U_CALLBACK_COMPLETE;
}

static int
cb_bad_json(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
        (void)req;
        (void)user_data;
        ulfius_set_string_body_response(resp, 200, "{not json");
        u_map_put(resp->map_header, "Content-Type", "application/json; charset=utf-8");
        return U_CALLBACK_COMPLETE;
}

static int
cb_redirect(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
        (void)req;
        (void)user_data;
        ulfius_set_string_body_response(resp, 302, "");
        u_map_put(resp->map_header, "Location", "/echo");
        return U_CALLBACK_COMPLETE;
}

static int
cb_big(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
        char *big = malloc(BIG_BODY);

        (void)req;
        (void)user_data;
        if (big == NULL)
                return U_CALLBACK_ERROR;
        memset(big, ' ', BIG_BODY);
        big[0] = '[';
        big[BIG_BODY - 1] = ']';
        ulfius_set_binary_body_response(resp, 200, big, BIG_BODY);
        u_map_put(resp->map_header, "Content-Type", "application/json");
        free(big);
        return U_CALLBACK_COMPLETE;
}

static const struct {
        const char *method, *path;
        int (*cb)(const struct _u_request *, struct _u_response *, void *);
} endpoints[] = {
        { "GET", "/echo", cb_echo }, { "POST", "/echo", cb_echo },
        { "DELETE", "/echo", cb_echo }, { "GET", "/slow", cb_slow },
        { "GET", "/down", cb_down }, { "GET", "/text", cb_text },
        { "GET", "/bad-json", cb_bad_json }, { "GET", "/redirect", cb_redirect },
        { "GET", "/big", cb_big }, { "POST", "/token", cb_token },
};

static void
add_endpoints(void)
{
        size_t i;

        for (i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++)
                ck_assert_int_eq(ulfius_add_endpoint_by_val(&server, endpoints[i].method,
                                                            endpoints[i].path, NULL, 0,
                                                            endpoints[i].cb, NULL), U_OK);
}

/* Another process may take the port between probe and bind: try a few. */
static void
server_up(void)
{
        unsigned port = 0;
        int tries;

        log_setup("test_client", LOG_ERROR);
        ck_assert_int_eq(client_global_init(), ST_OK);
        for (tries = 0; tries < 5; tries++) {
                port = free_port();
                memset(&server_addr, 0, sizeof(server_addr));
                server_addr.sin_family = AF_INET;
                server_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                server_addr.sin_port = htons((uint16_t)port);
                ck_assert_int_eq(ulfius_init_instance(&server, port, &server_addr, NULL), U_OK);
                add_endpoints();
                if (ulfius_start_framework(&server) == U_OK)
                        break;
                ulfius_clean_instance(&server);
        }
        ck_assert_int_lt(tries, 5);
        snprintf(base_url, sizeof(base_url), "http://127.0.0.1:%u", port);
        snprintf(refused_url, sizeof(refused_url), "http://127.0.0.1:%u", free_port());
}

static void
server_down(void)
{
        ulfius_stop_framework(&server);
        ulfius_clean_instance(&server);
        client_global_cleanup();
}

static struct client_call
call_to(const char *method, const char *path)
{
        struct client_call c = { method, base_url, path, NULL, NULL, NULL, 2000 };

        return c;
}

static const char *
str_of(const json_t *j_obj, const char *key)
{
        return json_string_value(json_object_get(j_obj, key));
}

START_TEST(test_forwards_headers)
{
        struct client_call c = call_to("GET", "/echo");
        struct client_reply r;

        c.bearer = "eyJhbGciOi.payload.sig";
        c.request_id = "req-123";
        ck_assert_int_eq(client_do(&c, &r), ST_OK);
        ck_assert_int_eq(r.status, 200);
        ck_assert_ptr_nonnull(r.j_body);
        ck_assert_str_eq(str_of(r.j_body, "method"), "GET");
        ck_assert_str_eq(str_of(r.j_body, "authorization"), "Bearer eyJhbGciOi.payload.sig");
        ck_assert_str_eq(str_of(r.j_body, "request_id"), "req-123");
        ck_assert_str_eq(str_of(r.j_body, "accept"), "application/json");
        ck_assert(json_is_null(json_object_get(r.j_body, "content_type")));
        client_reply_release(&r);
        ck_assert_ptr_null(r.j_body);
}
END_TEST

START_TEST(test_no_bearer_no_header)
{
        struct client_call c = call_to("GET", "/echo");
        struct client_reply r;

        ck_assert_int_eq(client_do(&c, &r), ST_OK);
        ck_assert(json_is_null(json_object_get(r.j_body, "authorization")));
        ck_assert(json_is_null(json_object_get(r.j_body, "request_id")));
        client_reply_release(&r);
}
END_TEST

START_TEST(test_post_json_body)
{
        json_t *j_in = json_pack("{s:s, s:i}", "name", "Ada \"the\" first", "n", 7);
        struct client_call c = call_to("POST", "/echo");
        struct client_reply r;

        c.j_body = j_in;
        ck_assert_int_eq(client_do(&c, &r), ST_OK);
        ck_assert_int_eq(r.status, 200);
        ck_assert_str_eq(str_of(r.j_body, "method"), "POST");
        ck_assert_str_eq(str_of(r.j_body, "content_type"), "application/json");
        ck_assert(json_equal(json_object_get(r.j_body, "body"), j_in));
        client_reply_release(&r);
        json_decref(j_in);
}
END_TEST

START_TEST(test_delete_without_body)
{
        struct client_call c = call_to("DELETE", "/echo");
        struct client_reply r;

        ck_assert_int_eq(client_do(&c, &r), ST_OK);
        ck_assert_int_eq(r.status, 200);
        ck_assert_str_eq(str_of(r.j_body, "method"), "DELETE");
        client_reply_release(&r);
}
END_TEST

START_TEST(test_timeout)
{
        struct client_call c = call_to("GET", "/slow");
        struct client_reply r;
        struct timespec t0, t1;
        double elapsed;

        c.timeout_ms = 300;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        ck_assert_int_eq(client_do(&c, &r), ST_UNAVAILABLE);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        elapsed = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        ck_assert_msg(elapsed < 1.5, "took %.3f s", elapsed);
        ck_assert_int_eq(r.status, 0);
        ck_assert_ptr_null(r.j_body);
        client_reply_release(&r);
}
END_TEST

START_TEST(test_5xx_is_unavailable_with_body)
{
        struct client_call c = call_to("GET", "/down");
        struct client_reply r;

        ck_assert_int_eq(client_do(&c, &r), ST_UNAVAILABLE);
        ck_assert_int_eq(r.status, 503);
        ck_assert_ptr_nonnull(r.j_body);
        ck_assert_str_eq(str_of(r.j_body, "title"), "Service unavailable");
        client_reply_release(&r);
}
END_TEST

START_TEST(test_non_json_body)
{
        struct client_call c = call_to("GET", "/text");
        struct client_reply r;

        ck_assert_int_eq(client_do(&c, &r), ST_OK);
        ck_assert_int_eq(r.status, 200);
        ck_assert_ptr_null(r.j_body);
        client_reply_release(&r);
        c.path = "/bad-json";
        ck_assert_int_eq(client_do(&c, &r), ST_OK);
        ck_assert_int_eq(r.status, 200);
        ck_assert_ptr_null(r.j_body);
        client_reply_release(&r);
}
END_TEST

START_TEST(test_4xx_is_an_answer)
{
        struct client_call c = call_to("GET", "/nowhere");
        struct client_reply r;

        ck_assert_int_eq(client_do(&c, &r), ST_OK);
        ck_assert_int_eq(r.status, 404);
        client_reply_release(&r);
}
END_TEST

START_TEST(test_redirect_not_followed)
{
        struct client_call c = call_to("GET", "/redirect");
        struct client_reply r;

        ck_assert_int_eq(client_do(&c, &r), ST_OK);
        ck_assert_int_eq(r.status, 302);
        ck_assert_ptr_null(r.j_body);
        client_reply_release(&r);
}
END_TEST

START_TEST(test_connection_refused)
{
        struct client_call c = call_to("GET", "/echo");
        struct client_reply r;

        c.base_url = refused_url;
        ck_assert_int_eq(client_do(&c, &r), ST_UNAVAILABLE);
        ck_assert_int_eq(r.status, 0);
        ck_assert_ptr_null(r.j_body);
        client_reply_release(&r);
}
END_TEST

START_TEST(test_answer_size_capped)
{
        struct client_call c = call_to("GET", "/big");
        struct client_reply r;

        c.timeout_ms = 10000;
        ck_assert_int_eq(client_do(&c, &r), ST_UNAVAILABLE);
        ck_assert_ptr_null(r.j_body);
        client_reply_release(&r);
}
END_TEST

START_TEST(test_bad_calls)
{
        struct client_call c = call_to("GET", "/echo");
        struct client_reply r;

        c.request_id = "id\r\nX-Evil: 1";
        ck_assert_int_eq(client_do(&c, &r), ST_INVALID);
        c.request_id = NULL;
        c.bearer = "tok\nen";
        ck_assert_int_eq(client_do(&c, &r), ST_INVALID);
        c.bearer = NULL;
        c.path = NULL;
        ck_assert_int_eq(client_do(&c, &r), ST_INVALID);
        c.path = "/echo";
        c.base_url = "ftp://127.0.0.1:21";
        ck_assert_int_eq(client_do(&c, &r), ST_INTERNAL);
        ck_assert_int_eq(r.status, 0);
        client_reply_release(&r);
        client_reply_release(NULL);
}
END_TEST

START_TEST(test_post_form_basic)
{
        struct client_reply r = { 0, NULL };
        char url[96];

        snprintf(url, sizeof(url), "%s/token", base_url);
        /* "a:b" / "c d" are form-encoded before Base64: YSUzQWI6YyUyMGQ= */
        ck_assert_int_eq(client_post_form(url, "grant_type=client_credentials&scope=x", "a:b",
                                          "c d", 2000, &r), ST_OK);
        ck_assert_int_eq(r.status, 200);
        ck_assert_str_eq(json_string_value(json_object_get(r.j_body, "grant_type")),
                         "client_credentials");
        ck_assert_str_eq(json_string_value(json_object_get(r.j_body, "authorization")),
                         "Basic YSUzQWI6YyUyMGQ=");
        ck_assert_str_eq(json_string_value(json_object_get(r.j_body, "content_type")),
                         "application/x-www-form-urlencoded");
        client_reply_release(&r);
        ck_assert_int_eq(client_post_form(url, NULL, "a", "b", 2000, &r), ST_INVALID);
}
END_TEST

/* ---- a raw HTTP/1.1 server that counts accepted connections -------------- */

#define KA_MAX_FDS 32

struct ka_server {
        int lfd;
        unsigned port;
        unsigned close_every;      /* close the connection after every Nth answer; 0 never */
        unsigned accepts, answers;
        int stop;                  /* set by the test; the loop also ends after 60 s */
        pthread_t thread;
};

/* Answers every complete request in @buf; returns 0, or -1 to close the connection. */
static int
ka_answer(struct ka_server *ks, int fd, char *buf, size_t *len)
{
        char *end;
        char out[160];
        int n;

        while ((end = memmem(buf, *len, "\r\n\r\n", 4)) != NULL) {
                size_t used = (size_t)(end + 4 - buf);

                ks->answers++;
                n = snprintf(out, sizeof(out), "HTTP/1.1 200 OK\r\nContent-Type: application/json"
                             "\r\nContent-Length: 15\r\n\r\n{\"n\":\"%07u\"}", ks->answers % 10000000);
                if (write(fd, out, (size_t)n) != n)
                        return -1;
                memmove(buf, buf + used, *len - used);
                *len -= used;
                if (ks->close_every != 0 && ks->answers % ks->close_every == 0)
                        return -1;
        }
        return 0;
}

static void *
ka_loop(void *arg)
{
        struct ka_server *ks = arg;
        struct pollfd pf[KA_MAX_FDS];
        char buf[KA_MAX_FDS][4096];
        size_t len[KA_MAX_FDS] = { 0 };
        nfds_t n = 1;
        time_t t0 = time(NULL);

        pf[0] = (struct pollfd){ .fd = ks->lfd, .events = POLLIN };
        while (!__atomic_load_n(&ks->stop, __ATOMIC_ACQUIRE) && time(NULL) - t0 < 60) {
                if (poll(pf, n, 50) <= 0)
                        continue;
                if ((pf[0].revents & POLLIN) && n < KA_MAX_FDS) {
                        int fd = accept(ks->lfd, NULL, NULL);

                        if (fd >= 0) {
                                __atomic_add_fetch(&ks->accepts, 1, __ATOMIC_RELEASE);
                                len[n] = 0;
                                pf[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
                        }
                }
                for (nfds_t i = 1; i < n; i++) {
                        ssize_t got;

                        if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                                continue;
                        got = read(pf[i].fd, buf[i] + len[i], sizeof(buf[i]) - len[i]);
                        if (got > 0)
                                len[i] += (size_t)got;
                        if (got > 0 && ka_answer(ks, pf[i].fd, buf[i], &len[i]) == 0)
                                continue;
                        close(pf[i].fd);
                        pf[i] = pf[n - 1];
                        memcpy(buf[i], buf[n - 1], len[n - 1]);
                        len[i] = len[n - 1];
                        n--;
                        i--;
                }
        }
        for (nfds_t i = 1; i < n; i++)
                close(pf[i].fd);
        return NULL;
}

static void
ka_start(struct ka_server *ks, unsigned close_every)
{
        struct sockaddr_in a = { .sin_family = AF_INET };
        socklen_t alen = sizeof(a);

        memset(ks, 0, sizeof(*ks));
        ks->close_every = close_every;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ks->lfd = socket(AF_INET, SOCK_STREAM, 0);
        ck_assert_int_ge(ks->lfd, 0);
        ck_assert_int_eq(bind(ks->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
        ck_assert_int_eq(listen(ks->lfd, 16), 0);
        ck_assert_int_eq(getsockname(ks->lfd, (struct sockaddr *)&a, &alen), 0);
        ks->port = ntohs(a.sin_port);
        ck_assert_int_eq(pthread_create(&ks->thread, NULL, ka_loop, ks), 0);
}

static unsigned
ka_stop(struct ka_server *ks)
{
        __atomic_store_n(&ks->stop, 1, __ATOMIC_RELEASE);
        pthread_join(ks->thread, NULL);
        close(ks->lfd);
        return ks->accepts;
}

/* @n GETs to @ks; every one must answer 200 with the JSON body. */
static void
ka_calls(struct ka_server *ks, unsigned n)
{
        char url[64];

        snprintf(url, sizeof(url), "http://127.0.0.1:%u", ks->port);
        for (unsigned i = 0; i < n; i++) {
                struct client_call c = { "GET", url, "/v1/me", "tok", "rid", NULL, 2000 };
                struct client_reply r = { 0, NULL };

                ck_assert_int_eq(client_do(&c, &r), ST_OK);
                ck_assert_int_eq(r.status, 200);
                ck_assert_ptr_nonnull(json_object_get(r.j_body, "n"));
                client_reply_release(&r);
        }
}

START_TEST(test_keepalive_one_connection_for_1000_calls)
{
        struct ka_server ks;

        ka_start(&ks, 0);
        ka_calls(&ks, 1000);
        ck_assert_uint_eq(ks.answers, 1000);
        ck_assert_uint_eq(ka_stop(&ks), 1);
}
END_TEST

START_TEST(test_keepalive_per_upstream)
{
        struct ka_server a, b;

        ka_start(&a, 0);
        ka_start(&b, 0);
        for (int i = 0; i < 100; i++) {
                ka_calls(&a, 5);
                ka_calls(&b, 5);
        }
        ck_assert_uint_eq(ka_stop(&a), 1);
        ck_assert_uint_eq(ka_stop(&b), 1);
}
END_TEST

/* A connection the upstream closed is noticed, and the call goes out on a new one. */
START_TEST(test_keepalive_reconnects_after_close)
{
        struct ka_server ks;

        ka_start(&ks, 100);
        ka_calls(&ks, 1000);
        ck_assert_uint_eq(ks.answers, 1000);
        ck_assert_uint_eq(ka_stop(&ks), 10);
}
END_TEST

static Suite *
client_suite(void)
{
        Suite *s = suite_create("client");
        TCase *tc = tcase_create("http");

        tcase_add_unchecked_fixture(tc, server_up, server_down);
        tcase_add_test(tc, test_forwards_headers);
        tcase_add_test(tc, test_no_bearer_no_header);
        tcase_add_test(tc, test_post_json_body);
        tcase_add_test(tc, test_delete_without_body);
        tcase_add_test(tc, test_timeout);
        tcase_add_test(tc, test_5xx_is_unavailable_with_body);
        tcase_add_test(tc, test_non_json_body);
        tcase_add_test(tc, test_4xx_is_an_answer);
        tcase_add_test(tc, test_redirect_not_followed);
        tcase_add_test(tc, test_connection_refused);
        tcase_add_test(tc, test_answer_size_capped);
        tcase_add_test(tc, test_bad_calls);
        tcase_add_test(tc, test_post_form_basic);
        tcase_set_timeout(tc, 60);
        suite_add_tcase(s, tc);
        tc = tcase_create("keep-alive");
        tcase_add_unchecked_fixture(tc, server_up, server_down);
        tcase_add_test(tc, test_keepalive_one_connection_for_1000_calls);
        tcase_add_test(tc, test_keepalive_per_upstream);
        tcase_add_test(tc, test_keepalive_reconnects_after_close);
        tcase_set_timeout(tc, 60);
        suite_add_tcase(s, tc);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(client_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
