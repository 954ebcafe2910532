/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-crash-safety.c: the broker killed (SIGKILL) at random points of AddAccount, refresh with
 * rotation and Remove, and between each pair of Remove's steps; after each restart an immediate
 * Reauthenticate works, and every account hands out a token the provider accepts or honestly
 * needs attention */
#include "config.h"

#include <signal.h>

#include <json-glib/json-glib.h>
#include <libsecret/secret.h>

#include "sesame-bus-names.h"
#include "sesame-test-agent.h"
#include "sesame-test-env.h"

/* Random kills per phase; SESAME_CRASH_ROUNDS asks for more (hundreds
 * by hand, to hunt a rare window). */
#define DEFAULT_ROUNDS_PER_PHASE 10
/* Kills at each step of Remove (SESAME_CRASH_AT in the broker). */
#define ROUNDS_PER_STEP 2
/* How long the broker gets, after a restart, to reconcile the keyring with
 * its metadata (it does so without holding up its start). */
#define RECONCILE_TIMEOUT_MS 5000

static SesameTestEnv *env;
static SesameTestAgent *agent;
static GRand *prng;
static guint rounds_per_phase = DEFAULT_ROUNDS_PER_PHASE;
static guint n_rounds, n_intact, n_attention, n_orphans, n_signal_kills, n_step_kills;
static gboolean add_phase_ran, refresh_phase_ran, remove_phase_ran, remove_steps_ran;
static guint n_reauthenticated;
static char *base_path;   /* an account every restart signs in again at once */

/* Remove's steps, after each of which the broker can be made to die. */
static const char * const remove_steps[] = {
  "remove-marked", "remove-revoked", "remove-secret-deleted"
};

static const SecretSchema schema = {
  "dev.sesame.Sesame.Account", SECRET_SCHEMA_NONE,
  { { "account", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } }
};

/* Lets the main loop run (the agent answers from it) for @ms. */
static void
run_for (guint ms)
{
  gboolean elapsed = FALSE;

  sesame_test_wait_for (&elapsed, ms);
}

static void
kill_broker (void)
{
  g_autoptr(GError) error = NULL;

  /* SIGKILL again is harmless when the keyring signal did it already. */
  g_subprocess_force_exit (env->broker);
  g_subprocess_wait (env->broker, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&env->broker);
}

/* Leaves the base account needing attention (its grant revoked at the
 * provider), long before the next kill, so that the next start's
 * Reauthenticate mends what a person would. */
static void
break_base (void)
{
  g_autoptr(JsonNode) revoked =
    sesame_test_env_idp_request (env, "POST", "/_test/revoke-account?account=crash-base");
  g_autoptr(GVariant) refreshed = NULL;
  g_autoptr(GError) error = NULL;

  refreshed = sesame_test_env_call (env, base_path, SESAME_ACCOUNT_IFACE, "Refresh", NULL, "(x)",
                                    &error);
  g_assert_null (refreshed);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.NeedsAttention");
}

/* At once after a start, before anything else asked for the provider's
 * endpoints: what a person clicking "Sign In Again" right after logging
 * in does. */
static void
reauthenticate_now (void)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *none[] = { NULL };

  /* Reading a property asks nothing of the provider. */
  n_reauthenticated += sesame_test_env_bool_property (env, base_path, "AttentionNeeded");
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "crash-base");
  reply = sesame_test_env_call (env, base_path, SESAME_ACCOUNT_IFACE, "Reauthenticate",
                                g_variant_new ("(^as)", none), NULL, &error);
  g_assert_no_error (error);
  g_assert_false (sesame_test_env_bool_property (env, base_path, "AttentionNeeded"));
}

static void
restart_broker (void)
{
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
  if (base_path != NULL)
    reauthenticate_now ();
}

static char *
accounts_file (void)
{
  return g_build_filename (env->data_dir, "sesame", "accounts.json", NULL);
}

/* The ids in accounts.json, which must parse; a file set aside as damaged
 * would mean a write was torn. @removing counts the accounts marked as
 * being removed. */
static GHashTable *
file_ids_full (guint *removing)
{
  GHashTable *ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *path = accounts_file ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  JsonArray *accounts;
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    g_assert_false (g_str_has_prefix (name, "accounts.json.damaged"));
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return ids;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  accounts = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                           "accounts");
  g_assert_nonnull (accounts);
  for (guint i = 0; i < json_array_get_length (accounts); i++)
    {
      JsonObject *account = json_array_get_object_element (accounts, i);

      g_hash_table_add (ids, g_strdup (json_object_get_string_member (account, "id")));
      if (removing != NULL && json_object_has_member (account, "removing"))
        *removing += json_object_get_boolean_member (account, "removing");
    }
  return ids;
}

