/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-account-keeper.h: whoever keeps the accounts, asked to forget one */
#pragma once

#include <gio/gio.h>

#include "sesame-credentials.h"

G_BEGIN_DECLS

#define SESAME_TYPE_ACCOUNT_KEEPER (sesame_account_keeper_get_type ())
G_DECLARE_INTERFACE (SesameAccountKeeper, sesame_account_keeper, SESAME, ACCOUNT_KEEPER, GObject)

/* Keeps the accounts' metadata, their grants and their objects on the bus
 * (the broker); an account object asks it to forget its own account once
 * Remove deleted the secret, without knowing the broker. */
struct _SesameAccountKeeperInterface
{
  GTypeInterface parent_iface;

  void     (*forget_async)  (SesameAccountKeeper  *self,
                             SesameCredentials    *credentials,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data);
  gboolean (*forget_finish) (SesameAccountKeeper  *self,
                             GAsyncResult         *result,
                             GError              **error);
  void     (*save_async)    (SesameAccountKeeper  *self,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data);
  gboolean (*save_finish)   (SesameAccountKeeper  *self,
                             GAsyncResult         *result,
                             GError              **error);
};

/* Forgets an account's metadata, grants and object (its secret is already gone). */
void     sesame_account_keeper_forget_async  (SesameAccountKeeper  *self,
                                              SesameCredentials    *credentials,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean sesame_account_keeper_forget_finish (SesameAccountKeeper  *self,
                                              GAsyncResult         *result,
                                              GError              **error);

/* Completes once every account's metadata changed so far is on disk. */
void     sesame_account_keeper_save_async    (SesameAccountKeeper  *self,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean sesame_account_keeper_save_finish   (SesameAccountKeeper  *self,
                                              GAsyncResult         *result,
                                              GError              **error);

G_END_DECLS
