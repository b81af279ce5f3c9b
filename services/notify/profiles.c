/*
 * profiles.c - the people in the read model get their name, e-mail address
 * and time zone from the people service, by id, with notify's own token.
 *
 * Events never carry those (they go to the audit log, which keeps them
 * longer than an erasure may allow), so a person event only marks the
 * person's profile as due (att_person.profile_due); this ticker reads the due
 * ones a few at a time, soon after.  A profile that changed again while it
 * was being read stays due (the update names the version it read).  The
 * attention list itself never calls another service.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "log.h"
#include "notify.h"
#include "status.h"
#include "ticker.h"

#define PROFILE_BATCH 20
#define PROFILE_EVERY_MS 200
#define PROFILE_TIMEOUT_MS 3000

const struct db_stmt profile_stmts[] = {
        { "att_profiles_due",
          "SELECT id::text, updated_at::text FROM att_person WHERE profile_due"
          " ORDER BY updated_at LIMIT $1::int" },
        { "att_profile_set",
          "UPDATE att_person SET display_name = $3, email = $4, timezone = $5,"
          " profile_due = false, profile_at = now()"
          " WHERE id = $1::uuid AND updated_at = $2::timestamptz AND status <> 'erased'" },
        { "att_profile_gone",
          "UPDATE att_person SET profile_due = false, profile_at = now()"
          " WHERE id = $1::uuid AND updated_at = $2::timestamptz" },
        { NULL, NULL },
};

static const char *
member(const json_t *j, const char *key)
{
        return json_string_value(json_object_get(j, key));
}

/* Reads one person from people and stores what the model keeps; ST_UNAVAILABLE stops the batch. */
static int
profile_read(struct service *svc, PGconn *c, const char *token, const char *id,
             const char *seen)
{
        char path[64];
        struct client_call call = { "GET", svc->cfg.people_url, path, token, NULL, NULL,
                                    PROFILE_TIMEOUT_MS };
        struct client_reply reply;
        int rc;

        snprintf(path, sizeof(path), "/v1/people/%s", id);
        rc = client_do(&call, &reply);
        if (rc == ST_OK && reply.status == 200) {
                const char *params[5] = { id, seen, member(reply.j_body, "display_name"),
                                          member(reply.j_body, "email"),
                                          member(reply.j_body, "timezone") };

                rc = db_exec(c, "att_profile_set", 5, params, NULL);
        } else if (rc == ST_OK && reply.status == 404) {
                const char *params[2] = { id, seen };

                rc = db_exec(c, "att_profile_gone", 2, params, NULL);
        } else if (rc == ST_OK) {
                log_warn("people answered %ld for a person's profile; retrying later",
                         reply.status);
                rc = ST_UNAVAILABLE;
        }
        client_reply_release(&reply);
        return rc;
}

struct batch {
        struct service *svc;
        int done;
};

static int
batch_run(PGconn *c, struct request *rq, void *arg)
{
        struct batch *b = arg;
        char lim[16], *token = NULL;
        const char *params[1] = { lim };
        PGresult *res = NULL;
        int rc;

        (void)rq;
        snprintf(lim, sizeof(lim), "%d", PROFILE_BATCH);
        rc = db_exec(c, "att_profiles_due", 1, params, &res);
        if (rc != ST_OK || PQntuples(res) == 0)
                goto out;
        rc = service_own_token(b->svc, &token);
        for (int i = 0; rc == ST_OK && i < PQntuples(res); i++) {
                rc = profile_read(b->svc, c, token, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
                if (rc == ST_OK)
                        b->done++;
        }
out:
        free(token);
        PQclear(res);
        return rc;
}

/* The ticker: one batch; again at once when it was full. */
static bool
profiles_tick(struct service *svc, void *arg)
{
        struct batch b = { svc, 0 };

        (void)arg;
        /* no transaction: each profile is its own UPDATE, and a slow people holds no lock */
        db_with(svc->db, NULL, batch_run, &b);
        return b.done == PROFILE_BATCH;
}

int
profiles_start(struct service *svc)
{
        return ticker_start(svc, "profiles", PROFILE_EVERY_MS, profiles_tick, NULL);
}
