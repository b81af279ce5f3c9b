/*
 * http.c - reading a request: path and query values, the strict JSON body,
 * ETag and If-Match, cursor pagination.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "jsonbody.h"
#include "jsonv.h"
#include "query.h"
#include "status.h"

bool
uuid_valid(const char *s)
{
        return s != NULL && strlen(s) == 36 && jv_uuid_shape(s);
}

int
http_path_uuid(struct request *rq, const char *name, char out[UUID_STR_LEN])
{
        const char *v = u_map_get(rq->req->map_url, name);

        if (!uuid_valid(v))
                return problem_set(&rq->prob, ST_NOT_FOUND, NULL,
                                   "no resource with this id (ids are UUIDs)");
        for (int i = 0; i < 36; i++)
                out[i] = (char)tolower((unsigned char)v[i]);
        out[36] = '\0';
        return ST_OK;
}

const char *
http_query(const struct request *rq, const char *name)
{
        return u_map_get(rq->req->map_url, name);
}

void
http_query_uuid(struct request *rq, const char *name, const char **out)
{
        *out = query_uuid(rq, name);
}

void
http_query_enum(struct request *rq, const char *name, const char *const *values,
                const char **out)
{
        *out = query_enum(rq, name, values);
}

const char *
http_header(const struct request *rq, const char *name)
{
        return u_map_get_case(rq->req->map_header, name);
}

static bool
is_json_type(const char *ct)
{
        size_t n;

        if (ct == NULL)
                return false;
        n = strcspn(ct, "; \t");
        if (n == strlen("application/json") && strncasecmp(ct, "application/json", n) == 0)
                return true;
        return n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0
               && strncasecmp(ct, "application/", 12) == 0;
}

int
http_json_body(struct request *rq, json_t **out)
{
        json_t *j_body = NULL;
        int rc;

        if (!is_json_type(http_header(rq, "Content-Type")))
                return problem_set(&rq->prob, ST_MEDIA_TYPE, NULL,
                                   "the body must be sent as Content-Type: application/json");
        if (rq->req->binary_body_length == 0)
                return problem_set(&rq->prob, ST_MALFORMED, NULL, "the request body is empty");
        rc = json_body_parse(rq->req->binary_body, rq->req->binary_body_length, &j_body,
                             &rq->prob);
        if (rc != ST_OK)
                return rc;
        if (!json_is_object(j_body)) {
                json_decref(j_body);
                return problem_set(&rq->prob, ST_MALFORMED, NULL,
                                   "the body must be a JSON object");
        }
        *out = j_body;
        return ST_OK;
}

/* Parses one entity tag, "N" or W/"N", at *@s; advances past it. */
static bool
etag_next(const char **s, long long *version)
{
        const char *p = *s;
        char *end;

        while (*p == ' ' || *p == '\t' || *p == ',')
                p++;
        if (strncmp(p, "W/", 2) == 0)
                p += 2;
        if (*p != '"' || !isdigit((unsigned char)p[1]))
                return false;
        *version = strtoll(p + 1, &end, 10);
        if (*end != '"')
                return false;
        *s = end + 1;
        return true;
}

int
http_if_match(struct request *rq, long long version)
{
        const char *h = http_header(rq, "If-Match");
        long long v;

        if (h == NULL || strcmp(h, "*") == 0)
                return ST_OK;
        while (etag_next(&h, &v))
                if (v == version)
                        return ST_OK;
        return problem_set(&rq->prob, ST_PRECONDITION, NULL,
                           "If-Match does not name the current version (%lld); read the resource"
                           " again and retry", version);
}

void
http_set_etag(struct request *rq, long long version)
{
        snprintf(rq->etag, sizeof(rq->etag), "\"%lld\"", version);
}

void
cursor_encode(int64_t pos, char *out, size_t outlen)
{
        snprintf(out, outlen, "c%llx", (unsigned long long)pos ^ 0x5a5a5a5aULL);
}

int
cursor_decode(const char *s, int64_t *pos)
{
        unsigned long long v;
        char *end;

        if (s == NULL || s[0] != 'c' || s[1] == '\0' || (s[1] == '0' && s[2] != '\0')
            || strlen(s) > 17)
                return ST_INVALID;
        for (const char *c = s + 1; *c != '\0'; c++)   /* one spelling per cursor */
                if (!isdigit((unsigned char)*c) && (*c < 'a' || *c > 'f'))
                        return ST_INVALID;
        v = strtoull(s + 1, &end, 16);
        if (*end != '\0')
                return ST_INVALID;
        v ^= 0x5a5a5a5aULL;
        if (v == 0 || v > INT64_MAX)
                return ST_INVALID;
        *pos = (int64_t)v;
        return ST_OK;
}

int
http_page(struct request *rq, struct page *pg)
{
        const char *limit = http_query(rq, "limit");
        const char *cursor = http_query(rq, "cursor");
        char *end;
        long v;

        pg->limit = 50;
        pg->after = 0;
        if (limit != NULL) {
                v = strtol(limit, &end, 10);
                if (*limit == '\0' || *end != '\0' || v < 1 || v > 500)
                        problem_field(&rq->prob, "limit", "must be a whole number from 1 to 500");
                else
                        pg->limit = (int)v;
        }
        if (cursor != NULL && cursor_decode(cursor, &pg->after) != ST_OK)
                problem_field(&rq->prob, "cursor", "is not a cursor this service issued");
        return problem_field_count(&rq->prob) > 0 ? ST_INVALID : ST_OK;
}

int
http_reply_row(struct request *rq, struct db_row *r, unsigned status, const char *collection)
{
        http_set_etag(rq, r->version);
        rq->http_status = status;
        if (collection == NULL) {
                /* pass PostgreSQL's JSON text through untouched */
                rq->text_out = r->json;
                rq->content_type = "application/json";
                r->json = NULL;
                return ST_OK;
        }
        if (collection[0] != '\0')
                snprintf(rq->location, sizeof(rq->location), "/v1/%s/%s", collection, r->id);
        rq->j_out = json_loads(r->json, 0, NULL);
        return rq->j_out != NULL ? ST_OK : ST_NOMEM;
}

int
http_reply_text(struct request *rq, int rc, char *text)
{
        if (rc != ST_OK) {
                free(text);
                return rc;
        }
        rq->text_out = text;
        rq->content_type = "application/json";
        return ST_OK;
}
