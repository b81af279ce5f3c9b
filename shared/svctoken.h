/*
 * svctoken.h - the bearer token a service sends when it calls another on its
 * own behalf, with no user token to forward.
 *
 * With an OpenID Connect provider and TANDEM_OIDC_CLIENT_ID/SECRET, it is an
 * access token from the provider's client credentials grant (scope
 * TANDEM_OIDC_SCOPE, resource TANDEM_OIDC_RESOURCE), cached until a minute
 * before it expires; the provider's role mapping (for one, an app role the
 * role map turns into "service") says what it may do.  In local runs (HS256)
 * it is minted with the shared secret: subject "service:<name>", role
 * service, five minutes.  Safe to use from many threads.
 */
#ifndef TANDEM_SVCTOKEN_H
#define TANDEM_SVCTOKEN_H

#include <stddef.h>
#include "auth.h"
#include "config.h"

struct service_token;

/*
 * Sets up the token source for @cfg; @v (borrowed, must outlive it) knows
 * the provider's token endpoint.  ST_NOT_FOUND when this configuration has
 * no way to authenticate as itself (RS256/ES256 without a client); ST_NOMEM.
 */
int service_token_new(const struct config *cfg, const struct auth_verifier *v,
                      struct service_token **out);

void service_token_free(struct service_token *st);

/*
 * Copies a current token into *@out (malloc'd; the caller frees it).
 * Returns ST_OK, ST_UNAVAILABLE when the provider does not issue one now
 * (why is logged, never the secret), ST_NOMEM.
 */
int service_token_get(struct service_token *st, char **out);

#endif
