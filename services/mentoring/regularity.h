/*
 * regularity.h - how regularly a partner does an activity, against the
 * cadence the partner chose: pure arithmetic over dates, no I/O.
 *
 * Time is cut into windows from the item's start day: a cadence of N days
 * makes windows of N days; a monthly cadence makes calendar-month-long
 * windows from the start day (the 31st falls back to the month's last day).
 * Days are UTC days counted from 1970-01-01.  A window is
 *   met       when it holds at least one completion,
 *   missed    when it has ended without one,
 *   excused   when it holds none and overlaps a pause (the partner's pace:
 *             a pause is never held against them),
 *   open      when it is the current window and holds none yet.
 * The current streak counts met windows back from now: an open or excused
 * window does not break it, a missed one does.
 */
#ifndef TANDEM_REGULARITY_H
#define TANDEM_REGULARITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DAY_SECONDS 86400
#define WEEK_SECONDS 604800
#define REG_OPEN_END INT32_MAX     /* the end of a pause that goes on */

enum cadence_kind {
        CADENCE_DAILY = 1,
        CADENCE_WEEKLY,
        CADENCE_FORTNIGHTLY,
        CADENCE_MONTHLY,
        CADENCE_EVERY_N_DAYS,
};

struct cadence {
        enum cadence_kind kind;
        int days;                   /* window length; 0 for monthly */
};

/* A span of days [from, to); to is REG_OPEN_END while it goes on. */
struct span {
        int32_t from, to;
};

enum window_state { WINDOW_MET, WINDOW_MISSED, WINDOW_EXCUSED, WINDOW_OPEN };

struct reg_window {
        int32_t start, end;         /* days, [start, end) */
        int completions;
        enum window_state state;
};

struct reg_input {
        struct cadence cadence;
        int32_t start_day;          /* the first window starts here */
        const int64_t *done;        /* completion times (s since the epoch), ascending */
        size_t n_done;
        const struct span *pauses;  /* ascending, not overlapping */
        size_t n_pauses;
        int64_t now;                /* s since the epoch */
        int weeks;                  /* the rate is taken over the last @weeks weeks (>= 1) */
        int32_t count_from;         /* windows ending on or before this day are left out
                                       of the met/missed/excused counts (INT32_MIN: none) */
        struct reg_window *recent;  /* out: the last windows, oldest first; may be NULL */
        size_t recent_cap;
};

struct regularity {
        long windows_met, windows_missed, windows_excused;
        long current_streak, longest_streak;
        bool has_current;
        struct reg_window current;  /* the window holding today, when has_current */
        bool has_last;
        int64_t last_activity;      /* the latest completion, when has_last */
        long completions_total, completions_in_weeks;
        double rate_per_week;       /* completions_in_weeks / weeks */
        size_t n_recent;            /* windows written to in->recent */
};

/*
 * Computes @out from @in.  Completions after now and before the start day
 * count for last activity and the rate, never for a window.  Returns 0, or
 * -1 when @in is unusable (no cadence, a window of 0 days, weeks < 1).
 */
int regularity_compute(const struct reg_input *in, struct regularity *out);

/* The window that starts @k windows after @start_day: [*from, *to). */
void regularity_window(const struct cadence *c, int32_t start_day, long k, int32_t *from,
                       int32_t *to);

/* Day number (days since 1970-01-01) of a proleptic Gregorian date. */
int32_t days_from_civil(int y, unsigned m, unsigned d);

/* The date of day number @z. */
void civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d);

/* The Monday on or before day @z. */
int32_t monday_on_or_before(int32_t z);

/* The UTC day of a time in seconds since the epoch (floor, so negatives work). */
int32_t day_of(int64_t t);

/* Parses a cadence name ("daily", ...) into @out; false for an unknown name. */
bool cadence_from_name(const char *name, int every_n_days, struct cadence *out);

/* The stored name of @c's kind ("daily", ..., "every_n_days"). */
const char *cadence_name(const struct cadence *c);

/* The name of a window state: "met", "missed", "excused", "open". */
const char *window_state_name(enum window_state s);

#endif
