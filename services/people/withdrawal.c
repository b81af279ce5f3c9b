/*
 * withdrawal.c - the person events that make leaving take effect everywhere
 * (access.h): phases, mentoring and strategy follow them into their own
 * table of withdrawn subjects.  A person is named there by the digests of
 * their token subject and e-mail, never by the values themselves.
 */
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "people.h"
#include "status.h"

/* The names of the ROLE_* bits in @bits as a new JSON array. */
static json_t *
role_names(unsigned bits)
{
        json_t *j_out = json_array();

        for (unsigned bit = 1; j_out != NULL && bit <= ROLE_VIEWER; bit <<= 1)
                if (bits & bit)
                        json_array_append_new(j_out, json_string(role_name(bit)));
        return j_out;
}

static const char *
or_null(const char *s)
{
        return s[0] != '\0' ? s : NULL;
}

/* Emits tandem.people.person.<verb> with the digests, @reason and the roles changed. */
static int
emit(PGconn *c, struct request *rq, const char *id, const char *verb,
     const struct person_access *who, const char *reason, unsigned removed, unsigned added)
{
        char type[64];
        json_t *j_data = json_pack("{s:s?, s:s?, s:s}", "subject_sha256",
                                   or_null(who->subject_sha256), "email_sha256",
                                   or_null(who->email_sha256), "reason", reason);
        int rc;

        if (j_data != NULL && (removed | added) != 0) {
                json_object_set_new(j_data, "roles_removed", role_names(removed));
                json_object_set_new(j_data, "roles_added", role_names(added));
        }
        if (j_data == NULL)
                return ST_NOMEM;
        snprintf(type, sizeof(type), "tandem.people.person.%s", verb);
        rc = outbox_emit4(c, rq, type, id, id, 0, j_data);
        json_decref(j_data);
        return rc;
}

int
people_access_changed(PGconn *c, struct request *rq, const char *id,
                      const struct person_access *was, const struct person_access *now,
                      const char *reason)
{
        unsigned removed = was->roles & ~now->roles, added = now->roles & ~was->roles;
        int rc = ST_OK;

        if (!was->left && now->left) {
                rc = emit(c, rq, id, "left", now, reason, 0, 0);
                if (rc == ST_OK)
                        rc = people_db_end_pairings(c, id, strcmp(reason, "deactivated") == 0
                                                    ? "deprovisioned over SCIM"
                                                    : "left the programme");
        } else if (was->left && !now->left) {
                rc = emit(c, rq, id, "reinstated", now, "reinstated", 0, 0);
        }
        if (rc == ST_OK && (removed | added) != 0)
                rc = emit(c, rq, id, "roles_changed", now, "roles changed", removed, added);
        return rc;
}

int
people_access_erased(PGconn *c, struct request *rq, const char *id,
                     const struct person_access *was)
{
        return emit(c, rq, id, "erased", was, "erased", 0, 0);
}
