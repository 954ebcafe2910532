/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-token-cache.c: an account's access tokens in memory, one per scope set */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-error.h"
#include "sesame-granted-scopes.h"
#include "sesame-token-cache.h"

/* A token is handed out while it has this long left, unless the provider's
 * tokens live shorter; then while half of its lifetime is left. */
#define MIN_VALIDITY_SECONDS 60

typedef struct {
  char   *access_token;
  gint64  expires_at;
  gint64  obtained_at;     /* 0 when unknown (read back from the keyring) */
  char  **scopes;          /* what the token covers */
} Cached;

struct _SesameTokenCache
{
  GObject     parent_instance;

  GMutex      lock;        /* the broker reads from GDBus's thread */
  GHashTable *tokens;      /* key → Cached */
};

G_DEFINE_FINAL_TYPE (SesameTokenCache, sesame_token_cache, G_TYPE_OBJECT)

static void
cached_free (Cached *cached)
{
  sesame_secret_string_free (cached->access_token);
  g_strfreev (cached->scopes);
  g_free (cached);
}

static void
sesame_token_cache_finalize (GObject *object)
{
  SesameTokenCache *self = SESAME_TOKEN_CACHE (object);

  g_hash_table_unref (self->tokens);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (sesame_token_cache_parent_class)->finalize (object);
}

static void
sesame_token_cache_class_init (SesameTokenCacheClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sesame_token_cache_finalize;
}

static void
sesame_token_cache_init (SesameTokenCache *self)
{
  g_mutex_init (&self->lock);
  self->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) cached_free);
}

SesameTokenCache *
sesame_token_cache_new (void)
{
  return g_object_new (SESAME_TYPE_TOKEN_CACHE, NULL);
}

static gboolean
contains_all (const char * const *set,
              const char * const *scopes)
{
  for (guint i = 0; scopes != NULL && scopes[i] != NULL; i++)
    if (set == NULL || !g_strv_contains (set, scopes[i]))
      return FALSE;
  return TRUE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The set as a key: sorted, each scope once. */
static char *
join_set (const char * const *scopes)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();

  for (guint i = 0; scopes[i] != NULL; i++)
    if (!g_ptr_array_find_with_equal_func (sorted, scopes[i], g_str_equal, NULL))
      g_ptr_array_add (sorted, (gpointer) scopes[i]);
  g_ptr_array_sort (sorted, compare_strings);
  g_ptr_array_add (sorted, NULL);
  return g_strjoinv (" ", (char **) sorted->pdata);
}

static char *
key_of_set (SesameProvider     *provider,
            const char * const *granted,
            const char * const *set)
{
  if (contains_all (set, granted) || !sesame_provider_get_narrow_scopes (provider))
    return g_strdup (SESAME_TOKEN_CACHE_WHOLE_GRANT);
  return join_set (set);
}

char *
sesame_token_cache_key_for (SesameProvider      *provider,
                            const char * const  *granted,
                            const char * const  *asked,
                            GError             **error)
{
  gboolean one_resource = sesame_provider_get_one_resource_per_token (provider);

  if (asked != NULL && asked[0] != NULL)
    {
      if (one_resource && sesame_scopes_span_resources (asked))
        {
          g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                       _("A token from %s serves one service at a time. Ask for the scopes of "
                         "one service (the same address before the scope name) at a time."),
                       sesame_provider_get_name (provider));
          return NULL;
        }
      return key_of_set (provider, granted, asked);
    }
  if (one_resource)
    {
      g_auto(GStrv) first = sesame_scopes_of_one_resource (provider, granted);

      if (first != NULL && first[0] != NULL)
        return key_of_set (provider, granted, (const char * const *) first);
    }
  return g_strdup (SESAME_TOKEN_CACHE_WHOLE_GRANT);
}

char **
sesame_token_cache_key_scopes (const char *key)
{
  if (key == NULL || key[0] == '\0')
    return NULL;
  return g_strsplit (key, " ", -1);
}

void
sesame_token_cache_store (SesameTokenCache  *self,
                          const char        *key,
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
      cached->scopes = g_strdupv (token->scopes);
    }

  g_mutex_lock (&self->lock);
  if (cached != NULL)
    g_hash_table_replace (self->tokens, g_strdup (key), cached);
  else
    g_hash_table_remove (self->tokens, key);
  g_mutex_unlock (&self->lock);
}

static gboolean
still_valid (const Cached *cached,
             gint64        now)
{
  gint64 margin = MIN_VALIDITY_SECONDS;

  if (cached->expires_at == 0)
    return TRUE;
  if (cached->obtained_at > 0 && cached->expires_at > cached->obtained_at)
    margin = MIN (margin, (cached->expires_at - cached->obtained_at) / 2);
  return cached->expires_at - now > margin;
}

static gboolean
carries_no_more (const Cached       *cached,
                 const char * const *asked)
{
  if (asked == NULL || asked[0] == NULL)
    return TRUE;
  return contains_all (asked, (const char * const *) cached->scopes);
}

gboolean
sesame_token_cache_lookup (SesameTokenCache   *self,
                           const char         *key,
                           const char * const *asked,
                           gint64              now,
                           char              **token,
                           gint64             *expires_at,
                           gboolean           *narrowed)
{
  gboolean found = FALSE;
  Cached *cached;

  g_mutex_lock (&self->lock);
  cached = g_hash_table_lookup (self->tokens, key);
  if (cached != NULL && contains_all ((const char * const *) cached->scopes, asked) &&
      still_valid (cached, now))
    {
      *token = g_strdup (cached->access_token);
      *expires_at = cached->expires_at;
      if (narrowed != NULL)
        *narrowed = carries_no_more (cached, asked);
      found = TRUE;
    }
  g_mutex_unlock (&self->lock);
  return found;
}

gboolean
sesame_token_cache_is_fresh (SesameTokenCache *self,
                             const char       *key,
                             gint64            now)
{
  Cached *cached;
  gboolean fresh;

  g_mutex_lock (&self->lock);
  cached = g_hash_table_lookup (self->tokens, key);
  fresh = cached != NULL && still_valid (cached, now);
  g_mutex_unlock (&self->lock);
  return fresh;
}

void
sesame_token_cache_clear (SesameTokenCache *self)
{
  g_mutex_lock (&self->lock);
  g_hash_table_remove_all (self->tokens);
  g_mutex_unlock (&self->lock);
}
