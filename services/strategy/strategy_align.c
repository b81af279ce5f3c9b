/*
 * strategy_align.c - aligning a partner's playbook with the business social
 * media strategy.  Pure and deterministic: the same playbook and strategy
 * always give the same alignment; no I/O.  Unit-tested in
 * tests/unit/test_strategy_align.c.
 *
 * Words are compared in a normal form (align_normalise): case, punctuation,
 * hashtags and plural endings do not matter.  A keyword set is a theme's (or
 * a pillar's) name plus its keywords, each normalised as one phrase.
 *
 *   1. Each theme supports the pillars the partner mapped it to (explicit),
 *      then up to ALIGN_MAX_SUGGESTIONS more pillars sharing at least one
 *      keyword (suggested: most shared keywords first, then the larger share
 *      of the two sets' union, then the strategy's order).  A mapping to a
 *      pillar the strategy does not have is reported, not used.
 *   2. Pillars no theme supports are untouched; themes that support no pillar
 *      are outside every pillar (allowed: the partner's own voice).
 *   3. Off-limits topics and terms are looked for, as whole words, in the
 *      themes (name, description, keywords), goals (description, metric) and
 *      voice: each hit is a conflict.
 *   4. Platforms match channels by normal form, with a few aliases
 *      (twitter = x, ...).
 *   5. The score (0..100) adds four parts and subtracts conflicts:
 *        themes     40 x themes supporting a pillar / themes
 *        reach      30 x pillars supported / pillars
 *        platforms  20 x partner platforms that are business channels / platforms
 *        explicit   10 x themes the partner mapped themself / themes supporting a pillar
 *        conflicts  -15 each;  the total never goes below 0
 *      each part rounded half up, in integers; the explanation lists them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "strategy.h"

#define ALIGN_MAX_SUGGESTIONS 3
#define POINTS_THEMES 40
#define POINTS_REACH 30
#define POINTS_PLATFORMS 20
#define POINTS_EXPLICIT 10
#define PENALTY_CONFLICT 15

/* ---- normal form ------------------------------------------------------------------ */

