/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-application.c: the app: the broker's agent, and the accounts window */
#include "config.h"

#include <glib/gi18n.h>

#include "sesame-accessible.h"
#include "sesame-application.h"
#include "sesame-preferences-window.h"
#include "sesame-window.h"

/* Started by the broker for a question, the app leaves soon after it is answered. */
#define INACTIVITY_TIMEOUT_MS 10000

struct _SesameApplication
{
  AdwApplication parent_instance;

  SesameClient *client;
  SesameAgent *agent;
};

G_DEFINE_FINAL_TYPE (SesameApplication, sesame_application, ADW_TYPE_APPLICATION)

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  gtk_window_present (GTK_WINDOW (sesame_preferences_window_new (parent)));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));
  const char *developers[] = { "The Sesame developers", NULL };

  adw_show_about_window (parent,
                         "application-name", _("Sesame"),
                         "application-icon", SESAME_APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Your online accounts, kept safe and shared only with the "
                                       "apps you allow"),
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

/* A notification's button (through the broker's ActivateAction): the
 * account's page, and maybe its "Sign In Again", once the list has it (the
 * app may just have been started for it). */
typedef struct {
  SesameApplication *self;
  char              *path;
  gboolean           reauthenticate;
  gulong             handler;
} ShowAccount;

static void
show_account_free (gpointer data,
                   GClosure *closure)
{
  ShowAccount *show = data;

  g_free (show->path);
  g_free (show);
}

static SesameWindow *
present_window (SesameApplication *self)
{
  g_application_activate (G_APPLICATION (self));
  return SESAME_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (self)));
}

static void
try_show_account (GListModel  *accounts,
                  guint        position,
                  guint        removed,
                  guint        added,
                  ShowAccount *show)
{
  SesameWindow *window = present_window (show->self);

  if (!SESAME_IS_WINDOW (window) || !sesame_window_show_account (window, show->path))
    return;
  if (show->reauthenticate)
    sesame_window_reauthenticate_shown (window);
  g_signal_handler_disconnect (accounts, show->handler);
}

static void
open_account (SesameApplication *self,
              GVariant          *parameter,
              gboolean           reauthenticate)
{
  GListModel *accounts = sesame_client_get_accounts (self->client);
  ShowAccount *show = g_new0 (ShowAccount, 1);

  show->self = self;
  show->path = g_variant_dup_string (parameter, NULL);
  show->reauthenticate = reauthenticate;
  show->handler = g_signal_connect_data (accounts, "items-changed", G_CALLBACK (try_show_account),
                                         show, show_account_free, 0);
  try_show_account (accounts, 0, 0, 0, show);
}

static void
show_account_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  open_account (user_data, parameter, FALSE);
}

static void
reauthenticate_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  open_account (user_data, parameter, TRUE);
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = quit_action },
  { .name = "preferences", .activate = preferences_action },
  { .name = "about", .activate = about_action },
  { .name = "show-account", .activate = show_account_action, .parameter_type = "s" },
  { .name = "reauthenticate", .activate = reauthenticate_action, .parameter_type = "s" },
};

static void
sesame_application_startup (GApplication *application)
{
  SesameApplication *self = SESAME_APPLICATION (application);
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (sesame_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
  gtk_window_set_default_icon_name (SESAME_APPLICATION_ID);
  sesame_accessible_install ();

  self->client = sesame_client_new ();
  self->agent = sesame_agent_new (GTK_APPLICATION (self), self->client);
  sesame_client_start (self->client);
}

static void
sesame_application_activate (GApplication *application)
{
  SesameApplication *self = SESAME_APPLICATION (application);
  GtkWindow *window = NULL;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (SESAME_IS_WINDOW (l->data))
      window = l->data;
  if (window == NULL)
    window = GTK_WINDOW (sesame_window_new (GTK_APPLICATION (self), self->client));
  gtk_window_present (window);
}

static void
sesame_application_shutdown (GApplication *application)
{
  SesameApplication *self = SESAME_APPLICATION (application);

  g_clear_object (&self->agent);
  g_clear_object (&self->client);

  G_APPLICATION_CLASS (sesame_application_parent_class)->shutdown (application);
}

static void
sesame_application_class_init (SesameApplicationClass *klass)
{
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  application_class->startup = sesame_application_startup;
  application_class->activate = sesame_application_activate;
  application_class->shutdown = sesame_application_shutdown;
}

static void
sesame_application_init (SesameApplication *self)
{
  g_application_set_inactivity_timeout (G_APPLICATION (self), INACTIVITY_TIMEOUT_MS);
}

SesameApplication *
sesame_application_new (void)
{
  return g_object_new (SESAME_TYPE_APPLICATION,
                       "application-id", SESAME_APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/dev/sesame/Sesame",
                       NULL);
}

SesameClient *
sesame_application_get_client (SesameApplication *self)
{
  g_return_val_if_fail (SESAME_IS_APPLICATION (self), NULL);
  return self->client;
}

