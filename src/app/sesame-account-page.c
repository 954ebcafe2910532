/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-account-page.c: one account in full: token, permissions, apps, actions */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "sesame-account-page.h"
#include "sesame-clock.h"
#include "sesame-format.h"
#include "sesame-grant-info.h"
#include "sesame-removal-note.h"
#include "sesame-scope-row.h"

struct _SesameAccountPage
{
  GtkWidget parent_instance;

  GtkWidget *content;   /* bound so that gtk_widget_dispose_template() unparents it */
  AdwWindowTitle *window_title;
  AdwPreferencesPage *preferences_page;
  GtkImage *icon;
  GtkLabel *identity_label;
  GtkLabel *provider_label;
  AdwPreferencesGroup *attention_group;
  AdwActionRow *attention_row;
  AdwPreferencesGroup *removing_group;
  AdwActionRow *removing_row;
  AdwActionRow *expiry_row;
  AdwActionRow *refresh_end_row;
  AdwActionRow *created_row;
  AdwActionRow *flow_row;
  GtkListBox *scope_list;
  AdwPreferencesGroup *more_group;
  GtkListBox *more_list;
  GtkListBox *grant_list;
  GtkWidget *refresh_button;
  GtkWidget *reauthenticate_button;
  GtkWidget *remove_button;
  AdwPreferencesGroup *secret_group;
  AdwPasswordEntryRow *secret_row;

  SesameClient *client;
  SesameAccount1 *account;
  GtkFilter *grant_filter;
  GtkFilterListModel *grants;
  SesameClock *clock;
  GCancellable *cancellable;
  gboolean busy;        /* a call of this page runs */
};

G_DEFINE_FINAL_TYPE (SesameAccountPage, sesame_account_page, GTK_TYPE_WIDGET)

enum { TOAST, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
toast (SesameAccountPage *self,
       const char        *message)
{
  g_signal_emit (self, signals[TOAST], 0, message);
}

static void
toast_error (SesameAccountPage *self,
             const GError      *error)
{
  g_autofree char *message = NULL;

  if (sesame_client_error_is_cancelled (error))
    return;
  message = sesame_client_describe_error (error);
  toast (self, message);
}

static gboolean
is_service_account (SesameAccountPage *self)
{
  return g_strcmp0 (sesame_account1_get_flow (self->account), "client_credentials") == 0;
}

static gboolean
is_removing (SesameAccountPage *self)
{
  return self->account != NULL && sesame_account1_get_removing (self->account);
}

static SesameProviderInfo *
provider (SesameAccountPage *self)
{
  return sesame_client_lookup_provider (self->client, sesame_account1_get_provider (self->account));
}

static const char *
flow_in_words (const char *flow)
{
  if (g_strcmp0 (flow, "device_code") == 0)
    return _("A code entered on another device");
  if (g_strcmp0 (flow, "client_credentials") == 0)
    return _("A service account’s client ID and secret");
  return _("The provider’s sign-in page");
}

/* Granted scopes, then the provider's others as "ask for more" choices. */
static void
update_scopes (SesameAccountPage *self)
{
  SesameProviderInfo *info = provider (self);
  const char * const *granted = sesame_account1_get_scopes (self->account);
  const char * const *known = info != NULL ? sesame_provider_info_get_scopes (info) : NULL;

  gboolean more = FALSE;

  sesame_scope_rows_clear (self->scope_list);
  sesame_scope_rows_clear (self->more_list);
  for (guint i = 0; granted != NULL && granted[i] != NULL; i++)
    gtk_list_box_append (self->scope_list, sesame_scope_row_new (info, granted[i], FALSE, FALSE));
  for (guint i = 0; known != NULL && known[i] != NULL; i++)
    if (granted == NULL || !g_strv_contains (granted, known[i]))
      {
        gtk_list_box_append (self->more_list, sesame_scope_row_new (info, known[i], TRUE, FALSE));
        more = TRUE;
      }
  gtk_widget_set_visible (GTK_WIDGET (self->more_group),
                          more && !is_service_account (self) && !is_removing (self));
}

/* When the grant stops working unless renewed; within a week, a warning. */
static void
update_refresh_end (SesameAccountPage *self,
                    gint64             now)
{
  gint64 end = sesame_account1_get_refresh_expires_at (self->account);
  g_autofree char *coming = sesame_format_coming_end (end, now);
  g_autofree char *words = sesame_format_refresh_end (end);

  gtk_widget_set_visible (GTK_WIDGET (self->refresh_end_row), words != NULL && !is_removing (self));
  adw_action_row_set_subtitle (self->refresh_end_row, coming != NULL ? coming : words ?: "");
  if (coming != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->refresh_end_row), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->refresh_end_row), "warning");
}

