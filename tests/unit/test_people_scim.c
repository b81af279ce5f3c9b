/*
 * test_people_scim.c - unit tests for scim_json.c: User bodies as Entra ID
 * and Okta send them, PatchOp, filters, Group member patches, error bodies.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "scim.h"
#include "status.h"

#define ENT "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

static json_t *
t_json(const char *text)
{
        json_error_t err;
        json_t *j = json_loads(text, 0, &err);

        ck_assert_msg(j != NULL, "bad test JSON: %s", err.text);
        return j;
}

static const char *
t_str(const json_t *j, const char *key)
{
        return json_string_value(json_object_get(j, key));
}

/* Parses @body; returns the flat person (or NULL) and leaves faults in @p. */
static json_t *
t_parse(const char *body, struct problem *p)
{
        json_t *j_body = t_json(body), *j_flat = NULL;
        int rc = scim_user_parse(j_body, p, &j_flat);

        json_decref(j_body);
        ck_assert_int_eq(rc == ST_OK, j_flat != NULL);
        return j_flat;
}

/* True when the faults in @p name @field. */
static bool
t_names(const struct problem *p, const char *field)
{
        size_t i;
        json_t *j_e;

        json_array_foreach(p->j_errors, i, j_e)
                if (strcmp(t_str(j_e, "field"), field) == 0)
                        return true;
        return false;
}

START_TEST(test_entra_create)
{
        struct problem p = PROBLEM_INIT;
        json_t *j = t_parse("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\","
                            "\"" ENT "\"],\"externalId\":\"oid-1\",\"userName\":\"ada@x.example\","
                            "\"active\":true,\"displayName\":\"Ada L\",\"title\":\"Partner\","
                            "\"emails\":[{\"primary\":false,\"type\":\"home\",\"value\":\"h@x.example\"},"
                            "{\"primary\":true,\"type\":\"work\",\"value\":\"w@x.example\"}],"
                            "\"name\":{\"formatted\":\"Ada Lovelace\",\"familyName\":\"Lovelace\","
                            "\"givenName\":\"Ada\",\"middleName\":\"B\"},\"phoneNumbers\":[],"
                            "\"" ENT "\":{\"department\":\"Tax\",\"manager\":{\"value\":\"m\"}}}", &p);

        ck_assert_ptr_nonnull(j);
        ck_assert_str_eq(t_str(j, "user_name"), "ada@x.example");
        ck_assert_str_eq(t_str(j, "external_id"), "oid-1");
        ck_assert_str_eq(t_str(j, "email"), "w@x.example");
        ck_assert_str_eq(t_str(j, "display_name"), "Ada L");
        ck_assert_str_eq(t_str(j, "given_name"), "Ada");
        ck_assert_str_eq(t_str(j, "business_unit"), "Tax");
        ck_assert(json_is_true(json_object_get(j, "active")));
        ck_assert_ptr_null(json_object_get(j, "_formatted"));
        json_decref(j);
        problem_release(&p);
}
END_TEST

START_TEST(test_okta_create_derives)
{
        struct problem p = PROBLEM_INIT;
        json_t *j = t_parse("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
                            "\"UserName\":\"grace@x.example\",\"name\":{\"givenName\":\"Grace\","
                            "\"familyName\":\"Hopper\"},\"active\":\"True\",\"locale\":\"en-US\"}",
                            &p);

        ck_assert_ptr_nonnull(j);
        ck_assert_str_eq(t_str(j, "display_name"), "Grace Hopper");
        ck_assert_str_eq(t_str(j, "email"), "grace@x.example");   /* from userName */
        ck_assert(json_is_true(json_object_get(j, "active")));
        json_decref(j);
        problem_release(&p);
}
END_TEST

