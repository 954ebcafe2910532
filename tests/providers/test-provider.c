/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-provider.c: provider definitions: fields, defaults, refusals, discovery */
#include "config.h"

#include "sesame-error.h"
#include "sesame-provider.h"

#define MINIMAL \
  "\"id\": \"example\", " \
  "\"authorization-endpoint\": \"https://id.example.com/authorize\", " \
  "\"token-endpoint\": \"https://id.example.com/token\""

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static SesameProvider *
parse (const char  *json,
       GError     **error)
{
  g_autoptr(JsonObject) definition = parse_object (json);

  return sesame_provider_new_from_json (definition, error);
}

static SesameProvider *
parse_valid (const char *json)
{
  g_autoptr(GError) error = NULL;
  SesameProvider *provider = parse (json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (provider);
  return provider;
}

static void
assert_strv (char               **actual,
             const char * const  *expected)
{
  g_auto(GStrv) owned = actual;

  g_assert_true (g_strv_equal ((const char * const *) owned, expected));
}

static void
test_minimal (void)
{
  g_autoptr(SesameProvider) provider = parse_valid ("{" MINIMAL "}");

  g_assert_cmpstr (sesame_provider_get_id (provider), ==, "example");
  g_assert_cmpstr (sesame_provider_get_authorization_endpoint (provider), ==,
                   "https://id.example.com/authorize");
  g_assert_cmpstr (sesame_provider_get_token_endpoint (provider), ==,
                   "https://id.example.com/token");
}

static void
test_defaults (void)
{
  g_autoptr(SesameProvider) provider = parse_valid ("{" MINIMAL "}");
  g_autoptr(SesameProvider) with_secret = NULL;

  g_assert_cmpstr (sesame_provider_get_name (provider), ==, "example");
  g_assert_cmpstr (sesame_provider_get_icon_name (provider), ==, "dialog-password-symbolic");
  g_assert_null (sesame_provider_get_issuer (provider));
  g_assert_null (sesame_provider_get_revocation_endpoint (provider));
  g_assert_null (sesame_provider_get_device_authorization_endpoint (provider));
  g_assert_null (sesame_provider_get_userinfo_endpoint (provider));
  g_assert_null (sesame_provider_get_client_id (provider));
  g_assert_null (sesame_provider_get_client_secret (provider));
  g_assert_false (sesame_provider_is_configured (provider));
  g_assert_cmpstr (sesame_provider_get_redirect_uri (provider), ==, "http://127.0.0.1/callback");
  g_assert_cmpstr (sesame_provider_get_user_agent (provider), ==, "embedded");
  g_assert_cmpstr (sesame_provider_get_identity_claims (provider)[0], ==, "email");
  g_assert_cmpstr (sesame_provider_get_token_endpoint_auth_method (provider), ==, "none");
  g_assert_cmpuint (g_strv_length ((char **) sesame_provider_get_scopes (provider)), ==, 0);
  g_assert_cmpuint (g_strv_length ((char **) sesame_provider_get_default_scopes (provider)),
                    ==, 0);
  assert_strv (sesame_provider_dup_flows (provider),
               (const char *[]) { SESAME_FLOW_AUTHORIZATION_CODE, NULL });
  g_assert_cmpuint (g_hash_table_size (sesame_provider_get_authorization_params (provider)),
                    ==, 0);
  assert_strv (sesame_provider_dup_git_hosts (provider),
               (const char *[]) { "id.example.com", NULL });
  g_assert_false (sesame_provider_is_template (provider));
  g_assert_false (sesame_provider_needs_discovery (provider));
  g_assert_false (sesame_provider_get_iss_parameter_supported (provider));

  /* An empty client id is "not configured", as an unset build option leaves it. */
  with_secret = parse_valid ("{" MINIMAL ", \"client-id\": \"\", \"client-secret\": \"s\"}");
  g_assert_null (sesame_provider_get_client_id (with_secret));
  g_assert_cmpstr (sesame_provider_get_token_endpoint_auth_method (with_secret), ==,
                   "client_secret_basic");
}

static void
test_every_field (void)
{
  g_autoptr(SesameProvider) provider = parse_valid (
    "{ \"id\": \"full.example_1-x\", \"name\": \"Full\", \"icon-name\": \"full-symbolic\","
    "  \"authorization-endpoint\": \"https://id.example.com/authorize\","
    "  \"token-endpoint\": \"https://id.example.com/token\","
    "  \"revocation-endpoint\": \"https://id.example.com/revoke\","
    "  \"device-authorization-endpoint\": \"https://id.example.com/device\","
    "  \"userinfo-endpoint\": \"https://api.example.com/me\","
    "  \"client-id\": \"abc\", \"client-secret\": \"def\","
    "  \"redirect-uri\": \"http://localhost/done\", \"user-agent\": \"browser\","
    "  \"identity-claim\": \"login\", \"token-endpoint-auth-method\": \"client_secret_post\","
    "  \"scopes\": { \"zeta\": \"Last letter\", \"alpha\": \"First letter\", \"mu\": \"Middle\" },"
    "  \"default-scopes\": [\"alpha\"],"
    "  \"flows\": [\"device_code\", \"client_credentials\"],"
    "  \"authorization-params\": { \"access_type\": \"offline\", \"prompt\": \"consent\" },"
    "  \"git-hosts\": [\"git.example.com\", \"git.example.com:8443\"],"
    "  \"unknown-member\": 42 }");
  GHashTable *params = sesame_provider_get_authorization_params (provider);

  g_assert_cmpstr (sesame_provider_get_name (provider), ==, "Full");
  g_assert_cmpstr (sesame_provider_get_icon_name (provider), ==, "full-symbolic");
  g_assert_cmpstr (sesame_provider_get_revocation_endpoint (provider), ==,
                   "https://id.example.com/revoke");
  g_assert_cmpstr (sesame_provider_get_device_authorization_endpoint (provider), ==,
                   "https://id.example.com/device");
  g_assert_cmpstr (sesame_provider_get_userinfo_endpoint (provider), ==,
                   "https://api.example.com/me");
  g_assert_cmpstr (sesame_provider_get_client_id (provider), ==, "abc");
  g_assert_cmpstr (sesame_provider_get_client_secret (provider), ==, "def");
  g_assert_true (sesame_provider_is_configured (provider));
  g_assert_cmpstr (sesame_provider_get_redirect_uri (provider), ==, "http://localhost/done");
  g_assert_cmpstr (sesame_provider_get_user_agent (provider), ==, "browser");
  g_assert_cmpstr (sesame_provider_get_identity_claims (provider)[0], ==, "login");
  g_assert_cmpstr (sesame_provider_get_token_endpoint_auth_method (provider), ==,
                   "client_secret_post");
  /* File order, not sorted */
  g_assert_true (g_strv_equal (sesame_provider_get_scopes (provider),
                               (const char *[]) { "zeta", "alpha", "mu", NULL }));
  g_assert_cmpstr (sesame_provider_get_scope_description (provider, "mu"), ==, "Middle");
  g_assert_null (sesame_provider_get_scope_description (provider, "nope"));
  g_assert_true (g_strv_equal (sesame_provider_get_default_scopes (provider),
                               (const char *[]) { "alpha", NULL }));
  assert_strv (sesame_provider_dup_flows (provider),
               (const char *[]) { "device_code", "client_credentials", NULL });
  g_assert_false (sesame_provider_offers_flow (provider, SESAME_FLOW_AUTHORIZATION_CODE));
  g_assert_true (sesame_provider_offers_flow (provider, SESAME_FLOW_CLIENT_CREDENTIALS));
  g_assert_cmpuint (g_hash_table_size (params), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (params, "access_type"), ==, "offline");
  g_assert_cmpstr (g_hash_table_lookup (params, "prompt"), ==, "consent");
  assert_strv (sesame_provider_dup_git_hosts (provider),
               (const char *[]) { "git.example.com", "git.example.com:8443", NULL });
}

static void
test_identity_claims (void)
{
  g_autoptr(SesameProvider) list = parse_valid (
    "{" MINIMAL ", \"identity-claims\": [\"preferred_username\", \"email\"] }");
  g_autoptr(SesameProvider) single = parse_valid ("{" MINIMAL ", \"identity-claim\": \"login\" }");
  g_autoptr(SesameProvider) empty = parse_valid ("{" MINIMAL ", \"identity-claims\": [] }");

  g_assert_true (g_strv_equal (sesame_provider_get_identity_claims (list),
                               (const char *[]) { "preferred_username", "email", NULL }));
  /* the older single form reads as a list of one */
  g_assert_true (g_strv_equal (sesame_provider_get_identity_claims (single),
                               (const char *[]) { "login", NULL }));
  g_assert_true (g_strv_equal (sesame_provider_get_identity_claims (empty),
                               (const char *[]) { "email", NULL }));
}

static void
test_quirk_fields (void)
{
  g_autoptr(SesameProvider) provider = parse_valid (
    "{" MINIMAL ", \"client-id\": \"desktop\", \"client-secret\": \"d-secret\","
    "  \"device-authorization-endpoint\": \"https://id.example.com/device\","
    "  \"scope-aliases\": { \"email\": \"https://id.example.com/auth/userinfo.email\" },"
    "  \"error-aliases\": { \"bad_refresh_token\": \"invalid_grant\" },"
    "  \"device-client-id\": \"tv\", \"device-client-secret\": \"tv-secret\","
    "  \"device-scopes\": [\"openid\", \"email\"],"
    "  \"narrow-scopes\": false, \"one-resource-per-token\": true }");
  g_autoptr(SesameProvider) plain = parse_valid ("{" MINIMAL ", \"client-id\": \"desktop\" }");
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (g_hash_table_lookup (sesame_provider_get_scope_aliases (provider), "email"),
                   ==, "https://id.example.com/auth/userinfo.email");
  g_assert_cmpstr (g_hash_table_lookup (sesame_provider_get_error_aliases (provider),
                                        "bad_refresh_token"), ==, "invalid_grant");
  g_assert_cmpstr (sesame_provider_get_device_client_id (provider), ==, "tv");
  g_assert_cmpstr (sesame_provider_get_device_client_secret (provider), ==, "tv-secret");
  g_assert_cmpstr (sesame_provider_get_client_id (provider), ==, "desktop");
  g_assert_true (g_strv_equal (sesame_provider_get_device_scopes (provider),
                               (const char *[]) { "openid", "email", NULL }));
  g_assert_false (sesame_provider_get_narrow_scopes (provider));
  g_assert_true (sesame_provider_get_one_resource_per_token (provider));

  g_assert_true (sesame_provider_check_device_scopes (provider,
                                                      (const char *[]) { "email", NULL }, &error));
  g_assert_no_error (error);
  g_assert_false (sesame_provider_check_device_scopes (
    provider, (const char *[]) { "email", "https://mail.example.com/", NULL }, &error));
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT);

  /* Defaults: device sign-in with the provider's own client, any scope */
  g_assert_cmpstr (sesame_provider_get_device_client_id (plain), ==, "desktop");
  g_assert_null (sesame_provider_get_device_client_secret (plain));
  g_assert_null (sesame_provider_get_device_scopes (plain));
  g_assert_true (sesame_provider_check_device_scopes (
    plain, (const char *[]) { "anything", NULL }, NULL));
  g_assert_true (sesame_provider_get_narrow_scopes (plain));
  g_assert_false (sesame_provider_get_one_resource_per_token (plain));
  g_assert_cmpuint (g_hash_table_size (sesame_provider_get_scope_aliases (plain)), ==, 0);
  g_assert_cmpuint (g_hash_table_size (sesame_provider_get_error_aliases (plain)), ==, 0);
}

