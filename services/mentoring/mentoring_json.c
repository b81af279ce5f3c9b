/*
 * mentoring_json.c - what a valid mentoring request looks like.  Pure: no
 * I/O; the current time comes in as a parameter.  Unit-tested in
 * tests/unit/test_mentoring_json.c.
 */
#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mentoring.h"
#include "status.h"

#define F_END { NULL, 0, 0, 0, 0, NULL, 0 }
#define F_STR(name, flags, min, max) { name, JV_STRING, flags, min, max, NULL, 0 }

static const char *const session_end_states[] = { "held", "cancelled", "no_show", NULL };
static const char *const action_states[] = { "open", "done", NULL };
static const char *const item_states[] = { "active", "paused", NULL };
static const char *const learning_kinds[] = { "failure", "success", "insight", NULL };
static const char *const visibilities[] = { "private", "pairing", "library", NULL };

static const struct jv_field session_create_fields[] = {
        { "pairing_id", JV_UUID, JV_REQUIRED, 0, 0, NULL, 0 },
        { "scheduled_at", JV_TIME, JV_REQUIRED, 0, 0, NULL, 0 },
        { "duration_minutes", JV_INT, JV_REQUIRED, 5, 480, NULL, 0 },
        F_STR("agenda", JV_NULLABLE, 0, 4000),
        { "objectives", JV_STRING_ARRAY, 0, 0, 20, NULL, 500 },
        F_END,
};

static const struct jv_field session_patch_fields[] = {
        { "scheduled_at", JV_TIME, 0, 0, 0, NULL, 0 },
        { "duration_minutes", JV_INT, 0, 5, 480, NULL, 0 },
        F_STR("agenda", JV_NULLABLE, 0, 4000),
        { "objectives", JV_STRING_ARRAY, 0, 0, 20, NULL, 500 },
        { "status", JV_ENUM, 0, 0, 0, session_end_states, 0 },
        F_STR("reason", 0, 1, 500),
        F_END,
};

static const struct jv_field write_up_fields[] = {
        F_STR("shared_notes", 0, 1, 10000),
        F_STR("partner_reflection", 0, 1, 4000),
        { "guideline_adherence", JV_OBJECT, 0, 0, 0, NULL, 0 },
        F_END,
};

static const struct jv_field action_create_fields[] = {
        F_STR("title", JV_REQUIRED, 1, 500),
        { "due_on", JV_DATE, JV_REQUIRED, 0, 0, NULL, 0 },
        F_END,
};

static const struct jv_field action_patch_fields[] = {
        F_STR("title", 0, 1, 500),
        { "due_on", JV_DATE, 0, 0, 0, NULL, 0 },
        { "status", JV_ENUM, 0, 0, 0, action_states, 0 },
        F_END,
};

static const struct jv_field private_note_fields[] = {
        F_STR("text", JV_REQUIRED, 1, 10000),
        F_END,
};

static const struct jv_field guidelines_fields[] = {
        { "items", JV_ARRAY, JV_REQUIRED, 1, GUIDELINES_MAX, NULL, 0 },
        F_STR("note", JV_NULLABLE, 1, 500),
        F_END,
};

static const struct jv_field guideline_item_fields[] = {
        F_STR("key", JV_REQUIRED, 1, 40),
        F_STR("title", JV_REQUIRED, 1, 200),
        F_STR("description", JV_NULLABLE, 0, 2000),
        F_END,
};

/* A template; a PATCH takes the same fields, none required, plus archived. */
static const struct jv_field template_fields[] = {
        F_STR("title", JV_REQUIRED, 1, 200),
        F_STR("platform", JV_REQUIRED, 1, 50),
        F_STR("skill", JV_REQUIRED, 1, 100),
        { "suggested_cadence", JV_ANY, JV_REQUIRED, 0, 0, NULL, 0 },   /* checked below */
        F_STR("description", JV_NULLABLE, 0, 4000),
        { "archived", JV_BOOL, 0, 0, 0, NULL, 0 },
        F_END,
};

