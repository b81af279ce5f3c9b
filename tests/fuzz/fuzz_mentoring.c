/*
 * fuzz_mentoring.c - the mentoring service's request validation
 * (mentoring_json.c): every body check (sessions, actions, private notes,
 * guidelines, templates, checklist items, completions, verification,
 * comments, learnings, sign-offs), cadences, and the date, date-time, URL
 * and guideline key parsers.  Input: a request body, or a single value.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "mentoring.h"

#define NOW ((int64_t)1773100800)       /* 2026-03-10T00:00:00Z */
#define TODAY ((int32_t)20522)

static int
sessions_create(const json_t *j_body, struct problem *p)
{
        return sessions_json_check_create(j_body, NOW, p);
}

static int
sessions_patch(const json_t *j_body, struct problem *p)
{
        return sessions_json_check_patch(j_body, NOW, p);
}

static int
items_create(const json_t *j_body, struct problem *p)
{
        return items_json_check_create(j_body, TODAY, p);
}

static int
completions_create(const json_t *j_body, struct problem *p)
{
        return completions_json_check_create(j_body, NOW, p);
}

/* The body itself read as a cadence object ({"every_n_days": n}). */
static int
cadence(const json_t *j_body, struct problem *p)
{
        struct cadence c;

        return mentoring_json_cadence(j_body, "suggested_cadence", &c, p);
}

/* Its "cadence" member read as a cadence ("weekly", ...). */
static int
cadence_member(const json_t *j_body, struct problem *p)
{
        struct cadence c;

        return mentoring_json_cadence(json_object_get(j_body, "cadence"), "cadence", &c, p);
}

static const fuzz_check_fn checks[] = {
        sessions_create, sessions_patch, sessions_json_check_write_up,
        actions_json_check_create, actions_json_check_patch, private_note_json_check,
        guidelines_json_check, templates_json_check_create, templates_json_check_patch,
        items_create, items_json_check_patch, completions_create,
        completions_json_check_patch, verification_json_check, comment_json_check,
        learnings_json_check_create, learnings_json_check_patch, signoffs_json_check,
        cadence, cadence_member, NULL,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        json_t *j_body;
        char *s = fuzz_str(data, size);
        int64_t t;
        int32_t day;

        if (s != NULL) {
                (void)rfc3339_to_epoch(s, &t);
                (void)date_to_day(s, &day);
                (void)mentoring_url_valid(s);
                (void)guideline_key_valid(s);
        }
        free(s);
        j_body = fuzz_json(data, size);
        if (json_is_object(j_body))
                fuzz_check_all(checks, j_body);
        json_decref(j_body);
        return 0;
}
