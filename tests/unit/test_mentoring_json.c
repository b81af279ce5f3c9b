/*
 * test_mentoring_json.c - unit tests for the mentoring service's validation
 * layer (mentoring_json.c): times and dates, evidence links, guideline keys,
 * cadences, every request body with every fault reported at once, and the
 * service's own configuration.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "buf.h"
#include "mentoring.h"
#include "status.h"

#define PAIRING "123e4567-e89b-12d3-a456-426614174000"
#define NOW ((int64_t)1767268800)          /* 2026-01-01T12:00:00Z */
#define DAY ((int64_t)DAY_SECONDS)

/* Returns how many faults in @p name @field. */
static int
faults(const struct problem *p, const char *field)
{
        size_t i;
        int n = 0;
        const json_t *j_err;

        json_array_foreach(p->j_errors, i, j_err)
                if (strcmp(json_string_value(json_object_get(j_err, "field")), field) == 0)
                        n++;
        return n;
}

/* Parses @text (a JSON object) or fails the test. */
static json_t *
body(const char *text)
{
        json_error_t err;
        json_t *j = json_loads(text, 0, &err);

        ck_assert_msg(j != NULL, "bad test JSON: %s: %s", text, err.text);
        return j;
}

typedef int (*check_fn)(const json_t *, struct problem *);

/* Runs @fn on @text; asserts @want and that each of @fields (NULL-ended) is named. */
static void
expect(check_fn fn, const char *text, int want, const char *const *fields)
{
        struct problem p = PROBLEM_INIT;
        json_t *j = body(text);

        ck_assert_msg(fn(j, &p) == want, "%s: expected %d", text, want);
        for (; fields != NULL && *fields != NULL; fields++)
                ck_assert_msg(faults(&p, *fields) >= 1, "%s: no fault named %s", text, *fields);
        if (want == ST_OK)
                ck_assert_uint_eq(problem_field_count(&p), 0);
        json_decref(j);
        problem_release(&p);
}

#define F(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* ---- times, dates, links, keys -------------------------------------------------- */

START_TEST(test_rfc3339)
{
        int64_t t = 0;

        ck_assert(rfc3339_to_epoch("1970-01-01T00:00:00Z", &t) && t == 0);
        ck_assert(rfc3339_to_epoch("2026-01-01T12:00:00Z", &t) && t == NOW);
        ck_assert(rfc3339_to_epoch("2026-01-01T14:00:00+02:00", &t) && t == NOW);
        ck_assert(rfc3339_to_epoch("2026-01-01T07:30:00.123456-04:30", &t) && t == NOW);
        ck_assert(rfc3339_to_epoch("2024-02-29T00:00:00z", &t));
        ck_assert(!rfc3339_to_epoch("2026-01-01", &t));
        ck_assert(!rfc3339_to_epoch("2026-01-01T12:00:00", &t));
        ck_assert(!rfc3339_to_epoch("2025-02-29T00:00:00Z", &t));
        ck_assert(!rfc3339_to_epoch(NULL, &t));
}
END_TEST

START_TEST(test_dates)
{
        int32_t d = -1;

        ck_assert(date_to_day("1970-01-02", &d) && d == 1);
        ck_assert(date_to_day("2026-01-01", &d) && d == day_of(NOW));
        ck_assert(!date_to_day("2026-1-01", &d));
        ck_assert(!date_to_day("2026-02-30", &d));
        ck_assert(!date_to_day("2026-01-01T00:00:00Z", &d));
        ck_assert(!date_to_day(NULL, &d));
}
END_TEST

