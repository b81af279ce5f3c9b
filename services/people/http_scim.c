/*
 * http_scim.c - handlers for /scim/v2 (RFC 7644): Users, Groups (Tandem's
 * roles), ServiceProviderConfig, Schemas, ResourceTypes, and the SCIM error
 * renderer.  Only the SCIM client reaches them (ROUTE_SCIM); no SQL here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "events.h"
#include "buf.h"
#include "claims.h"
#include "scim.h"
#include "status.h"

#define DOC_BASE "https://datatracker.ietf.org/doc/html/rfc7644"

/* ---- replies ---------------------------------------------------------------------- */

/* Replies @text (taken over) as application/scim+json with @status. */
static int
scim_reply(struct request *rq, unsigned status, char *text)
{
        if (text == NULL)
                return ST_NOMEM;
        rq->http_status = status;
        rq->text_out = text;
        rq->content_type = SCIM_CONTENT_TYPE;
        return ST_OK;
}

/* A User: its version as a weak ETag (as meta.version says), Location on create. */
static int
user_reply(struct request *rq, struct db_row *r, unsigned status)
{
        snprintf(rq->etag, sizeof(rq->etag), "W/\"%lld\"", r->version);
        if (status == 201)
                snprintf(rq->location, sizeof(rq->location), "/scim/v2/Users/%s", r->id);
        scim_reply(rq, status, r->json);
        r->json = NULL;
        return ST_OK;
}

static const char *
default_scim_type(int rc)
{
        switch (rc) {
        case ST_INVALID:
                return "invalidValue";
        case ST_MALFORMED:
                return "invalidSyntax";
        case ST_CONFLICT:
                return "uniqueness";
        default:
                return NULL;
        }
}

void
scim_render_error(struct request *rq, int rc, unsigned status)
{
        char detail[1024];
        json_t *j_err;
        char *text;
        const char *type = scim_type_known(rq->prob.type) ? rq->prob.type : default_scim_type(rc);

        problem_summary(&rq->prob, rc, detail, sizeof(detail));
        j_err = scim_error_json(status, status >= 500 ? NULL : type, detail);
        text = j_err != NULL ? json_dumps(j_err, JSON_COMPACT) : NULL;
        ulfius_set_string_body_response(rq->resp, status, text != NULL ? text : "{}");
        u_map_put(rq->resp->map_header, "Content-Type", SCIM_CONTENT_TYPE);
        free(text);
        json_decref(j_err);
}

/* ---- discovery: ServiceProviderConfig, Schemas, ResourceTypes --------------------- */

static const char spconfig[] =
        "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig\"],"
        "\"documentationUri\":\"" DOC_BASE "\","
        "\"patch\":{\"supported\":true},\"bulk\":{\"supported\":false,\"maxOperations\":0,"
        "\"maxPayloadSize\":0},\"filter\":{\"supported\":true,\"maxResults\":500},"
        "\"changePassword\":{\"supported\":false},\"sort\":{\"supported\":false},"
        "\"etag\":{\"supported\":true},\"authenticationSchemes\":[{\"type\":\"oauthbearertoken\","
        "\"name\":\"OAuth Bearer Token\",\"description\":\"A token issued to the SCIM client"
        " by the identity provider (client credentials), or the configured SCIM token\","
        "\"primary\":true}],\"meta\":{\"resourceType\":\"ServiceProviderConfig\","
        "\"location\":\"/scim/v2/ServiceProviderConfig\"}}";

#define ATTR(name, type, mv, req, mut, uniq) \
        "{\"name\":\"" name "\",\"type\":\"" type "\",\"multiValued\":" mv ",\"required\":" req \
        ",\"caseExact\":false,\"mutability\":\"" mut "\",\"returned\":\"default\"," \
        "\"uniqueness\":\"" uniq "\"}"
#define SUB(name, type) ATTR(name, type, "false", "false", "readWrite", "none")

