/*
 * auth.c - bearer token verification with OpenSSL and jansson.
 *
 * auth_verify() splits the compact JWS, checks the header against the
 * configured algorithm (never the other way round), picks the key, checks the
 * signature and only then parses and checks the claims.  libjwt is not used:
 * version 1.10 refuses typ at+jwt, accepts empty keys and lets the token choose
 * its algorithm.
 *
 * The verifier is read-only after auth_verifier_new(), so auth_verify() runs
 * on many threads at once; per-call OpenSSL state is made and freed per call.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "auth.h"
#include "b64.h"
#include "claims.h"
#include "jwks.h"
#include "status.h"

/* Identity provider tokens with group claims (Entra ID, Okta) pass 8 KB; the
 * gateway takes header lines up to 64 KB, libmicrohttpd's 32 KB connection
 * memory bounds a request's headers here. */
#define TOKEN_MAX_BYTES 32768
#define SECRET_MIN_BYTES 32
#define P256_COORD_BYTES 32
#define HS256_MAC_BYTES 32
#define SUBJECT_MAX_BYTES 255
#define SCIM_SUBJECT "scim-client"

struct auth_verifier {
        enum jwt_alg alg;
        EVP_MD *sha256;                 /* fetched once, not on every call */
        EVP_MAC_CTX *hmac;              /* HS256: keyed template, dup'd per call */
        struct key_source *keys;        /* RS256, ES256 */
        char *issuer;
        char *audience;
        unsigned leeway_s;
        char *roles_claim;
        char *email_claim;
        char *subject_claim;
        struct role_map role_map;       /* empty: Tandem's role names as they are */
        unsigned char scim_token_sha256[32];
        bool has_scim_token;
        char *scim_client_ids;          /* NULL: no SCIM client by client id */
};

/* A compact JWS split into its parts; the claims are parsed last. */
struct jws {
        const char *token;
        size_t signing_len;             /* bytes of "header.payload" */
        const char *payload;            /* base64url, not NUL-terminated */
        size_t payload_len;
        json_t *j_header;
        json_t *j_claims;
        unsigned char *sig;
        size_t sig_len;
};

#define JWS_INIT { NULL, 0, NULL, 0, NULL, NULL, NULL, 0 }

static const struct {
        const char *name;
        unsigned bit;
} role_table[] = {
        { "admin", ROLE_ADMIN },
        { "mentor", ROLE_MENTOR },
        { "partner", ROLE_PARTNER },
        { "comms", ROLE_COMMS },
        { "viewer", ROLE_VIEWER },
        { "service", ROLE_SERVICE },
};

#define ROLE_COUNT (sizeof(role_table) / sizeof(role_table[0]))

unsigned
role_from_name(const char *name)
{
        size_t i;

        if (!name)
                return 0;
        for (i = 0; i < ROLE_COUNT; i++)
                if (strcmp(role_table[i].name, name) == 0)
                        return role_table[i].bit;
        return 0;
}

const char *
role_name(unsigned role)
{
        size_t i;

        for (i = 0; i < ROLE_COUNT; i++)
                if (role_table[i].bit == role)
                        return role_table[i].name;
        return NULL;
}

void
principal_release(struct principal *who)
{
        if (!who)
                return;
        json_decref(who->j_claims);
        who->j_claims = NULL;
}

static const char *
alg_name(enum jwt_alg alg)
{
        switch (alg) {
        case JWT_ALG_HS256:
                return "HS256";
        case JWT_ALG_RS256:
                return "RS256";
        case JWT_ALG_ES256:
                return "ES256";
        }
        return NULL;
}

static int errf(char *err, size_t errlen, int rc, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* Writes a message into @err (when there is room) and returns @rc. */
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

/* Decodes a base64url segment holding a JSON object; returns a new reference. */
static json_t *
segment_json(const char *seg, size_t len)
{
        unsigned char *buf = NULL;
        json_t *j = NULL;
        size_t n;

        if (b64url_decode(seg, len, &buf, &n) != ST_OK)
                goto out;
        j = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES, NULL);
        if (j && !json_is_object(j)) {
                json_decref(j);
                j = NULL;
        }
out:
        free(buf);
        return j;
}

/* ---- HMAC --------------------------------------------------------------- */