START_TEST(test_urls)
{
        static const char *const good[] = {
                "https://www.linkedin.com/posts/ana-1234", "http://example.com",
                "HTTPS://EXAMPLE.COM/a?b=c#d", "https://[2001:db8::1]:8443/x",
                "https://user@example.com/", "https://example.com:8080",
        };
        static const char *const bad[] = {
                "ftp://example.com/x", "https://", "https:///path", "example.com",
                "https://exa mple.com", "https://example.com/a b", "javascript:alert(1)",
                "https://.example.com", "https://ex\tample.com", "",
        };
        char *longest = malloc(2002);

        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
                ck_assert_msg(mentoring_url_valid(good[i]), "refused %s", good[i]);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_msg(!mentoring_url_valid(bad[i]), "accepted %s", bad[i]);
        ck_assert_ptr_nonnull(longest);
        memcpy(longest, "https://e.com/", 14);
        memset(longest + 14, 'a', 2001 - 14);
        longest[2001] = '\0';
        ck_assert(!mentoring_url_valid(longest));
        longest[2000] = '\0';
        ck_assert(mentoring_url_valid(longest));
        free(longest);
}
END_TEST

START_TEST(test_guideline_keys)
{
        ck_assert(guideline_key_valid("share-learning"));
        ck_assert(guideline_key_valid("a"));
        ck_assert(guideline_key_valid("rule2"));
        ck_assert(!guideline_key_valid(""));
        ck_assert(!guideline_key_valid("2rules"));
        ck_assert(!guideline_key_valid("-a"));
        ck_assert(!guideline_key_valid("a-"));
        ck_assert(!guideline_key_valid("Share"));
        ck_assert(!guideline_key_valid("share_learning"));
        ck_assert(!guideline_key_valid("a23456789012345678901234567890123456789012"));
        ck_assert(!guideline_key_valid(NULL));
}
END_TEST

static void
cadence_ok(const char *text, enum cadence_kind kind, int days)
{
        struct problem p = PROBLEM_INIT;
        struct cadence c = { 0, 0 };
        json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);

        ck_assert_ptr_nonnull(j);
        ck_assert_int_eq(mentoring_json_cadence(j, "cadence", &c, &p), ST_OK);
        ck_assert_int_eq(c.kind, kind);
        ck_assert_int_eq(c.days, days);
        json_decref(j);
        problem_release(&p);
}

static void
cadence_bad(const char *text)
{
        struct problem p = PROBLEM_INIT;
        struct cadence c = { 0, 0 };
        json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);

        ck_assert_ptr_nonnull(j);
        ck_assert_msg(mentoring_json_cadence(j, "cadence", &c, &p) == ST_INVALID, "%s", text);
        ck_assert_int_eq(faults(&p, "cadence"), 1);
        json_decref(j);
        problem_release(&p);
}

START_TEST(test_cadences)
{
        cadence_ok("\"daily\"", CADENCE_DAILY, 1);
        cadence_ok("\"weekly\"", CADENCE_WEEKLY, 7);
        cadence_ok("\"fortnightly\"", CADENCE_FORTNIGHTLY, 14);
        cadence_ok("\"monthly\"", CADENCE_MONTHLY, 0);
        cadence_ok("{\"every_n_days\": 1}", CADENCE_EVERY_N_DAYS, 1);
        cadence_ok("{\"every_n_days\": 365}", CADENCE_EVERY_N_DAYS, 365);
        cadence_bad("\"every_n_days\"");
        cadence_bad("\"yearly\"");
        cadence_bad("\"Weekly\"");
        cadence_bad("{\"every_n_days\": 0}");
        cadence_bad("{\"every_n_days\": 366}");
        cadence_bad("{\"every_n_days\": \"7\"}");
        cadence_bad("{\"every_n_days\": 7, \"times\": 2}");
        cadence_bad("{}");
        cadence_bad("7");
        cadence_bad("null");
}
END_TEST

/* ---- sessions ------------------------------------------------------------------ */

static int
session_create(const json_t *j, struct problem *p)
{
        return sessions_json_check_create(j, NOW, p);
}

static int
session_patch(const json_t *j, struct problem *p)
{
        return sessions_json_check_patch(j, NOW, p);
}

