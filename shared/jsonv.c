/*
 * jsonv.c - strict validation of JSON request objects against field tables.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "jsonv.h"
#include "status.h"

long long
jv_utf8_len(const char *s)
{
        long long n = 0;

        for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++)
                if ((*c & 0xC0) != 0x80)
                        n++;
        return n;   /* jansson has already rejected invalid UTF-8 */
}

/* The code point at @s (valid UTF-8) and its length in *@len. */
static unsigned
utf8_next(const unsigned char *s, int *len)
{
        if (s[0] < 0x80) {
                *len = 1;
                return s[0];
        }
        if ((s[0] & 0xE0) == 0xC0) {
                *len = 2;
                return (s[0] & 0x1Fu) << 6 | (s[1] & 0x3Fu);
        }
        if ((s[0] & 0xF0) == 0xE0) {
                *len = 3;
                return (s[0] & 0x0Fu) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu);
        }
        *len = 4;
        return (s[0] & 0x07u) << 18 | (s[1] & 0x3Fu) << 12 | (s[2] & 0x3Fu) << 6 | (s[3] & 0x3Fu);
}

static bool
is_space(unsigned c)
{
        return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680
               || c == 0x180E || (c >= 0x2000 && c <= 0x200D) || c == 0x2028 || c == 0x2029
               || c == 0x202F || c == 0x205F || c == 0x2060 || c == 0x3000 || c == 0xFEFF;
}

bool
jv_blank(const char *s)
{
        const unsigned char *c = (const unsigned char *)s;
        int len;

        while (*c != '\0') {
                if (!is_space(utf8_next(c, &len)))
                        return false;
                for (int i = 0; i < len && *c != '\0'; i++)
                        c++;
        }
        return true;
}

bool
jv_email_valid(const char *s)
{
        const char *at = strchr(s, '@');
        const char *dot;
        size_t len = strlen(s);

        if (len < 3 || len > 254 || at == NULL || at == s || strchr(at + 1, '@') != NULL)
                return false;
        for (const char *c = s; *c != '\0'; c++)
                if (isspace((unsigned char)*c) || iscntrl((unsigned char)*c) || *c == ',')
                        return false;
        if (s[0] == '.' || at[-1] == '.' || at[1] == '.' || strstr(at, "..") != NULL
            || s[len - 1] == '.')
                return false;
        dot = strrchr(at + 1, '.');
        return dot != NULL && dot > at + 1 && dot[1] != '\0' && (size_t)(at - s) <= 64;
}

static bool
digits(const char *s, int n)
{
        for (int i = 0; i < n; i++)
                if (!isdigit((unsigned char)s[i]))
                        return false;
        return true;
}

static int
two(const char *s)
{
        return (s[0] - '0') * 10 + (s[1] - '0');
}

static bool
date_valid(const char *s)
{
        static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        int year, mon, day;

        if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
                return false;
        year = two(s) * 100 + two(s + 2);
        mon = two(s + 5);
        day = two(s + 8);
        if (mon < 1 || mon > 12 || day < 1 || day > days[mon - 1])
                return false;
        return mon != 2 || day < 29 || (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0));
}

bool
jv_time_valid(const char *s)
{
        const char *z;

        if (strlen(s) < 20 || !date_valid(s) || (s[10] != 'T' && s[10] != 't'))
                return false;
        if (!digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) || s[16] != ':'
            || !digits(s + 17, 2) || two(s + 11) > 23 || two(s + 14) > 59 || two(s + 17) > 60)
                return false;
        z = s + 19;
        if (*z == '.') {
                z++;
                if (!isdigit((unsigned char)*z))
                        return false;
                while (isdigit((unsigned char)*z))
                        z++;
        }
        if ((*z == 'Z' || *z == 'z') && z[1] == '\0')
                return true;
        return (*z == '+' || *z == '-') && digits(z + 1, 2) && z[3] == ':' && digits(z + 4, 2)
               && z[6] == '\0' && two(z + 1) <= 23 && two(z + 4) <= 59;
}