/* A provider that limits device sign-in to some scopes needs a device
 * client of its own: without one it offers no device flow, derived or
 * listed. */
static void
test_device_client_missing (void)
{
#define DEVICE_ONLY_SOME \
  MINIMAL ", \"device-authorization-endpoint\": \"https://id.example.com/device\"," \
  " \"device-scopes\": [\"openid\"]"
  g_autoptr(SesameProvider) derived = parse_valid ("{" DEVICE_ONLY_SOME "}");
  g_autoptr(SesameProvider) listed = parse_valid (
    "{" DEVICE_ONLY_SOME ", \"flows\": [\"authorization_code\", \"device_code\"] }");
  g_autoptr(SesameProvider) with_client = parse_valid (
    "{" DEVICE_ONLY_SOME ", \"device-client-id\": \"tv\" }");
  g_autoptr(SesameProvider) empty_client = parse_valid (
    "{" DEVICE_ONLY_SOME ", \"device-client-id\": \"\" }");
#undef DEVICE_ONLY_SOME

  assert_strv (sesame_provider_dup_flows (derived),
               (const char *[]) { SESAME_FLOW_AUTHORIZATION_CODE, NULL });
  assert_strv (sesame_provider_dup_flows (listed),
               (const char *[]) { SESAME_FLOW_AUTHORIZATION_CODE, NULL });
  /* an unset build option leaves the id empty: not configured */
  assert_strv (sesame_provider_dup_flows (empty_client),
               (const char *[]) { SESAME_FLOW_AUTHORIZATION_CODE, NULL });
  assert_strv (sesame_provider_dup_flows (with_client),
               (const char *[]) { SESAME_FLOW_AUTHORIZATION_CODE, SESAME_FLOW_DEVICE_CODE, NULL });
}

