/*
 * status.h - the one status vocabulary of the suite.
 *
 * Every function that can fail returns ST_OK (0) or one of the negative codes
 * below.  Exactly one place (problem.c) maps a code to an HTTP status and a
 * problem+json title.
 */
#ifndef TANDEM_STATUS_H
#define TANDEM_STATUS_H

enum st {
        ST_OK = 0,
        ST_INVALID = -1,             /* 400: a field is wrong (validation)        */
        ST_MALFORMED = -2,           /* 400: the body or a parameter cannot parse */
        ST_UNAUTHENTICATED = -3,     /* 401: no token, or a token we refuse       */
        ST_FORBIDDEN = -4,           /* 403: authenticated but not allowed        */
        ST_NOT_FOUND = -5,           /* 404                                       */
        ST_METHOD = -6,              /* 405                                       */
        ST_CONFLICT = -7,            /* 409: a rule or a unique key says no       */
        ST_PRECONDITION = -8,        /* 412: If-Match names a stale version       */
        ST_TOO_LARGE = -9,           /* 413: body over the configured cap         */
        ST_MEDIA_TYPE = -10,         /* 415: body is not application/json         */
        ST_UNPROCESSABLE = -11,      /* 422: understood but refused (Idempotency-Key reused) */
        ST_UNAVAILABLE = -12,        /* 503: pool timeout, dependency down        */
        ST_RETRY = -13,              /* internal: serialization failure, retry    */
        ST_INTERNAL = -14,           /* 500: a bug or an unexpected database fault */
        ST_NOMEM = -15,              /* 500: out of memory                        */
        ST_NOT_IMPLEMENTED = -16,    /* 501: an operation this resource never does */
        ST_HEADERS_TOO_LARGE = -17,  /* 431: request headers over the limit       */
};

/* Returns the HTTP status for @st (200 for ST_OK). */
unsigned st_http_status(int st);

/* Returns a short human title for @st, e.g. "Not found".  Never NULL. */
const char *st_title(int st);

/* Returns the problem type slug for @st, e.g. "not-found".  Never NULL. */
const char *st_slug(int st);

#endif