START_TEST(test_create_faults)
{
        struct problem p = PROBLEM_INIT;

        ck_assert_ptr_null(t_parse("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
                                   "\"userName\":\"nomail\",\"shoeSize\":9}", &p));
        ck_assert_str_eq(p.type, "invalidPath");
        ck_assert(t_names(&p, "shoeSize"));
        problem_release(&p);
        ck_assert_ptr_null(t_parse("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
                                   "\"userName\":\"nomail\",\"timezone\":\"a b\","
                                   "\"active\":\"maybe\"}", &p));
        ck_assert(t_names(&p, "active"));
        problem_release(&p);
        ck_assert_ptr_null(t_parse("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
                                   "\"userName\":\"nomail\",\"timezone\":\"a b\"}", &p));
        ck_assert_str_eq(p.type, "invalidValue");
        ck_assert(t_names(&p, "emails"));
        ck_assert(t_names(&p, "timezone"));
        problem_release(&p);
        ck_assert_ptr_null(t_parse("{\"userName\":\"a@x.example\"}", &p));
        ck_assert_str_eq(p.type, "invalidSyntax");
        ck_assert(t_names(&p, "schemas"));
        problem_release(&p);
        ck_assert_ptr_null(t_parse("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
                                   "\"emails\":[{\"value\":\"a@x.example\"}]}", &p));
        ck_assert(t_names(&p, "userName"));
        problem_release(&p);
}
END_TEST

/* Applies @ops to a flat person; returns the status. */
static int
t_patch(json_t *j_flat, const char *ops, struct problem *p)
{
        char body[2048];
        json_t *j_patch;
        int rc;

        snprintf(body, sizeof(body), "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:"
                 "PatchOp\"],\"Operations\":%s}", ops);
        j_patch = t_json(body);
        rc = scim_user_patch(j_flat, j_patch, p);
        json_decref(j_patch);
        return rc;
}

static json_t *
t_flat(void)
{
        return t_json("{\"user_name\":\"u@x.example\",\"external_id\":\"e\",\"given_name\":\"Ada\","
                      "\"family_name\":\"Lovelace\",\"display_name\":\"Ada Lovelace\","
                      "\"email\":\"u@x.example\",\"title\":null,\"business_unit\":null,"
                      "\"timezone\":\"UTC\",\"active\":true}");
}

START_TEST(test_patch_entra)
{
        struct problem p = PROBLEM_INIT;
        json_t *j = t_flat();

        ck_assert_int_eq(t_patch(j, "[{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"},"
                                 "{\"op\":\"Add\",\"path\":\"emails[type eq \\\"work\\\"].value\","
                                 "\"value\":\"new@x.example\"},{\"op\":\"Replace\",\"path\":\""
                                 ENT ":department\",\"value\":\"Audit\"},{\"op\":\"Remove\","
                                 "\"path\":\"title\"}]", &p), ST_OK);
        ck_assert(json_is_false(json_object_get(j, "active")));
        ck_assert_str_eq(t_str(j, "email"), "new@x.example");
        ck_assert_str_eq(t_str(j, "business_unit"), "Audit");
        ck_assert_str_eq(t_str(j, "display_name"), "Ada Lovelace");
        json_decref(j);
        problem_release(&p);
}
END_TEST

START_TEST(test_patch_okta_value_object)
{
        struct problem p = PROBLEM_INIT;
        json_t *j = t_flat();

        ck_assert_int_eq(t_patch(j, "[{\"op\":\"replace\",\"value\":{\"name.givenName\":\"Augusta\","
                                 "\"active\":true}}]", &p), ST_OK);
        ck_assert_str_eq(t_str(j, "given_name"), "Augusta");
        ck_assert_str_eq(t_str(j, "display_name"), "Augusta Lovelace");
        ck_assert_int_eq(t_patch(j, "[{\"op\":\"replace\",\"value\":{\"displayName\":\"A. L.\","
                                 "\"name\":{\"familyName\":\"King\"}}}]", &p), ST_OK);
        ck_assert_str_eq(t_str(j, "display_name"), "A. L.");   /* given wins over derived */
        ck_assert_str_eq(t_str(j, "family_name"), "King");
        json_decref(j);
        problem_release(&p);
}
END_TEST

