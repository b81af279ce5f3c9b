/*
 * test_jsonv.c - unit tests for jsonv.c: every field type accepted and
 * rejected, unknown and missing members, null handling, several faults
 * reported at once, and field names under a prefix.
 *
 * Each check builds {"name": "ok", <key>: <value>} against one field table
 * that has a field of every type, so a single fault is the one under test.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "jsonv.h"
#include "status.h"

static const char *const colours[] = { "red", "green", "blue", NULL };

static const struct jv_field fields[] = {
        { "name", JV_STRING, JV_REQUIRED, 1, 200, NULL, 0 },
        { "code", JV_STRING, 0, 3, 8, NULL, 0 },
        { "note", JV_STRING, JV_NULLABLE, 0, 10, NULL, 0 },
        { "count", JV_INT, 0, -5, 10, NULL, 0 },
        { "flag", JV_BOOL, 0, 0, 0, NULL, 0 },
        { "id", JV_UUID, 0, 0, 0, NULL, 0 },
        { "colour", JV_ENUM, 0, 0, 0, colours, 0 },
        { "colours", JV_ENUM_ARRAY, 0, 1, 2, colours, 0 },
        { "tags", JV_STRING_ARRAY, 0, 1, 3, NULL, 5 },
        { "email", JV_EMAIL, 0, 0, 0, NULL, 0 },
        { "at", JV_TIME, 0, 0, 0, NULL, 0 },
        { "day", JV_DATE, 0, 0, 0, NULL, 0 },
        { "meta", JV_OBJECT, JV_NULLABLE, 0, 0, NULL, 0 },
        { "list", JV_ARRAY, 0, 0, 2, NULL, 0 },
        { "any", JV_ANY, 0, 0, 0, NULL, 0 },
        { NULL, 0, 0, 0, 0, NULL, 0 },
};

/* Returns a malloc'd string of @count copies of @unit. */
static char *
repeat(const char *unit, size_t count)
{
        size_t len = strlen(unit);
        char *s = malloc(len * count + 1);

        ck_assert_ptr_nonnull(s);
        for (size_t i = 0; i < count; i++)
                memcpy(s + i * len, unit, len);
        s[len * count] = '\0';
        return s;
}

/* Checks {"name": "ok", @key: @j_val (stolen)}; the faults are left in @p. */
static int
check_member(const char *key, json_t *j_val, struct problem *p)
{
        json_t *j_obj = json_pack("{s:s}", "name", "ok");
        int rc;

        ck_assert_ptr_nonnull(j_obj);
        ck_assert_ptr_nonnull(j_val);
        ck_assert_int_eq(json_object_set_new(j_obj, key, j_val), 0);
        rc = jv_check(j_obj, fields, NULL, p);
        json_decref(j_obj);
        return rc;
}

/* Dumps @j_val for a failure message; malloc'd. */
static char *
dump(const json_t *j_val)
{
        char *text = json_dumps(j_val, JSON_ENCODE_ANY | JSON_COMPACT);

        return text != NULL ? text : strdup("?");
}

/* Asserts that @key may be @j_val (stolen). */
static void
expect_ok(const char *key, json_t *j_val)
{
        struct problem p = PROBLEM_INIT;
        char *text = dump(j_val);
        int rc = check_member(key, j_val, &p);

        ck_assert_msg(rc == ST_OK && problem_field_count(&p) == 0,
                      "%s: %s was rejected", key, text);
        free(text);
        problem_release(&p);
}

/* Asserts that @fault_field is the one fault recorded in @p, with @message in it. */
static void
assert_one_fault(const struct problem *p, const char *fault_field, const char *message,
                 const char *what)
{
        const json_t *j_err;
        const char *field, *msg;

        ck_assert_msg(problem_field_count(p) == 1, "%s: %zu faults, want 1", what,
                      problem_field_count(p));
        j_err = json_array_get(p->j_errors, 0);
        field = json_string_value(json_object_get(j_err, "field"));
        msg = json_string_value(json_object_get(j_err, "message"));
        ck_assert_msg(field != NULL && strcmp(field, fault_field) == 0,
                      "%s: fault names \"%s\", want \"%s\"", what, field, fault_field);
        ck_assert_msg(msg != NULL && strstr(msg, message) != NULL,
                      "%s: message \"%s\" lacks \"%s\"", what, msg, message);
}

