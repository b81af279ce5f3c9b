/*
 * access.c - who may do what in the phases service (DESIGN.md, Identity and
 * access).  Who a caller is and whom they mentor is asked of the people
 * service (shared/identity.h), with the caller's own token.
 */
#include <string.h>

#include "identity.h"
#include "phases.h"
#include "status.h"

bool
access_is_admin(const struct request *rq)
{
        return (rq->who.roles & ROLE_ADMIN) != 0;
}

bool
access_reads_all(const struct request *rq)
{
        return (rq->who.roles & (ROLE_ADMIN | ROLE_SERVICE)) != 0;
}

int
access_forbid(struct request *rq, const char *why)
{
        return problem_set(&rq->prob, ST_FORBIDDEN, NULL, "%s", why);
}

int
access_not_consulting(struct request *rq, const char *why)
{
        return problem_set(&rq->prob, ST_FORBIDDEN, "mentoring-not-consulting", "%s", why);
}

int
access_no_viewer(struct request *rq)
{
        if (rq->who.roles == ROLE_VIEWER)
                return access_forbid(rq, "viewers read aggregate statistics only");
        return ST_OK;
}

int
access_relation(struct request *rq, const char *person_id, enum relation *out)
{
        char me[UUID_STR_LEN];
        bool mentors = false;
        int rc;

        *out = REL_NONE;
        if (access_reads_all(rq)) {
                *out = REL_ALL;
                return ST_OK;
        }
        rc = identity_me(rq, me);
        if (rc != ST_OK || me[0] == '\0')
                return rc;
        if (strcmp(me, person_id) == 0) {
                *out = REL_SELF;
                return ST_OK;
        }
        if (rq->who.roles & ROLE_MENTOR)
                rc = identity_mentors(rq, person_id, &mentors);
        if (rc == ST_OK && mentors)
                *out = REL_MENTOR;
        return rc;
}

int
access_read_person(struct request *rq, const char *person_id)
{
        enum relation rel = REL_NONE;
        int rc = access_no_viewer(rq);

        if (rc == ST_OK)
                rc = access_relation(rq, person_id, &rel);
        if (rc == ST_OK && rel == REL_NONE)
                rc = access_forbid(rq, "you may read your own records and those of your active"
                                   " partners");
        return rc;
}

int
access_actor(struct request *rq, enum relation rel, struct actor *a)
{
        int rc = identity_me(rq, a->person_id);

        a->subject = rq->who.subject;
        a->role = rel == REL_SELF ? "partner" : rel == REL_MENTOR ? "mentor"
                  : access_is_admin(rq) ? "admin" : "service";
        return rc;
}
