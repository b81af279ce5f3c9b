/*
 * strategy_json.c - what a valid strategy request looks like: playbooks and
 * their sections, section statuses, comments, business strategy versions,
 * integrations and their review.  Pure: no I/O, unit-tested in
 * tests/unit/test_strategy_json.c.
 */
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "strategy.h"

#define F_STR(name, flags, min, max) { name, JV_STRING, flags, min, max, NULL, 0 }
#define F_ARR(name, flags, min, max) { name, JV_ARRAY, flags, min, max, NULL, 0 }
#define F_STRS(name, flags, min, max, item) { name, JV_STRING_ARRAY, flags, min, max, NULL, item }
#define F_END { NULL, 0, 0, 0, 0, NULL, 0 }

/* ---- playbook sections ---------------------------------------------------------- */

static const struct jv_field audience_fields[] = {
        F_STR("name", JV_REQUIRED, 1, 100),
        F_STR("description", 0, 0, 1000),
        F_END,
};

static const struct jv_field theme_fields[] = {
        F_STR("name", JV_REQUIRED, 1, 100),
        F_STR("description", 0, 0, 2000),
        F_STRS("keywords", 0, 0, 20, 60),
        F_STRS("pillars", 0, 0, 10, 100),
        F_END,
};

static const struct jv_field platform_fields[] = {
        F_STR("name", JV_REQUIRED, 1, 50),
        F_STR("purpose", 0, 0, 500),
        F_END,
};

static const struct jv_field cadence_fields[] = {
        { "posts_per_week", JV_INT, JV_REQUIRED, 0, 100, NULL, 0 },
        F_STR("notes", 0, 0, 1000),
        F_END,
};

static const struct jv_field goal_fields[] = {
        F_STR("description", JV_REQUIRED, 1, 500),
        F_STR("metric", JV_REQUIRED, 1, 200),
        { "target", JV_INT, JV_REQUIRED, 0, 1000000000, NULL, 0 },
        { "by", JV_DATE, 0, 0, 0, NULL, 0 },
        F_END,
};

/* The sections; null clears one.  POST adds programme_id (create_fields). */
#define SECTION_FIELDS \
        F_STR("purpose", JV_NULLABLE, 1, 4000), \
        F_STR("vision", JV_NULLABLE, 1, 4000), \
        F_ARR("audiences", JV_NULLABLE, 1, 20), \
        F_ARR("themes", JV_NULLABLE, 1, 12), \
        F_ARR("platforms", JV_NULLABLE, 1, 10), \
        { "cadence", JV_OBJECT, JV_NULLABLE, 0, 0, NULL, 0 }, \
        F_ARR("goals", JV_NULLABLE, 1, 20), \
        F_STR("voice", JV_NULLABLE, 1, 4000), \
        F_STRS("boundaries", JV_NULLABLE, 1, 30, 200)

static const struct jv_field section_fields[] = { SECTION_FIELDS, F_END };

static const struct jv_field create_fields[] = {
        { "programme_id", JV_UUID, JV_REQUIRED, 0, 0, NULL, 0 },
        SECTION_FIELDS,
        F_END,
};

static const char *const settable_statuses[] = { "draft", "ready_for_review", "reviewed", NULL };

static const struct jv_field status_fields[] = {
        { "status", JV_ENUM, JV_REQUIRED, 0, 0, settable_statuses, 0 },
        F_END,
};

static const struct jv_field comment_fields[] = {
        { "section", JV_ENUM, JV_REQUIRED, 0, 0, playbook_sections, 0 },
        F_STR("body", JV_REQUIRED, 1, 4000),
        F_END,
};

/* ---- the business strategy ---------------------------------------------------------- */

static const struct jv_field pillar_fields[] = {
        F_STR("name", JV_REQUIRED, 1, 100),
        F_STR("description", 0, 0, 2000),
        F_STRS("keywords", JV_REQUIRED, 1, 30, 60),
        F_END,
};

static const struct jv_field channel_fields[] = {
        F_STR("name", JV_REQUIRED, 1, 50),
        F_STR("handle", 0, 0, 100),
        F_STR("purpose", 0, 0, 500),
        F_END,
};

static const struct jv_field policy_fields[] = {
        F_STRS("off_limits_topics", 0, 0, 50, 200),
        F_STRS("off_limits_terms", 0, 0, 100, 100),
        F_STRS("disclosure_rules", 0, 0, 30, 1000),
        F_END,
};

