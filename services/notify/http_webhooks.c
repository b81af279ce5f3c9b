/*
 * http_webhooks.c - /v1/webhooks (admin only): subscriptions, secret
 * rotation, the delivery log, redelivery and replay.  A secret is in the
 * answer to its creation and to its rotation, and nowhere else: not in a
 * GET, an event, a log line nor an Idempotency-Key's stored response (these
 * routes take none).  Every change records its event
 * (tandem.notify.webhook.*) in the same transaction; the data holds the id,
 * whether it is enabled and its type filter, never the URL (a URL may carry
 * a token of the receiver's).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "events.h"
#include "jsonv.h"
#include "notify.h"
#include "query.h"
#include "status.h"

#define REPLAY_MAX 10000

static const char *const event_fields[] = { "enabled", "types", NULL };
static const char *const statuses[] = { "pending", "succeeded", "failed", NULL };

static const struct jv_field webhook_fields[] = {
        { "url", JV_STRING, JV_REQUIRED, 1, 2048, NULL, 0 },
        { "types", JV_STRING, 0, 1, 2000, NULL, 0 },
        { "description", JV_STRING, 0, 0, 500, NULL, 0 },
        { "enabled", JV_BOOL, 0, 0, 0, NULL, 0 },
        { NULL, 0, 0, 0, 0, NULL, 0 },
};

static const struct jv_field replay_fields[] = {
        { "since", JV_TIME, JV_REQUIRED, 0, 0, NULL, 0 },
        { NULL, 0, 0, 0, 0, NULL, 0 },
};

struct wh_op {
        json_t *j_body;
        char id[UUID_STR_LEN];
        char *patterns;                          /* owned */
        char key_hex[WH_STORED_HEX_LEN];           /* the stored form */
        char secret[WH_SECRET_TEXT_LEN];
        char delivery[24];
        struct page pg;
        const char *status;
};

static void
wh_op_release(struct wh_op *op)
{
        json_decref(op->j_body);
        free(op->patterns);
        memset(op->key_hex, 0, sizeof(op->key_hex));
        memset(op->secret, 0, sizeof(op->secret));
}

static struct webhooks *
wh_of(struct request *rq)
{
        struct notify_app *app = rq->svc->app;

        return &app->webhooks;
}

static int
admin_only(struct request *rq)
{
        return access_is_admin(rq) ? ST_OK
               : access_forbid(rq, "webhooks are for the programme team (admin)");
}

static const char *
str_or_null(const json_t *j_obj, const char *key)
{
        return json_string_value(json_object_get(j_obj, key));
}

static const char *
bool_or_null(const json_t *j_obj, const char *key)
{
        const json_t *j = json_object_get(j_obj, key);

        return j == NULL ? NULL : json_is_true(j) ? "true" : "false";
}

/*
 * The url and types of a create or a PATCH body: a bad type filter or URL
 * shape is a 400, a target the guard refuses (http, a private address, a
 * host that does not resolve) a 422, each naming its field.
 */
static int
check_target(struct request *rq, struct wh_op *op)
{
        const char *url = str_or_null(op->j_body, "url");
        const char *types = str_or_null(op->j_body, "types");
        char why[200];
        int rc = ST_OK;

        if (types != NULL) {
                rc = event_type_filter(types, &op->patterns, why, sizeof(why));
                if (rc == ST_NOMEM)
                        return rc;
                if (rc != ST_OK)
                        problem_field(&rq->prob, "types", "%s", why);
        }
        if (url != NULL) {
                rc = webhooks_url_check(wh_of(rq), url, why, sizeof(why));
                if (rc == ST_NOMEM)
                        return rc;
                if (rc != ST_OK)
                        problem_field(&rq->prob, "url", "%s", why);
                if (rc == ST_UNPROCESSABLE && problem_field_count(&rq->prob) == 1)
                        return problem_set(&rq->prob, rc, "webhook-target-refused",
                                           "this webhook target is refused");
        }
        if (problem_field_count(&rq->prob) > 0)
                return problem_set(&rq->prob, ST_INVALID, NULL, "bad webhook");
        return ST_OK;
}

static int
new_secret(struct request *rq, struct wh_op *op)
{
        const struct webhooks *wh = wh_of(rq);
        unsigned char key[WH_SECRET_BYTES];
        int rc = wh_secret_new(key);

        if (rc == ST_OK)
                rc = wh_secret_store(wh->sealed ? wh->seal_key : NULL, key, op->key_hex);
        if (rc == ST_OK)
                wh_secret_text(key, op->secret);
        memset(key, 0, sizeof(key));
        return rc;
}

