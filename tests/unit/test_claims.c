/*
 * test_claims.c - unit tests for claims.c: nested claim lookup, role maps,
 * client id lists and the client id claim.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "auth.h"
#include "claims.h"
#include "status.h"

START_TEST(test_claim_get)
{
        json_t *j = json_loads("{\"roles\":[\"a\"],\"realm_access\":{\"roles\":[\"b\"]},"
                               "\"https://x.example/roles\":[\"c\"],\"a\":{\"b\":{\"c\":1}}}",
                               0, NULL);

        ck_assert_ptr_nonnull(j);
        ck_assert_str_eq(json_string_value(json_array_get(claim_get(j, "roles"), 0)), "a");
        ck_assert_str_eq(json_string_value(json_array_get(claim_get(j, "realm_access.roles"), 0)),
                         "b");
        /* a claim whose own name has dots is found as it is */
        ck_assert_str_eq(json_string_value(json_array_get(claim_get(j,
                         "https://x.example/roles"), 0)), "c");
        ck_assert_int_eq(json_integer_value(claim_get(j, "a.b.c")), 1);
        ck_assert_ptr_null(claim_get(j, "a.x.c"));
        ck_assert_ptr_null(claim_get(j, "a..b"));
        ck_assert_ptr_null(claim_get(j, "missing"));
        json_decref(j);
}
END_TEST

START_TEST(test_role_map_parse)
{
        struct role_map m = ROLE_MAP_INIT;
        char err[128] = "";

        ck_assert_int_eq(role_map_parse(" Tandem Admins = admin ,Mentors=mentor,,Mentors=partner,"
                                        "svc=service", &m, err, sizeof(err)), ST_OK);
        ck_assert_uint_eq(m.n, 4);
        ck_assert_str_eq(m.e[0].name, "Tandem Admins");
        ck_assert_uint_eq(m.e[0].roles, ROLE_ADMIN);
        role_map_release(&m);
        ck_assert_int_eq(role_map_parse("x=root", &m, err, sizeof(err)), ST_INVALID);
        ck_assert_ptr_nonnull(strstr(err, "\"root\" is not a Tandem role"));
        ck_assert_int_eq(role_map_parse("=admin", &m, err, sizeof(err)), ST_INVALID);
        ck_assert_int_eq(role_map_parse("admin", &m, err, sizeof(err)), ST_INVALID);
        ck_assert_int_eq(role_map_parse("x=scim", &m, err, sizeof(err)), ST_INVALID);
        ck_assert_ptr_null(m.e);
        ck_assert_int_eq(role_map_parse(NULL, &m, err, sizeof(err)), ST_OK);
        ck_assert_uint_eq(m.n, 0);
        role_map_release(&m);
}
END_TEST

START_TEST(test_role_map_limit)
{
        struct role_map m = ROLE_MAP_INIT;
        char spec[ROLE_MAP_MAX * 12 + 32] = "", err[128];

        for (int i = 0; i <= ROLE_MAP_MAX; i++)
                snprintf(spec + strlen(spec), sizeof(spec) - strlen(spec), "g%d=mentor,", i);
        ck_assert_int_eq(role_map_parse(spec, &m, err, sizeof(err)), ST_INVALID);
        ck_assert_ptr_nonnull(strstr(err, "at most"));
}
END_TEST

START_TEST(test_claim_roles)
{
        struct role_map m = ROLE_MAP_INIT;
        char err[128];
        json_t *j_arr = json_pack("[ssss]", "Mentors", "Finance", "admin", "Partners");
        json_t *j_str = json_string("Mentors  admin Finance");
        json_t *j_int = json_integer(3);

        ck_assert_uint_eq(claim_roles(j_arr, NULL), ROLE_ADMIN);       /* names as they are */
        ck_assert_uint_eq(claim_roles(j_str, &m), ROLE_ADMIN);
        ck_assert_int_eq(role_map_parse("Mentors=mentor,Partners=partner", &m, err, sizeof(err)),
                         ST_OK);
        ck_assert_uint_eq(claim_roles(j_arr, &m), ROLE_MENTOR | ROLE_PARTNER);
        ck_assert_uint_eq(claim_roles(j_str, &m), ROLE_MENTOR);
        ck_assert_uint_eq(claim_roles(NULL, &m), 0);
        ck_assert_uint_eq(claim_roles(j_int, &m), 0);
        role_map_release(&m);
        json_decref(j_arr);
        json_decref(j_str);
        json_decref(j_int);
}
END_TEST

START_TEST(test_id_in_list)
{
        ck_assert(id_in_list("a, scim-app ,b", "scim-app"));
        ck_assert(id_in_list("scim-app", "scim-app"));
        ck_assert(!id_in_list("scim-application", "scim-app"));
        ck_assert(!id_in_list("a,b", "scim-app"));
        ck_assert(!id_in_list("a,,b", ""));
        ck_assert(!id_in_list(NULL, "x"));
        ck_assert(!id_in_list("x", NULL));
}
END_TEST

START_TEST(test_client_id)
{
        json_t *j = json_pack("{s:s, s:s}", "client_id", "c", "appid", "e");

        ck_assert_str_eq(claim_client_id(j), "c");
        json_object_set_new(j, "azp", json_string("a"));
        ck_assert_str_eq(claim_client_id(j), "a");
        json_object_clear(j);
        json_object_set_new(j, "appid", json_string("e"));
        ck_assert_str_eq(claim_client_id(j), "e");
        json_object_clear(j);
        ck_assert_ptr_null(claim_client_id(j));
        json_decref(j);
}
END_TEST

static Suite *
claims_suite(void)
{
        Suite *s = suite_create("claims");
        TCase *tc = tcase_create("claims");

        tcase_add_test(tc, test_claim_get);
        tcase_add_test(tc, test_role_map_parse);
        tcase_add_test(tc, test_role_map_limit);
        tcase_add_test(tc, test_claim_roles);
        tcase_add_test(tc, test_id_in_list);
        tcase_add_test(tc, test_client_id);
        suite_add_tcase(s, tc);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(claims_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
