/*
 * scim_json.c - SCIM requests into flat persons, PatchOp, filters and error
 * bodies.  Pure: no I/O, unit-tested in tests/unit/test_people_scim.c.
 *
 * Attribute names are matched without regard to case (RFC 7643 section
 * 2.1).  Faults carry a scimType as the problem type, so that the error
 * renderer can answer with it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scim.h"
#include "status.h"

#define ENTERPRISE_PREFIX SCIM_ENTERPRISE_SCHEMA ":"
#define T_DISPLAY 1u
#define T_NAME 2u
#define FORMATTED "_formatted"

/*
 * Attributes SCIM defines that Tandem does not keep: accepted, ignored, with
 * any sub-attribute or value filter (phoneNumbers[type eq "work"].value,
 * addresses[type eq "work"].streetAddress, roles[primary eq "True"].value, the
 * paths Entra ID's and Okta's default mappings send).
 */
static const char *const ignored_user[] = {
        "nickName", "profileUrl", "userType", "preferredLanguage", "locale", "password",
        "phoneNumbers", "ims", "photos", "addresses", "entitlements", "roles",
        "x509Certificates", "id", "meta", "groups", "schemas", NULL,
};
static const char *const ignored_name[] = {
        "middleName", "honorificPrefix", "honorificSuffix", NULL,
};
static const char *const ignored_enterprise[] = {
        "employeeNumber", "costCenter", "organization", "division", "manager", NULL,
};
static const char *const scim_types[] = {
        "invalidFilter", "tooMany", "uniqueness", "mutability", "invalidSyntax",
        "invalidPath", "noTarget", "invalidValue", "invalidVers", "sensitive", NULL,
};

/* The SCIM name of each flat key, for messages. */
static const struct {
        const char *flat, *scim;
        long long max;
} flat_names[] = {
        { "user_name", "userName", 255 },
        { "external_id", "externalId", 255 },
        { "given_name", "name.givenName", 100 },
        { "family_name", "name.familyName", 100 },
        { "display_name", "displayName", 200 },
        { "email", "emails", 254 },
        { "title", "title", 200 },
        { "business_unit", ENTERPRISE_PREFIX "department", 100 },
        { "timezone", "timezone", 64 },
};

#define FLAT_COUNT (sizeof(flat_names) / sizeof(flat_names[0]))

static bool
in_list_ci(const char *const *names, const char *name)
{
        for (; *names != NULL; names++)
                if (strcasecmp(*names, name) == 0)
                        return true;
        return false;
}

/*
 * True when the attribute @path starts with is in @names: "phoneNumbers" for
 * phoneNumbers[type eq "work"].value, "manager" for manager.value.
 */
static bool
root_in_list_ci(const char *const *names, const char *path)
{
        size_t n = strcspn(path, "[.");

        for (; *names != NULL; names++)
                if (strlen(*names) == n && strncasecmp(*names, path, n) == 0)
                        return true;
        return false;
}

bool
scim_type_known(const char *type)
{
        return type != NULL && in_list_ci(scim_types, type) && type[0] != '\0';
}

/* Records a fault with its scimType (the first one recorded wins). */
static int
fault(struct problem *p, const char *scim_type, const char *field, const char *msg)
{
        if (p->type[0] == '\0')
                snprintf(p->type, sizeof(p->type), "%s", scim_type);
        return problem_field(p, field, "%s", msg);
}

/* ---- setting one attribute ------------------------------------------------------ */

struct setter {
        json_t *j_flat;
        struct problem *p;
        unsigned touched;
        bool patch;                  /* readOnly attributes are faults in a PATCH */
};

static void
flat_set(struct setter *s, const char *key, const json_t *j_val)
{
        json_object_set_new(s->j_flat, key, j_val != NULL ? json_deep_copy(j_val) : json_null());
}

/* active: a boolean, or "True"/"False" as some clients send it. */
static void
set_active(struct setter *s, const json_t *j_val)
{
        const char *v = json_string_value(j_val);

        if (json_is_boolean(j_val))
                flat_set(s, "active", j_val);
        else if (v != NULL && strcasecmp(v, "true") == 0)
                json_object_set_new(s->j_flat, "active", json_true());
        else if (v != NULL && strcasecmp(v, "false") == 0)
                json_object_set_new(s->j_flat, "active", json_false());
        else
                fault(s->p, "invalidValue", "active", "must be true or false");
}

