/*
 * http.h - helpers handlers use to read a request: path and query values,
 * the strict JSON body, ETag / If-Match, pagination.
 *
 * All of them record what is wrong in rq->prob and return its status, so a
 * handler can `goto out` on anything but ST_OK.
 */
#ifndef TANDEM_HTTP_H
#define TANDEM_HTTP_H

#include <stdbool.h>
#include <stdint.h>
#include "server.h"

#define UUID_STR_LEN 37

/* Reads path parameter @name as a UUID into @out (lowercased). 404 if not one. */
int http_path_uuid(struct request *rq, const char *name, char out[UUID_STR_LEN]);

/* Returns query parameter @name or NULL (borrowed). */
const char *http_query(const struct request *rq, const char *name);

/*
 * Parses the JSON object body.  Returns ST_OK with a new reference in *@out,
 * ST_MEDIA_TYPE when the content type is not JSON, ST_MALFORMED when it does
 * not parse or is not an object, ST_INVALID naming the field when it holds a
 * value the suite cannot take (\u0000, a lone surrogate, an integer beyond 64
 * bits, a duplicate member; see jsonbody.h).
 */
int http_json_body(struct request *rq, json_t **out);

/*
 * Reads the optional query parameter @name into *@out (borrowed, NULL when
 * absent or invalid).  A value that is not a UUID is a field error "must be a
 * UUID"; one that is not one of @values (NULL-terminated) is "must be one of
 * a, b".  The out-parameter form of query_uuid/query_enum (query.h).
 */
void http_query_uuid(struct request *rq, const char *name, const char **out);
void http_query_enum(struct request *rq, const char *name, const char *const *values,
                     const char **out);

/* Returns the value of the request header @name (borrowed) or NULL. */
const char *http_header(const struct request *rq, const char *name);

/*
 * Checks If-Match against the current @version: absent or "*" passes; a list
 * of "N" / W/"N" values passes if one matches.  Otherwise ST_PRECONDITION.
 */
int http_if_match(struct request *rq, long long version);

/* Sets rq->etag to "\"<version>\"". */
void http_set_etag(struct request *rq, long long version);

/*
 * Sets the reply to @r with @status and the ETag of its version.  With
 * @collection NULL (a read or an update) the JSON text passes through
 * unparsed and @r->json is moved into rq.  Otherwise (a create) the text is
 * parsed into rq->j_out, so that an Idempotency-Key can store it, and
 * Location is "/v1/<collection>/<id>" unless @collection is "".  Returns
 * ST_OK or ST_NOMEM.
 */
int http_reply_row(struct request *rq, struct db_row *r, unsigned status, const char *collection);

/*
 * Ends a read that rendered JSON text (a page, db_exec_page): when @rc is
 * ST_OK the text is the reply (steals @text), otherwise it is freed.
 * Returns @rc.
 */
int http_reply_text(struct request *rq, int rc, char *text);

struct page {
        int limit;            /* 1..500, default 50 */
        int64_t after;        /* keyset position from the cursor, 0 = start */
};

/* Reads limit and cursor.  ST_INVALID naming the field on a bad value. */
int http_page(struct request *rq, struct page *pg);

/* Encodes @pos as an opaque cursor string into @out (>= 32 bytes). */
void cursor_encode(int64_t pos, char *out, size_t outlen);

/* Decodes a cursor.  Returns ST_OK or ST_INVALID. */
int cursor_decode(const char *s, int64_t *pos);

/* True when @s is a canonical UUID (8-4-4-4-12 hex). */
bool uuid_valid(const char *s);

#endif
