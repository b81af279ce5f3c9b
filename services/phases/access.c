/*
 * access.c - the phases service's own access rules; the checks themselves,
 * the relation and its order are shared/access.h.
 */
#include "access.h"
#include "phases.h"
#include "status.h"

int
phases_read_person(struct request *rq, const char *person_id)
{
        return access_read_person(rq, person_id, "you may read your own records and those of"
                                  " your active partners", NULL);
}

int
phases_actor(struct request *rq, enum relation rel, struct actor *a)
{
        int rc = access_me(rq, a->person_id);

        a->subject = rq->who.subject;
        a->role = access_relation_role(rel);
        return rc;
}
