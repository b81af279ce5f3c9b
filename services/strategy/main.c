/*
 * main.c - the strategy service: start-up and shutdown only.
 */
#include "status.h"
#include "strategy.h"

int
main(void)
{
        struct service svc;
        struct access_people people = { NULL, NULL };

        service_init(&svc, "strategy", STRATEGY_DEFAULT_PORT, strategy_migrations, strategy_stmts);
        if (access_follow_people(&svc, &people) != ST_OK)
                return 1;
        return service_run(&svc, strategy_routes);
}