START_TEST(test_session_create)
{
        expect(session_create, "{\"pairing_id\": \"" PAIRING "\", \"scheduled_at\":"
               " \"2026-01-05T10:00:00Z\", \"duration_minutes\": 60}", ST_OK, NULL);
        expect(session_create, "{\"pairing_id\": \"" PAIRING "\", \"scheduled_at\":"
               " \"2025-01-02T10:00:00Z\", \"duration_minutes\": 5, \"agenda\": null,"
               " \"objectives\": []}", ST_OK, NULL);
        expect(session_create, "{}",
               ST_INVALID, F("pairing_id", "scheduled_at", "duration_minutes"));
        expect(session_create, "{\"pairing_id\": 1, \"scheduled_at\": \"soon\","
               " \"duration_minutes\": 481, \"objectives\": [\"\"], \"room\": 4}", ST_INVALID,
               F("pairing_id", "scheduled_at", "duration_minutes", "objectives", "room"));
        /* a year back, two years ahead of now */
        expect(session_create, "{\"pairing_id\": \"" PAIRING "\", \"scheduled_at\":"
               " \"2024-12-30T10:00:00Z\", \"duration_minutes\": 60}",
               ST_INVALID, F("scheduled_at"));
        expect(session_create, "{\"pairing_id\": \"" PAIRING "\", \"scheduled_at\":"
               " \"2028-01-03T10:00:00Z\", \"duration_minutes\": 60}",
               ST_INVALID, F("scheduled_at"));
}
END_TEST

START_TEST(test_session_patch)
{
        expect(session_patch, "{\"status\": \"held\"}", ST_OK, NULL);
        expect(session_patch, "{\"status\": \"cancelled\", \"reason\": \"travel\"}", ST_OK, NULL);
        expect(session_patch, "{\"scheduled_at\": \"2026-01-09T10:00:00+01:00\","
               " \"reason\": \"x\"}", ST_OK, NULL);
        expect(session_patch, "{\"agenda\": null}", ST_OK, NULL);
        expect(session_patch, "{}", ST_INVALID, F("body"));
        expect(session_patch, "{\"reason\": \"why\"}", ST_INVALID, F("reason"));
        expect(session_patch, "{\"status\": \"scheduled\", \"duration_minutes\": 4}", ST_INVALID,
               F("status", "duration_minutes"));
        expect(session_patch, "{\"pairing_id\": \"" PAIRING "\"}", ST_INVALID, F("pairing_id"));
}
END_TEST

START_TEST(test_write_up)
{
        expect(sessions_json_check_write_up, "{\"shared_notes\": \"ok\"}", ST_OK, NULL);
        expect(sessions_json_check_write_up,
               "{\"guideline_adherence\": {\"a\": true, \"b\": false}}", ST_OK, NULL);
        expect(sessions_json_check_write_up, "{}", ST_INVALID, F("body"));
        expect(sessions_json_check_write_up, "{\"guideline_adherence\": {\"a\": 1, \"b\": \"no\"}}",
               ST_INVALID, F("guideline_adherence.a", "guideline_adherence.b"));
        expect(sessions_json_check_write_up, "{\"guideline_adherence\": [true]}", ST_INVALID,
               F("guideline_adherence"));
        expect(sessions_json_check_write_up, "{\"shared_notes\": \"\", \"partner_reflection\": 3}",
               ST_INVALID, F("shared_notes", "partner_reflection"));
}
END_TEST

START_TEST(test_write_up_adherence_bounded)
{
        struct problem p = PROBLEM_INIT;
        json_t *j = json_object(), *j_adh = json_object();
        char key[16];

        for (int i = 0; i < GUIDELINES_MAX + 1; i++) {
                snprintf(key, sizeof(key), "k%d", i);
                json_object_set_new(j_adh, key, json_true());
        }
        json_object_set_new(j, "guideline_adherence", j_adh);
        ck_assert_int_eq(sessions_json_check_write_up(j, &p), ST_INVALID);
        ck_assert_int_eq(faults(&p, "guideline_adherence"), 1);
        json_decref(j);
        problem_release(&p);
}
END_TEST

