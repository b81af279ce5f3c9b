/*
 * nudge.c - the scheduler: every TANDEM_NUDGE_INTERVAL_S one thread plans
 * the steps stalls have reached, delivers the due ones (quiet hours in the
 * recipient's time zone, retries with backoff) and sends the mentors'
 * weekly digests that are due.
 *
 * Several replicas: planning runs under a transaction-level advisory lock
 * (one replica plans a round, the others skip it); a step is leased with
 * FOR UPDATE SKIP LOCKED before it is sent, so two replicas never send the
 * same one; a digest's week is claimed (a unique row) before it is sent.  A
 * step is marked sent, with its tandem.notify.nudge.sent event, in one
 * transaction after the SMTP server accepted it; should the process die in
 * between, the lease runs out and it is sent again with the same
 * Message-ID (at least once, never lost).  A database that drops a round
 * costs that round only: the next one starts afresh.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "nudge.h"
#include "status.h"
#include "ticker.h"

#define CLAIM_BATCH 20
#define CLAIM_ROUNDS 50
#define RETRY_MAX_S 3600
#define PROFILE_WAIT_S 60

/* /metrics: the steps' outcomes by step and channel (nudge_metrics) */
static const char *const STEPS[] = { "partner", "mentor", "lead" };
static const char *const CHANNELS[] = { "email", "log" };
enum step_outcome { O_SENT, O_DEFERRED, O_SKIPPED, O_RETRIED, O_FAILED, O_COUNT };
static const char *const OUTCOMES[O_COUNT] = { "sent", "deferred", "skipped", "retried",
                                               "failed" };
#define N_STEPS (sizeof(STEPS) / sizeof(STEPS[0]))
#define N_CHANNELS (sizeof(CHANNELS) / sizeof(CHANNELS[0]))

struct nudge_state {
        struct smtp_config smtp;
        atomic_ullong n_steps[N_STEPS][N_CHANNELS][O_COUNT];
        atomic_ullong n_email_failed;   /* the SMTP server refused or was not there */
        atomic_ullong n_digests_sent;
        unsigned interval_ms;      /* TANDEM_NUDGE_INTERVAL_MS (60000; 0: no scheduler) */
        unsigned retry_s;          /* TANDEM_NUDGE_RETRY_S (60): first retry, doubling */
        unsigned max_attempts;     /* TANDEM_NUDGE_MAX_ATTEMPTS (12) */
        long clock_offset_s;       /* TANDEM_NOTIFY_CLOCK_OFFSET_S (test-only, 0) */
        int digest_day;            /* TANDEM_DIGEST_DAY: 1 Monday .. 7 Sunday (1) */
        int digest_hour;           /* TANDEM_DIGEST_HOUR: 0..23 (8) */
        char offset[24];           /* clock_offset_s as the statements' $1 */
        char domain[128];          /* Message-ID's right side: the sender's domain */
        struct service *svc;
};

/* A run stops between messages once the service drains (SIGTERM). */
static bool
stopping(const struct nudge_state *ns)
{
        return atomic_load(&ns->svc->draining) != 0;
}

/* A number the database rendered (trusted text). */
static int
to_int(const char *s)
{
        return (int)strtol(s, NULL, 10);
}

/* ---- configuration ------------------------------------------------------------- */

static int
env_long(const char *name, long min, long max, long def, long *out)
{
        const char *s = getenv(name);
        char *end = NULL;
        long v;

        *out = def;
        if (s == NULL || s[0] == '\0')
                return ST_OK;
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
                fprintf(stderr, "config: %s: must be a whole number from %ld to %ld\n", name, min,
                        max);
                return ST_INVALID;
        }
        *out = v;
        return ST_OK;
}

static char *
env_dup(const char *name)
{
        const char *s = getenv(name);

        return s != NULL && s[0] != '\0' ? strdup(s) : NULL;
}

