/*
 * http_playbooks.c - handlers for /v1/playbooks: each partner's playbook, its
 * revisions, its section statuses and the comments on its sections.  No SQL
 * here.  Who the caller is (and whom they mentor) is asked of the people
 * service before a transaction starts, never inside one.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "strategy.h"
#include "events.h"

struct pb_op {
        char id[UUID_STR_LEN];
        char partner_id[UUID_STR_LEN];
        char me[UUID_STR_LEN];
        json_t *j_body;
        const char *section;
        enum playbook_actor actor;
        const char *role;          /* a comment's author role */
        int revision;
        struct page pg;
        struct playbook_filter f;
        struct db_row r;
};

static void
pb_op_release(struct pb_op *op)
{
        json_decref(op->j_body);
        db_row_release(&op->r);
}

/* The 403 for someone doing the partner's work: admins and mentors learn why. */
static int
refuse_partner_work(struct request *rq, const char *why)
{
        if (access_has(rq, ROLE_ADMIN | ROLE_MENTOR))
                return access_not_consulting(rq, why);
        return access_forbid(rq, why);
}

static int
not_found(struct request *rq, int rc)
{
        if (rc == ST_NOT_FOUND)
                return problem_set(&rq->prob, rc, NULL, "no playbook with this id");
        return rc;
}

static int
owner_tx(PGconn *c, struct request *rq, void *arg)
{
        struct pb_op *op = arg;

        return not_found(rq, playbook_db_owner(c, op->id, op->partner_id));
}

/* Reads the path id and the playbook's partner, then checks the caller may read it. */
static int
guard_read(struct request *rq, struct pb_op *op)
{
        int rc = http_path_uuid(rq, "id", op->id);

        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, owner_tx, op);
        if (rc == ST_OK)
                rc = strategy_read_playbook(rq, op->partner_id);
        return rc;
}

/* The caller's person id; a token no person matches may not write. */
static int
require_me(struct request *rq, char me[UUID_STR_LEN])
{
        int rc = access_me(rq, me);

        if (rc == ST_OK && me[0] == '\0')
                rc = access_forbid(rq, "no person is linked to this token; ask the programme team");
        return rc;
}

/* ---- POST /v1/playbooks ------------------------------------------------------------ */

static int
create_tx(PGconn *c, struct request *rq, void *arg)
{
        struct pb_op *op = arg;
        json_t *j_c0 = playbook_empty_content(), *j_s0 = playbook_empty_status();
        json_t *j_c = NULL, *j_s = NULL, *j_changed = NULL;
        const char *programme = json_string_value(json_object_get(op->j_body, "programme_id"));
        int rc = j_c0 != NULL && j_s0 != NULL ? ST_OK : ST_NOMEM;

        if (rc == ST_OK)
                rc = playbook_apply(j_c0, j_s0, op->j_body, &j_c, &j_s, &j_changed);
        if (rc == ST_OK)
                rc = playbook_db_insert(c, op->me, programme, j_c, j_s, j_changed, &op->r);
        if (rc == ST_CONFLICT) {
                problem_field(&rq->prob, "programme_id", "you already have a playbook for this"
                              " programme");
                rc = problem_set(&rq->prob, ST_CONFLICT, NULL, "one playbook per partner per"
                                 " programme");
        }
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.strategy.playbook.created", &op->r,
                                "partner_id", strategy_event_fields, NULL);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op->r, 201, "playbooks");
        db_row_release(&op->r);
        json_decref(j_c0);
        json_decref(j_s0);
        json_decref(j_c);
        json_decref(j_s);
        json_decref(j_changed);
        return rc;
}

int
http_playbooks_create(struct request *rq)
{
        struct pb_op op = { 0 };
        int rc = ST_OK;

        if (!access_has(rq, ROLE_PARTNER))
                return refuse_partner_work(rq, "only a partner starts their own playbook");
        rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = playbook_json_check_create(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = require_me(rq, op.me);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, create_tx, &op);
        pb_op_release(&op);
        return rc;
}

/* ---- GET /v1/playbooks/{id} --------------------------------------------------------- */

static int
get_tx(PGconn *c, struct request *rq, void *arg)
{
        struct pb_op *op = arg;

        return not_found(rq, playbook_db_get(c, op->id, &op->r, op->partner_id));
}

