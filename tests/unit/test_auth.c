/*
 * test_auth.c - unit tests for the token verifier (shared/auth.c).
 *
 * Keys are generated at start (RSA 2048, EC P-256) and published in a JWKS
 * file under /tmp; tokens are signed here with OpenSSL directly, so the
 * verifier is checked against an independent signer and base64url encoder.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "auth.h"
#include "jwks.h"
#include "status.h"

#define ISS "https://issuer.test"
#define AUD "tandem-api"
#define SECRET "0123456789abcdef0123456789abcdef-test"
#define NOW ((time_t)1700000000)
#define LEEWAY 60

#define H_HS256 "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define H_RS256 "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"rsa-1\"}"
#define H_ES256 "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"ec-1\"}"

static EVP_PKEY *g_rsa;
static EVP_PKEY *g_ec;
static char *g_rsa_pem;
static char *g_ec_pem;
static char g_jwks[64];                 /* every key, plus ones to skip */
static char g_jwks_ec_only[64];
static char g_jwks_rsa_only[64];

/* ---- signing helpers, independent of shared/b64.c ------------------------ */

static char *
t_b64url(const void *data, size_t len)
{
        char *out = malloc(4 * ((len + 2) / 3) + 1);
        int n;
        int i;

        ck_assert_ptr_nonnull(out);
        n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
        while (n > 0 && out[n - 1] == '=')
                n--;
        out[n] = '\0';
        for (i = 0; i < n; i++) {
                if (out[i] == '+')
                        out[i] = '-';
                else if (out[i] == '/')
                        out[i] = '_';
        }
        return out;
}

/* Returns "@a.@b" (a new string); frees neither. */
static char *
t_dot(const char *a, const char *b)
{
        size_t alen = strlen(a), blen = strlen(b);
        char *s = malloc(alen + 1 + blen + 1);

        ck_assert_ptr_nonnull(s);
        memcpy(s, a, alen);
        s[alen] = '.';
        memcpy(s + alen + 1, b, blen + 1);
        return s;
}

/* Returns b64url(@header).b64url(@claims). */
static char *
t_input(const char *header, const char *claims)
{
        char *h64 = t_b64url(header, strlen(header));
        char *c64 = t_b64url(claims, strlen(claims));
        char *s = t_dot(h64, c64);

        free(h64);
        free(c64);
        return s;
}

/* Appends ".b64url(@sig)" to @input, which it frees. */
static char *
t_finish(char *input, const unsigned char *sig, size_t sig_len)
{
        char *s64 = t_b64url(sig, sig_len);
        char *token = t_dot(input, s64);

        free(s64);
        free(input);
        return token;
}

/* Signs the ready signing input @input (freed) with HMAC-SHA256. */
static char *
t_hmac_input(char *input, const void *key, size_t keylen)
{
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned mac_len = 0;

        ck_assert_ptr_nonnull(HMAC(EVP_sha256(), key, (int)keylen, (unsigned char *)input,
                                   strlen(input), mac, &mac_len));
        return t_finish(input, mac, mac_len);
}

static char *
t_sign_hmac(const char *header, const char *claims, const void *key, size_t keylen)
{
        return t_hmac_input(t_input(header, claims), key, keylen);
}

/* Converts a DER ECDSA signature into JOSE's r || s. */
static void
t_der_to_raw(const unsigned char *der, size_t der_len, unsigned char raw[64])
{
        const unsigned char *p = der;
        ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
        const BIGNUM *r = NULL, *s = NULL;

        ck_assert_ptr_nonnull(sig);
        ECDSA_SIG_get0(sig, &r, &s);
        ck_assert_int_eq(BN_bn2binpad(r, raw, 32), 32);
        ck_assert_int_eq(BN_bn2binpad(s, raw + 32, 32), 32);
        ECDSA_SIG_free(sig);
}

/* Signs with @pkey; @raw_ecdsa turns the DER signature into r || s. */
static char *
t_sign_pkey(const char *header, const char *claims, EVP_PKEY *pkey, int raw_ecdsa)
{
        char *input = t_input(header, claims);
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        unsigned char sig[512], raw[64];
        size_t sig_len = sizeof(sig);

        ck_assert_ptr_nonnull(ctx);
        ck_assert_int_eq(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey), 1);
        ck_assert_int_eq(EVP_DigestSign(ctx, sig, &sig_len, (unsigned char *)input,
                                        strlen(input)), 1);
        EVP_MD_CTX_free(ctx);
        if (!raw_ecdsa)
                return t_finish(input, sig, sig_len);
        t_der_to_raw(sig, sig_len, raw);
        return t_finish(input, raw, sizeof(raw));
}

static char *
t_sign(enum jwt_alg alg, const char *header, const char *claims)
{
        switch (alg) {
        case JWT_ALG_HS256:
                return t_sign_hmac(header, claims, SECRET, strlen(SECRET));
        case JWT_ALG_RS256:
                return t_sign_pkey(header, claims, g_rsa, 0);
        case JWT_ALG_ES256:
                return t_sign_pkey(header, claims, g_ec, 1);
        }
        return NULL;
}

static const char *
t_header(enum jwt_alg alg)
{
        return alg == JWT_ALG_HS256 ? H_HS256 : alg == JWT_ALG_RS256 ? H_RS256 : H_ES256;
}

/* The claims of a good token at NOW; a new reference. */
static json_t *
t_claims(void)
{
        json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:I, s:[sss], s:s}",
                              "iss", ISS, "aud", AUD, "sub", "user-42",
                              "iat", (json_int_t)NOW, "exp", (json_int_t)NOW + 600,
                              "roles", "admin", "mentor", "bogus",
                              "email", "ada@example.test");

        ck_assert_ptr_nonnull(j);
        return j;
}

/* Signs @j_claims (stolen) for @alg under @header. */
static char *
t_token_h(enum jwt_alg alg, const char *header, json_t *j_claims)
{
        char *claims = json_dumps(j_claims, JSON_COMPACT);
        char *token;

        ck_assert_ptr_nonnull(claims);
        token = t_sign(alg, header, claims);
        free(claims);
        json_decref(j_claims);
        return token;
}

