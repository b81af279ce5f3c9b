/*
 * attention_db.c - the attention list's statements: one page of the items a
 * caller sees, from notify's own read model (sql/0003_attention.sql).
 *
 * The page is built by PostgreSQL (sql/0007_attention_page.sql): each row is
 * an item's JSON text, kept with the item but for the person's id and name;
 * the page without filters runs a statement planned once per connection.
 * The programme lead's page walks att_item in (since, seq) order and stops at
 * the page's end; everyone else's gathers their few items through the
 * branches their roles open (an active mentor's partners, the write-ups they
 * owe, comms' reviews, a partner's own) and sorts those.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "notify.h"
#include "status.h"

const struct db_stmt attention_stmts[] = {
        /* $1 reason, $2 programme, $3 person, $4/$5 after, $6 limit */
        { "attention_all",
          "SELECT since_key, seq, item FROM att_page_all($1::text, $2::uuid, $3::uuid,"
          " $4::bigint, $5::bigint, $6::int)" },
        /* $1 me, $2 mentor, $3 comms, $4 partner, then as above */
        { "attention_mine",
          "SELECT since_key, seq, item FROM att_page_mine($1::uuid, $2::boolean, $3::boolean,"
          " $4::boolean, $5::text, $6::uuid, $7::uuid, $8::bigint, $9::bigint, $10::int)" },
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
