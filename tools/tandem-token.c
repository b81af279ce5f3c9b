/*
 * tandem-token.c - prints an HS256 bearer token for local runs and tests.
 *
 *   TANDEM_JWT_SECRET=... TANDEM_JWT_ISSUER=... TANDEM_JWT_AUDIENCE=... \
 *           tandem-token --sub alice --roles admin,mentor
 *   tandem-token --service people
 *           prints the token the service "people" sends on its own behalf, from
 *           its configuration (TANDEM_*): minted with the shared secret, or
 *           from the OpenID Connect provider's client credentials grant
 *
 * Exit status: 0 on success, 1 when the environment is not usable (secret
 * missing or shorter than 32 bytes, no issuer or audience), 2 on bad flags.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "auth.h"
#include "client.h"
#include "config.h"
#include "log.h"
#include "status.h"
#include "svctoken.h"

#define SECRET_MIN_BYTES 32
#define SUBJECT_MAX_BYTES 255
#define ROLE_NAME_MAX 32
#define TTL_MAX_S INT32_MAX

struct options {
        const char *service;            /* --service: that service's own token */
        const char *sub;
        const char *roles;              /* comma-separated, NULL for none */
        const char *email;
        const char *iss;
        const char *aud;
        long ttl_s;
};

static void
usage(FILE *fp)
{
        fputs("usage: tandem-token --sub SUB [--roles admin,mentor] [--email E]\n"
              "                    [--ttl SECONDS] [--aud A] [--iss I]\n"
              "       tandem-token --service NAME\n"
              "Prints an HS256 token signed with TANDEM_JWT_SECRET; the issuer and\n"
              "audience default to TANDEM_JWT_ISSUER and TANDEM_JWT_AUDIENCE.\n"
              "--ttl defaults to 3600 seconds.\n", fp);
}

/* Parses a positive number of seconds.  Returns 0, or -1 when @s is not one. */
static int
ttl_parse(const char *s, long *out)
{
        char *end = NULL;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || v <= 0 || v > TTL_MAX_S)
                return -1;
        *out = v;
        return 0;
}

/* Fills @opt from the command line.  Returns 0, or -1 on a bad flag. */
static int
options_parse(int argc, char **argv, struct options *opt)
{
        static const struct option longopts[] = {
                { "sub", required_argument, NULL, 's' },
                { "roles", required_argument, NULL, 'r' },
                { "email", required_argument, NULL, 'e' },
                { "ttl", required_argument, NULL, 't' },
                { "aud", required_argument, NULL, 'a' },
                { "iss", required_argument, NULL, 'i' },
                { "service", required_argument, NULL, 'S' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        int c;

        while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                switch (c) {
                case 's':
                        opt->sub = optarg;
                        break;
                case 'r':
                        opt->roles = optarg;
                        break;
                case 'e':
                        opt->email = optarg;
                        break;
                case 'a':
                        opt->aud = optarg;
                        break;
                case 'i':
                        opt->iss = optarg;
                        break;
                case 't':
                        if (ttl_parse(optarg, &opt->ttl_s) != 0) {
                                fprintf(stderr, "tandem-token: --ttl: not a positive number "
                                        "of seconds: '%s'\n", optarg);
                                return -1;
                        }
                        break;
                case 'S':
                        opt->service = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        exit(0);
                default:
                        return -1;
                }
        }
        if (optind != argc) {
                fprintf(stderr, "tandem-token: unexpected argument '%s'\n", argv[optind]);
                return -1;
        }
        if (opt->service && *opt->service && !opt->sub)
                return 0;
        if (!opt->sub || !*opt->sub || strlen(opt->sub) > SUBJECT_MAX_BYTES) {
                fputs("tandem-token: --sub: required, 1 to 255 bytes\n", stderr);
                return -1;
        }
        return 0;
}

/*
 * Appends the names of the comma-separated @list to @j_roles.  Returns 0, or
 * -1 on an unknown or empty name.
 */
static int
roles_parse(const char *list, json_t *j_roles)
{
        char name[ROLE_NAME_MAX];
        size_t len;

        while (*list) {
                len = strcspn(list, ",");
                if (len == 0 || len >= sizeof(name))
                        goto bad;
                memcpy(name, list, len);
                name[len] = '\0';
                if (!role_from_name(name))
                        goto bad;
                if (json_array_append_new(j_roles, json_string(name)) != 0)
                        return -1;
                list += len;
                if (*list == ',')
                        list++;
        }
        return 0;
bad:
        fprintf(stderr, "tandem-token: --roles: unknown role in '%.*s'\n", (int)len, list);
        return -1;
}

/* Returns @flag when set, else the environment variable @env, else NULL. */
static const char *
flag_or_env(const char *flag, const char *env)
{
        const char *v = flag ? flag : getenv(env);

        return v && *v ? v : NULL;
}

/* Returns the new claim set for @opt, or NULL (with a message) on a bad role. */
static json_t *
claims_new(const struct options *opt, const char *iss, const char *aud)
{
        json_int_t now = (json_int_t)time(NULL);
        json_t *j_claims = json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss", iss, "aud", aud,
                                     "sub", opt->sub, "iat", now,
                                     "exp", now + (json_int_t)opt->ttl_s);
        json_t *j_roles = json_array();

        if (!j_claims || !j_roles)
                goto fail;
        if (opt->roles && roles_parse(opt->roles, j_roles) != 0)
                goto fail;
        if (json_array_size(j_roles) > 0 && json_object_set(j_claims, "roles", j_roles) != 0)
                goto fail;
        if (opt->email && json_object_set_new(j_claims, "email", json_string(opt->email)) != 0)
                goto fail;
        json_decref(j_roles);
        return j_claims;
fail:
        json_decref(j_roles);
        json_decref(j_claims);
        return NULL;
}

