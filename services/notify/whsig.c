/*
 * whsig.c - the secrets and signatures of the Standard Webhooks
 * specification: a secret is "whsec_" and the base64 of random bytes; a
 * signature is "v1," and the base64 of HMAC-SHA256, keyed with those bytes,
 * over "<webhook-id>.<webhook-timestamp>.<body>".  And the stored form of a
 * secret, sealed with AES-256-GCM when a seal key is set.  Pure but for the
 * random bytes; unit-tested (tests/unit/test_notify_whsig.c).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "status.h"
#include "webhooks.h"

int
wh_secret_new(unsigned char key[WH_SECRET_BYTES])
{
        return RAND_bytes(key, WH_SECRET_BYTES) == 1 ? ST_OK : ST_INTERNAL;
}

void
wh_secret_text(const unsigned char key[WH_SECRET_BYTES], char out[WH_SECRET_TEXT_LEN])
{
        size_t n = strlen(WH_SECRET_PREFIX);

        memcpy(out, WH_SECRET_PREFIX, n);
        /* 32 bytes: 44 characters and a NUL after the prefix */
        EVP_EncodeBlock((unsigned char *)out + n, key, WH_SECRET_BYTES);
}

int
wh_sign(const unsigned char *key, size_t keylen, const char *id, long long ts, const char *body,
        size_t bodylen, char out[WH_SIG_LEN])
{
        unsigned char mac[EVP_MAX_MD_SIZE];
        size_t maclen = 0;
        char head[128];
        int n = snprintf(head, sizeof(head), "%s.%lld.", id, ts);
        OSSL_PARAM params[] = {
                OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
                OSSL_PARAM_construct_end(),
        };
        EVP_MAC *m = NULL;
        EVP_MAC_CTX *h = NULL;
        int rc = ST_INTERNAL;

        if (n < 0 || (size_t)n >= sizeof(head))
                return ST_INVALID;
        m = EVP_MAC_fetch(NULL, "HMAC", NULL);
        h = m != NULL ? EVP_MAC_CTX_new(m) : NULL;
        if (h != NULL && EVP_MAC_init(h, key, keylen, params) == 1
            && EVP_MAC_update(h, (const unsigned char *)head, (size_t)n) == 1
            && EVP_MAC_update(h, (const unsigned char *)body, bodylen) == 1
            && EVP_MAC_final(h, mac, &maclen, sizeof(mac)) == 1 && maclen == 32) {
                memcpy(out, "v1,", 3);
                EVP_EncodeBlock((unsigned char *)out + 3, mac, (int)maclen);
                rc = ST_OK;
        }
        EVP_MAC_CTX_free(h);
        EVP_MAC_free(m);
        return rc;
}

void
wh_hex(const unsigned char *in, size_t len, char *out)
{
        static const char digits[] = "0123456789abcdef";

        for (size_t i = 0; i < len; i++) {
                out[2 * i] = digits[in[i] >> 4];
                out[2 * i + 1] = digits[in[i] & 15];
        }
        out[2 * len] = '\0';
}

static int
nibble(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int
wh_unhex(const char *in, unsigned char *out, size_t len)
{
        if (strlen(in) != 2 * len)
                return ST_INVALID;
        for (size_t i = 0; i < len; i++) {
                int hi = nibble(in[2 * i]), lo = nibble(in[2 * i + 1]);

                if (hi < 0 || lo < 0)
                        return ST_INVALID;
                out[i] = (unsigned char)(hi << 4 | lo);
        }
        return ST_OK;
}

/* ---- secrets at rest ------------------------------------------------------------------ */

#define SEAL_VERSION 0x01
#define SEAL_NONCE 12
#define SEAL_TAG 16
static const unsigned char seal_aad[] = "tandem.webhook.secret.v1";

/* AES-256-GCM of @in (WH_SECRET_BYTES) under @k with @nonce; ST_OK or ST_INTERNAL. */
static int
gcm(bool enc, const unsigned char k[WH_SEAL_KEY_BYTES], const unsigned char *nonce,
    const unsigned char *in, unsigned char *out, unsigned char *tag)
{
        EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
        int n = 0, m = 0, ok;

        if (x == NULL)
                return ST_NOMEM;
        ok = (enc ? EVP_EncryptInit_ex(x, EVP_aes_256_gcm(), NULL, k, nonce)
                  : EVP_DecryptInit_ex(x, EVP_aes_256_gcm(), NULL, k, nonce)) == 1
             && EVP_CipherUpdate(x, NULL, &n, seal_aad, (int)sizeof(seal_aad) - 1) == 1
             && EVP_CipherUpdate(x, out, &n, in, WH_SECRET_BYTES) == 1
             && (enc || EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_TAG, SEAL_TAG, tag) == 1)
             && EVP_CipherFinal_ex(x, out + n, &m) == 1
             && (!enc || EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, SEAL_TAG, tag) == 1);
        EVP_CIPHER_CTX_free(x);
        return ok ? ST_OK : ST_INTERNAL;
}

int
wh_secret_store(const unsigned char *k, const unsigned char key[WH_SECRET_BYTES],
                char out[WH_STORED_HEX_LEN])
{
        unsigned char sealed[WH_SEALED_LEN];
        int rc;

        if (k == NULL) {
                wh_hex(key, WH_SECRET_BYTES, out);
                return ST_OK;
        }
        sealed[0] = SEAL_VERSION;
        if (RAND_bytes(sealed + 1, SEAL_NONCE) != 1)
                return ST_INTERNAL;
        rc = gcm(true, k, sealed + 1, key, sealed + 1 + SEAL_NONCE,
                 sealed + 1 + SEAL_NONCE + WH_SECRET_BYTES);
        if (rc == ST_OK)
                wh_hex(sealed, WH_SEALED_LEN, out);
        memset(sealed, 0, sizeof(sealed));
        return rc;
}

int
wh_secret_load(const unsigned char *k, const char *hex, unsigned char key[WH_SECRET_BYTES])
{
        unsigned char sealed[WH_SEALED_LEN];
        size_t len = strlen(hex);
        int rc;

        if (len == 2 * WH_SECRET_BYTES)
                return wh_unhex(hex, key, WH_SECRET_BYTES);      /* stored before a seal key */
        if (len != 2 * WH_SEALED_LEN || wh_unhex(hex, sealed, WH_SEALED_LEN) != ST_OK
            || sealed[0] != SEAL_VERSION)
                return ST_INVALID;
        if (k == NULL)
                return ST_UNAVAILABLE;                            /* sealed, and no key here */
        rc = gcm(false, k, sealed + 1, sealed + 1 + SEAL_NONCE, key,
                 sealed + 1 + SEAL_NONCE + WH_SECRET_BYTES);
        memset(sealed, 0, sizeof(sealed));
        return rc;
}