/* Asserts that @key may not be @j_val (stolen) and that the one fault says @message. */
static void
expect_fault(const char *key, json_t *j_val, const char *message)
{
        struct problem p = PROBLEM_INIT;
        char *text = dump(j_val);
        int rc = check_member(key, j_val, &p);

        ck_assert_msg(rc == ST_INVALID, "%s: %s was accepted", key, text);
        ck_assert_int_eq(p.st, ST_INVALID);
        assert_one_fault(&p, key, message, text);
        free(text);
        problem_release(&p);
}

/* Returns true when the faults in @p name @field exactly once. */
static bool
names_once(const struct problem *p, const char *field, const char *message)
{
        size_t i, seen = 0;
        const json_t *j_err;

        json_array_foreach(p->j_errors, i, j_err) {
                const char *f = json_string_value(json_object_get(j_err, "field"));
                const char *m = json_string_value(json_object_get(j_err, "message"));

                if (f != NULL && strcmp(f, field) == 0 && m != NULL && strstr(m, message) != NULL)
                        seen++;
        }
        return seen == 1;
}

/* ---- strings ---------------------------------------------------------------- */

START_TEST(test_utf8_len)
{
        ck_assert_int_eq(jv_utf8_len(""), 0);
        ck_assert_int_eq(jv_utf8_len("abc"), 3);
        ck_assert_int_eq(jv_utf8_len("\xc3\xa9"), 1);                 /* é */
        ck_assert_int_eq(jv_utf8_len("\xe2\x82\xac"), 1);             /* € */
        ck_assert_int_eq(jv_utf8_len("\xf0\x9f\x98\x80"), 1);         /* 😀 */
        ck_assert_int_eq(jv_utf8_len("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"), 5);
}
END_TEST

START_TEST(test_blank)
{
        ck_assert(jv_blank(""));
        ck_assert(jv_blank(" \t\r\n\v\f"));
        ck_assert(jv_blank("\xc2\xa0"));                      /* no-break space */
        ck_assert(jv_blank("\xe2\x80\x83\xe2\x80\xa8"));      /* em space, line separator */
        ck_assert(jv_blank("\xe3\x80\x80\xef\xbb\xbf"));      /* ideographic space, BOM */
        ck_assert(jv_blank("\xe2\x80\x8b"));                  /* zero-width space */
        ck_assert(!jv_blank("a"));
        ck_assert(!jv_blank(" a "));
        ck_assert(!jv_blank("\xc3\xa9"));
        ck_assert(!jv_blank("\xe2\x80\x90"));                 /* hyphen, just past the spaces */
        ck_assert(!jv_blank("\xf0\x9f\x98\x80"));
        ck_assert(!jv_blank("\xe2\x80\x8b."));
}
END_TEST

START_TEST(test_string_accept)
{
        char *s200 = repeat("a", 200);
        char *e200 = repeat("\xc3\xa9", 200);      /* 400 bytes, 200 characters */
        char *emoji200 = repeat("\xf0\x9f\x98\x80", 200);

        expect_ok("name", json_string(s200));
        expect_ok("name", json_string(e200));
        expect_ok("name", json_string(emoji200));
        expect_ok("name", json_string("x"));
        expect_ok("code", json_string("abc"));
        expect_ok("code", json_string("\xc3\xa9\xc3\xa9\xc3\xa9"));
        expect_ok("code", json_string("abcdefgh"));
        expect_ok("note", json_string(""));
        free(s200);
        free(e200);
        free(emoji200);
}
END_TEST

