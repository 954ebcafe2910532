/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-oauth-exchange.h: one HTTP request to a provider's endpoint and its answer */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "sesame-oauth-client.h"
#include "sesame-provider.h"

G_BEGIN_DECLS

/* Internal to the OAuth client: its protocol files build exchanges, this
 * one sends them (form bodies, client authentication, size caps,
 * deadlines, retries, cancellation). */

#define SESAME_OAUTH_N_RETRIES 2

/* What every exchange of one client shares. */
typedef struct
{
  SoupSession *session;
  guint        timeout;     /* seconds: for each read, and for a whole attempt */
  guint        retry_delays[SESAME_OAUTH_N_RETRIES];   /* milliseconds */
} SesameOAuthTransport;

void sesame_oauth_transport_init  (SesameOAuthTransport *transport);
void sesame_oauth_transport_clear (SesameOAuthTransport *transport);

/* Defined in sesame-oauth-client.c. */
SesameOAuthTransport *sesame_oauth_client_get_transport (SesameOAuthClient *self);

/* One HTTP answer, its body capped at 1 MiB, with a success status (an
 * error status or an OAuth error body fails the exchange instead). */
typedef struct
{
  guint       status;
  char       *body;      /* NUL-terminated; wiped when freed */
  gsize       length;
  JsonObject *object;    /* NULL unless the body is a JSON object */
} SesameOAuthResponse;

void sesame_oauth_response_free (SesameOAuthResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SesameOAuthResponse, sesame_oauth_response_free)

typedef struct _SesameOAuthExchange SesameOAuthExchange;

/* @name: who answers, for messages. @method: a SOUP_METHOD_* (kept, not
 * copied). @uri may be NULL (the exchange then fails: the endpoint is not
 * known yet). */
SesameOAuthExchange *sesame_oauth_exchange_new          (const char          *name,
                                                         const char          *method,
                                                         const char          *uri);
void                 sesame_oauth_exchange_free         (SesameOAuthExchange *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SesameOAuthExchange, sesame_oauth_exchange_free)

/* Sent again after a network error (refresh, client credentials). */
void                 sesame_oauth_exchange_set_retry    (SesameOAuthExchange *self,
                                                         gboolean             retry);
/* The provider's error-aliases, read into every OAuth error it answers. */
void                 sesame_oauth_exchange_set_error_aliases (SesameOAuthExchange *self,
                                                              GHashTable          *error_aliases);
/* Takes @form's borrowed strings; the encoded copy is wiped when freed. */
void                 sesame_oauth_exchange_set_form     (SesameOAuthExchange *self,
                                                         GHashTable          *form);
/* The JSON request body {"@member": "@secret"} (wiped when freed), instead
 * of a form. */
void                 sesame_oauth_exchange_set_json_secret (SesameOAuthExchange *self,
                                                            const char          *member,
                                                            const char          *secret);
/* RFC 6750 §2.1 */
void                 sesame_oauth_exchange_set_bearer   (SesameOAuthExchange *self,
                                                         const char          *access_token);
/* Client authentication with the provider's own client, before
 * sesame_oauth_exchange_set_form(): in @form or in a header. */
void                 sesame_oauth_exchange_authenticate (SesameOAuthExchange *self,
                                                         GHashTable          *form,
                                                         SesameProvider      *provider);
/* The same with the client of device sign-in (device-client-id), which
 * also renews what device sign-in obtained. */
void                 sesame_oauth_exchange_authenticate_device (SesameOAuthExchange *self,
                                                                GHashTable          *form,
                                                                SesameProvider      *provider);
/* The same with an account's own client, which always has a secret. */
void                 sesame_oauth_exchange_authenticate_own (SesameOAuthExchange *self,
                                                             GHashTable          *form,
                                                             SesameProvider      *provider,
                                                             const char          *client_id,
                                                             const char          *client_secret);

/* Plain HTTP Basic (RFC 7617, not form-encoded as at OAuth endpoints) with
 * @client_id and @client_secret: an API that wants Basic. */
void                 sesame_oauth_exchange_authenticate_basic (SesameOAuthExchange *self,
                                                               const char          *client_id,
                                                               const char          *client_secret);
/* Sends @self (taken) on @client's transport. */
void                 sesame_oauth_exchange_send_async   (SesameOAuthExchange  *self,
                                                         SesameOAuthClient    *client,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
SesameOAuthResponse *sesame_oauth_exchange_send_finish  (GAsyncResult         *result,
                                                         GError              **error);

G_END_DECLS
