/*
 * fuzz_jwks.c - key sets (jwks.c): a JWKS document as an identity provider's
 * jwks_uri or TANDEM_JWKS_FILE serves it, read for RS256 and for ES256, then
 * every key looked up by its kid and without one.  Input: a JWKS document.
 */
#include "fuzz.h"
#include "jwks.h"

static void
parse_for(const json_t *j_jwks, enum jwt_alg alg)
{
        struct key_set *ks = NULL;
        const json_t *j_jwk;
        size_t i;

        if (key_set_parse(j_jwks, alg, &ks) != ST_OK)
                return;
        (void)key_set_find(ks, NULL);
        json_array_foreach(json_object_get(j_jwks, "keys"), i, j_jwk)
                (void)key_set_find(ks, json_string_value(json_object_get(j_jwk, "kid")));
        if (key_set_size(ks) > 64)
                abort();   /* JWKS_MAX_KEYS bounds a set, whatever the document holds */
        key_set_unref(ks);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        json_t *j_jwks = json_loadb((const char *)data, size, 0, NULL);

        parse_for(j_jwks, JWT_ALG_RS256);
        parse_for(j_jwks, JWT_ALG_ES256);
        json_decref(j_jwks);
        return 0;
}
