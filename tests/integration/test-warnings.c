/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-warnings.c: RefreshExpiresAt from the token response and the provider
 * file, kept across restarts; the keep-alive of idle limits at start and
 * after resume (PrepareForSleep on a private system bus); notifications,
 * read back from a real notification server (dunst under Xvfb) on the
 * test's bus; the broker's clock moved forward through its test-only clock
 * file */
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <glib/gstdio.h>

#include "sesame-bus-names.h"
#include "sesame-test-agent.h"
#include "sesame-test-env.h"

#define DAY (24 * 60 * 60)

static SesameTestEnv *env;
static SesameTestAgent *agent;
static char *clock_file;
static GSubprocess *system_bus;
static char *system_bus_address;
static GDBusConnection *logind;   /* the test as logind on the system bus */
static GSubprocess *xvfb;
static GSubprocess *dunst;
static char *settings_file;        /* the components' GSettings (keyfile backend) */

/* The broker's clock runs @days ahead from now on. */
static void
set_clock (gint64 days)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT "\n", days * DAY);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (clock_file, text, -1, &error);
  g_assert_no_error (error);
}

static gint64
now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* How the test provider issues refresh tokens from now on. */
static void
set_refresh_tokens (gint64   ttl,
                    gboolean renew,
                    gboolean announce)
{
  g_autofree char *query = g_strdup_printf ("/_test/refresh-tokens?ttl=%" G_GINT64_FORMAT
                                            "&renew=%d&announce=%d", ttl, renew, announce);
  g_autoptr(JsonNode) reply = sesame_test_env_idp_request (env, "POST", query);
}

