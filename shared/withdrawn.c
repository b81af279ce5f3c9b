/*
 * withdrawn.c - the access_withdrawn table kept in memory (see withdrawn.h).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "status.h"
#include "withdrawn.h"

/* The rows, and two indexes into them sorted by subject and by e-mail digest. */
struct withdrawn_set {
        struct withdrawn_row *rows;
        const struct withdrawn_row **by_subject, **by_email;
        size_t n, n_subject, n_email;
};

struct withdrawn {
        pthread_rwlock_t lock;         /* guards set, too_big and version */
        struct withdrawn_set *set;     /* NULL: none loaded */
        bool too_big;
        long long version;
        atomic_uint_fast64_t checked_ms;   /* the last check that reached the database */
        atomic_uint_fast64_t claimed_ms;   /* the last check claimed */
        atomic_bool checking;
};

/* ---- pure --------------------------------------------------------------------- */

static int
hex_value(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

bool
withdrawn_parse_digest(const char *hex, unsigned char out[WITHDRAWN_DIGEST_LEN])
{
        size_t i;

        if (hex == NULL || strlen(hex) != 2 * WITHDRAWN_DIGEST_LEN)
                return false;
        for (i = 0; i < WITHDRAWN_DIGEST_LEN; i++) {
                int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);

                if (hi < 0 || lo < 0)
                        return false;
                out[i] = (unsigned char)(hi << 4 | lo);
        }
        return true;
}

