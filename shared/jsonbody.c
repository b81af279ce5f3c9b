/*
 * jsonbody.c - a request body parsed as JSON, with faults named by field (see
 * jsonbody.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "jsonbody.h"
#include "status.h"

#define PATH_DEPTH 32       /* deeper members are named by their first 32 levels */
#define PATH_MAX_LEN 256
#define KEY_MAX 64
#define NUL_FAULTS_MAX 20   /* a body full of \u0000 gets this many field errors */

struct frame {
        bool object;
        bool want_key;      /* object: the next string is a member name */
        long index;         /* array: the item being read */
        char key[KEY_MAX];  /* object: the member being read, raw text */
};

/*
 * Skips the string whose opening quote is at @i; copies its raw text (at most
 * @keylen - 1 bytes) into @key when not NULL.  Returns the index after the
 * closing quote, or @len.
 */
static size_t
skip_string(const char *buf, size_t len, size_t i, char *key, size_t keylen)
{
        size_t n = 0;

        for (i++; i < len && buf[i] != '"'; i++) {
                if (buf[i] == '\\' && i + 1 < len) {
                        if (key != NULL && n + 2 < keylen) {
                                key[n++] = buf[i];
                                key[n++] = buf[i + 1];
                        }
                        i++;
                } else if (key != NULL && n + 1 < keylen) {
                        key[n++] = buf[i];
                }
        }
        if (key != NULL)
                key[n] = '\0';
        return i < len ? i + 1 : len;
}

static void
frame_push(struct frame *st, int *depth, bool object)
{
        if (*depth < PATH_DEPTH)
                st[*depth] = (struct frame){ .object = object, .want_key = object };
        (*depth)++;
}

/* A comma or a colon in the innermost container. */
static void
frame_separator(struct frame *st, int depth, char c)
{
        struct frame *f;

        if (depth < 1 || depth > PATH_DEPTH)
                return;
        f = &st[depth - 1];
        if (f->object) {
                f->want_key = c == ',';
                if (c == ',')
                        f->key[0] = '\0';
        } else if (c == ',') {
                f->index++;
        }
}

static void
path_render(const struct frame *st, int depth, char *out, size_t outlen)
{
        size_t used = 0;

        out[0] = '\0';
        for (int i = 0; i < depth && i < PATH_DEPTH && used < outlen; i++) {
                if (st[i].object && st[i].key[0] != '\0')
                        used += (size_t)snprintf(out + used, outlen - used, "%s%s",
                                                 used > 0 ? "." : "", st[i].key);
                else if (!st[i].object)
                        used += (size_t)snprintf(out + used, outlen - used, "[%ld]",
                                                 st[i].index);
        }
}

void
json_body_path_at(const char *buf, size_t len, size_t pos, char *out, size_t outlen)
{
        struct frame st[PATH_DEPTH];
        int depth = 0;
        size_t i = 0;

        while (i < len && i < pos) {
                char c = buf[i];
                struct frame *top = depth >= 1 && depth <= PATH_DEPTH ? &st[depth - 1] : NULL;

                if (c == '"') {
                        bool is_key = top != NULL && top->object && top->want_key;

                        i = skip_string(buf, len, i, is_key ? top->key : NULL, KEY_MAX);
                        continue;
                }
                if (c == '{' || c == '[')
                        frame_push(st, &depth, c == '{');
                else if ((c == '}' || c == ']') && depth > 0)
                        depth--;
                else if (c == ',' || c == ':')
                        frame_separator(st, depth, c);
                i++;
        }
        if (outlen > 0)
                path_render(st, depth, out, outlen);
}

/* The first '...' quoted part of jansson's message (the offending escape). */
static void
quoted_part(const char *text, char *out, size_t outlen)
{
        const char *a = strchr(text, '\'');
        const char *b = a != NULL ? strchr(a + 1, '\'') : NULL;

        if (b == NULL) {
                snprintf(out, outlen, "%.*s", (int)(outlen - 1), text);
                return;
        }
        snprintf(out, outlen, "%.*s", (int)(b - a - 1 < (long)outlen ? b - a - 1
                                            : (long)outlen - 1), a + 1);
}

