/*
 * test_people_json.c - unit tests for people_json.c: what a valid person or
 * pairing request looks like, every fault reported at once, and which fields
 * a person may change on their own profile without the admin role.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

/* The Makefile gives tests -Ishared only, so reach the service header by path. */
#include "people.h"
#include "status.h"

#define MENTOR_ID "123e4567-e89b-12d3-a456-426614174000"
#define PARTNER_ID "9b2c4d1e-0f3a-4b5c-8d6e-7f8091a2b3c4"

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

/* Returns a new reference to the smallest valid POST /v1/people body. */
static json_t *
minimal_person(void)
{
        json_t *j_body = json_pack("{s:s, s:s, s:[s]}", "email", "ana@example.com",
                                   "display_name", "Ana", "roles", "partner");

        ck_assert_ptr_nonnull(j_body);
        return j_body;
}

/* Returns how many faults in @p name @field and carry @message. */
static int
faults_for(const struct problem *p, const char *field, const char *message)
{
        size_t i;
        int seen = 0;
        const json_t *j_err;

        if (p->j_errors == NULL)
                return 0;
        json_array_foreach(p->j_errors, i, j_err) {
                const char *f = json_string_value(json_object_get(j_err, "field"));
                const char *m = json_string_value(json_object_get(j_err, "message"));

                if (f != NULL && strcmp(f, field) == 0 && m != NULL && strstr(m, message) != NULL)
                        seen++;
        }
        return seen;
}

/* Checks minimal_person() with @key set to @j_val (stolen); faults left in @p. */
static int
create_with(const char *key, json_t *j_val, struct problem *p)
{
        json_t *j_body = minimal_person();
        int rc;

        ck_assert_ptr_nonnull(j_val);
        ck_assert_int_eq(json_object_set_new(j_body, key, j_val), 0);
        rc = people_json_check_create(j_body, p);
        json_decref(j_body);
        return rc;
}

static void
expect_create_ok(const char *key, json_t *j_val)
{
        struct problem p = PROBLEM_INIT;

        ck_assert_msg(create_with(key, j_val, &p) == ST_OK, "%s rejected", key);
        ck_assert_uint_eq(problem_field_count(&p), 0);
        problem_release(&p);
}

/* Asserts a single fault on @key saying @message. */
static void
expect_create_fault(const char *key, json_t *j_val, const char *message)
{
        struct problem p = PROBLEM_INIT;

        ck_assert_msg(create_with(key, j_val, &p) == ST_INVALID, "%s accepted", key);
        ck_assert_msg(problem_field_count(&p) == 1, "%s: %zu faults, want 1", key,
                      problem_field_count(&p));
        ck_assert_msg(faults_for(&p, key, message) == 1, "%s: no fault saying \"%s\"",
                      key, message);
        problem_release(&p);
}

/* ---- POST /v1/people -------------------------------------------------------- */

START_TEST(test_create_minimal)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_body = minimal_person();

        ck_assert_int_eq(people_json_check_create(j_body, &p), ST_OK);
        ck_assert_uint_eq(problem_field_count(&p), 0);
        ck_assert_int_eq(p.st, ST_OK);
        json_decref(j_body);
        problem_release(&p);
}
END_TEST

START_TEST(test_create_full)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_body = json_pack("{s:s, s:s, s:[s,s], s:s, s:s, s:n, s:s, s:s, s:s, s:n,"
                                   " s:i}",
                                   "email", "ana@example.com", "display_name", "Ana Souza",
                                   "roles", "mentor", "admin", "external_id", "hr-1",
                                   "title", "Engineer", "business_unit", "status", "paused",
                                   "timezone", "Europe/London", "purpose", "to grow",
                                   "vision", "mentor_capacity", 3);

        ck_assert_ptr_nonnull(j_body);
        ck_assert_int_eq(people_json_check_create(j_body, &p), ST_OK);
        ck_assert_uint_eq(problem_field_count(&p), 0);
        json_decref(j_body);
        problem_release(&p);
}
END_TEST

START_TEST(test_create_required_missing)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_body = json_object();

        ck_assert_int_eq(people_json_check_create(j_body, &p), ST_INVALID);
        ck_assert_uint_eq(problem_field_count(&p), 3);
        ck_assert_int_eq(faults_for(&p, "email", "is required"), 1);
        ck_assert_int_eq(faults_for(&p, "display_name", "is required"), 1);
        ck_assert_int_eq(faults_for(&p, "roles", "is required"), 1);
        json_decref(j_body);
        problem_release(&p);
}
END_TEST