static int
smtp_config_load(struct smtp_config *c)
{
        long timeout;

        c->url = env_dup("TANDEM_SMTP_URL");
        c->from = env_dup("TANDEM_SMTP_FROM");
        c->from_name = env_dup("TANDEM_SMTP_FROM_NAME");
        c->user = env_dup("TANDEM_SMTP_USER");
        c->password = env_dup("TANDEM_SMTP_PASSWORD");
        if (env_long("TANDEM_SMTP_TIMEOUT_MS", 100, 120000, 10000, &timeout) != ST_OK)
                return ST_INVALID;
        c->timeout_ms = (unsigned)timeout;
        if (c->from == NULL)
                c->from = strdup("tandem@localhost");
        if (c->url != NULL && strncmp(c->url, "smtp://", 7) != 0
            && strncmp(c->url, "smtps://", 8) != 0) {
                fprintf(stderr, "config: TANDEM_SMTP_URL: must start with smtp:// or smtps://\n");
                return ST_INVALID;
        }
        if (c->from == NULL || !mail_addr_ok(c->from)) {
                fprintf(stderr, "config: TANDEM_SMTP_FROM: must be an e-mail address\n");
                return ST_INVALID;
        }
        if (c->password != NULL && c->user == NULL) {
                fprintf(stderr, "config: TANDEM_SMTP_PASSWORD needs TANDEM_SMTP_USER\n");
                return ST_INVALID;
        }
        return ST_OK;
}

void
nudge_free(struct nudge_state *ns)
{
        if (ns == NULL)
                return;
        free(ns->smtp.url);
        free(ns->smtp.from);
        free(ns->smtp.from_name);
        free(ns->smtp.user);
        free(ns->smtp.password);
        free(ns);
}

int
nudge_config_load(struct nudge_state **out)
{
        struct nudge_state *ns = calloc(1, sizeof(*ns));
        long interval, retry, attempts, offset, day, hour;
        const char *at;

        if (ns == NULL)
                return ST_NOMEM;
        if (smtp_config_load(&ns->smtp) != ST_OK
            || env_long("TANDEM_NUDGE_INTERVAL_MS", 0, 86400000, 60000, &interval) != ST_OK
            || env_long("TANDEM_NUDGE_RETRY_S", 1, 86400, 60, &retry) != ST_OK
            || env_long("TANDEM_NUDGE_MAX_ATTEMPTS", 1, 1000, 12, &attempts) != ST_OK
            || env_long("TANDEM_NOTIFY_CLOCK_OFFSET_S", -315360000, 315360000, 0, &offset) != ST_OK
            || env_long("TANDEM_DIGEST_DAY", 1, 7, 1, &day) != ST_OK
            || env_long("TANDEM_DIGEST_HOUR", 0, 23, 8, &hour) != ST_OK) {
                nudge_free(ns);
                return ST_INVALID;
        }
        ns->interval_ms = (unsigned)interval;
        ns->retry_s = (unsigned)retry;
        ns->max_attempts = (unsigned)attempts;
        ns->clock_offset_s = offset;
        ns->digest_day = (int)day;
        ns->digest_hour = (int)hour;
        snprintf(ns->offset, sizeof(ns->offset), "%ld", offset);
        at = strchr(ns->smtp.from, '@');
        snprintf(ns->domain, sizeof(ns->domain), "%s", at != NULL ? at + 1 : "localhost");
        *out = ns;
        return ST_OK;
}

/* ---- planning ---------------------------------------------------------------------- */

static int
plan_tx(PGconn *c, struct request *rq, void *arg)
{
        struct nudge_state *ns = arg;
        const char *p1[1] = { ns->offset };
        const char *p2[2] = { ns->offset, ns->smtp.url != NULL ? "email" : "log" };
        PGresult *res = NULL;
        int rc, mine;

        (void)rq;
        rc = db_exec(c, "nudge_lock", 0, NULL, &res);
        if (rc != ST_OK)
                return rc;
        mine = PQgetvalue(res, 0, 0)[0] == 't';
        PQclear(res);
        if (!mine)
                return ST_OK;            /* another replica plans this round */
        rc = db_exec(c, "nudge_cancel", 1, p1, NULL);
        if (rc == ST_OK)
                rc = db_exec(c, "nudge_plan", 2, p2, NULL);
        return rc;
}

/* ---- delivery ---------------------------------------------------------------------- */

enum claim_col {
        C_SEQ, C_ID, C_STEP, C_RECIPIENT, C_PARTNER, C_ENROLMENT, C_ATTEMPTS, C_EMAIL, C_NAME,
        C_STATUS, C_ISODOW, C_MINUTE, C_PARTNER_NAME, C_MENTOR_NAME, C_PHASE, C_SINCE, C_DAYS,
        C_SLIPPED, C_PROFILE_DUE,
};

struct claim_op {
        struct nudge_state *ns;
        PGresult *res;
        struct quiet_hours quiet;
        void *smtp;                /* smtp.c: the round's connection */
};

