/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-window.h: the main window: every account, and one account's page */
#pragma once

#include <adwaita.h>

#include "sesame-client.h"

G_BEGIN_DECLS

#define SESAME_TYPE_WINDOW (sesame_window_get_type ())
G_DECLARE_FINAL_TYPE (SesameWindow, sesame_window, SESAME, WINDOW, AdwApplicationWindow)

SesameWindow *sesame_window_new          (GtkApplication *application,
                                          SesameClient   *client);
/* Opens the page of the account at @object_path, when the list has it
 * (FALSE when it does not, yet). */
gboolean      sesame_window_show_account (SesameWindow   *self,
                                          const char     *object_path);
/* "Sign In Again" on the account page shown. */
void          sesame_window_reauthenticate_shown (SesameWindow *self);
void          sesame_window_add_toast    (SesameWindow   *self,
                                          const char     *message);

G_END_DECLS