START_TEST(test_create_every_fault_at_once)
{
        struct problem p = PROBLEM_INIT;
        char *bu101 = repeat("b", 101);
        char *text4001 = repeat("p", 4001);
        json_t *j_body = json_pack("{s:s, s:s, s:[], s:s, s:i, s:s, s:s, s:s, s:s, s:i, s:i,"
                                   " s:s}",
                                   "email", "nope", "display_name", "", "roles",
                                   "external_id", "", "title", 5, "business_unit", bu101,
                                   "status", "gone", "timezone", "Europe London",
                                   "purpose", text4001, "vision", 7, "mentor_capacity", 101,
                                   "nickname", "Annie");

        ck_assert_ptr_nonnull(j_body);
        ck_assert_int_eq(people_json_check_create(j_body, &p), ST_INVALID);
        ck_assert_int_eq(p.st, ST_INVALID);
        ck_assert_uint_eq(problem_field_count(&p), 12);
        ck_assert_int_eq(faults_for(&p, "email", "e-mail"), 1);
        ck_assert_int_eq(faults_for(&p, "display_name", "must not be blank"), 1);
        ck_assert_int_eq(faults_for(&p, "roles", "at least 1"), 1);
        ck_assert_int_eq(faults_for(&p, "external_id", "must not be blank"), 1);
        ck_assert_int_eq(faults_for(&p, "title", "must be a string"), 1);
        ck_assert_int_eq(faults_for(&p, "business_unit", "at most 100"), 1);
        ck_assert_int_eq(faults_for(&p, "status", "allowed values"), 1);
        ck_assert_int_eq(faults_for(&p, "timezone", "IANA"), 1);
        ck_assert_int_eq(faults_for(&p, "purpose", "at most 4000"), 1);
        ck_assert_int_eq(faults_for(&p, "vision", "must be a string"), 1);
        ck_assert_int_eq(faults_for(&p, "mentor_capacity", "from 0 to 100"), 1);
        ck_assert_int_eq(faults_for(&p, "nickname", "unknown field"), 1);
        json_decref(j_body);
        free(bu101);
        free(text4001);
        problem_release(&p);
}
END_TEST

START_TEST(test_create_unknown_field)
{
        expect_create_fault("nickname", json_string("Annie"), "unknown field");
        expect_create_fault("id", json_string(MENTOR_ID), "unknown field");
        expect_create_fault("version", json_integer(1), "unknown field");
}
END_TEST

START_TEST(test_create_roles)
{
        expect_create_ok("roles", json_pack("[s,s,s,s,s]", "partner", "mentor", "admin",
                                            "comms", "viewer"));
        expect_create_fault("roles", json_array(), "at least 1");
        expect_create_fault("roles", json_pack("[s]", "superuser"), "not an allowed value");
        expect_create_fault("roles", json_pack("[s,s]", "mentor", "Admin"),
                            "not an allowed value");
        expect_create_fault("roles", json_pack("[s,s]", "mentor", "mentor"), "unique");
        expect_create_fault("roles", json_pack("[s,s,s,s,s,s]", "partner", "mentor", "admin",
                                               "comms", "viewer", "partner"), "at most 5");
        expect_create_fault("roles", json_string("mentor"), "must be an array");
        expect_create_fault("roles", json_null(), "must not be null");
}
END_TEST

START_TEST(test_create_mentor_capacity)
{
        expect_create_ok("mentor_capacity", json_integer(0));
        expect_create_ok("mentor_capacity", json_integer(100));
        expect_create_fault("mentor_capacity", json_integer(101), "from 0 to 100");
        expect_create_fault("mentor_capacity", json_integer(-1), "from 0 to 100");
        expect_create_fault("mentor_capacity", json_real(2.5), "must be an integer");
        expect_create_fault("mentor_capacity", json_string("3"), "must be an integer");
}
END_TEST

START_TEST(test_create_display_name)
{
        char *s200 = repeat("n", 200);
        char *s201 = repeat("n", 201);
        char *e200 = repeat("\xc3\xa9", 200);

        expect_create_ok("display_name", json_string(s200));
        expect_create_ok("display_name", json_string(e200));
        expect_create_fault("display_name", json_string(s201), "at most 200");
        expect_create_fault("display_name", json_string(""), "must not be blank");
        expect_create_fault("display_name", json_null(), "must not be null");
        free(s200);
        free(s201);
        free(e200);
}
END_TEST

