/*
 * b64.h - base64url without padding (RFC 4648 section 5), as JOSE uses it.
 *
 * The decoder is strict: it refuses '=' padding, characters outside the
 * base64url alphabet, impossible lengths and non-zero unused trailing bits,
 * so every byte string has exactly one accepted encoding.
 */
#ifndef TANDEM_B64_H
#define TANDEM_B64_H

#include <stddef.h>

/*
 * Encodes @len bytes of @in.  Returns a new malloc'd NUL-terminated string
 * (the caller frees it), NULL when out of memory.
 */
char *b64url_encode(const void *in, size_t len);

/*
 * Decodes the @inlen characters at @in.  On success stores a new malloc'd
 * buffer in *@out (NUL-terminated for convenience, the terminator not counted)
 * and its length in *@outlen and returns ST_OK.  Returns ST_MALFORMED for
 * input that is not canonical base64url, ST_NOMEM when out of memory; the
 * out-parameters are then untouched.
 */
int b64url_decode(const char *in, size_t inlen, unsigned char **out, size_t *outlen);

#endif
