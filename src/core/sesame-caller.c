/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-caller.c: who is calling: a Flatpak app, a Snap or a host program */
#include "config.h"

#include <gio/gunixfdlist.h>
#include <glib/gi18n-lib.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
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

/* ---- When each connection was first seen ---- */

/* What the broker knows of the bus's connections, kept on its own
 * connection: when each unique name was first seen, and who it was found
 * to be. Filled from the GDBus worker thread, read from others: locked. */
typedef struct {
  GMutex      lock;
  GHashTable *first_seen;  /* unique name → gint64 *, CLOCK_BOOTTIME ns */
  GHashTable *callers;     /* unique name → SesameCaller, once identified */
} Seen;

static GQuark
seen_quark (void)
{
  return g_quark_from_static_string ("sesame-caller-seen");
}

static void
seen_free (Seen *seen)
{
  g_hash_table_unref (seen->first_seen);
  g_hash_table_unref (seen->callers);
  g_mutex_clear (&seen->lock);
  g_free (seen);
}

/* The clock /proc/PID/stat's starttime counts in (since Linux 5.5). */
static gint64
boottime_now (void)
{
  struct timespec now;

  clock_gettime (CLOCK_BOOTTIME, &now);
  return (gint64) now.tv_sec * G_GINT64_CONSTANT (1000000000) + now.tv_nsec;
}

/* Keeps the first time only: a name is seen once. */
static void
seen_note (Seen       *seen,
           const char *name,
           gint64      when)
{
  if (!g_hash_table_contains (seen->first_seen, name))
    g_hash_table_insert (seen->first_seen, g_strdup (name), g_memdup2 (&when, sizeof when));
}

/* Runs in the GDBus worker thread as each message arrives, so a name's
 * NameOwnerChanged is noted before any call of its own is handled. */
static GDBusMessage *
note_name_owners (GDBusConnection *connection,
                  GDBusMessage    *message,
                  gboolean         incoming,
                  gpointer         user_data)
{
  Seen *seen = user_data;
  GVariant *body;
  const char *name;
  const char *old_owner;
  const char *new_owner;

  if (!incoming ||
      g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_SIGNAL ||
      g_strcmp0 (g_dbus_message_get_sender (message), "org.freedesktop.DBus") != 0 ||
      g_strcmp0 (g_dbus_message_get_interface (message), "org.freedesktop.DBus") != 0 ||
      g_strcmp0 (g_dbus_message_get_member (message), "NameOwnerChanged") != 0)
    return message;
  body = g_dbus_message_get_body (message);
  if (body == NULL || !g_variant_is_of_type (body, G_VARIANT_TYPE ("(sss)")))
    return message;
  g_variant_get (body, "(&s&s&s)", &name, &old_owner, &new_owner);
  if (name[0] != ':')
    return message;

  g_mutex_lock (&seen->lock);
  if (*new_owner != '\0')
    seen_note (seen, name, boottime_now ());
  else
    {
      g_hash_table_remove (seen->first_seen, name);
      g_hash_table_remove (seen->callers, name);
    }
  g_mutex_unlock (&seen->lock);
  return message;
}

gboolean
sesame_caller_watch_bus (GDBusConnection  *connection,
                         GError          **error)
{
  Seen *seen = g_new0 (Seen, 1);
  g_autoptr(GVariant) reply = NULL;
  g_autofree const char **names = NULL;
  gint64 since;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (g_object_get_qdata (G_OBJECT (connection), seen_quark ()) == NULL, FALSE);

  g_mutex_init (&seen->lock);
  seen->first_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  seen->callers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_object_set_qdata_full (G_OBJECT (connection), seen_quark (), seen, (GDestroyNotify) seen_free);
  g_dbus_connection_add_filter (connection, note_name_owners, seen, NULL);

  /* Synchronously: every name that connects after the bus answers is
   * noted as it comes. */
  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "AddMatch",
                                       g_variant_new ("(s)", "type='signal',"
                                                      "sender='org.freedesktop.DBus',"
                                                      "interface='org.freedesktop.DBus',"
                                                      "member='NameOwnerChanged'"),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
  if (reply == NULL)
    return FALSE;
  g_clear_pointer (&reply, g_variant_unref);

  /* Names already there connected before now: that is when they are first
   * seen. A name not in the table has left the bus. */
  since = boottime_now ();
  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "ListNames", NULL,
                                       G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       error);
  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(^a&s)", &names);
  g_mutex_lock (&seen->lock);
  for (guint i = 0; names[i]; i++)
    if (names[i][0] == ':')
      seen_note (seen, names[i], since);
  g_mutex_unlock (&seen->lock);
  return TRUE;
}