static char *
t_token(enum jwt_alg alg, json_t *j_claims)
{
        return t_token_h(alg, t_header(alg), j_claims);
}

/* ---- verifier helpers ---------------------------------------------------- */

static void
t_config(struct config *cfg, enum jwt_alg alg)
{
        memset(cfg, 0, sizeof(*cfg));
        cfg->jwt_alg = alg;
        cfg->jwt_secret = SECRET;
        cfg->jwks_file = g_jwks;
        cfg->jwt_issuer = ISS;
        cfg->jwt_audience = AUD;
        cfg->jwt_leeway_s = LEEWAY;
        cfg->roles_claim = "roles";
        cfg->email_claim = "email";
}

static struct auth_verifier *
t_verifier(enum jwt_alg alg)
{
        struct auth_verifier *v = NULL;
        struct config cfg;
        char err[256] = "";

        t_config(&cfg, alg);
        ck_assert_msg(auth_verifier_new(&cfg, &v, err, sizeof(err)) == ST_OK, "%s", err);
        ck_assert_ptr_nonnull(v);
        return v;
}

/* Verifies @token (freed) with a fresh verifier for @alg; fills @who and @why. */
static int
t_verify(enum jwt_alg alg, char *token, struct principal *who, char *why, size_t whylen)
{
        struct auth_verifier *v = t_verifier(alg);
        int rc;

        ck_assert_ptr_nonnull(token);
        rc = auth_verify(v, token, NOW, who, why, whylen);
        auth_verifier_free(v);
        free(token);
        return rc;
}

static void
t_accept(enum jwt_alg alg, char *token)
{
        struct principal who = PRINCIPAL_INIT;
        char why[64] = "";

        ck_assert_msg(t_verify(alg, token, &who, why, sizeof(why)) == ST_OK, "refused: %s", why);
        ck_assert_str_eq(who.subject, "user-42");
        ck_assert_ptr_nonnull(who.j_claims);
        principal_release(&who);
}

static void
t_reject(enum jwt_alg alg, char *token, const char *reason)
{
        struct principal who = PRINCIPAL_INIT;
        char why[64] = "";

        ck_assert_int_eq(t_verify(alg, token, &who, why, sizeof(why)), ST_UNAUTHENTICATED);
        ck_assert_str_eq(why, reason);
        ck_assert_ptr_null(who.j_claims);
        ck_assert_str_eq(who.subject, "");
}

/* Changes the character at @pos of @token to another one; returns @token. */
static char *
t_flip(char *token, size_t pos)
{
        ck_assert_uint_lt(pos, strlen(token));
        token[pos] = token[pos] == 'A' ? 'B' : 'A';
        return token;
}

/* ---- fixture: keys and JWKS files --------------------------------------- */

static char *
t_pem(EVP_PKEY *pkey)
{
        BIO *bio = BIO_new(BIO_s_mem());
        char *data = NULL, *pem;
        long len;

        ck_assert_ptr_nonnull(bio);
        ck_assert_int_eq(PEM_write_bio_PUBKEY(bio, pkey), 1);
        len = BIO_get_mem_data(bio, &data);
        pem = strndup(data, (size_t)len);
        ck_assert_ptr_nonnull(pem);
        BIO_free(bio);
        return pem;
}

static char *
t_bn_b64url(EVP_PKEY *pkey, const char *param)
{
        unsigned char buf[512];
        BIGNUM *bn = NULL;
        int len;

        ck_assert_int_eq(EVP_PKEY_get_bn_param(pkey, param, &bn), 1);
        len = BN_bn2bin(bn, buf);
        BN_free(bn);
        return t_b64url(buf, (size_t)len);
}

/* An RSA JWK of g_rsa; @alg NULL leaves the member out. */
static json_t *
t_rsa_jwk(const char *kid, const char *use, const char *alg)
{
        char *n = t_bn_b64url(g_rsa, OSSL_PKEY_PARAM_RSA_N);
        char *e = t_bn_b64url(g_rsa, OSSL_PKEY_PARAM_RSA_E);
        json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kty", "RSA", "kid", kid,
                              "use", use, "n", n, "e", e);

        ck_assert_ptr_nonnull(j);
        if (alg)
                json_object_set_new(j, "alg", json_string(alg));
        free(n);
        free(e);
        return j;
}

static json_t *
t_ec_jwk(const char *kid)
{
        unsigned char pub[65];
        size_t len = 0;
        char *x, *y;
        json_t *j;

        ck_assert_int_eq(EVP_PKEY_get_octet_string_param(g_ec, OSSL_PKEY_PARAM_PUB_KEY, pub,
                                                         sizeof(pub), &len), 1);
        ck_assert_uint_eq(len, 65);
        ck_assert_uint_eq(pub[0], 4);
        x = t_b64url(pub + 1, 32);
        y = t_b64url(pub + 33, 32);
        j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "kid", kid, "use", "sig",
                      "crv", "P-256", "x", x, "y", y);
        ck_assert_ptr_nonnull(j);
        free(x);
        free(y);
        return j;
}

/* Writes {"keys": @j_keys (stolen)} to a new temporary file named in @path. */
static void
t_write_jwks(char path[64], json_t *j_keys)
{
        json_t *j = json_pack("{s:o}", "keys", j_keys);
        int fd;

        snprintf(path, 64, "/tmp/test_auth_jwks_XXXXXX");
        fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(json_dumpfd(j, fd, JSON_INDENT(2)), 0);
        close(fd);
        json_decref(j);
}