/* Returns a new HMAC-SHA256 context keyed with @key, to be dup'd per use. */
static EVP_MAC_CTX *
hmac_template_new(const void *key, size_t len)
{
        char digest[] = "SHA256";
        OSSL_PARAM params[] = {
                OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                OSSL_PARAM_construct_end(),
        };
        EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
        EVP_MAC_CTX *ctx = NULL;

        if (!mac)
                goto out;
        ctx = EVP_MAC_CTX_new(mac);
        if (ctx && EVP_MAC_init(ctx, key, len, params) != 1) {
                EVP_MAC_CTX_free(ctx);
                ctx = NULL;
        }
out:
        EVP_MAC_free(mac);
        return ctx;
}

/* Computes HMAC-SHA256 of @data with the key of @tmpl.  Returns 1 on success. */
static int
hmac_sha256(const EVP_MAC_CTX *tmpl, const void *data, size_t len,
            unsigned char mac[HS256_MAC_BYTES])
{
        EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(tmpl);
        size_t mac_len = 0;
        int ok = 0;

        if (!ctx)
                goto out;
        if (EVP_MAC_update(ctx, data, len) != 1)
                goto out;
        if (EVP_MAC_final(ctx, mac, &mac_len, HS256_MAC_BYTES) != 1)
                goto out;
        ok = mac_len == HS256_MAC_BYTES;
out:
        EVP_MAC_CTX_free(ctx);
        return ok;
}

/* ---- the verifier ------------------------------------------------------- */

void
auth_verifier_free(struct auth_verifier *v)
{
        if (!v)
                return;
        EVP_MD_free(v->sha256);
        EVP_MAC_CTX_free(v->hmac);
        key_source_free(v->keys);
        free(v->issuer);
        free(v->audience);
        free(v->roles_claim);
        free(v->email_claim);
        free(v->subject_claim);
        role_map_release(&v->role_map);
        free(v->scim_client_ids);
        OPENSSL_cleanse(v->scim_token_sha256, sizeof(v->scim_token_sha256));
        free(v);
}

/* Copies @s, or @fallback when @s is NULL or empty, into *@out. */
static int
dup_or_default(char **out, const char *s, const char *fallback)
{
        *out = strdup(s && *s ? s : fallback);
        return *out ? ST_OK : ST_NOMEM;
}

/* Copies the claim checks of @cfg into @v. */
static int
verifier_claims_init(struct auth_verifier *v, const struct config *cfg,
                     char *err, size_t errlen)
{
        if (!cfg->jwt_issuer || !*cfg->jwt_issuer)
                return errf(err, errlen, ST_INVALID, "TANDEM_JWT_ISSUER: required");
        if (!cfg->jwt_audience || !*cfg->jwt_audience)
                return errf(err, errlen, ST_INVALID, "TANDEM_JWT_AUDIENCE: required");
        v->leeway_s = cfg->jwt_leeway_s;
        if (dup_or_default(&v->issuer, cfg->jwt_issuer, "") != ST_OK ||
            dup_or_default(&v->audience, cfg->jwt_audience, "") != ST_OK ||
            dup_or_default(&v->roles_claim, cfg->roles_claim, "roles") != ST_OK ||
            dup_or_default(&v->email_claim, cfg->email_claim, "email") != ST_OK ||
            dup_or_default(&v->subject_claim, cfg->subject_claim, "sub") != ST_OK)
                return errf(err, errlen, ST_NOMEM, "auth: out of memory");
        if (cfg->role_map && role_map_parse(cfg->role_map, &v->role_map, err, errlen) != ST_OK)
                return ST_INVALID;
        return ST_OK;
}

/* The SCIM client: a static token (kept as its SHA-256 only), or client ids. */
static int
verifier_scim_init(struct auth_verifier *v, const struct config *cfg, char *err, size_t errlen)
{
        unsigned int len = 0;

        if (cfg->scim_token) {
                if (EVP_Digest(cfg->scim_token, strlen(cfg->scim_token), v->scim_token_sha256,
                               &len, v->sha256, NULL) != 1 || len != 32)
                        return errf(err, errlen, ST_INTERNAL, "auth: SHA256 not available");
                v->has_scim_token = true;
        }
        if (cfg->scim_client_ids && !(v->scim_client_ids = strdup(cfg->scim_client_ids)))
                return errf(err, errlen, ST_NOMEM, "auth: out of memory");
        return ST_OK;
}

/* Keys @v for HS256 with @secret, which must be long enough. */
static int
verifier_hs256_init(struct auth_verifier *v, const char *secret, char *err, size_t errlen)
{
        size_t len = secret ? strlen(secret) : 0;

        if (len < SECRET_MIN_BYTES)
                return errf(err, errlen, ST_INVALID,
                            "TANDEM_JWT_SECRET: must be at least %d bytes", SECRET_MIN_BYTES);
        v->hmac = hmac_template_new(secret, len);
        if (!v->hmac)
                return errf(err, errlen, ST_INTERNAL, "auth: cannot set up HMAC-SHA256");
        return ST_OK;
}