START_TEST(test_actions_and_notes)
{
        expect(actions_json_check_create, "{\"title\": \"Draft\", \"due_on\": \"2026-02-01\"}",
               ST_OK, NULL);
        expect(actions_json_check_create, "{\"title\": \"\", \"due_on\": \"2026-02-30\"}",
               ST_INVALID,
               F("title", "due_on"));
        expect(actions_json_check_patch, "{\"status\": \"done\"}", ST_OK, NULL);
        expect(actions_json_check_patch, "{}", ST_INVALID, F("body"));
        expect(actions_json_check_patch, "{\"status\": \"closed\"}", ST_INVALID, F("status"));
        expect(private_note_json_check, "{\"text\": \"mine\"}", ST_OK, NULL);
        expect(private_note_json_check, "{}", ST_INVALID, F("text"));
        expect(private_note_json_check, "{\"text\": \"x\", \"author_id\": \"" PAIRING "\"}",
               ST_INVALID, F("author_id"));
}
END_TEST

/* ---- guidelines ----------------------------------------------------------------- */

START_TEST(test_guidelines)
{
        expect(guidelines_json_check, "{\"items\": [{\"key\": \"a\", \"title\": \"A\"},"
               " {\"key\": \"b-2\", \"title\": \"B\", \"description\": null}], \"note\": \"n\"}",
               ST_OK, NULL);
        expect(guidelines_json_check, "{}", ST_INVALID, F("items"));
        expect(guidelines_json_check, "{\"items\": []}", ST_INVALID, F("items"));
        expect(guidelines_json_check, "{\"items\": [{\"key\": \"a\", \"title\": \"A\"},"
               " {\"key\": \"a\", \"title\": \"B\"}]}", ST_INVALID, F("items[1].key"));
        expect(guidelines_json_check, "{\"items\": [{\"key\": \"Bad Key\", \"title\": \"\"}]}",
               ST_INVALID, F("items[0].key", "items[0].title"));
        expect(guidelines_json_check, "{\"items\": [\"a\", {\"title\": \"t\", \"x\": 1}]}",
               ST_INVALID, F("items[0]", "items[1].key", "items[1].x"));
        expect(guidelines_json_check, "{\"items\": 5, \"note\": \"\"}",
               ST_INVALID, F("items", "note"));
}
END_TEST

/*
 * 3,000 items with one key (a 36 KB body took 19 s and a 316 MB reply before): one
 * error about the count, no item looked at, fast.
 */
START_TEST(test_guidelines_over_limit_one_error)
{
        struct buf b = BUF_INIT;
        struct problem p = PROBLEM_INIT;
        json_t *j;

        buf_puts(&b, "{\"items\": [");
        for (int i = 0; i < 3000; i++)
                buf_puts(&b, i > 0 ? ", {\"key\": \"a\", \"title\": \"A\"}"
                                   : "{\"key\": \"a\", \"title\": \"A\"}");
        buf_puts(&b, "]}");
        j = body(b.p);
        ck_assert_int_eq(guidelines_json_check(j, &p), ST_INVALID);
        ck_assert_uint_eq(problem_field_count(&p), 1);
        ck_assert_int_eq(faults(&p, "items"), 1);
        json_decref(j);
        problem_release(&p);
        buf_release(&b);
}
END_TEST

/* Within the limit, a key repeated by every item is reported once per repeat. */
START_TEST(test_guidelines_repeat_reported_once)
{
        struct buf b = BUF_INIT;
        struct problem p = PROBLEM_INIT;
        json_t *j;

        buf_puts(&b, "{\"items\": [");
        for (int i = 0; i < 20; i++)
                buf_puts(&b, i > 0 ? ", {\"key\": \"a\", \"title\": \"A\"}"
                                   : "{\"key\": \"a\", \"title\": \"A\"}");
        buf_puts(&b, "]}");
        j = body(b.p);
        ck_assert_int_eq(guidelines_json_check(j, &p), ST_INVALID);
        ck_assert_uint_eq(problem_field_count(&p), 19);
        ck_assert_int_eq(faults(&p, "items[19].key"), 1);
        json_decref(j);
        problem_release(&p);
        buf_release(&b);
}
END_TEST

/* ---- templates, items, completions ------------------------------------------------ */

static int
item_create(const json_t *j, struct problem *p)
{
        return items_json_check_create(j, day_of(NOW), p);
}

static int
completion_create(const json_t *j, struct problem *p)
{
        return completions_json_check_create(j, NOW, p);
}