static const char schema_user[] =
        "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Schema\"],"
        "\"id\":\"" SCIM_USER_SCHEMA "\",\"name\":\"User\",\"description\":\"A person in the"
        " programme\",\"attributes\":["
        ATTR("userName", "string", "false", "true", "readWrite", "server") ","
        "{\"name\":\"name\",\"type\":\"complex\",\"multiValued\":false,\"required\":false,"
        "\"mutability\":\"readWrite\",\"returned\":\"default\",\"subAttributes\":["
        SUB("givenName", "string") "," SUB("familyName", "string") ","
        SUB("formatted", "string") "]},"
        ATTR("displayName", "string", "false", "false", "readWrite", "none") ","
        ATTR("title", "string", "false", "false", "readWrite", "none") ","
        ATTR("timezone", "string", "false", "false", "readWrite", "none") ","
        ATTR("active", "boolean", "false", "false", "readWrite", "none") ","
        "{\"name\":\"emails\",\"type\":\"complex\",\"multiValued\":true,\"required\":true,"
        "\"mutability\":\"readWrite\",\"returned\":\"default\",\"subAttributes\":["
        SUB("value", "string") "," SUB("type", "string") "," SUB("primary", "boolean") "]},"
        "{\"name\":\"groups\",\"type\":\"complex\",\"multiValued\":true,\"required\":false,"
        "\"mutability\":\"readOnly\",\"returned\":\"default\",\"subAttributes\":["
        SUB("value", "string") "," SUB("display", "string") "]}],"
        "\"meta\":{\"resourceType\":\"Schema\",\"location\":\"/scim/v2/Schemas/"
        SCIM_USER_SCHEMA "\"}}";

static const char schema_group[] =
        "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Schema\"],"
        "\"id\":\"" SCIM_GROUP_SCHEMA "\",\"name\":\"Group\",\"description\":\"A Tandem role:"
        " admin, mentor, partner, comms or viewer\",\"attributes\":["
        ATTR("displayName", "string", "false", "true", "readOnly", "server") ","
        "{\"name\":\"members\",\"type\":\"complex\",\"multiValued\":true,\"required\":false,"
        "\"mutability\":\"readWrite\",\"returned\":\"default\",\"subAttributes\":["
        SUB("value", "string") "," SUB("display", "string") "]}],"
        "\"meta\":{\"resourceType\":\"Schema\",\"location\":\"/scim/v2/Schemas/"
        SCIM_GROUP_SCHEMA "\"}}";

static const char schema_enterprise[] =
        "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Schema\"],"
        "\"id\":\"" SCIM_ENTERPRISE_SCHEMA "\",\"name\":\"EnterpriseUser\",\"description\":"
        "\"The enterprise extension: department is kept as the business unit\",\"attributes\":["
        ATTR("department", "string", "false", "false", "readWrite", "none") "],"
        "\"meta\":{\"resourceType\":\"Schema\",\"location\":\"/scim/v2/Schemas/"
        SCIM_ENTERPRISE_SCHEMA "\"}}";

static const char rt_user[] =
        "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:ResourceType\"],\"id\":\"User\","
        "\"name\":\"User\",\"endpoint\":\"/Users\",\"schema\":\"" SCIM_USER_SCHEMA "\","
        "\"schemaExtensions\":[{\"schema\":\"" SCIM_ENTERPRISE_SCHEMA "\",\"required\":false}],"
        "\"meta\":{\"resourceType\":\"ResourceType\","
        "\"location\":\"/scim/v2/ResourceTypes/User\"}}";

static const char rt_group[] =
        "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:ResourceType\"],\"id\":\"Group\","
        "\"name\":\"Group\",\"endpoint\":\"/Groups\",\"schema\":\"" SCIM_GROUP_SCHEMA "\","
        "\"meta\":{\"resourceType\":\"ResourceType\","
        "\"location\":\"/scim/v2/ResourceTypes/Group\"}}";

static const struct {
        const char *id;
        const char *json;
} schemas[] = {
        { SCIM_USER_SCHEMA, schema_user },
        { SCIM_GROUP_SCHEMA, schema_group },
        { SCIM_ENTERPRISE_SCHEMA, schema_enterprise },
}, resource_types[] = {
        { "User", rt_user },
        { "Group", rt_group },
};

static int
reply_static(struct request *rq, const char *json)
{
        return scim_reply(rq, 200, strdup(json));
}

