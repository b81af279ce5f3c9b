/*
 * identity.c - the caller as the people service knows them (see identity.h).
 */
#include <stdio.h>
#include <string.h>

#include "admcache.h"
#include "client.h"
#include "identity.h"
#include "log.h"
#include "status.h"

/* GETs @path from the people service with the caller's token. */
static int
people_get(struct request *rq, const char *path, struct client_reply *out)
{
        struct client_call call = {
                .method = "GET",
                .base_url = rq->svc->cfg.people_url,
                .path = path,
                .bearer = rq->bearer,
                .request_id = rq->request_id,
                .timeout_ms = rq->svc->cfg.client_timeout_ms,
        };
        int rc = client_do(&call, out);

        if (rc != ST_OK)
                return problem_set(&rq->prob, ST_UNAVAILABLE, NULL,
                                   "the people service did not answer");
        return ST_OK;
}

/* The caller is @id ("" for nobody) with @status: left is refused everywhere. */
static int
me_apply(struct request *rq, const char *id, const char *status)
{
        if (strcmp(status, "left") == 0)   /* the person left: no service serves them */
                return problem_set(&rq->prob, ST_FORBIDDEN, "access-withdrawn",
                                   "your access to Tandem was withdrawn");
        snprintf(rq->me, sizeof(rq->me), "%s", id);
        rq->me_known = 1;
        return ST_OK;
}

/* Asks people's /v1/me and keeps the answer (admcache.h) unless it is an error. */
static int
me_ask(struct request *rq)
{
        struct client_reply r = { 0, NULL };
        struct admcache_entry e = { "", "" };
        uint64_t epoch = admcache_epoch(rq->svc->admission);
        const char *id;
        int rc = people_get(rq, "/v1/me", &r);

        if (rc != ST_OK)
                goto out;
        id = json_string_value(json_object_get(r.j_body, "id"));
        if (r.status == 200 && uuid_valid(id)) {
                snprintf(e.person_id, sizeof(e.person_id), "%s", id);
                snprintf(e.status, sizeof(e.status), "%s",
                         json_string_value(json_object_get(r.j_body, "status")) != NULL
                         ? json_string_value(json_object_get(r.j_body, "status")) : "active");
        } else if (r.status == 403) {   /* the person left (people's admission) */
                snprintf(e.status, sizeof(e.status), "left");
        } else if (r.status != 404) {
                rc = problem_set(&rq->prob, ST_UNAVAILABLE, NULL,
                                 "the people service answered /v1/me with %ld", r.status);
                goto out;
        }
        admcache_put(rq->svc->admission, epoch, rq->who.subject, rq->who.email, &e,
                     admcache_now_ms());
        rc = me_apply(rq, e.person_id, e.status);
out:
        client_reply_release(&r);
        return rc;
}

int
identity_me(struct request *rq, char out[UUID_STR_LEN])
{
        struct admcache_entry e;
        int rc;

        if (!rq->me_known) {
                if (admcache_get(rq->svc->admission, rq->who.subject, rq->who.email,
                                 admcache_now_ms(), &e))
                        rc = me_apply(rq, e.person_id, e.status);
                else
                        rc = me_ask(rq);
                if (rc != ST_OK)
                        return rc;
        }
        memcpy(out, rq->me, UUID_STR_LEN);
        return ST_OK;
}

int
identity_mentors(struct request *rq, const char *partner_id, bool *yes)
{
        struct client_reply r = { 0, NULL };
        char me[UUID_STR_LEN], path[200];
        int rc = identity_me(rq, me);

        *yes = false;
        if (rc != ST_OK || me[0] == '\0' || !uuid_valid(partner_id))
                return rc;
        snprintf(path, sizeof(path),
                 "/v1/pairings?mentor_id=%s&partner_id=%s&status=active&limit=1", me, partner_id);
        rc = people_get(rq, path, &r);
        if (rc == ST_OK && r.status == 200)
                *yes = json_array_size(json_object_get(r.j_body, "items")) > 0;
        else if (rc == ST_OK && r.status != 403)
                rc = problem_set(&rq->prob, ST_UNAVAILABLE, NULL,
                                 "the people service answered /v1/pairings with %ld", r.status);
        client_reply_release(&r);
        return rc;
}

/* GETs one resource at @path: 200 gives it, 404 and 403 their statuses. */
static int
people_get_one(struct request *rq, const char *path, json_t **out)
{
        struct client_reply r = { 0, NULL };
        int rc = people_get(rq, path, &r);

        if (rc != ST_OK)
                goto out;
        switch (r.status) {
        case 200:
                *out = r.j_body;
                r.j_body = NULL;
                rc = *out != NULL ? ST_OK : problem_set(&rq->prob, ST_UNAVAILABLE, NULL,
                                                        "the people service answered without JSON");
                break;
        case 404:
                rc = ST_NOT_FOUND;
                break;
        case 403:
                rc = ST_FORBIDDEN;
                break;
        default:
                rc = problem_set(&rq->prob, ST_UNAVAILABLE, NULL,
                                 "the people service answered with %ld", r.status);
        }
out:
        client_reply_release(&r);
        return rc;
}

int
identity_person(struct request *rq, const char *person_id, json_t **out)
{
        char path[80];

        if (!uuid_valid(person_id))
                return ST_NOT_FOUND;
        snprintf(path, sizeof(path), "/v1/people/%s", person_id);
        return people_get_one(rq, path, out);
}

int
identity_pairing(struct request *rq, const char *pairing_id, json_t **out)
{
        char path[80];

        if (!uuid_valid(pairing_id))
                return ST_NOT_FOUND;
        snprintf(path, sizeof(path), "/v1/pairings/%s", pairing_id);
        return people_get_one(rq, path, out);
}

bool
identity_has_role(const json_t *j_person, const char *role)
{
        size_t i;
        json_t *j_role;

        if (!json_is_string(json_object_get(j_person, "status"))
            || strcmp(json_string_value(json_object_get(j_person, "status")), "active") != 0)
                return false;
        json_array_foreach(json_object_get(j_person, "roles"), i, j_role)
                if (json_is_string(j_role) && strcmp(json_string_value(j_role), role) == 0)
                        return true;
        return false;
}
