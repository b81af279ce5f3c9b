/*
 * access_db.h - the withdrawn subjects table of access.h, for the low layers
 * that create it (migrate.c, in every schema) and prepare its statements
 * (db.c, on every pooled connection).
 */
#ifndef TANDEM_ACCESS_DB_H
#define TANDEM_ACCESS_DB_H

#include "db.h"

/* CREATE TABLE IF NOT EXISTS access_withdrawn and its indexes. */
extern const char access_sql[];

extern const struct db_stmt access_stmts[];

#endif
