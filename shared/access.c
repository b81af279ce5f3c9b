/*
 * access.c - who may do what, the same way in every service (see access.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "access.h"
#include "admcache.h"
#include "events.h"
#include "follower.h"
#include "identity.h"
#include "log.h"
#include "status.h"
#include "withdrawn.h"

/* ---- pure ------------------------------------------------------------------- */

enum relation
access_decide(const struct access_facts *f)
{
        if (f->self && access_is_person(f->roles))
                return REL_SELF;
        if (f->mentors && (f->roles & ROLE_MENTOR))
                return REL_MENTOR;
        if (f->roles & ROLE_ADMIN)
                return REL_ADMIN;
        if (f->roles & ROLE_SERVICE)
                return REL_SERVICE;
        return REL_NONE;
}

bool
access_is_person(unsigned roles)
{
        return (roles & ACCESS_PERSON_ROLES) != 0;
}

bool
access_viewer_only(unsigned roles)
{
        return roles == ROLE_VIEWER;
}

const char *
access_relation_role(enum relation rel)
{
        switch (rel) {
        case REL_SELF:
                return "partner";
        case REL_MENTOR:
                return "mentor";
        case REL_ADMIN:
                return "admin";
        case REL_SERVICE:
                return "service";
        case REL_NONE:
                break;
        }
        return NULL;
}

/* ---- the request ------------------------------------------------------------ */

bool
access_has(const struct request *rq, unsigned roles)
{
        return (rq->who.roles & roles) != 0;
}

bool
access_is_admin(const struct request *rq)
{
        return access_has(rq, ROLE_ADMIN);
}

bool
access_reads_all(const struct request *rq)
{
        return access_has(rq, ROLE_ADMIN | ROLE_SERVICE);
}

int
access_forbid(struct request *rq, const char *why)
{
        return problem_set(&rq->prob, ST_FORBIDDEN, NULL, "%s", why);
}

int
access_forbid_as(struct request *rq, const char *type, const char *why)
{
        return problem_set(&rq->prob, ST_FORBIDDEN, type, "%s", why);
}

int
access_not_consulting(struct request *rq, const char *why)
{
        return problem_set(&rq->prob, ST_FORBIDDEN, ACCESS_NOT_CONSULTING,
                           "mentoring, not consulting: %s", why);
}

int
access_no_viewer(struct request *rq)
{
        if (access_viewer_only(rq->who.roles))
                return access_forbid(rq, "viewers read aggregate statistics only");
        return ST_OK;
}

int
access_me(struct request *rq, char me[UUID_STR_LEN])
{
        me[0] = '\0';
        if (!access_is_person(rq->who.roles))
                return ST_OK;   /* a service or the SCIM client is nobody */
        return identity_me(rq, me);
}

int
access_is_self(struct request *rq, const char *person_id, bool *yes)
{
        char me[UUID_STR_LEN];
        int rc = access_me(rq, me);

        *yes = rc == ST_OK && me[0] != '\0' && strcasecmp(me, person_id) == 0;
        return rc;
}

int
access_is_mentor(struct request *rq, const char *partner_id, bool *yes)
{
        *yes = false;
        if (!access_has(rq, ROLE_MENTOR))
                return ST_OK;
        return identity_mentors(rq, partner_id, yes);
}

int
access_relation(struct request *rq, const char *person_id, enum relation *out)
{
        struct access_facts f = { rq->who.roles, false, false };
        int rc;

        *out = REL_NONE;
        if (access_reads_all(rq) && !access_has(rq, ROLE_MENTOR | ROLE_PARTNER)) {
                *out = access_decide(&f);   /* admin or service whoever they are: ask nobody */
                return ST_OK;
        }
        rc = access_is_self(rq, person_id, &f.self);
        if (rc == ST_OK && !f.self)
                rc = access_is_mentor(rq, person_id, &f.mentors);
        if (rc == ST_OK)
                *out = access_decide(&f);
        return rc;
}

int
access_read_person(struct request *rq, const char *person_id, const char *why,
                   enum relation *rel)
{
        enum relation r = REL_NONE;
        int rc = access_no_viewer(rq);

        if (rc == ST_OK)
                rc = access_relation(rq, person_id, &r);
        if (rc == ST_OK && r == REL_NONE)
                rc = access_forbid(rq, why);
        if (rel != NULL)
                *rel = r;
        return rc;
}

int
access_self_only(struct request *rq, const char *person_id, const char *type, const char *why)
{
        bool self = false;
        int rc = access_is_self(rq, person_id, &self);

        if (rc == ST_OK && !self)
                rc = access_forbid_as(rq, type, why);
        return rc;
}

/* ---- withdrawn subjects ------------------------------------------------------ */

