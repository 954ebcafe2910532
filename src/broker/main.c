/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c: sesame-broker, the D-Bus service that owns every token */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <glib-unix.h>
#include <locale.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "sesame-broker.h"
#include "sesame-bus-names.h"
#include "sesame-caller.h"

typedef struct {
  GMainLoop    *loop;
  SesameBroker *broker;
  int           status;
} Service;

static void
on_bus_acquired (GDBusConnection *connection,
                 const char      *name,
                 gpointer         user_data)
{
  Service *service = user_data;
  g_autoptr(GError) error = NULL;

  /* Objects are exported before the name is owned, so a client that sees
   * the name sees every account; callers are identified against when
   * their connection was first seen, noted from before the first call. */
  if (sesame_caller_watch_bus (connection, &error))
    service->broker = sesame_broker_new (connection, &error);
  if (service->broker == NULL)
    {
      g_printerr ("sesame-broker: %s\n", error->message);
      service->status = 1;
      g_main_loop_quit (service->loop);
    }
}

static void
on_name_lost (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  Service *service = user_data;

  if (connection == NULL)
    g_printerr ("sesame-broker: %s\n", _("Could not connect to the session bus."));
  else
    g_printerr (_("sesame-broker: another broker owns %s already.\n"), name);
  service->status = 1;
  g_main_loop_quit (service->loop);
}

/* The broker's memory holds every token and client secret (DESIGN.md: no
 * token in a file): a crash writes no core file, and no other process of
 * the person's may ptrace it or read its /proc/PID/mem. (LeakSanitizer
 * still works: its tracer makes the process dumpable while it looks.) */
static void
protect_memory (void)
{
  struct rlimit no_core = { 0, 0 };

  if (setrlimit (RLIMIT_CORE, &no_core) != 0)
    g_printerr ("sesame-broker: RLIMIT_CORE: %s\n", g_strerror (errno));
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    g_printerr ("sesame-broker: PR_SET_DUMPABLE: %s\n", g_strerror (errno));
}

static gboolean
on_terminate (gpointer user_data)
{
  Service *service = user_data;

  g_main_loop_quit (service->loop);
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  Service service = { 0 };
  gboolean replace = FALSE;
  gboolean version = FALSE;
  GOptionEntry entries[] = {
    { "replace", 'r', 0, G_OPTION_ARG_NONE, &replace, N_("Replace a running broker"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  GBusNameOwnerFlags flags = G_BUS_NAME_OWNER_FLAGS_NONE;
  guint owner_id;

  protect_memory ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Sesame’s token broker, started by D-Bus."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("sesame-broker: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      g_print ("sesame-broker %s\n", PACKAGE_VERSION);
      return 0;
    }

  service.loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_terminate, &service);
  g_unix_signal_add (SIGINT, on_terminate, &service);
  /* --replace is for developers (build-aux/run-sesame.sh): it takes the
   * name from a broker started with it, and lets the next one take it in
   * turn. A broker started by D-Bus never lets its name go: whoever took
   * it would be sent client secrets and agent registrations. */
  if (replace)
    flags = G_BUS_NAME_OWNER_FLAGS_REPLACE | G_BUS_NAME_OWNER_FLAGS_ALLOW_REPLACEMENT;
  owner_id = g_bus_own_name (G_BUS_TYPE_SESSION, SESAME_BROKER_BUS_NAME, flags,
                             on_bus_acquired, NULL, on_name_lost, &service, NULL);
  g_main_loop_run (service.loop);

  g_bus_unown_name (owner_id);
  if (service.broker != NULL)
    sesame_broker_flush (service.broker);
  g_clear_object (&service.broker);
  g_main_loop_unref (service.loop);
  return service.status;
}
