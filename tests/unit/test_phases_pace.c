/*
 * test_phases_pace.c - unit tests for pace.c: a partner's pace against their
 * own plan (on_track, behind_own_plan, stalled, paused) at every boundary,
 * the date and time parsing it rests on, and annotating an enrolment.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "phases.h"
#include "status.h"

#define DAY 86400LL
/* 2026-03-10T12:00:00Z */
#define NOON_MAR10 1773144000LL

static long
day(const char *s)
{
        long d = 0;

        ck_assert_int_eq(pace_parse_day(s, &d), ST_OK);
        return d;
}

/* An active enrolment's current phase: progress an hour ago, 14-day threshold, no target. */
static struct pace_facts
current(void)
{
        struct pace_facts f = {
                .enrolment = ENROL_ACTIVE,
                .phase = PHASE_IN_PROGRESS,
                .now = NOON_MAR10,
                .last_progress = NOON_MAR10 - 3600,
                .stall_days = 14,
                .target_day = PACE_NO_DAY,
                .completed_day = PACE_NO_DAY,
        };

        return f;
}

START_TEST(test_on_track_without_a_plan)
{
        struct pace_facts f = current();

        ck_assert_int_eq(pace_of(&f), PACE_ON_TRACK);
        ck_assert_str_eq(pace_name(PACE_ON_TRACK), "on_track");
}
END_TEST

START_TEST(test_behind_only_after_the_target_day)
{
        struct pace_facts f = current();

        f.target_day = day("2026-03-11");
        ck_assert_int_eq(pace_of(&f), PACE_ON_TRACK);
        f.target_day = day("2026-03-10");       /* the target day itself is still on plan */
        ck_assert_int_eq(pace_of(&f), PACE_ON_TRACK);
        f.target_day = day("2026-03-09");
        ck_assert_int_eq(pace_of(&f), PACE_BEHIND);
        ck_assert_str_eq(pace_name(PACE_BEHIND), "behind_own_plan");
        /* a minute into the next UTC day */
        f.target_day = day("2026-03-10");
        f.now = NOON_MAR10 + 12 * 3600 + 60;
        f.last_progress = f.now - 60;
        ck_assert_int_eq(pace_of(&f), PACE_BEHIND);
}
END_TEST

START_TEST(test_stalled_after_more_than_the_threshold)
{
        struct pace_facts f = current();

        f.last_progress = f.now - 14 * DAY;     /* exactly the threshold: not yet */
        ck_assert_int_eq(pace_of(&f), PACE_ON_TRACK);
        f.last_progress = f.now - 14 * DAY - 1;
        ck_assert_int_eq(pace_of(&f), PACE_STALLED);
        ck_assert_str_eq(pace_name(PACE_STALLED), "stalled");
        f.stall_days = 30;
        ck_assert_int_eq(pace_of(&f), PACE_ON_TRACK);
}
END_TEST

START_TEST(test_stalled_outranks_behind)
{
        struct pace_facts f = current();

        f.target_day = day("2026-01-01");
        f.last_progress = f.now - 40 * DAY;
        ck_assert_int_eq(pace_of(&f), PACE_STALLED);
}
END_TEST

START_TEST(test_paused_is_never_stalled_or_behind)
{
        struct pace_facts f = current();

        f.enrolment = ENROL_PAUSED;
        f.target_day = day("2026-01-01");
        f.last_progress = f.now - 400 * DAY;
        ck_assert_int_eq(pace_of(&f), PACE_PAUSED);
        ck_assert_str_eq(pace_name(PACE_PAUSED), "paused");
}
END_TEST

START_TEST(test_ended_enrolments_have_no_pace)
{
        struct pace_facts f = current();

        f.enrolment = ENROL_WITHDRAWN;
        ck_assert_int_eq(pace_of(&f), PACE_NONE);
        f.enrolment = ENROL_OPERATIONAL;
        ck_assert_int_eq(pace_of(&f), PACE_NONE);
        ck_assert_ptr_null(pace_name(PACE_NONE));
}
END_TEST