static int
claim_tx(PGconn *c, struct request *rq, void *arg)
{
        struct claim_op *op = arg;
        char limit[8], lease[16];
        const char *params[3] = { op->ns->offset, limit, lease };
        PGresult *res = NULL;
        int rc;

        (void)rq;
        PQclear(op->res);            /* a retried transaction starts afresh */
        op->res = NULL;
        snprintf(limit, sizeof(limit), "%d", CLAIM_BATCH);
        snprintf(lease, sizeof(lease), "%u", 2 * op->ns->smtp.timeout_ms / 1000 + 60);
        rc = db_exec(c, "nudge_quiet", 0, NULL, &res);
        if (rc != ST_OK)
                return rc;
        op->quiet.start = to_int(PQgetvalue(res, 0, 0));
        op->quiet.end = to_int(PQgetvalue(res, 0, 1));
        op->quiet.weekends = PQgetvalue(res, 0, 2)[0] == 't';
        PQclear(res);
        return db_exec(c, "nudge_claim", 3, params, &op->res);
}

struct finish_op {
        const char *seq;
        const char *status;        /* sent, failed, cancelled, pending */
        int retry_s;
        const char *outcome;
        const char *channel;
        const char *offset;
};

static const char *
recipient_role(const char *step)
{
        return strcmp(step, "lead") == 0 ? "admin" : step;
}

/* Records an attempt's outcome; a sent step emits tandem.notify.nudge.sent with it. */
static int
finish_tx(PGconn *c, struct request *rq, void *arg)
{
        struct finish_op *op = arg;
        char retry[16];
        const char *params[6] = { op->offset, op->seq, op->status, retry, op->outcome,
                                  op->channel };
        PGresult *res = NULL;
        json_t *j_data;
        int rc;

        (void)rq;
        snprintf(retry, sizeof(retry), "%d", op->retry_s);
        rc = db_exec(c, "nudge_finish", 6, params, &res);
        if (rc != ST_OK || PQntuples(res) == 0 || strcmp(op->status, "sent") != 0) {
                PQclear(res);
                return rc;
        }
        /* who and how, never the address or the text */
        j_data = json_pack("{s:s, s:s, s:s, s:s}", "step", PQgetvalue(res, 0, 2),
                           "recipient_role", recipient_role(PQgetvalue(res, 0, 2)),
                           "recipient_id", PQgetvalue(res, 0, 3),
                           "channel", PQgetvalue(res, 0, 4));
        rc = j_data == NULL ? ST_NOMEM
             : outbox_emit4(c, NULL, "tandem.notify.nudge.sent", PQgetvalue(res, 0, 0),
                            PQgetvalue(res, 0, 1), 0, j_data);
        json_decref(j_data);
        PQclear(res);
        return rc;
}

static int
index_of(const char *const *names, size_t n, const char *s)
{
        for (size_t i = 0; s != NULL && i < n; i++)
                if (strcmp(names[i], s) == 0)
                        return (int)i;
        return -1;
}

/* Counts one step's outcome (an unknown step or channel is not counted). */
static void
count_step(struct nudge_state *ns, const char *step, const char *channel, enum step_outcome o)
{
        int si = index_of(STEPS, N_STEPS, step), ci = index_of(CHANNELS, N_CHANNELS, channel);

        if (si >= 0 && ci >= 0)
                atomic_fetch_add(&ns->n_steps[si][ci][o], 1);
}

/* Records an outcome, and counts it once recorded (an unrecorded one comes again). */
static void
finish(struct nudge_state *ns, const char *seq, const char *step, const char *status,
       int retry_s, const char *outcome, const char *channel, enum step_outcome o)
{
        struct finish_op op = { seq, status, retry_s, outcome, channel, ns->offset };
        int rc = db_tx(ns->svc->db, NULL, finish_tx, &op);

        if (rc != ST_OK)
                log_warn("nudge %s: its outcome (%s) was not recorded (%s); the lease runs out"
                         " and it is tried again", seq, status, st_slug(rc));
        else
                count_step(ns, step, channel, o);
}

struct defer_op {
        const char *offset, *seq, *outcome;
        int minutes;
};

static int
defer_tx(PGconn *c, struct request *rq, void *arg)
{
        struct defer_op *op = arg;
        char mins[16];
        const char *params[4] = { op->offset, op->seq, mins, op->outcome };

        (void)rq;
        snprintf(mins, sizeof(mins), "%d", op->minutes);
        return db_exec(c, "nudge_defer", 4, params, NULL);
}

