/*
 * test_config.c - unit tests for config.c: defaults, every rejected value,
 * secrets kept out of messages and logs, and connection-string masking.
 *
 * The environment is a fake getenv over a static table that each test fills.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "config.h"
#include "log.h"
#include "status.h"

#define SECRET "s3cr3t-value-that-must-never-leak-0123456789"

struct env_var {
        const char *name;
        const char *value;
};

static struct env_var env_table[32];
static size_t env_count;

static const char *
fake_getenv(const char *name)
{
        size_t i;

        for (i = 0; i < env_count; i++) {
                if (strcmp(env_table[i].name, name) == 0)
                        return env_table[i].value;
        }
        return NULL;
}

/* Sets (or replaces) @name; a NULL @value unsets it. */
static void
env_set(const char *name, const char *value)
{
        size_t i;

        for (i = 0; i < env_count; i++) {
                if (strcmp(env_table[i].name, name) == 0)
                        break;
        }
        if (value == NULL) {
                if (i < env_count)
                        env_table[i] = env_table[--env_count];
                return;
        }
        ck_assert_uint_lt(i, sizeof(env_table) / sizeof(env_table[0]));
        env_table[i].name = name;
        env_table[i].value = value;
        if (i == env_count)
                env_count++;
}

/* The smallest valid environment: HS256 needs its secret. */
static void
env_reset(void)
{
        env_count = 0;
        env_set("TANDEM_JWT_SECRET", SECRET);
}

static int
load(struct config *cfg, char *err, size_t errlen)
{
        return config_load(cfg, "people", 8081, fake_getenv, err, errlen);
}

/* Loads and expects ST_INVALID with @name in the message. */
static void
expect_invalid(const char *name)
{
        struct config cfg;
        char err[256];
        int rc;

        memset(&cfg, 0, sizeof(cfg));
        rc = load(&cfg, err, sizeof(err));
        ck_assert_int_eq(rc, ST_INVALID);
        ck_assert_msg(strncmp(err, "config: ", 8) == 0, "err \"%s\"", err);
        ck_assert_msg(strstr(err, name) != NULL, "err \"%s\" lacks %s", err, name);
        ck_assert_msg(strstr(err, SECRET) == NULL, "err leaks the secret");
        ck_assert_ptr_null(cfg.database_url);
        ck_assert_ptr_null(cfg.jwt_secret);
}

START_TEST(test_defaults)
{
        struct config cfg;
        char err[256];

        ck_assert_int_eq(load(&cfg, err, sizeof(err)), ST_OK);
        ck_assert_str_eq(err, "");
        ck_assert_str_eq(cfg.service, "people");
        ck_assert_str_eq(cfg.listen_addr, "127.0.0.1");
        ck_assert_uint_eq(cfg.port, 8081);
        ck_assert_str_eq(cfg.database_url, "postgresql://tandem@127.0.0.1:5432/tandem");
        ck_assert_uint_eq(cfg.threads, 32);
        ck_assert_uint_eq(cfg.max_connections, 512);
        ck_assert_uint_eq(cfg.db_pool_size, 16);
        ck_assert_uint_eq(cfg.admission_ttl_ms, 5000);
        ck_assert_uint_eq(cfg.admission_cache_size, 4096);
        ck_assert_uint_eq(cfg.db_timeout_ms, 2000);
        ck_assert_uint_eq(cfg.db_statement_ms, 5000);
        ck_assert_uint_eq(cfg.db_health_ms, 1000);
        ck_assert_uint_eq(cfg.max_body_bytes, 65536);
        ck_assert_uint_eq(cfg.shutdown_ms, 10000);
        ck_assert_int_eq(cfg.log_level, LOG_INFO);
        ck_assert_int_eq(cfg.jwt_alg, JWT_ALG_HS256);
        ck_assert_str_eq(cfg.jwt_secret, SECRET);
        ck_assert_ptr_null(cfg.jwks_file);
        ck_assert_str_eq(cfg.jwt_issuer, "tandem-local");
        ck_assert_str_eq(cfg.jwt_audience, "tandem");
        ck_assert_uint_eq(cfg.jwt_leeway_s, 60);
        ck_assert_str_eq(cfg.roles_claim, "roles");
        ck_assert_str_eq(cfg.email_claim, "email");
        ck_assert_str_eq(cfg.people_url, "http://127.0.0.1:8081");
        ck_assert_str_eq(cfg.phases_url, "http://127.0.0.1:8082");
        ck_assert_str_eq(cfg.mentoring_url, "http://127.0.0.1:8083");
        ck_assert_str_eq(cfg.strategy_url, "http://127.0.0.1:8084");
        ck_assert_uint_eq(cfg.client_timeout_ms, 3000);
        config_release(&cfg);
        ck_assert_ptr_null(cfg.jwt_secret);
        config_release(&cfg);
        config_release(NULL);
}
END_TEST

