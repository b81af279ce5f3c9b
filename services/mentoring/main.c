/*
 * main.c - the mentoring service: start-up and shutdown only.
 */
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "mentoring.h"
#include "status.h"

static const char *
env_get(const char *name)
{
        return getenv(name);
}

int
main(void)
{
        struct mentoring_app app;
        struct service svc;
        struct access_people people = { mentoring_person_gone, NULL };
        char err[256];

        if (mentoring_config(&app, env_get, err, sizeof(err)) != ST_OK) {
                fprintf(stderr, "tandem: configuration: %s\n", err);
                return 1;
        }
        service_init(&svc, "mentoring", MENTORING_DEFAULT_PORT, mentoring_migrations,
                     mentoring_stmts);
        svc.app = &app;
        if (access_follow_people(&svc, &people) != ST_OK)
                return 1;
        log_info("write-up due after %d day(s) (TANDEM_WRITE_UP_DAYS)", app.write_up_days);
        return service_run(&svc, mentoring_routes);
}
