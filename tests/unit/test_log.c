/*
 * test_log.c - unit tests for log.c: the request line's exact keys, messages
 * that stay one valid JSON line, level filtering, and lines from several
 * threads that never interleave.  stdout is redirected to a temporary file.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "log.h"

static FILE *capture_file;
static int capture_saved_fd = -1;

static void
capture_begin(void)
{
        capture_file = tmpfile();
        ck_assert_ptr_nonnull(capture_file);
        fflush(stdout);
        capture_saved_fd = dup(STDOUT_FILENO);
        ck_assert_int_ge(capture_saved_fd, 0);
        ck_assert_int_ge(dup2(fileno(capture_file), STDOUT_FILENO), 0);
}

/* Restores stdout and returns what was written meanwhile (malloc'd). */
static char *
capture_end(void)
{
        long len;
        char *text;

        fflush(stdout);
        ck_assert_int_ge(dup2(capture_saved_fd, STDOUT_FILENO), 0);
        close(capture_saved_fd);
        len = ftell(capture_file);
        ck_assert_int_ge(len, 0);
        text = calloc(1, (size_t)len + 1);
        ck_assert_ptr_nonnull(text);
        rewind(capture_file);
        ck_assert_uint_eq(fread(text, 1, (size_t)len, capture_file), (size_t)len);
        fclose(capture_file);
        return text;
}

static size_t
count_lines(const char *text)
{
        size_t n = 0;

        for (; *text != '\0'; text++)
                n += *text == '\n';
        return n;
}

/* Parses @text as exactly one JSON line; returns a new reference. */
static json_t *
parse_one_line(const char *text)
{
        json_error_t jerr;
        json_t *j_line;

        ck_assert_uint_eq(count_lines(text), 1);
        ck_assert_int_eq(text[strlen(text) - 1], '\n');
        j_line = json_loads(text, 0, &jerr);
        ck_assert_msg(j_line != NULL, "not JSON (%s): %s", jerr.text, text);
        ck_assert(json_is_object(j_line));
        return j_line;
}

static const char *
str_of(const json_t *j_obj, const char *key)
{
        const json_t *j_val = json_object_get(j_obj, key);

        ck_assert_msg(json_is_string(j_val), "%s is not a string", key);
        return json_string_value(j_val);
}

/* 2026-11-27T12:00:00.123Z */
static int
is_rfc3339_ms(const char *t)
{
        static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
        size_t i;

        if (strlen(t) != sizeof(shape) - 1)
                return 0;
        for (i = 0; shape[i] != '\0'; i++) {
                if (shape[i] == 'd' ? !isdigit((unsigned char)t[i]) : t[i] != shape[i])
                        return 0;
        }
        return 1;
}

static void
setup(void)
{
        log_setup("people", LOG_INFO);
}

START_TEST(test_request_line)
{
        struct log_request_line l = {
                "req-1", "GET", "/v1/people/:id", 200, 12.3456, "user-42",
        };
        char *text;
        json_t *j_line;

        capture_begin();
        log_request(&l);
        text = capture_end();
        j_line = parse_one_line(text);
        ck_assert_uint_eq(json_object_size(j_line), 9);
        ck_assert_msg(is_rfc3339_ms(str_of(j_line, "time")), "time %s", str_of(j_line, "time"));
        ck_assert_str_eq(str_of(j_line, "level"), "info");
        ck_assert_str_eq(str_of(j_line, "service"), "people");
        ck_assert_str_eq(str_of(j_line, "request_id"), "req-1");
        ck_assert_str_eq(str_of(j_line, "method"), "GET");
        ck_assert_str_eq(str_of(j_line, "route"), "/v1/people/:id");
        ck_assert(json_is_integer(json_object_get(j_line, "status")));
        ck_assert_int_eq(json_integer_value(json_object_get(j_line, "status")), 200);
        ck_assert(json_is_real(json_object_get(j_line, "duration_ms")));
        ck_assert_ptr_nonnull(strstr(text, "\"duration_ms\":12.346,"));
        ck_assert_str_eq(str_of(j_line, "subject"), "user-42");
        json_decref(j_line);
        free(text);
}
END_TEST