START_TEST(test_overrides)
{
        struct config cfg;
        char err[256];

        env_set("TANDEM_LISTEN_ADDR", "::1");
        env_set("TANDEM_PORT", "65535");
        env_set("TANDEM_THREADS", "256");
        env_set("TANDEM_MAX_CONNECTIONS", "4096");
        env_set("TANDEM_DB_POOL_SIZE", "512");
        env_set("TANDEM_DB_TIMEOUT_MS", "600000");
        env_set("TANDEM_DB_STATEMENT_TIMEOUT_MS", "100");
        env_set("TANDEM_DB_HEALTH_TIMEOUT_MS", "60000");
        env_set("TANDEM_MAX_BODY_BYTES", "16777216");
        env_set("TANDEM_SHUTDOWN_TIMEOUT_MS", "1");
        env_set("TANDEM_LOG_LEVEL", "debug");
        env_set("TANDEM_JWT_LEEWAY_S", "0");
        env_set("TANDEM_DATABASE_URL", "host=db user=t password=x");
        env_set("TANDEM_STRATEGY_URL", "https://strategy.example");
        env_set("TANDEM_ROLES_CLAIM", "realm_roles");
        ck_assert_int_eq(load(&cfg, err, sizeof(err)), ST_OK);
        ck_assert_str_eq(cfg.listen_addr, "::1");
        ck_assert_uint_eq(cfg.port, 65535);
        ck_assert_uint_eq(cfg.threads, 256);
        ck_assert_uint_eq(cfg.max_connections, 4096);
        ck_assert_uint_eq(cfg.db_pool_size, 512);
        ck_assert_uint_eq(cfg.db_timeout_ms, 600000);
        ck_assert_uint_eq(cfg.db_statement_ms, 100);
        ck_assert_uint_eq(cfg.db_health_ms, 60000);
        ck_assert_uint_eq(cfg.max_body_bytes, 16777216);
        ck_assert_uint_eq(cfg.shutdown_ms, 1);
        ck_assert_int_eq(cfg.log_level, LOG_DEBUG);
        ck_assert_uint_eq(cfg.jwt_leeway_s, 0);
        ck_assert_str_eq(cfg.database_url, "host=db user=t password=x");
        ck_assert_str_eq(cfg.strategy_url, "https://strategy.example");
        ck_assert_str_eq(cfg.roles_claim, "realm_roles");
        config_release(&cfg);
}
END_TEST

START_TEST(test_pool_default_follows_threads)
{
        struct config cfg;
        char err[256];

        env_set("TANDEM_THREADS", "3");
        ck_assert_int_eq(load(&cfg, err, sizeof(err)), ST_OK);
        ck_assert_uint_eq(cfg.db_pool_size, 5);
        config_release(&cfg);
        /* more threads than that: the pool stops at 16 (the database's connections) */
        env_set("TANDEM_THREADS", "100");
        ck_assert_int_eq(load(&cfg, err, sizeof(err)), ST_OK);
        ck_assert_uint_eq(cfg.db_pool_size, 16);
        config_release(&cfg);
}
END_TEST