static Seen *
get_seen (GDBusConnection *connection)
{
  return g_object_get_qdata (G_OBJECT (connection), seen_quark ());
}

SesameCaller *
sesame_caller_lookup (GDBusConnection *connection,
                      const char      *sender)
{
  SesameCaller *caller = NULL;
  Seen *seen;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
  g_return_val_if_fail (sender != NULL, NULL);

  seen = get_seen (connection);
  if (seen == NULL)
    return NULL;
  g_mutex_lock (&seen->lock);
  caller = g_hash_table_lookup (seen->callers, sender);
  if (caller != NULL)
    g_object_ref (caller);
  g_mutex_unlock (&seen->lock);
  return caller;
}

char *
sesame_caller_get_limit_key (GDBusConnection *connection,
                             const char      *sender)
{
  g_autoptr(SesameCaller) caller = sesame_caller_lookup (connection, sender);

  if (caller == NULL || !sesame_caller_is_sandboxed (caller))
    return g_strdup (sender);
  return g_strconcat (sesame_caller_get_kind_name (caller), "\n", caller->app_id, NULL);
}

/* ---- Identifying ---- */

typedef struct {
  GDBusConnection *connection;
  char            *sender;
  gint64           first_seen;  /* CLOCK_BOOTTIME ns */
  guint32          pid;
  int              process_fd;  /* the bus's ProcessFD, or -1 */
  char            *label;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_object_unref (lookup->connection);
  g_free (lookup->sender);
  g_free (lookup->label);
  if (lookup->process_fd >= 0)
    close (lookup->process_fd);
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

/* When the process @pid started, in CLOCK_BOOTTIME ns; -1 when unknown. */
static gint64
process_start_time (guint32 pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%u/stat", pid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;
  guint64 ticks;
  char *end;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return -1;
  /* The name in parentheses may hold anything, spaces and ")" too. */
  after_name = strrchr (stat, ')');
  if (after_name == NULL)
    return -1;
  fields = g_strsplit (after_name + 1, " ", 0);
  /* starttime is field 22 of proc(5); fields[0] is empty, [1] is field 3. */
  if (g_strv_length (fields) <= 20)
    return -1;
  ticks = g_ascii_strtoull (fields[20], &end, 10);
  if (end == fields[20])
    return -1;
  return (gint64) (ticks * (G_GINT64_CONSTANT (1000000000) / sysconf (_SC_CLK_TCK)));
}

/* The pid a pidfd refers to (fdinfo's "Pid:"), 0 when it ended. */
static guint32
pidfd_pid (int pidfd)
{
  g_autofree char *path = g_strdup_printf ("/proc/self/fdinfo/%d", pidfd);
  g_autofree char *info = NULL;
  const char *line;
  gint64 pid;

  if (!g_file_get_contents (path, &info, NULL, NULL) ||
      (line = strstr (info, "\nPid:\t")) == NULL)
    return 0;
  pid = g_ascii_strtoll (line + strlen ("\nPid:\t"), NULL, 10);
  return pid > 0 ? (guint32) pid : 0;
}

/* A pidfd for the process that opened the sender's connection, or -1 when
 * that cannot be proven. The bus's ProcessFD is that process itself.
 * Without it, the process now at the pid must have started before the
 * connection was first seen: one that started later took a pid the
 * connection's own process left. (The bus takes the pid when the socket
 * connects, which a client may hold off its Hello for up to the bus's
 * auth_timeout, 240 s on a session bus: only ProcessFD closes that.) */
static int
open_proven_process (Lookup *lookup)
{
  int pidfd;
  gint64 started;

  if (lookup->process_fd >= 0)
    {
      if (pidfd_pid (lookup->process_fd) != lookup->pid)
        return -1;
      pidfd = lookup->process_fd;
      lookup->process_fd = -1;
      return pidfd;
    }

  pidfd = syscall (SYS_pidfd_open, lookup->pid, 0);
  if (pidfd < 0)
    return -1;
  /* Read after the pidfd pins the process: the start time is its own. */
  started = process_start_time (lookup->pid);
  if (started < 0 || started > lookup->first_seen)
    {
      g_debug ("The process at pid %u started after %s was first seen: not its own",
               lookup->pid, lookup->sender);
      close (pidfd);
      return -1;
    }
  return pidfd;
}

/* Reads /proc in a worker thread. The pidfd pins the proven process: a
 * process alive after the reads is the one they described. */
static void
identify_in_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  Lookup *lookup = task_data;
  SesameCaller *caller = NULL;
  int pidfd = open_proven_process (lookup);

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
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GError) error = NULL;
  gint32 fd_index;

  reply = g_dbus_connection_call_with_unix_fd_list_finish (G_DBUS_CONNECTION (source), &fds,
                                                           result, &error);
  if (reply != NULL)
    credentials = g_variant_get_child_value (reply, 0);
  if (credentials == NULL || !g_variant_lookup (credentials, "ProcessID", "u", &lookup->pid))
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_ACCESS_DENIED,
                               _("The program asking could not be identified, so it "
                                 "gets nothing."));
      return;
    }
  /* dbus-daemon 1.15.8 and later, where the kernel has SO_PEERPIDFD. */
  if (fds != NULL && g_variant_lookup (credentials, "ProcessFD", "h", &fd_index))
    lookup->process_fd = g_unix_fd_list_get (fds, fd_index, NULL);
  label = g_variant_lookup_value (credentials, "LinuxSecurityLabel", G_VARIANT_TYPE_BYTESTRING);
  if (label != NULL)
    lookup->label = g_strndup (g_variant_get_bytestring (label), g_variant_get_size (label));
  g_task_run_in_thread (task, identify_in_thread);
}

