/*
 * names.c - what comms may read of people: the names of the partners whose
 * integrations they review.  Those partners come from the strategy service's
 * tandem.strategy.integration.created events, followed into
 * integration_partner (GET /v1/people/names reads it).
 */
#include "follower.h"
#include "people.h"
#include "status.h"

static int
apply_integration(PGconn *c, const struct follower_event *ev, void *arg)
{
        const char *partner = json_string_value(json_object_get(ev->data, "partner_id"));

        (void)arg;
        if (partner == NULL || !uuid_valid(partner))
                return ST_INVALID;      /* never applicable: logged and skipped */
        return people_db_integration_partner(c, partner);
}

int
people_follow_integrations(struct service *svc)
{
        return follower_start(svc, &(struct follower_spec){
                .name = "strategy-integrations", .producer_url = svc->cfg.strategy_url,
                .types = "tandem.strategy.integration.created", .apply = apply_integration });
}
