/*
 * test_client.c - unit tests for client.c against a real ulfius server run
 * in-process on 127.0.0.1 (a free port found by binding to port 0): forwarded
 * headers, JSON bodies, timeouts, 5xx, non-JSON answers, refusals, size cap.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
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
