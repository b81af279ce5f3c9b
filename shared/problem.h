/*
 * problem.h - RFC 9457 problem details, built up while a request is handled.
 *
 * A handler records what went wrong in a struct problem; the dispatcher turns
 * it into one application/problem+json reply.  Field errors accumulate so that
 * a client learns about every bad field at once.
 */
#ifndef TANDEM_PROBLEM_H
#define TANDEM_PROBLEM_H

#include <jansson.h>

#define PROBLEM_TYPE_BASE "https://tandem.dev/problems/"

struct problem {
        int st;                 /* ST_OK while nothing is wrong */
        char type[64];          /* slug after PROBLEM_TYPE_BASE; "" = from st */
        char detail[512];
        json_t *j_errors;       /* array of {field, message}; owned, may be NULL */
};

#define PROBLEM_INIT { 0, "", "", NULL }

void problem_init(struct problem *p);

/* Frees what @p owns and resets it.  Accepts NULL. */
void problem_release(struct problem *p);

/*
 * Sets the status, an optional type slug (NULL: derived from @st) and a detail
 * message.  Returns @st so that callers can write `return problem_set(...)`.
 */
int problem_set(struct problem *p, int st, const char *type, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/*
 * Adds a field error {field, message} and makes the status ST_INVALID unless a
 * status is already set.  Returns ST_INVALID.
 */
int problem_field(struct problem *p, const char *field, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Number of field errors recorded. */
size_t problem_field_count(const struct problem *p);

/*
 * Renders @p as a problem+json object with status @st (the handler's
 * returned status is authoritative; p->st only records the first fault).
 * @instance may be NULL.  Returns a new reference, NULL on out of memory.
 */
json_t *problem_to_json(const struct problem *p, int st, const char *instance);

/*
 * Writes the detail of @p for status @st and, after it, every field error as
 * "; field: message", into @out (truncated to @outlen), for error formats
 * that carry one message only (SCIM).
 */
void problem_summary(const struct problem *p, int st, char *out, size_t outlen);

#endif
