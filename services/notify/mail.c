/*
 * mail.c - RFC 5322 messages with MIME bodies, pure.
 *
 * Header text that is not plain printable ASCII goes out as RFC 2047
 * encoded-words (UTF-8, base64); CR and LF never reach a header.  Bodies are
 * base64 (RFC 2045), so no line is too long and no line starts with a dot,
 * whatever the text holds.
 */
#include <stdint.h>
#include <string.h>
#include <openssl/evp.h>

#include "nudge.h"
#include "status.h"

#define EW_MAX_BYTES 45        /* 45 bytes -> 60 base64 characters: a 72-character word */
#define B64_LINE_BYTES 57      /* -> 76 characters a line */

static bool
plain_ascii(const char *s)
{
        for (; *s != '\0'; s++)
                if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
                        return false;
        return true;
}

static void
b64_add(struct buf *b, const unsigned char *p, size_t n)
{
        unsigned char out[4 * ((B64_LINE_BYTES + 2) / 3) + 1];

        while (n > 0) {
                size_t k = n < B64_LINE_BYTES ? n : B64_LINE_BYTES;
                int len = EVP_EncodeBlock(out, p, (int)k);

                buf_add(b, (const char *)out, (size_t)len);
                p += k;
                n -= k;
                if (n > 0)
                        buf_puts(b, "\r\n");
        }
}

/* The length of the UTF-8 sequence starting with byte @c (1 for a stray byte). */
static size_t
utf8_seq_len(unsigned char c)
{
        if (c >= 0xf0 && c < 0xf8)
                return 4;
        if (c >= 0xe0)
                return c < 0xf0 ? 3 : 1;
        if (c >= 0xc0)
                return 2;
        return 1;
}

/* @s with CR and LF (and other controls) as spaces: a copy in @tmp. */
static void
flatten(struct buf *tmp, const char *s)
{
        for (; *s != '\0'; s++) {
                char c = (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s;

                buf_add(tmp, &c, 1);
        }
        buf_add(tmp, "", 1);
}

void
mail_header_text(struct buf *b, const char *s)
{
        struct buf tmp = BUF_INIT;
        const unsigned char *p;
        size_t n, i = 0;

        if (s == NULL)
                return;
        flatten(&tmp, s);
        if (tmp.failed) {
                b->failed = 1;
                return;
        }
        if (plain_ascii(tmp.p) && strstr(tmp.p, "=?") == NULL) {
                buf_puts(b, tmp.p);
                buf_release(&tmp);
                return;
        }
        p = (const unsigned char *)tmp.p;
        n = strlen(tmp.p);
        while (i < n) {
                size_t k = 0;

                while (i + k < n) {
                        size_t l = utf8_seq_len(p[i + k]);

                        if (k + l > EW_MAX_BYTES)
                                break;
                        k += l;
                }
                if (k == 0)
                        k = 1;
                if (i + k > n)
                        k = n - i;
                if (i > 0)
                        buf_puts(b, "\r\n ");
                buf_puts(b, "=?UTF-8?B?");
                b64_add(b, p + i, k);
                buf_puts(b, "?=");
                i += k;
        }
        buf_release(&tmp);
}

bool
mail_addr_ok(const char *email)
{
        const char *at;
        size_t n;

        if (email == NULL || (n = strlen(email)) < 3 || n > 254)
                return false;
        for (const char *c = email; *c != '\0'; c++)
                if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f
                    || strchr("<>()[],;:\"\\", *c) != NULL)
                        return false;
        at = strchr(email, '@');
        return at != NULL && at != email && at[1] != '\0' && strchr(at + 1, '@') == NULL;
}

void
mail_header_addr(struct buf *b, const struct mail_addr *a)
{
        if (a->name != NULL && a->name[0] != '\0') {
                struct buf tmp = BUF_INIT;

                flatten(&tmp, a->name);
                if (!tmp.failed && plain_ascii(tmp.p) && strstr(tmp.p, "=?") == NULL) {
                        buf_puts(b, "\"");
                        for (const char *c = tmp.p; *c != '\0'; c++) {
                                if (*c == '"' || *c == '\\')
                                        buf_puts(b, "\\");
                                buf_add(b, c, 1);
                        }
                        buf_puts(b, "\"");
                } else {
                        mail_header_text(b, a->name);
                }
                buf_release(&tmp);
                buf_puts(b, " ");
        }
        buf_fmt(b, "<%s>", a->email);
}

void
mail_date(struct buf *b, time_t t)
{
        static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
        static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
        struct tm tm;

        /* gmtime_r touches no TZ state; names from our own tables, not the locale */
        if (gmtime_r(&t, &tm) == NULL) {
                b->failed = 1;
                return;
        }
        buf_fmt(b, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
                months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void
body_part(struct buf *b, const char *boundary, const char *type, const char *body)
{
        if (boundary != NULL)
                buf_fmt(b, "--%s\r\n", boundary);
        buf_fmt(b, "Content-Type: %s; charset=utf-8\r\n"
                "Content-Transfer-Encoding: base64\r\n\r\n", type);
        b64_add(b, (const unsigned char *)body, strlen(body));
        buf_puts(b, "\r\n");
}

static void
header_line(struct buf *b, const char *name, const char *value)
{
        buf_fmt(b, "%s: ", name);
        mail_header_text(b, value);
        buf_puts(b, "\r\n");
}

int
mail_build(const struct mail *m, struct buf *out)
{
        if (!mail_addr_ok(m->from.email) || m->n_to == 0 || m->text == NULL
            || (m->html != NULL && m->boundary == NULL))
                return ST_INVALID;
        for (size_t i = 0; i < m->n_to; i++)
                if (!mail_addr_ok(m->to[i].email))
                        return ST_INVALID;
        buf_puts(out, "Date: ");
        mail_date(out, m->date);
        buf_puts(out, "\r\nFrom: ");
        mail_header_addr(out, &m->from);
        buf_puts(out, "\r\nTo: ");
        for (size_t i = 0; i < m->n_to; i++) {
                if (i > 0)
                        buf_puts(out, ",\r\n ");
                mail_header_addr(out, &m->to[i]);
        }
        buf_puts(out, "\r\n");
        header_line(out, "Subject", m->subject != NULL ? m->subject : "");
        header_line(out, "Message-ID", m->message_id);
        buf_puts(out, "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n");
        if (m->html == NULL) {
                body_part(out, NULL, "text/plain", m->text);
        } else {
                buf_fmt(out, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n",
                        m->boundary);
                body_part(out, m->boundary, "text/plain", m->text);
                body_part(out, m->boundary, "text/html", m->html);
                buf_fmt(out, "--%s--\r\n", m->boundary);
        }
        return out->failed ? ST_NOMEM : ST_OK;
}
