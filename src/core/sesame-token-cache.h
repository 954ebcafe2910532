/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-token-cache.h: an account's access tokens in memory, one per scope set */
#pragma once

#include "sesame-provider.h"
#include "sesame-token.h"

G_BEGIN_DECLS

#define SESAME_TYPE_TOKEN_CACHE (sesame_token_cache_get_type ())
G_DECLARE_FINAL_TYPE (SesameTokenCache, sesame_token_cache, SESAME, TOKEN_CACHE, GObject)

/* The key of the whole grant's token (the one the keyring keeps). */
#define SESAME_TOKEN_CACHE_WHOLE_GRANT ""

/* Which token serves @asked (DESIGN.md, Tokens per scope set): the whole
 * grant's (SESAME_TOKEN_CACHE_WHOLE_GRANT) when @asked is empty, covers the
 * grant or the provider cannot narrow; else the sorted set itself, joined
 * by spaces. For one-resource-per-token providers the empty set means the
 * first default URL scope's resource, and a set of two resources is refused
 * with InvalidArgument. */
char             *sesame_token_cache_key_for  (SesameProvider      *provider,
                                               const char * const  *granted,
                                               const char * const  *asked,
                                               GError             **error);
/* The scopes a key asks the provider for; NULL for the whole grant. */
char            **sesame_token_cache_key_scopes (const char *key);

SesameTokenCache *sesame_token_cache_new      (void);
/* Keeps @token's access token for @key (NULL @token: forgets it). */
void              sesame_token_cache_store    (SesameTokenCache   *self,
                                               const char         *key,
                                               const SesameToken  *token,
                                               gint64              obtained_at);
/* The token for @key while it has long enough left, and whether it carries
 * no more than @asked (empty: the whole grant was asked for). Thread-safe. */
gboolean          sesame_token_cache_lookup   (SesameTokenCache   *self,
                                               const char         *key,
                                               const char * const *asked,
                                               gint64              now,
                                               char              **token,
                                               gint64             *expires_at,
                                               gboolean           *narrowed);
/* TRUE while the token for @key has long enough left. */
gboolean          sesame_token_cache_is_fresh (SesameTokenCache   *self,
                                               const char         *key,
                                               gint64              now);
/* Forgets every token (attention needed, a new sign-in, removal). */
void              sesame_token_cache_clear    (SesameTokenCache   *self);

G_END_DECLS
