/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-broker.c: every member of the D-Bus contract against the real broker,
 * keyring and identity provider */
#include "config.h"

#include <libsecret/secret.h>
#include <libsoup/soup.h>

#include "sesame-bus-names.h"
#include "sesame-test-agent.h"
#include "sesame-test-env.h"

static SesameTestEnv *env;
static SesameTestAgent *agent;
static GPtrArray *seen_tokens;     /* every token handed out, to look for leaks */
static char *alice;                /* alice's account path */


static char *
add_account (const char *provider,
             GVariant   *options,
             GError    **error)
{
  return sesame_test_env_add_account (env, provider, NULL, options, error);
}

static char *
get_token (const char         *path,
           const char * const *scopes,
           gint64             *expires_at,
           GError            **error)
{
  char *token = sesame_test_env_get_token (env, path, scopes, expires_at, error);

  if (token != NULL)
    g_ptr_array_add (seen_tokens, g_strdup (token));
  return token;
}

/* Alice's account, as /broker/add-account adds it, and the agent signing in
 * as her. */
static void
ensure_alice (void)
{
  g_autoptr(GError) error = NULL;

  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "alice");
  if (alice == NULL)
    {
      alice = add_account ("testidp", NULL, &error);
      g_assert_no_error (error);
    }
}

/* A token handed out, to look for in the files. */
static void
ensure_token_seen (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  if (seen_tokens->len == 0)
    {
      ensure_alice ();
      token = get_token (alice, NULL, NULL, &error);
      g_assert_no_error (error);
    }
}

static char *
keyring_secret (const char *path)
{
  g_autofree char *id = sesame_test_env_string_property (env, path, "Id");

  return sesame_test_env_keyring_secret (env, id);
}

/* Whether Remove can withdraw access, and where a person does it by hand:
 * the test provider revokes (RFC 7009, from discovery); of the installed
 * ones Microsoft cannot, and GitHub does by deleting the grant. */
static void
check_removal_keys (GVariant   *dict,
                    const char *id)
{
  g_autoptr(GVariant) services = g_variant_lookup_value (dict, "services", G_VARIANT_TYPE ("as"));
  const char *manage_url = NULL;
  gboolean revokes;

  g_assert_true (g_variant_lookup (dict, "revokes", "b", &revokes));
  g_assert_true (g_variant_lookup (dict, "manage-url", "&s", &manage_url));
  g_assert_nonnull (services);
  if (g_str_equal (id, "testidp"))
    {
      g_assert_true (revokes);
      g_assert_cmpstr (manage_url, ==, SESAME_TEST_MANAGE_URL);
      g_assert_cmpuint (g_variant_n_children (services), ==, 0);
    }
  else if (g_str_equal (id, "microsoft"))
    {
      g_assert_false (revokes);
      g_assert_cmpstr (manage_url, ==, "https://account.live.com/consent/Manage");
    }
  else if (g_str_equal (id, "github"))
    {
      g_assert_true (revokes);
      g_assert_cmpstr (manage_url, ==, "https://github.com/settings/applications");
    }
}

static void
test_version_and_providers (void)
{
  g_autoptr(GVariant) version = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) providers = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *printed = NULL;
  gboolean found_test = FALSE, found_template = FALSE;

  version = sesame_test_env_call (env, SESAME_BROKER_PATH, "org.freedesktop.DBus.Properties", "Get",
                                  g_variant_new ("(ss)", SESAME_BROKER_IFACE, "Version"), "(v)",
                                  &error);
  g_assert_no_error (error);
  printed = g_variant_print (version, FALSE);
  g_assert_cmpstr (printed, ==, "(<uint32 1>,)");

  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "ListProviders", NULL,
                                "(aa{sv})", &error);
  g_assert_no_error (error);
  providers = g_variant_get_child_value (reply, 0);
  for (gsize i = 0; i < g_variant_n_children (providers); i++)
    {
      g_autoptr(GVariant) dict = g_variant_get_child_value (providers, i);
      g_autofree const char **flows = NULL;
      g_autoptr(GVariant) scopes = NULL;
      g_autoptr(GVariant) hosts = NULL;
      const char *id, *name;
      gboolean configured, template;

      g_assert_true (g_variant_lookup (dict, "id", "&s", &id));
      g_assert_true (g_variant_lookup (dict, "name", "&s", &name));
      g_assert_true (g_variant_lookup (dict, "configured", "b", &configured));
      g_assert_true (g_variant_lookup (dict, "template", "b", &template));
      g_assert_true (g_variant_lookup (dict, "flows", "^a&s", &flows));
      scopes = g_variant_lookup_value (dict, "scopes", G_VARIANT_TYPE ("a{ss}"));
      hosts = g_variant_lookup_value (dict, "git-hosts", G_VARIANT_TYPE ("as"));
      g_assert_nonnull (scopes);
      g_assert_nonnull (hosts);
      if (g_str_equal (id, "testidp"))
        {
          found_test = TRUE;
          g_assert_cmpstr (name, ==, "Test Provider");
          g_assert_true (configured);
          /* Derived from discovery. */
          g_assert_true (g_strv_contains (flows, "authorization_code"));
          g_assert_true (g_strv_contains (flows, "device_code"));
          g_assert_true (g_strv_contains (flows, "client_credentials"));
        }
      if (g_str_equal (id, "openid-connect"))
        found_template = template;
      check_removal_keys (dict, id);
    }
  g_assert_true (found_test);
  g_assert_true (found_template);
}

