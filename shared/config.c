/*
 * config.c - configuration from TANDEM_* environment variables.
 *
 * config_load() fills a local struct and hands it to the caller only when
 * every variable is valid, so a failed load leaves nothing to release.  Error
 * messages name the variable and the fault; they never echo a secret.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "config.h"
#include "log.h"
#include "status.h"

#define CONFIG_MASK "***"

/* What every reader needs: the environment and where to write the fault. */
struct loader {
        const char *(*getenv_fn)(const char *name);
        char *err;
        size_t errlen;
};

static int
load_fail(struct loader *ld, int rc, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Writes "config: " and the formatted fault into the caller's buffer. */
static int
load_fail(struct loader *ld, int rc, const char *fmt, ...)
{
        char why[256];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(why, sizeof(why), fmt, ap);
        va_end(ap);
        if (ld->err != NULL && ld->errlen > 0)
                snprintf(ld->err, ld->errlen, "config: %s", why);
        return rc;
}

/* Parses decimal digits only: no sign, no blanks, no trailing junk. */
static int
parse_ulong(const char *s, unsigned long *out)
{
        unsigned long v;
        char *end;

        if (s[0] < '0' || s[0] > '9')
                return -1;
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || *end != '\0')
                return -1;
        *out = v;
        return 0;
}

/* Reads @name as a number in [@lo, @hi]; @def when unset. */
static int
env_ulong(struct loader *ld, const char *name, unsigned long lo, unsigned long hi,
          unsigned long def, unsigned long *out)
{
        const char *s = ld->getenv_fn(name);
        unsigned long v;

        if (s == NULL) {
                *out = def;
                return ST_OK;
        }
        if (parse_ulong(s, &v) != 0 || v < lo || v > hi)
                return load_fail(ld, ST_INVALID,
                                 "%s: must be a number from %lu to %lu (got \"%s\")",
                                 name, lo, hi, s);
        *out = v;
        return ST_OK;
}

/* As env_ulong(), for the many settings stored as unsigned. */
static int
env_uint(struct loader *ld, const char *name, unsigned lo, unsigned hi, unsigned def,
         unsigned *out)
{
        unsigned long v;
        int rc;

        rc = env_ulong(ld, name, lo, hi, def, &v);
        if (rc == ST_OK)
                *out = (unsigned)v;
        return rc;
}

/* A heap copy of @name's value (or @def); an empty value is refused. */
static int
env_str(struct loader *ld, const char *name, const char *def, char **out)
{
        const char *s = ld->getenv_fn(name);

        if (s == NULL)
                s = def;
        if (s == NULL)
                return load_fail(ld, ST_INVALID, "%s: required", name);
        if (s[0] == '\0')
                return load_fail(ld, ST_INVALID, "%s: must not be empty", name);
        *out = strdup(s);
        if (*out == NULL)
                return load_fail(ld, ST_NOMEM, "%s: out of memory", name);
        return ST_OK;
}

/* Like env_str() for an http:// or https:// base URL. */
static int
env_url(struct loader *ld, const char *name, const char *def, char **out)
{
        const char *s = ld->getenv_fn(name);

        if (s == NULL)
                s = def;
        if ((strncmp(s, "http://", 7) != 0 || s[7] == '\0') &&
            (strncmp(s, "https://", 8) != 0 || s[8] == '\0'))
                return load_fail(ld, ST_INVALID,
                                 "%s: must start with http:// or https:// (got \"%s\")",
                                 name, s);
        return env_str(ld, name, def, out);
}

static int
load_listen_addr(struct loader *ld, struct config *cfg)
{
        const char *s = ld->getenv_fn("TANDEM_LISTEN_ADDR");
        unsigned char addr[sizeof(struct in6_addr)];

        if (s == NULL)
                s = "127.0.0.1";
        if (strlen(s) >= sizeof(cfg->listen_addr) ||
            (inet_pton(AF_INET, s, addr) != 1 && inet_pton(AF_INET6, s, addr) != 1))
                return load_fail(ld, ST_INVALID,
                                 "TANDEM_LISTEN_ADDR: must be an IPv4 or IPv6 address"
                                 " (got \"%s\")", s);
        snprintf(cfg->listen_addr, sizeof(cfg->listen_addr), "%s", s);
        return ST_OK;
}

