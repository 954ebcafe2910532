/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-limits.c: limits (sign-ins, questions open) count per app, not per
 * connection, and a Deny keeps an app from asking again, about anything,
 * at once. The app is a Flatpak app run for
 * real in a bubblewrap sandbox, opening many connections of its own. */
#include "config.h"

#include <stdio.h>

#include "sesame-test-agent.h"
#include "sesame-bus-names.h"
#include "sesame-test-env.h"


/* As in the broker: questions of one app open at once. */
#define MAX_QUESTIONS 3
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

/* ARGS with each # replaced by @i. */
static GVariant *
numbered_args (const char *args,
               guint       i)
{
  g_auto(GStrv) parts = g_strsplit (args, "#", -1);
  g_autofree char *number = g_strdup_printf ("%u", i);
  g_autofree char *text = g_strjoinv (number, parts);
  GVariant *parsed = g_variant_parse (NULL, text, NULL, NULL, NULL);

  g_assert_nonnull (parsed);
  return parsed;
}

/* argv: --calls N parallel|serial PATH INTERFACE METHOD ARGS: N calls,
 * each on a connection of its own, at once or one after the other; a line
 * per answer. Each # in ARGS becomes the call's number (0, 1, …). The
 * connections stay until standard input closes. */
static int
run_app (char **argv)
{
  guint n = atoi (argv[2]);
  gboolean parallel = g_str_equal (argv[3], "parallel");
  g_autoptr(GPtrArray) connections = g_ptr_array_new_with_free_func (g_object_unref);
  Calls calls = { g_main_loop_new (NULL, FALSE), 0 };
  char line[16];

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) args = numbered_args (argv[7], i);
      GDBusConnection *connection =
        g_dbus_connection_new_for_address_sync (g_getenv ("DBUS_SESSION_BUS_ADDRESS"),
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);

      g_assert_no_error (error);
      g_ptr_array_add (connections, connection);
      calls.pending++;
      g_dbus_connection_call (connection, "dev.sesame.Sesame.Broker", argv[4], argv[5], argv[6],
                              args, NULL, G_DBUS_CALL_FLAGS_NONE, G_MAXINT, NULL,
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

/* Starts counting the answers of @app's calls. */
static void
answers_start (Answers *answers,
               App     *app)
{
  answers->app = app;
  g_data_input_stream_read_line_async (app->out, G_PRIORITY_DEFAULT, NULL, on_answer, answers);
}

/* Waits until each of @n calls either reached the agent (*@seen, counted
 * from @before) or was refused, and a moment longer for any late one. */
static void
answers_wait (Answers     *answers,
              const guint *seen,
              guint        before,
              guint        n)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;

  while (*seen - before + answers->refused < n && g_get_monotonic_time () < deadline)
    settle (50);
  settle (1000);
}

/* The app leaves; its pending read ends with the pipe. */
static void
answers_end (Answers *answers)
{
  g_subprocess_force_exit (answers->app->process);
  g_assert_true (sesame_test_wait_for (&answers->ended, 30000));
  app_free (answers->app);
}

/* Waits until *@count reaches @n. */
static void
wait_count (const guint *count,
            guint        n)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;

  while (*count < n && g_get_monotonic_time () < deadline)
    settle (50);
  g_assert_cmpuint (*count, ==, n);
}

static void
assert_last_asked (const char *app_id)
{
  const char *asked = NULL;

  g_assert_true (g_variant_lookup (agent->last_confirm, "app-id", "&s", &asked));
  g_assert_cmpstr (asked, ==, app_id);
}

/* Issue 22, item 6: 40 AddAccount calls over 5 connections opened 41
 * consent windows; the limit counted per connection. */
