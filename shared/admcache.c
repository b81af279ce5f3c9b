/*
 * admcache.c - the in-memory admission cache (see admcache.h).
 *
 * A set-associative table: a subject's hash picks one set of ADM_WAYS
 * entries behind its own mutex, so that lookups from different worker
 * threads rarely meet on a lock, and a full set replaces its oldest entry.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admcache.h"
#include "status.h"

#define ADM_WAYS 4
#define ADM_SUBJECT_MAX 256

struct adm_slot {
        uint64_t hash;             /* of the subject; 0: empty */
        uint64_t email_hash;
        uint64_t expires_ms;
        uint64_t stored_ms;
        char subject[ADM_SUBJECT_MAX];
        struct admcache_entry e;
};

struct adm_set {
        pthread_mutex_t lock;
        struct adm_slot slot[ADM_WAYS];
};

struct admcache {
        struct adm_set *sets;
        unsigned nsets;            /* a power of two */
        unsigned ttl_ms;
        atomic_ullong epoch;
        atomic_ullong hits, misses;
};

/* FNV-1a, never 0 (0 marks an empty slot). */
static uint64_t
adm_hash(const char *s)
{
        uint64_t h = 14695981039346656037ULL;

        for (; *s != '\0'; s++)
                h = (h ^ (unsigned char)*s) * 1099511628211ULL;
        return h != 0 ? h : 1;
}

int
admcache_new(unsigned size, unsigned ttl_ms, struct admcache **out)
{
        struct admcache *c;
        unsigned nsets = 1;

        *out = NULL;
        if (size == 0 || ttl_ms == 0)
                return ST_OK;
        while (nsets * ADM_WAYS < size)
                nsets *= 2;
        c = calloc(1, sizeof(*c));
        if (c == NULL)
                return ST_NOMEM;
        c->sets = calloc(nsets, sizeof(*c->sets));
        if (c->sets == NULL) {
                free(c);
                return ST_NOMEM;
        }
        for (unsigned i = 0; i < nsets; i++)
                pthread_mutex_init(&c->sets[i].lock, NULL);
        c->nsets = nsets;
        c->ttl_ms = ttl_ms;
        *out = c;
        return ST_OK;
}

void
admcache_free(struct admcache *c)
{
        if (c == NULL)
                return;
        for (unsigned i = 0; i < c->nsets; i++)
                pthread_mutex_destroy(&c->sets[i].lock);
        free(c->sets);
        free(c);
}

uint64_t
admcache_now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static struct adm_set *
adm_set_of(struct admcache *c, uint64_t hash)
{
        return &c->sets[(hash >> 7) & (c->nsets - 1)];
}

/* The slot holding @subject in @set, or NULL. */
static struct adm_slot *
adm_find(struct adm_set *set, uint64_t hash, const char *subject)
{
        for (int i = 0; i < ADM_WAYS; i++)
                if (set->slot[i].hash == hash && strcmp(set->slot[i].subject, subject) == 0)
                        return &set->slot[i];
        return NULL;
}

bool
admcache_get(struct admcache *c, const char *subject, const char *email, uint64_t now_ms,
             struct admcache_entry *out)
{
        uint64_t hash;
        struct adm_set *set;
        struct adm_slot *s;
        bool hit = false;

        if (c == NULL || strlen(subject) >= ADM_SUBJECT_MAX)
                return false;
        hash = adm_hash(subject);
        set = adm_set_of(c, hash);
        pthread_mutex_lock(&set->lock);
        s = adm_find(set, hash, subject);
        if (s != NULL && now_ms < s->expires_ms && s->email_hash == adm_hash(email)) {
                *out = s->e;
                hit = true;
        }
        pthread_mutex_unlock(&set->lock);
        atomic_fetch_add(hit ? &c->hits : &c->misses, 1);
        return hit;
}

uint64_t
admcache_epoch(struct admcache *c)
{
        return c != NULL ? atomic_load(&c->epoch) : 0;
}

/* Where to store @subject: its own slot, an empty or expired one, else the oldest. */
static struct adm_slot *
adm_victim(struct adm_set *set, uint64_t hash, const char *subject, uint64_t now_ms)
{
        struct adm_slot *s = adm_find(set, hash, subject);

        for (int i = 0; s == NULL && i < ADM_WAYS; i++)
                if (set->slot[i].hash == 0 || set->slot[i].expires_ms <= now_ms)
                        s = &set->slot[i];
        for (int i = 0; s == NULL && i < ADM_WAYS; i++)
                if (i == 0 || set->slot[i].stored_ms < s->stored_ms)
                        s = &set->slot[i];
        return s;
}

void
admcache_put(struct admcache *c, uint64_t epoch, const char *subject, const char *email,
             const struct admcache_entry *e, uint64_t now_ms)
{
        uint64_t hash;
        struct adm_set *set;
        struct adm_slot *s;

        if (c == NULL || strlen(subject) >= ADM_SUBJECT_MAX)
                return;
        hash = adm_hash(subject);
        set = adm_set_of(c, hash);
        pthread_mutex_lock(&set->lock);
        /* checked under the set's lock: an invalidation bumps the epoch before it
         * takes the locks, so it either sees this entry or this put sees its bump */
        if (atomic_load(&c->epoch) == epoch) {
                s = adm_victim(set, hash, subject, now_ms);
                s->hash = hash;
                s->email_hash = adm_hash(email);
                s->stored_ms = now_ms;
                s->expires_ms = now_ms + c->ttl_ms;
                snprintf(s->subject, sizeof(s->subject), "%s", subject);
                s->e = *e;
        }
        pthread_mutex_unlock(&set->lock);
}

/* Drops every slot for which @match says so; bumps the epoch first. */
static void
adm_drop(struct admcache *c, bool (*match)(const struct adm_slot *, const void *),
         const void *arg)
{
        if (c == NULL)
                return;
        atomic_fetch_add(&c->epoch, 1);
        for (unsigned i = 0; i < c->nsets; i++) {
                struct adm_set *set = &c->sets[i];

                pthread_mutex_lock(&set->lock);
                for (int w = 0; w < ADM_WAYS; w++)
                        if (set->slot[w].hash != 0 && match(&set->slot[w], arg))
                                memset(&set->slot[w], 0, sizeof(set->slot[w]));
                pthread_mutex_unlock(&set->lock);
        }
}

static bool
adm_is_person(const struct adm_slot *s, const void *arg)
{
        return strcmp(s->e.person_id, arg) == 0;
}

static bool
adm_is_subject(const struct adm_slot *s, const void *arg)
{
        return strcmp(s->subject, arg) == 0;
}

static bool
adm_any(const struct adm_slot *s, const void *arg)
{
        (void)s;
        (void)arg;
        return true;
}

void
admcache_invalidate_person(struct admcache *c, const char *person_id)
{
        if (person_id != NULL && person_id[0] != '\0')
                adm_drop(c, adm_is_person, person_id);
}

void
admcache_invalidate_subject(struct admcache *c, const char *subject)
{
        if (subject != NULL)
                adm_drop(c, adm_is_subject, subject);
}

void
admcache_clear(struct admcache *c)
{
        adm_drop(c, adm_any, NULL);
}

void
admcache_stats(struct admcache *c, unsigned long long *hits, unsigned long long *misses)
{
        *hits = c != NULL ? atomic_load(&c->hits) : 0;
        *misses = c != NULL ? atomic_load(&c->misses) : 0;
}
