/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-broker-accounts.c: exporting, storing and forgetting accounts; reconciling with the keyring */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-broker-private.h"

static SesameAccountObject *
export_account (SesameBroker      *self,
                SesameCredentials *credentials)
{
  SesameAccountObject *object = sesame_account_object_new (SESAME_ACCOUNT_KEEPER (self),
                                                           self->access, self->sign_ins,
                                                           self->connection, credentials);
  SesameAccount *account = sesame_credentials_get_account (credentials);

  g_hash_table_insert (self->objects, g_strdup (sesame_account_get_id (account)), object);
  sesame_warden_watch (self->warden, credentials);
  return object;
}

static SesameProvider *
provider_for_account (SesameBroker  *self,
                      SesameAccount *account)
{
  SesameProvider *provider = sesame_provider_registry_lookup (self->providers,
                                                              sesame_account_get_provider (account));
  g_autoptr(JsonObject) gone = NULL;
  g_autofree char *reason = NULL;

  if (provider != NULL)
    return g_object_ref (provider);

  /* Its provider file was removed: keep the account, say what happened. */
  gone = json_object_new ();
  json_object_set_string_member (gone, "id", sesame_account_get_provider (account));
  json_object_set_string_member (gone, "name", sesame_account_get_provider_name (account));
  json_object_set_boolean_member (gone, "template", TRUE);
  reason = g_strdup_printf (_("The provider “%s” is no longer installed. Install it again, or "
                              "remove this account."), sesame_account_get_provider (account));
  sesame_account_set_attention (account, reason);
  return sesame_provider_new_from_json (gone, NULL);
}

void
sesame_broker_export_stored_accounts (SesameBroker *self)
{
  g_autoptr(GPtrArray) accounts = sesame_account_store_list (self->store);

  for (guint i = 0; i < accounts->len; i++)
    {
      g_autoptr(SesameProvider) provider = provider_for_account (self, accounts->pdata[i]);
      g_autoptr(SesameCredentials) credentials =
        sesame_credentials_new (accounts->pdata[i], provider, self->providers,
                                self->client, self->secrets);

      /* Its Remove was cut short: it hands out nothing and says so until
       * the removal is finished, once the keyring answers. */
      if (sesame_account_get_removing (accounts->pdata[i]))
        sesame_credentials_removal_unfinished (credentials);
      export_account (self, credentials);
    }
}

/* ---- Storing a signed-in account (AddAccount, device and service accounts) ---- */

typedef struct {
  SesameCredentials   *credentials;
  SesameAccountObject *object;        /* NULL until a new account is exported */
} Storing;

static void
storing_free (Storing *storing)
{
  g_clear_object (&storing->credentials);
  g_clear_object (&storing->object);
  g_free (storing);
}

