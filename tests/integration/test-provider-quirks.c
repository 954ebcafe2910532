/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-provider-quirks.c: what provider files say about a provider's own ways
 * (error-aliases, device-scopes and the device client, Reauthenticate's
 * scopes), through the real broker against the test identity provider */
#include "config.h"

#include <string.h>

#include "sesame-bus-names.h"
#include "sesame-test-agent.h"
#include "sesame-test-env.h"

static SesameTestEnv *env;
static SesameTestAgent *agent;
static char *alice;   /* alice's account with the "quirky" provider */

/* The test identity provider again, with a provider's own error codes and
 * a device sign-in limited to some scopes with a client of its own (the
 * same registration: oidc-provider has one client for both). "tvless"
 * limits them without one. */
static void
write_provider (const char *id,
                const char *device_client)
{
  g_autofree char *path = g_build_filename (env->config_dir, "sesame", "providers",
                                            id, NULL);
  g_autofree char *file = g_strconcat (path, ".json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  contents = g_strdup_printf (
    "{ \"name\": \"Quirky Provider\", \"issuer\": \"%s\", \"client-id\": \"sesame-test\","
    "  \"scopes\": { \"openid\": \"Know who you are\", \"email\": \"See your e-mail address\","
    "               \"profile\": \"See your name\","
    "               \"offline_access\": \"Stay signed in\", \"api:read\": \"Read your data\" },"
    "  \"default-scopes\": [\"openid\", \"email\", \"offline_access\"],"
    "  \"error-aliases\": { \"bad_refresh_token\": \"invalid_grant\","
    "                     \"authorization_declined\": \"access_denied\" },"
    "  \"device-scopes\": [\"openid\", \"email\", \"offline_access\"] %s }",
    env->issuer, device_client);
  g_file_set_contents (file, contents, -1, &error);
  g_assert_no_error (error);
}

static void
ensure_alice (void)
{
  g_autoptr(GError) error = NULL;

  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "alice");
  if (alice == NULL)
    {
      alice = sesame_test_env_add_account (env, "quirky", NULL, NULL, &error);
      g_assert_no_error (error);
    }
}

static GVariant *
no_options (void)
{
  return g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0);
}

/* GitHub Apps answer a dead refresh token with bad_refresh_token and 200 OK
 * (docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/
 * refreshing-user-access-tokens): with the alias, it is invalid_grant. */
static void
test_error_alias_needs_attention (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(JsonNode) fail = NULL;

  fail = sesame_test_env_idp_request (env, "POST",
                                      "/_test/token-fail?status=200&error=bad_refresh_token");
  reply = sesame_test_env_call (env, alice, SESAME_ACCOUNT_IFACE, "Refresh", NULL, "(x)", &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.NeedsAttention");
  g_assert_true (sesame_test_env_bool_property (env, alice, "AttentionNeeded"));

  /* Signing in again mends it. */
  g_clear_error (&error);
  g_clear_pointer (&reply, g_variant_unref);
  reply = sesame_test_env_call (env, alice, SESAME_ACCOUNT_IFACE, "Reauthenticate",
                                g_variant_new_parsed ("(@as [],)"), NULL, &error);
  g_assert_no_error (error);
  g_assert_false (sesame_test_env_bool_property (env, alice, "AttentionNeeded"));
}

static char *
begin_device_sign_in (const char         *provider,
                      const char * const *scopes,
                      GError            **error)
{
  g_autoptr(GVariant) reply = NULL;
  char *request = NULL;

  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "BeginDeviceSignIn",
                                g_variant_new ("(s^as@a{sv})", provider, scopes, no_options ()),
                                "(sa{sv})", error);
  if (reply != NULL)
    g_variant_get (reply, "(s@a{sv})", &request, NULL);
  return request;
}

/* Microsoft answers a denied device sign-in with authorization_declined
 * (learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code
 * #expected-errors): with the alias, the person cancelled. */
static void
test_device_declined_is_cancelled (void)
{
  const char *none[] = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(JsonNode) fail = NULL;
  g_autofree char *request = begin_device_sign_in ("quirky", none, &error);

  g_assert_no_error (error);
  fail = sesame_test_env_idp_request (env, "POST",
                                      "/_test/token-fail?status=400&error=authorization_declined");
  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "FinishDeviceSignIn",
                                g_variant_new ("(s)", request), "(o)", &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.Cancelled");
}

