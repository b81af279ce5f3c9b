/*
 * migrate.h - numbered schema migrations, applied at start.
 *
 * Each service owns one schema and a list of migrations compiled into its
 * binary (tools/embed-sql.sh).  migrate_apply() takes a PostgreSQL advisory
 * lock per schema, so replicas starting together never race, applies what is
 * missing, each in its own transaction, and records it in
 * SCHEMA.schema_migrations.  It refuses a schema newer than the binary knows.
 */
#ifndef TANDEM_MIGRATE_H
#define TANDEM_MIGRATE_H

struct migration {
        int version;
        const char *name;
        const char *sql;
};

/*
 * Applies @migs (ended by { 0, NULL, NULL }) to @schema over @conninfo.
 * Returns ST_OK, ST_CONFLICT when the database holds a newer version than
 * @migs knows, ST_UNAVAILABLE when unreachable, ST_INTERNAL when a migration
 * fails (rolled back).  Writes a reason into @err.
 */
int migrate_apply(const char *conninfo, const char *schema, const struct migration *migs,
                  char *err, unsigned long errlen);

/* Returns the highest version in @migs. */
int migrate_latest(const struct migration *migs);

#endif
