/*
 * jwks.c - key sets from JWKS documents, and the sources that keep them
 * current: a file, or an OpenID Connect provider (see jwks.h).
 *
 * Concurrency: the current set is a pointer under a read-write lock, held
 * only to take a reference; verification then runs on the referenced set
 * with no lock.  Fetches are serialised by a mutex and a "fetching" flag,
 * so a burst of unknown key ids waits for one fetch instead of starting
 * many; the time of the last fetch rate-limits the ones tokens trigger.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "b64.h"
#include "client.h"
#include "jwks.h"
#include "log.h"
#include "status.h"
#include "thread.h"

#define RSA_MIN_BITS 2048
#define P256_COORD_BYTES 32
#define JWKS_MAX_KEYS 64
#define URL_MAX 1024
#define BACKOFF_MAX_S 60

struct jwk {
        char *kid;                      /* NULL when the JWK has none */
        EVP_PKEY *pkey;
};

struct key_set {
        atomic_uint refs;
        struct jwk *keys;
        size_t n;
};

struct key_source {
        enum jwt_alg alg;
        char *issuer;                   /* NULL for a file */
        unsigned refetch_min_s, refresh_s, timeout_ms;
        pthread_rwlock_t cur_lock;
        struct key_set *cur;            /* under cur_lock */
        pthread_mutex_t mu;             /* everything below */
        pthread_cond_t cond;            /* fetch finished, or stop */
        bool fetching, stop, thread_started;
        struct timespec last_fetch;     /* CLOCK_MONOTONIC start of the last fetch */
        bool fetched_once;
        unsigned failures;              /* in a row, for the back-off */
        char jwks_uri[URL_MAX];
        char token_endpoint[URL_MAX];
        pthread_t thread;
};