static void
keys_setup(void)
{
        g_rsa = EVP_RSA_gen(2048);
        g_ec = EVP_EC_gen("P-256");
        ck_assert_ptr_nonnull(g_rsa);
        ck_assert_ptr_nonnull(g_ec);
        g_rsa_pem = t_pem(g_rsa);
        g_ec_pem = t_pem(g_ec);
        /* rsa-enc and rsa-512 are the same key, to be skipped for use and alg. */
        t_write_jwks(g_jwks, json_pack("[oooo{s:s, s:s}]",
                                       t_rsa_jwk("rsa-1", "sig", "RS256"),
                                       t_rsa_jwk("rsa-enc", "enc", NULL),
                                       t_rsa_jwk("rsa-512", "sig", "RS512"),
                                       t_ec_jwk("ec-1"),
                                       "kty", "oct", "k", "c2VjcmV0"));
        t_write_jwks(g_jwks_ec_only, json_pack("[o]", t_ec_jwk("ec-1")));
        t_write_jwks(g_jwks_rsa_only, json_pack("[o]", t_rsa_jwk("rsa-1", "sig", NULL)));
}

static void
keys_teardown(void)
{
        unlink(g_jwks);
        unlink(g_jwks_ec_only);
        unlink(g_jwks_rsa_only);
        EVP_PKEY_free(g_rsa);
        EVP_PKEY_free(g_ec);
        free(g_rsa_pem);
        free(g_ec_pem);
}

/* ---- accepted tokens ---------------------------------------------------- */

START_TEST(test_hs256_ok_roles_email)
{
        struct principal who = PRINCIPAL_INIT;
        json_t *j_claims = t_claims();
        char *token = auth_sign_hs256(j_claims, SECRET, NULL);
        char why[64] = "";

        json_decref(j_claims);
        ck_assert_int_eq(t_verify(JWT_ALG_HS256, token, &who, why, sizeof(why)), ST_OK);
        ck_assert_str_eq(who.subject, "user-42");
        ck_assert_str_eq(who.email, "ada@example.test");
        ck_assert_uint_eq(who.roles, ROLE_ADMIN | ROLE_MENTOR);
        ck_assert_str_eq(json_string_value(json_object_get(who.j_claims, "iss")), ISS);
        principal_release(&who);
        ck_assert_ptr_null(who.j_claims);
}
END_TEST

START_TEST(test_roles_space_separated)
{
        struct principal who = PRINCIPAL_INIT;
        json_t *j_claims = t_claims();
        char why[64] = "";

        json_object_set_new(j_claims, "roles", json_string("  viewer comms  nobody service"));
        json_object_del(j_claims, "email");
        ck_assert_int_eq(t_verify(JWT_ALG_HS256, t_token(JWT_ALG_HS256, j_claims), &who, why,
                                  sizeof(why)), ST_OK);
        ck_assert_uint_eq(who.roles, ROLE_VIEWER | ROLE_COMMS | ROLE_SERVICE);
        ck_assert_str_eq(who.email, "");
        principal_release(&who);
}
END_TEST

/* A provider token with many group claims: 20 KB is read (beyond 32 KB is
 * refused: test_missing_and_huge_token). */
static char *
t_token_padded(size_t groups)
{
        json_t *j_claims = t_claims(), *j_groups = json_array();
        char name[48];

        for (size_t i = 0; i < groups; i++) {
                snprintf(name, sizeof(name), "group-%05zu-0123456789abcdef", i);
                json_array_append_new(j_groups, json_string(name));
        }
        json_object_set_new(j_claims, "groups", j_groups);
        return t_token(JWT_ALG_HS256, j_claims);
}

START_TEST(test_large_token)
{
        struct principal who = PRINCIPAL_INIT;
        char why[64] = "";
        char *big = t_token_padded(500);

        ck_assert_uint_gt(strlen(big), 20 * 1024);
        ck_assert_uint_lt(strlen(big), 32 * 1024);
        ck_assert_int_eq(t_verify(JWT_ALG_HS256, big, &who, why, sizeof(why)), ST_OK);
        ck_assert_str_eq(who.subject, "user-42");
        principal_release(&who);
}
END_TEST

START_TEST(test_rs256_ok)
{
        t_accept(JWT_ALG_RS256, t_token(JWT_ALG_RS256, t_claims()));
}
END_TEST

START_TEST(test_rs256_no_kid_single_key)
{
        /* rsa-enc and rsa-512 are skipped, so rsa-1 is the only RS256 key. */
        t_accept(JWT_ALG_RS256, t_token_h(JWT_ALG_RS256, "{\"alg\":\"RS256\"}", t_claims()));
}
END_TEST

START_TEST(test_es256_ok)
{
        t_accept(JWT_ALG_ES256, t_token(JWT_ALG_ES256, t_claims()));
}
END_TEST

START_TEST(test_at_jwt_rs256)
{
        t_accept(JWT_ALG_RS256, t_token_h(JWT_ALG_RS256,
                 "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"rsa-1\"}", t_claims()));
        t_accept(JWT_ALG_RS256, t_token_h(JWT_ALG_RS256,
                 "{\"alg\":\"RS256\",\"typ\":\"Application/AT+JWT\",\"kid\":\"rsa-1\"}",
                 t_claims()));
}
END_TEST

START_TEST(test_at_jwt_es256)
{
        t_accept(JWT_ALG_ES256, t_token_h(JWT_ALG_ES256,
                 "{\"typ\":\"at+jwt\",\"alg\":\"ES256\",\"kid\":\"ec-1\"}", t_claims()));
}
END_TEST

START_TEST(test_expired_within_leeway)
{
        json_t *j_claims = t_claims();

        json_object_set_new(j_claims, "exp", json_integer(NOW - LEEWAY + 1));
        json_object_set_new(j_claims, "nbf", json_integer(NOW + LEEWAY - 1));
        json_object_set_new(j_claims, "iat", json_integer(NOW + LEEWAY));
        t_accept(JWT_ALG_HS256, t_token(JWT_ALG_HS256, j_claims));
}
END_TEST

START_TEST(test_aud_array)
{
        json_t *j_claims = t_claims();

        json_object_set_new(j_claims, "aud", json_pack("[ss]", "someone-else", AUD));
        t_accept(JWT_ALG_ES256, t_token(JWT_ALG_ES256, j_claims));
        j_claims = t_claims();
        json_object_set_new(j_claims, "aud", json_pack("[ss]", "someone-else", "x"));
        t_reject(JWT_ALG_ES256, t_token(JWT_ALG_ES256, j_claims), "wrong audience");
}
END_TEST

