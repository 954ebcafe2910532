/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-auth-request.c: the authorization URL and the checks of the callback */
#include "config.h"

#include "sesame-auth-request.h"
#include "sesame-error.h"
#include "sesame-random.h"

#define ISSUER "https://id.example"
#define REDIRECT_URI "http://127.0.0.1:4567/callback"

static const char * const default_scopes[] = { "openid", "email", NULL };

/* A provider from the fields of a definition file, plus @extra members. */
static SesameProvider *
provider_new (const char *endpoint,
              const char *extra)
{
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  SesameProvider *provider;

  json = g_strdup_printf ("{\"id\": \"test\", \"name\": \"Test Provider\","
                          " \"issuer\": \"" ISSUER "\","
                          " \"authorization-endpoint\": \"%s\","
                          " \"token-endpoint\": \"" ISSUER "/token\","
                          " \"client-id\": \"client id/1\","
                          " \"flows\": [\"authorization_code\"] %s}",
                          endpoint, extra != NULL ? extra : "");
  node = json_from_string (json, &error);
  g_assert_no_error (error);
  provider = sesame_provider_new_from_json (json_node_get_object (node), &error);
  g_assert_no_error (error);
  return provider;
}

static SesameAuthRequest *
request_new (SesameProvider     *provider,
             const char * const *scopes,
             const char         *login_hint)
{
  g_autoptr(GError) error = NULL;
  SesameAuthRequest *request;

  request = sesame_auth_request_new (provider, scopes, REDIRECT_URI, login_hint, &error);
  g_assert_no_error (error);
  return request;
}

/* The URL's query as name → value, each name once. */
static GHashTable *
url_params (SesameAuthRequest *request)
{
  g_autoptr(GUri) uri = g_uri_parse (sesame_auth_request_get_url (request),
                                     G_URI_FLAGS_ENCODED_QUERY, NULL);
  g_autoptr(GError) error = NULL;
  GHashTable *params;

  g_assert_nonnull (uri);
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_WWW_FORM, &error);
  g_assert_no_error (error);
  return params;
}

static guint
count_occurrences (const char *haystack,
                   const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static void
test_url_parameters (void)
{
  g_autoptr(SesameProvider) provider = provider_new (ISSUER "/authorize", NULL);
  const char * const scopes[] = { "openid", "email", "https://mail.example/", NULL };
  g_autoptr(SesameAuthRequest) request = request_new (provider, scopes, "person+tag@example.com");
  g_autoptr(GHashTable) params = url_params (request);
  g_autofree char *challenge = NULL;
  const char *url = sesame_auth_request_get_url (request);

  g_assert_true (g_str_has_prefix (url, ISSUER "/authorize?"));
  g_assert_cmpstr (g_hash_table_lookup (params, "response_type"), ==, "code");
  g_assert_cmpstr (g_hash_table_lookup (params, "client_id"), ==, "client id/1");
  g_assert_cmpstr (g_hash_table_lookup (params, "redirect_uri"), ==, REDIRECT_URI);
  g_assert_cmpstr (g_hash_table_lookup (params, "scope"), ==,
                   "openid email https://mail.example/");
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==,
                   sesame_auth_request_get_state (request));
  challenge = sesame_pkce_challenge_s256 (sesame_auth_request_get_code_verifier (request));
  g_assert_cmpstr (g_hash_table_lookup (params, "code_challenge"), ==, challenge);
  g_assert_cmpstr (g_hash_table_lookup (params, "code_challenge_method"), ==, "S256");
  g_assert_cmpstr (g_hash_table_lookup (params, "login_hint"), ==, "person+tag@example.com");
  g_assert_false (g_hash_table_contains (params, "prompt"));
  g_assert_cmpuint (g_hash_table_size (params), ==, 8);

  /* escaped as a query needs it, not merely as a path would */
  g_assert_nonnull (strstr (url, "client_id=client%20id%2F1&"));
  g_assert_nonnull (strstr (url, "scope=openid%20email%20https%3A%2F%2Fmail.example%2F&"));
  g_assert_nonnull (strstr (url, "redirect_uri=http%3A%2F%2F127.0.0.1%3A4567%2Fcallback&"));
  g_assert_nonnull (strstr (url, "login_hint=person%2Btag%40example.com"));

  g_assert_true (g_strv_equal (sesame_auth_request_get_scopes (request), scopes));
  g_assert_cmpstr (sesame_auth_request_get_redirect_uri (request), ==, REDIRECT_URI);
}

