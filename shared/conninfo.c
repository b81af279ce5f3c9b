/*
 * conninfo.c - libpq connection parameters: the URL's settings, then the
 * service's defaults for what the URL leaves out.
 */
#include <stdio.h>
#include <string.h>

#include "conninfo.h"
#include "status.h"

/* Added only when the URL does not say: a dead peer is noticed within seconds. */
static const char *const conn_defaults[][2] = {
        { "connect_timeout", "3" },      /* per host of a multi-host URL */
        { "keepalives", "1" },
        { "keepalives_idle", "10" },
        { "keepalives_interval", "5" },
        { "keepalives_count", "3" },
        { "tcp_user_timeout", "10000" },
};

static int
conninfo_add(struct db_conninfo *ci, size_t *n, const char *key, const char *val)
{
        if (*n >= DB_CONNINFO_MAX)
                return ST_INVALID;
        ci->keys[*n] = key;
        ci->vals[*n] = val;
        (*n)++;
        ci->keys[*n] = ci->vals[*n] = NULL;
        return ST_OK;
}

const char *
db_conninfo_get(const struct db_conninfo *ci, const char *key)
{
        for (size_t i = 0; ci->keys[i] != NULL; i++)
                if (strcmp(ci->keys[i], key) == 0)
                        return ci->vals[i];
        return NULL;
}

/* The service's server settings, then the URL's own `options` (later -c wins). */
static int
conninfo_options(const struct db_settings *set, struct db_conninfo *ci, const char *url_options)
{
        unsigned ms = set->statement_ms != 0 ? set->statement_ms : DB_STATEMENT_MS;
        int n;

        snprintf(ci->statement, sizeof(ci->statement), "%u", ms);
        snprintf(ci->idle, sizeof(ci->idle), "%u", 2 * ms);
        n = snprintf(ci->options, sizeof(ci->options),
                     "-c search_path=%s -c TimeZone=UTC -c statement_timeout=%s"
                     " -c idle_in_transaction_session_timeout=%s%s%s", set->schema,
                     ci->statement, ci->idle, url_options != NULL ? " " : "",
                     url_options != NULL ? url_options : "");
        return n > 0 && (size_t)n < sizeof(ci->options) ? ST_OK : ST_INVALID;
}

int
db_conninfo_build(const struct db_settings *set, struct db_conninfo *ci, char *err,
                  size_t errlen)
{
        const char *url_options = NULL;
        char *msg = NULL;
        size_t n = 0;
        int rc = ST_OK;

        memset(ci, 0, sizeof(*ci));
        ci->parsed = PQconninfoParse(set->conninfo, &msg);
        if (ci->parsed == NULL) {
                snprintf(err, errlen, "cannot parse: %s", msg != NULL ? msg : "out of memory");
                PQfreemem(msg);
                return ST_INVALID;
        }
        for (PQconninfoOption *o = ci->parsed; o->keyword != NULL && rc == ST_OK; o++) {
                if (o->val == NULL || o->val[0] == '\0')
                        continue;
                if (strcmp(o->keyword, "options") == 0)
                        url_options = o->val;
                else
                        rc = conninfo_add(ci, &n, o->keyword, o->val);
        }
        if (db_conninfo_get(ci, "application_name") == NULL) {
                snprintf(ci->appname, sizeof(ci->appname), "tandem-%s", set->schema);
                rc = rc == ST_OK ? conninfo_add(ci, &n, "application_name", ci->appname) : rc;
        }
        for (size_t i = 0; i < sizeof(conn_defaults) / sizeof(conn_defaults[0]); i++)
                if (rc == ST_OK && db_conninfo_get(ci, conn_defaults[i][0]) == NULL)
                        rc = conninfo_add(ci, &n, conn_defaults[i][0], conn_defaults[i][1]);
        if (rc == ST_OK)
                rc = conninfo_options(set, ci, url_options);
        if (rc == ST_OK)
                rc = conninfo_add(ci, &n, "options", ci->options);
        if (rc != ST_OK)
                snprintf(err, errlen, "too many settings or options too long");
        return rc;
}

void
db_conninfo_release(struct db_conninfo *ci)
{
        if (ci == NULL)
                return;
        PQconninfoFree(ci->parsed);
        ci->parsed = NULL;
}
