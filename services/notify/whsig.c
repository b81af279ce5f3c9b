/*
 * whsig.c - the secrets and signatures of the Standard Webhooks
 * specification: a secret is "whsec_" and the base64 of random bytes; a
 * signature is "v1," and the base64 of HMAC-SHA256, keyed with those bytes,
 * over "<webhook-id>.<webhook-timestamp>.<body>".  Pure but for the random
 * bytes; unit-tested (tests/unit/test_notify_whsig.c).
 */
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