static int errf(char *err, size_t errlen, int rc, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static int
errf(char *err, size_t errlen, int rc, const char *fmt, ...)
{
        va_list ap;

        if (err && errlen) {
                va_start(ap, fmt);
                vsnprintf(err, errlen, fmt, ap);
                va_end(ap);
        }
        return rc;
}

static const char *
alg_name(enum jwt_alg alg)
{
        return alg == JWT_ALG_RS256 ? "RS256" : alg == JWT_ALG_ES256 ? "ES256" : "HS256";
}

/* ---- JSON helpers ------------------------------------------------------- */

/* Returns the value of a JSON string without NUL bytes, else NULL (borrowed). */
static const char *
json_plain_string(const json_t *j)
{
        const char *s = json_string_value(j);

        if (!s || strlen(s) != json_string_length(j))
                return NULL;
        return s;
}

static int
json_string_equals(const json_t *j, const char *want)
{
        const char *s = json_plain_string(j);

        return s && want && strcmp(s, want) == 0;
}

/* ---- JWKS: public keys from n/e and crv/x/y ------------------------------ */

static void
key_set_free(struct key_set *ks)
{
        size_t i;

        if (!ks)
                return;
        for (i = 0; i < ks->n; i++) {
                free(ks->keys[i].kid);
                EVP_PKEY_free(ks->keys[i].pkey);
        }
        free(ks->keys);
        free(ks);
}

struct key_set *
key_set_ref(struct key_set *ks)
{
        if (ks)
                atomic_fetch_add_explicit(&ks->refs, 1, memory_order_relaxed);
        return ks;
}

void
key_set_unref(struct key_set *ks)
{
        if (ks && atomic_fetch_sub_explicit(&ks->refs, 1, memory_order_acq_rel) == 1)
                key_set_free(ks);
}

size_t
key_set_size(const struct key_set *ks)
{
        return ks ? ks->n : 0;
}

EVP_PKEY *
key_set_find(const struct key_set *ks, const char *kid)
{
        size_t i;

        if (!ks)
                return NULL;
        if (!kid)
                return ks->n == 1 ? ks->keys[0].pkey : NULL;
        for (i = 0; i < ks->n; i++)
                if (ks->keys[i].kid && strcmp(ks->keys[i].kid, kid) == 0)
                        return ks->keys[i].pkey;
        return NULL;
}

/* Returns the new BIGNUM of the base64url member @name of @j_jwk, or NULL. */
static BIGNUM *
jwk_bignum(const json_t *j_jwk, const char *name)
{
        const char *s = json_plain_string(json_object_get(j_jwk, name));
        unsigned char *buf = NULL;
        BIGNUM *bn = NULL;
        size_t len;

        if (!s || b64url_decode(s, strlen(s), &buf, &len) != ST_OK)
                return NULL;
        if (len > 0 && len <= INT_MAX)
                bn = BN_bin2bn(buf, (int)len, NULL);
        free(buf);
        return bn;
}

/* Decodes the P-256 coordinate @name of @j_jwk into @out.  Returns 1 on success. */
static int
jwk_coordinate(const json_t *j_jwk, const char *name, unsigned char out[P256_COORD_BYTES])
{
        const char *s = json_plain_string(json_object_get(j_jwk, name));
        unsigned char *buf = NULL;
        size_t len = 0;
        int ok;

        if (!s || b64url_decode(s, strlen(s), &buf, &len) != ST_OK)
                return 0;
        ok = len == P256_COORD_BYTES;
        if (ok)
                memcpy(out, buf, P256_COORD_BYTES);
        free(buf);
        return ok;
}

/* Returns 1 when OpenSSL's public key check passes for @pkey. */
static int
pkey_public_ok(EVP_PKEY *pkey)
{
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
        int ok = ctx && EVP_PKEY_public_check(ctx) == 1;

        EVP_PKEY_CTX_free(ctx);
        return ok;
}

/* Builds a public key of @type ("RSA", "EC") from the parameters in @bld. */
static EVP_PKEY *
pkey_from_params(const char *type, OSSL_PARAM_BLD *bld)
{
        OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
        EVP_PKEY *pkey = NULL;

        if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1)
                goto out;
        if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
                goto out;
        if (!pkey_public_ok(pkey)) {
                EVP_PKEY_free(pkey);
                pkey = NULL;
        }
out:
        OSSL_PARAM_free(params);
        EVP_PKEY_CTX_free(ctx);
        return pkey;
}

/* Returns a new RSA public key (at least RSA_MIN_BITS) from n and e, or NULL. */
static EVP_PKEY *
rsa_from_jwk(const json_t *j_jwk)
{
        OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        BIGNUM *n = jwk_bignum(j_jwk, "n");
        BIGNUM *e = jwk_bignum(j_jwk, "e");
        EVP_PKEY *pkey = NULL;

        if (!bld || !n || !e)
                goto out;
        if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
            !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
                goto out;
        pkey = pkey_from_params("RSA", bld);
        if (pkey && EVP_PKEY_get_bits(pkey) < RSA_MIN_BITS) {
                EVP_PKEY_free(pkey);
                pkey = NULL;
        }
out:
        OSSL_PARAM_BLD_free(bld);
        BN_free(n);
        BN_free(e);
        return pkey;
}

/* Returns a new P-256 public key from crv, x and y, or NULL. */
static EVP_PKEY *
ec_from_jwk(const json_t *j_jwk)
{
        unsigned char point[1 + 2 * P256_COORD_BYTES];
        OSSL_PARAM_BLD *bld = NULL;
        EVP_PKEY *pkey = NULL;

        if (!json_string_equals(json_object_get(j_jwk, "crv"), "P-256"))
                goto out;
        point[0] = POINT_CONVERSION_UNCOMPRESSED;
        if (!jwk_coordinate(j_jwk, "x", point + 1) ||
            !jwk_coordinate(j_jwk, "y", point + 1 + P256_COORD_BYTES))
                goto out;
        bld = OSSL_PARAM_BLD_new();
        if (!bld)
                goto out;
        if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                             SN_X9_62_prime256v1, 0) ||
            !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
                                              point, sizeof(point)))
                goto out;
        pkey = pkey_from_params("EC", bld);
