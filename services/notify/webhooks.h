/*
 * webhooks.h - outgoing webhooks after the Standard Webhooks specification
 * (https://www.standardwebhooks.com): subscriptions, signed deliveries with
 * retries, the delivery log, and the guard that keeps them out of the
 * company's own network.
 *
 *   webhooks.c       the settings, the fan-out (a follower of notify's own
 *                    suite feed) and the URL check at subscription time
 *   deliver.c        the delivery workers (libcurl)
 *   webhooks_db.c    every statement
 *   http_webhooks.c  the /v1/webhooks handlers
 *   whsig.c, ssrf.c  pure: the signature and secrets, the address classifier
 */
#ifndef TANDEM_WEBHOOKS_H
#define TANDEM_WEBHOOKS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <libpq-fe.h>

#include "db.h"

struct service;
struct request;

/* ---- whsig.c: secrets and signatures (pure) ---------------------------------- */

#define WH_SECRET_BYTES 32            /* the spec asks for 24 to 64 */
#define WH_SECRET_PREFIX "whsec_"
#define WH_SECRET_TEXT_LEN 64         /* "whsec_" + base64 of 32 bytes + NUL fits */
#define WH_SIG_LEN 52                 /* "v1," + base64 of 32 bytes + NUL fits */

/* Fills @key with WH_SECRET_BYTES random bytes.  ST_OK or ST_INTERNAL. */
int wh_secret_new(unsigned char key[WH_SECRET_BYTES]);

/* Writes "whsec_<base64 of @key>" into @out (>= WH_SECRET_TEXT_LEN). */
void wh_secret_text(const unsigned char key[WH_SECRET_BYTES], char out[WH_SECRET_TEXT_LEN]);

/*
 * Writes the signature "v1,<base64 HMAC-SHA256(@key, "@id.@ts.@body")>" into
 * @out (>= WH_SIG_LEN).  ST_OK or ST_INTERNAL.
 */
int wh_sign(const unsigned char *key, size_t keylen, const char *id, long long ts,
            const char *body, size_t bodylen, char out[WH_SIG_LEN]);

/* Hex text of @len bytes into @out (>= 2 * @len + 1); and back (ST_OK or ST_INVALID). */
void wh_hex(const unsigned char *in, size_t len, char *out);
int wh_unhex(const char *in, unsigned char *out, size_t len);

/*
 * Secrets at rest: with a seal key (TANDEM_WEBHOOK_SECRET_KEY, 32 bytes) a
 * secret is stored sealed, 0x01 | nonce | AES-256-GCM ciphertext | tag, so a
 * reader of the database alone cannot sign; without one, as its bytes.
 */
#define WH_SEAL_KEY_BYTES 32
#define WH_SEALED_LEN (1 + 12 + WH_SECRET_BYTES + 16)
#define WH_STORED_HEX_LEN (2 * WH_SEALED_LEN + 1)

/* The stored form of @key, as hex into @out: sealed under @k, or plain when @k is NULL. */
int wh_secret_store(const unsigned char *k, const unsigned char key[WH_SECRET_BYTES],
                    char out[WH_STORED_HEX_LEN]);

/*
 * The secret back from its stored hex: plain (32 bytes) whatever @k, or
 * sealed and opened with @k.  ST_OK; ST_UNAVAILABLE (sealed and @k NULL);
 * ST_INTERNAL (a wrong key or altered bytes); ST_INVALID (not a stored secret).
 */
int wh_secret_load(const unsigned char *k, const char *hex, unsigned char key[WH_SECRET_BYTES]);

/* ---- ssrf.c: where a delivery may go (pure) ------------------------------------ */

enum wh_addr_class {
        WH_ADDR_PUBLIC = 0,
        WH_ADDR_LOOPBACK,           /* 127/8, ::1 */
        WH_ADDR_PRIVATE,            /* 10/8, 172.16/12, 192.168/16, 100.64/10 (CGNAT) */
        WH_ADDR_LINK_LOCAL,         /* 169.254/16 (cloud metadata), fe80::/10 */
        WH_ADDR_ULA,                /* fc00::/7 */
        WH_ADDR_RESERVED,           /* 0/8, multicast, documentation, benchmarking, ... */
};

