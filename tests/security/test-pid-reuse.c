/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-pid-reuse.c: a connection's caller is the process that opened it.
 * A sandboxed app connects, hands its connection to a child and exits; a
 * host program then gets its pid. The broker must not take the connection
 * for that host program. The whole test runs in a PID namespace of its own,
 * where ns_last_pid hands the pid on at once instead of after a
 * wrap-around of 32,000 forks. */
#include "config.h"

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sesame-test-agent.h"
#include "sesame-bus-names.h"
#include "sesame-test-env.h"

#define IN_NAMESPACE "SESAME_TEST_IN_PID_NAMESPACE"

static SesameTestEnv *env;
static SesameTestAgent *agent;
static char *account;

/* ---- The app, in its sandbox ---- */

static gboolean
write_all (int         fd,
           const void *data,
           gsize       size)
{
  const char *p = data;

  while (size > 0)
    {
      gssize n = write (fd, p, size);

      if (n <= 0)
        return FALSE;
      p += n;
      size -= n;
    }
  return TRUE;
}

static gboolean
read_all (int    fd,
          void  *data,
          gsize  size)
{
  char *p = data;

  while (size > 0)
    {
      gssize n = read (fd, p, size);

      if (n <= 0)
        return FALSE;
      p += n;
      size -= n;
    }
  return TRUE;
}

/* Connects to the bus at @address ("unix:path=…") and says Hello by hand:
 * no GDBus thread runs yet, so the process can fork. */
static int
connect_by_hand (const char *address)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  const char *path = strstr (address, "path=");
  g_autofree char *auth = NULL;
  g_autofree char *uid = g_strdup_printf ("%u", getuid ());
  g_autoptr(GString) hex = g_string_new (NULL);
  g_autoptr(GDBusMessage) hello = NULL;
  g_autofree guchar *blob = NULL;
  guchar header[16];
  char reply[256];
  gsize size;
  gssize needed;
  int fd;

  g_assert_nonnull (path);
  g_strlcpy (sun.sun_path, path + strlen ("path="), sizeof sun.sun_path);
  *strchrnul (sun.sun_path, ',') = '\0';
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &sun, sizeof sun), ==, 0);

  for (const char *c = uid; *c; c++)
    g_string_append_printf (hex, "%02x", *c);
  auth = g_strdup_printf ("AUTH EXTERNAL %s\r\n", hex->str);
  g_assert_true (write_all (fd, "", 1));
  g_assert_true (write_all (fd, auth, strlen (auth)));
  for (size = 0; size < sizeof reply - 1 && (size < 2 || reply[size - 1] != '\n'); size++)
    g_assert_true (read_all (fd, reply + size, 1));
  reply[size] = '\0';
  g_assert_true (g_str_has_prefix (reply, "OK "));
  g_assert_true (write_all (fd, "BEGIN\r\n", 7));

  hello = g_dbus_message_new_method_call ("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                          "org.freedesktop.DBus", "Hello");
  g_dbus_message_set_serial (hello, 1);
  blob = g_dbus_message_to_blob (hello, &size, G_DBUS_CAPABILITY_FLAGS_NONE, NULL);
  g_assert_true (write_all (fd, blob, size));

  /* Its reply, and nothing more: the child's GDBus reads the rest. */
  g_assert_true (read_all (fd, header, sizeof header));
  needed = g_dbus_message_bytes_needed (header, sizeof header, NULL);
  g_assert_cmpint (needed, >, (gssize) sizeof header);
  {
    g_autofree guchar *message = g_malloc (needed);

    memcpy (message, header, sizeof header);
    g_assert_true (read_all (fd, message + sizeof header, needed - sizeof header));
  }
  return fd;
}

/* The child: waits for a line on standard input, then asks for a token
 * over the connection its parent opened, and prints the answer. */
