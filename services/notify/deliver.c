/*
 * deliver.c - the delivery workers: TANDEM_WEBHOOK_WORKERS threads, each
 * claiming the delivery due first (webhook_db_claim: FOR UPDATE SKIP LOCKED
 * and a lease, so any number of replicas may run them), POSTing it signed,
 * and recording the outcome (webhook_db_record).
 *
 * Fairness: a claim prefers the subscription with the fewest deliveries in
 * flight (in the whole suite: the claim's lease marks them), and once half of
 * this process's workers are busy it takes only subscriptions with none in
 * flight: a receiver that hangs or fails holds at most half the workers, and
 * the other half serve each other subscription one at a time, so one slow
 * subscription cannot make another's deliveries wait.
 *
 * A request: POST <url>, the body as queued (the CloudEvent), Content-Type
 * application/json, webhook-id (the event's id: the same on every attempt),
 * webhook-timestamp (this attempt, Unix seconds) and webhook-signature (one
 * "v1,<sig>" per valid secret, space-separated: two for a day after a
 * rotation).  2xx within WH_TIMEOUT_MS is success; anything else is retried
 * after retry_base_ms * 2^(attempt-1) (at most 1024 times the base) times a
 * jitter in [0.5, 1), until the retry window (TANDEM_WEBHOOK_RETRY_FOR_S)
 * closes.  No redirects are followed, no proxy is used, and the address
 * every connection goes to is checked by wh_target_check in libcurl's
 * open-socket callback: what the name resolved to at subscription time does
 * not matter, what it resolves to now is checked (no DNS rebinding).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "bgthread.h"
#include "log.h"
#include "server.h"
#include "status.h"
#include "webhooks.h"

#define LEASE_S 60                /* > WH_TIMEOUT_MS: an attempt in flight is never taken twice */
#define IDLE_MS 200               /* a worker with nothing due looks again after this */
#define DB_DOWN_MS 1000
#define RECORD_TRIES 5
#define RESPONSE_MAX 65536        /* bytes of a receiver's answer read (and dropped) */

struct wh_worker {
        struct webhooks *wh;
        struct bgthread *thread;  /* its naps; deliver_wake wakes it */
        unsigned seed;
        CURL *curl;
};

/* What the open-socket callback needs, for one attempt. */
struct attempt {
        struct webhooks *wh;
        const char *host;
        bool https;
        bool refused;
        char why[160];
        size_t read;
};

void
deliver_wake(struct webhooks *wh)
{
        pthread_mutex_lock(&wh->lock);
        for (unsigned i = 0; i < wh->started; i++)
                bgthread_wake(wh->threads[i]);
        pthread_mutex_unlock(&wh->lock);
}

static curl_socket_t
open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
        struct attempt *at = arg;

        (void)purpose;
        if (wh_target_check(&at->wh->allow, at->host, at->https, &a->addr, at->why,
                            sizeof(at->why)) != ST_OK) {
                at->refused = true;
                return CURL_SOCKET_BAD;
        }
        return socket(a->family, a->socktype, a->protocol);
}

static size_t
drop_body(char *p, size_t size, size_t n, void *arg)
{
        struct attempt *at = arg;

        (void)p;
        at->read += size * n;
        return at->read > RESPONSE_MAX ? 0 : size * n;
}

static int
progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
        struct attempt *at = arg;

        (void)dt, (void)dn, (void)ut, (void)un;
        return atomic_load(&at->wh->stopping) ? 1 : 0;   /* shutdown: stop waiting */
}

static struct curl_slist *
signed_headers(const struct wh_claim *cl, char *why, size_t whylen)
{
        char sig[WH_SIG_LEN], old[WH_SIG_LEN], line[256];
        long long ts = (long long)time(NULL);
        size_t len = strlen(cl->body);
        struct curl_slist *h = NULL;

        if (wh_sign(cl->key, WH_SECRET_BYTES, cl->event_id, ts, cl->body, len, sig) != ST_OK
            || (cl->has_old && wh_sign(cl->old_key, WH_SECRET_BYTES, cl->event_id, ts, cl->body,
                                       len, old) != ST_OK)) {
                snprintf(why, whylen, "cannot sign");
                return NULL;
        }
        h = curl_slist_append(h, "Content-Type: application/json");
        h = curl_slist_append(h, "User-Agent: tandem-notify");
        h = curl_slist_append(h, "Expect:");
        snprintf(line, sizeof(line), "webhook-id: %s", cl->event_id);
        h = curl_slist_append(h, line);
        snprintf(line, sizeof(line), "webhook-timestamp: %lld", ts);
        h = curl_slist_append(h, line);
        snprintf(line, sizeof(line), "webhook-signature: %s%s%s", sig, cl->has_old ? " " : "",
                 cl->has_old ? old : "");
        h = curl_slist_append(h, line);
        return h;
}

