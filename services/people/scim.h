/*
 * scim.h - SCIM 2.0 (RFC 7643, RFC 7644) on the people service: Users are
 * persons, Groups are Tandem's roles.
 *
 * scim_json.c turns SCIM requests into a flat person ({user_name,
 * external_id, given_name, family_name, display_name, email, title,
 * business_unit, timezone, active}) and back; it is pure and unit-tested.
 * scim_db.c holds the SQL, http_scim.c the handlers.
 */
#ifndef TANDEM_SCIM_H
#define TANDEM_SCIM_H

#include <stdbool.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "people.h"
#include "problem.h"

#define SCIM_CONTENT_TYPE "application/scim+json"
#define SCIM_USER_SCHEMA "urn:ietf:params:scim:schemas:core:2.0:User"
#define SCIM_GROUP_SCHEMA "urn:ietf:params:scim:schemas:core:2.0:Group"
#define SCIM_ENTERPRISE_SCHEMA "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define SCIM_LIST_SCHEMA "urn:ietf:params:scim:api:messages:2.0:ListResponse"
#define SCIM_PATCH_SCHEMA "urn:ietf:params:scim:api:messages:2.0:PatchOp"
#define SCIM_ERROR_SCHEMA "urn:ietf:params:scim:api:messages:2.0:Error"
#define SCIM_MAX_RESULTS 500
#define SCIM_MAX_OPERATIONS 100
#define SCIM_MAX_MEMBERS 1000

extern const struct db_stmt scim_stmts[];

/* ---- scim_json.c: pure ------------------------------------------------------ */

/*
 * Reads a POST or PUT /Users body (borrowed) into a new flat person in
 * *@out.  Every fault is recorded in @p, named by SCIM attribute, with a
 * scimType as the problem type (invalidValue, invalidSyntax).  Attributes
 * SCIM defines that Tandem does not keep (phone numbers, addresses, ...) are
 * accepted and ignored; unknown ones are refused.  Returns ST_OK or ST_INVALID.
 */
int scim_user_parse(const json_t *j_body, struct problem *p, json_t **out);

/*
 * Applies a PatchOp body (borrowed) to the flat person @j_flat (changed in
 * place): add, replace and remove, with or without a path, as Entra ID and
 * Okta send them.  Records faults in @p (invalidPath, invalidValue,
 * invalidSyntax, mutability, noTarget).  Returns ST_OK or ST_INVALID.
 */
int scim_user_patch(json_t *j_flat, const json_t *j_patch, struct problem *p);

/* Checks a flat person after a PATCH, as scim_user_parse checks a body. */
int scim_flat_check(const json_t *j_flat, struct problem *p);

enum scim_filter_attr { SCIM_FILTER_NONE, SCIM_FILTER_USERNAME, SCIM_FILTER_EXTERNAL_ID,
                        SCIM_FILTER_EMAIL, SCIM_FILTER_DISPLAY_NAME, SCIM_FILTER_ID };

struct scim_filter {
        enum scim_filter_attr attr;
        char value[512];
};

/*
 * Parses a filter of the form `attr eq "value"` (attr: userName, externalId,
 * emails.value, emails[type eq "work"].value, displayName, id; names and eq
 * in any case).  NULL or empty: no filter.  Anything else is invalidFilter in
 * @p.  Returns ST_OK or ST_INVALID.
 */
int scim_filter_parse(const char *filter, struct scim_filter *out, struct problem *p);

/*
 * Parses a filter on Groups: `displayName eq "name"` or `id eq "name"` into
 * @out, `members[value eq "id"]` into @member (a User id, "" when absent), or
 * one of each joined by `and` (RFC 7644 3.4.2.2: how a client checks that a
 * user is in a group).  Anything else is invalidFilter in @p.  Returns ST_OK
 * or ST_INVALID.
 */
int scim_group_filter_parse(const char *filter, struct scim_filter *out,
                            char member[UUID_STR_LEN], struct problem *p);

/* What a PATCH of a Group asks: members to add and to remove, or to set. */
struct scim_members {
        json_t *j_add;          /* array of user ids; owned */
        json_t *j_remove;       /* likewise */
        bool replace;           /* j_add is the whole new member list */
};