static int
load_log_level(struct loader *ld, struct config *cfg)
{
        const char *s = ld->getenv_fn("TANDEM_LOG_LEVEL");

        if (s == NULL)
                s = "info";
        cfg->log_level = log_level_parse(s);
        if (cfg->log_level < 0)
                return load_fail(ld, ST_INVALID,
                                 "TANDEM_LOG_LEVEL: must be one of debug, info, warn, error"
                                 " (got \"%s\")", s);
        return ST_OK;
}

/* Listening, threads, database and limits. */
static int
load_server(struct loader *ld, struct config *cfg, unsigned default_port)
{
        unsigned long body;
        int rc;

        rc = load_listen_addr(ld, cfg);
        if (rc == ST_OK)
                rc = env_uint(ld, "TANDEM_PORT", 1, 65535, default_port, &cfg->port);
        if (rc == ST_OK)
                rc = env_uint(ld, "TANDEM_THREADS", 1, 256, CONFIG_DEFAULT_THREADS, &cfg->threads);
        /* each HTTP connection has a thread of its own (at most
         * TANDEM_MAX_CONNECTIONS); TANDEM_THREADS is how many requests are expected
         * at the database at once: it sizes the pool (requests beyond it wait for a
         * pooled connection, at most TANDEM_DB_TIMEOUT_MS) and the stall check */
        if (rc == ST_OK)
                rc = env_uint(ld, "TANDEM_MAX_CONNECTIONS", 4, 4096,
                              CONFIG_DEFAULT_MAX_CONNECTIONS, &cfg->max_connections);
        if (rc == ST_OK)
                rc = env_uint(ld, "TANDEM_DB_POOL_SIZE", 1, 512,
                              cfg->threads + 2 < CONFIG_DEFAULT_POOL_MAX ? cfg->threads + 2
                              : CONFIG_DEFAULT_POOL_MAX, &cfg->db_pool_size);
        if (rc == ST_OK)
                rc = env_uint(ld, "TANDEM_DB_TIMEOUT_MS", 1, 600000, 2000, &cfg->db_timeout_ms);
        if (rc == ST_OK)
                rc = env_uint(ld, "TANDEM_DB_STATEMENT_TIMEOUT_MS", 100, 600000, 5000,
                              &cfg->db_statement_ms);
        if (rc == ST_OK)
                rc = env_uint(ld, "TANDEM_DB_HEALTH_TIMEOUT_MS", 100, 60000, 1000,
                              &cfg->db_health_ms);
        if (rc == ST_OK)
                rc = env_uint(ld, "TANDEM_SHUTDOWN_TIMEOUT_MS", 1, 600000, 10000,
                              &cfg->shutdown_ms);
        if (rc == ST_OK)
                rc = env_ulong(ld, "TANDEM_MAX_BODY_BYTES", 1024, 16UL << 20, 65536, &body);
        if (rc == ST_OK)
                cfg->max_body_bytes = body;
        if (rc == ST_OK)
                rc = env_str(ld, "TANDEM_DATABASE_URL",
                             "postgresql://tandem@127.0.0.1:5432/tandem", &cfg->database_url);
        if (rc == ST_OK)
                rc = load_log_level(ld, cfg);
        return rc;
}

static const char *
jwt_alg_name(enum jwt_alg alg)
{
        switch (alg) {
        case JWT_ALG_HS256:
                return "HS256";
        case JWT_ALG_RS256:
                return "RS256";
        case JWT_ALG_ES256:
                return "ES256";
        }
        return "?";
}