static void
on_account_saved (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Storing *storing = g_task_get_task_data (task);
  GError *error = NULL;

  if (!sesame_account_store_save_finish (SESAME_ACCOUNT_STORE (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_object_ref (storing->object), g_object_unref);
}

static void
on_account_secret_stored (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SesameBroker *self = g_task_get_source_object (task);
  Storing *storing = g_task_get_task_data (task);
  SesameAccount *account = sesame_credentials_get_account (storing->credentials);
  GError *error = NULL;

  /* The secret is in the keyring before the account exists anywhere else.
   * Killed before the metadata is on disk: the item is an orphan, which
   * the next start deletes (clear_orphans); for an existing account the
   * item was replaced in place and the old metadata still describes it. */
  g_hash_table_remove (self->adding, sesame_account_get_id (account));
  if (!sesame_credentials_replace_finish (storing->credentials, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (storing->object == NULL)
    {
      sesame_account_store_add (self->store, account);
      storing->object = g_object_ref (export_account (self, storing->credentials));
      sesame_broker_announce_added (self, storing->object);
    }
  sesame_account_store_save_async (self->store, NULL, on_account_saved, g_steal_pointer (&task));
}

static SesameCredentials *
new_credentials (SesameBroker   *self,
                 SesameProvider *provider,
                 const char     *flow,
                 const char     *identity)
{
  const char *provider_id = sesame_provider_get_id (provider);
  g_autofree char *id = sesame_account_store_new_id (self->store, provider_id);
  g_autoptr(SesameAccount) account =
    sesame_account_new (id, provider_id, sesame_provider_get_name (provider), identity, flow,
                        g_get_real_time () / G_USEC_PER_SEC);

  /* Not an orphan for the reconciling while its metadata is on its way. */
  g_hash_table_add (self->adding, g_strdup (id));
  return sesame_credentials_new (account, provider, self->providers, self->client, self->secrets);
}

void
sesame_broker_store_account_async (SesameBroker        *self,
                                   SesameProvider      *provider,
                                   const char          *flow,
                                   const char          *identity,
                                   const SesameToken   *token,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  Storing *storing = g_new0 (Storing, 1);
  SesameAccount *existing = sesame_account_store_find (self->store, sesame_provider_get_id (provider),
                                                       identity);

  g_task_set_source_tag (task, sesame_broker_store_account_async);
  g_task_set_task_data (task, storing, (GDestroyNotify) storing_free);
  if (existing != NULL)
    {
      storing->object = g_object_ref (g_hash_table_lookup (self->objects,
                                                           sesame_account_get_id (existing)));
      storing->credentials = g_object_ref (sesame_account_object_get_credentials (storing->object));
    }
  else
    storing->credentials = new_credentials (self, provider, flow, identity);
  sesame_credentials_replace_async (storing->credentials, token, flow, NULL,
                                    on_account_secret_stored, task);
}

SesameAccountObject *
sesame_broker_store_account_finish (SesameBroker  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Forgetting an account, for its object's Remove ---- */

/* The account list is on disk: the keeper's caller may go on. */
static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!sesame_account_store_save_finish (SESAME_ACCOUNT_STORE (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* The grants are on disk: now the account may leave the list. */
static void
on_grants_forgotten (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SesameBroker *self = g_task_get_source_object (task);
  SesameCredentials *credentials = g_task_get_task_data (task);
  GError *error = NULL;

  if (!sesame_grant_store_save_finish (SESAME_GRANT_STORE (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  sesame_account_store_remove (self->store,
                               sesame_account_get_id (sesame_credentials_get_account (credentials)));
  sesame_account_store_save_async (self->store, NULL, on_saved, g_steal_pointer (&task));
}

static void
forget_account_async (SesameAccountKeeper *keeper,
                      SesameCredentials   *credentials,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  SesameBroker *self = SESAME_BROKER (keeper);
  GTask *task = g_task_new (self, NULL, callback, user_data);
  const char *id = sesame_account_get_id (sesame_credentials_get_account (credentials));
  g_autofree char *path = g_strconcat (SESAME_ACCOUNTS_PATH, id, NULL);

  g_task_set_source_tag (task, forget_account_async);
  /* The account outlives its object, which goes now. */
  g_task_set_task_data (task, g_object_ref (credentials), g_object_unref);

  sesame_broker_announce_removed (self, path);
  sesame_goa_face_account_removed (self->goa, id);
  /* The grants reach the disk before the account leaves it: ids are
   * reused, and a grant outliving its account (a kill between the two
   * writes) would hand a later account of the same id to an app nobody
   * asked about. A kill after this leaves an account without grants,
   * still marked as being removed: the next start finishes it. */
  sesame_grant_store_forget_account (self->grants, id);
  sesame_warden_forget (self->warden, credentials);
  g_hash_table_remove (self->objects, id);
  sesame_grant_store_save_async (self->grants, on_grants_forgotten, task);
}

static gboolean
forget_account_finish (SesameAccountKeeper  *keeper,
                       GAsyncResult         *result,
                       GError              **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
save_accounts_async (SesameAccountKeeper *keeper,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  SesameBroker *self = SESAME_BROKER (keeper);
  GTask *task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, save_accounts_async);
  sesame_account_store_save_async (self->store, NULL, on_saved, task);
}

static gboolean
save_accounts_finish (SesameAccountKeeper  *keeper,
                      GAsyncResult         *result,
                      GError              **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
sesame_broker_account_keeper_init (SesameAccountKeeperInterface *iface)
{
  iface->forget_async = forget_account_async;
  iface->forget_finish = forget_account_finish;
  iface->save_async = save_accounts_async;
  iface->save_finish = save_accounts_finish;
}

/* ---- After a crash: secrets and metadata agree again ---- */

/* A broker killed between the keyring write and the metadata write of a
 * new account leaves a secret no account owns; one killed while removing
 * leaves an account whose secret is gone. Once the keyring answers (never
 * holding up the start, never asking to unlock), orphan secrets are deleted
 * and accounts without one are marked for the person to sign in again. */
static void
on_orphan_cleared (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!sesame_secret_store_clear_finish (SESAME_SECRET_STORE (source), result, &error))
    g_warning ("Could not delete a keyring item no account owns: %s", error->message);
}

typedef struct {
  SesameBroker *self;       /* not a reference: dispose cancels the reconciling */
  GPtrArray    *accounts;   /* those there at start: later ones got their secret first */
} Reconciling;

static void
reconciling_free (Reconciling *reconciling)
{
  g_ptr_array_unref (reconciling->accounts);
  g_free (reconciling);
}

static void
clear_orphans (SesameBroker       *self,
               const char * const *ids)
{
  for (guint i = 0; ids[i] != NULL; i++)
    if (sesame_account_store_lookup (self->store, ids[i]) == NULL &&
        !g_hash_table_contains (self->adding, ids[i]))
      {
        g_debug ("Deleting the keyring item of %s, which no account owns", ids[i]);
        sesame_secret_store_clear_async (self->secrets, ids[i], FALSE, NULL, on_orphan_cleared,
                                         NULL);
      }
}

static void
mark_lost (Reconciling        *reconciling,
           const char * const *ids)
{
  for (guint i = 0; i < reconciling->accounts->len; i++)
    {
      SesameAccount *account = reconciling->accounts->pdata[i];
      const char *id = sesame_account_get_id (account);

      if (sesame_account_store_lookup (reconciling->self->store, id) == account &&
          !g_strv_contains (ids, id) &&
          !sesame_account_get_attention_needed (account))
        sesame_account_set_attention (account,
          _("Sesame lost this account’s sign-in: its keyring item is gone. Sign in again."));
    }
}

/* Removals cut short are finished once the keyring answers, so that
 * reading the token to revoke asks nobody to unlock it at login. */
static void
finish_removals (Reconciling *reconciling)
{
  SesameBroker *self = reconciling->self;

  for (guint i = 0; i < reconciling->accounts->len; i++)
    {
      SesameAccount *account = reconciling->accounts->pdata[i];
      const char *id = sesame_account_get_id (account);
      SesameAccountObject *object = g_hash_table_lookup (self->objects, id);

      if (sesame_account_store_lookup (self->store, id) == account && object != NULL &&
          sesame_account_get_removing (account))
        sesame_account_object_finish_removal (object);
    }
}

static void
on_secrets_listed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Reconciling *reconciling = g_task_get_task_data (task);
  GError *error = NULL;
  g_auto(GStrv) ids = sesame_secret_store_list_finish (SESAME_SECRET_STORE (source), result,
                                                       &error);

  /* Cancelled at shutdown, or no keyring: then nothing can be told. */
  if (ids == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  clear_orphans (reconciling->self, (const char * const *) ids);
  mark_lost (reconciling, (const char * const *) ids);
  finish_removals (reconciling);
  g_task_return_boolean (task, TRUE);
}

static void
on_reconciled (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* Which error, not its text: a log line never carries what a keyring
   * or provider put into a message. */
  if (!g_task_propagate_boolean (G_TASK (result), &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("The keyring was not reconciled with the accounts (%s %d)",
             g_quark_to_string (error->domain), error->code);
}

void
sesame_broker_reconcile (SesameBroker *self)
{
  Reconciling *reconciling = g_new0 (Reconciling, 1);
  GTask *task;

  self->reconciling = g_cancellable_new ();
  /* No source object: a task holding the broker would keep it from the
   * dispose that cancels this. */
  task = g_task_new (NULL, self->reconciling, on_reconciled, NULL);
  reconciling->self = self;
  reconciling->accounts = sesame_account_store_list (self->store);
  g_task_set_task_data (task, reconciling, (GDestroyNotify) reconciling_free);
  sesame_secret_store_list_async (self->secrets, self->reconciling, on_secrets_listed, task);
}