static const struct jv_field kpi_fields[] = {
        F_STR("name", JV_REQUIRED, 1, 200),
        F_STR("description", 0, 0, 1000),
        { "target", JV_INT, 0, 0, 1000000000000LL, NULL, 0 },
        F_STR("unit", 0, 0, 50),
        F_END,
};

static const struct jv_field business_fields[] = {
        F_STR("title", JV_REQUIRED, 1, 200),
        F_ARR("pillars", JV_REQUIRED, 1, 20),
        F_ARR("channels", 0, 0, 20),
        { "policies", JV_OBJECT, 0, 0, 0, NULL, 0 },
        F_ARR("kpis", 0, 0, 30),
        F_END,
};

/* ---- integrations ----------------------------------------------------------------- */

static const struct jv_field integration_fields[] = {
        { "playbook_id", JV_UUID, JV_REQUIRED, 0, 0, NULL, 0 },
        F_END,
};

static const char *const decisions[] = { "signed_off", "returned", NULL };

static const struct jv_field decision_fields[] = {
        { "status", JV_ENUM, JV_REQUIRED, 0, 0, decisions, 0 },
        F_STR("comment", 0, 1, 2000),
        F_END,
};

/* ---- helpers -------------------------------------------------------------------------- */

/* True when @p already names @field (its value is known to be wrong). */
static bool
has_fault(const struct problem *p, const char *field)
{
        size_t i;
        json_t *j_err;

        json_array_foreach(p->j_errors, i, j_err)
                if (strcmp(json_string_value(json_object_get(j_err, "field")), field) == 0)
                        return true;
        return false;
}

/* The member @name of @j_obj when it is an array that passed the table check. */
static const json_t *
valid_array(const json_t *j_obj, const char *name, const struct problem *p)
{
        const json_t *j_arr = json_object_get(j_obj, name);

        return json_is_array(j_arr) && !has_fault(p, name) ? j_arr : NULL;
}

/*
 * Records a fault when the normal form of @name is empty or equals one seen
 * before in @j_seen (an array of normal forms, appended to).
 */
static void
check_unique_name(const char *name, const char *field, json_t *j_seen, struct problem *p)
{
        char *key = name != NULL ? align_norm_dup(name) : NULL;
        size_t i;
        json_t *j_key;

        if (key == NULL)
                return;
        if (key[0] == '\0') {
                problem_field(p, field, "must contain a letter or a digit");
                goto out;
        }
        json_array_foreach(j_seen, i, j_key) {
                if (strcmp(json_string_value(j_key), key) == 0) {
                        problem_field(p, field, "repeats an earlier name (names are compared"
                                      " ignoring case, punctuation and plurals)");
                        goto out;
                }
        }
        json_array_append_new(j_seen, json_string(key));
out:
        free(key);
}

/*
 * Checks each object of the array @j_arr (named @name) against @fields;
 * when @unique names a string member, its values must differ in normal form.
 */
static void
check_items(const json_t *j_arr, const char *name, const struct jv_field *fields,
            const char *unique, struct problem *p)
{
        json_t *j_seen = json_array();
        json_t *j_item;
        char prefix[64], field[96];
        size_t i;

        json_array_foreach(j_arr, i, j_item) {
                snprintf(prefix, sizeof(prefix), "%s[%zu]", name, i);
                if (!json_is_object(j_item)) {
                        problem_field(p, prefix, "must be an object");
                        continue;
                }
                jv_check(j_item, fields, prefix, p);
                if (unique == NULL)
                        continue;
                snprintf(field, sizeof(field), "%s.%s", prefix, unique);
                if (!has_fault(p, field))   /* a name that is itself valid */
                        check_unique_name(json_string_value(json_object_get(j_item, unique)),
                                          field, j_seen, p);
        }
        json_decref(j_seen);
}

/* A theme's pillar names must differ from each other in normal form. */
static void
check_theme_pillars(const json_t *j_themes, struct problem *p)
{
        json_t *j_theme, *j_name;
        char field[96];
        size_t i, k;

        json_array_foreach(j_themes, i, j_theme) {
                json_t *j_seen = json_array();

                json_array_foreach(json_object_get(j_theme, "pillars"), k, j_name) {
                        snprintf(field, sizeof(field), "themes[%zu].pillars[%zu]", i, k);
                        if (json_is_string(j_name))
                                check_unique_name(json_string_value(j_name), field, j_seen, p);
                }
                json_decref(j_seen);
        }
}

