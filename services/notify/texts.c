/*
 * texts.c - every string a nudge or a digest says, in one table per
 * language (English first; a translation is one more column of the same
 * keys), and the messages built from facts, pure.
 *
 * Templates name their values in braces ({partner}); the HTML version
 * escapes each value.  Nothing private reaches a message: names, phases,
 * dates and counts, never notes or free text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nudge.h"
#include "status.h"

enum text_key {
        T_GREETING,
        T_PARTNER_SUBJECT, T_PARTNER_BODY, T_PARTNER_SLIPPED, T_PARTNER_SLIPPED_LINE,
        T_PARTNER_NO_SLIP, T_PARTNER_NEXT,
        T_MENTOR_SUBJECT, T_MENTOR_BODY, T_MENTOR_NEXT,
        T_LEAD_SUBJECT, T_LEAD_BODY, T_LEAD_MENTOR, T_LEAD_NO_MENTOR, T_LEAD_NEXT,
        T_DIGEST_SUBJECT, T_DIGEST_BODY, T_DIGEST_LINE, T_DIGEST_NONE, T_DIGEST_TOTALS,
        T_WHERE, T_SIGNATURE,
        T_COUNT
};

struct language {
        const char *code;
        const char *text[T_COUNT];
};

static const struct language languages[] = {
        { "en", {
                [T_GREETING] = "Hello {name},",
                [T_PARTNER_SUBJECT] = "Your Tandem journey: a nudge to pick it up again",
                [T_PARTNER_BODY] = "Nothing has moved on your journey since {since} ({days} days)."
                                   " You are in the {phase} phase, at your own pace; this is"
                                   " only a reminder that it is waiting for you.",
                [T_PARTNER_SLIPPED] = "Target dates you set that have passed:",
                [T_PARTNER_SLIPPED_LINE] = "{phase}: {date}",
                [T_PARTNER_NO_SLIP] = "None of your own target dates has passed.",
                [T_PARTNER_NEXT] = "Next step: take the next step of the {phase} phase, or set"
                                   " new target dates that suit you.",
                [T_MENTOR_SUBJECT] = "{partner} has not moved since {since}",
                [T_MENTOR_BODY] = "{partner}, whom you mentor, has not moved on their journey"
                                  " since {since} ({days} days); they are in the {phase} phase."
                                  " They had a nudge; a word from you may help.",
                [T_MENTOR_NEXT] = "Next step: get in touch, or schedule a session.",
                [T_LEAD_SUBJECT] = "Stalled: {partner}, since {since}",
                [T_LEAD_BODY] = "{partner} has not moved on their journey since {since}"
                                " ({days} days), in the {phase} phase. They and their mentor"
                                " have been told.",
                [T_LEAD_MENTOR] = "Mentor: {mentor}.",
                [T_LEAD_NO_MENTOR] = "They have no active mentor.",
                [T_LEAD_NEXT] = "Next step: check in with them, or pause the enrolment if"
                                " they asked for a break.",
                [T_DIGEST_SUBJECT] = "Your week in Tandem: {count} partners",
                [T_DIGEST_BODY] = "Here is how your partners are doing.",
                [T_DIGEST_LINE] = "{partner}: {phase}, {pace}; write-ups owed: {owed};"
                                  " sections awaiting your review: {waiting}",
                [T_DIGEST_NONE] = "You have no active partners this week.",
                [T_DIGEST_TOTALS] = "In all: {owed} write-ups owed, {waiting} sections awaiting"
                                    " your review.",
                [T_WHERE] = "In Tandem: {link}",
                [T_SIGNATURE] = "Tandem, for the programme team",
        } },
};

static const char *
text(const char *lang, enum text_key k)
{
        for (size_t i = 0; i < sizeof(languages) / sizeof(languages[0]); i++)
                if (lang != NULL && strcmp(languages[i].code, lang) == 0
                    && languages[i].text[k] != NULL)
                        return languages[i].text[k];
        return languages[0].text[k];
}

struct fill {
        const char *key;
        const char *value;
};

static void
html_escape(struct buf *b, const char *s)
{
        for (; *s != '\0'; s++) {
                switch (*s) {
                case '<': buf_puts(b, "&lt;"); break;
                case '>': buf_puts(b, "&gt;"); break;
                case '&': buf_puts(b, "&amp;"); break;
                case '"': buf_puts(b, "&quot;"); break;
                case '\'': buf_puts(b, "&#39;"); break;
                default: buf_add(b, s, 1);
                }
        }
}

static const char *
lookup(const struct fill *f, const char *name, size_t n)
{
        for (; f != NULL && f->key != NULL; f++)
                if (strlen(f->key) == n && strncmp(f->key, name, n) == 0)
                        return f->value != NULL ? f->value : "";
        return NULL;
}

/* Appends @tpl with each {key} of @f replaced (HTML-escaped when @html). */
static void
render(struct buf *b, const char *tpl, const struct fill *f, bool html)
{
        while (*tpl != '\0') {
                const char *open = strchr(tpl, '{');
                const char *close = open != NULL ? strchr(open, '}') : NULL;
                const char *v = close != NULL ? lookup(f, open + 1, (size_t)(close - open - 1))
                                              : NULL;
                size_t n = open != NULL ? (size_t)(open - tpl) : strlen(tpl);

                if (html)
                        for (size_t i = 0; i < n; i++) {
                                char one[2] = { tpl[i], '\0' };

                                html_escape(b, one);
                        }
                else
                        buf_add(b, tpl, n);
                if (open == NULL)
                        return;
                if (v == NULL) {                       /* not a placeholder: as is */
                        buf_add(b, open, 1);
                        tpl = open + 1;
                        continue;
                }
                if (html)
                        html_escape(b, v);
                else
                        buf_puts(b, v);
                tpl = close + 1;
        }
}