static void
curl_setup(CURL *c, const struct wh_claim *cl, struct curl_slist *headers, struct attempt *at)
{
        curl_easy_setopt(c, CURLOPT_URL, cl->url);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c, CURLOPT_PROXY, "");
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, WH_TIMEOUT_MS);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, cl->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(cl->body));
        curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
        curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, at);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, drop_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, at);
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, at);
}

/* One attempt of @cl into @o (never the URL nor a secret in o->error). */
static void
attempt(struct wh_worker *w, const struct wh_claim *cl, struct wh_outcome *o)
{
        struct attempt at = { w->wh, NULL, false, false, "", 0 };
        char *host = NULL;
        struct curl_slist *headers = NULL;
        curl_off_t us = 0;
        CURLcode cc;

        memset(o, 0, sizeof(*o));
        if (webhooks_url_parse(cl->url, &host, &at.https, at.why, sizeof(at.why)) != ST_OK
            || (headers = signed_headers(cl, at.why, sizeof(at.why))) == NULL) {
                snprintf(o->error, sizeof(o->error), "refused: the URL %s", at.why);
                o->refused = true;
                curl_free(host);
                return;
        }
        at.host = host;
        curl_easy_reset(w->curl);
        curl_setup(w->curl, cl, headers, &at);
        cc = curl_easy_perform(w->curl);
        curl_easy_getinfo(w->curl, CURLINFO_TOTAL_TIME_T, &us);
        o->latency_ms = (long)(us / 1000);
        curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &o->code);
        /* an answer longer than RESPONSE_MAX is cut short by drop_body: its status counts */
        if (cc == CURLE_WRITE_ERROR && at.read > RESPONSE_MAX)
                cc = CURLE_OK;
        o->ok = cc == CURLE_OK && o->code >= 200 && o->code < 300;
        o->refused = at.refused;
        if (at.refused)
                snprintf(o->error, sizeof(o->error), "refused: %s", at.why);
        else if (cc != CURLE_OK)
                snprintf(o->error, sizeof(o->error), "%s", curl_easy_strerror(cc));
        else if (!o->ok)
                snprintf(o->error, sizeof(o->error), "HTTP %ld", o->code);
        curl_slist_free_all(headers);
        curl_free(host);
}

static long long
retry_delay(struct wh_worker *w, int attempts)
{
        unsigned shift = attempts < 1 ? 0 : attempts > 11 ? 10 : (unsigned)(attempts - 1);
        double d = (double)w->wh->retry_base_ms * (double)(1u << shift);
        double jitter = 0.5 + 0.5 * ((double)rand_r(&w->seed) / ((double)RAND_MAX + 1.0));

        return (long long)(d * jitter);
}

struct claim_op {
        struct wh_claim cl;
        struct wh_outcome o;
        struct webhooks *wh;
        bool gave_up, disabled;
};

/*
 * How many deliveries in flight a subscription may have for this claim: half
 * the workers while fewer than half are busy, and one once half are (the rest
 * serve subscriptions with none in flight).
 */
static unsigned
per_subscription(struct webhooks *wh)
{
        unsigned half = wh->workers / 2;

        return half == 0 ? 1 : atomic_load(&wh->busy) < half ? half : 1;
}

static int
claim_tx(PGconn *c, struct request *rq, void *arg)
{
        struct claim_op *op = arg;

        (void)rq;
        wh_claim_release(&op->cl);      /* a retried transaction: the first try's claim */
        return webhook_db_claim(c, LEASE_S, per_subscription(op->wh),
                                op->wh->sealed ? op->wh->seal_key : NULL, &op->cl);
}

static int
record_tx(PGconn *c, struct request *rq, void *arg)
{
        struct claim_op *op = arg;

        (void)rq;
        return webhook_db_record(c, &op->cl, &op->o, op->wh->retry_for_s,
                                 op->wh->disable_after_s, &op->gave_up, &op->disabled);
}

static void
count(struct webhooks *wh, const struct claim_op *op)
{
        if (op->o.ok)
                atomic_fetch_add(&wh->n_succeeded, 1);
        else if (op->o.refused)
                atomic_fetch_add(&wh->n_refused, 1);
        else
                atomic_fetch_add(&wh->n_failed_attempts, 1);
        if (op->gave_up)
                atomic_fetch_add(&wh->n_gave_up, 1);
        if (op->disabled) {
                atomic_fetch_add(&wh->n_disabled, 1);
                log_warn("webhook %s disabled: failing for %u s", op->cl.webhook_id,
                         wh->disable_after_s);
        }
}