/* Every numeric variable with a bad value: non-number, junk, out of range. */
static const struct env_var bad_numbers[] = {
        { "TANDEM_PORT", "abc" }, { "TANDEM_PORT", "80x" }, { "TANDEM_PORT", "0" },
        { "TANDEM_PORT", "65536" }, { "TANDEM_PORT", "-1" }, { "TANDEM_PORT", " 80" },
        { "TANDEM_PORT", "" }, { "TANDEM_PORT", "99999999999999999999999" },
        { "TANDEM_THREADS", "x" }, { "TANDEM_THREADS", "8 " }, { "TANDEM_THREADS", "0" },
        { "TANDEM_THREADS", "257" },
        { "TANDEM_MAX_CONNECTIONS", "3" }, { "TANDEM_MAX_CONNECTIONS", "4097" },
        { "TANDEM_MAX_CONNECTIONS", "many" },
        { "TANDEM_DB_POOL_SIZE", "ten" }, { "TANDEM_DB_POOL_SIZE", "10k" },
        { "TANDEM_DB_POOL_SIZE", "0" }, { "TANDEM_DB_POOL_SIZE", "513" },
        { "TANDEM_ADMISSION_TTL_MS", "60001" }, { "TANDEM_ADMISSION_TTL_MS", "5s" },
        { "TANDEM_ADMISSION_CACHE_SIZE", "-1" },
        { "TANDEM_DB_TIMEOUT_MS", "1s" }, { "TANDEM_DB_TIMEOUT_MS", "0" },
        { "TANDEM_DB_TIMEOUT_MS", "600001" },
        { "TANDEM_DB_STATEMENT_TIMEOUT_MS", "5s" }, { "TANDEM_DB_STATEMENT_TIMEOUT_MS", "99" },
        { "TANDEM_DB_STATEMENT_TIMEOUT_MS", "600001" },
        { "TANDEM_DB_HEALTH_TIMEOUT_MS", "0" }, { "TANDEM_DB_HEALTH_TIMEOUT_MS", "60001" },
        { "TANDEM_SHUTDOWN_TIMEOUT_MS", "+5" }, { "TANDEM_SHUTDOWN_TIMEOUT_MS", "0" },
        { "TANDEM_SHUTDOWN_TIMEOUT_MS", "600001" },
        { "TANDEM_CLIENT_TIMEOUT_MS", "0x10" }, { "TANDEM_CLIENT_TIMEOUT_MS", "0" },
        { "TANDEM_CLIENT_TIMEOUT_MS", "600001" },
        { "TANDEM_MAX_BODY_BYTES", "64KiB" }, { "TANDEM_MAX_BODY_BYTES", "1023" },
        { "TANDEM_MAX_BODY_BYTES", "16777217" },
        { "TANDEM_JWT_LEEWAY_S", "1.5" }, { "TANDEM_JWT_LEEWAY_S", "601" },
        { "TANDEM_JWT_LEEWAY_S", "-0" },
};

START_TEST(test_bad_number)
{
        env_set(bad_numbers[_i].name, bad_numbers[_i].value);
        expect_invalid(bad_numbers[_i].name);
}
END_TEST

START_TEST(test_bad_port_message)
{
        char err[256];
        struct config cfg;

        env_set("TANDEM_PORT", "abc");
        ck_assert_int_eq(load(&cfg, err, sizeof(err)), ST_INVALID);
        ck_assert_str_eq(err, "config: TANDEM_PORT: must be a number from 1 to 65535"
                         " (got \"abc\")");
}
END_TEST

