/*
 * attention_db.c - the attention list's statements: one page of the items a
 * caller sees, from notify's own read model (sql/0003_attention.sql).
 *
 * The programme lead's statement walks att_item in (since, seq) order and
 * stops at the page's end; everyone else's gathers their few items through
 * the branches their roles open (an active mentor's partners, the write-ups
 * they owe, comms' reviews, a partner's own) and sorts those.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "notify.h"
#include "status.h"

/* the item as the API shows it (api-specs/notify.yaml, AttentionItem) */
#define ITEM_JSON \
        "json_build_object('person', json_build_object('id', i.person_id," \
        "  'name', p.display_name), 'reason', i.reason, 'since', att_time(i.since)," \
        "  'link', i.link, 'subject_id', i.subject_id, 'programme_id', i.programme_id," \
        "  'phase', CASE WHEN i.reason IN ('stalled', 'behind_own_plan')" \
        "   THEN nullif(i.section, '') END," \
        "  'section', CASE WHEN i.reason = 'section_review' THEN i.section END," \
        "  'count', i.count)::text"

/* the filters after the scope: $a reason, $b programme, $c person, $d/$e after, $f limit */
#define ITEM_FILTERS(a, b, c, d, e, f) \
        " JOIN att_person p ON p.id = i.person_id AND p.status = 'active'" \
        " WHERE i.due_at <= now()" \
        " AND (" a "::text IS NULL OR i.reason = " a "::text)" \
        " AND (" c "::uuid IS NULL OR i.person_id = " c "::uuid)" \
        " AND (" b "::uuid IS NULL OR i.programme_id = " b "::uuid" \
        "      OR (i.programme_id IS NULL AND EXISTS (SELECT 1 FROM att_enrolment e" \
        "          WHERE e.person_id = i.person_id AND e.programme_id = " b "::uuid)))" \
        " AND (i.since_key, i.seq) > (" d "::bigint, " e "::bigint)" \
        " ORDER BY i.since_key, i.seq LIMIT " f "::int"

const struct db_stmt attention_stmts[] = {
        { "attention_all",
          "SELECT i.since_key, i.seq, " ITEM_JSON " FROM att_item i"
          ITEM_FILTERS("$1", "$2", "$3", "$4", "$5", "$6") },
        /* $1 me, $2 mentor, $3 comms, $4 partner */
        { "attention_mine",
          "WITH mine AS ("
          "  SELECT i.* FROM att_pairing pr JOIN att_item i ON i.person_id = pr.partner_id"
          "   WHERE $2::boolean AND pr.mentor_id = $1::uuid AND pr.active"
          "     AND i.reason IN ('stalled', 'behind_own_plan', 'section_review',"
          "                      'completion_verification')"
          "  UNION ALL"
          "  SELECT i.* FROM att_item i WHERE $2::boolean AND i.owner_id = $1::uuid"
          "     AND i.reason = 'write_up_owed'"
          "  UNION ALL"
          "  SELECT i.* FROM att_item i WHERE $3::boolean"
          "     AND i.reason = 'integration_pending_review'"
          "  UNION ALL"
          "  SELECT i.* FROM att_item i WHERE $4::boolean AND i.person_id = $1::uuid"
          "     AND i.reason IN ('behind_own_plan', 'integration_returned'))"
          " SELECT i.since_key, i.seq, " ITEM_JSON " FROM mine i"
          ITEM_FILTERS("$5", "$6", "$7", "$8", "$9", "$10") },
        { NULL, NULL },
};

/* {items: [...], next_cursor} from the rows of @res (at most @limit + 1). */
static int
render_page(PGresult *res, int limit, char **out)
{
        struct buf b = BUF_INIT;
        int n = PQntuples(res), shown = n > limit ? limit : n;
        char cursor[80];

        buf_puts(&b, "{\"items\":[");
        for (int i = 0; i < shown; i++) {
                if (i > 0)
                        buf_puts(&b, ",");
                buf_puts(&b, PQgetvalue(res, i, 2));
        }
        buf_puts(&b, "],\"next_cursor\":");
        if (n > limit) {
                attention_cursor_encode(strtoll(PQgetvalue(res, shown - 1, 0), NULL, 10),
                                        strtoll(PQgetvalue(res, shown - 1, 1), NULL, 10),
                                        cursor, sizeof(cursor));
                buf_fmt(&b, "\"%s\"}", cursor);
        } else {
                buf_puts(&b, "null}");
        }
        *out = buf_detach(&b);
        return *out != NULL ? ST_OK : ST_NOMEM;
}

int
attention_db_page(PGconn *c, const struct attention_query *q, char **out)
{
        char key[24], seq[24], lim[16];
        const char *params[10];
        PGresult *res = NULL;
        int rc, k = 0;

        snprintf(key, sizeof(key), "%" PRId64, q->after_key);
        snprintf(seq, sizeof(seq), "%" PRId64, q->after_seq);
        snprintf(lim, sizeof(lim), "%d", q->limit + 1);
        if (!q->scope.all) {
                params[k++] = q->me;
                params[k++] = q->scope.mentor ? "true" : "false";
                params[k++] = q->scope.comms ? "true" : "false";
                params[k++] = q->scope.partner ? "true" : "false";
        }
        params[k++] = q->reason;
        params[k++] = q->programme;
        params[k++] = q->person;
        params[k++] = key;
        params[k++] = seq;
        params[k++] = lim;
        rc = db_exec(c, q->scope.all ? "attention_all" : "attention_mine", k, params, &res);
        if (rc == ST_OK)
                rc = render_page(res, q->limit, out);
        PQclear(res);
        return rc;
}