static void
test_add_account (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *identity = NULL;
  g_autofree char *token = NULL;
  g_autofree char *email = NULL;
  g_autoptr(GVariant) scopes = NULL;
  g_autofree const char **scope_list = NULL;
  const char *redirect, *user_agent;
  g_autoptr(GUri) redirect_uri = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 expires_at = 0;

  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "alice");
  alice = add_account ("testidp", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (alice, SESAME_ACCOUNTS_PATH));

  /* What the agent was shown. */
  g_assert_cmpuint (agent->n_authorize, ==, 1);
  g_assert_true (g_variant_lookup (agent->last_details, "redirect-uri", "&s", &redirect));
  g_assert_true (g_variant_lookup (agent->last_details, "user-agent", "&s", &user_agent));
  g_assert_cmpstr (user_agent, ==, "embedded");
  redirect_uri = g_uri_parse (redirect, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_uri_get_host (redirect_uri), ==, "127.0.0.1");
  g_assert_cmpint (g_uri_get_port (redirect_uri), >, 0);

  identity = sesame_test_env_string_property (env, alice, "Identity");
  g_assert_cmpstr (identity, ==, "alice@example.test");
  scopes = sesame_test_env_get_property (env, alice, "Scopes");
  scope_list = g_variant_get_strv (scopes, NULL);
  g_assert_true (g_strv_contains (scope_list, "openid"));
  g_assert_true (g_strv_contains (scope_list, "offline_access"));
  g_assert_cmpint (sesame_test_env_int_property (env, alice, "ExpiresAt"), >, now);
  g_assert_cmpint (sesame_test_env_int_property (env, alice, "CreatedAt"), >=, now - 5);
  g_assert_false (sesame_test_env_bool_property (env, alice, "AttentionNeeded"));
  sesame_test_env_assert_string_property (env, alice, "Flow", "authorization_code");
  sesame_test_env_assert_string_property (env, alice, "ProviderName", "Test Provider");
  sesame_test_env_assert_string_property (env, alice, "Provider", "testidp");

  /* The token works at the provider. */
  token = get_token (alice, NULL, &expires_at, &error);
  g_assert_no_error (error);
  g_assert_cmpint (expires_at, ==, sesame_test_env_int_property (env, alice, "ExpiresAt"));
  email = sesame_test_env_userinfo_email (env, token);
  g_assert_cmpstr (email, ==, "alice@example.test");
}

/* The whole grant's token is served from memory; a host program asking for
 * less gets a token of its own, by one refresh with exactly that scope
 * (DESIGN.md, Tokens per scope set), cached for that set. */