static GHashTable *
file_ids (void)
{
  return file_ids_full (NULL);
}

/* The account ids that have a keyring item. */
static GHashTable *
keyring_ids (void)
{
  GHashTable *ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  GList *items;

  /* The broker may delete an item between the search and the reading of
   * its attributes: then the keyring is asked again. */
  for (guint attempt = 0; attempt < 20; attempt++)
    {
      g_clear_error (&error);
      items = secret_service_search_sync (NULL, &schema, attributes, SECRET_SEARCH_ALL, NULL,
                                          &error);
      if (error == NULL)
        break;
      run_for (50);
    }
  g_assert_no_error (error);
  for (GList *l = items; l != NULL; l = l->next)
    {
      g_autoptr(GHashTable) item_attributes = secret_item_get_attributes (l->data);

      g_hash_table_add (ids, g_strdup (g_hash_table_lookup (item_attributes, "account")));
    }
  g_list_free_full (items, g_object_unref);
  return ids;
}

static char *
path_of (const char *id)
{
  return g_strconcat (SESAME_ACCOUNTS_PATH, id, NULL);
}

/* How far the keyring and the metadata disagree: orphan items, and
 * accounts without an item that are not marked for attention. */
static guint
count_disagreements (guint *orphans)
{
  guint removing = 0;
  g_autoptr(GHashTable) in_file = file_ids_full (&removing);
  g_autoptr(GHashTable) in_keyring = keyring_ids ();
  GHashTableIter iter;
  gpointer id;
  guint unmarked = 0;

  *orphans = 0;
  g_hash_table_iter_init (&iter, in_keyring);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    *orphans += !g_hash_table_contains (in_file, id);
  g_hash_table_iter_init (&iter, in_file);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    if (!g_hash_table_contains (in_keyring, id))
      {
        g_autofree char *path = path_of (id);

        unmarked += !sesame_test_env_bool_property (env, path, "AttentionNeeded");
      }
  /* The provider answers: a removal cut short is finished at start. */
  return *orphans + unmarked + removing;
}

/* An account works: the token it hands out as it is (from the keyring:
 * no refresh first) is accepted by the provider for its identity, its
 * refresh token is good (a refresh now), and so is the token after it. */
static gboolean
account_works (const char *path)
{
  g_autofree char *identity = sesame_test_env_string_property (env, path, "Identity");
  g_autoptr(GVariant) refreshed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = sesame_test_env_get_token (env, path, NULL, NULL, &error);
  g_autofree char *owner = NULL;

  if (token == NULL)
    {
      sesame_test_assert_dbus_error (error, "dev.sesame.Error.NeedsAttention");
      return FALSE;
    }
  /* A dead token handed out without a word is what people cannot mend. */
  owner = sesame_test_env_userinfo_email (env, token);
  if (g_strcmp0 (owner, identity) != 0)
    g_error ("%s hands out a token the provider refuses (%s), not needing attention", path,
             owner ? owner : "refused");

  refreshed = sesame_test_env_call (env, path, SESAME_ACCOUNT_IFACE, "Refresh", NULL, "(x)",
                                    &error);
  if (refreshed == NULL)
    {
      /* Only an honest "sign in again" is acceptable. */
      sesame_test_assert_dbus_error (error, "dev.sesame.Error.NeedsAttention");
      return FALSE;
    }
  sesame_test_env_assert_token_of (env, path, identity);
  return TRUE;
}

/* What every restart must leave: accounts.json parses, the keyring agrees
 * with it (once the broker reconciled), the bus lists what the file holds,
 * and every account either works or says it needs attention, and why. */
static void
check_after_restart (void)
{
  g_autoptr(GHashTable) in_file = NULL;
  GHashTableIter iter;
  gint64 deadline = g_get_monotonic_time () + RECONCILE_TIMEOUT_MS * 1000;
  guint orphans = 0;
  gpointer id;

  while (count_disagreements (&orphans) > 0 && g_get_monotonic_time () < deadline)
    run_for (100);
  g_assert_cmpuint (count_disagreements (&orphans), ==, 0);
  n_orphans += orphans;

  in_file = file_ids ();
  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, g_hash_table_size (in_file));
  g_hash_table_iter_init (&iter, in_file);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    {
      g_autofree char *path = path_of (id);

      if (!sesame_test_env_bool_property (env, path, "AttentionNeeded") && account_works (path))
        n_intact++;
      else
        {
          g_autofree char *reason = sesame_test_env_string_property (env, path, "AttentionReason");

          g_assert_true (sesame_test_env_bool_property (env, path, "AttentionNeeded"));
          g_assert_cmpstr (reason, !=, "");
          n_attention++;
        }
    }
  n_rounds++;
  break_base ();
}

