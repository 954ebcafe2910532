/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-token.h: one token set, as a token endpoint answers it and one keyring item keeps it */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* What one keyring item holds for an account. Secrets are wiped from
 * memory when freed. expires_at is Unix seconds; 0 when the provider gave
 * no lifetime (such a token is taken to last until refused). */
typedef struct {
  char   *access_token;
  char   *refresh_token;   /* NULL when the provider issued none */
  char   *token_type;
  char   *id_token;        /* NULL unless OpenID Connect */
  char  **scopes;          /* granted scopes; never NULL */
  gint64  expires_at;
  char   *client_secret;   /* client-credentials accounts only */
  /* The response's refresh_token_expires_in, in seconds; 0 when it gave
   * none. Not kept in the keyring: the account's metadata keeps the end. */
  gint64  refresh_expires_in;
} SesameToken;

#define SESAME_TYPE_TOKEN (sesame_token_get_type ())
GType        sesame_token_get_type (void) G_GNUC_CONST;

SesameToken *sesame_token_new                   (void);
/* Parses a successful token endpoint response (RFC 6749 §5.1). When it has
 * no `scope`, the granted scopes are @requested_scopes (§5.1: unchanged). */
SesameToken *sesame_token_new_from_response     (const char         *body,
                                                 gsize               length,
                                                 const char * const *requested_scopes,
                                                 gint64              now,
                                                 GError            **error);
SesameToken *sesame_token_new_from_secret       (const char         *secret,
                                                 GError            **error);
/* The JSON object stored as the keyring secret. */
char        *sesame_token_to_secret             (const SesameToken  *self);
SesameToken *sesame_token_copy                  (const SesameToken  *self);
void         sesame_token_free                  (SesameToken        *self);
/* TRUE when every scope of @scopes is among the granted ones. */
gboolean     sesame_token_covers                (const SesameToken  *self,
                                                 const char * const *scopes);
/* Folds a refresh response into @self: a rotated refresh token replaces the
 * old one, a response without one keeps it (RFC 6749 §6). */
void         sesame_token_update                (SesameToken        *self,
                                                 const SesameToken  *refreshed);

/* Overwrites and frees a string that held a secret. */
void         sesame_secret_string_free          (char               *secret);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SesameToken, sesame_token_free)

G_END_DECLS