START_TEST(test_patch_faults)
{
        static const struct {
                const char *ops, *type;
        } cases[] = {
                { "[{\"op\":\"move\",\"path\":\"title\",\"value\":\"x\"}]", "invalidSyntax" },
                { "[{\"op\":\"remove\"}]", "noTarget" },
                { "[{\"op\":\"remove\",\"path\":\"userName\"}]", "mutability" },
                { "[{\"op\":\"replace\",\"path\":\"meta\",\"value\":{}}]", "mutability" },
                { "[{\"op\":\"replace\",\"path\":\"nope\",\"value\":1}]", "invalidPath" },
                { "[{\"op\":\"replace\",\"path\":\"title\"}]", "invalidSyntax" },
                { "[{\"op\":\"replace\",\"value\":\"x\"}]", "invalidSyntax" },
                { "[]", "invalidSyntax" },
                { "[{\"op\":\"remove\",\"path\":\"emails\"}]", "invalidValue" },
                { "[{\"op\":\"replace\",\"path\":\"title\",\"value\":7}]", "invalidValue" },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct problem p = PROBLEM_INIT;
                json_t *j = t_flat();

                ck_assert_msg(t_patch(j, cases[i].ops, &p) == ST_INVALID, "%s", cases[i].ops);
                ck_assert_msg(strcmp(p.type, cases[i].type) == 0, "%s: %s", cases[i].ops, p.type);
                json_decref(j);
                problem_release(&p);
        }
}
END_TEST

/* Every path Entra ID's and Okta's default mappings send is taken; those Tandem does not keep are dropped. */
START_TEST(test_patch_default_mapping_paths)
{
        static const char *const dropped[] = {
                "phoneNumbers[type eq \\\"work\\\"].value", "phoneNumbers[type eq \\\"mobile\\\"].value",
                "phoneNumbers[type eq \\\"fax\\\"].value", "addresses[type eq \\\"work\\\"].streetAddress",
                "addresses[type eq \\\"work\\\"].formatted", "addresses[type eq \\\"work\\\"].locality",
                "addresses[type eq \\\"work\\\"].region", "addresses[type eq \\\"work\\\"].postalCode",
                "addresses[type eq \\\"work\\\"].country", "addresses[type eq \\\"other\\\"].Formatted",
                "emails[type eq \\\"other\\\"].Value", "emails[type eq \\\"work\\\"].primary",
                "roles[primary eq \\\"True\\\"].value", "roles[primary eq \\\"True\\\"].display",
                "ims[type eq \\\"work\\\"].value", "preferredLanguage", "locale", "nickName",
                "userType", "profileUrl", "name.middleName", "name.honorificPrefix",
                ENT ":employeeNumber", ENT ":costCenter", ENT ":organization", ENT ":division",
                ENT ":manager", ENT ":manager.value", ENT ":manager.displayName",
                "urn:ietf:params:scim:schemas:core:2.0:User:phoneNumbers[type eq \\\"work\\\"].value",
        };

        for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++) {
                struct problem p = PROBLEM_INIT;
                json_t *j = t_flat(), *j_before = json_deep_copy(j);
                char ops[512];

                snprintf(ops, sizeof(ops), "[{\"op\":\"Add\",\"path\":\"%s\",\"value\":\"x 1\"},"
                         "{\"op\":\"Replace\",\"path\":\"title\",\"value\":\"Lead\"}]", dropped[i]);
                ck_assert_msg(t_patch(j, ops, &p) == ST_OK, "%s: %s", dropped[i], p.type);
                ck_assert_str_eq(t_str(j, "title"), "Lead");
                json_object_set(j_before, "title", json_object_get(j, "title"));
                ck_assert_msg(json_equal(j, j_before), "%s changed more than the title", dropped[i]);
                json_decref(j_before);
                json_decref(j);
                problem_release(&p);
        }
}
END_TEST

START_TEST(test_patch_work_email_kept_other_dropped)
{
        struct problem p = PROBLEM_INIT;
        json_t *j = t_flat();

        ck_assert_int_eq(t_patch(j, "[{\"op\":\"Add\",\"path\":\"emails[type eq \\\"work\\\" and"
                                 " primary eq true].value\",\"value\":\"w2@x.example\"},"
                                 "{\"op\":\"Add\",\"path\":\"emails[type eq \\\"other\\\"].value\","
                                 "\"value\":\"home@y.example\"}]", &p), ST_OK);
        ck_assert_str_eq(t_str(j, "email"), "w2@x.example");
        json_decref(j);
        problem_release(&p);
}
END_TEST