START_TEST(test_string_reject)
{
        char *s201 = repeat("a", 201);
        char *e201 = repeat("\xc3\xa9", 201);

        expect_fault("name", json_string(s201), "at most 200 characters");
        expect_fault("name", json_string(e201), "at most 200 characters");
        expect_fault("name", json_string(""), "must not be empty");
        expect_fault("code", json_string("ab"), "at least 3 characters");
        expect_fault("code", json_string("\xc3\xa9\xc3\xa9"), "at least 3 characters");
        expect_fault("code", json_string("abcdefghi"), "at most 8 characters");
        expect_fault("note", json_string("abcdefghijk"), "at most 10 characters");
        expect_fault("name", json_integer(1), "must be a string");
        expect_fault("name", json_true(), "must be a string");
        expect_fault("name", json_pack("[s]", "x"), "must be a string");
        expect_fault("name", json_object(), "must be a string");
        free(s201);
        free(e201);
}
END_TEST

START_TEST(test_string_with_nul_rejected)
{
        expect_fault("name", json_stringn("ab\0cd", 5), "NUL");
        expect_fault("code", json_stringn("abc\0", 4), "NUL");
        expect_fault("note", json_stringn("\0", 1), "NUL");
}
END_TEST

/* ---- integers and booleans -------------------------------------------------- */

START_TEST(test_int)
{
        expect_ok("count", json_integer(-5));
        expect_ok("count", json_integer(0));
        expect_ok("count", json_integer(10));
        expect_fault("count", json_integer(-6), "from -5 to 10");
        expect_fault("count", json_integer(11), "from -5 to 10");
        expect_fault("count", json_integer(LLONG_MAX), "from -5 to 10");
        expect_fault("count", json_integer(LLONG_MIN), "from -5 to 10");
        expect_fault("count", json_real(1.5), "must be an integer");
        expect_fault("count", json_real(2.0), "must be an integer");
        expect_fault("count", json_string("1"), "must be an integer");
        expect_fault("count", json_true(), "must be an integer");
        expect_fault("count", json_false(), "must be an integer");
        expect_fault("count", json_array(), "must be an integer");
}
END_TEST

START_TEST(test_bool)
{
        expect_ok("flag", json_true());
        expect_ok("flag", json_false());
        expect_fault("flag", json_integer(1), "true or false");
        expect_fault("flag", json_integer(0), "true or false");
        expect_fault("flag", json_string("true"), "true or false");
        expect_fault("flag", json_object(), "true or false");
}
END_TEST

/* ---- UUIDs and enums -------------------------------------------------------- */

START_TEST(test_uuid)
{
        expect_ok("id", json_string("123e4567-e89b-12d3-a456-426614174000"));
        expect_ok("id", json_string("123E4567-E89B-12D3-A456-426614174ABC"));
        expect_ok("id", json_string("00000000-0000-0000-0000-000000000000"));
        expect_fault("id", json_string("123e4567-e89b-12d3-a456-42661417400"), "UUID");
        expect_fault("id", json_string("123e4567-e89b-12d3-a456-4266141740000"), "UUID");
        expect_fault("id", json_string("123e4567-e89b-12d3-a456-42661417400g"), "UUID");
        expect_fault("id", json_string("123e4567e-89b-12d3-a456-426614174000"), "UUID");
        expect_fault("id", json_string("123e4567-e89b-12d3-a4564-26614174000"), "UUID");
        expect_fault("id", json_string("123e4567+e89b+12d3+a456+426614174000"), "UUID");
        expect_fault("id", json_string("{23e4567-e89b-12d3-a456-42661417400}"), "UUID");
        expect_fault("id", json_string("123e4567e89b12d3a456426614174000"), "UUID");
        expect_fault("id", json_string(""), "UUID");
        expect_fault("id", json_integer(123), "UUID");
}
END_TEST

