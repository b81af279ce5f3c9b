/*
 * test_strategy_align.c - unit tests for strategy_align.c: the normal form of
 * words, which pillars each theme supports (explicit mapping, then keyword
 * suggestions), untouched pillars and themes outside every pillar, conflicts
 * with policy, platforms in common, the score and its explanation, and that
 * the same inputs always give the same alignment.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "status.h"
#include "strategy.h"

/* ---- helpers -------------------------------------------------------------------- */

static json_t *
parse(const char *text)
{
        json_error_t err;
        json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &err);

        ck_assert_msg(j != NULL, "fixture is not JSON: %s (line %d)", err.text, err.line);
        return j;
}

static char *
norm(const char *in)
{
        char *out = align_norm_dup(in);

        ck_assert_ptr_nonnull(out);
        return out;
}

#define ck_norm(in, want) do { \
                char *got_ = norm(in); \
                ck_assert_msg(strcmp(got_, want) == 0, "normalise(\"%s\") = \"%s\", want \"%s\"", \
                              in, got_, want); \
                free(got_); \
        } while (0)

/* The strategy every test starts from: three pillars, channels, policy. */
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

/* Runs the alignment of @content_text with @strategy (text); returns a new reference. */
static json_t *
align_texts(const char *content_text, const char *strat_text)
{
        json_t *j_content = parse(content_text);
        json_t *j_strategy = parse(strat_text);
        json_t *j_out = NULL;

        ck_assert_int_eq(align_run(j_content, j_strategy, &j_out), ST_OK);
        ck_assert_ptr_nonnull(j_out);
        json_decref(j_content);
        json_decref(j_strategy);
        return j_out;
}

static json_t *
align_with(const char *content_text)
{
        return align_texts(content_text, strategy_text);
}

/* The theme entry @i of @j_al, borrowed. */
static json_t *
theme_at(const json_t *j_al, size_t i)
{
        json_t *j_t = json_array_get(json_object_get(j_al, "themes"), i);

        ck_assert_ptr_nonnull(j_t);
        return j_t;
}

/* "pillar:source" of each link of theme @i, joined with ", ". */
static void
links_of(const json_t *j_al, size_t i, char *out, size_t outlen)
{
        json_t *j_link;
        size_t k, used = 0;

        out[0] = '\0';
        json_array_foreach(json_object_get(theme_at(j_al, i), "pillars"), k, j_link) {
                used += (size_t)snprintf(out + used, outlen - used, "%s%s:%s", k > 0 ? ", " : "",
                                         json_string_value(json_object_get(j_link, "pillar")),
                                         json_string_value(json_object_get(j_link, "source")));
                ck_assert_uint_lt(used, outlen);
        }
}

#define ck_links(j_al, i, want) do { \
                char got_[512]; \
                links_of(j_al, i, got_, sizeof(got_)); \
                ck_assert_msg(strcmp(got_, want) == 0, "theme %d links \"%s\", want \"%s\"", \
                              (int)(i), got_, want); \
        } while (0)

/* The strings of the array @key of @j_obj, joined with "|". */
static void
strings_of(const json_t *j_obj, const char *key, char *out, size_t outlen)
{
        json_t *j_s;
        size_t k, used = 0;

        out[0] = '\0';
        json_array_foreach(json_object_get(j_obj, key), k, j_s) {
                used += (size_t)snprintf(out + used, outlen - used, "%s%s", k > 0 ? "|" : "",
                                         json_string_value(j_s));
                ck_assert_uint_lt(used, outlen);
        }
}

#define ck_strings(j_obj, key, want) do { \
                char got_[512]; \
                strings_of(j_obj, key, got_, sizeof(got_)); \
                ck_assert_msg(strcmp(got_, want) == 0, "%s = \"%s\", want \"%s\"", key, got_, \
                              want); \
        } while (0)

/* The points of the explanation component @name. */
static int
points_of(const json_t *j_al, const char *name)
{
        json_t *j_c;
        size_t i;

        json_array_foreach(json_object_get(json_object_get(j_al, "explanation"), "components"),
                           i, j_c)
                if (strcmp(json_string_value(json_object_get(j_c, "component")), name) == 0)
                        return (int)json_integer_value(json_object_get(j_c, "points"));
        ck_abort_msg("no explanation component %s", name);
        return 0;
}