/* Non-numeric variables with a bad value (the secret stays set). */
static const struct env_var bad_values[] = {
        { "TANDEM_JWT_ALG", "hs256" }, { "TANDEM_JWT_ALG", "none" }, { "TANDEM_JWT_ALG", "" },
        { "TANDEM_LISTEN_ADDR", "localhost" }, { "TANDEM_LISTEN_ADDR", "1.2.3" },
        { "TANDEM_LISTEN_ADDR", "" }, { "TANDEM_LISTEN_ADDR", "127.0.0.1:80" },
        { "TANDEM_PEOPLE_URL", "ftp://people" }, { "TANDEM_PHASES_URL", "127.0.0.1:8082" },
        { "TANDEM_MENTORING_URL", "http://" }, { "TANDEM_STRATEGY_URL", "" },
        { "TANDEM_LOG_LEVEL", "verbose" }, { "TANDEM_LOG_LEVEL", "INFO" },
        { "TANDEM_JWT_ISSUER", "" }, { "TANDEM_JWT_AUDIENCE", "" },
        { "TANDEM_ROLES_CLAIM", "" }, { "TANDEM_EMAIL_CLAIM", "" },
        { "TANDEM_DATABASE_URL", "" }, { "TANDEM_JWKS_FILE", "" },
};

START_TEST(test_bad_value)
{
        env_set(bad_values[_i].name, bad_values[_i].value);
        expect_invalid(bad_values[_i].name);
}
END_TEST

START_TEST(test_hs256_needs_secret)
{
        env_set("TANDEM_JWT_SECRET", NULL);
        expect_invalid("TANDEM_JWT_SECRET");
        env_set("TANDEM_JWT_SECRET", "");
        expect_invalid("TANDEM_JWT_SECRET");
}
END_TEST

START_TEST(test_rs256_needs_jwks)
{
        struct config cfg;
        char err[256];

        env_set("TANDEM_JWT_ALG", "RS256");
        expect_invalid("TANDEM_JWKS_FILE");
        env_set("TANDEM_JWT_ALG", "ES256");
        expect_invalid("TANDEM_JWKS_FILE");
        env_set("TANDEM_JWKS_FILE", "/etc/tandem/jwks.json");
        env_set("TANDEM_JWT_SECRET", NULL);
        ck_assert_int_eq(load(&cfg, err, sizeof(err)), ST_OK);
        ck_assert_int_eq(cfg.jwt_alg, JWT_ALG_ES256);
        ck_assert_str_eq(cfg.jwks_file, "/etc/tandem/jwks.json");
        ck_assert_ptr_null(cfg.jwt_secret);
        config_release(&cfg);
}
END_TEST

START_TEST(test_failed_load_leaves_cfg_alone)
{
        struct config cfg;
        char err[256];

        memset(&cfg, 0x5a, sizeof(cfg));
        env_set("TANDEM_CLIENT_TIMEOUT_MS", "0");
        ck_assert_int_eq(load(&cfg, err, sizeof(err)), ST_INVALID);
        ck_assert_uint_eq(cfg.port, 0x5a5a5a5au);
        ck_assert_int_eq(config_load(&cfg, NULL, 1, fake_getenv, err, sizeof(err)), ST_INVALID);
        ck_assert_int_eq(config_load(&cfg, "a-service-name-far-too-long-for-the-field", 1,
                                     fake_getenv, err, sizeof(err)), ST_INVALID);
        /* a tiny error buffer truncates, never overflows */
        ck_assert_int_eq(load(&cfg, err, 4), ST_INVALID);
        ck_assert_str_eq(err, "con");
}
END_TEST

START_TEST(test_process_environment)
{
        struct config cfg;
        char err[256];

        ck_assert_int_eq(setenv("TANDEM_JWT_SECRET", SECRET, 1), 0);
        ck_assert_int_eq(setenv("TANDEM_PORT", "9090", 1), 0);
        ck_assert_int_eq(config_load(&cfg, "people", 8081, NULL, err, sizeof(err)), ST_OK);
        ck_assert_uint_eq(cfg.port, 9090);
        config_release(&cfg);
        unsetenv("TANDEM_PORT");
        unsetenv("TANDEM_JWT_SECRET");
}
END_TEST

