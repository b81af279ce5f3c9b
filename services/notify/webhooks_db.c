/*
 * webhooks_db.c - every statement of the webhooks: subscriptions, the
 * fan-out, the workers' claim and record, the delivery log, replay.  The
 * tables are in sql/0002_webhooks.sql.  Secrets travel as hex parameters and
 * results, never as text anyone logs (db.c logs statement names only).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "log.h"
#include "status.h"
#include "webhooks.h"

#define ROW " RETURNING w.id::text, w.version, webhook_json(w)"

/* The events a replay draws from: the audit log (every other service's) and notify's own. */
#define REPLAY_EVENTS \
        "(SELECT a.id, '/tandem/' || a.service AS source, a.type, a.subject, a.person_id," \
        "   a.actor, a.request_id, a.resource_version, a.time, a.data FROM audit a" \
        "  WHERE a.time >= $2::timestamptz" \
        " UNION ALL" \
        " SELECT n.id, n.source, n.type, n.subject, n.person_id, n.actor, n.request_id," \
        "   n.resource_version, n.time, n.data FROM event n" \
        "  WHERE n.source = '/tandem/notify' AND n.time >= $2::timestamptz)"

const struct db_stmt webhook_stmts[] = {
        /* $1 url, $2 types, $3 patterns, $4 description, $5 enabled, $6 secret (hex), $7 by */
        { "webhook_insert",
          "INSERT INTO webhook AS w (url, types, patterns, description, enabled, secret,"
          "  created_by)"
          " VALUES ($1, $2, $3::text[], coalesce($4, ''), coalesce($5::bool, true),"
          "  decode($6, 'hex'), $7)" ROW },
        { "webhook_get",
          "SELECT w.id::text, w.version, webhook_json(w) FROM webhook w WHERE w.id = $1::uuid" },
        { "webhook_list",
          "SELECT w.seq, webhook_json(w) FROM webhook w WHERE w.seq > $1::bigint"
          " ORDER BY w.seq LIMIT $2::int" },
        /* $1 id, $2 url, $3 types, $4 patterns, $5 description, $6 enabled: NULL keeps */
        { "webhook_update",
          "UPDATE webhook AS w SET url = coalesce($2, url), types = coalesce($3, types),"
          "  patterns = coalesce($4::text[], patterns),"
          "  description = coalesce($5, description), enabled = coalesce($6::bool, enabled),"
          "  disabled_reason = CASE WHEN $6::bool THEN NULL WHEN NOT $6::bool AND enabled"
          "    THEN 'disabled by an administrator' ELSE disabled_reason END,"
          "  disabled_at = CASE WHEN $6::bool THEN NULL WHEN NOT $6::bool AND enabled"
          "    THEN now() ELSE disabled_at END,"
          "  failing_since = CASE WHEN $6::bool AND NOT enabled THEN NULL ELSE failing_since END,"
          "  version = version + 1, updated_at = now()"
          " WHERE w.id = $1::uuid" ROW },
        { "webhook_delete", "DELETE FROM webhook AS w WHERE w.id = $1::uuid" ROW },
        /* $1 id, $2 the new secret (hex), $3 how long the old one stays valid (s) */
        { "webhook_rotate",
          "UPDATE webhook AS w SET old_secret = secret,"
          "  old_secret_until = now() + make_interval(secs => $3::int),"
          "  secret = decode($2, 'hex'), version = version + 1, updated_at = now()"
          " WHERE w.id = $1::uuid" ROW },
        /* the fan-out of one event: $1 id, $2 type, $3 time, $4 the envelope */
        { "webhook_fanout",
          "WITH w AS (UPDATE webhook SET last_sequence = last_sequence + 1"
          "   WHERE enabled AND $2 LIKE ANY (patterns) AND created_at <= $3::timestamptz"
          "   RETURNING id, last_sequence)"
          " INSERT INTO webhook_delivery (webhook_id, event_id, event_type, sequence, body)"
          " SELECT w.id, $1::uuid, $2, w.last_sequence, ($4::jsonb"
          "   || jsonb_build_object('sequence', lpad(w.last_sequence::text, 20, '0')))::text"
          " FROM w ON CONFLICT (webhook_id, event_id) DO NOTHING" },
        /* a due delivery, leased for $1 seconds: of a subscription with fewer than $2
         * deliveries in flight (fairness: sql/0006), the fewest first, then the one due
         * first */
        { "webhook_claim",
          "UPDATE webhook_delivery d SET attempts = d.attempts + 1,"
          "  next_at = now() + make_interval(secs => $1::int),"
          "  claimed_until = now() + make_interval(secs => $1::int)"
          " FROM webhook w"
          " WHERE w.id = d.webhook_id AND d.id = ("
          /* per subscription its first due delivery (an index probe each, not a scan of
           * every due row), then the subscription with the fewest in flight */
          "  SELECT c.id FROM webhook w2"
          "  LEFT JOIN (SELECT f.webhook_id, count(*) AS n FROM webhook_delivery f"
          "    WHERE f.claimed_until IS NOT NULL AND f.claimed_until > now()"
          "    GROUP BY f.webhook_id) fl ON fl.webhook_id = w2.id"
          "  CROSS JOIN LATERAL (SELECT d2.id, d2.next_at FROM webhook_delivery d2"
          "    WHERE d2.webhook_id = w2.id AND d2.status = 'pending' AND d2.next_at <= now()"
          "    ORDER BY d2.next_at, d2.id LIMIT 1 FOR UPDATE SKIP LOCKED) c"
          "  WHERE w2.enabled AND coalesce(fl.n, 0) < $2::int"
          "  ORDER BY coalesce(fl.n, 0), c.next_at, c.id LIMIT 1)"
          " RETURNING d.id, d.attempts, d.event_id::text, d.webhook_id::text, w.url, d.body,"
          "  encode(w.secret, 'hex'),"
          "  CASE WHEN w.old_secret_until > now() THEN encode(w.old_secret, 'hex') END" },
        /* $1 id, $2 attempt, $3 ok, $4 code, $5 ms, $6 error, $7 delay ms, $8 retry window s;
         * the attempt joins its history, which keeps a delivery's last 20 */
        { "webhook_record",
          "WITH u AS (UPDATE webhook_delivery SET"
          "  status = CASE WHEN $3::bool THEN 'succeeded'"
          "    WHEN now() + make_interval(secs => $7::double precision / 1000)"
          "         > queued_at + make_interval(secs => $8::int) THEN 'failed'"
          "    ELSE 'pending' END,"
          "  next_at = CASE WHEN $3::bool THEN next_at"
          "    ELSE now() + make_interval(secs => $7::double precision / 1000) END,"
          "  last_attempt_at = now(), response_code = $4::int, latency_ms = $5::int,"
          "  claimed_until = NULL,"
          "  error = $6, succeeded_at = CASE WHEN $3::bool THEN now() ELSE succeeded_at END"
          " WHERE id = $1::bigint AND attempts = $2::int RETURNING id, status),"
          " a AS (INSERT INTO webhook_attempt (delivery_id, attempt, ok, response_code,"
          "   latency_ms, error) SELECT u.id, $2::int, $3::bool, $4::int, $5::int, $6 FROM u"
          "   ON CONFLICT DO NOTHING),"
          " p AS (DELETE FROM webhook_attempt WHERE delivery_id = (SELECT id FROM u)"
          "   AND attempt <= $2::int - 20)"
          " SELECT status FROM u" },
        { "webhook_healthy",
          "UPDATE webhook SET failing_since = NULL"
          " WHERE id = $1::uuid AND failing_since IS NOT NULL" },
        { "webhook_failing",
          "UPDATE webhook SET failing_since = now()"
          " WHERE id = $1::uuid AND failing_since IS NULL" },
        /* $1 id, $2 seconds of failing, $3 the last error */
        { "webhook_disable",
          "UPDATE webhook AS w SET enabled = false, disabled_at = now(),"
          "  disabled_reason = 'failing since ' || webhook_time(failing_since)"
          "    || ' (every attempt for ' || ($2::int / 3600) || ' hours); last attempt: ' || $3,"
          "  version = version + 1, updated_at = now()"
          " WHERE w.id = $1::uuid AND enabled"
          "  AND failing_since <= now() - make_interval(secs => $2::int)" ROW },
        /* the log, newest first: $1 webhook, $2 before (0: the newest), $3 status, $4 limit */
        { "webhook_deliveries",
          "SELECT d.id, webhook_delivery_json(d) FROM webhook_delivery d"
          " WHERE d.webhook_id = $1::uuid AND ($2::bigint = 0 OR d.id < $2::bigint)"
          "  AND ($3::text IS NULL OR d.status = $3::text)"
          " ORDER BY d.id DESC LIMIT $4::int" },
        /* one delivery with its attempts: $1 webhook, $2 delivery */
        { "webhook_delivery_get",
          "SELECT webhook_delivery_detail_json(d) FROM webhook_delivery d"
          " WHERE d.webhook_id = $1::uuid AND d.id = $2::bigint" },
        { "webhook_redeliver",
          "UPDATE webhook_delivery d SET status = 'pending', next_at = now(), queued_at = now()"
          " WHERE d.webhook_id = $1::uuid AND d.id = $2::bigint"
          " RETURNING webhook_delivery_json(d)" },
        /* $1 webhook, $2 since, $3 at most this many events: requeued, then queued anew */
        { "webhook_replay",
          "WITH w AS (SELECT id, patterns FROM webhook WHERE id = $1::uuid),"
          " ev AS (SELECT e.* FROM " REPLAY_EVENTS " e, w WHERE e.type LIKE ANY (w.patterns)"
          "   ORDER BY e.time, e.id LIMIT $3::int),"
          " requeued AS (UPDATE webhook_delivery d SET status = 'pending', next_at = now(),"
          "   queued_at = now() FROM ev WHERE d.webhook_id = $1::uuid AND d.event_id = ev.id"
          "   RETURNING d.id),"
          " fresh AS (SELECT ev.*, row_number() OVER (ORDER BY ev.time, ev.id) AS n FROM ev"
          "   WHERE NOT EXISTS (SELECT 1 FROM webhook_delivery x"
          "     WHERE x.webhook_id = $1::uuid AND x.event_id = ev.id)),"
          " bump AS (UPDATE webhook SET last_sequence = last_sequence"
          "   + (SELECT count(*) FROM fresh) WHERE id = $1::uuid"
          "   RETURNING last_sequence - (SELECT count(*) FROM fresh) AS base),"
          " ins AS (INSERT INTO webhook_delivery (webhook_id, event_id, event_type, sequence,"
          "   body)"
          "   SELECT $1::uuid, e.id, e.type, bump.base + e.n, (" EVENT_ENVELOPE "::jsonb"
          "    || jsonb_build_object('sequence', lpad((bump.base + e.n)::text, 20, '0')))::text"
          "   FROM fresh e, bump RETURNING 1)"
          " SELECT (SELECT count(*) FROM w), (SELECT count(*) FROM requeued),"
          "  (SELECT count(*) FROM ins)" },
        /* retention: finished deliveries older than $1 days, $2 at a time */
        { "webhook_prune",
          "DELETE FROM webhook_delivery WHERE id = ANY (ARRAY("
          "  SELECT id FROM webhook_delivery WHERE status <> 'pending'"
          "   AND coalesce(last_attempt_at, queued_at) < now() - make_interval(days => $1::int)"
          "  LIMIT $2::int FOR UPDATE SKIP LOCKED))" },
        /* /metrics: the queue of enabled subscriptions (the row named ''), then the
         * followers' cursors */
        { "notify_gauges",
          "SELECT '', count(*), coalesce(extract(epoch FROM now() - min(d.queued_at)), 0)"
          " FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id"
          " WHERE d.status = 'pending' AND w.enabled"
          " UNION ALL"
          " SELECT subscription, applied, extract(epoch FROM now() - updated_at)"
          " FROM event_cursor" },
        { NULL, NULL },
};

