/*
 * notify.h - the notify service (issue 13).  This slice: the suite's audit
 * log (every event of every service, append-only, kept
 * TANDEM_AUDIT_RETENTION_DAYS), GET /v1/audit over it as JSON pages or a CSV
 * stream, and the suite's change feed at GET /v1/events (one cursor over all
 * services: the order of arrival here).
 */
#ifndef TANDEM_NOTIFY_H
#define TANDEM_NOTIFY_H

#include <stdbool.h>
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

struct nudge_state;

/* The service's own settings (the shared ones are in svc->cfg). */
struct notify_app {
        unsigned audit_retention_days;   /* TANDEM_AUDIT_RETENTION_DAYS */
        struct webhooks webhooks;        /* webhooks.h */
        struct nudge_state *nudges;      /* nudge.h: the scheduler and its settings */
};


/* ---- follow.c: the four services' feeds into the audit log ------------------- */

/* Starts one follower per service (people, phases, mentoring, strategy). */
int notify_follow(struct service *svc);

/* ---- model.c: the read model (sql/0003_attention.sql) ----------------------------- *
 *
 * What notify knows of the programme, from the four feeds alone (no call to
 * another service when it is read), kept by the followers "attention-<service>"
 * from the beginning of each feed, idempotent on a replay.  Tables, in
 * notify's schema:
 *
 *   att_person     id, display_name, email, timezone (read from the people
 *                  service by id when profile_due: never carried in events),
 *                  roles text[], status (active, left, erased), moved_at and
 *                  moved_by (the time and type of the partner's last movement:
 *                  the last event of ANY service that is their progress,
 *                  model_is_movement), profile_at
 *   att_pairing    id, mentor_id, partner_id, active, started_at, ended_at
 *                  (a partner's mentor(s): WHERE partner_id = $1 AND active)
 *   att_enrolment  id, person_id (the partner), programme_id, status (active,
 *                  paused, withdrawn, operational; paused = status 'paused'),
 *                  current_phase (key), phases (jsonb: the partner's own plan,
 *                  [{position, key, name, status, stall_days, guide_days,
 *                  target_date, entered_at, completed_at}]), stall_days (the
 *                  current phase's threshold, else att_stall_days_default() =
 *                  14), moved_at (the partner's last movement, at least the
 *                  enrolment's start), stalled_at (moved_at + stall_days while
 *                  active), next_target (the earliest target date of a phase
 *                  not completed); att_slipped(phases, date) lists the slipped
 *                  ones as [{key, target_date}]
 *   att_item       what needs someone: reason, subject_id, section, person_id
 *                  (the partner), owner_id (the mentor owing a write-up),
 *                  parent_id, programme_id, since, due_at (shown from then),
 *                  link (the API path to act on it), count; the reasons are
 *                  listed in the migration
 *   att_completion id, partner_id, recorded_at: completions not yet verified
 *   att_signoff    id, partner_id, mentor_id, current, at
 *
 * Times are the events' (UTC); the partner's time zone is att_person.timezone.
 */

/* The statements of model.c (joined with the others in main.c). */
extern const struct db_stmt model_stmts[];

/* Starts the four followers that keep the read model. */
int model_follow(struct service *svc);

/* ---- profiles.c: names, e-mail addresses and time zones, read from people ---- */

extern const struct db_stmt profile_stmts[];

/* Starts the ticker that fills the due profiles (att_person.profile_due). */
int profiles_start(struct service *svc);

/* True when an event of @type counts as the partner's movement. */
bool model_is_movement(const char *type);

/* ---- attention.c: GET /v1/attention's pure parts ------------------------------ */

/* The reasons an item is on the list, NULL-terminated (att_item.reason). */
extern const char *const attention_reasons[];

/*
 * Whose items a caller sees: all (admin: the whole programme), or the union
 * of mentor (their active partners' stalled, behind_own_plan, section_review
 * and completion_verification items, and the write-ups they owe), comms
 * (integrations pending review) and partner (their own behind_own_plan and
 * integration_returned).
 */
struct attention_scope {
        bool all, mentor, comms, partner;
};

/* The scope of a token's @roles (ROLE_*): ST_OK, or ST_FORBIDDEN for none (viewer, service). */
int attention_scope_of(unsigned roles, struct attention_scope *out);

/* The opaque cursor after the item at (@since_key, @seq) into @out (>= 64 bytes). */
void attention_cursor_encode(int64_t since_key, int64_t seq, char *out, size_t outlen);

/* Reads a cursor attention_cursor_encode made: ST_OK or ST_INVALID. */
int attention_cursor_decode(const char *s, int64_t *since_key, int64_t *seq);

/* ---- attention_db.c, http_attention.c ----------------------------------------- */

/* What GET /v1/attention asks for; strings borrowed, NULL: no filter. */
struct attention_query {
        struct attention_scope scope;
        const char *me;                  /* the caller's person id, or NULL */
        const char *reason, *programme, *person;
        int64_t after_key, after_seq;    /* 0, 0: from the start */
        int limit;
};

extern const struct db_stmt attention_stmts[];

/* One page of the caller's items as the JSON text {items, next_cursor} into *@out (malloc'd). */
int attention_db_page(PGconn *c, const struct attention_query *q, char **out);

int http_attention_list(struct request *rq);

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
 * then the AUDIT_CSV_COLUMNS values, the two times (columns 2 and 3) as UTC
 * timestamps for csv_time_utc.  *@res is the caller's to PQclear.
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

/*
 * A time as the audit log writes it (audit_time in sql/0001_init.sql:
 * "YYYY-MM-DDTHH:MM:SS.ffffffZ") from the UTC timestamp PostgreSQL writes with
 * DateStyle ISO ("YYYY-MM-DD HH:MM:SS", then "." and 1 to 6 digits unless they
 * are all zero): the export's times are formatted here, since to_char took
 * half of PostgreSQL's time in an export.  Writes CSV_TIME_LEN bytes and a NUL
 * into @out and returns CSV_TIME_LEN, or returns 0 when @s (@n bytes) is not
 * of that shape (another DateStyle, a year past 9999, BC, infinity).
 */
#define CSV_TIME_LEN 27
size_t csv_time_utc(const char *s, size_t n, char out[CSV_TIME_LEN + 1]);

/* ---- http_audit.c --------------------------------------------------------------- */

int http_audit_list(struct request *rq);

#endif
