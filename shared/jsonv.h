/*
 * jsonv.h - strict validation of a JSON request object against a field table.
 *
 * Unknown members, wrong types, missing required members, strings out of their
 * length bounds, bad enum values, integers out of range: every fault is
 * recorded in the problem at once, named by field.
 */
#ifndef TANDEM_JSONV_H
#define TANDEM_JSONV_H

#include <stdbool.h>
#include <jansson.h>
#include "problem.h"

enum jv_type {
        JV_STRING = 1,       /* min/max: length in characters (UTF-8 code points) */
        JV_INT,              /* min/max: value */
        JV_BOOL,
        JV_UUID,
        JV_ENUM,             /* a string from @values */
        JV_ENUM_ARRAY,       /* an array of distinct strings from @values; min/max: count */
        JV_STRING_ARRAY,     /* min/max: count; each item 1..item_max characters */
        JV_EMAIL,            /* a plausible address, at most 254 characters */
        JV_TIME,             /* RFC 3339 date-time */
        JV_DATE,             /* YYYY-MM-DD */
        JV_OBJECT,           /* any object; the service validates further */
        JV_ARRAY,            /* any array with min..max items */
        JV_ANY,              /* any value but null; the service validates further */
};

enum jv_flags {
        JV_REQUIRED = 1u << 0,
        JV_NULLABLE = 1u << 1,
        JV_NOT_BLANK = 1u << 2,     /* JV_STRING: not "" nor only white space */
};

struct jv_field {
        const char *name;
        enum jv_type type;
        unsigned flags;
        long long min, max;
        const char *const *values;   /* JV_ENUM, JV_ENUM_ARRAY: NULL-terminated */
        long long item_max;          /* JV_STRING_ARRAY: per-item max length */
};

/*
 * Validates @j_obj (borrowed) against @fields (ended by { NULL }).  Records
 * every fault in @p with the field name (prefixed by @prefix + "." when not
 * NULL).  Returns ST_OK or ST_INVALID.
 */
int jv_check(const json_t *j_obj, const struct jv_field *fields, const char *prefix,
             struct problem *p);

/*
 * Like jv_check, for a PATCH: the same table, but no field is required, since
 * the body names only what changes.
 */
int jv_check_partial(const json_t *j_obj, const struct jv_field *fields, const char *prefix,
                     struct problem *p);

/* Number of UTF-8 code points in @s, or -1 when @s is not valid UTF-8. */
long long jv_utf8_len(const char *s);

/*
 * True when @s is empty or only white space: ASCII blanks and the Unicode
 * space separators, line and paragraph separators, and the invisible
 * U+180E, U+200B..U+200D, U+2060 and U+FEFF.  @s is valid UTF-8.
 */
bool jv_blank(const char *s);

/* True when @s looks like an e-mail address (local@domain.tld, no spaces). */
bool jv_email_valid(const char *s);

/* True when @s has the 8-4-4-4-12 hex shape of a UUID. */
bool jv_uuid_shape(const char *s);

/* True when @s is an RFC 3339 date-time with a zone. */
bool jv_time_valid(const char *s);

#endif