out:
        OSSL_PARAM_BLD_free(bld);
        return pkey;
}

/* Returns 1 when @j_jwk is a signing key meant for @alg (kty, use, alg, kid). */
static int
jwk_fits(const json_t *j_jwk, enum jwt_alg alg)
{
        const json_t *j_use = json_object_get(j_jwk, "use");
        const json_t *j_alg = json_object_get(j_jwk, "alg");
        const json_t *j_kid = json_object_get(j_jwk, "kid");
        const char *kty = alg == JWT_ALG_RS256 ? "RSA" : "EC";

        if (!json_string_equals(json_object_get(j_jwk, "kty"), kty))
                return 0;
        if (j_use && !json_string_equals(j_use, "sig"))
                return 0;
        if (j_alg && !json_string_equals(j_alg, alg_name(alg)))
                return 0;
        return !j_kid || json_plain_string(j_kid);
}

/*
 * Appends @j_jwk to @ks (which has room) when it is a usable key for @alg;
 * skips it otherwise.  Returns ST_OK, or ST_NOMEM.
 */
static int
key_set_add(struct key_set *ks, const json_t *j_jwk, enum jwt_alg alg)
{
        const char *kid = json_plain_string(json_object_get(j_jwk, "kid"));
        EVP_PKEY *pkey;
        char *kid_copy = NULL;

        if (!jwk_fits(j_jwk, alg))
                return ST_OK;
        pkey = alg == JWT_ALG_RS256 ? rsa_from_jwk(j_jwk) : ec_from_jwk(j_jwk);
        if (!pkey)
                return ST_OK;
        if (kid) {
                kid_copy = strdup(kid);
                if (!kid_copy) {
                        EVP_PKEY_free(pkey);
                        return ST_NOMEM;
                }
        }
        ks->keys[ks->n].kid = kid_copy;
        ks->keys[ks->n].pkey = pkey;
        ks->n++;
        return ST_OK;
}

int
key_set_parse(const json_t *j_jwks, enum jwt_alg alg, struct key_set **out)
{
        const json_t *j_keys = json_object_get(j_jwks, "keys");
        const json_t *j_jwk;
        struct key_set *set = NULL;
        size_t i, n;
        int rc = ST_MALFORMED;

        if (!json_is_array(j_keys))
                goto out;
        rc = ST_NOMEM;
        n = json_array_size(j_keys) < JWKS_MAX_KEYS ? json_array_size(j_keys) : JWKS_MAX_KEYS;
        set = calloc(1, sizeof(*set));
        if (!set)
                goto out;
        atomic_init(&set->refs, 1);
        set->keys = calloc(n + 1, sizeof(*set->keys));
        if (!set->keys)
                goto out;
        json_array_foreach(j_keys, i, j_jwk) {
                if (i >= n)
                        break;
                rc = key_set_add(set, j_jwk, alg);
                if (rc != ST_OK)
                        goto out;
        }
        ERR_clear_error();      /* skipped keys leave OpenSSL errors queued */
        *out = set;
        set = NULL;
        rc = ST_OK;
out:
        key_set_free(set);
        return rc;
}

/* ---- the source: the current set ------------------------------------------ */

struct key_set *
key_source_get(struct key_source *src)
{
        struct key_set *ks;

        if (!src)
                return NULL;
        pthread_rwlock_rdlock(&src->cur_lock);
        ks = key_set_ref(src->cur);
        pthread_rwlock_unlock(&src->cur_lock);
        return ks;
}

bool
key_source_ready(struct key_source *src)
{
        struct key_set *ks = key_source_get(src);
        bool ready = key_set_size(ks) > 0;

        key_set_unref(ks);
        return ready;
}

