/*
 * phases_json.c - what a valid phases request looks like: programmes and
 * their phases, enrolments and their transitions, target dates, workshops,
 * assessment templates and assessments.  Every fault is reported at once,
 * named by field.  Pure: no I/O, unit-tested in tests/unit/test_phases_json.c.
 */
#include <stdio.h>
#include <string.h>

#include "phases.h"
#include "status.h"

#define F_STR(name, flags, min, max) { name, JV_STRING, flags, min, max, NULL, 0 }
#define F_INT(name, flags, min, max) { name, JV_INT, flags, min, max, NULL, 0 }
#define F_END { NULL, 0, 0, 0, 0, NULL, 0 }

static const char *const kinds[] = { "self", "mentor", NULL };

static const struct jv_field programme_fields[] = {
        F_STR("name", JV_REQUIRED, 1, 200),
        F_STR("description", JV_NULLABLE, 0, 4000),
        { "phases", JV_ARRAY, JV_REQUIRED, 1, MAX_PHASES, NULL, 0 },
        F_END,
};

static const struct jv_field phase_fields[] = {
        F_INT("position", 0, 1, MAX_PHASES),
        F_STR("key", JV_REQUIRED, 1, SLUG_MAX),
        F_STR("name", JV_REQUIRED, 1, 100),
        F_STR("description", JV_NULLABLE, 0, 4000),
        F_INT("guide_days", JV_REQUIRED, 1, 3650),
        F_INT("stall_days", JV_REQUIRED, 1, 365),
        { "criteria", JV_ARRAY, JV_REQUIRED, 0, MAX_CRITERIA, NULL, 0 },
        F_END,
};

static const struct jv_field enrolment_fields[] = {
        { "person_id", JV_UUID, JV_REQUIRED, 0, 0, NULL, 0 },
        { "programme_id", JV_UUID, JV_REQUIRED, 0, 0, NULL, 0 },
        F_END,
};

static const struct jv_field targets_fields[] = {
        { "targets", JV_OBJECT, JV_REQUIRED, 0, 0, NULL, 0 },
        F_STR("reason", JV_REQUIRED, 1, REASON_MAX),
        { "agreed_with_partner", JV_BOOL, 0, 0, 0, NULL, 0 },
        F_END,
};

static const struct jv_field f_reason_optional[] = { F_STR("reason", 0, 1, REASON_MAX), F_END };
static const struct jv_field f_reason_required[] = {
        F_STR("reason", JV_REQUIRED, 1, REASON_MAX), F_END,
};
static const struct jv_field advance_fields[] = {
        F_STR("override_reason", 0, 1, REASON_MAX), F_END,
};

static const struct jv_field workshop_fields[] = {
        F_STR("title", JV_REQUIRED, 1, 200),
        F_STR("description", JV_NULLABLE, 0, 4000),
        F_STR("platform", JV_REQUIRED, 1, SLUG_MAX),
        { "skills", JV_STRING_ARRAY, 0, 0, 20, NULL, SLUG_MAX },
        { "held_at", JV_TIME, JV_REQUIRED, 0, 0, NULL, 0 },
        F_END,
};

static const struct jv_field attendance_fields[] = {
        { "person_id", JV_UUID, JV_REQUIRED, 0, 0, NULL, 0 }, F_END,
};

static const struct jv_field template_fields[] = {
        F_STR("name", JV_REQUIRED, 1, 200),
        { "items", JV_ARRAY, JV_REQUIRED, 1, 100, NULL, 0 },
        F_END,
};

static const struct jv_field item_fields[] = {
        F_STR("platform", JV_REQUIRED, 1, SLUG_MAX),
        F_STR("skill", JV_REQUIRED, 1, SLUG_MAX),
        F_STR("prompt", JV_NULLABLE, 0, 500),
        F_END,
};

static const struct jv_field assessment_fields[] = {
        { "person_id", JV_UUID, JV_REQUIRED, 0, 0, NULL, 0 },
        { "template_id", JV_UUID, JV_REQUIRED, 0, 0, NULL, 0 },
        { "kind", JV_ENUM, JV_REQUIRED, 0, 0, kinds, 0 },
        { "answers", JV_ARRAY, JV_REQUIRED, 1, 100, NULL, 0 },
        F_END,
};