static const struct jv_field item_create_fields[] = {
        { "template_id", JV_UUID, 0, 0, 0, NULL, 0 },
        F_STR("title", 0, 1, 200),
        F_STR("platform", 0, 1, 50),
        F_STR("skill", 0, 1, 100),
        F_STR("description", JV_NULLABLE, 0, 4000),
        { "cadence", JV_ANY, 0, 0, 0, NULL, 0 },                  /* checked below */
        { "started_on", JV_DATE, 0, 0, 0, NULL, 0 },
        F_END,
};

static const struct jv_field item_patch_fields[] = {
        F_STR("title", 0, 1, 200),
        F_STR("platform", 0, 1, 50),
        F_STR("skill", 0, 1, 100),
        F_STR("description", JV_NULLABLE, 0, 4000),
        { "cadence", JV_ANY, 0, 0, 0, NULL, 0 },
        { "status", JV_ENUM, 0, 0, 0, item_states, 0 },
        F_END,
};

static const struct jv_field completion_create_fields[] = {
        { "done_at", JV_TIME, JV_REQUIRED, 0, 0, NULL, 0 },
        F_STR("evidence_url", JV_NULLABLE, 1, 2000),
        F_STR("reflection", JV_NULLABLE, 1, 4000),
        F_END,
};

static const struct jv_field completion_patch_fields[] = {
        F_STR("evidence_url", JV_NULLABLE, 1, 2000),
        F_STR("reflection", JV_NULLABLE, 1, 4000),
        F_END,
};

static const struct jv_field verification_fields[] = {
        F_STR("note", JV_NULLABLE, 1, 1000),
        F_END,
};

static const struct jv_field comment_fields[] = {
        F_STR("text", JV_REQUIRED, 1, 2000),
        F_END,
};

static const struct jv_field learning_fields[] = {
        { "kind", JV_ENUM, JV_REQUIRED, 0, 0, learning_kinds, 0 },
        F_STR("text", JV_REQUIRED, 1, 4000),
        { "visibility", JV_ENUM, JV_REQUIRED, 0, 0, visibilities, 0 },
        F_STR("platform", JV_NULLABLE, 1, 50),
        F_STR("skill", JV_NULLABLE, 1, 100),
        { "pairing_id", JV_UUID, JV_NULLABLE, 0, 0, NULL, 0 },
        F_END,
};

static const struct jv_field learning_patch_fields[] = {
        { "kind", JV_ENUM, 0, 0, 0, learning_kinds, 0 },
        F_STR("text", 0, 1, 4000),
        { "visibility", JV_ENUM, 0, 0, 0, visibilities, 0 },
        F_STR("platform", JV_NULLABLE, 1, 50),
        F_STR("skill", JV_NULLABLE, 1, 100),
        F_END,
};

static const struct jv_field signoff_fields[] = {
        { "partner_id", JV_UUID, JV_REQUIRED, 0, 0, NULL, 0 },
        F_STR("note", JV_REQUIRED, 1, 2000),
        F_END,
};

const char *const mentoring_event_fields[] = {
        "partner_id", "mentor_id", "pairing_id", "session_id", "item_id", "owner_id",
        "author_id", "author_role", "status", "verified", "verified_by", "kind", "visibility",
        "archived", "current", NULL
};

/* ---- small pure helpers ------------------------------------------------------ */

static int
verdict(const struct problem *p)
{
        return problem_field_count(p) > 0 ? ST_INVALID : ST_OK;
}

static int
not_empty(const json_t *j_body, struct problem *p)
{
        if (json_object_size(j_body) == 0)
                return problem_field(p, "body", "names no field to change");
        return ST_OK;
}

static const char *
str(const json_t *j_body, const char *key)
{
        return json_string_value(json_object_get(j_body, key));
}

static int
two(const char *s)
{
        return (s[0] - '0') * 10 + (s[1] - '0');
}

bool
rfc3339_to_epoch(const char *s, int64_t *out)
{
        const char *z;
        int64_t t, off = 0;

        if (s == NULL || !jv_time_valid(s))
                return false;
        t = (int64_t)days_from_civil(two(s) * 100 + two(s + 2), (unsigned)two(s + 5),
                                     (unsigned)two(s + 8)) * DAY_SECONDS;
        t += two(s + 11) * 3600 + two(s + 14) * 60 + two(s + 17);
        for (z = s + 19; *z == '.' || isdigit((unsigned char)*z); z++)
                ;
        if (*z == '+' || *z == '-')
                off = (two(z + 1) * 3600 + two(z + 4) * 60) * (*z == '-' ? -1 : 1);
        *out = t - off;
        return true;
}