static int
load_jwt_alg(struct loader *ld, struct config *cfg)
{
        const char *s = ld->getenv_fn("TANDEM_JWT_ALG");

        if (s == NULL || strcmp(s, "HS256") == 0)
                cfg->jwt_alg = JWT_ALG_HS256;
        else if (strcmp(s, "RS256") == 0)
                cfg->jwt_alg = JWT_ALG_RS256;
        else if (strcmp(s, "ES256") == 0)
                cfg->jwt_alg = JWT_ALG_ES256;
        else
                return load_fail(ld, ST_INVALID,
                                 "TANDEM_JWT_ALG: must be one of HS256, RS256, ES256"
                                 " (got \"%s\")", s);
        return ST_OK;
}

/* An optional string: NULL when unset; an empty value is refused. */
static int
env_opt(struct loader *ld, const char *name, char **out)
{
        if (ld->getenv_fn(name) == NULL)
                return ST_OK;
        return env_str(ld, name, NULL, out);
}

/* on|off, true|false, 1|0, yes|no. */
static int
env_bool(struct loader *ld, const char *name, int def, int *out)
{
        static const char *const yes[] = { "on", "true", "1", "yes" };
        static const char *const no[] = { "off", "false", "0", "no" };
        const char *s = ld->getenv_fn(name);

        *out = def;
        if (s == NULL)
                return ST_OK;
        for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
                if (strcasecmp(s, yes[i]) == 0)
                        return *out = 1, ST_OK;
                if (strcasecmp(s, no[i]) == 0)
                        return *out = 0, ST_OK;
        }
        return load_fail(ld, ST_INVALID, "%s: must be on or off (got \"%s\")", name, s);
}

/*
 * The key material the algorithm needs.  The secret is read only for HS256
 * and its value never reaches a message.  RS256 and ES256 take keys from a
 * JWKS file or from the OpenID Connect provider.
 */
static int
load_jwt_keys(struct loader *ld, struct config *cfg)
{
        int hs256 = cfg->jwt_alg == JWT_ALG_HS256;
        int rc;

        rc = env_opt(ld, "TANDEM_JWKS_FILE", &cfg->jwks_file);
        if (rc == ST_OK)
                rc = env_opt(ld, "TANDEM_OIDC_ISSUER", &cfg->oidc_issuer);
        if (rc != ST_OK)
                return rc;
        if (cfg->oidc_issuer != NULL && strncmp(cfg->oidc_issuer, "https://", 8) != 0 &&
            strncmp(cfg->oidc_issuer, "http://", 7) != 0)
                return load_fail(ld, ST_INVALID, "TANDEM_OIDC_ISSUER: must be an http(s) URL");
        if (cfg->oidc_issuer != NULL && (hs256 || cfg->jwks_file != NULL))
                return load_fail(ld, ST_INVALID, "TANDEM_OIDC_ISSUER: needs TANDEM_JWT_ALG RS256"
                                 " or ES256 and no TANDEM_JWKS_FILE");
        if (!hs256 && cfg->jwks_file == NULL && cfg->oidc_issuer == NULL)
                return load_fail(ld, ST_INVALID, "TANDEM_JWKS_FILE: required for %s"
                                 " (or TANDEM_OIDC_ISSUER)", jwt_alg_name(cfg->jwt_alg));
        if (!hs256)
                return ST_OK;
        if (ld->getenv_fn("TANDEM_JWT_SECRET") == NULL)
                return load_fail(ld, ST_INVALID, "TANDEM_JWT_SECRET: required for HS256");
        return env_str(ld, "TANDEM_JWT_SECRET", NULL, &cfg->jwt_secret);
}

