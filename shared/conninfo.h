/*
 * conninfo.h - the libpq connection parameters of a pool: what the operator
 * wrote in TANDEM_DATABASE_URL, and the service's defaults for what it did not.
 *
 * The URL always wins.  The service adds application_name, connect_timeout,
 * TCP keepalives and tcp_user_timeout only when the URL does not set them,
 * and puts its own server settings (search_path, TimeZone, statement_timeout,
 * idle_in_transaction_session_timeout) in front of the URL's `options`, so
 * that a `-c` the URL gives for the same setting comes later and wins.
 */
#ifndef TANDEM_CONNINFO_H
#define TANDEM_CONNINFO_H

#include <stddef.h>
#include <libpq-fe.h>

/* A statement's deadline when the configuration gives none. */
#define DB_STATEMENT_MS 5000

/* What a pool is opened with. */
struct db_settings {
        const char *conninfo;        /* TANDEM_DATABASE_URL: URI or key=value */
        const char *schema;          /* the service's schema (search_path) */
        unsigned size;               /* connections */
        unsigned checkout_ms;        /* wait for a free connection */
        unsigned statement_ms;       /* each statement's deadline; 0: DB_STATEMENT_MS */
        unsigned max_busy;           /* threads in the pool at once before it checks for
                                      * a stall (see db.h); 0: no check */
};

#define DB_CONNINFO_MAX 64

struct db_conninfo {
        const char *keys[DB_CONNINFO_MAX + 1];   /* NULL-terminated */
        const char *vals[DB_CONNINFO_MAX + 1];
        PQconninfoOption *parsed;    /* owns the URL's values */
        char options[1024];
        char appname[64];
        char statement[16], idle[16];
};

/*
 * Fills @out from @set.  Returns ST_OK, or ST_INVALID with the reason in @err
 * when the URL cannot be parsed or is too long.  Release with
 * db_conninfo_release even on failure.
 */
int db_conninfo_build(const struct db_settings *set, struct db_conninfo *out, char *err,
                      size_t errlen);

/* The value of keyword @key in @ci, or NULL.  Borrowed. */
const char *db_conninfo_get(const struct db_conninfo *ci, const char *key);

/* Frees what @ci owns.  Accepts NULL. */
void db_conninfo_release(struct db_conninfo *ci);

#endif
