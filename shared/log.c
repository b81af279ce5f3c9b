/*
 * log.c - JSON log lines on stdout.
 *
 * Each line is built whole with jansson, then written with one fwrite and one
 * fflush under the stdout lock, so lines from worker threads never interleave.
 * The service name and the minimum level are the only module state: set once
 * by log_setup() before threads start, read-only afterwards.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "log.h"

#define LOG_MSG_MAX     2048    /* a longer message is truncated */
#define LOG_LINE_STACK  4096    /* longer lines go to the heap */
#define LOG_MS_MAX      1e12    /* durations are clamped to this */

static char log_service[32];
static int log_min_level = LOG_INFO;

static const char *const log_level_names[] = { "debug", "info", "warn", "error" };

void
log_setup(const char *service, int level)
{
        snprintf(log_service, sizeof(log_service), "%s", service != NULL ? service : "");
        log_min_level = level;
}

int
log_level_parse(const char *s)
{
        int i;

        if (s == NULL)
                return -1;
        for (i = LOG_DEBUG; i <= LOG_ERROR; i++) {
                if (strcmp(s, log_level_names[i]) == 0)
                        return i;
        }
        return -1;
}

const char *
log_level_name(int level)
{
        if (level < LOG_DEBUG)
                level = LOG_DEBUG;
        if (level > LOG_ERROR)
                level = LOG_ERROR;
        return log_level_names[level];
}

void
log_time_now(char *buf, unsigned long buflen)
{
        struct timespec ts;
        struct tm tm;
        char date[20];          /* 2026-11-27T12:00:00 */
        unsigned ms;

        if (buflen == 0)
                return;
        buf[0] = '\0';
        if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || gmtime_r(&ts.tv_sec, &tm) == NULL)
                return;
        if (strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
                return;
        ms = (unsigned)(ts.tv_nsec / 1000000) % 1000u;
        snprintf(buf, buflen, "%s.%03uZ", date, ms);
}

/* Copy of @s with every non-ASCII byte replaced by '?'.  New reference. */
static json_t *
log_string_ascii(const char *s)
{
        size_t i, n = strlen(s);
        char *copy = malloc(n + 1);
        json_t *j_str;

        if (copy == NULL)
                return NULL;
        for (i = 0; i < n; i++)
                copy[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
        copy[n] = '\0';
        j_str = json_string(copy);
        free(copy);
        return j_str;
}

/*
 * A JSON string for @s ("" for NULL).  jansson refuses invalid UTF-8, and a
 * log line must never be lost for it, so such text is made ASCII instead.
 * Returns a new reference, NULL on out of memory.
 */
static json_t *
log_string(const char *s)
{
        json_t *j_str;

        if (s == NULL)
                s = "";
        j_str = json_string(s);
        if (j_str != NULL)
                return j_str;
        return log_string_ascii(s);
}

/* Cuts a multi-byte UTF-8 character that truncation may have split. */
static void
log_trim_utf8_tail(char *s)
{
        size_t i = strlen(s);

        while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
                i--;
        if (i > 0 && (unsigned char)s[i - 1] >= 0xC0)
                s[i - 1] = '\0';
}

/* {"time","level","service"}: a new reference, NULL on out of memory. */
static json_t *
log_base(int level)
{
        char now[32];

        log_time_now(now, sizeof(now));
        return json_pack("{s:s, s:s, s:o}", "time", now, "level", log_level_name(level),
                         "service", log_string(log_service));
}

/* Writes @j as one line: a single fwrite, then fflush, under the stdout lock. */
static void
log_emit(const json_t *j, size_t flags)
{
        char stack[LOG_LINE_STACK];
        char *line = stack;
        size_t n;

        flags |= JSON_COMPACT;
        n = json_dumpb(j, stack, sizeof(stack) - 1, flags);
        if (n == 0)
                return;
        if (n > sizeof(stack) - 1) {
                line = malloc(n + 1);
                if (line == NULL)
                        return;
                if (json_dumpb(j, line, n, flags) != n)
                        goto out;
        }
        line[n] = '\n';
        flockfile(stdout);
        fwrite(line, 1, n + 1, stdout);
        fflush(stdout);
        funlockfile(stdout);
out:
        if (line != stack)
                free(line);
}

void
log_msg(int level, const char *func, const char *fmt, ...)
{
        char msg[LOG_MSG_MAX];
        va_list ap;
        json_t *j_line;
        int n;

        if (level < log_min_level)
                return;
        va_start(ap, fmt);
        n = vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (n < 0)
                msg[0] = '\0';
        else if ((size_t)n >= sizeof(msg))
                log_trim_utf8_tail(msg);
        j_line = log_base(level);
        if (j_line == NULL)
                return;
        json_object_set_new(j_line, "func", log_string(func));
        json_object_set_new(j_line, "msg", log_string(msg));
        log_emit(j_line, 0);
        json_decref(j_line);
}

/* @ms rounded to microseconds, clamped to [0, LOG_MS_MAX]; NaN becomes 0. */
static double
log_round_ms(double ms)
{
        if (!(ms >= 0.0))
                return 0.0;
        if (ms > LOG_MS_MAX)
                ms = LOG_MS_MAX;
        return (double)(long long)(ms * 1000.0 + 0.5) / 1000.0;
}

/*
 * Significant digits that print @ms (already rounded) with at most three
 * decimals: jansson's real precision counts digits, not decimals.
 */
static size_t
log_ms_precision(double ms)
{
        size_t digits = 1;

        while (ms >= 10.0) {
                ms /= 10.0;
                digits++;
        }
        return digits + 3;
}

void
log_request(const struct log_request_line *l)
{
        json_t *j_line;
        double ms;
        int level = l != NULL && l->status >= 500 ? LOG_ERROR : LOG_INFO;

        /* at "warn" a busy service logs only the requests that failed it */
        if (l == NULL || level < log_min_level)
                return;
        j_line = log_base(level);
        if (j_line == NULL)
                return;
        ms = log_round_ms(l->duration_ms);
        json_object_set_new(j_line, "request_id", log_string(l->request_id));
        json_object_set_new(j_line, "method", log_string(l->method));
        json_object_set_new(j_line, "route", log_string(l->route));
        json_object_set_new(j_line, "status", json_integer(l->status));
        json_object_set_new(j_line, "duration_ms", json_real(ms));
        json_object_set_new(j_line, "subject", log_string(l->subject));
        log_emit(j_line, JSON_REAL_PRECISION(log_ms_precision(ms)));
        json_decref(j_line);
}

void
log_record(int level, const char *msg, const char *key, json_t *j_value)
{
        json_t *j_line = log_base(level);

        if (j_line == NULL)
                return;
        json_object_set_new(j_line, "msg", log_string(msg));
        if (key != NULL && j_value != NULL)
                json_object_set(j_line, key, j_value);
        log_emit(j_line, 0);
        json_decref(j_line);
}