/* The public keys: a JWKS file, or the OpenID Connect provider's. */
static int
verifier_keys_source(struct auth_verifier *v, const struct config *cfg,
                     char *err, size_t errlen)
{
        struct key_source_opts o = {
                .alg = cfg->jwt_alg,
                .jwks_file = cfg->jwks_file,
                .issuer = cfg->oidc_issuer,
                .refetch_min_s = cfg->jwks_refetch_s,
                .refresh_s = cfg->jwks_refresh_s,
                .timeout_ms = cfg->client_timeout_ms,
                .start_attempts = 3,
        };

        return key_source_new(&o, &v->keys, err, errlen);
}

/* Sets up the signature check of @v for the algorithm of @cfg. */
static int
verifier_keys_init(struct auth_verifier *v, const struct config *cfg,
                   char *err, size_t errlen)
{
        v->alg = cfg->jwt_alg;
        v->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
        if (!v->sha256)
                return errf(err, errlen, ST_INTERNAL, "auth: SHA256 not available");
        switch (cfg->jwt_alg) {
        case JWT_ALG_HS256:
                return verifier_hs256_init(v, cfg->jwt_secret, err, errlen);
        case JWT_ALG_RS256:
        case JWT_ALG_ES256:
                return verifier_keys_source(v, cfg, err, errlen);
        }
        return errf(err, errlen, ST_INVALID, "TANDEM_JWT_ALG: unsupported algorithm");
}

int
auth_verifier_new(const struct config *cfg, struct auth_verifier **out,
                  char *err, size_t errlen)
{
        struct auth_verifier *v = NULL;
        int rc;

        if (!cfg || !out)
                return errf(err, errlen, ST_INVALID, "auth: no configuration");
        v = calloc(1, sizeof(*v));
        if (!v) {
                rc = errf(err, errlen, ST_NOMEM, "auth: out of memory");
                goto out;
        }
        rc = verifier_claims_init(v, cfg, err, errlen);
        if (rc != ST_OK)
                goto out;
        rc = verifier_keys_init(v, cfg, err, errlen);
        if (rc == ST_OK)
                rc = verifier_scim_init(v, cfg, err, errlen);
        if (rc != ST_OK)
                goto out;
        *out = v;
        v = NULL;
out:
        auth_verifier_free(v);
        return rc;
}

/* ---- verification ------------------------------------------------------- */

static void
jws_release(struct jws *jws)
{
        json_decref(jws->j_header);
        json_decref(jws->j_claims);
        free(jws->sig);
}

/*
 * Splits @token into @jws, decoding the header and the signature.  Returns
 * NULL on success, else a short reason.
 */
static const char *
jws_parse(const char *token, struct jws *jws)
{
        const char *dot1, *dot2, *sig;
        size_t len;

        if (!token || !*token)
                return "missing token";
        len = strnlen(token, TOKEN_MAX_BYTES + 1);
        if (len > TOKEN_MAX_BYTES)
                return "malformed token";
        dot1 = memchr(token, '.', len);
        if (!dot1)
                return "malformed token";
        dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token));
        if (!dot2)
                return "malformed token";
        sig = dot2 + 1;
        if (memchr(sig, '.', len - (size_t)(sig - token)))
                return "malformed token";
        jws->token = token;
        jws->signing_len = (size_t)(dot2 - token);
        jws->payload = dot1 + 1;
        jws->payload_len = (size_t)(dot2 - jws->payload);
        jws->j_header = segment_json(token, (size_t)(dot1 - token));
        if (!jws->j_header)
                return "malformed token";
        if (b64url_decode(sig, len - (size_t)(sig - token), &jws->sig, &jws->sig_len) != ST_OK)
                return "malformed token";
        return NULL;
}

/* Returns 1 when typ is absent or one of the JWT media types we accept. */
static int
typ_accepted(const json_t *j_typ)
{
        static const char *const accepted[] = { "JWT", "at+jwt", "application/at+jwt" };
        const char *typ;
        size_t i;

        if (!j_typ)
                return 1;
        typ = json_plain_string(j_typ);
        if (!typ)
                return 0;
        for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
                if (strcasecmp(typ, accepted[i]) == 0)
                        return 1;
        return 0;
}

