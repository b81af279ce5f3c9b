/*
 * main.c - the strategy service: start-up and shutdown only.
 */
#include "strategy.h"

int
main(void)
{
        struct service svc;

        service_init(&svc, "strategy", STRATEGY_DEFAULT_PORT, strategy_migrations, strategy_stmts);
        return service_run(&svc, strategy_routes);
}
