/*
 * access.c - who may do what in the mentoring service (DESIGN.md, Identity
 * and access).  People and pairings live in the people service: the caller's
 * person and their active partners are asked of it with the caller's own
 * token (shared/identity.h), once per request at most.
 */
#include <string.h>

#include "identity.h"
#include "mentoring.h"
#include "status.h"

bool
access_is_admin(const struct request *rq)
{
        return (rq->who.roles & ROLE_ADMIN) != 0;
}

int
access_forbid(struct request *rq, const char *why)
{
        return problem_set(&rq->prob, ST_FORBIDDEN, NULL, "%s", why);
}

int
access_partner_work(struct request *rq, const char *type, const char *why)
{
        return problem_set(&rq->prob, ST_FORBIDDEN, type, "%s", why);
}

int
access_mentoring_roles(struct request *rq)
{
        unsigned allowed = ROLE_ADMIN | ROLE_MENTOR | ROLE_PARTNER | ROLE_SERVICE;

        if ((rq->who.roles & allowed) == 0)
                return access_forbid(rq, (rq->who.roles & ROLE_VIEWER)
                                     ? "viewers read aggregate statistics only"
                                     : "this role has no access to mentoring records");
        return ST_OK;
}

int
access_me(struct request *rq, char me[UUID_STR_LEN])
{
        me[0] = '\0';
        if ((rq->who.roles & (ROLE_MENTOR | ROLE_PARTNER | ROLE_ADMIN)) == 0)
                return ST_OK;   /* services, comms and viewers write nothing personal */
        return identity_me(rq, me);
}

int
access_relation(struct request *rq, const char *partner_id, enum relation *out)
{
        char me[UUID_STR_LEN] = "";
        bool mentors = false;
        int rc = ST_OK;

        *out = REL_NONE;
        if (rq->who.roles & (ROLE_MENTOR | ROLE_PARTNER))
                rc = identity_me(rq, me);
        if (rc == ST_OK && me[0] != '\0' && strcmp(me, partner_id) == 0)
                *out = REL_SELF;
        else if (rc == ST_OK && (rq->who.roles & ROLE_MENTOR) && me[0] != '\0')
                rc = identity_mentors(rq, partner_id, &mentors);
        if (rc != ST_OK || *out != REL_NONE)
                return rc;
        if (mentors)
                *out = REL_MENTOR;
        else if (rq->who.roles & ROLE_ADMIN)
                *out = REL_ADMIN;
        else if (rq->who.roles & ROLE_SERVICE)
                *out = REL_SERVICE;
        return ST_OK;
}

int
access_read_partner(struct request *rq, const char *partner_id, enum relation *rel)
{
        int rc = access_mentoring_roles(rq);

        if (rc == ST_OK)
                rc = access_relation(rq, partner_id, rel);
        if (rc == ST_OK && *rel == REL_NONE)
                rc = access_forbid(rq, "you may read only your own records or those of the"
                                   " partners you actively mentor");
        return rc;
}

int
access_partner_only(struct request *rq, const char *partner_id, const char *type,
                    const char *why)
{
        char me[UUID_STR_LEN];
        int rc = access_mentoring_roles(rq);

        if (rc == ST_OK)
                rc = access_me(rq, me);
        if (rc == ST_OK && strcmp(me, partner_id) != 0)
                rc = access_partner_work(rq, type, why);
        return rc;
}

const struct mentoring_app *
mentoring_app(const struct request *rq)
{
        return rq->svc->app;
}
