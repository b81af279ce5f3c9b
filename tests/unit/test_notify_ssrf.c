/*
 * test_notify_ssrf.c - unit tests for ssrf.c: the class of an address (IPv4,
 * IPv6, IPv4 inside IPv6), the TANDEM_WEBHOOK_ALLOW list, and the rule that
 * joins them (https to public addresses; the rest only when allowed).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "status.h"
#include "webhooks.h"

/* @text as a sockaddr (v4 or v6) in @ss. */
static const struct sockaddr *
addr(const char *text, struct sockaddr_storage *ss)
{
        memset(ss, 0, sizeof(*ss));
        if (strchr(text, ':') != NULL) {
                struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

                in6->sin6_family = AF_INET6;
                ck_assert_int_eq(inet_pton(AF_INET6, text, &in6->sin6_addr), 1);
        } else {
                struct sockaddr_in *in = (struct sockaddr_in *)ss;

                in->sin_family = AF_INET;
                ck_assert_int_eq(inet_pton(AF_INET, text, &in->sin_addr), 1);
        }
        return (const struct sockaddr *)ss;
}

static enum wh_addr_class
cls(const char *text)
{
        struct sockaddr_storage ss;

        return wh_addr_classify(addr(text, &ss));
}

START_TEST(ipv4_classes)
{
        ck_assert_int_eq(cls("93.184.215.14"), WH_ADDR_PUBLIC);
        ck_assert_int_eq(cls("8.8.8.8"), WH_ADDR_PUBLIC);
        ck_assert_int_eq(cls("127.0.0.1"), WH_ADDR_LOOPBACK);
        ck_assert_int_eq(cls("127.255.0.9"), WH_ADDR_LOOPBACK);
        ck_assert_int_eq(cls("10.1.2.3"), WH_ADDR_PRIVATE);
        ck_assert_int_eq(cls("172.16.0.1"), WH_ADDR_PRIVATE);
        ck_assert_int_eq(cls("172.31.255.255"), WH_ADDR_PRIVATE);
        ck_assert_int_eq(cls("172.32.0.1"), WH_ADDR_PUBLIC);
        ck_assert_int_eq(cls("192.168.0.1"), WH_ADDR_PRIVATE);
        ck_assert_int_eq(cls("100.64.0.1"), WH_ADDR_PRIVATE);
        ck_assert_int_eq(cls("100.128.0.1"), WH_ADDR_PUBLIC);
        ck_assert_int_eq(cls("169.254.169.254"), WH_ADDR_LINK_LOCAL);
        ck_assert_int_eq(cls("0.0.0.0"), WH_ADDR_RESERVED);
        ck_assert_int_eq(cls("224.0.0.1"), WH_ADDR_RESERVED);
        ck_assert_int_eq(cls("255.255.255.255"), WH_ADDR_RESERVED);
        ck_assert_int_eq(cls("192.0.2.1"), WH_ADDR_RESERVED);
        ck_assert_int_eq(cls("198.18.0.1"), WH_ADDR_RESERVED);
}
END_TEST

START_TEST(ipv6_classes)
{
        ck_assert_int_eq(cls("2606:4700::1111"), WH_ADDR_PUBLIC);
        ck_assert_int_eq(cls("::1"), WH_ADDR_LOOPBACK);
        ck_assert_int_eq(cls("::"), WH_ADDR_RESERVED);
        ck_assert_int_eq(cls("fd00::1"), WH_ADDR_ULA);
        ck_assert_int_eq(cls("fc12::1"), WH_ADDR_ULA);
        ck_assert_int_eq(cls("fe80::1"), WH_ADDR_LINK_LOCAL);
        ck_assert_int_eq(cls("ff02::1"), WH_ADDR_RESERVED);
        ck_assert_int_eq(cls("2001:db8::1"), WH_ADDR_RESERVED);
        /* IPv4 inside IPv6 is judged as the IPv4 address it carries */
        ck_assert_int_eq(cls("::ffff:127.0.0.1"), WH_ADDR_LOOPBACK);
        ck_assert_int_eq(cls("::ffff:10.0.0.1"), WH_ADDR_PRIVATE);
        ck_assert_int_eq(cls("::ffff:169.254.169.254"), WH_ADDR_LINK_LOCAL);
        ck_assert_int_eq(cls("::ffff:93.184.215.14"), WH_ADDR_PUBLIC);
        ck_assert_int_eq(cls("64:ff9b::a9fe:a9fe"), WH_ADDR_LINK_LOCAL);
        ck_assert_int_eq(cls("2002:0a00:0001::1"), WH_ADDR_PRIVATE);
}
END_TEST

