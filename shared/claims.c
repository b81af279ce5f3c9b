/*
 * claims.c - claim lookup, role maps and client id lists (see claims.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "claims.h"
#include "status.h"

#define ROLE_NAME_MAX 16

const json_t *
claim_get(const json_t *j_claims, const char *name)
{
        const json_t *j = json_object_get(j_claims, name);
        char part[CLAIM_NAME_MAX];
        size_t n;

        if (j || !name || !strchr(name, '.'))
                return j;
        j = j_claims;
        while (j && *name) {
                n = strcspn(name, ".");
                if (n == 0 || n >= sizeof(part))
                        return NULL;
                memcpy(part, name, n);
                part[n] = '\0';
                j = json_object_get(j, part);
                name += n;
                name += *name == '.';
        }
        return j;
}

void
role_map_release(struct role_map *map)
{
        if (!map)
                return;
        for (size_t i = 0; i < map->n; i++)
                free(map->e[i].name);
        free(map->e);
        map->e = NULL;
        map->n = 0;
}

/* Copies @s[0..@n) without blanks at either end into a new string. */
static char *
dup_trimmed(const char *s, size_t n)
{
        char *out;

        while (n > 0 && (*s == ' ' || *s == '\t')) {
                s++;
                n--;
        }
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                n--;
        out = malloc(n + 1);
        if (out) {
                memcpy(out, s, n);
                out[n] = '\0';
        }
        return out;
}

/* Parses one "name=role" of @len bytes at @s into @e. */
static int
entry_parse(const char *s, size_t len, struct role_map_entry *e, char *err, size_t errlen)
{
        const char *eq = memchr(s, '=', len);
        char *role = NULL;
        int rc = ST_INVALID;

        if (!eq) {
                snprintf(err, errlen, "TANDEM_ROLE_MAP: \"%.*s\" is not NAME=ROLE", (int)len, s);
                return rc;
        }
        e->name = dup_trimmed(s, (size_t)(eq - s));
        role = dup_trimmed(eq + 1, len - (size_t)(eq + 1 - s));
        if (!e->name || !role) {
                rc = ST_NOMEM;
                goto out;
        }
        e->roles = role_from_name(role);
        if (e->name[0] == '\0' || strlen(e->name) >= CLAIM_NAME_MAX)
                snprintf(err, errlen, "TANDEM_ROLE_MAP: a group name must be 1 to %d bytes",
                         CLAIM_NAME_MAX - 1);
        else if (e->roles == 0)
                snprintf(err, errlen, "TANDEM_ROLE_MAP: \"%s\" is not a Tandem role (admin,"
                         " mentor, partner, comms, viewer, service)", role);
        else
                rc = ST_OK;
out:
        free(role);
        return rc;
}

int
role_map_parse(const char *spec, struct role_map *map, char *err, size_t errlen)
{
        struct role_map m = ROLE_MAP_INIT;
        size_t len;
        int rc = ST_NOMEM;

        m.e = calloc(ROLE_MAP_MAX, sizeof(*m.e));
        if (!m.e)
                goto out;
        for (rc = ST_OK; spec && *spec && rc == ST_OK; spec += len + (spec[len] == ',')) {
                len = strcspn(spec, ",");
                if (m.n == ROLE_MAP_MAX) {
                        snprintf(err, errlen, "TANDEM_ROLE_MAP: at most %d entries", ROLE_MAP_MAX);
                        rc = ST_INVALID;
                } else if (len > 0) {
                        rc = entry_parse(spec, len, &m.e[m.n++], err, errlen);
                }
        }
        if (rc == ST_OK) {
                *map = m;
                m.e = NULL;
                m.n = 0;
        }
out:
        role_map_release(&m);
        return rc;
}

/* The ROLE_* bits one provider name grants. */
static unsigned
name_roles(const char *name, size_t len, const struct role_map *map)
{
        char buf[ROLE_NAME_MAX];
        unsigned roles = 0;

        if (!map || map->n == 0) {
                if (len == 0 || len >= sizeof(buf))
                        return 0;
                memcpy(buf, name, len);
                buf[len] = '\0';
                return role_from_name(buf);
        }
        for (size_t i = 0; i < map->n; i++)
                if (strlen(map->e[i].name) == len && memcmp(map->e[i].name, name, len) == 0)
                        roles |= map->e[i].roles;
        return roles;
}

/* The bits of the names in the space-separated list @s. */
static unsigned
string_roles(const char *s, const struct role_map *map)
{
        unsigned roles = 0;
        size_t len;

        while (*s) {
                len = strcspn(s, " ");
                roles |= name_roles(s, len, map);
                s += len;
                s += strspn(s, " ");
        }
        return roles;
}

unsigned
claim_roles(const json_t *j_roles, const struct role_map *map)
{
        const json_t *j_item;
        const char *s;
        unsigned roles = 0;
        size_t i;

        if (json_is_string(j_roles))
                return string_roles(json_string_value(j_roles), map);
        json_array_foreach(j_roles, i, j_item) {
                s = json_string_value(j_item);
                if (s && strlen(s) == json_string_length(j_item))
                        roles |= name_roles(s, strlen(s), map);
        }
        return roles;
}

bool
id_in_list(const char *list, const char *id)
{
        size_t idlen = id ? strlen(id) : 0, len, lead;

        if (!list || idlen == 0)
                return false;
        while (*list) {
                len = strcspn(list, ",");
                lead = strspn(list, " \t");
                lead = lead < len ? lead : len;
                while (len > lead && (list[len - 1] == ' ' || list[len - 1] == '\t'))
                        len--;
                if (len - lead == idlen && memcmp(list + lead, id, idlen) == 0)
                        return true;
                list += strcspn(list, ",");
                list += *list == ',';
        }
        return false;
}

const char *
claim_client_id(const json_t *j_claims)
{
        static const char *const names[] = { "azp", "client_id", "appid" };
        const char *s;

        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                s = json_string_value(json_object_get(j_claims, names[i]));
                if (s && *s)
                        return s;
        }
        return NULL;
}
