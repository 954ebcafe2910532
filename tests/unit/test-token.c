/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-token.c: token endpoint responses, the keyring secret, refresh updates */
#include "config.h"

#include "sesame-error.h"
#include "sesame-token.h"

#define NOW 1700000000
#define SECRET_TOKEN "at-SECRET-7f3a"

static const char * const requested[] = { "openid", "email", NULL };

static SesameToken *
parse (const char  *body,
       GError     **error)
{
  return sesame_token_new_from_response (body, strlen (body), requested, NOW, error);
}

static void
test_response_good (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SesameToken) token = NULL;
  const char * const granted[] = { "openid", "email", "offline_access", NULL };

  token = parse ("{\"access_token\": \"" SECRET_TOKEN "\", \"token_type\": \"Bearer\","
                 " \"expires_in\": 3600, \"refresh_token\": \"rt-1\", \"id_token\": \"a.b.c\","
                 " \"scope\": \"openid  email offline_access\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token->access_token, ==, SECRET_TOKEN);
  g_assert_cmpstr (token->token_type, ==, "Bearer");
  g_assert_cmpstr (token->refresh_token, ==, "rt-1");
  g_assert_cmpstr (token->id_token, ==, "a.b.c");
  g_assert_cmpint (token->expires_at, ==, NOW + 3600);
  g_assert_true (g_strv_equal ((const char * const *) token->scopes, granted));
  g_assert_null (token->client_secret);
}

/* GitHub Apps say how long the refresh token lives; a refresh's answer
 * carries it over, and one without it says nothing. */
static void
test_response_refresh_lifetime (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(SesameToken) refreshed = NULL;
  g_autoptr(SesameToken) copy = NULL;

  token = parse ("{\"access_token\": \"x\", \"token_type\": \"bearer\", \"refresh_token\": \"r\","
                 " \"refresh_token_expires_in\": 15811200}", &error);
  g_assert_no_error (error);
  g_assert_cmpint (token->refresh_expires_in, ==, 15811200);
  copy = sesame_token_copy (token);
  g_assert_cmpint (copy->refresh_expires_in, ==, 15811200);

  refreshed = parse ("{\"access_token\": \"y\", \"token_type\": \"bearer\","
                     " \"refresh_token_expires_in\": \"100\"}", &error);
  g_assert_no_error (error);
  sesame_token_update (token, refreshed);
  g_assert_cmpint (token->refresh_expires_in, ==, 100);
  g_clear_pointer (&refreshed, sesame_token_free);
  refreshed = parse ("{\"access_token\": \"z\", \"token_type\": \"bearer\"}", &error);
  sesame_token_update (token, refreshed);
  g_assert_cmpint (token->refresh_expires_in, ==, 0);

  g_clear_pointer (&refreshed, sesame_token_free);
  refreshed = parse ("{\"access_token\": \"z\", \"token_type\": \"bearer\","
                     " \"refresh_token_expires_in\": -1}", &error);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
  g_assert_null (refreshed);
}

static void
test_response_no_scope (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SesameToken) token = NULL;

  /* RFC 6749 §5.1: no `scope` means the requested ones were granted */
  token = parse ("{\"access_token\": \"x\", \"token_type\": \"bearer\"}", &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_equal ((const char * const *) token->scopes, requested));
  g_assert_null (token->refresh_token);
  g_assert_null (token->id_token);
  /* no lifetime given: lasts until refused */
  g_assert_cmpint (token->expires_at, ==, 0);
}

static void
test_response_comma_scopes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SesameToken) token = NULL;
  const char * const granted[] = { "repo", "gist", NULL };

  /* GitHub's separator */
  token = parse ("{\"access_token\": \"x\", \"token_type\": \"bearer\", \"scope\": \"repo,gist\"}",
                 &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_equal ((const char * const *) token->scopes, granted));
}

static void
test_response_string_lifetime (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SesameToken) token = NULL;

  token = parse ("{\"access_token\": \"x\", \"token_type\": \"bearer\", \"expires_in\": \"3599\"}",
                 &error);
  g_assert_no_error (error);
  g_assert_cmpint (token->expires_at, ==, NOW + 3599);
}

