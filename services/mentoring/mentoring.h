/*
 * mentoring.h - the mentoring service: the mentoring guidelines, 1:1
 * sessions and their write-ups, activity templates, each partner's checklist
 * and activity log with its regularity, learnings, the mentor's sign-off,
 * the evidence the phases service asks for, and statistics.
 *
 * Mentoring, not consulting: only a partner records their own activities,
 * sets their own cadence, writes their own reflection and closes their own
 * actions; a mentor or admin who tries gets a 403 whose problem type says so.
 */
#ifndef TANDEM_MENTORING_H
#define TANDEM_MENTORING_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "access.h"
#include "http.h"
#include "jsonv.h"
#include "migrate.h"
#include "problem.h"
#include "checklist.h"
#include "regularity.h"
#include "server.h"

#define MENTORING_DEFAULT_PORT 8083
#define NIL_UUID "00000000-0000-0000-0000-000000000000"

#define GUIDELINES_MAX 20          /* guidelines in one version */
#define HISTORY_MAX 50             /* reschedules and status changes of one session */
#define ACTIONS_MAX 50             /* agreed actions of one session */
#define ITEMS_MAX 100              /* items on one partner's checklist */
#define COMMENTS_MAX 50            /* comments on one completion */
#define WEEKS_DEFAULT 12
#define WEEKS_MAX 104

/* Problem types for partner work tried by someone else (DESIGN: mentoring, not consulting). */
#define PT_OWN_ACTIVITIES "partners-record-their-own-activities"

extern const struct migration mentoring_migrations[];
extern const struct db_stmt mentoring_stmts[];
extern struct route mentoring_routes[];

/* The service's own configuration, in svc->app. */
struct mentoring_app {
        int write_up_days;         /* TANDEM_WRITE_UP_DAYS: held, not written up after this */
};

/*
 * Reads TANDEM_WRITE_UP_DAYS (1..90, default 3) through @getenv_fn.  Returns
 * ST_OK, or ST_INVALID with the reason in @err.
 */
int mentoring_config(struct mentoring_app *app, const char *(*getenv_fn)(const char *),
                     char *err, size_t errlen);

/* ---- mentoring_json.c: validation, pure ------------------------------------ */

/* Every check records each fault in @p and returns ST_OK or ST_INVALID. */
int sessions_json_check_create(const json_t *j_body, int64_t now, struct problem *p);
int sessions_json_check_patch(const json_t *j_body, int64_t now, struct problem *p);
int sessions_json_check_write_up(const json_t *j_body, struct problem *p);
int actions_json_check_create(const json_t *j_body, struct problem *p);
int actions_json_check_patch(const json_t *j_body, struct problem *p);
int private_note_json_check(const json_t *j_body, struct problem *p);
int guidelines_json_check(const json_t *j_body, struct problem *p);
int templates_json_check_create(const json_t *j_body, struct problem *p);
int templates_json_check_patch(const json_t *j_body, struct problem *p);
int items_json_check_create(const json_t *j_body, int32_t today, struct problem *p);
int items_json_check_patch(const json_t *j_body, struct problem *p);
int completions_json_check_create(const json_t *j_body, int64_t now, struct problem *p);
int completions_json_check_patch(const json_t *j_body, struct problem *p);
int verification_json_check(const json_t *j_body, struct problem *p);
int comment_json_check(const json_t *j_body, struct problem *p);
int learnings_json_check_create(const json_t *j_body, struct problem *p);
int learnings_json_check_patch(const json_t *j_body, struct problem *p);
int signoffs_json_check(const json_t *j_body, struct problem *p);

/*
 * Reads a cadence: "daily", "weekly", "fortnightly", "monthly" or
 * {"every_n_days": 1..365}.  ST_OK with *@out, or a fault naming @field.
 */
int mentoring_json_cadence(const json_t *j, const char *field, struct cadence *out,
                           struct problem *p);

/* An RFC 3339 date-time as seconds since the epoch; false when not one. */
bool rfc3339_to_epoch(const char *s, int64_t *out);

/* A date (YYYY-MM-DD) as a day number; false when not one. */
bool date_to_day(const char *s, int32_t *out);

/* An absolute http(s) URL with a host, no spaces, at most 2000 bytes. */
bool mentoring_url_valid(const char *s);

/* A guideline key: lowercase letters, digits and inner hyphens, 1..40. */
bool guideline_key_valid(const char *s);

/* ---- access.c: the mentoring rules on top of shared/access.h ----------------- */

/* ST_FORBIDDEN for viewers and comms (statistics only, and strategy). */
int mentoring_roles(struct request *rq);

/* ST_OK when the caller may read @partner_id's records, with *@rel; else a 403. */
int mentoring_read_partner(struct request *rq, const char *partner_id, enum relation *rel);

/*
 * ST_OK when the caller is @partner_id themself; otherwise a 403 of type
 * @type saying @why (ST_FORBIDDEN), or ST_UNAVAILABLE.
 */
int mentoring_partner_only(struct request *rq, const char *partner_id, const char *type,
                           const char *why);

/*
 * A person left or was erased (access.h, access_gone_fn): their scheduled
 * sessions are cancelled, saying why.
 */
