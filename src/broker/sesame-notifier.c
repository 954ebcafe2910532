/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-notifier.c: desktop notifications of broken and dying grants
 *
 * The broker sends them itself, over org.freedesktop.Notifications, with
 * the hint desktop-entry=dev.sesame.Sesame: notification servers (GNOME
 * Shell's among them) file them under the app, and its notification
 * settings silence them. It does not ask the app to send a GNotification:
 * that would start a GTK process (and WebKit's libraries) in a session that
 * may have no display just to post a line of text, and GNotification's
 * freedesktop backend hears the buttons only while that process lives. The
 * broker runs anyway; it hears the buttons (ActionInvoked) and hands them to
 * the app through org.freedesktop.Application.ActivateAction, which starts
 * the D-Bus-activatable app only when the person clicked. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-bus-names.h"
#include "sesame-notifier.h"

#define NOTIFICATIONS_NAME "org.freedesktop.Notifications"
#define NOTIFICATIONS_PATH "/org/freedesktop/Notifications"
#define APP_ID "dev.sesame.Sesame"
#define APP_PATH "/dev/sesame/Sesame"

struct _SesameNotifier
{
  GObject          parent_instance;

  GDBusConnection *connection;
  GSettings       *settings;      /* NULL: the defaults */
  GHashTable      *shown;         /* notification id → account object path */
  GHashTable      *in_flight;     /* "ID/KIND" of each Notify not answered yet */
  guint            action_id;
  guint            closed_id;
  GCancellable    *cancellable;
};

G_DEFINE_FINAL_TYPE (SesameNotifier, sesame_notifier, G_TYPE_OBJECT)

typedef enum {
  ATTENTION,
  COMING_END,
} Kind;

typedef struct {
  SesameNotifier *self;     /* owned */
  SesameAccount  *account;  /* owned */
  Kind            kind;
  gint64          end;
  char           *key;      /* in in_flight */
} Sending;

static void
sending_free (Sending *sending)
{
  if (sending->self->in_flight != NULL)
    g_hash_table_remove (sending->self->in_flight, sending->key);
  g_free (sending->key);
  g_object_unref (sending->self);
  g_object_unref (sending->account);
  g_free (sending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Sending, sending_free)

static void
sesame_notifier_dispose (GObject *object)
{
  SesameNotifier *self = SESAME_NOTIFIER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->action_id != 0)
    g_dbus_connection_signal_unsubscribe (self->connection, self->action_id);
  if (self->closed_id != 0)
    g_dbus_connection_signal_unsubscribe (self->connection, self->closed_id);
  self->action_id = self->closed_id = 0;
  g_clear_pointer (&self->shown, g_hash_table_unref);
  g_clear_pointer (&self->in_flight, g_hash_table_unref);
  g_clear_object (&self->settings);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (sesame_notifier_parent_class)->dispose (object);
}

static void
sesame_notifier_class_init (SesameNotifierClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sesame_notifier_dispose;
}

static void
sesame_notifier_init (SesameNotifier *self)
{
  self->shown = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  self->in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
}

/* A button or the notification itself was clicked: the app does the rest
 * (started by D-Bus when it is not running). */
static void
on_action_invoked (GDBusConnection *connection,
                   const char      *sender,
                   const char      *path,
                   const char      *interface,
                   const char      *signal,
                   GVariant        *parameters,
                   gpointer         user_data)
{
  SesameNotifier *self = user_data;
  const char *key = NULL;
  const char *account_path;
  GVariantBuilder target;
  guint32 id = 0;

  g_variant_get (parameters, "(u&s)", &id, &key);
  account_path = g_hash_table_lookup (self->shown, GUINT_TO_POINTER (id));
  if (account_path == NULL)
    return;
  g_variant_builder_init (&target, G_VARIANT_TYPE ("av"));
  g_variant_builder_add (&target, "v", g_variant_new_string (account_path));
  g_dbus_connection_call (self->connection, APP_ID, APP_PATH, "org.freedesktop.Application",
                          "ActivateAction",
                          g_variant_new ("(sava{sv})",
                                         g_str_equal (key, "reauthenticate")
                                           ? "reauthenticate" : "show-account",
                                         &target, NULL),
                          NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
}

static void
on_closed (GDBusConnection *connection,
           const char      *sender,
           const char      *path,
           const char      *interface,
           const char      *signal,
           GVariant        *parameters,
           gpointer         user_data)
{
  SesameNotifier *self = user_data;
  guint32 id = 0, reason = 0;

  g_variant_get (parameters, "(uu)", &id, &reason);
  g_hash_table_remove (self->shown, GUINT_TO_POINTER (id));
}

SesameNotifier *
sesame_notifier_new (GDBusConnection *connection,
                     GSettings       *settings)
{
  SesameNotifier *self = g_object_new (SESAME_TYPE_NOTIFIER, NULL);

  self->connection = g_object_ref (connection);
  g_set_object (&self->settings, settings);
  self->action_id = g_dbus_connection_signal_subscribe (connection, NOTIFICATIONS_NAME,
                                                        NOTIFICATIONS_NAME, "ActionInvoked",
                                                        NOTIFICATIONS_PATH, NULL,
                                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                                        on_action_invoked, self, NULL);
  self->closed_id = g_dbus_connection_signal_subscribe (connection, NOTIFICATIONS_NAME,
                                                        NOTIFICATIONS_NAME, "NotificationClosed",
                                                        NOTIFICATIONS_PATH, NULL,
                                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                                        on_closed, self, NULL);
  return self;
}

static gboolean
enabled (SesameNotifier *self)
{
  /* Read at each one: a change of the key counts at once. */
  return self->settings == NULL || g_settings_get_boolean (self->settings, "notify");
}

static char *
format_date (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_time);

  /* Translators: a date as in "Sign in again before 12 March 2027";
   * see g_date_time_format() for the codes. */
  return time != NULL ? g_date_time_format (time, _("%-d %B %Y")) : g_strdup ("?");
}

static void
on_notified (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Sending) sending = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint32 id = 0;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      /* Not marked: the next check tries again. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("A notification could not be shown (%s %d)",
                   g_quark_to_string (error->domain), error->code);
      return;
    }
  g_variant_get (reply, "(u)", &id);
  g_hash_table_insert (sending->self->shown, GUINT_TO_POINTER (id),
                       g_strconcat (SESAME_ACCOUNTS_PATH,
                                    sesame_account_get_id (sending->account), NULL));
  if (sending->kind == ATTENTION)
    sesame_account_set_attention_notified (sending->account, TRUE);
  else
    sesame_account_set_warned_end (sending->account, sending->end);
}

static void
send (SesameNotifier *self,
      Sending        *sending,
      const char     *summary,
      const char     *body)
{
  const char *actions[] = { "default", _("Open"), "reauthenticate", _("Sign In Again"), NULL };
  GVariantBuilder hints;

  g_variant_builder_init (&hints, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&hints, "{sv}", "desktop-entry", g_variant_new_string (APP_ID));
  g_variant_builder_add (&hints, "{sv}", "urgency", g_variant_new_byte (1));
  g_dbus_connection_call (self->connection, NOTIFICATIONS_NAME, NOTIFICATIONS_PATH,
                          NOTIFICATIONS_NAME, "Notify",
                          g_variant_new ("(susss^asa{sv}i)", _("Sesame"), 0, APP_ID, summary,
                                         body, actions, &hints, -1),
                          G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable,
                          on_notified, sending);
}

/* NULL when the same notification is on its way already. */
static Sending *
sending_new (SesameNotifier *self,
             SesameAccount  *account,
             Kind            kind)
{
  g_autofree char *key = g_strdup_printf ("%s/%d", sesame_account_get_id (account), kind);
  Sending *sending;

  if (!enabled (self) || g_hash_table_contains (self->in_flight, key))
    return NULL;
  sending = g_new0 (Sending, 1);
  sending->self = g_object_ref (self);
  sending->account = g_object_ref (account);
  sending->kind = kind;
  sending->end = sesame_account_get_refresh_expires_at (account);
  sending->key = g_steal_pointer (&key);
  g_hash_table_add (self->in_flight, g_strdup (sending->key));
  return sending;
}

void
sesame_notifier_attention (SesameNotifier *self,
                           SesameAccount  *account)
{
  g_autofree char *summary = NULL;
  g_autofree char *body = NULL;
  Sending *sending;

  if (sesame_account_get_attention_notified (account) ||
      !(sending = sending_new (self, account, ATTENTION)))
    return;
  /* Translators: %s is a provider's name, "Microsoft". */
  summary = g_strdup_printf (_("Sign in again to %s"), sesame_account_get_provider_name (account));
  /* Translators: an identity ("ada@example.com"), then why it stopped working. */
  body = g_strdup_printf (_("%s no longer works: %s"), sesame_account_get_identity (account),
                          sesame_account_get_attention_reason (account));
  send (self, sending, summary, body);
}

void
sesame_notifier_coming_end (SesameNotifier *self,
                            SesameAccount  *account)
{
  g_autofree char *date = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *body = NULL;
  Sending *sending;

  if (sesame_account_get_warned_end (account) == sesame_account_get_refresh_expires_at (account) ||
      !(sending = sending_new (self, account, COMING_END)))
    return;
  date = format_date (sesame_account_get_refresh_expires_at (account));
  /* Translators: %s is a date, "12 March 2027". */
  summary = g_strdup_printf (_("Sign in again before %s"), date);
  /* Translators: a provider's name, an identity, a date. */
  body = g_strdup_printf (_("Your %s account %s stops working on %s unless you sign in again."),
                          sesame_account_get_provider_name (account),
                          sesame_account_get_identity (account), date);
  send (self, sending, summary, body);
}