/* The nested checks of the sections present in @j_body. */
static void
check_sections(const json_t *j_body, struct problem *p)
{
        const json_t *j_cadence = json_object_get(j_body, "cadence");
        const json_t *j_themes = valid_array(j_body, "themes", p);
        size_t before;

        check_items(valid_array(j_body, "audiences", p), "audiences", audience_fields, "name", p);
        before = problem_field_count(p);
        check_items(j_themes, "themes", theme_fields, "name", p);
        if (problem_field_count(p) == before)
                check_theme_pillars(j_themes, p);
        check_items(valid_array(j_body, "platforms", p), "platforms", platform_fields, "name", p);
        check_items(valid_array(j_body, "goals", p), "goals", goal_fields, NULL, p);
        if (json_is_object(j_cadence))
                jv_check(j_cadence, cadence_fields, "cadence", p);
}

static int
verdict(const struct problem *p)
{
        return problem_field_count(p) > 0 ? ST_INVALID : ST_OK;
}

/* ---- playbooks -------------------------------------------------------------------------- */

int
playbook_json_check_create(const json_t *j_body, struct problem *p)
{
        jv_check(j_body, create_fields, NULL, p);
        check_sections(j_body, p);
        return verdict(p);
}

int
playbook_json_check_patch(const json_t *j_body, struct problem *p)
{
        if (json_object_size(j_body) == 0)
                return problem_field(p, "body", "names no section to save");
        jv_check_partial(j_body, section_fields, NULL, p);
        check_sections(j_body, p);
        return verdict(p);
}

int
playbook_json_check_status(const json_t *j_body, struct problem *p)
{
        return jv_check(j_body, status_fields, NULL, p);
}

int
comment_json_check(const json_t *j_body, struct problem *p)
{
        return jv_check(j_body, comment_fields, NULL, p);
}

/* ---- the business strategy --------------------------------------------------------------- */

static void
check_business_parts(const json_t *j_body, struct problem *p)
{
        const json_t *j_policies = json_object_get(j_body, "policies");

        check_items(valid_array(j_body, "pillars", p), "pillars", pillar_fields, "name", p);
        check_items(valid_array(j_body, "channels", p), "channels", channel_fields, "name", p);
        check_items(valid_array(j_body, "kpis", p), "kpis", kpi_fields, NULL, p);
        if (json_is_object(j_policies))
                jv_check(j_policies, policy_fields, "policies", p);
}

int
business_json_check_create(const json_t *j_body, struct problem *p)
{
        jv_check(j_body, business_fields, NULL, p);
        check_business_parts(j_body, p);
        return verdict(p);
}

int
business_json_check_patch(const json_t *j_body, struct problem *p)
{
        if (json_object_size(j_body) == 0)
                return problem_field(p, "body", "names nothing to change");
        jv_check_partial(j_body, business_fields, NULL, p);
        check_business_parts(j_body, p);
        return verdict(p);
}

json_t *
business_pillar_keys(const json_t *j_pillars)
{
        json_t *j_keys = json_array();
        json_t *j_pillar;
        size_t i;

        json_array_foreach(j_pillars, i, j_pillar) {
                char *key = align_norm_dup(json_string_value(json_object_get(j_pillar, "name")));

                if (key == NULL || json_array_append_new(j_keys, json_string(key)) != 0) {
                        free(key);
                        json_decref(j_keys);
                        return NULL;
                }
                free(key);
        }
        return j_keys;
}

/* ---- integrations ------------------------------------------------------------------------ */

int
integration_json_check_create(const json_t *j_body, struct problem *p)
{
        return jv_check(j_body, integration_fields, NULL, p);
}

int
integration_json_check_decision(const json_t *j_body, struct problem *p)
{
        const char *status = json_string_value(json_object_get(j_body, "status"));

        if (jv_check(j_body, decision_fields, NULL, p) != ST_OK)
                return ST_INVALID;
        if (strcmp(status, "returned") == 0 && json_object_get(j_body, "comment") == NULL)
                return problem_field(p, "comment", "is required when returning an integration:"
                                     " say what should change");
        return ST_OK;
}