/* A ListResponse of @n static documents. */
static int
reply_static_list(struct request *rq, const char *const *docs, size_t n)
{
        struct buf b = BUF_INIT;

        buf_fmt(&b, "{\"schemas\":[\"%s\"],\"totalResults\":%zu,\"startIndex\":1,"
                "\"itemsPerPage\":%zu,\"Resources\":[", SCIM_LIST_SCHEMA, n, n);
        for (size_t i = 0; i < n; i++) {
                buf_puts(&b, i > 0 ? "," : "");
                buf_puts(&b, docs[i]);
        }
        buf_puts(&b, "]}");
        return scim_reply(rq, 200, buf_detach(&b));
}

int
http_scim_spconfig(struct request *rq)
{
        return reply_static(rq, spconfig);
}

int
http_scim_schemas(struct request *rq)
{
        const char *docs[] = { schema_user, schema_group, schema_enterprise };

        return reply_static_list(rq, docs, sizeof(docs) / sizeof(docs[0]));
}

int
http_scim_resource_types(struct request *rq)
{
        const char *docs[] = { rt_user, rt_group };

        return reply_static_list(rq, docs, sizeof(docs) / sizeof(docs[0]));
}

int
http_scim_schema(struct request *rq)
{
        const char *id = u_map_get(rq->req->map_url, "id");

        for (size_t i = 0; id != NULL && i < sizeof(schemas) / sizeof(schemas[0]); i++)
                if (strcasecmp(schemas[i].id, id) == 0)
                        return reply_static(rq, schemas[i].json);
        return problem_set(&rq->prob, ST_NOT_FOUND, NULL, "no such schema");
}

int
http_scim_resource_type(struct request *rq)
{
        const char *id = u_map_get(rq->req->map_url, "id");

        for (size_t i = 0; id != NULL && i < sizeof(resource_types) / sizeof(resource_types[0]);
             i++)
                if (strcmp(resource_types[i].id, id) == 0)
                        return reply_static(rq, resource_types[i].json);
        return problem_set(&rq->prob, ST_NOT_FOUND, NULL, "no such resource type");
}

/* ---- Users ------------------------------------------------------------------------------ */

struct user_op {
        char id[UUID_STR_LEN];
        json_t *j_body;
        json_t *j_flat;
        bool patch;
};

static void
user_op_release(struct user_op *op)
{
        json_decref(op->j_body);
        json_decref(op->j_flat);
}

/* A User id: a UUID, else 404 (as for any id this service never issued). */
static int
user_id(struct request *rq, char out[UUID_STR_LEN])
{
        int rc = http_path_uuid(rq, "id", out);

        if (rc != ST_OK)
                problem_set(&rq->prob, ST_NOT_FOUND, NULL, "no User with this id");
        return rc;
}

static int
tz_check_tx(PGconn *c, struct request *rq, void *arg)
{
        const char *tz = arg;
        bool ok = true;
        int rc = people_db_tz_valid(c, tz, &ok);

        if (rc == ST_OK && !ok)
                rc = problem_set(&rq->prob, ST_INVALID, "invalidValue",
                                 "timezone: is not a time zone this system knows");
        return rc;
}

/* A zone of the right shape is looked up in the database before the write. */
static int
check_timezone(struct request *rq, const json_t *j_flat)
{
        const char *tz = json_string_value(json_object_get(j_flat, "timezone"));

        if (tz == NULL)
                return ST_OK;
        return db_with(rq->svc->db, rq, tz_check_tx, (void *)tz);
}

/* What a person's events carry: no names, no free text. */
static const char *const scim_person_fields[] = { "status", "roles", NULL };

static int
users_create_tx(PGconn *c, struct request *rq, void *arg)
{
        struct user_op *op = arg;
        struct db_row r = { 0 };
        struct person_access was = { .left = true }, now;
        bool revived = false;
        int rc = scim_db_create(c, op->j_flat, &r, &revived, &rq->prob);

        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.people.person.provisioned", &r, "id",
                                scim_person_fields, NULL);
        /* a person the provider deleted and provisions again is reinstated everywhere */
        if (rc == ST_OK && revived)
                rc = people_db_access(c, r.id, &now);
        if (rc == ST_OK && revived) {
                was.roles = now.roles;
                rc = people_access_changed(c, rq, r.id, &was, &now, "deactivated");
        }
        if (rc == ST_OK)
                rc = user_reply(rq, &r, 201);
        db_row_release(&r);
        return rc;
}

