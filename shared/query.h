/*
 * query.h - typed query parameters for list filters.
 *
 * Each reader returns the value (borrowed from the request) or a default when
 * the parameter is absent, and records a field error naming the parameter in
 * rq->prob when it is present but bad, so that a handler reads every filter
 * and then checks problem_field_count() once.
 */
#ifndef TANDEM_QUERY_H
#define TANDEM_QUERY_H

#include <stdbool.h>
#include "server.h"

/* A UUID, or NULL. */
const char *query_uuid(struct request *rq, const char *name);

/* One of @values (NULL-terminated), or NULL. */
const char *query_enum(struct request *rq, const char *name, const char *const *values);

/* "true" -> 1, "false" -> 0, absent -> -1. */
int query_bool(struct request *rq, const char *name);

/* A whole number in @min..@max, or @def when absent (or bad). */
long query_int(struct request *rq, const char *name, long min, long max, long def);

/* An RFC 3339 date-time or a date (YYYY-MM-DD, midnight UTC), or NULL. */
const char *query_time(struct request *rq, const char *name);

/* A string of 1..@max characters, or NULL. */
const char *query_text(struct request *rq, const char *name, long long max);

/* True when @s is a calendar date YYYY-MM-DD. */
bool query_date_valid(const char *s);

#endif
