/*
 * checklists_db.c - typed calls for activity templates, checklist items and
 * completions (the SQL is in mentoring_db.c), and reading items with their
 * completions for the regularity computation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mentoring.h"
#include "status.h"

static int
body_text(const json_t *j_body, char **out)
{
        *out = json_dumps(j_body, JSON_COMPACT);
        return *out != NULL ? ST_OK : ST_NOMEM;
}

/* The cadence as two parameters (kind name, days), or NULLs for none. */
static void
cadence_params(const struct cadence *cad, char days[16], const char **kind, const char **d)
{
        *kind = NULL;
        *d = NULL;
        if (cad == NULL)
                return;
        snprintf(days, 16, "%d", cad->days);
        *kind = cadence_name(cad);
        *d = days;
}

/* ---- templates -------------------------------------------------------------------- */

int
templates_db_insert(PGconn *c, const json_t *j_body, const struct cadence *cad,
                    struct db_row *out)
{
        char *body = NULL, days[16];
        const char *params[3] = { NULL, NULL, NULL };
        int rc = body_text(j_body, &body);

        params[0] = body;
        cadence_params(cad, days, &params[1], &params[2]);
        if (rc == ST_OK)
                rc = db_exec_row(c, "template_insert", 3, params, out);
        free(body);
        return rc;
}

int
templates_db_get(PGconn *c, const char *id, struct db_row *out)
{
        const char *params[1] = { id };

        return db_exec_row(c, "template_get", 1, params, out);
}

int
templates_db_lock(PGconn *c, const char *id, long long *version)
{
        const char *params[1] = { id };
        PGresult *res = NULL;
        int rc = db_exec_one(c, "template_lock", 1, params, &res);

        if (rc == ST_OK)
                *version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
        return rc;
}

int
templates_db_update(PGconn *c, const char *id, const json_t *j_body, const struct cadence *cad,
                    struct db_row *out)
{
        char *body = NULL, days[16];
        const char *params[4] = { id, NULL, NULL, NULL };
        int rc = body_text(j_body, &body);

        params[1] = body;
        cadence_params(cad, days, &params[2], &params[3]);
        if (rc == ST_OK)
                rc = db_exec_row(c, "template_update", 4, params, out);
        free(body);
        return rc;
}

int
templates_db_list(PGconn *c, const struct template_filter *f, const struct page *pg,
                  char **out)
{
        const char *params[5] = { NULL, f->platform, f->skill,
                                  f->archived < 0 ? NULL : f->archived ? "true" : "false", NULL };

        return db_page(c, "template_list", 5, params, pg, out);
}

/* ---- items with their completions ---------------------------------------------- */

/* Counts the elements of a PostgreSQL array text "{1,2,3}". */
static size_t
array_count(const char *s)
{
        size_t n = 0;

        if (s[0] != '{' || s[1] == '}')
                return 0;
        for (n = 1; *s != '\0'; s++)
                n += *s == ',';
        return n;
}

/* Parses the integer array text @s into *@out (malloc'd, at least one slot). */
static int
array_parse(const char *s, int64_t **out, size_t *n)
{
        size_t cap = array_count(s), k = 0;
        int64_t *v = malloc((cap > 0 ? cap : 1) * sizeof(*v));
        char *end;

        if (v == NULL)
                return ST_NOMEM;
        for (s++; k < cap && *s != '\0'; s = end + 1) {
                v[k++] = strtoll(s, &end, 10);
                if (end == s)
                        break;
        }
        *out = v;
        *n = k;
        return ST_OK;
}

static int
pauses_parse(const char *from, const char *to, struct span **out, size_t *n)
{
        int64_t *f = NULL, *t = NULL;
        size_t nf = 0, nt = 0;
        struct span *sp = NULL;
        int rc = array_parse(from, &f, &nf);

        if (rc == ST_OK)
                rc = array_parse(to, &t, &nt);
        if (rc == ST_OK && (sp = malloc((nf > 0 ? nf : 1) * sizeof(*sp))) == NULL)
                rc = ST_NOMEM;
        for (size_t i = 0; rc == ST_OK && i < nf && i < nt; i++) {
                sp[i].from = (int32_t)f[i];
                sp[i].to = (int32_t)t[i];
        }
        if (rc == ST_OK) {
                *out = sp;
                *n = nf < nt ? nf : nt;
                sp = NULL;
        }
        free(f);
        free(t);
        free(sp);
        return rc;
}