/* "mentoring" -> "mentoring", "first_steps" -> "first steps": a phase key as a name. */
static void
phase_name(const char *key, char *out, size_t outlen)
{
        snprintf(out, outlen, "%s", key != NULL && key[0] != '\0' ? key : "current");
        for (char *p = out; *p != '\0'; p++)
                if (*p == '_')
                        *p = ' ';
}

#define SLIPPED_MAX 10

/* The slipped targets of a claimed row (att_slipped's JSON) into @out; returns how many. */
static size_t
slipped_read(const json_t *j_slipped, struct slipped_target *out, char names[][64])
{
        size_t n = 0, i;
        json_t *j_one;

        json_array_foreach(j_slipped, i, j_one) {
                const char *key = json_string_value(json_object_get(j_one, "key"));
                const char *date = json_string_value(json_object_get(j_one, "target_date"));

                if (n >= SLIPPED_MAX || key == NULL || date == NULL)
                        continue;
                phase_name(key, names[n], 64);
                out[n].phase = names[n];
                out[n].date = date;
                n++;
        }
        return n;
}

static const char *
col(const PGresult *res, int row, enum claim_col c)
{
        return PQgetisnull(res, row, (int)c) ? NULL : PQgetvalue(res, row, (int)c);
}

/* Builds the message of claimed row @row into @out.  ST_OK or a failure. */
static int
build_nudge(struct nudge_state *ns, const PGresult *res, int row, struct buf *out)
{
        struct slipped_target slipped[SLIPPED_MAX];
        char names[SLIPPED_MAX][64], phase[64], link[80], msgid[200], boundary[64];
        json_t *j_slipped = json_loads(col(res, row, C_SLIPPED), 0, NULL);
        struct message m = { 0 };
        struct nudge_facts f = { 0 };
        int rc;

        phase_name(col(res, row, C_PHASE), phase, sizeof(phase));
        snprintf(link, sizeof(link), "/v1/enrolments/%s", col(res, row, C_ENROLMENT));
        f.lang = "en";
        f.step = col(res, row, C_STEP);
        f.recipient_name = col(res, row, C_NAME) != NULL ? col(res, row, C_NAME) : "";
        f.partner_name = col(res, row, C_PARTNER_NAME) != NULL ? col(res, row, C_PARTNER_NAME)
                                                               : "a partner";
        f.mentor_name = col(res, row, C_MENTOR_NAME);
        f.phase_name = phase;
        f.since = col(res, row, C_SINCE);
        f.days = to_int(col(res, row, C_DAYS));
        f.slipped = slipped;
        f.n_slipped = slipped_read(j_slipped, slipped, names);
        f.link = link;
        rc = texts_nudge(&f, &m);
        if (rc == ST_OK) {
                struct mail_addr to = { f.recipient_name, col(res, row, C_EMAIL) };
                struct mail mail = {
                        { ns->smtp.from_name != NULL ? ns->smtp.from_name : "Tandem",
                          ns->smtp.from },
                        &to, 1, m.subject, m.text, m.html, msgid, time(NULL), boundary,
                };

                snprintf(msgid, sizeof(msgid), "<nudge-%s@%s>", col(res, row, C_ID), ns->domain);
                snprintf(boundary, sizeof(boundary), "tandem-%s", col(res, row, C_ID));
                rc = mail_build(&mail, out);
        }
        message_release(&m);
        json_decref(j_slipped);
        return rc;
}

static int
retry_delay(const struct nudge_state *ns, int attempts)
{
        long d = ns->retry_s;

        for (int i = 0; i < attempts && d < RETRY_MAX_S; i++)
                d *= 2;
        return (int)(d < RETRY_MAX_S ? d : RETRY_MAX_S);
}

/* Sends @text (a built message) to @email, or logs it when no server is configured. */
static int
send_or_log(struct nudge_state *ns, void **smtp, const char *what, const char *email,
            const struct buf *text, char *why, size_t whylen, const char **channel)
{
        const char *rcpt[1] = { email };
        int rc;

        if (ns->smtp.url == NULL) {
                *channel = "log";
                log_info("%s: would be e-mailed (TANDEM_SMTP_URL is not set)", what);
                snprintf(why, whylen, "logged: no SMTP server configured");
                return ST_OK;
        }
        *channel = "email";
        rc = smtp_send(&ns->smtp, smtp, rcpt, 1, text->p, text->len, why, whylen);
        if (rc != ST_OK)
                atomic_fetch_add(&ns->n_email_failed, 1);
        return rc;
}