unsigned
access_roles_from_list(const char *list)
{
        char name[32];
        unsigned bits = 0;
        size_t n;

        while (list != NULL && *list != '\0') {
                n = strcspn(list, ",");
                if (n < sizeof(name)) {
                        memcpy(name, list, n);
                        name[n] = '\0';
                        bits |= role_from_name(name);
                }
                list += n;
                list += *list == ',';
        }
        return bits;
}

/* What withdrawn_load read: the table's version and its rows as a set. */
struct withdrawn_load {
        long long version;
        struct withdrawn_set *set;   /* NULL when too big */
        bool too_big;
};


static int
withdrawn_find(PGconn *c, struct request *rq, void *arg)
{
        struct withdrawn_answer *w = arg;
        const char *params[2] = { rq->who.subject, rq->who.email };
        PGresult *res = NULL;
        int rc = db_exec(c, "access_withdrawn_find", 2, params, &res);

        if (rc == ST_OK && PQntuples(res) == 1) {
                w->left = PQgetvalue(res, 0, 0)[0] == 't';
                w->removed = access_roles_from_list(PQgetvalue(res, 0, 1));
        }
        PQclear(res);
        return rc;
}

/* Row @i of access_withdrawn_all's result @res. */
static void
withdrawn_row_read(const PGresult *res, int i, struct withdrawn_row *r)
{
        r->has_subject = withdrawn_parse_digest(PQgetvalue(res, i, 2), r->subject);
        r->has_email = withdrawn_parse_digest(PQgetvalue(res, i, 3), r->email);
        r->left = PQgetvalue(res, i, 4)[0] == 't';
        r->removed = access_roles_from_list(PQgetvalue(res, i, 5));
}

/* Reads the whole table into a set (withdrawn.h), NULL when it holds too many rows. */
static int
withdrawn_load(PGconn *c, struct request *rq, void *arg)
{
        struct withdrawn_load *l = arg;
        char limit[16];
        const char *params[1] = { limit };
        struct withdrawn_row *rows = NULL;
        PGresult *res = NULL;
        int i, n = 0, rc;

        (void)rq;
        /* one row past the bound tells a table too big to keep */
        snprintf(limit, sizeof(limit), "%d", WITHDRAWN_MAX + 1);
        rc = db_exec_one(c, "access_withdrawn_all", 1, params, &res);
        if (rc != ST_OK)
                return rc == ST_NOT_FOUND ? ST_INTERNAL : rc;
        l->version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        l->too_big = PQntuples(res) > WITHDRAWN_MAX;
        rows = l->too_big ? NULL : calloc((size_t)PQntuples(res) + 1, sizeof(*rows));
        if (!l->too_big && rows == NULL)
                rc = ST_NOMEM;
        for (i = 0; rows != NULL && i < PQntuples(res); i++) {
                if (PQgetvalue(res, i, 1)[0] == 't')   /* else the empty table's one row */
                        withdrawn_row_read(res, i, &rows[n++]);
        }
        if (rows != NULL)
                rc = withdrawn_set_new(rows, (size_t)n, &l->set);
        free(rows);
        PQclear(res);
        return rc;
}

/* Reads the table's version into *(long long *)@arg. */
static int
withdrawn_version_get(PGconn *c, struct request *rq, void *arg)
{
        PGresult *res = NULL;
        int rc = db_exec_one(c, "access_withdrawn_version", 0, NULL, &res);

        (void)rq;
        if (rc == ST_OK)
                *(long long *)arg = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
        return rc == ST_NOT_FOUND ? ST_INTERNAL : rc;
}

/*
 * Once a second per process: one statement asks whether the table changed,
 * and only then a second reloads it.  A failure leaves the snapshot to age
 * (withdrawn_lookup then refuses it and the caller asks per request).
 */
static void
withdrawn_refresh(struct request *rq, struct withdrawn *wd, uint64_t now_ms)
{
        struct withdrawn_load l = { -1, NULL, false };
        long long version = -1;
        int rc = db_with(rq->svc->db, rq, withdrawn_version_get, &version);

        if (rc == ST_OK && version != withdrawn_version(wd))
                rc = db_with(rq->svc->db, rq, withdrawn_load, &l);
        else
                l.version = version;
        problem_release(&rq->prob);   /* the request itself has not failed yet */
        withdrawn_checked(wd, now_ms, rc == ST_OK, l.version, l.set, l.too_big);
}

int
access_admit(struct request *rq)
{
        struct withdrawn_answer w = { false, 0 };
        struct withdrawn *wd = rq->svc->withdrawn;
        unsigned mine = rq->who.roles & ACCESS_PERSON_ROLES;
        uint64_t now = admcache_now_ms();
        int rc = ST_OK;

        if (mine == 0)
                return ST_OK;   /* a service or the SCIM client: nobody to withdraw */
        if (wd != NULL && withdrawn_claim_check(wd, now))
                withdrawn_refresh(rq, wd, now);
        if (wd == NULL || !withdrawn_lookup(wd, now, rq->who.subject, rq->who.email, &w))
                rc = db_with(rq->svc->db, rq, withdrawn_find, &w);
        if (rc != ST_OK)
                return rc;
        if (w.left || (mine & ~w.removed) == 0)
                return problem_set(&rq->prob, ST_FORBIDDEN, "access-withdrawn",
                                   "your access to Tandem was withdrawn");
        rq->who.roles &= ~w.removed;
        return ST_OK;
}