/* How an entry of emails ranks: primary, then type work, then any. */
static int
email_rank(const json_t *j_item)
{
        const char *type = json_string_value(json_object_get(j_item, "type"));

        if (json_is_true(json_object_get(j_item, "primary")))
                return 3;
        return type != NULL && strcasecmp(type, "work") == 0 ? 2 : 1;
}

/* The address of an emails array: primary, else type work, else the first. */
static void
set_emails(struct setter *s, const json_t *j_val)
{
        const json_t *j_item, *j_pick = NULL;
        int best = 0;
        size_t i;

        if (j_val == NULL || json_is_null(j_val)) {
                flat_set(s, "email", NULL);
                return;
        }
        json_array_foreach(j_val, i, j_item) {
                if (!json_is_object(j_item))
                        break;
                if (email_rank(j_item) > best) {
                        best = email_rank(j_item);
                        j_pick = j_item;
                }
        }
        if (!json_is_array(j_val) || i < json_array_size(j_val))
                fault(s->p, "invalidValue", "emails", "must be an array of {value, type, primary}");
        else
                flat_set(s, "email", j_pick != NULL ? json_object_get(j_pick, "value") : NULL);
}

static int set_path(struct setter *s, const char *path, const json_t *j_val);

/* name: {givenName, familyName, formatted, ...}. */
static void
set_name_object(struct setter *s, const json_t *j_val)
{
        const char *key;
        json_t *j_sub;
        char path[80];

        if (j_val == NULL || json_is_null(j_val)) {
                set_path(s, "name.givenName", NULL);
                set_path(s, "name.familyName", NULL);
                return;
        }
        if (!json_is_object(j_val)) {
                fault(s->p, "invalidValue", "name", "must be an object");
                return;
        }
        json_object_foreach((json_t *)j_val, key, j_sub) {
                snprintf(path, sizeof(path), "name.%.60s", key);
                set_path(s, path, j_sub);
        }
}

/* The enterprise extension: department is kept, the rest ignored. */
static void
set_enterprise_attr(struct setter *s, const char *attr, const json_t *j_val)
{
        if (strcasecmp(attr, "department") == 0)
                flat_set(s, "business_unit", j_val);
        else if (!root_in_list_ci(ignored_enterprise, attr))
                fault(s->p, "invalidPath", attr, "is not an attribute of the enterprise extension");
}

static void
set_enterprise_object(struct setter *s, const json_t *j_val)
{
        const char *key;
        json_t *j_sub;

        if (j_val == NULL || json_is_null(j_val)) {
                flat_set(s, "business_unit", NULL);
                return;
        }
        if (!json_is_object(j_val)) {
                fault(s->p, "invalidValue", SCIM_ENTERPRISE_SCHEMA, "must be an object");
                return;
        }
        json_object_foreach((json_t *)j_val, key, j_sub)
                set_enterprise_attr(s, key, j_sub);
}

/* emails[type eq "work"].value, emails[primary eq true].value, emails.value */
static bool
is_email_value_path(const char *path)
{
        const char *end;

        if (strcasecmp(path, "emails.value") == 0)
                return true;
        if (strncasecmp(path, "emails[", 7) != 0)
                return false;
        end = strchr(path, ']');
        return end != NULL && strcasecmp(end, "].value") == 0;
}

/*
 * The address Tandem keeps is the work or the primary one: emails.value,
 * emails[type eq "work"].value, emails[primary eq true].value (or both).
 * Others (type "other", "home", "proxyAddress", ...; another sub-attribute
 * than value) are accepted and dropped.
 */
static bool
is_kept_email_path(const char *path)
{
        const char *end = strchr(path, ']');
        size_t n;
        char filter[128];

        if (strcasecmp(path, "emails.value") == 0)
                return true;
        if (!is_email_value_path(path) || end == NULL)
                return false;
        n = (size_t)(end - path) - 7;
        snprintf(filter, sizeof(filter), "%.*s", (int)(n < sizeof(filter) ? n : sizeof(filter) - 1),
                 path + 7);
        return strcasestr(filter, "\"work\"") != NULL || strcasestr(filter, "primary eq true") != NULL;
}

