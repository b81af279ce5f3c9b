/*
 * access.c - the mentoring service's own access rules; the checks themselves,
 * the relation and its order are shared/access.h.
 */
#include <string.h>

#include "access.h"
#include "mentoring.h"
#include "status.h"

int
mentoring_roles(struct request *rq)
{
        unsigned allowed = ROLE_ADMIN | ROLE_MENTOR | ROLE_PARTNER | ROLE_SERVICE;

        if ((rq->who.roles & allowed) == 0)
                return access_forbid(rq, (rq->who.roles & ROLE_VIEWER)
                                     ? "viewers read aggregate statistics only"
                                     : "this role has no access to mentoring records");
        return ST_OK;
}

int
mentoring_read_partner(struct request *rq, const char *partner_id, enum relation *rel)
{
        int rc = mentoring_roles(rq);

        *rel = REL_NONE;
        if (rc == ST_OK)
                rc = access_read_person(rq, partner_id, "you may read only your own records or"
                                        " those of the partners you actively mentor", rel);
        return rc;
}

int
mentoring_partner_only(struct request *rq, const char *partner_id, const char *type,
                       const char *why)
{
        int rc = mentoring_roles(rq);

        if (rc == ST_OK)
                rc = access_self_only(rq, partner_id, type, why);
        return rc;
}

int
mentoring_person_gone(PGconn *c, const char *person_id, const char *reason, void *arg)
{
        const char *why = strcmp(reason, "erased") == 0 ? "was erased"
                          : strcmp(reason, "deactivated") == 0 ? "was deactivated"
                          : "left the programme";

        (void)arg;
        return sessions_db_cancel_for(c, person_id, why);
}

const struct mentoring_app *
mentoring_app(const struct request *rq)
{
        return rq->svc->app;
}