/* The row as the answer, with the new secret (shown this once). */
static int
reply_with_secret(struct request *rq, struct db_row *r, unsigned status, const char *collection,
                  const struct wh_op *op)
{
        int rc = http_reply_row(rq, r, status, collection);

        if (rc == ST_OK && collection == NULL) {
                /* a rotation: the text passed through unparsed; parse it to add the secret */
                json_t *j = json_loads(rq->text_out, 0, NULL);

                free(rq->text_out);
                rq->text_out = NULL;
                rq->j_out = j;
                rc = j != NULL ? ST_OK : ST_NOMEM;
        }
        if (rc == ST_OK && json_object_set_new(rq->j_out, "secret", json_string(op->secret)) != 0)
                rc = ST_NOMEM;
        return rc;
}

/* ---- POST /v1/webhooks ----------------------------------------------------------- */

static int
create_tx(PGconn *c, struct request *rq, void *arg)
{
        struct wh_op *op = arg;
        const char *params[7] = {
                str_or_null(op->j_body, "url"), op->patterns != NULL ? str_or_null(op->j_body,
                                                                                   "types") : "*",
                op->patterns != NULL ? op->patterns : "{%}",
                str_or_null(op->j_body, "description"), bool_or_null(op->j_body, "enabled"),
                op->key_hex, rq->who.subject,
        };
        struct db_row r = DB_ROW_INIT;
        int rc = db_exec_row(c, "webhook_insert", 7, params, &r);

        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.notify.webhook.created", &r, NULL, event_fields,
                                NULL);
        if (rc == ST_OK)
                rc = reply_with_secret(rq, &r, 201, "webhooks", op);
        db_row_release(&r);
        return rc;
}

int
http_webhooks_create(struct request *rq)
{
        struct wh_op op = { 0 };
        int rc = admin_only(rq);

        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = jv_check(op.j_body, webhook_fields, NULL, &rq->prob);
        if (rc == ST_OK)
                rc = check_target(rq, &op);
        if (rc == ST_OK)
                rc = new_secret(rq, &op);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, create_tx, &op);
        wh_op_release(&op);
        return rc;
}

/* ---- GET /v1/webhooks, GET /v1/webhooks/{id} ------------------------------------------ */

static int
list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct wh_op *op = arg;
        char after[24], limit[16];
        const char *params[2] = { after, limit };

        snprintf(after, sizeof(after), "%lld", (long long)op->pg.after);
        snprintf(limit, sizeof(limit), "%d", op->pg.limit + 1);
        rq->content_type = "application/json";
        return db_exec_page(c, "webhook_list", 2, params, op->pg.limit, &rq->text_out);
}

int
http_webhooks_list(struct request *rq)
{
        struct wh_op op = { 0 };
        int rc = admin_only(rq);

        if (rc == ST_OK)
                rc = http_page(rq, &op.pg);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, list_tx, &op);
        return rc;
}

static int
get_row(PGconn *c, struct request *rq, const char *id, struct db_row *r)
{
        const char *params[1] = { id };
        int rc = db_exec_row(c, "webhook_get", 1, params, r);

        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, "no webhook %s", id);
        return rc;
}

static int
get_tx(PGconn *c, struct request *rq, void *arg)
{
        struct wh_op *op = arg;
        struct db_row r = DB_ROW_INIT;
        int rc = get_row(c, rq, op->id, &r);

        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 200, NULL);
        db_row_release(&r);
        return rc;
}

/* The admin check and the {id} of the path. */
static int
webhook_path(struct request *rq, struct wh_op *op)
{
        int rc = admin_only(rq);

        return rc == ST_OK ? http_path_uuid(rq, "id", op->id) : rc;
}

int
http_webhooks_get(struct request *rq)
{
        struct wh_op op = { 0 };
        int rc = webhook_path(rq, &op);

        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, get_tx, &op);
        return rc;
}

/* ---- PATCH /v1/webhooks/{id} -------------------------------------------------------- */

static int
patch_tx(PGconn *c, struct request *rq, void *arg)
{
        struct wh_op *op = arg;
        const char *params[6] = {
                op->id, str_or_null(op->j_body, "url"),
                op->patterns != NULL ? str_or_null(op->j_body, "types") : NULL, op->patterns,
                str_or_null(op->j_body, "description"), bool_or_null(op->j_body, "enabled"),
        };
        struct db_row r = DB_ROW_INIT;
        int rc = get_row(c, rq, op->id, &r);

        if (rc == ST_OK)
                rc = http_if_match(rq, r.version);
        db_row_release(&r);
        if (rc == ST_OK)
                rc = db_exec_row(c, "webhook_update", 6, params, &r);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.notify.webhook.updated", &r, NULL, event_fields,
                                op->j_body);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &r, 200, NULL);
        db_row_release(&r);
        return rc;
}