/* The name parts, the enterprise extension and the emails. */
static int
set_compound(struct setter *s, const char *path, const json_t *j_val)
{
        if (strncasecmp(path, "name.", 5) == 0) {
                if (strcasecmp(path + 5, "givenName") == 0)
                        flat_set(s, "given_name", j_val);
                else if (strcasecmp(path + 5, "familyName") == 0)
                        flat_set(s, "family_name", j_val);
                else if (strcasecmp(path + 5, "formatted") == 0)
                        flat_set(s, FORMATTED, j_val);
                else if (!in_list_ci(ignored_name, path + 5))
                        return fault(s->p, "invalidPath", path, "is not an attribute of name");
                s->touched |= T_NAME;
        } else if (strcasecmp(path, "name") == 0) {
                set_name_object(s, j_val);
        } else if (strcasecmp(path, SCIM_ENTERPRISE_SCHEMA) == 0) {
                set_enterprise_object(s, j_val);
        } else if (strncasecmp(path, ENTERPRISE_PREFIX, strlen(ENTERPRISE_PREFIX)) == 0) {
                set_enterprise_attr(s, path + strlen(ENTERPRISE_PREFIX), j_val);
        } else if (strcasecmp(path, "emails") == 0) {
                set_emails(s, j_val);
        } else if (is_kept_email_path(path)) {
                flat_set(s, "email", j_val);
        } else if (strncasecmp(path, "emails[", 7) == 0 || strncasecmp(path, "emails.", 7) == 0) {
                return ST_OK;   /* another address, or a type or primary flag: dropped */
        } else {
                return fault(s->p, "invalidPath", path, "is not a User attribute Tandem knows");
        }
        return ST_OK;
}

/* Sets the attribute @path (NULL @j_val: remove it) in the flat person. */
static int
set_path(struct setter *s, const char *path, const json_t *j_val)
{
        if (strncasecmp(path, SCIM_USER_SCHEMA ":", strlen(SCIM_USER_SCHEMA) + 1) == 0)
                path += strlen(SCIM_USER_SCHEMA) + 1;   /* a fully qualified core name */
        if (strcasecmp(path, "userName") == 0) {
                if (j_val == NULL || json_is_null(j_val))
                        return fault(s->p, "mutability", "userName", "is required");
                flat_set(s, "user_name", j_val);
        } else if (strcasecmp(path, "externalId") == 0) {
                flat_set(s, "external_id", j_val);
        } else if (strcasecmp(path, "displayName") == 0) {
                flat_set(s, "display_name", j_val);
                s->touched |= T_DISPLAY;
        } else if (strcasecmp(path, "title") == 0) {
                flat_set(s, "title", j_val);
        } else if (strcasecmp(path, "timezone") == 0) {
                flat_set(s, "timezone", j_val);
        } else if (strcasecmp(path, "active") == 0) {
                if (j_val == NULL)
                        return fault(s->p, "mutability", "active", "cannot be removed");
                set_active(s, j_val);
        } else if (s->patch && (strcasecmp(path, "id") == 0 || strcasecmp(path, "meta") == 0 ||
                                strcasecmp(path, "groups") == 0)) {
                return fault(s->p, "mutability", path, "is read-only");
        } else if (!root_in_list_ci(ignored_user, path)) {
                return set_compound(s, path, j_val);
        }
        return ST_OK;
}

/* ---- deriving and checking --------------------------------------------------------- */

/* "given family", or NULL when both are missing (a new string, or NULL). */
static char *
joined_name(const json_t *j_flat)
{
        const char *g = json_string_value(json_object_get(j_flat, "given_name"));
        const char *f = json_string_value(json_object_get(j_flat, "family_name"));
        size_t n;
        char *out;

        if ((g == NULL || *g == '\0') && (f == NULL || *f == '\0'))
                return NULL;
        g = g != NULL ? g : "";
        f = f != NULL ? f : "";
        n = strlen(g) + strlen(f) + 2;
        out = malloc(n);
        if (out != NULL)
                snprintf(out, n, "%s%s%s", g, *g != '\0' && *f != '\0' ? " " : "", f);
        return out;
}

