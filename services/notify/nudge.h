/*
 * nudge.h - nudges and escalation on a stall, the mentors' weekly digest and
 * the e-mail they go out as (issue 13).
 *
 *   quiet.c       quiet hours and weekends in the recipient's own time, pure
 *   mail.c        RFC 5322 / MIME messages (encoded-words, multipart), pure
 *   texts.c       every English string, in one table ready for translation, and
 *                 the nudge and digest messages built from facts, pure
 *   nudge_json.c  the rules document's validation, pure
 *   smtp.c        sending a built message with libcurl (smtp:// or smtps://)
 *   nudge.c       the scheduler thread: plan steps, deliver, digests
 *   nudge_db.c    the statements
 *   http_nudges.c the routes: nudge rules, the delivery log, a digest run
 */
#ifndef TANDEM_NUDGE_H
#define TANDEM_NUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "buf.h"
#include "db.h"
#include "problem.h"

struct service;
struct request;

/* ---- quiet.c ------------------------------------------------------------------- */

/* Quiet hours in local wall time: minutes of the day; start == end: none. */
struct quiet_hours {
        int start;          /* 0..1439: quiet from (inclusive) */
        int end;            /* 0..1439: quiet until (exclusive); may be before start */
        bool weekends;      /* Saturday and Sunday are quiet all day */
};

/* Whether local ISO weekday @isodow (1 Monday .. 7 Sunday) at @minute is quiet. */
bool quiet_is_quiet(const struct quiet_hours *q, int isodow, int minute);

/*
 * Minutes from local @isodow/@minute until the first minute that is not quiet
 * (0: now is fine; -1: every minute of the week is quiet).  Wall-clock
 * minutes: across a daylight-saving change the real wait is up to an hour off,
 * which the scheduler absorbs by checking again when it wakes.
 */
int quiet_wait_minutes(const struct quiet_hours *q, int isodow, int minute);

/* Parses "HH:MM" (00:00..23:59) into minutes of the day; -1 when malformed. */
int quiet_parse_hhmm(const char *s);

/* ---- mail.c -------------------------------------------------------------------- */

struct mail_addr {
        const char *name;   /* display name (UTF-8), or NULL */
        const char *email;  /* addr-spec; must hold no CR, LF, <, >, space */
};

struct mail {
        struct mail_addr from;
        const struct mail_addr *to;
        size_t n_to;
        const char *subject;      /* UTF-8 */
        const char *text;         /* text/plain body, UTF-8 */
        const char *html;         /* text/html body, UTF-8, or NULL: text only */
        const char *message_id;   /* "<local@domain>" */
        time_t date;
        const char *boundary;     /* for multipart; must not occur in the bodies (base64) */
};

/*
 * Appends @s as header text: as is when it is printable ASCII, otherwise as
 * RFC 2047 encoded-words (=?UTF-8?B?...?=, each at most 75 characters, never
 * splitting a UTF-8 sequence), folded onto continuation lines.  CR and LF in
 * @s become spaces: no header can be injected.
 */
void mail_header_text(struct buf *b, const char *s);

/* Appends an address: "Name" <email>, or an encoded-word name, or <email>. */
void mail_header_addr(struct buf *b, const struct mail_addr *a);

/* Appends the RFC 5322 date of @t in UTC ("Sun, 06 Dec 2026 22:50:34 +0000"). */
void mail_date(struct buf *b, time_t t);

/*
 * The whole message (headers and body, CRLF line ends) into @out.  ST_OK, or
 * ST_INVALID when an address is unusable (empty, or holding CR, LF, <, >,
 * spaces or quotes), ST_NOMEM.
 */
int mail_build(const struct mail *m, struct buf *out);

/* Whether @email is usable as an envelope and header address. */
bool mail_addr_ok(const char *email);

/* ---- texts.c ------------------------------------------------------------------- */

/* A target date the partner set for a phase and has passed. */
struct slipped_target {
        const char *phase;        /* the phase's name */
        const char *date;         /* YYYY-MM-DD */
};

/* What a nudge says; every pointer borrowed. */
struct nudge_facts {
        const char *lang;             /* "en"; unknown: English */
        const char *step;             /* "partner", "mentor", "lead" */
        const char *recipient_name;
        const char *partner_name;
        const char *mentor_name;      /* or NULL */
        const char *phase_name;       /* the phase the partner is in */
        const char *since;            /* YYYY-MM-DD: the last movement */
        int days;                     /* whole days since */
        const struct slipped_target *slipped;
        size_t n_slipped;
        const char *link;             /* where to act, e.g. "/v1/enrolments/<id>" */
};

