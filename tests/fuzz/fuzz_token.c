/*
 * fuzz_token.c - bearer token verification (auth.c, b64.c, claims.c): the
 * Authorization header, base64url, and auth_verify with HS256, RS256 and
 * ES256 verifiers configured as the unit tests configure them (nested roles
 * claim, role map, SCIM client ids).  A raw token mostly fails at the
 * signature, so half the modes sign the input's header and claims with the
 * right key first, which takes the claim checks (typ, alg, exp, nbf, iss,
 * aud, subject, e-mail, roles, the SCIM client) to the fuzzer.
 *
 * Input: one mode byte, then a token (modes 0-2: HS256, RS256, ES256) or a
 * JOSE header and a claim set separated by a newline (modes 3-5: signed with
 * HS256, RS256, ES256).
 */
#include <stdio.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include "auth.h"
#include "b64.h"
#include "claims.h"
#include "config.h"
#include "fuzz.h"

#define ISS "https://issuer.test"
#define AUD "tandem-api"
#define SECRET "0123456789abcdef0123456789abcdef-test"
#define NOW ((time_t)1700000000)

int LLVMFuzzerInitialize(int *argc, char ***argv);

static EVP_PKEY *g_rsa, *g_ec;
static struct auth_verifier *g_v[3];     /* by jwt_alg order: HS256, RS256, ES256 */
static const enum jwt_alg algs[3] = { JWT_ALG_HS256, JWT_ALG_RS256, JWT_ALG_ES256 };
static struct role_map g_map = ROLE_MAP_INIT;

static char *
bn_b64url(EVP_PKEY *pkey, const char *param)
{
        unsigned char buf[512];
        BIGNUM *bn = NULL;
        int len;

        if (EVP_PKEY_get_bn_param(pkey, param, &bn) != 1)
                abort();
        len = BN_bn2bin(bn, buf);
        BN_free(bn);
        return b64url_encode(buf, (size_t)len);
}

/* Writes a JWKS of both public keys to a temporary file named in @path. */
static void
write_jwks(char path[64])
{
        unsigned char pub[65];
        size_t len = 0;
        char *n = bn_b64url(g_rsa, OSSL_PKEY_PARAM_RSA_N);
        char *e = bn_b64url(g_rsa, OSSL_PKEY_PARAM_RSA_E);
        char *x, *y;
        json_t *j;
        int fd;

        if (EVP_PKEY_get_octet_string_param(g_ec, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub),
                                            &len) != 1 || len != 65)
                abort();
        x = b64url_encode(pub + 1, 32);
        y = b64url_encode(pub + 33, 32);
        j = json_pack("{s:[{s:s, s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s, s:s, s:s}]}", "keys",
                      "kty", "RSA", "kid", "rsa-1", "use", "sig", "n", n, "e", e,
                      "kty", "EC", "kid", "ec-1", "use", "sig", "crv", "P-256", "x", x, "y", y);
        snprintf(path, 64, "/tmp/fuzz_token_jwks_XXXXXX");
        fd = mkstemp(path);
        if (j == NULL || fd < 0 || json_dumpfd(j, fd, 0) != 0)
                abort();
        close(fd);
        json_decref(j);
        free(n);
        free(e);
        free(x);
        free(y);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
        struct config cfg;
        char path[64], err[256];

        (void)argc;
        (void)argv;
        g_rsa = EVP_RSA_gen(2048);
        g_ec = EVP_EC_gen("P-256");
        if (g_rsa == NULL || g_ec == NULL)
                abort();
        write_jwks(path);
        memset(&cfg, 0, sizeof(cfg));
        cfg.jwt_secret = SECRET;
        cfg.jwks_file = path;
        cfg.jwt_issuer = ISS;
        cfg.jwt_audience = AUD;
        cfg.jwt_leeway_s = 60;
        cfg.roles_claim = "realm_access.roles";
        cfg.email_claim = "email";
        cfg.role_map = "Tandem-Admins=admin, Mentors = mentor,Mentors=partner";
        cfg.scim_client_ids = "other, scim-app";
        for (int i = 0; i < 3; i++) {
                cfg.jwt_alg = algs[i];
                if (auth_verifier_new(&cfg, &g_v[i], err, sizeof(err)) != ST_OK) {
                        fprintf(stderr, "fuzz_token: %s\n", err);
                        abort();
                }
        }
        unlink(path);
        if (role_map_parse(cfg.role_map, &g_map, err, sizeof(err)) != ST_OK)
                abort();
        return 0;
}

