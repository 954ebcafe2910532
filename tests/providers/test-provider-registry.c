/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-provider-registry.c: provider files, overrides, discovery and added issuers */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "sesame-error.h"
#include "sesame-provider-registry.h"

#define GOOD_DEFINITION(name) \
  "{ \"name\": \"" name "\"," \
  "  \"authorization-endpoint\": \"https://id.example.com/authorize\"," \
  "  \"token-endpoint\": \"https://id.example.com/token\"," \
  "  \"revocation-endpoint\": \"https://id.example.com/revoke\"," \
  "  \"client-id\": \"installed-client\"," \
  "  \"scopes\": { \"read\": \"Read\", \"write\": \"Write\" }," \
  "  \"default-scopes\": [\"read\"] }"

#define TEMPLATE_DEFINITION \
  "{ \"name\": \"OpenID Connect\", \"template\": true, \"icon-name\": \"template-icon\" }"

typedef struct {
  char *user_dir;
  char *system_dirs[3];
  SesameProviderRegistry *registry;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  /* G_TEST_OPTION_ISOLATE_DIRS gives every test its own, removed after it. */
  fixture->user_dir = g_build_filename (g_get_user_config_dir (), "sesame", "providers", NULL);
  fixture->system_dirs[0] = g_build_filename (g_get_user_data_dir (), "first", NULL);
  fixture->system_dirs[1] = g_build_filename (g_get_user_data_dir (), "second", NULL);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpint (g_mkdir_with_parents (fixture->system_dirs[i], 0700), ==, 0);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->registry);
  g_free (fixture->user_dir);
  for (guint i = 0; i < 2; i++)
    g_free (fixture->system_dirs[i]);
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static SesameProviderRegistry *
load (Fixture *fixture)
{
  g_clear_object (&fixture->registry);
  fixture->registry = sesame_provider_registry_new_for_dirs (
    fixture->user_dir, (const char * const *) fixture->system_dirs);
  sesame_provider_registry_load (fixture->registry);
  return fixture->registry;
}

static guint
count_problems (SesameProviderRegistry *registry)
{
  return g_strv_length ((char **) sesame_provider_registry_get_problems (registry));
}

/* The single problem, which must name @file_name. */
static void
assert_one_problem (SesameProviderRegistry *registry,
                    const char             *file_name)
{
  const char * const *problems = sesame_provider_registry_get_problems (registry);

  g_assert_cmpuint (count_problems (registry), ==, 1);
  g_test_message ("%s", problems[0]);
  g_assert_nonnull (strstr (problems[0], file_name));
}

static void
test_user_overrides_field (Fixture       *fixture,
                           gconstpointer  user_data)
{
  SesameProvider *provider;

  write_file (fixture->system_dirs[0], "example.json", GOOD_DEFINITION ("Example"));
  write_file (fixture->user_dir, "example.json", "{ \"client-id\": \"my-own-client\" }");
  load (fixture);

  g_assert_cmpuint (count_problems (fixture->registry), ==, 0);
  provider = sesame_provider_registry_lookup (fixture->registry, "example");
  g_assert_nonnull (provider);
  g_assert_cmpstr (sesame_provider_get_client_id (provider), ==, "my-own-client");
  g_assert_cmpstr (sesame_provider_get_name (provider), ==, "Example");
  g_assert_cmpstr (sesame_provider_get_token_endpoint (provider), ==,
                   "https://id.example.com/token");
  g_assert_true (g_strv_equal (sesame_provider_get_scopes (provider),
                               (const char *[]) { "read", "write", NULL }));
}

static void
test_user_replaces_objects (Fixture       *fixture,
                            gconstpointer  user_data)
{
  SesameProvider *provider;

  write_file (fixture->system_dirs[0], "example.json", GOOD_DEFINITION ("Example"));
  write_file (fixture->user_dir, "example.json",
              "{ \"id\": \"example\", \"scopes\": { \"write\": \"Change\" },"
              "  \"revocation-endpoint\": null }");
  load (fixture);

  g_assert_cmpuint (count_problems (fixture->registry), ==, 0);
  provider = sesame_provider_registry_lookup (fixture->registry, "example");
  g_assert_true (g_strv_equal (sesame_provider_get_scopes (provider),
                               (const char *[]) { "write", NULL }));
  g_assert_cmpstr (sesame_provider_get_scope_description (provider, "write"), ==, "Change");
  g_assert_null (sesame_provider_get_revocation_endpoint (provider));
}

static void
test_malformed_user_file (Fixture       *fixture,
                          gconstpointer  user_data)
{
  static const char * const overrides[] = {
    "{ \"client-id\": ",
    "[\"client-id\"]",
    "{ \"scopes\": [\"read\"] }",
    "{ \"token-endpoint\": \"http://id.example.com/token\" }",
    "{ \"id\": \"another\" }",
  };

  write_file (fixture->system_dirs[0], "example.json", GOOD_DEFINITION ("Example"));
  for (guint i = 0; i < G_N_ELEMENTS (overrides); i++)
    {
      SesameProvider *provider;

      write_file (fixture->user_dir, "example.json", overrides[i]);
      load (fixture);
      assert_one_problem (fixture->registry, "sesame/providers/example.json");
      provider = sesame_provider_registry_lookup (fixture->registry, "example");
      g_assert_nonnull (provider);
      g_assert_cmpstr (sesame_provider_get_client_id (provider), ==, "installed-client");
    }
}

