/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-credentials-refresh.c: an account's tokens handed out per scope set:
 * one refresh at a time per account, rotation kept, callers of a set served
 * together */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-credentials-private.h"
#include "sesame-error.h"
#include "sesame-wall-clock.h"

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

static SesameCredentialsPending *
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
  SesameCredentialsPending *done = g_queue_pop_head (self->pending);
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
  sesame_credentials_pending_free (done);
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
    reason = g_strdup_printf (sesame_credentials_is_client_credentials (self)
                              ? _("%s refused the client secret. Replace the secret.")
                              : _("%s refused Sesame’s client registration. Sign in again "
                                  "after checking the provider settings."), name);
  else if (error->domain == SESAME_OAUTH_ERROR && error->code == SESAME_OAUTH_ERROR_INVALID_SCOPE)
    return g_error_new (SESAME_ERROR, SESAME_ERROR_SCOPE_NOT_GRANTED, "%s", error->message);
  else if (error->domain == SESAME_OAUTH_ERROR)
    return g_error_new (SESAME_ERROR, SESAME_ERROR_PROVIDER, "%s", error->message);
  else
    return g_steal_pointer (&owned);

  return sesame_credentials_needs_attention (self, reason);
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

void
sesame_credentials_note_refreshed (SesameCredentials *self,
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
  sesame_credentials_note_refreshed (self, FALSE);
  if (self->stored->scopes[0] != NULL)
    sesame_account_set_scopes (self->account, (const char * const *) self->stored->scopes);
  finish_waiters (self, NULL);
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
  sesame_credentials_note_refreshed (self, FALSE);
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

  if (sesame_credentials_is_client_credentials (self))
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
      sesame_credentials_store_stored (self, on_new_token_stored, g_object_ref (self));
      return;
    }
  if (take_rotated_refresh_token (self->stored, fresh))
    {
      self->narrow = g_steal_pointer (&fresh);
      sesame_credentials_store_stored (self, on_narrow_rotation_stored, g_object_ref (self));
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

  if (sesame_credentials_is_client_credentials (self))
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
      finish_waiters (self, sesame_credentials_needs_attention (self, reason));
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


/* The provider's endpoints may come from discovery, once per run. */
static void
request_new_token (SesameCredentials *self)
{
  GError *error = NULL;

  if (!sesame_credentials_check_issuer (self, &error))
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
      const char *reason = _("The keyring holds no sign-in for this account. Sign in again.");

      finish_waiters (self, sesame_credentials_needs_attention (self, reason));
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
  SesameCredentialsPending *pending = NULL;

  for (GList *l = self->pending->head; l != NULL && pending == NULL; l = l->next)
    if (g_str_equal (((SesameCredentialsPending *) l->data)->key, key))
      pending = l->data;
  if (pending == NULL)
    {
      pending = g_new0 (SesameCredentialsPending, 1);
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

  key = sesame_credentials_checked_key (self, scopes, &error);
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
