/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-grants.c: which applications may use an account: host programs and
 * Flatpak apps, the latter run for real in a bubblewrap sandbox with a
 * .flatpak-info, read by the broker as for any Flatpak app */
#include "config.h"

#include "sesame-bus-names.h"
#include "sesame-test-agent.h"
#include "sesame-test-env.h"

#define APP_ID "org.example.MailReader"

static SesameTestEnv *env;
static SesameTestAgent *agent;
static char *account;
static char *flatpak_info;


typedef struct {
  gboolean  done;
  gboolean  success;
  char     *out;
  char     *err;
} Run;

static void
on_sandboxed_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Run *run = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, &run->err, NULL);
  run->success = g_subprocess_get_successful (G_SUBPROCESS (source));
  run->done = TRUE;
}

/* gdbus inside a sandbox whose /.flatpak-info names @app_id. */
static GSubprocess *
start_sandboxed_as (const char         *app_id,
                    const char * const *call)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *gdbus[] = { "gdbus", "call", "--session", "--dest", SESAME_BROKER_BUS_NAME, NULL };
  g_auto(GStrv) command = NULL;

  g_strv_builder_addv (builder, gdbus);
  g_strv_builder_addv (builder, (const char **) call);
  command = g_strv_builder_end (builder);
  return sesame_test_env_spawn_sandboxed (env, app_id, (const char * const *) command);
}

static GSubprocess *
start_sandboxed (const char * const *call)
{
  return start_sandboxed_as (APP_ID, call);
}

/* Runs it while this process's agent answers the broker's questions;
 * @out and @err may be NULL. */
static gboolean
run_sandboxed_as (const char         *app_id,
                  const char * const *call,
                  char              **out,
                  char              **err)
{
  g_autoptr(GSubprocess) process = start_sandboxed_as (app_id, call);
  Run run = { 0 };

  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_sandboxed_done, &run);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);
  if (out != NULL)
    *out = run.out;
  else
    g_free (run.out);
  if (err != NULL)
    *err = run.err;
  else
    g_free (run.err);
  return run.success;
}

static gboolean
run_sandboxed (const char * const *call,
               char              **err)
{
  return run_sandboxed_as (APP_ID, call, NULL, err);
}

static gboolean
sandboxed_get_token (const char *scopes,
                     char      **err)
{
  const char *call[] = { "--object-path", account, "--method",
                         SESAME_ACCOUNT_IFACE ".GetAccessToken", scopes, NULL };

  return run_sandboxed (call, err);
}

static void
test_add (void)
{
  g_autoptr(GError) error = NULL;

  account = sesame_test_env_add_account (env, "testidp", NULL, NULL, &error);
  g_assert_no_error (error);
}

/* The account /grants/add adds, for the cases that use it. */
static void
ensure_account (void)
{
  if (account == NULL)
    test_add ();
}

/* The account and a grant of each kind on it, as the cases before
 * /grants/sandboxed-sees-own-grants leave them: this host program's and the
 * sandboxed app's. */
static void
ensure_grants (void)
{
  g_autofree char *executable = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr(GVariant) host = NULL;
  g_autoptr(GVariant) sandboxed = NULL;

  ensure_account ();
  host = sesame_test_env_find_grant (env, executable);
  if (host == NULL)
    {
      const char *none[] = { NULL };
      g_autoptr(GVariant) reply = NULL;
      g_autoptr(GError) error = NULL;

      reply = sesame_test_env_call (env, account, SESAME_ACCOUNT_IFACE, "GetAccessToken",
                                    g_variant_new ("(^as)", none), "(sx)", &error);
      g_assert_no_error (error);
    }
  sandboxed = sesame_test_env_find_grant (env, APP_ID);
  if (sandboxed == NULL)
    {
      agent->allow = TRUE;
      g_assert_true (sandboxed_get_token ("['email']", NULL));
    }
}

