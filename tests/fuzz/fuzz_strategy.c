/*
 * fuzz_strategy.c - the strategy service's request validation
 * (strategy_json.c), saving a playbook's sections (strategy_playbook.c) and
 * aligning a playbook with the business strategy (strategy_align.c), the way
 * the handlers chain them: a body that passes the playbook checks is applied
 * to an empty playbook and aligned with the strategy of the unit tests; one
 * that passes the business strategy checks becomes the strategy a fixed
 * playbook is aligned with.  Input: a request body, or a phrase to normalise.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "strategy.h"

/* test_strategy_align.c's strategy and a playbook aligned with it. */
static const char strategy_text[] =
        "{\"number\": 3,"
        " \"pillars\": ["
        "  {\"name\": \"Trusted Technology\","
        "   \"keywords\": [\"AI\", \"cyber security\", \"data\"]},"
        "  {\"name\": \"Sustainable Growth\", \"keywords\": [\"ESG\", \"climate\", \"net zero\"]},"
        "  {\"name\": \"People First\", \"keywords\": [\"culture\", \"talent\", \"wellbeing\"]}],"
        " \"channels\": [{\"name\": \"LinkedIn\"}, {\"name\": \"X\"}, {\"name\": \"YouTube\"}],"
        " \"policies\": {\"off_limits_topics\": [\"pending litigation\"],"
        "                \"off_limits_terms\": [\"guaranteed returns\", \"tax\"],"
        "                \"disclosure_rules\": [\"say when you post about a client\"]}}";
static const char content_text[] =
        "{\"themes\": ["
        " {\"name\": \"Boards and #AI\", \"keywords\": [\"Cyber-Security\", \"#AI\"],"
        "  \"pillars\": [\"sustainable growth\", \"Heritage\"]},"
        " {\"name\": \"Hiring\", \"keywords\": [\"Talents\", \"Culture\"]},"
        " {\"name\": \"Golf\", \"keywords\": [\"handicap\"]}]}";

static const fuzz_check_fn checks[] = {
        playbook_json_check_status, comment_json_check, business_json_check_patch,
        integration_json_check_create, integration_json_check_decision, NULL,
};

static void
align(const json_t *j_content, const json_t *j_strategy)
{
        json_t *j_alignment = NULL;

        if (align_run(j_content, j_strategy, &j_alignment) == ST_OK) {
                (void)align_score(j_alignment);
                json_decref(align_touched_keys(j_alignment));
        }
        json_decref(j_alignment);
}

/* A playbook body: saved over an empty playbook, then aligned. */
static void
fuzz_playbook(const json_t *j_body, const json_t *j_strategy)
{
        json_t *j_c0 = playbook_empty_content(), *j_s0 = playbook_empty_status();
        json_t *j_c = NULL, *j_s = NULL, *j_changed = NULL;
        bool create = fuzz_check(playbook_json_check_create, j_body) == ST_OK;
        bool patch = fuzz_check(playbook_json_check_patch, j_body) == ST_OK;

        if ((create || patch)
            && playbook_apply(j_c0, j_s0, j_body, &j_c, &j_s, &j_changed) == ST_OK)
                align(j_c, j_strategy);
        json_decref(j_c0);
        json_decref(j_s0);
        json_decref(j_c);
        json_decref(j_s);
        json_decref(j_changed);
}

/* A business strategy body: stored as business_db_current_state reads it back. */
static void
fuzz_business(const json_t *j_body, const json_t *j_content)
{
        json_t *j_strategy;

        if (fuzz_check(business_json_check_create, j_body) != ST_OK)
                return;
        json_decref(business_pillar_keys(json_object_get(j_body, "pillars")));
        j_strategy = json_pack("{s:i, s:O?, s:O?, s:O?}", "number", 1,
                               "pillars", json_object_get(j_body, "pillars"),
                               "channels", json_object_get(j_body, "channels"),
                               "policies", json_object_get(j_body, "policies"));
        if (j_strategy != NULL)
                align(j_content, j_strategy);
        json_decref(j_strategy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        json_t *j_body, *j_strategy, *j_content;
        char *s = fuzz_str(data, size);

        free(s != NULL ? align_norm_dup(s) : NULL);
        if (s != NULL)
                (void)playbook_section_valid(s);
        free(s);
        j_body = fuzz_json(data, size);
        if (!json_is_object(j_body)) {
                json_decref(j_body);
                return 0;
        }
        j_strategy = json_loads(strategy_text, 0, NULL);
        j_content = json_loads(content_text, 0, NULL);
        if (j_strategy == NULL || j_content == NULL)
                abort();
        fuzz_check_all(checks, j_body);
        fuzz_playbook(j_body, j_strategy);
        fuzz_business(j_body, j_content);
        json_decref(j_strategy);
        json_decref(j_content);
        json_decref(j_body);
        return 0;
}
