/*
 * people.h - the people service: persons, roles and mentor-partner pairings.
 */
#ifndef TANDEM_PEOPLE_H
#define TANDEM_PEOPLE_H

#include <stdbool.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "access.h"
#include "http.h"
#include "jsonv.h"
#include "migrate.h"
#include "problem.h"
#include "server.h"

#define PEOPLE_DEFAULT_PORT 8081
#define NIL_UUID "00000000-0000-0000-0000-000000000000"

extern const struct migration people_migrations[];
extern const struct db_stmt people_stmts[];
extern struct route people_routes[];

/* ---- people_json.c: validation, pure ------------------------------------- */

/*
 * Validates a POST /v1/people body (borrowed).  Records every fault in @p.
 * Returns ST_OK or ST_INVALID.
 */
int people_json_check_create(const json_t *j_body, struct problem *p);

/*
 * Validates a PATCH /v1/people/{id} body.  @self_only: the caller edits their
 * own record without the admin role, so only profile fields may change; other
 * fields are reported and ST_FORBIDDEN returned.  ST_INVALID on bad values.
 */
int people_json_check_patch(const json_t *j_body, bool self_only, struct problem *p);

/* Validates POST /v1/pairings and PATCH /v1/pairings/{id} bodies. */
int pairings_json_check_create(const json_t *j_body, struct problem *p);
int pairings_json_check_patch(const json_t *j_body, struct problem *p);

/* True when @tz has the shape of an IANA zone name ("Europe/London", "UTC"). */
bool people_json_tz_shape(const char *tz);

/* ---- people_db.c: all SQL ------------------------------------------------ */

/* Resolves the caller to a person id ("" when none) by subject, then email. */
int people_db_whoami(PGconn *c, const struct principal *who, char id[UUID_STR_LEN]);

/* Who a token's caller is, as the admission check found them. */
struct admission {
        char id[UUID_STR_LEN];  /* "" when no person matches */
        char status[16];        /* active, paused, left */
        bool linked;            /* found by e-mail, and the subject linked now */
        bool created;           /* made just in time */
};

/*
 * Resolves the caller like people_db_whoami, with one read.  Only when the
 * person was found by e-mail and has no external_id yet does it write, once:
 * the token's subject becomes their external_id (@out->linked).
 */
int people_db_admit(PGconn *c, const struct principal *who, struct admission *out);

/*
 * Creates the caller as a person (just-in-time provisioning): external_id =
 * subject, the e-mail (unless another person has it), @name and @roles (a
 * PostgreSQL array literal).  Leaves @out alone when a concurrent request
 * created them first.
 */
int people_db_jit(PGconn *c, const struct principal *who, const char *name, const char *roles,
                  struct admission *out);

/* True (ST_OK, *@yes) when @mentor is actively paired with @partner. */
int people_db_mentors(PGconn *c, const char *mentor, const char *partner, bool *yes);

int people_db_get(PGconn *c, const char *id, struct db_row *out);
int people_db_lock(PGconn *c, const char *id, long long *version, bool *erased);
int people_db_insert(PGconn *c, const json_t *j_body, struct db_row *out, struct problem *p);
int people_db_update(PGconn *c, const char *id, const json_t *j_body, struct db_row *out,
                     struct problem *p);
int people_db_erase(PGconn *c, const struct request *rq, const char *id);

/* What the other services need to know of a person's access (withdrawal.c). */
struct person_access {
        bool left;                 /* status left */
        unsigned roles;            /* ROLE_* bits of the person's roles */
        char subject_sha256[65];   /* of external_id, "" when none */
        char email_sha256[65];     /* of the lower-cased e-mail, "" when none */
};

/* Reads @id's access (inside the caller's transaction).  ST_OK or ST_NOT_FOUND. */
int people_db_access(PGconn *c, const char *id, struct person_access *out);

/*
 * Ends every active pairing of @id (mentor or partner) with @reason, each
 * with its tandem.people.pairing.ended event (data: mentor_id, partner_id,
 * status, and @cause: "left", "deprovisioned" or "erased").
 */
int people_db_end_pairings(PGconn *c, const struct request *rq, const char *id,
                           const char *reason, const char *cause);

/*
 * Emits the events other services follow (access.h) for person @id whose
 * access went from @was to @now in this transaction: left (with @reason:
 * "left" or "deactivated"; their pairings end here too), reinstated,
 * roles_changed.  Nothing when nothing changed.  ST_OK or a status.
 */