static void
test_host_program_recorded (void)
{
  const char *none[] = { NULL };
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) grant = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *executable = g_file_read_link ("/proc/self/exe", NULL);
  const char *kind, *name, *path;
  gint64 last_used;
  guint asked = agent->n_confirm;

  /* A host program is allowed without a question, and seen. */
  reply = sesame_test_env_call (env, account, SESAME_ACCOUNT_IFACE, "GetAccessToken",
                                g_variant_new ("(^as)", none), "(sx)", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (agent->n_confirm, ==, asked);
  grant = sesame_test_env_find_grant (env, executable);
  g_assert_nonnull (grant);
  g_assert_true (g_variant_lookup (grant, "kind", "&s", &kind));
  g_assert_cmpstr (kind, ==, "host");
  g_assert_true (g_variant_lookup (grant, "app-name", "&s", &name));
  g_assert_cmpstr (name, ==, "test-grants");
  g_assert_true (g_variant_lookup (grant, "account", "&o", &path));
  g_assert_cmpstr (path, ==, account);
  g_assert_true (g_variant_lookup (grant, "last-used", "x", &last_used));
  g_assert_cmpint (last_used, >=, g_get_real_time () / G_USEC_PER_SEC - 5);
}

/* A Deny keeps the app from being asked again, about anything, for a
 * while, in the broker's memory only (tests/security/test-limits): a new
 * broker asks again, as the cases after a Deny need. */