START_TEST(test_uuid_shape_short_input)
{
        /* Stops at the terminator rather than reading past it. */
        ck_assert(!jv_uuid_shape(""));
        ck_assert(!jv_uuid_shape("123e4567"));
        ck_assert(!jv_uuid_shape("123e4567-e89b-12d3-a456-42661417400"));
        ck_assert(jv_uuid_shape("123e4567-e89b-12d3-a456-426614174000"));
}
END_TEST

START_TEST(test_enum)
{
        expect_ok("colour", json_string("red"));
        expect_ok("colour", json_string("blue"));
        expect_fault("colour", json_string("Red"), "allowed values");
        expect_fault("colour", json_string("pink"), "allowed values");
        expect_fault("colour", json_string(""), "allowed values");
        expect_fault("colour", json_string("red "), "allowed values");
        expect_fault("colour", json_integer(1), "allowed values");
        expect_fault("colour", json_pack("[s]", "red"), "allowed values");
}
END_TEST

START_TEST(test_enum_array)
{
        expect_ok("colours", json_pack("[s]", "red"));
        expect_ok("colours", json_pack("[s,s]", "blue", "red"));
        expect_fault("colours", json_array(), "at least 1 item");
        expect_fault("colours", json_pack("[s,s,s]", "red", "green", "blue"), "at most 2 items");
        expect_fault("colours", json_pack("[s,s]", "red", "pink"), "item 1 is not an allowed");
        expect_fault("colours", json_pack("[s]", "RED"), "item 0 is not an allowed");
        expect_fault("colours", json_pack("[i]", 1), "item 0 is not an allowed");
        expect_fault("colours", json_pack("[n]"), "item 0 is not an allowed");
        expect_fault("colours", json_pack("[s,s]", "red", "red"), "unique");
        expect_fault("colours", json_string("red"), "must be an array");
        expect_fault("colours", json_object(), "must be an array");
}
END_TEST

