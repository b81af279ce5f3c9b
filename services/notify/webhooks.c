/*
 * webhooks.c - the webhooks' settings, the fan-out and the check of a
 * subscription's URL.
 *
 * The fan-out is a follower (follower.h) of this service's own suite feed
 * (GET /v1/events here: every event of every service as the audit log
 * received it, and notify's own): each event becomes one queued delivery per
 * enabled subscription whose type filter matches, in the follower's
 * transaction with its cursor, so exactly once, in the feed's order, and in
 * one replica at a time.  The workers in deliver.c take it from there.
 */
#include <ctype.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "buf.h"
#include "follower.h"
#include "log.h"
#include "metrics.h"
#include "server.h"
#include "status.h"
#include "webhooks.h"

#define URL_MAX 2048

/* One whole number setting in @min..@max, default @def; a bad value is printed. */
static int
env_unsigned(const char *name, unsigned min, unsigned max, unsigned def, unsigned *out)
{
        const char *s = getenv(name);
        char *end = NULL;
        long long v;

        *out = def;
        if (s == NULL || s[0] == '\0')
                return ST_OK;
        v = strtoll(s, &end, 10);
        if (end == s || *end != '\0' || v < (long long)min || v > (long long)max) {
                fprintf(stderr, "config: %s: must be a whole number from %u to %u\n", name, min,
                        max);
                return ST_INVALID;
        }
        *out = (unsigned)v;
        return ST_OK;
}

/* TANDEM_WEBHOOK_SECRET_KEY: 64 hex digits (32 bytes), or unset. */
static int
load_seal_key(struct webhooks *wh)
{
        const char *s = getenv("TANDEM_WEBHOOK_SECRET_KEY");

        if (s == NULL || s[0] == '\0')
                return ST_OK;
        if (wh_unhex(s, wh->seal_key, WH_SEAL_KEY_BYTES) != ST_OK) {
                fprintf(stderr, "config: TANDEM_WEBHOOK_SECRET_KEY: must be 64 hex digits"
                        " (32 random bytes)\n");
                return ST_INVALID;
        }
        wh->sealed = true;
        return ST_OK;
}

int
webhooks_config(struct webhooks *wh)
{
        char why[200];
        int rc = ST_OK;

        memset(wh, 0, sizeof(*wh));
        if (wh_allow_parse(getenv("TANDEM_WEBHOOK_ALLOW"), &wh->allow, why, sizeof(why))
            != ST_OK) {
                fprintf(stderr, "config: TANDEM_WEBHOOK_ALLOW: %s\n", why);
                return ST_INVALID;
        }
        if (env_unsigned("TANDEM_WEBHOOK_RETRY_BASE_MS", 10, 3600000, WH_RETRY_BASE_MS_DEFAULT,
                         &wh->retry_base_ms) != ST_OK
            || env_unsigned("TANDEM_WEBHOOK_RETRY_FOR_S", 1, 30 * 86400, WH_RETRY_FOR_S_DEFAULT,
                            &wh->retry_for_s) != ST_OK
            || env_unsigned("TANDEM_WEBHOOK_DISABLE_AFTER_S", 1, 365 * 86400,
                            WH_DISABLE_AFTER_S_DEFAULT, &wh->disable_after_s) != ST_OK
            || env_unsigned("TANDEM_WEBHOOK_WORKERS", 1, WH_WORKERS_MAX, WH_WORKERS_DEFAULT,
                            &wh->workers) != ST_OK)
                rc = ST_INVALID;
        if (rc == ST_OK)
                rc = load_seal_key(wh);
        if (rc != ST_OK) {
                wh_allow_release(&wh->allow);
                return rc;
        }
        pthread_mutex_init(&wh->lock, NULL);
        return ST_OK;
}

/* ---- the fan-out ---------------------------------------------------------------- */

static int
fanout_apply(PGconn *c, const struct follower_event *ev, void *arg)
{
        struct webhooks *wh = arg;
        char *body = json_dumps(ev->j_event, JSON_COMPACT);
        int rc;

        if (body == NULL)
                return ST_NOMEM;
        rc = webhook_db_fanout(c, ev->id, ev->type, ev->time, body);
        free(body);
        if (rc == ST_OK)
                deliver_wake(wh);
        return rc;
}

int
webhooks_start(struct service *svc, struct webhooks *wh)
{
        char self[96];
        const char *host = strcmp(svc->cfg.listen_addr, "0.0.0.0") == 0 ? "127.0.0.1"
                           : svc->cfg.listen_addr;
        struct follower_spec spec = { "webhooks", self, NULL, fanout_apply, wh };
        int rc;

        wh->svc = svc;
        snprintf(self, sizeof(self), "http://%s:%u", host, svc->cfg.port);
        rc = follower_start(svc, &spec);
        if (rc == ST_OK)
                rc = deliver_start(wh);
        return rc;
}

/* ---- the URL of a subscription ------------------------------------------------------- */

/* The host as getaddrinfo and the allow list take it: lowercase, no IPv6 brackets. */
static void
bare_host(char *h)
{
        size_t n = strlen(h);

        if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
                memmove(h, h + 1, n - 2);
                h[n - 2] = '\0';
        }
        for (; *h != '\0'; h++)
                *h = (char)tolower((unsigned char)*h);
}