/* Prints the token @service sends on its own behalf.  Returns the exit status. */
static int
service_token_print(const char *service)
{
        struct config cfg;
        struct auth_verifier *v = NULL;
        struct service_token *st = NULL;
        char err[512] = "", *token = NULL;
        int rc = 1;

        if (config_load(&cfg, service, 1, NULL, err, sizeof(err)) != ST_OK) {
                fprintf(stderr, "tandem-token: %s\n", err);
                return 1;
        }
        log_setup("tandem-token", LOG_ERROR);   /* stdout is for the token */
        if (client_global_init() != ST_OK ||
            auth_verifier_new(&cfg, &v, err, sizeof(err)) != ST_OK) {
                fprintf(stderr, "tandem-token: %s\n", err);
                goto out;
        }
        if (service_token_new(&cfg, v, &st) != ST_OK) {
                fputs("tandem-token: no way to authenticate as the service: set"
                      " TANDEM_OIDC_CLIENT_ID and TANDEM_OIDC_CLIENT_SECRET\n", stderr);
                goto out;
        }
        if (service_token_get(st, &token) != ST_OK) {
                fputs("tandem-token: the identity provider issued no token\n", stderr);
                goto out;
        }
        rc = printf("%s\n", token) < 0 || fflush(stdout) != 0;
out:
        free(token);
        service_token_free(st);
        auth_verifier_free(v);
        client_global_cleanup();
        config_release(&cfg);
        return rc;
}

int
main(int argc, char **argv)
{
        struct options opt = { NULL, NULL, NULL, NULL, NULL, NULL, 3600 };
        const char *secret = getenv("TANDEM_JWT_SECRET");
        const char *iss, *aud;
        json_t *j_claims = NULL;
        char *token = NULL;
        int rc = 2;

        if (options_parse(argc, argv, &opt) != 0) {
                usage(stderr);
                goto out;
        }
        if (opt.service && !opt.sub)
                return service_token_print(opt.service);
        rc = 1;
        if (!secret || strlen(secret) < SECRET_MIN_BYTES) {
                fputs("tandem-token: TANDEM_JWT_SECRET: must be at least 32 bytes\n", stderr);
                goto out;
        }
        iss = flag_or_env(opt.iss, "TANDEM_JWT_ISSUER");
        aud = flag_or_env(opt.aud, "TANDEM_JWT_AUDIENCE");
        if (!iss || !aud) {
                fprintf(stderr, "tandem-token: %s: not set (or pass %s)\n",
                        iss ? "TANDEM_JWT_AUDIENCE" : "TANDEM_JWT_ISSUER",
                        iss ? "--aud" : "--iss");
                goto out;
        }
        j_claims = claims_new(&opt, iss, aud);
        if (!j_claims) {
                rc = 2;
                goto out;
        }
        token = auth_sign_hs256(j_claims, secret, NULL);
        if (!token) {
                fputs("tandem-token: cannot sign the token\n", stderr);
                goto out;
        }
        if (printf("%s\n", token) < 0 || fflush(stdout) != 0)
                goto out;
        rc = 0;
out:
        json_decref(j_claims);
        free(token);
        return rc;
}