static void
test_cached_token (void)
{
  g_autoptr(GError) error = NULL;
  gint64 before = sesame_test_env_idp_count (env, "refresh_token");
  g_autofree char *first = get_token (alice, NULL, NULL, &error);
  g_autofree char *again = NULL;
  g_autofree char *narrow = NULL;
  g_autofree char *narrow_again = NULL;
  g_autofree char *asked = NULL;
  g_autofree char *carried = NULL;
  const char *subset[] = { "email", NULL };

  g_assert_no_error (error);
  again = get_token (alice, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, again);
  g_assert_cmpint (sesame_test_env_idp_count (env, "refresh_token"), ==, before);

  narrow = get_token (alice, subset, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (narrow, !=, first);
  g_assert_cmpint (sesame_test_env_idp_count (env, "refresh_token"), ==, before + 1);
  asked = sesame_test_env_last_refresh_scope (env);
  g_assert_cmpstr (asked, ==, "email");
  carried = sesame_test_env_token_scope (env, narrow);
  g_assert_cmpstr (carried, ==, "email");

  narrow_again = get_token (alice, subset, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (narrow_again, ==, narrow);
  g_assert_cmpint (sesame_test_env_idp_count (env, "refresh_token"), ==, before + 1);
}

/* The narrow refresh rotated the refresh token: the rotated one is in the
 * keyring, so the whole grant still refreshes after a restart. */
static void
test_narrow_refresh_keeps_rotation (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *narrow = NULL;
  const char *subset[] = { "openid", "email", NULL };

  narrow = get_token (alice, subset, NULL, &error);
  g_assert_no_error (error);
  sesame_test_env_stop_broker (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
  reply = sesame_test_env_call (env, alice, SESAME_ACCOUNT_IFACE, "Refresh", NULL, "(x)", &error);
  g_assert_no_error (error);
  g_assert_false (sesame_test_env_bool_property (env, alice, "AttentionNeeded"));
}

static void
test_same_identity_updates (void)
{
  g_autoptr(GError) error = NULL;
  guint before = sesame_test_env_count_accounts (env);
  g_autofree char *again = add_account ("testidp", NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, alice);
  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, before);
}

static void
test_refresh (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *old = get_token (alice, NULL, NULL, &error);
  g_autofree char *fresh = NULL;
  gint64 before = sesame_test_env_idp_count (env, "refresh_token");
  gint64 expires_at;

  reply = sesame_test_env_call (env, alice, SESAME_ACCOUNT_IFACE, "Refresh", NULL, "(x)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(x)", &expires_at);
  g_assert_cmpint (expires_at, >, g_get_real_time () / G_USEC_PER_SEC);
  g_assert_cmpint (sesame_test_env_idp_count (env, "refresh_token"), ==, before + 1);
  fresh = get_token (alice, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fresh, !=, old);
  g_assert_cmpint (sesame_test_env_idp_count (env, "refresh_token"), ==, before + 1);
}

static void
test_restart_keeps_accounts (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before_token = get_token (alice, NULL, NULL, &error);
  g_autofree char *after_token = NULL;
  g_autoptr(GVariant) reply = NULL;
  guint before = sesame_test_env_count_accounts (env);
  gint64 refreshes;

  sesame_test_env_stop_broker (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, before);
  sesame_test_env_assert_string_property (env, alice, "Identity", "alice@example.test");

  /* From the keyring, without the provider. */
  refreshes = sesame_test_env_idp_count (env, "refresh_token");
  after_token = get_token (alice, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (after_token, ==, before_token);
  g_assert_cmpint (sesame_test_env_idp_count (env, "refresh_token"), ==, refreshes);

  /* The rotated refresh token was kept: refresh, restart, refresh again. */
  reply = sesame_test_env_call (env, alice, SESAME_ACCOUNT_IFACE, "Refresh", NULL, "(x)", &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);
  sesame_test_env_stop_broker (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
  reply = sesame_test_env_call (env, alice, SESAME_ACCOUNT_IFACE, "Refresh", NULL, "(x)", &error);
  g_assert_no_error (error);
  g_assert_false (sesame_test_env_bool_property (env, alice, "AttentionNeeded"));
}

static void
test_bad_input (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) many = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GVariant) reply = NULL;
  const char *spaced[] = { "email profile", NULL };
  const char *not_granted[] = { "api:write", NULL };
  GVariantDict options;

  g_assert_null (add_account ("no-such-provider", NULL, &error));
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  g_clear_error (&error);

  for (guint i = 0; i < 10000; i++)
    g_ptr_array_add (many, g_strdup_printf ("scope%u", i));
  g_ptr_array_add (many, NULL);
  reply = sesame_test_env_call (env, alice, SESAME_ACCOUNT_IFACE, "GetAccessToken",
                                g_variant_new ("(^as)", (char **) many->pdata), "(sx)", &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  g_clear_error (&error);

  reply = sesame_test_env_call (env, alice, SESAME_ACCOUNT_IFACE, "GetAccessToken",
                                g_variant_new ("(^as)", spaced), "(sx)", &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  g_clear_error (&error);

  reply = sesame_test_env_call (env, alice, SESAME_ACCOUNT_IFACE, "GetAccessToken",
                                g_variant_new ("(^as)", not_granted), "(sx)",
                                &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.ScopeNotGranted");
  g_clear_error (&error);

  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "flow", "u", 7);
  g_assert_null (add_account ("testidp", g_variant_dict_end (&options), &error));
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  g_clear_error (&error);

  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "flow", "s", "implicit");
  g_assert_null (add_account ("testidp", g_variant_dict_end (&options), &error));
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  g_clear_error (&error);

  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "FinishDeviceSignIn",
                                g_variant_new ("(s)", "nope"), "(o)", &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  g_clear_error (&error);

  /* Still up, nothing lost. */
  sesame_test_env_assert_string_property (env, alice, "Identity", "alice@example.test");
}

static void
test_sign_in_refused (void)
{
  g_autoptr(GError) error = NULL;
  guint before = sesame_test_env_count_accounts (env);

  sesame_test_agent_set (agent, SESAME_TEST_AGENT_FORGE_STATE, "mallory");
  g_assert_null (add_account ("testidp", NULL, &error));
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.Provider");
  g_clear_error (&error);

  sesame_test_agent_set (agent, SESAME_TEST_AGENT_CANCEL, "mallory");
  g_assert_null (add_account ("testidp", NULL, &error));
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.Cancelled");
  g_clear_error (&error);

  sesame_test_agent_set (agent, SESAME_TEST_AGENT_DENY, "mallory");
  g_assert_null (add_account ("testidp", NULL, &error));
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.Cancelled");
  g_clear_error (&error);

  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, before);
}

static gboolean
port_is_open (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  return connection != NULL;
}

static void
test_browser_sign_in (void)
{
  g_autofree char *path = g_build_filename (env->config_dir, "sesame", "providers",
                                            "testbrowser.json", NULL);
  g_autofree char *definition = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) redirect = NULL;
  g_autofree char *bob = NULL;
  const char *user_agent, *redirect_uri;
  guint cancels = agent->n_cancel;

  /* A provider that wants the system browser, as Google does; the broker
   * reads provider files at start. */
  definition = g_strdup_printf ("{\"name\": \"Browser Provider\", \"issuer\": \"%s\", "
                                "\"client-id\": \"sesame-test\", \"user-agent\": \"browser\", "
                                "\"default-scopes\": [\"openid\", \"email\", \"offline_access\"]}",
                                env->issuer);
  g_file_set_contents (path, definition, -1, &error);
  g_assert_no_error (error);
  sesame_test_env_stop_broker (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);

  /* The person's browser loads the loopback redirect; the broker takes it
   * and tells the agent to close its window. */
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_BROWSER, "bob");
  bob = add_account ("testbrowser", NULL, &error);
  g_assert_no_error (error);
  sesame_test_env_assert_string_property (env, bob, "Identity", "bob@example.test");
  g_assert_cmpuint (agent->n_cancel, ==, cancels + 1);

  g_assert_true (g_variant_lookup (agent->last_details, "user-agent", "&s", &user_agent));
  g_assert_cmpstr (user_agent, ==, "browser");
  g_assert_true (g_variant_lookup (agent->last_details, "redirect-uri", "&s", &redirect_uri));
  redirect = g_uri_parse (redirect_uri, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_uri_get_port (redirect), >, 0);
  g_assert_cmpint (g_uri_get_port (redirect), !=, 80);
  /* The listener took connections on loopback only, IPv4 … */
  g_assert_cmpstr (agent->listening, ==, "127.0.0.1");
  /* A forged state was refused before the real callback was taken… */
  g_assert_cmpuint (agent->forged_status, ==, 400);
  /* …and the listener is gone. */
  g_assert_false (port_is_open (g_uri_get_port (redirect)));
}