START_TEST(test_not_started_has_no_pace)
{
        struct pace_facts f = current();

        f.phase = PHASE_NOT_STARTED;
        f.target_day = day("2026-01-01");       /* even with a target already passed */
        ck_assert_int_eq(pace_of(&f), PACE_NONE);
}
END_TEST

START_TEST(test_completed_judged_by_its_completion_day)
{
        struct pace_facts f = current();

        f.phase = PHASE_COMPLETED;
        f.completed_day = day("2026-02-01");
        ck_assert_int_eq(pace_of(&f), PACE_ON_TRACK);           /* no plan */
        f.target_day = day("2026-02-01");
        ck_assert_int_eq(pace_of(&f), PACE_ON_TRACK);           /* on the day */
        f.target_day = day("2026-01-31");
        ck_assert_int_eq(pace_of(&f), PACE_BEHIND);             /* a day late */
        f.last_progress = f.now - 400 * DAY;                    /* stalling is for the present */
        f.target_day = day("2026-03-01");
        ck_assert_int_eq(pace_of(&f), PACE_ON_TRACK);
}
END_TEST

START_TEST(test_parse_day)
{
        long d = -1;

        ck_assert_int_eq(pace_parse_day("1970-01-01", &d), ST_OK);
        ck_assert_int_eq(d, 0);
        ck_assert_int_eq(pace_parse_day("1970-01-02", &d), ST_OK);
        ck_assert_int_eq(d, 1);
        ck_assert_int_eq(pace_parse_day("1969-12-31", &d), ST_OK);
        ck_assert_int_eq(d, -1);
        ck_assert_int_eq(pace_parse_day("2000-03-01", &d), ST_OK);
        ck_assert_int_eq(d, 11017);
        ck_assert_int_eq(pace_parse_day("2024-02-29", &d), ST_OK);
        ck_assert_int_eq(pace_parse_day("2000-02-29", &d), ST_OK);
        ck_assert_int_eq(pace_parse_day("2023-02-29", &d), ST_INVALID);
        ck_assert_int_eq(pace_parse_day("1900-02-29", &d), ST_INVALID);
        ck_assert_int_eq(pace_parse_day("2026-13-01", &d), ST_INVALID);
        ck_assert_int_eq(pace_parse_day("2026-04-31", &d), ST_INVALID);
        ck_assert_int_eq(pace_parse_day("2026-00-10", &d), ST_INVALID);
        ck_assert_int_eq(pace_parse_day("2026-1-10", &d), ST_INVALID);
        ck_assert_int_eq(pace_parse_day("20260110", &d), ST_INVALID);
        ck_assert_int_eq(pace_parse_day("", &d), ST_INVALID);
        ck_assert_int_eq(pace_parse_day(NULL, &d), ST_INVALID);
}
END_TEST

START_TEST(test_parse_time)
{
        long long t = 0;

        ck_assert_int_eq(pace_parse_time("2026-03-10T12:00:00Z", &t), ST_OK);
        ck_assert_int_eq(t, NOON_MAR10);
        ck_assert_int_eq(pace_parse_time("2026-03-10T12:00:00.123456+00:00", &t), ST_OK);
        ck_assert_int_eq(t, NOON_MAR10);
        /* as PostgreSQL writes a timestamptz as text */
        ck_assert_int_eq(pace_parse_time("2026-03-10 12:00:00+00", &t), ST_OK);
        ck_assert_int_eq(t, NOON_MAR10);
        ck_assert_int_eq(pace_parse_time("2026-03-10T14:30:00+02:30", &t), ST_OK);
        ck_assert_int_eq(t, NOON_MAR10);
        ck_assert_int_eq(pace_parse_time("2026-03-10T07:00:00-0500", &t), ST_OK);
        ck_assert_int_eq(t, NOON_MAR10);
        ck_assert_int_eq(pace_parse_time("1969-12-31T23:59:59Z", &t), ST_OK);
        ck_assert_int_eq(t, -1);
        ck_assert_int_eq(pace_parse_time("2026-03-10T12:00:00", &t), ST_INVALID);   /* no zone */
        ck_assert_int_eq(pace_parse_time("2026-03-10T24:00:00Z", &t), ST_INVALID);
        ck_assert_int_eq(pace_parse_time("2026-03-10T12:60:00Z", &t), ST_INVALID);
        ck_assert_int_eq(pace_parse_time("2026-03-10T12:00:00+25:00", &t), ST_INVALID);
        ck_assert_int_eq(pace_parse_time("2026-03-10T12:00:00+00:00x", &t), ST_INVALID);
        ck_assert_int_eq(pace_parse_time("2026-03-10", &t), ST_INVALID);
        ck_assert_int_eq(pace_parse_time("garbage", &t), ST_INVALID);
}
END_TEST

