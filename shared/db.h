/*
 * db.h - a bounded pool of libpq connections, prepared statements, and a
 * transaction runner.
 *
 * libpq forbids two threads on one PGconn, and ulfius serves requests on
 * several threads, so each request checks a connection out and back in.
 * Every connection is set to the service's schema (search_path) and has the
 * service's statement table prepared on it, again after every reset.
 */
#ifndef TANDEM_DB_H
#define TANDEM_DB_H

#include <libpq-fe.h>
#include "conninfo.h"
#include "metrics.h"

struct problem;
struct request;

/* One named statement; tables end with { NULL, NULL }. */
struct db_stmt {
        const char *name;
        const char *sql;
};

struct db_pool;

/*
 * Opens @size connections to @conninfo with search_path @schema and prepares
 * @stmts (borrowed; must outlive the pool) on each.  Returns ST_OK and the
 * pool in *@out, or ST_UNAVAILABLE when the database cannot be reached.
 */
int db_pool_new(const char *conninfo, const char *schema, unsigned size,
                unsigned timeout_ms, const struct db_stmt *stmts, struct db_pool **out);

/*
 * Opens a pool as @set says (see conninfo.h for how the URL and the service's
 * defaults combine).  Every statement then runs under a deadline: the server
 * cancels it after set->statement_ms (statement_timeout), and when no answer
 * has come DB_GRACE_MS later (a hung server, a lost network) the client stops
 * waiting, returns ST_UNAVAILABLE and closes the connection at checkin; the
 * next checkout connects again.  When set->max_busy threads are already in
 * the pool and none has made progress for a while, a checkout fails at once
 * (ST_UNAVAILABLE) instead of tying up one more connection's thread.
 */
int db_pool_open(const struct db_settings *set, const struct db_stmt *stmts,
                 struct db_pool **out);

/* How long after the server's statement_timeout the client gives up waiting. */
#define DB_GRACE_MS 500

/* Closes every connection.  Accepts NULL.  No checkout may be outstanding. */
void db_pool_free(struct db_pool *pool);

/*
 * Takes a connection, waiting up to the pool's timeout.  Returns ST_OK, or
 * ST_UNAVAILABLE on timeout or when a broken connection cannot be reset.
 */
int db_checkout(struct db_pool *pool, PGconn **out);

/* Like db_checkout, waiting at most @timeout_ms for a free connection. */
int db_checkout_within(struct db_pool *pool, unsigned timeout_ms, PGconn **out);

/*
 * Returns a connection: one left inside a transaction is rolled back, a broken
 * one is reset and its statements prepared again.  Accepts NULL @conn.
 */
void db_checkin(struct db_pool *pool, PGconn *conn);

/*
 * Sets the deadline of the statements run on @conn until its checkin (the
 * health checks use a tighter one).  Client side only.
 */
void db_set_deadline(PGconn *conn, unsigned ms);

/*
 * Sends what the server says besides results (NOTICE, WARNING, and a FATAL
 * such as "terminating connection" that arrives while the connection is idle)
 * to the JSON log instead of libpq's plain text on stderr.
 */
void db_log_notices(PGconn *conn);

/* Fills pool gauges for /metrics. */
void db_pool_stats(struct db_pool *pool, struct metrics_pool_stats *out);

/*
 * Runs the prepared statement @stmt with @nparams text parameters (NULL
 * entries are SQL NULL).  On success stores the result in *@out (caller
 * PQclear()s it; @out may be NULL to discard) and returns ST_OK.  Errors map
 * by SQLSTATE: 40001/40P01 ST_RETRY, 23505/23P01 ST_CONFLICT, 23503
 * ST_CONFLICT, 22xxx/23514 ST_INVALID, connection loss ST_UNAVAILABLE, the
 * rest ST_INTERNAL (logged with the statement name, never the parameters).
 * When @sqlstate is not NULL it receives the 5-character SQLSTATE or "".
 */
int db_exec(PGconn *conn, const char *stmt, int nparams, const char *const *params,
            PGresult **out);

/* Like db_exec, and also writes the SQLSTATE (6 bytes incl. NUL) or "". */
int db_exec_state(PGconn *conn, const char *stmt, int nparams, const char *const *params,
                  PGresult **out, char sqlstate[6]);

/*
 * Like db_exec for a statement that reads or writes one row: ST_NOT_FOUND
 * (and *@out NULL) when it returned none.
 */
int db_exec_one(PGconn *conn, const char *stmt, int nparams, const char *const *params,
                PGresult **out);

/* Runs a plain command with no parameters ("BEGIN", "COMMIT"). */
int db_command(PGconn *conn, const char *sql);