static void
test_malformed_installed_file (Fixture       *fixture,
                               gconstpointer  user_data)
{
  g_autoptr(GPtrArray) providers = NULL;

  write_file (fixture->system_dirs[0], "broken.json", "{ \"name\": \"Broken\", ");
  write_file (fixture->system_dirs[0], "wrong.json", "{ \"name\": 42 }");
  write_file (fixture->system_dirs[0], "good.json", GOOD_DEFINITION ("Good"));
  load (fixture);

  g_assert_cmpuint (count_problems (fixture->registry), ==, 2);
  g_assert_nonnull (strstr (sesame_provider_registry_get_problems (fixture->registry)[0],
                            "broken.json"));
  g_assert_nonnull (strstr (sesame_provider_registry_get_problems (fixture->registry)[1],
                            "wrong.json"));
  g_assert_null (sesame_provider_registry_lookup (fixture->registry, "broken"));
  g_assert_null (sesame_provider_registry_lookup (fixture->registry, "wrong"));
  providers = sesame_provider_registry_list (fixture->registry);
  g_assert_cmpuint (providers->len, ==, 1);
  g_assert_cmpstr (sesame_provider_get_id (g_ptr_array_index (providers, 0)), ==, "good");
}

static void
test_id_and_file_name (Fixture       *fixture,
                       gconstpointer  user_data)
{
  SesameProvider *provider;

  write_file (fixture->system_dirs[0], "named.json",
              "{ \"id\": \"other\", \"token-endpoint\": \"https://a.example/t\","
              "  \"authorization-endpoint\": \"https://a.example/a\" }");
  write_file (fixture->system_dirs[0], "Upper.json", GOOD_DEFINITION ("Upper"));
  write_file (fixture->system_dirs[0], "unnamed.json", GOOD_DEFINITION ("Unnamed"));
  write_file (fixture->system_dirs[0], "README.md", "not a provider");
  load (fixture);

  g_assert_cmpuint (count_problems (fixture->registry), ==, 2);
  g_assert_nonnull (strstr (sesame_provider_registry_get_problems (fixture->registry)[0],
                            "Upper.json"));
  g_assert_nonnull (strstr (sesame_provider_registry_get_problems (fixture->registry)[1],
                            "named.json"));
  g_assert_null (sesame_provider_registry_lookup (fixture->registry, "named"));
  g_assert_null (sesame_provider_registry_lookup (fixture->registry, "other"));
  g_assert_null (sesame_provider_registry_lookup (fixture->registry, "Upper"));
  provider = sesame_provider_registry_lookup (fixture->registry, "unnamed");
  g_assert_nonnull (provider);
  g_assert_cmpstr (sesame_provider_get_id (provider), ==, "unnamed");
}

static void
test_system_dirs_order (Fixture       *fixture,
                        gconstpointer  user_data)
{
  write_file (fixture->system_dirs[0], "example.json", GOOD_DEFINITION ("First"));
  write_file (fixture->system_dirs[1], "example.json", GOOD_DEFINITION ("Second"));
  load (fixture);
  g_assert_cmpstr (sesame_provider_get_name (sesame_provider_registry_lookup (fixture->registry,
                                                                              "example")),
                   ==, "First");

  /* A broken definition does not hide the next one. */
  write_file (fixture->system_dirs[0], "example.json", "{");
  load (fixture);
  assert_one_problem (fixture->registry, "first/example.json");
  g_assert_cmpstr (sesame_provider_get_name (sesame_provider_registry_lookup (fixture->registry,
                                                                              "example")),
                   ==, "Second");
}

static void
test_user_only (Fixture       *fixture,
                gconstpointer  user_data)
{
  SesameProvider *provider;

  write_file (fixture->user_dir, "mine.json", GOOD_DEFINITION ("Mine"));
  load (fixture);

  g_assert_cmpuint (count_problems (fixture->registry), ==, 0);
  provider = sesame_provider_registry_lookup (fixture->registry, "mine");
  g_assert_nonnull (provider);
  g_assert_cmpstr (sesame_provider_get_name (provider), ==, "Mine");
}

static void
test_sorted_list (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(GPtrArray) providers = NULL;

  write_file (fixture->system_dirs[0], "a.json", GOOD_DEFINITION ("Zeta"));
  write_file (fixture->system_dirs[1], "b.json", GOOD_DEFINITION ("Alpha"));
  write_file (fixture->user_dir, "c.json", GOOD_DEFINITION ("Mu"));
  write_file (fixture->system_dirs[0], "d.json", TEMPLATE_DEFINITION);
  load (fixture);

  providers = sesame_provider_registry_list (fixture->registry);
  g_assert_cmpuint (providers->len, ==, 4);
  g_assert_cmpstr (sesame_provider_get_name (g_ptr_array_index (providers, 0)), ==, "Alpha");
  g_assert_cmpstr (sesame_provider_get_name (g_ptr_array_index (providers, 1)), ==, "Mu");
  g_assert_cmpstr (sesame_provider_get_name (g_ptr_array_index (providers, 2)), ==,
                   "OpenID Connect");
  g_assert_cmpstr (sesame_provider_get_name (g_ptr_array_index (providers, 3)), ==, "Zeta");
}

