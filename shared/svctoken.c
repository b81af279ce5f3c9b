/*
 * svctoken.c - a service's own bearer token: minted with the shared secret,
 * or from the OpenID Connect provider's client credentials grant, and cached
 * (see svctoken.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "buf.h"
#include "client.h"
#include "log.h"
#include "status.h"
#include "svctoken.h"

#define LOCAL_TTL_S 300
#define RENEW_BEFORE_S 60
#define TOKEN_URL_MAX 1024

struct service_token {
        const struct auth_verifier *v;
        char *service;
        char *secret;                   /* HS256; NULL with a provider */
        char *issuer, *audience;
        char *client_id, *client_secret, *scope, *resource;
        unsigned timeout_ms;
        pthread_mutex_t mu;
        char *token;                    /* the cached one, under mu */
        time_t expires;
};

void
service_token_free(struct service_token *st)
{
        if (st == NULL)
                return;
        if (st->secret != NULL)
                explicit_bzero(st->secret, strlen(st->secret));
        if (st->client_secret != NULL)
                explicit_bzero(st->client_secret, strlen(st->client_secret));
        free(st->service);
        free(st->secret);
        free(st->issuer);
        free(st->audience);
        free(st->client_id);
        free(st->client_secret);
        free(st->scope);
        free(st->resource);
        free(st->token);
        pthread_mutex_destroy(&st->mu);
        free(st);
}

/* strdup that keeps NULL; sets *@failed when a copy fails. */
static char *
dup_opt(const char *s, int *failed)
{
        char *d = s != NULL ? strdup(s) : NULL;

        if (s != NULL && d == NULL)
                *failed = 1;
        return d;
}

int
service_token_new(const struct config *cfg, const struct auth_verifier *v,
                  struct service_token **out)
{
        struct service_token *st;
        int failed = 0;
        bool local = cfg->jwt_alg == JWT_ALG_HS256;

        if (!local && (cfg->oidc_issuer == NULL || cfg->oidc_client_id == NULL))
                return ST_NOT_FOUND;
        st = calloc(1, sizeof(*st));
        if (st == NULL)
                return ST_NOMEM;
        pthread_mutex_init(&st->mu, NULL);
        st->v = v;
        st->timeout_ms = cfg->client_timeout_ms;
        st->service = dup_opt(cfg->service, &failed);
        st->secret = local ? dup_opt(cfg->jwt_secret, &failed) : NULL;
        st->issuer = dup_opt(cfg->jwt_issuer, &failed);
        st->audience = dup_opt(cfg->jwt_audience, &failed);
        st->client_id = dup_opt(cfg->oidc_client_id, &failed);
        st->client_secret = dup_opt(cfg->oidc_client_secret, &failed);
        st->scope = dup_opt(cfg->oidc_scope, &failed);
        st->resource = dup_opt(cfg->oidc_resource, &failed);
        if (failed) {
                service_token_free(st);
                return ST_NOMEM;
        }
        *out = st;
        return ST_OK;
}

/* A token signed with the shared secret (a new string), valid until *@expires. */
static char *
mint_local(const struct service_token *st, time_t now, time_t *expires)
{
        char sub[64];
        json_t *j_claims;
        char *token;

        snprintf(sub, sizeof(sub), "service:%s", st->service);
        j_claims = json_pack("{s:s, s:s, s:s, s:[s], s:I, s:I}", "iss", st->issuer,
                             "aud", st->audience, "sub", sub, "roles", "service",
                             "iat", (json_int_t)now, "exp", (json_int_t)(now + LOCAL_TTL_S));
        token = j_claims != NULL ? auth_sign_hs256(j_claims, st->secret, NULL) : NULL;
        json_decref(j_claims);
        *expires = now + LOCAL_TTL_S;
        return token;
}

/* grant_type=client_credentials[&scope=...][&resource=...], form-encoded (a new string). */
static char *
token_form(const struct service_token *st)
{
        struct buf b = BUF_INIT;
        char *scope = st->scope != NULL ? curl_easy_escape(NULL, st->scope, 0) : NULL;
        char *resource = st->resource != NULL ? curl_easy_escape(NULL, st->resource, 0) : NULL;

        buf_puts(&b, "grant_type=client_credentials");
        if (scope != NULL)
                buf_fmt(&b, "&scope=%s", scope);
        if (resource != NULL)
                buf_fmt(&b, "&resource=%s", resource);
        curl_free(scope);
        curl_free(resource);
        return buf_detach(&b);
}

/* The access token of a token endpoint's answer (a new string), or NULL. */
static char *
take_access_token(const struct client_reply *r, time_t now, time_t *expires)
{
        const char *token = json_string_value(json_object_get(r->j_body, "access_token"));
        json_int_t ttl = json_integer_value(json_object_get(r->j_body, "expires_in"));

        if (r->status != 200 || token == NULL || *token == '\0')
                return NULL;
        *expires = now + (ttl > 0 ? (time_t)ttl : LOCAL_TTL_S);
        return strdup(token);
}

/* A token from the provider's client credentials grant (a new string), or NULL. */
static char *
fetch_remote(const struct service_token *st, time_t now, time_t *expires)
{
        char url[TOKEN_URL_MAX];
        char *form = NULL, *token = NULL;
        struct client_reply r = { 0, NULL };

        if (auth_token_endpoint(st->v, url, sizeof(url)) != ST_OK) {
                log_warn("service token: the provider's token endpoint is not known yet");
                return NULL;
        }
        form = token_form(st);
        if (form != NULL && client_post_form(url, form, st->client_id, st->client_secret,
                                             st->timeout_ms, &r) == ST_OK)
                token = take_access_token(&r, now, expires);
        if (token == NULL)
                log_warn("service token: %s answered %ld, no access token", url, r.status);
        client_reply_release(&r);
        free(form);
        return token;
}

int
service_token_get(struct service_token *st, char **out)
{
        time_t now = time(NULL), expires = 0;
        char *fresh = NULL;
        int rc = ST_OK;

        pthread_mutex_lock(&st->mu);
        if (st->token == NULL || now + RENEW_BEFORE_S >= st->expires) {
                /* one fetch at a time; callers meanwhile wait rather than all fetching */
                fresh = st->secret != NULL ? mint_local(st, now, &expires)
                                           : fetch_remote(st, now, &expires);
                if (fresh != NULL) {
                        free(st->token);
                        st->token = fresh;
                        st->expires = expires;
                } else if (st->token == NULL || now >= st->expires) {
                        rc = ST_UNAVAILABLE;
                }
        }
        if (rc == ST_OK) {
                *out = strdup(st->token);
                rc = *out != NULL ? ST_OK : ST_NOMEM;
        }
        pthread_mutex_unlock(&st->mu);
        return rc;
}
