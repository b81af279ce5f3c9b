/*
 * access.c - who may do what in the people service (DESIGN.md, Identity and
 * access): the checks every handler shares.
 */
#include <string.h>

#include "people.h"
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
access_no_viewer(struct request *rq)
{
        if (rq->who.roles == ROLE_VIEWER)
                return access_forbid(rq, "viewers read aggregate statistics only");
        return ST_OK;
}

int
access_scope(PGconn *c, struct request *rq, char me[UUID_STR_LEN], const char **scope)
{
        int rc;

        *scope = NULL;
        if (access_reads_all(rq))
                return ST_OK;
        rc = people_db_whoami(c, &rq->who, me);
        *scope = me[0] != '\0' ? me : NIL_UUID;
        return rc;
}
