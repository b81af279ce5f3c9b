/*
 * identity.h - who the caller is, as the people service knows them.
 *
 * Every service but people owns no people: it asks the people service over
 * REST, forwarding the caller's own token and request id, so that the people
 * service's access rules apply to what is returned.  Answers are kept for the
 * rest of the request, so a handler may ask twice for the price of once, and
 * /v1/me answers also in the service's admission cache (admcache.h) for
 * TANDEM_ADMISSION_TTL_MS, so that a caller seen a moment ago costs no call.
 */
#ifndef TANDEM_IDENTITY_H
#define TANDEM_IDENTITY_H

#include <stdbool.h>
#include <jansson.h>
#include "http.h"

/*
 * The caller's person id (GET /v1/me): ST_OK with @out filled, or with @out
 * "" when no person is linked to the token.  ST_FORBIDDEN (access-withdrawn)
 * when the person has left, e.g. deprovisioned over SCIM: a service that asks
 * who the caller is refuses them too.  ST_UNAVAILABLE when the people
 * service does not answer.
 */
int identity_me(struct request *rq, char out[UUID_STR_LEN]);

/*
 * Whether the caller is the active mentor of @partner_id (GET /v1/pairings
 * with mentor_id = the caller, partner_id, status=active).  ST_OK and *@yes,
 * or ST_UNAVAILABLE.
 */
int identity_mentors(struct request *rq, const char *partner_id, bool *yes);

/*
 * The person @person_id (GET /v1/people/{id}) as the caller may see it:
 * ST_OK with a new reference in *@out; ST_NOT_FOUND; ST_FORBIDDEN when the
 * caller may not see that person; ST_UNAVAILABLE when people does not answer.
 */
int identity_person(struct request *rq, const char *person_id, json_t **out);

/*
 * The pairing @pairing_id (GET /v1/pairings/{id}) as the caller may see it:
 * ST_OK with a new reference in *@out; ST_NOT_FOUND; ST_FORBIDDEN when the
 * caller is not in it (the people service answers so for a pairing it does
 * not show them, whether or not it exists); ST_UNAVAILABLE.
 */
int identity_pairing(struct request *rq, const char *pairing_id, json_t **out);

/* True when @j_person (borrowed) lists @role in its roles and is active. */
bool identity_has_role(const json_t *j_person, const char *role);

#endif
