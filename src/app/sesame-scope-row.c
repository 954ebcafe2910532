/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-scope-row.c: one permission in a list, in words, optionally with a check box */
#include "config.h"

#include "sesame-format.h"
#include "sesame-scope-row.h"

GtkWidget *
sesame_scope_row_new (SesameProviderInfo *provider,
                      const char         *scope,
                      gboolean            checkable,
                      gboolean            checked)
{
  const char *description = provider != NULL ? sesame_provider_info_describe_scope (provider, scope)
                                              : NULL;
  g_autofree char *label = sesame_format_scope_label (scope);
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 description != NULL && *description ? description : label);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), scope);
  if (checkable)
    {
      GtkWidget *check = gtk_check_button_new ();

      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), checked);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      g_object_set_data (G_OBJECT (row), "check", check);
    }
  g_object_set_data_full (G_OBJECT (row), "scope", g_strdup (scope), g_free);
  return row;
}

GStrv
sesame_scope_rows_get_checked (GtkListBox *list)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkCheckButton *check = g_object_get_data (G_OBJECT (row), "check");

      if (check != NULL && gtk_check_button_get_active (check))
        g_strv_builder_add (builder, g_object_get_data (G_OBJECT (row), "scope"));
    }
  return g_strv_builder_end (builder);
}

void
sesame_scope_rows_clear (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}