START_TEST(test_sign_hs256_kid)
{
        struct auth_verifier *v = t_verifier(JWT_ALG_HS256);
        struct principal who = PRINCIPAL_INIT;
        json_t *j_claims = t_claims();
        char *token = auth_sign_hs256(j_claims, SECRET, "k1");
        char *dot = strchr(token, '.');
        char *h64 = strndup(token, (size_t)(dot - token));
        const char *header = "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}";
        char *want = t_b64url(header, strlen(header));
        json_t *j_array = json_array();

        ck_assert_str_eq(h64, want);
        ck_assert_int_eq(auth_verify(v, token, NOW, &who, NULL, 0), ST_OK);
        ck_assert_ptr_null(auth_sign_hs256(j_claims, "", NULL));
        ck_assert_ptr_null(auth_sign_hs256(j_array, SECRET, NULL));
        ck_assert_ptr_null(auth_sign_hs256(j_claims, NULL, NULL));
        json_decref(j_array);
        principal_release(&who);
        auth_verifier_free(v);
        json_decref(j_claims);
        free(token);
        free(h64);
        free(want);
}
END_TEST

/* ---- refused algorithms and headers ------------------------------------- */

START_TEST(test_alg_none)
{
        char *input = t_input("{\"alg\":\"none\"}", "{\"sub\":\"x\"}");
        char *token = t_dot(input, "");
        json_t *j_claims = t_claims();
        char *claims = json_dumps(j_claims, JSON_COMPACT);

        t_reject(JWT_ALG_RS256, token, "algorithm not accepted");
        free(input);
        input = t_input("{\"alg\":\"none\",\"typ\":\"JWT\"}", claims);
        t_reject(JWT_ALG_HS256, t_dot(input, ""), "algorithm not accepted");
        t_reject(JWT_ALG_ES256, t_dot(input, ""), "algorithm not accepted");
        free(input);
        free(claims);
        json_decref(j_claims);
}
END_TEST

START_TEST(test_alg_confusion)
{
        json_t *j_claims = t_claims();
        char *claims = json_dumps(j_claims, JSON_COMPACT);

        t_reject(JWT_ALG_RS256,
                 t_sign_hmac("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"rsa-1\"}", claims,
                             g_rsa_pem, strlen(g_rsa_pem)),
                 "algorithm not accepted");
        t_reject(JWT_ALG_ES256,
                 t_sign_hmac("{\"alg\":\"HS256\",\"kid\":\"ec-1\"}", claims, g_ec_pem,
                             strlen(g_ec_pem)),
                 "algorithm not accepted");
        free(claims);
        json_decref(j_claims);
}
END_TEST

START_TEST(test_rs256_when_hs256)
{
        t_reject(JWT_ALG_HS256, t_token(JWT_ALG_RS256, t_claims()), "algorithm not accepted");
        t_reject(JWT_ALG_ES256, t_token(JWT_ALG_RS256, t_claims()), "algorithm not accepted");
}
END_TEST

START_TEST(test_typ_foo)
{
        t_reject(JWT_ALG_HS256, t_token_h(JWT_ALG_HS256, "{\"alg\":\"HS256\",\"typ\":\"foo\"}",
                                          t_claims()), "unsupported token type");
        t_reject(JWT_ALG_HS256, t_token_h(JWT_ALG_HS256, "{\"alg\":\"HS256\",\"typ\":7}",
                                          t_claims()), "unsupported token type");
}
END_TEST

START_TEST(test_crit_header)
{
        t_reject(JWT_ALG_RS256,
                 t_token_h(JWT_ALG_RS256,
                           "{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"crit\":[\"exp\"],\"exp\":1}",
                           t_claims()),
                 "unsupported token type");
}
END_TEST

START_TEST(test_unknown_kid)
{
        t_reject(JWT_ALG_RS256, t_token_h(JWT_ALG_RS256, "{\"alg\":\"RS256\",\"kid\":\"nope\"}",
                                          t_claims()), "unknown key id");
        /* The same key published with use "enc" or alg "RS512" is skipped. */
        t_reject(JWT_ALG_RS256, t_token_h(JWT_ALG_RS256, "{\"alg\":\"RS256\",\"kid\":\"rsa-enc\"}",
                                          t_claims()), "unknown key id");
        t_reject(JWT_ALG_RS256, t_token_h(JWT_ALG_RS256, "{\"alg\":\"RS256\",\"kid\":\"rsa-512\"}",
                                          t_claims()), "unknown key id");
        /* An EC key's kid does not name an RS256 key. */
        t_reject(JWT_ALG_RS256, t_token_h(JWT_ALG_RS256, "{\"alg\":\"RS256\",\"kid\":\"ec-1\"}",
                                          t_claims()), "unknown key id");
}
END_TEST

/* ---- signatures --------------------------------------------------------- */

/* Changes a byte in the middle of the signature of a good @alg token. */
static void
t_reject_flipped(enum jwt_alg alg)
{
        char *token = t_token(alg, t_claims());
        char *sig = strrchr(token, '.') + 1;

        t_reject(alg, t_flip(token, (size_t)(sig - token) + strlen(sig) / 2), "bad signature");
}

START_TEST(test_bad_signature)
{
        t_reject_flipped(JWT_ALG_HS256);
        t_reject_flipped(JWT_ALG_RS256);
        t_reject_flipped(JWT_ALG_ES256);
}
END_TEST

START_TEST(test_tampered_claims)
{
        char *good = t_token(JWT_ALG_ES256, t_claims());
        char *other = t_token(JWT_ALG_ES256, json_pack("{s:s}", "sub", "admin"));
        char *gsig = strrchr(good, '.');
        char *osig = strrchr(other, '.');

        /* other's header and claims with good's signature. */
        *osig = '\0';
        t_reject(JWT_ALG_ES256, t_dot(other, gsig + 1), "bad signature");
        free(good);
        free(other);
}
END_TEST

