/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-access-dialog.c: "Allow this app?", the broker's ConfirmAccess question */
#include "config.h"

#include <glib/gi18n.h>

#include "sesame-access-dialog.h"

struct _SesameAccessDialog
{
  AdwMessageDialog parent_instance;

  GtkListBox *scope_list;
};

G_DEFINE_FINAL_TYPE (SesameAccessDialog, sesame_access_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum { ANSWERED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *
lookup (GVariant   *details,
        const char *key)
{
  const char *value = NULL;

  if (!g_variant_lookup (details, key, "&s", &value))
    value = "";
  return value;
}

char *
sesame_access_dialog_heading (GVariant *details)
{
  const char *action = lookup (details, "action");
  const char *app = lookup (details, "app-name");

  if (g_str_equal (action, "remove"))
    /* Translators: %s is an application, "Thunderbird" */
    return g_strdup_printf (_("Allow %s to remove an account?"), app);
  if (g_str_equal (action, "add"))
    /* Translators: %s is an application, "Thunderbird" */
    return g_strdup_printf (_("Allow %s to add an account?"), app);
  /* Translators: %s is an application, "Thunderbird" */
  return g_strdup_printf (_("Allow %s to use your account?"), app);
}

/* An add may bring an issuer and a client id of the app's choosing: the
 * person sees them before Allow, as the broker keeps them after it. */
static char *
add_body (GVariant   *details,
          const char *app,
          const char *provider)
{
  const char *issuer = NULL;
  const char *client_id = NULL;

  g_variant_lookup (details, "issuer", "&s", &issuer);
  g_variant_lookup (details, "client-id", "&s", &client_id);
  if (issuer != NULL && client_id != NULL)
    /* Translators: application, issuer address, client id */
    return g_strdup_printf (_("%s asks to add an account at %s, signing in with its own client "
                              "id, %s. If you allow it, it may then use that account for:"),
                            app, issuer, client_id);
  if (issuer != NULL)
    /* Translators: application, issuer address */
    return g_strdup_printf (_("%s asks to add an account at %s. If you allow it, it may then use "
                              "that account for:"), app, issuer);
  if (client_id != NULL)
    /* Translators: application, provider ("Google"), client id */
    return g_strdup_printf (_("%s asks to add a %s account, signing in with its own client id, "
                              "%s. If you allow it, it may then use that account for:"),
                            app, provider, client_id);
  /* Translators: application, provider ("Google") */
  return g_strdup_printf (_("%s asks to add a %s account. If you allow it, it may then use "
                            "that account for:"), app, provider);
}

char *
sesame_access_dialog_body (GVariant *details)
{
  const char *action = lookup (details, "action");
  const char *app = lookup (details, "app-name");
  const char *provider = lookup (details, "provider-name");
  const char *identity = lookup (details, "identity");

  if (g_str_equal (action, "remove"))
    /* Translators: application, identity ("jo@example.com"), provider ("Google") */
    return g_strdup_printf (_("%s asks to remove %s (%s) from this computer and revoke its "
                              "access at the provider."), app, identity, provider);
  if (g_str_equal (action, "add"))
    return add_body (details, app, provider);
  /* Translators: application, identity ("jo@example.com"), provider ("Google") */
  return g_strdup_printf (_("%s asks to use %s (%s) for:"), app, identity, provider);
}

static void
add_scopes (SesameAccessDialog *self,
            GVariant           *details)
{
  g_autoptr(GVariant) scopes = g_variant_lookup_value (details, "scopes", G_VARIANT_TYPE ("a{ss}"));
  GVariantIter iter;
  const char *scope, *description;
  gboolean any = FALSE;

  if (scopes != NULL)
    {
      g_variant_iter_init (&iter, scopes);
      while (g_variant_iter_next (&iter, "{&s&s}", &scope, &description))
        {
          GtkWidget *row = adw_action_row_new ();

          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), description);
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), scope);
          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
          gtk_list_box_append (self->scope_list, row);
          any = TRUE;
        }
    }
  gtk_widget_set_visible (GTK_WIDGET (self->scope_list), any);
}

static void
sesame_access_dialog_response (AdwMessageDialog *dialog,
                               const char       *response)
{
  g_signal_emit (dialog, signals[ANSWERED], 0, g_str_equal (response, "allow"));
}

static void
sesame_access_dialog_class_init (SesameAccessDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  ADW_MESSAGE_DIALOG_CLASS (klass)->response = sesame_access_dialog_response;

  signals[ANSWERED] = g_signal_new ("answered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/dev/sesame/Sesame/sesame-access-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SesameAccessDialog, scope_list);
}

static void
sesame_access_dialog_init (SesameAccessDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

SesameAccessDialog *
sesame_access_dialog_new (GtkWindow *parent,
                          GVariant  *details)
{
  SesameAccessDialog *self = g_object_new (SESAME_TYPE_ACCESS_DIALOG,
                                           "transient-for", parent,
                                           "modal", parent != NULL, NULL);
  g_autofree char *heading = sesame_access_dialog_heading (details);
  g_autofree char *body = sesame_access_dialog_body (details);

  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), heading);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), body);
  gtk_window_set_title (GTK_WINDOW (self), heading);
  add_scopes (self, details);
  return self;
}
