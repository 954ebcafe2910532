/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-preferences-window.c: how people sign in and which programs are asked */
#include "config.h"

#include <glib/gi18n.h>

#include "sesame-bus-names.h"
#include "sesame-preferences-window.h"

#define SCHEMA_ID "dev.sesame.Sesame"

struct _SesamePreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  AdwPreferencesGroup *sign_in_group;
  AdwPreferencesGroup *apps_group;
  GtkSwitch *prefer_browser_switch;
  GtkSwitch *notify_switch;
  GtkSwitch *ask_host_apps_switch;
  AdwActionRow *goa_compatible_row;
  GtkSwitch *goa_compatible_switch;

  GSettings *settings;
  char *goa_subtitle;          /* the row's own sentence */
  guint goa_watch;             /* who owns org.gnome.OnlineAccounts */
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (SesamePreferencesWindow, sesame_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
sesame_preferences_window_dispose (GObject *object)
{
  SesamePreferencesWindow *self = SESAME_PREFERENCES_WINDOW (object);

  g_clear_handle_id (&self->goa_watch, g_bus_unwatch_name);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->goa_subtitle, g_free);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (sesame_preferences_window_parent_class)->dispose (object);
}

static void
sesame_preferences_window_class_init (SesamePreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = sesame_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/dev/sesame/Sesame/sesame-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SesamePreferencesWindow, sign_in_group);
  gtk_widget_class_bind_template_child (widget_class, SesamePreferencesWindow, apps_group);
  gtk_widget_class_bind_template_child (widget_class, SesamePreferencesWindow, prefer_browser_switch);
  gtk_widget_class_bind_template_child (widget_class, SesamePreferencesWindow, notify_switch);
  gtk_widget_class_bind_template_child (widget_class, SesamePreferencesWindow, ask_host_apps_switch);
  gtk_widget_class_bind_template_child (widget_class, SesamePreferencesWindow, goa_compatible_row);
  gtk_widget_class_bind_template_child (widget_class, SesamePreferencesWindow, goa_compatible_switch);
}

/* Who owns org.gnome.OnlineAccounts, while the broker's owner is asked. */
typedef struct {
  SesamePreferencesWindow *self;   /* valid unless the call was cancelled */
  char                    *goa_owner;
} OwnerCheck;

static void
on_broker_owner (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  OwnerCheck *check = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *broker_owner = "";

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (reply != NULL)
        g_variant_get (reply, "(&s)", &broker_owner);
      /* Another program has the name: the broker stays out (DESIGN.md). */
      if (g_strcmp0 (broker_owner, check->goa_owner) != 0)
        adw_action_row_set_subtitle (check->self->goa_compatible_row,
                                     _("GNOME Online Accounts runs on this computer: its apps "
                                       "use its own accounts, and Sesame stays out of its way."));
    }
  g_free (check->goa_owner);
  g_free (check);
}

static void
on_goa_appeared (GDBusConnection *connection,
                 const char      *name,
                 const char      *owner,
                 gpointer         user_data)
{
  SesamePreferencesWindow *self = user_data;
  OwnerCheck *check = g_new0 (OwnerCheck, 1);

  check->self = self;
  check->goa_owner = g_strdup (owner);
  g_dbus_connection_call (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "GetNameOwner",
                          g_variant_new ("(s)", SESAME_BROKER_BUS_NAME), G_VARIANT_TYPE ("(s)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable, on_broker_owner, check);
}

static void
on_goa_vanished (GDBusConnection *connection,
                 const char      *name,
                 gpointer         user_data)
{
  SesamePreferencesWindow *self = user_data;

  adw_action_row_set_subtitle (self->goa_compatible_row, self->goa_subtitle);
}

/* Says so in the row where GNOME Online Accounts itself has the name. */
static void
watch_goa (SesamePreferencesWindow *self)
{
  GDBusConnection *connection = g_application_get_dbus_connection (g_application_get_default ());

  if (connection == NULL)
    return;
  self->goa_subtitle = g_strdup (adw_action_row_get_subtitle (self->goa_compatible_row));
  self->cancellable = g_cancellable_new ();
  self->goa_watch = g_bus_watch_name_on_connection (connection, "org.gnome.OnlineAccounts",
                                                    G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                    on_goa_appeared, on_goa_vanished, self, NULL);
}

/* The broker reads the same keys; a build run from its source tree without
 * the schema says so instead of aborting. */
static void
sesame_preferences_window_init (SesamePreferencesWindow *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE);
  if (schema == NULL)
    {
      adw_preferences_group_set_description (self->sign_in_group,
                                             _("These settings are not available: Sesame’s "
                                               "settings schema is not installed."));
      gtk_widget_set_sensitive (GTK_WIDGET (self->prefer_browser_switch), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->ask_host_apps_switch), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->notify_switch), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->goa_compatible_switch), FALSE);
      return;
    }
  self->settings = g_settings_new (SCHEMA_ID);
  g_settings_bind (self->settings, "prefer-browser", self->prefer_browser_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "ask-host-apps", self->ask_host_apps_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notify", self->notify_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "goa-compatible", self->goa_compatible_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  watch_goa (self);
}

SesamePreferencesWindow *
sesame_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (SESAME_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
}
