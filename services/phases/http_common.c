/*
 * http_common.c - what the phases handlers share: replying with a stored
 * row, computing an enrolment's pace as it is replied, optional bodies and
 * query parameters.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "phases.h"
#include "status.h"

/* phases: the partner's own plan (keys, statuses, stall days, target dates), for notify */
const char *const enrolment_event_fields[] = { "person_id", "programme_id", "status",
                                               "current_phase", "phases", NULL };

int
phases_emit(PGconn *c, const struct request *rq, const char *type, const struct row *r,
            const char *person_field, const char *const *fields)
{
        struct db_row d = { r->json, r->version, "" };

        snprintf(d.id, sizeof(d.id), "%s", r->id);
        return outbox_row(c, rq, type, &d, person_field, fields, NULL);
}

long long
clock_now(void)
{
        return (long long)time(NULL);
}

int
reply_row(struct request *rq, struct row *r, unsigned status, bool etag)
{
        if (etag)
                http_set_etag(rq, r->version);
        rq->http_status = status;
        /* pass PostgreSQL's JSON text through untouched */
        rq->text_out = r->json;
        rq->content_type = "application/json";
        r->json = NULL;
        return ST_OK;
}

int
reply_created(struct request *rq, struct row *r, const char *collection, bool etag)
{
        if (etag)
                http_set_etag(rq, r->version);
        rq->http_status = 201;
        if (collection != NULL)
                snprintf(rq->location, sizeof(rq->location), "/v1/%s/%s", collection, r->id);
        /* parsed, so that an Idempotency-Key can store and replay it */
        rq->j_out = json_loads(r->json, 0, NULL);
        return rq->j_out != NULL ? ST_OK : ST_NOMEM;
}

int
reply_enrolment(struct request *rq, struct row *r, unsigned status, bool location)
{
        json_t *j_e = json_loads(r->json, 0, NULL);
        int rc = j_e != NULL ? enrolment_annotate(j_e, clock_now()) : ST_NOMEM;

        if (rc != ST_OK) {
                json_decref(j_e);
                return rc;
        }
        json_decref(rq->j_out);
        rq->j_out = j_e;
        rq->http_status = status;
        http_set_etag(rq, r->version);
        if (location)
                snprintf(rq->location, sizeof(rq->location), "/v1/enrolments/%s", r->id);
        return ST_OK;
}

int
reply_enrolment_page(struct request *rq, char *page)
{
        json_t *j_page = json_loads(page, 0, NULL), *j_e;
        long long now = clock_now();
        int rc = j_page != NULL ? ST_OK : ST_NOMEM;
        size_t i;

        free(page);
        json_array_foreach(json_object_get(j_page, "items"), i, j_e) {
                rc = enrolment_annotate(j_e, now);
                if (rc != ST_OK)
                        break;
        }
        if (rc == ST_OK) {
                rq->j_out = j_page;
                j_page = NULL;
        }
        json_decref(j_page);
        return rc;
}

int
http_optional_body(struct request *rq, json_t **out)
{
        *out = NULL;
        if (rq->req->binary_body_length == 0)
                return ST_OK;
        return http_json_body(rq, out);
}

void
uuid_lower(char out[UUID_STR_LEN], const char *s)
{
        size_t i;

        for (i = 0; s != NULL && s[i] != '\0' && i < UUID_STR_LEN - 1; i++)
                out[i] = (char)tolower((unsigned char)s[i]);
        out[i] = '\0';
}