/* Returns "@input.b64url(@sig)" (new), freeing neither. */
static char *
finish(const char *input, const unsigned char *sig, size_t sig_len)
{
        char *s64 = b64url_encode(sig, sig_len);
        size_t n = strlen(input);
        size_t m = s64 != NULL ? strlen(s64) : 0;
        char *token = s64 != NULL ? malloc(n + 1 + m + 1) : NULL;

        if (token != NULL) {
                memcpy(token, input, n);
                token[n] = '.';
                memcpy(token + n + 1, s64, m + 1);
        }
        free(s64);
        return token;
}

/* Signs @input with @pkey (SHA-256); ECDSA's DER signature becomes r || s. */
static char *
sign_pkey(const char *input, EVP_PKEY *pkey, int raw_ecdsa)
{
        unsigned char der[512], raw[64];
        const unsigned char *p = der;
        size_t der_len = sizeof(der);
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        ECDSA_SIG *sig = NULL;
        const BIGNUM *r, *s;
        char *token = NULL;

        if (md == NULL || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey) != 1
            || EVP_DigestSign(md, der, &der_len, (const unsigned char *)input,
                              strlen(input)) != 1)
                abort();
        EVP_MD_CTX_free(md);
        if (!raw_ecdsa)
                return finish(input, der, der_len);
        sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
        if (sig == NULL)
                abort();
        ECDSA_SIG_get0(sig, &r, &s);
        if (BN_bn2binpad(r, raw, 32) == 32 && BN_bn2binpad(s, raw + 32, 32) == 32)
                token = finish(input, raw, sizeof(raw));
        ECDSA_SIG_free(sig);
        return token;
}

/* "b64url(header).b64url(claims)" from "header\nclaims" (@s, changed); new. */
static char *
signing_input(char *s)
{
        char *nl = strchr(s, '\n'), *h64, *c64, *out = NULL;
        size_t n;

        if (nl == NULL)
                return NULL;
        *nl = '\0';
        h64 = b64url_encode(s, strlen(s));
        c64 = b64url_encode(nl + 1, strlen(nl + 1));
        n = h64 != NULL && c64 != NULL ? strlen(h64) + strlen(c64) + 2 : 0;
        if (n > 0 && (out = malloc(n)) != NULL)
                snprintf(out, n, "%s.%s", h64, c64);
        free(h64);
        free(c64);
        return out;
}

static char *
sign(char *s, int alg)
{
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned mac_len = 0;
        char *input = signing_input(s), *token = NULL;

        if (input == NULL)
                return NULL;
        if (alg == 0 && HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET),
                             (unsigned char *)input, strlen(input), mac, &mac_len) != NULL)
                token = finish(input, mac, mac_len);
        else if (alg > 0)
                token = sign_pkey(input, alg == 1 ? g_rsa : g_ec, alg == 2);
        free(input);
        return token;
}

/* Verifies @token; a verified principal's claims go through claims.c too. */
static void
verify(int alg, const char *token)
{
        struct principal who = PRINCIPAL_INIT;
        char why[128];

        if (auth_verify(g_v[alg], token, NOW, &who, why, sizeof(why)) == ST_OK) {
                (void)claim_roles(claim_get(who.j_claims, "groups"), &g_map);
                (void)claim_roles(claim_get(who.j_claims, "roles"), NULL);
                (void)claim_client_id(who.j_claims);
        }
        principal_release(&who);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        int mode = size > 0 ? data[0] % 6 : 0;
        char *s = fuzz_str(data + (size > 0), size - (size > 0)), *token;
        unsigned char *raw = NULL;
        size_t raw_len;

        if (s == NULL)
                return 0;
        (void)auth_bearer_token(s);
        if (b64url_decode(s, strlen(s), &raw, &raw_len) == ST_OK)
                free(raw);
        if (mode < 3) {
                verify(mode, s);
        } else if ((token = sign(s, mode - 3)) != NULL) {
                verify(mode - 3, token);
                free(token);
        }
        free(s);
        return 0;
}