static void
test_url_fresh_values (void)
{
  g_autoptr(SesameProvider) provider = provider_new (ISSUER "/authorize", NULL);
  g_autoptr(SesameAuthRequest) first = request_new (provider, default_scopes, NULL);
  g_autoptr(SesameAuthRequest) second = request_new (provider, default_scopes, NULL);
  const char *verifier = sesame_auth_request_get_code_verifier (first);

  /* RFC 7636 §4.1: 43 characters of the unreserved set */
  g_assert_cmpuint (strlen (verifier), ==, 43);
  g_assert_cmpuint (strlen (sesame_auth_request_get_state (first)), ==, 43);
  g_assert_cmpstr (sesame_auth_request_get_state (first), !=,
                   sesame_auth_request_get_state (second));
  g_assert_cmpstr (verifier, !=, sesame_auth_request_get_code_verifier (second));
  g_assert_cmpstr (sesame_auth_request_get_state (first), !=, verifier);
}

static void
test_url_existing_query (void)
{
  g_autoptr(SesameProvider) provider =
    provider_new (ISSUER "/oauth2/authorize?tenant=a%20b&p=B2C_1_signin", NULL);
  g_autoptr(SesameAuthRequest) request = request_new (provider, default_scopes, NULL);
  g_autoptr(GHashTable) params = url_params (request);
  const char *url = sesame_auth_request_get_url (request);

  g_assert_true (g_str_has_prefix (url, ISSUER "/oauth2/authorize?tenant=a%20b&p=B2C_1_signin&"
                                    "response_type=code&"));
  g_assert_cmpuint (count_occurrences (url, "?"), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (params, "tenant"), ==, "a b");
  g_assert_cmpstr (g_hash_table_lookup (params, "p"), ==, "B2C_1_signin");
  g_assert_cmpstr (g_hash_table_lookup (params, "client_id"), ==, "client id/1");
  g_assert_false (g_hash_table_contains (params, "login_hint"));
}

static void
test_url_loopback_endpoint (void)
{
  const char *endpoints[] = { "http://127.0.0.1:8080/authorize", "http://[::1]:8443/a/b" };

  for (guint i = 0; i < G_N_ELEMENTS (endpoints); i++)
    {
      g_autoptr(SesameProvider) provider = provider_new (endpoints[i], NULL);
      g_autoptr(SesameAuthRequest) request = request_new (provider, default_scopes, NULL);
      g_autofree char *prefix = g_strconcat (endpoints[i], "?response_type=code&", NULL);

      g_assert_true (g_str_has_prefix (sesame_auth_request_get_url (request), prefix));
    }
}

static void
test_url_offline_access (void)
{
  g_autoptr(SesameProvider) provider = provider_new (ISSUER "/authorize", NULL);
  const char * const scopes[] = { "openid", "offline_access", NULL };
  g_autoptr(SesameAuthRequest) request = request_new (provider, scopes, NULL);
  g_autoptr(GHashTable) params = url_params (request);

  g_assert_cmpstr (g_hash_table_lookup (params, "prompt"), ==, "consent");
}

static void
test_url_authorization_params (void)
{
  g_autoptr(SesameProvider) provider =
    provider_new (ISSUER "/authorize",
                  ", \"authorization-params\": {\"access_type\": \"offline\","
                  " \"prompt\": \"select_account consent\", \"hd\": \"example.com\"}");
  const char * const scopes[] = { "openid", "offline_access", NULL };
  g_autoptr(SesameAuthRequest) request = request_new (provider, scopes, NULL);
  g_autoptr(GHashTable) params = url_params (request);
  const char *url = sesame_auth_request_get_url (request);

  g_assert_cmpstr (g_hash_table_lookup (params, "access_type"), ==, "offline");
  g_assert_cmpstr (g_hash_table_lookup (params, "hd"), ==, "example.com");
  /* the file's prompt wins, and comes once */
  g_assert_cmpstr (g_hash_table_lookup (params, "prompt"), ==, "select_account consent");
  g_assert_cmpuint (count_occurrences (url, "prompt="), ==, 1);
}

static void
test_new_refused (void)
{
  g_autoptr(SesameProvider) provider = provider_new (ISSUER "/authorize", NULL);
  g_autoptr(SesameProvider) unconfigured = NULL;
  const char * const no_scopes[] = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(SesameAuthRequest) request = NULL;
  g_autoptr(JsonNode) node = NULL;

  request = sesame_auth_request_new (provider, no_scopes, REDIRECT_URI, NULL, &error);
  g_assert_null (request);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  request = sesame_auth_request_new (provider, default_scopes, "not a uri", NULL, &error);
  g_assert_null (request);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  node = json_from_string ("{\"id\": \"blank\", \"name\": \"Blank\", \"client-id\": \"\","
                           " \"authorization-endpoint\": \"https://blank.example/a\","
                           " \"token-endpoint\": \"https://blank.example/t\"}", NULL);
  unconfigured = sesame_provider_new_from_json (json_node_get_object (node), &error);
  g_assert_no_error (error);
  request = sesame_auth_request_new (unconfigured, default_scopes, REDIRECT_URI, NULL, &error);
  g_assert_null (request);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT);
}