static void
update_times (SesameAccountPage *self)
{
  gint64 now = sesame_clock_now ();
  gint64 expires_at = sesame_account1_get_expires_at (self->account);
  g_autofree char *expiry = sesame_format_expiry (expires_at, now);
  g_autofree char *created = sesame_format_time (sesame_account1_get_created_at (self->account), now);

  if (expires_at > 0)
    {
      g_autofree char *when = sesame_format_time (expires_at, now);
      g_autofree char *relative = sesame_format_relative (expires_at, now);
      g_autofree char *text = NULL;

      /* Translators: a time, then "in 42 minutes" */
      text = g_strdup_printf (_("%s (%s)"), when, relative);
      adw_action_row_set_subtitle (self->expiry_row, text);
    }
  else
    adw_action_row_set_subtitle (self->expiry_row, expiry);
  adw_action_row_set_subtitle (self->created_row, created);
  update_refresh_end (self, now);
}

/* Nothing but Remove works for an account being removed (issue 21). */
static void
update_actions (SesameAccountPage *self)
{
  gboolean idle = !self->busy;
  gboolean removing = is_removing (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.refresh", idle && !removing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.reauthenticate", idle && !removing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.replace-secret", idle && !removing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.remove", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.remove-again", idle && removing);
}

/* A removal that runs, or one that did not finish (the broker then says
 * the account needs attention): Remove Again, never a sign-in. */
static void
update_removing (SesameAccountPage *self,
                 gboolean           attention)
{
  gboolean removing = is_removing (self);
  gboolean unfinished = removing && attention;
  gboolean service = is_service_account (self);

  gtk_widget_set_visible (GTK_WIDGET (self->removing_group), removing);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->removing_row),
                                 unfinished ? _("Removal Did Not Finish")
                                            : _("Removing This Account…"));
  adw_action_row_set_subtitle (self->removing_row,
                               unfinished ? _("Apps get no access to this account. "
                                              "Remove it again to finish.")
                                          : "");
  gtk_widget_set_visible (GTK_WIDGET (self->attention_group), attention && !removing);
  /* It hands out no token: no expiry to speak of. */
  gtk_widget_set_visible (GTK_WIDGET (self->expiry_row), !removing);
  gtk_widget_set_visible (self->refresh_button, !removing);
  gtk_widget_set_visible (self->reauthenticate_button, !service && !removing);
  gtk_widget_set_visible (GTK_WIDGET (self->secret_group), service && !removing);
  gtk_widget_set_visible (self->remove_button, !removing);
  update_actions (self);
}

static void
update (SesameAccountPage *self)
{
  SesameProviderInfo *info;
  gboolean attention, service;

  if (self->account == NULL)
    return;
  info = provider (self);
  attention = sesame_account1_get_attention_needed (self->account);
  service = is_service_account (self);

  adw_window_title_set_title (self->window_title, sesame_account1_get_identity (self->account));
  adw_window_title_set_subtitle (self->window_title, sesame_account1_get_provider_name (self->account));
  gtk_image_set_from_icon_name (self->icon, info != NULL ? sesame_provider_info_get_icon_name (info)
                                                         : "dialog-password-symbolic");
  gtk_label_set_text (self->identity_label, sesame_account1_get_identity (self->account));
  if (service)
    {
      g_autofree char *text = NULL;

      /* Translators: %s is a provider, "Keycloak" */
      text = g_strdup_printf (_("%s service account (client ID)"),
                              sesame_account1_get_provider_name (self->account));
      gtk_label_set_text (self->provider_label, text);
    }
  else
    gtk_label_set_text (self->provider_label, sesame_account1_get_provider_name (self->account));
  adw_action_row_set_subtitle (self->attention_row,
                               sesame_account1_get_attention_reason (self->account));
  adw_action_row_set_subtitle (self->flow_row, flow_in_words (sesame_account1_get_flow (self->account)));
  update_times (self);
  update_scopes (self);
  update_removing (self, attention);
}

/* Apps --------------------------------------------------------------------- */

