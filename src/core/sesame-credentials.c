/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-credentials.c: an account's token manager: cache, refresh, rotation, revocation */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-credentials.h"
#include "sesame-error.h"
#include "sesame-token-cache.h"
#include "sesame-wall-clock.h"

/* The callers waiting for one scope set's token (single flight per set). */
typedef struct {
  char      *key;       /* of the set, as sesame_token_cache_key_for() gives it */
  GPtrArray *tasks;     /* GTask, each with the scopes it asked for */
  gboolean   force;     /* Refresh(): past the caches */
} Pending;

struct _SesameCredentials
{
  GObject            parent_instance;

  SesameAccount     *account;
  SesameProvider    *provider;
  SesameProviderRegistry *providers;
  SesameOAuthClient *client;
  SesameSecretStore *secrets;

  SesameTokenCache  *cache;    /* per scope set; the whole grant's is the keyring's */

  SesameToken       *stored;   /* the keyring item, once read */
  gboolean           loaded;

  /* One refresh at a time per account, whatever its set (each may rotate
   * the refresh token): the head is the one in flight. */
  GQueue            *pending;  /* Pending */
  SesameToken       *narrow;   /* a narrower set's answer, until served */
  gboolean           deleted;  /* removed meanwhile: write nothing back */
};

G_DEFINE_FINAL_TYPE (SesameCredentials, sesame_credentials, G_TYPE_OBJECT)

static void
pending_free (Pending *pending)
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
  g_queue_free_full (self->pending, (GDestroyNotify) pending_free);

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

/* The key of the token for @scopes, or NULL when no token may carry them
 * (as sesame_credentials_check_scopes() says). */
static char *
checked_key (SesameCredentials   *self,
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
  g_autofree char *key = checked_key (self, scopes, error);

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
  sesame_token_cache_clear (self->cache);
  return g_error_new_literal (SESAME_ERROR, SESAME_ERROR_NEEDS_ATTENTION, reason);
}

/* What sesame_credentials_get_token_async() completes with. */
typedef struct {
  char    *token;
  gint64   expires_at;
  gboolean narrowed;
} Result;

static Result *
result_new (char     *token,
            gint64    expires_at,
            gboolean  narrowed)
{
  Result *result = g_new0 (Result, 1);

  result->token = token;
  result->expires_at = expires_at;
  result->narrowed = narrowed;
  return result;
}

static void
result_free (Result *result)
{
  sesame_secret_string_free (result->token);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Result, result_free)

static void run_refresh (SesameCredentials *self);

static Pending *
head (SesameCredentials *self)
{
  return g_queue_peek_head (self->pending);
}

static gboolean
head_is_whole_grant (SesameCredentials *self)
{
  return g_str_equal (head (self)->key, SESAME_TOKEN_CACHE_WHOLE_GRANT);
}

/* Hands the set's cached token to everyone who waited for this refresh,
 * then runs the next set's. */
static void
finish_waiters (SesameCredentials *self,
                GError            *error)
{
  Pending *done = g_queue_pop_head (self->pending);
  g_autoptr(GError) owned = error;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  for (guint i = 0; i < done->tasks->len; i++)
    {
      GTask *task = done->tasks->pdata[i];
      const char * const *scopes = g_task_get_task_data (task);
      char *token = NULL;
      gint64 expires_at = 0;
      gboolean narrowed = FALSE;

      if (owned != NULL)
        g_task_return_error (task, g_error_copy (owned));
      else if (!sesame_token_cache_lookup (self->cache, done->key, scopes, now,
                                           &token, &expires_at, &narrowed))
        g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_SCOPE_NOT_GRANTED,
                                 _("This account was not granted every scope asked for. "
                                   "Sign in again and allow them."));
      else
        g_task_return_pointer (task, result_new (token, expires_at, narrowed),
                               (GDestroyNotify) result_free);
    }
  pending_free (done);
  if (!g_queue_is_empty (self->pending))
    run_refresh (self);
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