/* Installs @ks (a reference handed over) as the current set. */
static void
source_install(struct key_source *src, struct key_set *ks)
{
        struct key_set *old;

        pthread_rwlock_wrlock(&src->cur_lock);
        old = src->cur;
        src->cur = ks;
        pthread_rwlock_unlock(&src->cur_lock);
        key_set_unref(old);
}

int
key_source_token_endpoint(struct key_source *src, char *out, size_t outlen)
{
        int rc = ST_NOT_FOUND;

        if (!src || !out || outlen == 0)
                return rc;
        pthread_mutex_lock(&src->mu);
        if (src->token_endpoint[0] != '\0' && strlen(src->token_endpoint) < outlen) {
                memcpy(out, src->token_endpoint, strlen(src->token_endpoint) + 1);
                rc = ST_OK;
        }
        pthread_mutex_unlock(&src->mu);
        return rc;
}

/* ---- a JWKS file -------------------------------------------------------------- */

/* Reads the JWKS file @path into a new set.  Returns ST_OK or ST_INVALID. */
static int
set_from_file(const char *path, enum jwt_alg alg, struct key_set **out,
              char *err, size_t errlen)
{
        json_error_t jerr;
        json_t *j_jwks = NULL;
        struct key_set *ks = NULL;
        FILE *fp = fopen(path, "re");
        int rc = ST_INVALID;

        if (!fp) {
                errf(err, errlen, rc, "TANDEM_JWKS_FILE: cannot read %s: %s", path,
                     strerror(errno));
                goto out;
        }
        j_jwks = json_loadf(fp, JSON_REJECT_DUPLICATES, &jerr);
        fclose(fp);
        if (!j_jwks) {
                errf(err, errlen, rc, "TANDEM_JWKS_FILE: %s: line %d: %s", path, jerr.line,
                     jerr.text);
                goto out;
        }
        switch (key_set_parse(j_jwks, alg, &ks)) {
        case ST_OK:
                break;
        case ST_MALFORMED:
                errf(err, errlen, rc, "TANDEM_JWKS_FILE: %s: no \"keys\" array", path);
                goto out;
        default:
                rc = errf(err, errlen, ST_NOMEM, "TANDEM_JWKS_FILE: out of memory");
                goto out;
        }
        if (ks->n == 0) {
                errf(err, errlen, rc, "TANDEM_JWKS_FILE: no %s signing key", alg_name(alg));
                goto out;
        }
        *out = ks;
        ks = NULL;
        rc = ST_OK;
out:
        key_set_unref(ks);
        json_decref(j_jwks);
        return rc;
}

/* ---- fetching from the provider ---------------------------------------------- */

/*
 * GETs @url as JSON into *@out (new reference).  Returns ST_OK,
 * ST_UNAVAILABLE when it cannot be reached or answers 5xx, or ST_INVALID
 * (with @why) for any other answer: a fault retrying will not mend.
 */
static int
fetch_json(const struct key_source *src, const char *url, json_t **out,
           char *why, size_t whylen)
{
        struct client_call call = { .method = "GET", .base_url = url, .path = "",
                                    .timeout_ms = src->timeout_ms };
        struct client_reply r = { 0, NULL };
        int rc = client_do(&call, &r);

        if (rc == ST_UNAVAILABLE || rc == ST_INTERNAL) {
                errf(why, whylen, rc, "%s: not reachable", url);
                rc = ST_UNAVAILABLE;
        } else if (rc == ST_OK && r.status != 200) {
                rc = errf(why, whylen, ST_INVALID, "%s: answered HTTP %ld", url, r.status);
        } else if (rc == ST_OK && !json_is_object(r.j_body)) {
                rc = errf(why, whylen, ST_INVALID, "%s: not a JSON object", url);
        } else if (rc == ST_OK) {
                *out = r.j_body;
                r.j_body = NULL;
        }
        client_reply_release(&r);
        return rc;
}

