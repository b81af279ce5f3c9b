/*
 * test_notify_nudge.c - unit tests for the nudges' pure modules: quiet hours
 * in local wall time (quiet.c), RFC 5322 / MIME messages (mail.c), the
 * messages' texts (texts.c) and the rules document's validation
 * (nudge_json.c).
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/evp.h>

#include "nudge.h"
#include "status.h"

#define MON 1
#define FRI 5
#define SAT 6
#define SUN 7
#define HM(h, m) ((h) * 60 + (m))

static const struct quiet_hours night = { HM(20, 0), HM(8, 0), true };   /* the default */

/* ---- quiet hours ------------------------------------------------------------------ */

START_TEST(overnight_window_and_weekends)
{
        ck_assert(!quiet_is_quiet(&night, MON, HM(8, 0)));      /* end is exclusive */
        ck_assert(quiet_is_quiet(&night, MON, HM(7, 59)));
        ck_assert(!quiet_is_quiet(&night, MON, HM(19, 59)));
        ck_assert(quiet_is_quiet(&night, MON, HM(20, 0)));      /* start is inclusive */
        ck_assert(quiet_is_quiet(&night, MON, HM(0, 0)));
        ck_assert(quiet_is_quiet(&night, SAT, HM(12, 0)));
        ck_assert(quiet_is_quiet(&night, SUN, HM(12, 0)));
}
END_TEST

START_TEST(same_day_window_none_and_no_weekends)
{
        struct quiet_hours lunch = { HM(12, 0), HM(13, 30), false };
        struct quiet_hours none = { HM(9, 0), HM(9, 0), false };

        ck_assert(quiet_is_quiet(&lunch, SAT, HM(12, 30)));
        ck_assert(!quiet_is_quiet(&lunch, SAT, HM(13, 30)));
        ck_assert(!quiet_is_quiet(&lunch, MON, HM(11, 59)));
        for (int m = 0; m < 1440; m += 7)
                ck_assert(!quiet_is_quiet(&none, SUN, m));
}
END_TEST

START_TEST(wait_until_the_first_minute_that_is_not_quiet)
{
        struct quiet_hours all = { HM(0, 0), HM(0, 0), true };
        struct quiet_hours week = { HM(0, 1), HM(0, 0), true };    /* 23h59 a day, weekends */

        ck_assert_int_eq(quiet_wait_minutes(&night, MON, HM(10, 0)), 0);
        ck_assert_int_eq(quiet_wait_minutes(&night, MON, HM(21, 0)), HM(11, 0));
        ck_assert_int_eq(quiet_wait_minutes(&night, MON, HM(7, 30)), 30);
        /* Friday evening: the whole weekend, to Monday 08:00 */
        ck_assert_int_eq(quiet_wait_minutes(&night, FRI, HM(20, 0)), HM(60, 0));
        ck_assert_int_eq(quiet_wait_minutes(&night, SUN, HM(23, 0)), HM(9, 0));
        ck_assert_int_eq(quiet_wait_minutes(&all, SAT, HM(10, 0)), 2 * 1440 - HM(10, 0));
        ck_assert_int_eq(quiet_wait_minutes(&week, SAT, 0), 2 * 1440);
        /* nothing but quiet (1 minute past midnight to midnight, weekends, and the
         * 00:00 minute quiet too when start 00:00 end 00:00 is none: use 00:01-00:00 with
         * weekends, where only 00:00 on weekdays is free) */
        ck_assert_int_eq(quiet_wait_minutes(&week, MON, 1), 1439);
        (void)all;
}
END_TEST

START_TEST(times_of_day_parse_strictly)
{
        ck_assert_int_eq(quiet_parse_hhmm("00:00"), 0);
        ck_assert_int_eq(quiet_parse_hhmm("23:59"), 1439);
        ck_assert_int_eq(quiet_parse_hhmm("08:30"), 510);
        ck_assert_int_eq(quiet_parse_hhmm("24:00"), -1);
        ck_assert_int_eq(quiet_parse_hhmm("12:60"), -1);
        ck_assert_int_eq(quiet_parse_hhmm("8:30"), -1);
        ck_assert_int_eq(quiet_parse_hhmm("08:30 "), -1);
        ck_assert_int_eq(quiet_parse_hhmm(NULL), -1);
}
END_TEST

/* ---- mail ----------------------------------------------------------------------------- */

static char *
header_text(const char *s)
{
        struct buf b = BUF_INIT;

        mail_header_text(&b, s);
        buf_add(&b, "", 1);
        ck_assert(!b.failed);
        return buf_detach(&b);
}

