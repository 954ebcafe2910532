/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-provider-integrity.c: issue 22, items 3, 4, 7 and 8: what an app
 * allowed to add an account cannot change behind the person's back (client
 * ids, issuers, an account's scopes), and grants that hold for one kind of
 * caller only; Flatpak apps run for real under bubblewrap */
#include "config.h"

#include "sesame-test-agent.h"
#include "sesame-test-env.h"

#define BROKER "/dev/sesame/Broker"
#define BROKER1 "dev.sesame.Broker1"
#define ACCOUNT1 "dev.sesame.Account1"
#define APP_ID "org.example.Mail"

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

/* gdbus inside a sandbox whose /.flatpak-info names APP_ID, while this
 * process's agent answers the broker's questions. */
static gboolean
run_sandboxed (const char * const *call,
               char              **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *prefix[] = {
    "bwrap", "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib",
    "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin",
    "--ro-bind", "/etc", "/etc", "--proc", "/proc", "--dev", "/dev",
    "--bind", "/tmp", "/tmp", "--ro-bind", flatpak_info, "/.flatpak-info",
    "--setenv", "DBUS_SESSION_BUS_ADDRESS", env->bus_address,
    "gdbus", "call", "--session", "--timeout", "120", "--dest", "dev.sesame.Sesame.Broker", NULL
  };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Run run = { 0 };

  for (guint i = 0; prefix[i]; i++)
    g_ptr_array_add (argv, (char *) prefix[i]);
  for (guint i = 0; call[i]; i++)
    g_ptr_array_add (argv, (char *) call[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_sandboxed_done, &run);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);
  g_free (run.out);
  if (err != NULL)
    *err = run.err;
  else
    g_free (run.err);
  return run.success;
}

static void
test_add (void)
{
  g_autoptr(GError) error = NULL;

  account = sesame_test_env_add_account (env, "testidp", NULL, NULL, &error);
  g_assert_no_error (error);
}

/* Item 8: a host program allowed as APP_ID (its desktop file's id) is not
 * the Flatpak app of that id: the app is asked. */
static void
test_grant_kind (void)
{
  g_autofree char *dir = g_build_filename (env->data_dir, "sesame", NULL);
  g_autofree char *grants = g_build_filename (dir, "grants.json", NULL);
  g_autofree char *contents = NULL;
  const char *id = account + strlen ("/dev/sesame/Broker/accounts/");
  const char *call[] = { "--object-path", account, "--method", ACCOUNT1 ".GetAccessToken",
                         "@as []", NULL };
  g_autofree char *err = NULL;
  guint asked;

  sesame_test_env_stop_broker (env);
  contents = g_strdup_printf ("{\"version\": 1, \"grants\": [{\"app-id\": \"" APP_ID "\", "
                              "\"app-name\": \"Mail\", \"kind\": \"host\", \"account\": \"%s\", "
                              "\"scopes\": [\"openid\", \"email\", \"offline_access\"], "
                              "\"granted-at\": 1764000000, \"last-used\": 0}]}\n", id);
  g_assert_true (g_file_set_contents (grants, contents, -1, NULL));
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);

  asked = agent->n_confirm;
  agent->allow = FALSE;
  g_assert_false (run_sandboxed (call, &err));
  g_assert_nonnull (strstr (err, "AccessDenied"));
  g_assert_cmpuint (agent->n_confirm, ==, asked + 1);
  agent->allow = TRUE;
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

  g_test_add_func ("/security/add", test_add);
  g_test_add_func ("/security/grant-kind", test_grant_kind);
  status = g_test_run ();

  sesame_test_agent_free (agent);
  sesame_test_env_stop_broker (env);
  sesame_test_env_free (env);
  g_free (account);
  g_free (flatpak_info);
  return status;
}
