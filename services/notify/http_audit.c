/*
 * http_audit.c - GET /v1/audit (admin): the audit log, filtered, as JSON
 * pages or, with Accept: text/csv, as one CSV stream of every matching row.
 *
 * The CSV is read from the database a page at a time (keyset on seq, a fresh
 * pooled connection per page, no transaction held between pages) and handed
 * to ulfius block by block, so the memory one export takes is a page and a
 * line whatever the log's size.  Rows that arrive while the export runs are
 * included when they come after its position.  No statement outlives a page
 * (a few ms) and none runs while the client is slow to read: when the client
 * goes away, ulfius stops asking for blocks and the export stops there, with no
 * query left behind and no pooled connection or snapshot held by a slow reader.
 * The two times come as UTC timestamps and are formatted here (csv_time_utc).
 */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "log.h"
#include "notify.h"
#include "query.h"
#include "status.h"

#define CSV_PAGE 500
#define TEXT_MAX 256

static const char *const services[] = { "people", "phases", "mentoring", "strategy", "notify",
                                        NULL };

struct csv_stream {
        struct service *svc;
        struct audit_filter f;       /* the strings are copies (the request is gone) */
        char *owned[6];
        int64_t after;
        PGresult *res;
        int row;
        int header_done;
        int last_page;               /* the page in res was short: no more after it */
        struct buf line;             /* the record being sent */
        size_t sent;                 /* bytes of line already sent */
        long long rows;              /* records sent, header aside */
        int ended;                   /* the last block was handed over */
};

static void
csv_stream_free(void *arg)
{
        struct csv_stream *st = arg;

        if (st == NULL)
                return;
        if (!st->ended)
                log_info("audit export stopped after %lld row(s), position %" PRId64
                         ": the client went away or the export failed", st->rows, st->after);
        for (size_t i = 0; i < sizeof(st->owned) / sizeof(st->owned[0]); i++)
                free(st->owned[i]);
        free(st->f.types);
        PQclear(st->res);
        buf_release(&st->line);
        free(st);
}

static int
rows_tx(PGconn *c, struct request *rq, void *arg)
{
        struct csv_stream *st = arg;

        (void)rq;
        PQclear(st->res);
        st->res = NULL;
        st->row = 0;
        return audit_db_rows(c, &st->f, st->after, CSV_PAGE, &st->res);
}

/* The next record into st->line; 0 at the end, -1 on a failure. */
static int
next_record(struct csv_stream *st)
{
        const char *values[AUDIT_CSV_COLUMNS];
        size_t lens[AUDIT_CSV_COLUMNS];
        char times[2][CSV_TIME_LEN + 1];

        buf_clear(&st->line);
        st->sent = 0;
        if (!st->header_done) {
                for (int i = 0; i < AUDIT_CSV_COLUMNS; i++) {
                        values[i] = audit_csv_columns[i];
                        lens[i] = strlen(values[i]);
                }
                st->header_done = 1;
        } else {
                if (st->res == NULL || st->row >= PQntuples(st->res)) {
                        if (st->last_page)
                                return 0;
                        if (atomic_load(&st->svc->draining)
                            || db_with(st->svc->db, NULL, rows_tx, st) != ST_OK)
                                return -1;
                        st->last_page = PQntuples(st->res) < CSV_PAGE;
                        if (PQntuples(st->res) == 0)
                                return 0;
                }
                for (int i = 0; i < AUDIT_CSV_COLUMNS; i++) {
                        int col = i + 1;

                        values[i] = PQgetisnull(st->res, st->row, col) ? NULL
                                    : PQgetvalue(st->res, st->row, col);
                        lens[i] = (size_t)PQgetlength(st->res, st->row, col);
                }
                for (int i = 1; i <= 2; i++) {          /* time, received_at */
                        if (values[i] == NULL)
                                continue;
                        lens[i] = csv_time_utc(values[i], lens[i], times[i - 1]);
                        if (lens[i] == 0) {
                                log_warn("audit export: PostgreSQL wrote a time as %s, not in"
                                         " DateStyle ISO", values[i]);
                                return -1;
                        }
                        values[i] = times[i - 1];
                }
                st->after = strtoll(PQgetvalue(st->res, st->row, 0), NULL, 10);
                st->row++;
                st->rows++;
        }
        csv_record(&st->line, values, lens, AUDIT_CSV_COLUMNS);
        return st->line.failed ? -1 : 1;
}