/* Fills @it from row @i of an item_read_* result. */
static int
item_take(const PGresult *res, int i, struct item_input *it, int64_t *now)
{
        int rc = ST_NOMEM;

        snprintf(it->id, sizeof(it->id), "%s", PQgetvalue(res, i, 0));
        snprintf(it->partner_id, sizeof(it->partner_id), "%s", PQgetvalue(res, i, 9));
        it->json = strdup(PQgetvalue(res, i, 1));
        if (it->json == NULL)
                return rc;
        if (!cadence_from_name(PQgetvalue(res, i, 2), (int)strtol(PQgetvalue(res, i, 3), NULL, 10),
                               &it->cadence))
                return ST_INTERNAL;
        it->start_day = (int32_t)strtol(PQgetvalue(res, i, 4), NULL, 10);
        it->active = PQgetvalue(res, i, 5)[0] == 't';
        *now = strtoll(PQgetvalue(res, i, 8), NULL, 10);
        rc = pauses_parse(PQgetvalue(res, i, 6), PQgetvalue(res, i, 7), &it->pauses,
                          &it->n_pauses);
        if (rc == ST_OK)
                rc = array_parse(PQgetvalue(res, i, 11), &it->done, &it->n_done);
        it->version = strtoll(PQgetvalue(res, i, 10), NULL, 10);
        return rc;
}

static int
items_take(const PGresult *res, struct item_input **items, size_t *n, int64_t *now)
{
        size_t count = (size_t)PQntuples(res);
        struct item_input *all = calloc(count > 0 ? count : 1, sizeof(*all));
        int rc = all != NULL ? ST_OK : ST_NOMEM;

        *now = (int64_t)time(NULL);    /* the database's clock, when there is a row */
        for (size_t i = 0; rc == ST_OK && i < count; i++)
                rc = item_take(res, (int)i, &all[i], now);
        if (rc != ST_OK) {
                item_inputs_free(all, count);
                return rc;
        }
        *items = all;
        *n = count;
        return ST_OK;
}

int
items_db_read(PGconn *c, const char *partner_id, const char *item_id,
              struct item_input **items, size_t *n, int64_t *now)
{
        const char *params[2] = { partner_id, item_id };
        PGresult *res = NULL;
        int rc = db_exec(c, item_id != NULL ? "item_read_one" : "item_read_partner",
                         item_id != NULL ? 2 : 1, params, &res);

        if (rc == ST_OK)
                rc = items_take(res, items, n, now);
        PQclear(res);
        return rc;
}

int
stats_db_items(PGconn *c, int weeks, struct item_input **items, size_t *n, int64_t *now)
{
        char w[16];
        const char *params[1] = { w };
        PGresult *res = NULL;
        int rc;

        snprintf(w, sizeof(w), "%d", weeks);
        rc = db_exec(c, "item_read_stats", 1, params, &res);
        if (rc == ST_OK)
                rc = items_take(res, items, n, now);
        PQclear(res);
        return rc;
}

/* ---- item writes ----------------------------------------------------------------------- */

/* The template an item is made from must exist and be in use. */
static int
item_template_usable(PGconn *c, const char *template_id, struct problem *p)
{
        const char *params[1] = { template_id };
        PGresult *res = NULL;
        int rc = db_exec(c, "item_template", 1, params, &res);

        if (rc == ST_OK && PQntuples(res) == 0)
                problem_field(p, "template_id", "no activity template has this id");
        else if (rc == ST_OK && PQgetvalue(res, 0, 0)[0] == 't')
                problem_field(p, "template_id", "this activity template is archived");
        PQclear(res);
        if (rc == ST_OK && problem_field_count(p) > 0)
                rc = problem_set(p, ST_CONFLICT, NULL,
                                 "the item cannot be made from this template");
        return rc;
}

static int
item_room(PGconn *c, const char *partner_id, struct problem *p)
{
        const char *params[1] = { partner_id };
        PGresult *res = NULL;
        int rc = db_exec(c, "item_count", 1, params, &res);

        if (rc == ST_OK && strtol(PQgetvalue(res, 0, 1), NULL, 10) >= ITEMS_MAX)
                rc = problem_set(p, ST_CONFLICT, NULL, "a checklist holds at most %d items;"
                                 " pause one you no longer do instead", ITEMS_MAX);
        PQclear(res);
        return rc;
}

int
items_db_insert(PGconn *c, const char *partner_id, const json_t *j_body, struct db_row *out,
                struct problem *p)
{
        const char *template_id = json_string_value(json_object_get(j_body, "template_id"));
        char *body = NULL, days[16];
        const char *params[4] = { partner_id, NULL, NULL, NULL };
        struct cadence cad;
        json_t *j_cad = json_object_get(j_body, "cadence");
        int rc = item_room(c, partner_id, p);