START_TEST(test_string_array)
{
        expect_ok("tags", json_pack("[s]", "a"));
        expect_ok("tags", json_pack("[s,s,s]", "a", "abcde", "a"));
        expect_ok("tags", json_pack("[s]", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"));
        expect_fault("tags", json_array(), "at least 1 item");
        expect_fault("tags", json_pack("[s,s,s,s]", "a", "b", "c", "d"), "at most 3 items");
        expect_fault("tags", json_pack("[s]", "abcdef"), "item 0 must be 1 to 5 characters");
        expect_fault("tags", json_pack("[s,s]", "a", ""), "item 1 must be 1 to 5 characters");
        expect_fault("tags", json_pack("[s,i]", "a", 1), "item 1 must be a string");
        expect_fault("tags", json_pack("[n]"), "item 0 must be a string");
        expect_fault("tags", json_string("a"), "must be an array");
}
END_TEST

/* ---- e-mail ----------------------------------------------------------------- */

START_TEST(test_email_accept)
{
        char local64[80], addr254[300];
        char *dom;

        expect_ok("email", json_string("ana@example.com"));
        expect_ok("email", json_string("first.last+tag@sub.example.co.uk"));
        expect_ok("email", json_string("a@b.co"));
        expect_ok("email", json_string("O'Brien@example.ie"));

        /* The longest allowed: a 64-character local part and 254 in all. */
        memset(local64, 'l', 64);
        local64[64] = '\0';
        dom = repeat("d", 254 - 64 - 1 - 4);
        snprintf(addr254, sizeof(addr254), "%s@%s.com", local64, dom);
        ck_assert_uint_eq(strlen(addr254), 254);
        expect_ok("email", json_string(addr254));
        free(dom);
}
END_TEST

START_TEST(test_email_reject)
{
        char local65[80], addr[300];
        char *dom;

        expect_fault("email", json_string("ana.example.com"), "e-mail");      /* no @ */
        expect_fault("email", json_string("ana@@example.com"), "e-mail");     /* two @ */
        expect_fault("email", json_string("a@b@example.com"), "e-mail");      /* two @ */
        expect_fault("email", json_string("ana@localhost"), "e-mail");        /* no dot */
        expect_fault("email", json_string("ana @example.com"), "e-mail");     /* space */
        expect_fault("email", json_string("ana@exa mple.com"), "e-mail");
        expect_fault("email", json_string(" ana@example.com"), "e-mail");
        expect_fault("email", json_string("ana@example.com "), "e-mail");
        expect_fault("email", json_string("ana\t@example.com"), "e-mail");
        expect_fault("email", json_string("ana@example.com."), "e-mail");     /* trailing dot */
        expect_fault("email", json_string("@example.com"), "e-mail");         /* no local part */
        expect_fault("email", json_string("ana@.com"), "e-mail");             /* empty label */
        expect_fault("email", json_string("a@b,c@d.com"), "e-mail");
        expect_fault("email", json_string(""), "e-mail");
        expect_fault("email", json_integer(5), "e-mail");

        /* 255 characters in all. */
        dom = repeat("d", 255 - 10 - 1 - 4);
        snprintf(addr, sizeof(addr), "localpart0@%s.com", dom);
        ck_assert_uint_eq(strlen(addr), 255);
        expect_fault("email", json_string(addr), "e-mail");
        free(dom);

        /* A 65-character local part. */
        memset(local65, 'l', 65);
        local65[65] = '\0';
        snprintf(addr, sizeof(addr), "%s@example.com", local65);
        expect_fault("email", json_string(addr), "e-mail");
}
END_TEST

/* ---- dates and times -------------------------------------------------------- */

START_TEST(test_time_accept)
{
        expect_ok("at", json_string("2024-03-01T12:34:56Z"));
        expect_ok("at", json_string("2024-03-01t12:34:56z"));
        expect_ok("at", json_string("2024-03-01T12:34:56+02:00"));
        expect_ok("at", json_string("2024-03-01T12:34:56-05:30"));
        expect_ok("at", json_string("2024-03-01T12:34:56.5Z"));
        expect_ok("at", json_string("2024-03-01T12:34:56.123456+00:00"));
        expect_ok("at", json_string("2024-12-31T23:59:59Z"));
}
END_TEST

START_TEST(test_time_reject)
{
        expect_fault("at", json_string("2024-03-01T12:34:56"), "RFC 3339");       /* no zone */
        expect_fault("at", json_string("2024-03-01T12:34:56.123"), "RFC 3339");   /* no zone */
        expect_fault("at", json_string("2024-13-01T12:34:56Z"), "RFC 3339");      /* month 13 */
        expect_fault("at", json_string("2024-00-01T12:34:56Z"), "RFC 3339");      /* month 0 */
        expect_fault("at", json_string("2024-03-00T12:34:56Z"), "RFC 3339");
        expect_fault("at", json_string("2024-03-32T12:34:56Z"), "RFC 3339");
        expect_fault("at", json_string("2024-03-01X12:34:56Z"), "RFC 3339");
        expect_fault("at", json_string("2024-03-01T12:34Z"), "RFC 3339");
        expect_fault("at", json_string("2024-03-01T12-34-56Z"), "RFC 3339");
        expect_fault("at", json_string("2024-03-01T12:34:56.Z"), "RFC 3339");
        expect_fault("at", json_string("2024-03-01T12:34:56+0200"), "RFC 3339");
        expect_fault("at", json_string("2024-03-01T12:34:56+02"), "RFC 3339");
        expect_fault("at", json_string("2024-03-01T12:34:56Zjunk"), "RFC 3339");
        expect_fault("at", json_string("2024-03-01T12:34:56+02:00x"), "RFC 3339");
        expect_fault("at", json_string("24-03-01T12:34:56Z"), "RFC 3339");
        expect_fault("at", json_string("2024-03-01"), "RFC 3339");
        expect_fault("at", json_string(""), "RFC 3339");
        expect_fault("at", json_integer(1709296496), "RFC 3339");
}
END_TEST

START_TEST(test_date)
{
        expect_ok("day", json_string("2024-02-29"));
        expect_ok("day", json_string("1999-12-31"));
        expect_ok("day", json_string("2024-01-01"));
        expect_fault("day", json_string("2024-13-01"), "YYYY-MM-DD");
        expect_fault("day", json_string("2024-00-10"), "YYYY-MM-DD");
        expect_fault("day", json_string("2024-01-32"), "YYYY-MM-DD");
        expect_fault("day", json_string("2024-01-00"), "YYYY-MM-DD");
        expect_fault("day", json_string("2024-1-01"), "YYYY-MM-DD");
        expect_fault("day", json_string("20240101"), "YYYY-MM-DD");
        expect_fault("day", json_string("2024/01/01"), "YYYY-MM-DD");
        expect_fault("day", json_string("2024-01-01T00:00:00Z"), "YYYY-MM-DD");
        expect_fault("day", json_string("2024-01-01 "), "YYYY-MM-DD");
        expect_fault("day", json_string(""), "YYYY-MM-DD");
        expect_fault("day", json_integer(20240101), "YYYY-MM-DD");
}
END_TEST

/* ---- objects and arrays ----------------------------------------------------- */

START_TEST(test_object_and_array)
{
        expect_ok("meta", json_object());
        expect_ok("meta", json_pack("{s:i}", "anything", 1));
        expect_fault("meta", json_array(), "must be an object");
        expect_fault("meta", json_string("{}"), "must be an object");
        expect_ok("list", json_array());
        expect_ok("list", json_pack("[i,s]", 1, "x"));
        expect_fault("list", json_pack("[i,i,i]", 1, 2, 3), "at most 2 items");
        expect_fault("list", json_object(), "must be an array");
}
END_TEST

START_TEST(test_any)
{
        expect_ok("any", json_string("weekly"));
        expect_ok("any", json_pack("{s:i}", "every_n_days", 3));
        expect_ok("any", json_integer(7));
        expect_ok("any", json_array());
        expect_fault("any", json_null(), "must not be null");
}
END_TEST

/* ---- members: unknown, required, null --------------------------------------- */

START_TEST(test_unknown_field)
{
        expect_fault("bogus", json_integer(1), "unknown field");
        expect_fault("Name", json_string("x"), "unknown field");
        expect_fault("nothing", json_null(), "unknown field");
}
END_TEST

/*
 * An unknown member whose name is cut inside a character when the field name is
 * built (128 bytes): the fault must still be recorded, with valid UTF-8, or
 * the body would pass.
 */
START_TEST(test_unknown_field_cut_inside_a_character)
{
        struct problem p = PROBLEM_INIT;
        char *a126 = repeat("a", 126), key[160], want[160];

        snprintf(key, sizeof(key), "%s\xc3\xa9" "bc", a126);        /* é at bytes 126-127 */
        snprintf(want, sizeof(want), "%s?", a126);
        ck_assert_int_eq(check_member(key, json_integer(1), &p), ST_INVALID);
        assert_one_fault(&p, want, "unknown field", "a long name cut inside a character");
        problem_release(&p);
        free(a126);
}
END_TEST

START_TEST(test_required_missing)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_obj = json_object();

        ck_assert_int_eq(jv_check(j_obj, fields, NULL, &p), ST_INVALID);
        assert_one_fault(&p, "name", "is required", "{}");
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(p.j_errors, 0),
                                                           "message")), "is required");
        json_decref(j_obj);
        problem_release(&p);
}
END_TEST

