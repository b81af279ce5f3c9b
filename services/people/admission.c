/*
 * admission.c - the people service's admission answers kept in memory
 * (shared/admcache.h), and the writes that make them stale.
 *
 * A request whose caller was admitted a moment ago is admitted from memory:
 * it then runs only its own statement.  Every write of this service to
 * people drops the whole cache after it commits (a person created, changed,
 * withdrawn or erased may change who any subject is); a change made by
 * another instance takes effect within TANDEM_ADMISSION_TTL_MS.
 */
#include <string.h>

#include "people.h"
#include "status.h"

int
admission_apply(struct request *rq, const char *person_id, const char *status)
{
        if (strcmp(status, "left") == 0)
                return problem_set(&rq->prob, ST_FORBIDDEN, "access-withdrawn",
                                   "your access to Tandem was withdrawn");
        snprintf(rq->me, sizeof(rq->me), "%s", person_id);
        rq->me_known = 1;
        return ST_OK;
}

bool
admission_cached(struct request *rq, int *rc)
{
        struct admcache_entry e;

        if (!admcache_get(rq->svc->admission, rq->who.subject, rq->who.email, admcache_now_ms(),
                          &e))
                return false;
        *rc = admission_apply(rq, e.person_id, e.status);
        return true;
}

void
admission_keep(struct request *rq, uint64_t epoch, const char *person_id, const char *status)
{
        struct admcache_entry e;

        snprintf(e.person_id, sizeof(e.person_id), "%s", person_id);
        snprintf(e.status, sizeof(e.status), "%s", status);
        admcache_put(rq->svc->admission, epoch, rq->who.subject, rq->who.email, &e,
                     admcache_now_ms());
}

int
people_write(struct request *rq, db_tx_fn fn, void *arg)
{
        int rc = db_tx(rq->svc->db, rq, fn, arg);

        if (rc == ST_OK && !rq->replayed)
                admcache_clear(rq->svc->admission);
        return rc;
}
