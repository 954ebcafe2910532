/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-lab-google.c: the installed Google definition against the lab's
 * Google (tests/labs/google.mjs), through D-Bus and sesamectl */
#include "config.h"

#include "sesame-bus-names.h"
#include "sesame-test-lab.h"

static SesameTestLabRun *run;
static SesameTestEnv *env;
static SesameTestLab *lab;
static SesameTestAgent *agent;
static char *account;   /* alice's account path */

static const char *mail_scope[] = { "https://mail.google.com/", NULL };

static void
ensure_account (void)
{
  g_autoptr(GError) error = NULL;

  if (account != NULL && sesame_test_env_count_accounts (env) > 0)
    return;
  g_clear_pointer (&account, g_free);
  account = sesame_test_env_add_account (env, "google", NULL, NULL, &error);
  g_assert_no_error (error);
}

static JsonObject *
last_authorization (void)
{
  JsonObject *query = sesame_test_lab_last (lab, "authorizations");

  g_assert_nonnull (query);
  return query;
}

static void
test_add (void)
{
  g_autoptr(JsonObject) query = NULL;
  g_autoptr(JsonObject) redeem = NULL;

  g_clear_pointer (&account, g_free);
  ensure_account ();
  /* https://developers.google.com/identity/protocols/oauth2/native-app:
   * PKCE S256, access_type=offline, and the Desktop client's secret. */
  query = last_authorization ();
  g_assert_cmpstr (json_object_get_string_member_with_default (query, "code_challenge_method", ""), ==, "S256");
  g_assert_cmpstr (json_object_get_string_member_with_default (query, "access_type", ""), ==, "offline");
  redeem = sesame_test_lab_last (lab, "tokenRequests");
  g_assert_cmpstr (json_object_get_string_member (redeem, "grant_type"), ==, "authorization_code");
  g_assert_true (json_object_get_boolean_member (redeem, "has_client_secret"));
  g_assert_true (json_object_get_boolean_member (redeem, "has_code_verifier"));
  sesame_test_env_assert_string_property (env, account, "Identity", "alice@gmail.example");
  sesame_test_env_assert_string_property (env, account, "Flow", "authorization_code");
}

/* Google echoes `email` as …/auth/userinfo.email: the account holds the
 * scopes as asked, and a token for `email` is handed out. */