/* Decodes every =?UTF-8?B?...?= word of @h back into one string. */
static char *
decode_words(const char *h)
{
        struct buf out = BUF_INIT;
        const char *p = h;

        while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
                const char *end = strstr(p + 10, "?=");
                unsigned char dec[128];
                int n, pad = 0;

                ck_assert_ptr_nonnull(end);
                ck_assert_int_le((int)(end + 2 - p), 75);          /* RFC 2047's limit */
                n = EVP_DecodeBlock(dec, (const unsigned char *)p + 10, (int)(end - p - 10));
                ck_assert_int_ge(n, 0);
                for (const char *q = end - 1; *q == '='; q--)
                        pad++;
                buf_add(&out, (const char *)dec, (size_t)(n - pad));
                p = end + 2;
        }
        buf_add(&out, "", 1);
        return buf_detach(&out);
}

START_TEST(ascii_headers_pass_and_others_are_encoded_words)
{
        const char *name = "Zoë Ångström-Łukasiewicz 日本語のテキストがとても長い件名になります";
        char *h = header_text("Your Tandem journey");
        char *d;

        ck_assert_str_eq(h, "Your Tandem journey");
        free(h);
        h = header_text(name);
        ck_assert_ptr_nonnull(strstr(h, "=?UTF-8?B?"));
        ck_assert_ptr_nonnull(strstr(h, "\r\n "));                /* folded: several words */
        d = decode_words(h);
        ck_assert_str_eq(d, name);                                /* no sequence was split */
        free(d);
        free(h);
        /* something that looks like an encoded word is encoded itself */
        h = header_text("=?UTF-8?B?x?=");
        d = decode_words(h);
        ck_assert_str_eq(d, "=?UTF-8?B?x?=");
        free(d);
        free(h);
}
END_TEST

START_TEST(no_header_can_be_injected)
{
        char *h = header_text("Hi\r\nBcc: victim@example.com");

        ck_assert_ptr_null(strchr(h, '\r'));
        ck_assert_ptr_null(strchr(h, '\n'));
        free(h);
}
END_TEST

START_TEST(addresses_are_quoted_or_encoded_and_checked)
{
        struct mail_addr plain = { "Mona \"M\" Mentor", "mona@example.com" };
        struct mail_addr intl = { "Zoë", "zoe@example.com" };
        struct buf b = BUF_INIT;

        mail_header_addr(&b, &plain);
        buf_add(&b, "", 1);
        ck_assert_str_eq(b.p, "\"Mona \\\"M\\\" Mentor\" <mona@example.com>");
        buf_release(&b);
        mail_header_addr(&b, &intl);
        buf_add(&b, "", 1);
        ck_assert_str_eq(b.p, "=?UTF-8?B?Wm/Dqw==?= <zoe@example.com>");
        buf_release(&b);
        ck_assert(mail_addr_ok("a.b+c@example.co.uk"));
        ck_assert(!mail_addr_ok("a b@example.com"));
        ck_assert(!mail_addr_ok("a@example.com>\r\nRCPT TO:<x@y"));
        ck_assert(!mail_addr_ok("noat"));
        ck_assert(!mail_addr_ok("a@b@c"));
        ck_assert(!mail_addr_ok("zoë@example.com"));
}
END_TEST

START_TEST(date_is_rfc5322_in_utc)
{
        struct buf b = BUF_INIT;

        mail_date(&b, (time_t)1796597434);        /* 2026-12-06T22:50:34Z, a Sunday */
        buf_add(&b, "", 1);
        ck_assert_str_eq(b.p, "Sun, 06 Dec 2026 22:50:34 +0000");
        buf_release(&b);
}
END_TEST

START_TEST(a_message_is_multipart_with_both_bodies)
{
        struct mail_addr to = { "Paula", "paula@example.com" };
        struct mail m = { { "Tandem", "tandem@example.com" }, &to, 1, "Hello Zoë",
                          "plain text, line one\nline two", "<p>html</p>", "<n-1@example.com>",
                          (time_t)1796597434, "tandem-b1" };
        struct buf b = BUF_INIT;
        unsigned char dec[256];
        const char *body;

        ck_assert_int_eq(mail_build(&m, &b), ST_OK);
        buf_add(&b, "", 1);
        ck_assert_ptr_nonnull(strstr(b.p, "Date: Sun, 06 Dec 2026 22:50:34 +0000\r\n"));
        ck_assert_ptr_nonnull(strstr(b.p, "From: \"Tandem\" <tandem@example.com>\r\n"));
        ck_assert_ptr_nonnull(strstr(b.p, "To: \"Paula\" <paula@example.com>\r\n"));
        ck_assert_ptr_nonnull(strstr(b.p, "Subject: =?UTF-8?B?"));
        ck_assert_ptr_nonnull(strstr(b.p, "Message-ID: <n-1@example.com>\r\n"));
        ck_assert_ptr_nonnull(strstr(b.p, "MIME-Version: 1.0\r\n"));
        ck_assert_ptr_nonnull(strstr(b.p, "multipart/alternative; boundary=\"tandem-b1\""));
        ck_assert_ptr_nonnull(strstr(b.p, "--tandem-b1\r\nContent-Type: text/plain; charset=utf-8"));
        ck_assert_ptr_nonnull(strstr(b.p, "Content-Type: text/html; charset=utf-8"));
        ck_assert_ptr_nonnull(strstr(b.p, "--tandem-b1--\r\n"));
        body = strstr(b.p, "base64\r\n\r\n") + 10;
        ck_assert_int_gt(EVP_DecodeBlock(dec, (const unsigned char *)body,
                                         (int)(strchr(body, '\r') - body)), 0);
        ck_assert(strncmp((char *)dec, "plain text, line one\nline two", 29) == 0);
        buf_release(&b);
        to.email = "bad address@example.com";
        ck_assert_int_eq(mail_build(&m, &b), ST_INVALID);
        buf_release(&b);
}
END_TEST