static void
test_lookup_unknown (Fixture       *fixture,
                     gconstpointer  user_data)
{
  write_file (fixture->system_dirs[0], "example.json", GOOD_DEFINITION ("Example"));
  load (fixture);

  g_assert_null (sesame_provider_registry_lookup (fixture->registry, "unknown"));
  g_assert_null (sesame_provider_registry_lookup (fixture->registry, ""));
}

static void
test_reload (Fixture       *fixture,
             gconstpointer  user_data)
{
  write_file (fixture->system_dirs[0], "broken.json", "{");
  load (fixture);
  g_assert_cmpuint (count_problems (fixture->registry), ==, 1);

  {
    g_autofree char *broken = g_build_filename (fixture->system_dirs[0], "broken.json", NULL);

    g_assert_cmpint (g_remove (broken), ==, 0);
  }
  write_file (fixture->system_dirs[0], "example.json", GOOD_DEFINITION ("Example"));
  sesame_provider_registry_load (fixture->registry);
  g_assert_cmpuint (count_problems (fixture->registry), ==, 0);
  g_assert_nonnull (sesame_provider_registry_lookup (fixture->registry, "example"));
}

static void
test_default_dirs (void)
{
  g_autofree char *user_dir = NULL;
  g_autofree char *system_dir = NULL;
  g_autoptr(SesameProviderRegistry) registry = NULL;
  SesameProvider *provider;

  user_dir = g_build_filename (g_get_user_config_dir (), "sesame", "providers", NULL);
  system_dir = g_build_filename (g_get_system_data_dirs ()[0], "sesame", "providers", NULL);
  write_file (system_dir, "example.json", GOOD_DEFINITION ("Example"));
  write_file (user_dir, "example.json", "{ \"name\": \"Overridden\" }");

  registry = sesame_provider_registry_new ();
  sesame_provider_registry_load (registry);
  provider = sesame_provider_registry_lookup (registry, "example");
  g_assert_nonnull (provider);
  g_assert_cmpstr (sesame_provider_get_name (provider), ==, "Overridden");
  g_assert_cmpstr (sesame_provider_get_client_id (provider), ==, "installed-client");
}

static void
assert_strv (char               **actual,
             const char * const  *expected)
{
  g_auto(GStrv) owned = actual;

  g_assert_true (g_strv_equal ((const char * const *) owned, expected));
}

/* Every scope a service needs is one the provider declares (else GNOME
 * Online Accounts clients never see the service: its scopes are never
 * granted). */
static void
assert_service_scopes_declared (SesameProvider *provider)
{
  JsonObject *services = sesame_provider_get_services (provider);
  g_auto(GStrv) names = sesame_provider_dup_services (provider);

  for (guint i = 0; names[i] != NULL; i++)
    {
      JsonObject *service = json_object_get_object_member (services, names[i]);
      JsonArray *scopes = json_object_get_array_member (service, "scopes");

      for (guint j = 0; j < json_array_get_length (scopes); j++)
        {
          const char *scope = json_array_get_string_element (scopes, j);

          g_test_message ("%s %s: %s", sesame_provider_get_id (provider), names[i], scope);
          g_assert_nonnull (sesame_provider_get_scope_description (provider, scope));
        }
    }
}

/* What evolution-data-server 3.46 makes of each GOA provider type: Google
 * a collection with mail, CalDAV and CardDAV; Microsoft (windows_live) an
 * Outlook mail collection. Hosts, ports and security from
 * developers.google.com/gmail/imap/imap-smtp and learn.microsoft.com/
 * exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-
 * pop-smtp-application-by-using-oauth. */
static void
assert_installed_services (SesameProviderRegistry *registry)
{
  JsonObject *google = sesame_provider_get_services (sesame_provider_registry_lookup (registry, "google"));
  JsonObject *microsoft = sesame_provider_get_services (sesame_provider_registry_lookup (registry, "microsoft"));

  g_assert_cmpstr (json_object_get_string_member (google, "goa-provider-type"), ==, "google");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (google, "mail"),
                                                  "imap-host"), ==, "imap.gmail.com");
  g_assert_true (json_object_has_member (google, "calendar"));
  g_assert_true (json_object_has_member (google, "contacts"));
  g_assert_cmpstr (json_object_get_string_member (microsoft, "goa-provider-type"), ==,
                   "windows_live");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (microsoft, "mail"),
                                                  "smtp-security"), ==, "starttls");
}