static void
forget_denials (void)
{
  sesame_test_env_stop_broker (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
}

static void
test_sandboxed_denied (void)
{
  g_autofree char *err = NULL;
  const char *app_id = NULL, *action = NULL;
  guint asked = agent->n_confirm;

  agent->allow = FALSE;
  g_assert_false (sandboxed_get_token ("[]", &err));
  g_assert_nonnull (strstr (err, "dev.sesame.Error.AccessDenied"));
  g_assert_cmpuint (agent->n_confirm, ==, asked + 1);
  g_assert_true (g_variant_lookup (agent->last_confirm, "app-id", "&s", &app_id));
  g_assert_cmpstr (app_id, ==, APP_ID);
  g_assert_true (g_variant_lookup (agent->last_confirm, "action", "&s", &action));
  g_assert_cmpstr (action, ==, "use");
  /* Deny is not remembered. */
  g_assert_null (sesame_test_env_find_grant (env, APP_ID));
  forget_denials ();
}

static void
test_sandboxed_allowed_and_remembered (void)
{
  g_autoptr(GVariant) grant = NULL;
  const char *kind;
  guint asked = agent->n_confirm;

  agent->allow = TRUE;
  g_assert_true (sandboxed_get_token ("['email']", NULL));
  g_assert_cmpuint (agent->n_confirm, ==, asked + 1);
  grant = sesame_test_env_find_grant (env, APP_ID);
  g_assert_nonnull (grant);
  g_assert_true (g_variant_lookup (grant, "kind", "&s", &kind));
  g_assert_cmpstr (kind, ==, "flatpak");

  /* Asked once: the grant covers it now, across a broker restart too. */
  sesame_test_env_stop_broker (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
  g_assert_true (sandboxed_get_token ("['email']", NULL));
  g_assert_cmpuint (agent->n_confirm, ==, asked + 1);

  /* More scopes ask again. */
  g_assert_true (sandboxed_get_token ("['email', 'openid']", NULL));
  g_assert_cmpuint (agent->n_confirm, ==, asked + 2);
}

static void
test_sandboxed_sees_own_grants (void)
{
  g_autofree char *err = NULL;
  const char *call[] = { "--object-path", SESAME_BROKER_PATH, "--method",
                         SESAME_BROKER_IFACE ".ListGrants", NULL };
  g_autoptr(GSubprocess) process = start_sandboxed (call);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  g_assert_nonnull (strstr (out, APP_ID));
  g_assert_null (strstr (out, "test-grants"));
}

static void
test_sandboxed_may_not_register_agent (void)
{
  g_autofree char *err = NULL;
  const char *call[] = { "--object-path", SESAME_BROKER_PATH, "--method",
                         SESAME_BROKER_IFACE ".RegisterAgent", "/org/example/Agent", NULL };

  g_assert_false (run_sandboxed (call, &err));
  g_assert_nonnull (strstr (err, "dev.sesame.Error.AccessDenied"));
}

static void
on_grants_changed (GDBusConnection *connection,
                   const char      *sender,
                   const char      *path,
                   const char      *interface,
                   const char      *signal,
                   GVariant        *parameters,
                   gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
test_revoke_grant (void)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  gboolean changed = FALSE;
  guint subscription;
  guint asked = agent->n_confirm;

  /* Whoever shows grants hears that they changed. */
  subscription = g_dbus_connection_signal_subscribe (env->connection, SESAME_BROKER_BUS_NAME,
                                                     SESAME_BROKER_IFACE, "GrantsChanged",
                                                     SESAME_BROKER_PATH, NULL,
                                                     G_DBUS_SIGNAL_FLAGS_NONE, on_grants_changed,
                                                     &changed, NULL);
  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "RevokeGrant",
                                g_variant_new ("(so)", APP_ID, account), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (sesame_test_wait_for (&changed, 5000));
  g_dbus_connection_signal_unsubscribe (env->connection, subscription);
  g_assert_null (sesame_test_env_find_grant (env, APP_ID));
  g_assert_true (sandboxed_get_token ("['email']", NULL));
  g_assert_cmpuint (agent->n_confirm, ==, asked + 1);

  g_clear_pointer (&reply, g_variant_unref);
  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "RevokeGrant",
                                g_variant_new ("(so)", "org.example.Nobody", account), NULL, &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  g_clear_error (&error);
  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "RevokeGrant",
                                g_variant_new ("(so)", APP_ID, SESAME_ACCOUNTS_PATH "nope"),
                                NULL, &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
}

static void
test_concurrent_first_calls_ask_once (void)
{
  const char *call[] = { "--object-path", account, "--method",
                         SESAME_ACCOUNT_IFACE ".GetAccessToken", "['openid']", NULL };
  GSubprocess *processes[4];
  Run runs[4] = { { 0 } };
  guint asked = agent->n_confirm;

  for (guint i = 0; i < G_N_ELEMENTS (processes); i++)
    {
      processes[i] = start_sandboxed (call);
      g_subprocess_communicate_utf8_async (processes[i], NULL, NULL, on_sandboxed_done, &runs[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (processes); i++)
    {
      while (!runs[i].done)
        g_main_context_iteration (NULL, TRUE);
      if (!runs[i].success)
        g_error ("%s", runs[i].err);
      g_free (runs[i].out);
      g_free (runs[i].err);
      g_object_unref (processes[i]);
    }
  g_assert_cmpuint (agent->n_confirm, ==, asked + 1);
}

static void
test_sandboxed_remove_asks (void)
{
  const char *call[] = { "--object-path", account, "--method", SESAME_ACCOUNT_IFACE ".Remove",
                         NULL };
  g_autofree char *err = NULL;
  g_autoptr(GVariant) identity = NULL;
  const char *action = NULL;
  guint asked = agent->n_confirm;

  /* Even with a grant to use it, removing it is the person's call. */
  agent->allow = FALSE;
  g_assert_false (run_sandboxed (call, &err));
  g_assert_nonnull (strstr (err, "dev.sesame.Error.AccessDenied"));
  g_assert_cmpuint (agent->n_confirm, ==, asked + 1);
  g_assert_true (g_variant_lookup (agent->last_confirm, "action", "&s", &action));
  g_assert_cmpstr (action, ==, "remove");
  identity = sesame_test_env_get_property (env, account, "Identity");
  g_assert_cmpstr (g_variant_get_string (identity, NULL), ==, "alice@example.test");
  agent->allow = TRUE;
  forget_denials ();
}

static void
test_no_agent_says_how_to_allow (void)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  /* Nobody to ask (and no Sesame app to start): refused, with what to do. */
  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "UnregisterAgent",
                                g_variant_new ("(o)", "/dev/sesame/TestAgent"), NULL, &error);
  g_assert_no_error (error);
  g_assert_false (sandboxed_get_token ("['offline_access']", &err));
  g_assert_nonnull (strstr (err, "dev.sesame.Error.AccessDenied"));
  g_assert_nonnull (strstr (err, "Open Sesame"));
  sesame_test_agent_register (agent);
}

static void
test_caller_gone_is_refused (void)
{
  g_autoptr(GVariant) grants_before = sesame_test_env_list_grants (env);
  g_autoptr(GVariant) grants_after = NULL;
  g_autoptr(GError) error = NULL;
  guint asked = agent->n_confirm;
  gboolean never = FALSE;

  /* dbus-send sends the call and exits at once, before the broker looks at
   * it: the call is attributed to nobody, and nobody is asked about it. */
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GSubprocess) sender =
        g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "bwrap", "--ro-bind", "/usr", "/usr",
                          "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                          "--symlink", "usr/bin", "/bin", "--proc", "/proc", "--dev", "/dev",
                          "--bind", "/tmp", "/tmp", "--ro-bind", flatpak_info, "/.flatpak-info",
                          "--setenv", "DBUS_SESSION_BUS_ADDRESS", env->bus_address,
                          "dbus-send", "--session", "--dest=" SESAME_BROKER_BUS_NAME, account,
                          SESAME_ACCOUNT_IFACE ".GetAccessToken", "array:string:offline_access",
                          NULL);
      g_assert_no_error (error);
      g_subprocess_wait (sender, NULL, &error);
      g_assert_no_error (error);
    }
  sesame_test_wait_for (&never, 1000);
  g_assert_cmpuint (agent->n_confirm, ==, asked);
  grants_after = sesame_test_env_list_grants (env);
  g_assert_cmpuint (g_variant_n_children (grants_after), ==, g_variant_n_children (grants_before));
}

