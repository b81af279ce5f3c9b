/*
 * config.h - configuration from TANDEM_* environment variables.
 *
 * config_load() reads and checks every variable once at start.  A bad value is
 * reported on stderr with the variable's name and the service exits non-zero.
 * config_log() prints the result once as a JSON line, secrets masked.
 */
#ifndef TANDEM_CONFIG_H
#define TANDEM_CONFIG_H

#include <stddef.h>

#define CONFIG_DEFAULT_THREADS 32
#define CONFIG_DEFAULT_POOL_MAX 16     /* the default pool: threads + 2, at most this */
#define CONFIG_DEFAULT_MAX_CONNECTIONS 512   /* HTTP connections (a thread each) */

enum jwt_alg { JWT_ALG_HS256 = 1, JWT_ALG_RS256, JWT_ALG_ES256 };

struct config {
        char service[32];          /* "people", ... (from the binary, not env) */
        char listen_addr[64];      /* TANDEM_LISTEN_ADDR, default 127.0.0.1 */
        unsigned port;             /* TANDEM_PORT, default per service */
        char *database_url;        /* TANDEM_DATABASE_URL (secret: password masked) */
        unsigned db_pool_size;     /* TANDEM_DB_POOL_SIZE, default threads + 2, at most 16 */
        unsigned db_timeout_ms;    /* TANDEM_DB_TIMEOUT_MS, checkout wait, default 2000 */
        unsigned db_statement_ms;  /* TANDEM_DB_STATEMENT_TIMEOUT_MS, default 5000 */
        unsigned db_health_ms;     /* TANDEM_DB_HEALTH_TIMEOUT_MS, /readyz, default 1000 */
        unsigned threads;          /* TANDEM_THREADS, requests at the database at once
                                    * (sizes the pool and its stall check), default 32 */
        unsigned max_connections;  /* TANDEM_MAX_CONNECTIONS, HTTP connections at once
                                    * (a thread each), default 512 */
        size_t max_body_bytes;     /* TANDEM_MAX_BODY_BYTES, default 65536 */
        unsigned shutdown_ms;      /* TANDEM_SHUTDOWN_TIMEOUT_MS, default 10000 */
        int log_level;             /* TANDEM_LOG_LEVEL: debug|info|warn|error */

        enum jwt_alg jwt_alg;      /* TANDEM_JWT_ALG: HS256 (default), RS256, ES256 */
        char *jwt_secret;          /* TANDEM_JWT_SECRET (secret), HS256: >= 32 bytes */
        char *jwks_file;           /* TANDEM_JWKS_FILE, RS256/ES256 */
        char *jwt_issuer;          /* TANDEM_JWT_ISSUER, required */
        char *jwt_audience;        /* TANDEM_JWT_AUDIENCE, required */
        unsigned jwt_leeway_s;     /* TANDEM_JWT_LEEWAY_S, default 60 */
        char *roles_claim;         /* TANDEM_ROLES_CLAIM, default "roles" (a.b: nested) */
        char *email_claim;         /* TANDEM_EMAIL_CLAIM, default "email" */
        char *subject_claim;       /* TANDEM_SUBJECT_CLAIM, default "sub" */
        char *role_map;            /* TANDEM_ROLE_MAP "Group=role,...", NULL: names as is */

        /* OpenID Connect: keys from the provider's discovery document */
        char *oidc_issuer;         /* TANDEM_OIDC_ISSUER; also the default TANDEM_JWT_ISSUER */
        unsigned jwks_refetch_s;   /* TANDEM_JWKS_REFETCH_S, unknown kid: default 30 */
        unsigned jwks_refresh_s;   /* TANDEM_JWKS_REFRESH_S, background: default 3600 */
        char *oidc_client_id;      /* TANDEM_OIDC_CLIENT_ID: this service's own client */
        char *oidc_client_secret;  /* TANDEM_OIDC_CLIENT_SECRET (secret) */
        char *oidc_scope;          /* TANDEM_OIDC_SCOPE, for the client credentials grant */
        char *oidc_resource;       /* TANDEM_OIDC_RESOURCE (RFC 8707), likewise */
        int jit_provisioning;      /* TANDEM_JIT_PROVISIONING on|off, default off */

        /* SCIM: the provisioning client (people service) */
        char *scim_token;          /* TANDEM_SCIM_TOKEN (secret), >= 32 bytes */
        char *scim_client_ids;     /* TANDEM_SCIM_CLIENT_IDS "id1,id2": azp/client_id/appid */

        char *people_url;          /* TANDEM_PEOPLE_URL, default http://127.0.0.1:8081 */
        char *phases_url;          /* TANDEM_PHASES_URL, default http://127.0.0.1:8082 */
        char *mentoring_url;       /* TANDEM_MENTORING_URL, default http://127.0.0.1:8083 */
        char *strategy_url;        /* TANDEM_STRATEGY_URL, default http://127.0.0.1:8084 */
        unsigned client_timeout_ms;/* TANDEM_CLIENT_TIMEOUT_MS, default 3000 */
        unsigned admission_ttl_ms; /* TANDEM_ADMISSION_TTL_MS, default 5000, max 60000; 0: off */
        unsigned admission_cache_size; /* TANDEM_ADMISSION_CACHE_SIZE, entries, default 4096 */
        unsigned events_retention_days; /* TANDEM_EVENTS_RETENTION_DAYS, default 30 */
};

/*
 * Fills @cfg for @service from the environment (via @getenv_fn, normally
 * getenv; tests pass their own).  @default_port is the service's own port.
 * On a bad value writes "config: TANDEM_X: why" into @err and returns
 * ST_INVALID; otherwise ST_OK.
 */
int config_load(struct config *cfg, const char *service, unsigned default_port,
                const char *(*getenv_fn)(const char *name), char *err, size_t errlen);

/* Frees what @cfg owns.  Accepts NULL. */
void config_release(struct config *cfg);

/* Logs the configuration once as a JSON line, secrets masked. */
void config_log(const struct config *cfg);

/*
 * Writes @url into @out with any password replaced by "***".  Never fails:
 * truncates to @outlen.
 */
void config_mask_url(const char *url, char *out, size_t outlen);

#endif