/* ---- normal form -------------------------------------------------------------------- */

START_TEST(test_norm_case_and_punctuation)
{
        ck_norm("Trusted Technology", "trusted technology");
        ck_norm("  AI--governance!!  ", "ai governance");
        ck_norm("#ESG", "esg");
        ck_norm("net_zero/2030", "net zero 2030");
        ck_norm("C-suite, boards & CEOs", "c suite board ceo");
        ck_norm("", "");
        ck_norm("!!! ###", "");
}
END_TEST

START_TEST(test_norm_null)
{
        char out[4] = "xyz";
        char *dup = norm(NULL);

        ck_assert_str_eq(dup, "");
        free(dup);
        ck_assert_uint_eq(align_normalise(NULL, out, sizeof(out)), 0);
        ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_norm_plurals)
{
        ck_norm("boards", "board");
        ck_norm("Policies", "policy");
        ck_norm("analytics", "analytic");
        /* kept: short words, and endings that are not plurals */
        ck_norm("bus its gas", "bus its gas");
        ck_norm("business", "business");
        ck_norm("status focus", "status focus");
        ck_norm("analysis", "analysis");
        ck_norm("ties", "tie");    /* "ies" -> "y" only in longer words */
        ck_norm("stories", "story");
}
END_TEST

START_TEST(test_norm_apostrophes_and_utf8)
{
        ck_norm("partner's view", "partner view");
        ck_norm("partner\xe2\x80\x99s view", "partner view");
        ck_norm("don't", "dont");
        /* bytes from 0x80 are kept as they are (no case folding outside ASCII) */
        ck_norm("Caf\xc3\xa9 Cr\xc3\xa8me", "caf\xc3\xa9 cr\xc3\xa8me");
}
END_TEST

START_TEST(test_norm_buffer_bounds)
{
        char small[6], one[1];

        ck_assert_uint_eq(align_normalise("Hello World", small, sizeof(small)), 5);
        ck_assert_str_eq(small, "hello");
        one[0] = 'x';
        ck_assert_uint_eq(align_normalise("abc", one, sizeof(one)), 0);
        ck_assert_str_eq(one, "");
        ck_assert_uint_eq(align_normalise("abc", one, 0), 0);
        ck_assert_int_eq(one[0], '\0');
}
END_TEST

START_TEST(test_norm_same_words_same_form)
{
        char *a = norm("Cyber-Security"), *b = norm("cyber security"), *c = norm("#CyberSecurity");

        ck_assert_str_eq(a, b);
        ck_assert_str_ne(a, c);   /* one word is not two */
        free(a);
        free(b);
        free(c);
}
END_TEST

/* ---- which pillars a theme supports ---------------------------------------------- */

START_TEST(test_explicit_mapping_first)
{
        json_t *j_al = align_with(
                "{\"themes\": [{\"name\": \"AI for boards\", \"keywords\": [\"AI\", \"climate\"],"
                "               \"pillars\": [\"sustainable growth\"]}]}");

        /* explicit first (matched ignoring case), then the keyword suggestion */
        ck_links(j_al, 0, "Sustainable Growth:explicit, Trusted Technology:suggested");
        ck_assert(!json_is_true(json_object_get(theme_at(j_al, 0), "outside_pillars")));
        ck_assert_uint_eq(json_array_size(json_object_get(j_al, "unmatched_mappings")), 0);
        json_decref(j_al);
}
END_TEST

/* A pillar without a name (unreachable through the API) is skipped, never strcmp'd. */
START_TEST(test_pillar_without_name)
{
        json_t *j_al = align_texts(
                "{\"themes\": [{\"name\": \"Boards\", \"keywords\": [\"board\"],"
                "               \"pillars\": [\"Trusted Technology\"]}]}",
                "{\"number\": 1, \"pillars\": [{\"keywords\": [\"zzz\"]},"
                " {\"name\": \"Trusted Technology\", \"keywords\": [\"AI\"]}]}");

        ck_links(j_al, 0, "Trusted Technology:explicit");
        json_decref(j_al);
}
END_TEST

