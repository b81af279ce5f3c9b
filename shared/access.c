/*
 * access.c - who may do what, the same way in every service (see access.h).
 */
#include <string.h>
#include <strings.h>

#include "access.h"
#include "identity.h"
#include "status.h"

/* ---- pure ------------------------------------------------------------------- */

enum relation
access_decide(const struct access_facts *f)
{
        if (f->self && access_is_person(f->roles))
                return REL_SELF;
        if (f->mentors && (f->roles & ROLE_MENTOR))
                return REL_MENTOR;
        if (f->roles & ROLE_ADMIN)
                return REL_ADMIN;
        if (f->roles & ROLE_SERVICE)
                return REL_SERVICE;
        return REL_NONE;
}

bool
access_is_person(unsigned roles)
{
        return (roles & ACCESS_PERSON_ROLES) != 0;
}

bool
access_viewer_only(unsigned roles)
{
        return roles == ROLE_VIEWER;
}

const char *
access_relation_role(enum relation rel)
{
        switch (rel) {
        case REL_SELF:
                return "partner";
        case REL_MENTOR:
                return "mentor";
        case REL_ADMIN:
                return "admin";
        case REL_SERVICE:
                return "service";
        case REL_NONE:
                break;
        }
        return NULL;
}

/* ---- the request ------------------------------------------------------------ */

bool
access_has(const struct request *rq, unsigned roles)
{
        return (rq->who.roles & roles) != 0;
}

bool
access_is_admin(const struct request *rq)
{
        return access_has(rq, ROLE_ADMIN);
}

bool
access_reads_all(const struct request *rq)
{
        return access_has(rq, ROLE_ADMIN | ROLE_SERVICE);
}

int
access_forbid(struct request *rq, const char *why)
{
        return problem_set(&rq->prob, ST_FORBIDDEN, NULL, "%s", why);
}

int
access_forbid_as(struct request *rq, const char *type, const char *why)
{
        return problem_set(&rq->prob, ST_FORBIDDEN, type, "%s", why);
}

int
access_not_consulting(struct request *rq, const char *why)
{
        return problem_set(&rq->prob, ST_FORBIDDEN, ACCESS_NOT_CONSULTING,
                           "mentoring, not consulting: %s", why);
}

int
access_no_viewer(struct request *rq)
{
        if (access_viewer_only(rq->who.roles))
                return access_forbid(rq, "viewers read aggregate statistics only");
        return ST_OK;
}

int
access_me(struct request *rq, char me[UUID_STR_LEN])
{
        me[0] = '\0';
        if (!access_is_person(rq->who.roles))
                return ST_OK;   /* a service or the SCIM client is nobody */
        return identity_me(rq, me);
}

int
access_is_self(struct request *rq, const char *person_id, bool *yes)
{
        char me[UUID_STR_LEN];
        int rc = access_me(rq, me);

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
access_relation(struct request *rq, const char *person_id, enum relation *out)
{
        struct access_facts f = { rq->who.roles, false, false };
        int rc = access_is_self(rq, person_id, &f.self);

        *out = REL_NONE;
        if (rc == ST_OK && !f.self)
                rc = access_is_mentor(rq, person_id, &f.mentors);
        if (rc == ST_OK)
                *out = access_decide(&f);
        return rc;
}

int
access_read_person(struct request *rq, const char *person_id, const char *why,
                   enum relation *rel)
{
        enum relation r = REL_NONE;
        int rc = access_no_viewer(rq);

        if (rc == ST_OK)
                rc = access_relation(rq, person_id, &r);
        if (rc == ST_OK && r == REL_NONE)
                rc = access_forbid(rq, why);
        if (rel != NULL)
                *rel = r;
        return rc;
}

int
access_self_only(struct request *rq, const char *person_id, const char *type, const char *why)
{
        bool self = false;
        int rc = access_is_self(rq, person_id, &self);

        if (rc == ST_OK && !self)
                rc = access_forbid_as(rq, type, why);
        return rc;
}