static const struct jv_field *
jv_find(const struct jv_field *fields, const char *name)
{
        for (; fields->name != NULL; fields++)
                if (strcmp(fields->name, name) == 0)
                        return fields;
        return NULL;
}

static bool
jv_in(const char *const *values, const char *s)
{
        for (; *values != NULL; values++)
                if (strcmp(*values, s) == 0)
                        return true;
        return false;
}

static void
jv_name(char *out, size_t outlen, const char *prefix, const char *name)
{
        if (prefix != NULL)
                snprintf(out, outlen, "%s.%s", prefix, name);
        else
                snprintf(out, outlen, "%s", name);
}

static int
jv_string(const struct jv_field *f, const json_t *j, const char *name, struct problem *p)
{
        long long len;

        if (!json_is_string(j))
                return problem_field(p, name, "must be a string");
        len = jv_utf8_len(json_string_value(j));
        if (strlen(json_string_value(j)) != json_string_length(j))
                return problem_field(p, name, "must not contain NUL characters");
        if ((f->flags & JV_NOT_BLANK) && jv_blank(json_string_value(j)))
                return problem_field(p, name, (f->flags & JV_NULLABLE)
                                     ? "must not be blank (send null to clear it)"
                                     : "must not be blank");
        if (len < f->min)
                return f->min == 1 ? problem_field(p, name, "must not be empty")
                                   : problem_field(p, name, "must be at least %lld characters", f->min);
        if (f->max > 0 && len > f->max)
                return problem_field(p, name, "must be at most %lld characters", f->max);
        return ST_OK;
}

static int
jv_enum_array(const struct jv_field *f, const json_t *j, const char *name, struct problem *p)
{
        size_t i, k;
        json_t *j_item;

        if (!json_is_array(j))
                return problem_field(p, name, "must be an array");
        if ((long long)json_array_size(j) < f->min)
                return problem_field(p, name, "must have at least %lld item(s)", f->min);
        if (f->max > 0 && (long long)json_array_size(j) > f->max)
                return problem_field(p, name, "must have at most %lld items", f->max);
        json_array_foreach(j, i, j_item) {
                if (!json_is_string(j_item) || !jv_in(f->values, json_string_value(j_item)))
                        return problem_field(p, name, "item %zu is not an allowed value", i);
                for (k = 0; k < i; k++)
                        if (json_equal(json_array_get(j, k), j_item))
                                return problem_field(p, name, "items must be unique");
        }
        return ST_OK;
}

static int
jv_string_array(const struct jv_field *f, const json_t *j, const char *name, struct problem *p)
{
        size_t i;
        json_t *j_item;
        long long len;

        if (!json_is_array(j))
                return problem_field(p, name, "must be an array");
        if ((long long)json_array_size(j) < f->min)
                return problem_field(p, name, "must have at least %lld item(s)", f->min);
        if (f->max > 0 && (long long)json_array_size(j) > f->max)
                return problem_field(p, name, "must have at most %lld items", f->max);
        json_array_foreach(j, i, j_item) {
                if (!json_is_string(j_item))
                        return problem_field(p, name, "item %zu must be a string", i);
                len = jv_utf8_len(json_string_value(j_item));
                if (len < 1 || (f->item_max > 0 && len > f->item_max))
                        return problem_field(p, name, "item %zu must be 1 to %lld characters",
                                             i, f->item_max);
        }
        return ST_OK;
}

static int
jv_int(const struct jv_field *f, const json_t *j, const char *name, struct problem *p)
{
        json_int_t v;

        if (!json_is_integer(j))
                return problem_field(p, name, "must be an integer");
        v = json_integer_value(j);
        if (v < f->min || v > f->max)
                return problem_field(p, name, "must be from %lld to %lld", f->min, f->max);
        return ST_OK;
}