static void
deliver_one(struct nudge_state *ns, struct claim_op *op, int row)
{
        const PGresult *res = op->res;
        const char *seq = col(res, row, C_SEQ), *email = col(res, row, C_EMAIL);
        const char *status = col(res, row, C_STATUS), *channel = "email";
        const char *step = col(res, row, C_STEP);
        int attempts = to_int(col(res, row, C_ATTEMPTS));
        int isodow = to_int(col(res, row, C_ISODOW)), minute = to_int(col(res, row, C_MINUTE));
        struct buf text = BUF_INIT;
        char why[200], what[120];

        if (status != NULL && strcmp(status, "active") != 0) {
                finish(ns, seq, step, "cancelled", 0,
                       "cancelled: the recipient is no longer active", channel, O_SKIPPED);
                return;
        }
        if (email == NULL) {
                bool waiting = status == NULL || col(res, row, C_PROFILE_DUE)[0] == 't';
                bool again = waiting && attempts + 1 < (int)ns->max_attempts;

                finish(ns, seq, step, again ? "pending" : "failed", PROFILE_WAIT_S,
                       waiting ? "waiting for the recipient's profile from people"
                       : "failed: the recipient has no e-mail address", channel,
                       again ? O_DEFERRED : O_FAILED);
                return;
        }
        if (quiet_is_quiet(&op->quiet, isodow, minute)) {
                struct defer_op d = { ns->offset, seq, "deferred: quiet hours in the recipient's"
                                      " time zone", quiet_wait_minutes(&op->quiet, isodow, minute) };

                if (d.minutes < 0)
                        d.minutes = 24 * 60;   /* a week all quiet: look again tomorrow */
                if (db_tx(ns->svc->db, NULL, defer_tx, &d) != ST_OK)
                        log_warn("nudge %s: the deferral was not recorded", seq);
                else
                        count_step(ns, step, channel, O_DEFERRED);
                return;
        }
        snprintf(what, sizeof(what), "nudge %s (step %s) to person %s", col(res, row, C_ID),
                 step, col(res, row, C_RECIPIENT));
        if (build_nudge(ns, res, row, &text) != ST_OK) {
                finish(ns, seq, step, "failed", 0, "failed: the message could not be built",
                       channel, O_FAILED);
        } else if (send_or_log(ns, &op->smtp, what, email, &text, why, sizeof(why), &channel)
                   == ST_OK) {
                finish(ns, seq, step, "sent", 0, why, channel, O_SENT);
        } else {
                bool last = attempts + 1 >= (int)ns->max_attempts;

                log_warn("%s: %s; %s", what, why, last ? "giving up" : "to be retried");
                finish(ns, seq, step, last ? "failed" : "pending", retry_delay(ns, attempts),
                       why, channel, last ? O_FAILED : O_RETRIED);
        }
        buf_release(&text);
}

/* Leases and delivers due steps, a batch at a time, until none is due. */
static void
deliver_due(struct nudge_state *ns)
{
        void *smtp = NULL;             /* one connection for the whole run */

        for (int round = 0; round < CLAIM_ROUNDS && !stopping(ns); round++) {
                struct claim_op op = { ns, NULL, { 0, 0, false }, smtp };
                int n;

                if (db_tx(ns->svc->db, NULL, claim_tx, &op) != ST_OK) {
                        PQclear(op.res);
                        log_warn("nudges: the database did not answer; next round");
                        break;
                }
                n = PQntuples(op.res);
                for (int i = 0; i < n && !stopping(ns); i++)
                        deliver_one(ns, &op, i);
                PQclear(op.res);
                smtp = op.smtp;
                if (n < CLAIM_BATCH)
                        break;
        }
        smtp_session_end(&smtp);
}

/* ---- the weekly digest ----------------------------------------------------------- */

struct digest_op {
        struct nudge_state *ns;
        const char *mentor;
        const char *week;          /* NULL: a run asked for by an admin, not recorded */
        const char *channel;
        const char *outcome;
        PGresult *who, *lines;
        int claimed;
};