/* ---- config_log ---------------------------------------------------------- */

/* Runs config_log(@cfg) and returns what it wrote to stdout (malloc'd). */
static char *
capture_config_log(const struct config *cfg)
{
        FILE *tmp = tmpfile();
        int saved;
        long len;
        char *text;

        ck_assert_ptr_nonnull(tmp);
        fflush(stdout);
        saved = dup(STDOUT_FILENO);
        ck_assert_int_ge(saved, 0);
        ck_assert_int_ge(dup2(fileno(tmp), STDOUT_FILENO), 0);
        config_log(cfg);
        fflush(stdout);
        ck_assert_int_ge(dup2(saved, STDOUT_FILENO), 0);
        close(saved);
        len = ftell(tmp);
        ck_assert_int_gt(len, 0);
        text = calloc(1, (size_t)len + 1);
        ck_assert_ptr_nonnull(text);
        rewind(tmp);
        ck_assert_uint_eq(fread(text, 1, (size_t)len, tmp), (size_t)len);
        fclose(tmp);
        return text;
}

START_TEST(test_log_masks_secrets)
{
        struct config cfg;
        char err[256];
        char *text;
        json_t *j_line, *j_cfg;

        log_setup("people", LOG_ERROR);   /* config_log prints whatever the level */
        env_set("TANDEM_DATABASE_URL", "postgresql://tandem:dbpass123@db:5432/tandem");
        ck_assert_int_eq(load(&cfg, err, sizeof(err)), ST_OK);
        text = capture_config_log(&cfg);
        ck_assert_ptr_null(strstr(text, SECRET));
        ck_assert_ptr_null(strstr(text, "dbpass123"));
        ck_assert_ptr_eq(strchr(text, '\n'), text + strlen(text) - 1);
        j_line = json_loads(text, 0, NULL);
        ck_assert_ptr_nonnull(j_line);
        ck_assert_str_eq(json_string_value(json_object_get(j_line, "level")), "info");
        ck_assert_str_eq(json_string_value(json_object_get(j_line, "service")), "people");
        ck_assert_str_eq(json_string_value(json_object_get(j_line, "msg")), "config");
        ck_assert_ptr_nonnull(json_object_get(j_line, "time"));
        j_cfg = json_object_get(j_line, "config");
        ck_assert(json_is_object(j_cfg));
        ck_assert_str_eq(json_string_value(json_object_get(j_cfg, "jwt_secret")), "***");
        ck_assert_str_eq(json_string_value(json_object_get(j_cfg, "database_url")),
                         "postgresql://tandem:***@db:5432/tandem");
        ck_assert_int_eq(json_integer_value(json_object_get(j_cfg, "port")), 8081);
        ck_assert_str_eq(json_string_value(json_object_get(j_cfg, "jwt_alg")), "HS256");
        ck_assert_str_eq(json_string_value(json_object_get(j_cfg, "log_level")), "info");
        ck_assert(json_is_null(json_object_get(j_cfg, "jwks_file")));
        ck_assert_int_eq(json_integer_value(json_object_get(j_cfg, "events_retention_days")), 30);
        ck_assert_int_eq(json_integer_value(json_object_get(j_cfg, "max_connections")), 512);
        ck_assert_uint_eq(json_object_size(j_cfg), 41);   /* every setting of struct config */
        json_decref(j_line);
        free(text);
        config_release(&cfg);
}
END_TEST

