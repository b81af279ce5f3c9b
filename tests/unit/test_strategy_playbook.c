/*
 * test_strategy_playbook.c - unit tests for strategy_playbook.c: what saving
 * sections does to the content and the section statuses, and who may move a
 * section between statuses (the partner drafts and submits; the mentor
 * reviews or sends back; mentoring, not consulting).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "status.h"
#include "strategy.h"

static json_t *
parse(const char *text)
{
        json_t *j = json_loads(text, 0, NULL);

        ck_assert_ptr_nonnull(j);
        return j;
}

static const char *
status_of(const json_t *j_status, const char *section)
{
        const char *s = json_string_value(json_object_get(j_status, section));

        ck_assert_ptr_nonnull(s);
        return s;
}

struct applied {
        json_t *j_content, *j_status, *j_changed;
};

static void
applied_release(struct applied *a)
{
        json_decref(a->j_content);
        json_decref(a->j_status);
        json_decref(a->j_changed);
}

static struct applied
apply(const json_t *j_content, const json_t *j_status, const char *patch)
{
        struct applied a = { NULL, NULL, NULL };
        json_t *j_patch = parse(patch);

        ck_assert_int_eq(playbook_apply(j_content, j_status, j_patch, &a.j_content, &a.j_status,
                                        &a.j_changed), ST_OK);
        json_decref(j_patch);
        return a;
}

static void
ck_changed(const json_t *j_changed, const char *want)
{
        char got[256] = "";
        size_t i, used = 0;
        json_t *j_s;

        json_array_foreach(j_changed, i, j_s)
                used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%s", i > 0 ? "," : "",
                                         json_string_value(j_s));
        ck_assert_str_eq(got, want);
}

/* ---- empty playbooks ----------------------------------------------------------------- */

START_TEST(test_empty_content_and_status)
{
        json_t *j_c = playbook_empty_content();
        json_t *j_s = playbook_empty_status();

        ck_assert_uint_eq(json_object_size(j_c), PLAYBOOK_SECTION_COUNT);
        ck_assert_uint_eq(json_object_size(j_s), PLAYBOOK_SECTION_COUNT);
        for (const char *const *s = playbook_sections; *s != NULL; s++) {
                ck_assert(json_is_null(json_object_get(j_c, *s)));
                ck_assert_str_eq(status_of(j_s, *s), "empty");
                ck_assert(playbook_section_valid(*s));
        }
        ck_assert(!playbook_section_valid("mood"));
        ck_assert(!playbook_section_valid(NULL));
        json_decref(j_c);
        json_decref(j_s);
}
END_TEST

/* ---- saving sections ------------------------------------------------------------------ */

START_TEST(test_apply_writes_drafts)
{
        json_t *j_c = playbook_empty_content(), *j_s = playbook_empty_status();
        struct applied a = apply(j_c, j_s, "{\"voice\": \"Plain\", \"purpose\": \"Trust\","
                                 " \"programme_id\": \"ignored\"}");

        ck_changed(a.j_changed, "purpose,voice");   /* canonical order */
        ck_assert_str_eq(json_string_value(json_object_get(a.j_content, "voice")), "Plain");
        ck_assert_str_eq(status_of(a.j_status, "voice"), "draft");
        ck_assert_str_eq(status_of(a.j_status, "purpose"), "draft");
        ck_assert_str_eq(status_of(a.j_status, "vision"), "empty");
        ck_assert_ptr_null(json_object_get(a.j_content, "programme_id"));
        /* the inputs are untouched */
        ck_assert(json_is_null(json_object_get(j_c, "voice")));
        ck_assert_str_eq(status_of(j_s, "voice"), "empty");
        applied_release(&a);
        json_decref(j_c);
        json_decref(j_s);
}
END_TEST

START_TEST(test_apply_unchanged_keeps_status)
{
        json_t *j_c = parse("{\"themes\": [{\"name\": \"A\", \"keywords\": [\"x\"]}],"
                            " \"voice\": \"Plain\"}");
        json_t *j_s = parse("{\"themes\": \"reviewed\", \"voice\": \"ready_for_review\"}");
        struct applied a = apply(j_c, j_s, "{\"themes\": [{\"keywords\": [\"x\"],"
                                 " \"name\": \"A\"}],"
                                 " \"voice\": \"Warm\"}");

        ck_changed(a.j_changed, "voice");
        ck_assert_str_eq(status_of(a.j_status, "themes"), "reviewed");
        /* a changed section goes back to draft: the review was of the old text */
        ck_assert_str_eq(status_of(a.j_status, "voice"), "draft");
        applied_release(&a);
        json_decref(j_c);
        json_decref(j_s);
}
END_TEST