#define DAY_SECONDS (24 * 60 * 60)

/* RefreshExpiresAt after a sign-in (@grant) or a refresh: the response's
 * refresh_token_expires_in wins; else the provider's lifetime, counted from
 * the sign-in; else its idle limit, counted from now; else, after a refresh,
 * what it was (the refresh token lives on), and after a sign-in unknown. */
static gint64
refresh_end (SesameCredentials *self,
             gboolean           grant,
             gint64             now)
{
  guint lifetime_days = sesame_provider_get_refresh_token_lifetime_days (self->provider);
  guint idle_days = sesame_provider_get_refresh_token_idle_days (self->provider);

  if (self->stored->refresh_token == NULL)
    return 0;
  if (self->stored->refresh_expires_in > 0)
    return now + self->stored->refresh_expires_in;
  if (lifetime_days > 0 && grant)
    return now + (gint64) lifetime_days * DAY_SECONDS;
  if (idle_days > 0)
    return now + (gint64) idle_days * DAY_SECONDS;
  return grant ? 0 : sesame_account_get_refresh_expires_at (self->account);
}

static void
note_refreshed (SesameCredentials *self,
                gboolean           grant)
{
  gint64 now = sesame_wall_clock_now ();

  sesame_account_set_refreshed (self->account, now, refresh_end (self, grant, now));
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

  sesame_token_cache_store (self->cache, SESAME_TOKEN_CACHE_WHOLE_GRANT, self->stored,
                            g_get_real_time () / G_USEC_PER_SEC);
  sesame_account_set_expires_at (self->account, self->stored->expires_at);
  note_refreshed (self, FALSE);
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

/* A narrower set's token, once any refresh token it rotated is in the
 * keyring: cached for its set alone; the keyring keeps the whole grant's. */
static void
serve_narrow (SesameCredentials *self)
{
  g_autoptr(SesameToken) token = g_steal_pointer (&self->narrow);
  GError *error = NULL;

  if (!sesame_credentials_check_not_removing (self, &error))
    {
      finish_waiters (self, error);
      return;
    }
  sesame_token_cache_store (self->cache, head (self)->key, token,
                            g_get_real_time () / G_USEC_PER_SEC);
  /* The refresh token was used: an idle limit starts again. */
  note_refreshed (self, FALSE);
  finish_waiters (self, NULL);
}

static void
on_narrow_rotation_stored (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(SesameCredentials) self = user_data;
  GError *error = NULL;

  if (!sesame_secret_store_store_finish (self->secrets, result, &error))
    {
      g_clear_pointer (&self->narrow, sesame_token_free);
      finish_waiters (self, error);
      return;
    }
  serve_narrow (self);
}

/* RFC 6749 §6: a refresh may rotate the refresh token, whatever scope it
 * asked for; the grant's own access token stays. */
static gboolean
take_rotated_refresh_token (SesameToken *stored,
                            SesameToken *fresh)
{
  /* Its end is the grant's, whichever set was asked for. */
  stored->refresh_expires_in = fresh->refresh_expires_in;
  if (fresh->refresh_token == NULL || g_strcmp0 (fresh->refresh_token, stored->refresh_token) == 0)
    return FALSE;
  sesame_secret_string_free (stored->refresh_token);
  stored->refresh_token = g_steal_pointer (&fresh->refresh_token);
  return TRUE;
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

  if (head_is_whole_grant (self))
    {
      sesame_token_update (self->stored, fresh);
      store_stored (self, on_new_token_stored, g_object_ref (self));
      return;
    }
  if (take_rotated_refresh_token (self->stored, fresh))
    {
      self->narrow = g_steal_pointer (&fresh);
      store_stored (self, on_narrow_rotation_stored, g_object_ref (self));
      return;
    }
  self->narrow = g_steal_pointer (&fresh);
  serve_narrow (self);
}

static void
send_token_request (SesameCredentials *self)
{
  const char * const *granted = sesame_account_get_scopes (self->account);
  /* A narrower set is asked for by its scope (RFC 6749 §6); the whole
   * grant by none. */
  g_auto(GStrv) narrow = sesame_token_cache_key_scopes (head (self)->key);

  if (is_client_credentials (self))
    {
      sesame_oauth_client_client_credentials_async (self->client, self->provider,
                                                    sesame_account_get_identity (self->account),
                                                    self->stored->client_secret,
                                                    narrow != NULL
                                                    ? (const char * const *) narrow : granted,
                                                    NULL, on_refreshed, g_object_ref (self));
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
                                     self->stored->refresh_token,
                                     (const char * const *) narrow, granted,
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

  /* The keyring's token serves the whole grant while it has time left. */
  if (head_is_whole_grant (self) && !head (self)->force)
    {
      sesame_token_cache_store (self->cache, SESAME_TOKEN_CACHE_WHOLE_GRANT, self->stored, 0);
      if (sesame_token_cache_is_fresh (self->cache, SESAME_TOKEN_CACHE_WHOLE_GRANT, now))
        {
          finish_waiters (self, NULL);
          return;
        }
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

/* Joins the refresh of @key in flight or queued, or queues one. */
static void
add_waiter (SesameCredentials *self,
            const char        *key,
            GTask             *task,
            gboolean           force)
{
  Pending *pending = NULL;

  for (GList *l = self->pending->head; l != NULL && pending == NULL; l = l->next)
    if (g_str_equal (((Pending *) l->data)->key, key))
      pending = l->data;
  if (pending == NULL)
    {
      pending = g_new0 (Pending, 1);
      pending->key = g_strdup (key);
      pending->tasks = g_ptr_array_new_with_free_func (g_object_unref);
      g_queue_push_tail (self->pending, pending);
    }
  g_ptr_array_add (pending->tasks, task);
  pending->force |= force;
  if (self->pending->length == 1 && pending->tasks->len == 1)
    run_refresh (self);
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
  g_autofree char *key = NULL;
  GError *error = NULL;
  char *token = NULL;
  gint64 expires_at = 0;
  gboolean narrowed = FALSE;

  g_task_set_source_tag (task, sesame_credentials_get_token_async);
  /* What the waiter needs once a refresh it shares is done. */
  g_task_set_task_data (task, g_strdupv ((char **) scopes), (GDestroyNotify) g_strfreev);

  key = checked_key (self, scopes, &error);
  if (key == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (!refresh_now &&
      sesame_token_cache_lookup (self->cache, key, scopes, g_get_real_time () / G_USEC_PER_SEC,
                                 &token, &expires_at, &narrowed))
    {
      g_task_return_pointer (task, result_new (token, expires_at, narrowed),
                             (GDestroyNotify) result_free);
      return;
    }

  add_waiter (self, key, g_steal_pointer (&task), refresh_now);
}

gboolean
sesame_credentials_get_token_finish (SesameCredentials  *self,
                                     GAsyncResult       *result,
                                     char              **token,
                                     gint64             *expires_at,
                                     gboolean           *narrowed,
                                     GError            **error)
{
  g_autoptr(Result) value = g_task_propagate_pointer (G_TASK (result), error);

  if (value == NULL)
    return FALSE;
  *token = g_steal_pointer (&value->token);
  *expires_at = value->expires_at;
  if (narrowed != NULL)
    *narrowed = value->narrowed;
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
  sesame_token_cache_clear (self->cache);
  sesame_token_cache_store (self->cache, SESAME_TOKEN_CACHE_WHOLE_GRANT, self->stored,
                            g_get_real_time () / G_USEC_PER_SEC);
  sesame_account_set_removing (self->account, FALSE);
  sesame_account_set_scopes (self->account, (const char * const *) self->stored->scopes);
  sesame_account_set_expires_at (self->account, self->stored->expires_at);
  note_refreshed (self, TRUE);
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