/* Issue 21: calls that need the provider's endpoints, made as the broker
 * starts, wait for its discovery instead of failing for want of it; the
 * provider takes its time to answer it here. */
static void
test_calls_wait_for_discovery (void)
{
  const char *none[] = { NULL };
  g_autoptr(JsonNode) slow = sesame_test_env_idp_request (env, "POST",
                                                          "/_test/discovery-delay?ms=1500");
  g_autoptr(JsonNode) fast = NULL;
  g_autoptr(GVariant) begun = NULL;
  g_autoptr(GVariant) cancelled = NULL;
  g_autoptr(GVariant) refreshed = NULL;
  g_autoptr(GError) error = NULL;
  const char *request = NULL;

  g_assert_nonnull (slow);
  sesame_test_env_stop_broker (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
  begun = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "BeginDeviceSignIn",
                                g_variant_new ("(s^as@a{sv})", "testidp", none,
                                               g_variant_new_array (G_VARIANT_TYPE ("{sv}"),
                                                                    NULL, 0)),
                                "(sa{sv})", &error);
  g_assert_no_error (error);
  g_variant_get (begun, "(&s@a{sv})", &request, NULL);
  cancelled = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE,
                                    "CancelDeviceSignIn", g_variant_new ("(s)", request), NULL,
                                    &error);
  g_assert_no_error (error);

  sesame_test_env_stop_broker (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
  refreshed = sesame_test_env_call (env, alice, SESAME_ACCOUNT_IFACE, "Refresh", NULL, "(x)",
                                    &error);
  g_assert_no_error (error);
  fast = sesame_test_env_idp_request (env, "POST", "/_test/discovery-delay?ms=0");
  g_assert_nonnull (fast);
}