bool
date_to_day(const char *s, int32_t *out)
{
        char t[32];
        int64_t e;

        if (s == NULL || strlen(s) != 10)
                return false;
        snprintf(t, sizeof(t), "%sT00:00:00Z", s);
        if (!rfc3339_to_epoch(t, &e))
                return false;
        *out = day_of(e);
        return true;
}

bool
mentoring_url_valid(const char *s)
{
        const char *host;
        size_t hlen;

        if (s == NULL || strlen(s) > 2000)
                return false;
        if (strncasecmp(s, "https://", 8) == 0)
                host = s + 8;
        else if (strncasecmp(s, "http://", 7) == 0)
                host = s + 7;
        else
                return false;
        for (const char *c = s; *c != '\0'; c++)
                if ((unsigned char)*c <= ' ' || *c == 0x7f)
                        return false;
        hlen = strcspn(host, "/?#");
        if (hlen == 0 || host[0] == '.' || host[0] == ':' || host[0] == '@')
                return false;
        for (size_t i = 0; i < hlen; i++)
                if (!isalnum((unsigned char)host[i]) && strchr(".-:[]_@%", host[i]) == NULL)
                        return false;
        return true;
}

bool
guideline_key_valid(const char *s)
{
        size_t n = s != NULL ? strlen(s) : 0;

        if (n == 0 || n > 40 || !islower((unsigned char)s[0]) || s[n - 1] == '-')
                return false;
        for (size_t i = 0; i < n; i++)
                if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
                        return false;
        return true;
}

int
mentoring_json_cadence(const json_t *j, const char *field, struct cadence *out,
                       struct problem *p)
{
        json_t *j_n = json_object_get(j, "every_n_days");
        const char *name = json_string_value(j);

        if (name != NULL && strcmp(name, "every_n_days") != 0 && cadence_from_name(name, 0, out))
                return ST_OK;
        if (json_is_object(j) && json_object_size(j) == 1 && json_is_integer(j_n)
            && json_integer_value(j_n) >= 1 && json_integer_value(j_n) <= 365) {
                out->kind = CADENCE_EVERY_N_DAYS;
                out->days = (int)json_integer_value(j_n);
                return ST_OK;
        }
        return problem_field(p, field, "must be daily, weekly, fortnightly, monthly or"
                             " {\"every_n_days\": 1 to 365}");
}

/* Checks the optional cadence member @key, when present. */
static void
cadence_member(const json_t *j_body, const char *key, struct problem *p)
{
        struct cadence c;
        json_t *j = json_object_get(j_body, key);

        if (j != NULL)
                mentoring_json_cadence(j, key, &c, p);
}

/* Times and days must lie within a window around now. */
static void
time_within(const json_t *j_body, const char *key, int64_t now, int64_t back, int64_t ahead,
            const char *why, struct problem *p)
{
        int64_t t;

        if (rfc3339_to_epoch(str(j_body, key), &t) && (t < now - back || t > now + ahead))
                problem_field(p, key, "%s", why);
}

/* ---- sessions -------------------------------------------------------------------- */

int
sessions_json_check_create(const json_t *j_body, int64_t now, struct problem *p)
{
        jv_check(j_body, session_create_fields, NULL, p);
        time_within(j_body, "scheduled_at", now, 366LL * DAY_SECONDS, 731LL * DAY_SECONDS,
                    "must lie within a year before and two years after now", p);
        return verdict(p);
}

int
sessions_json_check_patch(const json_t *j_body, int64_t now, struct problem *p)
{
        if (not_empty(j_body, p) != ST_OK)
                return ST_INVALID;
        jv_check_partial(j_body, session_patch_fields, NULL, p);
        time_within(j_body, "scheduled_at", now, 366LL * DAY_SECONDS, 731LL * DAY_SECONDS,
                    "must lie within a year before and two years after now", p);
        if (json_object_get(j_body, "reason") != NULL
            && json_object_get(j_body, "scheduled_at") == NULL
            && json_object_get(j_body, "status") == NULL)
                problem_field(p, "reason", "goes only with a new scheduled_at or status");
        return verdict(p);
}