START_TEST(test_es256_der_signature)
{
        /* A DER signature, as OpenSSL makes it, is not a JOSE signature. */
        t_reject(JWT_ALG_ES256, t_sign_pkey(H_ES256, "{}", g_ec, 0), "bad signature");
}
END_TEST

START_TEST(test_wrong_hs256_secret)
{
        const char *other = "another-secret-another-secret-another";

        t_reject(JWT_ALG_HS256, t_sign_hmac(H_HS256, "{}", other, strlen(other)),
                 "bad signature");
}
END_TEST

/* ---- claims ------------------------------------------------------------- */

START_TEST(test_expired)
{
        json_t *j_claims = t_claims();

        json_object_set_new(j_claims, "exp", json_integer(NOW - LEEWAY - 1));
        t_reject(JWT_ALG_RS256, t_token(JWT_ALG_RS256, j_claims), "token expired");
}
END_TEST

START_TEST(test_nbf_future)
{
        json_t *j_claims = t_claims();

        json_object_set_new(j_claims, "nbf", json_integer(NOW + LEEWAY + 1));
        t_reject(JWT_ALG_HS256, t_token(JWT_ALG_HS256, j_claims), "token not yet valid");
}
END_TEST

START_TEST(test_iat_future)
{
        json_t *j_claims = t_claims();

        /* a clock skew beyond the leeway, or a token minted to outlive its exp */
        json_object_set_new(j_claims, "iat", json_integer(NOW + LEEWAY + 1));
        t_reject(JWT_ALG_RS256, t_token(JWT_ALG_RS256, j_claims), "token issued in the future");
        j_claims = t_claims();
        json_object_set_new(j_claims, "iat", json_integer(NOW + 86400 * 365));
        json_object_set_new(j_claims, "exp", json_integer(NOW + 86400 * 366));
        t_reject(JWT_ALG_HS256, t_token(JWT_ALG_HS256, j_claims), "token issued in the future");
        j_claims = t_claims();
        json_object_set_new(j_claims, "iat", json_real((double)NOW + LEEWAY + 0.5));
        t_reject(JWT_ALG_ES256, t_token(JWT_ALG_ES256, j_claims), "token issued in the future");
}
END_TEST

START_TEST(test_wrong_iss)
{
        json_t *j_claims = t_claims();

        json_object_set_new(j_claims, "iss", json_string(ISS "/"));
        t_reject(JWT_ALG_HS256, t_token(JWT_ALG_HS256, j_claims), "wrong issuer");
        j_claims = t_claims();
        json_object_del(j_claims, "iss");
        t_reject(JWT_ALG_HS256, t_token(JWT_ALG_HS256, j_claims), "wrong issuer");
}
END_TEST

START_TEST(test_wrong_aud)
{
        json_t *j_claims = t_claims();

        json_object_set_new(j_claims, "aud", json_string("tandem"));
        t_reject(JWT_ALG_RS256, t_token(JWT_ALG_RS256, j_claims), "wrong audience");
        j_claims = t_claims();
        json_object_del(j_claims, "aud");
        t_reject(JWT_ALG_RS256, t_token(JWT_ALG_RS256, j_claims), "wrong audience");
}
END_TEST

START_TEST(test_exp_string)
{
        json_t *j_claims = t_claims();

        json_object_set_new(j_claims, "exp", json_string("9999999999"));
        t_reject(JWT_ALG_HS256, t_token(JWT_ALG_HS256, j_claims), "malformed token");
}
END_TEST

START_TEST(test_exp_missing)
{
        json_t *j_claims = t_claims();

        json_object_del(j_claims, "exp");
        t_reject(JWT_ALG_HS256, t_token(JWT_ALG_HS256, j_claims), "missing expiry");
}
END_TEST

START_TEST(test_sub_missing)
{
        char long_sub[257];
        json_t *j_claims = t_claims();

        json_object_del(j_claims, "sub");
        t_reject(JWT_ALG_HS256, t_token(JWT_ALG_HS256, j_claims), "missing subject");
        j_claims = t_claims();
        json_object_set_new(j_claims, "sub", json_string(""));
        t_reject(JWT_ALG_HS256, t_token(JWT_ALG_HS256, j_claims), "missing subject");
        j_claims = t_claims();
        json_object_set_new(j_claims, "sub", json_integer(42));
        t_reject(JWT_ALG_HS256, t_token(JWT_ALG_HS256, j_claims), "missing subject");
        memset(long_sub, 's', 256);
        long_sub[256] = '\0';
        j_claims = t_claims();
        json_object_set_new(j_claims, "sub", json_string(long_sub));
        t_reject(JWT_ALG_HS256, t_token(JWT_ALG_HS256, j_claims), "missing subject");
}
END_TEST

START_TEST(test_duplicate_claim)
{
        t_reject(JWT_ALG_HS256,
                 t_sign(JWT_ALG_HS256, H_HS256,
                        "{\"sub\":\"a\",\"sub\":\"b\",\"exp\":9999999999}"),
                 "malformed token");
}
END_TEST

START_TEST(test_claims_not_object)
{
        t_reject(JWT_ALG_HS256, t_sign(JWT_ALG_HS256, H_HS256, "[1,2]"), "malformed token");
        t_reject(JWT_ALG_HS256, t_sign(JWT_ALG_HS256, H_HS256, "\"x\""), "malformed token");
}
END_TEST

/* ---- malformed tokens --------------------------------------------------- */

START_TEST(test_two_segments)
{
        char *token = t_token(JWT_ALG_HS256, t_claims());

        *strrchr(token, '.') = '\0';
        t_reject(JWT_ALG_HS256, token, "malformed token");
}
END_TEST

START_TEST(test_four_segments)
{
        char *token = t_token(JWT_ALG_HS256, t_claims());

        t_reject(JWT_ALG_HS256, t_dot(token, "AAAA"), "malformed token");
        free(token);
}
END_TEST

