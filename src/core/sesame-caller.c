/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-caller.c: who is calling: a Flatpak app, a Snap or a host program */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sesame-caller.h"
#include "sesame-error.h"

struct _SesameCaller
{
  GObject           parent_instance;

  SesameCallerKind  kind;
  char             *app_id;
  char             *app_name;
};

G_DEFINE_FINAL_TYPE (SesameCaller, sesame_caller, G_TYPE_OBJECT)

static void
sesame_caller_finalize (GObject *object)
{
  SesameCaller *self = SESAME_CALLER (object);

  g_free (self->app_id);
  g_free (self->app_name);

  G_OBJECT_CLASS (sesame_caller_parent_class)->finalize (object);
}

static void
sesame_caller_class_init (SesameCallerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sesame_caller_finalize;
}

static void
sesame_caller_init (SesameCaller *self)
{
}

SesameCaller *
sesame_caller_new (SesameCallerKind  kind,
                   const char       *app_id,
                   const char       *app_name)
{
  SesameCaller *self = g_object_new (SESAME_TYPE_CALLER, NULL);

  self->kind = kind;
  self->app_id = g_strdup (app_id);
  self->app_name = g_strdup (app_name ? app_name : app_id);
  return self;
}

SesameCallerKind
sesame_caller_get_kind (SesameCaller *self)
{
  return self->kind;
}

const char *
sesame_caller_get_kind_name (SesameCaller *self)
{
  static const char * const names[] = { "host", "flatpak", "snap" };

  return names[self->kind];
}

const char *
sesame_caller_get_app_id (SesameCaller *self)
{
  return self->app_id;
}

const char *
sesame_caller_get_app_name (SesameCaller *self)
{
  return self->app_name;
}

gboolean
sesame_caller_is_sandboxed (SesameCaller *self)
{
  return self->kind != SESAME_CALLER_HOST;
}

/* The program a desktop file's Exec line runs, resolved to a real path. */
static char *
exec_program (GKeyFile *desktop)
{
  g_autofree char *exec = g_key_file_get_string (desktop, G_KEY_FILE_DESKTOP_GROUP,
                                                 G_KEY_FILE_DESKTOP_KEY_EXEC, NULL);
  g_auto(GStrv) argv = NULL;
  g_autofree char *program = NULL;

  if (exec == NULL || !g_shell_parse_argv (exec, NULL, &argv, NULL))
    return NULL;
  program = g_path_is_absolute (argv[0]) ? g_strdup (argv[0]) : g_find_program_in_path (argv[0]);
  return program ? realpath (program, NULL) : NULL;
}

char *
sesame_caller_find_desktop_file (const char          *executable,
                                 const char * const  *dirs,
                                 char               **name)
{
  g_autofree char *found = NULL;
  g_autofree char *found_name = NULL;
  guint matches = 0;

  for (guint i = 0; dirs[i]; i++)
    {
      g_autoptr(GDir) dir = g_dir_open (dirs[i], 0, NULL);
      const char *entry;

      while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (dirs[i], entry, NULL);
          g_autoptr(GKeyFile) desktop = g_key_file_new ();
          g_autofree char *program = NULL;

          if (!g_str_has_suffix (entry, ".desktop") ||
              !g_key_file_load_from_file (desktop, path, G_KEY_FILE_NONE, NULL) ||
              !(program = exec_program (desktop)) || g_strcmp0 (program, executable) != 0)
            continue;
          matches++;
          g_free (found);
          found = g_strndup (entry, strlen (entry) - strlen (".desktop"));
          g_free (found_name);
          found_name = g_key_file_get_locale_string (desktop, G_KEY_FILE_DESKTOP_GROUP,
                                                     G_KEY_FILE_DESKTOP_KEY_NAME, NULL, NULL);
        }
    }
  /* Two desktop files for one program name neither for sure. */
  if (matches != 1)
    return NULL;
  *name = g_steal_pointer (&found_name);
  return g_steal_pointer (&found);
}

static GStrv
application_dirs (const char *suffix)
{
  const char * const *system = g_get_system_data_dirs ();
  GPtrArray *dirs = g_ptr_array_new ();

  g_ptr_array_add (dirs, g_build_filename (g_get_user_data_dir (), suffix, NULL));
  for (guint i = 0; system[i]; i++)
    g_ptr_array_add (dirs, g_build_filename (system[i], suffix, NULL));
  g_ptr_array_add (dirs, NULL);
  return (GStrv) g_ptr_array_free (dirs, FALSE);
}

/* A Flatpak app's name for people: its exported desktop file, else its id. */
static char *
flatpak_app_name (const char *app_id)
{
  g_autofree char *file = g_strconcat (app_id, ".desktop", NULL);
  g_autofree char *user = g_build_filename (g_get_user_data_dir (), "flatpak", "exports", "share",
                                            "applications", file, NULL);
  const char *candidates[] = {
    user, "/var/lib/flatpak/exports/share/applications", NULL
  };
  g_autofree char *system = g_build_filename (candidates[1], file, NULL);

  candidates[1] = system;
  for (guint i = 0; candidates[i]; i++)
    {
      g_autoptr(GKeyFile) desktop = g_key_file_new ();
      char *name;

      if (g_key_file_load_from_file (desktop, candidates[i], G_KEY_FILE_NONE, NULL) &&
          (name = g_key_file_get_locale_string (desktop, G_KEY_FILE_DESKTOP_GROUP,
                                                G_KEY_FILE_DESKTOP_KEY_NAME, NULL, NULL)))
        return name;
    }
  return g_strdup (app_id);
}