/* The display name: displayName, else name.formatted, else given + family, else userName. */
static void
derive_display_name(json_t *j_flat, unsigned touched, bool patch)
{
        const json_t *j_fmt = json_object_get(j_flat, FORMATTED);
        char *joined;

        if (touched & T_DISPLAY)
                goto out;
        if (patch && !(touched & T_NAME))
                goto out;
        if (json_string_value(j_fmt) != NULL && *json_string_value(j_fmt) != '\0') {
                json_object_set(j_flat, "display_name", (json_t *)j_fmt);
                goto out;
        }
        joined = joined_name(j_flat);
        if (joined != NULL)
                json_object_set_new(j_flat, "display_name", json_string(joined));
        else if (!patch)
                json_object_set(j_flat, "display_name", json_object_get(j_flat, "user_name"));
        free(joined);
out:
        json_object_del(j_flat, FORMATTED);
}

/* Without emails, a userName that is an address serves as the e-mail. */
static void
derive_email(json_t *j_flat)
{
        const char *user = json_string_value(json_object_get(j_flat, "user_name"));

        if (json_is_string(json_object_get(j_flat, "email")) || user == NULL)
                return;
        if (jv_email_valid(user))
                json_object_set_new(j_flat, "email", json_string(user));
}

static void
check_string(const json_t *j_flat, size_t i, struct problem *p)
{
        const json_t *j = json_object_get(j_flat, flat_names[i].flat);
        const char *s = json_string_value(j);
        long long len;

        if (j == NULL || json_is_null(j))
                return;
        if (s == NULL || strlen(s) != json_string_length(j)) {
                fault(p, "invalidValue", flat_names[i].scim, "must be a string");
                return;
        }
        len = jv_utf8_len(s);
        if (len < 0 || len > flat_names[i].max)
                problem_field(p, flat_names[i].scim, "must be at most %lld characters",
                              flat_names[i].max);
}

/*
 * A blank title or department (an empty or white-space value, as a provider
 * sends for an attribute the directory leaves empty) clears it, like null.
 */
static void
blank_labels_to_null(json_t *j_flat)
{
        static const char *const labels[] = { "title", "business_unit" };
        const char *s;

        for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
                s = json_string_value(json_object_get(j_flat, labels[i]));
                if (s != NULL && jv_blank(s))
                        json_object_set_new(j_flat, labels[i], json_null());
        }
}

/* userName, externalId and displayName identify a person: never blank. */
static void
check_not_blank(const json_t *j_flat, struct problem *p)
{
        static const char *const ids[] = { "user_name", "external_id", "display_name" };
        const char *s;

        for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
                s = json_string_value(json_object_get(j_flat, ids[i]));
                if (s == NULL || *s == '\0' || !jv_blank(s))
                        continue;
                for (size_t k = 0; k < FLAT_COUNT; k++)
                        if (strcmp(flat_names[k].flat, ids[i]) == 0)
                                fault(p, "invalidValue", flat_names[k].scim,
                                      "must not be blank (white space only)");
        }
}

int
scim_flat_check(const json_t *j_flat, struct problem *p)
{
        const char *s;

        for (size_t i = 0; i < FLAT_COUNT; i++)
                check_string(j_flat, i, p);
        s = json_string_value(json_object_get(j_flat, "user_name"));
        if (s == NULL || *s == '\0')
                fault(p, "invalidValue", "userName", "is required");
        s = json_string_value(json_object_get(j_flat, "email"));
        if (s == NULL)
                fault(p, "invalidValue", "emails", "Tandem needs an e-mail address (emails, or a"
                      " userName that is one)");
        else if (!jv_email_valid(s) || strlen(s) > 254)
                fault(p, "invalidValue", "emails", "is not an e-mail address");
        s = json_string_value(json_object_get(j_flat, "display_name"));
        if (s == NULL || *s == '\0')
                fault(p, "invalidValue", "displayName", "is required (or name, or userName)");
        s = json_string_value(json_object_get(j_flat, "timezone"));
        if (s != NULL && !people_json_tz_shape(s))
                fault(p, "invalidValue", "timezone", "must be an IANA time zone such as Europe/Paris");
        s = json_string_value(json_object_get(j_flat, "external_id"));
        if (s != NULL && *s == '\0')
                fault(p, "invalidValue", "externalId", "must not be empty");
        check_not_blank(j_flat, p);
        if (problem_field_count(p) > 0 && p->type[0] == '\0')
                snprintf(p->type, sizeof(p->type), "invalidValue");
        return problem_field_count(p) > 0 ? ST_INVALID : ST_OK;
}