START_TEST(test_garbage_base64)
{
        char *token = t_token(JWT_ALG_HS256, t_claims());
        char *padded;

        /* A padded signature segment. */
        padded = t_dot(token, "");
        padded[strlen(padded) - 1] = '=';
        t_reject(JWT_ALG_HS256, padded, "malformed token");
        /* An illegal character in the header. */
        token[3] = '+';
        t_reject(JWT_ALG_HS256, token, "malformed token");
        /* A correctly signed payload that is padded base64. */
        t_reject(JWT_ALG_HS256,
                 t_hmac_input(t_dot("eyJhbGciOiJIUzI1NiJ9", "e30="), SECRET, strlen(SECRET)),
                 "malformed token");
        t_reject(JWT_ALG_HS256, strdup("!!!.@@@.###"), "malformed token");
        t_reject(JWT_ALG_HS256, strdup(".."), "malformed token");
}
END_TEST

START_TEST(test_missing_and_huge_token)
{
        struct auth_verifier *v = t_verifier(JWT_ALG_HS256);
        struct principal who = PRINCIPAL_INIT;
        json_t *j_claims = t_claims();
        char *pad = malloc(33000);
        char why[64];

        ck_assert_int_eq(auth_verify(v, "", NOW, &who, why, sizeof(why)), ST_UNAUTHENTICATED);
        ck_assert_str_eq(why, "missing token");
        ck_assert_int_eq(auth_verify(v, NULL, NOW, &who, why, sizeof(why)), ST_UNAUTHENTICATED);
        ck_assert_str_eq(why, "missing token");
        auth_verifier_free(v);
        /* A validly signed token of 16 KiB (an SSO token with group claims) is taken... */
        memset(pad, 'p', 16000);
        pad[16000] = '\0';
        json_object_set_new(j_claims, "pad", json_string(pad));
        t_accept(JWT_ALG_HS256, t_token(JWT_ALG_HS256, j_claims));
        /* ...one over 32 KiB is not. */
        j_claims = t_claims();
        memset(pad, 'p', 32999);
        pad[32999] = '\0';
        json_object_set_new(j_claims, "pad", json_string(pad));
        t_reject(JWT_ALG_HS256, t_token(JWT_ALG_HS256, j_claims), "malformed token");
        free(pad);
}
END_TEST

/* ---- auth_verifier_new -------------------------------------------------- */

/* Expects auth_verifier_new to refuse @cfg with an error starting with @prefix. */
static void
t_refuse(const struct config *cfg, const char *prefix)
{
        struct auth_verifier *v = NULL;
        char err[256] = "";

        ck_assert_int_eq(auth_verifier_new(cfg, &v, err, sizeof(err)), ST_INVALID);
        ck_assert_ptr_null(v);
        ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "err: %s", err);
}

START_TEST(test_short_secret)
{
        struct config cfg;

        t_config(&cfg, JWT_ALG_HS256);
        cfg.jwt_secret = "0123456789abcdef0123456789abcde";     /* 31 bytes */
        t_refuse(&cfg, "TANDEM_JWT_SECRET: must be at least 32 bytes");
}
END_TEST

START_TEST(test_empty_secret)
{
        struct config cfg;

        t_config(&cfg, JWT_ALG_HS256);
        cfg.jwt_secret = "";
        t_refuse(&cfg, "TANDEM_JWT_SECRET: ");
        cfg.jwt_secret = NULL;
        t_refuse(&cfg, "TANDEM_JWT_SECRET: ");
}
END_TEST

START_TEST(test_missing_jwks_file)
{
        struct config cfg;

        t_config(&cfg, JWT_ALG_RS256);
        cfg.jwks_file = "/nonexistent/jwks.json";
        t_refuse(&cfg, "TANDEM_JWKS_FILE: cannot read /nonexistent/jwks.json: No such file");
        cfg.jwks_file = NULL;
        t_refuse(&cfg, "TANDEM_JWKS_FILE: ");
}
END_TEST

START_TEST(test_jwks_no_key_for_alg)
{
        struct config cfg;

        t_config(&cfg, JWT_ALG_RS256);
        cfg.jwks_file = g_jwks_ec_only;
        t_refuse(&cfg, "TANDEM_JWKS_FILE: no RS256 signing key");
        t_config(&cfg, JWT_ALG_ES256);
        cfg.jwks_file = g_jwks_rsa_only;
        t_refuse(&cfg, "TANDEM_JWKS_FILE: no ES256 signing key");
}
END_TEST

START_TEST(test_missing_issuer_audience)
{
        struct config cfg;

        t_config(&cfg, JWT_ALG_HS256);
        cfg.jwt_issuer = NULL;
        t_refuse(&cfg, "TANDEM_JWT_ISSUER: ");
        t_config(&cfg, JWT_ALG_HS256);
        cfg.jwt_audience = "";
        t_refuse(&cfg, "TANDEM_JWT_AUDIENCE: ");
}
END_TEST

/* ---- helpers ------------------------------------------------------------ */

START_TEST(test_bearer_token)
{
        const char *h = "Bearer abc.def.ghi";

        ck_assert_ptr_eq(auth_bearer_token(h), h + 7);
        ck_assert_str_eq(auth_bearer_token("bearer   tok"), "tok");
        ck_assert_str_eq(auth_bearer_token("BEARER x"), "x");
        ck_assert_ptr_null(auth_bearer_token(NULL));
        ck_assert_ptr_null(auth_bearer_token(""));
        ck_assert_ptr_null(auth_bearer_token("Bearer"));
        ck_assert_ptr_null(auth_bearer_token("Bearer "));
        ck_assert_ptr_null(auth_bearer_token("Bearer    "));
        ck_assert_ptr_null(auth_bearer_token("Bearerabc"));
        ck_assert_ptr_null(auth_bearer_token("Basic dXNlcjpwYXNz"));
        ck_assert_ptr_null(auth_bearer_token("Bearer\tabc"));
}
END_TEST

