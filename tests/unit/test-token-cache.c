/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-token-cache.c: which token serves which scope set (DESIGN.md, Tokens per scope set) */
#include "config.h"

#include "sesame-error.h"
#include "sesame-token-cache.h"

static SesameProvider *
provider_new (const char *extra)
{
  g_autofree char *json = g_strdup_printf (
    "{ \"id\": \"test\", \"authorization-endpoint\": \"https://id.example/a\","
    " \"token-endpoint\": \"https://id.example/t\","
    " \"default-scopes\": [\"openid\", \"https://mail.example/IMAP\"] %s }", extra);
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autoptr(GError) error = NULL;
  SesameProvider *provider = sesame_provider_new_from_json (json_node_get_object (node), &error);

  g_assert_no_error (error);
  return provider;
}

static char *
key (SesameProvider     *provider,
     const char * const *granted,
     const char * const *asked)
{
  g_autoptr(GError) error = NULL;
  char *found = sesame_token_cache_key_for (provider, granted, asked, &error);

  g_assert_no_error (error);
  return found;
}

static void
test_keys (void)
{
  g_autoptr(SesameProvider) provider = provider_new ("");
  const char *granted[] = { "openid", "email", "api:read", NULL };
  const char *none[] = { NULL };
  const char *all[] = { "api:read", "email", "openid", "email", NULL };
  const char *some[] = { "email", "api:read", "email", NULL };
  g_autofree char *whole = key (provider, granted, none);
  g_autofree char *covering = key (provider, granted, all);
  g_autofree char *narrow = key (provider, granted, some);
  g_auto(GStrv) narrow_scopes = sesame_token_cache_key_scopes (narrow);
  const char *expected[] = { "api:read", "email", NULL };

  g_assert_cmpstr (whole, ==, SESAME_TOKEN_CACHE_WHOLE_GRANT);
  g_assert_cmpstr (covering, ==, SESAME_TOKEN_CACHE_WHOLE_GRANT);
  /* Sorted, each scope once: the same set is one key however asked. */
  g_assert_cmpstr (narrow, ==, "api:read email");
  g_assert_true (g_strv_equal ((const char * const *) narrow_scopes, expected));
  g_assert_null (sesame_token_cache_key_scopes (whole));
}

/* GitHub OAuth apps: every token carries the whole grant. */
static void
test_provider_cannot_narrow (void)
{
  g_autoptr(SesameProvider) provider = provider_new (", \"narrow-scopes\": false");
  const char *granted[] = { "repo", "read:user", NULL };
  const char *some[] = { "repo", NULL };
  g_autofree char *narrow = key (provider, granted, some);

  g_assert_cmpstr (narrow, ==, SESAME_TOKEN_CACHE_WHOLE_GRANT);
}

/* Microsoft: one resource per token; none asked means the first default
 * URL scope's resource. */
static void
test_one_resource_per_token (void)
{
  g_autoptr(SesameProvider) provider = provider_new (", \"one-resource-per-token\": true");
  const char *granted[] = { "openid", "https://mail.example/IMAP", "https://mail.example/SMTP",
                            "https://graph.example/Calendars", NULL };
  const char *none[] = { NULL };
  const char *calendar[] = { "https://graph.example/Calendars", NULL };
  const char *both[] = { "https://mail.example/IMAP", "https://graph.example/Calendars", NULL };
  g_autofree char *first = key (provider, granted, none);
  g_autofree char *graph = key (provider, granted, calendar);
  g_autoptr(GError) error = NULL;
  g_autofree char *refused = sesame_token_cache_key_for (provider, granted, both, &error);

  g_assert_cmpstr (first, ==, "https://mail.example/IMAP https://mail.example/SMTP openid");
  g_assert_cmpstr (graph, ==, "https://graph.example/Calendars");
  g_assert_null (refused);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT);
}

static void
test_lookup (void)
{
  g_autoptr(SesameTokenCache) cache = sesame_token_cache_new ();
  g_autoptr(SesameToken) token = sesame_token_new ();
  const char *asked[] = { "email", NULL };
  const char *more[] = { "email", "api:read", NULL };
  char *found = NULL;
  gint64 expires_at = 0;
  gboolean narrowed = FALSE;

  token->access_token = g_strdup ("at-1");
  token->expires_at = 10000;
  g_strfreev (token->scopes);
  token->scopes = g_strdupv ((char **) more);
  sesame_token_cache_store (cache, "api:read email", token, 9000);

  /* Wider than asked: served, but not narrowed. */
  g_assert_true (sesame_token_cache_lookup (cache, "api:read email", asked, 9100,
                                            &found, &expires_at, &narrowed));
  g_assert_cmpstr (found, ==, "at-1");
  g_assert_cmpint (expires_at, ==, 10000);
  g_assert_false (narrowed);
  g_clear_pointer (&found, g_free);
  g_assert_true (sesame_token_cache_lookup (cache, "api:read email", more, 9100,
                                            &found, &expires_at, &narrowed));
  g_assert_true (narrowed);
  g_clear_pointer (&found, g_free);

  /* Too close to its end, or forgotten: not served. */
  g_assert_false (sesame_token_cache_lookup (cache, "api:read email", more, 9950,
                                             &found, &expires_at, NULL));
  sesame_token_cache_clear (cache);
  g_assert_false (sesame_token_cache_lookup (cache, "api:read email", more, 9100,
                                             &found, &expires_at, NULL));
  g_assert_null (found);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/token-cache/keys", test_keys);
  g_test_add_func ("/token-cache/provider-cannot-narrow", test_provider_cannot_narrow);
  g_test_add_func ("/token-cache/one-resource-per-token", test_one_resource_per_token);
  g_test_add_func ("/token-cache/lookup", test_lookup);
  return g_test_run ();
}
