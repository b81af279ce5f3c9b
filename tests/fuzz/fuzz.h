/*
 * fuzz.h - what the libFuzzer harnesses in tests/fuzz share: the input as a
 * string or as a JSON request body (parsed the way http_json_body parses
 * one), and a validator's problem checked against its status and rendered the
 * way the reply renders it, so that a fault in the rendering shows too.
 *
 * Each harness is one LLVMFuzzerTestOneInput over one family of parsers of
 * client input; tests/fuzz/run.sh builds and runs them (make test, make fuzz).
 */
#ifndef TANDEM_FUZZ_H
#define TANDEM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonbody.h"
#include "problem.h"
#include "status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a new NUL-terminated string (cut at an embedded NUL), or NULL. */
static inline char *
fuzz_str(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);

        if (s == NULL)
                return NULL;
        memcpy(s, data, size);
        s[size] = '\0';
        return s;
}

/*
 * Aborts unless @st and @p agree: a body that passes has no fault recorded, and
 * one refused says why (a field error, or a detail), so the reply names it.
 */
static inline void
fuzz_verdict_agrees(int st, const struct problem *p)
{
        size_t faults = problem_field_count(p);

        if ((st == ST_OK && faults > 0) || (st != ST_OK && faults == 0 && p->detail[0] == '\0'))
                abort();
}

/*
 * Checks that @st and @p agree, renders @p as the problem+json reply would
 * (it must render), then releases it.
 */
static inline void
fuzz_problem_done(struct problem *p, int st)
{
        json_t *j_reply;
        char *text;

        fuzz_verdict_agrees(st, p);
        j_reply = problem_to_json(p, st == ST_OK ? ST_INVALID : st, "/fuzz");
        text = json_dumps(j_reply, JSON_COMPACT);
        if (text == NULL)
                abort();   /* the reply would have no body */
        free(text);
        json_decref(j_reply);
        problem_release(p);
}

/*
 * The input as JSON, read as http_json_body reads a request body
 * (json_body_parse, whose faults must render too); a new reference or NULL.
 * The path finder of jsonbody.c is also run at the middle and the end.
 */
static inline json_t *
fuzz_json(const uint8_t *data, size_t size)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_body = NULL;
        char path[256];

        fuzz_problem_done(&p, json_body_parse((const char *)data, size, &j_body, &p));
        json_body_path_at((const char *)data, size, size / 2, path, sizeof(path));
        json_body_path_at((const char *)data, size, size, path, sizeof(path));
        return j_body;
}

typedef int (*fuzz_check_fn)(const json_t *j_body, struct problem *p);

/* Runs the validator @fn on @j_body (borrowed) and renders its problem. */
static inline int
fuzz_check(fuzz_check_fn fn, const json_t *j_body)
{
        struct problem p = PROBLEM_INIT;
        int st = fn(j_body, &p);

        fuzz_problem_done(&p, st);
        return st;
}

/* Runs every validator of @fns (ended by NULL) on @j_body. */
static inline void
fuzz_check_all(const fuzz_check_fn *fns, const json_t *j_body)
{
        for (; *fns != NULL; fns++)
                fuzz_check(*fns, j_body);
}

#endif