/* A paragraph: the text version gets it and a blank line, the HTML one <p>. */
static void
para(struct buf *t, struct buf *h, const char *tpl, const struct fill *f)
{
        render(t, tpl, f, false);
        buf_puts(t, "\n\n");
        buf_puts(h, "<p>");
        render(h, tpl, f, true);
        buf_puts(h, "</p>\n");
}

static void
open_doc(struct buf *h)
{
        buf_puts(h, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>"
                 "<body style=\"font-family: sans-serif\">\n");
}

static int
finish(struct buf *subj, struct buf *t, struct buf *h, struct message *out)
{
        buf_puts(h, "</body></html>\n");
        if (subj->failed || t->failed || h->failed) {
                buf_release(subj);
                buf_release(t);
                buf_release(h);
                return ST_NOMEM;
        }
        out->subject = buf_detach(subj);
        out->text = buf_detach(t);
        out->html = buf_detach(h);
        return ST_OK;
}

void
message_release(struct message *m)
{
        if (m == NULL)
                return;
        free(m->subject);
        free(m->text);
        free(m->html);
        m->subject = m->text = m->html = NULL;
}

static void
slipped_list(struct buf *t, struct buf *h, const struct nudge_facts *f)
{
        if (f->n_slipped == 0) {
                para(t, h, text(f->lang, T_PARTNER_NO_SLIP), NULL);
                return;
        }
        para(t, h, text(f->lang, T_PARTNER_SLIPPED), NULL);
        buf_puts(h, "<ul>\n");
        for (size_t i = 0; i < f->n_slipped; i++) {
                struct fill v[] = { { "phase", f->slipped[i].phase },
                                    { "date", f->slipped[i].date }, { NULL, NULL } };

                buf_puts(t, "  - ");
                render(t, text(f->lang, T_PARTNER_SLIPPED_LINE), v, false);
                buf_puts(t, "\n");
                buf_puts(h, "<li>");
                render(h, text(f->lang, T_PARTNER_SLIPPED_LINE), v, true);
                buf_puts(h, "</li>\n");
        }
        buf_puts(t, "\n");
        buf_puts(h, "</ul>\n");
}

