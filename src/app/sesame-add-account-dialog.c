/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-add-account-dialog.c: pick a provider and permissions, then sign in */
#include "config.h"

#include <glib/gi18n.h>

#include "sesame-add-account-dialog.h"
#include "sesame-scope-row.h"

struct _SesameAddAccountDialog
{
  AdwWindow parent_instance;

  AdwLeaflet *leaflet;
  GtkListBox *provider_list;
  AdwWindowTitle *details_title;
  GtkSpinner *details_spinner;
  GtkLabel *details_error;
  GtkLabel *details_status;
  AdwPreferencesGroup *issuer_group;
  AdwEntryRow *issuer_row;
  AdwPreferencesGroup *client_group;
  AdwEntryRow *client_id_row;
  GtkListBox *scope_list;
  AdwPreferencesGroup *service_group;
  AdwWindowTitle *service_title;
  GtkSpinner *service_spinner;
  GtkLabel *service_error;
  AdwEntryRow *service_client_id_row;
  AdwPasswordEntryRow *secret_row;
  GtkListBox *service_scope_list;

  SesameClient *client;
  SesameProviderInfo *provider;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (SesameAddAccountDialog, sesame_add_account_dialog, ADW_TYPE_WINDOW)

enum { ADDED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* Scopes ---------------------------------------------------------------------- */

/* One check row per scope the provider describes, its defaults ticked. */
static void
fill_scopes (GtkListBox         *list,
             SesameProviderInfo *provider)
{
  const char * const *scopes = sesame_provider_info_get_scopes (provider);
  const char * const *defaults = sesame_provider_info_get_default_scopes (provider);

  sesame_scope_rows_clear (list);
  for (guint i = 0; scopes[i] != NULL; i++)
    gtk_list_box_append (list, sesame_scope_row_new (provider, scopes[i], TRUE,
                                                     g_strv_contains (defaults, scopes[i])));
}

/* Providers -------------------------------------------------------------------- */

static void
set_client_description (SesameAddAccountDialog *self)
{
  const char *name = sesame_provider_info_get_name (self->provider);
  const char *url = sesame_provider_info_get_registration_url (self->provider);
  g_autofree char *text = NULL;

  if (url != NULL)
    /* Translators: provider name, then the address where developers register apps */
    text = g_strdup_printf (_("This copy of Sesame has no registration with %s. Register an app "
                              "at %s with the redirect address http://127.0.0.1/callback, and enter "
                              "its client ID here. Sesame remembers it."), name, url);
  else if (sesame_provider_info_is_template (self->provider))
    text = g_strdup (_("Enter the client ID that the provider’s administrator registered for "
                       "Sesame, when Sesame has none there yet."));
  else
    /* Translators: %s is a provider, "GitLab" */
    text = g_strdup_printf (_("This copy of Sesame has no registration with %s. Register an app "
                              "in its developer settings with the redirect address "
                              "http://127.0.0.1/callback, and enter its client ID here. Sesame "
                              "remembers it."), name);
  adw_preferences_group_set_description (self->client_group, text);
}

static void
show_provider (SesameAddAccountDialog *self,
               SesameProviderInfo     *provider)
{
  gboolean template = sesame_provider_info_is_template (provider);

  g_set_object (&self->provider, provider);
  adw_window_title_set_title (self->details_title, sesame_provider_info_get_name (provider));
  gtk_widget_set_visible (GTK_WIDGET (self->issuer_group), template);
  gtk_widget_set_visible (GTK_WIDGET (self->client_group),
                          template || !sesame_provider_info_is_configured (provider));
  gtk_widget_set_visible (GTK_WIDGET (self->service_group),
                          sesame_provider_info_offers_flow (provider, "client_credentials"));
  gtk_widget_set_visible (GTK_WIDGET (self->details_error), FALSE);
  set_client_description (self);
  fill_scopes (self->scope_list, provider);
  adw_leaflet_set_visible_child_name (self->leaflet, "details");
  gtk_widget_grab_focus (template ? GTK_WIDGET (self->issuer_row) : GTK_WIDGET (self->scope_list));
}

static void
on_provider_activated (GtkListBox             *list,
                       GtkListBoxRow          *row,
                       SesameAddAccountDialog *self)
{
  show_provider (self, g_object_get_data (G_OBJECT (row), "provider"));
}

static GtkWidget *
create_provider_row (gpointer item,
                     gpointer user_data)
{
  SesameProviderInfo *provider = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (sesame_provider_info_get_icon_name (provider));

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), sesame_provider_info_get_name (provider));
  if (sesame_provider_info_is_template (provider))
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                 _("Any other provider, by the address of its issuer"));
  gtk_image_set_pixel_size (GTK_IMAGE (icon), 32);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "provider", g_object_ref (provider), g_object_unref);
  return row;
}