static void
test_installed (void)
{
  const char *dir = g_getenv ("SESAME_TEST_PROVIDERS_DIR");
  const char *system_dirs[] = { dir, NULL };
  static const char * const names[] = {
    "GitHub", "GitLab.com", "Google", "Microsoft", "OpenID Connect",
  };
  g_autofree char *user_dir = g_build_filename (g_get_user_config_dir (), "none", NULL);
  g_autoptr(SesameProviderRegistry) registry = NULL;
  g_autoptr(GPtrArray) providers = NULL;
  SesameProvider *provider;

  if (dir == NULL)
    {
      g_test_skip ("SESAME_TEST_PROVIDERS_DIR names no folder of installed providers");
      return;
    }
  registry = sesame_provider_registry_new_for_dirs (user_dir, system_dirs);
  sesame_provider_registry_load (registry);

  g_assert_cmpuint (count_problems (registry), ==, 0);
  providers = sesame_provider_registry_list (registry);
  g_assert_cmpuint (providers->len, ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      provider = g_ptr_array_index (providers, i);
      g_assert_cmpstr (sesame_provider_get_name (provider), ==, names[i]);
      for (const char * const *scope = sesame_provider_get_default_scopes (provider);
           *scope != NULL; scope++)
        g_assert_nonnull (sesame_provider_get_scope_description (provider, *scope));
      assert_service_scopes_declared (provider);
    }
  assert_installed_services (registry);

  provider = sesame_provider_registry_lookup (registry, "google");
  g_assert_cmpstr (sesame_provider_get_user_agent (provider), ==, "browser");
  g_assert_cmpstr (g_hash_table_lookup (sesame_provider_get_authorization_params (provider),
                                        "access_type"), ==, "offline");
  g_assert_true (sesame_provider_needs_discovery (provider));
  g_assert_cmpstr (sesame_provider_get_issuer (provider), ==, "https://accounts.google.com");
  /* .../limited-input-device#step-1: the device request names the client in
   * its body, as the installed-app flow does with its secret */
  g_assert_cmpstr (sesame_provider_get_token_endpoint_auth_method (provider), ==,
                   "client_secret_post");
  /* developers.google.com/identity/protocols/oauth2/scopes#oauth2 */
  g_assert_cmpstr (g_hash_table_lookup (sesame_provider_get_scope_aliases (provider), "email"),
                   ==, "https://www.googleapis.com/auth/userinfo.email");
  g_assert_cmpstr (g_hash_table_lookup (sesame_provider_get_scope_aliases (provider), "profile"),
                   ==, "https://www.googleapis.com/auth/userinfo.profile");
  /* developers.google.com/identity/protocols/oauth2/limited-input-device#allowedscopes:
   * not Gmail's; and without the device client option, no device flow */
  g_assert_true (g_strv_contains (sesame_provider_get_device_scopes (provider), "openid"));
  g_assert_true (g_strv_contains (sesame_provider_get_device_scopes (provider),
                                  "https://www.googleapis.com/auth/drive.file"));
  g_assert_false (g_strv_contains (sesame_provider_get_device_scopes (provider),
                                   "https://mail.google.com/"));
  if (sesame_provider_is_configured (provider))
    g_assert_cmpstr (sesame_provider_get_device_client_id (provider), !=,
                     sesame_provider_get_client_id (provider));
  else
    g_assert_false (sesame_provider_offers_flow (provider, SESAME_FLOW_DEVICE_CODE));

  /* learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference
   * (preferred_username needs profile), .../v2-oauth2-auth-code-flow (prompt),
   * .../v2-oauth2-device-code (authorization_declined) */
  provider = sesame_provider_registry_lookup (registry, "microsoft");
  g_assert_true (g_strv_equal (sesame_provider_get_identity_claims (provider),
                               (const char *[]) { "preferred_username", "email", NULL }));
  g_assert_true (g_strv_contains (sesame_provider_get_default_scopes (provider), "profile"));
  g_assert_cmpstr (g_hash_table_lookup (sesame_provider_get_authorization_params (provider),
                                        "prompt"), ==, "select_account");
  /* Graph's userinfo refuses the Outlook token the account holds */
  g_assert_null (sesame_provider_get_userinfo_endpoint (provider));
  g_assert_true (sesame_provider_get_one_resource_per_token (provider));
  g_assert_cmpstr (g_hash_table_lookup (sesame_provider_get_error_aliases (provider),
                                        "authorization_declined"), ==, "access_denied");
  g_assert_null (sesame_provider_get_revocation_endpoint (provider));
  g_assert_true (sesame_provider_offers_flow (provider, SESAME_FLOW_DEVICE_CODE));
  /* Its refresh tokens die after 90 days unused. */
  g_assert_cmpuint (sesame_provider_get_refresh_token_idle_days (provider), ==, 90);

  /* docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps,
   * .../refreshing-user-access-tokens (bad_refresh_token) */
  provider = sesame_provider_registry_lookup (registry, "github");
  g_assert_false (sesame_provider_needs_discovery (provider));
  g_assert_true (g_strv_equal (sesame_provider_get_identity_claims (provider),
                               (const char *[]) { "login", NULL }));
  g_assert_cmpstr (sesame_provider_get_userinfo_endpoint (provider), ==,
                   "https://api.github.com/user");
  g_assert_false (sesame_provider_get_narrow_scopes (provider));
  g_assert_cmpstr (g_hash_table_lookup (sesame_provider_get_error_aliases (provider),
                                        "bad_refresh_token"), ==, "invalid_grant");
  assert_strv (sesame_provider_dup_flows (provider),
               (const char *[]) { "authorization_code", "device_code", NULL });
  assert_strv (sesame_provider_dup_git_hosts (provider),
               (const char *[]) { "github.com", "gist.github.com", NULL });

  provider = sesame_provider_registry_lookup (registry, "gitlab");
  g_assert_cmpstr (sesame_provider_get_issuer (provider), ==, "https://gitlab.com");
  g_assert_true (sesame_provider_needs_discovery (provider));
  g_assert_null (sesame_provider_get_client_secret (provider));
  assert_strv (sesame_provider_dup_git_hosts (provider), (const char *[]) { "gitlab.com", NULL });

  provider = sesame_provider_registry_lookup (registry, "openid-connect");
  g_assert_true (sesame_provider_is_template (provider));
  g_assert_false (sesame_provider_is_configured (provider));
}