START_TEST(test_role_names)
{
        ck_assert_uint_eq(role_from_name("admin"), ROLE_ADMIN);
        ck_assert_uint_eq(role_from_name("service"), ROLE_SERVICE);
        ck_assert_uint_eq(role_from_name("Admin"), 0);
        ck_assert_uint_eq(role_from_name(NULL), 0);
        ck_assert_str_eq(role_name(ROLE_PARTNER), "partner");
        ck_assert_str_eq(role_name(ROLE_COMMS), "comms");
        ck_assert_ptr_null(role_name(ROLE_ADMIN | ROLE_MENTOR));
        ck_assert_ptr_null(role_name(0));
}
END_TEST

/* ---- concurrency -------------------------------------------------------- */

#define T_THREADS 8
#define T_ROUNDS 25

struct t_worker {
        struct auth_verifier *v[3];
        char *token[3];
        int failures;
};

static void *
t_work(void *arg)
{
        struct t_worker *w = arg;
        int i, k;

        for (i = 0; i < T_ROUNDS; i++) {
                for (k = 0; k < 3; k++) {
                        struct principal who = PRINCIPAL_INIT;

                        if (auth_verify(w->v[k], w->token[k], NOW, &who, NULL, 0) != ST_OK ||
                            strcmp(who.subject, "user-42") != 0)
                                w->failures++;
                        principal_release(&who);
                }
        }
        return NULL;
}

/* ---- claim mapping and the SCIM client ---------------------------------------- */

/* Verifies @j_claims (stolen), HS256-signed, with @cfg. */
static int
t_verify_cfg(const struct config *cfg, json_t *j_claims, struct principal *who)
{
        struct auth_verifier *v = NULL;
        char err[256] = "", why[64] = "";
        char *token = auth_sign_hs256(j_claims, SECRET, NULL);
        int rc;

        json_decref(j_claims);
        ck_assert_msg(auth_verifier_new(cfg, &v, err, sizeof(err)) == ST_OK, "%s", err);
        rc = auth_verify(v, token, NOW, who, why, sizeof(why));
        auth_verifier_free(v);
        free(token);
        return rc;
}

START_TEST(test_role_map_nested_claim)
{
        struct principal who = PRINCIPAL_INIT;
        struct config cfg;
        json_t *j = t_claims();

        t_config(&cfg, JWT_ALG_HS256);
        cfg.roles_claim = "realm_access.roles";
        cfg.role_map = "Tandem-Admins=admin, Mentors = mentor,Mentors=partner";
        json_object_set_new(j, "realm_access", json_pack("{s:[sss]}", "roles", "Mentors",
                                                         "Finance", "admin"));
        ck_assert_int_eq(t_verify_cfg(&cfg, j, &who), ST_OK);
        /* "admin" is not in the map: with a map only mapped names count */
        ck_assert_uint_eq(who.roles, ROLE_MENTOR | ROLE_PARTNER);
        principal_release(&who);
}
END_TEST

START_TEST(test_subject_claim)
{
        struct principal who = PRINCIPAL_INIT;
        struct config cfg;
        json_t *j = t_claims();

        t_config(&cfg, JWT_ALG_HS256);
        cfg.subject_claim = "oid";
        json_object_set_new(j, "oid", json_string("object-7"));
        ck_assert_int_eq(t_verify_cfg(&cfg, j, &who), ST_OK);
        ck_assert_str_eq(who.subject, "object-7");
        principal_release(&who);
        ck_assert_int_eq(t_verify_cfg(&cfg, t_claims(), &who), ST_UNAUTHENTICATED);
}
END_TEST

START_TEST(test_bad_role_map)
{
        struct config cfg;

        t_config(&cfg, JWT_ALG_HS256);
        cfg.role_map = "Admins=superuser";
        t_refuse(&cfg, "TANDEM_ROLE_MAP: \"superuser\" is not a Tandem role");
        cfg.role_map = "no-equals-sign";
        t_refuse(&cfg, "TANDEM_ROLE_MAP: ");
}
END_TEST

START_TEST(test_scim_client_id)
{
        struct principal who = PRINCIPAL_INIT;
        struct config cfg;
        json_t *j = t_claims();

        t_config(&cfg, JWT_ALG_HS256);
        cfg.scim_client_ids = "other, scim-app";
        json_object_set_new(j, "azp", json_string("scim-app"));
        ck_assert_int_eq(t_verify_cfg(&cfg, j, &who), ST_OK);
        ck_assert_uint_eq(who.roles, ROLE_SCIM);     /* its admin role claim counts for nothing */
        principal_release(&who);
        j = t_claims();
        json_object_set_new(j, "client_id", json_string("web-app"));
        ck_assert_int_eq(t_verify_cfg(&cfg, j, &who), ST_OK);
        ck_assert_uint_eq(who.roles, ROLE_ADMIN | ROLE_MENTOR);
        principal_release(&who);
}
END_TEST

START_TEST(test_scim_static_token)
{
        static const char scim[] = "0123456789abcdef0123456789abcdef-scim";
        struct principal who = PRINCIPAL_INIT;
        struct auth_verifier *v = NULL;
        struct config cfg;
        char err[256] = "", why[64] = "";

        t_config(&cfg, JWT_ALG_HS256);
        cfg.scim_token = (char *)scim;
        ck_assert_msg(auth_verifier_new(&cfg, &v, err, sizeof(err)) == ST_OK, "%s", err);
        ck_assert_int_eq(auth_verify(v, scim, NOW, &who, why, sizeof(why)), ST_OK);
        ck_assert_uint_eq(who.roles, ROLE_SCIM);
        ck_assert_str_eq(who.subject, "scim-client");
        principal_release(&who);
        ck_assert_int_eq(auth_verify(v, "0123456789abcdef0123456789abcdef-scin", NOW, &who, why,
                                     sizeof(why)), ST_UNAUTHENTICATED);
        ck_assert_int_eq(auth_verify(v, "scim", NOW, &who, why, sizeof(why)),
                         ST_UNAUTHENTICATED);
        auth_verifier_free(v);
        /* a roles claim can never grant the SCIM client */
        ck_assert_uint_eq(role_from_name("scim"), 0);
}
END_TEST

