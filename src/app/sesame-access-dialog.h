/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-access-dialog.h: "Allow this app?", the broker's ConfirmAccess question */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SESAME_TYPE_ACCESS_DIALOG (sesame_access_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SesameAccessDialog, sesame_access_dialog, SESAME, ACCESS_DIALOG, AdwMessageDialog)

/* @details: ConfirmAccess's a{sv}. Emits "answered" (TRUE for Allow) once,
 * Deny when the person closes it. */
SesameAccessDialog *sesame_access_dialog_new     (GtkWindow *parent,
                                                  GVariant  *details);
/* The question in words, for @details: the heading and the body. */
char               *sesame_access_dialog_heading (GVariant  *details);
char               *sesame_access_dialog_body    (GVariant  *details);

G_END_DECLS
