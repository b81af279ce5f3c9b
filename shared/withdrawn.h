/*
 * withdrawn.h - the access_withdrawn table (access.h) kept in memory, so that
 * admitting a person costs no statement.
 *
 * Every request by a person asks whether their access was withdrawn.  The
 * answer is in the service's access_withdrawn table, which the follower of
 * the people service's feed writes on one replica only; any replica reads it.
 * Each process keeps a snapshot of that table (digests of subject and e-mail
 * -> left?, roles removed) and asks the database at most once a second
 * whether it changed (a version a trigger bumps with every change, in the
 * writer's transaction), reloading it only then.  A lookup computes the
 * SHA-256 digests in C exactly as access_db.c's DIGEST does in SQL.
 *
 * Bounded: a table of more than WITHDRAWN_MAX rows is not kept, and a caller
 * the snapshot cannot answer for (no snapshot, a non-ASCII e-mail whose
 * lower-casing only the database knows) is asked about per request, as before.
 *
 * The set (withdrawn_set_*) is pure and immutable once built; struct
 * withdrawn holds the current set under a rwlock.
 */
#ifndef TANDEM_WITHDRAWN_H
#define TANDEM_WITHDRAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Rows kept in memory; a larger table is asked about per request. */
#define WITHDRAWN_MAX 4096

/* How often a process asks whether the table changed, and how stale it may use it. */
#define WITHDRAWN_CHECK_MS 1000
#define WITHDRAWN_STALE_MS 2000

#define WITHDRAWN_DIGEST_LEN 32

/* The longest e-mail lower-cased in C; a longer one is asked about per request. */
#define WITHDRAWN_EMAIL_MAX 320

/* One row of access_withdrawn. */
struct withdrawn_row {
        unsigned char subject[WITHDRAWN_DIGEST_LEN];
        unsigned char email[WITHDRAWN_DIGEST_LEN];
        bool has_subject, has_email;  /* false: NULL or not a digest (matches nothing) */
        bool left;
        unsigned removed;             /* ROLE_* bits taken away */
};

/* What a set says of one caller: the rows matching them, merged (as the SQL does). */
struct withdrawn_answer {
        bool left;
        unsigned removed;
};

struct withdrawn_set;

/*
 * Parses @hex, 64 lower-case hexadecimal digits as encode(..., 'hex') writes
 * them, into @out.  False for anything else (NULL, upper case, wrong length):
 * the SQL compares text, so such a digest matches no caller.  Pure.
 */
bool withdrawn_parse_digest(const char *hex, unsigned char out[WITHDRAWN_DIGEST_LEN]);

/*
 * The SHA-256 of @text's bytes, lower-cased first when @lower: DIGEST(x) and
 * DIGEST(lower(x)) of access_db.c.  False (nothing to compare) when @text is
 * NULL or empty with @lower (an absent e-mail matches nothing), or when
 * @lower and @text holds a non-ASCII byte (lower() of the database's locale
 * decides those: ask the database) or is longer than WITHDRAWN_EMAIL_MAX.
 */
bool withdrawn_digest(const char *text, bool lower, unsigned char out[WITHDRAWN_DIGEST_LEN]);

/*
 * A set of @n rows copied from @rows.  Stores it in *@out; ST_OK, ST_INVALID
 * when @n > WITHDRAWN_MAX, ST_NOMEM.
 */
int withdrawn_set_new(const struct withdrawn_row *rows, size_t n, struct withdrawn_set **out);

/* Frees @s.  Accepts NULL. */
void withdrawn_set_free(struct withdrawn_set *s);

/*
 * What @s says of the caller with token @subject and @email (NULL or "" for
 * none): every row whose subject digest is the subject's or whose e-mail
 * digest is the lower-cased e-mail's, merged.  False when @s cannot answer
 * (a non-ASCII e-mail): ask the database.  Pure; thread-safe on one set.
 */
bool withdrawn_set_lookup(const struct withdrawn_set *s, const char *subject, const char *email,
                          struct withdrawn_answer *out);

/* ---- the process's snapshot --------------------------------------------------- */

struct withdrawn;

/* A snapshot holder with nothing loaded yet.  ST_OK or ST_NOMEM. */
int withdrawn_new(struct withdrawn **out);

/* Frees @w.  Accepts NULL. */
void withdrawn_free(struct withdrawn *w);

/*
 * Whether the snapshot must be checked at @now_ms (monotonic): true for one
 * caller at a time once WITHDRAWN_CHECK_MS passed since the last check; that
 * caller then calls withdrawn_checked (always, whatever the outcome).
 */
bool withdrawn_claim_check(struct withdrawn *w, uint64_t now_ms);

/*
 * Ends a claimed check: @ok false when the database could not be asked (the
 * snapshot then ages); else @version is the table's version and @set the rows
 * read with it (taken over, NULL: unchanged, or too many rows when @too_big).
 */
void withdrawn_checked(struct withdrawn *w, uint64_t now_ms, bool ok, long long version,
                       struct withdrawn_set *set, bool too_big);

/* The version the current snapshot was read at; -1 for none. */
long long withdrawn_version(struct withdrawn *w);

/*
 * What the snapshot says of the caller (withdrawn_set_lookup), when checked
 * within WITHDRAWN_STALE_MS of @now_ms: true and *@out filled; false when it
 * cannot answer (none loaded, too big, stale, non-ASCII e-mail).
 */
bool withdrawn_lookup(struct withdrawn *w, uint64_t now_ms, const char *subject,
                      const char *email, struct withdrawn_answer *out);

#endif
