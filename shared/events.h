/*
 * events.h - the transactional outbox and each service's event feed.
 *
 * Every state change a service commits records its event with outbox_emit()
 * on the same connection, inside the same transaction (db_tx): no event for
 * a rolled-back change, no change without its event.  An event is a
 * CloudEvents 1.0 JSON envelope:
 *
 *   { "specversion": "1.0", "id": "<uuid>", "source": "/tandem/<service>",
 *     "type": "tandem.<service>.<resource>.<verb>", "subject": "<resource id>",
 *     "time": "<RFC 3339>", "datacontenttype": "application/json",
 *     "data": { ... },
 *     "personid": "<uuid of the person it concerns>",     (extension, optional)
 *     "actor": "<person id, token subject or service:<name>>",   (extension)
 *     "requestid": "<X-Request-Id of the change>",         (extension, optional)
 *     "resourceversion": <version of the resource after it> (extension, optional) }
 *
 * `data` carries ids, statuses, versions and the names of fields changed:
 * never private note text, free text a person wrote, or a secret.
 *
 * Each service serves its own events at GET /v1/events (roles service and
 * admin, on its own port; the gateway does not route it), in commit order,
 * with an opaque cursor, a type filter and a long poll.  events.c explains
 * why that order never lets a reader skip an event.  A background pruner
 * deletes events older than TANDEM_EVENTS_RETENTION_DAYS in batches.
 */
#ifndef TANDEM_EVENTS_H
#define TANDEM_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "db.h"

struct request;
struct service;

/* One event to record.  Every pointer is borrowed. */
struct event_out {
        const char *type;        /* "tandem.mentoring.session.held" */
        const char *subject;     /* the resource's id, or NULL */
        const char *person;      /* the person it concerns (a UUID), or NULL */
        long long version;       /* the resource's version after the change; 0: none */
        const json_t *data;      /* an object, or NULL for {} */
        const char *actor;       /* NULL: from @rq (person id, else token subject) */
};

/*
 * Records @ev in the outbox on @conn, which must be inside the transaction
 * making the change.  @rq gives the actor and the request id; NULL for work
 * outside a request (a follower's effect: the actor is "service:<schema>").
 * Returns ST_OK or the statement's status (the caller's transaction then
 * rolls back).
 */
int outbox_emit(PGconn *conn, const struct request *rq, const struct event_out *ev);

/* Shorthand: outbox_emit of a type, subject, person, version and data. */
int outbox_emit4(PGconn *conn, const struct request *rq, const char *type, const char *subject,
                 const char *person, long long version, const json_t *data);

/*
 * Records @type about the resource row @r (db.h): subject r->id, version
 * r->version, and as data the fields of r->json named in @fields (NULL-
 * terminated; ids, statuses, dates: never free text), plus "changed": the
 * names of @j_changed's keys (a PATCH body) when it is not NULL.  The person
 * concerned is the value of r->json's @person_field ("id", "partner_id",
 * ...), or none when @person_field is NULL.
 */
int outbox_row(PGconn *conn, const struct request *rq, const char *type, const struct db_row *r,
               const char *person_field, const char *const *fields, const json_t *j_changed);

/* ---- the feed's position (pure, unit-tested) ------------------------------ */

/* A point in a feed: after the event (txid, seq); {0, 0} is the start. */
struct event_pos {
        uint64_t txid;
        uint64_t seq;
};

/* Encodes @p as an opaque cursor (base64url) into @out (>= 64 bytes). */
void event_cursor_encode(struct event_pos p, char *out, size_t outlen);

/* Decodes an opaque cursor.  ST_OK or ST_INVALID. */
int event_cursor_decode(const char *s, struct event_pos *out);

/* <0, 0, >0 as @a is before, at, after @b. */
int event_pos_cmp(struct event_pos a, struct event_pos b);

/*
 * Turns the feed's `type` filter into SQL LIKE patterns as a PostgreSQL
 * array literal: a comma-separated list of up to 16 types, each exact
 * ("tandem.mentoring.session.held") or a prefix ending in "*"
 * ("tandem.mentoring.*").  ST_OK and a malloc'd "{...}" in *@out, or
 * ST_INVALID (a field error in @why, >= 128 bytes).
 */
int event_type_filter(const char *s, char **out, char *why, size_t whylen);

/* ---- serving ------------------------------------------------------------- */

/* GET /v1/events?after=&limit=&type=&wait= (the handler server.c registers). */
int events_feed(struct request *rq);

/* The query parameters the feed route takes. */
extern const char *const events_feed_query[];

/* Starts and stops the retention pruner (server.c calls these). */
int events_start(struct service *svc);
void events_stop(struct service *svc);

/* Deletes events older than @days, in batches; returns how many, or -1. */
long long events_prune(PGconn *conn, unsigned days);

/*
 * The same for any retention statement @stmt that takes $1 days and $2 a
 * batch size and deletes at most one batch (notify's delivery log): batch by
 * batch, each its own short transaction, until a short one.  Returns how
 * many rows it removed, or -1.
 */
long long events_prune_stmt(PGconn *conn, const char *stmt, unsigned days);

/*
 * The CloudEvents 1.0 envelope of the row `e` (SQL, as text); null extensions
 * are left out.  Also used by notify to replay events to webhooks.
 */
#define EVENT_ENVELOPE \
        "(jsonb_build_object('specversion', '1.0', 'id', e.id, 'source', e.source," \
        "   'type', e.type, 'subject', e.subject, 'time', e.time," \
        "   'datacontenttype', 'application/json', 'data', e.data)" \
        " || jsonb_strip_nulls(jsonb_build_object('personid', e.person_id, 'actor', e.actor," \
        "   'requestid', e.request_id, 'resourceversion', e.resource_version)))::text"

/* The outbox's and the followers' statements; every pooled connection has them. */
extern const struct db_stmt events_stmts[];

/* A follower's lock connection's statements (follower.c). */
extern const struct db_stmt follower_lock_stmts[];

#endif
