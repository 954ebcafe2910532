/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-secret-store.h: one Secret Service item per account */
#pragma once

#include <gio/gio.h>

#include <libsecret/secret.h>

#include "sesame-token.h"

G_BEGIN_DECLS

#define SESAME_TYPE_SECRET_STORE (sesame_secret_store_get_type ())
G_DECLARE_FINAL_TYPE (SesameSecretStore, sesame_secret_store, SESAME, SECRET_STORE, GObject)

/* Errors are SESAME_ERROR_KEYRING: no Secret Service, or locked and unlocking
 * refused. A missing item is not an error: lookup returns NULL. */
SesameSecretStore *sesame_secret_store_new (void);

void         sesame_secret_store_lookup_async  (SesameSecretStore   *self,
                                                const char          *account_id,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
SesameToken *sesame_secret_store_lookup_finish (SesameSecretStore   *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* @label names the item for people looking at their keyring. */
void         sesame_secret_store_store_async  (SesameSecretStore   *self,
                                               const char          *account_id,
                                               const char          *label,
                                               const SesameToken   *token,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean     sesame_secret_store_store_finish (SesameSecretStore   *self,
                                               GAsyncResult        *result,
                                               GError             **error);

/* Locked items are deleted only if @may_unlock: then the person is asked
 * to unlock (never by the broker on its own). */
void         sesame_secret_store_clear_async  (SesameSecretStore   *self,
                                               const char          *account_id,
                                               gboolean             may_unlock,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean     sesame_secret_store_clear_finish (SesameSecretStore   *self,
                                               GAsyncResult        *result,
                                               GError             **error);

/* The account ids that have an item, without reading any secret or asking
 * to unlock (locked items are listed too). */
void         sesame_secret_store_list_async  (SesameSecretStore   *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GStrv        sesame_secret_store_list_finish (SesameSecretStore   *self,
                                              GAsyncResult        *result,
                                              GError             **error);

const SecretSchema *sesame_secret_store_get_schema (void);

G_END_DECLS