int
sessions_json_check_write_up(const json_t *j_body, struct problem *p)
{
        const char *key;
        json_t *j_val;
        char name[96];

        if (not_empty(j_body, p) != ST_OK)
                return ST_INVALID;
        jv_check_partial(j_body, write_up_fields, NULL, p);
        json_object_foreach(json_object_get(j_body, "guideline_adherence"), key, j_val) {
                snprintf(name, sizeof(name), "guideline_adherence.%.60s", key);
                if (!json_is_boolean(j_val))
                        problem_field(p, name, "must be true or false");
        }
        if (json_object_size(json_object_get(j_body, "guideline_adherence")) > GUIDELINES_MAX)
                problem_field(p, "guideline_adherence", "has more members than any guidelines"
                              " version has guidelines (%d)", GUIDELINES_MAX);
        return verdict(p);
}

int
actions_json_check_create(const json_t *j_body, struct problem *p)
{
        return jv_check(j_body, action_create_fields, NULL, p);
}

int
actions_json_check_patch(const json_t *j_body, struct problem *p)
{
        if (not_empty(j_body, p) != ST_OK)
                return ST_INVALID;
        return jv_check_partial(j_body, action_patch_fields, NULL, p);
}

int
private_note_json_check(const json_t *j_body, struct problem *p)
{
        return jv_check(j_body, private_note_fields, NULL, p);
}

/* ---- guidelines --------------------------------------------------------------------- */

static void
guideline_item_check(const json_t *j_item, size_t i, const json_t *j_items, struct problem *p)
{
        char prefix[32];
        const char *key = str(j_item, "key");

        snprintf(prefix, sizeof(prefix), "items[%zu]", i);
        if (!json_is_object(j_item)) {
                problem_field(p, prefix, "must be an object");
                return;
        }
        jv_check(j_item, guideline_item_fields, prefix, p);
        if (key == NULL || jv_utf8_len(key) > 40)
                return;   /* missing, not a string or too long: reported already */
        snprintf(prefix, sizeof(prefix), "items[%zu].key", i);
        if (!guideline_key_valid(key)) {
                problem_field(p, prefix, "must be lowercase letters, digits and hyphens,"
                              " starting with a letter (e.g. share-learning)");
                return;
        }
        for (size_t k = 0; k < i; k++) {
                if (json_equal(json_object_get(json_array_get(j_items, k), "key"),
                               json_object_get(j_item, "key"))) {
                        problem_field(p, prefix, "repeats the key of items[%zu]", k);
                        return;   /* the first earlier copy is enough */
                }
        }
}

int
guidelines_json_check(const json_t *j_body, struct problem *p)
{
        json_t *j_items = json_object_get(j_body, "items");
        json_t *j_item;
        size_t i;

        if (jv_check(j_body, guidelines_fields, NULL, p) != ST_OK && !json_is_array(j_items))
                return ST_INVALID;
        /* past the limit (reported by jv_check) the items are not looked at: the
         * duplicate check is quadratic in their number */
        if (json_array_size(j_items) > GUIDELINES_MAX)
                return ST_INVALID;
        json_array_foreach(j_items, i, j_item)
                guideline_item_check(j_item, i, j_items, p);
        return verdict(p);
}

/* ---- templates and checklists ------------------------------------------------------ */

int
templates_json_check_create(const json_t *j_body, struct problem *p)
{
        json_t *j_cadence = json_object_get(j_body, "suggested_cadence");

        jv_check(j_body, template_fields, NULL, p);
        if (j_cadence != NULL)
                cadence_member(j_body, "suggested_cadence", p);
        return verdict(p);
}

int
templates_json_check_patch(const json_t *j_body, struct problem *p)
{
        if (not_empty(j_body, p) != ST_OK)
                return ST_INVALID;
        jv_check_partial(j_body, template_fields, NULL, p);
        cadence_member(j_body, "suggested_cadence", p);
        return verdict(p);
}