/* schemas, when present, lists @want. */
static void
check_schemas(const json_t *j_body, const char *want, struct problem *p)
{
        const json_t *j_schemas = json_object_get(j_body, "schemas");
        const json_t *j_item;
        size_t i;

        json_array_foreach(j_schemas, i, j_item)
                if (json_is_string(j_item) && strcasecmp(json_string_value(j_item), want) == 0)
                        return;
        fault(p, "invalidSyntax", "schemas", want);
}

int
scim_user_parse(const json_t *j_body, struct problem *p, json_t **out)
{
        struct setter s = { json_object(), p, 0, false };
        const char *key;
        json_t *j_val;

        if (s.j_flat == NULL)
                return ST_NOMEM;
        check_schemas(j_body, SCIM_USER_SCHEMA, p);
        json_object_foreach((json_t *)j_body, key, j_val)
                set_path(&s, key, j_val);
        derive_display_name(s.j_flat, s.touched, false);
        derive_email(s.j_flat);
        blank_labels_to_null(s.j_flat);
        if (problem_field_count(p) == 0)
                scim_flat_check(s.j_flat, p);
        if (problem_field_count(p) > 0) {
                json_decref(s.j_flat);
                return ST_INVALID;
        }
        *out = s.j_flat;
        return ST_OK;
}

/* ---- PATCH ------------------------------------------------------------------------- */

/* Reads op (add, replace, remove in any case).  Returns 'a', 'r', 'd' or 0. */
static int
op_kind(const json_t *j_op)
{
        const char *op = json_string_value(json_object_get(j_op, "op"));

        if (op == NULL)
                return 0;
        if (strcasecmp(op, "add") == 0)
                return 'a';
        if (strcasecmp(op, "replace") == 0)
                return 'r';
        if (strcasecmp(op, "remove") == 0)
                return 'd';
        return 0;
}

/* The Operations array, with 1..SCIM_MAX_OPERATIONS objects.  Borrowed, or NULL. */
static const json_t *
operations(const json_t *j_patch, struct problem *p)
{
        const json_t *j_ops = json_object_get(j_patch, "Operations");

        check_schemas(j_patch, SCIM_PATCH_SCHEMA, p);
        if (!json_is_array(j_ops) || json_array_size(j_ops) == 0 ||
            json_array_size(j_ops) > SCIM_MAX_OPERATIONS) {
                fault(p, "invalidSyntax", "Operations", "must be an array of 1 to 100 operations");
                return NULL;
        }
        return problem_field_count(p) > 0 ? NULL : j_ops;
}

/* One operation on a User. */
static void
user_op(struct setter *s, const json_t *j_op, size_t i)
{
        const char *path = json_string_value(json_object_get(j_op, "path"));
        const json_t *j_val = json_object_get(j_op, "value");
        const char *key;
        json_t *j_member;
        char field[40];
        int kind = op_kind(j_op);

        snprintf(field, sizeof(field), "Operations[%zu]", i);
        if (kind == 0) {
                fault(s->p, "invalidSyntax", field, "op must be add, replace or remove");
        } else if (kind == 'd') {
                if (path == NULL)
                        fault(s->p, "noTarget", field, "remove needs a path");
                else
                        set_path(s, path, NULL);
        } else if (path != NULL) {
                if (j_val == NULL)
                        fault(s->p, "invalidSyntax", field, "needs a value");
                else
                        set_path(s, path, j_val);
        } else if (!json_is_object(j_val)) {
                fault(s->p, "invalidSyntax", field, "without a path, value must be an object");
        } else {
                json_object_foreach((json_t *)j_val, key, j_member)
                        set_path(s, key, j_member);
        }
}