/*
 * The fault a field error names for jansson's error, or NULL when the error
 * cannot be pinned on a member.  *@broken says whether the text is not JSON
 * (or not JSON this suite reads: a member given twice) rather than JSON
 * holding a value the suite cannot take.
 */
static const char *
value_fault(const json_error_t *err, char *buf, size_t buflen, bool *broken)
{
        char part[64];

        *broken = false;
        switch (json_error_code(err)) {
        case json_error_numeric_overflow:
                if (strncmp(err->text, "too big", 7) == 0)
                        return "is an integer beyond 64 bits (integers must lie in"
                               " -9223372036854775808..9223372036854775807)";
                return "is a number too large to represent";
        case json_error_duplicate_key:
                *broken = true;
                return "is given twice";
        case json_error_null_byte_in_key:
                return "is a member name holding \\u0000, which no member of this API has";
        case json_error_invalid_utf8:
                *broken = true;
                return "is not valid UTF-8";
        case json_error_invalid_syntax:
                if (strncmp(err->text, "invalid Unicode", 15) != 0)
                        return NULL;
                quoted_part(err->text, part, sizeof(part));
                snprintf(buf, buflen, "holds a lone UTF-16 surrogate (%s), which is not a"
                         " Unicode character", part);
                return buf;
        default:
                return NULL;
        }
}

/* Records a field error for every string under @j that holds U+0000. */
static void
nul_walk(const json_t *j, char *path, size_t used, size_t cap, struct problem *p)
{
        const char *key;
        const json_t *j_v;
        size_t i;

        if (problem_field_count(p) >= NUL_FAULTS_MAX)
                return;
        if (json_is_string(j)) {
                if (json_string_length(j) != strlen(json_string_value(j)))
                        problem_field(p, used > 0 ? path : "(body)",
                                      "contains \\u0000 (U+0000), which no field of this API"
                                      " accepts");
                return;
        }
        json_object_foreach((json_t *)j, key, j_v) {
                int n = snprintf(path + used, cap - used, "%s%s", used > 0 ? "." : "", key);

                nul_walk(j_v, path, n > 0 && used + (size_t)n < cap ? used + (size_t)n : used,
                         cap, p);
                path[used] = '\0';
        }
        json_array_foreach(j, i, j_v) {
                int n = snprintf(path + used, cap - used, "[%zu]", i);

                nul_walk(j_v, path, n > 0 && used + (size_t)n < cap ? used + (size_t)n : used,
                         cap, p);
                path[used] = '\0';
        }
}

int
json_body_parse(const char *buf, size_t len, json_t **out, struct problem *p)
{
        char path[PATH_MAX_LEN] = "", fault_buf[160];
        const char *fault, *field;
        json_error_t err;
        json_t *j_body;
        bool broken;

        j_body = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
        if (j_body == NULL) {
                if (json_error_code(&err) == json_error_out_of_memory)
                        return ST_NOMEM;
                fault = value_fault(&err, fault_buf, sizeof(fault_buf), &broken);
                if (fault == NULL)
                        return problem_set(p, ST_MALFORMED, NULL,
                                           "the body is not valid JSON: %s (line %d, column %d)",
                                           err.text, err.line, err.column);
                json_body_path_at(buf, len, (size_t)err.position, path, sizeof(path));
                field = path[0] != '\0' ? path : "(body)";
                if (broken)
                        problem_set(p, ST_MALFORMED, NULL, "the body is not valid JSON: %s %s"
                                    " (line %d, column %d)", field, fault, err.line, err.column);
                else
                        problem_set(p, ST_INVALID, NULL,
                                    "the body holds a value this API cannot take");
                problem_field(p, field, "%s", fault);
                return p->st;
        }
        nul_walk(j_body, path, 0, sizeof(path), p);
        if (problem_field_count(p) > 0) {
                json_decref(j_body);
                problem_set(p, ST_INVALID, NULL, "the body holds a value this API cannot take");
                return ST_INVALID;
        }
        *out = j_body;
        return ST_OK;
}
