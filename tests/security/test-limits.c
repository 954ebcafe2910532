/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-limits.c: limits count per app, not per connection, and a Deny
 * keeps an app from asking again at once. The app is a Flatpak app run for
 * real in a bubblewrap sandbox, opening many connections of its own. */
#include "config.h"

#include <stdio.h>

#include "sesame-test-agent.h"
#include "sesame-bus-names.h"
#include "sesame-test-env.h"


/* As in the broker: sign-ins of either kind one app may have under way. */
#define MAX_SIGN_INS 8
/* More than that, over as many connections. */
#define N_CONNECTIONS 12
/* The broker's first back-off after a Deny. */
#define BACK_OFF_SECONDS 10

static SesameTestEnv *env;
static SesameTestAgent *agent;
static char *account;

/* ---- The app, in its sandbox ---- */

typedef struct {
  GMainLoop *loop;
  guint      pending;
} Calls;

static void
on_call_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Calls *calls = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply != NULL)
    g_print ("ok\n");
  else
    g_print ("error %s\n", g_dbus_error_get_remote_error (error));
  fflush (stdout);
  if (--calls->pending == 0)
    g_main_loop_quit (calls->loop);
}

/* argv: --calls N parallel|serial PATH INTERFACE METHOD ARGS: N calls,
 * each on a connection of its own, at once or one after the other; a line
 * per answer. The connections stay until standard input closes. */
static int
run_app (char **argv)
{
  guint n = atoi (argv[2]);
  gboolean parallel = g_str_equal (argv[3], "parallel");
  g_autoptr(GPtrArray) connections = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GVariant) args = g_variant_parse (NULL, argv[7], NULL, NULL, NULL);
  Calls calls = { g_main_loop_new (NULL, FALSE), 0 };
  char line[16];

  g_assert_nonnull (args);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      GDBusConnection *connection =
        g_dbus_connection_new_for_address_sync (g_getenv ("DBUS_SESSION_BUS_ADDRESS"),
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);

      g_assert_no_error (error);
      g_ptr_array_add (connections, connection);
      calls.pending++;
      g_dbus_connection_call (connection, "dev.sesame.Sesame.Broker", argv[4], argv[5], argv[6],
                              g_variant_ref (args), NULL, G_DBUS_CALL_FLAGS_NONE, G_MAXINT, NULL,
                              on_call_done, &calls);
      if (!parallel)
        g_main_loop_run (calls.loop);
    }
  if (parallel)
    g_main_loop_run (calls.loop);
  while (fgets (line, sizeof line, stdin) != NULL)
    ;
  g_main_loop_unref (calls.loop);
  return 0;
}

/* ---- The test ---- */

typedef struct {
  GSubprocess      *process;
  GDataInputStream *out;
} App;

static App *
app_start (const char *app_id,
           guint       n,
           const char *how,
           const char *path,
           const char *interface,
           const char *method,
           const char *args)
{
  g_autofree char *contents = g_strdup_printf ("[Application]\nname=%s\n", app_id);
  g_autofree char *info = g_build_filename (env->home, app_id, NULL);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *count = g_strdup_printf ("%u", n);
  g_autoptr(GError) error = NULL;
  App *app = g_new0 (App, 1);

  g_assert_true (g_file_set_contents (info, contents, -1, NULL));
  app->process =
    g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                      "bwrap", "--die-with-parent", "--ro-bind", "/usr", "/usr",
                      "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                      "--symlink", "usr/bin", "/bin", "--ro-bind", "/etc", "/etc",
                      "--proc", "/proc", "--dev", "/dev", "--bind", "/tmp", "/tmp",
                      "--ro-bind", g_getenv ("SESAME_BUILD_DIR"), g_getenv ("SESAME_BUILD_DIR"),
                      "--ro-bind", info, "/.flatpak-info",
                      "--setenv", "DBUS_SESSION_BUS_ADDRESS", env->bus_address,
                      self, "--calls", count, how, path, interface, method, args, NULL);
  g_assert_no_error (error);
  app->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (app->process));
  return app;
}

/* The app's next answer: "ok" or "error NAME". */
static char *
app_answer (App *app)
{
  return sesame_test_read_line (app->out, "the app");
}

/* The app leaves, and its sign-ins with it. */
static void
app_free (App *app)
{
  g_subprocess_force_exit (app->process);
  g_subprocess_wait (app->process, NULL, NULL);
  g_object_unref (app->process);
  g_object_unref (app->out);
  g_free (app);
}

static void
settle (guint ms)
{
  gboolean never = FALSE;

  sesame_test_wait_for (&never, ms);
}

typedef struct {
  App      *app;
  guint     refused;
  guint     other;
  gboolean  ended;  /* the pipe closed: no read pending */
} Answers;

/* Counts the app's answers as they come, while its other calls hang. */
static void
on_answer (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Answers *answers = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source),
                                                                result, NULL, NULL);

  if (line == NULL)
    {
      answers->ended = TRUE;
      return;
    }
  if (g_str_equal (line, "error dev.sesame.Error.InvalidArgument"))
    answers->refused++;
  else
    answers->other++;
  g_data_input_stream_read_line_async (answers->app->out, G_PRIORITY_DEFAULT, NULL, on_answer,
                                       answers);
}

/* Issue 22, item 6: 40 AddAccount calls over 5 connections opened 41
 * consent windows; the limit counted per connection. */
