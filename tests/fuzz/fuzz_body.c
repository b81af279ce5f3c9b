/*
 * fuzz_body.c - a request body read as JSON (jsonbody.c): duplicate members,
 * "\u0000", lone surrogates, integers beyond 64 bits and bad UTF-8 named by
 * field path, and the path found for every byte position of the text, which
 * must stay within its buffer whatever follows the position.  Input: a body.
 */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char path[64];

        json_decref(fuzz_json(data, size));
        for (size_t pos = 0; pos <= size && pos < 4096; pos++) {
                json_body_path_at((const char *)data, size, pos, path, sizeof(path));
                if (strlen(path) >= sizeof(path))
                        abort();
        }
        return 0;
}