int
texts_nudge(const struct nudge_facts *f, struct message *out)
{
        struct buf subj = BUF_INIT, t = BUF_INIT, h = BUF_INIT;
        char days[16];
        enum text_key subject, body, next;

        if (strcmp(f->step, "partner") == 0) {
                subject = T_PARTNER_SUBJECT, body = T_PARTNER_BODY, next = T_PARTNER_NEXT;
        } else if (strcmp(f->step, "mentor") == 0) {
                subject = T_MENTOR_SUBJECT, body = T_MENTOR_BODY, next = T_MENTOR_NEXT;
        } else if (strcmp(f->step, "lead") == 0) {
                subject = T_LEAD_SUBJECT, body = T_LEAD_BODY, next = T_LEAD_NEXT;
        } else {
                return ST_INVALID;
        }
        snprintf(days, sizeof(days), "%d", f->days);
        struct fill v[] = {
                { "name", f->recipient_name }, { "partner", f->partner_name },
                { "mentor", f->mentor_name }, { "phase", f->phase_name }, { "since", f->since },
                { "days", days }, { "link", f->link }, { NULL, NULL },
        };

        render(&subj, text(f->lang, subject), v, false);
        open_doc(&h);
        para(&t, &h, text(f->lang, T_GREETING), v);
        para(&t, &h, text(f->lang, body), v);
        if (body == T_PARTNER_BODY)
                slipped_list(&t, &h, f);
        if (body == T_LEAD_BODY)
                para(&t, &h, text(f->lang, f->mentor_name != NULL ? T_LEAD_MENTOR
                                                                  : T_LEAD_NO_MENTOR), v);
        para(&t, &h, text(f->lang, next), v);
        if (f->link != NULL)
                para(&t, &h, text(f->lang, T_WHERE), v);
        para(&t, &h, text(f->lang, T_SIGNATURE), v);
        return finish(&subj, &t, &h, out);
}

int
texts_digest(const char *lang, const char *mentor_name, const struct digest_line *lines,
             size_t n, struct message *out)
{
        struct buf subj = BUF_INIT, t = BUF_INIT, h = BUF_INIT;
        char count[16], owed[16], waiting[16];
        int owed_all = 0, waiting_all = 0;

        snprintf(count, sizeof(count), "%zu", n);
        struct fill v[] = { { "name", mentor_name }, { "count", count }, { NULL, NULL } };

        render(&subj, text(lang, T_DIGEST_SUBJECT), v, false);
        open_doc(&h);
        para(&t, &h, text(lang, T_GREETING), v);
        para(&t, &h, text(lang, n > 0 ? T_DIGEST_BODY : T_DIGEST_NONE), v);
        if (n > 0)
                buf_puts(&h, "<ul>\n");
        for (size_t i = 0; i < n; i++) {
                snprintf(owed, sizeof(owed), "%d", lines[i].writeups_owed);
                snprintf(waiting, sizeof(waiting), "%d", lines[i].sections_waiting);
                owed_all += lines[i].writeups_owed;
                waiting_all += lines[i].sections_waiting;
                struct fill l[] = { { "partner", lines[i].partner_name },
                                    { "phase", lines[i].phase_name != NULL ? lines[i].phase_name
                                                                           : "-" },
                                    { "pace", lines[i].pace }, { "owed", owed },
                                    { "waiting", waiting }, { NULL, NULL } };

                buf_puts(&t, "  - ");
                render(&t, text(lang, T_DIGEST_LINE), l, false);
                buf_puts(&t, "\n");
                buf_puts(&h, "<li>");
                render(&h, text(lang, T_DIGEST_LINE), l, true);
                buf_puts(&h, "</li>\n");
        }
        if (n > 0) {
                buf_puts(&t, "\n");
                buf_puts(&h, "</ul>\n");
                snprintf(owed, sizeof(owed), "%d", owed_all);
                snprintf(waiting, sizeof(waiting), "%d", waiting_all);
                struct fill s[] = { { "owed", owed }, { "waiting", waiting }, { NULL, NULL } };

                para(&t, &h, text(lang, T_DIGEST_TOTALS), s);
        }
        para(&t, &h, text(lang, T_SIGNATURE), v);
        return finish(&subj, &t, &h, out);
}