/* Items start within five years before and one year after today. */
static void
started_on_within(const json_t *j_body, int32_t today, struct problem *p)
{
        int32_t day;

        if (date_to_day(str(j_body, "started_on"), &day)
            && (day < today - 5 * 366 || day > today + 366))
                problem_field(p, "started_on", "must lie within five years before and one"
                              " year after today");
}

int
items_json_check_create(const json_t *j_body, int32_t today, struct problem *p)
{
        bool from_template = json_object_get(j_body, "template_id") != NULL;
        static const char *const own[] = { "title", "platform", "skill", "cadence", NULL };

        jv_check(j_body, item_create_fields, NULL, p);
        cadence_member(j_body, "cadence", p);
        started_on_within(j_body, today, p);
        for (const char *const *k = own; !from_template && *k != NULL; k++)
                if (json_object_get(j_body, *k) == NULL)
                        problem_field(p, *k, "is required for an item of your own"
                                      " (without template_id)");
        return verdict(p);
}

int
items_json_check_patch(const json_t *j_body, struct problem *p)
{
        if (not_empty(j_body, p) != ST_OK)
                return ST_INVALID;
        jv_check_partial(j_body, item_patch_fields, NULL, p);
        cadence_member(j_body, "cadence", p);
        return verdict(p);
}

static void
url_member(const json_t *j_body, struct problem *p)
{
        const char *url = str(j_body, "evidence_url");

        if (url != NULL && jv_utf8_len(url) <= 2000 && url[0] != '\0' && !mentoring_url_valid(url))
                problem_field(p, "evidence_url", "must be an http or https URL (a link to your"
                              " own post)");
}

int
completions_json_check_create(const json_t *j_body, int64_t now, struct problem *p)
{
        jv_check(j_body, completion_create_fields, NULL, p);
        url_member(j_body, p);
        /* five minutes of leeway for clocks that run a little ahead */
        time_within(j_body, "done_at", now, 5LL * 366 * DAY_SECONDS, 300,
                    "must not lie in the future (nor more than five years back)", p);
        return verdict(p);
}

int
completions_json_check_patch(const json_t *j_body, struct problem *p)
{
        if (not_empty(j_body, p) != ST_OK)
                return ST_INVALID;
        jv_check_partial(j_body, completion_patch_fields, NULL, p);
        url_member(j_body, p);
        return verdict(p);
}

int
verification_json_check(const json_t *j_body, struct problem *p)
{
        return jv_check(j_body, verification_fields, NULL, p);
}

int
comment_json_check(const json_t *j_body, struct problem *p)
{
        return jv_check(j_body, comment_fields, NULL, p);
}

/* ---- learnings and sign-offs ----------------------------------------------------- */

int
learnings_json_check_create(const json_t *j_body, struct problem *p)
{
        const char *vis = str(j_body, "visibility");
        json_t *j_pairing = json_object_get(j_body, "pairing_id");

        jv_check(j_body, learning_fields, NULL, p);
        if (vis != NULL && strcmp(vis, "pairing") == 0
            && (j_pairing == NULL || json_is_null(j_pairing)))
                problem_field(p, "pairing_id", "is required when visibility is pairing");
        return verdict(p);
}

int
learnings_json_check_patch(const json_t *j_body, struct problem *p)
{
        if (not_empty(j_body, p) != ST_OK)
                return ST_INVALID;
        return jv_check_partial(j_body, learning_patch_fields, NULL, p);
}

int
signoffs_json_check(const json_t *j_body, struct problem *p)
{
        return jv_check(j_body, signoff_fields, NULL, p);
}

/* ---- configuration --------------------------------------------------------------- */

int
mentoring_config(struct mentoring_app *app, const char *(*getenv_fn)(const char *), char *err,
                 size_t errlen)
{
        const char *v = getenv_fn("TANDEM_WRITE_UP_DAYS");
        char *end;
        long n;

        app->write_up_days = 3;
        if (v == NULL || v[0] == '\0')
                return ST_OK;
        n = strtol(v, &end, 10);
        if (!isdigit((unsigned char)v[0]) || *end != '\0' || n < 1 || n > 90) {
                snprintf(err, errlen, "TANDEM_WRITE_UP_DAYS: must be a whole number of days"
                         " from 1 to 90");
                return ST_INVALID;
        }
        app->write_up_days = (int)n;
        return ST_OK;
}