static GDBusConnection *
second_connection (void)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection =
    g_dbus_connection_new_for_address_sync (env->bus_address,
                                            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                            G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                            NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_set_exit_on_close (connection, FALSE);
  return connection;
}

static void
test_no_agent (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "UnregisterAgent",
                                g_variant_new ("(o)", "/dev/sesame/TestAgent"),
                                NULL, &error);
  g_assert_no_error (error);
  g_assert_null (add_account ("testidp", NULL, &error));
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.NoAgent");
  g_clear_error (&error);

  /* An agent whose name left the bus is no agent either. */
  {
    g_autoptr(GDBusConnection) other = second_connection ();
    g_autoptr(GVariant) registered = NULL;

    registered = g_dbus_connection_call_sync (other, SESAME_BROKER_BUS_NAME, SESAME_BROKER_PATH,
                                              SESAME_BROKER_IFACE, "RegisterAgent",
                                              g_variant_new ("(o)", "/dev/sesame/GoneAgent"),
                                              NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
    g_assert_no_error (error);
    g_dbus_connection_close_sync (other, NULL, NULL);
  }
  g_assert_null (add_account ("testidp", NULL, &error));
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.NoAgent");
  sesame_test_agent_register (agent);
}

static void
test_caller_leaves (void)
{
  g_autoptr(GDBusConnection) other = second_connection ();
  const char *empty[] = { NULL };
  guint authorizes = agent->n_authorize;
  guint cancels = agent->n_cancel;
  guint before = sesame_test_env_count_accounts (env);

  /* A caller that gives up on its AddAccount: the agent is told. */
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_HOLD, "frank");
  g_dbus_connection_call (other, SESAME_BROKER_BUS_NAME, SESAME_BROKER_PATH, SESAME_BROKER_IFACE,
                          "AddAccount",
                          g_variant_new ("(s^as@a{sv})", "testidp", empty,
                                         g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0)),
                          G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
  while (agent->n_authorize == authorizes)
    g_main_context_iteration (NULL, TRUE);
  g_dbus_connection_close_sync (other, NULL, NULL);
  while (agent->n_cancel == cancels)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (agent->held);
  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, before);
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "alice");
}

static char *
begin_device_sign_in (GVariant **details)
{
  const char *none[] = { NULL };
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  char *request;

  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "BeginDeviceSignIn",
                                g_variant_new ("(s^as@a{sv})", "testidp", none,
                                g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0)),
                                "(sa{sv})", &error);
  g_assert_no_error (error);
  /* Callers begin several in a row with one variable. */
  g_clear_pointer (details, g_variant_unref);
  g_variant_get (reply, "(s@a{sv})", &request, details);
  return request;
}

static void
test_device_sign_ins_are_bounded (void)
{
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func (g_free);
  const char *none[] = { NULL };
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  /* A caller piling up device sign-ins is stopped, then may go on once it
   * cancels one. */
  for (guint i = 0; i < 8; i++)
    {
      g_autoptr(GVariant) details = NULL;
      g_ptr_array_add (requests, begin_device_sign_in (&details));
    }
  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "BeginDeviceSignIn",
                                g_variant_new ("(s^as@a{sv})", "testidp", none,
                                g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0)),
                                "(sa{sv})", &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  g_clear_error (&error);
  for (guint i = 0; i < requests->len; i++)
    {
      g_autoptr(GVariant) G_GNUC_UNUSED cancelled = sesame_test_env_call (env, SESAME_BROKER_PATH,
                                                            SESAME_BROKER_IFACE,
                                                            "CancelDeviceSignIn",
                                                            g_variant_new ("(s)", requests->pdata[i]), NULL,
                                                            &error);
      g_assert_no_error (error);
    }
  {
    g_autoptr(GVariant) details = NULL;
    g_autofree char *again = begin_device_sign_in (&details);
    g_autoptr(GVariant) G_GNUC_UNUSED cancelled = sesame_test_env_call (env, SESAME_BROKER_PATH,
                                                          SESAME_BROKER_IFACE,
                                                          "CancelDeviceSignIn",
                                                          g_variant_new ("(s)", again), NULL, &error);
    g_assert_no_error (error);
  }
}