int
http_scim_users_create(struct request *rq)
{
        struct user_op op = { 0 };
        int rc = http_json_body(rq, &op.j_body);

        if (rc == ST_OK)
                rc = scim_user_parse(op.j_body, &rq->prob, &op.j_flat);
        /* a new User is active unless told otherwise; so is one provisioned again */
        if (rc == ST_OK && json_object_get(op.j_flat, "active") == NULL)
                json_object_set_new(op.j_flat, "active", json_true());
        if (rc == ST_OK)
                rc = check_timezone(rq, op.j_flat);
        if (rc == ST_OK)
                rc = people_write(rq, users_create_tx, &op);
        user_op_release(&op);
        return rc;
}

static int
users_get_tx(PGconn *c, struct request *rq, void *arg)
{
        struct user_op *op = arg;
        struct db_row r = { 0 };
        int rc = scim_db_get(c, op->id, &r);

        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, "no User with this id");
        if (rc == ST_OK)
                rc = user_reply(rq, &r, 200);
        db_row_release(&r);
        return rc;
}

int
http_scim_users_get(struct request *rq)
{
        struct user_op op = { 0 };
        int rc = user_id(rq, op.id);

        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, users_get_tx, &op);
        return rc;
}

/* PUT and PATCH: lock, If-Match, the new flat person, write. */
static int
users_write_tx(PGconn *c, struct request *rq, void *arg)
{
        struct user_op *op = arg;
        struct db_row r = { 0 };
        struct person_access was, now;
        long long version = 0;
        json_t *j_current = NULL;
        int rc = scim_db_lock(c, op->id, &version, &j_current);

        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, "no User with this id");
        if (rc == ST_OK)
                rc = http_if_match(rq, version);
        if (rc == ST_OK && op->patch)
                rc = scim_user_patch(j_current, op->j_body, &rq->prob);
        if (rc == ST_OK)
                rc = people_db_access(c, op->id, &was);
        if (rc == ST_OK)
                rc = scim_db_replace(c, op->id, op->patch ? j_current : op->j_flat, &r,
                                     &rq->prob);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.people.person.updated", &r, "id",
                                scim_person_fields, NULL);
        if (rc == ST_OK)
                rc = people_db_access(c, op->id, &now);
        if (rc == ST_OK)
                rc = people_access_changed(c, rq, op->id, &was, &now, "deactivated");
        if (rc == ST_OK)
                rc = user_reply(rq, &r, 200);
        db_row_release(&r);
        json_decref(j_current);
        return rc;
}

int
http_scim_users_put(struct request *rq)
{
        struct user_op op = { 0 };
        int rc = user_id(rq, op.id);

        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = scim_user_parse(op.j_body, &rq->prob, &op.j_flat);
        if (rc == ST_OK)
                rc = check_timezone(rq, op.j_flat);
        if (rc == ST_OK)
                rc = people_write(rq, users_write_tx, &op);
        user_op_release(&op);
        return rc;
}

int
http_scim_users_patch(struct request *rq)
{
        struct user_op op = { .patch = true };
        int rc = user_id(rq, op.id);

        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = people_write(rq, users_write_tx, &op);
        user_op_release(&op);
        return rc;
}

static int
users_delete_tx(PGconn *c, struct request *rq, void *arg)
{
        struct user_op *op = arg;
        struct person_access was, now;
        long long version = 0;
        int rc = scim_db_lock(c, op->id, &version, &op->j_flat);

        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, "no User with this id");
        if (rc == ST_OK)
                rc = http_if_match(rq, version);
        if (rc == ST_OK)
                rc = people_db_access(c, op->id, &was);
        if (rc == ST_OK)
                rc = scim_db_delete(c, op->id);
        if (rc == ST_OK)
                rc = outbox_emit4(c, rq, "tandem.people.person.deactivated", op->id, op->id,
                                  version + 1, NULL);
        if (rc == ST_OK)
                rc = people_db_access(c, op->id, &now);
        if (rc == ST_OK)
                rc = people_access_changed(c, rq, op->id, &was, &now, "deactivated");
        rq->http_status = 204;
        return rc;
}