/* ---- texts ---------------------------------------------------------------------------- */

START_TEST(the_partner_hears_which_targets_slipped_and_the_next_step)
{
        struct slipped_target slipped[] = { { "workshops", "2026-11-01" },
                                            { "playbook", "2026-11-20" } };
        struct nudge_facts f = { "en", "partner", "Paula <P>", "Paula <P>", "Mona", "workshops",
                                 "2026-11-15", 21, slipped, 2, "/v1/enrolments/e1" };
        struct message m = { 0 };

        ck_assert_int_eq(texts_nudge(&f, &m), ST_OK);
        ck_assert_str_eq(m.subject, "Your Tandem journey: a nudge to pick it up again");
        ck_assert_ptr_nonnull(strstr(m.text, "Hello Paula <P>,"));
        ck_assert_ptr_nonnull(strstr(m.text, "since 2026-11-15 (21 days)"));
        ck_assert_ptr_nonnull(strstr(m.text, "workshops: 2026-11-01"));
        ck_assert_ptr_nonnull(strstr(m.text, "playbook: 2026-11-20"));
        ck_assert_ptr_nonnull(strstr(m.text, "Next step:"));
        ck_assert_ptr_nonnull(strstr(m.html, "Hello Paula &lt;P&gt;,"));   /* escaped */
        ck_assert_ptr_null(strstr(m.html, "<P>"));
        message_release(&m);
        f.n_slipped = 0;
        f.lang = "xx";                                     /* no such language: English */
        ck_assert_int_eq(texts_nudge(&f, &m), ST_OK);
        ck_assert_ptr_nonnull(strstr(m.text, "None of your own target dates has passed."));
        message_release(&m);
}
END_TEST

START_TEST(the_mentor_and_the_lead_hear_who_and_since_when)
{
        struct nudge_facts f = { "en", "mentor", "Mona", "Pedro", "Mona", "mentoring",
                                 "2026-10-01", 30, NULL, 0, "/v1/enrolments/e2" };
        struct message m = { 0 };

        ck_assert_int_eq(texts_nudge(&f, &m), ST_OK);
        ck_assert_str_eq(m.subject, "Pedro has not moved since 2026-10-01");
        ck_assert_ptr_nonnull(strstr(m.text, "Pedro, whom you mentor"));
        message_release(&m);
        f.step = "lead";
        f.mentor_name = NULL;
        ck_assert_int_eq(texts_nudge(&f, &m), ST_OK);
        ck_assert_str_eq(m.subject, "Stalled: Pedro, since 2026-10-01");
        ck_assert_ptr_nonnull(strstr(m.text, "They have no active mentor."));
        message_release(&m);
        f.step = "somebody";
        ck_assert_int_eq(texts_nudge(&f, &m), ST_INVALID);
}
END_TEST

START_TEST(the_digest_lists_each_partner_and_the_totals)
{
        struct digest_line lines[] = { { "Paula", "workshops", "on track", 1, 2 },
                                       { "Pedro", NULL, "stalled", 0, 1 } };
        struct message m = { 0 };

        ck_assert_int_eq(texts_digest("en", "Mona", lines, 2, &m), ST_OK);
        ck_assert_str_eq(m.subject, "Your week in Tandem: 2 partners");
        ck_assert_ptr_nonnull(strstr(m.text, "Paula: workshops, on track; write-ups owed: 1;"
                                     " sections awaiting your review: 2"));
        ck_assert_ptr_nonnull(strstr(m.text, "Pedro: -, stalled"));
        ck_assert_ptr_nonnull(strstr(m.text, "In all: 1 write-ups owed, 3 sections"));
        message_release(&m);
        ck_assert_int_eq(texts_digest("en", "Mona", NULL, 0, &m), ST_OK);
        ck_assert_ptr_nonnull(strstr(m.text, "no active partners"));
        message_release(&m);
}
END_TEST