/* Copies the http(s) URL member @name of @j into @out.  Returns 1 on success. */
static int
url_member(const json_t *j, const char *name, char *out, size_t outlen)
{
        const char *s = json_plain_string(json_object_get(j, name));

        if (!s || strlen(s) >= outlen)
                return 0;
        if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)
                return 0;
        memcpy(out, s, strlen(s) + 1);
        return 1;
}

/* Reads the discovery document: jwks_uri and token_endpoint, issuer checked. */
static int
fetch_discovery(struct key_source *src, char *why, size_t whylen)
{
        char url[URL_MAX], jwks_uri[URL_MAX], token_endpoint[URL_MAX] = "";
        size_t n = strlen(src->issuer);
        json_t *j_doc = NULL;
        int rc;

        if (n > 0 && src->issuer[n - 1] == '/')
                n--;
        snprintf(url, sizeof(url), "%.*s/.well-known/openid-configuration", (int)n, src->issuer);
        rc = fetch_json(src, url, &j_doc, why, whylen);
        if (rc != ST_OK)
                return rc;
        if (!json_string_equals(json_object_get(j_doc, "issuer"), src->issuer))
                rc = errf(why, whylen, ST_INVALID, "%s names another issuer than \"%s\"", url,
                          src->issuer);
        else if (!url_member(j_doc, "jwks_uri", jwks_uri, sizeof(jwks_uri)))
                rc = errf(why, whylen, ST_INVALID, "%s: no http(s) jwks_uri", url);
        url_member(j_doc, "token_endpoint", token_endpoint, sizeof(token_endpoint));
        json_decref(j_doc);
        if (rc != ST_OK)
                return rc;
        pthread_mutex_lock(&src->mu);
        memcpy(src->jwks_uri, jwks_uri, sizeof(jwks_uri));
        memcpy(src->token_endpoint, token_endpoint, sizeof(token_endpoint));
        pthread_mutex_unlock(&src->mu);
        return ST_OK;
}

/* Fetches the JWKS and installs it when it holds a usable key. */
static int
fetch_jwks(struct key_source *src, char *why, size_t whylen)
{
        char uri[URL_MAX];
        json_t *j_jwks = NULL;
        struct key_set *ks = NULL;
        size_t before;
        int rc;

        pthread_mutex_lock(&src->mu);
        memcpy(uri, src->jwks_uri, sizeof(uri));
        pthread_mutex_unlock(&src->mu);
        rc = fetch_json(src, uri, &j_jwks, why, whylen);
        if (rc != ST_OK)
                return rc;
        rc = key_set_parse(j_jwks, src->alg, &ks);
        json_decref(j_jwks);
        if (rc == ST_MALFORMED)
                return errf(why, whylen, ST_INVALID, "%s: no \"keys\" array", uri);
        if (rc != ST_OK)
                return errf(why, whylen, rc, "%s: out of memory", uri);
        if (ks->n == 0) {
                key_set_unref(ks);
                return errf(why, whylen, ST_INVALID, "%s: no %s signing key", uri,
                            alg_name(src->alg));
        }
        before = key_set_size(src->cur);        /* for the log line only */
        log_info("jwks: %zu %s key(s) from %s (had %zu)", ks->n, alg_name(src->alg), uri,
                 before);
        source_install(src, ks);
        return ST_OK;
}

/* One fetch: discovery while no jwks_uri is known, then the JWKS. */
static int
source_fetch(struct key_source *src, char *why, size_t whylen)
{
        int rc = ST_OK;

        if (src->jwks_uri[0] == '\0')
                rc = fetch_discovery(src, why, whylen);
        if (rc == ST_OK)
                rc = fetch_jwks(src, why, whylen);
        return rc;
}