        if (rc == ST_OK && template_id != NULL)
                rc = item_template_usable(c, template_id, p);
        if (rc == ST_OK && j_cad != NULL)
                rc = mentoring_json_cadence(j_cad, "cadence", &cad, p);
        if (rc == ST_OK)
                rc = body_text(j_body, &body);
        params[1] = body;
        cadence_params(j_cad != NULL ? &cad : NULL, days, &params[2], &params[3]);
        if (rc == ST_OK)
                rc = db_exec_row(c, "item_insert", 4, params, out);
        free(body);
        return rc;
}

int
items_db_lock(PGconn *c, const char *partner_id, const char *id, long long *version,
              int32_t *start_day)
{
        const char *params[2] = { id, partner_id };
        PGresult *res = NULL;
        int rc = db_exec_one(c, "item_lock", 2, params, &res);

        if (rc == ST_OK) {
                *version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
                *start_day = (int32_t)strtol(PQgetvalue(res, 0, 1), NULL, 10);
        }
        PQclear(res);
        return rc;
}

int
items_db_update(PGconn *c, const char *id, const json_t *j_body, struct db_row *out)
{
        char *body = NULL, days[16];
        const char *params[4] = { id, NULL, NULL, NULL };
        json_t *j_cad = json_object_get(j_body, "cadence");
        struct problem p = PROBLEM_INIT;
        struct cadence cad;
        int rc = body_text(j_body, &body);

        /* validated before: this cannot fail */
        if (rc == ST_OK && j_cad != NULL
            && mentoring_json_cadence(j_cad, "cadence", &cad, &p) != ST_OK)
                rc = ST_INTERNAL;
        problem_release(&p);
        params[1] = body;
        cadence_params(j_cad != NULL ? &cad : NULL, days, &params[2], &params[3]);
        if (rc == ST_OK)
                rc = db_exec_row(c, "item_update", 4, params, out);
        free(body);
        return rc;
}

/* ---- completions -------------------------------------------------------------------- */

int
completions_db_insert(PGconn *c, const char *item_id, const char *partner_id,
                      const json_t *j_body, struct db_row *out)
{
        char *body = NULL;
        const char *params[3] = { item_id, partner_id, NULL };
        int rc = body_text(j_body, &body);

        params[2] = body;
        if (rc == ST_OK)
                rc = db_exec_row(c, "completion_insert", 3, params, out);
        free(body);
        return rc;
}

int
completions_db_get(PGconn *c, const char *partner_id, const char *id, struct db_row *out)
{
        const char *params[2] = { partner_id, id };

        return db_exec_row(c, "completion_get", 2, params, out);
}

int
completions_db_lock(PGconn *c, const char *partner_id, const char *id, long long *version,
                    int *comments)
{
        const char *params[2] = { partner_id, id };
        PGresult *res = NULL;
        int rc = db_exec_one(c, "completion_lock", 2, params, &res);

        if (rc == ST_OK) {
                *version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
                *comments = (int)strtol(PQgetvalue(res, 0, 1), NULL, 10);
        }
        PQclear(res);
        return rc;
}

int
completions_db_update(PGconn *c, const char *id, const json_t *j_body, struct db_row *out)
{
        char *body = NULL;
        const char *params[2] = { id, NULL };
        int rc = body_text(j_body, &body);

        params[1] = body;
        if (rc == ST_OK)
                rc = db_exec_row(c, "completion_update", 2, params, out);
        free(body);
        return rc;
}

int
completions_db_delete(PGconn *c, const char *id, struct db_row *out)
{
        const char *params[1] = { id };

        return db_exec_row(c, "completion_delete", 1, params, out);
}

int
completions_db_verify(PGconn *c, const char *id, const char *by, const char *note,
                      struct db_row *out)
{
        const char *params[3] = { id, by, note };

        return db_exec_row(c, "completion_verify", 3, params, out);
}

int
completions_db_unverify(PGconn *c, const char *id, struct db_row *out)
{
        const char *params[1] = { id };

        return db_exec_row(c, "completion_unverify", 1, params, out);
}

int
completions_db_comment(PGconn *c, const char *id, const char *by, const char *text,
                       struct db_row *out)
{
        const char *params[3] = { id, by, text };

        return db_exec_row(c, "comment_insert", 3, params, out);
}

int
completions_db_list(PGconn *c, const struct completion_filter *f, const struct page *pg,
                    char **out)
{
        const char *params[7] = { NULL, f->partner_id, f->item_id, f->from, f->to,
                                  f->verified < 0 ? NULL : f->verified ? "true" : "false",
                                  NULL };

        return db_page(c, "completion_list", 7, params, pg, out);
}