static const struct jv_field answer_fields[] = {
        F_STR("platform", JV_REQUIRED, 1, SLUG_MAX),
        F_STR("skill", JV_REQUIRED, 1, SLUG_MAX),
        F_INT("confidence", JV_REQUIRED, 1, 5),
        F_INT("capability", JV_REQUIRED, 1, 5),
        F_END,
};

static int
outcome(const struct problem *p)
{
        return problem_field_count(p) > 0 ? ST_INVALID : ST_OK;
}

bool
slug_valid(const char *s)
{
        size_t n = s != NULL ? strlen(s) : 0;

        if (n == 0 || n > SLUG_MAX || s[0] == '-' || s[0] == '_')
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')
                      || s[i] == '_' || s[i] == '-'))
                        return false;
        return true;
}

/* A key member @name of @j_obj that jv_check found a string: its shape. */
static void
check_slug(const json_t *j_obj, const char *name, const char *prefix, struct problem *p)
{
        const char *s = json_string_value(json_object_get(j_obj, name));
        char field[128];

        if (s == NULL || jv_utf8_len(s) > SLUG_MAX || s[0] == '\0' || slug_valid(s))
                return;
        snprintf(field, sizeof(field), "%s%s%s", prefix != NULL ? prefix : "",
                 prefix != NULL ? "." : "", name);
        problem_field(p, field, "must be a key: 1 to 40 of a-z, 0-9, _ and -, starting with a"
                      " letter or digit");
}

/* ---- programmes ------------------------------------------------------------- */

/* Validates and normalises phases[@i]'s criteria into @j_out (a new array). */
static json_t *
phase_criteria(const json_t *j_phase, const char *prefix, struct problem *p)
{
        json_t *j_out = json_array(), *j_rule, *j_norm;
        char name[96];
        size_t i;

        json_array_foreach(json_object_get(j_phase, "criteria"), i, j_rule) {
                snprintf(name, sizeof(name), "%s.criteria[%zu]", prefix, i);
                j_norm = NULL;
                if (criteria_check_rule(j_rule, name, p, &j_norm) == ST_OK)
                        json_array_append_new(j_out, j_norm);
        }
        return j_out;
}

/* The normal form of a valid phase at @pos (1-based). */
static json_t *
phase_normal(const json_t *j_phase, size_t pos, json_t *j_criteria)
{
        json_t *j_desc = json_object_get(j_phase, "description");

        return json_pack("{s:I, s:O, s:O, s:O, s:O, s:O, s:o}", "position", (json_int_t)pos,
                         "key", json_object_get(j_phase, "key"),
                         "name", json_object_get(j_phase, "name"),
                         "description", j_desc != NULL ? j_desc : json_null(),
                         "guide_days", json_object_get(j_phase, "guide_days"),
                         "stall_days", json_object_get(j_phase, "stall_days"),
                         "criteria", j_criteria);
}

/* Reports once when phases[@i] repeats the (string) key of an earlier phase. */
static void
check_key_unique(const json_t *j_phases, size_t i, const char *prefix, struct problem *p)
{
        const json_t *j_key = json_object_get(json_array_get(j_phases, i), "key");

        for (size_t k = 0; k < i; k++) {
                if (json_equal(json_object_get(json_array_get(j_phases, k), "key"), j_key)) {
                        problem_field(p, prefix, "key \"%s\" names two phases",
                                      json_string_value(j_key));
                        return;
                }
        }
}

static void
check_phase(const json_t *j_phases, size_t i, struct problem *p, json_t *j_out)
{
        const json_t *j_phase = json_array_get(j_phases, i);
        json_t *j_pos = json_object_get(j_phase, "position"), *j_criteria;
        size_t before = problem_field_count(p);
        char prefix[32];

        snprintf(prefix, sizeof(prefix), "phases[%zu]", i);
        if (!json_is_object(j_phase)) {
                problem_field(p, prefix, "must be an object");
                return;
        }
        jv_check(j_phase, phase_fields, prefix, p);
        check_slug(j_phase, "key", prefix, p);
        if (json_is_integer(j_pos) && json_integer_value(j_pos) != (json_int_t)i + 1)
                problem_field(p, prefix, "position must be %zu (phases are in order)", i + 1);
        if (json_is_string(json_object_get(j_phase, "key")))
                check_key_unique(j_phases, i, prefix, p);
        j_criteria = phase_criteria(j_phase, prefix, p);
        if (problem_field_count(p) == before)
                json_array_append_new(j_out, phase_normal(j_phase, i + 1, j_criteria));
        else
                json_decref(j_criteria);
}