/* Records the outcome, again while the database is away (the lease bounds how long). */
static void
record(struct wh_worker *w, struct claim_op *op)
{
        struct webhooks *wh = w->wh;
        int rc = ST_UNAVAILABLE;

        for (int i = 0; i < RECORD_TRIES && !atomic_load(&wh->stopping); i++) {
                rc = db_tx(wh->svc->db, NULL, record_tx, op);
                if (rc == ST_OK)
                        break;
                bgthread_nap(w->thread, DB_DOWN_MS);
        }
        if (rc != ST_OK)
                log_warn("delivery %lld of webhook %s: outcome not recorded (%s); it is tried"
                         " again when its lease ends", op->cl.id, op->cl.webhook_id,
                         st_title(rc));
        else
                count(wh, op);
}

/* One claim and attempt; ST_NOT_FOUND when nothing was due. */
static int
work_once(struct wh_worker *w)
{
        struct claim_op op = { .wh = w->wh };
        int rc = db_tx(w->wh->svc->db, NULL, claim_tx, &op);

        if (rc != ST_OK) {              /* e.g. the claim was read but its COMMIT failed */
                wh_claim_release(&op.cl);
                return rc;
        }
        atomic_fetch_add(&w->wh->busy, 1);
        attempt(w, &op.cl, &op.o);
        if (!atomic_load(&w->wh->stopping)) {     /* a stop cut it short: the lease retries */
                op.o.delay_ms = op.o.ok ? 0 : retry_delay(w, op.cl.attempt);
                record(w, &op);
        }
        atomic_fetch_sub(&w->wh->busy, 1);
        wh_claim_release(&op.cl);
        return ST_OK;
}

/* One turn of a worker's thread: one delivery, or a nap when none is due. */
static void
worker_turn(struct bgthread *t, void *arg)
{
        struct wh_worker *w = arg;
        int rc;

        if (atomic_load(&w->wh->stopping))
                return;   /* webhooks_stop is stopping the thread: claim nothing more */
        rc = work_once(w);
        if (rc == ST_NOT_FOUND)
                bgthread_nap(t, IDLE_MS);
        else if (rc != ST_OK)
                bgthread_nap(t, DB_DOWN_MS);
}

static void
worker_done(struct bgthread *t, void *arg)
{
        struct wh_worker *w = arg;

        (void)t;
        curl_easy_cleanup(w->curl);
        free(w);
}

/* Starts worker @i; under wh->lock. */
static int
worker_start(struct webhooks *wh, unsigned i)
{
        struct wh_worker *w = calloc(1, sizeof(*w));
        int rc;

        if (w == NULL || (w->curl = curl_easy_init()) == NULL) {
                free(w);
                return ST_NOMEM;
        }
        w->wh = wh;
        w->seed = (unsigned)time(NULL) ^ (i * 2654435761u) ^ (unsigned)getpid();
        rc = bgthread_start(&w->thread, worker_turn, worker_done, w);
        if (rc != ST_OK) {
                curl_easy_cleanup(w->curl);
                free(w);
                return rc;
        }
        wh->threads[wh->started++] = w->thread;
        return ST_OK;
}

int
deliver_start(struct webhooks *wh)
{
        int rc = ST_OK;

        pthread_mutex_lock(&wh->lock);   /* the fan-out may call deliver_wake already */
        wh->threads = calloc(wh->workers, sizeof(*wh->threads));
        if (wh->threads == NULL)
                rc = ST_NOMEM;
        for (unsigned i = 0; rc == ST_OK && i < wh->workers; i++)
                rc = worker_start(wh, i);
        pthread_mutex_unlock(&wh->lock);
        return rc;
}

void
webhooks_stop(struct webhooks *wh)
{
        struct bgthread **threads;
        unsigned n;

        if (wh == NULL)
                return;
        atomic_store(&wh->stopping, 1);
        /* taken out under the lock: the fan-out (stopped later) may still wake them */
        pthread_mutex_lock(&wh->lock);
        threads = wh->threads;
        n = wh->started;
        wh->threads = NULL;
        wh->started = 0;
        pthread_mutex_unlock(&wh->lock);
        for (unsigned i = 0; i < n; i++)
                bgthread_stop(threads[i]);   /* all at once, then each joined */
        for (unsigned i = 0; i < n; i++)
                bgthread_join(threads[i]);
        free(threads);
        wh_allow_release(&wh->allow);
}
