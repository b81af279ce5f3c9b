/*
 * notify.h - the notify service (issue 13).  This slice: the suite's audit
 * log (every event of every service, append-only, kept
 * TANDEM_AUDIT_RETENTION_DAYS), GET /v1/audit over it as JSON pages or a CSV
 * stream, and the suite's change feed at GET /v1/events (one cursor over all
 * services: the order of arrival here).
 */
#ifndef TANDEM_NOTIFY_H
#define TANDEM_NOTIFY_H

#include <stddef.h>
#include <stdint.h>
#include <libpq-fe.h>

#include "buf.h"
#include "http.h"
#include "migrate.h"
#include "server.h"
#include "webhooks.h"

#define NOTIFY_DEFAULT_PORT 8085
#define AUDIT_RETENTION_DEFAULT_DAYS 400
#define AUDIT_RETENTION_MAX_DAYS 36500

extern const struct migration notify_migrations[];
extern const struct db_stmt notify_stmts[];
extern struct route notify_routes[];

/* The service's own settings (the shared ones are in svc->cfg). */
struct notify_app {
        unsigned audit_retention_days;   /* TANDEM_AUDIT_RETENTION_DAYS */
        struct webhooks webhooks;        /* webhooks.h */
};

/* ---- follow.c: the four services' feeds into the audit log ------------------- */

/* Starts one follower per service (people, phases, mentoring, strategy). */
int notify_follow(struct service *svc);

/* ---- audit_db.c ------------------------------------------------------------------ */

/* What GET /v1/audit asks for; every pointer borrowed, NULL: no filter. */
struct audit_filter {
        const char *actor;
        const char *person;
        const char *service;
        char *types;             /* PostgreSQL array of LIKE patterns (owned), or NULL */
        const char *subject;
        const char *from;
        const char *to;
};

/* The CSV columns, in order, NULL-terminated. */
extern const char *const audit_csv_columns[];
#define AUDIT_CSV_COLUMNS 11

/*
 * Records one delivered event in the audit log and the suite's feed (once:
 * an id already there is skipped).  @params: id, service, type, subject,
 * person, actor, request id, version, time, data (JSON text).
 */
int audit_db_record(PGconn *c, const char *const params[10]);

/* One JSON page after @pg->after (db_page_json's shape) into *@out. */
int audit_db_page(PGconn *c, const struct audit_filter *f, const struct page *pg, char **out);

/*
 * Up to @limit rows after @after for the CSV export: column 0 the position,
 * then the AUDIT_CSV_COLUMNS values.  *@res is the caller's to PQclear.
 */
int audit_db_rows(PGconn *c, const struct audit_filter *f, int64_t after, int limit,
                  PGresult **res);

/* The retention pruner (svc->prune): rows older than the retention, in batches. */
long long audit_db_prune(PGconn *c, struct service *svc);

/* ---- csv.c: RFC 4180, pure ------------------------------------------------------- */

/*
 * Appends @s (@n bytes, which may hold NUL) to @b as one CSV field: as is when
 * it holds no comma, quote, CR or LF, otherwise in double quotes with every
 * quote doubled.
 */
void csv_field(struct buf *b, const char *s, size_t n);

/* Appends one record of @count fields (NULL: an empty field) and CRLF. */
void csv_record(struct buf *b, const char *const *values, const size_t *lens, size_t count);

/* ---- http_audit.c --------------------------------------------------------------- */

int http_audit_list(struct request *rq);

#endif