static gboolean
grant_is_for_account (gpointer item,
                      gpointer user_data)
{
  SesameAccountPage *self = user_data;

  return self->account != NULL &&
         g_strcmp0 (sesame_grant_info_get_account (item),
                    g_dbus_proxy_get_object_path (G_DBUS_PROXY (self->account))) == 0;
}

static void
on_revoked (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SesameAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!sesame_broker1_call_revoke_grant_finish (SESAME_BROKER1 (source), result, &error))
    toast_error (self, error);
}

static void
on_revoke_clicked (GtkButton         *button,
                   SesameAccountPage *self)
{
  SesameGrantInfo *grant = g_object_get_data (G_OBJECT (button), "grant");

  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  sesame_broker1_call_revoke_grant (sesame_client_get_broker (self->client),
                                    sesame_grant_info_get_app_id (grant),
                                    sesame_grant_info_get_account (grant), self->cancellable,
                                    on_revoked, g_object_ref (self));
}

static char *
grant_subtitle (SesameGrantInfo *grant)
{
  g_autofree char *scopes = sesame_format_scope_summary (sesame_grant_info_get_scopes (grant), 3);
  g_autofree char *used = NULL;
  gint64 last_used = sesame_grant_info_get_last_used (grant);

  if (last_used > 0)
    {
      g_autofree char *when = sesame_format_relative (last_used, sesame_clock_now ());

      /* Translators: %s is "5 minutes ago" */
      used = g_strdup_printf (_("Last used %s"), when);
    }
  else
    used = g_strdup (_("Not used yet"));
  /* Translators: when last used, then the permissions */
  return g_strdup_printf (_("%s · %s"), used, scopes);
}

/* A grant used again (or given more scopes) keeps its row: the keyboard
 * focus stays where the person is. */
static void
on_grant_changed (SesameGrantInfo *grant,
                  AdwActionRow    *row)
{
  g_autofree char *subtitle = grant_subtitle (grant);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), sesame_grant_info_get_app_name (grant));
  adw_action_row_set_subtitle (row, subtitle);
}

static GtkWidget *
create_grant_row (gpointer item,
                  gpointer user_data)
{
  SesameGrantInfo *grant = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Revoke"));
  g_autofree char *subtitle = grant_subtitle (grant);
  g_autofree char *accessible = NULL;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), sesame_grant_info_get_app_name (grant));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_tooltip_text (row, sesame_grant_info_get_app_id (grant));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  /* Translators: %s is an application, "Thunderbird" */
  accessible = g_strdup_printf (_("Revoke access of %s"), sesame_grant_info_get_app_name (grant));
  gtk_widget_set_tooltip_text (button, accessible);
  g_object_set_data_full (G_OBJECT (button), "grant", g_object_ref (grant), g_object_unref);
  g_signal_connect (button, "clicked", G_CALLBACK (on_revoke_clicked), user_data);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  g_signal_connect_object (grant, "changed", G_CALLBACK (on_grant_changed), row, 0);
  return row;
}

/* Actions -------------------------------------------------------------------- */

static void
set_busy (SesameAccountPage *self,
          gboolean           busy)
{
  self->busy = busy;
  update_actions (self);
}

static void
on_refreshed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SesameAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;

  set_busy (self, FALSE);
  if (!sesame_account1_call_refresh_finish (SESAME_ACCOUNT1 (source), NULL, result, &error))
    toast_error (self, error);
  else
    toast (self, _("The account has a new access token"));
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SesameAccountPage *self = SESAME_ACCOUNT_PAGE (widget);

  set_busy (self, TRUE);
  sesame_account1_call_refresh (self->account, self->cancellable, on_refreshed,
                                g_object_ref (self));
}

static void
on_reauthenticated (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SesameAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;

  set_busy (self, FALSE);
  if (!sesame_account1_call_reauthenticate_finish (SESAME_ACCOUNT1 (source), result, &error))
    toast_error (self, error);
  else
    toast (self, _("Signed in again"));
}

/* The scopes held, plus those ticked under More Permissions. */
static void
reauthenticate_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  SesameAccountPage *self = SESAME_ACCOUNT_PAGE (widget);
  g_auto(GStrv) more = sesame_scope_rows_get_checked (self->more_list);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) scopes = NULL;

  /* Empty: the scopes held; more: those and the ticked ones. */
  g_strv_builder_addv (builder, (const char **) more);
  if (more[0] != NULL)
    g_strv_builder_addv (builder, (const char **) sesame_account1_get_scopes (self->account));
  scopes = g_strv_builder_end (builder);
  set_busy (self, TRUE);
  sesame_account1_call_reauthenticate (self->account, (const char * const *) scopes,
                                       self->cancellable, on_reauthenticated, g_object_ref (self));
}