static void
test_ask_host_apps (void)
{
  g_autofree char *keyfile = g_build_filename (env->config_dir, "glib-2.0", "settings",
                                               "keyfile", NULL);
  g_autofree char *dir = g_path_get_dirname (keyfile);
  const char *none[] = { NULL };
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint asked = agent->n_confirm;

  /* The person turns ask-host-apps on: this host program, so far allowed by
   * default, is asked now; Deny refuses, Allow is remembered. */
  g_mkdir_with_parents (dir, 0700);
  g_assert_true (g_file_set_contents (keyfile, "[dev/sesame/Sesame]\nask-host-apps=true\n", -1,
                                      NULL));
  sesame_test_env_stop_broker (env);
  env->settings_backend = "keyfile";
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);

  agent->allow = FALSE;
  reply = sesame_test_env_call (env, account, SESAME_ACCOUNT_IFACE, "GetAccessToken",
                                g_variant_new ("(^as)", none), "(sx)", &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.AccessDenied");
  g_clear_error (&error);
  g_assert_cmpuint (agent->n_confirm, ==, asked + 1);

  agent->allow = TRUE;
  reply = sesame_test_env_call (env, account, SESAME_ACCOUNT_IFACE, "GetAccessToken",
                                g_variant_new ("(^as)", none), "(sx)", &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);
  reply = sesame_test_env_call (env, account, SESAME_ACCOUNT_IFACE, "GetAccessToken",
                                g_variant_new ("(^as)", none), "(sx)", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (agent->n_confirm, ==, asked + 2);
}

static void
test_removing_account_removes_grants (void)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) grants = NULL;
  g_autoptr(GError) error = NULL;

  reply = sesame_test_env_call (env, account, SESAME_ACCOUNT_IFACE, "Remove", NULL, NULL, &error);
  g_assert_no_error (error);
  grants = sesame_test_env_list_grants (env);
  g_assert_cmpuint (g_variant_n_children (grants), ==, 0);
  g_clear_pointer (&account, g_free);
}

#define NARROW_APP_ID "dev.example.Narrow"

/* The token a sandboxed app got for @scopes (a gdbus array, "[]" for
 * none), as gdbus printed it: ('TOKEN', int64 EXPIRES). */
static char *
narrow_app_token (const char *scopes)
{
  const char *call[] = { "--object-path", account, "--method",
                         SESAME_ACCOUNT_IFACE ".GetAccessToken", scopes, NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) parts = NULL;

  g_assert_true (run_sandboxed_as (NARROW_APP_ID, call, &out, NULL));
  parts = g_strsplit (out, "'", 3);
  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  return g_strdup (parts[1]);
}

static gboolean
grant_narrowed (void)
{
  g_autoptr(GVariant) grant = sesame_test_env_find_grant (env, NARROW_APP_ID);
  gboolean narrowed = FALSE;

  g_assert_nonnull (grant);
  g_assert_true (g_variant_lookup (grant, "narrowed", "b", &narrowed));
  return narrowed;
}

