/*
 * fuzz_scim.c - the people service's SCIM parsers (scim_json.c): the filter
 * of GET /Users and /Groups, POST and PUT /Users bodies, PATCH of a User
 * (applied to a provisioned person, then checked as http_scim.c does) and
 * PATCH of a Group's members.  Faults are rendered as a SCIM error body.
 * Input: a filter, or a request body.
 */
#include <stdio.h>

#include "fuzz.h"
#include "scim.h"

/* The person a PATCH applies to (test_people_scim.c's t_flat). */
static const char flat_text[] =
        "{\"user_name\":\"u@x.example\",\"external_id\":\"e\",\"given_name\":\"Ada\","
        "\"family_name\":\"Lovelace\",\"display_name\":\"Ada Lovelace\","
        "\"email\":\"u@x.example\",\"title\":null,\"business_unit\":null,"
        "\"timezone\":\"UTC\",\"active\":true}";

/* Renders @p as http_scim.c's error reply does (it must render), then releases it. */
static void
scim_done(struct problem *p, int st)
{
        char detail[1024];
        json_t *j_err;

        fuzz_verdict_agrees(st, p);
        problem_summary(p, st, detail, sizeof(detail));
        j_err = scim_error_json(400, p->type[0] != '\0' ? p->type : NULL, detail);
        if (j_err == NULL)
                abort();   /* http_scim.c would answer "{}" */
        json_decref(j_err);
        problem_release(p);
}

static void
fuzz_filter(const uint8_t *data, size_t size)
{
        struct scim_filter f;
        struct problem p = PROBLEM_INIT;
        char *s = fuzz_str(data, size);

        if (s != NULL)
                scim_done(&p, scim_filter_parse(s, &f, &p));
        free(s);
}

static void
fuzz_user(const json_t *j_body)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_flat = NULL;

        scim_done(&p, scim_user_parse(j_body, &p, &j_flat));
        if (j_flat != NULL)
                scim_done(&p, scim_flat_check(j_flat, &p));
        json_decref(j_flat);
}

static void
fuzz_user_patch(const json_t *j_patch)
{
        struct problem p = PROBLEM_INIT;
        json_t *j_flat = json_loads(flat_text, 0, NULL);
        int st;

        if (j_flat == NULL)
                abort();
        st = scim_user_patch(j_flat, j_patch, &p);
        scim_done(&p, st);
        if (st == ST_OK)
                scim_done(&p, scim_flat_check(j_flat, &p));
        json_decref(j_flat);
}

static void
fuzz_group_patch(const json_t *j_patch)
{
        struct problem p = PROBLEM_INIT;
        struct scim_members m = { NULL, NULL, false };

        scim_done(&p, scim_group_patch_parse(j_patch, &m, &p));
        scim_members_release(&m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        json_t *j_body;

        fuzz_filter(data, size);
        j_body = fuzz_json(data, size);
        if (json_is_object(j_body)) {
                fuzz_user(j_body);
                fuzz_user_patch(j_body);
                fuzz_group_patch(j_body);
        }
        json_decref(j_body);
        return 0;
}