static void
test_sign_ins_per_app (void)
{
  guint windows = agent->n_authorize;
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  Answers answers = { 0 };

  agent->allow = TRUE;
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_HOLD, NULL);
  answers.app = app_start ("org.example.ManyWindows", N_CONNECTIONS, "parallel",
                           SESAME_BROKER_PATH, SESAME_BROKER_IFACE,
                           "AddAccount", "('testidp', @as [], @a{sv} {})");
  g_data_input_stream_read_line_async (answers.app->out, G_PRIORITY_DEFAULT, NULL, on_answer,
                                       &answers);

  /* Each sign-in either opens a window (and is held there) or is refused. */
  while (agent->n_authorize - windows + answers.refused < N_CONNECTIONS &&
         g_get_monotonic_time () < deadline)
    settle (50);
  settle (1000);
  g_test_message ("%u connections of one app: %u sign-in windows, %u refused", N_CONNECTIONS,
                  agent->n_authorize - windows, answers.refused);
  g_assert_cmpuint (agent->n_authorize - windows, ==, MAX_SIGN_INS);
  g_assert_cmpuint (answers.refused, ==, N_CONNECTIONS - MAX_SIGN_INS);
  g_assert_cmpuint (answers.other, ==, 0);
  /* Its pending read ends with the pipe. */
  g_subprocess_force_exit (answers.app->process);
  g_assert_true (sesame_test_wait_for (&answers.ended, 30000));
  app_free (answers.app);
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, NULL);
}

/* Issue 22, item 6: 40 device sign-ins over 5 connections all began. */
static void
test_device_sign_ins_per_app (void)
{
  guint begun = 0;
  guint refused = 0;
  App *app;

  agent->allow = TRUE;
  app = app_start ("org.example.ManyDevices", N_CONNECTIONS, "parallel",
                   SESAME_BROKER_PATH, SESAME_BROKER_IFACE,
                   "BeginDeviceSignIn", "('testidp', @as [], @a{sv} {})");
  for (guint i = 0; i < N_CONNECTIONS; i++)
    {
      g_autofree char *answer = app_answer (app);

      if (g_str_equal (answer, "ok"))
        begun++;
      else
        {
          g_assert_cmpstr (answer, ==, "error dev.sesame.Error.InvalidArgument");
          refused++;
        }
    }
  g_test_message ("%u connections of one app: %u device sign-ins begun, %u refused",
                  N_CONNECTIONS, begun, refused);
  g_assert_cmpuint (begun, ==, MAX_SIGN_INS);
  app_free (app);
}

/* Issue 22, item 6: after Deny an app asked 25 times in 1.3 s. */
static void
test_back_off_after_deny (void)
{
  g_autofree char *scopes = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *args = g_strdup ("(@as ['email'],)");
  guint asked = agent->n_confirm;
  gint64 denied_at;
  App *app;

  agent->allow = FALSE;
  app = app_start ("org.example.Pest", 1, "serial", account, SESAME_ACCOUNT_IFACE,
                   "GetAccessToken", args);
  answer = app_answer (app);
  g_assert_cmpstr (answer, ==, "error dev.sesame.Error.AccessDenied");
  g_assert_cmpuint (agent->n_confirm, ==, asked + 1);
  app_free (app);
  denied_at = g_get_monotonic_time ();

  /* Asking again at once, over new connections: refused, nobody asked. */
  app = app_start ("org.example.Pest", 25, "serial", account, SESAME_ACCOUNT_IFACE,
                   "GetAccessToken", args);
  for (guint i = 0; i < 25; i++)
    {
      g_clear_pointer (&answer, g_free);
      answer = app_answer (app);
      g_assert_cmpstr (answer, ==, "error dev.sesame.Error.AccessDenied");
    }
  g_test_message ("After a Deny, 25 more calls in %.1f s asked the person %u times",
                  (g_get_monotonic_time () - denied_at) / (double) G_USEC_PER_SEC,
                  agent->n_confirm - asked - 1);
  g_assert_cmpuint (agent->n_confirm, ==, asked + 1);
  app_free (app);

  /* A while later the app is asked again; the person may have changed
   * their mind. */
  settle ((BACK_OFF_SECONDS + 1) * 1000 - (g_get_monotonic_time () - denied_at) / 1000);
  agent->allow = TRUE;
  app = app_start ("org.example.Pest", 1, "serial", account, SESAME_ACCOUNT_IFACE,
                   "GetAccessToken", args);
  g_clear_pointer (&answer, g_free);
  answer = app_answer (app);
  g_assert_cmpstr (answer, ==, "ok");
  g_assert_cmpuint (agent->n_confirm, ==, asked + 2);
  app_free (app);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  if (argc == 8 && g_str_equal (argv[1], "--calls"))
    return run_app (argv);

  g_test_init (&argc, &argv, NULL);
  env = sesame_test_env_new (3600);
  sesame_test_env_start_broker (env);
  agent = sesame_test_agent_new (env);
  sesame_test_agent_register (agent);
  account = sesame_test_env_add_account (env, "testidp", NULL, NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/security/limits/sign-ins-per-app", test_sign_ins_per_app);
  g_test_add_func ("/security/limits/device-sign-ins-per-app", test_device_sign_ins_per_app);
  g_test_add_func ("/security/limits/back-off-after-deny", test_back_off_after_deny);
  status = g_test_run ();

  sesame_test_agent_free (agent);
  sesame_test_env_stop_broker (env);
  sesame_test_env_free (env);
  g_free (account);
  return status;
}
