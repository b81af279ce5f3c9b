/*
 * follower.h - following another service's event feed (events.h), exactly
 * once.
 *
 * A follower is a background thread per subscription.  It long-polls the
 * producer's GET /v1/events with this service's own token (svctoken.h) and
 * applies each page in ONE transaction on this service's pool:
 *
 *   BEGIN
 *   lock this subscription's row in event_cursor (this service's schema) and
 *     check it still holds the cursor the page was fetched from (otherwise
 *     another replica moved it: the page is dropped and fetched again)
 *   for each event: apply(conn, event, arg)
 *   store the page's next cursor
 *   COMMIT
 *
 * (when an event is refused, the page rolls back and is applied again with
 * SAVEPOINT / RELEASE or ROLLBACK TO around each event, so only the refused
 * one is skipped: savepoints cost two round trips an event, paid only then).
 * The cursor is read from the database when the follower starts, leads
 * again or meets another replica's move, and otherwise kept in memory.
 *
 * so an event's effect and the cursor moving past it commit together: each
 * event takes effect exactly once however often it is delivered, across
 * crashes, restarts and PostgreSQL restarts.  A follower that was down
 * catches up from its stored cursor (from the start of the feed the first
 * time; events are kept TANDEM_EVENTS_RETENTION_DAYS).
 *
 * With several replicas, only the one holding a session-level advisory lock
 * on "tandem.follow.<schema>.<subscription>" (on a dedicated connection) follows;
 * the others retry the lock every second, so when the follower dies its
 * connection drops, PostgreSQL releases the lock and another replica takes
 * over within about a second.  (The cursor check above keeps exactly once
 * even if two ever overlap.)
 *
 * A producer that is down, slow, answering 5xx or garbage: the follower
 * backs off (0.25 s doubling to 30 s), logs one clear JSON line per failure
 * and shows it in /readyz under "followers"; it never crashes and the
 * service stays ready.  It also steps down (releases the lock) while it
 * backs off, so a replica that can reach the producer follows meanwhile.
 *
 * The apply function runs inside the page's transaction on @conn.  It may
 * read and write this service's tables and emit its own events
 * (outbox_emit(conn, NULL, ...)); it must not call other services (a pooled
 * connection would wait on the network) nor COMMIT/ROLLBACK.  It returns
 *   ST_OK            applied (or nothing to do for this event);
 *   ST_UNAVAILABLE, ST_RETRY, ST_NOMEM
 *                    a passing fault: the whole page rolls back and is
 *                    tried again after a backoff;
 *   any other status the event cannot be applied ever: its savepoint rolls
 *                    back (see above), it is logged (id and type) and counted as
 *                    rejected in event_cursor, and the follower moves on.
 */
#ifndef TANDEM_FOLLOWER_H
#define TANDEM_FOLLOWER_H

#include <jansson.h>
#include <libpq-fe.h>

struct service;

/* One delivered CloudEvent; every pointer is borrowed for the apply call. */
struct follower_event {
        const char *id;          /* the event's id (UUID) */
        const char *type;        /* "tandem.mentoring.session.held" */
        const char *source;      /* "/tandem/mentoring" */
        const char *subject;     /* the resource id, or NULL */
        const char *person;      /* extension personid, or NULL */
        const char *actor;       /* extension actor, or NULL */
        const char *time;        /* RFC 3339 */
        long long version;       /* extension resourceversion, 0 when absent */
        const json_t *data;      /* the data object (never NULL) */
        const json_t *j_event;   /* the whole envelope */
};

typedef int (*follower_apply_fn)(PGconn *conn, const struct follower_event *ev, void *arg);

struct follower_spec {
        const char *name;          /* the subscription, unique in this service:
                                      [a-z0-9_.-], e.g. "mentoring-progress" */
        const char *producer_url;  /* the producer's base URL, e.g. svc->cfg.mentoring_url */
        const char *types;         /* the feed's type filter ("tandem.mentoring.*,..."),
                                      or NULL for every event */
        follower_apply_fn apply;
        void *arg;                 /* handed to @apply */
};

/*
 * Starts following (the strings in @spec are copied).  Call after
 * service_init() and before service_run(), which stops every follower before
 * it closes the pool.  Returns ST_OK, ST_INVALID (a bad name or URL, no
 * apply), ST_NOMEM or ST_INTERNAL (no thread).
 */
int follower_start(struct service *svc, const struct follower_spec *spec);

/* Stops and frees every follower of @svc (service_run calls it). */
void follower_stop_all(struct service *svc);

/*
 * The followers' state for /readyz: an array of {name, producer, state,
 * applied, rejected, error, since} (new reference; NULL when none).  state is
 * "starting", "following", "catching_up", "standby" (another replica
 * follows), "unreachable" (the producer failed: error says how), or
 * "no_token".
 */
json_t *follower_status_json(struct service *svc);

/*
 * Turns one CloudEvent object into @out (borrowing from it).  ST_OK, or
 * ST_MALFORMED when an attribute the contract requires is missing or of the
 * wrong type.  Pure; exposed for the unit tests.
 */
int follower_event_parse(const json_t *j_event, struct follower_event *out);

#endif
