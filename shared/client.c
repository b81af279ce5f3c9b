/*
 * client.c - calls from one Tandem service to another, with libcurl.
 *
 * One easy handle per thread, reused call after call: its connection cache
 * keeps the connections to each upstream alive (HTTP/1.1 keep-alive), so that
 * a call costs no TCP handshake and leaves no socket in TIME_WAIT.  Threads
 * share nothing (libcurl allows one thread on a handle at a time); the
 * handle is reset before every call, so no option outlives the call that
 * set it, and freed when its thread ends.  Every call has a hard timeout, follows no redirect, speaks only http and
 * https, and keeps at most CLIENT_MAX_REPLY bytes of the answer.  The bearer
 * token goes into its header and nowhere else: never into a log line.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>

#include "client.h"
#include "log.h"
#include "status.h"

#define CLIENT_MAX_REPLY          (4UL << 20)
#define CLIENT_DEFAULT_TIMEOUT_MS 3000
#define CLIENT_MAX_CONNECTS       8     /* kept-alive connections per thread */

/* Each thread's easy handle (its connection cache with it). */
static pthread_key_t handle_key;
static pthread_once_t handle_once = PTHREAD_ONCE_INIT;
static int handle_key_ok;

/* The answer's body, capped at CLIENT_MAX_REPLY. */
struct reply_buf {
        char *p;
        size_t len, cap;
        int too_big;
};

static void
handle_free(void *h)
{
        curl_easy_cleanup(h);
}

static void
handle_key_make(void)
{
        handle_key_ok = pthread_key_create(&handle_key, handle_free) == 0;
}

int
client_global_init(void)
{
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                return ST_INTERNAL;
        pthread_once(&handle_once, handle_key_make);
        return handle_key_ok ? ST_OK : ST_INTERNAL;
}

void
client_global_cleanup(void)
{
        /* the calling thread's handle; other threads free theirs as they end */
        if (handle_key_ok) {
                handle_free(pthread_getspecific(handle_key));
                pthread_setspecific(handle_key, NULL);
        }
        curl_global_cleanup();
}

/* This thread's handle, reset to defaults, or NULL when out of memory. */
static CURL *
thread_handle(void)
{
        CURL *h;

        pthread_once(&handle_once, handle_key_make);
        h = handle_key_ok ? pthread_getspecific(handle_key) : NULL;
        if (h != NULL) {
                curl_easy_reset(h);   /* keeps its live connections */
                return h;
        }
        h = curl_easy_init();
        if (h != NULL && handle_key_ok && pthread_setspecific(handle_key, h) != 0) {
                curl_easy_cleanup(h);
                h = NULL;
        }
        return h;
}

/* Drops the call's options (they point into the call's own memory). */
static void
thread_handle_done(CURL *h)
{
        if (h != NULL)
                curl_easy_reset(h);
}

void
client_reply_release(struct client_reply *r)
{
        if (r == NULL)
                return;
        json_decref(r->j_body);
        r->j_body = NULL;
        r->status = 0;
}

/* libcurl write callback: appends, and stops the transfer past the cap. */
static size_t
on_data(char *data, size_t size, size_t nmemb, void *userp)
{
        struct reply_buf *b = userp;
        size_t n = size * nmemb;
        size_t cap;
        char *p;

        if (n > CLIENT_MAX_REPLY - b->len) {
                b->too_big = 1;
                return 0;
        }
        if (b->len + n > b->cap) {
                cap = b->cap != 0 ? b->cap : 4096;
                while (cap < b->len + n)
                        cap *= 2;
                p = realloc(b->p, cap);
                if (p == NULL)
                        return 0;
                b->p = p;
                b->cap = cap;
        }
        memcpy(b->p + b->len, data, n);
        b->len += n;
        return n;
}

/* Appends @prefix + @value; a value with CR or LF would forge headers. */
static int
header_add(struct curl_slist **list, const char *prefix, const char *value)
{
        struct curl_slist *l;
        size_t n;
        char *line;

        if (strpbrk(value, "\r\n") != NULL)
                return ST_INVALID;
        n = strlen(prefix) + strlen(value) + 1;
        line = malloc(n);
        if (line == NULL)
                return ST_NOMEM;
        snprintf(line, n, "%s%s", prefix, value);
        l = curl_slist_append(*list, line);
        free(line);
        if (l == NULL)
                return ST_NOMEM;
        *list = l;
        return ST_OK;
}