static void
test_sign_ins_per_app (void)
{
  guint windows = agent->n_authorize;
  Answers answers = { 0 };

  agent->allow = TRUE;
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_HOLD, NULL);
  answers_start (&answers, app_start ("org.example.ManyWindows", N_CONNECTIONS, "parallel",
                                      SESAME_BROKER_PATH, SESAME_BROKER_IFACE,
                                      "AddAccount", "('testidp', @as [], @a{sv} {})"));

  /* Each sign-in either opens a window (and is held there) or is refused. */
  answers_wait (&answers, &agent->n_authorize, windows, N_CONNECTIONS);
  g_test_message ("%u connections of one app: %u sign-in windows, %u refused", N_CONNECTIONS,
                  agent->n_authorize - windows, answers.refused);
  g_assert_cmpuint (agent->n_authorize - windows, ==, MAX_SIGN_INS);
  g_assert_cmpuint (answers.refused, ==, N_CONNECTIONS - MAX_SIGN_INS);
  g_assert_cmpuint (answers.other, ==, 0);
  answers_end (&answers);
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, NULL);
}

/* Audit of issue 22, item 6: questions counted per connection before a
 * sign-in began, and an add showing its own client id opened a question
 * of its own: 12 connections of one app, 12 questions at once. */
static void
test_questions_per_app (void)
{
  guint asked = agent->n_confirm;
  guint withdrawn;
  Answers answers = { 0 };
  App *other;
  App *again;

  agent->hold_confirm = TRUE;
  answers_start (&answers, app_start ("org.example.ManyQuestions", N_CONNECTIONS, "parallel",
                                      SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "AddAccount",
                                      "('google', @as [], {'client-id': <'client-#'>})"));
  answers_wait (&answers, &agent->n_confirm, asked, N_CONNECTIONS);
  g_test_message ("%u connections of one app, each adding with its own client id: "
                  "%u questions, %u refused", N_CONNECTIONS, agent->n_confirm - asked,
                  answers.refused);
  g_assert_cmpuint (agent->n_confirm - asked, ==, MAX_QUESTIONS);
  g_assert_cmpuint (answers.refused, ==, N_CONNECTIONS - MAX_QUESTIONS);
  g_assert_cmpuint (answers.other, ==, 0);

  /* Another app is asked meanwhile. */
  other = app_start ("org.example.Patient", 1, "serial", SESAME_BROKER_PATH,
                     SESAME_BROKER_IFACE, "AddAccount",
                     "('google', @as [], {'client-id': <'client-0'>})");
  wait_count (&agent->n_confirm, asked + MAX_QUESTIONS + 1);
  assert_last_asked ("org.example.Patient");

  /* Leaving withdraws its questions; then it may ask again. */
  withdrawn = agent->cancelled->len;
  answers_end (&answers);
  wait_count (&agent->cancelled->len, withdrawn + MAX_QUESTIONS);
  again = app_start ("org.example.ManyQuestions", 1, "serial", SESAME_BROKER_PATH,
                     SESAME_BROKER_IFACE, "AddAccount",
                     "('google', @as [], {'client-id': <'client-#'>})");
  wait_count (&agent->n_confirm, asked + MAX_QUESTIONS + 2);
  assert_last_asked ("org.example.ManyQuestions");
  app_free (again);
  app_free (other);
  agent->hold_confirm = FALSE;
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

/* @n calls of @app_id, one after the other, each answered @expected. */
static void
assert_answers (const char *app_id,
                guint       n,
                const char *path,
                const char *interface,
                const char *method,
                const char *args,
                const char *expected)
{
  App *app = app_start (app_id, n, "serial", path, interface, method, args);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *answer = app_answer (app);

      g_assert_cmpstr (answer, ==, expected);
    }
  app_free (app);
}