/*
 * The work done inside one transaction.  It returns ST_OK to commit or a
 * status to roll back; ST_RETRY makes the runner try again.  It never writes
 * the HTTP response; it may fill rq->j_out / rq->http_status.
 */
typedef int (*db_tx_fn)(PGconn *conn, struct request *rq, void *arg);

/*
 * Runs @fn in a transaction on a pooled connection, retrying up to 5 times on
 * serialization failures and deadlocks.  When @rq carries an Idempotency-Key
 * the key is claimed inside the same transaction and the rendered response
 * (rq->http_status, rq->j_out) stored before COMMIT; a retry with the same key
 * gets the stored response (rq->replayed set) and @fn is not run.  @rq may be
 * NULL for work outside a request.
 */
int db_tx(struct db_pool *pool, struct request *rq, db_tx_fn fn, void *arg);

/*
 * Events committed in this process wake the feeds' long polls at once
 * (events.c), instead of their next poll: outbox_emit notes that the open
 * transaction on @conn wrote an event (db_note_event), db_tx wakes the
 * waiters after its COMMIT.  A feed takes db_events_seen before it reads,
 * then db_wait_events returns when a commit with events came after that
 * read, or after @ms.  Commits in another process (a replica) are found by
 * the next poll.
 */
void db_note_event(PGconn *conn);

/*
 * Runs @stmt (a prepared statement whose result nobody reads, such as the
 * outbox INSERT) at the end of the db_tx transaction open on @conn, sent in
 * one pipeline with its COMMIT: no round trip of its own.  Its parameters are
 * copied.  A failure shows at COMMIT and rolls the whole transaction back,
 * as it would have at once.  Outside db_tx it runs at once.  Statements keep
 * their order; more than 64 are sent ahead (db_defer_flush does it at once).
 * db_defer_mark / db_defer_drop forget what was deferred since a mark (for a
 * ROLLBACK TO SAVEPOINT).
 */
#define DB_DEFER_PARAMS 8
int db_defer(PGconn *conn, const char *stmt, int nparams, const char *const *params);
int db_defer_flush(PGconn *conn);
unsigned db_defer_mark(PGconn *conn);
void db_defer_drop(PGconn *conn, unsigned mark);
unsigned long long db_events_seen(struct db_pool *pool);
void db_wait_events(struct db_pool *pool, unsigned long long seen, unsigned ms);

/*
 * Runs @fn without a transaction on a pooled connection.  For reads only:
 * when the server dropped the connection, @fn runs once more on a fresh one.
 */
int db_with(struct db_pool *pool, struct request *rq, db_tx_fn fn, void *arg);

/*
 * Renders one page of a keyset-paginated query whose column 0 is the row's
 * position and column 1 the row as JSON object text:
 * {"items": [...], "next_cursor": "..." or null}.  The query fetches
 * @limit + 1 rows; the extra one only says that another page follows.  The
 * rows' text is copied, never parsed.  Returns a new malloc'd string, NULL on
 * out of memory.
 */
char *db_page_json(const PGresult *res, int limit);

/*
 * One resource read or written by a statement whose first three columns are
 * its id, its version and its JSON text.
 */
struct db_row {
        char *json;             /* malloc'd JSON text */
        long long version;
        char id[37];
};

#define DB_ROW_INIT { NULL, 0, "" }

/* Frees what @r holds and resets it.  Accepts NULL. */
void db_row_release(struct db_row *r);

/*
 * Copies id, version and JSON text from row 0 of @res into @out.  Returns
 * ST_OK, ST_NOT_FOUND when @res has no row, ST_NOMEM.
 */
int db_row_take(const PGresult *res, struct db_row *out);

/* Runs @stmt (see db_exec) and takes its first row into @out (see db_row_take). */
int db_exec_row(PGconn *conn, const char *stmt, int nparams, const char *const *params,
                struct db_row *out);

/*
 * Runs the keyset-page statement @stmt (see db_page_json; its parameters ask
 * for @limit + 1 rows) and stores the rendered page, malloc'd, in *@out.
 */
int db_exec_page(PGconn *conn, const char *stmt, int nparams, const char *const *params,
                 int limit, char **out);

/* Statements every service needs (idempotency); the pool adds them itself. */
extern const struct db_stmt db_shared_stmts[];

/*
 * Joins the statement tables in @tables (a NULL-terminated list, each table
 * ended by { NULL, NULL }) into one new table in *@out, for a service whose
 * statements sit in several files.  The table is the caller's to free()
 * after the pool that uses it is closed; names and SQL stay borrowed.
 * ST_OK or ST_NOMEM.
 */
int db_stmts_join(const struct db_stmt *const *tables, struct db_stmt **out);

#endif