/* Appends a fixed line such as "Expect:" (which removes curl's default). */
static int
header_raw(struct curl_slist **list, const char *line)
{
        struct curl_slist *l = curl_slist_append(*list, line);

        if (l == NULL)
                return ST_NOMEM;
        *list = l;
        return ST_OK;
}

/* A form body with HTTP Basic instead of JSON (client_post_form). */
struct form_call {
        const char *form;
        const char *user, *password;
};

static int
build_headers(const struct client_call *call, const struct form_call *fc, int has_body,
              struct curl_slist **out)
{
        struct curl_slist *list = NULL;
        const char *ct = fc != NULL ? "Content-Type: application/x-www-form-urlencoded"
                         : has_body ? "Content-Type: application/json" : "Content-Type:";
        int rc;

        rc = header_raw(&list, "Accept: application/json");
        if (rc == ST_OK)        /* no 100-continue round trip before a body */
                rc = header_raw(&list, "Expect:");
        if (rc == ST_OK)        /* without a body, drop curl's form Content-Type */
                rc = header_raw(&list, ct);
        if (rc == ST_OK && call->bearer != NULL && call->bearer[0] != '\0')
                rc = header_add(&list, "Authorization: Bearer ", call->bearer);
        if (rc == ST_OK && call->request_id != NULL && call->request_id[0] != '\0')
                rc = header_add(&list, "X-Request-Id: ", call->request_id);
        if (rc != ST_OK) {
                curl_slist_free_all(list);
                return rc;
        }
        *out = list;
        return ST_OK;
}

/* base_url + path, without doubling the slash between them. */
static char *
join_url(const char *base, const char *path)
{
        size_t blen = strlen(base);
        size_t n;
        char *url;

        if (blen > 0 && base[blen - 1] == '/' && path[0] == '/')
                blen--;
        n = blen + strlen(path) + 1;
        url = malloc(n);
        if (url != NULL)
                snprintf(url, n, "%.*s%s", (int)blen, base, path);
        return url;
}

/* The verb, and a body (possibly empty) for everything but GET, HEAD, DELETE. */
static int
set_method(CURL *h, const char *method, const char *body)
{
        int bad = 0;

        if (strcmp(method, "GET") == 0 && body == NULL)
                return curl_easy_setopt(h, CURLOPT_HTTPGET, 1L) != CURLE_OK;
        if (strcmp(method, "HEAD") == 0)
                return curl_easy_setopt(h, CURLOPT_NOBODY, 1L) != CURLE_OK;
        if (body == NULL && strcmp(method, "DELETE") != 0)
                body = "";
        if (body != NULL) {
                bad |= curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                                        (curl_off_t)strlen(body)) != CURLE_OK;
                bad |= curl_easy_setopt(h, CURLOPT_POSTFIELDS, body) != CURLE_OK;
        }
        bad |= curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method) != CURLE_OK;
        return bad;
}

/* Everything but the method; returns non-zero when libcurl refused an option. */
static int
set_options(CURL *h, const char *url, unsigned timeout_ms, struct curl_slist *headers,
            struct reply_buf *rb, char *errbuf)
{
        long ms = timeout_ms != 0 ? (long)timeout_ms : CLIENT_DEFAULT_TIMEOUT_MS;
        int bad = 0;

        bad |= curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK;
        bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
        bad |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
        bad |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
        bad |= curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms) != CURLE_OK;
        bad |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms) != CURLE_OK;
        bad |= curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                                (curl_off_t)CLIENT_MAX_REPLY) != CURLE_OK;
        bad |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers) != CURLE_OK;
        bad |= curl_easy_setopt(h, CURLOPT_USERAGENT, "tandem-client/1") != CURLE_OK;
        bad |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data) != CURLE_OK;
        bad |= curl_easy_setopt(h, CURLOPT_WRITEDATA, rb) != CURLE_OK;
        bad |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK;
        bad |= curl_easy_setopt(h, CURLOPT_MAXCONNECTS, (long)CLIENT_MAX_CONNECTS) != CURLE_OK;
        return bad;
}

/*
 * HTTP Basic with @user and @password form-encoded first, as RFC 6749
 * section 2.3.1 asks of OAuth client credentials.  Returns non-zero on failure.
 */
