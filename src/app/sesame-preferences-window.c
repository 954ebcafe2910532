/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-preferences-window.c: how people sign in and which programs are asked */
#include "config.h"

#include <glib/gi18n.h>

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

  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (SesamePreferencesWindow, sesame_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
sesame_preferences_window_dispose (GObject *object)
{
  SesamePreferencesWindow *self = SESAME_PREFERENCES_WINDOW (object);

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
      return;
    }
  self->settings = g_settings_new (SCHEMA_ID);
  g_settings_bind (self->settings, "prefer-browser", self->prefer_browser_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "ask-host-apps", self->ask_host_apps_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notify", self->notify_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
}

SesamePreferencesWindow *
sesame_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (SESAME_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
}