bool
withdrawn_digest(const char *text, bool lower, unsigned char out[WITHDRAWN_DIGEST_LEN])
{
        char low[WITHDRAWN_EMAIL_MAX + 1];
        size_t i, n;

        if (text == NULL || (lower && text[0] == '\0'))
                return false;
        n = strlen(text);
        if (!lower) {
                SHA256((const unsigned char *)text, n, out);
                return true;
        }
        if (n > WITHDRAWN_EMAIL_MAX)
                return false;
        for (i = 0; i < n; i++) {
                unsigned char c = (unsigned char)text[i];

                if (c >= 0x80)
                        return false;      /* the database's locale lower-cases it */
                low[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
        SHA256((const unsigned char *)low, n, out);
        return true;
}

static int
by_subject_cmp(const void *a, const void *b)
{
        const struct withdrawn_row *const *x = a, *const *y = b;

        return memcmp((*x)->subject, (*y)->subject, WITHDRAWN_DIGEST_LEN);
}

static int
by_email_cmp(const void *a, const void *b)
{
        const struct withdrawn_row *const *x = a, *const *y = b;

        return memcmp((*x)->email, (*y)->email, WITHDRAWN_DIGEST_LEN);
}

int
withdrawn_set_new(const struct withdrawn_row *rows, size_t n, struct withdrawn_set **out)
{
        struct withdrawn_set *s;
        size_t i;

        *out = NULL;
        if (n > WITHDRAWN_MAX)
                return ST_INVALID;
        s = calloc(1, sizeof(*s));
        if (s == NULL)
                return ST_NOMEM;
        s->rows = calloc(n + 1, sizeof(*s->rows));
        s->by_subject = calloc(n + 1, sizeof(*s->by_subject));
        s->by_email = calloc(n + 1, sizeof(*s->by_email));
        if (s->rows == NULL || s->by_subject == NULL || s->by_email == NULL) {
                withdrawn_set_free(s);
                return ST_NOMEM;
        }
        if (n > 0)
                memcpy(s->rows, rows, n * sizeof(*rows));
        s->n = n;
        for (i = 0; i < n; i++) {
                if (s->rows[i].has_subject)
                        s->by_subject[s->n_subject++] = &s->rows[i];
                if (s->rows[i].has_email)
                        s->by_email[s->n_email++] = &s->rows[i];
        }
        qsort(s->by_subject, s->n_subject, sizeof(*s->by_subject), by_subject_cmp);
        qsort(s->by_email, s->n_email, sizeof(*s->by_email), by_email_cmp);
        *out = s;
        return ST_OK;
}

void
withdrawn_set_free(struct withdrawn_set *s)
{
        if (s == NULL)
                return;
        free(s->rows);
        free(s->by_subject);
        free(s->by_email);
        free(s);
}

/* Merges into @out every row of @index (sorted on the digest at @off) holding @digest. */
static void
merge_matches(const struct withdrawn_row *const *index, size_t n, size_t off,
              const unsigned char *digest, struct withdrawn_answer *out)
{
        size_t lo = 0, hi = n, mid;

        while (lo < hi) {      /* the first row not below @digest */
                mid = lo + (hi - lo) / 2;
                if (memcmp((const unsigned char *)index[mid] + off, digest,
                           WITHDRAWN_DIGEST_LEN) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        for (; lo < n && memcmp((const unsigned char *)index[lo] + off, digest,
                                WITHDRAWN_DIGEST_LEN) == 0; lo++) {
                out->left |= index[lo]->left;
                out->removed |= index[lo]->removed;
        }
}

bool
withdrawn_set_lookup(const struct withdrawn_set *s, const char *subject, const char *email,
                     struct withdrawn_answer *out)
{
        unsigned char d[WITHDRAWN_DIGEST_LEN];

        out->left = false;
        out->removed = 0;
        if (email != NULL && email[0] != '\0' && !withdrawn_digest(email, true, d))
                return false;
        if (email != NULL && email[0] != '\0')
                merge_matches(s->by_email, s->n_email, offsetof(struct withdrawn_row, email),
                              d, out);
        if (withdrawn_digest(subject, false, d))
                merge_matches(s->by_subject, s->n_subject,
                              offsetof(struct withdrawn_row, subject), d, out);
        return true;
}

/* ---- the process's snapshot -------------------------------------------------- */

int
withdrawn_new(struct withdrawn **out)
{
        struct withdrawn *w = calloc(1, sizeof(*w));

        *out = NULL;
        if (w == NULL)
                return ST_NOMEM;
        if (pthread_rwlock_init(&w->lock, NULL) != 0) {
                free(w);
                return ST_NOMEM;
        }
        w->version = -1;
        atomic_init(&w->checked_ms, 0);
        atomic_init(&w->claimed_ms, 0);
        atomic_init(&w->checking, false);
        *out = w;
        return ST_OK;
}

void
withdrawn_free(struct withdrawn *w)
{
        if (w == NULL)
                return;
        withdrawn_set_free(w->set);
        pthread_rwlock_destroy(&w->lock);
        free(w);
}

bool
withdrawn_claim_check(struct withdrawn *w, uint64_t now_ms)
{
        bool no = false;
        uint64_t claimed = atomic_load(&w->claimed_ms);

        if (claimed != 0 && (now_ms < claimed || now_ms - claimed < WITHDRAWN_CHECK_MS))
                return false;
        if (!atomic_compare_exchange_strong(&w->checking, &no, true))
                return false;      /* another thread is checking */
        atomic_store(&w->claimed_ms, now_ms);
        return true;
}

void
withdrawn_checked(struct withdrawn *w, uint64_t now_ms, bool ok, long long version,
                  struct withdrawn_set *set, bool too_big)
{
        struct withdrawn_set *old = NULL;

        if (ok && (set != NULL || too_big)) {
                pthread_rwlock_wrlock(&w->lock);
                old = w->set;
                w->set = set;
                w->too_big = too_big;
                w->version = version;
                pthread_rwlock_unlock(&w->lock);
        }
        if (ok)
                atomic_store(&w->checked_ms, now_ms);
        atomic_store(&w->checking, false);
        withdrawn_set_free(old);
}

long long
withdrawn_version(struct withdrawn *w)
{
        long long v;

        pthread_rwlock_rdlock(&w->lock);
        v = w->version;
        pthread_rwlock_unlock(&w->lock);
        return v;
}

bool
withdrawn_lookup(struct withdrawn *w, uint64_t now_ms, const char *subject, const char *email,
                 struct withdrawn_answer *out)
{
        uint64_t checked = atomic_load(&w->checked_ms);
        bool answered = false;

        if (checked == 0 || (now_ms > checked && now_ms - checked > WITHDRAWN_STALE_MS))
                return false;
        pthread_rwlock_rdlock(&w->lock);
        if (w->set != NULL && !w->too_big)
                answered = withdrawn_set_lookup(w->set, subject, email, out);
        pthread_rwlock_unlock(&w->lock);
        return answered;
}
