/*
 * smtp.c - sends a built message over SMTP with libcurl (no other library).
 *
 * smtps:// is TLS from the first byte; smtp:// upgrades with STARTTLS when
 * the server offers it, and insists on it when credentials are configured,
 * so a password never crosses the network in clear.  A session keeps one
 * easy handle, and with it the connection, for several messages in a row
 * (a server's greeting can take 100 ms and more).  The reason a send
 * failed names curl's fault and the server's reply code, never the message,
 * the recipients or the credentials.
 */
#include <stdio.h>
#include <string.h>
#include <curl/curl.h>

#include "nudge.h"
#include "status.h"

struct upload {
        const char *p;
        size_t left;
};

static size_t
read_cb(char *out, size_t size, size_t nitems, void *arg)
{
        struct upload *u = arg;
        size_t n = size * nitems;

        if (n > u->left)
                n = u->left;
        memcpy(out, u->p, n);
        u->p += n;
        u->left -= n;
        return n;
}

static CURLcode
setup(CURL *h, const struct smtp_config *cfg, struct curl_slist *rcpt, struct upload *up,
      char *from)
{
        CURLcode rc = curl_easy_setopt(h, CURLOPT_URL, cfg->url);

        if (rc == CURLE_OK)
                rc = curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
        if (rc == CURLE_OK)
                rc = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        if (rc == CURLE_OK)
                rc = curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)cfg->timeout_ms);
        if (rc == CURLE_OK)
                rc = curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->timeout_ms);
        if (rc == CURLE_OK)
                rc = curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
        if (rc == CURLE_OK)
                rc = curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
        if (rc == CURLE_OK)
                rc = curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        if (rc == CURLE_OK)
                rc = curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
        if (rc == CURLE_OK)
                rc = curl_easy_setopt(h, CURLOPT_READDATA, up);
        if (rc == CURLE_OK)
                rc = curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)up->left);
        if (rc == CURLE_OK)
                rc = curl_easy_setopt(h, CURLOPT_USE_SSL, cfg->user != NULL ? (long)CURLUSESSL_ALL
                                                                            : (long)CURLUSESSL_TRY);
        if (rc == CURLE_OK && cfg->user != NULL)
                rc = curl_easy_setopt(h, CURLOPT_USERNAME, cfg->user);
        if (rc == CURLE_OK && cfg->password != NULL)
                rc = curl_easy_setopt(h, CURLOPT_PASSWORD, cfg->password);
        return rc;
}

void
smtp_session_end(void **session)
{
        curl_easy_cleanup(*session);
        *session = NULL;
}

int
smtp_send(const struct smtp_config *cfg, void **session, const char *const *rcpt,
          size_t n_rcpt, const char *msg, size_t len, char *why, size_t whylen)
{
        struct upload up = { msg, len };
        struct curl_slist *list = NULL;
        char from[300], addr[300];
        CURL *h = *session;
        CURLcode rc;
        long code = 0;
        int st = ST_UNAVAILABLE;

        snprintf(why, whylen, "%s", "out of memory");
        snprintf(from, sizeof(from), "<%s>", cfg->from);
        for (size_t i = 0; i < n_rcpt; i++) {
                struct curl_slist *next;

                snprintf(addr, sizeof(addr), "<%s>", rcpt[i]);
                next = curl_slist_append(list, addr);
                if (next == NULL)
                        goto out;
                list = next;
        }
        if (h == NULL && (h = *session = curl_easy_init()) == NULL)
                goto out;
        curl_easy_reset(h);           /* the options go; the connection stays */
        rc = setup(h, cfg, list, &up, from);
        if (rc == CURLE_OK)
                rc = curl_easy_perform(h);
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        if (rc == CURLE_OK) {
                st = ST_OK;
                snprintf(why, whylen, "accepted (%ld)", code);
        } else if (code > 0) {
                snprintf(why, whylen, "smtp: %s (reply %ld)", curl_easy_strerror(rc), code);
        } else {
                snprintf(why, whylen, "smtp: %s", curl_easy_strerror(rc));
        }
        if (st != ST_OK)
                smtp_session_end(session);    /* a fresh connection next time */
out:
        curl_slist_free_all(list);
        return st;
}
