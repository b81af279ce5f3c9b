/*
 * admcache.h - who a token's subject is, kept in memory for a short while.
 *
 * Every authenticated request asks who its caller is: the people service
 * reads it from its own tables (the admission check), the other services ask
 * people's /v1/me.  This cache keeps those answers (subject -> person id and
 * status) per service process, so that a request whose caller was seen a
 * moment ago needs no round trip for it.
 *
 * Bounded twice: at most a fixed number of entries (set-associative; the
 * oldest entry of a full set is replaced) and each for at most the lifetime
 * given at creation (TANDEM_ADMISSION_TTL_MS).  A lifetime is what makes a
 * change made elsewhere (a person who left, over another instance or service)
 * take effect without any message; the invalidation entry points below make
 * it take effect at once where the change is known:
 *
 *   - admcache_invalidate_person(): the person changed, left or was erased
 *     (hook for people's events: drop every subject that maps to them);
 *   - admcache_invalidate_subject(): one subject's answer is stale;
 *   - admcache_clear(): anything may be stale (a person was created, so a
 *     subject cached as "nobody" may now be somebody).
 *
 * An answer read before an invalidation and stored after it would bring the
 * stale answer back: callers take admcache_epoch() before they ask and hand it
 * to admcache_put(), which drops the answer when any invalidation came between.
 *
 * Thread-safe: a mutex per set of entries.  A NULL cache (disabled) is
 * accepted everywhere: it never hits and stores nothing.
 */
#ifndef TANDEM_ADMCACHE_H
#define TANDEM_ADMCACHE_H

#include <stdbool.h>
#include <stdint.h>

/* One answer: who the subject is. */
struct admcache_entry {
        char person_id[37];        /* "" when no person matches the subject */
        char status[16];           /* active, paused, left; "" when no person */
};

struct admcache;

/*
 * A cache of at most @size entries (rounded up to a multiple of 4), each kept
 * @ttl_ms.  Stores NULL in *@out (a disabled cache) when @size or @ttl_ms is 0.
 * Returns ST_OK or ST_NOMEM.
 */
int admcache_new(unsigned size, unsigned ttl_ms, struct admcache **out);

/* Frees the cache.  Accepts NULL. */
void admcache_free(struct admcache *c);

/* Now on the monotonic clock, in milliseconds: the @now_ms the calls below take. */
uint64_t admcache_now_ms(void);

/*
 * The answer cached for @subject presented with @email (a token whose e-mail
 * differs may match another person: a miss), if it has not expired at
 * @now_ms: true and *@out filled; false otherwise.
 */
bool admcache_get(struct admcache *c, const char *subject, const char *email, uint64_t now_ms,
                  struct admcache_entry *out);

/* The invalidation counter to take before asking (see above). */
uint64_t admcache_epoch(struct admcache *c);

/*
 * Keeps @e (copied) for @subject and @email until @now_ms + the lifetime,
 * unless an invalidation happened since @epoch was taken.
 */
void admcache_put(struct admcache *c, uint64_t epoch, const char *subject, const char *email,
                  const struct admcache_entry *e, uint64_t now_ms);

/* Drops every entry of person @person_id (a UUID). */
void admcache_invalidate_person(struct admcache *c, const char *person_id);

/* Drops the entry of @subject, whatever e-mail it was cached with. */
void admcache_invalidate_subject(struct admcache *c, const char *subject);

/* Drops every entry. */
void admcache_clear(struct admcache *c);

/* Lookups that hit and missed since start, for /metrics. */
void admcache_stats(struct admcache *c, unsigned long long *hits, unsigned long long *misses);

#endif
