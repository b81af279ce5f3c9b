/*
 * test_mentoring_regularity.c - unit tests for the mentoring service's pure
 * regularity arithmetic (regularity.c), the checklist built on it
 * (checklist.c) and its JSON rendering (render.c): calendar days, windows for
 * every cadence, met / missed / excused / open, streaks, rates, recent
 * windows, and the JSON a checklist is answered with.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "buf.h"
#include "checklist.h"
#include "regularity.h"

#define H 3600LL

/* Seconds since the epoch of y-m-d at @hour:00 UTC. */
static int64_t
at(int y, unsigned m, unsigned d, int hour)
{
        return (int64_t)days_from_civil(y, m, d) * DAY_SECONDS + hour * H;
}

static int32_t
day(int y, unsigned m, unsigned d)
{
        return days_from_civil(y, m, d);
}

/* A reg_input for @kind/@days from @start, at @now, over @weeks weeks. */
static struct reg_input
input(enum cadence_kind kind, int days, int32_t start, int64_t now, const int64_t *done,
      size_t n)
{
        struct reg_input in = {
                .cadence = { kind, days },
                .start_day = start,
                .done = done,
                .n_done = n,
                .now = now,
                .weeks = 4,
                .count_from = INT32_MIN,
        };

        return in;
}

/* ---- calendar ------------------------------------------------------------------- */

START_TEST(test_civil_known_days)
{
        ck_assert_int_eq(days_from_civil(1970, 1, 1), 0);
        ck_assert_int_eq(days_from_civil(1970, 1, 2), 1);
        ck_assert_int_eq(days_from_civil(1969, 12, 31), -1);
        ck_assert_int_eq(days_from_civil(2000, 3, 1), 11017);
        ck_assert_int_eq(days_from_civil(2024, 2, 29) + 1, days_from_civil(2024, 3, 1));
        ck_assert_int_eq(days_from_civil(2023, 2, 28) + 1, days_from_civil(2023, 3, 1));
        ck_assert_int_eq(days_from_civil(2100, 2, 28) + 1, days_from_civil(2100, 3, 1));
}
END_TEST

START_TEST(test_civil_round_trip)
{
        for (int32_t z = -800000; z <= 800000; z += 997) {
                int y;
                unsigned m, d;

                civil_from_days(z, &y, &m, &d);
                ck_assert_uint_ge(m, 1);
                ck_assert_uint_le(m, 12);
                ck_assert_uint_ge(d, 1);
                ck_assert_uint_le(d, 31);
                ck_assert_int_eq(days_from_civil(y, m, d), z);
        }
}
END_TEST

START_TEST(test_monday_and_day_of)
{
        /* 1970-01-01 was a Thursday; 2026-01-05 is a Monday */
        ck_assert_int_eq(monday_on_or_before(0), day(1969, 12, 29));
        ck_assert_int_eq(monday_on_or_before(day(2026, 1, 5)), day(2026, 1, 5));
        ck_assert_int_eq(monday_on_or_before(day(2026, 1, 11)), day(2026, 1, 5));
        ck_assert_int_eq(monday_on_or_before(day(2026, 1, 12)), day(2026, 1, 12));
        ck_assert_int_eq(monday_on_or_before(-10), day(1969, 12, 22));
        ck_assert_int_eq(monday_on_or_before(-8), day(1969, 12, 22));
        ck_assert_int_eq(day_of(0), 0);
        ck_assert_int_eq(day_of(DAY_SECONDS - 1), 0);
        ck_assert_int_eq(day_of(-1), -1);
        ck_assert_int_eq(day_of(-DAY_SECONDS), -1);
        ck_assert_int_eq(day_of(-DAY_SECONDS - 1), -2);
}
END_TEST

