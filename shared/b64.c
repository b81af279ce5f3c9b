/*
 * b64.c - strict unpadded base64url, for JWS segments and JWK members.
 */
#include <stdint.h>
#include <stdlib.h>

#include "b64.h"
#include "status.h"

static const char b64url_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Returns the 6-bit value of @c, or -1 when @c is not in the alphabet. */
static int
b64url_value(char c)
{
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '-')
                return 62;
        if (c == '_')
                return 63;
        return -1;
}

char *
b64url_encode(const void *in, size_t len)
{
        const unsigned char *p = in;
        char *out;
        size_t i, o = 0;

        if (len > (SIZE_MAX - 4) / 4 * 3)
                return NULL;
        out = malloc((len + 2) / 3 * 4 + 1);
        if (!out)
                return NULL;
        for (i = 0; i + 2 < len; i += 3) {
                uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

                out[o++] = b64url_alphabet[v >> 18 & 63];
                out[o++] = b64url_alphabet[v >> 12 & 63];
                out[o++] = b64url_alphabet[v >> 6 & 63];
                out[o++] = b64url_alphabet[v & 63];
        }
        if (len - i == 1) {
                out[o++] = b64url_alphabet[p[i] >> 2];
                out[o++] = b64url_alphabet[(p[i] & 3) << 4];
        } else if (len - i == 2) {
                uint32_t v = (uint32_t)p[i] << 8 | p[i + 1];

                out[o++] = b64url_alphabet[v >> 10 & 63];
                out[o++] = b64url_alphabet[v >> 4 & 63];
                out[o++] = b64url_alphabet[(v & 15) << 2];
        }
        out[o] = '\0';
        return out;
}

/*
 * Decodes into @out, which has room for inlen / 4 * 3 + 2 bytes.  Returns the
 * number of bytes written, or -1 when the input is not canonical.
 */
static long
b64url_decode_into(const char *in, size_t inlen, unsigned char *out)
{
        uint32_t acc = 0;
        unsigned bits = 0;
        size_t i, o = 0;

        if (inlen % 4 == 1)
                return -1;
        for (i = 0; i < inlen; i++) {
                int v = b64url_value(in[i]);

                if (v < 0)
                        return -1;
                acc = (acc << 6 | (uint32_t)v) & 0xffffff;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[o++] = (unsigned char)(acc >> bits & 0xff);
                }
        }
        /* Leftover bits must be zero: one accepted spelling per byte string. */
        if (acc & ((1u << bits) - 1))
                return -1;
        return (long)o;
}

int
b64url_decode(const char *in, size_t inlen, unsigned char **out, size_t *outlen)
{
        unsigned char *buf;
        long n;

        if (inlen > (SIZE_MAX - 3) / 3)
                return ST_MALFORMED;
        buf = malloc(inlen / 4 * 3 + 3);
        if (!buf)
                return ST_NOMEM;
        n = b64url_decode_into(in, inlen, buf);
        if (n < 0) {
                free(buf);
                return ST_MALFORMED;
        }
        buf[n] = '\0';
        *out = buf;
        *outlen = (size_t)n;
        return ST_OK;
}