START_TEST(test_create_timezone)
{
        char *long_tz = repeat("A", 65);

        expect_create_ok("timezone", json_string("America/Argentina/Buenos_Aires"));
        expect_create_ok("timezone", json_string("Europe/London"));
        expect_create_ok("timezone", json_string("UTC"));
        expect_create_ok("timezone", json_string("Etc/GMT+5"));
        expect_create_ok("timezone", json_string("America/Port-au-Prince"));
        expect_create_fault("timezone", json_string("../etc"), "IANA");
        expect_create_fault("timezone", json_string("Europe London"), "IANA");
        expect_create_fault("timezone", json_string("Europe/../../etc/passwd"), "IANA");
        expect_create_fault("timezone", json_string("/etc/localtime"), "IANA");
        expect_create_fault("timezone", json_string("5Europe"), "IANA");
        expect_create_fault("timezone", json_string("Europe/Lond\xc3\xb3n"), "IANA");
        /* Too long: the length fault alone, not a second one about the shape. */
        expect_create_fault("timezone", json_string(long_tz), "at most 64");
        expect_create_fault("timezone", json_integer(1), "must be a string");
        expect_create_fault("timezone", json_null(), "must not be null");
        free(long_tz);
}
END_TEST

START_TEST(test_tz_shape)
{
        ck_assert(people_json_tz_shape("UTC"));
        ck_assert(people_json_tz_shape("America/Argentina/Buenos_Aires"));
        ck_assert(!people_json_tz_shape(NULL));
        ck_assert(!people_json_tz_shape(""));
        ck_assert(!people_json_tz_shape("../etc"));
        ck_assert(!people_json_tz_shape("Europe London"));
        ck_assert(!people_json_tz_shape("Europe/London;"));
}
END_TEST

/* Blanks: "" or white space only (ASCII or Unicode) in a name, a sign-in link or a label. */
START_TEST(test_create_blanks)
{
        static const char *const fields[] = { "display_name", "external_id", "title",
                                              "business_unit" };
        static const char *const blanks[] = { "", " ", "   ", "\t\n", "\xc2\xa0",
                                              "\xe3\x80\x80", " \xe2\x80\x8b " };

        for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
                for (size_t b = 0; b < sizeof(blanks) / sizeof(blanks[0]); b++)
                        expect_create_fault(fields[f], json_string(blanks[b]), "must not be blank");
        expect_create_fault("title", json_string(" "), "send null to clear it");
        expect_create_ok("display_name", json_string(" Ana "));
        expect_create_ok("business_unit", json_null());
}
END_TEST

START_TEST(test_create_other_fields)
{
        expect_create_ok("title", json_null());
        expect_create_ok("title", json_string(" Lead "));
        expect_create_ok("external_id", json_null());
        expect_create_ok("status", json_string("left"));
        expect_create_fault("status", json_null(), "must not be null");
        expect_create_fault("status", json_string("Active"), "allowed values");
        expect_create_fault("email", json_string("ana@localhost"), "e-mail");
        expect_create_fault("email", json_null(), "must not be null");
}
END_TEST

/* ---- PATCH /v1/people/{id} -------------------------------------------------- */

/* Runs the patch check on @text; faults left in @p. */
static int
patch(const char *text, bool self_only, struct problem *p)
{
        json_error_t jerr;
        json_t *j_body = json_loads(text, 0, &jerr);
        int rc;

        ck_assert_msg(j_body != NULL, "bad test JSON %s: %s", text, jerr.text);
        rc = people_json_check_patch(j_body, self_only, p);
        json_decref(j_body);
        return rc;
}

START_TEST(test_patch_blanks)
{
        struct problem p = PROBLEM_INIT;

        ck_assert_int_eq(patch("{\"external_id\": \"  \", \"title\": \"\", \"business_unit\": \"\\t\","
                               " \"display_name\": \"\\u3000\"}", false, &p), ST_INVALID);
        ck_assert_uint_eq(problem_field_count(&p), 4);
        ck_assert_int_eq(faults_for(&p, "external_id", "must not be blank"), 1);
        ck_assert_int_eq(faults_for(&p, "title", "must not be blank"), 1);
        ck_assert_int_eq(faults_for(&p, "business_unit", "must not be blank"), 1);
        ck_assert_int_eq(faults_for(&p, "display_name", "must not be blank"), 1);
        problem_release(&p);
}
END_TEST