START_TEST(test_required_null_is_not_missing)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_obj = json_pack("{s:n}", "name");

        ck_assert_int_eq(jv_check(j_obj, fields, NULL, &p), ST_INVALID);
        assert_one_fault(&p, "name", "must not be null", "{\"name\":null}");
        json_decref(j_obj);
        problem_release(&p);
}
END_TEST

START_TEST(test_null_on_non_nullable)
{
        expect_fault("count", json_null(), "must not be null");
        expect_fault("code", json_null(), "must not be null");
        expect_fault("colours", json_null(), "must not be null");
        expect_fault("email", json_null(), "must not be null");
        expect_fault("flag", json_null(), "must not be null");
}
END_TEST

START_TEST(test_nullable_accepts_null)
{
        expect_ok("note", json_null());
        expect_ok("meta", json_null());
}
END_TEST

START_TEST(test_valid_object_all_types)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_obj = json_pack("{s:s, s:s, s:n, s:i, s:b, s:s, s:s, s:[s], s:[s],"
                                  " s:s, s:s, s:s, s:{}, s:[]}",
                                  "name", "Ana", "code", "abc", "note", "count", 3,
                                  "flag", 1, "id", "123e4567-e89b-12d3-a456-426614174000",
                                  "colour", "green", "colours", "red", "tags", "t",
                                  "email", "ana@example.com", "at", "2024-03-01T00:00:00Z",
                                  "day", "2024-03-01", "meta", "list");

        ck_assert_ptr_nonnull(j_obj);
        ck_assert_int_eq(jv_check(j_obj, fields, NULL, &p), ST_OK);
        ck_assert_uint_eq(problem_field_count(&p), 0);
        ck_assert_int_eq(p.st, ST_OK);
        json_decref(j_obj);
        problem_release(&p);
}
END_TEST

