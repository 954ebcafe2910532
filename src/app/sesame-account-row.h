/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-account-row.h: one account in the main list */
#pragma once

#include <gtk/gtk.h>

#include "sesame-dbus-generated.h"
#include "sesame-provider-info.h"

G_BEGIN_DECLS

#define SESAME_TYPE_ACCOUNT_ROW (sesame_account_row_get_type ())
G_DECLARE_FINAL_TYPE (SesameAccountRow, sesame_account_row, SESAME, ACCOUNT_ROW, GtkWidget)

GtkWidget      *sesame_account_row_new         (void);
/* Shows @account (NULL: nothing) and follows its changes; @provider gives the icon. */
void            sesame_account_row_bind        (SesameAccountRow   *self,
                                                SesameAccount1     *account,
                                                SesameProviderInfo *provider);

G_END_DECLS
