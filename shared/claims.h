/*
 * claims.h - what a verified token's claims mean to Tandem: the claim found
 * by a (possibly nested) name, the map from the identity provider's group or
 * role names to Tandem roles, and lists of client ids.  Pure: no I/O.
 */
#ifndef TANDEM_CLAIMS_H
#define TANDEM_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#define ROLE_MAP_MAX 64
#define CLAIM_NAME_MAX 256

/*
 * Returns the claim @name of @j_claims (borrowed): the member of that exact
 * name, else, for a dotted name such as "realm_access.roles", the member
 * reached by following the dots.  NULL when there is none.
 */
const json_t *claim_get(const json_t *j_claims, const char *name);

struct role_map_entry {
        char *name;              /* the provider's group or role name */
        unsigned roles;          /* ROLE_* bits it grants */
};

struct role_map {
        struct role_map_entry *e;
        size_t n;
};

#define ROLE_MAP_INIT { NULL, 0 }

/*
 * Parses "Tandem-Admins=admin,Mentors=mentor, Partners = partner" into @map
 * (names trimmed; one name may be listed for several roles).  The Tandem role
 * must be admin, mentor, partner, comms, viewer or service.  On a fault writes
 * "TANDEM_ROLE_MAP: why" into @err and returns ST_INVALID; ST_NOMEM.
 */
int role_map_parse(const char *spec, struct role_map *map, char *err, size_t errlen);

void role_map_release(struct role_map *map);

/*
 * The ROLE_* bits a roles claim grants: an array of names, or one string of
 * space-separated names.  With an empty @map the names are Tandem's own role
 * names; with a map only the names it lists count.  Unknown names are ignored.
 */
unsigned claim_roles(const json_t *j_roles, const struct role_map *map);

/*
 * True when @id is one of the comma-separated ids in @list (blanks around an
 * id are ignored).  False for NULL or empty arguments.
 */
bool id_in_list(const char *list, const char *id);

/*
 * The OAuth client a token was issued to: the first string among azp,
 * client_id and appid (Entra ID v1); NULL when none (borrowed).
 */
const char *claim_client_id(const json_t *j_claims);

#endif