static bool
ascii_alnum(unsigned char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Drops a plural ending from the word out[start..end); returns its new end. */
static size_t
stem(char *out, size_t start, size_t end)
{
        char *w = out + start;
        size_t len = end - start;

        if (len > 4 && strncmp(w + len - 3, "ies", 3) == 0) {
                w[len - 3] = 'y';
                return end - 2;
        }
        if (len > 3 && w[len - 1] == 's' && strchr("sui", w[len - 2]) == NULL)
                return end - 1;
        return end;
}

/* Apostrophes join a word ("partner's" -> "partners"): ASCII ' and U+2019. */
static size_t
apostrophe_len(const unsigned char *c)
{
        if (c[0] == '\'')
                return 1;
        if (c[0] == 0xE2 && c[1] == 0x80 && c[2] == 0x99)
                return 3;
        return 0;
}

size_t
align_normalise(const char *in, char *out, size_t outlen)
{
        const unsigned char *c = (const unsigned char *)(in != NULL ? in : "");
        size_t n = 0, word = 0;
        bool in_word = false;

        if (outlen == 0)
                return 0;
        while (*c != '\0') {
                size_t skip = apostrophe_len(c);

                if (skip > 0) {
                        c += skip;
                        continue;
                }
                if (!ascii_alnum(*c) && *c < 0x80) {
                        if (in_word)
                                n = stem(out, word, n);
                        in_word = false;
                        c++;
                        continue;
                }
                if (!in_word && n > 0 && n + 1 < outlen)
                        out[n++] = ' ';
                if (!in_word)
                        word = n;
                in_word = true;
                if (n + 1 >= outlen)
                        break;
                out[n++] = (char)(*c >= 'A' && *c <= 'Z' ? *c + ('a' - 'A') : *c);
                c++;
        }
        if (in_word)
                n = stem(out, word, n);
        while (n > 0 && out[n - 1] == ' ')
                n--;
        out[n] = '\0';
        return n;
}

char *
align_norm_dup(const char *in)
{
        size_t len = in != NULL ? strlen(in) + 1 : 1;
        char *out = malloc(len);

        if (out != NULL)
                align_normalise(in, out, len);
        return out;
}

/* ---- keyword sets: arrays of distinct, non-empty normal forms --------------------- */

static int
set_add(json_t *j_set, const char *text)
{
        char *key = align_norm_dup(text);
        json_t *j_key;
        size_t i;
        int rc = key != NULL ? ST_OK : ST_NOMEM;

        if (rc != ST_OK || key[0] == '\0')
                goto out;
        json_array_foreach(j_set, i, j_key)
                if (strcmp(json_string_value(j_key), key) == 0)
                        goto out;
        if (json_array_append_new(j_set, json_string(key)) != 0)
                rc = ST_NOMEM;
out:
        free(key);
        return rc;
}

/* A new set: the normal forms of @j_obj's name and of its keywords. */
static json_t *
keyword_set(const json_t *j_obj)
{
        json_t *j_set = json_array();
        json_t *j_kw;
        size_t i;
        int rc = j_set != NULL ? set_add(j_set, json_string_value(json_object_get(j_obj, "name")))
                               : ST_NOMEM;

        json_array_foreach(json_object_get(j_obj, "keywords"), i, j_kw)
                if (rc == ST_OK)
                        rc = set_add(j_set, json_string_value(j_kw));
        if (rc != ST_OK) {
                json_decref(j_set);
                return NULL;
        }
        return j_set;
}

static bool
set_has(const json_t *j_set, const char *key)
{
        json_t *j_key;
        size_t i;

        json_array_foreach(j_set, i, j_key)
                if (strcmp(json_string_value(j_key), key) == 0)
                        return true;
        return false;
}

/* A new array of the members of @j_a that are also in @j_b, in @j_a's order. */
static json_t *
set_shared(const json_t *j_a, const json_t *j_b)
{
        json_t *j_out = json_array();
        json_t *j_key;
        size_t i;

        json_array_foreach(j_a, i, j_key)
                if (j_out != NULL && set_has(j_b, json_string_value(j_key)))
                        json_array_append(j_out, j_key);
        return j_out;
}

/* ---- the working state ----------------------------------------------------------- */

struct pillar {
        const char *name;
        char *key;
        json_t *j_keys;       /* keyword set */
        json_t *j_themes;     /* names of the themes that support it */
};

struct theme {
        const char *name;
        json_t *j_keys;       /* keyword set */
        json_t *j_links;      /* [{pillar, source, shared_keywords}] */
        bool explicit_link;
};

struct align {
        const json_t *j_content;
        const json_t *j_strategy;
        struct pillar *pillars;
        size_t np;
        struct theme *themes;
        size_t nt;
        json_t *j_unmatched;
        json_t *j_conflicts;
        json_t *j_common;     /* platforms in common (the channel's name) */
        json_t *j_personal;   /* the partner's platforms that are no channel */
        json_t *j_unused;     /* channels the partner is not on */
        size_t n_platforms;
};

static void
align_release(struct align *a)
{
        for (size_t i = 0; a->pillars != NULL && i < a->np; i++) {
                free(a->pillars[i].key);
                json_decref(a->pillars[i].j_keys);
                json_decref(a->pillars[i].j_themes);
        }
        for (size_t i = 0; a->themes != NULL && i < a->nt; i++) {
                json_decref(a->themes[i].j_keys);
                json_decref(a->themes[i].j_links);
        }
        free(a->pillars);
        free(a->themes);
        json_decref(a->j_unmatched);
        json_decref(a->j_conflicts);
        json_decref(a->j_common);
        json_decref(a->j_personal);
        json_decref(a->j_unused);
}

static int
load_pillars(struct align *a)
{
        const json_t *j_pillars = json_object_get(a->j_strategy, "pillars");
        json_t *j_p;
        size_t i;

        a->np = json_array_size(j_pillars);
        a->pillars = calloc(a->np + 1, sizeof(*a->pillars));
        if (a->pillars == NULL)
                return ST_NOMEM;
        json_array_foreach(j_pillars, i, j_p) {
                struct pillar *p = &a->pillars[i];

                p->name = json_string_value(json_object_get(j_p, "name"));
                p->key = align_norm_dup(p->name);
                p->j_keys = keyword_set(j_p);
                p->j_themes = json_array();
                if (p->key == NULL || p->j_keys == NULL || p->j_themes == NULL)
                        return ST_NOMEM;
        }
        return ST_OK;
}

static int
load_themes(struct align *a)
{
        const json_t *j_themes = json_object_get(a->j_content, "themes");
        json_t *j_t;
        size_t i;

        a->nt = json_array_size(j_themes);
        a->themes = calloc(a->nt + 1, sizeof(*a->themes));
        if (a->themes == NULL)
                return ST_NOMEM;
        json_array_foreach(j_themes, i, j_t) {
                struct theme *t = &a->themes[i];

                t->name = json_string_value(json_object_get(j_t, "name"));
                t->j_keys = keyword_set(j_t);
                t->j_links = json_array();
                if (t->j_keys == NULL || t->j_links == NULL)
                        return ST_NOMEM;
        }
        return ST_OK;
}

/* ---- 1. which pillars each theme supports ------------------------------------------ */

static struct pillar *
pillar_by_key(struct align *a, const char *key)
{
        for (size_t i = 0; i < a->np; i++)
                if (strcmp(a->pillars[i].key, key) == 0)
                        return &a->pillars[i];
        return NULL;
}

static bool
linked(const struct theme *t, const struct pillar *p)
{
        json_t *j_link;
        size_t i;

        json_array_foreach(t->j_links, i, j_link)
                if (strcmp(json_string_value(json_object_get(j_link, "pillar")), p->name) == 0)
                        return true;
        return false;
}

static int
add_link(struct theme *t, struct pillar *p, const char *source)
{
        json_t *j_shared = set_shared(t->j_keys, p->j_keys);
        json_t *j_link = json_pack("{s:s, s:s, s:o?}", "pillar", p->name, "source", source,
                                   "shared_keywords", j_shared);

        return j_link != NULL && json_array_append_new(t->j_links, j_link) == 0 ? ST_OK : ST_NOMEM;
}

static int
map_one(struct align *a, struct theme *t, const char *given)
{
        char *key = align_norm_dup(given);
        struct pillar *p = key != NULL ? pillar_by_key(a, key) : NULL;
        int rc = key != NULL ? ST_OK : ST_NOMEM;

        free(key);
        if (rc != ST_OK)
                return rc;
        if (p == NULL)
                return json_array_append_new(a->j_unmatched,
                                             json_pack("{s:s, s:s}", "theme", t->name, "pillar",
                                                       given)) == 0 ? ST_OK : ST_NOMEM;
        if (linked(t, p))
                return ST_OK;
        t->explicit_link = true;
        return add_link(t, p, "explicit");
}

static int
map_explicit(struct align *a)
{
        const json_t *j_themes = json_object_get(a->j_content, "themes");
        json_t *j_name;
        size_t k;
        int rc = ST_OK;

        for (size_t i = 0; i < a->nt && rc == ST_OK; i++) {
                json_array_foreach(json_object_get(json_array_get(j_themes, i), "pillars"), k,
                                   j_name)
                        if (rc == ST_OK)
                                rc = map_one(a, &a->themes[i], json_string_value(j_name));
        }
        return rc;
}

struct candidate {
        size_t pillar;
        size_t shared;
        size_t uni;           /* size of the union of the two sets */
};

/* Most shared first; then the larger shared / union; then the strategy's order. */
static int
candidate_cmp(const void *x, const void *y)
{
        const struct candidate *a = x, *b = y;
        unsigned long long l = (unsigned long long)a->shared * b->uni;
        unsigned long long r = (unsigned long long)b->shared * a->uni;

        if (a->shared != b->shared)
                return a->shared > b->shared ? -1 : 1;
        if (l != r)
                return l > r ? -1 : 1;
        return a->pillar < b->pillar ? -1 : 1;
}

static int
suggest_for(struct align *a, struct theme *t, struct candidate *cands)
{
        size_t n = 0;
        int rc = ST_OK;

        for (size_t i = 0; i < a->np; i++) {
                json_t *j_shared = set_shared(t->j_keys, a->pillars[i].j_keys);
                size_t shared = json_array_size(j_shared);

                json_decref(j_shared);
                if (j_shared == NULL)
                        return ST_NOMEM;
                if (shared == 0 || linked(t, &a->pillars[i]))
                        continue;
                cands[n++] = (struct candidate){ i, shared, json_array_size(t->j_keys)
                                                 + json_array_size(a->pillars[i].j_keys) - shared };
        }
        qsort(cands, n, sizeof(*cands), candidate_cmp);
        for (size_t i = 0; i < n && i < ALIGN_MAX_SUGGESTIONS && rc == ST_OK; i++)
                rc = add_link(t, &a->pillars[cands[i].pillar], "suggested");
        return rc;
}

static int
suggest(struct align *a)
{
        struct candidate *cands = calloc(a->np + 1, sizeof(*cands));
        int rc = cands != NULL ? ST_OK : ST_NOMEM;

        for (size_t i = 0; i < a->nt && rc == ST_OK; i++)
                rc = suggest_for(a, &a->themes[i], cands);
        free(cands);
        return rc;
}

/* ---- 2. per pillar, the themes behind it (in the playbook's order) ----------------- */

static int
collect_pillar_themes(struct align *a)
{
        json_t *j_link;
        size_t k;

        for (size_t i = 0; i < a->nt; i++) {
                json_array_foreach(a->themes[i].j_links, k, j_link) {
                        const char *name = json_string_value(json_object_get(j_link, "pillar"));

                        for (size_t p = 0; p < a->np && name != NULL; p++)
                                if (a->pillars[p].name != NULL
                                    && strcmp(a->pillars[p].name, name) == 0
                                    && json_array_append_new(a->pillars[p].j_themes,
                                                             json_string(a->themes[i].name)) != 0)
                                        return ST_NOMEM;
                }
        }
        return ST_OK;
}

/* ---- 3. conflicts with policy ---------------------------------------------------------- */

/* True when the phrase @key (normal form) is in @text as whole words. */
static bool
contains_phrase(const char *padded_text, const char *key, char *probe, size_t probelen)
{
        if (key[0] == '\0' || strlen(key) + 3 > probelen)
                return false;
        snprintf(probe, probelen, " %s ", key);
        return strstr(padded_text, probe) != NULL;
}

struct scan {
        const char *section;
        const char *field;
        const char *text;
};

static int
scan_list(struct align *a, const struct scan *s, const char *padded, const char *list,
          const char *kind)
{
        const json_t *j_policies = json_object_get(a->j_strategy, "policies");
        json_t *j_phrase;
        size_t i;
        char probe[1024];   /* an off-limits phrase: at most 200 characters of UTF-8 */

        json_array_foreach(json_object_get(j_policies, list), i, j_phrase) {
                const char *phrase = json_string_value(j_phrase);
                char *key = align_norm_dup(phrase);
                bool hit = key != NULL && contains_phrase(padded, key, probe, sizeof(probe));

                free(key);
                if (key == NULL)
                        return ST_NOMEM;
                if (hit && json_array_append_new(a->j_conflicts,
                                                 json_pack("{s:s, s:s, s:s, s:s}", "kind", kind,
                                                           "phrase", phrase, "section", s->section,
                                                           "field", s->field)) != 0)
                        return ST_NOMEM;
        }
        return ST_OK;
}

static int
scan_text(struct align *a, const struct scan *s)
{
        char *norm = s->text != NULL ? align_norm_dup(s->text) : NULL;
        size_t len = norm != NULL ? strlen(norm) + 3 : 0;
        char *padded = norm != NULL ? malloc(len) : NULL;
        int rc = ST_OK;

        if (s->text == NULL)
                return ST_OK;
        if (padded == NULL) {
                rc = ST_NOMEM;
                goto out;
        }
        snprintf(padded, len, " %s ", norm);
        rc = scan_list(a, s, padded, "off_limits_topics", "off_limits_topic");
        if (rc == ST_OK)
                rc = scan_list(a, s, padded, "off_limits_terms", "off_limits_term");
out:
        free(norm);
        free(padded);
        return rc;
}

static int
scan_member(struct align *a, const char *section, const char *prefix, const json_t *j_obj,
            const char *member)
{
        char field[96];
        struct scan s = { section, field, json_string_value(json_object_get(j_obj, member)) };

        snprintf(field, sizeof(field), "%s.%s", prefix, member);
        return scan_text(a, &s);
}

static int
scan_theme(struct align *a, size_t i, const json_t *j_theme)
{
        char prefix[32], field[96];
        json_t *j_kw;
        size_t k;
        int rc;

        snprintf(prefix, sizeof(prefix), "themes[%zu]", i);
        rc = scan_member(a, "themes", prefix, j_theme, "name");
        if (rc == ST_OK)
                rc = scan_member(a, "themes", prefix, j_theme, "description");
        json_array_foreach(json_object_get(j_theme, "keywords"), k, j_kw) {
                struct scan s = { "themes", field, json_string_value(j_kw) };

                snprintf(field, sizeof(field), "%s.keywords[%zu]", prefix, k);
                if (rc == ST_OK)
                        rc = scan_text(a, &s);
        }
        return rc;
}

static int
find_conflicts(struct align *a)
{
        json_t *j_item;
        size_t i;
        char prefix[32];
        struct scan voice = { "voice", "voice",
                              json_string_value(json_object_get(a->j_content, "voice")) };
        int rc = ST_OK;

        json_array_foreach(json_object_get(a->j_content, "themes"), i, j_item)
                if (rc == ST_OK)
                        rc = scan_theme(a, i, j_item);
        json_array_foreach(json_object_get(a->j_content, "goals"), i, j_item) {
                snprintf(prefix, sizeof(prefix), "goals[%zu]", i);
                if (rc == ST_OK)
                        rc = scan_member(a, "goals", prefix, j_item, "description");
                if (rc == ST_OK)
                        rc = scan_member(a, "goals", prefix, j_item, "metric");
        }
        return rc == ST_OK ? scan_text(a, &voice) : rc;
}

/* ---- 4. platforms ---------------------------------------------------------------------------- */

static const char *const platform_aliases[][2] = {
        { "twitter", "x" }, { "x twitter", "x" }, { "twitter x", "x" }, { "linked in", "linkedin" },
        { "fb", "facebook" }, { "ig", "instagram" }, { "insta", "instagram" },
        { "you tube", "youtube" }, { "yt", "youtube" },
};

/* The normal form of a platform's name with aliases applied; malloc'd. */
static char *
platform_key(const char *name)
{
        char *key = align_norm_dup(name);

        size_t n = sizeof(platform_aliases) / sizeof(platform_aliases[0]);

        for (size_t i = 0; key != NULL && i < n; i++) {
                if (strcmp(key, platform_aliases[i][0]) == 0) {
                        free(key);
                        return strdup(platform_aliases[i][1]);
                }
        }
        return key;
}

/* The channel of @j_channels whose key is @key, or NULL; *@nomem on out of memory. */
static const json_t *
channel_for(const json_t *j_channels, const char *key, bool *nomem)
{
        json_t *j_ch;
        size_t i;

        json_array_foreach(j_channels, i, j_ch) {
                char *ck = platform_key(json_string_value(json_object_get(j_ch, "name")));
                bool same = ck != NULL && strcmp(ck, key) == 0;

                *nomem = *nomem || ck == NULL;
                free(ck);
                if (same)
                        return j_ch;
        }
        return NULL;
}

static int
match_platforms(struct align *a)
{
        const json_t *j_channels = json_object_get(a->j_strategy, "channels");
        const json_t *j_platforms = json_object_get(a->j_content, "platforms");
        json_t *j_pl, *j_ch, *j_seen = json_array();
        size_t i;
        bool nomem = j_seen == NULL;

        a->n_platforms = json_array_size(j_platforms);
        json_array_foreach(j_platforms, i, j_pl) {
                const char *name = json_string_value(json_object_get(j_pl, "name"));
                char *key = platform_key(name);
                const json_t *j_match = key != NULL ? channel_for(j_channels, key, &nomem) : NULL;

                nomem = nomem || key == NULL;
                free(key);
                if (j_match != NULL)
                        json_array_append(j_seen, (json_t *)j_match);
                json_array_append(j_match != NULL ? a->j_common : a->j_personal,
                                  j_match != NULL ? json_object_get(j_match, "name")
                                                  : json_object_get(j_pl, "name"));
        }
        json_array_foreach(j_channels, i, j_ch) {
                bool used = false;

                for (size_t k = 0; k < json_array_size(j_seen); k++)
                        used = used || json_array_get(j_seen, k) == j_ch;
                if (!used)
                        json_array_append(a->j_unused, json_object_get(j_ch, "name"));
        }
        json_decref(j_seen);
        return nomem ? ST_NOMEM : ST_OK;
}

/* ---- 5. score and explanation ------------------------------------------------------------- */

/* @max x @num / @den rounded half up; 0 when @den is 0. */
static int
share(int max, size_t num, size_t den)
{
        if (den == 0)
                return 0;
        return (int)((2 * (unsigned long long)max * num + den) / (2 * (unsigned long long)den));
}

struct tally {
        size_t themes, aligned, explicit_themes, pillars, touched, platforms, common, conflicts;
};

static void
count(const struct align *a, struct tally *t)
{
        memset(t, 0, sizeof(*t));
        t->themes = a->nt;
        t->pillars = a->np;
        t->platforms = a->n_platforms;
        t->common = json_array_size(a->j_common);
        t->conflicts = json_array_size(a->j_conflicts);
        for (size_t i = 0; i < a->nt; i++) {
                t->aligned += json_array_size(a->themes[i].j_links) > 0;
                t->explicit_themes += a->themes[i].explicit_link;
        }
        for (size_t i = 0; i < a->np; i++)
                t->touched += json_array_size(a->pillars[i].j_themes) > 0;
}

static json_t *
part(const char *name, int points, int max, const char *detail)
{
        return json_pack("{s:s, s:i, s:i, s:s}", "component", name, "points", points, "max", max,
                         "detail", detail);
}

/* The four parts and the penalty, as explanation components; the total in *@score. */
static json_t *
components(const struct tally *t, int *score)
{
        int pts[4] = { share(POINTS_THEMES, t->aligned, t->themes),
                       share(POINTS_REACH, t->touched, t->pillars),
                       share(POINTS_PLATFORMS, t->common, t->platforms),
                       share(POINTS_EXPLICIT, t->explicit_themes, t->aligned) };
        int penalty = (int)t->conflicts * PENALTY_CONFLICT;
        char d[5][200];

        snprintf(d[0], sizeof(d[0]), "%zu of %zu themes support at least one pillar (themes"
                 " outside every pillar are allowed: they are the partner's own voice)",
                 t->aligned, t->themes);
        snprintf(d[1], sizeof(d[1]), "%zu of %zu pillars are supported by a theme",
                 t->touched, t->pillars);
        snprintf(d[2], sizeof(d[2]), "%zu of %zu of the partner's platforms are business channels",
                 t->common, t->platforms);
        snprintf(d[3], sizeof(d[3]), "%zu of %zu aligned themes were mapped to a pillar by the"
                 " partner; the rest are suggestions from shared keywords",
                 t->explicit_themes, t->aligned);
        snprintf(d[4], sizeof(d[4]), "%zu conflict(s) with the policy's off-limits topics and"
                 " terms, %d points each", t->conflicts, PENALTY_CONFLICT);
        *score = pts[0] + pts[1] + pts[2] + pts[3] - penalty;
        if (*score < 0)
                *score = 0;
        return json_pack("[o, o, o, o, o]", part("themes", pts[0], POINTS_THEMES, d[0]),
                         part("pillar_reach", pts[1], POINTS_REACH, d[1]),
                         part("platforms", pts[2], POINTS_PLATFORMS, d[2]),
                         part("explicit_mapping", pts[3], POINTS_EXPLICIT, d[3]),
                         part("policy_conflicts", -penalty, 0, d[4]));
}

static json_t *
explanation(const struct align *a, int *score)
{
        struct tally t;
        json_t *j_parts;
        char summary[300];

        count(a, &t);
        j_parts = components(&t, score);
        snprintf(summary, sizeof(summary), "alignment %d of 100 with business strategy version"
                 " %lld: %zu of %zu themes support a pillar, %zu of %zu pillars are carried,"
                 " %zu of %zu platforms are business channels, %zu policy conflict(s)", *score,
                 (long long)json_integer_value(json_object_get(a->j_strategy, "number")),
                 t.aligned, t.themes, t.touched, t.pillars, t.common, t.platforms, t.conflicts);
        return json_pack("{s:s, s:o?}", "summary", summary, "components", j_parts);
}

/* ---- the result ------------------------------------------------------------------------------ */

static json_t *
themes_json(const struct align *a, json_t **outside)
{
        json_t *j_out = json_array();

        *outside = json_array();
        for (size_t i = 0; j_out != NULL && *outside != NULL && i < a->nt; i++) {
                const struct theme *t = &a->themes[i];
                bool alone = json_array_size(t->j_links) == 0;

                json_array_append_new(j_out, json_pack("{s:s, s:O, s:b}", "theme", t->name,
                                                       "pillars", t->j_links,
                                                       "outside_pillars", alone));
                if (alone)
                        json_array_append_new(*outside, json_string(t->name));
        }
        return j_out;
}

static json_t *
pillars_json(const struct align *a, json_t **untouched)
{
        json_t *j_out = json_array();

        *untouched = json_array();
        for (size_t i = 0; j_out != NULL && *untouched != NULL && i < a->np; i++) {
                const struct pillar *p = &a->pillars[i];

                json_array_append_new(j_out, json_pack("{s:s, s:s, s:O}", "pillar", p->name,
                                                       "key", p->key, "themes", p->j_themes));
                if (json_array_size(p->j_themes) == 0)
                        json_array_append_new(*untouched, json_string(p->name));
        }
        return j_out;
}

static json_t *
result(const struct align *a)
{
        json_t *j_outside = NULL, *j_untouched = NULL;
        json_t *j_themes = themes_json(a, &j_outside);
        json_t *j_pillars = pillars_json(a, &j_untouched);
        int score = 0;
        json_t *j_expl = explanation(a, &score);

        return json_pack("{s:o?, s:O, s:o?, s:o?, s:o?, s:O, s:O, s:O, s:O, s:i, s:o?}",
                         "themes", j_themes, "unmatched_mappings", a->j_unmatched,
                         "pillars", j_pillars, "untouched_pillars", j_untouched,
                         "themes_outside_pillars", j_outside, "conflicts", a->j_conflicts,
                         "platforms_in_common", a->j_common,
                         "personal_platforms", a->j_personal,
                         "channels_not_used", a->j_unused, "score", score,
                         "explanation", j_expl);
}

int
align_run(const json_t *j_content, const json_t *j_strategy, json_t **out)
{
        struct align a = { .j_content = j_content, .j_strategy = j_strategy };
        json_t *j_result = NULL;
        int rc;

        a.j_unmatched = json_array();
        a.j_conflicts = json_array();
        a.j_common = json_array();
        a.j_personal = json_array();
        a.j_unused = json_array();
        rc = a.j_unmatched && a.j_conflicts && a.j_common && a.j_personal && a.j_unused
             ? ST_OK : ST_NOMEM;
        if (rc == ST_OK)
                rc = load_pillars(&a);
        if (rc == ST_OK)
                rc = load_themes(&a);
        if (rc == ST_OK)
                rc = map_explicit(&a);
        if (rc == ST_OK)
                rc = suggest(&a);
        if (rc == ST_OK)
                rc = collect_pillar_themes(&a);
        if (rc == ST_OK)
                rc = find_conflicts(&a);
        if (rc == ST_OK)
                rc = match_platforms(&a);
        if (rc == ST_OK)
                j_result = result(&a);
        if (rc == ST_OK && j_result == NULL)
                rc = ST_NOMEM;
        if (rc == ST_OK)
                *out = j_result;
        align_release(&a);
        return rc;
}

int
align_score(const json_t *j_alignment)
{
        return (int)json_integer_value(json_object_get(j_alignment, "score"));
}

json_t *
align_touched_keys(const json_t *j_alignment)
{
        json_t *j_keys = json_array();
        json_t *j_p;
        size_t i;

        json_array_foreach(json_object_get(j_alignment, "pillars"), i, j_p)
                if (j_keys != NULL && json_array_size(json_object_get(j_p, "themes")) > 0)
                        json_array_append(j_keys, json_object_get(j_p, "key"));
        return j_keys;
}