START_TEST(test_cadence_names)
{
        struct cadence c;

        ck_assert(cadence_from_name("daily", 0, &c) && c.kind == CADENCE_DAILY && c.days == 1);
        ck_assert(cadence_from_name("weekly", 0, &c) && c.days == 7);
        ck_assert(cadence_from_name("fortnightly", 0, &c) && c.days == 14);
        ck_assert(cadence_from_name("monthly", 0, &c) && c.kind == CADENCE_MONTHLY);
        ck_assert(cadence_from_name("every_n_days", 10, &c) && c.days == 10);
        ck_assert(!cadence_from_name("every_n_days", 0, &c));
        ck_assert(!cadence_from_name("hourly", 0, &c));
        ck_assert(!cadence_from_name("Weekly", 0, &c));
        c.kind = CADENCE_FORTNIGHTLY;
        ck_assert_str_eq(cadence_name(&c), "fortnightly");
        ck_assert_str_eq(window_state_name(WINDOW_EXCUSED), "excused");
}
END_TEST

/* ---- windows ------------------------------------------------------------------- */

START_TEST(test_monthly_windows_clamp_to_month_end)
{
        struct cadence c = { CADENCE_MONTHLY, 0 };
        int32_t from, to;

        regularity_window(&c, day(2026, 1, 31), 0, &from, &to);
        ck_assert_int_eq(from, day(2026, 1, 31));
        ck_assert_int_eq(to, day(2026, 2, 28));
        regularity_window(&c, day(2026, 1, 31), 1, &from, &to);
        ck_assert_int_eq(from, day(2026, 2, 28));
        ck_assert_int_eq(to, day(2026, 3, 31));
        regularity_window(&c, day(2026, 1, 31), 12, &from, &to);
        ck_assert_int_eq(from, day(2027, 1, 31));
        regularity_window(&c, day(2023, 12, 29), 2, &from, &to);
        ck_assert_int_eq(from, day(2024, 2, 29));   /* leap year */
        ck_assert_int_eq(to, day(2024, 3, 29));
}
END_TEST

START_TEST(test_every_n_days_windows)
{
        struct cadence c = { CADENCE_EVERY_N_DAYS, 10 };
        int32_t from, to;

        regularity_window(&c, day(2026, 1, 1), 3, &from, &to);
        ck_assert_int_eq(from, day(2026, 1, 31));
        ck_assert_int_eq(to, day(2026, 2, 10));
}
END_TEST

/* ---- met, missed, open, streaks --------------------------------------------------- */

START_TEST(test_weekly_met_missed_open)
{
        /* weeks from Monday 5 Jan: met, met, missed, met, and the current one open */
        const int64_t done[] = { at(2026, 1, 6, 9), at(2026, 1, 8, 9), at(2026, 1, 18, 23),
                                 at(2026, 1, 30, 12) };
        struct reg_input in = input(CADENCE_WEEKLY, 7, day(2026, 1, 5), at(2026, 2, 4, 10),
                                    done, 4);
        struct regularity r;

        ck_assert_int_eq(regularity_compute(&in, &r), 0);
        ck_assert_int_eq(r.windows_met, 3);
        ck_assert_int_eq(r.windows_missed, 1);
        ck_assert_int_eq(r.windows_excused, 0);
        ck_assert(r.has_current);
        ck_assert_int_eq(r.current.start, day(2026, 2, 2));
        ck_assert_int_eq(r.current.end, day(2026, 2, 9));
        ck_assert_int_eq(r.current.state, WINDOW_OPEN);
        ck_assert_int_eq(r.current.completions, 0);
        ck_assert_int_eq(r.current_streak, 1);   /* the open week does not break it */
        ck_assert_int_eq(r.longest_streak, 2);
        ck_assert(r.has_last);
        ck_assert_int_eq(r.last_activity, at(2026, 1, 30, 12));
        ck_assert_int_eq(r.completions_total, 4);
}
END_TEST

START_TEST(test_current_window_met_extends_streak)
{
        const int64_t done[] = { at(2026, 1, 5, 8), at(2026, 1, 6, 8), at(2026, 1, 7, 8) };
        struct reg_input in = input(CADENCE_DAILY, 1, day(2026, 1, 5), at(2026, 1, 7, 20),
                                    done, 3);
        struct regularity r;

        ck_assert_int_eq(regularity_compute(&in, &r), 0);
        ck_assert_int_eq(r.windows_met, 3);
        ck_assert_int_eq(r.windows_missed, 0);
        ck_assert_int_eq(r.current.state, WINDOW_MET);
        ck_assert_int_eq(r.current_streak, 3);
        ck_assert_int_eq(r.longest_streak, 3);
}
END_TEST