/* Adding ------------------------------------------------------------------------ */

static void
set_busy (SesameAddAccountDialog *self,
          gboolean                busy)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "add.sign-in", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "add.add-service", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "add.back", !busy);
  gtk_spinner_set_spinning (self->details_spinner, busy);
  gtk_spinner_set_spinning (self->service_spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->details_status), busy);
}

static void
show_error (GtkLabel   *label,
            const char *message)
{
  gtk_label_set_text (label, message);
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
}

static void
on_added (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SesameAddAccountDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *message = NULL;
  SesameAccount1 *account;

  if (!sesame_broker1_call_add_account_finish (SESAME_BROKER1 (source), &path, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      if (sesame_client_error_is_cancelled (error))
        return;
      message = sesame_client_describe_error (error);
      show_error (self->details_error, message);
      show_error (self->service_error, message);
      return;
    }
  account = sesame_client_lookup_account (self->client, path);
  /* Translators: %s is an identity, "jo@example.com" */
  message = g_strdup_printf (_("%s was added"), account != NULL
                             ? sesame_account1_get_identity (account)
                             : sesame_provider_info_get_name (self->provider));
  g_signal_emit (self, signals[ADDED], 0, path, message);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
add_account (SesameAddAccountDialog *self,
             const char * const     *scopes,
             GVariant               *options)
{
  show_error (self->details_error, NULL);
  show_error (self->service_error, NULL);
  set_busy (self, TRUE);
  sesame_broker1_call_add_account (sesame_client_get_broker (self->client),
                                   sesame_provider_info_get_id (self->provider), scopes, options,
                                   self->cancellable, on_added, g_object_ref (self));
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SesameAddAccountDialog *self = SESAME_ADD_ACCOUNT_DIALOG (widget);
  g_auto(GVariantDict) options = G_VARIANT_DICT_INIT (NULL);
  g_auto(GStrv) scopes = sesame_scope_rows_get_checked (self->scope_list);
  g_autofree char *issuer = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->issuer_row)));
  g_autofree char *client_id = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->client_id_row)));

  g_strstrip (issuer);
  g_strstrip (client_id);
  if (sesame_provider_info_is_template (self->provider))
    {
      if (*issuer == '\0')
        {
          show_error (self->details_error, _("Enter the address of the provider’s issuer."));
          return;
        }
      g_variant_dict_insert (&options, "issuer", "s", issuer);
    }
  if (gtk_widget_get_visible (GTK_WIDGET (self->client_group)) && *client_id != '\0')
    g_variant_dict_insert (&options, "client-id", "s", client_id);
  else if (!sesame_provider_info_is_configured (self->provider) &&
           !sesame_provider_info_is_template (self->provider))
    {
      show_error (self->details_error, _("Enter your client ID first."));
      return;
    }
  add_account (self, (const char * const *) scopes, g_variant_dict_end (&options));
}

static void
service_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SesameAddAccountDialog *self = SESAME_ADD_ACCOUNT_DIALOG (widget);
  /* Translators: %s is a provider, "Keycloak" */
  g_autofree char *subtitle = g_strdup_printf (_("at %s"), sesame_provider_info_get_name (self->provider));

  adw_window_title_set_subtitle (self->service_title, subtitle);
  fill_scopes (self->service_scope_list, self->provider);
  show_error (self->service_error, NULL);
  adw_leaflet_set_visible_child_name (self->leaflet, "service");
  gtk_widget_grab_focus (GTK_WIDGET (self->service_client_id_row));
}