/* Which claims say who the caller is and what they may do. */
static int
load_claims(struct loader *ld, struct config *cfg)
{
        int rc;

        rc = env_str(ld, "TANDEM_ROLES_CLAIM", "roles", &cfg->roles_claim);
        if (rc == ST_OK)
                rc = env_str(ld, "TANDEM_EMAIL_CLAIM", "email", &cfg->email_claim);
        if (rc == ST_OK)
                rc = env_str(ld, "TANDEM_SUBJECT_CLAIM", "sub", &cfg->subject_claim);
        if (rc == ST_OK)
                rc = env_opt(ld, "TANDEM_ROLE_MAP", &cfg->role_map);
        if (rc == ST_OK)
                rc = env_bool(ld, "TANDEM_JIT_PROVISIONING", 0, &cfg->jit_provisioning);
        return rc;
}

/* The provider, this service's own client at it, and the SCIM client. */
static int
load_oidc(struct loader *ld, struct config *cfg)
{
        int rc;

        rc = env_uint(ld, "TANDEM_JWKS_REFETCH_S", 0, 86400, 30, &cfg->jwks_refetch_s);
        if (rc == ST_OK)
                rc = env_uint(ld, "TANDEM_JWKS_REFRESH_S", 10, 604800, 3600, &cfg->jwks_refresh_s);
        if (rc == ST_OK)
                rc = env_opt(ld, "TANDEM_OIDC_CLIENT_ID", &cfg->oidc_client_id);
        if (rc == ST_OK)
                rc = env_opt(ld, "TANDEM_OIDC_CLIENT_SECRET", &cfg->oidc_client_secret);
        if (rc == ST_OK)
                rc = env_opt(ld, "TANDEM_OIDC_SCOPE", &cfg->oidc_scope);
        if (rc == ST_OK)
                rc = env_opt(ld, "TANDEM_OIDC_RESOURCE", &cfg->oidc_resource);
        if (rc == ST_OK && (cfg->oidc_client_id == NULL) != (cfg->oidc_client_secret == NULL))
                rc = load_fail(ld, ST_INVALID, "TANDEM_OIDC_CLIENT_SECRET: set both it and"
                               " TANDEM_OIDC_CLIENT_ID, or neither");
        if (rc == ST_OK)
                rc = env_opt(ld, "TANDEM_SCIM_TOKEN", &cfg->scim_token);
        if (rc == ST_OK && cfg->scim_token != NULL && strlen(cfg->scim_token) < 32)
                rc = load_fail(ld, ST_INVALID, "TANDEM_SCIM_TOKEN: must be at least 32 bytes");
        if (rc == ST_OK && cfg->scim_token != NULL && strchr(cfg->scim_token, '.') != NULL)
                rc = load_fail(ld, ST_INVALID, "TANDEM_SCIM_TOKEN: must not contain '.'"
                               " (it would read as a JWT)");
        if (rc == ST_OK)
                rc = env_opt(ld, "TANDEM_SCIM_CLIENT_IDS", &cfg->scim_client_ids);
        return rc;
}

static int
load_jwt(struct loader *ld, struct config *cfg)
{
        int rc;

        rc = load_jwt_alg(ld, cfg);
        if (rc == ST_OK)
                rc = load_jwt_keys(ld, cfg);
        if (rc == ST_OK)
                rc = env_str(ld, "TANDEM_JWT_ISSUER",
                             cfg->oidc_issuer != NULL ? cfg->oidc_issuer : "tandem-local",
                             &cfg->jwt_issuer);
        if (rc == ST_OK)
                rc = env_str(ld, "TANDEM_JWT_AUDIENCE", "tandem", &cfg->jwt_audience);
        if (rc == ST_OK)
                rc = env_uint(ld, "TANDEM_JWT_LEEWAY_S", 0, 600, 60, &cfg->jwt_leeway_s);
        if (rc == ST_OK)
                rc = load_claims(ld, cfg);
        if (rc == ST_OK)
                rc = load_oidc(ld, cfg);
        return rc;
}