static void
test_matches_redirect (void)
{
  g_autoptr(SesameProvider) provider = provider_new (ISSUER "/authorize", NULL);
  g_autoptr(SesameAuthRequest) request = request_new (provider, default_scopes, NULL);
  g_autoptr(SesameAuthRequest) default_port = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (sesame_auth_request_matches_redirect (request, REDIRECT_URI));
  g_assert_true (sesame_auth_request_matches_redirect (request, REDIRECT_URI "?code=a&state=b"));
  g_assert_true (sesame_auth_request_matches_redirect (request, "HTTP://127.0.0.1:4567/callback"));
  g_assert_false (sesame_auth_request_matches_redirect (request, "http://127.0.0.1:4568/callback"));
  g_assert_false (sesame_auth_request_matches_redirect (request, "http://127.0.0.1/callback"));
  g_assert_false (sesame_auth_request_matches_redirect (request, "https://127.0.0.1:4567/callback"));
  g_assert_false (sesame_auth_request_matches_redirect (request, "http://127.0.0.2:4567/callback"));
  g_assert_false (sesame_auth_request_matches_redirect (request, "http://127.0.0.1:4567/callbackx"));
  g_assert_false (sesame_auth_request_matches_redirect (request, "http://127.0.0.1:4567/"));
  g_assert_false (sesame_auth_request_matches_redirect (request, "not a uri"));

  default_port = sesame_auth_request_new (provider, default_scopes, "http://localhost/cb", NULL,
                                          &error);
  g_assert_no_error (error);
  g_assert_true (sesame_auth_request_matches_redirect (default_port, "http://LocalHost:80/cb?x"));
}

/* Parses REDIRECT_URI?@query, with STATE replaced by the request's state. */
static char *
parse_callback (SesameAuthRequest  *request,
                const char         *query,
                GError            **error)
{
  g_autoptr(GString) uri = g_string_new (REDIRECT_URI "?");

  g_string_append (uri, query);
  g_string_replace (uri, "STATE", sesame_auth_request_get_state (request), 0);
  return sesame_auth_request_parse_callback (request, uri->str, error);
}

