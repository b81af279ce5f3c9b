/*
 * query.c - typed query parameters for list filters (see query.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "jsonv.h"
#include "query.h"

const char *
query_uuid(struct request *rq, const char *name)
{
        const char *v = http_query(rq, name);

        if (v != NULL && !uuid_valid(v)) {
                problem_field(&rq->prob, name, "must be a UUID");
                return NULL;
        }
        return v;
}

const char *
query_enum(struct request *rq, const char *name, const char *const *values)
{
        const char *v = http_query(rq, name);
        char allowed[256] = "";
        size_t used = 0;

        if (v == NULL)
                return NULL;
        for (const char *const *x = values; *x != NULL; x++) {
                if (strcmp(*x, v) == 0)
                        return v;
                if (used < sizeof(allowed))
                        used += (size_t)snprintf(allowed + used, sizeof(allowed) - used, "%s%s",
                                                 used > 0 ? ", " : "", *x);
        }
        problem_field(&rq->prob, name, "must be one of %s", allowed);
        return NULL;
}

int
query_bool(struct request *rq, const char *name)
{
        const char *v = http_query(rq, name);

        if (v == NULL)
                return -1;
        if (strcmp(v, "true") == 0)
                return 1;
        if (strcmp(v, "false") == 0)
                return 0;
        problem_field(&rq->prob, name, "must be true or false");
        return -1;
}

long
query_int(struct request *rq, const char *name, long min, long max, long def)
{
        const char *v = http_query(rq, name);
        char *end;
        long n;

        if (v == NULL)
                return def;
        n = strtol(v, &end, 10);
        if (*v == '\0' || *end != '\0' || n < min || n > max) {
                problem_field(&rq->prob, name, "must be a whole number from %ld to %ld", min, max);
                return def;
        }
        return n;
}

bool
query_date_valid(const char *s)
{
        char t[32];

        if (s == NULL || strlen(s) != 10)
                return false;
        snprintf(t, sizeof(t), "%sT00:00:00Z", s);
        return jv_time_valid(t);
}

const char *
query_time(struct request *rq, const char *name)
{
        const char *v = http_query(rq, name);

        if (v == NULL || query_date_valid(v) || jv_time_valid(v))
                return v;
        problem_field(&rq->prob, name, "must be an RFC 3339 date-time or a date (YYYY-MM-DD)");
        return NULL;
}

const char *
query_text(struct request *rq, const char *name, long long max)
{
        const char *v = http_query(rq, name);

        if (v != NULL && (v[0] == '\0' || jv_utf8_len(v) > max)) {
                problem_field(&rq->prob, name, "must be 1 to %lld characters", max);
                return NULL;
        }
        return v;
}