/* Where the provider cannot revoke: what Remove leaves behind, and where
 * the person withdraws it (DESIGN.md: told before and after). */
static char *
unrevoked_sentence (SesameAccountPage *self,
                    SesameAccount1    *account)
{
  SesameProviderInfo *info =
    sesame_client_lookup_provider (self->client, sesame_account1_get_provider (account));

  if (info == NULL || sesame_provider_info_revokes (info))
    return NULL;
  return sesame_removal_note (sesame_account1_get_provider_name (account),
                              sesame_provider_info_get_manage_url (info));
}

static char *
removed_message (SesameAccountPage *self,
                 SesameAccount1    *account,
                 const char        *identity)
{
  g_autofree char *unrevoked = unrevoked_sentence (self, account);

  if (unrevoked != NULL)
    /* Translators: %s is an identity, "jo@example.com"; a sentence follows */
    return g_strdup_printf (_("%s was removed from this computer. %s"), identity, unrevoked);
  /* Translators: %s is an identity, "jo@example.com" */
  return g_strdup_printf (_("%s was removed and its access revoked"), identity);
}

static void
on_removed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SesameAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *identity = g_strdup (sesame_account1_get_identity (SESAME_ACCOUNT1 (source)));
  g_autofree char *message = NULL;

  set_busy (self, FALSE);
  if (!sesame_account1_call_remove_finish (SESAME_ACCOUNT1 (source), result, &error))
    {
      toast_error (self, error);
      return;
    }
  message = removed_message (self, SESAME_ACCOUNT1 (source), identity);
  toast (self, message);
}

static void
start_remove (SesameAccountPage *self)
{
  set_busy (self, TRUE);
  sesame_account1_call_remove (self->account, self->cancellable, on_removed, g_object_ref (self));
}

static void
on_remove_response (AdwMessageDialog  *dialog,
                    const char        *response,
                    SesameAccountPage *self)
{
  if (!g_str_equal (response, "remove") || self->account == NULL)
    return;
  start_remove (self);
}

/* The person asked for the removal before: no second question. */
static void
remove_again_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  start_remove (SESAME_ACCOUNT_PAGE (widget));
}

static char *
remove_question (SesameAccountPage *self)
{
  g_autofree char *unrevoked = unrevoked_sentence (self, self->account);

  if (unrevoked != NULL)
    /* Translators: a sentence saying where to withdraw access follows */
    return g_strdup_printf (_("Sesame deletes the account from this computer. Apps that use it "
                              "lose access until you add it again. %s"), unrevoked);
  /* Translators: %s is a provider, "Google" */
  return g_strdup_printf (_("Sesame revokes its access at %s and deletes the account from this "
                            "computer. Apps that use it lose access until you add it again."),
                          sesame_account1_get_provider_name (self->account));
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SesameAccountPage *self = SESAME_ACCOUNT_PAGE (widget);
  GtkWidget *dialog;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;

  /* Translators: %s is an identity, "jo@example.com" */
  heading = g_strdup_printf (_("Remove %s?"), sesame_account1_get_identity (self->account));
  body = remove_question (self);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "remove", _("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_secret_replaced (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SesameAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;

  set_busy (self, FALSE);
  if (!sesame_broker1_call_add_account_finish (SESAME_BROKER1 (source), NULL, result, &error))
    toast_error (self, error);
  else
    toast (self, _("The new secret works and replaced the old one"));
}

/* Adding the same client id again replaces the stored secret (DESIGN.md). */
static void
replace_secret_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  SesameAccountPage *self = SESAME_ACCOUNT_PAGE (widget);
  g_auto(GVariantDict) options = G_VARIANT_DICT_INIT (NULL);
  const char *secret = gtk_editable_get_text (GTK_EDITABLE (self->secret_row));

  if (*secret == '\0')
    {
      toast (self, _("Enter the new client secret first."));
      return;
    }
  g_variant_dict_insert (&options, "flow", "s", "client_credentials");
  g_variant_dict_insert (&options, "client-id", "s", sesame_account1_get_identity (self->account));
  g_variant_dict_insert (&options, "client-secret", "s", secret);
  set_busy (self, TRUE);
  sesame_broker1_call_add_account (sesame_client_get_broker (self->client),
                                   sesame_account1_get_provider (self->account),
                                   sesame_account1_get_scopes (self->account),
                                   g_variant_dict_end (&options), self->cancellable,
                                   on_secret_replaced, g_object_ref (self));
  gtk_editable_set_text (GTK_EDITABLE (self->secret_row), "");
}

