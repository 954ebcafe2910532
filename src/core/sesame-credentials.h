/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-credentials.h: an account's token manager: cache, refresh, rotation, revocation */
#pragma once

#include "sesame-account.h"
#include "sesame-oauth-client.h"
#include "sesame-provider.h"
#include "sesame-provider-registry.h"
#include "sesame-secret-store.h"

G_BEGIN_DECLS

#define SESAME_TYPE_CREDENTIALS (sesame_credentials_get_type ())
G_DECLARE_FINAL_TYPE (SesameCredentials, sesame_credentials, SESAME, CREDENTIALS, GObject)

/* @providers runs the provider's discovery before its endpoints are needed. */
SesameCredentials *sesame_credentials_new (SesameAccount          *account,
                                           SesameProvider         *provider,
                                           SesameProviderRegistry *providers,
                                           SesameOAuthClient      *client,
                                           SesameSecretStore      *secrets);

SesameAccount  *sesame_credentials_get_account  (SesameCredentials *self);
SesameProvider *sesame_credentials_get_provider (SesameCredentials *self);

/* Waits for the provider's discovery (once per run, retried by the next
 * caller when it failed), for calls that need its endpoints. */
void     sesame_credentials_ensure_discovered_async  (SesameCredentials   *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean sesame_credentials_ensure_discovered_finish (SesameCredentials   *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* Remove's journal. Begin marks the account as being removed (the store
 * saves the mark) and forgets the cached tokens: from then on no token is
 * handed out. Cancel takes the mark back when nothing was revoked.
 * Unfinished says, as the account's attention reason, that a removal
 * stopped half-way and must be asked for again. */
void     sesame_credentials_begin_removal      (SesameCredentials *self);
void     sesame_credentials_cancel_removal     (SesameCredentials *self);
void     sesame_credentials_removal_unfinished (SesameCredentials *self);
/* FALSE, with NeedsAttention, while the account is being removed. */
gboolean sesame_credentials_check_not_removing (SesameCredentials  *self,
                                                GError            **error);

/* FALSE, with ScopeNotGranted, when @scopes asks for a scope the account
 * was never granted: no token can carry it until the person signs in
 * again and allows it; with InvalidArgument when no one token may carry
 * them together (one-resource-per-token). */
gboolean sesame_credentials_check_scopes (SesameCredentials   *self,
                                          const char * const  *scopes,
                                          GError             **error);

/* The memory cache only: no keyring, no network. @scopes empty = every
 * granted scope. @narrowed (may be NULL): whether the token carries no more
 * than @scopes. */
gboolean sesame_credentials_lookup_cached (SesameCredentials  *self,
                                           const char * const *scopes,
                                           char              **token,
                                           gint64             *expires_at,
                                           gboolean           *narrowed);

/* A token covering @scopes, valid long enough (DESIGN.md, GetAccessToken):
 * from memory, else the keyring, else a refresh (or, for client credentials,
 * the grant again). A set narrower than the grant gets a token of its own,
 * by a refresh with that scope where the provider narrows (DESIGN.md,
 * Tokens per scope set). One account's refreshes run one at a time and
 * callers asking for the same set share one. @refresh_now skips both
 * caches. */
void     sesame_credentials_get_token_async  (SesameCredentials   *self,
                                              const char * const  *scopes,
                                              gboolean             refresh_now,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean sesame_credentials_get_token_finish (SesameCredentials   *self,
                                              GAsyncResult        *result,
                                              char               **token,
                                              gint64              *expires_at,
                                              gboolean            *narrowed,
                                              GError             **error);

/* After a sign-in: writes @token to the keyring, then updates the account's
 * scopes and expiry and clears its attention state. */
void     sesame_credentials_replace_async  (SesameCredentials   *self,
                                            const SesameToken   *token,
                                            const char          *flow,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean sesame_credentials_replace_finish (SesameCredentials   *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* Revokes the grant at the provider in its revocation style (RFC 7009: the
 * refresh token where there is one, else the access token). Succeeds at
 * once when the provider cannot revoke or nothing is stored. */
void     sesame_credentials_revoke_async  (SesameCredentials   *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean sesame_credentials_revoke_finish (SesameCredentials   *self,
                                           GAsyncResult        *result,
                                           GError             **error);

/* Deletes the keyring item and forgets every cached token. */
void     sesame_credentials_delete_async  (SesameCredentials   *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean sesame_credentials_delete_finish (SesameCredentials   *self,
                                           GAsyncResult        *result,
                                           GError             **error);

G_END_DECLS