int mentoring_person_gone(PGconn *c, const char *person_id, const char *reason, void *arg);

/* ---- the database ----------------------------------------------------------------- */

/* Renders one keyset page of @stmt (column 0 seq, 1 JSON) into *@out. */
int db_page(PGconn *c, const char *stmt, int n, const char **params, const struct page *pg,
            char **out);

/* The guidelines version in force (highest). */
int guidelines_db_current(PGconn *c, struct db_row *out);
int guidelines_db_get(PGconn *c, const char *version, struct db_row *out);
int guidelines_db_insert(PGconn *c, const json_t *j_body, const char *by, struct db_row *out);
int guidelines_db_list(PGconn *c, const struct page *pg, char **out);

/* The facts a session write is checked against, read under a row lock. */
struct session_facts {
        char mentor_id[UUID_STR_LEN], partner_id[UUID_STR_LEN], pairing_id[UUID_STR_LEN];
        char status[16];
        long long version;
        bool started;              /* scheduled_at <= now */
        int history;               /* entries in history */
        int guideline_version;     /* 0 until held */
        int actions;
};

int sessions_db_insert(PGconn *c, const json_t *j_body, const json_t *j_pairing,
                       const char *by, int days, struct db_row *out);
int sessions_db_get(PGconn *c, const char *id, int days, struct db_row *out,
                    struct session_facts *f);
int sessions_db_lock(PGconn *c, const char *id, struct session_facts *f);

/*
 * Cancels every scheduled session of @person_id (mentor or partner): the
 * reason reads "the mentor @why" or "the partner @why"; one
 * tandem.mentoring.session.cancelled event each.  ST_OK or a status.
 */
/*
 * What mentoring's events carry of a row (outbox_row): ids, statuses, kinds,
 * flags; never the words written (notes, comments, reflections, write-ups).
 */
extern const char *const mentoring_event_fields[];

int sessions_db_cancel_for(PGconn *c, const char *person_id, const char *why);
int sessions_db_update(PGconn *c, const char *id, const json_t *j_body, const char *by,
                       int days, struct db_row *out);
int sessions_db_write_up(PGconn *c, const char *id, const json_t *j_body, int days,
                         struct db_row *out);

/*
 * Checks a guideline adherence object against guidelines version @version:
 * every guideline named, nothing else.  Faults go into @p (ST_INVALID).
 */
int sessions_db_check_adherence(PGconn *c, int version, const json_t *j_adherence,
                                struct problem *p);

struct session_filter {
        const char *pairing_id, *mentor_id, *partner_id, *status, *from, *to;
        int needs_write_up;        /* -1 any, 0 no, 1 yes */
        const char *member;        /* NULL: all; else sessions this person is in */
        int days;
};

int sessions_db_list(PGconn *c, const struct session_filter *f, const struct page *pg,
                     char **out);

int actions_db_insert(PGconn *c, const char *session_id, const char *owner,
                      const json_t *j_body, const char *by, struct db_row *out);
int actions_db_lock(PGconn *c, const char *session_id, const char *id, long long *version,
                    bool *done);
int actions_db_update(PGconn *c, const char *id, const json_t *j_body, struct db_row *out);

/* Private notes: every statement names the author; there is no other way in. */
int notes_db_get(PGconn *c, const char *session_id, const char *author, struct db_row *out);
int notes_db_put(PGconn *c, const char *session_id, const char *author, const char *text,
                 struct db_row *out, bool *created);
int notes_db_version(PGconn *c, const char *session_id, const char *author,
                     long long *version);
int notes_db_delete(PGconn *c, const char *session_id, const char *author);

int templates_db_insert(PGconn *c, const json_t *j_body, const struct cadence *cad,
                        struct db_row *out);
int templates_db_get(PGconn *c, const char *id, struct db_row *out);
int templates_db_lock(PGconn *c, const char *id, long long *version);
int templates_db_update(PGconn *c, const char *id, const json_t *j_body,
                        const struct cadence *cad, struct db_row *out);

struct template_filter {
        const char *platform, *skill;
        int archived;              /* -1 any, 0 live only (default), 1 archived only */
};

int templates_db_list(PGconn *c, const struct template_filter *f, const struct page *pg,
                      char **out);

/*
 * Reads partner @partner_id's items (all, or only @item_id when not NULL)
 * with their completions into *@items (malloc'd, *@n of them) and the
 * database's clock into *@now.
 */
int items_db_read(PGconn *c, const char *partner_id, const char *item_id,
                  struct item_input **items, size_t *n, int64_t *now);

int items_db_insert(PGconn *c, const char *partner_id, const json_t *j_body,
                    struct db_row *out, struct problem *p);
int items_db_lock(PGconn *c, const char *partner_id, const char *id, long long *version,
                  int32_t *start_day);
int items_db_update(PGconn *c, const char *id, const json_t *j_body, struct db_row *out);

int completions_db_insert(PGconn *c, const char *item_id, const char *partner_id,
                          const json_t *j_body, struct db_row *out);
int completions_db_get(PGconn *c, const char *partner_id, const char *id, struct db_row *out);
int completions_db_lock(PGconn *c, const char *partner_id, const char *id,
                        long long *version, int *comments);
