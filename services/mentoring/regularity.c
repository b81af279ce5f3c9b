/*
 * regularity.c - windows, streaks and rates of a partner's activity against
 * their own cadence (see regularity.h).  Pure: unit-tested in
 * tests/unit/test_mentoring_regularity.c.
 */
#include <string.h>

#include "regularity.h"

/* ---- calendar arithmetic (Howard Hinnant's civil-date algorithms) ---------- */

int32_t
days_from_civil(int y, unsigned m, unsigned d)
{
        int era;
        unsigned yoe, doy, doe;

        y -= m <= 2;
        era = (y >= 0 ? y : y - 399) / 400;
        yoe = (unsigned)(y - era * 400);
        doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return (int32_t)(era * 146097 + (int)doe - 719468);
}

void
civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d)
{
        int era, yy;
        unsigned doe, yoe, doy, mp;

        z += 719468;
        era = (z >= 0 ? z : z - 146096) / 146097;
        doe = (unsigned)(z - era * 146097);
        yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        yy = (int)yoe + era * 400;
        doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        mp = (5 * doy + 2) / 153;
        *d = doy - (153 * mp + 2) / 5 + 1;
        *m = mp < 10 ? mp + 3 : mp - 9;
        *y = yy + (*m <= 2);
}

static unsigned
days_in_month(int y, unsigned m)
{
        static const unsigned n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

        return m == 2 && leap ? 29 : n[m - 1];
}

int32_t
monday_on_or_before(int32_t z)
{
        int32_t wd = (z + 3) % 7;   /* 1970-01-01 was a Thursday: 0 is Monday */

        if (wd < 0)
                wd += 7;
        return z - wd;
}

int32_t
day_of(int64_t t)
{
        int64_t d = t / DAY_SECONDS;

        if (t % DAY_SECONDS != 0 && t < 0)
                d--;
        return (int32_t)d;
}

/* ---- cadences ----------------------------------------------------------------- */

static const struct {
        const char *name;
        enum cadence_kind kind;
        int days;
} cadence_names[] = {
        { "daily", CADENCE_DAILY, 1 },
        { "weekly", CADENCE_WEEKLY, 7 },
        { "fortnightly", CADENCE_FORTNIGHTLY, 14 },
        { "monthly", CADENCE_MONTHLY, 0 },
        { "every_n_days", CADENCE_EVERY_N_DAYS, 0 },
};

bool
cadence_from_name(const char *name, int every_n_days, struct cadence *out)
{
        for (size_t i = 0; i < sizeof(cadence_names) / sizeof(cadence_names[0]); i++) {
                if (strcmp(cadence_names[i].name, name) != 0)
                        continue;
                out->kind = cadence_names[i].kind;
                out->days = cadence_names[i].kind == CADENCE_EVERY_N_DAYS
                            ? every_n_days : cadence_names[i].days;
                return out->kind != CADENCE_EVERY_N_DAYS || every_n_days >= 1;
        }
        return false;
}

const char *
cadence_name(const struct cadence *c)
{
        for (size_t i = 0; i < sizeof(cadence_names) / sizeof(cadence_names[0]); i++)
                if (cadence_names[i].kind == c->kind)
                        return cadence_names[i].name;
        return "unknown";
}

const char *
window_state_name(enum window_state s)
{
        switch (s) {
        case WINDOW_MET:
                return "met";
        case WINDOW_MISSED:
                return "missed";
        case WINDOW_EXCUSED:
                return "excused";
        case WINDOW_OPEN:
                return "open";
        }
        return "open";
}

/* The first day of the calendar month @k months after @start_day's month. */
static int32_t
month_start(int32_t start_day, long k)
{
        int y;
        unsigned m, d, dim;
        long idx;

        civil_from_days(start_day, &y, &m, &d);
        idx = (long)y * 12 + (long)(m - 1) + k;
        y = (int)(idx >= 0 ? idx / 12 : (idx - 11) / 12);
        m = (unsigned)(idx - (long)y * 12) + 1;
        dim = days_in_month(y, m);
        return days_from_civil(y, m, d < dim ? d : dim);
}

void
regularity_window(const struct cadence *c, int32_t start_day, long k, int32_t *from, int32_t *to)
{
        if (c->kind == CADENCE_MONTHLY) {
                *from = month_start(start_day, k);
                *to = month_start(start_day, k + 1);
                return;
        }
        *from = (int32_t)(start_day + k * c->days);
        *to = (int32_t)(*from + c->days);
}

/* ---- the computation --------------------------------------------------------- */

/* What walking the windows has gathered so far. */
struct walk {
        const struct reg_input *in;
        struct regularity *out;
        int32_t today;
        size_t next_done;           /* first completion not yet placed in a window */
        size_t next_pause;          /* first pause that may still overlap a window */
        long run;                   /* met windows since the last missed one */
        size_t seen;                /* windows walked (for the ring of recent ones) */
};

