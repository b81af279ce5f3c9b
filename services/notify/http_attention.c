/*
 * http_attention.c - GET /v1/attention: what needs the caller now, from
 * notify's read model alone (no call to another service for the items; who
 * the caller is comes from the admission cache or /v1/me, like everywhere).
 */
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "notify.h"
#include "query.h"
#include "status.h"

struct page_op {
        const struct attention_query *q;
        char *out;
};

static int
page_run(PGconn *c, struct request *rq, void *arg)
{
        struct page_op *op = arg;

        (void)rq;
        return attention_db_page(c, op->q, &op->out);
}

/* limit and cursor (the cursor is the list's own: a position of two parts) */
static void
read_page(struct request *rq, struct attention_query *q)
{
        const char *cursor = http_query(rq, "cursor");

        q->limit = (int)query_int(rq, "limit", 1, 500, 50);
        if (cursor != NULL
            && attention_cursor_decode(cursor, &q->after_key, &q->after_seq) != ST_OK)
                problem_field(&rq->prob, "cursor", "is not a cursor this service issued");
}

int
http_attention_list(struct request *rq)
{
        struct attention_query q = { 0 };
        struct page_op op = { &q, NULL };
        char me[UUID_STR_LEN] = "";
        int rc;

        if (attention_scope_of(rq->who.roles, &q.scope) != ST_OK)
                return access_forbid(rq, access_viewer_only(rq->who.roles)
                                     ? "viewers read statistics only"
                                     : "the attention list is for the programme team,"
                                       " mentors, partners and comms");
        q.reason = query_enum(rq, "reason", attention_reasons);
        q.programme = query_uuid(rq, "programme_id");
        q.person = query_uuid(rq, "person_id");
        read_page(rq, &q);
        if (problem_field_count(&rq->prob) > 0)
                return problem_set(&rq->prob, ST_INVALID, NULL, "bad attention list filters");
        if (!q.scope.all) {
                rc = access_me(rq, me);
                if (rc != ST_OK)
                        return rc;
                q.me = me[0] != '\0' ? me : NULL;
        }
        rc = db_with(rq->svc->db, rq, page_run, &op);
        return http_reply_text(rq, rc, op.out);
}
