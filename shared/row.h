/*
 * row.h - one resource read from PostgreSQL as JSON text, and the reply made
 * of it.
 *
 * Services render their resources in SQL (a *_json() function per table), so
 * a read is one round trip and its text passes through untouched.  Statements
 * that return one resource put its id, version and JSON text in columns 0, 1
 * and 2.
 */
#ifndef TANDEM_ROW_H
#define TANDEM_ROW_H

#include <libpq-fe.h>
#include "http.h"

/* A database read or write result: the JSON text of one resource. */
struct row {
        char *json;             /* malloc'd JSON text; NULL until filled */
        long long version;
        char id[UUID_STR_LEN];
};

#define ROW_INIT { NULL, 0, "" }

/* Frees what @r owns and resets it.  Accepts NULL. */
void row_release(struct row *r);

/*
 * Takes id, version and JSON text from columns 0, 1, 2 of row 0 of @res.
 * Returns ST_OK, ST_NOT_FOUND when @res has no row, ST_NOMEM.
 */
int row_take(const PGresult *res, struct row *out);

/* Runs the prepared statement @stmt and takes its first row (see row_take). */
int row_exec(PGconn *c, const char *stmt, int n, const char *const *params, struct row *out);

/*
 * Makes @r the reply, with its ETag and @status.  A read (@collection NULL)
 * passes the JSON text through (moved into rq->text_out); a create sets
 * Location to /v1/@collection/<id> and parses the text into rq->j_out, so
 * that an Idempotency-Key replay can store it.  Returns ST_OK or ST_NOMEM.
 */
int row_reply(struct request *rq, struct row *r, unsigned status, const char *collection);

#endif
