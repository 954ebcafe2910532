/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-accessible.c: the accessible names GTK 4.8 gets wrong, mended in one place */
#include "config.h"

#include <glib/gi18n.h>

#include "sesame-accessible.h"

#define NAMED_KEY "sesame-accessible-named"

/* What an icon says when nobody gave its button a tooltip (libadwaita
 * 1.2's toasts close with a bare "window-close-symbolic"). */
static const char *
icon_meaning (GtkImage *image)
{
  if (g_strcmp0 (gtk_image_get_icon_name (image), "window-close-symbolic") == 0)
    /* Translators: the button that closes a notice in the window */
    return _("Close");
  return NULL;
}

/* GTK 4.8 puts a use-underline button's raw label ("_Cancel") into its
 * accessible label, which screen readers read before the label child's own
 * text: "_Cancel Cancel". Without that property the name is the child's
 * text. An icon-only button has no text at all: its tooltip says what it
 * does ("GtkImage" otherwise). */
static void
name_button (GtkButton *button)
{
  GtkWidget *child = gtk_button_get_child (button);
  const char *tooltip;

  if (gtk_button_get_use_underline (button) && gtk_button_get_label (button) != NULL)
    {
      gtk_accessible_reset_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL);
      return;
    }
  if (!GTK_IS_IMAGE (child))
    return;
  tooltip = gtk_widget_get_tooltip_text (GTK_WIDGET (button));
  if (tooltip == NULL)
    tooltip = icon_meaning (GTK_IMAGE (child));
  if (tooltip != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    tooltip, -1);
}

/* GTK sets the label property again whenever the label or tooltip changes. */
static void
on_button_changed (GtkButton  *button,
                   GParamSpec *pspec,
                   gpointer    user_data)
{
  name_button (button);
}

static gboolean
on_widget_mapped (GSignalInvocationHint *hint,
                  guint                  n_values,
                  const GValue          *values,
                  gpointer               user_data)
{
  GObject *widget = g_value_get_object (&values[0]);

  if (!GTK_IS_BUTTON (widget))
    return TRUE;
  if (g_object_get_data (widget, NAMED_KEY) == NULL)
    {
      g_object_set_data (widget, NAMED_KEY, GINT_TO_POINTER (TRUE));
      g_signal_connect (widget, "notify::label", G_CALLBACK (on_button_changed), NULL);
      g_signal_connect (widget, "notify::use-underline", G_CALLBACK (on_button_changed), NULL);
      g_signal_connect (widget, "notify::tooltip-text", G_CALLBACK (on_button_changed), NULL);
    }
  name_button (GTK_BUTTON (widget));
  return TRUE;
}

void
sesame_accessible_install (void)
{
  static gboolean installed;
  gpointer widget_class;

  if (installed)
    return;
  installed = TRUE;
  /* Its signals exist once the class does. */
  widget_class = g_type_class_ref (GTK_TYPE_WIDGET);
  /* An emission hook sees every widget, the ones libadwaita builds inside
   * toasts and dialogs too; mapping is the last moment before a person can
   * reach a control. */
  g_signal_add_emission_hook (g_signal_lookup ("map", GTK_TYPE_WIDGET), 0, on_widget_mapped,
                              NULL, NULL);
  g_type_class_unref (widget_class);
}

void
sesame_accessible_name_list_item (GtkWidget  *widget,
                                  const char *label)
{
  GtkWidget *item = gtk_widget_get_parent (widget);

  if (item != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (item), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}
