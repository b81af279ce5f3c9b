/*
 * render.c - regularity as JSON text, appended to a buf.  Pure; the rest of
 * a checklist is PostgreSQL's own JSON text, so an item is spliced rather
 * than parsed and printed again.  Unit-tested in test_mentoring_regularity.c.
 */
#include <string.h>

#include "buf.h"
#include "checklist.h"

void
render_date(struct buf *b, int32_t day)
{
        int y;
        unsigned m, d;

        civil_from_days(day, &y, &m, &d);
        buf_fmt(b, "\"%04d-%02u-%02u\"", y, m, d);
}

void
render_time(struct buf *b, int64_t t)
{
        int32_t day = day_of(t);
        int64_t s = t - (int64_t)day * DAY_SECONDS;
        int y;
        unsigned m, d;

        civil_from_days(day, &y, &m, &d);
        /* the same spelling as PostgreSQL's JSON in a UTC session */
        buf_fmt(b, "\"%04d-%02u-%02uT%02d:%02d:%02d+00:00\"", y, m, d, (int)(s / 3600),
                (int)(s / 60 % 60), (int)(s % 60));
}

static void
render_window(struct buf *b, const struct reg_window *w)
{
        buf_puts(b, "{\"start\":");
        render_date(b, w->start);
        buf_puts(b, ",\"end\":");
        render_date(b, w->end);
        buf_fmt(b, ",\"completions\":%d,\"state\":\"%s\"}", w->completions,
                window_state_name(w->state));
}

static void
render_last(struct buf *b, bool has, int64_t t)
{
        buf_puts(b, ",\"last_activity_at\":");
        if (has)
                render_time(b, t);
        else
                buf_puts(b, "null");
}

void
render_item_regularity(struct buf *b, const struct regularity *r,
                       const struct reg_window *recent, int weeks, int64_t now)
{
        buf_puts(b, "{\"as_of\":");
        render_time(b, now);
        buf_fmt(b, ",\"weeks\":%d,\"windows_met\":%ld,\"windows_missed\":%ld,"
                "\"windows_excused\":%ld,\"current_window\":", weeks, r->windows_met,
                r->windows_missed, r->windows_excused);
        if (r->has_current)
                render_window(b, &r->current);
        else
                buf_puts(b, "null");
        buf_fmt(b, ",\"current_streak\":%ld,\"longest_streak\":%ld", r->current_streak,
                r->longest_streak);
        render_last(b, r->has_last, r->last_activity);
        buf_fmt(b, ",\"completions_total\":%ld,\"completions_in_weeks\":%ld,"
                "\"rate_per_week\":%.2f,\"recent_windows\":[", r->completions_total,
                r->completions_in_weeks, r->rate_per_week);
        for (size_t i = 0; i < r->n_recent; i++) {
                if (i > 0)
                        buf_puts(b, ",");
                render_window(b, &recent[i]);
        }
        buf_puts(b, "]}");
}

void
render_partner_regularity(struct buf *b, const struct partner_regularity *pr, int weeks,
                          int64_t now)
{
        const struct regularity *weekly = &pr->weekly;
        long met = pr->met, missed = pr->missed;

        buf_puts(b, "{\"as_of\":");
        render_time(b, now);
        buf_fmt(b, ",\"weeks\":%d,\"items_active\":%ld,\"items_paused\":%ld,"
                "\"windows_met\":%ld,\"windows_missed\":%ld,\"windows_excused\":%ld,"
                "\"on_cadence_ratio\":", weeks, pr->active, pr->paused, met, missed, pr->excused);
        if (met + missed > 0)
                buf_fmt(b, "%.3f", (double)met / (double)(met + missed));
        else
                buf_puts(b, "null");
        buf_fmt(b, ",\"current_streak_weeks\":%ld,\"longest_streak_weeks\":%ld",
                weekly->current_streak, weekly->longest_streak);
        render_last(b, weekly->has_last, weekly->last_activity);
        buf_fmt(b, ",\"completions_in_weeks\":%ld,\"rate_per_week\":%.2f}",
                weekly->completions_in_weeks, weekly->rate_per_week);
}

void
render_reopen(struct buf *b, const char *obj, size_t n, const char *key)
{
        while (n > 0 && obj[n - 1] != '}')
                n--;
        if (n == 0) {
                buf_fmt(b, "{\"%s\":", key);
                return;
        }
        buf_add(b, obj, n - 1);
        buf_fmt(b, "%s\"%s\":", n > 2 ? "," : "", key);
}

void
render_distribution(struct buf *b, const struct distribution *d)
{
        buf_fmt(b, "{\"weeks\":%d,\"partners\":%ld,\"no_windows_yet\":%ld,\"on_cadence\":[",
                d->weeks, d->partners, d->no_windows);
        for (int k = 0; k < DIST_BUCKETS; k++)
                buf_fmt(b, "%s{\"from\":%.2f,\"to\":%.2f,\"partners\":%ld}", k > 0 ? "," : "",
                        (double)k / DIST_BUCKETS, (double)(k + 1) / DIST_BUCKETS, d->buckets[k]);
        buf_puts(b, "]}");
}