/* One partner's line in a mentor's digest. */
struct digest_line {
        const char *partner_name;
        const char *phase_name;       /* or NULL */
        const char *pace;             /* on_track, behind_own_plan, stalled, paused, ... */
        int writeups_owed;            /* sessions with this partner not written up */
        int sections_waiting;         /* playbook sections ready for the mentor's review */
};

struct message {
        char *subject, *text, *html;  /* malloc'd */
};

void message_release(struct message *m);

/* The nudge of @f's step.  ST_OK, ST_INVALID (unknown step), ST_NOMEM. */
int texts_nudge(const struct nudge_facts *f, struct message *out);

/* The weekly digest of @mentor_name over @n partners.  ST_OK or ST_NOMEM. */
int texts_digest(const char *lang, const char *mentor_name, const struct digest_line *lines,
                 size_t n, struct message *out);

/* ---- nudge_json.c -------------------------------------------------------------- */

#define NUDGE_RULES_MAX 200

/*
 * Validates a PUT /v1/nudge-rules body, naming every fault in @p
 * ("defaults.mentor_days", "rules[2].phase", "quiet_hours.start").
 * ST_OK or ST_INVALID.
 */
int nudge_rules_check(const json_t *j_body, struct problem *p);

/* ---- smtp.c -------------------------------------------------------------------- */

/* How e-mail leaves (from the environment; see nudge_config_load). */
struct smtp_config {
        char *url;            /* TANDEM_SMTP_URL: smtp://host:port or smtps://; NULL: log only */
        char *from;           /* TANDEM_SMTP_FROM */
        char *from_name;      /* TANDEM_SMTP_FROM_NAME */
        char *user;           /* TANDEM_SMTP_USER */
        char *password;       /* TANDEM_SMTP_PASSWORD (secret: never logged) */
        unsigned timeout_ms;  /* TANDEM_SMTP_TIMEOUT_MS */
};

/*
 * Sends @msg (a built message) from cfg->from to @rcpt over cfg->url, on the
 * connection of *@session when it has one (NULL at first: one is made and
 * kept there; a failure drops it).  ST_OK, or ST_UNAVAILABLE with a short
 * reason in @why (curl's and the server's reply code, never the message, the
 * recipients or the credentials).
 */
int smtp_send(const struct smtp_config *cfg, void **session, const char *const *rcpt,
              size_t n_rcpt, const char *msg, size_t len, char *why, size_t whylen);

/* Closes *@session's connection and sets it to NULL.  Accepts a NULL session. */
void smtp_session_end(void **session);

/* ---- nudge.c: the scheduler ---------------------------------------------------- */

struct nudge_state;

/*
 * Reads TANDEM_SMTP_*, TANDEM_NUDGE_*, TANDEM_DIGEST_* and TANDEM_NOTIFY_CLOCK_OFFSET_S and checks them
 * (messages on stderr naming the variable).  ST_OK or ST_INVALID.
 */
int nudge_config_load(struct nudge_state **out);

/*
 * Starts the scheduler, a ticker (ticker.h) every TANDEM_NUDGE_INTERVAL_MS
 * (none when 0).  service_run stops it before the pool closes; a run in
 * progress stops early once the service drains.
 */
int nudge_start(struct service *svc, struct nudge_state *ns);

/* Appends the nudges' counters (Prometheus text) to @b: /metrics. */
void nudge_metrics(const struct nudge_state *ns, struct buf *b);

/* Frees @ns (after service_run).  Accepts NULL. */
void nudge_free(struct nudge_state *ns);

/*
 * Sends the weekly digest now to every mentor with partners (or to @mentor
 * only), whatever the day: POST /v1/digests/run.  Counts in *@sent and *@failed.
 */
int nudge_digests_run(struct service *svc, const char *mentor, int *sent, int *failed);

/* ---- nudge_db.c ---------------------------------------------------------------- */

extern const struct db_stmt nudge_stmts[];

/* ---- http_nudges.c ------------------------------------------------------------- */

int http_nudge_rules_get(struct request *rq);
int http_nudge_rules_put(struct request *rq);
int http_nudges_list(struct request *rq);
int http_digests_run(struct request *rq);

#endif