int
http_playbooks_get(struct request *rq)
{
        struct pb_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, get_tx, &op);
        if (rc == ST_OK)
                rc = strategy_read_playbook(rq, op.partner_id);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op.r, 200, NULL);
        pb_op_release(&op);
        return rc;
}

/* ---- PATCH /v1/playbooks/{id}: save sections, a new revision ------------------------ */

/* Replies with the playbook as it is (a save or a move that changed nothing). */
static int
reply_unchanged(PGconn *c, struct request *rq, struct pb_op *op)
{
        int rc = playbook_db_get(c, op->id, &op->r, op->partner_id);

        if (rc == ST_OK)
                rc = http_reply_row(rq, &op->r, 200, NULL);
        return rc;
}

static int
save(PGconn *c, struct request *rq, struct pb_op *op, const struct playbook_state *st)
{
        json_t *j_c = NULL, *j_s = NULL, *j_changed = NULL;
        int rc = playbook_apply(st->j_content, st->j_status, op->j_body, &j_c, &j_s, &j_changed);

        if (rc != ST_OK)
                goto out;
        if (json_array_size(j_changed) == 0) {
                rc = reply_unchanged(c, rq, op);   /* nothing changed: no new revision */
                goto out;
        }
        rc = playbook_db_save(c, op->id, op->me, j_c, j_s, j_changed, &op->r);
        if (rc == ST_OK)   /* data.changed: the sections saved (names, not their text) */
                rc = outbox_row(c, rq, "tandem.strategy.playbook.section_saved", &op->r,
                                "partner_id", strategy_event_fields, op->j_body);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op->r, 200, NULL);
out:
        json_decref(j_c);
        json_decref(j_s);
        json_decref(j_changed);
        return rc;
}

static int
patch_tx(PGconn *c, struct request *rq, void *arg)
{
        struct pb_op *op = arg;
        struct playbook_state st = { 0 };
        int rc = not_found(rq, playbook_db_lock(c, op->id, &st));

        if (rc == ST_OK && strcmp(st.partner_id, op->me) != 0)
                rc = refuse_partner_work(rq, "only the partner writes their playbook; a mentor"
                                         " comments and reviews");
        if (rc == ST_OK)
                rc = http_if_match(rq, st.version);
        if (rc == ST_OK)
                rc = save(c, rq, op, &st);
        db_row_release(&op->r);
        playbook_state_release(&st);
        return rc;
}

int
http_playbooks_patch(struct request *rq)
{
        struct pb_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK && !access_has(rq, ROLE_PARTNER))
                rc = refuse_partner_work(rq, "only the partner writes their playbook; a mentor"
                                         " comments and reviews");
        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = playbook_json_check_patch(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = require_me(rq, op.me);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, patch_tx, &op);
        pb_op_release(&op);
        return rc;
}

/* ---- PUT /v1/playbooks/{id}/sections/{section}/status ------------------------------- */

static int
status_tx(PGconn *c, struct request *rq, void *arg)
{
        struct pb_op *op = arg;
        struct playbook_state st = { 0 };
        const char *to = json_string_value(json_object_get(op->j_body, "status"));
        const char *from = "empty";
        int rc = not_found(rq, playbook_db_lock(c, op->id, &st));

        if (rc == ST_OK)
                rc = http_if_match(rq, st.version);
        if (rc == ST_OK && json_is_string(json_object_get(st.j_status, op->section)))
                from = json_string_value(json_object_get(st.j_status, op->section));
        if (rc == ST_OK)
                rc = playbook_transition(from, to, op->actor, &rq->prob);
        if (rc != ST_OK)
                goto out;
        if (strcmp(from, to) == 0) {
                rc = reply_unchanged(c, rq, op);
                goto out;
        }
        rc = json_object_set_new(st.j_status, op->section, json_string(to)) == 0 ? ST_OK : ST_NOMEM;
        if (rc == ST_OK)
                rc = playbook_db_set_status(c, op->id, st.j_status, &op->r);
        if (rc == ST_OK)
                rc = outbox_row(c, rq, "tandem.strategy.playbook.section_status_set", &op->r,
                                "partner_id", strategy_event_fields, NULL);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op->r, 200, NULL);