START_TEST(test_day_of)
{
        ck_assert_int_eq(pace_day_of(0), 0);
        ck_assert_int_eq(pace_day_of(DAY - 1), 0);
        ck_assert_int_eq(pace_day_of(DAY), 1);
        ck_assert_int_eq(pace_day_of(-1), -1);
        ck_assert_int_eq(pace_day_of(-DAY), -1);
        ck_assert_int_eq(pace_day_of(-DAY - 1), -2);
        ck_assert_int_eq(pace_day_of(NOON_MAR10), day("2026-03-10"));
}
END_TEST

START_TEST(test_status_names)
{
        ck_assert_int_eq(enrol_status_parse("active"), ENROL_ACTIVE);
        ck_assert_int_eq(enrol_status_parse("paused"), ENROL_PAUSED);
        ck_assert_int_eq(enrol_status_parse("withdrawn"), ENROL_WITHDRAWN);
        ck_assert_int_eq(enrol_status_parse("operational"), ENROL_OPERATIONAL);
        ck_assert_int_eq(enrol_status_parse("stalled"), -1);
        ck_assert_int_eq(enrol_status_parse(NULL), -1);
        ck_assert_int_eq(phase_status_parse("not_started"), PHASE_NOT_STARTED);
        ck_assert_int_eq(phase_status_parse("in_progress"), PHASE_IN_PROGRESS);
        ck_assert_int_eq(phase_status_parse("completed"), PHASE_COMPLETED);
        ck_assert_int_eq(phase_status_parse("done"), -1);
}
END_TEST

/* An enrolment as enrolment_json renders it: research done late, workshops current. */
static const char enrolment_text[] =
        "{\"id\": \"e\", \"status\": \"%s\", \"current_position\": 2,"
        " \"last_progress_at\": \"2026-03-01T09:00:00.5+00:00\","
        " \"phases\": ["
        "  {\"position\": 1, \"key\": \"research\", \"status\": \"completed\", \"stall_days\": 21,"
        "   \"entered_at\": \"2026-01-01T09:00:00+00:00\","
        "   \"completed_at\": \"2026-02-03T10:00:00+00:00\", \"target_date\": \"2026-02-01\"},"
        "  {\"position\": 2, \"key\": \"workshops\", \"status\": \"in_progress\","
        "   \"stall_days\": 28, \"entered_at\": \"2026-02-03T10:00:00+00:00\","
        "   \"completed_at\": null, \"target_date\": \"%s\"},"
        "  {\"position\": 3, \"key\": \"playbook\", \"status\": \"not_started\","
        "   \"stall_days\": 28, \"entered_at\": null, \"completed_at\": null,"
        "   \"target_date\": null}]}";

static json_t *
enrolment(const char *status, const char *target)
{
        char text[sizeof(enrolment_text) + 64];
        json_t *j_e;

        snprintf(text, sizeof(text), enrolment_text, status, target);
        j_e = json_loads(text, 0, NULL);
        ck_assert_ptr_nonnull(j_e);
        return j_e;
}

static const char *
phase_pace(const json_t *j_e, size_t i)
{
        return json_string_value(json_object_get(json_array_get(json_object_get(j_e, "phases"), i),
                                                 "pace"));
}