static int
count_in_window(struct walk *w, int32_t from, int32_t to)
{
        const struct reg_input *in = w->in;
        int n = 0;

        while (w->next_done < in->n_done && day_of(in->done[w->next_done]) < from)
                w->next_done++;
        while (w->next_done < in->n_done && day_of(in->done[w->next_done]) < to
               && in->done[w->next_done] <= in->now) {
                n++;
                w->next_done++;
        }
        return n;
}

static bool
overlaps_pause(struct walk *w, int32_t from, int32_t to)
{
        const struct reg_input *in = w->in;

        while (w->next_pause < in->n_pauses && in->pauses[w->next_pause].to <= from)
                w->next_pause++;
        for (size_t i = w->next_pause; i < in->n_pauses && in->pauses[i].from < to; i++)
                if (in->pauses[i].to > from)
                        return true;
        return false;
}

static void
remember(struct walk *w, const struct reg_window *win)
{
        const struct reg_input *in = w->in;

        if (in->recent != NULL && in->recent_cap > 0)
                in->recent[w->seen % in->recent_cap] = *win;
        w->seen++;
}

static void
tally(struct walk *w, const struct reg_window *win)
{
        struct regularity *out = w->out;
        bool counted = win->end > w->in->count_from;

        if (win->state == WINDOW_MET) {
                w->run++;
                if (w->run > out->longest_streak)
                        out->longest_streak = w->run;
        } else if (win->state == WINDOW_MISSED) {
                w->run = 0;
        }
        if (counted && win->state == WINDOW_MET)
                out->windows_met++;
        else if (counted && win->state == WINDOW_MISSED)
                out->windows_missed++;
        else if (counted && win->state == WINDOW_EXCUSED)
                out->windows_excused++;
}

static void
walk_window(struct walk *w, int32_t from, int32_t to)
{
        struct reg_window win = { from, to, 0, WINDOW_MISSED };
        bool current = to > w->today;

        win.completions = count_in_window(w, from, to);
        if (win.completions > 0)
                win.state = WINDOW_MET;
        else if (overlaps_pause(w, from, current ? w->today + 1 : to))
                win.state = WINDOW_EXCUSED;
        else if (current)
                win.state = WINDOW_OPEN;
        tally(w, &win);
        remember(w, &win);
        if (current) {
                w->out->has_current = true;
                w->out->current = win;
        }
}

static void
reverse(struct reg_window *a, size_t from, size_t to)
{
        struct reg_window t;

        while (from + 1 < to) {
                t = a[from];
                a[from++] = a[--to];
                a[to] = t;
        }
}

/* Rotates the ring of recent windows so that the oldest comes first. */
static void
order_recent(struct walk *w)
{
        const struct reg_input *in = w->in;
        size_t cap = in->recent_cap, shift;

        if (in->recent == NULL || cap == 0) {
                w->out->n_recent = 0;
                return;
        }
        /* once the ring has wrapped, the oldest window sits at seen % cap */
        shift = w->seen > cap ? w->seen % cap : 0;
        reverse(in->recent, 0, shift);
        reverse(in->recent, shift, cap);
        reverse(in->recent, 0, cap);
        w->out->n_recent = w->seen < cap ? w->seen : cap;
}

static void
rate(const struct reg_input *in, struct regularity *out)
{
        int64_t since = in->now - (int64_t)in->weeks * WEEK_SECONDS;

        out->completions_total = (long)in->n_done;
        for (size_t i = 0; i < in->n_done; i++)
                if (in->done[i] > since && in->done[i] <= in->now)
                        out->completions_in_weeks++;
        out->rate_per_week = (double)out->completions_in_weeks / in->weeks;
        if (in->n_done > 0) {
                out->has_last = true;
                out->last_activity = in->done[in->n_done - 1];
        }
}

int
regularity_compute(const struct reg_input *in, struct regularity *out)
{
        struct walk w = { in, out, day_of(in->now), 0, 0, 0, 0 };
        int32_t from, to;

        memset(out, 0, sizeof(*out));
        if (in->weeks < 1 || in->cadence.kind < CADENCE_DAILY
            || in->cadence.kind > CADENCE_EVERY_N_DAYS
            || (in->cadence.kind != CADENCE_MONTHLY && in->cadence.days < 1))
                return -1;
        for (long k = 0;; k++) {
                regularity_window(&in->cadence, in->start_day, k, &from, &to);
                if (from > w.today)
                        break;
                walk_window(&w, from, to);
        }
        out->current_streak = w.run;
        order_recent(&w);
        rate(in, out);
        return 0;
}