START_TEST(test_log_unset_secret)
{
        struct config cfg;
        char err[256];
        char *text;

        log_setup("people", LOG_INFO);
        env_set("TANDEM_JWT_ALG", "RS256");
        env_set("TANDEM_JWKS_FILE", "/keys.json");
        ck_assert_int_eq(load(&cfg, err, sizeof(err)), ST_OK);
        text = capture_config_log(&cfg);
        ck_assert_ptr_nonnull(strstr(text, "\"jwt_secret\":\"(unset)\""));
        ck_assert_ptr_nonnull(strstr(text, "\"jwks_file\":\"/keys.json\""));
        free(text);
        config_release(&cfg);
}
END_TEST

/* ---- config_mask_url ----------------------------------------------------- */

static const struct {
        const char *in, *out;
} mask_cases[] = {
        { "postgresql://user:pw@host/db", "postgresql://user:***@host/db" },
        { "postgresql://user:p@ss:w@host:5432/db?sslmode=require",
          "postgresql://user:***@host:5432/db?sslmode=require" },
        { "postgres://:pw@host", "postgres://:***@host" },
        { "postgresql://tandem@127.0.0.1:5432/tandem",
          "postgresql://tandem@127.0.0.1:5432/tandem" },
        { "postgresql://[::1]:5432/db", "postgresql://[::1]:5432/db" },
        { "postgresql://u@h/db?sslmode=disable&password=xyz&x=1",
          "postgresql://u@h/db?sslmode=disable&password=***&x=1" },
        { "postgresql://u:a@h/db?password=b", "postgresql://u:***@h/db?password=***" },
        { "host=db password=xyz dbname=t", "host=db password=*** dbname=t" },
        { "password = 'se cr\\'et' user=u", "password = *** user=u" },
        { "host=db user=t", "host=db user=t" },
        { "host=db passwords=x", "host=db passwords=x" },
        { "", "" },
};

START_TEST(test_mask_url)
{
        char out[256];

        config_mask_url(mask_cases[_i].in, out, sizeof(out));
        ck_assert_str_eq(out, mask_cases[_i].out);
}
END_TEST

START_TEST(test_mask_url_truncates)
{
        char out[16];

        config_mask_url("postgresql://user:secretpw@host/db", out, sizeof(out));
        ck_assert_str_eq(out, "postgresql://us");
        config_mask_url("postgresql://user:secretpw@host/db", out, 1);
        ck_assert_str_eq(out, "");
        config_mask_url(NULL, out, sizeof(out));
        ck_assert_str_eq(out, "");
        config_mask_url("x", NULL, 0);
}
END_TEST

START_TEST(test_oidc_settings)
{
        struct config cfg;
        char err[256];

        env_set("TANDEM_JWT_ALG", "RS256");
        env_set("TANDEM_OIDC_ISSUER", "https://login.example/tenant/v2.0");
        env_set("TANDEM_ROLE_MAP", "Admins=admin");
        env_set("TANDEM_JIT_PROVISIONING", "On");
        env_set("TANDEM_SCIM_CLIENT_IDS", "scim-app");
        ck_assert_int_eq(load(&cfg, err, sizeof(err)), ST_OK);
        ck_assert_str_eq(cfg.jwt_issuer, "https://login.example/tenant/v2.0");
        ck_assert_str_eq(cfg.subject_claim, "sub");
        ck_assert_str_eq(cfg.role_map, "Admins=admin");
        ck_assert_int_eq(cfg.jit_provisioning, 1);
        ck_assert_uint_eq(cfg.jwks_refetch_s, 30);
        ck_assert_uint_eq(cfg.jwks_refresh_s, 3600);
        ck_assert_ptr_null(cfg.jwks_file);
        ck_assert_ptr_null(cfg.jwt_secret);
        config_release(&cfg);
        env_set("TANDEM_JWT_ISSUER", "https://sts.example/tenant/");
        ck_assert_int_eq(load(&cfg, err, sizeof(err)), ST_OK);
        ck_assert_str_eq(cfg.jwt_issuer, "https://sts.example/tenant/");
        config_release(&cfg);
}
END_TEST