START_TEST(test_explicit_not_repeated_as_suggestion)
{
        json_t *j_al = align_with(
                "{\"themes\": [{\"name\": \"Data\", \"keywords\": [\"AI\"],"
                "               \"pillars\": [\"Trusted technology\", \"TRUSTED-technology\"]}]}");
        json_t *j_link = json_array_get(json_object_get(theme_at(j_al, 0), "pillars"), 0);

        ck_links(j_al, 0, "Trusted Technology:explicit");
        /* the shared keywords are shown for an explicit link too (name counts) */
        ck_strings(j_link, "shared_keywords", "data|ai");
        json_decref(j_al);
}
END_TEST

START_TEST(test_unknown_pillar_reported)
{
        json_t *j_al = align_with(
                "{\"themes\": [{\"name\": \"Family business\", \"keywords\": [],"
                "               \"pillars\": [\"Heritage\"]}]}");
        json_t *j_un = json_array_get(json_object_get(j_al, "unmatched_mappings"), 0);

        ck_assert_ptr_nonnull(j_un);
        ck_assert_str_eq(json_string_value(json_object_get(j_un, "theme")), "Family business");
        ck_assert_str_eq(json_string_value(json_object_get(j_un, "pillar")), "Heritage");
        ck_links(j_al, 0, "");
        ck_assert(json_is_true(json_object_get(theme_at(j_al, 0), "outside_pillars")));
        ck_strings(j_al, "themes_outside_pillars", "Family business");
        json_decref(j_al);
}
END_TEST

START_TEST(test_suggestions_by_overlap_normalised)
{
        json_t *j_al = align_with(
                "{\"themes\": ["
                " {\"name\": \"Boards and #AI\", \"keywords\": [\"Cyber-Security\", \"#AI\"]},"
                " {\"name\": \"Hiring\", \"keywords\": [\"Talents\", \"Culture\"]},"
                " {\"name\": \"Golf\", \"keywords\": [\"handicap\"]}]}");
        json_t *j_link = json_array_get(json_object_get(theme_at(j_al, 0), "pillars"), 0);

        ck_links(j_al, 0, "Trusted Technology:suggested");
        ck_strings(j_link, "shared_keywords", "cyber security|ai");
        ck_links(j_al, 1, "People First:suggested");
        ck_links(j_al, 2, "");
        ck_strings(j_al, "themes_outside_pillars", "Golf");
        ck_strings(j_al, "untouched_pillars", "Sustainable Growth");
        json_decref(j_al);
}
END_TEST

START_TEST(test_suggestion_order_and_cap)
{
        /* four pillars share keywords with the theme: most shared first, then the
         * larger share of the union, then the strategy's order; three at most */
        static const char strat[] =
                "{\"number\": 1, \"channels\": [], \"policies\": {},"
                " \"pillars\": ["
                "  {\"name\": \"A\", \"keywords\": [\"k1\", \"x1\", \"x2\", \"x3\"]},"
                "  {\"name\": \"B\", \"keywords\": [\"k1\", \"k2\"]},"
                "  {\"name\": \"C\", \"keywords\": [\"k1\"]},"
                "  {\"name\": \"D\", \"keywords\": [\"k1\", \"y1\"]},"
                "  {\"name\": \"E\", \"keywords\": [\"zzz\"]}]}";
        json_t *j_al = align_texts("{\"themes\": [{\"name\": \"T\","
                                   " \"keywords\": [\"k1\", \"k2\"]}]}", strat);

        /* B shares 2; then C (1 of a union of 4) beats D (1 of 5), which beats A (1 of 7) */
        ck_links(j_al, 0, "B:suggested, C:suggested, D:suggested");
        ck_strings(j_al, "untouched_pillars", "A|E");
        json_decref(j_al);
}
END_TEST