START_TEST(test_missed_window_breaks_streak)
{
        const int64_t done[] = { at(2026, 1, 5, 8), at(2026, 1, 6, 8), at(2026, 1, 8, 8) };
        struct reg_input in = input(CADENCE_DAILY, 1, day(2026, 1, 5), at(2026, 1, 9, 20),
                                    done, 3);
        struct regularity r;

        ck_assert_int_eq(regularity_compute(&in, &r), 0);
        ck_assert_int_eq(r.windows_met, 3);
        ck_assert_int_eq(r.windows_missed, 1);          /* the 7th */
        ck_assert_int_eq(r.current.state, WINDOW_OPEN); /* the 9th, not over yet */
        ck_assert_int_eq(r.current_streak, 1);
        ck_assert_int_eq(r.longest_streak, 2);
}
END_TEST

START_TEST(test_many_completions_in_one_window)
{
        const int64_t done[] = { at(2026, 1, 5, 8), at(2026, 1, 5, 9), at(2026, 1, 6, 8),
                                 at(2026, 1, 11, 23) };
        struct reg_input in = input(CADENCE_WEEKLY, 7, day(2026, 1, 5), at(2026, 1, 12, 1),
                                    done, 4);
        struct reg_window recent[4];
        struct regularity r;

        in.recent = recent;
        in.recent_cap = 4;
        ck_assert_int_eq(regularity_compute(&in, &r), 0);
        ck_assert_uint_eq(r.n_recent, 2);
        ck_assert_int_eq(recent[0].completions, 4);
        ck_assert_int_eq(recent[0].state, WINDOW_MET);
        ck_assert_int_eq(recent[1].completions, 0);
        ck_assert_int_eq(recent[1].state, WINDOW_OPEN);
        ck_assert_int_eq(r.windows_met, 1);
}
END_TEST

/* ---- pauses ------------------------------------------------------------------- */

START_TEST(test_pause_excuses_and_keeps_streak)
{
        /* daily from the 1st; paused on the 3rd and 4th; done on 1, 2 and 5 */
        const int64_t done[] = { at(2026, 3, 1, 8), at(2026, 3, 2, 8), at(2026, 3, 5, 8) };
        const struct span pauses[] = { { day(2026, 3, 3), day(2026, 3, 5) } };
        struct reg_input in = input(CADENCE_DAILY, 1, day(2026, 3, 1), at(2026, 3, 5, 20),
                                    done, 3);
        struct regularity r;

        in.pauses = pauses;
        in.n_pauses = 1;
        ck_assert_int_eq(regularity_compute(&in, &r), 0);
        ck_assert_int_eq(r.windows_met, 3);
        ck_assert_int_eq(r.windows_missed, 0);
        ck_assert_int_eq(r.windows_excused, 2);
        ck_assert_int_eq(r.current_streak, 3);
        ck_assert_int_eq(r.longest_streak, 3);
}
END_TEST

START_TEST(test_ongoing_pause_excuses_current_window)
{
        const int64_t done[] = { at(2026, 3, 2, 8) };
        const struct span pauses[] = { { day(2026, 3, 10), REG_OPEN_END } };
        struct reg_input in = input(CADENCE_WEEKLY, 7, day(2026, 3, 2), at(2026, 3, 20, 8),
                                    done, 1);
        struct regularity r;

        in.pauses = pauses;
        in.n_pauses = 1;
        ck_assert_int_eq(regularity_compute(&in, &r), 0);
        /* 2-8 met; 9-15 overlaps the pause: excused; 16-22 current, paused: excused */
        ck_assert_int_eq(r.windows_met, 1);
        ck_assert_int_eq(r.windows_missed, 0);
        ck_assert_int_eq(r.windows_excused, 2);
        ck_assert_int_eq(r.current.state, WINDOW_EXCUSED);
        ck_assert_int_eq(r.current_streak, 1);
}
END_TEST