START_TEST(test_patch_empty_body)
{
        struct problem p = PROBLEM_INIT;

        ck_assert_int_eq(patch("{}", false, &p), ST_INVALID);
        ck_assert_uint_eq(problem_field_count(&p), 1);
        ck_assert_int_eq(faults_for(&p, "body", ""), 1);
        problem_release(&p);

        ck_assert_int_eq(patch("{}", true, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "body", ""), 1);
        problem_release(&p);
}
END_TEST

START_TEST(test_patch_self_profile_fields)
{
        struct problem p = PROBLEM_INIT;

        ck_assert_int_eq(patch("{\"display_name\": \"Ana B\", \"title\": \"Lead\","
                               " \"business_unit\": \"R&D\", \"timezone\": \"Europe/Lisbon\","
                               " \"purpose\": \"p\", \"vision\": null}", true, &p), ST_OK);
        ck_assert_uint_eq(problem_field_count(&p), 0);
        ck_assert_int_eq(p.st, ST_OK);
        problem_release(&p);

        ck_assert_int_eq(patch("{\"title\": null}", true, &p), ST_OK);
        problem_release(&p);
}
END_TEST

START_TEST(test_patch_self_admin_fields_forbidden)
{
        static const char *const bodies[][2] = {
                { "{\"roles\": [\"admin\"]}", "roles" },
                { "{\"status\": \"left\"}", "status" },
                { "{\"email\": \"new@example.com\"}", "email" },
                { "{\"external_id\": \"hr-2\"}", "external_id" },
                { "{\"mentor_capacity\": 5}", "mentor_capacity" },
                { "{\"display_name\": \"Ana\", \"roles\": [\"mentor\"]}", "roles" },
        };
        struct problem p = PROBLEM_INIT;

        for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
                ck_assert_msg(patch(bodies[i][0], true, &p) == ST_FORBIDDEN, "%s allowed",
                              bodies[i][0]);
                ck_assert_int_eq(p.st, ST_FORBIDDEN);
                ck_assert_uint_eq(problem_field_count(&p), 1);
                ck_assert_msg(faults_for(&p, bodies[i][1], "admin") == 1, "%s: %s not named",
                              bodies[i][0], bodies[i][1]);
                problem_release(&p);
        }
}
END_TEST

START_TEST(test_patch_self_names_every_forbidden_field)
{
        struct problem p = PROBLEM_INIT;

        ck_assert_int_eq(patch("{\"title\": \"x\", \"roles\": [\"admin\"], \"status\": \"left\","
                               " \"email\": \"n@example.com\", \"external_id\": \"e\","
                               " \"mentor_capacity\": 9}", true, &p), ST_FORBIDDEN);
        ck_assert_int_eq(p.st, ST_FORBIDDEN);
        ck_assert_uint_eq(problem_field_count(&p), 5);
        ck_assert_int_eq(faults_for(&p, "roles", ""), 1);
        ck_assert_int_eq(faults_for(&p, "status", ""), 1);
        ck_assert_int_eq(faults_for(&p, "email", ""), 1);
        ck_assert_int_eq(faults_for(&p, "external_id", ""), 1);
        ck_assert_int_eq(faults_for(&p, "mentor_capacity", ""), 1);
        ck_assert_int_eq(faults_for(&p, "title", ""), 0);
        ck_assert_str_ne(p.detail, "");
        problem_release(&p);
}
END_TEST

START_TEST(test_patch_admin_may_change_everything)
{
        struct problem p = PROBLEM_INIT;

        ck_assert_int_eq(patch("{\"roles\": [\"mentor\", \"admin\"]}", false, &p), ST_OK);
        ck_assert_uint_eq(problem_field_count(&p), 0);
        problem_release(&p);

        ck_assert_int_eq(patch("{\"roles\": [\"viewer\"], \"status\": \"paused\","
                               " \"email\": \"n@example.com\", \"external_id\": null,"
                               " \"mentor_capacity\": 0, \"display_name\": \"N\"}",
                               false, &p), ST_OK);
        ck_assert_uint_eq(problem_field_count(&p), 0);
        problem_release(&p);
}
END_TEST

