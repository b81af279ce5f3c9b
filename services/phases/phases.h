/*
 * phases.h - the phases service: programmes with versioned phase definitions
 * and typed exit criteria, enrolments (each partner's own journey), workshops
 * and attendance, assessments, and dashboard statistics.
 */
#ifndef TANDEM_PHASES_H
#define TANDEM_PHASES_H

#include <limits.h>
#include <stdbool.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "access.h"
#include "http.h"
#include "jsonv.h"
#include "migrate.h"
#include "problem.h"
#include "server.h"

#define PHASES_DEFAULT_PORT 8082
#define NIL_UUID "00000000-0000-0000-0000-000000000000"
#define DEFAULT_PROGRAMME_ID "de0fa017-0000-4000-8000-000000000001"
#define DEFAULT_TEMPLATE_ID "de0fa017-0000-4000-8000-000000000002"
#define MAX_PHASES 20
#define MAX_CRITERIA 20
#define SLUG_MAX 40
#define REASON_MAX 500

extern const struct migration phases_migrations[];
extern const struct db_stmt phases_stmts[];
extern struct route phases_routes[];

/* ---- pace.c: where a partner stands against their own plan (pure) --------- */

enum pace { PACE_NONE = 0, PACE_ON_TRACK, PACE_BEHIND, PACE_STALLED, PACE_PAUSED };
enum enrol_status { ENROL_ACTIVE = 0, ENROL_PAUSED, ENROL_WITHDRAWN, ENROL_OPERATIONAL };
enum phase_status { PHASE_NOT_STARTED = 0, PHASE_IN_PROGRESS, PHASE_COMPLETED };

#define PACE_NO_DAY LONG_MIN

/* The stored facts one phase's pace is computed from. */
struct pace_facts {
        enum enrol_status enrolment;
        enum phase_status phase;
        long long now;            /* seconds since the epoch */
        long long last_progress;  /* the enrolment's last progress event */
        int stall_days;           /* the phase's stall threshold */
        long target_day;          /* the partner's target date (days since 1970-01-01) */
                                  /* or PACE_NO_DAY when they have set none */
        long completed_day;       /* the day the phase was completed, or PACE_NO_DAY */
};

/*
 * The pace of one phase, judged only against the partner's own plan:
 *  - in progress: paused when the enrolment is paused (by choice, never
 *    stalled); stalled when no progress event for more than stall_days;
 *    behind_own_plan when today (UTC) is past the target date; else on_track.
 *    An ended enrolment (withdrawn, operational) has no pace (PACE_NONE).
 *  - completed: behind_own_plan when completed after its target date, else
 *    on_track.
 *  - not started: PACE_NONE.
 */
enum pace pace_of(const struct pace_facts *f);

/* "on_track", "behind_own_plan", "stalled", "paused"; NULL for PACE_NONE. */
const char *pace_name(enum pace p);

/* The enum value of a status name, or -1. */
int enrol_status_parse(const char *s);
int phase_status_parse(const char *s);

/* The UTC day number of @epoch (days since 1970-01-01, floored). */
long pace_day_of(long long epoch);

/* Parses "YYYY-MM-DD" into a day number.  ST_OK or ST_INVALID. */
int pace_parse_day(const char *s, long *day);

/* Parses an RFC 3339 time (any offset, optional fraction).  ST_OK or ST_INVALID. */
int pace_parse_time(const char *s, long long *epoch);

/*
 * Adds "pace" to @j_enrolment (an enrolment as enrolment_json renders it) and
 * to each of its phases, computed with pace_of at time @now.  ST_OK, or
 * ST_INTERNAL when the facts are malformed.
 */
int enrolment_annotate(json_t *j_enrolment, long long now);

/* ---- criteria.c: typed exit criteria, validated and judged (pure) ----------- */

/* Evidence this service holds itself, counted for the partner. */
struct local_evidence {
        long long self_assessments;           /* ever */
        long long self_assessments_in_phase;  /* since the current phase was entered */
        long long workshops_attended;
};

/* What one rule is judged on. */
struct rule_evidence {
        const struct local_evidence *local;
        const json_t *j_remote;     /* the holding service's answer (borrowed), or NULL */
        const char *unavailable;    /* why there is no answer, when j_remote is NULL */
};

enum rule_verdict { RULE_MET = 0, RULE_UNMET, RULE_UNAVAILABLE };

/* A phase's criteria, judged. */
struct verdict {
        json_t *j_results;          /* owned: [{rule, status, detail, evidence}] */
        int met, unmet, unavailable;
};

void verdict_release(struct verdict *v);