/* The other services this one may call. */
static int
load_peers(struct loader *ld, struct config *cfg)
{
        int rc;

        rc = env_url(ld, "TANDEM_PEOPLE_URL", "http://127.0.0.1:8081", &cfg->people_url);
        if (rc == ST_OK)
                rc = env_url(ld, "TANDEM_PHASES_URL", "http://127.0.0.1:8082", &cfg->phases_url);
        if (rc == ST_OK)
                rc = env_url(ld, "TANDEM_MENTORING_URL", "http://127.0.0.1:8083",
                             &cfg->mentoring_url);
        if (rc == ST_OK)
                rc = env_url(ld, "TANDEM_STRATEGY_URL", "http://127.0.0.1:8084",
                             &cfg->strategy_url);
        if (rc == ST_OK)
                rc = env_uint(ld, "TANDEM_CLIENT_TIMEOUT_MS", 1, 600000, 3000,
                              &cfg->client_timeout_ms);
        /* who a subject is, kept in memory (admcache.h): 0 turns the cache off */
        if (rc == ST_OK)
                rc = env_uint(ld, "TANDEM_ADMISSION_TTL_MS", 0, 60000, 5000,
                              &cfg->admission_ttl_ms);
        if (rc == ST_OK)
                rc = env_uint(ld, "TANDEM_ADMISSION_CACHE_SIZE", 0, 1000000, 4096,
                              &cfg->admission_cache_size);
        if (rc == ST_OK)
                rc = env_uint(ld, "TANDEM_EVENTS_RETENTION_DAYS", 1, 3650, 30,
                              &cfg->events_retention_days);
        return rc;
}

/* getenv() with the signature config_load() takes. */
static const char *
process_getenv(const char *name)
{
        return getenv(name);
}

int
config_load(struct config *cfg, const char *service, unsigned default_port,
            const char *(*getenv_fn)(const char *name), char *err, size_t errlen)
{
        struct loader ld = { getenv_fn != NULL ? getenv_fn : process_getenv, err, errlen };
        struct config tmp;
        int rc;

        memset(&tmp, 0, sizeof(tmp));
        if (err != NULL && errlen > 0)
                err[0] = '\0';
        if (service == NULL || service[0] == '\0' || strlen(service) >= sizeof(tmp.service)) {
                rc = load_fail(&ld, ST_INVALID, "service name must be 1 to %zu bytes",
                               sizeof(tmp.service) - 1);
                goto out;
        }
        snprintf(tmp.service, sizeof(tmp.service), "%s", service);
        rc = load_server(&ld, &tmp, default_port);
        if (rc == ST_OK)
                rc = load_jwt(&ld, &tmp);
        if (rc == ST_OK)
                rc = load_peers(&ld, &tmp);
        if (rc == ST_OK) {
                *cfg = tmp;
                memset(&tmp, 0, sizeof(tmp));
        }
out:
        config_release(&tmp);
        return rc;
}

/* Frees *@p and clears it; a secret is wiped first. */
static void
free_str(char **p, int wipe)
{
        if (*p != NULL && wipe)
                explicit_bzero(*p, strlen(*p));
        free(*p);
        *p = NULL;
}

void
config_release(struct config *cfg)
{
        if (cfg == NULL)
                return;
        free_str(&cfg->database_url, 1);
        free_str(&cfg->jwt_secret, 1);
        free_str(&cfg->jwks_file, 0);
        free_str(&cfg->jwt_issuer, 0);
        free_str(&cfg->jwt_audience, 0);
        free_str(&cfg->roles_claim, 0);
        free_str(&cfg->email_claim, 0);
        free_str(&cfg->subject_claim, 0);
        free_str(&cfg->role_map, 0);
        free_str(&cfg->oidc_issuer, 0);
        free_str(&cfg->oidc_client_id, 0);
        free_str(&cfg->oidc_client_secret, 1);
        free_str(&cfg->oidc_scope, 0);
        free_str(&cfg->oidc_resource, 0);
        free_str(&cfg->scim_token, 1);
        free_str(&cfg->scim_client_ids, 0);
        free_str(&cfg->people_url, 0);
        free_str(&cfg->phases_url, 0);
        free_str(&cfg->mentoring_url, 0);
        free_str(&cfg->strategy_url, 0);
}

