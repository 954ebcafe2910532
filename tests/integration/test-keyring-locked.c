/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-keyring-locked.c: a locked keyring whose unlocking is refused (no one
 * to type the password): clear Keyring errors, nothing lost or removed, and
 * all works again once it is unlocked */
#include "config.h"

#include "sesame-bus-names.h"
#include "sesame-test-agent.h"

static SesameTestEnv *env;
static SesameTestAgent *agent;
static char *account;
static gboolean keyring_locked;

static void
assert_keyring_error (const GError *error)
{
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.Keyring");
  /* A sentence that says what to do, about the keyring. */
  g_assert_nonnull (strstr (error->message, "keyring"));
}

/* Alice's account, as /keyring-locked/add-while-locked adds it before it
 * locks the keyring. */
static void
ensure_account (void)
{
  g_autoptr(GError) error = NULL;

  if (account == NULL)
    {
      g_assert_false (keyring_locked);
      sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "alice");
      account = sesame_test_env_add_account (env, "testidp", NULL, NULL, &error);
      g_assert_no_error (error);
    }
}

/* The account, the keyring locked, and a broker started since (it knows no
 * token), as the cases before each of these leave them. */
static void
ensure_locked (void)
{
  ensure_account ();
  if (!keyring_locked)
    {
      sesame_test_env_lock_keyring (env);
      keyring_locked = TRUE;
      sesame_test_env_stop_broker (env);
      sesame_test_env_start_broker (env);
      sesame_test_agent_register (agent);
    }
}

/* The account, and the keyring unlocked again. */
static void
ensure_unlocked (void)
{
  ensure_account ();
  if (keyring_locked)
    {
      sesame_test_env_stop_keyring (env);
      sesame_test_env_start_keyring (env);
      keyring_locked = FALSE;
    }
}

static void
test_add_while_locked (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  account = sesame_test_env_add_account (env, "testidp", NULL, NULL, &error);
  g_assert_no_error (error);

  sesame_test_env_lock_keyring (env);
  keyring_locked = TRUE;
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "bob");
  path = sesame_test_env_add_account (env, "testidp", NULL, NULL, &error);
  g_assert_null (path);
  assert_keyring_error (error);
  /* Nothing half-added. */
  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, 1);
}

static void
test_token_while_locked_after_restart (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  /* A new broker knows no token yet: it must read the locked keyring. */
  sesame_test_env_stop_broker (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
  token = sesame_test_env_get_token (env, account, NULL, NULL, &error);
  g_assert_null (token);
  assert_keyring_error (error);
  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, 1);
  g_assert_false (sesame_test_env_bool_property (env, account, "AttentionNeeded"));
}

static void
test_remove_while_locked (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  gint64 revocations = sesame_test_env_idp_count (env, "revocation");

  /* The token to revoke is behind the lock: nothing is removed. */
  reply = sesame_test_env_call (env, account, SESAME_ACCOUNT_IFACE, "Remove", NULL, NULL,
                                &error);
  g_assert_null (reply);
  assert_keyring_error (error);
  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, 1);
  g_assert_cmpint (sesame_test_env_idp_count (env, "revocation"), ==, revocations);
}

static void
test_works_once_unlocked (void)
{
  /* The person logs in again: the keyring starts unlocked. */
  sesame_test_env_stop_keyring (env);
  sesame_test_env_start_keyring (env);
  keyring_locked = FALSE;
  sesame_test_env_assert_token_of (env, account, "alice@example.test");
}

static void
test_remove_once_unlocked (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *id = sesame_test_env_string_property (env, account, "Id");
  g_autofree char *secret = sesame_test_env_keyring_secret (env, id);
  gint64 revocations = sesame_test_env_idp_count (env, "revocation");

  g_assert_nonnull (secret);
  reply = sesame_test_env_call (env, account, SESAME_ACCOUNT_IFACE, "Remove", NULL, NULL,
                                &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, 0);
  g_assert_cmpint (sesame_test_env_idp_count (env, "revocation"), ==, revocations + 1);
  g_clear_pointer (&secret, g_free);
  secret = sesame_test_env_keyring_secret (env, id);
  g_assert_null (secret);
  g_clear_pointer (&account, g_free);
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
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "alice");

  g_test_add_func ("/keyring-locked/add-while-locked", test_add_while_locked);
  sesame_test_add_with_setup ("/keyring-locked/token-while-locked-after-restart", ensure_locked,
                              test_token_while_locked_after_restart);
  sesame_test_add_with_setup ("/keyring-locked/remove-while-locked", ensure_locked,
                              test_remove_while_locked);
  sesame_test_add_with_setup ("/keyring-locked/works-once-unlocked", ensure_locked,
                              test_works_once_unlocked);
  sesame_test_add_with_setup ("/keyring-locked/remove-once-unlocked", ensure_unlocked,
                              test_remove_once_unlocked);
  status = g_test_run ();

  sesame_test_agent_free (agent);
  sesame_test_env_stop_broker (env);
  sesame_test_env_free (env);
  g_free (account);
  return status;
}