START_TEST(test_apply_clear_makes_empty)
{
        json_t *j_c = parse("{\"voice\": \"Plain\", \"vision\": null}");
        json_t *j_s = parse("{\"voice\": \"reviewed\", \"vision\": \"empty\"}");
        struct applied a = apply(j_c, j_s, "{\"voice\": null, \"vision\": null}");

        ck_changed(a.j_changed, "voice");
        ck_assert(json_is_null(json_object_get(a.j_content, "voice")));
        ck_assert_str_eq(status_of(a.j_status, "voice"), "empty");
        applied_release(&a);
        json_decref(j_c);
        json_decref(j_s);
}
END_TEST

START_TEST(test_apply_nothing_changes)
{
        json_t *j_c = parse("{\"voice\": \"Plain\"}");
        json_t *j_s = parse("{\"voice\": \"draft\"}");
        struct applied a = apply(j_c, j_s, "{\"voice\": \"Plain\"}");

        ck_assert_uint_eq(json_array_size(a.j_changed), 0);
        ck_assert(json_equal(a.j_content, j_c));
        ck_assert(json_equal(a.j_status, j_s));
        applied_release(&a);
        json_decref(j_c);
        json_decref(j_s);
}
END_TEST

/* ---- moving a section between statuses ---------------------------------------------- */

struct move {
        const char *from, *to;
        enum playbook_actor actor;
        int want;
        const char *type;        /* the problem type slug, "" for the default */
};

static const struct move moves[] = {
        /* the partner drafts and submits */
        { "draft", "ready_for_review", ACTOR_PARTNER, ST_OK, "" },
        { "ready_for_review", "draft", ACTOR_PARTNER, ST_OK, "" },
        { "reviewed", "ready_for_review", ACTOR_PARTNER, ST_OK, "" },
        { "reviewed", "draft", ACTOR_PARTNER, ST_OK, "" },
        { "draft", "draft", ACTOR_PARTNER, ST_OK, "" },
        { "draft", "reviewed", ACTOR_PARTNER, ST_FORBIDDEN, "" },
        { "ready_for_review", "reviewed", ACTOR_PARTNER, ST_FORBIDDEN, "" },
        { "empty", "draft", ACTOR_PARTNER, ST_CONFLICT, "" },
        { "empty", "ready_for_review", ACTOR_PARTNER, ST_CONFLICT, "" },
        { "draft", "empty", ACTOR_PARTNER, ST_CONFLICT, "" },
        /* the mentor reviews or sends back, and does not submit for the partner */
        { "ready_for_review", "reviewed", ACTOR_MENTOR, ST_OK, "" },
        { "ready_for_review", "draft", ACTOR_MENTOR, ST_OK, "" },
        { "reviewed", "draft", ACTOR_MENTOR, ST_OK, "" },
        { "reviewed", "reviewed", ACTOR_MENTOR, ST_OK, "" },
        { "draft", "reviewed", ACTOR_MENTOR, ST_CONFLICT, "" },
        { "draft", "ready_for_review", ACTOR_MENTOR, ST_FORBIDDEN, PROBLEM_NOT_CONSULTING },
        { "reviewed", "ready_for_review", ACTOR_MENTOR, ST_FORBIDDEN, PROBLEM_NOT_CONSULTING },
        { "empty", "reviewed", ACTOR_MENTOR, ST_CONFLICT, "" },
};

START_TEST(test_transitions)
{
        const struct move *m = &moves[_i];
        struct problem p = PROBLEM_INIT;
        int rc = playbook_transition(m->from, m->to, m->actor, &p);

        ck_assert_msg(rc == m->want, "%s %s -> %s: %d, want %d",
                      m->actor == ACTOR_MENTOR ? "mentor" : "partner", m->from, m->to, rc, m->want);
        ck_assert_str_eq(p.type, m->type);
        if (rc != ST_OK)
                ck_assert_uint_gt(strlen(p.detail), 10);
        problem_release(&p);
}
END_TEST

static Suite *
playbook_suite(void)
{
        Suite *s = suite_create("strategy_playbook");
        TCase *tc_apply = tcase_create("apply");
        TCase *tc_move = tcase_create("transitions");

        tcase_add_test(tc_apply, test_empty_content_and_status);
        tcase_add_test(tc_apply, test_apply_writes_drafts);
        tcase_add_test(tc_apply, test_apply_unchanged_keeps_status);
        tcase_add_test(tc_apply, test_apply_clear_makes_empty);
        tcase_add_test(tc_apply, test_apply_nothing_changes);
        suite_add_tcase(s, tc_apply);

        tcase_add_loop_test(tc_move, test_transitions, 0,
                            (int)(sizeof(moves) / sizeof(moves[0])));
        suite_add_tcase(s, tc_move);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(playbook_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