/* The configuration as a JSON object, secrets masked.  New reference. */
static json_t *
config_json_base(const struct config *cfg)
{
        char db_url[512];

        config_mask_url(cfg->database_url, db_url, sizeof(db_url));
        return json_pack("{s:s, s:s, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s,"
                         " s:s, s:s, s:s?, s:s, s:s, s:I, s:s, s:s,"
                         " s:s, s:s, s:s, s:s, s:I, s:I, s:I}",
                         "service", cfg->service,
                         "listen_addr", cfg->listen_addr,
                         "port", (json_int_t)cfg->port,
                         "database_url", db_url,
                         "db_pool_size", (json_int_t)cfg->db_pool_size,
                         "db_timeout_ms", (json_int_t)cfg->db_timeout_ms,
                         "db_statement_ms", (json_int_t)cfg->db_statement_ms,
                         "db_health_ms", (json_int_t)cfg->db_health_ms,
                         "threads", (json_int_t)cfg->threads,
                         "max_connections", (json_int_t)cfg->max_connections,
                         "max_body_bytes", (json_int_t)cfg->max_body_bytes,
                         "shutdown_ms", (json_int_t)cfg->shutdown_ms,
                         "log_level", log_level_name(cfg->log_level),
                         "jwt_alg", jwt_alg_name(cfg->jwt_alg),
                         "jwt_secret", cfg->jwt_secret != NULL ? CONFIG_MASK : "(unset)",
                         "jwks_file", cfg->jwks_file,
                         "jwt_issuer", cfg->jwt_issuer,
                         "jwt_audience", cfg->jwt_audience,
                         "jwt_leeway_s", (json_int_t)cfg->jwt_leeway_s,
                         "roles_claim", cfg->roles_claim,
                         "email_claim", cfg->email_claim,
                         "people_url", cfg->people_url,
                         "phases_url", cfg->phases_url,
                         "mentoring_url", cfg->mentoring_url,
                         "strategy_url", cfg->strategy_url,
                         "client_timeout_ms", (json_int_t)cfg->client_timeout_ms,
                         "admission_ttl_ms", (json_int_t)cfg->admission_ttl_ms,
                         "admission_cache_size", (json_int_t)cfg->admission_cache_size);
}

/* The whole configuration as a JSON object, secrets masked.  New reference. */
static json_t *
config_json(const struct config *cfg)
{
        json_t *j_cfg = config_json_base(cfg);
        json_t *j_more = json_pack("{s:s, s:s?, s:s?, s:I, s:I, s:s?, s:s, s:s?, s:s?, s:b,"
                                   " s:s, s:s?}",
                                   "subject_claim", cfg->subject_claim,
                                   "role_map", cfg->role_map,
                                   "oidc_issuer", cfg->oidc_issuer,
                                   "jwks_refetch_s", (json_int_t)cfg->jwks_refetch_s,
                                   "jwks_refresh_s", (json_int_t)cfg->jwks_refresh_s,
                                   "oidc_client_id", cfg->oidc_client_id,
                                   "oidc_client_secret",
                                   cfg->oidc_client_secret != NULL ? CONFIG_MASK : "(unset)",
                                   "oidc_scope", cfg->oidc_scope,
                                   "oidc_resource", cfg->oidc_resource,
                                   "jit_provisioning", cfg->jit_provisioning,
                                   "scim_token", cfg->scim_token != NULL ? CONFIG_MASK : "(unset)",
                                   "scim_client_ids", cfg->scim_client_ids);

        if (j_more != NULL)
                json_object_set_new(j_more, "events_retention_days",
                                    json_integer((json_int_t)cfg->events_retention_days));
        if (j_cfg == NULL || j_more == NULL || json_object_update(j_cfg, j_more) != 0) {
                json_decref(j_cfg);
                j_cfg = NULL;
        }
        json_decref(j_more);
        return j_cfg;
}