static void
test_null_is_absent (void)
{
  g_autoptr(SesameProvider) provider = parse_valid (
    "{" MINIMAL ", \"client-secret\": null, \"revocation-endpoint\": null, \"scopes\": null }");

  g_assert_null (sesame_provider_get_client_secret (provider));
  g_assert_null (sesame_provider_get_revocation_endpoint (provider));
  g_assert_cmpuint (g_strv_length ((char **) sesame_provider_get_scopes (provider)), ==, 0);
}

#define AUTHORIZATION(uri) "\"authorization-endpoint\": \"" uri "\""
#define TOKEN(uri) "\"token-endpoint\": \"" uri "\""
#define ENDPOINTS AUTHORIZATION ("https://a.example/a") ", " TOKEN ("https://a.example/t")
#define WITH(member) "{" MINIMAL ", " member " }"

static const struct {
  const char *json;
  const char *field;
} invalid_definitions[] = {
  { "{ " ENDPOINTS " }", "id" },
  { "{ \"id\": 3, " ENDPOINTS " }", "id" },
  { "{ \"id\": \"Upper\", " ENDPOINTS " }", "id" },
  { "{ \"id\": \"-dash\", " ENDPOINTS " }", "id" },
  { "{ \"id\": \"has/slash\", " ENDPOINTS " }", "id" },
  { WITH ("\"name\": [\"Example\"]"), "name" },
  { WITH ("\"icon-name\": 1"), "icon-name" },
  { WITH ("\"client-id\": 12345"), "client-id" },
  { WITH ("\"client-secret\": true"), "client-secret" },
  { "{ \"id\": \"x\", " AUTHORIZATION ("https://a.example/a") " }", "token-endpoint" },
  { "{ \"id\": \"x\", " TOKEN ("https://a.example/t") " }", "authorization-endpoint" },
  { "{ \"id\": \"x\", " AUTHORIZATION ("https://a.example/a") ", "
    TOKEN ("http://a.example/t") " }", "token-endpoint" },
  { "{ \"id\": \"x\", " AUTHORIZATION ("http://192.168.1.1/a") ", "
    TOKEN ("https://a.example/t") " }", "authorization-endpoint" },
  { "{ \"id\": \"x\", " AUTHORIZATION ("https://a.example/a#frag") ", "
    TOKEN ("https://a.example/t") " }", "authorization-endpoint" },
  { "{ \"id\": \"x\", " AUTHORIZATION ("https://a.example/a") ", "
    TOKEN ("not a uri") " }", "token-endpoint" },
  { WITH ("\"revocation-endpoint\": \"http://a.example/r\""), "revocation-endpoint" },
  { WITH ("\"device-authorization-endpoint\": \"ftp://a.example/d\""),
    "device-authorization-endpoint" },
  { WITH ("\"userinfo-endpoint\": \"http://localhost.example.com/u\""), "userinfo-endpoint" },
  { "{ \"id\": \"x\", \"issuer\": \"http://a.example\" }", "issuer" },
  { WITH ("\"redirect-uri\": \"http://a.example/callback\""), "redirect-uri" },
  { WITH ("\"user-agent\": \"kiosk\""), "user-agent" },
  { WITH ("\"user-agent\": true"), "user-agent" },
  { WITH ("\"identity-claim\": {}"), "identity-claim" },
  { WITH ("\"identity-claims\": \"login\""), "identity-claims" },
  { WITH ("\"identity-claims\": [\"login\", \"\"]"), "identity-claims" },
  { WITH ("\"identity-claims\": [\"login\"], \"identity-claim\": \"email\""),
    "identity-claims" },
  { WITH ("\"scope-aliases\": [\"email\"]"), "scope-aliases" },
  { WITH ("\"error-aliases\": { \"bad_refresh_token\": 1 }"), "error-aliases" },
  { WITH ("\"device-client-id\": 7"), "device-client-id" },
  { WITH ("\"device-client-secret\": []"), "device-client-secret" },
  { WITH ("\"device-scopes\": [\"two words\"]"), "device-scopes" },
  { WITH ("\"narrow-scopes\": \"no\""), "narrow-scopes" },
  { WITH ("\"one-resource-per-token\": 1"), "one-resource-per-token" },
  { WITH ("\"token-endpoint-auth-method\": \"private_key_jwt\""),
    "token-endpoint-auth-method" },
  { WITH ("\"scopes\": [\"openid\"]"), "scopes" },
  { WITH ("\"scopes\": { \"openid\": 1 }"), "scopes" },
  { WITH ("\"scopes\": { \"two words\": \"Two\" }"), "scopes" },
  { WITH ("\"default-scopes\": \"openid\""), "default-scopes" },
  { WITH ("\"default-scopes\": [\"openid\", 2]"), "default-scopes" },
  { WITH ("\"default-scopes\": [\"\"]"), "default-scopes" },
  { WITH ("\"flows\": \"authorization_code\""), "flows" },
  { WITH ("\"flows\": [\"implicit\"]"), "flows" },
  { WITH ("\"flows\": [\"device_code\"]"), "device-authorization-endpoint" },
  { WITH ("\"authorization-params\": [\"access_type=offline\"]"), "authorization-params" },
  { WITH ("\"authorization-params\": { \"access_type\": false }"), "authorization-params" },
  { WITH ("\"authorization-params\": { \"state\": \"fixed\" }"), "authorization-params" },
  { WITH ("\"authorization-params\": { \"redirect_uri\": \"https://evil.example\" }"),
    "authorization-params" },
  { WITH ("\"git-hosts\": \"github.com\""), "git-hosts" },
  { WITH ("\"git-hosts\": [\"https://github.com/\"]"), "git-hosts" },
  { WITH ("\"template\": \"yes\""), "template" },
  { WITH ("\"manage-url\": \"http://a.example/apps\""), "manage-url" },
  { WITH ("\"revocation-style\": \"oauth1\""), "revocation-style" },
  { WITH ("\"services\": [\"mail\"]"), "services" },
  { WITH ("\"services\": { \"mail\": \"imap.example\" }"), "services" },
  { WITH ("\"services\": { \"fax\": {} }"), "services" },
  { WITH ("\"services\": { \"goa-provider-type\": 1 }"), "services" },
  { WITH ("\"refresh-token-idle-days\": 0"), "refresh-token-idle-days" },
  { WITH ("\"refresh-token-idle-days\": \"90\""), "refresh-token-idle-days" },
  { WITH ("\"refresh-token-lifetime-days\": 4000"), "refresh-token-lifetime-days" },
  { WITH ("\"refresh-token-lifetime-days\": 1.5"), "refresh-token-lifetime-days" },
};