/* Keeps what was found for the connection's life: a later call of the
 * same name gets the same caller, whatever runs at its pid by then. */
static void
on_identified (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (G_TASK (result));
  Seen *seen = get_seen (lookup->connection);
  g_autoptr(SesameCaller) caller = NULL;
  GError *error = NULL;

  caller = g_task_propagate_pointer (G_TASK (result), &error);
  if (caller == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_mutex_lock (&seen->lock);
  /* Not once it has left, or it would never be forgotten. */
  if (g_hash_table_contains (seen->first_seen, lookup->sender))
    {
      SesameCaller *first = g_hash_table_lookup (seen->callers, lookup->sender);

      if (first != NULL)
        g_set_object (&caller, first);
      else
        g_hash_table_insert (seen->callers, g_strdup (lookup->sender), g_object_ref (caller));
    }
  g_mutex_unlock (&seen->lock);
  g_task_return_pointer (task, g_steal_pointer (&caller), g_object_unref);
}

void
sesame_caller_identify_async (GDBusConnection     *connection,
                              const char          *sender,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Seen *seen = get_seen (connection);
  GTask *looking;
  Lookup *lookup = NULL;
  gint64 *first_seen = NULL;
  SesameCaller *caller = NULL;

  g_task_set_source_tag (task, sesame_caller_identify_async);
  if (seen != NULL)
    {
      g_mutex_lock (&seen->lock);
      first_seen = g_hash_table_lookup (seen->first_seen, sender);
      caller = g_hash_table_lookup (seen->callers, sender);
      if (caller != NULL)
        g_object_ref (caller);
      lookup = first_seen ? g_new0 (Lookup, 1) : NULL;
      if (lookup != NULL)
        lookup->first_seen = *first_seen;
      g_mutex_unlock (&seen->lock);
    }
  if (caller != NULL)
    {
      g_task_return_pointer (task, caller, g_object_unref);
      g_object_unref (task);
      return;
    }
  /* Not seen connecting (or gone): when it connected cannot be known. */
  if (seen == NULL || first_seen == NULL)
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_ACCESS_DENIED,
                               _("The program asking could not be identified, so it "
                                 "gets nothing."));
      g_object_unref (task);
      return;
    }

  lookup->connection = g_object_ref (connection);
  lookup->sender = g_strdup (sender);
  lookup->process_fd = -1;
  /* The identification's own task; @task is answered from it. */
  looking = g_task_new (NULL, cancellable, on_identified, task);
  g_task_set_source_tag (looking, sesame_caller_identify_async);
  g_task_set_task_data (looking, lookup, (GDestroyNotify) lookup_free);
  g_dbus_connection_call_with_unix_fd_list (connection, "org.freedesktop.DBus",
                                            "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                            "GetConnectionCredentials",
                                            g_variant_new ("(s)", sender),
                                            G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE,
                                            -1, NULL, cancellable, on_credentials, looking);
}

SesameCaller *
sesame_caller_identify_finish (GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
