/*
 * access.h - who may do what, the same way in every service (DESIGN.md,
 * Identity and access).
 *
 * Roles come from the token.  Who the caller is, and whom they mentor, come
 * from the people service with the caller's own token (identity.h), asked at
 * most once per request.  How a caller stands to a person is decided in one
 * order everywhere: the person themself, then their active mentor, then the
 * programme team (admin), then another service.  What a relation allows is
 * each service's own rule; the checks, the 403s and that order live here.
 *
 * The decision itself (access_decide) is pure and unit-tested; the rest reads
 * the request and asks the people service.
 */
#ifndef TANDEM_ACCESS_H
#define TANDEM_ACCESS_H

#include <stdbool.h>
#include <libpq-fe.h>
#include "access_db.h"
#include "http.h"

/* The 403 type for partner work tried by someone else (DESIGN: mentoring, not consulting). */
#define ACCESS_NOT_CONSULTING "mentoring-not-consulting"

/* The roles of a person in the programme (a service or the SCIM client is nobody). */
#define ACCESS_PERSON_ROLES (ROLE_ADMIN | ROLE_MENTOR | ROLE_PARTNER | ROLE_COMMS | ROLE_VIEWER)

/* How the caller stands to one person; the first that holds, in this order. */
enum relation {
        REL_NONE = 0,
        REL_SELF,       /* the caller is that person */
        REL_MENTOR,     /* the caller is their active mentor */
        REL_ADMIN,      /* the programme team: reads every record */
        REL_SERVICE,    /* another service acting on its own behalf */
};

/* ---- pure: no request, no I/O ---------------------------------------------- */

/* What is known of the caller against one person. */
struct access_facts {
        unsigned roles;         /* ROLE_* bits of the token */
        bool self;              /* the caller's person is that person */
        bool mentors;           /* the caller is their active mentor (role mentor) */
};

/*
 * The relation the facts give, in the one order: self, mentor (only with the
 * mentor role), admin, service, none.
 */
enum relation access_decide(const struct access_facts *f);

/*
 * True when who the caller is matters for @roles: a person role (admin,
 * mentor, partner, comms, viewer).  A service or SCIM token is nobody.
 */
bool access_is_person(unsigned roles);

/* True when @roles are viewer alone (aggregates only). */
bool access_viewer_only(unsigned roles);

/* The role a caller acts in under @rel ("partner", "mentor", "admin", "service"); NULL for none. */
const char *access_relation_role(enum relation rel);

/* ---- the request ------------------------------------------------------------ */

/* True when the token holds one of @roles (ROLE_* bits). */
bool access_has(const struct request *rq, unsigned roles);

bool access_is_admin(const struct request *rq);

/* Admin and service tokens read every record. */
bool access_reads_all(const struct request *rq);

/* Records a 403 with @why (type "forbidden").  Returns ST_FORBIDDEN. */
int access_forbid(struct request *rq, const char *why);

/* Records a 403 whose type slug is @type, saying @why.  Returns ST_FORBIDDEN. */
int access_forbid_as(struct request *rq, const char *type, const char *why);

/*
 * Records a 403 "mentoring-not-consulting": "mentoring, not consulting: @why".
 * Returns ST_FORBIDDEN.
 */
int access_not_consulting(struct request *rq, const char *why);

/* ST_FORBIDDEN for a token whose only reading role is viewer (aggregates only). */
int access_no_viewer(struct request *rq);

/*
 * The caller's person id into @me: "" for a token that is no person (service,
 * SCIM) or that no person matches.  ST_FORBIDDEN (access-withdrawn) for a
 * person who left; ST_UNAVAILABLE when the people service does not answer.
 */
int access_me(struct request *rq, char me[UUID_STR_LEN]);

/* ST_OK and *@yes when the caller is the person @person_id. */
int access_is_self(struct request *rq, const char *person_id, bool *yes);

/* ST_OK and *@yes when the caller holds the mentor role and mentors @partner_id now. */
int access_is_mentor(struct request *rq, const char *partner_id, bool *yes);

/*
 * How the caller stands to @person_id (access_decide on what the people
 * service says).  An admin or service token without the mentor or partner
 * role is admin or service whoever it is: nobody is asked, so their reads
 * work while the people service is down.  ST_OK with *@out, or the status of asking (ST_FORBIDDEN
 * access-withdrawn, ST_UNAVAILABLE).
 */
int access_relation(struct request *rq, const char *person_id, enum relation *out);

/*
 * Reading @person_id's records: viewers never; otherwise any relation but
 * none, else a 403 saying @why.  *@rel (may be NULL) gets the relation.
 */
int access_read_person(struct request *rq, const char *person_id, const char *why,
                       enum relation *rel);

/*
 * Work only the person @person_id does themself: ST_OK for them; for anyone
 * else a 403 of type @type (NULL: "forbidden") saying @why.
 */
int access_self_only(struct request *rq, const char *person_id, const char *type,
                     const char *why);

/* ---- withdrawn subjects: leaving takes effect everywhere ------------------- */

/*
 * The admission check (server.h, admit) of every service but people, which
 * follows the people service's person events (access_follow_people) into its
 * own access_withdrawn table: a person who left, was deactivated over SCIM or
 * was erased gets 403 access-withdrawn whatever their token says; roles the
 * people service removed from a person are taken out of their token's, and
 * a person left with no role of theirs gets 403 access-withdrawn too.  A
 * service or SCIM token passes.  ST_OK, ST_FORBIDDEN or ST_UNAVAILABLE.
 */
int access_admit(struct request *rq);

/*
 * Called in the follower's transaction on @conn when the person @person_id
 * left or was erased (@reason "left", "deactivated", "erased"), so that a
 * service ends what that person had open.  No call to another service.
 * Returns ST_OK or a status (follower.h says what each does).
 */
typedef int (*access_gone_fn)(PGconn *conn, const char *person_id, const char *reason,
                              void *arg);

/*
 * Erasure: every service that follows defines, in its statement table, the
 * statement "person_erase" ($1 the person's id) that removes or anonymises the
 * words that person wrote, keeping the rows aggregates count, and returns one
 * row: a JSON object text {kind: rows} of what it erased.  On
 * tandem.people.person.erased the follower runs it and emits
 * tandem.<service>.person.erased with {"removed": that object}, which the
 * people service's erasure report follows, in the same transaction.
 *
 * What a service does besides recording a withdrawal.
 */
struct access_people {
        access_gone_fn gone;     /* may be NULL */
        void *arg;               /* handed to @gone */
};

/*
 * Follows the people service's person events (tandem.people.person.left,
 * .reinstated, .roles_changed, .erased) into this service's access_withdrawn
 * table, calling @how->gone for a person who left or was erased, and makes
 * access_admit the service's admission check.  @how is borrowed for as long
 * as the service runs.  Call after service_init.  ST_OK or follower_start's
 * status (logged).
 */
int access_follow_people(struct service *svc, const struct access_people *how);

/*
 * The ROLE_* bits named in @list, a comma-separated list of role names
 * ("mentor,partner"); unknown names count for nothing.  Pure.
 */
unsigned access_roles_from_list(const char *list);

#endif