static double
seconds_since(const struct timespec *t0)
{
        struct timespec t1;

        clock_gettime(CLOCK_MONOTONIC, &t1);
        return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

enum claim { CLAIM_FETCH, CLAIM_WAITED, CLAIM_TOO_SOON };

/*
 * Claims the right to fetch (mu held): waits while another fetch runs, then
 * refuses when @min_s have not passed since the last one began.
 */
static enum claim
fetch_claim(struct key_source *src, unsigned min_s)
{
        bool waited = false;

        while (src->fetching && !src->stop) {
                pthread_cond_wait(&src->cond, &src->mu);
                waited = true;
        }
        if (waited || src->stop)
                return CLAIM_WAITED;
        if (src->fetched_once && seconds_since(&src->last_fetch) < (double)min_s)
                return CLAIM_TOO_SOON;
        src->fetching = true;
        src->fetched_once = true;
        clock_gettime(CLOCK_MONOTONIC, &src->last_fetch);
        return CLAIM_FETCH;
}

/*
 * Runs one fetch if the interval @min_s allows.  Returns ST_OK when it ran
 * and worked, or when it waited for another thread's fetch; ST_RETRY when it
 * was too soon; the fetch's status otherwise.
 */
static int
source_fetch_limited(struct key_source *src, unsigned min_s, char *why, size_t whylen)
{
        enum claim claim;
        int rc;

        pthread_mutex_lock(&src->mu);
        claim = fetch_claim(src, min_s);
        pthread_mutex_unlock(&src->mu);
        if (claim != CLAIM_FETCH)
                return claim == CLAIM_WAITED ? ST_OK : ST_RETRY;
        rc = source_fetch(src, why, whylen);
        if (rc != ST_OK)    /* only the fetcher swaps src->cur, so reading it is safe */
                log_warn("jwks: %s; keeping %zu cached key(s)", why, key_set_size(src->cur));
        pthread_mutex_lock(&src->mu);
        src->fetching = false;
        src->failures = rc == ST_OK ? 0 : src->failures + 1;
        pthread_cond_broadcast(&src->cond);
        pthread_mutex_unlock(&src->mu);
        return rc;
}

int
key_source_refetch(struct key_source *src)
{
        char why[URL_MAX + 128];

        if (!src || !src->issuer)
                return ST_RETRY;
        return source_fetch_limited(src, src->refetch_min_s, why, sizeof(why)) == ST_OK
               ? ST_OK : ST_RETRY;
}

/* ---- the background fetcher ------------------------------------------------------ */

/* Seconds until the next background fetch (mu held). */
static unsigned
next_delay_s(const struct key_source *src)
{
        unsigned d = 1;

        if (src->cur && src->failures == 0)
                return src->refresh_s;
        for (unsigned i = 0; i < src->failures && d < BACKOFF_MAX_S; i++)
                d *= 2;
        d = d < BACKOFF_MAX_S ? d : BACKOFF_MAX_S;
        return src->cur && src->refresh_s < d ? src->refresh_s : d;
}

/* Sleeps (mu held) until @delay_s pass or the source stops.  Returns false on stop. */
static bool
sleep_or_stop(struct key_source *src, unsigned delay_s)
{
        struct timespec until;

        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += (time_t)delay_s;
        while (!src->stop)
                if (pthread_cond_timedwait(&src->cond, &src->mu, &until) == ETIMEDOUT)
                        break;
        return !src->stop;
}

/* Refreshes the keys every refresh_s, and retries with back-off while it fails. */
static void *
fetcher_main(void *arg)
{
        struct key_source *src = arg;
        char why[URL_MAX + 128];
        bool go;

        pthread_mutex_lock(&src->mu);
        go = sleep_or_stop(src, next_delay_s(src));
        pthread_mutex_unlock(&src->mu);
        while (go) {
                source_fetch_limited(src, 0, why, sizeof(why));
                pthread_mutex_lock(&src->mu);
                go = sleep_or_stop(src, next_delay_s(src));
                pthread_mutex_unlock(&src->mu);
        }
        return NULL;
}

/* Starts the fetcher with SIGTERM and SIGINT blocked: only the main thread takes them. */
static int
fetcher_start(struct key_source *src)
{
        int rc = thread_start(&src->thread, fetcher_main, src);

        src->thread_started = rc == 0;
        return rc == 0 ? ST_OK : ST_INTERNAL;
}

/* ---- construction ---------------------------------------------------------------- */

static struct key_source *
source_alloc(const struct key_source_opts *o)
{
        struct key_source *src = calloc(1, sizeof(*src));

        if (!src)
                return NULL;
        src->alg = o->alg;
        src->refetch_min_s = o->refetch_min_s;
        src->refresh_s = o->refresh_s > 0 ? o->refresh_s : 3600;
        src->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 3000;
        pthread_rwlock_init(&src->cur_lock, NULL);
        pthread_mutex_init(&src->mu, NULL);
        thread_cond_init(&src->cond);
        if (o->issuer) {
                src->issuer = strdup(o->issuer);
                if (!src->issuer) {
                        key_source_free(src);
                        return NULL;
                }
        }
        return src;
}

/* The first fetches: a fault of configuration stops the start, an outage does not. */
static int
source_start(struct key_source *src, unsigned attempts, char *err, size_t errlen)
{
        char why[URL_MAX + 128] = "";
        unsigned i, delay = 1;
        int rc = ST_UNAVAILABLE;

        for (i = 0; i < (attempts > 0 ? attempts : 1); i++) {
                if (i > 0) {
                        log_warn("jwks: start: trying again in %u s", delay);
                        nanosleep(&(struct timespec){ (time_t)delay, 0 }, NULL);
                        delay *= 2;
                }
                rc = source_fetch_limited(src, 0, why, sizeof(why));
                if (rc != ST_UNAVAILABLE)
                        break;
        }
        if (rc == ST_INVALID || rc == ST_NOMEM)
                return errf(err, errlen, ST_INVALID, "TANDEM_OIDC_ISSUER: %s", why);
        if (rc != ST_OK)
                log_warn("jwks: %s; starting without keys, fetching in the background", why);
        return fetcher_start(src) == ST_OK
               ? ST_OK : errf(err, errlen, ST_INTERNAL, "jwks: cannot start the fetcher");
}

int
key_source_new(const struct key_source_opts *o, struct key_source **out,
               char *err, size_t errlen)
{
        struct key_source *src = NULL;
        struct key_set *ks = NULL;
        int rc;

        if (!o || !out || (o->alg != JWT_ALG_RS256 && o->alg != JWT_ALG_ES256))
                return errf(err, errlen, ST_INVALID, "jwks: RS256 or ES256 only");
        if ((!o->jwks_file || !*o->jwks_file) && (!o->issuer || !*o->issuer))
                return errf(err, errlen, ST_INVALID,
                            "TANDEM_JWKS_FILE: required for %s (or TANDEM_OIDC_ISSUER)",
                            alg_name(o->alg));
        src = source_alloc(o);
        if (!src)
                return errf(err, errlen, ST_NOMEM, "jwks: out of memory");
        if (o->issuer && *o->issuer) {
                rc = source_start(src, o->start_attempts, err, errlen);
        } else {
                rc = set_from_file(o->jwks_file, o->alg, &ks, err, errlen);
                if (rc == ST_OK)
                        source_install(src, ks);
        }
        if (rc == ST_OK) {
                *out = src;
                src = NULL;
        }
        key_source_free(src);
        return rc;
}

void
key_source_free(struct key_source *src)
{
        if (!src)
                return;
        if (src->thread_started) {
                pthread_mutex_lock(&src->mu);
                src->stop = true;
                pthread_cond_broadcast(&src->cond);
                pthread_mutex_unlock(&src->mu);
                pthread_join(src->thread, NULL);
        }
        key_set_unref(src->cur);
        pthread_cond_destroy(&src->cond);
        pthread_mutex_destroy(&src->mu);
        pthread_rwlock_destroy(&src->cur_lock);
        free(src->issuer);
        free(src);
}
