/*
 * checklist.h - a partner's checklist and its regularity, computed and
 * rendered as JSON text.  Pure: no I/O (the items come from items_db_read()).
 */
#ifndef TANDEM_CHECKLIST_H
#define TANDEM_CHECKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "regularity.h"

#define RECENT_WINDOWS 8           /* windows shown with each item of a checklist */
#define WINDOWS_MAX 400            /* windows one item may show */

struct buf;

/* One item with what its regularity is computed from. */
struct item_input {
        char *json;                /* the item as JSON text (malloc'd) */
        struct cadence cadence;
        int32_t start_day;
        int64_t *done;             /* completion times, ascending (malloc'd) */
        size_t n_done;
        struct span *pauses;       /* ascending (malloc'd) */
        size_t n_pauses;
        bool active;
        long long version;
        char id[UUID_STR_LEN];
        char partner_id[UUID_STR_LEN];
};

/* Frees what @it owns and resets it.  Accepts NULL. */
void item_input_release(struct item_input *it);

/* Releases @n items and frees the array.  Accepts NULL. */
void item_inputs_free(struct item_input *items, size_t n);

/* A partner's regularity over all their items. */
struct partner_regularity {
        long met, missed, excused;      /* windows of every item, against its cadence */
        long active, paused;            /* items */
        struct regularity weekly;       /* calendar weeks with any completion */
};

/*
 * The regularity of @it at @now (see regularity_compute); the last @cap
 * windows go to @recent.  Returns 0 or -1.
 */
int item_regularity(const struct item_input *it, int64_t now, int weeks, int32_t count_from,
                    struct reg_window *recent, size_t cap, struct regularity *out);

/* The regularity of a partner with items @items.  Returns 0, or -1. */
int partner_regularity(const struct item_input *items, size_t n, int64_t now, int weeks,
                       int32_t count_from, struct partner_regularity *out);

/* Appends @it's JSON with "regularity" (and its last @windows windows).  0 or -1. */
int checklist_render_item(struct buf *b, const struct item_input *it, int64_t now, int weeks,
                          size_t windows);

/* Appends {partner_id, regularity, items}.  Returns 0, or -1. */
int checklist_render(struct buf *b, const char *partner_id, const struct item_input *items,
                     size_t n, int64_t now, int weeks);

#define DIST_BUCKETS 4

/* How regular partners are: their on-cadence ratio (windows met / met + missed). */
struct distribution {
        int weeks;
        long partners;                  /* partners with at least one item */
        long no_windows;                /* ... of whom no window ended in the period */
        long buckets[DIST_BUCKETS];     /* ratio in [0, .25), [.25, .5), [.5, .75), [.75, 1] */
};

/*
 * The distribution over the partners of @items (ordered by partner) for the
 * windows that end within the last @weeks weeks.  Returns 0, or -1.
 */
int regularity_distribution(const struct item_input *items, size_t n, int64_t now, int weeks,
                            struct distribution *out);

/* ---- render.c ------------------------------------------------------------------ */

/* Appends the regularity of one item as a JSON object. */
void render_item_regularity(struct buf *b, const struct regularity *r,
                            const struct reg_window *recent, int weeks, int64_t now);

/* Appends a partner's regularity as a JSON object. */
void render_partner_regularity(struct buf *b, const struct partner_regularity *pr, int weeks,
                               int64_t now);

/* Appends @d as a JSON object. */
void render_distribution(struct buf *b, const struct distribution *d);

/* Appends @t (s since the epoch) as a quoted RFC 3339 UTC time. */
void render_time(struct buf *b, int64_t t);

/* Appends day @day as a quoted date. */
void render_date(struct buf *b, int32_t day);

/*
 * Appends the JSON object text @obj (length @n) without its closing brace,
 * then `,"<key>":`; the caller appends the value and "}".
 */
void render_reopen(struct buf *b, const char *obj, size_t n, const char *key);

#endif