static int
check(const struct wh_allow *a, const char *host, bool https, const char *ip)
{
        struct sockaddr_storage ss;
        char why[200] = "";

        return wh_target_check(a, host, https, addr(ip, &ss), why, sizeof(why));
}

START_TEST(nothing_allowed_by_default)
{
        struct wh_allow a;
        char why[200];

        ck_assert_int_eq(wh_allow_parse(NULL, &a, why, sizeof(why)), ST_OK);
        ck_assert_int_eq(check(&a, "example.com", true, "93.184.215.14"), ST_OK);
        ck_assert_int_eq(check(&a, "example.com", false, "93.184.215.14"), ST_FORBIDDEN);
        ck_assert_int_eq(check(&a, "localhost", true, "127.0.0.1"), ST_FORBIDDEN);
        ck_assert_int_eq(check(&a, "metadata", true, "169.254.169.254"), ST_FORBIDDEN);
        ck_assert_int_eq(check(&a, "x", true, "::ffff:10.0.0.1"), ST_FORBIDDEN);
        ck_assert_int_eq(check(&a, "x", true, "fd00::1"), ST_FORBIDDEN);
        wh_allow_release(&a);
}
END_TEST

START_TEST(allow_list_opens_what_it_names)
{
        struct wh_allow a;
        char why[200];

        ck_assert_int_eq(wh_allow_parse(" loopback, 10.20.0.0/16 ,hooks.internal,fd00::/8",
                                        &a, why, sizeof(why)), ST_OK);
        ck_assert_int_eq(check(&a, "127.0.0.1", false, "127.0.0.1"), ST_OK);
        ck_assert_int_eq(check(&a, "x", false, "::1"), ST_OK);
        ck_assert_int_eq(check(&a, "x", false, "::ffff:127.0.0.2"), ST_OK);
        ck_assert_int_eq(check(&a, "x", true, "10.20.3.4"), ST_OK);
        ck_assert_int_eq(check(&a, "x", true, "10.21.3.4"), ST_FORBIDDEN);
        ck_assert_int_eq(check(&a, "HOOKS.internal", false, "192.168.1.1"), ST_OK);
        ck_assert_int_eq(check(&a, "x", true, "fd12::1"), ST_OK);
        ck_assert_int_eq(check(&a, "x", true, "fe80::1"), ST_FORBIDDEN);
        ck_assert_int_eq(check(&a, "x", true, "169.254.169.254"), ST_FORBIDDEN);
        wh_allow_release(&a);

        ck_assert_int_eq(wh_allow_parse("private", &a, why, sizeof(why)), ST_OK);
        ck_assert_int_eq(check(&a, "x", true, "172.20.1.1"), ST_OK);
        ck_assert_int_eq(check(&a, "x", true, "127.0.0.1"), ST_FORBIDDEN);
        wh_allow_release(&a);

        ck_assert_int_eq(wh_allow_parse("127.0.0.1", &a, why, sizeof(why)), ST_OK);
        ck_assert_int_eq(check(&a, "x", true, "127.0.0.1"), ST_OK);
        ck_assert_int_eq(check(&a, "x", true, "127.0.0.2"), ST_FORBIDDEN);
        wh_allow_release(&a);
}
END_TEST

START_TEST(bad_allow_lists_are_refused)
{
        struct wh_allow a;
        char why[200];

        ck_assert_int_eq(wh_allow_parse("10.0.0.0/33", &a, why, sizeof(why)), ST_INVALID);
        ck_assert_ptr_nonnull(strstr(why, "10.0.0.0/33"));
        ck_assert_int_eq(wh_allow_parse("300.1.1.1", &a, why, sizeof(why)), ST_INVALID);
        ck_assert_int_eq(wh_allow_parse("fd00::/129", &a, why, sizeof(why)), ST_INVALID);
        ck_assert_int_eq(wh_allow_parse("bad host!", &a, why, sizeof(why)), ST_INVALID);
        ck_assert_int_eq(wh_allow_parse("", &a, why, sizeof(why)), ST_OK);
        wh_allow_release(&a);
}
END_TEST

static Suite *
ssrf_suite(void)
{
        Suite *s = suite_create("notify_ssrf");
        TCase *tc = tcase_create("ssrf");

        tcase_add_test(tc, ipv4_classes);
        tcase_add_test(tc, ipv6_classes);
        tcase_add_test(tc, nothing_allowed_by_default);
        tcase_add_test(tc, allow_list_opens_what_it_names);
        tcase_add_test(tc, bad_allow_lists_are_refused);
        suite_add_tcase(s, tc);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(ssrf_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