static char *
add_account (const char *login)
{
  g_autoptr(GError) error = NULL;
  char *path;

  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, login);
  path = sesame_test_env_add_account (env, "testidp", NULL, NULL, &error);
  g_assert_no_error (error);
  return path;
}

static void
on_keyring_signal (GDBusConnection *connection,
                   const char      *sender,
                   const char      *path,
                   const char      *interface,
                   const char      *signal,
                   GVariant        *parameters,
                   gpointer         user_data)
{
  gboolean *killed = user_data;

  /* At once: the broker is between its keyring write and what follows. */
  if (!*killed)
    g_subprocess_send_signal (env->broker, SIGKILL);
  *killed = TRUE;
}

/* Kills the broker during @method: when the keyring announces @signal
 * (ItemCreated, ItemChanged, ItemDeleted) for half the rounds, the narrow
 * windows a timer would seldom hit; else @delay_ms into the call. Then
 * restarts it and checks. */
static void
crash_during (const char *path,
              const char *interface,
              const char *method,
              GVariant   *parameters,
              const char *signal,
              guint       delay_ms)
{
  gboolean on_signal = g_rand_boolean (prng);
  gboolean killed = FALSE;
  SesameTestCall call = { 0 };
  guint subscription = 0;

  if (on_signal)
    {
      g_test_message ("%s killed at the keyring's %s", method, signal);
      subscription = g_dbus_connection_signal_subscribe (env->connection, NULL,
                                                         "org.freedesktop.Secret.Collection",
                                                         signal, NULL, NULL,
                                                         G_DBUS_SIGNAL_FLAGS_NONE,
                                                         on_keyring_signal, &killed, NULL);
    }
  else
    g_test_message ("%s killed after %u ms", method, delay_ms);

  sesame_test_env_call_async (env, &call, path, interface, method, parameters, NULL);
  if (on_signal)
    {
      /* A call that failed before the keyring (a provider's refusal) ends
       * the wait too. */
      while (!killed && !call.done)
        g_main_context_iteration (NULL, TRUE);
      g_dbus_connection_signal_unsubscribe (env->connection, subscription);
      n_signal_kills += killed;
    }
  else
    run_for (delay_ms);
  kill_broker ();
  sesame_test_call_clear (&call);
  restart_broker ();
  check_after_restart ();
}

/* The secret is written before the metadata: a kill between them must not
 * leave an orphan item. A sign-in takes the agent a while, so the kills
 * are spread around the end of an uninterrupted one. */
static void
test_add_account (void)
{
  const char *none[] = { NULL };
  gint64 start = g_get_monotonic_time ();
  g_autofree char *timed = add_account ("crash-timed");
  guint duration_ms = (g_get_monotonic_time () - start) / 1000;

  g_assert_nonnull (timed);
  g_test_message ("an uninterrupted AddAccount takes %u ms", duration_ms);
  for (guint i = 0; i < rounds_per_phase; i++)
    {
      g_autofree char *login = g_strdup_printf ("crash-add-%u", i);
      guint delay = MAX ((gint) duration_ms - 300, 0) + g_rand_int_range (prng, 0, 351);

      sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, login);
      crash_during (SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "AddAccount",
                    g_variant_new ("(s^as@a{sv})", "testidp", none,
                                   g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0)),
                    "ItemCreated", delay);
    }
  add_phase_ran = TRUE;
}

/* The provider rotates refresh tokens: a kill after it answered but before
 * the keyring write loses the new one, which must end as attention, never
 * as a broken account that claims to work. The provider holds its answers
 * 100 ms so that kills land before, during and after them. */
static void
test_refresh_rotation (void)
{
  g_autoptr(JsonNode) held = sesame_test_env_idp_request (env, "POST", "/_test/token-delay?ms=100");
  g_autoptr(JsonNode) released = NULL;

  for (guint i = 0; i < rounds_per_phase; i++)
    {
      g_autofree char *login = g_strdup_printf ("crash-refresh-%u", i);
      g_autofree char *path = NULL;

      /* A fresh account each round, so that every round has one that works. */
      g_clear_pointer (&released, json_node_unref);
      released = sesame_test_env_idp_request (env, "POST", "/_test/token-delay?ms=0");
      path = add_account (login);
      g_clear_pointer (&held, json_node_unref);
      held = sesame_test_env_idp_request (env, "POST", "/_test/token-delay?ms=100");
      crash_during (path, SESAME_ACCOUNT_IFACE, "Refresh", NULL, "ItemChanged",
                    g_rand_int_range (prng, 0, 301));
    }
  g_clear_pointer (&released, json_node_unref);
  released = sesame_test_env_idp_request (env, "POST", "/_test/token-delay?ms=0");
  refresh_phase_ran = TRUE;
}