int
http_scim_users_delete(struct request *rq)
{
        struct user_op op = { 0 };
        int rc = user_id(rq, op.id);

        if (rc == ST_OK)
                rc = people_write(rq, users_delete_tx, &op);
        user_op_release(&op);
        return rc;
}

/* ---- lists ---------------------------------------------------------------------------- */

struct list_op {
        struct scim_filter f;
        char member[UUID_STR_LEN];   /* Groups: only those with this member, or "" */
        long start, count;
        const char *role;            /* Groups: one role, or NULL */
        bool members;
        unsigned status;             /* of a Group's reply: 200, or 201 for POST */
};

/* A whole number query parameter; @def when absent. */
static long
query_long(struct request *rq, const char *name, long def)
{
        const char *s = http_query(rq, name);
        char *end;
        long v;

        if (s == NULL)
                return def;
        v = strtol(s, &end, 10);
        if (*s == '\0' || *end != '\0' || v < -1000000000L || v > 1000000000L) {
                problem_field(&rq->prob, name, "must be a whole number");
                return def;
        }
        return v;
}

/* startIndex below 1 counts as 1, count below 0 as 0, above the maximum as it (RFC 7644 3.4.2.4). */
static int
list_paging(struct request *rq, struct list_op *op)
{
        op->start = query_long(rq, "startIndex", 1);
        op->count = query_long(rq, "count", 100);
        op->start = op->start < 1 ? 1 : op->start;
        op->count = op->count < 0 ? 0 : op->count > SCIM_MAX_RESULTS ? SCIM_MAX_RESULTS
                    : op->count;
        if (problem_field_count(&rq->prob) > 0)
                return problem_set(&rq->prob, ST_INVALID, "invalidValue",
                                   "startIndex and count are whole numbers");
        return ST_OK;
}

static int
users_list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct list_op *op = arg;
        char *text = NULL;
        int rc = scim_db_list(c, &op->f, op->start, op->count, &text);

        return rc == ST_OK ? scim_reply(rq, 200, text) : rc;
}

int
http_scim_users_list(struct request *rq)
{
        struct list_op op = { 0 };
        int rc = list_paging(rq, &op);

        if (rc == ST_OK)
                rc = scim_filter_parse(http_query(rq, "filter"), &op.f, &rq->prob);
        if (rc == ST_OK && op.f.attr == SCIM_FILTER_DISPLAY_NAME)
                rc = problem_set(&rq->prob, ST_INVALID, "invalidFilter",
                                 "Users are filtered by userName, externalId, emails or id");
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, users_list_tx, &op);
        return rc;
}

/* ---- Groups: the roles ------------------------------------------------------------------ */

static const char *const group_roles[] = { "admin", "mentor", "partner", "comms", "viewer", NULL };

/*
 * The role a group name stands for: a Tandem role name, or a name the role
 * map (TANDEM_ROLE_MAP) maps to exactly one person role.  NULL otherwise.
 */
static const char *
group_role(const struct request *rq, const char *name)
{
        const struct role_map *map = rq->svc->app;
        unsigned roles = 0;

        for (size_t i = 0; name != NULL && group_roles[i] != NULL; i++)
                if (strcmp(group_roles[i], name) == 0)
                        return group_roles[i];
        for (size_t i = 0; name != NULL && map != NULL && i < map->n; i++)
                if (strcmp(map->e[i].name, name) == 0)
                        roles |= map->e[i].roles;
        roles &= ROLE_ADMIN | ROLE_MENTOR | ROLE_PARTNER | ROLE_COMMS | ROLE_VIEWER;
        return role_name(roles);    /* NULL unless exactly one role */
}

/* members are left out when excludedAttributes names them or attributes does not. */
static bool
want_members(const struct request *rq)
{
        const char *ex = http_query(rq, "excludedAttributes");
        const char *only = http_query(rq, "attributes");

        if (ex != NULL && strcasestr(ex, "members") != NULL)
                return false;
        return only == NULL || strcasestr(only, "members") != NULL;
}

