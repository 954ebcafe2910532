/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-broker-process.c: the broker's process keeps its name and its
 * memory: nobody on the bus takes dev.sesame.Sesame.Broker from it, and a
 * crash leaves no core file with tokens in it. */
#include "config.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sesame-test-agent.h"
#include "sesame-bus-names.h"
#include "sesame-test-env.h"


/* RequestName's flag and answer (the D-Bus specification). */
#define NAME_FLAG_REPLACE_EXISTING 0x2
#define NAME_FLAG_DO_NOT_QUEUE 0x4
#define NAME_REPLY_PRIMARY_OWNER 1

static SesameTestEnv *env;
static SesameTestAgent *agent;

static char *
name_owner (GDBusConnection *connection)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  char *owner = NULL;

  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetNameOwner",
                                       g_variant_new ("(s)", SESAME_BROKER_BUS_NAME),
                                       G_VARIANT_TYPE ("(s)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(s)", &owner);
  return owner;
}

/* Issue 22, item 5: the name was owned with ALLOW_REPLACEMENT, so any
 * connection's RequestName (REPLACE_EXISTING) took it and the broker left. */
static void
test_name_not_replaceable (void)
{
  g_autoptr(GDBusConnection) impostor = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  guint32 result = 0;

  before = name_owner (env->connection);
  impostor = g_dbus_connection_new_for_address_sync (env->bus_address,
                                                     G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                     G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                     NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (impostor, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", SESAME_BROKER_BUS_NAME,
                                                      NAME_FLAG_REPLACE_EXISTING |
                                                      NAME_FLAG_DO_NOT_QUEUE),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &result);
  g_test_message ("RequestName (REPLACE_EXISTING) answered %u", result);
  g_assert_cmpuint (result, !=, NAME_REPLY_PRIMARY_OWNER);

  /* The broker still owns its name and still answers. */
  after = name_owner (env->connection);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, 0);
  g_dbus_connection_close_sync (impostor, NULL, NULL);
}

static char *
read_proc (GPid        pid,
           const char *file)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/%s", pid, file);
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

/* A file named like a core file in @dir. */
static char *
find_core (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, "core"))
      return g_strdup (name);
  return NULL;
}

/* Issue 22, item 9: with core dumps allowed, a crash wrote the broker's
 * memory (access, refresh and ID tokens, a client secret) to disk. */
static void
crash_with (int signal_number)
{
  struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
  struct rlimit before;
  g_autofree char *old_dir = g_get_current_dir ();
  g_autofree char *crash_dir = g_build_filename (env->home, "crash", NULL);
  g_autofree char *limits = NULL;
  g_autofree char *core = NULL;
  g_autofree char *account = NULL;
  g_autoptr(GError) error = NULL;
  GPid pid;

  /* As `ulimit -c unlimited` before the broker starts, in a folder of its
   * own, where the kernel's "core" pattern would put the file. */
  sesame_test_env_stop_broker (env);
  g_assert_cmpint (g_mkdir_with_parents (crash_dir, 0700), ==, 0);
  g_assert_cmpint (getrlimit (RLIMIT_CORE, &before), ==, 0);
  g_assert_cmpint (setrlimit (RLIMIT_CORE, &unlimited), ==, 0);
  g_assert_cmpint (chdir (crash_dir), ==, 0);
  sesame_test_env_start_broker (env);
  g_assert_cmpint (chdir (old_dir), ==, 0);
  g_assert_cmpint (setrlimit (RLIMIT_CORE, &before), ==, 0);
  sesame_test_agent_register (agent);

  /* It holds a token worth stealing. */
  account = sesame_test_env_add_account (env, "testidp", NULL, NULL, &error);
  g_assert_no_error (error);

  pid = atoi (g_subprocess_get_identifier (env->broker));
  limits = read_proc (pid, "limits");
  g_assert_nonnull (strstr (limits, "Max core file size"));
  g_assert_true (g_regex_match_simple ("^Max core file size +0 +", limits,
                                       G_REGEX_MULTILINE, 0));

  g_subprocess_send_signal (env->broker, signal_number);
  g_subprocess_wait (env->broker, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_subprocess_get_successful (env->broker));
  g_clear_object (&env->broker);

  core = find_core (crash_dir);
  g_test_message ("After signal %d: %s", signal_number, core ? core : "no core file");
  g_assert_null (core);

  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
}

static void
test_no_core_on_segv (void)
{
  crash_with (SIGSEGV);
}

static void
test_no_core_on_abort (void)
{
  crash_with (SIGABRT);
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

  g_test_add_func ("/security/broker/name-not-replaceable", test_name_not_replaceable);
  g_test_add_func ("/security/broker/no-core-on-segv", test_no_core_on_segv);
  g_test_add_func ("/security/broker/no-core-on-abort", test_no_core_on_abort);
  status = g_test_run ();

  sesame_test_agent_free (agent);
  sesame_test_env_stop_broker (env);
  sesame_test_env_free (env);
  return status;
}