/* Revoke, delete the secret, forget the metadata: a kill between the last
 * two must not leave an account without a secret that claims to work. */
static void
test_remove (void)
{
  for (guint i = 0; i < rounds_per_phase; i++)
    {
      g_autofree char *login = g_strdup_printf ("crash-remove-%u", i);
      g_autofree char *path = add_account (login);

      crash_during (path, SESAME_ACCOUNT_IFACE, "Remove", NULL, "ItemDeleted",
                    g_rand_int_range (prng, 0, 301));
    }
  remove_phase_ran = TRUE;
}

static void
on_broker_exited (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  gboolean *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *exited = TRUE;
}

/* Kills the broker right after @step of a Remove of @path, and leaves it
 * down. */
static void
remove_until (const char *path,
              const char *step)
{
  SesameTestCall call = { 0 };
  gboolean exited = FALSE;

  kill_broker ();
  g_setenv ("SESAME_CRASH_AT", step, TRUE);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
  sesame_test_env_call_async (env, &call, path, SESAME_ACCOUNT_IFACE, "Remove", NULL, NULL);
  g_subprocess_wait_async (env->broker, NULL, on_broker_exited, &exited);
  sesame_test_wait_for (&exited, 60000);
  g_assert_true (exited);
  /* A Remove that ended instead never reached @step. */
  g_assert_true (g_subprocess_get_if_signaled (env->broker));
  g_assert_cmpint (g_subprocess_get_term_sig (env->broker), ==, SIGKILL);
  sesame_test_call_clear (&call);
  g_clear_object (&env->broker);
  g_unsetenv ("SESAME_CRASH_AT");
}

/* The broker kills itself right after each step of Remove: the narrow
 * windows (revoked at the provider, not yet deleted here) are hit every
 * time, not once in a hundred. */
static void
test_remove_steps (void)
{
  for (guint step = 0; step < G_N_ELEMENTS (remove_steps); step++)
    for (guint i = 0; i < ROUNDS_PER_STEP; i++)
      {
        g_autofree char *login = g_strdup_printf ("crash-step-%u-%u", step, i);
        g_autofree char *path = add_account (login);

        g_test_message ("Remove killed after its step %s", remove_steps[step]);
        remove_until (path, remove_steps[step]);
        n_step_kills++;
        restart_broker ();
        check_after_restart ();
      }
  remove_steps_ran = TRUE;
}

/* The summary is of all three phases and the kills at Remove's steps: run
 * alone, it runs them first. */
static void
ensure_phases (void)
{
  if (!add_phase_ran)
    test_add_account ();
  if (!refresh_phase_ran)
    test_refresh_rotation ();
  if (!remove_phase_ran)
    test_remove ();
  if (!remove_steps_ran)
    test_remove_steps ();
}

/* What the last PropertiesChanged of an Account1 said of Removing. */
static void
on_properties_changed (GDBusConnection *connection,
                       const char      *sender,
                       const char      *path,
                       const char      *interface,
                       const char      *signal,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  int *removing = user_data;
  g_autoptr(GVariant) changed = g_variant_get_child_value (parameters, 1);
  gboolean value;

  if (g_variant_lookup (changed, "Removing", "b", &value))
    *removing = value;
}

/* A removal cut short whose provider does not answer at the next start
 * cannot be finished: the account stays, hands out nothing and says why
 * from the first moment (Removing, for clients), refuses a sign-in, and
 * Remove again finishes it once the provider is back. */
