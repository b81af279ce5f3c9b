/*
 * access.c - the strategy service's own access rules; the checks themselves,
 * the relation and its order are shared/access.h.  Mentoring, not consulting:
 * only the partner does the partner's work.
 */
#include "access.h"
#include "status.h"
#include "strategy.h"

int
strategy_is_partner(struct request *rq, const char *partner_id, bool *yes)
{
        *yes = false;
        if (!access_has(rq, ROLE_PARTNER))
                return ST_OK;
        return access_is_self(rq, partner_id, yes);
}

int
strategy_read_playbook(struct request *rq, const char *partner_id)
{
        return access_read_person(rq, partner_id, "a playbook is read by its partner, their"
                                  " mentor and the programme team", NULL);
}