long long
webhook_db_prune(PGconn *c, unsigned days)
{
        return events_prune_stmt(c, "webhook_prune", days);
}

void
wh_claim_release(struct wh_claim *c)
{
        if (c == NULL)
                return;
        free(c->url);
        free(c->body);
        memset(c->key, 0, sizeof(c->key));
        memset(c->old_key, 0, sizeof(c->old_key));
        c->url = NULL;
        c->body = NULL;
}

int
webhook_db_claim(PGconn *c, int lease_s, unsigned per_subscription, const unsigned char *seal_key,
                 struct wh_claim *out)
{
        char lease[16], cap[16];
        const char *params[2] = { lease, cap };
        PGresult *res = NULL;
        int rc;

        snprintf(lease, sizeof(lease), "%d", lease_s);
        snprintf(cap, sizeof(cap), "%u", per_subscription);
        rc = db_exec_one(c, "webhook_claim", 2, params, &res);
        if (rc != ST_OK)
                return rc;
        memset(out, 0, sizeof(*out));
        out->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        out->attempt = (int)strtol(PQgetvalue(res, 0, 1), NULL, 10);
        snprintf(out->event_id, sizeof(out->event_id), "%s", PQgetvalue(res, 0, 2));
        snprintf(out->webhook_id, sizeof(out->webhook_id), "%s", PQgetvalue(res, 0, 3));
        out->url = strdup(PQgetvalue(res, 0, 4));
        out->body = strdup(PQgetvalue(res, 0, 5));
        rc = out->url != NULL && out->body != NULL ? ST_OK : ST_NOMEM;
        if (rc == ST_OK && wh_secret_load(seal_key, PQgetvalue(res, 0, 6), out->key) != ST_OK)
                rc = ST_INTERNAL;
        if (rc == ST_OK && !PQgetisnull(res, 0, 7))
                out->has_old = wh_secret_load(seal_key, PQgetvalue(res, 0, 7),
                                              out->old_key) == ST_OK;
        if (rc == ST_INTERNAL)
                log_error("delivery %lld of webhook %s: its secret cannot be opened (another"
                          " TANDEM_WEBHOOK_SECRET_KEY?)", out->id, out->webhook_id);
        PQclear(res);
        if (rc != ST_OK)
                wh_claim_release(out);
        return rc;
}