START_TEST(test_many_faults_at_once)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_obj = json_pack("{s:i, s:s, s:i, s:[], s:s, s:n, s:s, s:n}",
                                  "bogus", 1, "count", "x", "flag", 0, "colours",
                                  "email", "nope", "note", "day", "2024-13-01", "id");

        ck_assert_ptr_nonnull(j_obj);
        ck_assert_int_eq(jv_check(j_obj, fields, NULL, &p), ST_INVALID);
        /* Seven bad members, plus "name", the one required field, missing. */
        ck_assert_uint_eq(problem_field_count(&p), 8);
        ck_assert(names_once(&p, "name", "is required"));
        ck_assert(names_once(&p, "bogus", "unknown field"));
        ck_assert(names_once(&p, "count", "must be an integer"));
        ck_assert(names_once(&p, "flag", "true or false"));
        ck_assert(names_once(&p, "colours", "at least 1 item"));
        ck_assert(names_once(&p, "email", "e-mail"));
        ck_assert(names_once(&p, "day", "YYYY-MM-DD"));
        ck_assert(names_once(&p, "id", "must not be null"));
        ck_assert(!names_once(&p, "note", ""));         /* nullable: no fault */
        json_decref(j_obj);
        problem_release(&p);
}
END_TEST

START_TEST(test_status_counts_only_new_faults)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_obj = json_pack("{s:s}", "name", "ok");

        /* A fault recorded earlier (say, for another sub-object) is not this one's. */
        problem_field(&p, "other", "bad");
        ck_assert_int_eq(jv_check(j_obj, fields, NULL, &p), ST_OK);
        ck_assert_uint_eq(problem_field_count(&p), 1);
        json_decref(j_obj);
        problem_release(&p);
}
END_TEST

/* ---- prefixes --------------------------------------------------------------- */

static const struct jv_field child_fields[] = {
        { "child", JV_INT, JV_REQUIRED, 0, 5, NULL, 0 },
        { "label", JV_STRING, 0, 1, 4, NULL, 0 },
        { NULL, 0, 0, 0, 0, NULL, 0 },
};