static int
groups_list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct list_op *op = arg;
        char *text = NULL;
        int rc;

        if (op->f.attr != SCIM_FILTER_NONE && op->role == NULL)
                op->count = 0;   /* a name that is no role: an empty list, not an error */
        rc = scim_db_groups(c, op->role, op->member, op->members, op->start, op->count, &text);
        return rc == ST_OK ? scim_reply(rq, 200, text) : rc;
}

int
http_scim_groups_list(struct request *rq)
{
        struct list_op op = { 0 };
        int rc = list_paging(rq, &op);

        if (rc == ST_OK)
                rc = scim_group_filter_parse(http_query(rq, "filter"), &op.f, op.member,
                                             &rq->prob);
        if (rc == ST_OK && op.f.attr != SCIM_FILTER_NONE && op.f.attr != SCIM_FILTER_DISPLAY_NAME
            && op.f.attr != SCIM_FILTER_ID)
                rc = problem_set(&rq->prob, ST_INVALID, "invalidFilter",
                                 "Groups are filtered by displayName or id, and members");
        op.role = op.f.attr != SCIM_FILTER_NONE ? group_role(rq, op.f.value) : NULL;
        op.members = want_members(rq);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, groups_list_tx, &op);
        return rc;
}

static int
group_get_tx(PGconn *c, struct request *rq, void *arg)
{
        struct list_op *op = arg;
        char *text = NULL;
        int rc = scim_db_group(c, op->role, op->members, &text);

        return rc == ST_OK ? scim_reply(rq, op->status, text) : rc;
}

/* The Group of path parameter id (a role name).  404 for any other. */
static int
group_id(struct request *rq, const char **role)
{
        const char *id = u_map_get(rq->req->map_url, "id");

        *role = NULL;
        for (size_t i = 0; id != NULL && group_roles[i] != NULL; i++)
                if (strcmp(group_roles[i], id) == 0)
                        *role = group_roles[i];
        if (*role == NULL)
                return problem_set(&rq->prob, ST_NOT_FOUND, NULL,
                                   "no such Group: Tandem's groups are its roles");
        return ST_OK;
}

int
http_scim_groups_get(struct request *rq)
{
        struct list_op op = { .start = 1, .status = 200 };
        int rc = group_id(rq, &op.role);

        op.members = want_members(rq);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, group_get_tx, &op);
        return rc;
}

/*
 * POST /Groups: Tandem's groups are its roles, which always exist, so a name
 * that stands for one (a role, or a name the role map gives one role) is a
 * 409 uniqueness naming the existing group (the provider then links to it by
 * a filter on displayName); any other name is a 400, since no group can be added.
 */
int
http_scim_groups_create(struct request *rq)
{
        json_t *j_body = NULL;
        const char *role = NULL;
        int rc = http_json_body(rq, &j_body);

        if (rc == ST_OK)
                role = group_role(rq, json_string_value(json_object_get(j_body, "displayName")));
        if (rc == ST_OK && role == NULL)
                rc = problem_set(&rq->prob, ST_INVALID, "invalidValue",
                                 "displayName: Tandem's groups are its roles (admin, mentor,"
                                 " partner, comms, viewer) or names TANDEM_ROLE_MAP gives one");
        if (rc == ST_OK)
                rc = problem_set(&rq->prob, ST_CONFLICT, "uniqueness",
                                 "the Group exists: /scim/v2/Groups/%s (Tandem's groups are its"
                                 " roles; find it with filter=displayName eq \"...\")", role);
        json_decref(j_body);
        return rc;
}

struct group_patch_op {
        const char *role;
        struct scim_members m;
};

