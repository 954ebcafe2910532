/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-lab-github.c: the installed GitHub definition against the lab's
 * GitHub (tests/labs/github.mjs), through D-Bus and sesamectl */
#include "config.h"

#include <string.h>

#include "sesame-bus-names.h"
#include "sesame-test-lab.h"

static SesameTestLabRun *run;
static SesameTestEnv *env;
static SesameTestLab *lab;
static SesameTestAgent *agent;
static char *account;    /* alice's account path (tokens that do not expire) */
static char *expiring;   /* bob's, signed in while the app's tokens expire */

static void
ensure_account (void)
{
  g_autoptr(GError) error = NULL;

  if (account != NULL)
    return;
  account = sesame_test_env_add_account (env, "github", NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
set_expiring (gboolean on)
{
  g_autoptr(JsonNode) G_GNUC_UNUSED config =
    sesame_test_lab_request (lab, "POST", on ? "/_test/config?expiring=1" : "/_test/config?expiring=0");
}

static void
ensure_expiring (void)
{
  g_autoptr(GError) error = NULL;

  if (expiring != NULL)
    return;
  set_expiring (TRUE);
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "bob");
  expiring = sesame_test_env_add_account (env, "github", NULL, NULL, &error);
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "alice");
  set_expiring (FALSE);
  g_assert_no_error (error);
}

/* https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps:
 * the identity is `login` from /user, which wants a User-Agent; scopes come
 * back comma-separated; tokens do not expire. */
static void
test_add (void)
{
  g_autoptr(JsonNode) state = NULL;
  JsonArray *agents;
  g_auto(GStrv) scopes = NULL;

  g_clear_pointer (&account, g_free);
  ensure_account ();
  sesame_test_env_assert_string_property (env, account, "Identity", "alice");
  g_assert_cmpint (sesame_test_env_int_property (env, account, "ExpiresAt"), ==, 0);
  scopes = sesame_test_lab_scopes (env, account);
  g_assert_true (g_strv_contains ((const char * const *) scopes, "repo"));
  g_assert_true (g_strv_contains ((const char * const *) scopes, "read:user"));
  state = sesame_test_lab_request (lab, "GET", "/_test/state");
  agents = sesame_test_lab_seen (state, "userAgents");
  for (guint i = 0; i < json_array_get_length (agents); i++)
    {
      JsonObject *seen = json_array_get_object_element (agents, i);

      if (g_str_equal (sesame_test_lab_string (seen, "path"), "/user"))
        g_assert_cmpstr (sesame_test_lab_string (seen, "userAgent"), !=, "");
    }
}

/* https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors:
 * an error comes back with HTTP 200; it is an error all the same. */
static void
test_error_with_200 (void)
{
  g_autoptr(JsonNode) G_GNUC_UNUSED config = NULL;
  g_autofree char *path = NULL;
  guint before = sesame_test_env_count_accounts (env);
  g_autoptr(GError) error = NULL;

  config = sesame_test_lab_request (lab, "POST", "/_test/config?stale_codes=1");
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "dave");
  path = sesame_test_env_add_account (env, "github", NULL, NULL, &error);
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "alice");
  g_clear_pointer (&config, json_node_unref);
  config = sesame_test_lab_request (lab, "POST", "/_test/config?stale_codes=0");
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.Provider");
  g_assert_nonnull (strstr (error->message, "bad_verification_code"));
  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, before);
}

/* GitHub cannot narrow a token: a subset is served by the grant's token,
 * without asking GitHub again. */