/*
 * Validates one exit-criteria rule @j_rule (borrowed) named @prefix in errors
 * ("phases[1].criteria[0]").  On success stores in *@j_norm a new reference
 * to its normal form: the type's service added and defaults filled in.
 * Returns ST_OK or ST_INVALID (faults recorded in @p).
 */
int criteria_check_rule(const json_t *j_rule, const char *prefix, struct problem *p,
                        json_t **j_norm);

/* The service holding @j_rule's evidence: "phases", "mentoring", "strategy"; NULL if unknown. */
const char *criteria_service(const json_t *j_rule);

/* The weeks an activity_rate rule asks about; 0 for a rule that names no window. */
int criteria_weeks(const json_t *j_rule);

/*
 * The window to ask the mentoring service about for rules that name none
 * (sessions_held, mentor_signoff): the first activity_rate's, so that one call
 * serves them all, else 4 weeks.
 */
int criteria_default_weeks(const json_t *j_criteria);

/*
 * Judges @j_rule (borrowed, in normal form) on @ev.  Returns a new result
 * object {rule, status, detail, evidence} and the verdict in *@out, or NULL
 * on out of memory.  A remote answer of the wrong shape is "unavailable".
 */
json_t *criteria_judge(const json_t *j_rule, const struct rule_evidence *ev,
                       enum rule_verdict *out);

/* Appends @j_result (stolen) to @v, counting its verdict.  ST_OK or ST_NOMEM. */
int verdict_add(struct verdict *v, json_t *j_result, enum rule_verdict rv);

/*
 * Turns a verdict that is not all met into a problem: ST_UNAVAILABLE
 * ("evidence-unavailable", naming each rule whose evidence could not be had)
 * when any is unavailable, else ST_CONFLICT ("criteria-unmet", naming each
 * unmet rule and what is missing).  ST_OK when all are met.
 */
int verdict_problem(const struct verdict *v, const char *phase, struct problem *p);

/* ---- evidence.c: asking the services that hold the evidence ----------------- */

/*
 * Judges every rule of @j_criteria (borrowed) for @person_id enrolled on
 * @programme_id: local rules on @local, mentoring and strategy rules on those
 * services' evidence endpoints (the caller's token and request id forwarded;
 * one call per service and weeks; strategy is asked for the playbook of
 * @programme_id, not whichever the partner wrote last).  A service that does
 * not answer makes its rules unavailable: never a silent pass.  Fills @out
 * (release with verdict_release).  ST_OK or ST_NOMEM.
 */
int evidence_evaluate(struct request *rq, const char *person_id, const char *programme_id,
                      const json_t *j_criteria, const struct local_evidence *local,
                      struct verdict *out);

/* ---- phases_json.c: what a valid request looks like (pure) ------------------ */

/* True when @s is a key: 1..40 of [a-z0-9_-], starting with a letter or digit. */
bool slug_valid(const char *s);

/*
 * Validates a programme body {name, description, phases} (POST and PUT).  On
 * success stores in *@j_phases a new reference to the phases in normal form
 * (positions numbered, criteria normalised).  ST_OK or ST_INVALID.
 */
int programme_json_check(const json_t *j_body, struct problem *p, json_t **j_phases);

/* POST /v1/enrolments {person_id, programme_id}. */
int enrolment_json_check_create(const json_t *j_body, struct problem *p);

/*
 * PATCH /v1/enrolments/{id}/target-dates {targets: {phase: date|null},
 * reason, agreed_with_partner}.  A date before @today (a day number) is refused.
 */
int targets_json_check(const json_t *j_body, long today, struct problem *p);

/* POST .../pause, .../resume {reason?}; .../withdraw {reason} (@reason_required). */
int transition_json_check(const json_t *j_body, bool reason_required, struct problem *p);

/* POST .../advance {override_reason?}. */
int advance_json_check(const json_t *j_body, struct problem *p);

/* POST /v1/workshops and POST /v1/workshops/{id}/attendance. */
int workshop_json_check(const json_t *j_body, struct problem *p);
int attendance_json_check(const json_t *j_body, struct problem *p);

/* POST /v1/assessment-templates {name, items: [{platform, skill, prompt}]}. */
int template_json_check(const json_t *j_body, struct problem *p);

/* POST /v1/assessments {person_id, template_id, kind, answers}: the shape only. */
int assessment_json_check(const json_t *j_body, struct problem *p);

/*
 * Checks @j_answers against the template's @j_items (both borrowed): every
 * item answered exactly once, nothing else.  ST_OK or ST_INVALID naming
 * answers[i] or the missing items.
 */
int assessment_json_match(const json_t *j_answers, const json_t *j_items, struct problem *p);