int
scim_user_patch(json_t *j_flat, const json_t *j_patch, struct problem *p)
{
        struct setter s = { j_flat, p, 0, true };
        const json_t *j_ops = operations(j_patch, p);
        const json_t *j_op;
        size_t i;

        if (j_ops == NULL)
                return ST_INVALID;
        json_array_foreach(j_ops, i, j_op) {
                if (!json_is_object(j_op))
                        fault(p, "invalidSyntax", "Operations", "each operation must be an object");
                else
                        user_op(&s, j_op, i);
        }
        derive_display_name(j_flat, s.touched, true);
        blank_labels_to_null(j_flat);
        if (problem_field_count(p) == 0)
                scim_flat_check(j_flat, p);
        return problem_field_count(p) > 0 ? ST_INVALID : ST_OK;
}

/* ---- filters ----------------------------------------------------------------------- */

static enum scim_filter_attr
filter_attr(const char *attr)
{
        if (strcasecmp(attr, "userName") == 0)
                return SCIM_FILTER_USERNAME;
        if (strcasecmp(attr, "externalId") == 0)
                return SCIM_FILTER_EXTERNAL_ID;
        if (strcasecmp(attr, "displayName") == 0)
                return SCIM_FILTER_DISPLAY_NAME;
        if (strcasecmp(attr, "id") == 0)
                return SCIM_FILTER_ID;
        if (strcasecmp(attr, "emails") == 0 || is_email_value_path(attr))
                return SCIM_FILTER_EMAIL;
        return SCIM_FILTER_NONE;
}

/* The length of the attribute path at @s (a bracketed filter may hold blanks). */
static size_t
attr_len(const char *s)
{
        const char *close;

        if (strncasecmp(s, "emails[", 7) == 0 && (close = strchr(s, ']')) != NULL)
                return (size_t)(close - s) + strcspn(close, " ");
        return strcspn(s, " ");
}

int
scim_filter_parse(const char *filter, struct scim_filter *out, struct problem *p)
{
        char attr[128];
        json_t *j_val = NULL;
        size_t n;

        memset(out, 0, sizeof(*out));
        if (filter == NULL || filter[strspn(filter, " ")] == '\0')
                return ST_OK;
        filter += strspn(filter, " ");
        n = attr_len(filter);
        if (n == 0 || n >= sizeof(attr))
                goto bad;
        memcpy(attr, filter, n);
        attr[n] = '\0';
        filter += n;
        filter += strspn(filter, " ");
        if (strncasecmp(filter, "eq ", 3) != 0)
                goto bad;
        filter += 3;
        j_val = json_loads(filter, JSON_DECODE_ANY, NULL);
        out->attr = filter_attr(attr);
        if (!json_is_string(j_val) || out->attr == SCIM_FILTER_NONE ||
            json_string_length(j_val) >= sizeof(out->value) ||
            strlen(json_string_value(j_val)) != json_string_length(j_val))
                goto bad;
        memcpy(out->value, json_string_value(j_val), json_string_length(j_val) + 1);
        json_decref(j_val);
        return ST_OK;
bad:
        json_decref(j_val);
        out->attr = SCIM_FILTER_NONE;
        return fault(p, "invalidFilter", "filter", "Tandem filters by userName, externalId,"
                     " emails, displayName or id, with eq and a quoted value");
}

/* ---- Group members ----------------------------------------------------------------- */

void
scim_members_release(struct scim_members *m)
{
        if (m == NULL)
                return;
        json_decref(m->j_add);
        json_decref(m->j_remove);
        m->j_add = m->j_remove = NULL;
        m->replace = false;
}