static void
test_device_request_belongs_to_caller (void)
{
  g_autoptr(GDBusConnection) other = second_connection ();
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *request = NULL;
  const char *none[] = { NULL };

  reply = g_dbus_connection_call_sync (other, SESAME_BROKER_BUS_NAME, SESAME_BROKER_PATH,
                                       SESAME_BROKER_IFACE, "BeginDeviceSignIn",
                                       g_variant_new ("(s^as@a{sv})", "testidp", none,
                                                      g_variant_new_array (G_VARIANT_TYPE ("{sv}"),
                                                                           NULL, 0)),
                                       G_VARIANT_TYPE ("(sa{sv})"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(s@a{sv})", &request, &details);

  /* Someone else may not finish it… */
  g_clear_pointer (&reply, g_variant_unref);
  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "FinishDeviceSignIn",
                                g_variant_new ("(s)", request), "(o)", &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  g_clear_error (&error);

  /* …and it ends when its caller leaves the bus. */
  g_dbus_connection_close_sync (other, NULL, NULL);
  {
    gboolean never = FALSE;
    sesame_test_wait_for (&never, 300);
  }
  g_clear_pointer (&reply, g_variant_unref);
  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "CancelDeviceSignIn",
                                g_variant_new ("(s)", request), NULL, &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
}

static void
test_device_sign_in (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) details = NULL;
  g_autofree char *request = NULL;
  g_autofree char *path = NULL;
  const char *complete = NULL, *user_code = NULL, *uri = NULL;
  gint64 expires_at;
  guint32 interval;

  request = begin_device_sign_in (&details);
  g_assert_true (g_variant_lookup (details, "verification-uri", "&s", &uri));
  g_assert_true (g_variant_lookup (details, "verification-uri-complete", "&s", &complete));
  g_assert_true (g_variant_lookup (details, "user-code", "&s", &user_code));
  g_assert_true (g_variant_lookup (details, "expires-at", "x", &expires_at));
  g_assert_true (g_variant_lookup (details, "interval", "u", &interval));
  g_assert_cmpint (expires_at, >, g_get_real_time () / G_USEC_PER_SEC);

  path = sesame_test_env_finish_device_sign_in (env, request, details, "dave", &error);
  g_assert_no_error (error);
  sesame_test_env_assert_string_property (env, path, "Identity", "dave@example.test");
  sesame_test_env_assert_string_property (env, path, "Flow", "device_code");
}

static void
test_device_denied_and_cancelled (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) details = NULL;
  g_autofree char *request = NULL;
  g_autofree char *out = NULL;
  const char *complete = NULL;

  request = begin_device_sign_in (&details);
  g_assert_true (g_variant_lookup (details, "verification-uri-complete", "&s", &complete));
  {
    const char *args[] = { "--device", "--deny", "--login", "erin", complete, NULL };
    out = sesame_test_env_run_person (args, &error);
    g_assert_no_error (error);
  }
  g_clear_pointer (&reply, g_variant_unref);
  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "FinishDeviceSignIn",
                                g_variant_new ("(s)", request), "(o)", &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.Cancelled");
  g_clear_error (&error);

  /* Cancelled before finishing: the request is gone. */
  g_clear_pointer (&request, g_free);
  g_clear_pointer (&details, g_variant_unref);
  g_clear_pointer (&reply, g_variant_unref);
  request = begin_device_sign_in (&details);
  g_clear_pointer (&reply, g_variant_unref);
  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "CancelDeviceSignIn",
                                g_variant_new ("(s)", request), NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);
  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "FinishDeviceSignIn",
                                g_variant_new ("(s)", request), "(o)", &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
}

static GVariant *
client_credentials_options (const char *client_id,
                            const char *secret)
{
  GVariantDict options;

  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "flow", "s", "client_credentials");
  g_variant_dict_insert (&options, "client-id", "s", client_id);
  if (secret != NULL)
    g_variant_dict_insert (&options, "client-secret", "s", secret);
  return g_variant_dict_end (&options);
}