/* ---- the rules document ------------------------------------------------------------ */

static int
check_rules(const char *text, struct problem *p)
{
        json_error_t err;
        json_t *j = json_loads(text, 0, &err);
        int rc;

        ck_assert_ptr_nonnull(j);
        problem_init(p);
        rc = nudge_rules_check(j, p);
        json_decref(j);
        return rc;
}

static bool
names(const struct problem *p, const char *field)
{
        json_t *j = problem_to_json(p, ST_INVALID, NULL);
        char *s = json_dumps(j, 0);
        char want[128];
        bool yes;

        snprintf(want, sizeof(want), "\"field\": \"%s\"", field);
        yes = strstr(s, want) != NULL;
        free(s);
        json_decref(j);
        return yes;
}

START_TEST(rules_valid_and_every_fault_named)
{
        struct problem p;

        ck_assert_int_eq(check_rules(
                "{\"defaults\": {\"partner_days\": 14, \"mentor_days\": 21, \"lead_days\": 35},"
                " \"rules\": [{\"programme_id\": null, \"phase\": \"mentoring\", \"partner_days\": 7,"
                "  \"mentor_days\": 7, \"lead_days\": 10}],"
                " \"quiet_hours\": {\"start\": \"20:00\", \"end\": \"08:00\", \"weekends\": true}}",
                &p), ST_OK);
        problem_release(&p);
        ck_assert_int_eq(check_rules(
                "{\"defaults\": {\"partner_days\": 14, \"mentor_days\": 7, \"lead_days\": 400},"
                " \"rules\": [{\"phase\": \"Mentoring!\", \"partner_days\": 1, \"mentor_days\": 2,"
                "  \"lead_days\": 3}, {\"phase\": \"Mentoring!\", \"partner_days\": 1,"
                "  \"mentor_days\": 2, \"lead_days\": 3}, 5],"
                " \"quiet_hours\": {\"start\": \"25:00\", \"end\": \"8\", \"weekends\": true},"
                " \"extra\": 1}", &p), ST_INVALID);
        ck_assert(names(&p, "defaults.lead_days"));
        ck_assert(names(&p, "rules[0].phase"));
        ck_assert(names(&p, "rules[1]"));
        ck_assert(names(&p, "rules[2]"));
        ck_assert(names(&p, "quiet_hours.start"));
        ck_assert(names(&p, "quiet_hours.end"));
        ck_assert(names(&p, "extra"));
        problem_release(&p);
        ck_assert_int_eq(check_rules(
                "{\"defaults\": {\"partner_days\": 14, \"mentor_days\": 7, \"lead_days\": 35},"
                " \"quiet_hours\": {\"start\": \"20:00\", \"end\": \"08:00\", \"weekends\": 1}}",
                &p), ST_INVALID);
        ck_assert(names(&p, "defaults.mentor_days"));
        ck_assert(names(&p, "quiet_hours.weekends"));
        problem_release(&p);
}
END_TEST

static Suite *
nudge_suite(void)
{
        Suite *s = suite_create("notify_nudge");
        TCase *quiet = tcase_create("quiet");
        TCase *mail = tcase_create("mail");
        TCase *texts = tcase_create("texts");
        TCase *rules = tcase_create("rules");

        tcase_add_test(quiet, overnight_window_and_weekends);
        tcase_add_test(quiet, same_day_window_none_and_no_weekends);
        tcase_add_test(quiet, wait_until_the_first_minute_that_is_not_quiet);
        tcase_add_test(quiet, times_of_day_parse_strictly);
        tcase_add_test(mail, ascii_headers_pass_and_others_are_encoded_words);
        tcase_add_test(mail, no_header_can_be_injected);
        tcase_add_test(mail, addresses_are_quoted_or_encoded_and_checked);
        tcase_add_test(mail, date_is_rfc5322_in_utc);
        tcase_add_test(mail, a_message_is_multipart_with_both_bodies);
        tcase_add_test(texts, the_partner_hears_which_targets_slipped_and_the_next_step);
        tcase_add_test(texts, the_mentor_and_the_lead_hear_who_and_since_when);
        tcase_add_test(texts, the_digest_lists_each_partner_and_the_totals);
        tcase_add_test(rules, rules_valid_and_every_fault_named);
        suite_add_tcase(s, quiet);
        suite_add_tcase(s, mail);
        suite_add_tcase(s, texts);
        suite_add_tcase(s, rules);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(nudge_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
