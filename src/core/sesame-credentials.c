/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-credentials.c: an account's token manager: cache, refresh, rotation, revocation */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-credentials.h"
#include "sesame-error.h"
#include "sesame-granted-scopes.h"

/* A token is handed out while it has this long left, unless the provider's
 * tokens live shorter; then while half of its lifetime is left. */
#define MIN_VALIDITY_SECONDS 60

typedef struct {
  char   *access_token;
  gint64  expires_at;
  gint64  obtained_at;     /* 0 when unknown (read back from the keyring) */
  char  **scopes;          /* what the token covers */
} Cached;

struct _SesameCredentials
{
  GObject            parent_instance;

  SesameAccount     *account;
  SesameProvider    *provider;
  SesameProviderRegistry *providers;
  SesameOAuthClient *client;
  SesameSecretStore *secrets;

  GMutex             lock;     /* guards cached: read from GDBus's thread */
  Cached            *cached;

  SesameToken       *stored;   /* the keyring item, once read */
  gboolean           loaded;

  /* The one refresh in flight and the callers sharing it. */
  GPtrArray         *waiters;
  gboolean           force;
  gboolean           deleted;   /* removed meanwhile: write nothing back */
};

G_DEFINE_FINAL_TYPE (SesameCredentials, sesame_credentials, G_TYPE_OBJECT)

static void
cached_free (Cached *cached)
{
  if (cached == NULL)
    return;
  sesame_secret_string_free (cached->access_token);
  g_strfreev (cached->scopes);
  g_free (cached);
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
  g_clear_pointer (&self->cached, cached_free);
  g_clear_pointer (&self->stored, sesame_token_free);
  g_ptr_array_unref (self->waiters);
  g_mutex_clear (&self->lock);

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
  g_mutex_init (&self->lock);
  self->waiters = g_ptr_array_new ();
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
still_valid (gint64 expires_at,
             gint64 obtained_at,
             gint64 now)
{
  gint64 margin = MIN_VALIDITY_SECONDS;

  if (expires_at == 0)
    return TRUE;
  if (obtained_at > 0 && expires_at > obtained_at)
    margin = MIN (margin, (expires_at - obtained_at) / 2);
  return expires_at - now > margin;
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

gboolean
sesame_credentials_check_scopes (SesameCredentials   *self,
                                 const char * const  *scopes,
                                 GError             **error)
{
  if (sesame_provider_get_one_resource_per_token (self->provider) &&
      sesame_scopes_span_resources (scopes))
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                   _("A token from %s serves one service at a time. Ask for the scopes of one "
                     "service (the same address before the scope name) at a time."),
                   sesame_provider_get_name (self->provider));
      return FALSE;
    }
  if (covers (sesame_account_get_scopes (self->account), scopes))
    return TRUE;
  g_set_error_literal (error, SESAME_ERROR, SESAME_ERROR_SCOPE_NOT_GRANTED,
                       _("This account was not granted every scope asked for. Sign in again "
                         "and allow them."));
  return FALSE;
}

/* What the access token serves: the grant, but for a one-resource-per-token
 * provider only the resource its token request asked for, so that a token
 * for Outlook is never handed out as one for Graph. */
static char **
dup_token_scopes (SesameCredentials *self,
                  const SesameToken *token)
{
  char **one_resource = sesame_scopes_of_one_resource (self->provider,
                                                       (const char * const *) token->scopes);

  return one_resource != NULL ? one_resource : g_strdupv (token->scopes);
}

static void
set_cached (SesameCredentials *self,
            const SesameToken *token,
            gint64             obtained_at)
{
  Cached *cached = NULL;

  if (token != NULL && token->access_token != NULL)
    {
      cached = g_new0 (Cached, 1);
      cached->access_token = g_strdup (token->access_token);
      cached->expires_at = token->expires_at;
      cached->obtained_at = obtained_at;
      cached->scopes = dup_token_scopes (self, token);
    }

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->cached, cached_free);
  self->cached = cached;
  g_mutex_unlock (&self->lock);
}