START_TEST(test_templates)
{
        expect(templates_json_check_create,
               "{\"title\": \"T\", \"platform\": \"x\", \"skill\": \"s\","
               " \"suggested_cadence\": {\"every_n_days\": 3}}", ST_OK, NULL);
        expect(templates_json_check_create, "{}", ST_INVALID,
               F("title", "platform", "skill", "suggested_cadence"));
        expect(templates_json_check_create,
               "{\"title\": \"T\", \"platform\": \"x\", \"skill\": \"s\","
               " \"suggested_cadence\": \"hourly\", \"archived\": \"no\"}", ST_INVALID,
               F("suggested_cadence", "archived"));
        expect(templates_json_check_patch, "{\"archived\": true}", ST_OK, NULL);
        expect(templates_json_check_patch, "{}", ST_INVALID, F("body"));
        expect(templates_json_check_patch, "{\"suggested_cadence\": null}", ST_INVALID,
               F("suggested_cadence"));
}
END_TEST

START_TEST(test_items)
{
        expect(item_create, "{\"title\": \"T\", \"platform\": \"x\", \"skill\": \"s\","
               " \"cadence\": \"daily\", \"started_on\": \"2025-12-01\"}", ST_OK, NULL);
        expect(item_create, "{\"template_id\": \"" PAIRING "\"}", ST_OK, NULL);
        expect(item_create, "{\"template_id\": \"" PAIRING "\", \"cadence\": \"monthly\"}",
               ST_OK, NULL);
        expect(item_create, "{}", ST_INVALID, F("title", "platform", "skill", "cadence"));
        expect(item_create, "{\"template_id\": \"" PAIRING "\", \"cadence\": \"often\","
               " \"started_on\": \"2020-12-01\"}", ST_INVALID, F("cadence", "started_on"));
        expect(item_create, "{\"template_id\": \"" PAIRING "\", \"started_on\": \"2027-02-01\"}",
               ST_INVALID, F("started_on"));
        expect(items_json_check_patch, "{\"status\": \"paused\"}", ST_OK, NULL);
        expect(items_json_check_patch, "{\"status\": \"done\", \"cadence\": 3}", ST_INVALID,
               F("status", "cadence"));
        expect(items_json_check_patch, "{\"started_on\": \"2026-01-01\"}",
               ST_INVALID, F("started_on"));
}
END_TEST

START_TEST(test_completions)
{
        expect(completion_create, "{\"done_at\": \"2026-01-01T11:00:00Z\", \"evidence_url\":"
               " \"https://example.com/p\", \"reflection\": null}", ST_OK, NULL);
        /* five minutes of leeway for a clock ahead */
        expect(completion_create, "{\"done_at\": \"2026-01-01T12:04:59Z\"}", ST_OK, NULL);
        expect(completion_create, "{\"done_at\": \"2026-01-01T12:05:01Z\"}",
               ST_INVALID, F("done_at"));
        expect(completion_create, "{\"done_at\": \"2020-01-01T12:00:00Z\"}",
               ST_INVALID, F("done_at"));
        expect(completion_create, "{}", ST_INVALID, F("done_at"));
        expect(completion_create, "{\"done_at\": \"x\", \"evidence_url\": \"ftp://x.com\","
               " \"reflection\": \"\", \"verified\": true}", ST_INVALID,
               F("done_at", "evidence_url", "reflection", "verified"));
        expect(completions_json_check_patch, "{\"evidence_url\": null}", ST_OK, NULL);
        expect(completions_json_check_patch, "{}", ST_INVALID, F("body"));
        expect(completions_json_check_patch, "{\"done_at\": \"2026-01-01T11:00:00Z\"}", ST_INVALID,
               F("done_at"));
        expect(verification_json_check, "{}", ST_OK, NULL);
        expect(verification_json_check, "{\"note\": \"\"}", ST_INVALID, F("note"));
        expect(comment_json_check, "{\"text\": \"nice\"}", ST_OK, NULL);
        expect(comment_json_check, "{\"text\": null}", ST_INVALID, F("text"));
}
END_TEST