START_TEST(test_suggestion_ties_keep_strategy_order)
{
        static const char strat[] =
                "{\"number\": 1, \"channels\": [], \"policies\": {},"
                " \"pillars\": [{\"name\": \"Second\", \"keywords\": [\"k\"]},"
                "               {\"name\": \"First\", \"keywords\": [\"k\"]}]}";
        json_t *j_al = align_texts("{\"themes\": [{\"name\": \"T\", \"keywords\": [\"k\"]}]}",
                                   strat);

        ck_links(j_al, 0, "Second:suggested, First:suggested");
        json_decref(j_al);
}
END_TEST

START_TEST(test_pillars_list_themes)
{
        json_t *j_al = align_with(
                "{\"themes\": [{\"name\": \"T1\", \"keywords\": [\"ai\"]},"
                "              {\"name\": \"T2\", \"pillars\": [\"Trusted Technology\"]}]}");
        json_t *j_p0 = json_array_get(json_object_get(j_al, "pillars"), 0);
        json_t *j_keys = align_touched_keys(j_al);

        ck_assert_str_eq(json_string_value(json_object_get(j_p0, "pillar")), "Trusted Technology");
        ck_assert_str_eq(json_string_value(json_object_get(j_p0, "key")), "trusted technology");
        ck_strings(j_p0, "themes", "T1|T2");   /* the playbook's order, not the links' */
        ck_strings(j_al, "untouched_pillars", "Sustainable Growth|People First");
        ck_assert_uint_eq(json_array_size(j_keys), 1);
        ck_assert_str_eq(json_string_value(json_array_get(j_keys, 0)), "trusted technology");
        json_decref(j_keys);
        json_decref(j_al);
}
END_TEST

START_TEST(test_empty_playbook)
{
        json_t *j_al = align_with("{\"purpose\": null, \"themes\": null, \"platforms\": null}");

        ck_assert_uint_eq(json_array_size(json_object_get(j_al, "themes")), 0);
        ck_strings(j_al, "untouched_pillars", "Trusted Technology|Sustainable Growth|People First");
        ck_strings(j_al, "channels_not_used", "LinkedIn|X|YouTube");
        ck_assert_int_eq(align_score(j_al), 0);
        ck_assert_int_eq(points_of(j_al, "themes"), 0);
        ck_assert_int_eq(points_of(j_al, "platforms"), 0);
        json_decref(j_al);
}
END_TEST

/* ---- conflicts with policy ----------------------------------------------------------- */

START_TEST(test_conflicts_where_and_what)
{
        json_t *j_al = align_with(
                "{\"themes\": [{\"name\": \"Investing\", \"description\": \"Why returns matter\","
                "               \"keywords\": [\"Guaranteed-Returns\", \"taxonomy\"]}],"
                " \"goals\": [{\"description\": \"Explain TAX rules\", \"metric\": \"posts\","
                "              \"target\": 4}],"
                " \"voice\": \"Plain; never comment on pending litigations.\","
                " \"purpose\": \"tax\", \"vision\": \"tax\"}");
        json_t *j_conf = json_object_get(j_al, "conflicts");
        json_t *j_c;
        char seen[512] = "";
        size_t i, used = 0;

        json_array_foreach(j_conf, i, j_c)
                used += (size_t)snprintf(seen + used, sizeof(seen) - used, "%s%s %s %s %s",
                                         i > 0 ? "|" : "",
                                         json_string_value(json_object_get(j_c, "section")),
                                         json_string_value(json_object_get(j_c, "field")),
                                         json_string_value(json_object_get(j_c, "kind")),
                                         json_string_value(json_object_get(j_c, "phrase")));
        /* whole words only ("taxonomy" is not "tax"), plural-insensitive, in themes,
         * goals and voice only (purpose and vision are not scanned) */
        ck_assert_str_eq(seen,
                         "themes themes[0].keywords[0] off_limits_term guaranteed returns"
                         "|goals goals[0].description off_limits_term tax"
                         "|voice voice off_limits_topic pending litigation");
        json_decref(j_al);
}
END_TEST