static int
digest_read_tx(PGconn *c, struct request *rq, void *arg)
{
        struct digest_op *op = arg;
        const char *params[2] = { op->ns->offset, op->mentor };
        int rc;

        (void)rq;
        PQclear(op->who);            /* a retry on a fresh connection starts afresh */
        PQclear(op->lines);
        op->who = op->lines = NULL;
        rc = db_exec(c, "digest_mentor", 2, params, &op->who);
        if (rc == ST_OK)
                rc = db_exec(c, "digest_lines", 2, params, &op->lines);
        return rc;
}

static int
digest_record_tx(PGconn *c, struct request *rq, void *arg)
{
        struct digest_op *op = arg;
        const char *params[4] = { op->mentor, op->week, op->channel, op->outcome };
        PGresult *res = NULL;
        int rc;

        (void)rq;
        rc = db_exec(c, "digest_record", 4, params, &res);
        op->claimed = rc == ST_OK && PQntuples(res) == 1;
        PQclear(res);
        return rc;
}

static int
digest_build(struct nudge_state *ns, struct digest_op *op, struct buf *out)
{
        int n = PQntuples(op->lines);
        struct digest_line *lines = calloc((size_t)n + 1, sizeof(*lines));
        const char *name = PQgetvalue(op->who, 0, 1);
        char msgid[200], boundary[80];
        struct message m = { 0 };
        int rc;

        if (lines == NULL)
                return ST_NOMEM;
        for (int i = 0; i < n; i++) {
                lines[i].partner_name = PQgetvalue(op->lines, i, 0);
                lines[i].phase_name = PQgetisnull(op->lines, i, 1) ? NULL
                                      : PQgetvalue(op->lines, i, 1);
                lines[i].pace = PQgetvalue(op->lines, i, 2);
                lines[i].writeups_owed = to_int(PQgetvalue(op->lines, i, 3));
                lines[i].sections_waiting = to_int(PQgetvalue(op->lines, i, 4));
        }
        rc = texts_digest("en", name, lines, (size_t)n, &m);
        if (rc == ST_OK) {
                struct mail_addr to = { name, PQgetvalue(op->who, 0, 0) };
                struct mail mail = {
                        { ns->smtp.from_name != NULL ? ns->smtp.from_name : "Tandem",
                          ns->smtp.from },
                        &to, 1, m.subject, m.text, m.html, msgid, time(NULL), boundary,
                };

                snprintf(msgid, sizeof(msgid), "<digest-%s-%s-%ld@%s>", op->mentor,
                         op->week != NULL ? op->week : "run", (long)time(NULL), ns->domain);
                snprintf(boundary, sizeof(boundary), "tandem-digest-%s", op->mentor);
                rc = mail_build(&mail, out);
        }
        message_release(&m);
        free(lines);
        return rc;
}

/* One mentor's digest: read, build, send; a scheduled week is claimed once sent. */
static int
digest_one(struct nudge_state *ns, void **smtp, const char *mentor, const char *week)
{
        struct digest_op op = { ns, mentor, week, "email", NULL, NULL, NULL, 0 };
        struct buf text = BUF_INIT;
        char why[200], what[120];
        int rc;

        rc = db_with(ns->svc->db, NULL, digest_read_tx, &op);
        if (rc == ST_OK && (PQntuples(op.who) == 0 || PQgetisnull(op.who, 0, 0)
                            || strcmp(PQgetvalue(op.who, 0, 2), "active") != 0))
                rc = ST_NOT_FOUND;        /* no address yet, or gone */
        if (rc == ST_OK)
                rc = digest_build(ns, &op, &text);
        snprintf(what, sizeof(what), "digest %s for mentor %s", week != NULL ? week : "(asked for)",
                 mentor);
        if (rc == ST_OK)
                rc = send_or_log(ns, smtp, what, PQgetvalue(op.who, 0, 0), &text, why,
                                 sizeof(why), &op.channel);
        if (rc == ST_OK && week != NULL) {
                op.outcome = why;
                if (db_tx(ns->svc->db, NULL, digest_record_tx, &op) != ST_OK)
                        log_warn("%s: sent, but not recorded", what);
        }
        if (rc == ST_OK)
                atomic_fetch_add(&ns->n_digests_sent, 1);
        if (rc != ST_OK && rc != ST_NOT_FOUND)
                log_warn("%s: not sent (%s); tried again next round", what, st_slug(rc));
        buf_release(&text);
        PQclear(op.who);
        PQclear(op.lines);
        return rc;
}