/* ---- learnings, sign-offs, configuration ----------------------------------------- */

START_TEST(test_learnings_and_signoffs)
{
        expect(learnings_json_check_create, "{\"kind\": \"failure\", \"text\": \"t\","
               " \"visibility\": \"private\"}", ST_OK, NULL);
        expect(learnings_json_check_create, "{\"kind\": \"success\", \"text\": \"t\","
               " \"visibility\": \"pairing\", \"pairing_id\": \"" PAIRING "\"}", ST_OK, NULL);
        expect(learnings_json_check_create, "{\"kind\": \"success\", \"text\": \"t\","
               " \"visibility\": \"pairing\", \"pairing_id\": null}", ST_INVALID, F("pairing_id"));
        expect(learnings_json_check_create, "{}", ST_INVALID, F("kind", "text", "visibility"));
        expect(learnings_json_check_create, "{\"kind\": \"lesson\", \"text\": \"\","
               " \"visibility\": \"public\", \"skill\": \"\"}", ST_INVALID,
               F("kind", "text", "visibility", "skill"));
        expect(learnings_json_check_patch, "{\"visibility\": \"library\"}", ST_OK, NULL);
        expect(learnings_json_check_patch, "{\"pairing_id\": \"" PAIRING "\"}", ST_INVALID,
               F("pairing_id"));
        expect(signoffs_json_check, "{\"partner_id\": \"" PAIRING "\", \"note\": \"ready\"}",
               ST_OK, NULL);
        expect(signoffs_json_check, "{}", ST_INVALID, F("partner_id", "note"));
}
END_TEST

static const char *days_value;

static const char *
fake_env(const char *name)
{
        return strcmp(name, "TANDEM_WRITE_UP_DAYS") == 0 ? days_value : NULL;
}

START_TEST(test_config)
{
        struct mentoring_app app;
        char err[128] = "";

        days_value = NULL;
        ck_assert_int_eq(mentoring_config(&app, fake_env, err, sizeof(err)), ST_OK);
        ck_assert_int_eq(app.write_up_days, 3);
        days_value = "14";
        ck_assert_int_eq(mentoring_config(&app, fake_env, err, sizeof(err)), ST_OK);
        ck_assert_int_eq(app.write_up_days, 14);
        for (const char *const *v = F("0", "91", "7d", "-1", " 3"); *v != NULL; v++) {
                days_value = *v;
                ck_assert_int_eq(mentoring_config(&app, fake_env, err, sizeof(err)), ST_INVALID);
                ck_assert_msg(strstr(err, "TANDEM_WRITE_UP_DAYS") != NULL, "%s", err);
        }
}
END_TEST

static Suite *
json_suite(void)
{
        Suite *s = suite_create("mentoring_json");
        TCase *tc_basic = tcase_create("basics");
        TCase *tc_bodies = tcase_create("bodies");

        tcase_add_test(tc_basic, test_rfc3339);
        tcase_add_test(tc_basic, test_dates);
        tcase_add_test(tc_basic, test_urls);
        tcase_add_test(tc_basic, test_guideline_keys);
        tcase_add_test(tc_basic, test_cadences);
        tcase_add_test(tc_basic, test_config);
        suite_add_tcase(s, tc_basic);

        tcase_add_test(tc_bodies, test_session_create);
        tcase_add_test(tc_bodies, test_session_patch);
        tcase_add_test(tc_bodies, test_write_up);
        tcase_add_test(tc_bodies, test_write_up_adherence_bounded);
        tcase_add_test(tc_bodies, test_actions_and_notes);
        tcase_add_test(tc_bodies, test_guidelines);
        tcase_add_test(tc_bodies, test_guidelines_over_limit_one_error);
        tcase_add_test(tc_bodies, test_guidelines_repeat_reported_once);
        tcase_add_test(tc_bodies, test_templates);
        tcase_add_test(tc_bodies, test_items);
        tcase_add_test(tc_bodies, test_completions);
        tcase_add_test(tc_bodies, test_learnings_and_signoffs);
        suite_add_tcase(s, tc_bodies);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(json_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