START_TEST(test_conflicts_cost_points_floor_zero)
{
        json_t *j_al = align_with(
                "{\"voice\": \"tax tax\","
                " \"themes\": [{\"name\": \"tax\", \"keywords\": [\"tax\"],"
                "               \"description\": \"tax\"}],"
                " \"goals\": [{\"description\": \"tax\", \"metric\": \"tax\", \"target\": 1}]}");

        ck_assert_uint_eq(json_array_size(json_object_get(j_al, "conflicts")), 6);
        ck_assert_int_eq(points_of(j_al, "policy_conflicts"), -90);
        ck_assert_int_eq(align_score(j_al), 0);
        json_decref(j_al);
}
END_TEST

/* ---- platforms --------------------------------------------------------------------------- */

START_TEST(test_platforms_aliases)
{
        json_t *j_al = align_with(
                "{\"platforms\": [{\"name\": \"Twitter\"}, {\"name\": \"linked-in\"},"
                "                 {\"name\": \"Instagram\"}]}");

        /* named as the business names its channels */
        ck_strings(j_al, "platforms_in_common", "X|LinkedIn");
        ck_strings(j_al, "personal_platforms", "Instagram");
        ck_strings(j_al, "channels_not_used", "YouTube");
        ck_assert_int_eq(points_of(j_al, "platforms"), 13);   /* 20 x 2/3 = 13.3 */
        json_decref(j_al);
}
END_TEST

/* ---- score and explanation ----------------------------------------------------------------- */

static const char worked_example[] =
        "{\"themes\": ["
        "  {\"name\": \"AI for boards\", \"keywords\": [\"ai\"],"
        "   \"pillars\": [\"Trusted Technology\"]},"
        "  {\"name\": \"Net zero in practice\", \"keywords\": [\"climate\"]},"
        "  {\"name\": \"Golf\", \"keywords\": [\"handicap\"]}],"
        " \"platforms\": [{\"name\": \"LinkedIn\"}, {\"name\": \"Instagram\"}],"
        " \"voice\": \"never about tax\"}";

START_TEST(test_score_worked_example)
{
        json_t *j_al = align_with(worked_example);
        json_t *j_expl = json_object_get(j_al, "explanation");

        /* themes 40 x 2/3 = 26.7 -> 27; reach 30 x 2/3 = 20; platforms 20 x 1/2 = 10;
         * explicit 10 x 1/2 = 5; one conflict -15: 47 */
        ck_assert_int_eq(points_of(j_al, "themes"), 27);
        ck_assert_int_eq(points_of(j_al, "pillar_reach"), 20);
        ck_assert_int_eq(points_of(j_al, "platforms"), 10);
        ck_assert_int_eq(points_of(j_al, "explicit_mapping"), 5);
        ck_assert_int_eq(points_of(j_al, "policy_conflicts"), -15);
        ck_assert_int_eq(align_score(j_al), 47);
        ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(j_expl, "summary")),
                                     "alignment 47 of 100 with business strategy version 3"));
        ck_assert_uint_eq(json_array_size(json_object_get(j_expl, "components")), 5);
        json_decref(j_al);
}
END_TEST

START_TEST(test_score_full_marks)
{
        json_t *j_al = align_with(
                "{\"themes\": ["
                "  {\"name\": \"A\", \"pillars\": [\"Trusted Technology\"]},"
                "  {\"name\": \"B\", \"pillars\": [\"Sustainable Growth\", \"People First\"]}],"
                " \"platforms\": [{\"name\": \"LinkedIn\"}]}");

        ck_assert_int_eq(align_score(j_al), 100);
        json_decref(j_al);
}
END_TEST

START_TEST(test_score_components_add_up)
{
        json_t *j_al = align_with(worked_example);
        json_t *j_c;
        size_t i;
        int sum = 0;

        json_array_foreach(json_object_get(json_object_get(j_al, "explanation"), "components"),
                           i, j_c) {
                int pts = (int)json_integer_value(json_object_get(j_c, "points"));
                int max = (int)json_integer_value(json_object_get(j_c, "max"));

                ck_assert_int_le(pts, max);
                ck_assert_ptr_nonnull(json_string_value(json_object_get(j_c, "detail")));
                sum += pts;
        }
        ck_assert_int_eq(sum, align_score(j_al));
        json_decref(j_al);
}
END_TEST