/* Checks the JOSE header against the configuration.  Returns NULL or a reason. */
static const char *
header_check(const struct auth_verifier *v, const json_t *j_header)
{
        const json_t *j_kid = json_object_get(j_header, "kid");

        if (!json_string_equals(json_object_get(j_header, "alg"), alg_name(v->alg)))
                return "algorithm not accepted";
        if (!typ_accepted(json_object_get(j_header, "typ")))
                return "unsupported token type";
        /* We understand no header extension, so any critical one is refused. */
        if (json_object_get(j_header, "crit"))
                return "unsupported token type";
        if (j_kid && !json_plain_string(j_kid))
                return "malformed token";
        return NULL;
}

/* Verifies @sig over the signing input of @jws with @pkey.  Returns 1 if valid. */
static int
digest_verify(const struct auth_verifier *v, EVP_PKEY *pkey, const struct jws *jws,
              const unsigned char *sig, size_t sig_len)
{
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        int ok = 0;

        if (!ctx)
                goto out;
        if (EVP_DigestVerifyInit(ctx, NULL, v->sha256, NULL, pkey) != 1)
                goto out;
        ok = EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *)jws->token,
                              jws->signing_len) == 1;
out:
        EVP_MD_CTX_free(ctx);
        return ok;
}

/*
 * Converts a JOSE ES256 signature (r || s, 32 bytes each) into DER in a new
 * OpenSSL buffer *@der.  Returns the DER length, or <= 0 on failure.
 */
static int
es256_raw_to_der(const unsigned char *raw, unsigned char **der)
{
        ECDSA_SIG *sig = ECDSA_SIG_new();
        BIGNUM *r = BN_bin2bn(raw, P256_COORD_BYTES, NULL);
        BIGNUM *s = BN_bin2bn(raw + P256_COORD_BYTES, P256_COORD_BYTES, NULL);
        int len = -1;

        if (!sig || !r || !s)
                goto out;
        if (ECDSA_SIG_set0(sig, r, s) != 1)
                goto out;
        r = NULL;               /* owned by sig now */
        s = NULL;
        len = i2d_ECDSA_SIG(sig, der);
out:
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(sig);
        return len;
}

static int
es256_verify(const struct auth_verifier *v, EVP_PKEY *pkey, const struct jws *jws)
{
        unsigned char *der = NULL;
        int der_len, ok = 0;

        if (jws->sig_len != 2 * P256_COORD_BYTES)
                return 0;
        der_len = es256_raw_to_der(jws->sig, &der);
        if (der_len > 0)
                ok = digest_verify(v, pkey, jws, der, (size_t)der_len);
        OPENSSL_free(der);
        return ok;
}

static int
hs256_verify(const struct auth_verifier *v, const struct jws *jws)
{
        unsigned char mac[HS256_MAC_BYTES];

        if (jws->sig_len != HS256_MAC_BYTES)
                return 0;
        if (!hmac_sha256(v->hmac, jws->token, jws->signing_len, mac))
                return 0;
        return CRYPTO_memcmp(mac, jws->sig, HS256_MAC_BYTES) == 0;
}

/* Checks the signature of @jws with the key @kid of @ks.  Returns -1 without that key. */
static int
pkey_check(const struct auth_verifier *v, const struct key_set *ks, const char *kid,
           const struct jws *jws)
{
        EVP_PKEY *pkey = key_set_find(ks, kid);

        if (!pkey)
                return -1;
        if (v->alg == JWT_ALG_ES256)
                return es256_verify(v, pkey, jws);
        return digest_verify(v, pkey, jws, jws->sig, jws->sig_len);
}

/*
 * Checks with the provider's current keys; a key id we do not hold, or a
 * signature that the key of that id does not verify (a provider that rotated
 * a key under the same kid), makes the source fetch again (rate-limited, one
 * fetch per refetch interval whatever the reason) and the check run once more.
 */
static int
public_key_check(const struct auth_verifier *v, const char *kid, const struct jws *jws)
{
        struct key_set *ks = key_source_get(v->keys);
        int ok = pkey_check(v, ks, kid, jws);

        key_set_unref(ks);
        if (ok > 0 || key_source_refetch(v->keys) != ST_OK)
                return ok;
        ks = key_source_get(v->keys);
        ok = pkey_check(v, ks, kid, jws);
        key_set_unref(ks);
        return ok;
}

