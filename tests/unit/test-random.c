/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-random.c: getrandom strings, base64url and the PKCE S256 challenge */
#include "config.h"

#include <string.h>

#include "sesame-random.h"

#define BASE64URL_ALPHABET \
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

static void
test_challenge_rfc7636 (void)
{
  /* RFC 7636, appendix B */
  g_autofree char *challenge =
    sesame_pkce_challenge_s256 ("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");

  g_assert_cmpstr (challenge, ==, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

static void
test_random_strings (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < 100; i++)
    {
      char *text = sesame_random_string (32);

      /* 32 bytes, base64url without padding: 43 characters (RFC 7636 §4.1) */
      g_assert_cmpuint (strlen (text), ==, 43);
      g_assert_cmpuint (strspn (text, BASE64URL_ALPHABET), ==, 43);
      g_assert_false (g_hash_table_contains (seen, text));
      g_hash_table_add (seen, text);
    }
}

static void
test_random_lengths (void)
{
  for (gsize n = 0; n <= 40; n++)
    {
      g_autofree char *text = sesame_random_string (n);
      g_autofree guint8 *decoded = NULL;
      gsize length = 0;

      g_assert_cmpuint (strlen (text), ==, (n * 4 + 2) / 3);
      decoded = sesame_base64url_decode (text, &length);
      g_assert_nonnull (decoded);
      g_assert_cmpuint (length, ==, n);
    }
}

static void
test_base64url_round_trip (void)
{
  /* 0xfb 0xff: the bytes that '+' and '/' stand for in plain base64 */
  const guint8 data[] = { 0xfb, 0xff, 0xbf, 0x00, 0x3e };
  g_autofree char *text = sesame_base64url_encode (data, sizeof (data));
  g_autofree guint8 *decoded = NULL;
  gsize length = 0;

  g_assert_cmpstr (text, ==, "-_-_AD4");
  decoded = sesame_base64url_decode (text, &length);
  g_assert_cmpmem (decoded, length, data, sizeof (data));
}

static void
test_base64url_refused (void)
{
  const char *invalid[] = { "ab+c", "ab/c", "abc=", "a", "abcde", "ab c", "ab.c" };
  gsize length;

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    g_assert_null (sesame_base64url_decode (invalid[i], &length));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/random/challenge-rfc7636", test_challenge_rfc7636);
  g_test_add_func ("/random/strings", test_random_strings);
  g_test_add_func ("/random/lengths", test_random_lengths);
  g_test_add_func ("/random/base64url-round-trip", test_base64url_round_trip);
  g_test_add_func ("/random/base64url-refused", test_base64url_refused);

  return g_test_run ();
}