static const struct {
        double ms;
        const char *text;
} durations[] = {
        { 0.0, "\"duration_ms\":0.0," }, { 0.0004, "\"duration_ms\":0.0," },
        { 0.0125, "\"duration_ms\":0.013," }, { 7.0, "\"duration_ms\":7.0," },
        { 1234.5, "\"duration_ms\":1234.5," }, { 98765.4321, "\"duration_ms\":98765.432," },
        { -3.0, "\"duration_ms\":0.0," },
};

START_TEST(test_request_duration)
{
        struct log_request_line l = { "r", "GET", "/", 204, durations[_i].ms, "" };
        char *text;

        capture_begin();
        log_request(&l);
        text = capture_end();
        ck_assert_msg(strstr(text, durations[_i].text) != NULL, "want %s in %s",
                      durations[_i].text, text);
        free(text);
}
END_TEST

START_TEST(test_request_filtered_at_warn)
{
        struct log_request_line ok = { "a", "GET", "/", 200, 1.0, "s" };
        struct log_request_line bad = { "b", "GET", "/", 503, 1.0, "s" };
        json_t *j_line;
        char *text;

        log_setup("people", LOG_WARN);
        capture_begin();
        log_request(&ok);
        log_request(&bad);
        text = capture_end();
        j_line = parse_one_line(text);
        ck_assert_str_eq(str_of(j_line, "request_id"), "b");
        ck_assert_str_eq(str_of(j_line, "level"), "error");
        json_decref(j_line);
        free(text);
}
END_TEST

START_TEST(test_request_null_fields)
{
        struct log_request_line l = { NULL, "GET", "/", 404, 1.0, NULL };
        char *text;
        json_t *j_line;

        log_setup("people", LOG_INFO);
        capture_begin();
        log_request(&l);
        text = capture_end();
        j_line = parse_one_line(text);
        ck_assert_str_eq(str_of(j_line, "request_id"), "");
        ck_assert_str_eq(str_of(j_line, "subject"), "");
        json_decref(j_line);
        free(text);
}
END_TEST

START_TEST(test_msg_stays_one_line)
{
        const char *nasty = "say \"hi\"\nthen\r\n\tbye \\ \x01 caf\xc3\xa9";
        char *text;
        json_t *j_line;

        capture_begin();
        log_warn("%s", nasty);
        text = capture_end();
        j_line = parse_one_line(text);
        ck_assert_uint_eq(json_object_size(j_line), 5);
        ck_assert_str_eq(str_of(j_line, "level"), "warn");
        /* Check names the function behind START_TEST, e.g. ..._fn */
        ck_assert_ptr_nonnull(strstr(str_of(j_line, "func"), "test_msg_stays_one_line"));
        ck_assert_str_eq(str_of(j_line, "msg"), nasty);
        ck_assert_msg(is_rfc3339_ms(str_of(j_line, "time")), "bad time");
        json_decref(j_line);
        free(text);
}
END_TEST

START_TEST(test_msg_invalid_utf8)
{
        char *text;
        json_t *j_line;

        capture_begin();
        log_error("bad \xff\xfe bytes %d", 7);
        text = capture_end();
        j_line = parse_one_line(text);
        ck_assert_str_eq(str_of(j_line, "msg"), "bad ?? bytes 7");
        json_decref(j_line);
        free(text);
}
END_TEST

START_TEST(test_msg_long_is_truncated)
{
        char *big = malloc(10000);
        char *text;
        json_t *j_line;

        memset(big, 'x', 9999);
        big[9999] = '\0';
        big[2046] = '\xc3';     /* a two-byte character split by the 2 KiB cut */
        big[2047] = '\xa9';
        capture_begin();
        log_info("%s", big);
        text = capture_end();
        j_line = parse_one_line(text);
        ck_assert_uint_eq(strlen(str_of(j_line, "msg")), 2046);
        json_decref(j_line);
        free(text);
        free(big);
}
END_TEST

START_TEST(test_level_filtering)
{
        char *text;

        log_setup("people", LOG_WARN);
        capture_begin();
        log_debug("hidden %d", 1);
        log_info("hidden %d", 2);
        text = capture_end();
        ck_assert_str_eq(text, "");
        free(text);
        capture_begin();
        log_warn("shown");
        log_error("shown");
        text = capture_end();
        ck_assert_uint_eq(count_lines(text), 2);
        ck_assert_ptr_nonnull(strstr(text, "\"level\":\"warn\""));
        ck_assert_ptr_nonnull(strstr(text, "\"level\":\"error\""));
        free(text);
        log_setup("people", LOG_DEBUG);
        capture_begin();
        log_debug("now shown");
        text = capture_end();
        ck_assert_ptr_nonnull(strstr(text, "\"level\":\"debug\""));
        free(text);
}
END_TEST