out:
        db_row_release(&op->r);
        playbook_state_release(&st);
        return rc;
}

/* The partner drafts and submits; their active mentor reviews or sends back. */
static int
status_actor(struct request *rq, struct pb_op *op)
{
        bool yes = false;
        int rc = strategy_is_partner(rq, op->partner_id, &yes);

        op->actor = ACTOR_PARTNER;
        if (rc != ST_OK || yes)
                return rc;
        rc = access_is_mentor(rq, op->partner_id, &yes);
        op->actor = ACTOR_MENTOR;
        if (rc != ST_OK || yes)
                return rc;
        if (access_has(rq, ROLE_ADMIN))
                return access_not_consulting(rq, "the partner drafts and submits sections; their"
                                             " mentor reviews them");
        return access_forbid(rq, "section statuses are set by the partner and their mentor");
}

int
http_playbooks_status(struct request *rq)
{
        struct pb_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        op.section = http_query(rq, "section");
        if (rc == ST_OK && !playbook_section_valid(op.section))
                rc = problem_set(&rq->prob, ST_NOT_FOUND, NULL, "no such section; sections are"
                                 " purpose, vision, audiences, themes, platforms, cadence, goals,"
                                 " voice, boundaries");
        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = playbook_json_check_status(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, owner_tx, &op);
        if (rc == ST_OK)
                rc = status_actor(rq, &op);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, status_tx, &op);
        pb_op_release(&op);
        return rc;
}

/* ---- GET /v1/playbooks -------------------------------------------------------------- */

static int
list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct pb_op *op = arg;

        rq->content_type = "application/json";
        return playbook_db_list(c, &op->f, &op->pg, &rq->text_out);
}

/* What a caller who does not read everything may list. */
static int
list_scope(struct request *rq, struct pb_op *op)
{
        bool yes = false;
        int rc;

        if (op->f.partner_id == NULL) {
                rc = access_me(rq, op->me);
                op->f.visible_to = op->me[0] != '\0' ? op->me : NIL_UUID;
                return rc;
        }
        rc = access_is_self(rq, op->f.partner_id, &yes);
        if (rc == ST_OK && !yes)
                rc = access_is_mentor(rq, op->f.partner_id, &yes);
        if (rc == ST_OK && !yes)
                rc = access_forbid(rq, "you may list your own playbooks and those of the partners"
                                   " you mentor");
        op->f.visible_to = op->f.partner_id;
        return rc;
}

int
http_playbooks_list(struct request *rq)
{
        struct pb_op op = { 0 };
        int rc = ST_OK;

        if (rq->who.roles == ROLE_VIEWER)
                return access_forbid(rq, "viewers read aggregate statistics only");
        http_query_uuid(rq, "partner_id", &op.f.partner_id);
        http_query_uuid(rq, "programme_id", &op.f.programme_id);
        http_page(rq, &op.pg);
        if (problem_field_count(&rq->prob) > 0)
                return ST_INVALID;
        if (!access_has(rq, ROLE_ADMIN | ROLE_SERVICE))
                rc = list_scope(rq, &op);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, list_tx, &op);
        pb_op_release(&op);
        return rc;
}

/* ---- revisions ---------------------------------------------------------------------- */

static int
revisions_list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct pb_op *op = arg;

        rq->content_type = "application/json";
        return revision_db_list(c, op->id, &op->pg, &rq->text_out);
}

int
http_revisions_list(struct request *rq)
{
        struct pb_op op = { 0 };
        int rc = guard_read(rq, &op);

        if (rc == ST_OK)
                rc = http_page(rq, &op.pg);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, revisions_list_tx, &op);
        pb_op_release(&op);
        return rc;
}

static int
revision_get_tx(PGconn *c, struct request *rq, void *arg)
{
        struct pb_op *op = arg;
        int rc = revision_db_get(c, op->id, op->revision, &rq->text_out);

        rq->content_type = "application/json";
        if (rc == ST_NOT_FOUND)
                rc = problem_set(&rq->prob, rc, NULL, "this playbook has no revision %d",
                                 op->revision);
        return rc;
}