int completions_db_update(PGconn *c, const char *id, const json_t *j_body, struct db_row *out);
int completions_db_delete(PGconn *c, const char *id, struct db_row *out);
int completions_db_verify(PGconn *c, const char *id, const char *by, const char *note,
                          struct db_row *out);
int completions_db_unverify(PGconn *c, const char *id, struct db_row *out);
int completions_db_comment(PGconn *c, const char *id, const char *by, const char *text,
                           struct db_row *out);

struct completion_filter {
        const char *partner_id, *item_id, *from, *to;
        int verified;              /* -1 any */
};

int completions_db_list(PGconn *c, const struct completion_filter *f, const struct page *pg,
                        char **out);

struct learning_author {
        const char *author_id, *role;
        const char *pairing_id, *mentor_id, *partner_id;   /* NULL when none */
};

int learnings_db_insert(PGconn *c, const json_t *j_body, const struct learning_author *a,
                        struct db_row *out);
int learnings_db_get(PGconn *c, const char *id, struct db_row *out, char author[UUID_STR_LEN],
                     char visibility[16], char mentor[UUID_STR_LEN],
                     char partner[UUID_STR_LEN]);
int learnings_db_lock(PGconn *c, const char *id, long long *version,
                      char author[UUID_STR_LEN], bool *has_pairing);
int learnings_db_update(PGconn *c, const char *id, const json_t *j_body, struct db_row *out);
int learnings_db_delete(PGconn *c, const char *id, struct db_row *out);

struct learning_filter {
        const char *kind, *platform, *skill, *visibility, *author_id, *pairing_id;
        const char *me;            /* the caller, or NIL_UUID */
        bool admin, mentor;        /* what the caller's roles let them read */
};

int learnings_db_list(PGconn *c, const struct learning_filter *f, const struct page *pg,
                      char **out);

int signoffs_db_insert(PGconn *c, const char *partner_id, const char *mentor_id,
                       const char *note, struct db_row *out);
int signoffs_db_get(PGconn *c, const char *id, struct db_row *out,
                    char partner[UUID_STR_LEN], bool *current);
int signoffs_db_lock(PGconn *c, const char *id, long long *version,
                     char partner[UUID_STR_LEN], bool *current);
int signoffs_db_revoke(PGconn *c, const char *id, const char *by, struct db_row *out);

struct signoff_filter {
        const char *partner_id, *mentor_id;
        int current;               /* -1 any */
        const char *member;        /* NULL: all; else sign-offs this person is in */
};

int signoffs_db_list(PGconn *c, const struct signoff_filter *f, const struct page *pg,
                     char **out);

/* GET /v1/evidence/mentoring/{id}: the whole answer as JSON text. */
int evidence_db_get(PGconn *c, const char *partner_id, int weeks, char **out);

/* The statistics' SQL aggregates as one JSON object (text). */
int stats_db_aggregates(PGconn *c, int weeks, int days, char **out);

/*
 * Every item with its completions of the last @weeks weeks, ordered by
 * partner, for the statistics.
 */
int stats_db_items(PGconn *c, int weeks, struct item_input **items, size_t *n,
                   int64_t *now);

/* ---- handlers ----------------------------------------------------------------- */

int http_guidelines_get(struct request *rq);
int http_guidelines_put(struct request *rq);
int http_guidelines_versions(struct request *rq);
int http_guidelines_version(struct request *rq);

int http_sessions_create(struct request *rq);
int http_sessions_list(struct request *rq);
int http_sessions_get(struct request *rq);
int http_sessions_patch(struct request *rq);
int http_sessions_write_up(struct request *rq);
int http_actions_create(struct request *rq);
int http_actions_patch(struct request *rq);
int http_notes_get(struct request *rq);
int http_notes_put(struct request *rq);
int http_notes_delete(struct request *rq);

int http_templates_create(struct request *rq);
int http_templates_list(struct request *rq);
int http_templates_get(struct request *rq);
int http_templates_patch(struct request *rq);

int http_checklist_get(struct request *rq);
int http_items_create(struct request *rq);
int http_items_get(struct request *rq);
int http_items_patch(struct request *rq);
int http_completions_create(struct request *rq);
int http_completions_list(struct request *rq);
int http_completions_get(struct request *rq);
int http_completions_patch(struct request *rq);
int http_completions_delete(struct request *rq);
int http_verification_put(struct request *rq);
int http_verification_delete(struct request *rq);
int http_comments_create(struct request *rq);

int http_learnings_create(struct request *rq);
int http_learnings_list(struct request *rq);
int http_learnings_get(struct request *rq);
int http_learnings_patch(struct request *rq);
int http_learnings_delete(struct request *rq);

int http_signoffs_create(struct request *rq);
int http_signoffs_list(struct request *rq);
int http_signoffs_get(struct request *rq);
int http_signoffs_delete(struct request *rq);

int http_evidence_get(struct request *rq);
int http_stats_get(struct request *rq);

/* The service's configuration (svc->app). */
const struct mentoring_app *mentoring_app(const struct request *rq);

#endif
