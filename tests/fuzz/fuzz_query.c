/*
 * fuzz_query.c - what a request carries besides its body: query parameters
 * (limit and cursor, the typed filters of query.c, the UUID and enum filters
 * of http.c), the If-Match header, and the value checks behind them (dates,
 * date-times, e-mail, UUIDs, UTF-8).  A cursor that decodes must encode back
 * to itself.  Input: a query string "a=1&b=2"; every pair is also a header.
 */
#include <stdbool.h>
#include <stdio.h>

#include <ulfius.h>

#include "fuzz.h"
#include "http.h"
#include "jsonv.h"
#include "query.h"
#include "server.h"

static const char *const statuses[] = { "active", "paused", "withdrawn", NULL };

/* Every check of a single value; a cursor must survive the round trip. */
static void
fuzz_value(const char *v)
{
        int64_t pos, again;
        char enc[32];

        if (cursor_decode(v, &pos) == ST_OK) {
                cursor_encode(pos, enc, sizeof(enc));
                if (strcmp(enc, v) != 0 || cursor_decode(enc, &again) != ST_OK || again != pos)
                        abort();   /* one spelling per cursor, and it decodes back */
        }
        (void)query_date_valid(v);
        (void)jv_time_valid(v);
        (void)jv_email_valid(v);
        (void)jv_uuid_shape(v);
        (void)uuid_valid(v);
        (void)jv_utf8_len(v);
}

/* Splits @s (changed) at '&' and '=' into the query and header maps. */
static void
fill(char *s, struct _u_request *req)
{
        char *save = NULL, *pair, *eq;

        for (pair = strtok_r(s, "&", &save); pair != NULL; pair = strtok_r(NULL, "&", &save)) {
                eq = strchr(pair, '=');
                if (eq != NULL)
                        *eq++ = '\0';
                else
                        eq = pair + strlen(pair);
                u_map_put(req->map_url, pair, eq);
                u_map_put(req->map_header, pair, eq);
                fuzz_value(eq);
        }
}

/* Reads every parameter the way the handlers do. */
static void
read_all(struct request *rq)
{
        struct page pg;
        const char *out;
        char id[UUID_STR_LEN];

        (void)http_page(rq, &pg);
        (void)query_uuid(rq, "person_id");
        (void)query_enum(rq, "status", statuses);
        (void)query_bool(rq, "active");
        (void)query_int(rq, "weeks", 1, 104, 4);
        (void)query_time(rq, "since");
        (void)query_text(rq, "q", 100);
        http_query_uuid(rq, "partner_id", &out);
        http_query_enum(rq, "kind", statuses, &out);
        (void)http_if_match(rq, 7);
        (void)http_path_uuid(rq, "id", id);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct _u_request req;
        struct request rq;
        char *s = fuzz_str(data, size);

        if (s == NULL)
                return 0;
        memset(&rq, 0, sizeof(rq));
        if (ulfius_init_request(&req) != U_OK)
                abort();
        rq.req = &req;
        fill(s, &req);
        read_all(&rq);
        fuzz_problem_done(&rq.prob, rq.prob.st);
        ulfius_clean_request(&req);
        free(s);
        return 0;
}