int
programme_json_check(const json_t *j_body, struct problem *p, json_t **j_phases)
{
        json_t *j_in, *j_out;

        jv_check(j_body, programme_fields, NULL, p);
        j_in = json_object_get(j_body, "phases");
        if (!json_is_array(j_in) || json_array_size(j_in) > MAX_PHASES)
                return ST_INVALID;
        j_out = json_array();
        if (j_out == NULL)
                return ST_NOMEM;
        for (size_t i = 0; i < json_array_size(j_in); i++)
                check_phase(j_in, i, p, j_out);
        if (problem_field_count(p) > 0 || json_array_size(j_out) != json_array_size(j_in)) {
                json_decref(j_out);
                return problem_field_count(p) > 0 ? ST_INVALID : ST_NOMEM;
        }
        *j_phases = j_out;
        return ST_OK;
}

/* ---- enrolments --------------------------------------------------------------- */

int
enrolment_json_check_create(const json_t *j_body, struct problem *p)
{
        return jv_check(j_body, enrolment_fields, NULL, p);
}

static void
check_target(const char *key, const json_t *j_date, long today, struct problem *p)
{
        char field[96];
        long day;

        snprintf(field, sizeof(field), "targets.%s", key);
        if (!slug_valid(key))
                problem_field(p, field, "is not a phase key");
        else if (json_is_null(j_date))
                return;
        else if (!json_is_string(j_date) || strlen(json_string_value(j_date)) != 10
                 || pace_parse_day(json_string_value(j_date), &day) != ST_OK)
                problem_field(p, field, "must be a date (YYYY-MM-DD) or null");
        else if (day < today)
                problem_field(p, field, "must not be in the past: a plan looks ahead");
}

int
targets_json_check(const json_t *j_body, long today, struct problem *p)
{
        json_t *j_targets, *j_date;
        const char *key;

        jv_check(j_body, targets_fields, NULL, p);
        j_targets = json_object_get(j_body, "targets");
        if (!json_is_object(j_targets))
                return outcome(p);
        if (json_object_size(j_targets) == 0)
                problem_field(p, "targets", "names no phase");
        if (json_object_size(j_targets) > MAX_PHASES)
                problem_field(p, "targets", "names more than %d phases", MAX_PHASES);
        json_object_foreach(j_targets, key, j_date)
                check_target(key, j_date, today, p);
        return outcome(p);
}

int
transition_json_check(const json_t *j_body, bool reason_required, struct problem *p)
{
        if (j_body == NULL)
                return reason_required ? problem_field(p, "reason", "is required") : ST_OK;
        return jv_check(j_body, reason_required ? f_reason_required : f_reason_optional, NULL, p);
}

int
advance_json_check(const json_t *j_body, struct problem *p)
{
        return j_body == NULL ? ST_OK : jv_check(j_body, advance_fields, NULL, p);
}

/* ---- workshops ------------------------------------------------------------------ */

/* A well-formed time the database can hold: from 1970 to 9999. */
static void
check_held_at(const char *s, struct problem *p)
{
        long long t;

        if (s == NULL || !jv_time_valid(s) || pace_parse_time(s, &t) != ST_OK)
                return;
        if (t < 0 || t >= 253402300800LL)
                problem_field(p, "held_at", "must be between 1970 and 9999");
}

int
workshop_json_check(const json_t *j_body, struct problem *p)
{
        json_t *j_skills = json_object_get(j_body, "skills"), *j_s;
        char field[32];
        size_t i;

        jv_check(j_body, workshop_fields, NULL, p);
        check_slug(j_body, "platform", NULL, p);
        check_held_at(json_string_value(json_object_get(j_body, "held_at")), p);
        if (!json_is_array(j_skills) || json_array_size(j_skills) > 20)
                return outcome(p);
        json_array_foreach(j_skills, i, j_s) {
                snprintf(field, sizeof(field), "skills[%zu]", i);
                if (json_is_string(j_s) && jv_utf8_len(json_string_value(j_s)) <= SLUG_MAX
                    && !slug_valid(json_string_value(j_s)))
                        problem_field(p, field, "must be a key: 1 to 40 of a-z, 0-9, _ and -");
                for (size_t k = 0; k < i; k++)
                        if (json_equal(json_array_get(j_skills, k), j_s)) {
                                problem_field(p, field, "names a skill twice");
                                break;
                        }
        }
        return outcome(p);
}

