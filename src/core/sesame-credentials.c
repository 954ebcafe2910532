/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-credentials.c: an account's token manager: its cache, removal marks,
 * replacing, revoking and deleting (the refresh queue is in
 * sesame-credentials-refresh.c) */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-credentials-private.h"
#include "sesame-error.h"
#include "sesame-wall-clock.h"

G_DEFINE_FINAL_TYPE (SesameCredentials, sesame_credentials, G_TYPE_OBJECT)

void
sesame_credentials_pending_free (SesameCredentialsPending *pending)
{
  g_free (pending->key);
  g_ptr_array_unref (pending->tasks);
  g_free (pending);
}

static void
sesame_credentials_finalize (GObject *object)
{
  SesameCredentials *self = SESAME_CREDENTIALS (object);

  g_clear_object (&self->account);
  g_clear_object (&self->provider);
  g_clear_object (&self->providers);
  g_clear_object (&self->client);
  g_clear_object (&self->secrets);
  g_clear_object (&self->cache);
  g_clear_pointer (&self->stored, sesame_token_free);
  g_clear_pointer (&self->narrow, sesame_token_free);
  g_queue_free_full (self->pending, (GDestroyNotify) sesame_credentials_pending_free);

  G_OBJECT_CLASS (sesame_credentials_parent_class)->finalize (object);
}

static void
sesame_credentials_class_init (SesameCredentialsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sesame_credentials_finalize;
}

static void
sesame_credentials_init (SesameCredentials *self)
{
  self->cache = sesame_token_cache_new ();
  self->pending = g_queue_new ();
}

SesameCredentials *
sesame_credentials_new (SesameAccount          *account,
                        SesameProvider         *provider,
                        SesameProviderRegistry *providers,
                        SesameOAuthClient      *client,
                        SesameSecretStore      *secrets)
{
  SesameCredentials *self = g_object_new (SESAME_TYPE_CREDENTIALS, NULL);

  self->account = g_object_ref (account);
  self->provider = g_object_ref (provider);
  self->providers = g_object_ref (providers);
  self->client = g_object_ref (client);
  self->secrets = g_object_ref (secrets);
  return self;
}

SesameAccount *
sesame_credentials_get_account (SesameCredentials *self)
{
  return self->account;
}

SesameProvider *
sesame_credentials_get_provider (SesameCredentials *self)
{
  return self->provider;
}

static gboolean
covers (const char * const *granted,
        const char * const *scopes)
{
  for (guint i = 0; scopes && scopes[i]; i++)
    if (!g_strv_contains (granted, scopes[i]))
      return FALSE;
  return TRUE;
}

/* Which cached token serves @scopes; NULL (with @error) for a set no
 * token may carry. */
static char *
key_for (SesameCredentials   *self,
         const char * const  *scopes,
         GError             **error)
{
  return sesame_token_cache_key_for (self->provider, sesame_account_get_scopes (self->account),
                                     scopes, error);
}

char *
sesame_credentials_checked_key (SesameCredentials   *self,
                                const char * const  *scopes,
                                GError             **error)
{
  if (!covers (sesame_account_get_scopes (self->account), scopes))
    {
      g_set_error_literal (error, SESAME_ERROR, SESAME_ERROR_SCOPE_NOT_GRANTED,
                           _("This account was not granted every scope asked for. Sign in "
                             "again and allow them."));
      return NULL;
    }
  return key_for (self, scopes, error);
}

gboolean
sesame_credentials_check_scopes (SesameCredentials   *self,
                                 const char * const  *scopes,
                                 GError             **error)
{
  g_autofree char *key = sesame_credentials_checked_key (self, scopes, error);

  return key != NULL;
}

gboolean
sesame_credentials_lookup_cached (SesameCredentials  *self,
                                  const char * const *scopes,
                                  char              **token,
                                  gint64             *expires_at,
                                  gboolean           *narrowed)
{
  g_autofree char *key = key_for (self, scopes, NULL);

  return key != NULL &&
         sesame_token_cache_lookup (self->cache, key, scopes, g_get_real_time () / G_USEC_PER_SEC,
                                    token, expires_at, narrowed);
}