/* A discovery document served on loopback */

typedef enum {
  SERVE_OPENID_CONFIGURATION,
  SERVE_AUTHORIZATION_SERVER,   /* RFC 8414 only */
  SERVE_OTHER_ISSUER,
  SERVE_UNAVAILABLE,
} ServeMode;

typedef struct {
  Fixture fixture;
  SoupServer *server;
  char *issuer;
  ServeMode mode;
  const char *scopes_supported;
  guint requests;
} ServerFixture;

static char *
discovery_document (ServerFixture *fixture)
{
  const char *issuer = fixture->issuer;

  return g_strdup_printf (
    "{ \"issuer\": \"%s\","
    "  \"authorization_endpoint\": \"%s/authorize\","
    "  \"token_endpoint\": \"%s/token\","
    "  \"revocation_endpoint\": \"%s/revoke\","
    "  \"device_authorization_endpoint\": \"%s/device\","
    "  \"userinfo_endpoint\": \"%s/me\","
    "  \"jwks_uri\": \"%s/jwks\","
    "  \"response_types_supported\": [\"code\"],"
    "  \"grant_types_supported\": [\"authorization_code\", \"refresh_token\"],"
    "  \"code_challenge_methods_supported\": [\"S256\"],"
    "  \"scopes_supported\": %s,"
    "  \"authorization_response_iss_parameter_supported\": true }",
    fixture->mode == SERVE_OTHER_ISSUER ? "https://impostor.example.com" : issuer,
    issuer, issuer, issuer, issuer, issuer, issuer, fixture->scopes_supported);
}

static void
serve (SoupServer        *server,
       SoupServerMessage *message,
       const char        *path,
       GHashTable        *query,
       gpointer           user_data)
{
  ServerFixture *fixture = user_data;
  gboolean wanted;
  char *document;

  fixture->requests++;
  if (fixture->mode == SERVE_UNAVAILABLE)
    {
      soup_server_message_set_status (message, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      return;
    }
  if (fixture->mode == SERVE_AUTHORIZATION_SERVER)
    wanted = g_str_equal (path, "/.well-known/oauth-authorization-server");
  else
    wanted = g_str_equal (path, "/.well-known/openid-configuration");
  if (!wanted)
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  document = discovery_document (fixture);
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_TAKE,
                                    document, strlen (document));
}

static void
server_fixture_set_up (ServerFixture *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fixture_set_up (&fixture->fixture, user_data);
  fixture->mode = SERVE_OPENID_CONFIGURATION;
  fixture->scopes_supported = "[\"openid\", \"email\", \"profile\", \"offline_access\", \"phone\"]";
  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, NULL, serve, fixture, NULL);
  soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  fixture->issuer = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
server_fixture_tear_down (ServerFixture *fixture,
                          gconstpointer  user_data)
{
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  g_free (fixture->issuer);
  fixture_tear_down (&fixture->fixture, user_data);
}

static void
store_result (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **stored = user_data;

  *stored = g_object_ref (result);
}

static void
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

/* A user provider for the server's issuer, loaded. */
static SesameProvider *
load_issuer_provider (ServerFixture *fixture)
{
  g_autofree char *definition = g_strdup_printf (
    "{ \"name\": \"Local\", \"issuer\": \"%s\", \"client-id\": \"local\" }", fixture->issuer);
  SesameProvider *provider;

  write_file (fixture->fixture.user_dir, "local.json", definition);
  load (&fixture->fixture);
  provider = sesame_provider_registry_lookup (fixture->fixture.registry, "local");
  g_assert_nonnull (provider);
  g_assert_true (sesame_provider_needs_discovery (provider));
  return provider;
}

static gboolean
ensure_discovered (ServerFixture      *fixture,
                   SesameOAuthClient  *client,
                   SesameProvider     *provider,
                   GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  sesame_provider_registry_ensure_discovered_async (fixture->fixture.registry, client, provider,
                                                    NULL, store_result, &result);
  wait_for (&result);
  return sesame_provider_registry_ensure_discovered_finish (fixture->fixture.registry,
                                                            result, error);
}