gboolean
sesame_credentials_lookup_cached (SesameCredentials  *self,
                                  const char * const *scopes,
                                  char              **token,
                                  gint64             *expires_at)
{
  gboolean found = FALSE;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_mutex_lock (&self->lock);
  if (self->cached != NULL &&
      covers ((const char * const *) self->cached->scopes, scopes) &&
      still_valid (self->cached->expires_at, self->cached->obtained_at, now))
    {
      *token = g_strdup (self->cached->access_token);
      *expires_at = self->cached->expires_at;
      found = TRUE;
    }
  g_mutex_unlock (&self->lock);
  return found;
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
  set_cached (self, NULL, 0);
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

static gboolean
is_client_credentials (SesameCredentials *self)
{
  return g_strcmp0 (sesame_account_get_flow (self->account), SESAME_FLOW_CLIENT_CREDENTIALS) == 0;
}

/* Marks the account and fails with NeedsAttention, saying why. */
static GError *
needs_attention (SesameCredentials *self,
                 const char        *reason)
{
  sesame_account_set_attention (self->account, reason);
  set_cached (self, NULL, 0);
  return g_error_new_literal (SESAME_ERROR, SESAME_ERROR_NEEDS_ATTENTION, reason);
}

/* What sesame_credentials_get_token_async() completes with. */
typedef struct {
  char   *token;
  gint64  expires_at;
} Result;

static Result *
result_new (char   *token,
            gint64  expires_at)
{
  Result *result = g_new0 (Result, 1);

  result->token = token;
  result->expires_at = expires_at;
  return result;
}

static void
result_free (Result *result)
{
  sesame_secret_string_free (result->token);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Result, result_free)

/* Hands the cached token to everyone who waited for this refresh. */
static void
finish_waiters (SesameCredentials *self,
                GError            *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->waiters);
  g_autoptr(GError) owned = error;

  self->waiters = g_ptr_array_new ();
  self->force = FALSE;

  for (guint i = 0; i < waiters->len; i++)
    {
      g_autoptr(GTask) task = waiters->pdata[i];
      const char * const *scopes = g_task_get_task_data (task);

      if (owned != NULL)
        g_task_return_error (task, g_error_copy (owned));
      else if (!covers ((const char * const *) self->cached->scopes, scopes))
        g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_SCOPE_NOT_GRANTED,
                                 _("This account was not granted every scope asked for. "
                                   "Sign in again and allow them."));
      else
        g_task_return_pointer (task, result_new (g_strdup (self->cached->access_token),
                                                 self->cached->expires_at),
                               (GDestroyNotify) result_free);
    }
}

static GError *
map_refresh_error (SesameCredentials *self,
                   GError            *error)
{
  const char *name = sesame_provider_get_name (self->provider);
  g_autofree char *reason = NULL;
  g_autoptr(GError) owned = error;

  if (error->domain == SESAME_OAUTH_ERROR && error->code == SESAME_OAUTH_ERROR_INVALID_GRANT)
    reason = g_strdup_printf (_("%s no longer accepts this sign-in: it was revoked or has "
                                "expired. Sign in again."), name);
  else if (error->domain == SESAME_OAUTH_ERROR && error->code == SESAME_OAUTH_ERROR_INVALID_CLIENT)
    reason = g_strdup_printf (is_client_credentials (self)
                              ? _("%s refused the client secret. Replace the secret.")
                              : _("%s refused Sesame’s client registration. Sign in again "
                                  "after checking the provider settings."), name);
  else if (error->domain == SESAME_OAUTH_ERROR && error->code == SESAME_OAUTH_ERROR_INVALID_SCOPE)
    return g_error_new (SESAME_ERROR, SESAME_ERROR_SCOPE_NOT_GRANTED, "%s", error->message);
  else if (error->domain == SESAME_OAUTH_ERROR)
    return g_error_new (SESAME_ERROR, SESAME_ERROR_PROVIDER, "%s", error->message);
  else
    return g_steal_pointer (&owned);

  return needs_attention (self, reason);
}

