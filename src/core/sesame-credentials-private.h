/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-credentials-private.h: what an account's token manager holds, shared
 * by its object (sesame-credentials.c: the cache, removal, replacing, revoking
 * and deleting) and its refresh queue (sesame-credentials-refresh.c) */
#pragma once

#include "sesame-credentials.h"
#include "sesame-token-cache.h"

G_BEGIN_DECLS

/* The callers waiting for one scope set's token (single flight per set). */
typedef struct {
  char      *key;       /* of the set, as sesame_token_cache_key_for() gives it */
  GPtrArray *tasks;     /* GTask, each with the scopes it asked for */
  gboolean   force;     /* Refresh(): past the caches */
} SesameCredentialsPending;

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
  GQueue            *pending;  /* SesameCredentialsPending */
  SesameToken       *narrow;   /* a narrower set's answer, until served */
  gboolean           deleted;  /* removed meanwhile: write nothing back */
};

void     sesame_credentials_pending_free (SesameCredentialsPending *pending);

/* The key of the token for @scopes, or NULL when no token may carry them
 * (as sesame_credentials_check_scopes() says). */
char    *sesame_credentials_checked_key (SesameCredentials   *self,
                                         const char * const  *scopes,
                                         GError             **error);
gboolean sesame_credentials_is_client_credentials (SesameCredentials *self);

/* Marks the account and fails with NeedsAttention, saying why. */
GError  *sesame_credentials_needs_attention (SesameCredentials *self,
                                             const char        *reason);

/* An account's tokens go only to the issuer it signed in with: not even
 * the discovery of another is asked for. */
gboolean sesame_credentials_check_issuer (SesameCredentials  *self,
                                          GError            **error);

/* Writes the keyring item (self->stored) back. */
void     sesame_credentials_store_stored (SesameCredentials   *self,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);

/* Notes a sign-in (@grant) or a refresh on the account: when, and when its
 * refresh token is expected to die (RefreshExpiresAt). */
void     sesame_credentials_note_refreshed (SesameCredentials *self,
                                            gboolean           grant);

G_END_DECLS