static void
on_discovered (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!sesame_provider_registry_ensure_discovered_finish (SESAME_PROVIDER_REGISTRY (source),
                                                          result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
sesame_credentials_ensure_discovered_async (SesameCredentials   *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, sesame_credentials_ensure_discovered_async);
  sesame_provider_registry_ensure_discovered_async (self->providers, self->client, self->provider,
                                                    cancellable, on_discovered, task);
}

gboolean
sesame_credentials_ensure_discovered_finish (SesameCredentials  *self,
                                             GAsyncResult       *result,
                                             GError            **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
sesame_credentials_begin_removal (SesameCredentials *self)
{
  sesame_account_set_removing (self->account, TRUE);
  sesame_token_cache_clear (self->cache);
}

void
sesame_credentials_cancel_removal (SesameCredentials *self)
{
  sesame_account_set_removing (self->account, FALSE);
}

void
sesame_credentials_removal_unfinished (SesameCredentials *self)
{
  sesame_account_set_attention (self->account,
                                _("Removing this account did not finish. Remove it again."));
}

gboolean
sesame_credentials_check_not_removing (SesameCredentials  *self,
                                       GError            **error)
{
  if (!sesame_account_get_removing (self->account))
    return TRUE;
  /* The unfinished removal's own sentence, once it has one. */
  if (sesame_account_get_attention_needed (self->account))
    g_set_error_literal (error, SESAME_ERROR, SESAME_ERROR_NEEDS_ATTENTION,
                         sesame_account_get_attention_reason (self->account));
  else
    g_set_error_literal (error, SESAME_ERROR, SESAME_ERROR_NEEDS_ATTENTION,
                         _("This account is being removed."));
  return FALSE;
}

gboolean
sesame_credentials_is_client_credentials (SesameCredentials *self)
{
  return g_strcmp0 (sesame_account_get_flow (self->account), SESAME_FLOW_CLIENT_CREDENTIALS) == 0;
}

GError *
sesame_credentials_needs_attention (SesameCredentials *self,
                                    const char        *reason)
{
  sesame_account_set_attention (self->account, reason);
  sesame_token_cache_clear (self->cache);
  return g_error_new_literal (SESAME_ERROR, SESAME_ERROR_NEEDS_ATTENTION, reason);
}


static char *
item_label (SesameCredentials *self)
{
  return g_strdup_printf (_("Sesame: %s (%s)"),
                          sesame_account_get_identity (self->account),
                          sesame_provider_get_name (self->provider));
}

void
sesame_credentials_store_stored (SesameCredentials   *self,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autofree char *label = item_label (self);

  sesame_secret_store_store_async (self->secrets, sesame_account_get_id (self->account),
                                   label, self->stored, NULL, callback, user_data);
}

/* An account's tokens go only to the issuer it signed in with: not even
 * the discovery of another is asked for. */
gboolean
sesame_credentials_check_issuer (SesameCredentials  *self,
                                 GError            **error)
{
  return sesame_account_check_issuer (self->account, sesame_provider_get_issuer (self->provider),
                                      error);
}

static void
on_replaced (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SesameCredentials *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!sesame_secret_store_store_finish (self->secrets, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* The keyring first, the metadata (saved by the store) after: a kill
   * between them leaves the new grant under the old metadata, which at
   * worst still says to sign in again (and that works): never a dead
   * token handed out as good. A new sign-in (AddAccount of the same
   * identity) keeps an account whose removal did not finish: the mark
   * goes with the old grant; killed before it is saved, the next start
   * removes the account, as was asked for first. */
  sesame_token_cache_clear (self->cache);
  sesame_token_cache_store (self->cache, SESAME_TOKEN_CACHE_WHOLE_GRANT, self->stored,
                            g_get_real_time () / G_USEC_PER_SEC);
  sesame_account_set_removing (self->account, FALSE);
  sesame_account_set_scopes (self->account, (const char * const *) self->stored->scopes);
  sesame_account_set_expires_at (self->account, self->stored->expires_at);
  sesame_credentials_note_refreshed (self, TRUE);
  sesame_account_set_attention (self->account, NULL);
  sesame_account_set_flow (self->account, g_task_get_task_data (task));
  g_task_return_boolean (task, TRUE);
}

void
sesame_credentials_replace_async (SesameCredentials   *self,
                                  const SesameToken   *token,
                                  const char          *flow,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, sesame_credentials_replace_async);
  g_task_set_task_data (task, g_strdup (flow), g_free);
  g_clear_pointer (&self->stored, sesame_token_free);
  self->stored = sesame_token_copy (token);
  self->loaded = TRUE;
  sesame_credentials_store_stored (self, on_replaced, task);
}

gboolean
sesame_credentials_replace_finish (SesameCredentials *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_revoked (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!sesame_oauth_client_revoke_finish (SESAME_OAUTH_CLIENT (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* RFC 7009 §2.1: a token is revoked by the client it was issued to: the
 * account's own (client credentials), the provider's device client after a
 * device sign-in with one, else the provider's client (NULL). */
static const char *
issuing_client (SesameCredentials  *self,
                const char        **secret)
{
  const char *device_client = sesame_provider_get_device_client_id (self->provider);

  *secret = NULL;
  if (sesame_credentials_is_client_credentials (self))
    {
      *secret = self->stored->client_secret;
      return sesame_account_get_identity (self->account);
    }
  if (device_client != NULL
      && g_strcmp0 (sesame_account_get_flow (self->account), SESAME_FLOW_DEVICE_CODE) == 0)
    {
      *secret = sesame_provider_get_device_client_secret (self->provider);
      return device_client;
    }
  return NULL;
}

static void
send_revocation (GTask *task)
{
  SesameCredentials *self = g_task_get_source_object (task);
  const SesameToken *token = self->stored;
  const char *client_id, *client_secret;
  /* RFC 7009 §2.1: revoking the refresh token ends the whole grant; a
   * grant-style revocation names the grant by its access token. */
  gboolean by_refresh = token != NULL && token->refresh_token != NULL
    && g_strcmp0 (sesame_provider_get_revocation_style (self->provider),
                  SESAME_REVOCATION_RFC7009) == 0;

  if (token == NULL || !sesame_provider_revokes (self->provider))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  client_id = issuing_client (self, &client_secret);
  sesame_oauth_client_revoke_async (self->client, self->provider,
                                    by_refresh ? token->refresh_token : token->access_token,
                                    by_refresh ? "refresh_token" : "access_token",
                                    client_id, client_secret,
                                    g_task_get_cancellable (task), on_revoked, task);
}

static void
on_ready_for_revoke (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!sesame_provider_registry_ensure_discovered_finish (SESAME_PROVIDER_REGISTRY (source),
                                                          result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  send_revocation (task);
}

static void
revoke_stored (GTask *task)
{
  SesameCredentials *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!sesame_credentials_check_issuer (self, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  sesame_provider_registry_ensure_discovered_async (self->providers, self->client, self->provider,
                                                    g_task_get_cancellable (task),
                                                    on_ready_for_revoke, task);
}

static void
on_loaded_for_revoke (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  SesameCredentials *self = g_task_get_source_object (task);
  GError *error = NULL;
  SesameToken *token = sesame_secret_store_lookup_finish (self->secrets, result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  g_clear_pointer (&self->stored, sesame_token_free);
  self->stored = token;
  self->loaded = TRUE;
  revoke_stored (task);
}

void
sesame_credentials_revoke_async (SesameCredentials   *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, sesame_credentials_revoke_async);
  if (self->loaded)
    revoke_stored (task);
  else
    sesame_secret_store_lookup_async (self->secrets, sesame_account_get_id (self->account),
                                      cancellable, on_loaded_for_revoke, task);
}

gboolean
sesame_credentials_revoke_finish (SesameCredentials *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_deleted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!sesame_secret_store_clear_finish (SESAME_SECRET_STORE (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
sesame_credentials_delete_async (SesameCredentials   *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, sesame_credentials_delete_async);
  sesame_token_cache_clear (self->cache);
  g_clear_pointer (&self->stored, sesame_token_free);
  self->loaded = TRUE;
  self->deleted = TRUE;
  sesame_secret_store_clear_async (self->secrets, sesame_account_get_id (self->account), TRUE,
                                   cancellable, on_deleted, task);
}

gboolean
sesame_credentials_delete_finish (SesameCredentials *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