static void
test_client_credentials (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *again = NULL;
  g_autofree char *token = NULL;
  gint64 before;

  g_assert_null (add_account ("testidp", client_credentials_options ("sesame-confidential", NULL),
                              &error));
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  g_clear_error (&error);

  g_assert_null (add_account ("testidp", client_credentials_options ("sesame-confidential",
                                                                     "not-the-secret"), &error));
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.Provider");
  g_assert_null (strstr (error->message, "not-the-secret"));
  g_clear_error (&error);

  before = sesame_test_env_idp_count (env, "client_credentials");
  path = add_account ("testidp", client_credentials_options ("sesame-confidential",
                                                             "sesame-test-secret"), &error);
  g_assert_no_error (error);
  sesame_test_env_assert_string_property (env, path, "Identity", "sesame-confidential");
  sesame_test_env_assert_string_property (env, path, "Flow", "client_credentials");
  token = get_token (path, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sesame_test_env_idp_count (env, "client_credentials"), ==, before + 1);

  /* The same client id again: the secret is replaced, no duplicate. */
  again = add_account ("testidp", client_credentials_options ("sesame-confidential",
                                                              "sesame-test-secret"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, path);
  g_assert_false (sesame_test_env_files_contain (env, "sesame-test-secret"));
}

static void
test_revoked_grant_needs_attention (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(JsonNode) revoked = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *token = NULL;

  revoked = sesame_test_env_idp_request (env, "POST", "/_test/revoke-account?account=alice");
  reply = sesame_test_env_call (env, alice, SESAME_ACCOUNT_IFACE, "Refresh", NULL, "(x)", &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.NeedsAttention");
  g_clear_error (&error);
  g_assert_true (sesame_test_env_bool_property (env, alice, "AttentionNeeded"));
  reason = sesame_test_env_string_property (env, alice, "AttentionReason");
  g_assert_cmpstr (reason, !=, "");

  token = get_token (alice, NULL, NULL, &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.NeedsAttention");
  g_clear_error (&error);

  /* Signing in again mends it. */
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "alice");
  g_clear_pointer (&reply, g_variant_unref);
  {
    const char *more[] = { "profile", NULL };
    reply = sesame_test_env_call (env, alice, SESAME_ACCOUNT_IFACE, "Reauthenticate",
                                  g_variant_new ("(^as)", more), NULL, &error);
  }
  g_assert_no_error (error);
  g_assert_false (sesame_test_env_bool_property (env, alice, "AttentionNeeded"));
  {
    g_autoptr(GVariant) scopes = sesame_test_env_get_property (env, alice, "Scopes");
    g_autofree const char **list = g_variant_get_strv (scopes, NULL);
    g_assert_true (g_strv_contains (list, "profile"));
    g_assert_true (g_strv_contains (list, "offline_access"));
  }
  g_clear_pointer (&token, g_free);
  token = get_token (alice, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
on_interfaces_removed (GDBusConnection *connection,
                       const char      *sender,
                       const char      *path,
                       const char      *interface,
                       const char      *signal,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  (*(guint *) user_data)++;
}

static void
test_remove (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *secret = keyring_secret (alice);
  gint64 revocations = sesame_test_env_idp_count (env, "revocation");
  guint before = sesame_test_env_count_accounts (env);
  guint removed = 0;
  gboolean done = FALSE;
  guint subscription;

  g_assert_nonnull (secret);
  subscription = g_dbus_connection_signal_subscribe (env->connection, NULL,
                                                     "org.freedesktop.DBus.ObjectManager",
                                                     "InterfacesRemoved", SESAME_BROKER_PATH, NULL,
                                                     G_DBUS_SIGNAL_FLAGS_NONE,
                                                     on_interfaces_removed, &removed, NULL);
  reply = sesame_test_env_call (env, alice, SESAME_ACCOUNT_IFACE, "Remove", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sesame_test_env_idp_count (env, "revocation"), ==, revocations + 1);
  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, before - 1);
  sesame_test_wait_for (&done, 200);
  g_assert_cmpuint (removed, ==, 1);
  g_dbus_connection_signal_unsubscribe (env->connection, subscription);

  /* The keyring item is gone; the grant no longer works at the provider. */
  {
    g_autofree char *id = g_path_get_basename (alice);
    g_autofree char *left = sesame_test_env_keyring_secret (env, id);

    g_assert_null (left);
  }
  /* Gone: a later case that needs her adds her again. */
  g_clear_pointer (&alice, g_free);
}

static void
test_no_token_in_files (void)
{
  /* Logs and metadata hold no token; the keyring file is encrypted. */
  for (guint i = 0; i < seen_tokens->len; i++)
    g_assert_false (sesame_test_env_files_contain (env, seen_tokens->pdata[i]));
}

/* A provider without revocation: Remove deletes the account here and
 * succeeds, the provider is not contacted (its token still works there),
 * and ListProviders said so beforehand. */
static void
test_remove_unrevocable (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *path = NULL;
  g_autofree char *token = NULL;
  g_autofree char *email = NULL;
  gint64 revocations;
  guint before;

  sesame_test_env_write_unrevocable_provider (env, "plainidp");
  sesame_test_env_stop_broker (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "bob");
  path = add_account ("plainidp", NULL, &error);
  g_assert_no_error (error);
  token = get_token (path, NULL, NULL, &error);
  g_assert_no_error (error);

  sesame_test_env_stop_broker (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
  before = sesame_test_env_count_accounts (env);
  revocations = sesame_test_env_idp_count (env, "revocation");
  reply = sesame_test_env_call (env, path, SESAME_ACCOUNT_IFACE, "Remove", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sesame_test_env_idp_count (env, "revocation"), ==, revocations);
  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, before - 1);
  email = sesame_test_env_userinfo_email (env, token);
  g_assert_cmpstr (email, ==, "bob@example.test");
}

/* The provider cannot be reached: the account is gone here all the same,
 * and the answer says where to withdraw the access by hand. */
static void
test_remove_revocation_failed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  guint before = sesame_test_env_count_accounts (env);

  sesame_test_env_stop_idp (env);
  reply = sesame_test_env_call (env, alice, SESAME_ACCOUNT_IFACE, "Remove", NULL, NULL, &error);
  sesame_test_env_start_idp (env);
  g_assert_nonnull (error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.Network");
  g_assert_nonnull (strstr (error->message, SESAME_TEST_MANAGE_URL));
  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, before - 1);
  g_clear_pointer (&alice, g_free);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  env = sesame_test_env_new (3600);
  sesame_test_env_start_broker (env);
  agent = sesame_test_agent_new (env);
  sesame_test_agent_register (agent);
  seen_tokens = g_ptr_array_new_with_free_func (g_free);

  g_test_add_func ("/broker/version-and-providers", test_version_and_providers);
  g_test_add_func ("/broker/add-account", test_add_account);
  sesame_test_add_with_setup ("/broker/cached-token", ensure_alice, test_cached_token);
  sesame_test_add_with_setup ("/broker/narrow-refresh-keeps-rotation", ensure_alice,
                              test_narrow_refresh_keeps_rotation);
  sesame_test_add_with_setup ("/broker/same-identity-updates", ensure_alice,
                              test_same_identity_updates);
  sesame_test_add_with_setup ("/broker/refresh", ensure_alice, test_refresh);
  sesame_test_add_with_setup ("/broker/restart-keeps-accounts", ensure_alice,
                              test_restart_keeps_accounts);
  sesame_test_add_with_setup ("/broker/calls-wait-for-discovery", ensure_alice,
                              test_calls_wait_for_discovery);
  sesame_test_add_with_setup ("/broker/bad-input", ensure_alice, test_bad_input);
  g_test_add_func ("/broker/sign-in-refused", test_sign_in_refused);
  g_test_add_func ("/broker/browser-sign-in", test_browser_sign_in);
  g_test_add_func ("/broker/no-agent", test_no_agent);
  g_test_add_func ("/broker/caller-leaves", test_caller_leaves);
  g_test_add_func ("/broker/device-sign-in", test_device_sign_in);
  g_test_add_func ("/broker/device-sign-ins-are-bounded", test_device_sign_ins_are_bounded);
  g_test_add_func ("/broker/device-request-belongs-to-caller",
                   test_device_request_belongs_to_caller);
  g_test_add_func ("/broker/device-denied-and-cancelled", test_device_denied_and_cancelled);
  g_test_add_func ("/broker/client-credentials", test_client_credentials);
  sesame_test_add_with_setup ("/broker/revoked-grant-needs-attention", ensure_alice,
                              test_revoked_grant_needs_attention);
  sesame_test_add_with_setup ("/broker/remove", ensure_alice, test_remove);
  g_test_add_func ("/broker/remove/unrevocable", test_remove_unrevocable);
  sesame_test_add_with_setup ("/broker/remove/revocation-failed", ensure_alice,
                              test_remove_revocation_failed);
  sesame_test_add_with_setup ("/broker/no-token-in-files", ensure_token_seen,
                              test_no_token_in_files);
  status = g_test_run ();

  sesame_test_agent_free (agent);
  sesame_test_env_stop_broker (env);
  sesame_test_env_free (env);
  g_ptr_array_unref (seen_tokens);
  g_free (alice);
  return status;
}