static ssize_t
csv_stream_read(void *arg, uint64_t offset, char *out, size_t max)
{
        struct csv_stream *st = arg;
        size_t n = 0;

        (void)offset;
        while (n < max) {
                if (st->sent < st->line.len) {
                        size_t k = st->line.len - st->sent;

                        if (k > max - n)
                                k = max - n;
                        memcpy(out + n, st->line.p + st->sent, k);
                        st->sent += k;
                        n += k;
                        continue;
                }
                int rc = next_record(st);

                if (rc == 0) {
                        st->ended = 1;
                        break;
                }
                if (rc < 0) {
                        log_warn("audit export stopped after position %" PRId64
                                 ": the database did not answer", st->after);
                        return n > 0 ? (ssize_t)n : U_STREAM_ERROR;
                }
        }
        return n > 0 ? (ssize_t)n : U_STREAM_END;
}

static int
wants_csv(const struct request *rq)
{
        const char *accept = http_header(rq, "Accept");

        return accept != NULL && strstr(accept, "text/csv") != NULL;
}

static char *
dup_or_null(const char *s)
{
        return s != NULL ? strdup(s) : NULL;
}

static int
start_csv(struct request *rq, const struct audit_filter *f, int64_t after)
{
        struct csv_stream *st = calloc(1, sizeof(*st));
        const char *src[6] = { f->actor, f->person, f->service, f->subject, f->from, f->to };

        if (st == NULL)
                return ST_NOMEM;
        st->svc = rq->svc;
        st->after = after;
        st->line = (struct buf)BUF_INIT;
        for (int i = 0; i < 6; i++)
                if (src[i] != NULL && (st->owned[i] = dup_or_null(src[i])) == NULL) {
                        csv_stream_free(st);
                        return ST_NOMEM;
                }
        st->f.actor = st->owned[0];
        st->f.person = st->owned[1];
        st->f.service = st->owned[2];
        st->f.subject = st->owned[3];
        st->f.from = st->owned[4];
        st->f.to = st->owned[5];
        st->f.types = f->types;        /* moved */
        rq->stream.read = csv_stream_read;
        rq->stream.free = csv_stream_free;
        rq->stream.arg = st;
        rq->content_type = "text/csv; charset=utf-8; header=present";
        return ST_OK;
}

struct page_op {
        const struct audit_filter *f;
        struct page pg;
        char *out;
};

static int
page_tx(PGconn *c, struct request *rq, void *arg)
{
        struct page_op *op = arg;

        (void)rq;
        return audit_db_page(c, op->f, &op->pg, &op->out);
}

int
http_audit_list(struct request *rq)
{
        struct audit_filter f = { 0 };
        struct page_op op = { &f, { 0, 0 }, NULL };
        const char *type = http_query(rq, "type");
        char why[160];
        int rc = ST_OK;

        if (!(rq->who.roles & ROLE_ADMIN))
                return problem_set(&rq->prob, ST_FORBIDDEN, NULL,
                                   "the audit log is for the admin role");
        f.actor = query_text(rq, "actor", TEXT_MAX);
        f.person = query_uuid(rq, "person_id");
        f.service = query_enum(rq, "service", services);
        f.subject = query_text(rq, "subject", TEXT_MAX);
        f.from = query_time(rq, "from");
        f.to = query_time(rq, "to");
        if (type != NULL) {
                rc = event_type_filter(type, &f.types, why, sizeof(why));
                if (rc == ST_NOMEM)
                        return rc;
                if (rc != ST_OK)
                        problem_field(&rq->prob, "type", "%s", why);
                rc = ST_OK;
        }
        http_page(rq, &op.pg);
        if (problem_field_count(&rq->prob) > 0) {
                free(f.types);
                return problem_set(&rq->prob, ST_INVALID, NULL, "bad audit log filters");
        }
        if (wants_csv(rq))
                return start_csv(rq, &f, op.pg.after);   /* f.types moves into the stream */
        rc = db_with(rq->svc->db, rq, page_tx, &op);
        free(f.types);
        return http_reply_text(rq, rc, op.out);
}
