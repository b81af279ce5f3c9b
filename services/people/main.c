/*
 * main.c - the people service: start-up and shutdown only.
 */
#include "people.h"

int
main(void)
{
        struct service svc;

        service_init(&svc, "people", PEOPLE_DEFAULT_PORT, people_migrations, people_stmts);
        return service_run(&svc, people_routes);
}