START_TEST(test_met_window_during_pause_counts_met)
{
        const int64_t done[] = { at(2026, 3, 3, 8) };
        const struct span pauses[] = { { day(2026, 3, 1), day(2026, 3, 10) } };
        struct reg_input in = input(CADENCE_WEEKLY, 7, day(2026, 3, 2), at(2026, 3, 8, 8),
                                    done, 1);
        struct regularity r;

        in.pauses = pauses;
        in.n_pauses = 1;
        ck_assert_int_eq(regularity_compute(&in, &r), 0);
        ck_assert_int_eq(r.windows_met, 1);
        ck_assert_int_eq(r.windows_excused, 0);
}
END_TEST

/* ---- monthly and every n days ------------------------------------------------ */

START_TEST(test_monthly_regularity)
{
        const int64_t done[] = { at(2026, 1, 20, 8), at(2026, 3, 1, 8), at(2026, 4, 16, 8) };
        struct reg_input in = input(CADENCE_MONTHLY, 0, day(2026, 1, 15), at(2026, 4, 20, 8),
                                    done, 3);
        struct regularity r;

        ck_assert_int_eq(regularity_compute(&in, &r), 0);
        /* Jan15-Feb15 met, Feb15-Mar15 met, Mar15-Apr15 missed, Apr15-May15 current met */
        ck_assert_int_eq(r.windows_met, 3);
        ck_assert_int_eq(r.windows_missed, 1);
        ck_assert_int_eq(r.current.start, day(2026, 4, 15));
        ck_assert_int_eq(r.current.end, day(2026, 5, 15));
        ck_assert_int_eq(r.current_streak, 1);
        ck_assert_int_eq(r.longest_streak, 2);
}
END_TEST

START_TEST(test_every_ten_days)
{
        const int64_t done[] = { at(2026, 1, 9, 8), at(2026, 1, 21, 8) };
        struct reg_input in = input(CADENCE_EVERY_N_DAYS, 10, day(2026, 1, 1), at(2026, 2, 1, 8),
                                    done, 2);
        struct regularity r;

        ck_assert_int_eq(regularity_compute(&in, &r), 0);
        /* 1-11 met, 11-21 missed, 21-31 met, 31-10 current open */
        ck_assert_int_eq(r.windows_met, 2);
        ck_assert_int_eq(r.windows_missed, 1);
        ck_assert_int_eq(r.current.start, day(2026, 1, 31));
        ck_assert_int_eq(r.current.state, WINDOW_OPEN);
}
END_TEST

/* ---- rate, edges -------------------------------------------------------------- */

START_TEST(test_rate_over_weeks)
{
        int64_t now = at(2026, 5, 1, 12);
        const int64_t done[] = { now - 40 * DAY_SECONDS, now - 28 * DAY_SECONDS,
                                 now - 27 * DAY_SECONDS, now - 3 * DAY_SECONDS, now - 60,
                                 now, now + 60 };
        struct reg_input in = input(CADENCE_WEEKLY, 7, day(2026, 1, 1), now, done, 7);
        struct regularity r;

        ck_assert_int_eq(regularity_compute(&in, &r), 0);
        /* (now - 28 days, now]: the last four, but not the one a minute ahead */
        ck_assert_int_eq(r.completions_in_weeks, 4);
        ck_assert_double_eq_tol(r.rate_per_week, 1.0, 1e-9);
        ck_assert_int_eq(r.completions_total, 7);
        in.weeks = 8;
        ck_assert_int_eq(regularity_compute(&in, &r), 0);
        ck_assert_int_eq(r.completions_in_weeks, 6);
        ck_assert_double_eq_tol(r.rate_per_week, 0.75, 1e-9);
}
END_TEST