static void
test_remove_unreachable (void)
{
  const char *none[] = { NULL };
  g_autofree char *path = add_account ("crash-unreachable");
  g_autofree char *id = sesame_test_env_string_property (env, path, "Id");
  g_autofree char *token = NULL;
  g_autofree char *secret = NULL;
  g_autoptr(GHashTable) in_file = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  gint64 revocations;
  int announced = -1;
  guint subscription;

  g_assert_false (sesame_test_env_bool_property (env, path, "Removing"));
  subscription = g_dbus_connection_signal_subscribe (env->connection, NULL,
                                                     "org.freedesktop.DBus.Properties",
                                                     "PropertiesChanged", path,
                                                     SESAME_ACCOUNT_IFACE, G_DBUS_SIGNAL_FLAGS_NONE,
                                                     on_properties_changed, &announced, NULL);
  remove_until (path, "remove-revoked");
  g_dbus_connection_signal_unsubscribe (env->connection, subscription);
  /* Announced as soon as the removal began. */
  g_assert_cmpint (announced, ==, TRUE);
  sesame_test_env_stop_idp (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);

  g_assert_true (sesame_test_env_bool_property (env, path, "Removing"));
  token = sesame_test_env_get_token (env, path, NULL, NULL, &error);
  g_assert_null (token);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.NeedsAttention");
  g_clear_error (&error);
  /* The attempt at start gives up after discovery's retries. */
  run_for (4000);
  g_assert_true (sesame_test_env_bool_property (env, path, "AttentionNeeded"));
  sesame_test_env_assert_string_property (env, path, "AttentionReason",
                                          "Removing this account did not finish. Remove it again.");
  g_assert_true (sesame_test_env_bool_property (env, path, "Removing"));
  token = sesame_test_env_get_token (env, path, NULL, NULL, &error);
  g_assert_null (token);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.NeedsAttention");
  g_clear_error (&error);
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "crash-unreachable");
  reply = sesame_test_env_call (env, path, SESAME_ACCOUNT_IFACE, "Reauthenticate",
                                g_variant_new ("(^as)", none), NULL, &error);
  g_assert_null (reply);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.NeedsAttention");
  g_clear_error (&error);
  g_assert_true (sesame_test_env_bool_property (env, path, "Removing"));

  sesame_test_env_start_idp (env);
  revocations = sesame_test_env_idp_count (env, "revocation");
  reply = sesame_test_env_call (env, path, SESAME_ACCOUNT_IFACE, "Remove", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sesame_test_env_idp_count (env, "revocation"), ==, revocations + 1);
  in_file = file_ids ();
  g_assert_false (g_hash_table_contains (in_file, id));
  secret = sesame_test_env_keyring_secret (env, id);
  g_assert_null (secret);
}

static void
test_summary (void)
{
  g_print ("# rounds %u (%u killed at a keyring write, %u at a step of Remove), intact %u, "
           "attention %u, orphans %u; %u immediate sign-ins mended an account needing attention\n",
           n_rounds, n_signal_kills, n_step_kills, n_intact, n_attention, n_orphans,
           n_reauthenticated);
  g_assert_cmpuint (n_rounds, ==, 3 * rounds_per_phase +
                                  G_N_ELEMENTS (remove_steps) * ROUNDS_PER_STEP);
  g_assert_cmpuint (n_step_kills, ==, G_N_ELEMENTS (remove_steps) * ROUNDS_PER_STEP);
  g_assert_cmpuint (n_orphans, ==, 0);
  g_assert_cmpuint (n_reauthenticated, >, 0);
  /* Some rounds must have been killed early enough to matter. */
  g_assert_cmpuint (n_intact, >, 0);
}

int
main (int    argc,
      char **argv)
{
  const char *seed_text = g_getenv ("SESAME_CRASH_SEED");
  const char *rounds_text = g_getenv ("SESAME_CRASH_ROUNDS");
  guint32 seed = seed_text != NULL ? (guint32) g_ascii_strtoull (seed_text, NULL, 10)
                                   : g_random_int ();
  int status;

  g_test_init (&argc, &argv, NULL);
  /* Printed first, so that a failure can be replayed. */
  if (rounds_text != NULL)
    rounds_per_phase = MAX (1, (guint) g_ascii_strtoull (rounds_text, NULL, 10));
  g_print ("# seed %u (SESAME_CRASH_SEED=%u replays it), %u rounds per phase\n", seed, seed,
           rounds_per_phase);
  prng = g_rand_new_with_seed (seed);
  env = sesame_test_env_new (3600);
  sesame_test_env_start_broker (env);
  agent = sesame_test_agent_new (env);
  sesame_test_agent_register (agent);
  base_path = add_account ("crash-base");
  break_base ();

  g_test_add_func ("/crash-safety/add-account", test_add_account);
  g_test_add_func ("/crash-safety/refresh-rotation", test_refresh_rotation);
  g_test_add_func ("/crash-safety/remove", test_remove);
  g_test_add_func ("/crash-safety/remove-steps", test_remove_steps);
  g_test_add_func ("/crash-safety/remove-unreachable", test_remove_unreachable);
  sesame_test_add_with_setup ("/crash-safety/summary", ensure_phases, test_summary);
  status = g_test_run ();

  sesame_test_agent_free (agent);
  sesame_test_env_free (env);
  g_free (base_path);
  g_rand_free (prng);
  return status;
}