START_TEST(test_level_parse)
{
        ck_assert_int_eq(log_level_parse("debug"), LOG_DEBUG);
        ck_assert_int_eq(log_level_parse("info"), LOG_INFO);
        ck_assert_int_eq(log_level_parse("warn"), LOG_WARN);
        ck_assert_int_eq(log_level_parse("error"), LOG_ERROR);
        ck_assert_int_eq(log_level_parse("Error"), -1);
        ck_assert_int_eq(log_level_parse("warning"), -1);
        ck_assert_int_eq(log_level_parse(""), -1);
        ck_assert_int_eq(log_level_parse(NULL), -1);
        ck_assert_str_eq(log_level_name(LOG_WARN), "warn");
        ck_assert_str_eq(log_level_name(99), "error");
}
END_TEST

START_TEST(test_record)
{
        json_t *j_data = json_pack("{s:i}", "port", 8081);
        char *text;
        json_t *j_line;

        log_setup("people", LOG_ERROR);
        capture_begin();
        log_record(LOG_INFO, "config", "config", j_data);
        text = capture_end();
        j_line = parse_one_line(text);
        ck_assert_uint_eq(json_object_size(j_line), 5);
        ck_assert_str_eq(str_of(j_line, "msg"), "config");
        ck_assert(json_equal(json_object_get(j_line, "config"), j_data));
        json_decref(j_line);
        json_decref(j_data);
        free(text);
}
END_TEST

START_TEST(test_time_now)
{
        char buf[32];

        log_time_now(buf, sizeof(buf));
        ck_assert_msg(is_rfc3339_ms(buf), "time %s", buf);
        log_time_now(buf, 5);
        ck_assert_uint_eq(strlen(buf), 4);
}
END_TEST

#define WRITERS 4
#define LINES_EACH 250

static void *
write_lines(void *arg)
{
        struct log_request_line l = {
                "concurrent-request-id-0123456789", "POST", "/v1/people", 201, 3.5, "subject",
        };
        int i;

        (void)arg;
        for (i = 0; i < LINES_EACH; i++) {
                if (i % 2 == 0)
                        log_request(&l);
                else
                        log_info("line %d with some padding to make the write longer", i);
        }
        return NULL;
}

START_TEST(test_concurrent_lines)
{
        pthread_t threads[WRITERS];
        char *text, *line, *nl;
        json_t *j_line;
        size_t n = 0;
        int i;

        capture_begin();
        for (i = 0; i < WRITERS; i++)
                ck_assert_int_eq(pthread_create(&threads[i], NULL, write_lines, NULL), 0);
        for (i = 0; i < WRITERS; i++)
                ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
        text = capture_end();
        ck_assert_uint_eq(count_lines(text), WRITERS * LINES_EACH);
        for (line = text; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
                *nl = '\0';
                j_line = json_loads(line, 0, NULL);
                ck_assert_msg(j_line != NULL, "torn line: %s", line);
                json_decref(j_line);
                n++;
        }
        ck_assert_uint_eq(n, WRITERS * LINES_EACH);
        free(text);
}
END_TEST

static Suite *
log_suite(void)
{
        Suite *s = suite_create("log");
        TCase *tc = tcase_create("lines");

        tcase_add_checked_fixture(tc, setup, NULL);
        tcase_add_test(tc, test_request_line);
        tcase_add_loop_test(tc, test_request_duration, 0,
                            (int)(sizeof(durations) / sizeof(durations[0])));
        tcase_add_test(tc, test_request_null_fields);
        tcase_add_test(tc, test_request_filtered_at_warn);
        tcase_add_test(tc, test_msg_stays_one_line);
        tcase_add_test(tc, test_msg_invalid_utf8);
        tcase_add_test(tc, test_msg_long_is_truncated);
        tcase_add_test(tc, test_level_filtering);
        tcase_add_test(tc, test_level_parse);
        tcase_add_test(tc, test_record);
        tcase_add_test(tc, test_time_now);
        tcase_add_test(tc, test_concurrent_lines);
        tcase_set_timeout(tc, 60);
        suite_add_tcase(s, tc);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(log_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
