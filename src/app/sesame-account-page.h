/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-account-page.h: one account in full: token, permissions, apps, actions */
#pragma once

#include <gtk/gtk.h>

#include "sesame-client.h"

G_BEGIN_DECLS

#define SESAME_TYPE_ACCOUNT_PAGE (sesame_account_page_get_type ())
G_DECLARE_FINAL_TYPE (SesameAccountPage, sesame_account_page, SESAME, ACCOUNT_PAGE, GtkWidget)

/* Shows @account (NULL: nothing) of @client and follows it live. Emits
 * "toast" (a sentence) for outcomes the person should hear about. */
void            sesame_account_page_set_account (SesameAccountPage *self,
                                                 SesameClient      *client,
                                                 SesameAccount1    *account);
SesameAccount1 *sesame_account_page_get_account (SesameAccountPage *self);

G_END_DECLS