START_TEST(test_ready_and_token_endpoint)
{
        struct auth_verifier *v = t_verifier(JWT_ALG_RS256);
        char url[64];

        ck_assert(auth_verifier_ready(v));
        ck_assert_int_eq(auth_token_endpoint(v, url, sizeof(url)), ST_NOT_FOUND);
        auth_verifier_free(v);
}
END_TEST

START_TEST(test_key_set_parse)
{
        json_t *j = json_load_file(g_jwks, 0, NULL);
        struct key_set *ks = NULL;

        ck_assert_ptr_nonnull(j);
        ck_assert_int_eq(key_set_parse(j, JWT_ALG_RS256, &ks), ST_OK);
        /* rsa-enc (use enc), rsa-512 (alg RS512), the EC and the oct keys are skipped */
        ck_assert_uint_eq(key_set_size(ks), 1);
        ck_assert_ptr_nonnull(key_set_find(ks, "rsa-1"));
        ck_assert_ptr_nonnull(key_set_find(ks, NULL));
        ck_assert_ptr_null(key_set_find(ks, "rsa-enc"));
        ck_assert_ptr_eq(key_set_ref(ks), ks);
        key_set_unref(ks);      /* one reference left */
        ck_assert_ptr_nonnull(key_set_find(ks, "rsa-1"));
        key_set_unref(ks);
        ck_assert_int_eq(key_set_parse(j, JWT_ALG_ES256, &ks), ST_OK);
        ck_assert_uint_eq(key_set_size(ks), 1);
        ck_assert_ptr_nonnull(key_set_find(ks, "ec-1"));
        key_set_unref(ks);
        json_decref(j);
        j = json_pack("{s:s}", "keys", "not an array");
        ck_assert_int_eq(key_set_parse(j, JWT_ALG_RS256, &ks), ST_MALFORMED);
        json_decref(j);
        key_set_unref(NULL);
        ck_assert_uint_eq(key_set_size(NULL), 0);
}
END_TEST

START_TEST(test_concurrent_verify)
{
        static const enum jwt_alg algs[3] = { JWT_ALG_HS256, JWT_ALG_RS256, JWT_ALG_ES256 };
        struct t_worker w[T_THREADS];
        pthread_t tid[T_THREADS];
        struct auth_verifier *v[3];
        char *token[3];
        int i, k;

        for (k = 0; k < 3; k++) {
                v[k] = t_verifier(algs[k]);
                token[k] = t_token(algs[k], t_claims());
        }
        for (i = 0; i < T_THREADS; i++) {
                memcpy(w[i].v, v, sizeof(v));
                memcpy(w[i].token, token, sizeof(token));
                w[i].failures = 0;
                ck_assert_int_eq(pthread_create(&tid[i], NULL, t_work, &w[i]), 0);
        }
        for (i = 0; i < T_THREADS; i++) {
                ck_assert_int_eq(pthread_join(tid[i], NULL), 0);
                ck_assert_int_eq(w[i].failures, 0);
        }
        for (k = 0; k < 3; k++) {
                auth_verifier_free(v[k]);
                free(token[k]);
        }
}
END_TEST

static Suite *
auth_suite(void)
{
        Suite *s = suite_create("auth");
        TCase *tc = tcase_create("verify");

        tcase_add_unchecked_fixture(tc, keys_setup, keys_teardown);
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, test_hs256_ok_roles_email);
        tcase_add_test(tc, test_roles_space_separated);
        tcase_add_test(tc, test_large_token);
        tcase_add_test(tc, test_rs256_ok);
        tcase_add_test(tc, test_rs256_no_kid_single_key);
        tcase_add_test(tc, test_es256_ok);
        tcase_add_test(tc, test_at_jwt_rs256);
        tcase_add_test(tc, test_at_jwt_es256);
        tcase_add_test(tc, test_expired_within_leeway);
        tcase_add_test(tc, test_aud_array);
        tcase_add_test(tc, test_sign_hs256_kid);
        tcase_add_test(tc, test_alg_none);
        tcase_add_test(tc, test_alg_confusion);
        tcase_add_test(tc, test_rs256_when_hs256);
        tcase_add_test(tc, test_typ_foo);
        tcase_add_test(tc, test_crit_header);
        tcase_add_test(tc, test_unknown_kid);
        tcase_add_test(tc, test_bad_signature);
        tcase_add_test(tc, test_tampered_claims);
        tcase_add_test(tc, test_es256_der_signature);
        tcase_add_test(tc, test_wrong_hs256_secret);
        tcase_add_test(tc, test_expired);
        tcase_add_test(tc, test_nbf_future);
        tcase_add_test(tc, test_iat_future);
        tcase_add_test(tc, test_wrong_iss);
        tcase_add_test(tc, test_wrong_aud);
        tcase_add_test(tc, test_exp_string);
        tcase_add_test(tc, test_exp_missing);
        tcase_add_test(tc, test_sub_missing);
        tcase_add_test(tc, test_duplicate_claim);
        tcase_add_test(tc, test_claims_not_object);
        tcase_add_test(tc, test_two_segments);
        tcase_add_test(tc, test_four_segments);
        tcase_add_test(tc, test_garbage_base64);
        tcase_add_test(tc, test_missing_and_huge_token);
        tcase_add_test(tc, test_short_secret);
        tcase_add_test(tc, test_empty_secret);
        tcase_add_test(tc, test_missing_jwks_file);
        tcase_add_test(tc, test_jwks_no_key_for_alg);
        tcase_add_test(tc, test_missing_issuer_audience);
        tcase_add_test(tc, test_role_map_nested_claim);
        tcase_add_test(tc, test_subject_claim);
        tcase_add_test(tc, test_bad_role_map);
        tcase_add_test(tc, test_scim_client_id);
        tcase_add_test(tc, test_scim_static_token);
        tcase_add_test(tc, test_ready_and_token_endpoint);
        tcase_add_test(tc, test_key_set_parse);
        tcase_add_test(tc, test_bearer_token);
        tcase_add_test(tc, test_role_names);
        tcase_add_test(tc, test_concurrent_verify);
        suite_add_tcase(s, tc);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(auth_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