/* Appends the ids of the member array @j_val ({value: id} objects) to @j_to. */
static void
member_ids(const json_t *j_val, json_t *j_to, struct problem *p, const char *field)
{
        const json_t *j_item;
        const char *id;
        size_t i;

        if (!json_is_array(j_val)) {
                fault(p, "invalidValue", field, "members must be an array of {value: id}");
                return;
        }
        json_array_foreach(j_val, i, j_item) {
                id = json_string_value(json_object_get(j_item, "value"));
                if (id == NULL || !jv_uuid_shape(id) || strlen(id) != 36)
                        fault(p, "invalidValue", field, "a member's value must be a User id");
                else if (json_array_size(j_to) < SCIM_MAX_MEMBERS)
                        json_array_append_new(j_to, json_string(id));
                else
                        fault(p, "tooMany", field, "at most 1000 members at once");
        }
}

/* members[value eq "id"]: the id, into @j_to. */
static void
member_filter(const char *path, json_t *j_to, struct problem *p, const char *field)
{
        struct scim_filter f;
        struct problem ignored = PROBLEM_INIT;
        char inner[128];
        size_t n = strlen(path);

        if (n < 10 || n - 9 >= sizeof(inner) || path[n - 1] != ']') {
                fault(p, "invalidPath", field, "path must be members or members[value eq \"id\"]");
                return;
        }
        snprintf(inner, sizeof(inner), "%.*s", (int)(n - 9), path + 8);
        if (strncasecmp(inner, "value ", 6) == 0)
                memcpy(inner, "id    ", 6);     /* same grammar as a filter on id */
        if (scim_filter_parse(inner, &f, &ignored) != ST_OK || f.attr != SCIM_FILTER_ID ||
            !jv_uuid_shape(f.value) || strlen(f.value) != 36)
                fault(p, "invalidPath", field, "path must be members or members[value eq \"id\"]");
        else
                json_array_append_new(j_to, json_string(f.value));
        problem_release(&ignored);
}

static void
group_op(struct scim_members *m, const json_t *j_op, size_t i, struct problem *p)
{
        const char *path = json_string_value(json_object_get(j_op, "path"));
        const json_t *j_val = json_object_get(j_op, "value");
        char field[40];
        int kind = op_kind(j_op);

        snprintf(field, sizeof(field), "Operations[%zu]", i);
        if (path == NULL && json_is_object(j_val)) {
                j_val = json_object_get(j_val, "members");
                path = j_val != NULL ? "members" : "displayName";
        }
        if (kind == 0) {
                fault(p, "invalidSyntax", field, "op must be add, replace or remove");
        } else if (path == NULL) {
                fault(p, "noTarget", field, "needs a path");
        } else if (strcasecmp(path, "displayName") == 0 || strcasecmp(path, "externalId") == 0) {
                return;         /* Tandem's groups are its roles: their names stay */
        } else if (strncasecmp(path, "members[", 8) == 0 && kind == 'd') {
                member_filter(path, m->j_remove, p, field);
        } else if (strcasecmp(path, "members") != 0) {
                fault(p, "invalidPath", field, "a Group has members only");
        } else if (kind == 'r') {
                json_array_clear(m->j_add);
                json_array_clear(m->j_remove);
                m->replace = true;
                member_ids(j_val, m->j_add, p, field);
        } else {
                member_ids(j_val, kind == 'a' ? m->j_add : m->j_remove, p, field);
        }
}

/* The top-level " and " of @filter (outside quotes and brackets), or NULL. */
static const char *
top_and(const char *filter)
{
        bool quoted = false;
        int depth = 0;

        for (const char *c = filter; *c != '\0'; c++) {
                if (*c == '\\' && quoted && c[1] != '\0')
                        c++;
                else if (*c == '"')
                        quoted = !quoted;
                else if (!quoted && (*c == '[' || *c == ']'))
                        depth += *c == '[' ? 1 : -1;
                else if (!quoted && depth == 0 && strncasecmp(c, " and ", 5) == 0)
                        return c;
        }
        return NULL;
}

/* One term of a Groups filter: members[value eq "id"] into @member, else attr eq "v". */
static int
group_term(const char *term, struct scim_filter *out, char member[UUID_STR_LEN],
           struct problem *p)
{
        json_t *j_ids = NULL;
        struct problem mp = PROBLEM_INIT;
        size_t n;