START_TEST(test_patch_bad_values)
{
        struct problem p = PROBLEM_INIT;

        ck_assert_int_eq(patch("{\"display_name\": null}", false, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "display_name", "must not be null"), 1);
        problem_release(&p);

        ck_assert_int_eq(patch("{\"display_name\": null}", true, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "display_name", "must not be null"), 1);
        problem_release(&p);

        ck_assert_int_eq(patch("{\"title\": null}", false, &p), ST_OK);
        problem_release(&p);

        ck_assert_int_eq(patch("{\"timezone\": \"Europe London\"}", true, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "timezone", "IANA"), 1);
        problem_release(&p);

        ck_assert_int_eq(patch("{\"roles\": []}", false, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "roles", "at least 1"), 1);
        problem_release(&p);

        ck_assert_int_eq(patch("{\"mentor_capacity\": 101}", false, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "mentor_capacity", "from 0 to 100"), 1);
        problem_release(&p);

        ck_assert_int_eq(patch("{\"nickname\": \"x\"}", false, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "nickname", "unknown field"), 1);
        problem_release(&p);

        ck_assert_int_eq(patch("{\"display_name\": \"\", \"email\": \"x\"}", false, &p),
                         ST_INVALID);
        ck_assert_uint_eq(problem_field_count(&p), 2);
        problem_release(&p);
}
END_TEST

/* ---- POST /v1/pairings ------------------------------------------------------ */

static int
pairing(json_t *j_body, struct problem *p)
{
        int rc;

        ck_assert_ptr_nonnull(j_body);
        rc = pairings_json_check_create(j_body, p);
        json_decref(j_body);
        return rc;
}

START_TEST(test_pairing_create_valid)
{
        struct problem p = PROBLEM_INIT;

        ck_assert_int_eq(pairing(json_pack("{s:s, s:s}", "mentor_id", MENTOR_ID,
                                           "partner_id", PARTNER_ID), &p), ST_OK);
        ck_assert_uint_eq(problem_field_count(&p), 0);
        problem_release(&p);
}
END_TEST

START_TEST(test_pairing_create_required)
{
        struct problem p = PROBLEM_INIT;

        ck_assert_int_eq(pairing(json_object(), &p), ST_INVALID);
        ck_assert_uint_eq(problem_field_count(&p), 2);
        ck_assert_int_eq(faults_for(&p, "mentor_id", "is required"), 1);
        ck_assert_int_eq(faults_for(&p, "partner_id", "is required"), 1);
        problem_release(&p);

        ck_assert_int_eq(pairing(json_pack("{s:s}", "mentor_id", MENTOR_ID), &p), ST_INVALID);
        ck_assert_uint_eq(problem_field_count(&p), 1);
        ck_assert_int_eq(faults_for(&p, "partner_id", "is required"), 1);
        problem_release(&p);

        ck_assert_int_eq(pairing(json_pack("{s:n, s:s}", "mentor_id", "partner_id",
                                           PARTNER_ID), &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "mentor_id", "must not be null"), 1);
        problem_release(&p);
}
END_TEST

START_TEST(test_pairing_create_not_uuid)
{
        struct problem p = PROBLEM_INIT;

        ck_assert_int_eq(pairing(json_pack("{s:s, s:i}", "mentor_id", "ana",
                                           "partner_id", 7), &p), ST_INVALID);
        ck_assert_uint_eq(problem_field_count(&p), 2);
        ck_assert_int_eq(faults_for(&p, "mentor_id", "UUID"), 1);
        ck_assert_int_eq(faults_for(&p, "partner_id", "UUID"), 1);
        problem_release(&p);

        ck_assert_int_eq(pairing(json_pack("{s:s, s:s, s:s}", "mentor_id", MENTOR_ID,
                                           "partner_id", PARTNER_ID, "status", "active"), &p),
                         ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "status", "unknown field"), 1);
        problem_release(&p);
}
END_TEST

START_TEST(test_pairing_create_same_person)
{
        struct problem p = PROBLEM_INIT;

        ck_assert_int_eq(pairing(json_pack("{s:s, s:s}", "mentor_id", MENTOR_ID,
                                           "partner_id", MENTOR_ID), &p), ST_INVALID);
        ck_assert_uint_eq(problem_field_count(&p), 1);
        ck_assert_int_eq(faults_for(&p, "partner_id", "must differ"), 1);
        problem_release(&p);

        ck_assert_int_eq(pairing(json_pack("{s:s, s:s}", "mentor_id", MENTOR_ID,
                                           "partner_id", "123E4567-E89B-12D3-A456-426614174000"),
                                 &p), ST_INVALID);
        ck_assert_uint_eq(problem_field_count(&p), 1);
        ck_assert_int_eq(faults_for(&p, "partner_id", "must differ"), 1);
        problem_release(&p);
}
END_TEST

/* ---- PATCH /v1/pairings/{id} ------------------------------------------------ */

