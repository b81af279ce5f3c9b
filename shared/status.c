/*
 * status.c - the one mapping from the suite's status codes to HTTP.
 */
#include "status.h"

struct st_entry {
        int st;
        unsigned http;
        const char *title;
        const char *slug;
};

static const struct st_entry st_table[] = {
        { ST_OK, 200, "OK", "ok" },
        { ST_INVALID, 400, "Invalid request", "validation" },
        { ST_MALFORMED, 400, "Malformed request", "malformed" },
        { ST_UNAUTHENTICATED, 401, "Unauthenticated", "unauthenticated" },
        { ST_FORBIDDEN, 403, "Forbidden", "forbidden" },
        { ST_NOT_FOUND, 404, "Not found", "not-found" },
        { ST_METHOD, 405, "Method not allowed", "method-not-allowed" },
        { ST_CONFLICT, 409, "Conflict", "conflict" },
        { ST_PRECONDITION, 412, "Precondition failed", "precondition-failed" },
        { ST_TOO_LARGE, 413, "Payload too large", "payload-too-large" },
        { ST_MEDIA_TYPE, 415, "Unsupported media type", "unsupported-media-type" },
        { ST_HEADERS_TOO_LARGE, 431, "Request header fields too large",
          "request-header-fields-too-large" },
        { ST_UNPROCESSABLE, 422, "Unprocessable content", "unprocessable" },
        { ST_UNAVAILABLE, 503, "Service unavailable", "unavailable" },
        { ST_RETRY, 503, "Service unavailable", "unavailable" },
        { ST_NOT_IMPLEMENTED, 501, "Not implemented", "not-implemented" },
        { ST_INTERNAL, 500, "Internal error", "internal" },
        { ST_NOMEM, 500, "Internal error", "internal" },
};

static const struct st_entry *
st_lookup(int st)
{
        for (unsigned i = 0; i < sizeof(st_table) / sizeof(st_table[0]); i++)
                if (st_table[i].st == st)
                        return &st_table[i];
        return &st_table[sizeof(st_table) / sizeof(st_table[0]) - 1];
}

unsigned
st_http_status(int st)
{
        return st_lookup(st)->http;
}

const char *
st_title(int st)
{
        return st_lookup(st)->title;
}

const char *
st_slug(int st)
{
        return st_lookup(st)->slug;
}
