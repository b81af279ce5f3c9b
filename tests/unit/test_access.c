/*
 * test_access.c - unit tests for access.c: the one order in which a caller's
 * relation to a person is decided, the role predicates, the 403s every
 * service gives, and the checks that need no people service (a service token
 * is nobody, so nothing is asked).
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "access.h"
#include "status.h"

#define A ROLE_ADMIN
#define M ROLE_MENTOR
#define P ROLE_PARTNER
#define C ROLE_COMMS
#define V ROLE_VIEWER
#define S ROLE_SERVICE

struct decide_case {
        unsigned roles;
        bool self, mentors;
        enum relation want;
};

/* The order: self, then mentor, then admin, then service; nothing else relates. */
static const struct decide_case decide_cases[] = {
        { P, true, false, REL_SELF },
        { P, false, false, REL_NONE },
        { M, false, true, REL_MENTOR },
        { M, false, false, REL_NONE },
        { M | P, true, false, REL_SELF },
        { A, false, false, REL_ADMIN },
        { A | P, true, false, REL_SELF },        /* an admin enrolled as partner acts as one */
        { A | M, false, true, REL_MENTOR },      /* an admin mentoring is a mentor first */
        { A | S, false, false, REL_ADMIN },
        { S, false, false, REL_SERVICE },
        { S, true, false, REL_SERVICE },         /* a service is nobody: never self */
        { C, false, false, REL_NONE },
        { C, true, false, REL_SELF },
        { V, false, false, REL_NONE },
        { P, false, true, REL_NONE },            /* mentoring counts only with the mentor role */
        { 0, true, true, REL_NONE },
        { ROLE_SCIM, false, false, REL_NONE },
};

#define N_DECIDE (int)(sizeof(decide_cases) / sizeof(decide_cases[0]))

START_TEST(test_decide_order)
{
        const struct decide_case *c = &decide_cases[_i];
        struct access_facts f = { c->roles, c->self, c->mentors };

        ck_assert_msg(access_decide(&f) == c->want, "case %d: roles %#x self %d mentors %d:"
                      " got %d, want %d", _i, c->roles, c->self, c->mentors,
                      access_decide(&f), c->want);
}
END_TEST

START_TEST(test_person_roles)
{
        ck_assert(access_is_person(A));
        ck_assert(access_is_person(M | S));
        ck_assert(access_is_person(V));
        ck_assert(access_is_person(C));
        ck_assert(!access_is_person(S));
        ck_assert(!access_is_person(ROLE_SCIM));
        ck_assert(!access_is_person(0));
}
END_TEST

START_TEST(test_viewer_only)
{
        ck_assert(access_viewer_only(V));
        ck_assert(!access_viewer_only(V | C));
        ck_assert(!access_viewer_only(V | A));
        ck_assert(!access_viewer_only(0));
}
END_TEST

START_TEST(test_relation_role)
{
        ck_assert_str_eq(access_relation_role(REL_SELF), "partner");
        ck_assert_str_eq(access_relation_role(REL_MENTOR), "mentor");
        ck_assert_str_eq(access_relation_role(REL_ADMIN), "admin");
        ck_assert_str_eq(access_relation_role(REL_SERVICE), "service");
        ck_assert_ptr_null(access_relation_role(REL_NONE));
}
END_TEST

START_TEST(test_roles_from_list)
{
        ck_assert_uint_eq(access_roles_from_list(""), 0);
        ck_assert_uint_eq(access_roles_from_list(NULL), 0);
        ck_assert_uint_eq(access_roles_from_list("admin"), A);
        ck_assert_uint_eq(access_roles_from_list("mentor,partner"), M | P);
        ck_assert_uint_eq(access_roles_from_list("viewer,,janitor,comms,"), V | C);
        ck_assert_uint_eq(access_roles_from_list("admin,admin"), A);
        ck_assert_uint_eq(access_roles_from_list("an-overlong-role-name-that-fits-nowhere-at-all,admin"),
                          A);
}
END_TEST

/* A request as the dispatcher hands it over, with only the token's roles set. */
static void
request_with(struct request *rq, unsigned roles)
{
        memset(rq, 0, sizeof(*rq));
        problem_init(&rq->prob);
        rq->who.roles = roles;
}