/* The path's revision number: a whole number from 1, else 404. */
static int
path_revision(struct request *rq, int *out)
{
        const char *s = http_query(rq, "revision");
        char *end = NULL;
        long v = s != NULL ? strtol(s, &end, 10) : 0;

        if (s == NULL || s[0] < '1' || s[0] > '9' || *end != '\0' || v > INT_MAX)
                return problem_set(&rq->prob, ST_NOT_FOUND, NULL, "revisions are numbered from 1");
        *out = (int)v;
        return ST_OK;
}

int
http_revisions_get(struct request *rq)
{
        struct pb_op op = { 0 };
        int rc = guard_read(rq, &op);

        if (rc == ST_OK)
                rc = path_revision(rq, &op.revision);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, revision_get_tx, &op);
        pb_op_release(&op);
        return rc;
}

/* ---- comments ------------------------------------------------------------------------ */

/* tandem.strategy.playbook.commented: that a comment exists, on which section; never its body. */
static int
comment_event(PGconn *c, struct request *rq, const struct pb_op *op)
{
        json_t *j_row = json_loads(op->r.json, 0, NULL);
        json_t *j_data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O?}", "partner_id",
                                   op->partner_id, "playbook_id", op->id, "comment_id", op->r.id,
                                   "author_id", op->me, "author_role", op->role, "section",
                                   json_object_get(j_row, "section"));
        int rc = j_data != NULL ? outbox_emit4(c, rq, "tandem.strategy.playbook.commented", op->id,
                                               op->partner_id, 0, j_data)
                                : ST_NOMEM;

        json_decref(j_data);
        json_decref(j_row);
        return rc;
}

static int
comment_tx(PGconn *c, struct request *rq, void *arg)
{
        struct pb_op *op = arg;
        int rc = not_found(rq, comment_db_insert(c, op->id, op->j_body, op->me, op->role,
                                                 &op->r));

        if (rc == ST_OK)
                rc = comment_event(c, rq, op);
        if (rc == ST_OK)
                rc = http_reply_row(rq, &op->r, 201, "");
        db_row_release(&op->r);
        return rc;
}

/* The partner, their active mentor and the programme team comment. */
static int
comment_role(struct request *rq, struct pb_op *op)
{
        bool yes = false;
        int rc = strategy_is_partner(rq, op->partner_id, &yes);

        op->role = "partner";
        if (rc == ST_OK && !yes) {
                rc = access_is_mentor(rq, op->partner_id, &yes);
                op->role = "mentor";
        }
        if (rc == ST_OK && !yes && access_has(rq, ROLE_ADMIN)) {
                op->role = "admin";
                yes = true;
        }
        if (rc == ST_OK && !yes)
                rc = access_forbid(rq, "comments are written by the partner, their mentor and the"
                                   " programme team");
        if (rc == ST_OK)
                rc = access_me(rq, op->me);
        return rc;
}

int
http_comments_create(struct request *rq)
{
        struct pb_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        if (rc == ST_OK)
                rc = http_json_body(rq, &op.j_body);
        if (rc == ST_OK)
                rc = comment_json_check(op.j_body, &rq->prob);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, owner_tx, &op);
        if (rc == ST_OK)
                rc = comment_role(rq, &op);
        if (rc == ST_OK)
                rc = db_tx(rq->svc->db, rq, comment_tx, &op);
        pb_op_release(&op);
        return rc;
}

static int
comments_list_tx(PGconn *c, struct request *rq, void *arg)
{
        struct pb_op *op = arg;

        rq->content_type = "application/json";
        return comment_db_list(c, op->id, op->section, &op->pg, &rq->text_out);
}

int
http_comments_list(struct request *rq)
{
        struct pb_op op = { 0 };
        int rc = http_path_uuid(rq, "id", op.id);

        http_query_enum(rq, "section", playbook_sections, &op.section);
        http_page(rq, &op.pg);
        if (rc == ST_OK && problem_field_count(&rq->prob) > 0)
                rc = ST_INVALID;
        if (rc == ST_OK)
                rc = guard_read(rq, &op);
        if (rc == ST_OK)
                rc = db_with(rq->svc->db, rq, comments_list_tx, &op);
        pb_op_release(&op);
        return rc;
}
