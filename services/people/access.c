/*
 * access.c - the people service's own access rules: who the caller is, asked
 * of its own database, and the admission check; the checks themselves are
 * shared/access.h.
 */
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "log.h"

#include "people.h"
#include "status.h"

int
people_whoami(PGconn *c, struct request *rq, char me[UUID_STR_LEN])
{
        if (rq->me_known) {
                memcpy(me, rq->me, UUID_STR_LEN);
                return ST_OK;
        }
        return people_db_whoami(c, &rq->who, me);
}

int
people_scope(PGconn *c, struct request *rq, char me[UUID_STR_LEN], const char **scope)
{
        int rc;

        *scope = NULL;
        if (access_reads_all(rq))
                return ST_OK;
        rc = people_whoami(c, rq, me);
        *scope = me[0] != '\0' ? me : NIL_UUID;
        return rc;
}

/* The caller's Tandem person roles as a PostgreSQL array literal: {mentor,partner}. */
static void
roles_literal(unsigned roles, char *out, size_t outlen)
{
        size_t used = 0;

        snprintf(out, outlen, "{");
        for (unsigned bit = 1; bit <= ROLE_VIEWER; bit <<= 1) {
                if (!(roles & bit))
                        continue;
                used = strlen(out);
                snprintf(out + used, outlen - used, "%s%s", used > 1 ? "," : "", role_name(bit));
        }
        used = strlen(out);
        snprintf(out + used, outlen - used, "}");
}

/* A display name for a person made just in time: the name claim, else the e-mail. */
static const char *
jit_name(const struct principal *who)
{
        const char *name = json_string_value(json_object_get(who->j_claims, "name"));

        if (name != NULL && *name != '\0' && jv_utf8_len(name) <= 200)
                return name;
        return who->email;
}

static int
admit_tx(PGconn *c, struct request *rq, void *arg)
{
        char roles[80];
        struct admission a;
        int rc = people_db_admit(c, &rq->who, &a);
        /* a person has an e-mail until erased (people.yaml): a token without a
         * valid one creates nobody, as with JIT off */
        bool jit = rq->svc->cfg.jit_provisioning && access_is_person(rq->who.roles) &&
                   jv_email_valid(rq->who.email);

        if (rc == ST_OK && a.id[0] == '\0' && jit) {
                roles_literal(rq->who.roles & ACCESS_PERSON_ROLES, roles, sizeof(roles));
                rc = people_db_jit(c, &rq->who, jit_name(&rq->who), roles, &a);
                if (rc == ST_OK && a.created)
                        log_info("person %s created just in time for subject %s", a.id,
                                 rq->who.subject);
        }
        if (rc == ST_OK && a.linked)
                log_info("subject %s linked to person %s by e-mail", rq->who.subject, a.id);
        if (rc != ST_OK)
                return rc;
        if (a.id[0] != '\0' || !jit)   /* nobody, with JIT on: made by a racing request */
                admission_keep(rq, *(const uint64_t *)arg, a.id, a.status);
        return admission_apply(rq, a.id, a.status);
}

int
people_admit(struct request *rq)
{
        uint64_t epoch;
        int rc;

        if (!access_is_person(rq->who.roles))
                return ST_OK;   /* the SCIM client or a service: not a person */
        if (admission_cached(rq, &rc))
                return rc;
        epoch = admcache_epoch(rq->svc->admission);
        return db_with(rq->svc->db, rq, admit_tx, &epoch);
}