/* Google allows only some scopes in device sign-in
 * (developers.google.com/identity/protocols/oauth2/limited-input-device
 * #allowedscopes): others are refused before the provider is asked. */
static void
test_device_scopes (void)
{
  const char *gmail_like[] = { "openid", "api:read", NULL };
  const char *allowed[] = { "openid", "email", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) providers = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  g_autofree char *refused = NULL;
  g_autofree char *request = NULL;
  GVariant *provider;
  guint checked = 0;

  refused = begin_device_sign_in ("quirky", gmail_like, &error);
  g_assert_null (refused);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  g_assert_nonnull (strstr (error->message, "api:read"));
  g_clear_error (&error);

  request = begin_device_sign_in ("quirky", allowed, &error);
  g_assert_no_error (error);
  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "CancelDeviceSignIn",
                                g_variant_new ("(s)", request), NULL, &error);
  g_assert_no_error (error);

  /* Without a device client, no device flow. */
  providers = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE,
                                    "ListProviders", NULL, "(aa{sv})", &error);
  g_assert_no_error (error);
  g_variant_get (providers, "(aa{sv})", &iter);
  while ((provider = g_variant_iter_next_value (iter)) != NULL)
    {
      g_autoptr(GVariant) owned = provider;
      g_autofree const char **flows = NULL;
      const char *id;

      g_assert_true (g_variant_lookup (provider, "id", "&s", &id));
      g_assert_true (g_variant_lookup (provider, "flows", "^a&s", &flows));
      if (g_str_equal (id, "quirky") || g_str_equal (id, "tvless"))
        {
          g_assert_true (g_strv_contains (flows, "device_code") == g_str_equal (id, "quirky"));
          checked++;
        }
    }
  g_assert_cmpuint (checked, ==, 2);
}

/* DESIGN.md, Granted scopes: signing in again asks for the defaults, the
 * grant and the new scopes, so that it keeps offline_access. */
static void
test_reauthenticate_scopes (void)
{
  const char *few[] = { "openid", "api:read", "email", NULL };
  const char *more[] = { "profile", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) query = NULL;
  g_autofree char *path = NULL;
  g_auto(GStrv) asked = NULL;
  const char *url;

  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "bob");
  path = sesame_test_env_add_account (env, "quirky", few, NULL, &error);
  g_assert_no_error (error);

  reply = sesame_test_env_call (env, path, SESAME_ACCOUNT_IFACE, "Reauthenticate",
                                g_variant_new ("(^as)", more), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_lookup (agent->last_details, "authorization-url", "&s", &url));
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  query = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, &error);
  g_assert_no_error (error);
  asked = g_strsplit (g_hash_table_lookup (query, "scope"), " ", -1);
  g_assert_true (g_strv_equal ((const char * const *) asked,
                               (const char *[]) { "openid", "email", "offline_access",
                                                  "api:read", "profile", NULL }));
}

/* Signing in again by another flow: the account's refresh token is now the
 * other client's (Google's device client), so its Flow says so. */
static void
test_flow_follows_sign_in (void)
{
  const char *none[] = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GVariant) begun = NULL;
  g_autoptr(GVariant) reauthenticated = NULL;
  g_autofree char *path = NULL;
  const char *request;

  begun = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "BeginDeviceSignIn",
                                g_variant_new ("(s^as@a{sv})", "quirky", none, no_options ()),
                                "(sa{sv})", &error);
  g_assert_no_error (error);
  g_variant_get (begun, "(&s@a{sv})", &request, &details);
  path = sesame_test_env_finish_device_sign_in (env, request, details, "alice", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, alice);
  sesame_test_env_assert_string_property (env, alice, "Flow", "device_code");

  reauthenticated = sesame_test_env_call (env, alice, SESAME_ACCOUNT_IFACE, "Reauthenticate",
                                          g_variant_new_parsed ("(@as [],)"), NULL, &error);
  g_assert_no_error (error);
  sesame_test_env_assert_string_property (env, alice, "Flow", "authorization_code");
}

/* One resource per token (Microsoft: learn.microsoft.com/en-us/entra/
 * identity-platform/scopes-oidc): each resource's token comes from a
 * refresh for that resource alone, and no token is asked for two. */
#define RESOURCE_A "https://a.example/read"
#define RESOURCE_B "https://b.example/read"

