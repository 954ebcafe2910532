/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-add-account-dialog.h: pick a provider and permissions, then sign in */
#pragma once

#include <adwaita.h>

#include "sesame-client.h"

G_BEGIN_DECLS

#define SESAME_TYPE_ADD_ACCOUNT_DIALOG (sesame_add_account_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SesameAddAccountDialog, sesame_add_account_dialog, SESAME, ADD_ACCOUNT_DIALOG, AdwWindow)

/* Emits "added" (the account's object path, a sentence saying so) and closes
 * once the broker has the account. */
SesameAddAccountDialog *sesame_add_account_dialog_new (GtkWindow    *parent,
                                                       SesameClient *client);

G_END_DECLS