void
config_log(const struct config *cfg)
{
        json_t *j_cfg;

        if (cfg == NULL)
                return;
        j_cfg = config_json(cfg);
        if (j_cfg == NULL) {
                log_error("cannot render the configuration");
                return;
        }
        log_record(LOG_INFO, "config", "config", j_cfg);
        json_decref(j_cfg);
}

/* ---- masking passwords in connection strings ---------------------------- */

/* A writer into a fixed buffer that truncates and always stays terminated. */
struct trunc {
        char *p;
        size_t len, cap;
};

static void
trunc_put(struct trunc *w, const char *s, size_t n)
{
        size_t room = w->cap - 1 - w->len;

        if (n > room)
                n = room;
        memcpy(w->p + w->len, s, n);
        w->len += n;
        w->p[w->len] = '\0';
}

static void
trunc_puts(struct trunc *w, const char *s)
{
        trunc_put(w, s, strlen(s));
}

/* URL query: every "password=" parameter's value becomes the mask. */
static void
mask_query(struct trunc *w, const char *s)
{
        size_t n;

        while (*s != '\0') {
                n = strcspn(s, "&#");
                if (strncmp(s, "password=", 9) == 0 && n >= 9) {
                        trunc_put(w, s, 9);
                        trunc_puts(w, CONFIG_MASK);
                } else {
                        trunc_put(w, s, n);
                }
                s += n;
                if (*s == '#') {
                        trunc_puts(w, s);
                        return;
                }
                if (*s == '&')
                        trunc_put(w, s++, 1);
        }
}

/* postgresql://user:pw@host/db?password=pw */
static void
mask_uri(struct trunc *w, const char *url)
{
        const char *auth = strstr(url, "://") + 3;
        const char *auth_end = auth + strcspn(auth, "/?#");
        const char *at = memrchr(auth, '@', (size_t)(auth_end - auth));
        const char *colon = at != NULL ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        const char *query;

        if (colon != NULL) {
                trunc_put(w, url, (size_t)(colon + 1 - url));
                trunc_puts(w, CONFIG_MASK);
                url = at;
        }
        query = strchr(auth_end, '?');
        if (query == NULL) {
                trunc_puts(w, url);
                return;
        }
        trunc_put(w, url, (size_t)(query + 1 - url));
        mask_query(w, query + 1);
}

/* Length of a keyword value: quoted ('a b\'c') or up to the next blank. */
static size_t
keyword_value_len(const char *s)
{
        size_t i = 1;

        if (s[0] != '\'')
                return strcspn(s, " \t\n\r");
        while (s[i] != '\0' && s[i] != '\'') {
                if (s[i] == '\\' && s[i + 1] != '\0')
                        i++;
                i++;
        }
        return s[i] == '\'' ? i + 1 : i;
}

/* host=db password = 'se cret' dbname=x */
static void
mask_keywords(struct trunc *w, const char *s)
{
        size_t n;
        int secret;

        while (*s != '\0') {
                n = strspn(s, " \t\n\r");
                trunc_put(w, s, n);
                s += n;
                n = strcspn(s, " \t\n\r=");
                secret = n == 8 && strncmp(s, "password", 8) == 0;
                trunc_put(w, s, n);
                s += n;
                n = strspn(s, " \t\n\r=");
                trunc_put(w, s, n);
                s += n;
                n = keyword_value_len(s);
                if (secret)
                        trunc_puts(w, CONFIG_MASK);
                else
                        trunc_put(w, s, n);
                s += n;
        }
}

void
config_mask_url(const char *url, char *out, size_t outlen)
{
        struct trunc w = { out, 0, outlen };

        if (out == NULL || outlen == 0)
                return;
        out[0] = '\0';
        if (url == NULL)
                return;
        if (strstr(url, "://") != NULL)
                mask_uri(&w, url);
        else
                mask_keywords(&w, url);
}