static void
test_one_resource_per_token (void)
{
  const char *asked[] = { "openid", "email", "offline_access", RESOURCE_A, RESOURCE_B, NULL };
  const char *both[] = { RESOURCE_A, RESOURCE_B, NULL };
  const char *first[] = { RESOURCE_A, NULL };
  const char *second[] = { RESOURCE_B, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) scopes = NULL;
  g_autofree const char **granted = NULL;
  g_autofree char *path = NULL;
  g_autofree char *spanning = NULL;
  g_autofree char *token = NULL;
  g_autofree char *other = NULL;
  g_autofree char *token_scope = NULL;
  g_autofree char *other_scope = NULL;

  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "carol");
  path = sesame_test_env_add_account (env, "oneres", asked, NULL, &error);
  g_assert_no_error (error);
  scopes = sesame_test_env_get_property (env, path, "Scopes");
  granted = g_variant_get_strv (scopes, NULL);
  g_assert_true (g_strv_contains (granted, RESOURCE_A));
  g_assert_true (g_strv_contains (granted, RESOURCE_B));

  spanning = sesame_test_env_get_token (env, path, both, NULL, &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  g_clear_error (&error);

  token = sesame_test_env_get_token (env, path, first, NULL, &error);
  g_assert_no_error (error);
  token_scope = sesame_test_env_token_scope (env, token);
  g_assert_cmpstr (token_scope, ==, RESOURCE_A);
  other = sesame_test_env_get_token (env, path, second, NULL, &error);
  g_assert_no_error (error);
  other_scope = sesame_test_env_token_scope (env, other);
  g_assert_cmpstr (other_scope, ==, RESOURCE_B);
}

/* A provider with a client of its own for device sign-in (Google's "TVs and
 * Limited Input devices" client): the account's tokens belong to that
 * client, so Remove revokes them as that client. The test provider, like
 * Google, quietly keeps a token another public client asks it to revoke. */
static void
test_device_client_revokes (void)
{
  const char *scopes[] = { "openid", "email", "offline_access", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) removed = NULL;
  g_autoptr(GVariant) details = NULL;
  g_autofree char *request = NULL;
  g_autofree char *path = NULL;
  g_autofree char *token = NULL;
  g_autofree char *email = NULL;
  g_autofree char *after = NULL;

  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "BeginDeviceSignIn",
                                g_variant_new ("(s^as@a{sv})", "tv", scopes, no_options ()),
                                "(sa{sv})", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(s@a{sv})", &request, &details);
  path = sesame_test_env_finish_device_sign_in (env, request, details, "tv", &error);
  g_assert_no_error (error);
  token = sesame_test_env_get_token (env, path, NULL, NULL, &error);
  g_assert_no_error (error);
  email = sesame_test_env_userinfo_email (env, token);
  g_assert_cmpstr (email, ==, "tv@example.test");

  removed = sesame_test_env_call (env, path, SESAME_ACCOUNT_IFACE, "Remove", NULL, NULL, &error);
  g_assert_no_error (error);
  after = sesame_test_env_userinfo_email (env, token);
  g_assert_null (after);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  env = sesame_test_env_new (3600);
  write_provider ("quirky", ", \"device-client-id\": \"sesame-test\"");
  write_provider ("tvless", "");
  write_provider ("tv", ", \"device-client-id\": \"sesame-tv\"");
  write_provider ("oneres", ", \"one-resource-per-token\": true");
  sesame_test_env_start_broker (env);
  agent = sesame_test_agent_new (env);
  sesame_test_agent_register (agent);

  sesame_test_add_with_setup ("/quirks/error-alias-needs-attention", ensure_alice,
                              test_error_alias_needs_attention);
  g_test_add_func ("/quirks/device-declined-is-cancelled", test_device_declined_is_cancelled);
  g_test_add_func ("/quirks/device-scopes", test_device_scopes);
  g_test_add_func ("/quirks/reauthenticate-scopes", test_reauthenticate_scopes);
  sesame_test_add_with_setup ("/quirks/flow-follows-sign-in", ensure_alice,
                              test_flow_follows_sign_in);
  g_test_add_func ("/quirks/one-resource-per-token", test_one_resource_per_token);
  g_test_add_func ("/quirks/device-client-revokes", test_device_client_revokes);
  status = g_test_run ();

  sesame_test_agent_free (agent);
  sesame_test_env_stop_broker (env);
  sesame_test_env_free (env);
  g_free (alice);
  return status;
}
