/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-oauth-client.h: the OAuth 2.0 client, on libsoup 3 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "sesame-auth-request.h"
#include "sesame-provider.h"
#include "sesame-token.h"

G_BEGIN_DECLS

#define SESAME_TYPE_OAUTH_CLIENT (sesame_oauth_client_get_type ())
G_DECLARE_FINAL_TYPE (SesameOAuthClient, sesame_oauth_client, SESAME, OAUTH_CLIENT, GObject)

/* RFC 8628 §3.2 */
typedef struct {
  char   *device_code;
  char   *user_code;
  char   *verification_uri;
  char   *verification_uri_complete;   /* NULL when not given */
  gint64  expires_at;
  guint   interval;                    /* seconds, 5 when not given */
} SesameDeviceAuthorization;

void sesame_device_authorization_free (SesameDeviceAuthorization *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SesameDeviceAuthorization, sesame_device_authorization_free)

/* Errors of every call: SESAME_ERROR_NETWORK for transport failures, 5xx and
 * 429; SESAME_OAUTH_ERROR_* for an OAuth error response; SESAME_ERROR_PROVIDER
 * for a body that is not what the protocol says (not JSON, truncated, huge,
 * missing fields). Messages never contain a token or secret. */
SesameOAuthClient *sesame_oauth_client_new (void);

/* Delays before the two retries of refresh and client credentials requests
 * after a network error; tests shorten them. */
void sesame_oauth_client_set_retry_delays (SesameOAuthClient *self,
                                           guint              first_ms,
                                           guint              second_ms);

void         sesame_oauth_client_discover_async  (SesameOAuthClient   *self,
                                                  const char          *issuer,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
JsonObject  *sesame_oauth_client_discover_finish (SesameOAuthClient   *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

void         sesame_oauth_client_exchange_code_async  (SesameOAuthClient   *self,
                                                       SesameProvider      *provider,
                                                       SesameAuthRequest   *request,
                                                       const char          *code,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
SesameToken *sesame_oauth_client_exchange_code_finish (SesameOAuthClient   *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* @scopes: NULL, or a narrower set to ask for (RFC 6749 §6). @grant: the
 * account's granted scopes, which the answer's echo is read against when
 * @scopes is NULL. A one-resource-per-token provider is asked for the
 * scopes of one resource only. @flow: the account's; device sign-in's
 * tokens are renewed with the device client. */
void         sesame_oauth_client_refresh_async  (SesameOAuthClient   *self,
                                                 SesameProvider      *provider,
                                                 const char          *refresh_token,
                                                 const char * const  *scopes,
                                                 const char * const  *grant,
                                                 const char          *flow,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
SesameToken *sesame_oauth_client_refresh_finish (SesameOAuthClient   *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* RFC 6749 §4.4 with the account's own client, authenticated as the
 * provider's token-endpoint-auth-method says (Basic unless client_secret_post). */
void         sesame_oauth_client_client_credentials_async  (SesameOAuthClient   *self,
                                                            SesameProvider      *provider,
                                                            const char          *client_id,
                                                            const char          *client_secret,
                                                            const char * const  *scopes,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
SesameToken *sesame_oauth_client_client_credentials_finish (SesameOAuthClient   *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);

/* RFC 7009. @client_id/@client_secret: NULL for the provider's client. */
void         sesame_oauth_client_revoke_async  (SesameOAuthClient   *self,
                                                SesameProvider      *provider,
                                                const char          *token,
                                                const char          *token_type_hint,
                                                const char          *client_id,
                                                const char          *client_secret,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean     sesame_oauth_client_revoke_finish (SesameOAuthClient   *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* RFC 8628 §3.1, with the device client (device-client-id) where the
 * provider has one; so is the polling. */
void         sesame_oauth_client_device_authorize_async  (SesameOAuthClient   *self,
                                                          SesameProvider      *provider,
                                                          const char * const  *scopes,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
SesameDeviceAuthorization *
             sesame_oauth_client_device_authorize_finish (SesameOAuthClient   *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

/* One poll of the token endpoint (RFC 8628 §3.4); pending and slow_down come
 * back as SESAME_OAUTH_ERROR_AUTHORIZATION_PENDING / _SLOW_DOWN. */
void         sesame_oauth_client_device_poll_async  (SesameOAuthClient   *self,
                                                     SesameProvider      *provider,
                                                     const char          *device_code,
                                                     const char * const  *requested_scopes,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
SesameToken *sesame_oauth_client_device_poll_finish (SesameOAuthClient   *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* The account's identity: the provider's identity-claim from the ID token
 * (its iss and aud checked) where it carries it, else from the userinfo /
 * user endpoint with the access token. */
void         sesame_oauth_client_fetch_identity_async  (SesameOAuthClient   *self,
                                                        SesameProvider      *provider,
                                                        const SesameToken   *token,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
char        *sesame_oauth_client_fetch_identity_finish (SesameOAuthClient   *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

G_END_DECLS