static void
test_discovery_openid (ServerFixture *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(SesameOAuthClient) client = sesame_oauth_client_new ();
  SesameProvider *provider = load_issuer_provider (fixture);
  g_autofree char *token_endpoint = g_strconcat (fixture->issuer, "/token", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (ensure_discovered (fixture, client, provider, &error));
  g_assert_no_error (error);
  g_assert_false (sesame_provider_needs_discovery (provider));
  g_assert_cmpstr (sesame_provider_get_token_endpoint (provider), ==, token_endpoint);
  g_assert_true (sesame_provider_get_iss_parameter_supported (provider));
  g_assert_cmpuint (fixture->requests, ==, 1);

  /* Cached: no second request. */
  g_assert_true (ensure_discovered (fixture, client, provider, &error));
  g_assert_cmpuint (fixture->requests, ==, 1);
}

static void
test_discovery_rfc8414 (ServerFixture *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(SesameOAuthClient) client = sesame_oauth_client_new ();
  SesameProvider *provider = load_issuer_provider (fixture);
  g_autofree char *authorization_endpoint = g_strconcat (fixture->issuer, "/authorize", NULL);
  g_autoptr(GError) error = NULL;

  fixture->mode = SERVE_AUTHORIZATION_SERVER;
  g_assert_true (ensure_discovered (fixture, client, provider, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sesame_provider_get_authorization_endpoint (provider), ==,
                   authorization_endpoint);
}

static void
test_discovery_other_issuer (ServerFixture *fixture,
                             gconstpointer  user_data)
{
  g_autoptr(SesameOAuthClient) client = sesame_oauth_client_new ();
  SesameProvider *provider = load_issuer_provider (fixture);
  g_autoptr(GError) error = NULL;

  fixture->mode = SERVE_OTHER_ISSUER;
  g_assert_false (ensure_discovered (fixture, client, provider, &error));
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
  g_assert_true (sesame_provider_needs_discovery (provider));
  g_assert_null (sesame_provider_get_token_endpoint (provider));
}

static void
test_discovery_single_flight (ServerFixture *fixture,
                              gconstpointer  user_data)
{
  g_autoptr(SesameOAuthClient) client = sesame_oauth_client_new ();
  SesameProvider *provider = load_issuer_provider (fixture);
  GAsyncResult *results[3] = { NULL, };

  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    sesame_provider_registry_ensure_discovered_async (fixture->fixture.registry, client,
                                                      provider, NULL, store_result,
                                                      &results[i]);
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_autoptr(GError) error = NULL;

      wait_for (&results[i]);
      g_assert_true (sesame_provider_registry_ensure_discovered_finish (
        fixture->fixture.registry, results[i], &error));
      g_assert_no_error (error);
      g_clear_object (&results[i]);
    }
  g_assert_cmpuint (fixture->requests, ==, 1);
}

static void
test_discovery_failure_retried (ServerFixture *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(SesameOAuthClient) client = sesame_oauth_client_new ();
  SesameProvider *provider = load_issuer_provider (fixture);
  GAsyncResult *results[2] = { NULL, };
  g_autoptr(GError) error = NULL;
  guint failed_requests;

  fixture->mode = SERVE_UNAVAILABLE;
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    sesame_provider_registry_ensure_discovered_async (fixture->fixture.registry, client,
                                                      provider, NULL, store_result,
                                                      &results[i]);
  /* Both waiters hear of the one failure. */
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_autoptr(GError) failure = NULL;

      wait_for (&results[i]);
      g_assert_false (sesame_provider_registry_ensure_discovered_finish (
        fixture->fixture.registry, results[i], &failure));
      g_assert_nonnull (failure);
      g_clear_object (&results[i]);
    }
  g_assert_true (sesame_provider_needs_discovery (provider));
  failed_requests = fixture->requests;

  fixture->mode = SERVE_OPENID_CONFIGURATION;
  g_assert_true (ensure_discovered (fixture, client, provider, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->requests, ==, failed_requests + 1);
}

static void
test_discovery_cancelled_waiter (ServerFixture *fixture,
                                 gconstpointer  user_data)
{
  g_autoptr(SesameOAuthClient) client = sesame_oauth_client_new ();
  SesameProvider *provider = load_issuer_provider (fixture);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) cancelled = NULL;
  g_autoptr(GAsyncResult) kept = NULL;
  g_autoptr(GError) cancelled_error = NULL;
  g_autoptr(GError) error = NULL;

  sesame_provider_registry_ensure_discovered_async (fixture->fixture.registry, client, provider,
                                                    cancellable, store_result, &cancelled);
  sesame_provider_registry_ensure_discovered_async (fixture->fixture.registry, client, provider,
                                                    NULL, store_result, &kept);
  g_cancellable_cancel (cancellable);
  wait_for (&cancelled);
  g_assert_null (kept);
  g_assert_false (sesame_provider_registry_ensure_discovered_finish (fixture->fixture.registry,
                                                                     cancelled,
                                                                     &cancelled_error));
  g_assert_error (cancelled_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  wait_for (&kept);
  g_assert_true (sesame_provider_registry_ensure_discovered_finish (fixture->fixture.registry,
                                                                    kept, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->requests, ==, 1);
}

static void
test_discovery_not_needed (ServerFixture *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(SesameOAuthClient) client = sesame_oauth_client_new ();
  SesameProvider *provider;
  g_autoptr(GError) error = NULL;

  write_file (fixture->fixture.user_dir, "example.json", GOOD_DEFINITION ("Example"));
  load (&fixture->fixture);
  provider = sesame_provider_registry_lookup (fixture->fixture.registry, "example");
  g_assert_true (ensure_discovered (fixture, client, provider, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->requests, ==, 0);
}

static SesameProvider *
add_issuer (ServerFixture  *fixture,
            const char     *issuer,
            const char     *client_id,
            GError        **error)
{
  g_autoptr(SesameOAuthClient) client = sesame_oauth_client_new ();
  g_autoptr(GAsyncResult) result = NULL;

  sesame_provider_registry_add_issuer_async (fixture->fixture.registry, client, issuer,
                                             client_id, NULL, store_result, &result);
  wait_for (&result);
  return sesame_provider_registry_add_issuer_finish (fixture->fixture.registry, result, error);
}

static JsonObject *
read_json (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  guint count = 0;

  while (handle != NULL && g_dir_read_name (handle) != NULL)
    count++;
  return count;
}

static void
test_add_issuer (ServerFixture *fixture,
                 gconstpointer  user_data)
{
  const char *port = strrchr (fixture->issuer, ':') + 1;
  g_autofree char *id = g_strconcat ("127.0.0.1_", port, NULL);
  g_autofree char *name = g_strconcat ("127.0.0.1:", port, NULL);
  g_autofree char *file_name = g_strconcat (id, ".json", NULL);
  g_autofree char *path = g_build_filename (fixture->fixture.user_dir, file_name, NULL);
  g_autoptr(SesameProvider) provider = NULL;
  g_autoptr(JsonObject) written = NULL;
  g_autoptr(GError) error = NULL;

  write_file (fixture->fixture.system_dirs[0], "openid-connect.json", TEMPLATE_DEFINITION);
  load (&fixture->fixture);

  provider = add_issuer (fixture, fixture->issuer, "client-1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (provider);
  g_assert_cmpstr (sesame_provider_get_id (provider), ==, id);
  g_assert_cmpstr (sesame_provider_get_name (provider), ==, name);
  g_assert_cmpstr (sesame_provider_get_icon_name (provider), ==, "template-icon");
  g_assert_cmpstr (sesame_provider_get_issuer (provider), ==, fixture->issuer);
  g_assert_cmpstr (sesame_provider_get_client_id (provider), ==, "client-1");
  g_assert_false (sesame_provider_needs_discovery (provider));
  g_assert_nonnull (sesame_provider_get_token_endpoint (provider));
  g_assert_true (g_strv_equal (sesame_provider_get_scopes (provider),
                               (const char *[]) { "openid", "email", "profile",
                                                  "offline_access", NULL }));
  g_assert_true (g_strv_equal (sesame_provider_get_default_scopes (provider),
                               (const char *[]) { "openid", "email", "offline_access", NULL }));
  g_assert_nonnull (sesame_provider_get_scope_description (provider, "offline_access"));
  g_assert_true (sesame_provider_registry_lookup (fixture->fixture.registry, id) == provider);

  written = read_json (path);
  g_assert_cmpstr (json_object_get_string_member (written, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (written, "name"), ==, name);
  g_assert_cmpstr (json_object_get_string_member (written, "issuer"), ==, fixture->issuer);
  g_assert_cmpstr (json_object_get_string_member (written, "client-id"), ==, "client-1");
  g_assert_false (json_object_has_member (written, "token-endpoint"));

  /* A file for another issuer on the same host is never replaced (its
   * accounts would send their tokens to this one): the issuer gets an id of
   * its own. */
  write_file (fixture->fixture.user_dir, file_name,
              "{ \"name\": \"Old\", \"issuer\": \"http://127.0.0.1:1\" }");
  g_clear_object (&provider);
  provider = add_issuer (fixture, fixture->issuer, "client-2", &error);
  g_assert_no_error (error);
  {
    g_autofree char *second_id = g_strconcat (id, "_2", NULL);
    g_autofree char *second_name = g_strconcat (second_id, ".json", NULL);
    g_autofree char *second = g_build_filename (fixture->fixture.user_dir, second_name, NULL);
    g_autoptr(JsonObject) kept = read_json (path);

    g_assert_cmpstr (sesame_provider_get_id (provider), ==, second_id);
    g_assert_cmpstr (sesame_provider_get_client_id (provider), ==, "client-2");
    g_assert_cmpstr (json_object_get_string_member (kept, "name"), ==, "Old");
    g_assert_cmpint (g_remove (second), ==, 0);
  }

  /* The same issuer again updates the file and keeps what the person chose. */
  {
    g_autofree char *edited = g_strdup_printf (
      "{ \"name\": \"My Provider\", \"issuer\": \"%s\", \"client-id\": \"client-2\" }",
      fixture->issuer);

    write_file (fixture->fixture.user_dir, file_name, edited);
  }
  g_clear_object (&provider);
  provider = add_issuer (fixture, fixture->issuer, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sesame_provider_get_name (provider), ==, "My Provider");
  g_assert_cmpstr (sesame_provider_get_client_id (provider), ==, "client-2");
  g_assert_cmpuint (count_files (fixture->fixture.user_dir), ==, 1);

  /* The file loads as any other. */
  load (&fixture->fixture);
  g_assert_cmpuint (count_problems (fixture->fixture.registry), ==, 0);
  g_clear_object (&provider);
  provider = g_object_ref (sesame_provider_registry_lookup (fixture->fixture.registry, id));
  g_assert_cmpstr (sesame_provider_get_name (provider), ==, "My Provider");
  g_assert_true (sesame_provider_needs_discovery (provider));
}

static void
test_add_issuer_scopes (ServerFixture *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(SesameProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  load (&fixture->fixture);
  fixture->scopes_supported = "[\"openid\", \"email\", \"groups\"]";
  provider = add_issuer (fixture, fixture->issuer, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_equal (sesame_provider_get_scopes (provider),
                               (const char *[]) { "openid", "email", NULL }));
  g_assert_true (g_strv_equal (sesame_provider_get_default_scopes (provider),
                               (const char *[]) { "openid", "email", NULL }));
  g_assert_false (sesame_provider_is_configured (provider));
  g_assert_cmpstr (sesame_provider_get_icon_name (provider), ==, "dialog-password-symbolic");
}

static void
test_add_issuer_refused (ServerFixture *fixture,
                         gconstpointer  user_data)
{
  static const char * const issuers[] = {
    "http://id.example.com",
    "https://id.example.com/?tenant=1",
    "https://id.example.com/#top",
    "not an address",
    "http://localhost",   /* named like the installed provider below */
    /* The installed id.example.com, however its host is written. */
    "https://ID.Example.COM",
    "https://id.ex%61mple.com",
    "https://\uff49\uff44.example.com",   /* full-width "id" */
    "https://someone@id.example.com",
  };

  write_file (fixture->fixture.system_dirs[0], "localhost.json", GOOD_DEFINITION ("Local"));
  write_file (fixture->fixture.system_dirs[0], "id.example.com.json", GOOD_DEFINITION ("Example"));
  load (&fixture->fixture);
  for (guint i = 0; i < G_N_ELEMENTS (issuers); i++)
    {
      g_autoptr(SesameProvider) provider = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", issuers[i]);
      provider = add_issuer (fixture, issuers[i], "client", &error);
      g_assert_null (provider);
      g_assert_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT);
    }
  g_assert_cmpuint (fixture->requests, ==, 0);
  g_assert_false (g_file_test (fixture->fixture.user_dir, G_FILE_TEST_EXISTS));
}

static void
test_add_issuer_other_issuer (ServerFixture *fixture,
                              gconstpointer  user_data)
{
  g_autoptr(SesameProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  load (&fixture->fixture);
  fixture->mode = SERVE_OTHER_ISSUER;
  provider = add_issuer (fixture, fixture->issuer, "client", &error);
  g_assert_null (provider);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
  g_assert_cmpuint (count_files (fixture->fixture.user_dir), ==, 0);
}

/* Malformed files are reported with g_warning; the tests check the problems
 * list, so those warnings are expected. Any other warning fails the test. */
static void
log_handler (const char     *log_domain,
             GLogLevelFlags  log_level,
             const char     *message,
             gpointer        user_data)
{
  if ((log_level & G_LOG_LEVEL_WARNING) && strstr (message, "provider file") != NULL)
    {
      g_test_message ("Expected warning: %s", message);
      return;
    }
  g_log_default_handler (log_domain, log_level, message, user_data);
  if (log_level & G_LOG_LEVEL_WARNING)
    g_test_fail ();
}

int
main (int   argc,
      char *argv[])
{
  /* The isolated dirs hide the GSettings schemas that a desktop's proxy
   * resolver reads; loopback needs no proxy. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_setenv ("GIO_USE_VFS", "local", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_log_set_default_handler (log_handler, NULL);

#define ADD(path, function) \
  g_test_add (path, Fixture, NULL, fixture_set_up, function, fixture_tear_down)
#define ADD_SERVER(path, function) \
  g_test_add (path, ServerFixture, NULL, server_fixture_set_up, function, \
              server_fixture_tear_down)

  ADD ("/registry/user-overrides-field", test_user_overrides_field);
  ADD ("/registry/user-replaces-objects", test_user_replaces_objects);
  ADD ("/registry/malformed-user-file", test_malformed_user_file);
  ADD ("/registry/malformed-installed-file", test_malformed_installed_file);
  ADD ("/registry/id-and-file-name", test_id_and_file_name);
  ADD ("/registry/system-dirs-order", test_system_dirs_order);
  ADD ("/registry/user-only", test_user_only);
  ADD ("/registry/sorted-list", test_sorted_list);
  ADD ("/registry/lookup-unknown", test_lookup_unknown);
  ADD ("/registry/reload", test_reload);
  g_test_add_func ("/registry/default-dirs", test_default_dirs);
  g_test_add_func ("/registry/installed", test_installed);
  ADD_SERVER ("/registry/discovery/openid-configuration", test_discovery_openid);
  ADD_SERVER ("/registry/discovery/rfc8414", test_discovery_rfc8414);
  ADD_SERVER ("/registry/discovery/other-issuer", test_discovery_other_issuer);
  ADD_SERVER ("/registry/discovery/single-flight", test_discovery_single_flight);
  ADD_SERVER ("/registry/discovery/failure-retried", test_discovery_failure_retried);
  ADD_SERVER ("/registry/discovery/cancelled-waiter", test_discovery_cancelled_waiter);
  ADD_SERVER ("/registry/discovery/not-needed", test_discovery_not_needed);
  ADD_SERVER ("/registry/add-issuer/write", test_add_issuer);
  ADD_SERVER ("/registry/add-issuer/scopes", test_add_issuer_scopes);
  ADD_SERVER ("/registry/add-issuer/refused", test_add_issuer_refused);
  ADD_SERVER ("/registry/add-issuer/other-issuer", test_add_issuer_other_issuer);

  return g_test_run ();
}
