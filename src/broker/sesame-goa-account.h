/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-goa-account.h: one Sesame account as GNOME Online Accounts shows it */
#pragma once

#include <gio/gio.h>

#include "sesame-access-control.h"
#include "sesame-account-object.h"

G_BEGIN_DECLS

#define SESAME_GOA_ACCOUNTS_PATH "/org/gnome/OnlineAccounts/Accounts/"

#define SESAME_TYPE_GOA_ACCOUNT (sesame_goa_account_get_type ())
G_DECLARE_FINAL_TYPE (SesameGoaAccount, sesame_goa_account, SESAME, GOA_ACCOUNT, GObject)

/* TRUE when @object's provider names a GNOME Online Accounts provider type
 * (services.goa-provider-type): only those accounts are shown. */
gboolean          sesame_goa_account_is_shown (SesameAccountObject      *object);

/* Exports @object's account on @manager, following it live; Remove goes
 * to @object, tokens through @access_control. Unexported when finalized. */
SesameGoaAccount *sesame_goa_account_new      (SesameAccountObject      *object,
                                               SesameAccessControl      *access_control,
                                               GDBusObjectManagerServer *manager);

G_END_DECLS