/* Picks the key and checks the signature.  Returns NULL or a reason. */
static const char *
signature_check(const struct auth_verifier *v, const struct jws *jws)
{
        const char *kid = json_string_value(json_object_get(jws->j_header, "kid"));
        int ok;

        if (v->alg == JWT_ALG_HS256)
                ok = hs256_verify(v, jws);
        else
                ok = public_key_check(v, kid, jws);
        /* A failed check leaves errors queued on this thread: drop them. */
        ERR_clear_error();
        if (ok < 0)
                return "unknown key id";
        return ok ? NULL : "bad signature";
}

/* Checks exp (required), nbf and iat with the leeway.  Returns NULL or a reason. */
static const char *
time_check(const struct auth_verifier *v, const json_t *j_claims, time_t now)
{
        const json_t *j_exp = json_object_get(j_claims, "exp");
        const json_t *j_nbf = json_object_get(j_claims, "nbf");
        const json_t *j_iat = json_object_get(j_claims, "iat");
        double t = (double)now;
        double leeway = (double)v->leeway_s;

        if (!j_exp)
                return "missing expiry";
        if (!json_is_number(j_exp) || (j_nbf && !json_is_number(j_nbf)) ||
            (j_iat && !json_is_number(j_iat)))
                return "malformed token";
        if (t > json_number_value(j_exp) + leeway)
                return "token expired";
        if (j_nbf && t + leeway < json_number_value(j_nbf))
                return "token not yet valid";
        if (j_iat && t + leeway < json_number_value(j_iat))
                return "token issued in the future";
        return NULL;
}

/* Returns 1 when aud is @want or an array holding it. */
static int
audience_ok(const json_t *j_aud, const char *want)
{
        const json_t *j_item;
        size_t i;

        if (!json_is_array(j_aud))
                return json_string_equals(j_aud, want);
        json_array_foreach(j_aud, i, j_item)
                if (json_string_equals(j_item, want))
                        return 1;
        return 0;
}

/* Returns the subject when it is a non-empty string of at most 255 bytes, else NULL. */
static const char *
subject_of(const struct auth_verifier *v, const json_t *j_claims)
{
        const char *sub = json_plain_string(claim_get(j_claims, v->subject_claim));

        if (!sub || !*sub || strlen(sub) > SUBJECT_MAX_BYTES)
                return NULL;
        return sub;
}

/* Parses the claims of @jws and checks them.  Returns NULL or a reason. */
static const char *
claims_check(const struct auth_verifier *v, struct jws *jws, time_t now)
{
        const char *reason;

        jws->j_claims = segment_json(jws->payload, jws->payload_len);
        if (!jws->j_claims)
                return "malformed token";
        reason = time_check(v, jws->j_claims, now);
        if (reason)
                return reason;
        if (!json_string_equals(json_object_get(jws->j_claims, "iss"), v->issuer))
                return "wrong issuer";
        if (!audience_ok(json_object_get(jws->j_claims, "aud"), v->audience))
                return "wrong audience";
        if (!subject_of(v, jws->j_claims))
                return "missing subject";
        return NULL;
}

/* Fills @who from the checked claims of @jws, taking them over. */
static void
principal_fill(const struct auth_verifier *v, struct jws *jws, struct principal *who)
{
        struct principal p = PRINCIPAL_INIT;
        const char *sub = subject_of(v, jws->j_claims);
        const char *email = json_plain_string(claim_get(jws->j_claims, v->email_claim));

        memcpy(p.subject, sub, strlen(sub) + 1);
        if (email && strlen(email) < sizeof(p.email))
                memcpy(p.email, email, strlen(email) + 1);
        /* the dedicated SCIM client is that and nothing else, whatever it claims */
        if (v->scim_client_ids && id_in_list(v->scim_client_ids, claim_client_id(jws->j_claims)))
                p.roles = ROLE_SCIM;
        else
                p.roles = claim_roles(claim_get(jws->j_claims, v->roles_claim), &v->role_map)
                          & ~(unsigned)ROLE_SCIM;
        p.j_claims = jws->j_claims;
        jws->j_claims = NULL;
        *who = p;
}

/*
 * The static SCIM token (never a JWT: it has no dot).  Returns 1 and fills
 * @who when @token is it, compared in constant time through its SHA-256.
 */