START_TEST(test_completions_outside_windows)
{
        const int64_t done[] = { at(2025, 12, 30, 8), at(2026, 1, 6, 8), at(2026, 1, 9, 8) };
        struct reg_input in = input(CADENCE_WEEKLY, 7, day(2026, 1, 5), at(2026, 1, 7, 8),
                                    done, 3);
        struct regularity r;

        ck_assert_int_eq(regularity_compute(&in, &r), 0);
        /* before the start, and after now: neither is in a window */
        ck_assert_int_eq(r.windows_met, 1);
        ck_assert_int_eq(r.current.completions, 1);
        ck_assert_int_eq(r.completions_total, 3);
}
END_TEST

START_TEST(test_start_in_future_and_no_completions)
{
        struct reg_input in = input(CADENCE_WEEKLY, 7, day(2026, 6, 1), at(2026, 5, 1, 8),
                                    NULL, 0);
        struct regularity r;

        ck_assert_int_eq(regularity_compute(&in, &r), 0);
        ck_assert(!r.has_current);
        ck_assert(!r.has_last);
        ck_assert_int_eq(r.windows_met + r.windows_missed + r.windows_excused, 0);
        ck_assert_int_eq(r.current_streak, 0);
        ck_assert_double_eq(r.rate_per_week, 0.0);
}
END_TEST

START_TEST(test_bad_input)
{
        struct reg_input in = input(CADENCE_WEEKLY, 7, 0, at(2026, 5, 1, 8), NULL, 0);
        struct regularity r;

        in.weeks = 0;
        ck_assert_int_eq(regularity_compute(&in, &r), -1);
        in = input(CADENCE_EVERY_N_DAYS, 0, 0, at(2026, 5, 1, 8), NULL, 0);
        ck_assert_int_eq(regularity_compute(&in, &r), -1);
        in = input((enum cadence_kind)0, 7, 0, at(2026, 5, 1, 8), NULL, 0);
        ck_assert_int_eq(regularity_compute(&in, &r), -1);
}
END_TEST

START_TEST(test_recent_windows_ring)
{
        /* daily over ten days, done on even days; keep the last three windows */
        int64_t done[5];
        struct reg_window recent[3];
        struct regularity r;
        struct reg_input in;

        for (int i = 0; i < 5; i++)
                done[i] = at(2026, 1, (unsigned)(2 + 2 * i), 8);
        in = input(CADENCE_DAILY, 1, day(2026, 1, 1), at(2026, 1, 10, 20), done, 5);
        in.recent = recent;
        in.recent_cap = 3;
        ck_assert_int_eq(regularity_compute(&in, &r), 0);
        ck_assert_uint_eq(r.n_recent, 3);
        ck_assert_int_eq(recent[0].start, day(2026, 1, 8));
        ck_assert_int_eq(recent[0].state, WINDOW_MET);
        ck_assert_int_eq(recent[1].start, day(2026, 1, 9));
        ck_assert_int_eq(recent[1].state, WINDOW_MISSED);
        ck_assert_int_eq(recent[2].start, day(2026, 1, 10));
        ck_assert_int_eq(recent[2].state, WINDOW_MET);
        ck_assert_int_eq(r.windows_met, 5);
        ck_assert_int_eq(r.windows_missed, 5);
        ck_assert_int_eq(r.current_streak, 1);
        ck_assert_int_eq(r.longest_streak, 1);
}
END_TEST

START_TEST(test_count_from_leaves_early_windows_out)
{
        const int64_t done[] = { at(2026, 1, 6, 8), at(2026, 1, 27, 8) };
        struct reg_input in = input(CADENCE_WEEKLY, 7, day(2026, 1, 5), at(2026, 2, 4, 10),
                                    done, 2);
        struct regularity r;

        in.count_from = day(2026, 1, 19);
        ck_assert_int_eq(regularity_compute(&in, &r), 0);
        /* windows ending on or before the 19th (5-12, 12-19) are not counted */
        ck_assert_int_eq(r.windows_met, 1);
        ck_assert_int_eq(r.windows_missed, 1);
        ck_assert_int_eq(r.longest_streak, 1);
}
END_TEST