/* A string member of @j_data, or NULL when absent or not a string. */
static const char *
data_string(const json_t *j_data, const char *name)
{
        return json_string_value(json_object_get(j_data, name));
}

/* The roles named in the array @name of @j_data as a PostgreSQL array literal. */
static void
data_roles(const json_t *j_data, const char *name, char *out, size_t outlen)
{
        const json_t *j_role;
        size_t i, used = 0;

        out[0] = '{';
        out[1] = '\0';
        json_array_foreach(json_object_get(j_data, name), i, j_role) {
                const char *r = json_string_value(j_role);

                used = strlen(out);
                if (r == NULL || role_from_name(r) == 0 || used + strlen(r) + 3 > outlen)
                        continue;
                snprintf(out + used, outlen - used, "%s%s", used > 1 ? "," : "", r);
        }
        used = strlen(out);
        snprintf(out + used, outlen - used, "}");
}

/* Runs the service's person_erase and confirms with tandem.<service>.person.erased. */
static int
erase_person(PGconn *conn, const char *person_id)
{
        const char *params[1] = { person_id };
        char type[80];
        PGresult *res = NULL, *svc = NULL;
        json_t *j_data = NULL;
        int rc = db_exec_one(conn, "person_erase", 1, params, &res);

        if (rc == ST_OK)
                rc = db_exec_one(conn, "access_service", 0, NULL, &svc);
        if (rc == ST_OK) {
                snprintf(type, sizeof(type), "tandem.%s.person.erased", PQgetvalue(svc, 0, 0));
                j_data = json_pack("{s:o?}", "removed",
                                   json_loads(PQgetvalue(res, 0, 0), 0, NULL));
                rc = j_data != NULL ? ST_OK : ST_NOMEM;
        }
        if (rc == ST_OK)
                rc = outbox_emit4(conn, NULL, type, person_id, person_id, 0, j_data);
        json_decref(j_data);
        PQclear(svc);
        PQclear(res);
        return rc;
}

static int
apply_person(PGconn *c, const struct follower_event *ev, void *arg)
{
        const struct access_people *pf = arg;
        const char *person = ev->subject;
        const char *verb = strrchr(ev->type, '.') + 1;
        const char *reason = data_string(ev->data, "reason");
        char removed[128], added[128];
        const char *p[5] = { person, data_string(ev->data, "subject_sha256"),
                             data_string(ev->data, "email_sha256"), NULL, NULL };
        int rc;

        if (person == NULL || !uuid_valid(person))
                return ST_INVALID;      /* never applicable: logged and skipped */
        if (reason == NULL)
                reason = verb;
        if (strcmp(verb, "erased") == 0)
                reason = "erased";
        if (strcmp(verb, "left") == 0 || strcmp(verb, "erased") == 0) {
                p[3] = reason;
                rc = db_exec(c, "access_withdrawn_left", 4, p, NULL);
                if (rc == ST_OK && pf->gone != NULL)
                        rc = pf->gone(c, person, reason, pf->arg);
                if (rc == ST_OK && strcmp(verb, "erased") == 0)
                        rc = erase_person(c, person);
                return rc;
        }
        if (strcmp(verb, "reinstated") == 0)
                rc = db_exec(c, "access_withdrawn_reinstate", 1, p, NULL);
        else if (strcmp(verb, "roles_changed") == 0) {
                data_roles(ev->data, "roles_removed", removed, sizeof(removed));
                data_roles(ev->data, "roles_added", added, sizeof(added));
                p[3] = removed;
                p[4] = added;
                rc = db_exec(c, "access_withdrawn_roles", 5, p, NULL);
        } else
                return ST_OK;   /* another person event: nothing to do */
        if (rc == ST_OK)
                rc = db_exec(c, "access_withdrawn_tidy", 1, p, NULL);
        return rc;
}

int
access_follow_people(struct service *svc, const struct access_people *how)
{
        struct follower_spec spec = {
                .name = "people-access",
                .producer_url = svc->cfg.people_url,
                .types = "tandem.people.person.left,tandem.people.person.reinstated,"
                         "tandem.people.person.roles_changed,tandem.people.person.erased",
                .apply = apply_person,
                .arg = (void *)how,
        };
        int rc = svc->withdrawn == NULL ? withdrawn_new(&svc->withdrawn) : ST_OK;

        if (rc != ST_OK)
                return rc;
        rc = follower_start(svc, &spec);
        if (rc != ST_OK)
                log_error("cannot follow the people service's person events");
        svc->admit = access_admit;
        return rc;
}