static void
test_response_refused (void)
{
  const char *bodies[] = {
    "",
    "not json at all",
    "<html><body>Service Unavailable</body></html>",
    "{\"access_token\": \"" SECRET_TOKEN "\", \"token_type\": \"Bea",   /* truncated */
    "[\"" SECRET_TOKEN "\", \"Bearer\"]",
    "\"" SECRET_TOKEN "\"",
    "null",
    "{\"token_type\": \"Bearer\", \"expires_in\": 3600}",
    "{\"access_token\": \"" SECRET_TOKEN "\", \"expires_in\": 3600}",
    "{\"access_token\": \"\", \"token_type\": \"Bearer\"}",
    "{\"access_token\": 42, \"token_type\": \"Bearer\"}",
    "{\"access_token\": \"" SECRET_TOKEN "\", \"token_type\": [\"Bearer\"]}",
    "{\"access_token\": \"" SECRET_TOKEN "\", \"token_type\": \"Bearer\", \"expires_in\": \"soon\"}",
    "{\"access_token\": \"" SECRET_TOKEN "\", \"token_type\": \"Bearer\", \"expires_in\": -5}",
    "{\"access_token\": \"" SECRET_TOKEN "\", \"token_type\": \"Bearer\", \"expires_in\": true}",
    "{\"access_token\": \"" SECRET_TOKEN "\", \"token_type\": \"Bearer\", \"scope\": [\"a\"]}",
    "{\"access_token\": \"" SECRET_TOKEN "\", \"token_type\": \"Bearer\", \"refresh_token\": {}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SesameToken) token = parse (bodies[i], &error);

      g_test_message ("body %u: %s", i, bodies[i]);
      g_assert_null (token);
      g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
      /* a sentence, without the token */
      g_assert_true (g_str_has_suffix (error->message, "."));
      g_assert_null (strstr (error->message, SECRET_TOKEN));
    }
}

static void
test_secret_round_trip (void)
{
  g_autoptr(SesameToken) token = sesame_token_new ();
  g_autoptr(SesameToken) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  const char * const scopes[] = { "openid", "https://mail.example/", NULL };

  token->access_token = g_strdup ("at \"quoted\" \\ and ünïcode");
  token->refresh_token = g_strdup ("rt");
  token->token_type = g_strdup ("Bearer");
  token->id_token = g_strdup ("h.p.s");
  g_strfreev (token->scopes);
  token->scopes = g_strdupv ((char **) scopes);
  token->expires_at = G_GINT64_CONSTANT (4102444800);
  token->client_secret = g_strdup ("cs");

  secret = sesame_token_to_secret (token);
  back = sesame_token_new_from_secret (secret, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->access_token, ==, token->access_token);
  g_assert_cmpstr (back->refresh_token, ==, "rt");
  g_assert_cmpstr (back->token_type, ==, "Bearer");
  g_assert_cmpstr (back->id_token, ==, "h.p.s");
  g_assert_true (g_strv_equal ((const char * const *) back->scopes, scopes));
  g_assert_cmpint (back->expires_at, ==, G_GINT64_CONSTANT (4102444800));
  g_assert_cmpstr (back->client_secret, ==, "cs");
}

static void
test_secret_sparse (void)
{
  g_autoptr(SesameToken) token = sesame_token_new ();
  g_autoptr(SesameToken) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;

  /* a client-credentials account before its first token */
  token->client_secret = g_strdup ("cs");
  secret = sesame_token_to_secret (token);
  back = sesame_token_new_from_secret (secret, &error);
  g_assert_no_error (error);
  g_assert_null (back->access_token);
  g_assert_null (back->refresh_token);
  g_assert_nonnull (back->scopes);
  g_assert_null (back->scopes[0]);
  g_assert_cmpint (back->expires_at, ==, 0);
  g_assert_cmpstr (back->client_secret, ==, "cs");
}

static void
test_secret_damaged (void)
{
  const char *secrets[] = {
    "",
    "{\"access_token\": ",
    "[]",
    "{\"scopes\": \"openid\"}",
    "{\"scopes\": [1]}",
    "{\"expires_at\": \"tomorrow\"}",
    "{\"refresh_token\": 7}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SesameToken) token = sesame_token_new_from_secret (secrets[i], &error);

      g_assert_null (token);
      g_assert_error (error, SESAME_ERROR, SESAME_ERROR_KEYRING);
    }
}