/* A blank title or department clears it; a blank identity attribute is refused. */
START_TEST(test_blanks)
{
        static const char *const refused[][2] = {
                { "displayName", "displayName" }, { "externalId", "externalId" },
                { "userName", "userName" },
        };
        struct problem p = PROBLEM_INIT;
        json_t *j = t_flat();

        ck_assert_int_eq(t_patch(j, "[{\"op\":\"Replace\",\"path\":\"title\",\"value\":\"  \"},"
                                 "{\"op\":\"Replace\",\"path\":\"" ENT ":department\",\"value\":\"\"}]",
                                 &p), ST_OK);
        ck_assert(json_is_null(json_object_get(j, "title")));
        ck_assert(json_is_null(json_object_get(j, "business_unit")));
        json_decref(j);
        problem_release(&p);
        for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
                char ops[256];

                j = t_flat();
                snprintf(ops, sizeof(ops), "[{\"op\":\"Replace\",\"path\":\"%s\",\"value\":"
                         "\" \\u3000\\t\"}]", refused[i][0]);
                ck_assert_msg(t_patch(j, ops, &p) == ST_INVALID, "%s", refused[i][0]);
                ck_assert_str_eq(p.type, "invalidValue");
                ck_assert_msg(t_names(&p, refused[i][1]), "%s not named", refused[i][1]);
                json_decref(j);
                problem_release(&p);
        }
}
END_TEST

START_TEST(test_group_filters)
{
        static const char *const bad[] = {
                "members[value eq \"x\"]", "id eq \"mentor\" and displayName eq \"mentor\"",
                "members[value eq \"7d6f3c1e-0000-4000-8000-000000000001\"] and"
                " members[value eq \"7d6f3c1e-0000-4000-8000-000000000001\"]",
                "id eq \"mentor\" and members[value eq \"7d6f3c1e-0000-4000-8000-000000000001\"]"
                " and id eq \"x\"", "id eq \"mentor\" or members[value eq \"x\"]",
        };
        struct problem p = PROBLEM_INIT;
        struct scim_filter f;
        char member[UUID_STR_LEN];

        ck_assert_int_eq(scim_group_filter_parse("id eq \"mentor\" and members[value eq"
                         " \"7D6F3C1E-0000-4000-8000-000000000001\"]", &f, member, &p), ST_OK);
        ck_assert_int_eq(f.attr, SCIM_FILTER_ID);
        ck_assert_str_eq(f.value, "mentor");
        ck_assert_str_eq(member, "7D6F3C1E-0000-4000-8000-000000000001");
        ck_assert_int_eq(scim_group_filter_parse("members[value eq \"7d6f3c1e-0000-4000-8000-"
                         "000000000001\"] AND displayName eq \"a and b\"", &f, member, &p), ST_OK);
        ck_assert_int_eq(f.attr, SCIM_FILTER_DISPLAY_NAME);
        ck_assert_str_eq(f.value, "a and b");
        ck_assert_str_eq(member, "7d6f3c1e-0000-4000-8000-000000000001");
        ck_assert_int_eq(scim_group_filter_parse("displayName eq \"mentor\"", &f, member, &p), ST_OK);
        ck_assert_str_eq(member, "");
        ck_assert_uint_eq(problem_field_count(&p), 0);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                ck_assert_msg(scim_group_filter_parse(bad[i], &f, member, &p) == ST_INVALID, "%s",
                              bad[i]);
                ck_assert_str_eq(p.type, "invalidFilter");
                problem_release(&p);
        }
}
END_TEST