int people_access_changed(PGconn *c, struct request *rq, const char *id,
                          const struct person_access *was, const struct person_access *now,
                          const char *reason);

/*
 * Records that @service erased what it held of @id, @removed a JSON object
 * text {kind: rows} (NULL: {}); the first confirmation stands.
 */
int people_db_erasure_confirm(PGconn *c, const char *id, const char *service,
                              const char *removed);

/* The erasure report of @id (GET /v1/people/{id}/erasure).  ST_OK or ST_NOT_FOUND. */
int people_db_erasure_report(PGconn *c, const char *id, struct db_row *out);

/* GET /v1/people/{id}/erasure: the erasure report (admin). */
int http_people_erasure(struct request *rq);

/* Follows the other services' tandem.<service>.person.erased into the report. */
int people_follow_erasures(struct service *svc);

/* Emits tandem.people.person.erased for @id, known as @was before erasure. */
int people_access_erased(PGconn *c, struct request *rq, const char *id,
                         const struct person_access *was);
int people_db_tz_valid(PGconn *c, const char *tz, bool *ok);

struct people_filter {
        const char *role, *status, *business_unit, *q;
        const char *visible_to;  /* NULL: everyone visible; else a person id */
};

/* Renders one page of persons as JSON text into *@out (malloc'd). */
int people_db_list(PGconn *c, const struct people_filter *f, const struct page *pg, char **out);

int pairings_db_get(PGconn *c, const char *id, struct db_row *out, char mentor[UUID_STR_LEN],
                    char partner[UUID_STR_LEN]);
int pairings_db_insert(PGconn *c, const char *mentor, const char *partner, struct db_row *out,
                       struct problem *p);
int pairings_db_end(PGconn *c, const char *id, const char *status, const char *reason,
                    struct db_row *out);
int pairings_db_lock(PGconn *c, const char *id, long long *version, bool *active);

struct pairing_filter {
        const char *mentor_id, *partner_id, *status;
        const char *member;      /* NULL: all; else only pairings this person is in */
};

int pairings_db_list(PGconn *c, const struct pairing_filter *f, const struct page *pg,
                     char **out);

/* ---- access.c: the people rules on top of shared/access.h ------------------- */

/*
 * The caller's person id ("" when none): what the admission check found, else
 * looked up (people_db_whoami).
 */
int people_whoami(PGconn *c, struct request *rq, char me[UUID_STR_LEN]);

/*
 * What the caller's lists are limited to: *@scope is NULL for admin and
 * service, else the caller's person id (written into @me), or NIL_UUID when
 * no person matches the token, so that they see nothing.
 */
int people_scope(PGconn *c, struct request *rq, char me[UUID_STR_LEN], const char **scope);

/*
 * The admission check every authenticated request passes (server.h, admit):
 * the caller's person is found (and linked by e-mail, or created just in
 * time when TANDEM_JIT_PROVISIONING is on); a person whose access was
 * withdrawn (status left, e.g. deprovisioned over SCIM) gets 403.
 */
int people_admit(struct request *rq);

/* ---- admission.c: admission answers in memory (shared/admcache.h) --------- */

/*
 * Admits the caller as @person_id ("" for nobody) with @status: ST_OK with
 * rq->me set, or ST_FORBIDDEN (access-withdrawn) when @status is left.
 */
int admission_apply(struct request *rq, const char *person_id, const char *status);

/* True when the caller's admission was in memory; *@rc is then its outcome. */
bool admission_cached(struct request *rq, int *rc);

/* Keeps the caller's admission, unless the cache was invalidated since @epoch. */
void admission_keep(struct request *rq, uint64_t epoch, const char *person_id,
                    const char *status);

/*
 * db_tx() for a write to people: once it committed, every admission in
 * memory is dropped (who a subject is may have changed).
 */
int people_write(struct request *rq, db_tx_fn fn, void *arg);

/* ---- handlers ------------------------------------------------------------ */

int http_people_create(struct request *rq);
int http_people_get(struct request *rq);
int http_people_patch(struct request *rq);
int http_people_delete(struct request *rq);
int http_people_list(struct request *rq);
int http_me_get(struct request *rq);

int http_pairings_create(struct request *rq);
int http_pairings_get(struct request *rq);
int http_pairings_patch(struct request *rq);
int http_pairings_list(struct request *rq);

#endif