int
http_webhooks_patch(struct request *rq)
{
        struct wh_op op = { 0 };
        int rc = webhook_path(rq, &op);

        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = jv_check_partial(op.j_body, webhook_fields, NULL, &rq->prob);
        if (rc == ST_OK)
                rc = check_target(rq, &op);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, patch_tx, &op);
        if (rc == ST_OK && json_is_true(json_object_get(op.j_body, "enabled")))
                deliver_wake(wh_of(rq));
        wh_op_release(&op);
        return rc;
}

/* ---- DELETE /v1/webhooks/{id}, POST /v1/webhooks/{id}/rotate ------------------------- */

static int
delete_tx(PGconn *c, struct request *rq, void *arg)
{
        struct wh_op *op = arg;
        const char *params[1] = { op->id };
        struct db_row r = DB_ROW_INIT;
        int rc = db_exec_row(c, "webhook_delete", 1, params, &r);

        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, "no webhook %s", op->id);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.notify.webhook.deleted", &r, NULL, event_fields,
                                NULL);
        if (rc == ST_OK)
                rq->http_status = 204;
        db_row_release(&r);
        return rc;
}

int
http_webhooks_delete(struct request *rq)
{
        struct wh_op op = { 0 };
        int rc = webhook_path(rq, &op);

        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, delete_tx, &op);
        return rc;
}

static int
rotate_tx(PGconn *c, struct request *rq, void *arg)
{
        static const char *const fields[] = { "old_secret_expires_at", NULL };
        struct wh_op *op = arg;
        char overlap[16];
        const char *params[3] = { op->id, op->key_hex, overlap };
        struct db_row r = DB_ROW_INIT;
        int rc;

        snprintf(overlap, sizeof(overlap), "%d", WH_OVERLAP_S);
        rc = db_exec_row(c, "webhook_rotate", 3, params, &r);
        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, "no webhook %s", op->id);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.notify.webhook.rotated", &r, NULL, fields, NULL);
        if (rc == ST_OK)
                rc = reply_with_secret(rq, &r, 200, NULL, op);
        db_row_release(&r);
        return rc;
}

int
http_webhooks_rotate(struct request *rq)
{
        struct wh_op op = { 0 };
        int rc = webhook_path(rq, &op);

        if (rc == ST_OK)
                rc = new_secret(rq, &op);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, rotate_tx, &op);
        wh_op_release(&op);
        return rc;
}

/* ---- the delivery log -------------------------------------------------------------- */

static int
deliveries_tx(PGconn *c, struct request *rq, void *arg)
{
        struct wh_op *op = arg;
        struct db_row r = DB_ROW_INIT;
        char before[24], limit[16];
        const char *params[4] = { op->id, before, op->status, limit };
        int rc = get_row(c, rq, op->id, &r);

        db_row_release(&r);
        if (rc != ST_OK)
                return rc;
        snprintf(before, sizeof(before), "%lld", (long long)op->pg.after);
        snprintf(limit, sizeof(limit), "%d", op->pg.limit + 1);
        rq->content_type = "application/json";
        return db_exec_page(c, "webhook_deliveries", 4, params, op->pg.limit, &rq->text_out);
}

int
http_webhooks_deliveries(struct request *rq)
{
        struct wh_op op = { 0 };
        int rc = webhook_path(rq, &op);

        if (rc != ST_OK)
                return rc;
        op.status = query_enum(rq, "status", statuses);
        http_page(rq, &op.pg);
        if (problem_field_count(&rq->prob) > 0)
                return problem_set(&rq->prob, ST_INVALID, NULL, "bad delivery log parameters");
        return db_with(rq->svc->db, rq, deliveries_tx, &op);
}

/* The {delivery} of the path into op->delivery: 404 when it is no delivery id. */
static int
delivery_path(struct request *rq, struct wh_op *op)
{
        const char *d = u_map_get(rq->req->map_url, "delivery");
        char *end = NULL;
        long long n = d != NULL ? strtoll(d, &end, 10) : 0;

        if (d == NULL || *d == '\0' || *end != '\0' || n < 1)
                return problem_set(&rq->prob, ST_NOT_FOUND, NULL, "no such delivery");
        snprintf(op->delivery, sizeof(op->delivery), "%lld", n);
        return ST_OK;
}