START_TEST(test_a_year_of_daily_completions)
{
        int64_t done[365];
        struct regularity r;
        struct reg_input in;

        for (int i = 0; i < 365; i++)
                done[i] = at(2025, 1, 1, 7) + (int64_t)i * DAY_SECONDS;
        in = input(CADENCE_DAILY, 1, day(2025, 1, 1), at(2025, 12, 31, 22), done, 365);
        ck_assert_int_eq(regularity_compute(&in, &r), 0);
        ck_assert_int_eq(r.windows_met, 365);
        ck_assert_int_eq(r.current_streak, 365);
        ck_assert_int_eq(r.completions_in_weeks, 28);
}
END_TEST

/* ---- checklist and rendering -------------------------------------------------- */

START_TEST(test_render_time_and_date)
{
        struct buf b = BUF_INIT;
        char *s;

        render_time(&b, at(2026, 2, 28, 13) + 5 * 60 + 9);
        buf_puts(&b, " ");
        render_date(&b, day(2024, 2, 29));
        buf_puts(&b, " ");
        render_time(&b, -1);
        s = buf_detach(&b);
        ck_assert_str_eq(s, "\"2026-02-28T13:05:09+00:00\" \"2024-02-29\""
                         " \"1969-12-31T23:59:59+00:00\"");
        free(s);
}
END_TEST

START_TEST(test_render_reopen)
{
        struct buf b = BUF_INIT;
        char *s;

        render_reopen(&b, "{\"a\":1}", 7, "k");
        buf_puts(&b, "2}|");
        render_reopen(&b, "{}", 2, "k");
        buf_puts(&b, "3}");
        s = buf_detach(&b);
        ck_assert_str_eq(s, "{\"a\":1,\"k\":2}|{\"k\":3}");
        free(s);
}
END_TEST

/* A weekly item started on 5 Jan 2026 with completions @done (copied). */
static struct item_input
weekly_item(const char *json, const int64_t *done, size_t n, bool active)
{
        struct item_input it = { 0 };

        it.json = strdup(json);
        it.cadence.kind = CADENCE_WEEKLY;
        it.cadence.days = 7;
        it.start_day = day(2026, 1, 5);
        it.done = malloc((n > 0 ? n : 1) * sizeof(*it.done));
        ck_assert_ptr_nonnull(it.json);
        ck_assert_ptr_nonnull(it.done);
        memcpy(it.done, done, n * sizeof(*done));
        it.n_done = n;
        it.active = active;
        return it;
}

START_TEST(test_checklist_json)
{
        const int64_t a[] = { at(2026, 1, 6, 8), at(2026, 1, 13, 8), at(2026, 1, 27, 8) };
        const int64_t b2[] = { at(2026, 1, 21, 8) };
        struct item_input *items = calloc(2, sizeof(*items));
        struct buf b = BUF_INIT;
        json_t *j, *j_reg, *j_item;
        char *s;

        ck_assert_ptr_nonnull(items);
        items[0] = weekly_item("{\"id\":\"one\",\"title\":\"Post\"}", a, 3, true);
        items[1] = weekly_item("{\"id\":\"two\"}", b2, 1, false);
        ck_assert_int_eq(checklist_render(&b, "p-1", items, 2, at(2026, 1, 28, 8), 4), 0);
        s = buf_detach(&b);
        j = json_loads(s, 0, NULL);
        ck_assert_msg(j != NULL, "not JSON: %s", s);
        ck_assert_str_eq(json_string_value(json_object_get(j, "partner_id")), "p-1");
        j_reg = json_object_get(j, "regularity");
        ck_assert_int_eq(json_integer_value(json_object_get(j_reg, "items_active")), 1);
        ck_assert_int_eq(json_integer_value(json_object_get(j_reg, "items_paused")), 1);
        /* item one: met, met, missed, met (current); item two: missed, missed, met, open */
        ck_assert_int_eq(json_integer_value(json_object_get(j_reg, "windows_met")), 4);
        ck_assert_int_eq(json_integer_value(json_object_get(j_reg, "windows_missed")), 3);
        ck_assert_double_eq_tol(json_number_value(json_object_get(j_reg, "on_cadence_ratio")),
                                4.0 / 7.0, 1e-3);
        /* every calendar week had some completion */
        ck_assert_int_eq(json_integer_value(json_object_get(j_reg, "current_streak_weeks")), 4);
        ck_assert_int_eq(json_integer_value(json_object_get(j_reg, "completions_in_weeks")), 4);
        j_item = json_array_get(json_object_get(j, "items"), 0);
        ck_assert_str_eq(json_string_value(json_object_get(j_item, "title")), "Post");
        j_reg = json_object_get(j_item, "regularity");
        ck_assert_int_eq(json_integer_value(json_object_get(j_reg, "windows_met")), 3);
        ck_assert_int_eq(json_integer_value(json_object_get(j_reg, "current_streak")), 1);
        ck_assert_int_eq(json_integer_value(json_object_get(j_reg, "longest_streak")), 2);
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j_reg,
                         "current_window"), "state")), "met");
        ck_assert_uint_eq(json_array_size(json_object_get(j_reg, "recent_windows")), 4);
        ck_assert_str_eq(json_string_value(json_object_get(j_reg, "last_activity_at")),
                         "2026-01-27T08:00:00+00:00");
        json_decref(j);
        free(s);
        item_inputs_free(items, 2);
}
END_TEST