/* How Remove withdraws access, and what a person is shown instead. */
static void
test_revocation (void)
{
  g_autoptr(SesameProvider) none = parse_valid ("{" MINIMAL "}");
  g_autoptr(SesameProvider) rfc7009 =
    parse_valid ("{" MINIMAL ", \"revocation-endpoint\": \"https://a.example/revoke\" }");
  g_autoptr(SesameProvider) github =
    parse_valid ("{" MINIMAL ", \"revocation-endpoint\": \"https://api.a.example/applications\","
                 " \"revocation-style\": \"github-grant\","
                 " \"manage-url\": \"https://a.example/settings/applications\" }");
  g_autoptr(SesameProvider) style_only =
    parse_valid ("{" MINIMAL ", \"revocation-style\": \"github-grant\" }");

  g_assert_false (sesame_provider_revokes (none));
  g_assert_null (sesame_provider_get_revocation_style (none));
  g_assert_null (sesame_provider_get_manage_url (none));
  g_assert_true (sesame_provider_revokes (rfc7009));
  g_assert_cmpstr (sesame_provider_get_revocation_style (rfc7009), ==, SESAME_REVOCATION_RFC7009);
  g_assert_cmpstr (sesame_provider_get_revocation_style (github), ==,
                   SESAME_REVOCATION_GITHUB_GRANT);
  g_assert_cmpstr (sesame_provider_get_manage_url (github), ==,
                   "https://a.example/settings/applications");
  /* A style without an endpoint to send it to revokes nothing. */
  g_assert_false (sesame_provider_revokes (style_only));
}