struct due_op {
        struct nudge_state *ns;
        const char *mentor;
        int day, hour;
        PGresult *res;
};

static int
due_tx(PGconn *c, struct request *rq, void *arg)
{
        struct due_op *op = arg;
        char day[8], hour[8];
        const char *params[4] = { op->ns->offset, day, hour, op->mentor };

        (void)rq;
        PQclear(op->res);            /* a retry on a fresh connection starts afresh */
        op->res = NULL;
        snprintf(day, sizeof(day), "%d", op->day);
        snprintf(hour, sizeof(hour), "%d", op->hour);
        return db_exec(c, "digest_due", 4, params, &op->res);
}

/* The digests due (@day 0: every mentor now, unrecorded); counts the outcomes. */
static int
digests(struct nudge_state *ns, const char *mentor, int day, int *sent, int *failed)
{
        struct due_op op = { ns, mentor, day, ns->digest_hour, NULL };
        int rc = db_with(ns->svc->db, NULL, due_tx, &op);
        void *smtp = NULL;

        for (int i = 0; rc == ST_OK && i < PQntuples(op.res) && !stopping(ns); i++) {
                int r = digest_one(ns, &smtp, PQgetvalue(op.res, i, 0),
                                   day == 0 ? NULL : PQgetvalue(op.res, i, 1));

                if (r == ST_OK)
                        (*sent)++;
                else
                        (*failed)++;
        }
        smtp_session_end(&smtp);
        PQclear(op.res);
        return rc;
}

int
nudge_digests_run(struct service *svc, const char *mentor, int *sent, int *failed)
{
        struct notify_app *app = svc->app;

        *sent = *failed = 0;
        return digests(app->nudges, mentor, 0, sent, failed);
}

/* ---- the scheduler -------------------------------------------------------------- */

static bool
tick(struct service *svc, void *arg)
{
        struct nudge_state *ns = arg;
        int sent = 0, failed = 0;
        int rc = db_tx(svc->db, NULL, plan_tx, ns);

        if (rc != ST_OK)
                log_warn("nudges: planning skipped this round (%s)", st_slug(rc));
        deliver_due(ns);
        if (!stopping(ns))
                digests(ns, NULL, ns->digest_day, &sent, &failed);
        return false;
}

int
nudge_start(struct service *svc, struct nudge_state *ns)
{
        ns->svc = svc;
        log_info("nudges: every %u ms, e-mail %s, from %s, digest day %d from %02d:00%s",
                 ns->interval_ms, ns->smtp.url != NULL ? "over SMTP" : "logged only (no"
                 " TANDEM_SMTP_URL)", ns->smtp.from, ns->digest_day, ns->digest_hour,
                 ns->clock_offset_s != 0 ? "; TEST CLOCK OFFSET in force" : "");
        if (ns->interval_ms == 0)
                return ST_OK;
        return ticker_start(svc, "nudges", ns->interval_ms, tick, ns);
}

void
nudge_metrics(const struct nudge_state *ns, struct buf *b)
{
        const char *labels[7] = { "step", NULL, "channel", NULL, "outcome", NULL, NULL };

        if (ns == NULL)
                return;
        metrics_family(b, "tandem_nudges_total", "counter",
                       "Nudge and escalation steps by step, channel and outcome (sent; deferred:"
                       " quiet hours or waiting for a profile; skipped: recipient gone; retried;"
                       " failed: given up).");
        for (size_t si = 0; si < N_STEPS; si++)
                for (size_t ci = 0; ci < N_CHANNELS; ci++)
                        for (size_t o = 0; o < O_COUNT; o++) {
                                labels[1] = STEPS[si];
                                labels[3] = CHANNELS[ci];
                                labels[5] = OUTCOMES[o];
                                metrics_sample(b, "tandem_nudges_total", labels,
                                               (double)atomic_load(&ns->n_steps[si][ci][o]));
                        }
        metrics_family(b, "tandem_notify_emails_failed_total", "counter",
                       "E-mails (nudges and digests) the SMTP server refused or could not take.");
        metrics_sample(b, "tandem_notify_emails_failed_total", NULL,
                       (double)atomic_load(&ns->n_email_failed));
        metrics_family(b, "tandem_digests_sent_total", "counter",
                       "Mentors' digests sent (or logged without an SMTP server).");
        metrics_sample(b, "tandem_digests_sent_total", NULL,
                       (double)atomic_load(&ns->n_digests_sent));
}