static int
delivery_get_tx(PGconn *c, struct request *rq, void *arg)
{
        struct wh_op *op = arg;
        const char *params[2] = { op->id, op->delivery };
        PGresult *res = NULL;
        int rc = db_exec_one(c, "webhook_delivery_get", 2, params, &res);

        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "webhook %s has no delivery %s", op->id,
                                   op->delivery);
        if (rc != ST_OK)
                return rc;
        rq->text_out = strdup(PQgetvalue(res, 0, 0));
        rq->content_type = "application/json";
        PQclear(res);
        return rq->text_out != NULL ? ST_OK : ST_NOMEM;
}

/* GET /v1/webhooks/{id}/deliveries/{delivery}: the delivery and each attempt. */
int
http_webhooks_delivery_get(struct request *rq)
{
        struct wh_op op = { 0 };
        int rc = webhook_path(rq, &op);

        if (rc == ST_OK)
                rc = delivery_path(rq, &op);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, delivery_get_tx, &op);
        return rc;
}

static int
redeliver_tx(PGconn *c, struct request *rq, void *arg)
{
        struct wh_op *op = arg;
        const char *params[2] = { op->id, op->delivery };
        PGresult *res = NULL;
        json_t *j_data = NULL;
        int rc = db_exec_one(c, "webhook_redeliver", 2, params, &res);

        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "webhook %s has no delivery %s", op->id,
                                   op->delivery);
        if (rc != ST_OK)
                return rc;
        rq->j_out = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
        PQclear(res);
        j_data = json_pack("{s:s}", "delivery", op->delivery);
        rc = rq->j_out != NULL && j_data != NULL ? ST_OK : ST_NOMEM;
        if (rc == ST_OK)
                rc = outbox_emit4(c, rq, "tandem.notify.webhook.redelivered", op->id, NULL, 0,
                                  j_data);
        json_decref(j_data);
        rq->http_status = 202;
        return rc;
}

int
http_webhooks_redeliver(struct request *rq)
{
        struct wh_op op = { 0 };
        int rc = webhook_path(rq, &op);

        if (rc == ST_OK)
                rc = delivery_path(rq, &op);
        if (rc != ST_OK)
                return rc;
        rc = db_tx(rq->svc->db, rq, redeliver_tx, &op);
        if (rc == ST_OK)
                deliver_wake(wh_of(rq));
        return rc;
}

/* ---- POST /v1/webhooks/{id}/replay {"since": time} ------------------------------------- */

static int
replay_tx(PGconn *c, struct request *rq, void *arg)
{
        struct wh_op *op = arg;
        const char *since = str_or_null(op->j_body, "since");
        char limit[16];
        const char *params[3] = { op->id, since, limit };
        PGresult *res = NULL;
        json_t *j_data = NULL;
        long long requeued, fresh;
        int rc;

        snprintf(limit, sizeof(limit), "%d", REPLAY_MAX);
        rc = db_exec_one(c, "webhook_replay", 3, params, &res);
        if (rc != ST_OK)
                return rc;
        if (strcmp(PQgetvalue(res, 0, 0), "0") == 0) {
                PQclear(res);
                return problem_set(&rq->prob, ST_NOT_FOUND, NULL, "no webhook %s", op->id);
        }
        requeued = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
        fresh = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
        PQclear(res);
        rq->j_out = json_pack("{s:I, s:I, s:I, s:b}", "queued", (json_int_t)(requeued + fresh),
                              "requeued", (json_int_t)requeued, "new", (json_int_t)fresh,
                              "more", requeued + fresh >= REPLAY_MAX);
        if (rq->j_out == NULL)
                return ST_NOMEM;
        rq->http_status = 202;
        j_data = json_pack("{s:s, s:I}", "since", since, "queued", (json_int_t)(requeued + fresh));
        rc = j_data != NULL ? outbox_emit4(c, rq, "tandem.notify.webhook.replayed", op->id, NULL,
                                           0, j_data)
                            : ST_NOMEM;
        json_decref(j_data);
        return rc;
}

int
http_webhooks_replay(struct request *rq)
{
        struct wh_op op = { 0 };
        int rc = webhook_path(rq, &op);

        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = jv_check(op.j_body, replay_fields, NULL, &rq->prob);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, replay_tx, &op);
        if (rc == ST_OK)
                deliver_wake(wh_of(rq));
        wh_op_release(&op);
        return rc;
}
