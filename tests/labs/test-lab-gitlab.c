/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-lab-gitlab.c: the installed GitLab.com definition against the lab's
 * GitLab (tests/labs/gitlab.mjs), through D-Bus and sesamectl */
#include "config.h"

#include <string.h>

#include "sesame-bus-names.h"
#include "sesame-test-lab.h"

static SesameTestLabRun *run;
static SesameTestEnv *env;
static SesameTestLab *lab;
static SesameTestAgent *agent;
static char *account;   /* alice's account path */

static void
ensure_account (void)
{
  g_autoptr(GError) error = NULL;

  if (account != NULL)
    return;
  account = sesame_test_env_add_account (env, "gitlab", NULL, NULL, &error);
  g_assert_no_error (error);
}

/* https://docs.gitlab.com/api/oauth2/: PKCE (S256) for an application
 * without a secret; https://docs.gitlab.com/integration/openid_connect_provider/:
 * the ID token carries `email`. */
static void
test_add (void)
{
  g_autoptr(JsonObject) query = NULL;
  g_auto(GStrv) scopes = NULL;

  g_clear_pointer (&account, g_free);
  ensure_account ();
  query = sesame_test_lab_last (lab, "authorizations");
  g_assert_cmpstr (sesame_test_lab_string (query, "code_challenge_method"), ==, "S256");
  sesame_test_env_assert_string_property (env, account, "Identity", "alice@gitlab.example");
  scopes = sesame_test_lab_scopes (env, account);
  g_assert_true (g_strv_contains ((const char * const *) scopes, "read_repository"));
  g_assert_true (g_strv_contains ((const char * const *) scopes, "write_repository"));
}

/* A narrower set by a refresh with that scope; GitLab rotates the refresh
 * token on it, and the new one must be kept. */
static void
test_token_for_subset (void)
{
  const char *read[] = { "read_repository", NULL };
  g_autofree char *token = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(GError) error = NULL;

  token = sesame_test_env_get_token (env, account, read, NULL, &error);
  g_assert_no_error (error);
  request = sesame_test_lab_last (lab, "tokenRequests");
  g_assert_cmpstr (sesame_test_lab_string (request, "grant_type"), ==, "refresh_token");
  g_assert_cmpstr (sesame_test_lab_string (request, "scope"), ==, "read_repository");
}

/* https://docs.gitlab.com/api/oauth2/: the refresh answer brings a new
 * refresh token and the old one stops working; the new one is stored and
 * serves after a broker restart. */
static void
test_refresh_rotates (void)
{
  sesame_test_lab_refresh_across_restart (run, account);
}

static void
test_device (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  path = sesame_test_lab_device_sign_in (env, "gitlab", NULL, "carol", FALSE, NULL, &error);
  g_assert_no_error (error);
  sesame_test_env_assert_string_property (env, path, "Identity", "carol@gitlab.example");
  sesame_test_env_assert_string_property (env, path, "Flow", "device_code");
}

/* git over HTTPS: `sesamectl git-credential get` answers gitlab.com (the
 * definition's git-hosts) with a working token; GitLab takes it with any
 * user name (https://docs.gitlab.com/api/oauth2/ "Access Git over HTTPS
 * with access token"). */
static void
test_git_credential (void)
{
  const char *args[] = { "git-credential", "get", NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonNode) checked = NULL;
  const char *password = NULL;

  g_assert_cmpint (sesame_test_lab_sesamectl (env, args, "protocol=https\nhost=gitlab.com\n\n", &out, NULL),
                   ==, 0);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "password="))
      password = lines[i] + strlen ("password=");
  g_assert_nonnull (password);
  {
    g_autofree char *query = g_strconcat ("/_test/access-token?token=", password, NULL);

    checked = sesame_test_lab_request (lab, "GET", query);
  }
  g_assert_true (json_object_get_boolean_member (json_node_get_object (checked), "live"));
}

/* The person revoked the app at GitLab: the refresh is refused, and the
 * account asks to be signed in again. */
static void
test_revoked_needs_attention (void)
{
  g_autoptr(JsonNode) G_GNUC_UNUSED revoked = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  revoked = sesame_test_lab_request (lab, "POST", "/_test/revoke-all");
  reply = sesame_test_env_call (env, account, SESAME_ACCOUNT_IFACE, "Refresh", NULL, "(x)", &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.NeedsAttention");
  g_assert_true (sesame_test_env_bool_property (env, account, "AttentionNeeded"));
  g_clear_pointer (&account, g_free);
}

/* RFC 7009 at /oauth/revoke: Remove ends the grant at GitLab. */
static void
test_remove_revokes (void)
{
  g_autoptr(JsonObject) revocation = NULL;
  int status;

  status = sesame_test_lab_remove (env, account, NULL);
  g_assert_cmpint (status, ==, 0);
  revocation = sesame_test_lab_last (lab, "revocations");
  g_assert_nonnull (revocation);
  g_assert_cmpstr (sesame_test_lab_string (revocation, "client_id"), ==, "lab-gitlab-app");
  g_clear_pointer (&account, g_free);
}

/* ListProviders: what Remove can do and where access is managed. */
static void
test_list_providers (void)
{
  g_autoptr(GVariant) info = sesame_test_lab_provider_info (env, "gitlab");

  sesame_test_lab_assert_removal (info, TRUE, "https://gitlab.com/-/user_settings/applications");
  g_assert_true (sesame_test_lab_info_has (info, "flows", "device_code"));
}

/* The same through sesamectl: add, list --json, token. */
static void
test_sesamectl (void)
{
  g_autofree char *id = NULL;

  id = sesame_test_lab_check_sesamectl (run, "gitlab", "alice@gitlab.example");
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  run = sesame_test_lab_run_new ("gitlab", "lab-gitlab-app", NULL, NULL, NULL);
  env = run->env;
  lab = run->lab;
  agent = run->agent;

  g_test_add_func ("/lab/gitlab/add", test_add);
  sesame_test_add_with_setup ("/lab/gitlab/token-for-subset", ensure_account, test_token_for_subset);
  sesame_test_add_with_setup ("/lab/gitlab/refresh-rotates", ensure_account, test_refresh_rotates);
  g_test_add_func ("/lab/gitlab/device", test_device);
  sesame_test_add_with_setup ("/lab/gitlab/git-credential", ensure_account, test_git_credential);
  sesame_test_add_with_setup ("/lab/gitlab/remove-revokes", ensure_account, test_remove_revokes);
  sesame_test_add_with_setup ("/lab/gitlab/revoked-needs-attention", ensure_account,
                              test_revoked_needs_attention);
  g_test_add_func ("/lab/gitlab/list-providers", test_list_providers);
  g_test_add_func ("/lab/gitlab/sesamectl", test_sesamectl);
  status = g_test_run ();

  sesame_test_lab_run_free (run);
  g_free (account);
  return status;
}