static void
on_new_token_stored (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(SesameCredentials) self = user_data;
  GError *error = NULL;

  /* A rotated refresh token reaches the keyring before anyone gets the new
   * access token: nobody is served when the write failed. A kill between
   * the provider's answer and this write loses the new refresh token, and
   * the old one is refused at the next refresh: the account then needs
   * attention, it never hands out a dead token. A kill after it leaves
   * only the metadata's ExpiresAt behind, which is not used to serve. */
  if (!sesame_secret_store_store_finish (self->secrets, result, &error))
    {
      finish_waiters (self, error);
      return;
    }
  /* Remove began meanwhile: the token is in the keyring for its
   * revocation, but nobody is served. */
  if (!sesame_credentials_check_not_removing (self, &error))
    {
      finish_waiters (self, error);
      return;
    }

  set_cached (self, self->stored, g_get_real_time () / G_USEC_PER_SEC);
  sesame_account_set_expires_at (self->account, self->stored->expires_at);
  if (self->stored->scopes[0] != NULL)
    sesame_account_set_scopes (self->account, (const char * const *) self->stored->scopes);
  finish_waiters (self, NULL);
}

static char *
item_label (SesameCredentials *self)
{
  return g_strdup_printf (_("Sesame: %s (%s)"),
                          sesame_account_get_identity (self->account),
                          sesame_provider_get_name (self->provider));
}

static void
store_stored (SesameCredentials   *self,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autofree char *label = item_label (self);

  sesame_secret_store_store_async (self->secrets, sesame_account_get_id (self->account),
                                   label, self->stored, NULL, callback, user_data);
}

static void
on_refreshed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SesameCredentials) self = user_data;
  g_autoptr(SesameToken) fresh = NULL;
  GError *error = NULL;

  if (is_client_credentials (self))
    fresh = sesame_oauth_client_client_credentials_finish (self->client, result, &error);
  else
    fresh = sesame_oauth_client_refresh_finish (self->client, result, &error);

  if (fresh == NULL)
    {
      finish_waiters (self, map_refresh_error (self, error));
      return;
    }
  if (self->deleted)
    {
      finish_waiters (self, g_error_new_literal (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                                                 _("This account was removed.")));
      return;
    }

  sesame_token_update (self->stored, fresh);
  store_stored (self, on_new_token_stored, g_object_ref (self));
}

static void
send_token_request (SesameCredentials *self)
{
  const char * const *granted = sesame_account_get_scopes (self->account);

  if (is_client_credentials (self))
    {
      sesame_oauth_client_client_credentials_async (self->client, self->provider,
                                                    sesame_account_get_identity (self->account),
                                                    self->stored->client_secret,
                                                    granted, NULL,
                                                    on_refreshed, g_object_ref (self));
      return;
    }

  if (self->stored->refresh_token == NULL)
    {
      g_autofree char *reason =
        g_strdup_printf (_("The sign-in to %s has expired and the provider gave no way to "
                           "renew it. Sign in again."),
                         sesame_provider_get_name (self->provider));
      finish_waiters (self, needs_attention (self, reason));
      return;
    }

  sesame_oauth_client_refresh_async (self->client, self->provider,
                                     self->stored->refresh_token, NULL, granted,
                                     sesame_account_get_flow (self->account), NULL,
                                     on_refreshed, g_object_ref (self));
}

static void
on_ready_for_token (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SesameCredentials) self = user_data;
  GError *error = NULL;

  if (!sesame_provider_registry_ensure_discovered_finish (self->providers, result, &error))
    {
      finish_waiters (self, error);
      return;
    }
  send_token_request (self);
}

/* An account's tokens go only to the issuer it signed in with: not even
 * the discovery of another is asked for. */
static gboolean
check_issuer (SesameCredentials  *self,
              GError            **error)
{
  return sesame_account_check_issuer (self->account, sesame_provider_get_issuer (self->provider),
                                      error);
}

/* The provider's endpoints may come from discovery, once per run. */
static void
request_new_token (SesameCredentials *self)
{
  GError *error = NULL;

  if (!check_issuer (self, &error))
    {
      finish_waiters (self, error);
      return;
    }
  sesame_provider_registry_ensure_discovered_async (self->providers, self->client, self->provider,
                                                    NULL, on_ready_for_token, g_object_ref (self));
}

