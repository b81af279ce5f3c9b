/*
 * auth.h - bearer token verification.
 *
 * Signatures are checked with OpenSSL, never by trusting the token's header:
 * the accepted algorithm comes from configuration and must agree with the
 * key's type.  HS256 uses a shared secret; RS256 and ES256 use public keys
 * from a JWKS file or an OpenID Connect provider (jwks.h), chosen by "kid",
 * or the only key when there is one.  Who the caller is comes from the
 * configured subject, email and roles claims; provider group names become
 * Tandem roles through the role map (claims.h).  The SCIM client is
 * recognised by its static token or its OAuth client id.
 * Tokens with typ "JWT", "at+jwt", "application/at+jwt" (any case) or no typ
 * are accepted.  exp is required;
 * exp, nbf, iss and aud are checked with the configured leeway.
 */
#ifndef TANDEM_AUTH_H
#define TANDEM_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <jansson.h>
#include "config.h"

enum role {
        ROLE_ADMIN = 1u << 0,
        ROLE_MENTOR = 1u << 1,
        ROLE_PARTNER = 1u << 2,
        ROLE_COMMS = 1u << 3,
        ROLE_VIEWER = 1u << 4,
        ROLE_SERVICE = 1u << 5,
        /* the SCIM provisioning client: granted only by auth itself, never by name */
        ROLE_SCIM = 1u << 6,
};

/* Returns the ROLE_* bit for a role name ("admin", ...), 0 if unknown. */
unsigned role_from_name(const char *name);

/* Returns the name of a single ROLE_* bit, NULL if not exactly one known bit. */
const char *role_name(unsigned role);

struct principal {
        char subject[256];       /* the configured subject claim ("sub") */
        char email[256];         /* the configured email claim, "" if absent */
        unsigned roles;          /* ROLE_* bits from the configured roles claim */
        json_t *j_claims;        /* the whole claim set; owned */
};

#define PRINCIPAL_INIT { "", "", 0, NULL }

void principal_release(struct principal *who);

struct auth_verifier;

/*
 * Builds a verifier from @cfg (jwt_alg, jwt_secret, jwks_file or oidc_issuer,
 * issuer, audience, leeway, the claims, the role map, the SCIM client).
 * Refuses an empty or short secret, a missing or unreadable JWKS file, a
 * JWKS without a key usable for the configured algorithm, a provider whose
 * answer does not fit the configuration, a bad role map: writes why into
 * @err and returns ST_INVALID.  A provider that cannot be reached does not
 * stop it (see jwks.h).  On success stores a new verifier in *@out and
 * returns ST_OK.
 */
int auth_verifier_new(const struct config *cfg, struct auth_verifier **out,
                      char *err, size_t errlen);

void auth_verifier_free(struct auth_verifier *v);

/* False while a verifier for RS256/ES256 holds no key yet (provider down at start). */
bool auth_verifier_ready(const struct auth_verifier *v);

/*
 * Copies the OpenID Connect provider's token endpoint into @out.  Returns
 * ST_OK, or ST_NOT_FOUND when there is no provider or it is not known yet.
 */
int auth_token_endpoint(const struct auth_verifier *v, char *out, size_t outlen);

/*
 * Verifies the compact JWS @token at time @now.  On success overwrites @who
 * (release any earlier one first) and returns ST_OK; on failure @who is
 * untouched.  Otherwise returns ST_UNAUTHENTICATED and writes a short,
 * safe reason (never the token) into @why, e.g. "token expired".
 */
int auth_verify(const struct auth_verifier *v, const char *token, time_t now,
                struct principal *who, char *why, size_t whylen);

/*
 * Extracts the token from an "Authorization: Bearer <token>" header value.
 * Returns a pointer into @header, or NULL when it is not a bearer header.
 */
const char *auth_bearer_token(const char *header);

/*
 * Signs a token with HS256 over @j_claims (borrowed) with @secret.  Used for
 * service-to-service calls, the demo token of `make run` and tests.  Returns
 * a new malloc'd string, NULL for an empty secret, claims that are not an
 * object, or out of memory.
 */
char *auth_sign_hs256(const json_t *j_claims, const char *secret, const char *kid);

#endif