/* ---- phases_db.c and *_db.c: all SQL ------------------------------------------- */

/* A database read or write result: the JSON text of one resource. */
struct row {
        char *json;             /* malloc'd JSON text */
        long long version;
        char id[UUID_STR_LEN];
};

void row_release(struct row *r);

/* Runs @stmt and takes id, version, json from the first three columns of row 0. */
int db_row(PGconn *c, const char *stmt, int n, const char *const *params, struct row *out);

/* Runs a keyset-paged @stmt whose last two parameters are the cursor and limit + 1. */
int db_page(PGconn *c, const char *stmt, int n, const char **params, const struct page *pg,
            char **out);

/* Who did something, as the history records it. */
struct actor {
        const char *subject;           /* the token's sub (borrowed) */
        char person_id[UUID_STR_LEN];  /* "" when the token maps to no person */
        const char *role;              /* "admin", "partner", "mentor" */
};

/* programmes_db.c */
int programmes_db_insert(PGconn *c, const json_t *j_body, const char *phases, const char *by,
                         struct row *out);
int programmes_db_update(PGconn *c, const char *id, const json_t *j_body, const char *phases,
                         const char *by, struct row *out);
/* @version 0: the latest. */
int programmes_db_get(PGconn *c, const char *id, int version, struct row *out);
int programmes_db_lock(PGconn *c, const char *id, long long *version);
int programmes_db_list(PGconn *c, const struct page *pg, char **out);
int programmes_db_versions(PGconn *c, const char *id, const struct page *pg, char **out);

/* enrolments_db.c */

/* What a transition needs to know about an enrolment and its current phase. */
struct enrolment_meta {
        char id[UUID_STR_LEN];
        char person_id[UUID_STR_LEN];
        char programme_id[UUID_STR_LEN];  /* strategy evidence is this programme's playbook */
        enum enrol_status status;
        long long version;
        int position;
        char phase_key[SLUG_MAX + 1];
        char phase_entered[48];         /* the current phase's entered_at, as PostgreSQL wrote it */
        json_t *j_criteria;             /* owned: the current phase's rules (pinned version) */
};

void enrolment_meta_release(struct enrolment_meta *m);

int enrolments_db_insert(PGconn *c, const char *person_id, const char *programme_id,
                         const char *business_unit, const struct actor *a, struct row *out,
                         struct problem *p);
int enrolments_db_get(PGconn *c, const char *id, struct row *out, char person_id[UUID_STR_LEN]);
/* @lock: FOR UPDATE of the enrolment row (inside a transaction). */
int enrolments_db_meta(PGconn *c, const char *id, bool lock, struct enrolment_meta *out);
int enrolments_db_advance(PGconn *c, const struct enrolment_meta *m, const struct actor *a,
                          const char *override_reason, const json_t *j_evidence);
/* Moves an open enrolment to @to ("active", "paused", "withdrawn") as event @kind. */
int enrolments_db_status(PGconn *c, const struct enrolment_meta *m, const char *to,
                         const char *kind, const struct actor *a, const char *reason);
/* The phases' current targets and statuses as {key: {status, target_date}}. */
int enrolments_db_targets(PGconn *c, const char *id, json_t **out);
/* Sets one phase's target (@date NULL: none) and records the shift. */
int enrolments_db_set_target(PGconn *c, const char *id, const char *key, const char *date,
                             const struct actor *a, const char *reason);
int enrolments_db_bump(PGconn *c, const char *id);
int enrolments_db_local_evidence(PGconn *c, const char *person_id, const char *since,
                                 struct local_evidence *out);
/* A progress event for @person_id's open enrolments (attendance, self-assessment). */
int enrolments_db_touch(PGconn *c, const char *person_id);

struct enrolment_filter {
        const char *person_id, *programme_id, *status;
};

int enrolments_db_list(PGconn *c, const struct enrolment_filter *f, const struct page *pg,
                       char **out);
int enrolments_db_history(PGconn *c, const char *id, const struct page *pg, char **out);

/* workshops_db.c */
int workshops_db_insert(PGconn *c, const json_t *j_body, struct row *out);
int workshops_db_get(PGconn *c, const char *id, struct row *out);
int workshops_db_list(PGconn *c, const char *platform, const char *attended_by,
                      const struct page *pg, char **out);
int attendance_db_insert(PGconn *c, const char *workshop_id, const char *person_id,
                         const char *by, struct row *out);
int attendance_db_delete(PGconn *c, const char *workshop_id, const char *person_id);
int attendance_db_list(PGconn *c, const char *workshop_id, const struct page *pg, char **out);

