/*
 * nudge_json.c - validation of the rules document (PUT /v1/nudge-rules),
 * pure: every fault named by its path at once.
 */
#include <stdio.h>
#include <string.h>

#include "jsonv.h"
#include "nudge.h"
#include "status.h"

#define F_END { NULL, 0, 0, 0, 0, NULL, 0 }
#define F_DAYS(name, flags) { name, JV_INT, flags, 1, 365, NULL, 0 }

static const struct jv_field rules_fields[] = {
        { "defaults", JV_OBJECT, JV_REQUIRED, 0, 0, NULL, 0 },
        { "rules", JV_ARRAY, 0, 0, NUDGE_RULES_MAX, NULL, 0 },
        { "quiet_hours", JV_OBJECT, JV_REQUIRED, 0, 0, NULL, 0 },
        F_END,
};

static const struct jv_field days_fields[] = {
        F_DAYS("partner_days", JV_REQUIRED),
        F_DAYS("mentor_days", JV_REQUIRED),
        F_DAYS("lead_days", JV_REQUIRED),
        F_END,
};

static const struct jv_field rule_fields[] = {
        { "programme_id", JV_UUID, JV_NULLABLE, 0, 0, NULL, 0 },
        { "phase", JV_STRING, JV_NULLABLE, 1, 64, NULL, 0 },
        F_DAYS("partner_days", JV_REQUIRED),
        F_DAYS("mentor_days", JV_REQUIRED),
        F_DAYS("lead_days", JV_REQUIRED),
        F_END,
};

static const struct jv_field quiet_fields[] = {
        { "start", JV_STRING, JV_REQUIRED, 1, 64, NULL, 0 },
        { "end", JV_STRING, JV_REQUIRED, 1, 64, NULL, 0 },
        { "weekends", JV_BOOL, JV_REQUIRED, 0, 0, NULL, 0 },
        F_END,
};

/* The steps come in order: partner, then mentor, then the lead. */
static void
days_order(const json_t *j, const char *prefix, struct problem *p)
{
        json_int_t a = json_integer_value(json_object_get(j, "partner_days"));
        json_int_t b = json_integer_value(json_object_get(j, "mentor_days"));
        json_int_t c = json_integer_value(json_object_get(j, "lead_days"));
        char field[48];

        if (a > 0 && b > 0 && b < a) {
                snprintf(field, sizeof(field), "%s.mentor_days", prefix);
                problem_field(p, field, "must be at least partner_days (%lld)", (long long)a);
        }
        if (b > 0 && c > 0 && c < b) {
                snprintf(field, sizeof(field), "%s.lead_days", prefix);
                problem_field(p, field, "must be at least mentor_days (%lld)", (long long)b);
        }
}

static bool
phase_key_ok(const char *s)
{
        for (; *s != '\0'; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'
                      || *s == '-'))
                        return false;
        return true;
}

static bool
same_scope(const json_t *a, const json_t *b)
{
        return json_equal(json_object_get(a, "programme_id") != NULL
                          ? json_object_get(a, "programme_id") : json_null(),
                          json_object_get(b, "programme_id") != NULL
                          ? json_object_get(b, "programme_id") : json_null())
               && json_equal(json_object_get(a, "phase") != NULL
                             ? json_object_get(a, "phase") : json_null(),
                             json_object_get(b, "phase") != NULL
                             ? json_object_get(b, "phase") : json_null());
}

static void
rule_check(const json_t *j_rules, size_t i, struct problem *p)
{
        const json_t *j_rule = json_array_get(j_rules, i);
        const char *phase = json_string_value(json_object_get(j_rule, "phase"));
        char prefix[32];

        snprintf(prefix, sizeof(prefix), "rules[%zu]", i);
        if (!json_is_object(j_rule)) {
                problem_field(p, prefix, "must be an object");
                return;
        }
        jv_check(j_rule, rule_fields, prefix, p);
        days_order(j_rule, prefix, p);
        if (phase != NULL && !phase_key_ok(phase)) {
                char field[48];

                snprintf(field, sizeof(field), "%s.phase", prefix);
                problem_field(p, field, "must be a phase key (a-z, 0-9, _ and -)");
        }
        for (size_t k = 0; k < i; k++)
                if (same_scope(json_array_get(j_rules, k), j_rule)) {
                        problem_field(p, prefix, "repeats the programme and phase of rules[%zu]",
                                      k);
                        return;
                }
}

static void
quiet_check(const json_t *j_quiet, struct problem *p)
{
        static const char *const ends[] = { "start", "end" };

        jv_check(j_quiet, quiet_fields, "quiet_hours", p);
        for (size_t i = 0; i < 2; i++) {
                const char *s = json_string_value(json_object_get(j_quiet, ends[i]));
                char field[32];

                /* a missing or non-string value was named by jv_check */
                if (s == NULL || quiet_parse_hhmm(s) >= 0)
                        continue;
                snprintf(field, sizeof(field), "quiet_hours.%s", ends[i]);
                problem_field(p, field, "must be a time of day, HH:MM (00:00 to 23:59)");
        }
}

int
nudge_rules_check(const json_t *j_body, struct problem *p)
{
        const json_t *j_defaults = json_object_get(j_body, "defaults");
        const json_t *j_rules = json_object_get(j_body, "rules");
        const json_t *j_quiet = json_object_get(j_body, "quiet_hours");
        size_t before = problem_field_count(p);

        jv_check(j_body, rules_fields, NULL, p);
        if (json_is_object(j_defaults)) {
                jv_check(j_defaults, days_fields, "defaults", p);
                days_order(j_defaults, "defaults", p);   /* also beside other faults */
        }
        if (json_is_array(j_rules) && json_array_size(j_rules) <= NUDGE_RULES_MAX)
                for (size_t i = 0; i < json_array_size(j_rules); i++)
                        rule_check(j_rules, i, p);
        if (json_is_object(j_quiet))
                quiet_check(j_quiet, p);
        if (problem_field_count(p) > before)
                return problem_set(p, ST_INVALID, NULL, "the nudge rules are not valid");
        return ST_OK;
}