static void
test_scopes_asked_form (void)
{
  g_auto(GStrv) scopes = NULL;
  const char *email[] = { "email", NULL };
  g_autofree char *token = NULL;
  g_autoptr(GError) error = NULL;

  scopes = sesame_test_lab_scopes (env, account);
  g_assert_true (g_strv_contains ((const char * const *) scopes, "email"));
  g_assert_true (g_strv_contains ((const char * const *) scopes, "openid"));
  g_assert_true (g_strv_contains ((const char * const *) scopes, "https://mail.google.com/"));
  g_assert_false (g_strv_contains ((const char * const *) scopes,
                                   "https://www.googleapis.com/auth/userinfo.email"));
  token = sesame_test_env_get_token (env, account, email, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
}

static void
test_token_for_subset (void)
{
  g_autofree char *token = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(GError) error = NULL;

  token = sesame_test_env_get_token (env, account, mail_scope, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  request = sesame_test_lab_last (lab, "tokenRequests");
  /* Least privilege: asked by a refresh with exactly that scope. */
  g_assert_cmpstr (json_object_get_string_member (request, "grant_type"), ==, "refresh_token");
  g_assert_cmpstr (json_object_get_string_member_with_default (request, "scope", ""), ==,
                   "https://mail.google.com/");
}

/* Google does not rotate refresh tokens: the one from the sign-in keeps
 * serving, across a broker restart too. */
static void
test_refresh_not_rotated (void)
{
  guint issued = sesame_test_lab_count (lab, "refreshTokens");

  sesame_test_lab_refresh_across_restart (run, account);
  /* The refreshes issued no refresh token: the sign-in's one still serves. */
  g_assert_cmpuint (sesame_test_lab_count (lab, "refreshTokens"), ==, issued);
}

/* https://developers.google.com/identity/openid-connect/openid-connect:
 * `iss` is accounts.google.com or https://accounts.google.com. */
static void
test_issuer_without_scheme (void)
{
  g_autoptr(JsonNode) G_GNUC_UNUSED config = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  config = sesame_test_lab_request (lab, "POST", "/_test/config?iss=bare");
  path = sesame_test_env_add_account (env, "google", NULL, NULL, &error);
  g_clear_pointer (&config, json_node_unref);
  config = sesame_test_lab_request (lab, "POST", "/_test/config?iss=https");
  g_assert_no_error (error);
  sesame_test_env_assert_string_property (env, path, "Identity", "alice@gmail.example");
}

/* Device sign-in takes the "TVs and Limited Input devices" client and only
 * its scopes; the answer's `verification_url` is the verification URI. */
static void
test_device (void)
{
  const char *scopes[] = { "openid", "email", NULL };
  g_autoptr(GVariant) details = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonObject) asked = NULL;
  const char *uri = NULL;
  g_autoptr(GError) error = NULL;

  path = sesame_test_lab_device_sign_in (env, "google", scopes, "carol", FALSE, &details, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_lookup (details, "verification-uri", "&s", &uri));
  g_assert_true (g_str_has_prefix (uri, lab->base));
  asked = sesame_test_lab_last (lab, "deviceRequests");
  g_assert_cmpstr (json_object_get_string_member (asked, "client_id"), ==, "lab-google-tv");
  sesame_test_env_assert_string_property (env, path, "Identity", "carol@gmail.example");
  sesame_test_env_assert_string_property (env, path, "Flow", "device_code");
}

/* Gmail's scope is not a device scope: refused before Google is asked. */
static void
test_device_refuses_gmail (void)
{
  const char *scopes[] = { "openid", "email", "https://mail.google.com/", NULL };
  g_autofree char *path = NULL;
  guint before = sesame_test_lab_count (lab, "deviceRequests");
  g_autoptr(GError) error = NULL;

  path = sesame_test_lab_device_sign_in (env, "google", scopes, "alice", FALSE, NULL, &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  g_assert_cmpuint (sesame_test_lab_count (lab, "deviceRequests"), ==, before);
}

/* RFC 7009 revocation at Google's revoke endpoint: the grant ends there. */
static void
test_remove_revokes (void)
{
  g_autoptr(JsonNode) state = NULL;
  JsonArray *refresh_tokens;
  int status;

  status = sesame_test_lab_remove (env, account, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (sesame_test_lab_count (lab, "revocations"), >, 0);
  state = sesame_test_lab_request (lab, "GET", "/_test/state");
  refresh_tokens = sesame_test_lab_seen (state, "refreshTokens");
  /* alice's first grant (the account's) is gone at Google. */
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (refresh_tokens, 0), "dead"));
  g_clear_pointer (&account, g_free);
}

/* ListProviders: what Remove can do and where access is managed. */
static void
test_list_providers (void)
{
  g_autoptr(GVariant) info = sesame_test_lab_provider_info (env, "google");

  sesame_test_lab_assert_removal (info, TRUE, "https://myaccount.google.com/connections");
  /* Device sign-in only with the "TVs and Limited Input devices" client,
   * which the test provider file names. */
  g_assert_true (sesame_test_lab_info_has (info, "flows", "device_code"));
}

/* The same through sesamectl: add, list --json, token. */
static void
test_sesamectl (void)
{
  g_autofree char *id = NULL;

  id = sesame_test_lab_check_sesamectl (run, "google", "alice@gmail.example");
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  run = sesame_test_lab_run_new ("google", "lab-google-desktop", "lab-google-desktop-secret",
                                 "lab-google-tv", "lab-google-tv-secret");
  env = run->env;
  lab = run->lab;
  agent = run->agent;
  /* The Google definition signs in in the person's browser. */
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_BROWSER, "alice");

  g_test_add_func ("/lab/google/add", test_add);
  sesame_test_add_with_setup ("/lab/google/scopes-asked-form", ensure_account, test_scopes_asked_form);
  sesame_test_add_with_setup ("/lab/google/token-for-subset", ensure_account, test_token_for_subset);
  sesame_test_add_with_setup ("/lab/google/refresh-not-rotated", ensure_account, test_refresh_not_rotated);
  g_test_add_func ("/lab/google/issuer-without-scheme", test_issuer_without_scheme);
  g_test_add_func ("/lab/google/device", test_device);
  g_test_add_func ("/lab/google/device-refuses-gmail", test_device_refuses_gmail);
  sesame_test_add_with_setup ("/lab/google/remove-revokes", ensure_account, test_remove_revokes);
  g_test_add_func ("/lab/google/list-providers", test_list_providers);
  g_test_add_func ("/lab/google/sesamectl", test_sesamectl);
  status = g_test_run ();

  sesame_test_lab_run_free (run);
  g_free (account);
  return status;
}