static void
test_services (void)
{
  g_autoptr(SesameProvider) none = parse_valid ("{" MINIMAL "}");
  g_autoptr(SesameProvider) some =
    parse_valid ("{" MINIMAL ", \"services\": { \"contacts\": { \"uri\": \"https://a.example/dav\" },"
                 " \"mail\": { \"imap-host\": \"imap.a.example\" },"
                 " \"goa-provider-type\": \"google\" } }");
  g_auto(GStrv) no_services = sesame_provider_dup_services (none);
  g_auto(GStrv) services = sesame_provider_dup_services (some);
  const char * const expected[] = { "mail", "contacts", NULL };

  g_assert_cmpuint (g_strv_length (no_services), ==, 0);
  g_assert_true (g_strv_equal ((const char * const *) services, expected));
}

static void
test_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_definitions); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SesameProvider) provider = NULL;
      g_autofree char *quoted = g_strdup_printf ("“%s”", invalid_definitions[i].field);

      g_test_message ("%s", invalid_definitions[i].json);
      provider = parse (invalid_definitions[i].json, &error);
      g_assert_null (provider);
      g_assert_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, quoted));
    }
}

static void
test_secure_or_loopback (void)
{
  static const struct {
    const char *uri;
    gboolean    allowed;
  } uris[] = {
    { "https://id.example.com/token", TRUE },
    { "HTTPS://id.example.com", TRUE },
    { "http://127.0.0.1:8080/token", TRUE },
    { "http://127.45.6.7/", TRUE },
    { "http://[::1]:9000/x", TRUE },
    { "http://localhost/x", TRUE },
    { "http://LocalHost:1/x", TRUE },
    { "http://id.example.com/token", FALSE },
    { "http://128.0.0.1/", FALSE },
    { "http://[::2]/", FALSE },
    { "http://localhost.example.com/", FALSE },
    { "http://10.0.0.1/", FALSE },
    { "ftp://id.example.com/", FALSE },
    { "https:///no-host", FALSE },
    { "not a uri", FALSE },
    { "", FALSE },
    { NULL, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (uris); i++)
    {
      g_test_message ("%s", uris[i].uri != NULL ? uris[i].uri : "(null)");
      g_assert_cmpint (sesame_uri_is_secure_or_loopback (uris[i].uri), ==, uris[i].allowed);
    }
}

static void
test_flows_derived (void)
{
  g_autoptr(SesameProvider) plain = parse_valid ("{" MINIMAL "}");
  g_autoptr(SesameProvider) device = parse_valid (
    "{" MINIMAL ", \"device-authorization-endpoint\": \"https://id.example.com/device\" }");
  g_autoptr(SesameProvider) explicit = parse_valid (
    "{" MINIMAL ", \"device-authorization-endpoint\": \"https://id.example.com/device\","
    " \"flows\": [\"authorization_code\"] }");

  assert_strv (sesame_provider_dup_flows (plain),
               (const char *[]) { "authorization_code", NULL });
  assert_strv (sesame_provider_dup_flows (device),
               (const char *[]) { "authorization_code", "device_code", NULL });
  g_assert_true (sesame_provider_offers_flow (device, SESAME_FLOW_DEVICE_CODE));
  assert_strv (sesame_provider_dup_flows (explicit),
               (const char *[]) { "authorization_code", NULL });
  g_assert_false (sesame_provider_offers_flow (explicit, SESAME_FLOW_DEVICE_CODE));
}

static void
test_git_hosts (void)
{
  g_autoptr(SesameProvider) from_issuer = parse_valid (
    "{ \"id\": \"a\", \"issuer\": \"https://login.example.com:8443/realm\" }");
  g_autoptr(SesameProvider) default_port = parse_valid (
    "{ \"id\": \"a\", \"issuer\": \"https://Login.Example.com:443\" }");
  g_autoptr(SesameProvider) from_authorization = parse_valid (
    "{ \"id\": \"a\", \"authorization-endpoint\": \"http://127.0.0.1:3000/auth\","
    "  \"token-endpoint\": \"http://127.0.0.1:3000/token\" }");
  g_autoptr(SesameProvider) none = parse_valid ("{" MINIMAL ", \"git-hosts\": [] }");
  g_autoptr(SesameProvider) template = parse_valid ("{ \"id\": \"t\", \"template\": true }");

  assert_strv (sesame_provider_dup_git_hosts (from_issuer),
               (const char *[]) { "login.example.com:8443", NULL });
  assert_strv (sesame_provider_dup_git_hosts (default_port),
               (const char *[]) { "login.example.com", NULL });
  assert_strv (sesame_provider_dup_git_hosts (from_authorization),
               (const char *[]) { "127.0.0.1:3000", NULL });
  assert_strv (sesame_provider_dup_git_hosts (none), (const char *[]) { NULL });
  assert_strv (sesame_provider_dup_git_hosts (template), (const char *[]) { NULL });
}

/* How long refresh tokens live: 0 (not said) unless the file says. */
static void
test_refresh_token_days (void)
{
  g_autoptr(SesameProvider) plain = parse_valid ("{" MINIMAL "}");
  g_autoptr(SesameProvider) idle = parse_valid ("{" MINIMAL ", \"refresh-token-idle-days\": 90 }");
  g_autoptr(SesameProvider) lifetime =
    parse_valid ("{" MINIMAL ", \"refresh-token-lifetime-days\": 180 }");

  g_assert_cmpuint (sesame_provider_get_refresh_token_idle_days (plain), ==, 0);
  g_assert_cmpuint (sesame_provider_get_refresh_token_lifetime_days (plain), ==, 0);
  g_assert_cmpuint (sesame_provider_get_refresh_token_idle_days (idle), ==, 90);
  g_assert_cmpuint (sesame_provider_get_refresh_token_lifetime_days (idle), ==, 0);
  g_assert_cmpuint (sesame_provider_get_refresh_token_lifetime_days (lifetime), ==, 180);
}

static void
test_template (void)
{
  g_autoptr(SesameProvider) template = parse_valid (
    "{ \"id\": \"openid-connect\", \"name\": \"OpenID Connect\", \"template\": true,"
    "  \"scopes\": { \"openid\": \"Confirm who you are\" }, \"default-scopes\": [\"openid\"] }");

  g_assert_true (sesame_provider_is_template (template));
  g_assert_false (sesame_provider_is_configured (template));
  g_assert_false (sesame_provider_needs_discovery (template));
  g_assert_null (sesame_provider_get_token_endpoint (template));
  assert_strv (sesame_provider_dup_flows (template),
               (const char *[]) { "authorization_code", NULL });
}

#define ISSUER "https://login.example.com"
#define DISCOVERY_DOCUMENT \
  "{ \"issuer\": \"" ISSUER "\"," \
  "  \"authorization_endpoint\": \"" ISSUER "/authorize\"," \
  "  \"token_endpoint\": \"" ISSUER "/token\"," \
  "  \"revocation_endpoint\": \"" ISSUER "/revoke\"," \
  "  \"device_authorization_endpoint\": \"" ISSUER "/device\"," \
  "  \"userinfo_endpoint\": \"" ISSUER "/me\"," \
  "  \"grant_types_supported\": [\"authorization_code\", \"refresh_token\"," \
  "                             \"client_credentials\"]," \
  "  \"authorization_response_iss_parameter_supported\": true }"

static void
test_needs_discovery (void)
{
  g_autoptr(SesameProvider) issuer_only = parse_valid (
    "{ \"id\": \"a\", \"issuer\": \"" ISSUER "\" }");
  g_autoptr(SesameProvider) endpoints_only = parse_valid (
    "{ \"id\": \"a\", \"issuer\": \"" ISSUER "\","
    "  \"authorization-endpoint\": \"" ISSUER "/a\", \"token-endpoint\": \"" ISSUER "/t\" }");
  g_autoptr(SesameProvider) pinned = parse_valid (
    "{ \"id\": \"a\", \"issuer\": \"" ISSUER "\", \"flows\": [\"authorization_code\"],"
    "  \"authorization-endpoint\": \"" ISSUER "/a\", \"token-endpoint\": \"" ISSUER "/t\" }");

  g_assert_true (sesame_provider_needs_discovery (issuer_only));
  /* The flows are derived, and client_credentials comes from discovery. */
  g_assert_true (sesame_provider_needs_discovery (endpoints_only));
  g_assert_false (sesame_provider_needs_discovery (pinned));
}

static void
test_apply_discovery (void)
{
  g_autoptr(SesameProvider) provider = parse_valid (
    "{ \"id\": \"a\", \"issuer\": \"" ISSUER "\", \"userinfo-endpoint\": \"" ISSUER "/mine\" }");
  g_autoptr(JsonObject) document = parse_object (DISCOVERY_DOCUMENT);
  g_autoptr(GError) error = NULL;

  g_assert_true (sesame_provider_apply_discovery (provider, document, &error));
  g_assert_no_error (error);
  g_assert_false (sesame_provider_needs_discovery (provider));
  g_assert_cmpstr (sesame_provider_get_authorization_endpoint (provider), ==, ISSUER "/authorize");
  g_assert_cmpstr (sesame_provider_get_token_endpoint (provider), ==, ISSUER "/token");
  g_assert_cmpstr (sesame_provider_get_revocation_endpoint (provider), ==, ISSUER "/revoke");
  g_assert_cmpstr (sesame_provider_get_device_authorization_endpoint (provider), ==,
                   ISSUER "/device");
  /* What the file gives wins over discovery. */
  g_assert_cmpstr (sesame_provider_get_userinfo_endpoint (provider), ==, ISSUER "/mine");
  g_assert_true (sesame_provider_get_iss_parameter_supported (provider));
  assert_strv (sesame_provider_dup_flows (provider),
               (const char *[]) { "authorization_code", "device_code", "client_credentials",
                                  NULL });
}

static void
test_discovery_without_authorization (void)
{
  g_autoptr(SesameProvider) provider = parse_valid (
    "{ \"id\": \"a\", \"issuer\": \"" ISSUER "\" }");
  g_autoptr(JsonObject) document = parse_object (
    "{ \"issuer\": \"" ISSUER "\", \"token_endpoint\": \"" ISSUER "/token\","
    "  \"grant_types_supported\": [\"client_credentials\"] }");
  g_autoptr(GError) error = NULL;

  g_assert_true (sesame_provider_apply_discovery (provider, document, &error));
  g_assert_no_error (error);
  assert_strv (sesame_provider_dup_flows (provider),
               (const char *[]) { "client_credentials", NULL });
  g_assert_false (sesame_provider_get_iss_parameter_supported (provider));
}

static void
test_discovery_refused (void)
{
  static const char * const documents[] = {
    "{ \"issuer\": \"https://impostor.example.com\", \"token_endpoint\": \"" ISSUER "/t\" }",
    "{ \"token_endpoint\": \"" ISSUER "/t\" }",
    "{ \"issuer\": \"" ISSUER "\", \"token_endpoint\": \"http://login.example.com/t\" }",
    "{ \"issuer\": \"" ISSUER "\", \"token_endpoint\": 7 }",
    "{ \"issuer\": \"" ISSUER "\", \"authorization_endpoint\": \"" ISSUER "/a\" }",
    "{ \"issuer\": \"" ISSUER "\", \"token_endpoint\": \"" ISSUER "/t\","
    "  \"grant_types_supported\": \"client_credentials\" }",
    "{ \"issuer\": \"" ISSUER "\", \"token_endpoint\": \"" ISSUER "/t\","
    "  \"authorization_response_iss_parameter_supported\": \"yes\" }",
  };
  g_autoptr(SesameProvider) provider = parse_valid (
    "{ \"id\": \"a\", \"issuer\": \"" ISSUER "\" }");

  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      g_autoptr(JsonObject) document = parse_object (documents[i]);
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", documents[i]);
      g_assert_false (sesame_provider_apply_discovery (provider, document, &error));
      g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
      /* Unchanged, so that a later discovery may try again. */
      g_assert_true (sesame_provider_needs_discovery (provider));
      g_assert_null (sesame_provider_get_token_endpoint (provider));
      g_assert_null (sesame_provider_get_authorization_endpoint (provider));
    }
}