static int
scim_token_match(const struct auth_verifier *v, const char *token, struct principal *who)
{
        unsigned char md[32];
        unsigned int len = 0;
        size_t n;

        if (!v->has_scim_token || !token)
                return 0;
        n = strnlen(token, TOKEN_MAX_BYTES + 1);
        if (n == 0 || n > TOKEN_MAX_BYTES || memchr(token, '.', n))
                return 0;
        if (EVP_Digest(token, n, md, &len, v->sha256, NULL) != 1 || len != sizeof(md))
                return 0;
        if (CRYPTO_memcmp(md, v->scim_token_sha256, sizeof(md)) != 0)
                return 0;
        *who = (struct principal)PRINCIPAL_INIT;
        memcpy(who->subject, SCIM_SUBJECT, sizeof(SCIM_SUBJECT));
        who->roles = ROLE_SCIM;
        return 1;
}

int
auth_verify(const struct auth_verifier *v, const char *token, time_t now,
            struct principal *who, char *why, size_t whylen)
{
        struct jws jws = JWS_INIT;
        const char *reason = "verifier not configured";

        if (!v || !who)
                goto out;
        reason = NULL;
        if (scim_token_match(v, token, who))
                goto out;
        reason = jws_parse(token, &jws);
        if (reason)
                goto out;
        reason = header_check(v, jws.j_header);
        if (reason)
                goto out;
        reason = signature_check(v, &jws);
        if (reason)
                goto out;
        reason = claims_check(v, &jws, now);
        if (reason)
                goto out;
        principal_fill(v, &jws, who);
out:
        if (reason && why && whylen)
                snprintf(why, whylen, "%s", reason);
        jws_release(&jws);
        return reason ? ST_UNAUTHENTICATED : ST_OK;
}

bool
auth_verifier_ready(const struct auth_verifier *v)
{
        return v && (v->alg == JWT_ALG_HS256 || key_source_ready(v->keys));
}

int
auth_token_endpoint(const struct auth_verifier *v, char *out, size_t outlen)
{
        return v ? key_source_token_endpoint(v->keys, out, outlen) : ST_NOT_FOUND;
}

const char *
auth_bearer_token(const char *header)
{
        const char *p;

        if (!header || strncasecmp(header, "Bearer", 6) != 0 || header[6] != ' ')
                return NULL;
        p = header + 6;
        p += strspn(p, " ");
        return *p ? p : NULL;
}

/* ---- signing ------------------------------------------------------------ */

/* Returns the base64url of the compact JSON of @j, a new malloc'd string. */
static char *
json_b64url(const json_t *j)
{
        char *s = json_dumps(j, JSON_COMPACT);
        char *enc = NULL;

        if (s)
                enc = b64url_encode(s, strlen(s));
        free(s);
        return enc;
}

/* Returns "@h64.@c64.sig", a new malloc'd string, signed with @secret. */
static char *
hs256_compact(const char *h64, const char *c64, const char *secret)
{
        unsigned char mac[HS256_MAC_BYTES];
        size_t hlen = strlen(h64), clen = strlen(c64), slen;
        EVP_MAC_CTX *tmpl = hmac_template_new(secret, strlen(secret));
        char *input = malloc(hlen + 1 + clen + 1);
        char *s64 = NULL, *token = NULL;

        if (!tmpl || !input)
                goto out;
        memcpy(input, h64, hlen);
        input[hlen] = '.';
        memcpy(input + hlen + 1, c64, clen + 1);
        if (!hmac_sha256(tmpl, input, hlen + 1 + clen, mac))
                goto out;
        s64 = b64url_encode(mac, sizeof(mac));
        if (!s64)
                goto out;
        slen = strlen(s64);
        token = malloc(hlen + 1 + clen + 1 + slen + 1);
        if (!token)
                goto out;
        memcpy(token, input, hlen + 1 + clen);
        token[hlen + 1 + clen] = '.';
        memcpy(token + hlen + 1 + clen + 1, s64, slen + 1);
out:
        EVP_MAC_CTX_free(tmpl);
        free(input);
        free(s64);
        return token;
}

char *
auth_sign_hs256(const json_t *j_claims, const char *secret, const char *kid)
{
        json_t *j_header = NULL;
        char *h64 = NULL, *c64 = NULL, *token = NULL;

        if (!json_is_object(j_claims) || !secret || !*secret)
                return NULL;
        j_header = json_pack("{s:s, s:s}", "alg", "HS256", "typ", "JWT");
        if (!j_header)
                goto out;
        if (kid && json_object_set_new(j_header, "kid", json_string(kid)) != 0)
                goto out;
        h64 = json_b64url(j_header);
        c64 = json_b64url(j_claims);
        if (h64 && c64)
                token = hs256_compact(h64, c64, secret);
out:
        json_decref(j_header);
        free(h64);
        free(c64);
        return token;
}