/* Lifecycle ------------------------------------------------------------------ */

/* Another account starts at its top. */
static void
scroll_to_top (SesameAccountPage *self)
{
  GtkWidget *scrolled = gtk_widget_get_first_child (GTK_WIDGET (self->preferences_page));

  if (GTK_IS_SCROLLED_WINDOW (scrolled))
    gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)), 0);
}

void
sesame_account_page_set_account (SesameAccountPage *self,
                                 SesameClient      *client,
                                 SesameAccount1    *account)
{
  g_return_if_fail (SESAME_IS_ACCOUNT_PAGE (self));

  if (self->account != NULL)
    g_signal_handlers_disconnect_by_data (self->account, self);
  g_set_object (&self->account, account);
  if (self->client != client)
    {
      g_set_object (&self->client, client);
      gtk_filter_list_model_set_model (self->grants, sesame_client_get_grants (client));
    }
  gtk_filter_changed (self->grant_filter, GTK_FILTER_CHANGE_DIFFERENT);
  if (account == NULL)
    return;
  g_signal_connect_swapped (account, "g-properties-changed", G_CALLBACK (update), self);
  set_busy (self, FALSE);
  update (self);
  scroll_to_top (self);
}

SesameAccount1 *
sesame_account_page_get_account (SesameAccountPage *self)
{
  g_return_val_if_fail (SESAME_IS_ACCOUNT_PAGE (self), NULL);
  return self->account;
}

static void
on_tick (SesameAccountPage *self)
{
  if (self->account != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    update_times (self);
}

static void
sesame_account_page_dispose (GObject *object)
{
  SesameAccountPage *self = SESAME_ACCOUNT_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->account != NULL)
    g_signal_handlers_disconnect_by_data (self->account, self);
  g_clear_object (&self->account);
  g_clear_object (&self->client);
  g_clear_object (&self->grants);
  g_clear_object (&self->clock);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), SESAME_TYPE_ACCOUNT_PAGE);

  G_OBJECT_CLASS (sesame_account_page_parent_class)->dispose (object);
}

static void
sesame_account_page_class_init (SesameAccountPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = sesame_account_page_dispose;

  signals[TOAST] = g_signal_new ("toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/dev/sesame/Sesame/sesame-account-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, content);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, preferences_page);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, icon);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, identity_label);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, provider_label);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, attention_group);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, attention_row);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, removing_group);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, removing_row);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, expiry_row);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, refresh_end_row);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, created_row);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, flow_row);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, scope_list);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, more_group);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, more_list);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, grant_list);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, reauthenticate_button);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, remove_button);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, secret_group);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountPage, secret_row);

  gtk_widget_class_install_action (widget_class, "account.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "account.reauthenticate", NULL,
                                   reauthenticate_action);
  gtk_widget_class_install_action (widget_class, "account.replace-secret", NULL,
                                   replace_secret_action);
  gtk_widget_class_install_action (widget_class, "account.remove", NULL, remove_action);
  gtk_widget_class_install_action (widget_class, "account.remove-again", NULL,
                                   remove_again_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK,
                                       "account.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "account.remove", NULL);
}

static void
sesame_account_page_init (SesameAccountPage *self)
{
  GtkWidget *placeholder;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->grant_filter = GTK_FILTER (gtk_custom_filter_new (grant_is_for_account, self, NULL));
  self->grants = gtk_filter_list_model_new (NULL, self->grant_filter);
  gtk_list_box_bind_model (self->grant_list, G_LIST_MODEL (self->grants), create_grant_row,
                           self, NULL);
  placeholder = gtk_label_new (_("No app has used this account yet"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (self->grant_list, placeholder);
  self->clock = sesame_clock_dup_default ();
  g_signal_connect_object (self->clock, "tick", G_CALLBACK (on_tick), self, G_CONNECT_SWAPPED);
}
