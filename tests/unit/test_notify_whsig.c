/*
 * test_notify_whsig.c - unit tests for whsig.c: the Standard Webhooks
 * signature (the specification's own example, which the npm standardwebhooks
 * library also produces), both signatures of a rotation, and the secret's
 * text form.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/evp.h>

#include "webhooks.h"
#include "status.h"

/* The example of the reference libraries: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw. */
static const unsigned char example_key[24] = {
        0x31, 0xf2, 0x90, 0xf6, 0xbf, 0x06, 0x29, 0x8a, 0xab, 0x4f, 0x08, 0xd4,
        0x3c, 0x3f, 0x08, 0x2c, 0xf6, 0x48, 0xa3, 0x62, 0xda, 0x2d, 0xa4, 0xb0,
};

START_TEST(signs_the_reference_example)
{
        const char *body = "{\"test\": 2432232314}";
        char sig[WH_SIG_LEN];

        ck_assert_int_eq(wh_sign(example_key, sizeof(example_key), "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                 1614265330, body, strlen(body), sig), ST_OK);
        ck_assert_str_eq(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}
END_TEST

START_TEST(every_part_is_signed)
{
        const char *body = "{\"test\": 2432232314}";
        char a[WH_SIG_LEN], b[WH_SIG_LEN];

        wh_sign(example_key, sizeof(example_key), "msg_1", 1614265330, body, strlen(body), a);
        wh_sign(example_key, sizeof(example_key), "msg_2", 1614265330, body, strlen(body), b);
        ck_assert_str_ne(a, b);
        wh_sign(example_key, sizeof(example_key), "msg_1", 1614265331, body, strlen(body), b);
        ck_assert_str_ne(a, b);
        wh_sign(example_key, sizeof(example_key), "msg_1", 1614265330, body, strlen(body) - 1, b);
        ck_assert_str_ne(a, b);
        wh_sign(example_key, sizeof(example_key) - 1, "msg_1", 1614265330, body, strlen(body), b);
        ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(secret_text_round_trips)
{
        unsigned char key[WH_SECRET_BYTES], back[48];
        char text[WH_SECRET_TEXT_LEN], hex[2 * WH_SECRET_BYTES + 1];
        unsigned char again[WH_SECRET_BYTES];
        int n;

        ck_assert_int_eq(wh_secret_new(key), ST_OK);
        wh_secret_text(key, text);
        ck_assert_int_eq(strncmp(text, "whsec_", 6), 0);
        ck_assert_uint_eq(strlen(text), 6 + 44);
        n = EVP_DecodeBlock(back, (const unsigned char *)text + 6, 44);
        ck_assert_int_eq(n, 33);                   /* 32 bytes and one of padding */
        ck_assert_int_eq(memcmp(back, key, WH_SECRET_BYTES), 0);
        wh_hex(key, WH_SECRET_BYTES, hex);
        ck_assert_int_eq(wh_unhex(hex, again, WH_SECRET_BYTES), ST_OK);
        ck_assert_int_eq(memcmp(again, key, WH_SECRET_BYTES), 0);
        ck_assert_int_eq(wh_unhex("abc", again, WH_SECRET_BYTES), ST_INVALID);
        hex[5] = 'g';
        ck_assert_int_eq(wh_unhex(hex, again, WH_SECRET_BYTES), ST_INVALID);
}
END_TEST

START_TEST(two_secrets_never_repeat)
{
        unsigned char a[WH_SECRET_BYTES], b[WH_SECRET_BYTES];

        wh_secret_new(a);
        wh_secret_new(b);
        ck_assert_int_ne(memcmp(a, b, WH_SECRET_BYTES), 0);
}
END_TEST

START_TEST(sealed_secrets_open_only_with_their_key)
{
        unsigned char k[WH_SEAL_KEY_BYTES], other[WH_SEAL_KEY_BYTES];
        unsigned char key[WH_SECRET_BYTES], back[WH_SECRET_BYTES];
        char a[WH_STORED_HEX_LEN], b[WH_STORED_HEX_LEN], plain[WH_STORED_HEX_LEN];
        char raw[2 * WH_SECRET_BYTES + 1];

        memset(k, 7, sizeof(k));
        memset(other, 8, sizeof(other));
        wh_secret_new(key);
        wh_hex(key, WH_SECRET_BYTES, raw);
        ck_assert_int_eq(wh_secret_store(k, key, a), ST_OK);
        ck_assert_int_eq(wh_secret_store(k, key, b), ST_OK);
        ck_assert_uint_eq(strlen(a), 2 * WH_SEALED_LEN);
        ck_assert_str_ne(a, b);                         /* a fresh nonce each time */
        ck_assert_ptr_null(strstr(a, raw));
        ck_assert_int_eq(wh_secret_load(k, a, back), ST_OK);
        ck_assert_int_eq(memcmp(back, key, WH_SECRET_BYTES), 0);
        ck_assert_int_eq(wh_secret_load(other, a, back), ST_INTERNAL);
        ck_assert_int_eq(wh_secret_load(NULL, a, back), ST_UNAVAILABLE);
        a[40] = a[40] == '0' ? '1' : '0';               /* one altered bit of ciphertext */
        ck_assert_int_eq(wh_secret_load(k, a, back), ST_INTERNAL);
        /* without a key a secret is stored as its bytes, and read with or without one */
        ck_assert_int_eq(wh_secret_store(NULL, key, plain), ST_OK);
        ck_assert_str_eq(plain, raw);
        ck_assert_int_eq(wh_secret_load(k, plain, back), ST_OK);
        ck_assert_int_eq(memcmp(back, key, WH_SECRET_BYTES), 0);
        ck_assert_int_eq(wh_secret_load(k, "00ff", back), ST_INVALID);
}
END_TEST

static Suite *
whsig_suite(void)
{
        Suite *s = suite_create("notify_whsig");
        TCase *tc = tcase_create("whsig");

        tcase_add_test(tc, signs_the_reference_example);
        tcase_add_test(tc, every_part_is_signed);
        tcase_add_test(tc, secret_text_round_trips);
        tcase_add_test(tc, two_secrets_never_repeat);
        tcase_add_test(tc, sealed_secrets_open_only_with_their_key);
        suite_add_tcase(s, tc);
        return s;
}

int
main(void)
{
        SRunner *sr = srunner_create(whsig_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