        term += strspn(term, " ");
        n = strlen(term);
        while (n > 0 && term[n - 1] == ' ')
                n--;
        if (strncasecmp(term, "members[", 8) != 0)
                return scim_filter_parse(term, out, p);
        j_ids = json_array();
        if (j_ids != NULL) {
                char path[160];

                snprintf(path, sizeof(path), "%.*s", (int)(n < sizeof(path) ? n : 0), term);
                member_filter(path, j_ids, &mp, "filter");
        }
        if (j_ids == NULL || json_array_size(j_ids) != 1 || member[0] != '\0') {
                json_decref(j_ids);
                problem_release(&mp);
                return fault(p, "invalidFilter", "filter", "a Group filter is displayName or id"
                             " eq \"name\", members[value eq \"id\"], or both joined by and");
        }
        snprintf(member, UUID_STR_LEN, "%s", json_string_value(json_array_get(j_ids, 0)));
        json_decref(j_ids);
        problem_release(&mp);
        return ST_OK;
}

int
scim_group_filter_parse(const char *filter, struct scim_filter *out, char member[UUID_STR_LEN],
                        struct problem *p)
{
        const char *and;
        char first[600];
        int rc;

        memset(out, 0, sizeof(*out));
        member[0] = '\0';
        if (filter == NULL || filter[strspn(filter, " ")] == '\0')
                return ST_OK;
        and = top_and(filter);
        if (and == NULL)
                return group_term(filter, out, member, p);
        if ((size_t)(and - filter) >= sizeof(first) || top_and(and + 5) != NULL)
                return fault(p, "invalidFilter", "filter", "at most two terms joined by and");
        snprintf(first, sizeof(first), "%.*s", (int)(and - filter), filter);
        rc = group_term(first, out, member, p);
        if (rc == ST_OK) {
                struct scim_filter second;

                rc = group_term(and + 5, out->attr == SCIM_FILTER_NONE ? out : &second, member, p);
                if (rc == ST_OK && (member[0] == '\0' || out->attr == SCIM_FILTER_NONE))
                        rc = fault(p, "invalidFilter", "filter", "and joins displayName or id"
                                   " eq \"name\" with members[value eq \"id\"]");
        }
        return rc;
}

int
scim_group_patch_parse(const json_t *j_patch, struct scim_members *out, struct problem *p)
{
        const json_t *j_ops = operations(j_patch, p);
        const json_t *j_op;
        size_t i;

        out->j_add = json_array();
        out->j_remove = json_array();
        out->replace = false;
        if (j_ops == NULL || out->j_add == NULL || out->j_remove == NULL)
                return ST_INVALID;
        json_array_foreach(j_ops, i, j_op) {
                if (!json_is_object(j_op))
                        fault(p, "invalidSyntax", "Operations", "each operation must be an object");
                else
                        group_op(out, j_op, i, p);
        }
        return problem_field_count(p) > 0 ? ST_INVALID : ST_OK;
}

int
scim_group_put_parse(const json_t *j_body, struct scim_members *out, struct problem *p)
{
        const json_t *j_members = json_object_get(j_body, "members");

        out->j_add = json_array();
        out->j_remove = json_array();
        out->replace = true;
        if (out->j_add == NULL || out->j_remove == NULL)
                return ST_NOMEM;
        check_schemas(j_body, SCIM_GROUP_SCHEMA, p);
        if (j_members != NULL && !json_is_null(j_members))
                member_ids(j_members, out->j_add, p, "members");
        return problem_field_count(p) > 0 ? ST_INVALID : ST_OK;
}

/* ---- errors -------------------------------------------------------------------------- */

json_t *
scim_error_json(unsigned status, const char *scim_type, const char *detail)
{
        char st[8];
        json_t *j_err;

        snprintf(st, sizeof(st), "%u", status);
        j_err = json_pack("{s:[s], s:s, s:s}", "schemas", SCIM_ERROR_SCHEMA, "status", st,
                          "detail", detail != NULL ? detail : "");
        if (j_err != NULL && scim_type != NULL)
                json_object_set_new(j_err, "scimType", json_string(scim_type));
        return j_err;
}
