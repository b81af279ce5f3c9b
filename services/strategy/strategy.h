/*
 * strategy.h - the strategy service: each partner's playbook (versioned), the
 * business social media strategy (versioned, owned by comms), and the
 * integration of the two (alignment, comms review and sign-off).
 */
#ifndef TANDEM_STRATEGY_H
#define TANDEM_STRATEGY_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "access.h"
#include "http.h"
#include "jsonv.h"
#include "migrate.h"
#include "problem.h"
#include "server.h"

#define STRATEGY_DEFAULT_PORT 8084
#define NIL_UUID "00000000-0000-0000-0000-000000000000"

/* The problem type of a 403 for doing the partner's work: mentoring, not consulting. */
#define PROBLEM_NOT_CONSULTING ACCESS_NOT_CONSULTING

extern const struct migration strategy_migrations[];
extern const struct db_stmt strategy_stmts[];
extern struct route strategy_routes[];

/* The nine playbook sections in canonical order, NULL-terminated. */
extern const char *const playbook_sections[];
#define PLAYBOOK_SECTION_COUNT 9

/* Section statuses, NULL-terminated: empty, draft, ready_for_review, reviewed. */
extern const char *const section_statuses[];

/* What strategy's events carry of a row (outbox_row): ids, statuses, revisions. */
extern const char *const strategy_event_fields[];

/* True when @name is one of playbook_sections. */
bool playbook_section_valid(const char *name);

/* ---- strategy_json.c: request validation, pure ---------------------------- */

/*
 * Each validates a request body (borrowed), records every fault in @p with
 * the field's name, and returns ST_OK or ST_INVALID.
 */
int playbook_json_check_create(const json_t *j_body, struct problem *p);
int playbook_json_check_patch(const json_t *j_body, struct problem *p);
int playbook_json_check_status(const json_t *j_body, struct problem *p);
int comment_json_check(const json_t *j_body, struct problem *p);
int business_json_check_create(const json_t *j_body, struct problem *p);
int business_json_check_patch(const json_t *j_body, struct problem *p);
int integration_json_check_create(const json_t *j_body, struct problem *p);
int integration_json_check_decision(const json_t *j_body, struct problem *p);

/*
 * The normalised keys of @j_pillars (a validated pillars array, borrowed),
 * in order: a new reference to an array of strings, NULL on out of memory.
 */
json_t *business_pillar_keys(const json_t *j_pillars);

/* ---- strategy_playbook.c: saving sections and their statuses, pure -------- */

/* A new reference to a content object with every section null. */
json_t *playbook_empty_content(void);

/* A new reference to a status object with every section "empty". */
json_t *playbook_empty_status(void);

/*
 * Applies the sections named in @j_patch (validated; other members such as
 * programme_id are ignored) to @j_content and @j_status (borrowed).  A
 * section whose value changes becomes "draft", or "empty" when it is cleared
 * (null); an unchanged one keeps its status.  On ST_OK stores new references
 * in *@content_out, *@status_out and *@changed_out (the changed section names
 * in canonical order, possibly empty).  ST_NOMEM on out of memory.
 */
int playbook_apply(const json_t *j_content, const json_t *j_status, const json_t *j_patch,
                   json_t **content_out, json_t **status_out, json_t **changed_out);

enum playbook_actor { ACTOR_PARTNER = 1, ACTOR_MENTOR };

/*
 * Whether @actor may move a section from status @from to @to.  ST_OK (also
 * when @from equals @to: nothing changes); ST_FORBIDDEN with the type
 * PROBLEM_NOT_CONSULTING when a mentor would do the partner's part, or a plain
 * 403 when a partner would mark their own section reviewed; ST_CONFLICT when
 * the section is empty or the move skips a step.  Records why in @p.
 */
int playbook_transition(const char *from, const char *to, enum playbook_actor actor,
                        struct problem *p);

/* ---- strategy_align.c: aligning a playbook with the business strategy, pure -- */

