/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-account-row.c: one account in the main list */
#include "config.h"

#include <glib/gi18n.h>

#include "sesame-accessible.h"
#include "sesame-account-row.h"
#include "sesame-clock.h"
#include "sesame-format.h"

struct _SesameAccountRow
{
  GtkWidget parent_instance;

  GtkWidget *box;   /* bound so that gtk_widget_dispose_template() unparents it */
  GtkImage *icon;
  GtkLabel *identity_label;
  GtkLabel *summary_label;
  GtkLabel *status_label;
  GtkImage *attention_icon;

  SesameAccount1 *account;
  SesameClock *clock;
};

G_DEFINE_FINAL_TYPE (SesameAccountRow, sesame_account_row, GTK_TYPE_WIDGET)

static void
update (SesameAccountRow *self)
{
  SesameAccount1 *account = self->account;
  gboolean attention;
  gboolean ending;
  g_autofree char *scopes = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *status = NULL;
  g_autofree char *accessible = NULL;
  g_autofree char *coming_end = NULL;

  if (account == NULL)
    return;
  attention = sesame_account1_get_attention_needed (account);
  if (!attention)
    coming_end = sesame_format_coming_end (sesame_account1_get_refresh_expires_at (account),
                                           sesame_clock_now ());
  ending = coming_end != NULL;
  scopes = sesame_format_scope_summary (sesame_account1_get_scopes (account), 3);
  if (g_strcmp0 (sesame_account1_get_flow (account), "client_credentials") == 0)
    /* Translators: provider name, then a list of permissions */
    summary = g_strdup_printf (_("%s service account · %s"),
                               sesame_account1_get_provider_name (account), scopes);
  else
    /* Translators: provider name, then a list of permissions */
    summary = g_strdup_printf (_("%s · %s"), sesame_account1_get_provider_name (account), scopes);
  if (sesame_account1_get_removing (account))
    status = g_strdup (attention ? _("Removal did not finish — remove it again")
                                 : _("Removing…"));
  else if (attention)
    /* Translators: %s is why, in a sentence */
    status = g_strdup_printf (_("Needs attention — sign in again. %s"),
                              sesame_account1_get_attention_reason (account));
  else if (coming_end != NULL)
    status = g_steal_pointer (&coming_end);
  else
    status = sesame_format_expiry (sesame_account1_get_expires_at (account), sesame_clock_now ());

  gtk_label_set_text (self->identity_label, sesame_account1_get_identity (account));
  gtk_label_set_text (self->summary_label, summary);
  gtk_label_set_text (self->status_label, status);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label), status);
  gtk_widget_set_visible (GTK_WIDGET (self->attention_icon), attention);
  if (attention || ending)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "warning");
  /* Translators: identity, then provider: "jo@example.com, Google" */
  accessible = g_strdup_printf (_("%s, %s"), sesame_account1_get_identity (account),
                                sesame_account1_get_provider_name (account));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, status, -1);
  sesame_accessible_name_list_item (GTK_WIDGET (self), accessible);
}

void
sesame_account_row_bind (SesameAccountRow   *self,
                         SesameAccount1     *account,
                         SesameProviderInfo *provider)
{
  g_return_if_fail (SESAME_IS_ACCOUNT_ROW (self));

  if (self->account != NULL)
    g_signal_handlers_disconnect_by_data (self->account, self);
  g_set_object (&self->account, account);
  if (account == NULL)
    return;
  gtk_image_set_from_icon_name (self->icon, provider != NULL
                                ? sesame_provider_info_get_icon_name (provider)
                                : "dialog-password-symbolic");
  g_signal_connect_swapped (account, "g-properties-changed", G_CALLBACK (update), self);
  update (self);
}

static void
sesame_account_row_dispose (GObject *object)
{
  SesameAccountRow *self = SESAME_ACCOUNT_ROW (object);

  sesame_account_row_bind (self, NULL, NULL);
  g_clear_object (&self->clock);
  gtk_widget_dispose_template (GTK_WIDGET (self), SESAME_TYPE_ACCOUNT_ROW);

  G_OBJECT_CLASS (sesame_account_row_parent_class)->dispose (object);
}

static void
sesame_account_row_class_init (SesameAccountRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = sesame_account_row_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/dev/sesame/Sesame/sesame-account-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SesameAccountRow, box);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountRow, icon);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountRow, identity_label);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountRow, summary_label);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, SesameAccountRow, attention_icon);
}

static void
sesame_account_row_init (SesameAccountRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->clock = sesame_clock_dup_default ();
  g_signal_connect_object (self->clock, "tick", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
}

GtkWidget *
sesame_account_row_new (void)
{
  return g_object_new (SESAME_TYPE_ACCOUNT_ROW, NULL);
}
