/*
 * checklist.c - a partner's checklist with its regularity: per item against
 * the item's own cadence, and per partner (every item's windows, plus a
 * streak of calendar weeks with any activity).  Pure: the items come from
 * items_db_read(); unit-tested in test_mentoring_regularity.c.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "checklist.h"

void
item_input_release(struct item_input *it)
{
        if (it == NULL)
                return;
        free(it->json);
        free(it->done);
        free(it->pauses);
        memset(it, 0, sizeof(*it));
}

void
item_inputs_free(struct item_input *items, size_t n)
{
        for (size_t i = 0; items != NULL && i < n; i++)
                item_input_release(&items[i]);
        free(items);
}

int
item_regularity(const struct item_input *it, int64_t now, int weeks, int32_t count_from,
                struct reg_window *recent, size_t cap, struct regularity *out)
{
        struct reg_input in = {
                .cadence = it->cadence,
                .start_day = it->start_day,
                .done = it->done,
                .n_done = it->n_done,
                .pauses = it->pauses,
                .n_pauses = it->n_pauses,
                .now = now,
                .weeks = weeks,
                .count_from = count_from,
                .recent = recent,
                .recent_cap = cap,
        };

        return regularity_compute(&in, out);
}

static int
cmp_time(const void *a, const void *b)
{
        int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

        return (x > y) - (x < y);
}

/* Every completion of every item, ascending, into *@out (malloc'd). */
static int
merge_done(const struct item_input *items, size_t n, int64_t **out, size_t *total)
{
        size_t k = 0;
        int64_t *all;

        *total = 0;
        for (size_t i = 0; i < n; i++)
                *total += items[i].n_done;
        all = malloc((*total > 0 ? *total : 1) * sizeof(*all));
        if (all == NULL)
                return -1;
        for (size_t i = 0; i < n; i++) {
                memcpy(all + k, items[i].done, items[i].n_done * sizeof(*all));
                k += items[i].n_done;
        }
        qsort(all, *total, sizeof(*all), cmp_time);
        *out = all;
        return 0;
}

int
partner_regularity(const struct item_input *items, size_t n, int64_t now, int weeks,
                   int32_t count_from, struct partner_regularity *out)
{
        struct regularity r;
        struct reg_input in = { .cadence = { CADENCE_WEEKLY, 7 }, .now = now, .weeks = weeks,
                                .count_from = INT32_MIN };
        int64_t *all = NULL;
        int32_t first = day_of(now);
        int rc;

        memset(out, 0, sizeof(*out));
        for (size_t i = 0; i < n; i++) {
                if (item_regularity(&items[i], now, weeks, count_from, NULL, 0, &r) != 0)
                        return -1;
                out->met += r.windows_met;
                out->missed += r.windows_missed;
                out->excused += r.windows_excused;
                *(items[i].active ? &out->active : &out->paused) += 1;
                if (items[i].start_day < first)
                        first = items[i].start_day;
        }
        if (merge_done(items, n, &all, &in.n_done) != 0)
                return -1;
        in.done = all;
        /* calendar weeks from the Monday before the first item started */
        in.start_day = monday_on_or_before(first);
        rc = regularity_compute(&in, &out->weekly);
        free(all);
        return rc;
}

int
checklist_render_item(struct buf *b, const struct item_input *it, int64_t now, int weeks,
                      size_t windows)
{
        struct reg_window recent[WINDOWS_MAX];
        struct regularity r;

        if (windows > WINDOWS_MAX)
                windows = WINDOWS_MAX;
        if (item_regularity(it, now, weeks, INT32_MIN, recent, windows, &r) != 0)
                return -1;
        render_reopen(b, it->json, strlen(it->json), "regularity");
        render_item_regularity(b, &r, recent, weeks, now);
        buf_puts(b, "}");
        return 0;
}

int
checklist_render(struct buf *b, const char *partner_id, const struct item_input *items,
                 size_t n, int64_t now, int weeks)
{
        struct partner_regularity pr;

        if (partner_regularity(items, n, now, weeks, INT32_MIN, &pr) != 0)
                return -1;
        buf_fmt(b, "{\"partner_id\":\"%s\",\"regularity\":", partner_id);
        render_partner_regularity(b, &pr, weeks, now);
        buf_puts(b, ",\"items\":[");
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        buf_puts(b, ",");
                if (checklist_render_item(b, &items[i], now, weeks, RECENT_WINDOWS) != 0)
                        return -1;
        }
        buf_puts(b, "]}");
        return 0;
}

int
regularity_distribution(const struct item_input *items, size_t n, int64_t now, int weeks,
                        struct distribution *out)
{
        int32_t from = day_of(now) - weeks * 7;
        struct partner_regularity pr;
        size_t i = 0, j;
        double ratio;
        int k;

        memset(out, 0, sizeof(*out));
        out->weeks = weeks;
        for (; i < n; i = j) {
                for (j = i + 1; j < n && strcmp(items[j].partner_id, items[i].partner_id) == 0; j++)
                        ;
                if (partner_regularity(items + i, j - i, now, weeks, from, &pr) != 0)
                        return -1;
                out->partners++;
                if (pr.met + pr.missed == 0) {
                        out->no_windows++;
                        continue;
                }
                ratio = (double)pr.met / (double)(pr.met + pr.missed);
                k = (int)(ratio * DIST_BUCKETS);
                out->buckets[k < DIST_BUCKETS ? k : DIST_BUCKETS - 1]++;
        }
        return 0;
}