START_TEST(test_checklist_empty)
{
        struct buf b = BUF_INIT;
        json_t *j, *j_reg;
        char *s;

        ck_assert_int_eq(checklist_render(&b, "p-2", NULL, 0, at(2026, 1, 28, 8), 12), 0);
        s = buf_detach(&b);
        j = json_loads(s, 0, NULL);
        ck_assert_msg(j != NULL, "not JSON: %s", s);
        j_reg = json_object_get(j, "regularity");
        ck_assert(json_is_null(json_object_get(j_reg, "on_cadence_ratio")));
        ck_assert(json_is_null(json_object_get(j_reg, "last_activity_at")));
        ck_assert_uint_eq(json_array_size(json_object_get(j, "items")), 0);
        json_decref(j);
        free(s);
}
END_TEST

static Suite *
regularity_suite(void)
{
        Suite *s = suite_create("mentoring_regularity");
        TCase *tc_cal = tcase_create("calendar");
        TCase *tc_win = tcase_create("windows");
        TCase *tc_out = tcase_create("checklist");

        tcase_add_test(tc_cal, test_civil_known_days);
        tcase_add_test(tc_cal, test_civil_round_trip);
        tcase_add_test(tc_cal, test_monday_and_day_of);
        tcase_add_test(tc_cal, test_cadence_names);
        tcase_add_test(tc_cal, test_monthly_windows_clamp_to_month_end);
        tcase_add_test(tc_cal, test_every_n_days_windows);
        suite_add_tcase(s, tc_cal);

        tcase_add_test(tc_win, test_weekly_met_missed_open);
        tcase_add_test(tc_win, test_current_window_met_extends_streak);
        tcase_add_test(tc_win, test_missed_window_breaks_streak);
        tcase_add_test(tc_win, test_many_completions_in_one_window);
        tcase_add_test(tc_win, test_pause_excuses_and_keeps_streak);
        tcase_add_test(tc_win, test_ongoing_pause_excuses_current_window);
        tcase_add_test(tc_win, test_met_window_during_pause_counts_met);
        tcase_add_test(tc_win, test_monthly_regularity);
        tcase_add_test(tc_win, test_every_ten_days);
        tcase_add_test(tc_win, test_rate_over_weeks);
        tcase_add_test(tc_win, test_completions_outside_windows);
        tcase_add_test(tc_win, test_start_in_future_and_no_completions);
        tcase_add_test(tc_win, test_bad_input);
        tcase_add_test(tc_win, test_recent_windows_ring);
        tcase_add_test(tc_win, test_count_from_leaves_early_windows_out);
        tcase_add_test(tc_win, test_a_year_of_daily_completions);
        suite_add_tcase(s, tc_win);

        tcase_add_test(tc_out, test_render_time_and_date);
        tcase_add_test(tc_out, test_render_reopen);
        tcase_add_test(tc_out, test_checklist_json);
        tcase_add_test(tc_out, test_checklist_empty);
        suite_add_tcase(s, tc_out);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(regularity_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