/* Issue 22, item 6: after Deny an app asked 25 times in 1.3 s. */
static void
test_back_off_after_deny (void)
{
  const char *args = "(@as ['email'],)";
  guint asked = agent->n_confirm;
  gint64 denied_at;

  agent->allow = FALSE;
  assert_answers ("org.example.Pest", 1, account, SESAME_ACCOUNT_IFACE, "GetAccessToken", args,
                  "error dev.sesame.Error.AccessDenied");
  g_assert_cmpuint (agent->n_confirm, ==, asked + 1);
  denied_at = g_get_monotonic_time ();

  /* Asking again at once, over new connections: refused, nobody asked. */
  assert_answers ("org.example.Pest", 25, account, SESAME_ACCOUNT_IFACE, "GetAccessToken", args,
                  "error dev.sesame.Error.AccessDenied");
  g_test_message ("After a Deny, 25 more calls in %.1f s asked the person %u times",
                  (g_get_monotonic_time () - denied_at) / (double) G_USEC_PER_SEC,
                  agent->n_confirm - asked - 1);
  g_assert_cmpuint (agent->n_confirm, ==, asked + 1);

  /* A while later the app is asked again; the person may have changed
   * their mind. */
  settle ((BACK_OFF_SECONDS + 1) * 1000 - (g_get_monotonic_time () - denied_at) / 1000);
  agent->allow = TRUE;
  assert_answers ("org.example.Pest", 1, account, SESAME_ACCOUNT_IFACE, "GetAccessToken", args,
                  "ok");
  g_assert_cmpuint (agent->n_confirm, ==, asked + 2);
}

/* Audit of issue 22, item 6: the back-off after a Deny held for the very
 * question denied only; an add showing another client id or issuer, or
 * any other request, was asked about at once. */
static void
test_back_off_per_app (void)
{
  guint asked = agent->n_confirm;

  agent->allow = FALSE;
  assert_answers ("org.example.Denied", 1, SESAME_BROKER_PATH, SESAME_BROKER_IFACE,
                  "AddAccount", "('google', @as [], {'client-id': <'denied'>})",
                  "error dev.sesame.Error.AccessDenied");
  g_assert_cmpuint (agent->n_confirm, ==, asked + 1);

  /* Whatever it asks next: refused, nobody asked. */
  assert_answers ("org.example.Denied", 4, SESAME_BROKER_PATH, SESAME_BROKER_IFACE,
                  "AddAccount", "('google', @as [], {'client-id': <'other-#'>})",
                  "error dev.sesame.Error.AccessDenied");
  assert_answers ("org.example.Denied", 2, SESAME_BROKER_PATH, SESAME_BROKER_IFACE,
                  "AddAccount",
                  "('openid-connect', @as [], {'issuer': <'https://id.example/realms/r#'>, "
                  "'client-id': <'other'>})",
                  "error dev.sesame.Error.AccessDenied");
  assert_answers ("org.example.Denied", 1, account, SESAME_ACCOUNT_IFACE,
                  "GetAccessToken", "(@as ['email'],)", "error dev.sesame.Error.AccessDenied");
  g_test_message ("After a Deny, 7 other requests of the app asked the person %u times",
                  agent->n_confirm - asked - 1);
  g_assert_cmpuint (agent->n_confirm, ==, asked + 1);

  /* Another app is asked meanwhile (and denied too). */
  assert_answers ("org.example.Unrelated", 1, SESAME_BROKER_PATH, SESAME_BROKER_IFACE,
                  "AddAccount", "('google', @as [], {'client-id': <'denied'>})",
                  "error dev.sesame.Error.AccessDenied");
  g_assert_cmpuint (agent->n_confirm, ==, asked + 2);
  assert_last_asked ("org.example.Unrelated");
  agent->allow = TRUE;
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
  g_test_add_func ("/security/limits/questions-per-app", test_questions_per_app);
  g_test_add_func ("/security/limits/device-sign-ins-per-app", test_device_sign_ins_per_app);
  g_test_add_func ("/security/limits/back-off-after-deny", test_back_off_after_deny);
  g_test_add_func ("/security/limits/back-off-per-app", test_back_off_per_app);
  status = g_test_run ();

  sesame_test_agent_free (agent);
  sesame_test_env_stop_broker (env);
  sesame_test_env_free (env);
  g_free (account);
  return status;
}
