/*
 * people.h - the people service: persons, roles and mentor-partner pairings.
 */
#ifndef TANDEM_PEOPLE_H
#define TANDEM_PEOPLE_H

#include <stdbool.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "http.h"
#include "jsonv.h"
#include "migrate.h"
#include "problem.h"
#include "row.h"
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

/* True (ST_OK, *@yes) when @mentor is actively paired with @partner. */
int people_db_mentors(PGconn *c, const char *mentor, const char *partner, bool *yes);

int people_db_get(PGconn *c, const char *id, struct row *out);
int people_db_lock(PGconn *c, const char *id, long long *version, bool *erased);
int people_db_insert(PGconn *c, const json_t *j_body, struct row *out, struct problem *p);
int people_db_update(PGconn *c, const char *id, const json_t *j_body, struct row *out,
                     struct problem *p);
int people_db_erase(PGconn *c, const char *id);
int people_db_tz_valid(PGconn *c, const char *tz, bool *ok);

struct people_filter {
        const char *role, *status, *business_unit, *q;
        const char *visible_to;  /* NULL: everyone visible; else a person id */
};

/* Renders one page of persons as JSON text into *@out (malloc'd). */
int people_db_list(PGconn *c, const struct people_filter *f, const struct page *pg, char **out);

int pairings_db_get(PGconn *c, const char *id, struct row *out, char mentor[UUID_STR_LEN],
                    char partner[UUID_STR_LEN]);
int pairings_db_insert(PGconn *c, const char *mentor, const char *partner, struct row *out,
                       struct problem *p);
int pairings_db_end(PGconn *c, const char *id, const char *status, const char *reason,
                    struct row *out);
int pairings_db_lock(PGconn *c, const char *id, long long *version, bool *active);

struct pairing_filter {
        const char *mentor_id, *partner_id, *status;
        const char *member;      /* NULL: all; else only pairings this person is in */
};

int pairings_db_list(PGconn *c, const struct pairing_filter *f, const struct page *pg,
                     char **out);

/* ---- access.c: who may do what -------------------------------------------- */

bool access_is_admin(const struct request *rq);

/* Admin and service tokens read every person and pairing. */
bool access_reads_all(const struct request *rq);

/* Records a 403 with @why.  Returns ST_FORBIDDEN. */
int access_forbid(struct request *rq, const char *why);

/* ST_FORBIDDEN for a token whose only role is viewer (aggregates only). */
int access_no_viewer(struct request *rq);

/*
 * What the caller's lists are limited to: *@scope is NULL for admin and
 * service, else the caller's person id (written into @me), or NIL_UUID when
 * no person matches the token, so that they see nothing.
 */
int access_scope(PGconn *c, struct request *rq, char me[UUID_STR_LEN], const char **scope);

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