START_TEST(test_no_pillars_no_division)
{
        static const char strat[] = "{\"number\": 1, \"pillars\": [], \"channels\": [],"
                                    " \"policies\": {}}";
        json_t *j_al = align_texts("{\"themes\": [{\"name\": \"T\"}],"
                                   " \"platforms\": [{\"name\": \"X\"}]}", strat);

        ck_assert_int_eq(align_score(j_al), 0);
        ck_strings(j_al, "themes_outside_pillars", "T");
        ck_strings(j_al, "personal_platforms", "X");
        json_decref(j_al);
}
END_TEST

START_TEST(test_deterministic)
{
        json_t *j_a = align_with(worked_example);
        json_t *j_b = align_with(worked_example);
        char *a = json_dumps(j_a, JSON_COMPACT);
        char *b = json_dumps(j_b, JSON_COMPACT);

        ck_assert_str_eq(a, b);
        free(a);
        free(b);
        json_decref(j_a);
        json_decref(j_b);
}
END_TEST

START_TEST(test_result_shape)
{
        static const char *const keys[] = {
                "themes", "unmatched_mappings", "pillars", "untouched_pillars",
                "themes_outside_pillars", "conflicts", "platforms_in_common",
                "personal_platforms", "channels_not_used", "score", "explanation", NULL,
        };
        json_t *j_al = align_with(worked_example);

        for (const char *const *k = keys; *k != NULL; k++)
                ck_assert_msg(json_object_get(j_al, *k) != NULL, "no %s in the alignment", *k);
        ck_assert_uint_eq(json_object_size(j_al), 11);
        json_decref(j_al);
}
END_TEST

static Suite *
align_suite(void)
{
        Suite *s = suite_create("strategy_align");
        TCase *tc_norm = tcase_create("normal form");
        TCase *tc_map = tcase_create("mapping");
        TCase *tc_conf = tcase_create("conflicts");
        TCase *tc_plat = tcase_create("platforms");
        TCase *tc_score = tcase_create("score");

        tcase_add_test(tc_norm, test_norm_case_and_punctuation);
        tcase_add_test(tc_norm, test_norm_null);
        tcase_add_test(tc_norm, test_norm_plurals);
        tcase_add_test(tc_norm, test_norm_apostrophes_and_utf8);
        tcase_add_test(tc_norm, test_norm_buffer_bounds);
        tcase_add_test(tc_norm, test_norm_same_words_same_form);
        suite_add_tcase(s, tc_norm);

        tcase_add_test(tc_map, test_explicit_mapping_first);
        tcase_add_test(tc_map, test_pillar_without_name);
        tcase_add_test(tc_map, test_explicit_not_repeated_as_suggestion);
        tcase_add_test(tc_map, test_unknown_pillar_reported);
        tcase_add_test(tc_map, test_suggestions_by_overlap_normalised);
        tcase_add_test(tc_map, test_suggestion_order_and_cap);
        tcase_add_test(tc_map, test_suggestion_ties_keep_strategy_order);
        tcase_add_test(tc_map, test_pillars_list_themes);
        tcase_add_test(tc_map, test_empty_playbook);
        suite_add_tcase(s, tc_map);

        tcase_add_test(tc_conf, test_conflicts_where_and_what);
        tcase_add_test(tc_conf, test_conflicts_cost_points_floor_zero);
        suite_add_tcase(s, tc_conf);

        tcase_add_test(tc_plat, test_platforms_aliases);
        suite_add_tcase(s, tc_plat);

        tcase_add_test(tc_score, test_score_worked_example);
        tcase_add_test(tc_score, test_score_full_marks);
        tcase_add_test(tc_score, test_score_components_add_up);
        tcase_add_test(tc_score, test_no_pillars_no_division);
        tcase_add_test(tc_score, test_deterministic);
        tcase_add_test(tc_score, test_result_shape);
        suite_add_tcase(s, tc_score);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(align_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