/*
 * Writes the normal form of @in into @out (at most @outlen bytes with the NUL;
 * strlen(@in) + 1 always suffices): ASCII letters lowercased; every run of
 * other ASCII characters (spaces, punctuation, '#') one space; no leading or
 * trailing space; each word over three bytes loses a plural ending ("ies" ->
 * "y" in words over four bytes; else a final "s" unless after "s", "u" or
 * "i").  Bytes from 0x80 (UTF-8) are kept as they are.  Returns the length
 * written.
 */
size_t align_normalise(const char *in, char *out, size_t outlen);

/* Returns a malloc'd normal form of @in (see align_normalise), NULL on out of memory. */
char *align_norm_dup(const char *in);

/*
 * Aligns playbook @j_content with the strategy @j_strategy ({"number",
 * "pillars", "channels", "policies"}), both borrowed and validated.  Stores a
 * new reference to the alignment in *@out: per theme the pillars it supports
 * (the partner's explicit mapping first, then suggestions from shared
 * keywords), mappings to unknown pillars, per pillar the themes behind it,
 * untouched pillars, themes outside every pillar, conflicts with policy,
 * platforms in common, and the score with its explanation.  The result
 * depends on the inputs only.  Returns ST_OK or ST_NOMEM.
 */
int align_run(const json_t *j_content, const json_t *j_strategy, json_t **out);

/*
 * From an alignment (borrowed): its score, and a new reference to the
 * normalised keys of the pillars it touches.  NULL on out of memory.
 */
int align_score(const json_t *j_alignment);
json_t *align_touched_keys(const json_t *j_alignment);

/* ---- strategy_db.c: all SQL ------------------------------------------------- */

/* A playbook read for writing: the parsed content and statuses, owned. */
struct playbook_state {
        char partner_id[UUID_STR_LEN];
        long long version;
        int revision;
        json_t *j_content;
        json_t *j_status;
};

void playbook_state_release(struct playbook_state *s);

int playbook_db_owner(PGconn *c, const char *id, char partner_id[UUID_STR_LEN]);
int playbook_db_get(PGconn *c, const char *id, struct db_row *out, char partner_id[UUID_STR_LEN]);
int playbook_db_lock(PGconn *c, const char *id, struct playbook_state *out);
int playbook_db_insert(PGconn *c, const char *partner_id, const char *programme_id,
                       const json_t *j_content, const json_t *j_status, const json_t *j_changed,
                       struct db_row *out);
int playbook_db_save(PGconn *c, const char *id, const char *author_id, const json_t *j_content,
                     const json_t *j_status, const json_t *j_changed, struct db_row *out);
int playbook_db_set_status(PGconn *c, const char *id, const json_t *j_status, struct db_row *out);

struct playbook_filter {
        const char *partner_id, *programme_id;
        const char *visible_to;  /* NULL: all; else only this partner's */
};

int playbook_db_list(PGconn *c, const struct playbook_filter *f, const struct page *pg,
                     char **out);
int revision_db_list(PGconn *c, const char *playbook_id, const struct page *pg, char **out);
int revision_db_get(PGconn *c, const char *playbook_id, int revision, char **out);
int comment_db_insert(PGconn *c, const char *playbook_id, const json_t *j_body,
                      const char *author_id, const char *role, struct db_row *out);
int comment_db_list(PGconn *c, const char *playbook_id, const char *section,
                    const struct page *pg, char **out);

int business_db_current(PGconn *c, struct db_row *out);
int business_db_get(PGconn *c, const char *id, struct db_row *out, bool *published);
int business_db_lock(PGconn *c, const char *id, long long *version, bool *published);
int business_db_insert(PGconn *c, const json_t *j_body, const json_t *j_keys,
                       const char *author_id, struct db_row *out);
int business_db_update(PGconn *c, const char *id, const json_t *j_body, const json_t *j_keys,
                       struct db_row *out);
