/*
 * problem.c - RFC 9457 problem details accumulated during a request.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "problem.h"
#include "status.h"

/* Length of the well-formed UTF-8 character at @s (RFC 3629), 0 if there is none. */
static size_t
utf8_char_len(const unsigned char *s)
{
        size_t n;
        unsigned char lo = 0x80, hi = 0xbf;      /* the bounds of the second byte */

        if (s[0] < 0x80)
                return 1;
        if (s[0] >= 0xc2 && s[0] <= 0xdf)
                n = 2;
        else if (s[0] >= 0xe0 && s[0] <= 0xef)
                n = 3;
        else if (s[0] >= 0xf0 && s[0] <= 0xf4)
                n = 4;
        else
                return 0;
        if (s[0] == 0xe0)
                lo = 0xa0;                       /* no overlong forms */
        else if (s[0] == 0xed)
                hi = 0x9f;                       /* no surrogates */
        else if (s[0] == 0xf0)
                lo = 0x90;
        else if (s[0] == 0xf4)
                hi = 0x8f;                       /* nothing past U+10FFFF */
        if (s[1] < lo || s[1] > hi)
                return 0;
        for (size_t i = 2; i < n; i++)
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
        return n;
}

/*
 * Replaces by '?' every byte of @s that is not part of a well-formed UTF-8
 * character: a message cut by snprintf inside a character, or a raw query
 * value, would otherwise be refused by jansson and the fault lost with it.
 */
static void
utf8_repair(char *s)
{
        unsigned char *c = (unsigned char *)s;
        size_t n;

        while (*c != '\0') {
                n = utf8_char_len(c);
                if (n == 0) {
                        *c++ = '?';
                        continue;
                }
                c += n;
        }
}

void
problem_init(struct problem *p)
{
        memset(p, 0, sizeof(*p));
}

void
problem_release(struct problem *p)
{
        if (p == NULL)
                return;
        json_decref(p->j_errors);
        problem_init(p);
}

int
problem_set(struct problem *p, int st, const char *type, const char *fmt, ...)
{
        va_list ap;

        p->st = st;
        snprintf(p->type, sizeof(p->type), "%s", type != NULL ? type : "");
        va_start(ap, fmt);
        vsnprintf(p->detail, sizeof(p->detail), fmt, ap);
        va_end(ap);
        utf8_repair(p->detail);
        return st;
}

int
problem_field(struct problem *p, const char *field, const char *fmt, ...)
{
        char name[256], msg[256];
        va_list ap;

        snprintf(name, sizeof(name), "%s", field);
        utf8_repair(name);
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        utf8_repair(msg);
        if (p->j_errors == NULL)
                p->j_errors = json_array();
        if (p->j_errors != NULL)
                json_array_append_new(p->j_errors,
                                      json_pack("{s:s, s:s}", "field", name, "message", msg));
        if (p->st == ST_OK)
                p->st = ST_INVALID;
        return ST_INVALID;
}

size_t
problem_field_count(const struct problem *p)
{
        return p->j_errors != NULL ? json_array_size(p->j_errors) : 0;
}

static const char *
problem_default_detail(const struct problem *p, int st)
{
        if (p->detail[0] != '\0')
                return p->detail;
        if (st == ST_INVALID && problem_field_count(p) > 0)
                return "one or more fields are invalid; see errors";
        return st_title(st);
}

json_t *
problem_to_json(const struct problem *p, int st, const char *instance)
{
        char type[160];
        json_t *j_out;

        snprintf(type, sizeof(type), "%s%s", PROBLEM_TYPE_BASE,
                 p->type[0] != '\0' ? p->type : st_slug(st));
        j_out = json_pack("{s:s, s:s, s:I, s:s}", "type", type, "title", st_title(st),
                          "status", (json_int_t)st_http_status(st),
                          "detail", problem_default_detail(p, st));
        if (j_out == NULL)
                return NULL;
        if (instance != NULL)
                json_object_set_new(j_out, "instance", json_string(instance));
        if (problem_field_count(p) > 0)
                json_object_set(j_out, "errors", p->j_errors);
        return j_out;
}

void
problem_summary(const struct problem *p, int st, char *out, size_t outlen)
{
        size_t used, i;
        json_t *j_err;

        if (out == NULL || outlen == 0)
                return;
        snprintf(out, outlen, "%s", problem_default_detail(p, st));
        json_array_foreach(p->j_errors, i, j_err) {
                used = strlen(out);
                if (used + 1 >= outlen)
                        break;
                snprintf(out + used, outlen - used, "; %s: %s",
                         json_string_value(json_object_get(j_err, "field")),
                         json_string_value(json_object_get(j_err, "message")));
        }
        utf8_repair(out);       /* the last fault may be cut inside a character */
}