/* With the keyring item at hand: serve its token, or get a new one. */
static void
continue_refresh (SesameCredentials *self)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GError *error = NULL;

  if (!sesame_credentials_check_not_removing (self, &error))
    {
      finish_waiters (self, error);
      return;
    }
  if (self->stored == NULL)
    {
      finish_waiters (self,
                      needs_attention (self, _("The keyring holds no sign-in for this "
                                               "account. Sign in again.")));
      return;
    }

  if (!self->force && self->stored->access_token != NULL &&
      still_valid (self->stored->expires_at, 0, now))
    {
      set_cached (self, self->stored, 0);
      finish_waiters (self, NULL);
      return;
    }

  request_new_token (self);
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SesameCredentials) self = user_data;
  GError *error = NULL;
  SesameToken *token = sesame_secret_store_lookup_finish (self->secrets, result, &error);

  if (error != NULL)
    {
      finish_waiters (self, error);
      return;
    }

  g_clear_pointer (&self->stored, sesame_token_free);
  self->stored = token;
  self->loaded = TRUE;
  continue_refresh (self);
}

static void
run_refresh (SesameCredentials *self)
{
  GError *error = NULL;

  if (!sesame_credentials_check_not_removing (self, &error))
    {
      finish_waiters (self, error);
      return;
    }
  if (sesame_account_get_attention_needed (self->account))
    {
      finish_waiters (self,
                      g_error_new_literal (SESAME_ERROR, SESAME_ERROR_NEEDS_ATTENTION,
                                           sesame_account_get_attention_reason (self->account)));
      return;
    }

  if (!self->loaded)
    {
      sesame_secret_store_lookup_async (self->secrets, sesame_account_get_id (self->account),
                                        NULL, on_loaded, g_object_ref (self));
      return;
    }
  continue_refresh (self);
}

void
sesame_credentials_get_token_async (SesameCredentials   *self,
                                    const char * const  *scopes,
                                    gboolean             refresh_now,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;
  char *token = NULL;
  gint64 expires_at = 0;

  g_task_set_source_tag (task, sesame_credentials_get_token_async);
  /* What the waiter needs once a refresh it shares is done. */
  g_task_set_task_data (task, g_strdupv ((char **) scopes), (GDestroyNotify) g_strfreev);

  if (!sesame_credentials_check_scopes (self, scopes, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (!refresh_now && sesame_credentials_lookup_cached (self, scopes, &token, &expires_at))
    {
      g_task_return_pointer (task, result_new (token, expires_at), (GDestroyNotify) result_free);
      return;
    }

  /* Everyone asking meanwhile shares the refresh in flight. */
  g_ptr_array_add (self->waiters, g_steal_pointer (&task));
  self->force |= refresh_now;
  if (self->waiters->len == 1)
    run_refresh (self);
}

gboolean
sesame_credentials_get_token_finish (SesameCredentials  *self,
                                     GAsyncResult       *result,
                                     char              **token,
                                     gint64             *expires_at,
                                     GError            **error)
{
  g_autoptr(Result) value = g_task_propagate_pointer (G_TASK (result), error);

  if (value == NULL)
    return FALSE;
  *token = g_steal_pointer (&value->token);
  *expires_at = value->expires_at;
  return TRUE;
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
  set_cached (self, self->stored, g_get_real_time () / G_USEC_PER_SEC);
  sesame_account_set_removing (self->account, FALSE);
  sesame_account_set_scopes (self->account, (const char * const *) self->stored->scopes);
  sesame_account_set_expires_at (self->account, self->stored->expires_at);
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
  store_stored (self, on_replaced, task);
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

static void
send_revocation (GTask *task)
{
  SesameCredentials *self = g_task_get_source_object (task);
  const SesameToken *token = self->stored;
  gboolean cc = is_client_credentials (self);
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

  sesame_oauth_client_revoke_async (self->client, self->provider,
                                    by_refresh ? token->refresh_token : token->access_token,
                                    by_refresh ? "refresh_token" : "access_token",
                                    cc ? sesame_account_get_identity (self->account) : NULL,
                                    cc ? token->client_secret : NULL,
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

  if (!check_issuer (self, &error))
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
  set_cached (self, NULL, 0);
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