int
webhooks_url_parse(const char *url, char **host, bool *https, char *why, size_t whylen)
{
        CURLU *u = curl_url();
        char *scheme = NULL, *user = NULL, *password = NULL;
        int rc = ST_INVALID;

        *host = NULL;
        if (u == NULL)
                return ST_NOMEM;
        if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK
            || curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK
            || curl_url_get(u, CURLUPART_HOST, host, 0) != CURLUE_OK) {
                snprintf(why, whylen, "must be an absolute https URL");
        } else if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
                snprintf(why, whylen, "must be an https URL");
        } else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK
                   || curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK) {
                snprintf(why, whylen, "must not hold a user name or password");
        } else {
                *https = strcmp(scheme, "https") == 0;
                bare_host(*host);
                rc = ST_OK;
        }
        if (rc != ST_OK) {
                curl_free(*host);
                *host = NULL;
        }
        curl_free(scheme);
        curl_free(user);
        curl_free(password);
        curl_url_cleanup(u);
        return rc;
}

static int
check_addresses(const struct webhooks *wh, const char *host, bool https, char *why,
                size_t whylen)
{
        struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
        struct addrinfo *res = NULL;
        int rc = ST_OK;

        if (getaddrinfo(host, NULL, &hints, &res) != 0 || res == NULL) {
                snprintf(why, whylen, "its host does not resolve");
                return ST_UNPROCESSABLE;
        }
        for (const struct addrinfo *a = res; a != NULL && rc == ST_OK; a = a->ai_next)
                if (wh_target_check(&wh->allow, host, https, a->ai_addr, why, whylen) != ST_OK)
                        rc = ST_UNPROCESSABLE;
        freeaddrinfo(res);
        return rc;
}

int
webhooks_url_check(const struct webhooks *wh, const char *url, char *why, size_t whylen)
{
        char *host = NULL;
        bool https = false;
        int rc;

        if (strlen(url) > URL_MAX) {
                snprintf(why, whylen, "must be at most %d characters", URL_MAX);
                return ST_INVALID;
        }
        rc = webhooks_url_parse(url, &host, &https, why, whylen);
        if (rc == ST_OK)
                rc = check_addresses(wh, host, https, why, whylen);
        curl_free(host);
        return rc;
}

static int
gauges_read(PGconn *c, struct request *rq, void *arg)
{
        (void)rq;
        return db_exec(c, "notify_gauges", 0, NULL, (PGresult **)arg);
}

/* One sample of @name per followed feed: column @col of every row but @skip (the queue's). */
static void
follower_samples(struct buf *b, PGresult *res, int skip, const char *name, int col)
{
        const char *labels[3] = { "subscription", NULL, NULL };

        for (int i = 0; i < PQntuples(res); i++) {
                if (i == skip)
                        continue;
                labels[1] = PQgetvalue(res, i, 0);
                metrics_sample(b, name, labels, strtod(PQgetvalue(res, i, col), NULL));
        }
}

/* The queue's and the followers' gauges, read now (nothing when the database is away). */
static void
put_gauges(const struct webhooks *wh, struct buf *b)
{
        PGresult *res = NULL;
        int q = 0, n;

        if (db_with(wh->svc->db, NULL, gauges_read, &res) != ST_OK) {
                PQclear(res);
                return;
        }
        n = PQntuples(res);
        while (q < n && PQgetvalue(res, q, 0)[0] != '\0')
                q++;
        if (q == n) {
                PQclear(res);
                return;
        }
        metrics_family(b, "tandem_webhook_pending", "gauge",
                       "Webhook deliveries pending (enabled subscriptions).");
        metrics_sample(b, "tandem_webhook_pending", NULL, strtod(PQgetvalue(res, q, 1), NULL));
        metrics_family(b, "tandem_webhook_oldest_pending_age_seconds", "gauge",
                       "Age of the oldest pending webhook delivery (since queued; 0: none).");
        metrics_sample(b, "tandem_webhook_oldest_pending_age_seconds", NULL,
                       strtod(PQgetvalue(res, q, 2), NULL));
        metrics_family(b, "tandem_follower_applied_total", "counter",
                       "Events applied by each followed feed (event_cursor).");
        follower_samples(b, res, q, "tandem_follower_applied_total", 1);
        metrics_family(b, "tandem_follower_idle_seconds", "gauge",
                       "Seconds since each followed feed's cursor last moved: its lag when the"
                       " producer has newer events (compare the producer's feed).");
        follower_samples(b, res, q, "tandem_follower_idle_seconds", 2);
        PQclear(res);
}

void
webhooks_metrics(const struct webhooks *wh, struct buf *b)
{
        const struct {
                const char *outcome;
                unsigned long long n;
        } rows[] = {
                { "succeeded", atomic_load(&wh->n_succeeded) },
                { "failed_attempt", atomic_load(&wh->n_failed_attempts) },
                { "gave_up", atomic_load(&wh->n_gave_up) },
                { "refused", atomic_load(&wh->n_refused) },
        };
        const char *labels[3] = { "outcome", NULL, NULL };

        metrics_family(b, "tandem_webhook_deliveries_total", "counter",
                       "Webhook delivery attempts by outcome (refused: the address guard said"
                       " no; gave_up: its retry window closed).");
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                labels[1] = rows[i].outcome;
                metrics_sample(b, "tandem_webhook_deliveries_total", labels, (double)rows[i].n);
        }
        metrics_family(b, "tandem_webhook_disabled_total", "counter",
                       "Subscriptions disabled after failing.");
        metrics_sample(b, "tandem_webhook_disabled_total", NULL,
                       (double)atomic_load(&wh->n_disabled));
        put_gauges(wh, b);
}