static int
jv_value(const struct jv_field *f, const json_t *j, const char *name, struct problem *p)
{
        const char *s = json_string_value(j);

        switch (f->type) {
        case JV_STRING:
                return jv_string(f, j, name, p);
        case JV_INT:
                return jv_int(f, j, name, p);
        case JV_BOOL:
                return json_is_boolean(j) ? ST_OK : problem_field(p, name, "must be true or false");
        case JV_UUID:
                return s != NULL && strlen(s) == 36 && jv_uuid_shape(s)
                       ? ST_OK : problem_field(p, name, "must be a UUID");
        case JV_ENUM:
                return s != NULL && jv_in(f->values, s)
                       ? ST_OK : problem_field(p, name, "must be one of the allowed values");
        case JV_ENUM_ARRAY:
                return jv_enum_array(f, j, name, p);
        case JV_STRING_ARRAY:
                return jv_string_array(f, j, name, p);
        case JV_EMAIL:
                return s != NULL && jv_email_valid(s)
                       ? ST_OK : problem_field(p, name, "must be an e-mail address");
        case JV_TIME:
                return s != NULL && jv_time_valid(s)
                       ? ST_OK : problem_field(p, name, "must be an RFC 3339 date-time");
        case JV_DATE:
                return s != NULL && strlen(s) == 10 && date_valid(s)
                       ? ST_OK : problem_field(p, name, "must be a date (YYYY-MM-DD)");
        case JV_ANY:
                return ST_OK;
        case JV_OBJECT:
                return json_is_object(j) ? ST_OK : problem_field(p, name, "must be an object");
        case JV_ARRAY:
                if (!json_is_array(j))
                        return problem_field(p, name, "must be an array");
                if ((long long)json_array_size(j) < f->min)
                        return problem_field(p, name, "must have at least %lld item(s)", f->min);
                if (f->max > 0 && (long long)json_array_size(j) > f->max)
                        return problem_field(p, name, "must have at most %lld items", f->max);
                return ST_OK;
        }
        return problem_field(p, name, "has an unsupported type");
}

bool
jv_uuid_shape(const char *s)
{
        for (int i = 0; i < 36; i++) {
                if (i == 8 || i == 13 || i == 18 || i == 23) {
                        if (s[i] != '-')
                                return false;
                } else if (!isxdigit((unsigned char)s[i])) {
                        return false;
                }
        }
        return s[36] == '\0';
}

static int
jv_check_mode(const json_t *j_obj, const struct jv_field *fields, const char *prefix,
              struct problem *p, bool partial)
{
        const char *key;
        json_t *j_val;
        char name[128];
        size_t before = problem_field_count(p);

        json_object_foreach((json_t *)j_obj, key, j_val) {
                const struct jv_field *f = jv_find(fields, key);

                jv_name(name, sizeof(name), prefix, key);
                if (f == NULL)
                        problem_field(p, name, "unknown field");
                else if (json_is_null(j_val) && !(f->flags & JV_NULLABLE))
                        problem_field(p, name, "must not be null");
                else if (!json_is_null(j_val))
                        jv_value(f, j_val, name, p);
        }
        for (; !partial && fields->name != NULL; fields++) {
                if ((fields->flags & JV_REQUIRED) && json_object_get(j_obj, fields->name) == NULL) {
                        jv_name(name, sizeof(name), prefix, fields->name);
                        problem_field(p, name, "is required");
                }
        }
        return problem_field_count(p) > before ? ST_INVALID : ST_OK;
}

int
jv_check(const json_t *j_obj, const struct jv_field *fields, const char *prefix,
         struct problem *p)
{
        return jv_check_mode(j_obj, fields, prefix, p, false);
}

int
jv_check_partial(const json_t *j_obj, const struct jv_field *fields, const char *prefix,
                 struct problem *p)
{
        return jv_check_mode(j_obj, fields, prefix, p, true);
}