/* tandem.people.person.roles_changed for each of @j_ids, who @gained or lost @role. */
static int
members_roles_changed(PGconn *c, struct request *rq, const char *role, const json_t *j_ids,
                      bool gained)
{
        unsigned bit = access_roles_from_list(role);
        const json_t *j_id;
        size_t i;
        int rc = ST_OK;

        json_array_foreach(j_ids, i, j_id) {
                const char *id = json_string_value(j_id);
                struct person_access was, now;

                rc = people_db_access(c, id, &now);
                if (rc != ST_OK)
                        break;
                was = now;
                was.roles = gained ? now.roles & ~bit : now.roles | bit;
                rc = people_access_changed(c, rq, id, &was, &now, "roles changed");
                if (rc != ST_OK)
                        break;
        }
        return rc;
}

static int
group_patch_tx(PGconn *c, struct request *rq, void *arg)
{
        struct group_patch_op *op = arg;

        json_t *j_data = json_pack("{s:s, s:O?, s:O?, s:b}", "role", op->role,
                                   "added", op->m.j_add, "removed", op->m.j_remove,
                                   "replaced", op->m.replace);
        json_t *j_gained = json_array(), *j_lost = json_array();
        int rc = j_data != NULL && j_gained != NULL && j_lost != NULL
                 ? scim_db_group_members(c, op->role, &op->m, j_gained, j_lost, &rq->prob)
                 : ST_NOMEM;

        /* the member ids are people's ids: whose roles changed, and how */
        if (rc == ST_OK)
                rc = outbox_emit4(c, rq, "tandem.people.group.members_changed", op->role, NULL,
                                  0, j_data);
        /* and each person's own roles_changed, which the other services follow */
        if (rc == ST_OK)
                rc = members_roles_changed(c, rq, op->role, j_gained, true);
        if (rc == ST_OK)
                rc = members_roles_changed(c, rq, op->role, j_lost, false);
        json_decref(j_gained);
        json_decref(j_lost);
        json_decref(j_data);
        rq->http_status = 204;
        return rc;
}

/* Replies 200 with the group @role and its members, as GET does. */
static int
group_reply_after_put(struct request *rq, const char *role)
{
        struct list_op op = { .start = 1, .members = true, .status = 200, .role = role };

        return db_with(rq->svc->db, rq, group_get_tx, &op);
}

int
http_scim_groups_patch(struct request *rq)
{
        struct group_patch_op op = { 0 };
        json_t *j_body = NULL;
        int rc = group_id(rq, &op.role);

        if (rc == ST_OK)
                rc = http_json_body(rq, &j_body);
        if (rc == ST_OK)
                rc = scim_group_patch_parse(j_body, &op.m, &rq->prob);
        if (rc == ST_OK)
                rc = people_write(rq, group_patch_tx, &op);
        scim_members_release(&op.m);
        json_decref(j_body);
        return rc;
}

/*
 * PUT /Groups/{id} (RFC 7644 3.5.1): the members given replace the current
 * ones; displayName, when given, must still name this group (a role's name
 * does not change).
 */
int
http_scim_groups_put(struct request *rq)
{
        struct group_patch_op op = { 0 };
        json_t *j_body = NULL;
        const char *name;
        int rc = group_id(rq, &op.role);

        if (rc == ST_OK)
                rc = http_json_body(rq, &j_body);
        name = json_string_value(json_object_get(j_body, "displayName"));
        if (rc == ST_OK && name != NULL && group_role(rq, name) != op.role)
                rc = problem_set(&rq->prob, ST_INVALID, "mutability",
                                 "displayName: a group is a Tandem role, whose name does not"
                                 " change");
        if (rc == ST_OK)
                rc = scim_group_put_parse(j_body, &op.m, &rq->prob);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, group_patch_tx, &op);
        if (rc == ST_OK)   /* PUT answers with the resource (RFC 7644 3.5.1) */
                rc = group_reply_after_put(rq, op.role);
        scim_members_release(&op.m);
        json_decref(j_body);
        return rc;
}

/* DELETE /Groups/{id}: a role cannot be deleted; 501 with a SCIM error (RFC 7644 3.12). */
int
http_scim_groups_delete(struct request *rq)
{
        const char *role;
        int rc = group_id(rq, &role);

        if (rc != ST_OK)
                return rc;
        return problem_set(&rq->prob, ST_NOT_IMPLEMENTED, NULL,
                           "Tandem's groups are its roles and cannot be deleted; remove the"
                           " members with PATCH (op remove, path members)");
}
