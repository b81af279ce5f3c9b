/*
 * events_db.c - the statements of the outbox, the feed, retention and the
 * followers' cursors.  Every pooled connection of every service has them
 * (db.c prepares this table after its own); the tables are created in every
 * schema by migrate.c.
 */
#include <stddef.h>

#include "db.h"
#include "events.h"

const struct db_stmt events_stmts[] = {
        /* $1 type, $2 subject, $3 person, $4 actor, $5 request id, $6 version, $7 data */
        { "events_insert",
          "INSERT INTO event (type, source, subject, person_id, actor, request_id,"
          "  resource_version, data)"
          " VALUES ($1, '/tandem/' || current_schema(), $2, $3::uuid,"
          "  coalesce($4, 'service:' || current_schema()), $5, $6::bigint,"
          "  coalesce($7::jsonb, '{}'::jsonb))" },
        /*
         * One page after ($1 txid, $2 seq), only below the visibility horizon
         * (events.c): kind 0 rows are the page, in (txid, seq) order; one kind 1
         * row, if any, is the last position below the horizon whatever its type.
         * $3 LIKE patterns or NULL, $4 the page size.
         */
        { "events_feed",
          "WITH h AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),"
          " page AS ("
          "  SELECT e.txid, e.seq, " EVENT_ENVELOPE " AS j FROM event e"
          "  WHERE (e.txid, e.seq) > ($1::xid8, $2::bigint) AND e.txid < (SELECT xmin FROM h)"
          "    AND ($3::text[] IS NULL OR e.type LIKE ANY ($3::text[]))"
          "  ORDER BY e.txid, e.seq LIMIT $4::int),"
          " last AS ("
          "  SELECT e.txid, e.seq FROM event e WHERE e.txid < (SELECT xmin FROM h)"
          "  ORDER BY e.txid DESC, e.seq DESC LIMIT 1)"
          " SELECT * FROM (SELECT 0 AS kind, txid, seq, j FROM page"
          "  UNION ALL SELECT 1, txid, seq, NULL FROM last) x"
          " ORDER BY kind, txid, seq" },
        /* retention: $1 days, $2 batch size; never waits on a row another pruner holds */
        { "events_prune",
          "DELETE FROM event WHERE ctid = ANY (ARRAY("
          "  SELECT ctid FROM event WHERE time < now() - make_interval(days => $1::int)"
          "  LIMIT $2::int FOR UPDATE SKIP LOCKED))" },
        /* a follower's cursor, kept in the follower's own schema */
        { "follower_cursor_init",
          "INSERT INTO event_cursor (subscription) VALUES ($1) ON CONFLICT DO NOTHING" },
        { "follower_cursor_get",
          "SELECT position, applied, rejected FROM event_cursor WHERE subscription = $1" },
        { "follower_cursor_lock",
          "SELECT position FROM event_cursor WHERE subscription = $1 FOR UPDATE" },
        { "follower_cursor_set",
          "UPDATE event_cursor SET position = $2, applied = applied + $3::bigint,"
          "  rejected = rejected + $4::bigint, updated_at = now() WHERE subscription = $1" },
        { NULL, NULL },
};

/* Prepared on a follower's own connection, which holds its leadership lock. */
const struct db_stmt follower_lock_stmts[] = {
        { "follower_try_lock", "SELECT pg_try_advisory_lock(hashtextextended($1, 0))" },
        { "follower_alive", "SELECT 1" },
        { NULL, NULL },
};