static int
ask_over (int         fd,
          const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) sock = g_socket_new_from_fd (fd, &error);
  g_autoptr(GSocketConnection) stream = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *scopes[] = { "email", NULL };
  char line[16];

  if (!fgets (line, sizeof line, stdin))
    return 1;
  g_assert_no_error (error);
  stream = g_socket_connection_factory_create_connection (sock);
  /* Authenticated and named already, by the parent. */
  connection = g_dbus_connection_new_sync (G_IO_STREAM (stream), NULL,
                                           G_DBUS_CONNECTION_FLAGS_NONE, NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (connection, "dev.sesame.Sesame.Broker", path,
                                       "dev.sesame.Account1", "GetAccessToken",
                                       g_variant_new ("(^as)", scopes), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
  if (reply != NULL)
    g_print ("token\n");
  else
    g_print ("error %s\n", g_dbus_error_get_remote_error (error));
  return 0;
}

/* argv: --app ACCOUNT_PATH leave|stay */
static int
run_app (char **argv)
{
  int fd = connect_by_hand (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));
  gboolean leave = g_str_equal (argv[3], "leave");
  pid_t child;

  g_print ("%d\n", getpid ());
  fflush (stdout);
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    return ask_over (fd, argv[2]);
  close (fd);
  if (!leave)
    waitpid (child, NULL, 0);
  _exit (0);
}

/* ---- The test ---- */

typedef struct {
  GSubprocess      *process;
  GDataInputStream *out;
  GOutputStream    *in;
  GPid              pid;
} App;

static App *
app_start (const char *app_id,
           const char *mode)
{
  g_autofree char *contents = g_strdup_printf ("[Application]\nname=%s\n", app_id);
  g_autofree char *info = g_build_filename (env->home, app_id, NULL);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  App *app = g_new0 (App, 1);

  g_assert_true (g_file_set_contents (info, contents, -1, NULL));
  app->process =
    g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                      "bwrap", "--ro-bind", "/usr", "/usr",
                      "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                      "--symlink", "usr/bin", "/bin", "--ro-bind", "/etc", "/etc",
                      "--proc", "/proc", "--dev", "/dev", "--bind", "/tmp", "/tmp",
                      "--ro-bind", g_getenv ("SESAME_BUILD_DIR"), g_getenv ("SESAME_BUILD_DIR"),
                      "--ro-bind", info, "/.flatpak-info",
                      "--setenv", "DBUS_SESSION_BUS_ADDRESS", env->bus_address,
                      self, "--app", account, mode, NULL);
  g_assert_no_error (error);
  app->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (app->process));
  app->in = g_object_ref (g_subprocess_get_stdin_pipe (app->process));
  line = sesame_test_read_line (app->out, "the app");
  app->pid = atoi (line);
  g_assert_cmpint (app->pid, >, 1);
  return app;
}

/* Tells the child to ask; returns what it got: "token" or "error NAME". */
static char *
app_ask (App *app)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_output_stream_write_all (app->in, "go\n", 3, NULL, NULL, &error));
  g_assert_no_error (error);
  return sesame_test_read_line (app->out, "the app's child");
}

static void
app_free (App *app)
{
  g_subprocess_force_exit (app->process);
  g_subprocess_wait (app->process, NULL, NULL);
  g_object_unref (app->process);
  g_object_unref (app->out);
  g_object_unref (app->in);
  g_free (app);
}

/* A host program started with the pid @pid, which is free: set as the
 * last pid given, the next fork gets it (unless another fork came first). */
static GSubprocess *
host_program_at (GPid pid)
{
  for (guint attempt = 0; attempt < 100; attempt++)
    {
      g_autofree char *last = g_strdup_printf ("%d", pid - 1);
      g_autoptr(GSubprocess) host = NULL;
      g_autoptr(GError) error = NULL;

      int fd = open ("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);

      /* Written in place: g_file_set_contents() would rename over it. */
      g_assert_cmpint (fd, >=, 0);
      g_assert_true (write_all (fd, last, strlen (last)));
      close (fd);
      host = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "sleep", "600", NULL);
      g_assert_no_error (error);
      if (atoi (g_subprocess_get_identifier (host)) == pid)
        {
          g_autofree char *exe_link = g_strdup_printf ("/proc/%d/exe", pid);
          gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
          g_autofree char *exe = NULL;

          /* Until it has run sleep, it is still the test. */
          while ((exe = g_file_read_link (exe_link, NULL)) != NULL &&
                 !g_str_has_suffix (exe, "/sleep") && g_get_monotonic_time () < deadline)
            {
              g_clear_pointer (&exe, g_free);
              g_usleep (1000);
            }
          return g_steal_pointer (&host);
        }
      g_subprocess_force_exit (host);
      g_subprocess_wait (host, NULL, NULL);
    }
  g_assert_not_reached ();
}