/* The class of the IPv4 or IPv6 address @sa (v4 inside v6 is judged as v4). */
enum wh_addr_class wh_addr_classify(const struct sockaddr *sa);

/* "public", "loopback", "private", "link-local", "unique local", "reserved". */
const char *wh_addr_class_name(enum wh_addr_class c);

#define WH_ALLOW_MAX 32

/* TANDEM_WEBHOOK_ALLOW, parsed: the targets allowed despite the guard. */
struct wh_allow {
        struct {
                int family;                 /* AF_INET or AF_INET6 */
                unsigned char addr[16];
                unsigned prefix;
        } nets[WH_ALLOW_MAX];
        unsigned nnets;
        char *hosts[WH_ALLOW_MAX];          /* exact host names, lowercase, owned */
        unsigned nhosts;
};

/*
 * Parses a comma list of "loopback", "private", CIDRs ("10.1.0.0/16",
 * "fd00::/8"), single addresses and host names into @out.  ST_OK, or
 * ST_INVALID with why in @why.  Release with wh_allow_release().
 */
int wh_allow_parse(const char *s, struct wh_allow *out, char *why, size_t whylen);
void wh_allow_release(struct wh_allow *a);

/*
 * May a request to @host (the URL's host, lowercase), connected to @sa, go
 * out?  A public address over https may; anything else (http, or a loopback,
 * private, link-local, unique local or reserved address) only when the allow
 * list names the host or a network holding the address.  ST_OK, or
 * ST_FORBIDDEN with the reason in @why.
 */
int wh_target_check(const struct wh_allow *a, const char *host, bool https,
                    const struct sockaddr *sa, char *why, size_t whylen);

/* ---- webhooks.c ------------------------------------------------------------------- */

#define WH_RETRY_BASE_MS_DEFAULT 30000u
#define WH_RETRY_FOR_S_DEFAULT (3u * 86400u)
#define WH_DISABLE_AFTER_S_DEFAULT (5u * 86400u)
#define WH_WORKERS_DEFAULT 4u
#define WH_WORKERS_MAX 64u
#define WH_TIMEOUT_MS 10000L          /* a delivery: connect, send, answer */
#define WH_OVERLAP_S 86400            /* an old secret stays valid this long after rotation */

struct wh_worker;
struct bgthread;

/* The webhooks' settings and workers (in struct notify_app). */
struct webhooks {
        struct wh_allow allow;        /* TANDEM_WEBHOOK_ALLOW */
        unsigned retry_base_ms;       /* TANDEM_WEBHOOK_RETRY_BASE_MS */
        unsigned retry_for_s;         /* TANDEM_WEBHOOK_RETRY_FOR_S */
        unsigned disable_after_s;     /* TANDEM_WEBHOOK_DISABLE_AFTER_S */
        unsigned workers;             /* TANDEM_WEBHOOK_WORKERS */
        unsigned char seal_key[WH_SEAL_KEY_BYTES];   /* TANDEM_WEBHOOK_SECRET_KEY (secret) */
        bool sealed;                  /* a seal key is set */
        struct service *svc;
        atomic_int stopping;
        pthread_mutex_t lock;         /* guards threads and started (deliver_wake) */
        struct bgthread **threads;    /* the workers (bgthread.h) */
        unsigned started;
        atomic_uint busy;             /* workers in an attempt now (fairness: deliver.c) */
        /* /metrics: deliveries by outcome */
        atomic_ullong n_succeeded, n_failed_attempts, n_gave_up, n_refused, n_disabled;
};

/* Reads the settings from the environment; a bad one is printed and ST_INVALID. */
int webhooks_config(struct webhooks *wh);

/*
 * Starts the fan-out (a follower of this service's own suite feed) and the
 * delivery workers; svc->stop stops them.  ST_OK or a start-up failure.
 */
int webhooks_start(struct service *svc, struct webhooks *wh);

/* Stops the workers (joined) and frees what @wh holds. */
void webhooks_stop(struct webhooks *wh);

