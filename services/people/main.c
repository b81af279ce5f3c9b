/*
 * main.c - the people service: start-up and shutdown only.
 */
#include <stdio.h>
#include <stdlib.h>

#include "claims.h"
#include "scim.h"
#include "status.h"

#define STMTS_MAX 96

/* The people and SCIM statement tables as one, for the pool. */
static void
stmts_join(struct db_stmt *out, size_t cap)
{
        size_t n = 0;

        for (size_t i = 0; people_stmts[i].name != NULL && n + 1 < cap; i++)
                out[n++] = people_stmts[i];
        for (size_t i = 0; scim_stmts[i].name != NULL && n + 1 < cap; i++)
                out[n++] = scim_stmts[i];
        out[n] = (struct db_stmt){ NULL, NULL };
}

int
main(void)
{
        static struct db_stmt stmts[STMTS_MAX];
        struct role_map role_map = ROLE_MAP_INIT;
        struct service svc;
        char err[256];
        int rc;

        stmts_join(stmts, STMTS_MAX);
        service_init(&svc, "people", PEOPLE_DEFAULT_PORT, people_migrations, stmts);
        /* SCIM Groups are found by the provider's names too (checked by auth at start) */
        if (role_map_parse(svc.cfg.role_map, &role_map, err, sizeof(err)) != ST_OK) {
                fprintf(stderr, "tandem: %s\n", err);
                return 1;
        }
        svc.app = &role_map;
        svc.admit = people_admit;
        if (people_follow_erasures(&svc) != ST_OK || people_follow_integrations(&svc) != ST_OK)
                return 1;
        service_error_renderer(&svc, "/scim/", scim_render_error);
        rc = service_run(&svc, people_routes);
        role_map_release(&role_map);
        return rc;
}
