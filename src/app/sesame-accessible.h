/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-accessible.h: the accessible names GTK 4.8 gets wrong, mended in one place */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* From now on, every button the app maps reads as a person would say it:
 * a mnemonic label without its underscore, said once; an icon-only button
 * by its tooltip. Covers the app's own buttons and those libadwaita makes
 * (toasts, dialogs, entry rows). Call once, after gtk_init(). */
void sesame_accessible_install (void);

/* Names @widget's GtkListView item, the widget that takes focus and that a
 * screen reader reads, with @label (GTK 4.8 gives list items no name). */
void sesame_accessible_name_list_item (GtkWidget  *widget,
                                       const char *label);

G_END_DECLS