void scim_members_release(struct scim_members *m);

/* Reads a PatchOp on a Group's members.  Returns ST_OK or ST_INVALID (in @p). */
int scim_group_patch_parse(const json_t *j_patch, struct scim_members *out, struct problem *p);

/*
 * Reads a PUT of a Group (RFC 7644 3.5.1): its members replace the current
 * ones (none when absent).  Returns ST_OK, ST_INVALID (in @p) or ST_NOMEM.
 */
int scim_group_put_parse(const json_t *j_body, struct scim_members *out, struct problem *p);

/*
 * The SCIM error body (RFC 7644 section 3.12) for status @status, a scimType
 * (may be NULL) and @detail.  Returns a new reference.
 */
json_t *scim_error_json(unsigned status, const char *scim_type, const char *detail);

/* True when @type is one of RFC 7644's scimType values. */
bool scim_type_known(const char *type);

/* ---- scim_db.c ---------------------------------------------------------------- */

/* The SCIM view of person @id: not erased, not deleted over SCIM. */
int scim_db_get(PGconn *c, const char *id, struct db_row *out);

/* Locks @id for a write; reads its version and flat attributes (new reference). */
int scim_db_lock(PGconn *c, const char *id, long long *version, json_t **flat);

/*
 * Creates a person from @j_flat, or revives the one the provider deleted
 * earlier with the same userName or externalId (*@revived true).  ST_CONFLICT (uniqueness,
 * naming the attribute in @p) when another person has them.
 */
int scim_db_create(PGconn *c, const json_t *j_flat, struct db_row *out, bool *revived,
                   struct problem *p);

/* Replaces the provisioned attributes of @id by @j_flat.  ST_CONFLICT as above. */
int scim_db_replace(PGconn *c, const char *id, const json_t *j_flat, struct db_row *out,
                    struct problem *p);

/* Deprovisions @id (status left, SCIM-deleted, pairings ended).  ST_NOT_FOUND. */
int scim_db_delete(PGconn *c, const char *id);

/*
 * One page of Users matching @f: startIndex @start (1-based), at most @count.
 * Writes the ListResponse text into *@out (malloc'd).
 */
int scim_db_list(PGconn *c, const struct scim_filter *f, long start, long count, char **out);

/*
 * Groups (roles): @role NULL for all; only those with @member (a User id) as
 * a member unless @member is NULL or ""; members left out unless @members.
 */
int scim_db_groups(PGconn *c, const char *role, const char *member, bool members, long start,
                   long count, char **out);

/* One Group as JSON text (malloc'd).  ST_NOT_FOUND for an unknown role. */
int scim_db_group(PGconn *c, const char *role, bool members, char **out);

/*
 * Applies @m to the members of @role, appending to @j_gained and @j_lost the
 * ids of the people whose roles it changed.  ST_INVALID (in @p) for an
 * unknown user.
 */
int scim_db_group_members(PGconn *c, const char *role, const struct scim_members *m,
                          json_t *j_gained, json_t *j_lost,
                          struct problem *p);

/* ---- http_scim.c ----------------------------------------------------------------- */

void scim_render_error(struct request *rq, int rc, unsigned status);

int http_scim_spconfig(struct request *rq);
int http_scim_schemas(struct request *rq);
int http_scim_schema(struct request *rq);
int http_scim_resource_types(struct request *rq);
int http_scim_resource_type(struct request *rq);
int http_scim_users_create(struct request *rq);
int http_scim_users_list(struct request *rq);
int http_scim_users_get(struct request *rq);
int http_scim_users_put(struct request *rq);
int http_scim_users_patch(struct request *rq);
int http_scim_users_delete(struct request *rq);
int http_scim_groups_list(struct request *rq);
int http_scim_groups_get(struct request *rq);
int http_scim_groups_create(struct request *rq);
int http_scim_groups_patch(struct request *rq);
int http_scim_groups_put(struct request *rq);
int http_scim_groups_delete(struct request *rq);

#endif