static void
test_callback_good (void)
{
  g_autoptr(SesameProvider) provider = provider_new (ISSUER "/authorize", NULL);
  g_autoptr(SesameAuthRequest) request = request_new (provider, default_scopes, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *with_iss = NULL;

  code = parse_callback (request, "code=abc%2Fdef+1&state=STATE", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (code, ==, "abc/def 1");

  with_iss = parse_callback (request, "state=STATE&code=xyz&iss=https%3A%2F%2Fid.example",
                             &error);
  g_assert_no_error (error);
  g_assert_cmpstr (with_iss, ==, "xyz");
}

static void
assert_unverified (SesameAuthRequest *request,
                   const char        *query)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = parse_callback (request, query, &error);

  g_test_message ("callback query: %s", query);
  g_assert_null (code);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
  g_assert_nonnull (strstr (error->message, "could not be verified"));
  g_assert_nonnull (strstr (error->message, "Test Provider"));
}

static void
test_callback_forged (void)
{
  g_autoptr(SesameProvider) provider = provider_new (ISSUER "/authorize", NULL);
  g_autoptr(SesameAuthRequest) request = request_new (provider, default_scopes, NULL);
  g_autoptr(SesameAuthRequest) other = request_new (provider, default_scopes, NULL);
  g_autofree char *other_state = g_strdup_printf ("code=abc&state=%s",
                                                  sesame_auth_request_get_state (other));

  assert_unverified (request, other_state);
  assert_unverified (request, "code=abc");
  assert_unverified (request, "code=abc&state=");
  assert_unverified (request, "code=abc&state=STATEx");
  /* an unverified answer may not even cancel the sign-in */
  assert_unverified (request, "error=access_denied");
  assert_unverified (request, "code=abc&state=STATE&iss=https%3A%2F%2Fevil.example");
  assert_unverified (request, "error=access_denied&state=STATE&iss=https%3A%2F%2Fevil.example");
}

static void
test_callback_repeated_parameter (void)
{
  g_autoptr(SesameProvider) provider = provider_new (ISSUER "/authorize", NULL);
  g_autoptr(SesameAuthRequest) request = request_new (provider, default_scopes, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;

  code = parse_callback (request, "code=abc&state=STATE&state=STATE", &error);
  g_assert_null (code);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
  g_clear_error (&error);

  code = parse_callback (request, "code=abc&state=STATE&code=def", &error);
  g_assert_null (code);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
}

static void
test_callback_iss_announced (void)
{
  g_autoptr(SesameProvider) provider = provider_new (ISSUER "/authorize", NULL);
  g_autoptr(SesameAuthRequest) request = NULL;
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;

  document = json_from_string ("{\"issuer\": \"" ISSUER "\","
                               " \"authorization_response_iss_parameter_supported\": true}",
                               NULL);
  sesame_provider_apply_discovery (provider, json_node_get_object (document), &error);
  g_assert_no_error (error);
  g_assert_true (sesame_provider_get_iss_parameter_supported (provider));
  request = request_new (provider, default_scopes, NULL);

  assert_unverified (request, "code=abc&state=STATE");
  assert_unverified (request, "error=access_denied&state=STATE");
  code = parse_callback (request, "code=abc&state=STATE&iss=https%3A%2F%2Fid.example", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (code, ==, "abc");
}

static void
test_callback_access_denied (void)
{
  g_autoptr(SesameProvider) provider = provider_new (ISSUER "/authorize", NULL);
  g_autoptr(SesameAuthRequest) request = request_new (provider, default_scopes, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;

  code = parse_callback (request, "error=access_denied&error_description=The+user+said+no"
                         "&state=STATE", &error);
  g_assert_null (code);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_CANCELLED);
}

static void
test_callback_oauth_error (void)
{
  g_autoptr(SesameProvider) provider = provider_new (ISSUER "/authorize", NULL);
  g_autoptr(SesameAuthRequest) request = request_new (provider, default_scopes, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;

  code = parse_callback (request, "error=invalid_scope&error_description=Scope+%22mail%22+is"
                         "+unknown&state=STATE", &error);
  g_assert_null (code);
  g_assert_error (error, SESAME_OAUTH_ERROR, SESAME_OAUTH_ERROR_INVALID_SCOPE);
  g_assert_cmpstr (error->message, ==,
                   "Test Provider refused the sign-in: invalid_scope (Scope \"mail\" is unknown)");
  g_clear_error (&error);

  code = parse_callback (request, "error=temporarily_unavailable&state=STATE", &error);
  g_assert_null (code);
  g_assert_error (error, SESAME_OAUTH_ERROR, SESAME_OAUTH_ERROR_OTHER);
  g_assert_nonnull (strstr (error->message, "temporarily_unavailable"));
  g_clear_error (&error);

  /* not UTF-8: the message could not cross D-Bus */
  code = parse_callback (request, "error=server_error&error_description=%FF%FE&state=STATE",
                         &error);
  g_assert_null (code);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
}

static void
test_callback_no_code (void)
{
  g_autoptr(SesameProvider) provider = provider_new (ISSUER "/authorize", NULL);
  g_autoptr(SesameAuthRequest) request = request_new (provider, default_scopes, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;

  code = parse_callback (request, "state=STATE", &error);
  g_assert_null (code);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
  g_clear_error (&error);

  code = parse_callback (request, "state=STATE&code=", &error);
  g_assert_null (code);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
}

static void
test_callback_elsewhere (void)
{
  g_autoptr(SesameProvider) provider = provider_new (ISSUER "/authorize", NULL);
  g_autoptr(SesameAuthRequest) request = request_new (provider, default_scopes, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:9999/callback?code=abc&state=%s",
                                          sesame_auth_request_get_state (request));
  g_autofree char *code = sesame_auth_request_parse_callback (request, uri, &error);

  g_assert_null (code);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/auth-request/url/parameters", test_url_parameters);
  g_test_add_func ("/auth-request/url/fresh-values", test_url_fresh_values);
  g_test_add_func ("/auth-request/url/existing-query", test_url_existing_query);
  g_test_add_func ("/auth-request/url/loopback-endpoint", test_url_loopback_endpoint);
  g_test_add_func ("/auth-request/url/offline-access", test_url_offline_access);
  g_test_add_func ("/auth-request/url/authorization-params", test_url_authorization_params);
  g_test_add_func ("/auth-request/new-refused", test_new_refused);
  g_test_add_func ("/auth-request/matches-redirect", test_matches_redirect);
  g_test_add_func ("/auth-request/callback/good", test_callback_good);
  g_test_add_func ("/auth-request/callback/forged", test_callback_forged);
  g_test_add_func ("/auth-request/callback/repeated-parameter", test_callback_repeated_parameter);
  g_test_add_func ("/auth-request/callback/iss-announced", test_callback_iss_announced);
  g_test_add_func ("/auth-request/callback/access-denied", test_callback_access_denied);
  g_test_add_func ("/auth-request/callback/oauth-error", test_callback_oauth_error);
  g_test_add_func ("/auth-request/callback/no-code", test_callback_no_code);
  g_test_add_func ("/auth-request/callback/elsewhere", test_callback_elsewhere);

  return g_test_run ();
}