static SesameToken *
token_with (const char *access_token,
            const char *refresh_token,
            gint64      expires_at)
{
  SesameToken *token = sesame_token_new ();

  token->access_token = g_strdup (access_token);
  token->refresh_token = g_strdup (refresh_token);
  token->token_type = g_strdup ("Bearer");
  token->expires_at = expires_at;
  return token;
}

static void
test_update_keeps_refresh_token (void)
{
  g_autoptr(SesameToken) stored = token_with ("at-1", "rt-1", NOW);
  g_autoptr(SesameToken) refreshed = token_with ("at-2", NULL, NOW + 3600);
  const char * const scopes[] = { "openid", "email", NULL };

  g_strfreev (stored->scopes);
  stored->scopes = g_strdupv ((char **) scopes);
  stored->id_token = g_strdup ("id-1");

  sesame_token_update (stored, refreshed);
  g_assert_cmpstr (stored->access_token, ==, "at-2");
  g_assert_cmpstr (stored->refresh_token, ==, "rt-1");
  g_assert_cmpint (stored->expires_at, ==, NOW + 3600);
  g_assert_cmpstr (stored->id_token, ==, "id-1");
  /* a refresh that named no scopes keeps the grant */
  g_assert_true (g_strv_equal ((const char * const *) stored->scopes, scopes));
}

static void
test_update_rotates_refresh_token (void)
{
  g_autoptr(SesameToken) stored = token_with ("at-1", "rt-1", NOW);
  g_autoptr(SesameToken) refreshed = token_with ("at-2", "rt-2", NOW + 60);
  const char * const scopes[] = { "openid", NULL };

  g_strfreev (refreshed->scopes);
  refreshed->scopes = g_strdupv ((char **) scopes);

  sesame_token_update (stored, refreshed);
  g_assert_cmpstr (stored->access_token, ==, "at-2");
  g_assert_cmpstr (stored->refresh_token, ==, "rt-2");
  g_assert_true (g_strv_equal ((const char * const *) stored->scopes, scopes));
}

static void
test_covers (void)
{
  g_autoptr(SesameToken) token = sesame_token_new ();
  const char * const granted[] = { "openid", "email", "profile", NULL };
  const char * const fewer[] = { "email", "openid", NULL };
  const char * const more[] = { "email", "calendar", NULL };
  const char * const none[] = { NULL };

  g_strfreev (token->scopes);
  token->scopes = g_strdupv ((char **) granted);
  g_assert_true (sesame_token_covers (token, fewer));
  g_assert_true (sesame_token_covers (token, granted));
  g_assert_true (sesame_token_covers (token, none));
  g_assert_true (sesame_token_covers (token, NULL));
  g_assert_false (sesame_token_covers (token, more));
}

static void
test_copy_and_boxed (void)
{
  g_autoptr(SesameToken) token = token_with ("at", "rt", 5);
  g_autoptr(SesameToken) copy = NULL;

  copy = g_boxed_copy (SESAME_TYPE_TOKEN, token);
  g_assert_true (copy != token);
  g_assert_cmpstr (copy->access_token, ==, "at");
  g_assert_cmpstr (copy->refresh_token, ==, "rt");
  g_assert_true (copy->access_token != token->access_token);
  g_assert_nonnull (copy->scopes);
  g_assert_cmpint (copy->expires_at, ==, 5);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/token/response/good", test_response_good);
  g_test_add_func ("/token/response/no-scope", test_response_no_scope);
  g_test_add_func ("/token/response/refresh-lifetime", test_response_refresh_lifetime);
  g_test_add_func ("/token/response/comma-scopes", test_response_comma_scopes);
  g_test_add_func ("/token/response/string-lifetime", test_response_string_lifetime);
  g_test_add_func ("/token/response/refused", test_response_refused);
  g_test_add_func ("/token/secret/round-trip", test_secret_round_trip);
  g_test_add_func ("/token/secret/sparse", test_secret_sparse);
  g_test_add_func ("/token/secret/damaged", test_secret_damaged);
  g_test_add_func ("/token/update/keeps-refresh-token", test_update_keeps_refresh_token);
  g_test_add_func ("/token/update/rotates-refresh-token", test_update_rotates_refresh_token);
  g_test_add_func ("/token/covers", test_covers);
  g_test_add_func ("/token/copy", test_copy_and_boxed);

  return g_test_run ();
}
