/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-broker-expiry.c: short-lived tokens: one refresh for many callers,
 * provider failures that lose nothing, a damaged account list */
#include "config.h"

#include <glib/gstdio.h>

#include "sesame-bus-names.h"
#include "sesame-test-agent.h"
#include "sesame-test-env.h"

#define ACCESS_TOKEN_TTL 4

static SesameTestEnv *env;
static SesameTestAgent *agent;
static char *account;

static GVariant *
get_token (GError **error)
{
  const char *all[] = { NULL };

  return sesame_test_env_call (env, account, SESAME_ACCOUNT_IFACE, "GetAccessToken",
                               g_variant_new ("(^as)", all), "(sx)", error);
}

/* Until the token has less than half its lifetime left: DESIGN.md's rule
 * for providers whose tokens live shorter than a minute. */
static void
wait_until_expiring (void)
{
  gboolean never = FALSE;

  sesame_test_wait_for (&never, (ACCESS_TOKEN_TTL / 2) * 1000 + 300);
}

static void
test_add (void)
{
  g_autoptr(GError) error = NULL;

  account = sesame_test_env_add_account (env, "testidp", NULL, NULL, &error);
  g_assert_no_error (error);
}

/* The account /expiry/add adds, for the cases that use it. */
static void
ensure_account (void)
{
  if (account == NULL)
    test_add ();
}



static gboolean
attention_needed (void)
{
  g_autoptr(GVariant) value = sesame_test_env_get_property (env, account, "AttentionNeeded");

  return g_variant_get_boolean (value);
}

static void
test_hundred_callers_one_refresh (void)
{
  g_autofree char *token = NULL;
  gint64 before;

  wait_until_expiring ();
  /* The refresh stays in flight while every call arrives. */
  before = sesame_test_env_idp_count (env, "refresh_token");
  token = sesame_test_env_call_crowd (env, account, 100, 500);
  g_assert_nonnull (token);
  g_assert_cmpint (sesame_test_env_idp_count (env, "refresh_token"), ==, before + 1);
}

static void
test_server_errors_are_retried (void)
{
  g_autoptr(JsonNode) fail = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  gint64 before;

  /* Two 503s: the retries within the call get a token. */
  wait_until_expiring ();
  before = sesame_test_env_idp_count (env, "refresh_token");
  fail = sesame_test_env_idp_request (env, "POST", "/_test/token-fail?status=503&count=2");
  reply = get_token (&error);
  g_assert_no_error (error);
  g_assert_cmpint (sesame_test_env_idp_count (env, "refresh_token"), ==, before + 3);

  /* Three: Network, and nothing is lost. */
  wait_until_expiring ();
  g_clear_pointer (&fail, json_node_unref);
  fail = sesame_test_env_idp_request (env, "POST", "/_test/token-fail?status=503&count=3");
  g_clear_pointer (&reply, g_variant_unref);
  reply = get_token (&error);
  g_assert_nonnull (error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.Network");
  g_assert_false (attention_needed ());
}

static void
test_provider_down (void)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  wait_until_expiring ();
  sesame_test_env_stop_idp (env);
  reply = get_token (&error);
  g_assert_nonnull (error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.Network");
  g_clear_error (&error);
  g_assert_false (attention_needed ());

  /* Back again: the same sign-in goes on working. */
  sesame_test_env_start_idp (env);
  g_clear_pointer (&reply, g_variant_unref);
  reply = get_token (&error);
  g_assert_no_error (error);
  g_assert_false (attention_needed ());
}

static void
test_keyring_gone (void)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  /* A fresh broker reads the keyring at the first call: none is there. */
  sesame_test_env_stop_broker (env);
  sesame_test_env_stop_keyring (env);
  sesame_test_env_start_broker (env);
  reply = get_token (&error);
  g_assert_nonnull (error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.Keyring");
  g_clear_error (&error);
  g_assert_false (attention_needed ());

  /* Back again: nothing was lost. */
  sesame_test_env_start_keyring (env);
  g_clear_pointer (&reply, g_variant_unref);
  reply = get_token (&error);
  g_assert_no_error (error);
}

static void
test_damaged_account_list (void)
{
  g_autofree char *path = g_build_filename (env->data_dir, "sesame", "accounts.json", NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GDir) listing = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *name;
  gboolean kept = FALSE;

  sesame_test_env_stop_broker (env);
  g_file_set_contents (path, "{\"accounts\": [ {\"id\": \"broken", -1, &error);
  g_assert_no_error (error);
  sesame_test_env_start_broker (env);

  /* The broker works, and the damaged file is kept beside, not replaced. */
  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "ListProviders", NULL,
                                "(aa{sv})", &error);
  g_assert_no_error (error);
  listing = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, "accounts.json.damaged-"))
      {
        g_autofree char *aside = g_build_filename (dir, name, NULL);
        g_autofree char *contents = NULL;

        g_assert_true (g_file_get_contents (aside, &contents, NULL, NULL));
        g_assert_cmpstr (contents, ==, "{\"accounts\": [ {\"id\": \"broken");
        kept = TRUE;
      }
  g_assert_true (kept);
  g_assert_true (sesame_test_env_files_contain (env, "was damaged"));
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  env = sesame_test_env_new (ACCESS_TOKEN_TTL);
  sesame_test_env_start_broker (env);
  agent = sesame_test_agent_new (env);
  sesame_test_agent_register (agent);

  g_test_add_func ("/expiry/add", test_add);
  sesame_test_add_with_setup ("/expiry/hundred-callers-one-refresh", ensure_account,
                              test_hundred_callers_one_refresh);
  sesame_test_add_with_setup ("/expiry/server-errors-are-retried", ensure_account,
                              test_server_errors_are_retried);
  sesame_test_add_with_setup ("/expiry/provider-down", ensure_account, test_provider_down);
  sesame_test_add_with_setup ("/expiry/keyring-gone", ensure_account, test_keyring_gone);
  /* An account list to damage: the broker writes none before an account. */
  sesame_test_add_with_setup ("/expiry/damaged-account-list", ensure_account,
                              test_damaged_account_list);
  status = g_test_run ();

  sesame_test_agent_free (agent);
  sesame_test_env_stop_broker (env);
  sesame_test_env_free (env);
  g_free (account);
  return status;
}