/* A provider @id like "testidp", with @field set to @days. */
static void
write_provider (const char *id,
                const char *field,
                gint64      days)
{
  g_autofree char *dir = g_build_filename (env->config_dir, "sesame", "providers", NULL);
  g_autofree char *first = g_build_filename (dir, "testidp.json", NULL);
  g_autofree char *name = g_strconcat (id, ".json", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonObject *object;

  json_parser_load_from_file (parser, first, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  json_object_set_string_member (object, "name", id);
  json_object_set_int_member (object, field, days);
  text = json_to_string (json_parser_get_root (parser), TRUE);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static char *
add_account (const char *provider,
             const char *login)
{
  g_autoptr(GError) error = NULL;
  char *path;

  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, login);
  path = sesame_test_env_add_account (env, provider, NULL, NULL, &error);
  g_assert_no_error (error);
  return path;
}

static void
refresh (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = sesame_test_env_call (env, path, SESAME_ACCOUNT_IFACE, "Refresh",
                                                    NULL, "(x)", &error);

  g_assert_no_error (error);
}

static gint64
refresh_end (const char *path)
{
  return sesame_test_env_int_property (env, path, "RefreshExpiresAt");
}

/* Fails unless @value is @expected, give or take the test's own slowness. */
static void
assert_about (gint64 value,
              gint64 expected)
{
  g_assert_cmpint (value, >=, expected - 60);
  g_assert_cmpint (value, <=, expected + 5);
}

static void
reset (void)
{
  set_clock (0);
  set_refresh_tokens (14 * DAY, TRUE, FALSE);
}

/* GitHub Apps: refresh_token_expires_in, and a rotation that keeps the end. */
static void
test_announced_absolute (void)
{
  g_autofree char *path = NULL;
  gint64 end;

  set_refresh_tokens (5 * DAY, FALSE, TRUE);
  path = add_account ("testidp", "ann");
  end = refresh_end (path);
  assert_about (end, now () + 5 * DAY);

  g_usleep (1100 * 1000);
  refresh (path);
  g_assert_cmpint (ABS (refresh_end (path) - end), <=, 2);
  reset ();
}

/* A rotation into a fresh lifetime moves the end later. */
static void
test_announced_renewable (void)
{
  g_autofree char *path = NULL;

  set_refresh_tokens (5 * DAY, TRUE, TRUE);
  path = add_account ("testidp", "rene");
  assert_about (refresh_end (path), now () + 5 * DAY);

  set_clock (1);
  refresh (path);
  assert_about (refresh_end (path), now () + 6 * DAY);
  reset ();
}

/* The provider file's absolute lifetime, counted from the sign-in, kept in
 * the metadata across a restart. */
static void
test_lifetime_days (void)
{
  g_autofree char *path = add_account ("lifetimeidp", "lena");
  gint64 end = refresh_end (path);

  assert_about (end, now () + 60 * DAY);
  set_clock (10);
  refresh (path);
  g_assert_cmpint (refresh_end (path), ==, end);

  sesame_test_env_stop_broker (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
  g_assert_cmpint (refresh_end (path), ==, end);
  reset ();
}

static void
on_properties_changed (GDBusConnection *connection,
                       const char      *sender,
                       const char      *path,
                       const char      *interface,
                       const char      *signal,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  gint64 *announced = user_data;
  g_autoptr(GVariant) changed = g_variant_get_child_value (parameters, 1);

  g_variant_lookup (changed, "RefreshExpiresAt", "x", announced);
}

/* Idle limits count from the last refresh, and the change is announced. */
static void
test_idle_days (void)
{
  g_autofree char *path = add_account ("idleidp", "ida");
  gint64 announced = 0;
  gboolean never = FALSE;
  guint id;

  assert_about (refresh_end (path), now () + 30 * DAY);
  id = g_dbus_connection_signal_subscribe (env->connection, SESAME_BROKER_BUS_NAME,
                                           "org.freedesktop.DBus.Properties",
                                           "PropertiesChanged", path, SESAME_ACCOUNT_IFACE,
                                           G_DBUS_SIGNAL_FLAGS_NONE, on_properties_changed,
                                           &announced, NULL);
  set_clock (10);
  refresh (path);
  sesame_test_wait_for (&never, 500);
  g_dbus_connection_signal_unsubscribe (env->connection, id);
  assert_about (refresh_end (path), now () + 40 * DAY);
  g_assert_cmpint (announced, ==, refresh_end (path));
  reset ();
}

/* Polls the account's RefreshExpiresAt until it is no longer @old. */
static gboolean
wait_for_new_end (const char *path,
                  gint64      old)
{
  for (guint i = 0; i < 200; i++)
    {
      gboolean never = FALSE;

      if (refresh_end (path) != old)
        return TRUE;
      sesame_test_wait_for (&never, 100);
    }
  return FALSE;
}

static void
restart_broker (void)
{
  sesame_test_env_stop_broker (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
}

/* An idle limit of 30 days is refreshed at start once 23 days passed
 * since the last refresh, and not before. */
static void
test_keep_alive_at_start (void)
{
  g_autofree char *path = add_account ("idleidp", "kim");
  gint64 end = refresh_end (path);
  gboolean never = FALSE;

  set_clock (22);
  restart_broker ();
  sesame_test_wait_for (&never, 1500);
  g_assert_cmpint (refresh_end (path), ==, end);

  set_clock (24);
  restart_broker ();
  g_assert_true (wait_for_new_end (path, end));
  assert_about (refresh_end (path), now () + (24 + 30) * DAY);
  reset ();
}

static void
emit_prepare_for_sleep (gboolean sleeping)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_emit_signal (logind, NULL, "/org/freedesktop/login1",
                                 "org.freedesktop.login1.Manager", "PrepareForSleep",
                                 g_variant_new ("(b)", sleeping), &error);
  g_assert_no_error (error);
  g_dbus_connection_flush_sync (logind, NULL, &error);
  g_assert_no_error (error);
}

/* Days pass in suspend: at resume the broker checks at once. */
static void
test_keep_alive_after_resume (void)
{
  g_autofree char *path = add_account ("idleidp", "rita");
  gint64 end = refresh_end (path);
  gboolean never = FALSE;

  set_clock (24);
  emit_prepare_for_sleep (TRUE);
  sesame_test_wait_for (&never, 1500);
  g_assert_cmpint (refresh_end (path), ==, end);

  emit_prepare_for_sleep (FALSE);
  g_assert_true (wait_for_new_end (path, end));
  assert_about (refresh_end (path), now () + (24 + 30) * DAY);
  reset ();
}

/* Without a system bus the broker says so once and carries on. */
static void
test_no_system_bus (void)
{
  g_autofree char *log = NULL;
  g_autofree char *path = NULL;
  const char *first;

  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/system_bus_socket", TRUE);
  restart_broker ();
  path = add_account ("idleidp", "nora");
  g_assert_cmpint (refresh_end (path), !=, 0);
  g_file_get_contents (env->broker_log, &log, NULL, NULL);
  first = strstr (log, "No system bus");
  g_assert_nonnull (first);
  g_assert_null (strstr (first + 1, "No system bus"));

  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", system_bus_address, TRUE);
  restart_broker ();
}

static void
die_with_test (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* A private system bus on which the test plays logind. */
static void
start_system_bus (void)
{
  g_autofree char *config = g_build_filename (env->home, "system-bus.conf", NULL);
  g_autofree char *text = g_strdup_printf (
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig>\n"
    "  <type>system</type>\n"
    "  <listen>unix:path=%s/system_bus_socket</listen>\n"
    "  <auth>EXTERNAL</auth>\n"
    "  <policy context=\"default\">\n"
    "    <allow user=\"*\"/>\n"
    "    <allow own=\"*\"/>\n"
    "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
    "    <allow eavesdrop=\"true\"/>\n"
    "  </policy>\n"
    "</busconfig>\n", env->home);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  g_file_set_contents (config, text, -1, &error);
  g_assert_no_error (error);
  g_subprocess_launcher_set_child_setup (launcher, die_with_test, NULL, NULL);
  system_bus = g_subprocess_launcher_spawn (launcher, &error, "dbus-daemon", "--nofork",
                                            "--print-address", "--config-file", config, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (system_bus));
  system_bus_address = sesame_test_read_line (out, "dbus-daemon (system)");
  g_assert_nonnull (system_bus_address);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", system_bus_address, TRUE);

  logind = g_dbus_connection_new_for_address_sync (system_bus_address,
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (logind, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.login1", 4),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  g_assert_no_error (error);
}

static void
stop_process (GSubprocess **process)
{
  if (*process == NULL)
    return;
  g_subprocess_send_signal (*process, SIGTERM);
  g_subprocess_wait (*process, NULL, NULL);
  g_clear_object (process);
}

static void
stop_system_bus (void)
{
  g_dbus_connection_close_sync (logind, NULL, NULL);
  g_clear_object (&logind);
  stop_process (&system_bus);
  g_free (system_bus_address);
}

/* Every notification dunst got whose body names @identity (it keeps
 * them in its history once closed). */
static guint
notifications_of (const char *identity)
{
  g_autoptr(GVariant) closed = NULL;
  g_autoptr(GVariant) history = NULL;
  g_autoptr(GVariant) entries = NULL;
  g_autoptr(GError) error = NULL;
  guint count = 0;

  closed = g_dbus_connection_call_sync (env->connection, "org.freedesktop.Notifications",
                                        "/org/freedesktop/Notifications", "org.dunstproject.cmd0",
                                        "NotificationCloseAll", NULL, NULL,
                                        G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  history = g_dbus_connection_call_sync (env->connection, "org.freedesktop.Notifications",
                                         "/org/freedesktop/Notifications", "org.dunstproject.cmd0",
                                         "NotificationListHistory", NULL,
                                         G_VARIANT_TYPE ("(aa{sv})"), G_DBUS_CALL_FLAGS_NONE, -1,
                                         NULL, &error);
  g_assert_no_error (error);
  entries = g_variant_get_child_value (history, 0);
  for (gsize i = 0; i < g_variant_n_children (entries); i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (entries, i);
      g_autoptr(GVariant) body = g_variant_lookup_value (entry, "body", NULL);
      g_autoptr(GVariant) appname = g_variant_lookup_value (entry, "appname", NULL);

      g_autofree char *text = body != NULL ? g_variant_print (body, FALSE) : NULL;

      if (text != NULL && strstr (text, identity) != NULL)
        {
          g_autofree char *name = g_variant_print (appname, FALSE);

          g_assert_nonnull (strstr (name, "Sesame"));
          count++;
        }
    }
  return count;
}

/* Waits up to ten seconds for @expected notifications of @identity, then
 * two more for any that should not come. */
static void
assert_notifications (const char *identity,
                      guint       expected)
{
  gboolean never = FALSE;

  for (guint i = 0; i < 100 && notifications_of (identity) < expected; i++)
    sesame_test_wait_for (&never, 100);
  sesame_test_wait_for (&never, 2000);
  g_assert_cmpuint (notifications_of (identity), ==, expected);
}

static gboolean
have_dunst (void)
{
  if (dunst == NULL)
    g_test_skip ("dunst or Xvfb is not installed");
  return dunst != NULL;
}

/* The provider withdraws the grant; a refresh finds out. */
static void
break_grant (const char *path,
             const char *login)
{
  g_autofree char *query = g_strconcat ("/_test/revoke-account?account=", login, NULL);
  g_autoptr(JsonNode) reply = sesame_test_env_idp_request (env, "POST", query);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = sesame_test_env_call (env, path, SESAME_ACCOUNT_IFACE, "Refresh",
                                                     NULL, "(x)", &error);

  sesame_test_assert_dbus_error (error, "dev.sesame.Error.NeedsAttention");
}

/* One notification when the grant breaks, not another after a restart. */
static void
test_notify_attention_once (void)
{
  g_autofree char *path = NULL;

  if (!have_dunst ())
    return;
  path = add_account ("testidp", "otto");
  break_grant (path, "otto");
  assert_notifications ("otto@example.test", 1);

  restart_broker ();
  assert_notifications ("otto@example.test", 1);
}

/* Mended, then broken again: a new episode, a new notification. */
static void
test_notify_mend_and_break (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char * const none[] = { NULL };

  if (!have_dunst ())
    return;
  path = add_account ("testidp", "mia");
  break_grant (path, "mia");
  assert_notifications ("mia@example.test", 1);

  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "mia");
  reply = sesame_test_env_call (env, path, SESAME_ACCOUNT_IFACE, "Reauthenticate",
                                g_variant_new ("(^as)", none), "()", &error);
  g_assert_no_error (error);
  g_assert_false (sesame_test_env_bool_property (env, path, "AttentionNeeded"));
  break_grant (path, "mia");
  assert_notifications ("mia@example.test", 2);
}

static void
set_notify (gboolean notify)
{
  g_autoptr(GError) error = NULL;
  gboolean never = FALSE;

  g_file_set_contents (settings_file, notify ? "[dev/sesame/Sesame]\nnotify=true\n"
                                             : "[dev/sesame/Sesame]\nnotify=false\n",
                       -1, &error);
  g_assert_no_error (error);
  /* The broker's file monitor hears of it. */
  sesame_test_wait_for (&never, 1500);
}

/* notify off, while the broker runs: nothing. */
static void
test_notify_off (void)
{
  g_autofree char *path = NULL;

  if (!have_dunst ())
    return;
  set_notify (FALSE);
  path = add_account ("shortidp", "stella");
  break_grant (path, "stella");
  assert_notifications ("stella@example.test", 0);
  set_notify (TRUE);
}

/* An absolute end within the week: one warning, at the sign-in, not again
 * after a refresh or a restart. */
static void
test_notify_coming_end (void)
{
  g_autofree char *path = NULL;

  if (!have_dunst ())
    return;
  path = add_account ("shortidp", "enzo");
  assert_notifications ("enzo@example.test", 1);
  refresh (path);
  restart_broker ();
  assert_notifications ("enzo@example.test", 1);
}

static guint
displayed_notifications (void)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_sync (env->connection, "org.freedesktop.Notifications",
                                       "/org/freedesktop/Notifications",
                                       "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", "org.dunstproject.cmd0",
                                                      "displayedLength"),
                                       G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  return g_variant_get_uint32 (value);
}

/* The test stands in for the app: what ActivateAction asked of it. */
static char *activated;

static void
on_app_call (GDBusConnection       *connection,
             const char            *sender,
             const char            *path,
             const char            *interface,
             const char            *method,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation,
             gpointer               user_data)
{
  g_autoptr(GVariant) target = NULL;
  g_autoptr(GVariant) platform = NULL;
  const char *action = NULL;

  g_variant_get (parameters, "(&s@av@a{sv})", &action, &target, &platform);
  g_free (activated);
  {
    g_autofree char *printed = g_variant_print (target, FALSE);

    activated = g_strdup_printf ("%s %s", action, printed);
  }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static const char app_xml[] =
  "<node><interface name='org.freedesktop.Application'>"
  "<method name='ActivateAction'><arg type='s' direction='in'/><arg type='av' direction='in'/>"
  "<arg type='a{sv}' direction='in'/></method>"
  "</interface></node>";

/* Clicking the notification opens the account's page in the app. */
static void
test_notify_click (void)
{
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (app_xml, NULL);
  const GDBusInterfaceVTable vtable = { on_app_call, NULL, NULL, { 0 } };
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *expected = NULL;
  gboolean never = FALSE;
  guint object, name;

  if (!have_dunst ())
    return;
  object = g_dbus_connection_register_object (env->connection, "/dev/sesame/Sesame",
                                              info->interfaces[0], &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  name = g_bus_own_name_on_connection (env->connection, "dev.sesame.Sesame",
                                       G_BUS_NAME_OWNER_FLAGS_NONE, NULL, NULL, NULL, NULL);
  path = add_account ("testidp", "ivo");
  notifications_of ("ivo@example.test");
  break_grant (path, "ivo");
  for (guint i = 0; i < 100 && displayed_notifications () == 0; i++)
    sesame_test_wait_for (&never, 100);
  g_assert_cmpuint (displayed_notifications (), ==, 1);

  reply = g_dbus_connection_call_sync (env->connection, "org.freedesktop.Notifications",
                                       "/org/freedesktop/Notifications", "org.dunstproject.cmd0",
                                       "NotificationAction", g_variant_new ("(u)", 0), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 100 && activated == NULL; i++)
    sesame_test_wait_for (&never, 100);
  expected = g_strdup_printf ("show-account [<'%s'>]", path);
  g_assert_cmpstr (activated, ==, expected);

  g_bus_unown_name (name);
  g_dbus_connection_unregister_object (env->connection, object);
  g_clear_pointer (&activated, g_free);
}

/* A display for dunst, and dunst as the test bus's notification server. */
static void
start_dunst (void)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  g_autofree char *display = NULL;
  g_autofree char *dunst_path = g_find_program_in_path ("dunst");
  g_autofree char *xvfb_path = g_find_program_in_path ("Xvfb");

  if (dunst_path == NULL || xvfb_path == NULL)
    return;
  g_subprocess_launcher_set_child_setup (launcher, die_with_test, NULL, NULL);
  xvfb = g_subprocess_launcher_spawn (launcher, &error, "Xvfb", "-displayfd", "1", "-nolisten",
                                      "tcp", "-screen", "0", "800x600x24", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (xvfb));
  number = sesame_test_read_line (out, "Xvfb");
  g_assert_nonnull (number);
  display = g_strconcat (":", number, NULL);

  g_clear_object (&launcher);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_test, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "DISPLAY", display, TRUE);
  dunst = g_subprocess_launcher_spawn (launcher, &error, "dunst", NULL);
  g_assert_no_error (error);
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(GVariant) owned = NULL;
      gboolean has_owner = FALSE, never = FALSE;

      owned = g_dbus_connection_call_sync (env->connection, "org.freedesktop.DBus",
                                           "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                           "NameHasOwner",
                                           g_variant_new ("(s)", "org.freedesktop.Notifications"),
                                           G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                           NULL, NULL);
      if (owned != NULL)
        g_variant_get (owned, "(b)", &has_owner);
      if (has_owner)
        return;
      sesame_test_wait_for (&never, 100);
    }
  g_error ("dunst did not take the name org.freedesktop.Notifications");
}

static void
test_unknown (void)
{
  g_autofree char *path = add_account ("testidp", "una");

  g_assert_cmpint (refresh_end (path), ==, 0);
}

/* sesamectl list shows the end in words, list --json in seconds. */
static void
test_sesamectl (void)
{
  g_autofree char *path = add_account ("lifetimeidp", "sam");
  g_autofree char *id = sesame_test_env_string_property (env, path, "Id");
  g_autofree char *sesamectl = g_build_filename (g_getenv ("SESAME_BUILD_DIR"), "src", "cli",
                                                 "sesamectl", NULL);
  g_autofree char *out = NULL;
  g_autofree char *table = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *array;
  gboolean found = FALSE;
  const char *json_argv[] = { sesamectl, "list", "--json", NULL };
  const char *table_argv[] = { sesamectl, "list", NULL };

  g_spawn_sync (NULL, (char **) json_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, NULL,
                &error);
  g_assert_no_error (error);
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *account = json_array_get_object_element (array, i);

      if (!g_str_equal (json_object_get_string_member (account, "id"), id))
        continue;
      found = TRUE;
      g_assert_cmpint (json_object_get_int_member (account, "refresh-expires-at"), ==,
                       refresh_end (path));
    }
  g_assert_true (found);

  g_spawn_sync (NULL, (char **) table_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &table, NULL,
                NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (table, "sign in again before"));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *settings_dir = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  env = sesame_test_env_new (3600);
  clock_file = g_build_filename (env->home, "clock", NULL);
  g_setenv ("SESAME_TEST_CLOCK_FILE", clock_file, TRUE);
  set_clock (0);
  write_provider ("lifetimeidp", "refresh-token-lifetime-days", 60);
  write_provider ("idleidp", "refresh-token-idle-days", 30);
  write_provider ("shortidp", "refresh-token-lifetime-days", 5);
  /* A settings file the test can change while the broker runs. */
  settings_file = g_build_filename (env->config_dir, "glib-2.0", "settings", "keyfile", NULL);
  settings_dir = g_path_get_dirname (settings_file);
  g_mkdir_with_parents (settings_dir, 0700);
  env->settings_backend = "keyfile";
  start_system_bus ();
  start_dunst ();
  sesame_test_env_start_broker (env);
  agent = sesame_test_agent_new (env);
  sesame_test_agent_register (agent);

  g_test_add_func ("/warnings/refresh-end/announced-absolute", test_announced_absolute);
  g_test_add_func ("/warnings/refresh-end/announced-renewable", test_announced_renewable);
  g_test_add_func ("/warnings/refresh-end/lifetime-days", test_lifetime_days);
  g_test_add_func ("/warnings/refresh-end/idle-days", test_idle_days);
  g_test_add_func ("/warnings/refresh-end/unknown", test_unknown);
  g_test_add_func ("/warnings/refresh-end/sesamectl", test_sesamectl);
  g_test_add_func ("/warnings/keep-alive/at-start", test_keep_alive_at_start);
  g_test_add_func ("/warnings/keep-alive/after-resume", test_keep_alive_after_resume);
  g_test_add_func ("/warnings/keep-alive/no-system-bus", test_no_system_bus);
  g_test_add_func ("/warnings/notify/attention-once", test_notify_attention_once);
  g_test_add_func ("/warnings/notify/mend-and-break", test_notify_mend_and_break);
  g_test_add_func ("/warnings/notify/off", test_notify_off);
  g_test_add_func ("/warnings/notify/coming-end", test_notify_coming_end);
  g_test_add_func ("/warnings/notify/click", test_notify_click);
  status = g_test_run ();

  sesame_test_agent_free (agent);
  sesame_test_env_stop_broker (env);
  stop_system_bus ();
  stop_process (&dunst);
  stop_process (&xvfb);
  sesame_test_env_free (env);
  g_free (clock_file);
  g_free (settings_file);
  return status;
}
