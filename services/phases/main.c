/*
 * main.c - the phases service: start-up and shutdown only.
 */
#include "phases.h"

int
main(void)
{
        struct service svc;

        service_init(&svc, "phases", PHASES_DEFAULT_PORT, phases_migrations, phases_stmts);
        return service_run(&svc, phases_routes);
}