START_TEST(test_oidc_refused)
{
        struct config cfg;
        char err[256], *text;

        log_setup("people", LOG_INFO);
        env_set("TANDEM_OIDC_ISSUER", "https://login.example");
        ck_assert_int_eq(load(&cfg, err, sizeof(err)), ST_INVALID);   /* HS256 */
        ck_assert_ptr_nonnull(strstr(err, "TANDEM_OIDC_ISSUER"));
        env_set("TANDEM_JWT_ALG", "ES256");
        env_set("TANDEM_OIDC_ISSUER", "ftp://x");
        ck_assert_int_eq(load(&cfg, err, sizeof(err)), ST_INVALID);
        env_set("TANDEM_OIDC_ISSUER", "https://login.example");
        env_set("TANDEM_JIT_PROVISIONING", "sometimes");
        ck_assert_int_eq(load(&cfg, err, sizeof(err)), ST_INVALID);
        ck_assert_ptr_nonnull(strstr(err, "TANDEM_JIT_PROVISIONING"));
        env_set("TANDEM_JIT_PROVISIONING", NULL);
        env_set("TANDEM_OIDC_CLIENT_ID", "svc");
        ck_assert_int_eq(load(&cfg, err, sizeof(err)), ST_INVALID);
        ck_assert_ptr_nonnull(strstr(err, "TANDEM_OIDC_CLIENT_SECRET"));
        env_set("TANDEM_OIDC_CLIENT_ID", NULL);
        env_set("TANDEM_SCIM_TOKEN", "short");
        ck_assert_int_eq(load(&cfg, err, sizeof(err)), ST_INVALID);
        env_set("TANDEM_SCIM_TOKEN", "0123456789abcdef.0123456789abcdef0123");
        ck_assert_int_eq(load(&cfg, err, sizeof(err)), ST_INVALID);
        ck_assert_ptr_nonnull(strstr(err, "'.'"));
        env_set("TANDEM_SCIM_TOKEN", SECRET);
        ck_assert_int_eq(load(&cfg, err, sizeof(err)), ST_OK);
        text = capture_config_log(&cfg);
        ck_assert_ptr_null(strstr(text, SECRET));
        ck_assert_ptr_nonnull(strstr(text, "\"scim_token\":\"***\""));
        free(text);
        config_release(&cfg);
}
END_TEST

static Suite *
config_suite(void)
{
        Suite *s = suite_create("config");
        TCase *tc = tcase_create("load");
        TCase *tm = tcase_create("mask");

        tcase_add_checked_fixture(tc, env_reset, NULL);
        tcase_add_test(tc, test_defaults);
        tcase_add_test(tc, test_overrides);
        tcase_add_test(tc, test_pool_default_follows_threads);
        tcase_add_loop_test(tc, test_bad_number, 0,
                            (int)(sizeof(bad_numbers) / sizeof(bad_numbers[0])));
        tcase_add_test(tc, test_bad_port_message);
        tcase_add_loop_test(tc, test_bad_value, 0,
                            (int)(sizeof(bad_values) / sizeof(bad_values[0])));
        tcase_add_test(tc, test_hs256_needs_secret);
        tcase_add_test(tc, test_rs256_needs_jwks);
        tcase_add_test(tc, test_failed_load_leaves_cfg_alone);
        tcase_add_test(tc, test_process_environment);
        tcase_add_test(tc, test_log_masks_secrets);
        tcase_add_test(tc, test_log_unset_secret);
        tcase_add_test(tc, test_oidc_settings);
        tcase_add_test(tc, test_oidc_refused);
        suite_add_tcase(s, tc);
        tcase_add_loop_test(tm, test_mask_url, 0,
                            (int)(sizeof(mask_cases) / sizeof(mask_cases[0])));
        tcase_add_test(tm, test_mask_url_truncates);
        suite_add_tcase(s, tm);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(config_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