START_TEST(test_pairing_patch)
{
        struct problem p = PROBLEM_INIT;
        char *r500 = repeat("r", 500);
        char *r501 = repeat("r", 501);
        char *e500 = repeat("\xc3\xa9", 500);
        json_t *j_body;

        j_body = json_pack("{s:s, s:s}", "status", "completed", "reason", "done");
        ck_assert_int_eq(pairings_json_check_patch(j_body, &p), ST_OK);
        json_decref(j_body);
        j_body = json_pack("{s:s, s:s}", "status", "cancelled", "reason", r500);
        ck_assert_int_eq(pairings_json_check_patch(j_body, &p), ST_OK);
        json_decref(j_body);
        j_body = json_pack("{s:s, s:s}", "status", "cancelled", "reason", e500);
        ck_assert_int_eq(pairings_json_check_patch(j_body, &p), ST_OK);
        json_decref(j_body);
        ck_assert_uint_eq(problem_field_count(&p), 0);

        j_body = json_pack("{s:s, s:s}", "status", "active", "reason", "x");
        ck_assert_int_eq(pairings_json_check_patch(j_body, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "status", "allowed values"), 1);
        json_decref(j_body);
        problem_release(&p);

        j_body = json_pack("{s:s, s:s}", "status", "completed", "reason", r501);
        ck_assert_int_eq(pairings_json_check_patch(j_body, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "reason", "at most 500"), 1);
        json_decref(j_body);
        problem_release(&p);

        j_body = json_pack("{s:s, s:s}", "status", "completed", "reason", "");
        ck_assert_int_eq(pairings_json_check_patch(j_body, &p), ST_INVALID);
        ck_assert_int_eq(faults_for(&p, "reason", "must not be empty"), 1);
        json_decref(j_body);
        problem_release(&p);

        j_body = json_pack("{s:s}", "status", "completed");
        ck_assert_int_eq(pairings_json_check_patch(j_body, &p), ST_INVALID);
        ck_assert_uint_eq(problem_field_count(&p), 1);
        ck_assert_int_eq(faults_for(&p, "reason", "is required"), 1);
        json_decref(j_body);
        problem_release(&p);

        j_body = json_object();
        ck_assert_int_eq(pairings_json_check_patch(j_body, &p), ST_INVALID);
        ck_assert_uint_eq(problem_field_count(&p), 2);
        ck_assert_int_eq(faults_for(&p, "status", "is required"), 1);
        ck_assert_int_eq(faults_for(&p, "reason", "is required"), 1);
        json_decref(j_body);
        problem_release(&p);

        free(r500);
        free(r501);
        free(e500);
}
END_TEST

static Suite *
people_json_suite(void)
{
        Suite *s = suite_create("people_json");
        TCase *tc_create = tcase_create("people_create");
        TCase *tc_patch = tcase_create("people_patch");
        TCase *tc_pairings = tcase_create("pairings");

        tcase_add_test(tc_create, test_create_minimal);
        tcase_add_test(tc_create, test_create_full);
        tcase_add_test(tc_create, test_create_required_missing);
        tcase_add_test(tc_create, test_create_every_fault_at_once);
        tcase_add_test(tc_create, test_create_unknown_field);
        tcase_add_test(tc_create, test_create_roles);
        tcase_add_test(tc_create, test_create_mentor_capacity);
        tcase_add_test(tc_create, test_create_display_name);
        tcase_add_test(tc_create, test_create_timezone);
        tcase_add_test(tc_create, test_tz_shape);
        tcase_add_test(tc_create, test_create_other_fields);
        tcase_add_test(tc_create, test_create_blanks);
        suite_add_tcase(s, tc_create);

        tcase_add_test(tc_patch, test_patch_empty_body);
        tcase_add_test(tc_patch, test_patch_blanks);
        tcase_add_test(tc_patch, test_patch_self_profile_fields);
        tcase_add_test(tc_patch, test_patch_self_admin_fields_forbidden);
        tcase_add_test(tc_patch, test_patch_self_names_every_forbidden_field);
        tcase_add_test(tc_patch, test_patch_admin_may_change_everything);
        tcase_add_test(tc_patch, test_patch_bad_values);
        suite_add_tcase(s, tc_patch);

        tcase_add_test(tc_pairings, test_pairing_create_valid);
        tcase_add_test(tc_pairings, test_pairing_create_required);
        tcase_add_test(tc_pairings, test_pairing_create_not_uuid);
        tcase_add_test(tc_pairings, test_pairing_create_same_person);
        tcase_add_test(tc_pairings, test_pairing_patch);
        suite_add_tcase(s, tc_pairings);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(people_json_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
