/*
 * jwks.h - the public keys RS256 and ES256 tokens are checked with.
 *
 * A key set is built from a JWKS (RFC 7517) and never changes afterwards; it
 * is shared by reference count, so a verifier thread keeps the set it took
 * even while a newer one is installed.
 *
 * A key source hands out the current set.  Its keys come from a JWKS file, or
 * from an OpenID Connect provider: the discovery document
 * (<issuer>/.well-known/openid-configuration) names the jwks_uri, which is
 * fetched at start, again in the background every refresh period, and again
 * when a token names a key id the set does not hold or its signature fails
 * under the key of its id (a key replaced under the same kid), at most once per
 * refetch interval, so that a flood of made-up key ids cannot hammer the
 * provider.  While the provider is unreachable the cached set stays in use.
 */
#ifndef TANDEM_JWKS_H
#define TANDEM_JWKS_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include <openssl/evp.h>
#include "config.h"

struct key_set;

/*
 * Builds a new key set from the keys of @j_jwks (borrowed) usable for @alg:
 * kty RSA (at least 2048 bits) for RS256, EC P-256 for ES256, use "sig" or
 * none, alg @alg or none.  Other keys are skipped.  Returns ST_OK with the
 * set in *@out (possibly empty), ST_MALFORMED when there is no "keys" array,
 * ST_NOMEM.
 */
int key_set_parse(const json_t *j_jwks, enum jwt_alg alg, struct key_set **out);

/* Takes another reference to @ks (may be NULL) and returns it. */
struct key_set *key_set_ref(struct key_set *ks);

/* Drops a reference; the last one frees the set.  Accepts NULL. */
void key_set_unref(struct key_set *ks);

/*
 * Returns the key named @kid, or with no @kid the only key of the set; NULL
 * when there is none.  The key is borrowed from @ks.
 */
EVP_PKEY *key_set_find(const struct key_set *ks, const char *kid);

/* Number of keys in @ks (0 for NULL). */
size_t key_set_size(const struct key_set *ks);

struct key_source_opts {
        enum jwt_alg alg;             /* RS256 or ES256 */
        const char *jwks_file;        /* a JWKS file; or NULL and: */
        const char *issuer;           /* the provider's issuer URL (discovery) */
        unsigned refetch_min_s;       /* unknown kid: at most one fetch per interval */
        unsigned refresh_s;           /* background refresh period */
        unsigned timeout_ms;          /* per HTTP request to the provider */
        unsigned start_attempts;      /* fetches tried at start before going on */
};

struct key_source;

/*
 * Builds a key source.  A file must hold at least one usable key.  For a
 * provider, the start tries up to start_attempts times (1 s, then 2 s, ...
 * apart); when the provider cannot be reached it goes on with no keys and
 * keeps trying in the background.  An answer that shows a configuration
 * fault (discovery not found, another issuer, a JWKS without a usable key)
 * is refused at once.  On failure writes why into @err and returns
 * ST_INVALID; otherwise stores the source in *@out and returns ST_OK.
 */
int key_source_new(const struct key_source_opts *o, struct key_source **out,
                   char *err, size_t errlen);

/* Stops the background fetcher and frees the source.  Accepts NULL. */
void key_source_free(struct key_source *src);

/* Returns a new reference to the current key set (NULL when none yet). */
struct key_set *key_source_get(struct key_source *src);

/*
 * Called when a token names a key the current set lacks, or its signature
 * fails with the key of that id: fetches the JWKS
 * again unless a fetch began less than refetch_min_s ago (waits for one in
 * progress instead).  Returns ST_OK when the caller should look again,
 * ST_RETRY when nothing new can be had now.
 */
int key_source_refetch(struct key_source *src);

/* True when the source holds at least one key. */
bool key_source_ready(struct key_source *src);

/*
 * Copies the provider's token_endpoint into @out (for the client
 * credentials grant).  Returns ST_OK, or ST_NOT_FOUND when not known yet.
 */
int key_source_token_endpoint(struct key_source *src, char *out, size_t outlen);

#endif
