/*
 * test_events.c - unit tests for the pure parts of shared/events.c (feed
 * positions, cursors, the type filter) and shared/follower.c (reading a
 * CloudEvent).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "events.h"
#include "follower.h"
#include "status.h"

START_TEST(test_cursor_round_trip)
{
        struct event_pos cases[] = { { 0, 0 }, { 1, 2 }, { 748, 1 }, { UINT64_MAX, UINT64_MAX } };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char c[64];
                struct event_pos back = { 9, 9 };

                event_cursor_encode(cases[i], c, sizeof(c));
                ck_assert_int_gt((int)strlen(c), 0);
                ck_assert_int_eq(event_cursor_decode(c, &back), ST_OK);
                ck_assert_int_eq(event_pos_cmp(back, cases[i]), 0);
        }
}
END_TEST

START_TEST(test_cursor_refuses_what_it_did_not_make)
{
        struct event_pos p;
        const char *bad[] = {
                "", "not-a-cursor", "ZTE6MTI",   /* "e1:12" without its seq */
                "ZTI6MToy",                     /* "e2:1:2": another version */
                "ZTE6LTE6Mg",                   /* "e1:-1:2" */
                "ZTE6MToy eA",                  /* a space */
                "ZTE6OTk5OTk5OTk5OTk5OTk5OTk5OTk5OjE",   /* txid beyond 64 bits */
        };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_msg(event_cursor_decode(bad[i], &p) == ST_INVALID, "accepted %s", bad[i]);
        ck_assert_int_eq(event_cursor_decode(NULL, &p), ST_INVALID);
}
END_TEST

START_TEST(test_pos_order_is_txid_then_seq)
{
        struct event_pos a = { 10, 99 }, b = { 11, 1 }, c = { 11, 2 };

        /* a later transaction id comes later whatever its seq: the no-skip order */
        ck_assert_int_lt(event_pos_cmp(a, b), 0);
        ck_assert_int_lt(event_pos_cmp(b, c), 0);
        ck_assert_int_gt(event_pos_cmp(c, a), 0);
        ck_assert_int_eq(event_pos_cmp(c, c), 0);
}
END_TEST

START_TEST(test_type_filter)
{
        char why[160], *out = NULL;

        ck_assert_int_eq(event_type_filter("tandem.mentoring.session.held", &out, why, sizeof(why)),
                         ST_OK);
        ck_assert_str_eq(out, "{\"tandem.mentoring.session.held\"}");
        free(out);
        ck_assert_int_eq(event_type_filter("tandem.mentoring.*,tandem.strategy.playbook.section_saved",
                                           &out, why, sizeof(why)), ST_OK);
        /* a prefix becomes %, a literal _ is escaped for LIKE */
        ck_assert_str_eq(out, "{\"tandem.mentoring.%\",\"tandem.strategy.playbook.section\\\\_saved\"}");
        free(out);
        out = NULL;
        ck_assert_int_eq(event_type_filter("", &out, why, sizeof(why)), ST_INVALID);
        ck_assert_int_eq(event_type_filter("a,,b", &out, why, sizeof(why)), ST_INVALID);
        ck_assert_int_eq(event_type_filter("Tandem.x", &out, why, sizeof(why)), ST_INVALID);
        ck_assert_int_eq(event_type_filter("a*b", &out, why, sizeof(why)), ST_INVALID);
        ck_assert_int_eq(event_type_filter("a\"b", &out, why, sizeof(why)), ST_INVALID);
        ck_assert_int_eq(event_type_filter("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q", &out, why, sizeof(why)),
                         ST_INVALID);
        ck_assert_ptr_null(out);
}
END_TEST

START_TEST(test_follower_event_parse)
{
        json_t *j = json_loads("{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"/tandem/mentoring\","
                               "\"type\":\"tandem.mentoring.session.held\",\"subject\":\"s1\","
                               "\"time\":\"2026-12-06T10:00:00Z\",\"data\":{\"status\":\"held\"},"
                               "\"personid\":\"p1\",\"actor\":\"m1\",\"resourceversion\":3}", 0, NULL);
        struct follower_event ev;

        ck_assert_ptr_nonnull(j);
        ck_assert_int_eq(follower_event_parse(j, &ev), ST_OK);
        ck_assert_str_eq(ev.type, "tandem.mentoring.session.held");
        ck_assert_str_eq(ev.person, "p1");
        ck_assert_str_eq(ev.actor, "m1");
        ck_assert_int_eq(ev.version, 3);
        ck_assert_str_eq(json_string_value(json_object_get(ev.data, "status")), "held");
        /* what the contract requires */
        json_object_set_new(j, "data", json_string("x"));
        ck_assert_int_eq(follower_event_parse(j, &ev), ST_MALFORMED);
        json_object_set_new(j, "data", json_object());
        json_object_set_new(j, "type", json_string("other.thing"));
        ck_assert_int_eq(follower_event_parse(j, &ev), ST_MALFORMED);
        json_object_set_new(j, "type", json_string("tandem.a.b.c"));
        json_object_del(j, "id");
        ck_assert_int_eq(follower_event_parse(j, &ev), ST_MALFORMED);
        {
                json_t *j_n = json_integer(1);

                ck_assert_int_eq(follower_event_parse(j_n, &ev), ST_MALFORMED);
                json_decref(j_n);
        }
        json_decref(j);
}
END_TEST

static Suite *
events_suite(void)
{
        Suite *s = suite_create("events");
        TCase *tc = tcase_create("events");

        tcase_add_test(tc, test_cursor_round_trip);
        tcase_add_test(tc, test_cursor_refuses_what_it_did_not_make);
        tcase_add_test(tc, test_pos_order_is_txid_then_seq);
        tcase_add_test(tc, test_type_filter);
        tcase_add_test(tc, test_follower_event_parse);
        suite_add_tcase(s, tc);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(events_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
