/*
 * fuzz_people.c - the people service's request validation (people_json.c):
 * POST and PATCH /v1/people (as admin and as the person themselves), POST
 * and PATCH /v1/pairings, and the time zone shape.  Input: a request body.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "people.h"

static int
patch_self(const json_t *j_body, struct problem *p)
{
        return people_json_check_patch(j_body, true, p);
}

static int
patch_admin(const json_t *j_body, struct problem *p)
{
        return people_json_check_patch(j_body, false, p);
}

static const fuzz_check_fn checks[] = {
        people_json_check_create, patch_self, patch_admin,
        pairings_json_check_create, pairings_json_check_patch, NULL,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        json_t *j_body = fuzz_json(data, size);
        char *s = fuzz_str(data, size);

        if (s != NULL)
                (void)people_json_tz_shape(s);
        free(s);
        if (json_is_object(j_body)) {
                fuzz_check_all(checks, j_body);
                (void)people_json_tz_shape(json_string_value(json_object_get(j_body,
                                                                           "timezone")));
        }
        json_decref(j_body);
        return 0;
}
