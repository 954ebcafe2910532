/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-account-keeper.c: whoever keeps the accounts, asked to forget one */
#include "config.h"

#include "sesame-account-keeper.h"

G_DEFINE_INTERFACE (SesameAccountKeeper, sesame_account_keeper, G_TYPE_OBJECT)

static void
sesame_account_keeper_default_init (SesameAccountKeeperInterface *iface)
{
}

void
sesame_account_keeper_forget_async (SesameAccountKeeper  *self,
                                    SesameCredentials    *credentials,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data)
{
  g_return_if_fail (SESAME_IS_ACCOUNT_KEEPER (self));
  g_return_if_fail (SESAME_IS_CREDENTIALS (credentials));

  SESAME_ACCOUNT_KEEPER_GET_IFACE (self)->forget_async (self, credentials, callback, user_data);
}

gboolean
sesame_account_keeper_forget_finish (SesameAccountKeeper  *self,
                                     GAsyncResult         *result,
                                     GError              **error)
{
  g_return_val_if_fail (SESAME_IS_ACCOUNT_KEEPER (self), FALSE);

  return SESAME_ACCOUNT_KEEPER_GET_IFACE (self)->forget_finish (self, result, error);
}

void
sesame_account_keeper_save_async (SesameAccountKeeper  *self,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data)
{
  g_return_if_fail (SESAME_IS_ACCOUNT_KEEPER (self));

  SESAME_ACCOUNT_KEEPER_GET_IFACE (self)->save_async (self, callback, user_data);
}

gboolean
sesame_account_keeper_save_finish (SesameAccountKeeper  *self,
                                   GAsyncResult         *result,
                                   GError              **error)
{
  g_return_val_if_fail (SESAME_IS_ACCOUNT_KEEPER (self), FALSE);

  return SESAME_ACCOUNT_KEEPER_GET_IFACE (self)->save_finish (self, result, error);
}