START_TEST(test_annotate)
{
        json_t *j_e = enrolment("active", "2026-03-31");

        ck_assert_int_eq(enrolment_annotate(j_e, NOON_MAR10), ST_OK);
        ck_assert_str_eq(json_string_value(json_object_get(j_e, "pace")), "on_track");
        ck_assert_str_eq(phase_pace(j_e, 0), "behind_own_plan");   /* finished two days late */
        ck_assert_str_eq(phase_pace(j_e, 1), "on_track");
        ck_assert_ptr_null(phase_pace(j_e, 2));
        ck_assert(json_is_null(json_object_get(json_array_get(json_object_get(j_e, "phases"), 2),
                                               "pace")));
        /* stalled after more than 28 days without a progress event */
        ck_assert_int_eq(enrolment_annotate(j_e, NOON_MAR10 + 22 * DAY), ST_OK);
        ck_assert_str_eq(json_string_value(json_object_get(j_e, "pace")), "stalled");
        json_decref(j_e);

        j_e = enrolment("active", "2026-03-05");
        ck_assert_int_eq(enrolment_annotate(j_e, NOON_MAR10), ST_OK);
        ck_assert_str_eq(json_string_value(json_object_get(j_e, "pace")), "behind_own_plan");
        json_decref(j_e);

        j_e = enrolment("paused", "2026-03-05");
        ck_assert_int_eq(enrolment_annotate(j_e, NOON_MAR10), ST_OK);
        ck_assert_str_eq(json_string_value(json_object_get(j_e, "pace")), "paused");
        ck_assert_str_eq(phase_pace(j_e, 1), "paused");
        json_decref(j_e);

        j_e = enrolment("withdrawn", "2026-03-05");
        ck_assert_int_eq(enrolment_annotate(j_e, NOON_MAR10), ST_OK);
        ck_assert(json_is_null(json_object_get(j_e, "pace")));
        ck_assert_str_eq(phase_pace(j_e, 0), "behind_own_plan");   /* the past stays as it was */
        json_decref(j_e);
}
END_TEST

START_TEST(test_annotate_malformed)
{
        json_t *j_e = enrolment("sleeping", "2026-03-31");

        ck_assert_int_eq(enrolment_annotate(j_e, NOON_MAR10), ST_INTERNAL);
        json_decref(j_e);
        j_e = enrolment("active", "31/03/2026");
        ck_assert_int_eq(enrolment_annotate(j_e, NOON_MAR10), ST_INTERNAL);
        json_decref(j_e);
        j_e = json_pack("{s:s, s:s, s:[]}", "status", "active", "last_progress_at", "never",
                        "phases");
        ck_assert_int_eq(enrolment_annotate(j_e, NOON_MAR10), ST_INTERNAL);
        json_decref(j_e);
}
END_TEST

static Suite *
pace_suite(void)
{
        Suite *s = suite_create("phases_pace");
        TCase *tc_pace = tcase_create("pace_of");
        TCase *tc_parse = tcase_create("parsing");
        TCase *tc_annotate = tcase_create("annotate");

        tcase_add_test(tc_pace, test_on_track_without_a_plan);
        tcase_add_test(tc_pace, test_behind_only_after_the_target_day);
        tcase_add_test(tc_pace, test_stalled_after_more_than_the_threshold);
        tcase_add_test(tc_pace, test_stalled_outranks_behind);
        tcase_add_test(tc_pace, test_paused_is_never_stalled_or_behind);
        tcase_add_test(tc_pace, test_ended_enrolments_have_no_pace);
        tcase_add_test(tc_pace, test_not_started_has_no_pace);
        tcase_add_test(tc_pace, test_completed_judged_by_its_completion_day);
        suite_add_tcase(s, tc_pace);

        tcase_add_test(tc_parse, test_parse_day);
        tcase_add_test(tc_parse, test_parse_time);
        tcase_add_test(tc_parse, test_day_of);
        tcase_add_test(tc_parse, test_status_names);
        suite_add_tcase(s, tc_parse);

        tcase_add_test(tc_annotate, test_annotate);
        tcase_add_test(tc_annotate, test_annotate_malformed);
        suite_add_tcase(s, tc_annotate);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(pace_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