static void
add_service_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SesameAddAccountDialog *self = SESAME_ADD_ACCOUNT_DIALOG (widget);
  g_auto(GVariantDict) options = G_VARIANT_DICT_INIT (NULL);
  g_auto(GStrv) scopes = sesame_scope_rows_get_checked (self->service_scope_list);
  g_autofree char *client_id = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->service_client_id_row)));
  const char *secret = gtk_editable_get_text (GTK_EDITABLE (self->secret_row));

  g_strstrip (client_id);
  if (*client_id == '\0' || *secret == '\0')
    {
      show_error (self->service_error, _("Enter the client ID and the client secret."));
      return;
    }
  g_variant_dict_insert (&options, "flow", "s", "client_credentials");
  g_variant_dict_insert (&options, "client-id", "s", client_id);
  g_variant_dict_insert (&options, "client-secret", "s", secret);
  add_account (self, (const char * const *) scopes, g_variant_dict_end (&options));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SesameAddAccountDialog *self = SESAME_ADD_ACCOUNT_DIALOG (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* Lifecycle ------------------------------------------------------------------------- */

static void
sesame_add_account_dialog_dispose (GObject *object)
{
  SesameAddAccountDialog *self = SESAME_ADD_ACCOUNT_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->provider);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (sesame_add_account_dialog_parent_class)->dispose (object);
}

static void
sesame_add_account_dialog_class_init (SesameAddAccountDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = sesame_add_account_dialog_dispose;

  signals[ADDED] = g_signal_new ("added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/dev/sesame/Sesame/sesame-add-account-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SesameAddAccountDialog, leaflet);
  gtk_widget_class_bind_template_child (widget_class, SesameAddAccountDialog, provider_list);
  gtk_widget_class_bind_template_child (widget_class, SesameAddAccountDialog, details_title);
  gtk_widget_class_bind_template_child (widget_class, SesameAddAccountDialog, details_spinner);
  gtk_widget_class_bind_template_child (widget_class, SesameAddAccountDialog, details_error);
  gtk_widget_class_bind_template_child (widget_class, SesameAddAccountDialog, details_status);
  gtk_widget_class_bind_template_child (widget_class, SesameAddAccountDialog, issuer_group);
  gtk_widget_class_bind_template_child (widget_class, SesameAddAccountDialog, issuer_row);
  gtk_widget_class_bind_template_child (widget_class, SesameAddAccountDialog, client_group);
  gtk_widget_class_bind_template_child (widget_class, SesameAddAccountDialog, client_id_row);
  gtk_widget_class_bind_template_child (widget_class, SesameAddAccountDialog, scope_list);
  gtk_widget_class_bind_template_child (widget_class, SesameAddAccountDialog, service_group);
  gtk_widget_class_bind_template_child (widget_class, SesameAddAccountDialog, service_title);
  gtk_widget_class_bind_template_child (widget_class, SesameAddAccountDialog, service_spinner);
  gtk_widget_class_bind_template_child (widget_class, SesameAddAccountDialog, service_error);
  gtk_widget_class_bind_template_child (widget_class, SesameAddAccountDialog, service_client_id_row);
  gtk_widget_class_bind_template_child (widget_class, SesameAddAccountDialog, secret_row);
  gtk_widget_class_bind_template_child (widget_class, SesameAddAccountDialog, service_scope_list);

  gtk_widget_class_install_action (widget_class, "add.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "add.service", NULL, service_action);
  gtk_widget_class_install_action (widget_class, "add.add-service", NULL, add_service_action);
  gtk_widget_class_install_action (widget_class, "add.back", NULL, back_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sesame_add_account_dialog_init (SesameAddAccountDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  g_signal_connect (self->provider_list, "row-activated", G_CALLBACK (on_provider_activated), self);
}

SesameAddAccountDialog *
sesame_add_account_dialog_new (GtkWindow    *parent,
                               SesameClient *client)
{
  SesameAddAccountDialog *self = g_object_new (SESAME_TYPE_ADD_ACCOUNT_DIALOG,
                                               "transient-for", parent,
                                               "application", gtk_window_get_application (parent),
                                               NULL);

  self->client = g_object_ref (client);
  gtk_list_box_bind_model (self->provider_list, sesame_client_get_providers (client),
                           create_provider_row, self, NULL);
  return self;
}