START_TEST(test_partial_needs_nothing_but_checks_values)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_ok = json_pack("{s:i}", "count", 3);
        json_t *j_bad = json_pack("{s:i, s:s}", "count", 11, "name", "");

        ck_assert_int_eq(jv_check_partial(j_ok, fields, NULL, &p), ST_OK);
        ck_assert_uint_eq(problem_field_count(&p), 0);
        ck_assert_int_eq(jv_check(j_ok, fields, NULL, &p), ST_INVALID);   /* name required */
        problem_release(&p);
        ck_assert_int_eq(jv_check_partial(j_bad, fields, NULL, &p), ST_INVALID);
        ck_assert_uint_eq(problem_field_count(&p), 2);
        problem_release(&p);
        json_decref(j_ok);
        json_decref(j_bad);
}
END_TEST

START_TEST(test_prefix_names_fields)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_obj = json_pack("{s:i, s:s, s:b}", "child", 9, "label", "toolong", "x", 1);

        ck_assert_int_eq(jv_check(j_obj, child_fields, "parent", &p), ST_INVALID);
        ck_assert_uint_eq(problem_field_count(&p), 3);
        ck_assert(names_once(&p, "parent.child", "from 0 to 5"));
        ck_assert(names_once(&p, "parent.label", "at most 4 characters"));
        ck_assert(names_once(&p, "parent.x", "unknown field"));
        json_decref(j_obj);
        problem_release(&p);

        j_obj = json_object();
        ck_assert_int_eq(jv_check(j_obj, child_fields, "parent", &p), ST_INVALID);
        assert_one_fault(&p, "parent.child", "is required", "{} under parent");
        problem_release(&p);

        ck_assert_int_eq(jv_check(j_obj, child_fields, "a.b", &p), ST_INVALID);
        assert_one_fault(&p, "a.b.child", "is required", "{} under a.b");
        problem_release(&p);

        ck_assert_int_eq(jv_check(j_obj, child_fields, NULL, &p), ST_INVALID);
        assert_one_fault(&p, "child", "is required", "{} without prefix");
        json_decref(j_obj);
        problem_release(&p);
}
END_TEST

static Suite *
jsonv_suite(void)
{
        Suite *s = suite_create("jsonv");
        TCase *tc_types = tcase_create("types");
        TCase *tc_members = tcase_create("members");

        tcase_add_test(tc_types, test_utf8_len);
        tcase_add_test(tc_types, test_blank);
        tcase_add_test(tc_types, test_string_accept);
        tcase_add_test(tc_types, test_string_reject);
        tcase_add_test(tc_types, test_string_with_nul_rejected);
        tcase_add_test(tc_types, test_int);
        tcase_add_test(tc_types, test_bool);
        tcase_add_test(tc_types, test_uuid);
        tcase_add_test(tc_types, test_uuid_shape_short_input);
        tcase_add_test(tc_types, test_enum);
        tcase_add_test(tc_types, test_enum_array);
        tcase_add_test(tc_types, test_string_array);
        tcase_add_test(tc_types, test_email_accept);
        tcase_add_test(tc_types, test_email_reject);
        tcase_add_test(tc_types, test_time_accept);
        tcase_add_test(tc_types, test_time_reject);
        tcase_add_test(tc_types, test_date);
        tcase_add_test(tc_types, test_object_and_array);
        tcase_add_test(tc_types, test_any);
        suite_add_tcase(s, tc_types);

        tcase_add_test(tc_members, test_unknown_field);
        tcase_add_test(tc_members, test_required_missing);
        tcase_add_test(tc_members, test_required_null_is_not_missing);
        tcase_add_test(tc_members, test_null_on_non_nullable);
        tcase_add_test(tc_members, test_nullable_accepts_null);
        tcase_add_test(tc_members, test_valid_object_all_types);
        tcase_add_test(tc_members, test_many_faults_at_once);
        tcase_add_test(tc_members, test_status_counts_only_new_faults);
        tcase_add_test(tc_members, test_prefix_names_fields);
        tcase_add_test(tc_members, test_unknown_field_cut_inside_a_character);
        tcase_add_test(tc_members, test_partial_needs_nothing_but_checks_values);
        suite_add_tcase(s, tc_members);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(jsonv_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
