/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-lab-microsoft.c: the installed Microsoft definition against the lab's
 * Microsoft identity platform (tests/labs/microsoft.mjs), through D-Bus and
 * sesamectl */
#include "config.h"

#include <string.h>

#include "sesame-bus-names.h"
#include "sesame-test-lab.h"

#define OUTLOOK_IMAP "https://outlook.office.com/IMAP.AccessAsUser.All"
#define GRAPH_USER_READ "https://graph.microsoft.com/User.Read"

static SesameTestLabRun *run;
static SesameTestEnv *env;
static SesameTestLab *lab;
static SesameTestAgent *agent;
static char *account;   /* alice's account path */

static void
ensure_account (void)
{
  g_autoptr(GError) error = NULL;

  if (account != NULL && sesame_test_env_count_accounts (env) > 0)
    return;
  g_clear_pointer (&account, g_free);
  account = sesame_test_env_add_account (env, "microsoft", NULL, NULL, &error);
  g_assert_no_error (error);
}

/* https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference:
 * preferred_username only with `profile`; the userinfo endpoint is Graph's
 * and refuses the Outlook token. */
static void
test_add (void)
{
  g_autoptr(JsonObject) query = NULL;
  g_autoptr(JsonObject) redeem = NULL;
  g_auto(GStrv) asked = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&account, g_free);
  account = sesame_test_env_add_account (env, "microsoft", NULL, NULL, &error);
  g_assert_no_error (error);
  sesame_test_env_assert_string_property (env, account, "Identity", "alice@contoso.example");
  query = sesame_test_lab_last (lab, "authorizations");
  g_assert_cmpstr (sesame_test_lab_string (query, "code_challenge_method"), ==, "S256");
  asked = g_strsplit (sesame_test_lab_string (query, "scope"), " ", -1);
  g_assert_true (g_strv_contains ((const char * const *) asked, "profile"));
  g_assert_true (g_strv_contains ((const char * const *) asked, "offline_access"));
  /* A public client: no secret at the token endpoint. */
  redeem = sesame_test_lab_last (lab, "tokenRequests");
  g_assert_false (json_object_get_boolean_member (redeem, "has_client_secret"));
}

/* prompt=consent sends people of a work tenant that restricts user consent
 * into "Need admin approval" (AADSTS90094): the definition must not ask it. */
static void
test_work_tenant (void)
{
  g_autoptr(JsonNode) G_GNUC_UNUSED config = NULL;
  g_autoptr(JsonObject) query = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  config = sesame_test_lab_request (lab, "POST", "/_test/config?tenant=work");
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "bob");
  path = sesame_test_env_add_account (env, "microsoft", NULL, NULL, &error);
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "alice");
  g_clear_pointer (&config, json_node_unref);
  config = sesame_test_lab_request (lab, "POST", "/_test/config?tenant=consumer");
  query = sesame_test_lab_last (lab, "authorizations");
  g_assert_cmpstr (sesame_test_lab_string (query, "prompt"), !=, "consent");
  g_assert_no_error (error);
  sesame_test_env_assert_string_property (env, path, "Identity", "bob@contoso.example");
}

/* The echo leaves OpenID's scopes out; they count as granted. */
static void
test_scopes (void)
{
  g_auto(GStrv) scopes = NULL;

  g_assert_nonnull (account);
  scopes = sesame_test_lab_scopes (env, account);
  g_assert_true (g_strv_contains ((const char * const *) scopes, "openid"));
  g_assert_true (g_strv_contains ((const char * const *) scopes, "offline_access"));
  g_assert_true (g_strv_contains ((const char * const *) scopes, OUTLOOK_IMAP));
}

/* Graph's User.Read joins the grant (a second resource), by Sign In Again. */
static void
ensure_graph_granted (void)
{
  const char *more[] = { GRAPH_USER_READ, NULL };
  g_auto(GStrv) scopes = sesame_test_lab_scopes (env, account);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  if (g_strv_contains ((const char * const *) scopes, GRAPH_USER_READ))
    return;
  reply = sesame_test_env_call (env, account, SESAME_ACCOUNT_IFACE, "Reauthenticate",
                                g_variant_new ("(^as)", more), NULL, &error);
  g_assert_no_error (error);
}

/* One resource per token: the code redemption asks `scope` of one resource
 * (AADSTS28000 otherwise), and a set spanning two granted resources is
 * refused before Microsoft is asked. */
static void
test_token_per_resource (void)
{
  const char *two[] = { OUTLOOK_IMAP, GRAPH_USER_READ, NULL };
  g_autofree char *refused = NULL;
  g_autoptr(JsonNode) state = NULL;
  JsonArray *requests;
  guint before;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (account);
  ensure_graph_granted ();
  state = sesame_test_lab_request (lab, "GET", "/_test/state");
  requests = sesame_test_lab_seen (state, "tokenRequests");
  before = json_array_get_length (requests);
  for (guint i = 0; i < before; i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);
      const char *scope = sesame_test_lab_string (request, "scope");

      g_assert_false (strstr (scope, "https://outlook.office.com/") != NULL &&
                      strstr (scope, "https://graph.microsoft.com/") != NULL);
    }
  refused = sesame_test_env_get_token (env, account, two, NULL, &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  g_assert_cmpuint (sesame_test_lab_count (lab, "tokenRequests"), ==, before);
}

