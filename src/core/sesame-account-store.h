/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-account-store.h: every account's metadata, in one atomically written file */
#pragma once

#include <gio/gio.h>

#include "sesame-account.h"

G_BEGIN_DECLS

#define SESAME_TYPE_ACCOUNT_STORE (sesame_account_store_get_type ())
G_DECLARE_FINAL_TYPE (SesameAccountStore, sesame_account_store, SESAME, ACCOUNT_STORE, GObject)

/* @dir: where accounts.json lives, normally $XDG_DATA_HOME/sesame */
SesameAccountStore *sesame_account_store_new    (const char *dir);

/* Reads the file once at start. A damaged file is renamed aside
 * (accounts.json.damaged-TIME), kept, and reported through @error; the
 * store then starts empty and stays usable. */
gboolean       sesame_account_store_load      (SesameAccountStore *self,
                                               GError            **error);

GPtrArray     *sesame_account_store_list      (SesameAccountStore *self);
SesameAccount *sesame_account_store_lookup    (SesameAccountStore *self,
                                               const char         *id);
SesameAccount *sesame_account_store_find      (SesameAccountStore *self,
                                               const char         *provider,
                                               const char         *identity);
/* A new id for an account of @provider: PROVIDER_N, in the id alphabet. */
char          *sesame_account_store_new_id    (SesameAccountStore *self,
                                               const char         *provider);

/* Adding and removing emit "account-added" / "account-removed" and save;
 * so does any change of an account's properties. */
void           sesame_account_store_add       (SesameAccountStore *self,
                                               SesameAccount      *account);
void           sesame_account_store_remove    (SesameAccountStore *self,
                                               const char         *id);

/* Completes once everything changed so far is on disk. */
void           sesame_account_store_save_async  (SesameAccountStore  *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean       sesame_account_store_save_finish (SesameAccountStore  *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Writes what is not on disk yet, now: for shutdown. */
void sesame_account_store_flush (SesameAccountStore *self);

G_END_DECLS