/* assessments_db.c */
int templates_db_insert(PGconn *c, const json_t *j_body, struct row *out);
int templates_db_get(PGconn *c, const char *id, struct row *out);
int templates_db_items(PGconn *c, const char *id, json_t **out);
int templates_db_list(PGconn *c, const struct page *pg, char **out);
int assessments_db_insert(PGconn *c, const json_t *j_body, const char *rated_by,
                          struct row *out);
int assessments_db_get(PGconn *c, const char *id, struct row *out, char person_id[UUID_STR_LEN]);
int assessments_db_list(PGconn *c, const char *person_id, const char *kind,
                        const struct page *pg, char **out);
int assessments_db_growth(PGconn *c, const char *person_id, const char *kind, char **out);

/* stats_db.c */
struct stats_filter {
        const char *programme_id, *business_unit;
};

int stats_db_phases(PGconn *c, const struct stats_filter *f, long long now, json_t **out);

/* The weekly trend from @from_day (days since the epoch) for @weeks weeks, the last
 * ending on @end_day (exclusive): phases entered and left, operational journeys. */
#define TREND_MAX_WEEKS 156
int stats_db_trend(PGconn *c, const struct stats_filter *f, long from_day, long end_day,
                   int weeks, json_t **out);

/* ---- access.c: the phases rules on top of shared/access.h ------------------- */

/* ST_OK when the caller may read @person_id's records (self, mentor, admin, service), else 403. */
int phases_read_person(struct request *rq, const char *person_id);

/* Fills @a for a write by the caller acting as @rel (REL_NONE is not one). */
int phases_actor(struct request *rq, enum relation rel, struct actor *a);

/* ---- handlers ------------------------------------------------------------------- */

int http_programmes_create(struct request *rq);
int http_programmes_list(struct request *rq);
int http_programmes_get(struct request *rq);
int http_programmes_put(struct request *rq);
int http_programmes_versions(struct request *rq);
int http_programmes_version_get(struct request *rq);

int http_enrolments_create(struct request *rq);
int http_enrolments_list(struct request *rq);
int http_enrolments_get(struct request *rq);
int http_enrolments_history(struct request *rq);
int http_enrolments_targets(struct request *rq);

int http_enrolments_advance(struct request *rq);
int http_enrolments_criteria(struct request *rq);
int http_enrolments_pause(struct request *rq);
int http_enrolments_resume(struct request *rq);
int http_enrolments_withdraw(struct request *rq);

int http_workshops_create(struct request *rq);
int http_workshops_list(struct request *rq);
int http_workshops_get(struct request *rq);
int http_attendance_create(struct request *rq);
int http_attendance_list(struct request *rq);
int http_attendance_delete(struct request *rq);

int http_templates_create(struct request *rq);
int http_templates_list(struct request *rq);
int http_templates_get(struct request *rq);
int http_assessments_create(struct request *rq);
int http_assessments_list(struct request *rq);
int http_assessments_get(struct request *rq);
int http_assessments_growth(struct request *rq);

int http_stats_phases(struct request *rq);
int http_stats_trend(struct request *rq);

/* ---- http_common.c: what the handlers share ------------------------------------ */

/* Replies with @r's JSON text as it is, @status, and (@etag) its version as ETag. */
int reply_row(struct request *rq, struct row *r, unsigned status, bool etag);

/*
 * Replies 201 with @r parsed (so an Idempotency-Key can replay it), a
 * Location /v1/@collection/<id> when @collection is not NULL, and the ETag.
 */
int reply_created(struct request *rq, struct row *r, const char *collection, bool etag);

/*
 * Records @type about the row @r in the outbox (events.h): @fields of its
 * JSON as data, the person from its @person_field (or NULL).
 */
int phases_emit(PGconn *c, const struct request *rq, const char *type, const struct row *r,
                const char *person_field, const char *const *fields);

/* What an enrolment's events carry. */
extern const char *const enrolment_event_fields[];

/* Starts the followers of mentoring's and strategy's feeds (follow.c). */
int phases_follow(struct service *svc);

/* Replies with an enrolment row, its pace computed now, and its ETag. */
int reply_enrolment(struct request *rq, struct row *r, unsigned status, bool location);

/* Replies with a page of enrolments, each with its pace computed now. */
int reply_enrolment_page(struct request *rq, char *page);

/* The JSON body when one was sent, else ST_OK with *@out NULL. */
int http_optional_body(struct request *rq, json_t **out);

/* The time now, in seconds since the epoch. */
long long clock_now(void);

/* Copies the UUID @s, lowercased, into @out. */
void uuid_lower(char out[UUID_STR_LEN], const char *s);

#endif