START_TEST(test_filters)
{
        struct problem p = PROBLEM_INIT;
        struct scim_filter f;

        ck_assert_int_eq(scim_filter_parse("userName eq \"Ada@X.example\"", &f, &p), ST_OK);
        ck_assert_int_eq(f.attr, SCIM_FILTER_USERNAME);
        ck_assert_str_eq(f.value, "Ada@X.example");
        ck_assert_int_eq(scim_filter_parse("  externalid EQ \"a \\\"b\\\"\"", &f, &p), ST_OK);
        ck_assert_int_eq(f.attr, SCIM_FILTER_EXTERNAL_ID);
        ck_assert_str_eq(f.value, "a \"b\"");
        ck_assert_int_eq(scim_filter_parse("emails[type eq \"work\"].value eq \"w@x\"", &f, &p),
                         ST_OK);
        ck_assert_int_eq(f.attr, SCIM_FILTER_EMAIL);
        ck_assert_int_eq(scim_filter_parse(NULL, &f, &p), ST_OK);
        ck_assert_int_eq(f.attr, SCIM_FILTER_NONE);
        ck_assert_int_eq(scim_filter_parse("", &f, &p), ST_OK);
        ck_assert_uint_eq(problem_field_count(&p), 0);
        ck_assert_int_eq(scim_filter_parse("userName co \"a\"", &f, &p), ST_INVALID);
        ck_assert_int_eq(scim_filter_parse("userName eq \"a\" and active eq true", &f, &p),
                         ST_INVALID);
        ck_assert_int_eq(scim_filter_parse("title eq \"a\"", &f, &p), ST_INVALID);
        ck_assert_int_eq(scim_filter_parse("userName eq 3", &f, &p), ST_INVALID);
        ck_assert_str_eq(p.type, "invalidFilter");
        problem_release(&p);
}
END_TEST

START_TEST(test_group_patch)
{
        static const char id1[] = "11111111-1111-4111-8111-111111111111";
        struct problem p = PROBLEM_INIT;
        struct scim_members m = { NULL, NULL, false };
        json_t *j = t_json("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                           "\"Operations\":[{\"op\":\"Add\",\"path\":\"members\",\"value\":"
                           "[{\"value\":\"11111111-1111-4111-8111-111111111111\"}]},"
                           "{\"op\":\"Remove\",\"path\":\"members[value eq "
                           "\\\"22222222-2222-4222-8222-222222222222\\\"]\"},"
                           "{\"op\":\"Replace\",\"path\":\"displayName\",\"value\":\"x\"}]}");

        ck_assert_int_eq(scim_group_patch_parse(j, &m, &p), ST_OK);
        ck_assert_uint_eq(json_array_size(m.j_add), 1);
        ck_assert_str_eq(json_string_value(json_array_get(m.j_add, 0)), id1);
        ck_assert_str_eq(json_string_value(json_array_get(m.j_remove, 0)),
                         "22222222-2222-4222-8222-222222222222");
        ck_assert(!m.replace);
        scim_members_release(&m);
        json_decref(j);
        j = t_json("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                   "\"Operations\":[{\"op\":\"add\",\"path\":\"members\",\"value\":"
                   "[{\"value\":\"not-a-uuid\"}]}]}");
        ck_assert_int_eq(scim_group_patch_parse(j, &m, &p), ST_INVALID);
        ck_assert_str_eq(p.type, "invalidValue");
        scim_members_release(&m);
        json_decref(j);
        problem_release(&p);
}
END_TEST

START_TEST(test_error_json)
{
        json_t *j = scim_error_json(409, "uniqueness", "taken");
        json_t *j2 = scim_error_json(404, NULL, "gone");

        ck_assert_str_eq(t_str(j, "status"), "409");
        ck_assert_str_eq(t_str(j, "scimType"), "uniqueness");
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "schemas"), 0)),
                         SCIM_ERROR_SCHEMA);
        ck_assert_ptr_null(json_object_get(j2, "scimType"));
        ck_assert(scim_type_known("invalidFilter"));
        ck_assert(!scim_type_known("forbidden"));
        ck_assert(!scim_type_known(NULL));
        json_decref(j);
        json_decref(j2);
}
END_TEST

static Suite *
scim_suite(void)
{
        Suite *s = suite_create("people_scim");
        TCase *tc = tcase_create("scim");

        tcase_add_test(tc, test_entra_create);
        tcase_add_test(tc, test_okta_create_derives);
        tcase_add_test(tc, test_create_faults);
        tcase_add_test(tc, test_patch_entra);
        tcase_add_test(tc, test_patch_okta_value_object);
        tcase_add_test(tc, test_patch_faults);
        tcase_add_test(tc, test_filters);
        tcase_add_test(tc, test_patch_default_mapping_paths);
        tcase_add_test(tc, test_patch_work_email_kept_other_dropped);
        tcase_add_test(tc, test_blanks);
        tcase_add_test(tc, test_group_filters);
        tcase_add_test(tc, test_group_patch);
        tcase_add_test(tc, test_error_json);
        suite_add_tcase(s, tc);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(scim_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
