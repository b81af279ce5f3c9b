/*
 * people_json.c - what a valid people or pairings request looks like.
 * Pure: no I/O, unit-tested in tests/unit/test_people_json.c.
 */
#include <ctype.h>
#include <string.h>

#include "people.h"
#include "status.h"

static const char *const person_roles[] = { "partner", "mentor", "admin", "comms", "viewer", NULL };
static const char *const person_statuses[] = { "active", "paused", "left", NULL };
static const char *const pairing_end_statuses[] = { "completed", "cancelled", NULL };

#define F_STR(name, flags, min, max) { name, JV_STRING, flags, min, max, NULL, 0 }

/* A person; a PATCH takes the same fields, none of them required. */
static const struct jv_field person_fields[] = {
        { "email", JV_EMAIL, JV_REQUIRED, 0, 0, NULL, 0 },
        F_STR("display_name", JV_REQUIRED | JV_NOT_BLANK, 1, 200),
        { "roles", JV_ENUM_ARRAY, JV_REQUIRED, 1, 5, person_roles, 0 },
        F_STR("external_id", JV_NULLABLE | JV_NOT_BLANK, 1, 255),   /* the sign-in link */
        F_STR("title", JV_NULLABLE | JV_NOT_BLANK, 0, 200),
        F_STR("business_unit", JV_NULLABLE | JV_NOT_BLANK, 0, 100),
        { "status", JV_ENUM, 0, 0, 0, person_statuses, 0 },
        F_STR("timezone", 0, 1, 64),
        F_STR("purpose", JV_NULLABLE, 0, 4000),
        F_STR("vision", JV_NULLABLE, 0, 4000),
        { "mentor_capacity", JV_INT, 0, 0, 100, NULL, 0 },
        { NULL, 0, 0, 0, 0, NULL, 0 },
};

/* What a person may change on their own profile without the admin role. */
static const char *const self_editable[] = {
        "display_name", "title", "business_unit", "timezone", "purpose", "vision", NULL,
};

static const struct jv_field pairing_create_fields[] = {
        { "mentor_id", JV_UUID, JV_REQUIRED, 0, 0, NULL, 0 },
        { "partner_id", JV_UUID, JV_REQUIRED, 0, 0, NULL, 0 },
        { NULL, 0, 0, 0, 0, NULL, 0 },
};

static const struct jv_field pairing_patch_fields[] = {
        { "status", JV_ENUM, JV_REQUIRED, 0, 0, pairing_end_statuses, 0 },
        F_STR("reason", JV_REQUIRED, 1, 500),
        { NULL, 0, 0, 0, 0, NULL, 0 },
};

bool
people_json_tz_shape(const char *tz)
{
        if (tz == NULL || !isalpha((unsigned char)tz[0]) || strlen(tz) > 64)
                return false;
        for (const char *c = tz; *c != '\0'; c++)
                if (!isalnum((unsigned char)*c) && strchr("/_+-", *c) == NULL)
                        return false;
        return true;
}

static void
check_timezone(const json_t *j_body, struct problem *p)
{
        const char *tz = json_string_value(json_object_get(j_body, "timezone"));

        if (tz != NULL && tz[0] != '\0' && jv_utf8_len(tz) <= 64 && !people_json_tz_shape(tz))
                problem_field(p, "timezone", "must be an IANA time zone name such as Europe/London");
}

int
people_json_check_create(const json_t *j_body, struct problem *p)
{
        jv_check(j_body, person_fields, NULL, p);
        check_timezone(j_body, p);
        return problem_field_count(p) > 0 ? ST_INVALID : ST_OK;
}

static bool
in_list(const char *const *names, const char *name)
{
        for (; *names != NULL; names++)
                if (strcmp(*names, name) == 0)
                        return true;
        return false;
}

int
people_json_check_patch(const json_t *j_body, bool self_only, struct problem *p)
{
        const char *key;
        json_t *j_val;
        bool forbidden = false;

        if (json_object_size(j_body) == 0)
                return problem_field(p, "body", "names no field to change");
        jv_check_partial(j_body, person_fields, NULL, p);
        check_timezone(j_body, p);
        if (problem_field_count(p) > 0)
                return ST_INVALID;
        json_object_foreach((json_t *)j_body, key, j_val) {
                if (self_only && !in_list(self_editable, key)) {
                        problem_field(p, key, "only an admin may change this field");
                        forbidden = true;
                }
        }
        if (forbidden)
                return problem_set(p, ST_FORBIDDEN, NULL,
                                   "you may change only your own profile fields");
        return ST_OK;
}

int
pairings_json_check_create(const json_t *j_body, struct problem *p)
{
        const char *mentor, *partner;

        if (jv_check(j_body, pairing_create_fields, NULL, p) != ST_OK)
                return ST_INVALID;
        mentor = json_string_value(json_object_get(j_body, "mentor_id"));
        partner = json_string_value(json_object_get(j_body, "partner_id"));
        if (strcasecmp(mentor, partner) == 0)
                return problem_field(p, "partner_id", "must differ from mentor_id:"
                                     " nobody mentors themself");
        return ST_OK;
}

int
pairings_json_check_patch(const json_t *j_body, struct problem *p)
{
        return jv_check(j_body, pairing_patch_fields, NULL, p);
}
