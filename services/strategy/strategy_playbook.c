/*
 * strategy_playbook.c - the rules of a playbook's sections: what a save does
 * to their content and statuses, and who may move a section from one status
 * to another (the partner drafts and submits; their mentor reviews or sends
 * back).  Pure: no I/O, unit-tested in tests/unit/test_strategy_playbook.c.
 */
#include <string.h>

#include "status.h"
#include "strategy.h"

const char *const strategy_event_fields[] = { "partner_id", "playbook_id", "programme_id",
                                              "status", "revision", "current", NULL };

const char *const playbook_sections[] = {
        "purpose", "vision", "audiences", "themes", "platforms", "cadence", "goals", "voice",
        "boundaries", NULL,
};

const char *const section_statuses[] = { "empty", "draft", "ready_for_review", "reviewed", NULL };

bool
playbook_section_valid(const char *name)
{
        for (const char *const *s = playbook_sections; name != NULL && *s != NULL; s++)
                if (strcmp(*s, name) == 0)
                        return true;
        return false;
}

/* A new object with every section set to a new reference from @make(@arg). */
static json_t *
every_section(json_t *(*make)(const char *), const char *arg)
{
        json_t *j_obj = json_object();

        for (const char *const *s = playbook_sections; j_obj != NULL && *s != NULL; s++) {
                if (json_object_set_new(j_obj, *s, make(arg)) != 0) {
                        json_decref(j_obj);
                        return NULL;
                }
        }
        return j_obj;
}

static json_t *
make_null(const char *unused)
{
        (void)unused;
        return json_null();
}

json_t *
playbook_empty_content(void)
{
        return every_section(make_null, NULL);
}

json_t *
playbook_empty_status(void)
{
        return every_section(json_string, "empty");
}

/* Sets section @s in @j_content and @j_status to @j_new and what it implies. */
static int
set_section(json_t *j_content, json_t *j_status, const char *s, json_t *j_new)
{
        const char *status = json_is_null(j_new) ? "empty" : "draft";

        if (json_object_set(j_content, s, j_new) != 0
            || json_object_set_new(j_status, s, json_string(status)) != 0)
                return ST_NOMEM;
        return ST_OK;
}

int
playbook_apply(const json_t *j_content, const json_t *j_status, const json_t *j_patch,
               json_t **content_out, json_t **status_out, json_t **changed_out)
{
        json_t *j_c = json_copy((json_t *)j_content);
        json_t *j_s = json_copy((json_t *)j_status);
        json_t *j_changed = json_array();
        int rc = j_c != NULL && j_s != NULL && j_changed != NULL ? ST_OK : ST_NOMEM;

        for (const char *const *s = playbook_sections; rc == ST_OK && *s != NULL; s++) {
                json_t *j_new = json_object_get(j_patch, *s);
                json_t *j_old = json_object_get(j_c, *s);

                if (j_new == NULL || json_equal(j_old != NULL ? j_old : json_null(), j_new))
                        continue;
                rc = set_section(j_c, j_s, *s, j_new);
                if (rc == ST_OK && json_array_append_new(j_changed, json_string(*s)) != 0)
                        rc = ST_NOMEM;
        }
        if (rc != ST_OK)
                goto out;
        *content_out = j_c;
        *status_out = j_s;
        *changed_out = j_changed;
        j_c = j_s = j_changed = NULL;
out:
        json_decref(j_c);
        json_decref(j_s);
        json_decref(j_changed);
        return rc;
}

static bool
is(const char *a, const char *b)
{
        return strcmp(a, b) == 0;
}

static int
partner_move(const char *to, struct problem *p)
{
        if (is(to, "reviewed"))
                return problem_set(p, ST_FORBIDDEN, NULL, "only the partner's mentor marks a"
                                   " section reviewed; submit it with ready_for_review");
        return ST_OK;
}

static int
mentor_move(const char *from, const char *to, struct problem *p)
{
        if (is(to, "ready_for_review"))
                return problem_set(p, ST_FORBIDDEN, PROBLEM_NOT_CONSULTING,
                                   "mentoring, not consulting: the partner submits their own"
                                   " sections for review");
        if (is(to, "reviewed") && !is(from, "ready_for_review"))
                return problem_set(p, ST_CONFLICT, NULL, "only a section that is ready_for_review"
                                   " can be marked reviewed (this one is %s)", from);
        return ST_OK;   /* reviewed from ready_for_review, or sent back to draft */
}

int
playbook_transition(const char *from, const char *to, enum playbook_actor actor,
                    struct problem *p)
{
        if (is(from, to))
                return ST_OK;
        if (is(from, "empty"))
                return problem_set(p, ST_CONFLICT, NULL,
                                   "the section is empty: the partner writes it first");
        if (is(to, "empty"))
                return problem_set(p, ST_CONFLICT, NULL,
                                   "a section becomes empty only when its content is cleared");
        return actor == ACTOR_MENTOR ? mentor_move(from, to, p) : partner_move(to, p);
}