/* Waits until no process has @pid. */
static void
wait_pid_free (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d", pid);
  gint64 deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;

  while (g_file_test (path, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < deadline)
    {
      /* The test is the namespace's init: orphans are its to reap. */
      while (waitpid (-1, NULL, WNOHANG) > 0)
        ;
      g_usleep (1000);
    }
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* Issue 22, item 2: the broker took the connection for the host program
 * now at its pid and handed out a token without a question. */
static void
test_reused_pid_refused (void)
{
  g_autoptr(GSubprocess) host = NULL;
  g_autofree char *answer = NULL;
  guint asked = agent->n_confirm;
  App *app;

  agent->allow = FALSE;
  app = app_start ("org.example.PidThief", "leave");
  wait_pid_free (app->pid);
  /* A real wrap-around takes seconds; process start times are counted in
   * clock ticks (1/100 s), which the broker cannot see within. */
  g_usleep (100 * G_TIME_SPAN_MILLISECOND);
  host = host_program_at (app->pid);
  answer = app_ask (app);
  g_test_message ("The connection of gone pid %d, now a host program's: %s", app->pid, answer);
  g_assert_cmpstr (answer, ==, "error dev.sesame.Error.AccessDenied");
  /* Refused as unprovable, not asked about as any app. */
  g_assert_cmpuint (agent->n_confirm, ==, asked);
  g_subprocess_force_exit (host);
  app_free (app);
}

/* The app whose process stays is identified as itself and asked about. */
static void
test_own_process_asked (void)
{
  g_autofree char *answer = NULL;
  guint asked = agent->n_confirm;
  App *app;

  agent->allow = TRUE;
  app = app_start ("org.example.Honest", "stay");
  answer = app_ask (app);
  g_assert_cmpstr (answer, ==, "token");
  g_assert_cmpuint (agent->n_confirm, ==, asked + 1);
  app_free (app);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  if (argc == 4 && g_str_equal (argv[1], "--app"))
    return run_app (argv);

  /* A user and PID namespace of its own, where the test may set the next
   * pid; the bus, the broker and the apps run in it too. */
  if (g_getenv (IN_NAMESPACE) == NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) command = NULL;
      int probe = 1;

      /* Where user namespaces are not allowed, bubblewrap fails too. */
      if (!g_spawn_command_line_sync ("unshare --user --map-root-user --pid --fork --mount-proc "
                                      "sh -c 'echo 1 > /proc/sys/kernel/ns_last_pid'",
                                      NULL, NULL, &probe, NULL) ||
          !g_spawn_check_wait_status (probe, NULL))
        {
          g_print ("1..0 # SKIP No PID namespace of the test's own here\n");
          return 0;
        }
      g_setenv (IN_NAMESPACE, "1", TRUE);
      g_strv_builder_add_many (builder, "unshare", "--user", "--map-root-user", "--pid",
                               "--fork", "--mount-proc", "--kill-child", NULL);
      for (int i = 0; i < argc; i++)
        g_strv_builder_add (builder, argv[i]);
      command = g_strv_builder_end (builder);
      execvp (command[0], command);
      g_print ("1..0 # SKIP unshare: %s\n", g_strerror (errno));
      return 0;
    }

  g_test_init (&argc, &argv, NULL);
  env = sesame_test_env_new (3600);
  sesame_test_env_start_broker (env);
  agent = sesame_test_agent_new (env);
  sesame_test_agent_register (agent);
  account = sesame_test_env_add_account (env, "testidp", NULL, NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/security/pid-reuse/refused", test_reused_pid_refused);
  g_test_add_func ("/security/pid-reuse/own-process-asked", test_own_process_asked);
  status = g_test_run ();

  sesame_test_agent_free (agent);
  sesame_test_env_stop_broker (env);
  sesame_test_env_free (env);
  g_free (account);
  return status;
}
