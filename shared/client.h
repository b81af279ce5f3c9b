/*
 * client.h - calls from one Tandem service to another over JSON REST.
 *
 * The caller's bearer token and X-Request-Id are forwarded; every call has a
 * timeout.  A transport failure or a 5xx from the other side becomes
 * ST_UNAVAILABLE, so that nothing passes silently when evidence is missing.
 */
#ifndef TANDEM_CLIENT_H
#define TANDEM_CLIENT_H

#include <jansson.h>

struct client_call {
        const char *method;        /* "GET", "POST", ... */
        const char *base_url;      /* "http://127.0.0.1:8081" */
        const char *path;          /* "/v1/people/..." (already escaped) */
        const char *bearer;        /* token to forward, may be NULL */
        const char *request_id;    /* may be NULL */
        const json_t *j_body;      /* borrowed, may be NULL */
        unsigned timeout_ms;
};

struct client_reply {
        long status;               /* HTTP status, 0 when no answer */
        json_t *j_body;            /* owned; NULL when not JSON */
};

/* Call once at start, before threads. */
int client_global_init(void);
void client_global_cleanup(void);

/*
 * Performs @call.  Returns ST_OK when an HTTP answer arrived (any status; see
 * @out->status), ST_UNAVAILABLE on timeout, refusal or a 5xx.  The caller
 * releases @out with client_reply_release().
 * Also: ST_INVALID when @call lacks method, base_url or path, or when bearer
 * or request_id holds CR or LF; ST_INTERNAL when libcurl refuses the URL
 * (only http and https are allowed); ST_NOMEM.  @out is always initialised,
 * so releasing it is safe whatever the result.
 */
int client_do(const struct client_call *call, struct client_reply *out);

void client_reply_release(struct client_reply *r);

/*
 * POSTs @form (application/x-www-form-urlencoded) to @url with HTTP Basic
 * @user and @password (each form-encoded first, RFC 6749 section 2.3.1): an
 * OAuth token request.  Answers like client_do().
 */
int client_post_form(const char *url, const char *form, const char *user, const char *password,
                     unsigned timeout_ms, struct client_reply *out);

#endif