/* Takes the lock that serialises publishing (held until the transaction ends). */
int business_db_publish_lock(PGconn *c);

/* Makes draft @id the one current published version. */
int business_db_publish(PGconn *c, const char *id, const char *author_id, struct db_row *out);
int business_db_list(PGconn *c, const char *status, bool drafts, const struct page *pg,
                     char **out);
int business_db_coverage(PGconn *c, const char *programme_id, char **out);

/* Shared lock between integrations and publishing (see strategy_db.c). */
int business_db_share_lock(PGconn *c);

/* The current published strategy as alignment input: id, number and parts. */
struct strategy_state {
        char id[UUID_STR_LEN];
        int number;
        json_t *j_strategy;      /* {"number", "pillars", "channels", "policies"} */
};

void strategy_state_release(struct strategy_state *s);
int business_db_current_state(PGconn *c, struct strategy_state *out);

int integration_db_find(PGconn *c, const char *playbook_id, int revision,
                        const char *strategy_id, struct db_row *out);
int integration_db_insert(PGconn *c, const char *playbook_id, int revision,
                          const struct strategy_state *st, const json_t *j_alignment,
                          const char *requested_by, struct db_row *out);
int integration_db_get(PGconn *c, const char *id, struct db_row *out,
                       char partner_id[UUID_STR_LEN]);

struct integration_lock {
        long long version;
        char status[24];
        char playbook_id[UUID_STR_LEN];
        int playbook_revision;
        char strategy_id[UUID_STR_LEN];
};

int integration_db_lock(PGconn *c, const char *id, struct integration_lock *out);
/* *@current: the integration's pair is still the playbook's revision and the current strategy. */
int integration_db_current(PGconn *c, const struct integration_lock *il, bool *current);

/* Makes the partner's strategy operational: the playbook carries @integration_id's pillars. */
int playbook_db_sign_off(PGconn *c, const char *playbook_id, const char *integration_id);

int integration_db_decide(PGconn *c, const char *id, const char *status, const char *comment,
                          const char *decided_by, struct db_row *out);

struct integration_filter {
        const char *playbook_id, *partner_id, *programme_id, *status;
        const char *visible_to;  /* NULL: all; else only this partner's */
};

int integration_db_list(PGconn *c, const struct integration_filter *f, const struct page *pg,
                        char **out);

int evidence_db_get(PGconn *c, const char *person_id, const char *programme_id, char **out);
int stats_db_get(PGconn *c, const char *programme_id, char **out);

/* ---- access.c: the strategy rules on top of shared/access.h ----------------- */

/* ST_OK and *@yes when the caller is the partner @partner_id (role and person). */
int strategy_is_partner(struct request *rq, const char *partner_id, bool *yes);

/*
 * Reading a partner's playbook: the partner, their active mentor, admin and
 * service.  ST_OK, or ST_FORBIDDEN recorded in rq->prob.
 */
int strategy_read_playbook(struct request *rq, const char *partner_id);

/* ---- handlers ------------------------------------------------------------------- */

int http_playbooks_create(struct request *rq);
int http_playbooks_list(struct request *rq);
int http_playbooks_get(struct request *rq);
int http_playbooks_patch(struct request *rq);
int http_playbooks_status(struct request *rq);
int http_revisions_list(struct request *rq);
int http_revisions_get(struct request *rq);
int http_comments_create(struct request *rq);
int http_comments_list(struct request *rq);

int http_business_current(struct request *rq);
int http_business_coverage(struct request *rq);
int http_business_create(struct request *rq);
int http_business_list(struct request *rq);
int http_business_get(struct request *rq);
int http_business_patch(struct request *rq);
int http_business_publish(struct request *rq);

int http_integrations_create(struct request *rq);
int http_integrations_list(struct request *rq);
int http_integrations_get(struct request *rq);
int http_integrations_patch(struct request *rq);

int http_evidence_get(struct request *rq);
int http_stats_get(struct request *rq);

#endif