/*
 * Checks a subscription's URL: http(s) only, a host, no credentials, at most
 * 2048 characters (else ST_INVALID), and every address the host resolves to
 * allowed (wh_target_check; else ST_UNPROCESSABLE); why in @why.
 */
int webhooks_url_check(const struct webhooks *wh, const char *url, char *why, size_t whylen);

/*
 * Parses @url: http or https, a host, no credentials.  ST_OK with the host
 * (lowercase, no IPv6 brackets; curl_free it) in *@host and whether it is
 * https in *@https; ST_INVALID with why in @why; ST_NOMEM.
 */
int webhooks_url_parse(const char *url, char **host, bool *https, char *why, size_t whylen);

/*
 * Appends the deliveries' counters, the queue's gauges and the followers'
 * cursors (read from the database now) to @b as Prometheus text: /metrics.
 */
void webhooks_metrics(const struct webhooks *wh, struct buf *b);

/* ---- deliver.c ---------------------------------------------------------------------- */

/* Starts @wh->workers delivery threads.  ST_OK or ST_INTERNAL. */
int deliver_start(struct webhooks *wh);

/* Wakes the workers (a delivery was queued). */
void deliver_wake(struct webhooks *wh);

/* ---- webhooks_db.c ---------------------------------------------------------------- */

extern const struct db_stmt webhook_stmts[];

/* One claimed delivery: what an attempt needs.  Strings owned. */
struct wh_claim {
        long long id;
        int attempt;
        char event_id[37];
        char webhook_id[37];
        char *url;
        char *body;
        unsigned char key[WH_SECRET_BYTES];
        unsigned char old_key[WH_SECRET_BYTES];
        bool has_old;
};

void wh_claim_release(struct wh_claim *c);

/*
 * Claims a due delivery (FOR UPDATE SKIP LOCKED: safe with several replicas),
 * leasing it for @lease_s seconds: of a subscription with fewer than
 * @per_subscription deliveries in flight, the one with the fewest first, then
 * the delivery due first (fairness: a slow or failing receiver holds at most
 * @per_subscription workers).  The secrets are opened with @seal_key (NULL:
 * none).  ST_OK, ST_NOT_FOUND (nothing due), or a database status.
 */
int webhook_db_claim(PGconn *c, int lease_s, unsigned per_subscription,
                     const unsigned char *seal_key, struct wh_claim *out);

/* What one attempt came to. */
struct wh_outcome {
        bool ok;
        long code;                  /* HTTP status, 0: none */
        long latency_ms;
        char error[200];            /* "" on success; never the URL nor a secret */
        bool refused;               /* the guard refused the address */
        long long delay_ms;         /* until the next attempt, when it failed */
};

/*
 * Records an attempt of @c: the delivery's status (succeeded, or pending
 * again after @o->delay_ms, or failed once the retry window is over), and the
 * subscription's health (disabled after @disable_after_s of failing, with
 * its event).  *@gave_up and *@disabled say what happened.
 */
int webhook_db_record(PGconn *c, const struct wh_claim *cl, const struct wh_outcome *o,
                      unsigned retry_for_s, unsigned disable_after_s, bool *gave_up,
                      bool *disabled);

/*
 * Removes finished (succeeded or failed) deliveries last tried more than
 * @days ago, in batches (events_prune_stmt).  Returns how many, or -1.
 */
long long webhook_db_prune(PGconn *c, unsigned days);

/* The fan-out of one event of the suite feed (@j_event's text in @body). */
int webhook_db_fanout(PGconn *c, const char *id, const char *type, const char *time,
                      const char *body);

/* ---- http_webhooks.c ------------------------------------------------------------ */

int http_webhooks_create(struct request *rq);
int http_webhooks_list(struct request *rq);
int http_webhooks_get(struct request *rq);
int http_webhooks_patch(struct request *rq);
int http_webhooks_delete(struct request *rq);
int http_webhooks_rotate(struct request *rq);
int http_webhooks_deliveries(struct request *rq);
int http_webhooks_delivery_get(struct request *rq);
int http_webhooks_redeliver(struct request *rq);
int http_webhooks_replay(struct request *rq);

#endif