int
attendance_json_check(const json_t *j_body, struct problem *p)
{
        return jv_check(j_body, attendance_fields, NULL, p);
}

/* ---- assessment templates and assessments ----------------------------------------- */

/* Whether items[@i] repeats the platform and skill of an earlier item. */
static bool
item_repeats(const json_t *j_items, size_t i)
{
        const json_t *j_a = json_array_get(j_items, i);

        for (size_t k = 0; k < i; k++) {
                const json_t *j_b = json_array_get(j_items, k);

                if (json_equal(json_object_get(j_a, "platform"), json_object_get(j_b, "platform"))
                    && json_equal(json_object_get(j_a, "skill"), json_object_get(j_b, "skill")))
                        return true;
        }
        return false;
}

/* Validates each object of @j_arr against @fields, named @what[i]. */
static void
check_items(const json_t *j_arr, const char *what, const struct jv_field *fields,
            struct problem *p)
{
        char prefix[32];
        json_t *j_item;
        size_t i, before;

        json_array_foreach(j_arr, i, j_item) {
                snprintf(prefix, sizeof(prefix), "%s[%zu]", what, i);
                if (!json_is_object(j_item)) {
                        problem_field(p, prefix, "must be an object");
                        continue;
                }
                before = problem_field_count(p);
                jv_check(j_item, fields, prefix, p);
                check_slug(j_item, "platform", prefix, p);
                check_slug(j_item, "skill", prefix, p);
                if (problem_field_count(p) == before && item_repeats(j_arr, i))
                        problem_field(p, prefix, "repeats an earlier platform and skill");
        }
}

int
template_json_check(const json_t *j_body, struct problem *p)
{
        json_t *j_items = json_object_get(j_body, "items");

        jv_check(j_body, template_fields, NULL, p);
        if (json_is_array(j_items) && json_array_size(j_items) <= 100)
                check_items(j_items, "items", item_fields, p);
        return outcome(p);
}

int
assessment_json_check(const json_t *j_body, struct problem *p)
{
        json_t *j_answers = json_object_get(j_body, "answers");

        jv_check(j_body, assessment_fields, NULL, p);
        if (json_is_array(j_answers) && json_array_size(j_answers) <= 100)
                check_items(j_answers, "answers", answer_fields, p);
        return outcome(p);
}

/* The index of the item of @j_items with @j_ans's platform and skill, or -1. */
static long
item_index(const json_t *j_items, const json_t *j_ans)
{
        const json_t *j_item;
        size_t i;

        json_array_foreach(j_items, i, j_item)
                if (json_equal(json_object_get(j_item, "platform"),
                               json_object_get(j_ans, "platform"))
                    && json_equal(json_object_get(j_item, "skill"),
                                  json_object_get(j_ans, "skill")))
                        return (long)i;
        return -1;
}

int
assessment_json_match(const json_t *j_answers, const json_t *j_items, struct problem *p)
{
        size_t n = json_array_size(j_items), i;
        unsigned char seen[100] = { 0 };
        const json_t *j_ans, *j_item;
        char field[32];
        long k;

        json_array_foreach(j_answers, i, j_ans) {
                k = item_index(j_items, j_ans);
                snprintf(field, sizeof(field), "answers[%zu]", i);
                if (k < 0 || k >= 100)
                        problem_field(p, field, "%s / %s is not an item of this template",
                                      json_string_value(json_object_get(j_ans, "platform")),
                                      json_string_value(json_object_get(j_ans, "skill")));
                else
                        seen[k] = 1;
        }
        json_array_foreach(j_items, i, j_item) {
                if (i < 100 && !seen[i] && i < n)
                        problem_field(p, "answers", "%s / %s is not answered: rate both"
                                      " confidence and capability for every item",
                                      json_string_value(json_object_get(j_item, "platform")),
                                      json_string_value(json_object_get(j_item, "skill")));
        }
        return outcome(p);
}