static SesameCaller *
identify_flatpak (guint32 pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%u/root/.flatpak-info", pid);
  g_autoptr(GKeyFile) info = g_key_file_new ();
  g_autofree char *app_id = NULL;
  g_autofree char *name = NULL;

  if (!g_key_file_load_from_file (info, path, G_KEY_FILE_NONE, NULL))
    return NULL;
  /* A sandbox without an app id is still a sandbox: never a host program. */
  app_id = g_key_file_get_string (info, "Application", "name", NULL);
  if (app_id == NULL)
    app_id = g_key_file_get_string (info, "Runtime", "runtime", NULL);
  if (app_id == NULL)
    app_id = g_strdup ("unknown-flatpak");
  name = flatpak_app_name (app_id);
  return sesame_caller_new (SESAME_CALLER_FLATPAK, app_id, name);
}

SesameCaller *
sesame_caller_new_for_snap_label (const char *label)
{
  g_auto(GStrv) parts = NULL;

  if (label == NULL || !g_str_has_prefix (label, "snap."))
    return NULL;
  parts = g_strsplit_set (label, ". ", 4);
  if (parts[1] == NULL || parts[1][0] == '\0')
    return NULL;
  return sesame_caller_new (SESAME_CALLER_SNAP, parts[1], parts[1]);
}

static SesameCaller *
identify_host (guint32 pid)
{
  g_autofree char *link = g_strdup_printf ("/proc/%u/exe", pid);
  g_autofree char *executable = g_file_read_link (link, NULL);
  g_auto(GStrv) dirs = application_dirs ("applications");
  g_autofree char *name = NULL;
  g_autofree char *desktop_id = NULL;
  g_autofree char *base = NULL;

  if (executable == NULL)
    return NULL;
  desktop_id = sesame_caller_find_desktop_file (executable, (const char * const *) dirs, &name);
  if (desktop_id != NULL)
    return sesame_caller_new (SESAME_CALLER_HOST, desktop_id, name ? name : desktop_id);
  base = g_path_get_basename (executable);
  return sesame_caller_new (SESAME_CALLER_HOST, executable, base);
}

typedef struct {
  GDBusConnection *connection;
  char            *sender;
  guint32          pid;
  char            *label;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_object_unref (lookup->connection);
  g_free (lookup->sender);
  g_free (lookup->label);
  g_free (lookup);
}

static gboolean
sender_still_there (Lookup *lookup)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean has_owner = FALSE;

  reply = g_dbus_connection_call_sync (lookup->connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "NameHasOwner", g_variant_new ("(s)", lookup->sender),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has_owner);
  return has_owner;
}

/* Reads /proc in a worker thread. The pidfd pins the process: while the
 * sender's connection lives its process does too, so the pid was not
 * reused when the pidfd was opened; a process alive after the reads is
 * the one they described. */
static void
identify_in_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  Lookup *lookup = task_data;
  SesameCaller *caller = NULL;
  int pidfd = syscall (SYS_pidfd_open, lookup->pid, 0);

  if (pidfd >= 0 && sender_still_there (lookup))
    {
      caller = identify_flatpak (lookup->pid);
      if (caller == NULL)
        caller = sesame_caller_new_for_snap_label (lookup->label);
      if (caller == NULL)
        caller = identify_host (lookup->pid);
      if (caller != NULL && syscall (SYS_pidfd_send_signal, pidfd, 0, NULL, 0) != 0)
        g_clear_object (&caller);
    }
  if (pidfd >= 0)
    close (pidfd);

  if (caller == NULL)
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_ACCESS_DENIED,
                               _("The program asking could not be identified (it ended "
                                 "or was replaced), so it gets nothing."));
      return;
    }
  g_task_return_pointer (task, caller, g_object_unref);
}

static void
on_credentials (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) credentials = NULL;
  g_autoptr(GVariant) label = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply != NULL)
    credentials = g_variant_get_child_value (reply, 0);
  if (credentials == NULL || !g_variant_lookup (credentials, "ProcessID", "u", &lookup->pid))
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_ACCESS_DENIED,
                               _("The program asking could not be identified, so it "
                                 "gets nothing."));
      return;
    }
  label = g_variant_lookup_value (credentials, "LinuxSecurityLabel", G_VARIANT_TYPE_BYTESTRING);
  if (label != NULL)
    lookup->label = g_strndup (g_variant_get_bytestring (label), g_variant_get_size (label));
  g_task_run_in_thread (task, identify_in_thread);
}

void
sesame_caller_identify_async (GDBusConnection     *connection,
                              const char          *sender,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Lookup *lookup = g_new0 (Lookup, 1);

  g_task_set_source_tag (task, sesame_caller_identify_async);
  lookup->connection = g_object_ref (connection);
  lookup->sender = g_strdup (sender);
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);
  g_dbus_connection_call (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "GetConnectionCredentials",
                          g_variant_new ("(s)", sender), G_VARIANT_TYPE ("(a{sv})"),
                          G_DBUS_CALL_FLAGS_NONE, -1, cancellable, on_credentials, task);
}

SesameCaller *
sesame_caller_identify_finish (GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
