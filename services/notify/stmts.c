/*
 * stmts.c - notify's statement tables joined into the one the pool prepares
 * on every connection: a new part of the service adds its table here.
 */
#include <stdlib.h>

#include "notify.h"
#include "nudge.h"

static const struct db_stmt *const tables[] = { notify_stmts, nudge_stmts, NULL };

static size_t
table_len(const struct db_stmt *t)
{
        size_t n = 0;

        while (t[n].name != NULL)
                n++;
        return n;
}

const struct db_stmt *
notify_stmts_all(void)
{
        struct db_stmt *all;
        size_t n = 0, k = 0;

        for (size_t i = 0; tables[i] != NULL; i++)
                n += table_len(tables[i]);
        all = calloc(n + 1, sizeof(*all));    /* lives as long as the process */
        if (all == NULL)
                return NULL;
        for (size_t i = 0; tables[i] != NULL; i++)
                for (size_t j = 0; tables[i][j].name != NULL; j++)
                        all[k++] = tables[i][j];
        return all;
}