START_TEST(test_no_viewer)
{
        struct request rq;

        request_with(&rq, V);
        ck_assert_int_eq(access_no_viewer(&rq), ST_FORBIDDEN);
        ck_assert_int_eq(rq.prob.st, ST_FORBIDDEN);
        ck_assert_str_eq(rq.prob.detail, "viewers read aggregate statistics only");
        problem_release(&rq.prob);
        request_with(&rq, V | C);
        ck_assert_int_eq(access_no_viewer(&rq), ST_OK);
        ck_assert_int_eq(rq.prob.st, ST_OK);
        problem_release(&rq.prob);
}
END_TEST

START_TEST(test_forbid_kinds)
{
        struct request rq;

        request_with(&rq, P);
        ck_assert_int_eq(access_forbid(&rq, "no"), ST_FORBIDDEN);
        ck_assert_str_eq(rq.prob.type, "");
        ck_assert_str_eq(rq.prob.detail, "no");
        problem_release(&rq.prob);
        request_with(&rq, M);
        ck_assert_int_eq(access_not_consulting(&rq, "the partner writes it"), ST_FORBIDDEN);
        ck_assert_str_eq(rq.prob.type, ACCESS_NOT_CONSULTING);
        ck_assert_str_eq(rq.prob.detail, "mentoring, not consulting: the partner writes it");
        problem_release(&rq.prob);
        request_with(&rq, M);
        ck_assert_int_eq(access_forbid_as(&rq, "own-work", "theirs"), ST_FORBIDDEN);
        ck_assert_str_eq(rq.prob.type, "own-work");
        problem_release(&rq.prob);
}
END_TEST

START_TEST(test_role_predicates)
{
        struct request rq;

        request_with(&rq, A);
        ck_assert(access_is_admin(&rq) && access_reads_all(&rq));
        request_with(&rq, S);
        ck_assert(!access_is_admin(&rq) && access_reads_all(&rq));
        request_with(&rq, M | P);
        ck_assert(!access_reads_all(&rq));
        ck_assert(access_has(&rq, P | C));
        ck_assert(!access_has(&rq, A | C));
}
END_TEST

/* A service token is nobody: its relation is decided without asking people. */
START_TEST(test_service_is_nobody)
{
        struct request rq;
        char me[UUID_STR_LEN] = "x";
        enum relation rel = REL_NONE;
        bool yes = true;
        const char *id = "6f1f7c2e-8d2a-4a55-9b53-0d6d8c1e9a10";

        request_with(&rq, S);
        ck_assert_int_eq(access_me(&rq, me), ST_OK);
        ck_assert_str_eq(me, "");
        ck_assert_int_eq(access_is_self(&rq, id, &yes), ST_OK);
        ck_assert(!yes);
        ck_assert_int_eq(access_relation(&rq, id, &rel), ST_OK);
        ck_assert_int_eq(rel, REL_SERVICE);
        ck_assert_int_eq(access_read_person(&rq, id, "why", &rel), ST_OK);
        ck_assert_int_eq(access_self_only(&rq, id, "own-work", "only them"), ST_FORBIDDEN);
        ck_assert_str_eq(rq.prob.type, "own-work");
        problem_release(&rq.prob);
        request_with(&rq, ROLE_SCIM);
        ck_assert_int_eq(access_read_person(&rq, id, "not yours", &rel), ST_FORBIDDEN);
        ck_assert_int_eq(rel, REL_NONE);
        ck_assert_str_eq(rq.prob.detail, "not yours");
        problem_release(&rq.prob);
}
END_TEST

static Suite *
access_suite(void)
{
        Suite *s = suite_create("access");
        TCase *tc_pure = tcase_create("pure");
        TCase *tc_request = tcase_create("request");

        tcase_add_loop_test(tc_pure, test_decide_order, 0, N_DECIDE);
        tcase_add_test(tc_pure, test_person_roles);
        tcase_add_test(tc_pure, test_viewer_only);
        tcase_add_test(tc_pure, test_relation_role);
        tcase_add_test(tc_pure, test_roles_from_list);
        suite_add_tcase(s, tc_pure);
        tcase_add_test(tc_request, test_no_viewer);
        tcase_add_test(tc_request, test_forbid_kinds);
        tcase_add_test(tc_request, test_role_predicates);
        tcase_add_test(tc_request, test_service_is_nobody);
        suite_add_tcase(s, tc_request);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(access_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