/* Microsoft rotates refresh tokens: the newest is stored, and used after a
 * broker restart. */
static void
test_refresh_rotates (void)
{
  g_assert_nonnull (account);
  sesame_test_lab_refresh_across_restart (run, account);
}

/* Microsoft's refresh tokens die after 90 days unused
 * (https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens):
 * RefreshExpiresAt is the last refresh plus refresh-token-idle-days. */
static void
test_refresh_idle_lifetime (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 ends;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (account);
  reply = sesame_test_env_call (env, account, SESAME_ACCOUNT_IFACE, "Refresh", NULL, "(x)", &error);
  g_assert_no_error (error);
  ends = sesame_test_env_int_property (env, account, "RefreshExpiresAt");
  g_assert_cmpint (ends, >=, now + 90 * 24 * 3600 - 60);
  g_assert_cmpint (ends, <=, now + 90 * 24 * 3600 + 60);
}

/* Sign In Again asks for the grant and the defaults too: offline_access
 * and openid, which the echo left out, are not lost. */
static void
test_reauthenticate_keeps_offline_access (void)
{
  const char *more[] = { GRAPH_USER_READ, NULL };
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(JsonObject) query = NULL;
  g_auto(GStrv) asked = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (account);
  reply = sesame_test_env_call (env, account, SESAME_ACCOUNT_IFACE, "Reauthenticate",
                                g_variant_new ("(^as)", more), NULL, &error);
  g_assert_no_error (error);
  query = sesame_test_lab_last (lab, "authorizations");
  asked = g_strsplit (sesame_test_lab_string (query, "scope"), " ", -1);
  g_assert_true (g_strv_contains ((const char * const *) asked, "offline_access"));
  g_assert_true (g_strv_contains ((const char * const *) asked, "openid"));
  g_assert_true (g_strv_contains ((const char * const *) asked, GRAPH_USER_READ));
  g_assert_false (sesame_test_env_bool_property (env, account, "AttentionNeeded"));
}

static void
test_device (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  path = sesame_test_lab_device_sign_in (env, "microsoft", NULL, "carol", FALSE, NULL, &error);
  g_assert_no_error (error);
  sesame_test_env_assert_string_property (env, path, "Identity", "carol@contoso.example");
  sesame_test_env_assert_string_property (env, path, "Flow", "device_code");
}

/* https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code:
 * a person who declines gives `authorization_declined`: Cancelled. */
static void
test_device_declined (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  path = sesame_test_lab_device_sign_in (env, "microsoft", NULL, "alice", TRUE, NULL, &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.Cancelled");
}

/* No revocation at Microsoft: Remove succeeds, and sesamectl says where to
 * remove the access by hand. */
static void
test_remove_names_manage_url (void)
{
  g_autofree char *err = NULL;
  int status;

  g_assert_nonnull (account);
  status = sesame_test_lab_remove (env, account, &err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (err, "https://"));
  g_assert_cmpuint (sesame_test_lab_count (lab, "revocations"), ==, 0);
  g_clear_pointer (&account, g_free);
}

/* ListProviders: what Remove can do and where access is managed. */
static void
test_list_providers (void)
{
  g_autoptr(GVariant) info = sesame_test_lab_provider_info (env, "microsoft");

  sesame_test_lab_assert_removal (info, FALSE, "https://account.live.com/consent/Manage");
  g_assert_true (sesame_test_lab_info_has (info, "flows", "device_code"));
}

/* The same through sesamectl: add, list --json, token. */
static void
test_sesamectl (void)
{
  g_autofree char *id = NULL;

  id = sesame_test_lab_check_sesamectl (run, "microsoft", "alice@contoso.example");
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  run = sesame_test_lab_run_new ("microsoft", "lab-microsoft-app", NULL, NULL, NULL);
  env = run->env;
  lab = run->lab;
  agent = run->agent;

  g_test_add_func ("/lab/microsoft/add", test_add);
  g_test_add_func ("/lab/microsoft/work-tenant", test_work_tenant);
  sesame_test_add_with_setup ("/lab/microsoft/scopes", ensure_account, test_scopes);
  sesame_test_add_with_setup ("/lab/microsoft/token-per-resource", ensure_account, test_token_per_resource);
  sesame_test_add_with_setup ("/lab/microsoft/refresh-rotates", ensure_account, test_refresh_rotates);
  sesame_test_add_with_setup ("/lab/microsoft/refresh-idle-lifetime", ensure_account,
                              test_refresh_idle_lifetime);
  sesame_test_add_with_setup ("/lab/microsoft/reauthenticate-keeps-offline-access", ensure_account,
                              test_reauthenticate_keeps_offline_access);
  g_test_add_func ("/lab/microsoft/device", test_device);
  g_test_add_func ("/lab/microsoft/device-declined", test_device_declined);
  sesame_test_add_with_setup ("/lab/microsoft/remove-names-manage-url", ensure_account,
                              test_remove_names_manage_url);
  g_test_add_func ("/lab/microsoft/list-providers", test_list_providers);
  g_test_add_func ("/lab/microsoft/sesamectl", test_sesamectl);
  status = g_test_run ();

  sesame_test_lab_run_free (run);
  g_free (account);
  return status;
}