static int
set_basic(CURL *h, const char *user, const char *password)
{
        char *u = curl_easy_escape(h, user, 0);
        char *p = curl_easy_escape(h, password, 0);
        int bad = u == NULL || p == NULL;

        if (!bad) {
                bad |= curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC) != CURLE_OK;
                bad |= curl_easy_setopt(h, CURLOPT_USERNAME, u) != CURLE_OK;
                bad |= curl_easy_setopt(h, CURLOPT_PASSWORD, p) != CURLE_OK;
        }
        curl_free(u);
        curl_free(p);
        return bad;
}

/*
 * application/json or any application/...+json (problem+json, scim+json,
 * jwk-set+json), with or without parameters.
 */
static int
is_json_type(const char *ct)
{
        size_t n;

        if (ct == NULL || strncasecmp(ct, "application/", 12) != 0)
                return 0;
        n = strcspn(ct, "; ");
        if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
                return 1;
        return n > 17 && strncasecmp(ct + n - 5, "+json", 5) == 0;
}

/* Fills @out from a finished transfer; a 5xx is still ST_UNAVAILABLE. */
static int
take_answer(CURL *h, const struct reply_buf *rb, struct client_reply *out)
{
        long status = 0;
        char *ct = NULL;

        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
        out->status = status;
        if (rb->len > 0 && is_json_type(ct))
                out->j_body = json_loadb(rb->p, rb->len, 0, NULL);
        return status >= 500 ? ST_UNAVAILABLE : ST_OK;
}

/* Maps a failed transfer to a status; a URL libcurl cannot use is our bug. */
static int
transfer_failed(const struct client_call *call, const char *url, CURLcode cres,
                const struct reply_buf *rb, const char *errbuf)
{
        const char *why = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cres);

        if (rb->too_big)
                why = "answer larger than 4 MiB";
        log_warn("%s %s: %s", call->method, url, why);
        if (cres == CURLE_URL_MALFORMAT || cres == CURLE_UNSUPPORTED_PROTOCOL)
                return ST_INTERNAL;
        return ST_UNAVAILABLE;
}

/* client_do(), or a form request when @fc is not NULL. */
static int
client_perform(const struct client_call *call, const struct form_call *fc,
               struct client_reply *out)
{
        char errbuf[CURL_ERROR_SIZE] = "";
        struct reply_buf rb = { NULL, 0, 0, 0 };
        struct curl_slist *headers = NULL;
        char *url = NULL, *body = NULL;
        CURL *h = NULL;
        CURLcode cres;
        int rc;

        out->status = 0;
        out->j_body = NULL;
        if (call->method == NULL || call->base_url == NULL || call->path == NULL)
                return ST_INVALID;
        if (call->j_body != NULL) {
                body = json_dumps(call->j_body, JSON_COMPACT);
                if (body == NULL)
                        return ST_NOMEM;
        }
        rc = build_headers(call, fc, body != NULL, &headers);
        if (rc != ST_OK)
                goto out;
        rc = ST_NOMEM;
        url = join_url(call->base_url, call->path);
        h = thread_handle();
        if (url == NULL || h == NULL)
                goto out;
        rc = ST_INTERNAL;
        if (set_options(h, url, call->timeout_ms, headers, &rb, errbuf) != 0 ||
            set_method(h, call->method, fc != NULL ? fc->form : body) != 0)
                goto out;
        if (fc != NULL && set_basic(h, fc->user, fc->password) != 0)
                goto out;
        cres = curl_easy_perform(h);
        if (cres != CURLE_OK)
                rc = transfer_failed(call, url, cres, &rb, errbuf);
        else
                rc = take_answer(h, &rb, out);
out:
        thread_handle_done(h);
        curl_slist_free_all(headers);
        free(rb.p);
        free(url);
        free(body);
        return rc;
}

int
client_do(const struct client_call *call, struct client_reply *out)
{
        return client_perform(call, NULL, out);
}

int
client_post_form(const char *url, const char *form, const char *user, const char *password,
                 unsigned timeout_ms, struct client_reply *out)
{
        struct client_call call = { .method = "POST", .base_url = url, .path = "",
                                    .timeout_ms = timeout_ms };
        struct form_call fc = { form, user, password };

        out->status = 0;
        out->j_body = NULL;
        if (form == NULL || user == NULL || password == NULL)
                return ST_INVALID;
        return client_perform(&call, &fc, out);
}