static int
record_health(PGconn *c, const struct wh_claim *cl, const struct wh_outcome *o,
              unsigned disable_after_s, bool *disabled)
{
        static const char *const fields[] = { "enabled", "disabled_reason", NULL };
        char secs[16];
        const char *params[3] = { cl->webhook_id, secs, o->error };
        struct db_row r = DB_ROW_INIT;
        int rc;

        if (o->ok)
                return db_exec(c, "webhook_healthy", 1, params, NULL);
        rc = db_exec(c, "webhook_failing", 1, params, NULL);
        if (rc != ST_OK)
                return rc;
        snprintf(secs, sizeof(secs), "%u", disable_after_s);
        rc = db_exec_row(c, "webhook_disable", 3, params, &r);
        if (rc == ST_NOT_FOUND)
                return ST_OK;
        if (rc == ST_OK) {
                *disabled = true;
                rc = outbox_row(c, NULL, "tandem.notify.webhook.disabled", &r, NULL, fields, NULL);
        }
        db_row_release(&r);
        return rc;
}

int
webhook_db_record(PGconn *c, const struct wh_claim *cl, const struct wh_outcome *o,
                  unsigned retry_for_s, unsigned disable_after_s, bool *gave_up, bool *disabled)
{
        char id[24], attempt[16], code[16], ms[16], delay[24], window[16];
        const char *params[8] = { id, attempt, o->ok ? "true" : "false",
                                  o->code > 0 ? code : NULL, ms, o->ok ? NULL : o->error,
                                  delay, window };
        PGresult *res = NULL;
        int rc;

        snprintf(id, sizeof(id), "%lld", cl->id);
        snprintf(attempt, sizeof(attempt), "%d", cl->attempt);
        snprintf(code, sizeof(code), "%ld", o->code);
        snprintf(ms, sizeof(ms), "%ld", o->latency_ms);
        snprintf(delay, sizeof(delay), "%lld", o->delay_ms);
        snprintf(window, sizeof(window), "%u", retry_for_s);
        *gave_up = false;
        *disabled = false;
        rc = db_exec_one(c, "webhook_record", 8, params, &res);
        if (rc == ST_NOT_FOUND)
                return ST_OK;      /* the lease ran out and another attempt took over */
        if (rc != ST_OK)
                return rc;
        *gave_up = strcmp(PQgetvalue(res, 0, 0), "failed") == 0;
        PQclear(res);
        return record_health(c, cl, o, disable_after_s, disabled);
}

int
webhook_db_fanout(PGconn *c, const char *id, const char *type, const char *time,
                  const char *body)
{
        const char *params[4] = { id, type, time, body };

        return db_exec(c, "webhook_fanout", 4, params, NULL);
}