static void
test_discovery_without_issuer (void)
{
  g_autoptr(SesameProvider) provider = parse_valid ("{" MINIMAL "}");
  g_autoptr(JsonObject) document = parse_object (DISCOVERY_DOCUMENT);
  g_autoptr(GError) error = NULL;

  g_assert_false (sesame_provider_apply_discovery (provider, document, &error));
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/provider/minimal", test_minimal);
  g_test_add_func ("/provider/defaults", test_defaults);
  g_test_add_func ("/provider/every-field", test_every_field);
  g_test_add_func ("/provider/null-is-absent", test_null_is_absent);
  g_test_add_func ("/provider/identity-claims", test_identity_claims);
  g_test_add_func ("/provider/quirk-fields", test_quirk_fields);
  g_test_add_func ("/provider/device-client-missing", test_device_client_missing);
  g_test_add_func ("/provider/invalid", test_invalid);
  g_test_add_func ("/provider/revocation", test_revocation);
  g_test_add_func ("/provider/services", test_services);
  g_test_add_func ("/provider/secure-or-loopback", test_secure_or_loopback);
  g_test_add_func ("/provider/flows-derived", test_flows_derived);
  g_test_add_func ("/provider/git-hosts", test_git_hosts);
  g_test_add_func ("/provider/template", test_template);
  g_test_add_func ("/provider/refresh-token-days", test_refresh_token_days);
  g_test_add_func ("/provider/needs-discovery", test_needs_discovery);
  g_test_add_func ("/provider/discovery/apply", test_apply_discovery);
  g_test_add_func ("/provider/discovery/without-authorization",
                   test_discovery_without_authorization);
  g_test_add_func ("/provider/discovery/refused", test_discovery_refused);
  g_test_add_func ("/provider/discovery/without-issuer", test_discovery_without_issuer);

  return g_test_run ();
}