static void
test_token_for_subset (void)
{
  const char *repo[] = { "repo", NULL };
  guint before = sesame_test_lab_count (lab, "tokenRequests");
  g_autofree char *token = NULL;
  gint64 expires_at = -1;
  g_autoptr(GError) error = NULL;

  token = sesame_test_env_get_token (env, account, repo, &expires_at, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  g_assert_cmpint (expires_at, ==, 0);
  g_assert_cmpuint (sesame_test_lab_count (lab, "tokenRequests"), ==, before);
}

/* The app opted in to expiring tokens: refresh_token_expires_in is kept,
 * refresh tokens rotate, and the newest serves after a broker restart. */
static void
test_expiring_tokens_rotate (void)
{
  g_assert_cmpint (sesame_test_env_int_property (env, expiring, "ExpiresAt"), >, 0);
  sesame_test_lab_refresh_across_restart (run, expiring);
}

/* The refresh token's end, from refresh_token_expires_in (six months). */
static void
test_refresh_token_lifetime (void)
{
  g_assert_cmpint (sesame_test_env_int_property (env, expiring, "RefreshExpiresAt"), >,
                   g_get_real_time () / G_USEC_PER_SEC + 100 * 24 * 3600);
}

/* https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens:
 * a dead refresh token is `bad_refresh_token`, with HTTP 200: sign in again. */
static void
test_bad_refresh_token (void)
{
  g_autoptr(JsonNode) G_GNUC_UNUSED expired = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  expired = sesame_test_lab_request (lab, "POST", "/_test/expire-refresh");
  reply = sesame_test_env_call (env, expiring, SESAME_ACCOUNT_IFACE, "Refresh", NULL, "(x)", &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.NeedsAttention");
  g_assert_true (sesame_test_env_bool_property (env, expiring, "AttentionNeeded"));
  g_clear_pointer (&expiring, g_free);
}

static void
test_device (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  path = sesame_test_lab_device_sign_in (env, "github", NULL, "carol", FALSE, NULL, &error);
  g_assert_no_error (error);
  sesame_test_env_assert_string_property (env, path, "Identity", "carol");
  sesame_test_env_assert_string_property (env, path, "Flow", "device_code");
}

/* https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-authorization:
 * DELETE /applications/{client_id}/grant, Basic auth, {"access_token": …}. */
static void
test_remove_deletes_grant (void)
{
  g_autoptr(JsonObject) revocation = NULL;
  g_autoptr(JsonNode) state = NULL;
  int status;

  status = sesame_test_lab_remove (env, account, NULL);
  g_assert_cmpint (status, ==, 0);
  revocation = sesame_test_lab_last (lab, "revocations");
  g_assert_nonnull (revocation);
  g_assert_cmpstr (sesame_test_lab_string (revocation, "path"), ==, "/applications/lab-github-app/grant");
  g_assert_true (json_object_get_boolean_member (revocation, "basic"));
  g_assert_cmpstr (sesame_test_lab_string (revocation, "access_token"), !=, "");
  g_clear_pointer (&account, g_free);
}

/* ListProviders: what Remove can do and where access is managed. */
static void
test_list_providers (void)
{
  g_autoptr(GVariant) info = sesame_test_lab_provider_info (env, "github");

  sesame_test_lab_assert_removal (info, TRUE, "https://github.com/settings/applications");
}

/* The same through sesamectl: add, list --json, token. */
static void
test_sesamectl (void)
{
  g_autofree char *id = NULL;

  id = sesame_test_lab_check_sesamectl (run, "github", "alice");
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  run = sesame_test_lab_run_new ("github", "lab-github-app", "lab-github-secret", NULL, NULL);
  env = run->env;
  lab = run->lab;
  agent = run->agent;

  g_test_add_func ("/lab/github/add", test_add);
  sesame_test_add_with_setup ("/lab/github/token-for-subset", ensure_account, test_token_for_subset);
  sesame_test_add_with_setup ("/lab/github/expiring-tokens-rotate", ensure_expiring,
                              test_expiring_tokens_rotate);
  sesame_test_add_with_setup ("/lab/github/refresh-token-lifetime", ensure_expiring,
                              test_refresh_token_lifetime);
  sesame_test_add_with_setup ("/lab/github/bad-refresh-token", ensure_expiring, test_bad_refresh_token);
  g_test_add_func ("/lab/github/device", test_device);
  g_test_add_func ("/lab/github/error-with-200", test_error_with_200);
  sesame_test_add_with_setup ("/lab/github/remove-deletes-grant", ensure_account, test_remove_deletes_grant);
  g_test_add_func ("/lab/github/list-providers", test_list_providers);
  g_test_add_func ("/lab/github/sesamectl", test_sesamectl);
  status = g_test_run ();

  sesame_test_lab_run_free (run);
  g_free (account);
  g_free (expiring);
  return status;
}
