/*
 * main.c - the phases service: start-up and shutdown only.
 */
#include "phases.h"
#include "status.h"

int
main(void)
{
        struct service svc;
        struct access_people people = { NULL, NULL };

        service_init(&svc, "phases", PHASES_DEFAULT_PORT, phases_migrations, phases_stmts);
        if (phases_follow(&svc) != ST_OK || access_follow_people(&svc, &people) != ST_OK)
                return 1;
        return service_run(&svc, phases_routes);
}
