/*
 * access.c - who may do what in the strategy service (DESIGN.md, Identity
 * and access).  Roles come from the token; who the caller is, and whom they
 * mentor, come from the people service with the caller's own token
 * (shared/identity.h).  Mentoring, not consulting: only the partner does the
 * partner's work; an admin or a mentor who tries gets a 403 whose type says so.
 */
#include <string.h>
#include <strings.h>

#include "identity.h"
#include "status.h"
#include "strategy.h"

bool
access_has(const struct request *rq, unsigned roles)
{
        return (rq->who.roles & roles) != 0;
}

int
access_forbid(struct request *rq, const char *why)
{
        return problem_set(&rq->prob, ST_FORBIDDEN, NULL, "%s", why);
}

int
access_not_consulting(struct request *rq, const char *why)
{
        return problem_set(&rq->prob, ST_FORBIDDEN, PROBLEM_NOT_CONSULTING,
                           "mentoring, not consulting: %s", why);
}

int
access_me(struct request *rq, char me[UUID_STR_LEN])
{
        return identity_me(rq, me);
}

int
access_is_self(struct request *rq, const char *person_id, bool *yes)
{
        char me[UUID_STR_LEN];
        int rc = identity_me(rq, me);

        *yes = rc == ST_OK && me[0] != '\0' && strcasecmp(me, person_id) == 0;
        return rc;
}

int
access_is_mentor(struct request *rq, const char *partner_id, bool *yes)
{
        *yes = false;
        if (!access_has(rq, ROLE_MENTOR))
                return ST_OK;
        return identity_mentors(rq, partner_id, yes);
}

int
access_is_partner(struct request *rq, const char *partner_id, bool *yes)
{
        *yes = false;
        if (!access_has(rq, ROLE_PARTNER))
                return ST_OK;
        return access_is_self(rq, partner_id, yes);
}

int
access_read_playbook(struct request *rq, const char *partner_id)
{
        bool yes = false;
        int rc;

        if (access_has(rq, ROLE_ADMIN | ROLE_SERVICE))
                return ST_OK;
        if (rq->who.roles == ROLE_VIEWER)
                return access_forbid(rq, "viewers read aggregate statistics only");
        rc = access_is_partner(rq, partner_id, &yes);
        if (rc == ST_OK && !yes)
                rc = access_is_mentor(rq, partner_id, &yes);
        if (rc == ST_OK && !yes)
                rc = access_forbid(rq, "a playbook is read by its partner, their mentor and the"
                                   " programme team");
        return rc;
}

int
access_write_playbook(struct request *rq, const char *partner_id)
{
        bool yes = false;
        int rc = access_is_partner(rq, partner_id, &yes);

        if (rc != ST_OK || yes)
                return rc;
        if (access_has(rq, ROLE_ADMIN | ROLE_MENTOR))
                return access_not_consulting(rq, "only the partner writes their playbook; a"
                                             " mentor comments and reviews");
        return access_forbid(rq, "only the partner writes their playbook");
}