/* An app allowed to see the e-mail address gets a token for that alone,
 * also when it asks for nothing in particular; a provider that answers
 * wider is noted on the grant, and the token still handed out. */
static void
test_least_privilege (void)
{
  g_autofree char *token = NULL;
  g_autofree char *carried = NULL;
  g_autofree char *again = NULL;
  g_autofree char *wider = NULL;
  g_autofree char *wide_scope = NULL;
  g_autoptr(JsonNode) set = NULL;
  guint asked = agent->n_confirm;

  agent->allow = TRUE;
  token = narrow_app_token ("['email']");
  carried = sesame_test_env_token_scope (env, token);
  g_assert_cmpstr (carried, ==, "email");
  g_assert_true (grant_narrowed ());

  /* No scopes: its grant's, without a question. */
  again = narrow_app_token ("[]");
  g_assert_cmpstr (again, ==, token);
  g_assert_cmpuint (agent->n_confirm, ==, asked + 1);

  sesame_test_env_stop_broker (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
  set = sesame_test_env_idp_request (env, "POST", "/_test/refresh-ignores-scope?on=1");
  wider = narrow_app_token ("['email']");
  g_clear_pointer (&set, json_node_unref);
  set = sesame_test_env_idp_request (env, "POST", "/_test/refresh-ignores-scope?on=0");
  wide_scope = sesame_test_env_token_scope (env, wider);
  g_assert_cmpstr (wide_scope, !=, "email");
  g_assert_false (grant_narrowed ());
}

int
main (int    argc,
      char **argv)
{
  int status;
  g_autofree char *bwrap = g_find_program_in_path ("bwrap");

  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (bwrap);
  env = sesame_test_env_new (3600);
  flatpak_info = g_build_filename (env->home, "flatpak-info", NULL);
  g_assert_true (g_file_set_contents (flatpak_info, "[Application]\nname=" APP_ID "\n", -1, NULL));
  sesame_test_env_start_broker (env);
  agent = sesame_test_agent_new (env);
  sesame_test_agent_register (agent);

  g_test_add_func ("/grants/add", test_add);
  sesame_test_add_with_setup ("/grants/host-program-recorded", ensure_account,
                              test_host_program_recorded);
  sesame_test_add_with_setup ("/grants/sandboxed-denied", ensure_account, test_sandboxed_denied);
  sesame_test_add_with_setup ("/grants/sandboxed-allowed-and-remembered", ensure_account,
                              test_sandboxed_allowed_and_remembered);
  sesame_test_add_with_setup ("/grants/sandboxed-sees-own-grants", ensure_grants,
                              test_sandboxed_sees_own_grants);
  g_test_add_func ("/grants/sandboxed-may-not-register-agent",
                   test_sandboxed_may_not_register_agent);
  sesame_test_add_with_setup ("/grants/revoke-grant", ensure_grants, test_revoke_grant);
  sesame_test_add_with_setup ("/grants/concurrent-first-calls-ask-once", ensure_account,
                              test_concurrent_first_calls_ask_once);
  sesame_test_add_with_setup ("/grants/sandboxed-remove-asks", ensure_account,
                              test_sandboxed_remove_asks);
  sesame_test_add_with_setup ("/grants/no-agent-says-how-to-allow", ensure_account,
                              test_no_agent_says_how_to_allow);
  sesame_test_add_with_setup ("/grants/caller-gone-is-refused", ensure_account,
                              test_caller_gone_is_refused);
  sesame_test_add_with_setup ("/grants/ask-host-apps", ensure_account, test_ask_host_apps);
  sesame_test_add_with_setup ("/grants/least-privilege", ensure_account, test_least_privilege);
  sesame_test_add_with_setup ("/grants/removing-account-removes-grants", ensure_grants,
                              test_removing_account_removes_grants);
  status = g_test_run ();

  sesame_test_agent_free (agent);
  sesame_test_env_stop_broker (env);
  sesame_test_env_free (env);
  g_free (account);
  g_free (flatpak_info);
  return status;
}
