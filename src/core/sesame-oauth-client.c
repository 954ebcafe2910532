/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-oauth-client.c: the OAuth 2.0 client, on libsoup 3: token grants,
 * revocation and device authorization; discovery and identity have their
 * own files, and sesame-oauth-exchange.c sends every request */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-error.h"
#include "sesame-granted-scopes.h"
#include "sesame-json.h"
#include "sesame-oauth-client.h"
#include "sesame-oauth-client-private.h"
#include "sesame-oauth-exchange.h"

#define DEFAULT_INTERVAL 5
/* A person approves a device sign-in within minutes; a longer promised
 * lifetime is not worth polling for (and a huge one would overflow). */
#define MAX_DEVICE_CODE_LIFETIME (24 * 60 * 60)
#define DEVICE_CODE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

struct _SesameOAuthClient
{
  GObject parent_instance;

  SesameOAuthTransport transport;
};

G_DEFINE_FINAL_TYPE (SesameOAuthClient, sesame_oauth_client, G_TYPE_OBJECT)

static void
sesame_oauth_client_finalize (GObject *object)
{
  SesameOAuthClient *self = SESAME_OAUTH_CLIENT (object);

  sesame_oauth_transport_clear (&self->transport);

  G_OBJECT_CLASS (sesame_oauth_client_parent_class)->finalize (object);
}

static void
sesame_oauth_client_class_init (SesameOAuthClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sesame_oauth_client_finalize;
}

static void
sesame_oauth_client_init (SesameOAuthClient *self)
{
  sesame_oauth_transport_init (&self->transport);
}

SesameOAuthTransport *
sesame_oauth_client_get_transport (SesameOAuthClient *self)
{
  return &self->transport;
}

SesameOAuthClient *
sesame_oauth_client_new (void)
{
  return g_object_new (SESAME_TYPE_OAUTH_CLIENT, NULL);
}

void
sesame_oauth_client_set_retry_delays (SesameOAuthClient *self,
                                      guint              first_ms,
                                      guint              second_ms)
{
  g_return_if_fail (SESAME_IS_OAUTH_CLIENT (self));

  self->transport.retry_delays[0] = first_ms;
  self->transport.retry_delays[1] = second_ms;
}

void
sesame_device_authorization_free (SesameDeviceAuthorization *self)
{
  if (self == NULL)
    return;

  /* The device code can be traded for tokens until it expires. */
  sesame_secret_string_free (self->device_code);
  g_free (self->user_code);
  g_free (self->verification_uri);
  g_free (self->verification_uri_complete);
  g_free (self);
}

static char *
join_scopes (const char * const *scopes)
{
  if (scopes == NULL || scopes[0] == NULL)
    return NULL;
  return g_strjoinv (" ", (char **) scopes);
}

/* Token endpoint requests */

typedef struct
{
  SesameProvider *provider;
  char          **requested_scopes;  /* what the person asked for, or the grant */
  gboolean        renewal;           /* a refresh: the grant holds its OpenID scopes */
} TokenRequest;

static void
token_request_free (TokenRequest *request)
{
  g_object_unref (request->provider);
  g_strfreev (request->requested_scopes);
  g_free (request);
}

static TokenRequest *
token_request_new (SesameProvider     *provider,
                   const char * const *requested_scopes)
{
  TokenRequest *request = g_new0 (TokenRequest, 1);

  request->provider = g_object_ref (provider);
  request->requested_scopes = g_strdupv ((char **) requested_scopes);
  return request;
}

/* The echo in the asked form, with what it leaves out (DESIGN.md, Granted
 * scopes); an answer without `scope` keeps the asked scopes. */
static void
read_granted_scopes (TokenRequest *request,
                     JsonObject   *object,
                     SesameToken  *token)
{
  g_auto(GStrv) granted = NULL;

  if (sesame_json_is_unset (object, "scope"))
    return;
  granted = sesame_granted_scopes (request->provider,
                                   (const char * const *) request->requested_scopes,
                                   (const char * const *) token->scopes,
                                   token->id_token != NULL, token->refresh_token != NULL,
                                   request->renewal);
  g_strfreev (token->scopes);
  token->scopes = g_steal_pointer (&granted);
}

static void
on_token_response (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TokenRequest *request = g_task_get_task_data (task);
  g_autoptr(SesameOAuthResponse) response = NULL;
  SesameToken *token;
  GError *error = NULL;

  response = sesame_oauth_exchange_send_finish (result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  token = sesame_token_new_from_response (response->body, response->length,
                                          (const char * const *) request->requested_scopes,
                                          g_get_real_time () / G_USEC_PER_SEC, &error);
  if (token == NULL)
    {
      g_prefix_error (&error, "%s: ", sesame_provider_get_name (request->provider));
      g_task_return_error (task, error);
      return;
    }
  read_granted_scopes (request, response->object, token);
  g_task_return_pointer (task, token, (GDestroyNotify) sesame_token_free);
}

/* POSTs @form to the provider's token endpoint; @ex carries the client
 * authentication already. */
static void
request_token (SesameOAuthClient   *self,
               SesameProvider      *provider,
               SesameOAuthExchange *ex,
               GHashTable          *form,
               TokenRequest        *request,
               gpointer             source_tag,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, request, (GDestroyNotify) token_request_free);

  sesame_oauth_exchange_set_form (ex, form);
  sesame_oauth_exchange_send_async (ex, self, cancellable, on_token_response, task);
}

static SesameOAuthExchange *
token_exchange_new (SesameProvider *provider)
{
  SesameOAuthExchange *ex = sesame_oauth_exchange_new (sesame_provider_get_name (provider),
                                                       SOUP_METHOD_POST,
                                                       sesame_provider_get_token_endpoint (provider));

  sesame_oauth_exchange_set_error_aliases (ex, sesame_provider_get_error_aliases (provider));
  return ex;
}

static SesameToken *
token_finish (SesameOAuthClient  *self,
              GAsyncResult       *result,
              gpointer            source_tag,
              GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
sesame_oauth_client_exchange_code_async (SesameOAuthClient   *self,
                                         SesameProvider      *provider,
                                         SesameAuthRequest   *request,
                                         const char          *code,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GHashTable) form = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) one_resource = NULL;
  g_autofree char *scope = NULL;
  SesameOAuthExchange *ex;

  g_return_if_fail (SESAME_IS_OAUTH_CLIENT (self));
  g_return_if_fail (SESAME_IS_PROVIDER (provider));
  g_return_if_fail (SESAME_IS_AUTH_REQUEST (request));
  g_return_if_fail (code != NULL);

  /* Microsoft refuses a redemption for several resources (AADSTS28000). */
  one_resource = sesame_scopes_of_one_resource (provider, sesame_auth_request_get_scopes (request));
  scope = join_scopes ((const char * const *) one_resource);
  ex = token_exchange_new (provider);
  if (scope != NULL)
    g_hash_table_insert (form, "scope", scope);
  g_hash_table_insert (form, "grant_type", "authorization_code");
  g_hash_table_insert (form, "code", (char *) code);
  g_hash_table_insert (form, "redirect_uri",
                       (char *) sesame_auth_request_get_redirect_uri (request));
  g_hash_table_insert (form, "code_verifier",
                       (char *) sesame_auth_request_get_code_verifier (request));
  sesame_oauth_exchange_authenticate (ex, form, provider);

  request_token (self, provider, ex, form,
                 token_request_new (provider, sesame_auth_request_get_scopes (request)),
                 sesame_oauth_client_exchange_code_async, cancellable, callback, user_data);
}

SesameToken *
sesame_oauth_client_exchange_code_finish (SesameOAuthClient  *self,
                                          GAsyncResult       *result,
                                          GError            **error)
{
  return token_finish (self, result, sesame_oauth_client_exchange_code_async, error);
}

void
sesame_oauth_client_refresh_async (SesameOAuthClient   *self,
                                   SesameProvider      *provider,
                                   const char          *refresh_token,
                                   const char * const  *scopes,
                                   const char * const  *grant,
                                   const char          *flow,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GHashTable) form = g_hash_table_new (g_str_hash, g_str_equal);
  const char * const *asked = scopes != NULL ? scopes : grant;
  g_auto(GStrv) one_resource = sesame_scopes_of_one_resource (provider, asked);
  g_autofree char *scope = join_scopes (one_resource != NULL
                                        ? (const char * const *) one_resource : scopes);
  TokenRequest *token_request;
  SesameOAuthExchange *ex;

  g_return_if_fail (SESAME_IS_OAUTH_CLIENT (self));
  g_return_if_fail (SESAME_IS_PROVIDER (provider));
  g_return_if_fail (refresh_token != NULL);

  ex = token_exchange_new (provider);
  sesame_oauth_exchange_set_retry (ex, TRUE);
  g_hash_table_insert (form, "grant_type", "refresh_token");
  g_hash_table_insert (form, "refresh_token", (char *) refresh_token);
  /* RFC 6749 §6: without `scope` the grant's full scope is asked for */
  if (scope != NULL)
    g_hash_table_insert (form, "scope", scope);
  /* A refresh token belongs to the client it was issued to. */
  if (g_strcmp0 (flow, SESAME_FLOW_DEVICE_CODE) == 0)
    sesame_oauth_exchange_authenticate_device (ex, form, provider);
  else
    sesame_oauth_exchange_authenticate (ex, form, provider);

  token_request = token_request_new (provider, asked);
  token_request->renewal = TRUE;
  request_token (self, provider, ex, form, token_request,
                 sesame_oauth_client_refresh_async, cancellable, callback, user_data);
}

SesameToken *
sesame_oauth_client_refresh_finish (SesameOAuthClient  *self,
                                    GAsyncResult       *result,
                                    GError            **error)
{
  return token_finish (self, result, sesame_oauth_client_refresh_async, error);
}

void
sesame_oauth_client_client_credentials_async (SesameOAuthClient   *self,
                                              SesameProvider      *provider,
                                              const char          *client_id,
                                              const char          *client_secret,
                                              const char * const  *scopes,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  g_autoptr(GHashTable) form = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *scope = join_scopes (scopes);
  SesameOAuthExchange *ex;

  g_return_if_fail (SESAME_IS_OAUTH_CLIENT (self));
  g_return_if_fail (SESAME_IS_PROVIDER (provider));
  g_return_if_fail (client_id != NULL);
  g_return_if_fail (client_secret != NULL);

  ex = token_exchange_new (provider);
  sesame_oauth_exchange_set_retry (ex, TRUE);
  g_hash_table_insert (form, "grant_type", "client_credentials");
  if (scope != NULL)
    g_hash_table_insert (form, "scope", scope);
  sesame_oauth_exchange_authenticate_own (ex, form, provider, client_id, client_secret);

  request_token (self, provider, ex, form, token_request_new (provider, scopes),
                 sesame_oauth_client_client_credentials_async, cancellable, callback, user_data);
}

SesameToken *
sesame_oauth_client_client_credentials_finish (SesameOAuthClient  *self,
                                               GAsyncResult       *result,
                                               GError            **error)
{
  return token_finish (self, result, sesame_oauth_client_client_credentials_async, error);
}

void
sesame_oauth_client_device_poll_async (SesameOAuthClient   *self,
                                       SesameProvider      *provider,
                                       const char          *device_code,
                                       const char * const  *requested_scopes,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GHashTable) form = g_hash_table_new (g_str_hash, g_str_equal);
  SesameOAuthExchange *ex;

  g_return_if_fail (SESAME_IS_OAUTH_CLIENT (self));
  g_return_if_fail (SESAME_IS_PROVIDER (provider));
  g_return_if_fail (device_code != NULL);

  ex = token_exchange_new (provider);
  g_hash_table_insert (form, "grant_type", DEVICE_CODE_GRANT);
  g_hash_table_insert (form, "device_code", (char *) device_code);
  sesame_oauth_exchange_authenticate_device (ex, form, provider);

  request_token (self, provider, ex, form, token_request_new (provider, requested_scopes),
                 sesame_oauth_client_device_poll_async, cancellable, callback, user_data);
}

SesameToken *
sesame_oauth_client_device_poll_finish (SesameOAuthClient  *self,
                                        GAsyncResult       *result,
                                        GError            **error)
{
  return token_finish (self, result, sesame_oauth_client_device_poll_async, error);
}

/* Revocation (RFC 7009) */

static void
on_revoke_response (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(SesameOAuthResponse) response = NULL;
  GError *error = NULL;

  /* §2.2: any success status means revoked; the body does not matter. */
  response = sesame_oauth_exchange_send_finish (result, &error);
  if (response == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* RFC 7009 §2.1: the token in a form, with the client's authentication. */
static SesameOAuthExchange *
rfc7009_exchange (SesameProvider *provider,
                  const char     *token,
                  const char     *token_type_hint,
                  const char     *client_id,
                  const char     *client_secret)
{
  g_autoptr(GHashTable) form = g_hash_table_new (g_str_hash, g_str_equal);
  SesameOAuthExchange *ex =
    sesame_oauth_exchange_new (sesame_provider_get_name (provider), SOUP_METHOD_POST,
                               sesame_provider_get_revocation_endpoint (provider));

  g_hash_table_insert (form, "token", (char *) token);
  if (token_type_hint != NULL)
    g_hash_table_insert (form, "token_type_hint", (char *) token_type_hint);
  if (client_id != NULL)
    sesame_oauth_exchange_authenticate_own (ex, form, provider, client_id, client_secret);
  else
    sesame_oauth_exchange_authenticate (ex, form, provider);
  sesame_oauth_exchange_set_form (ex, form);
  return ex;
}

/* GitHub's "Delete an app authorization": DELETE
 * {endpoint}/{client_id}/grant, HTTP Basic with the client, the access
 * token in a JSON body; it withdraws the whole grant. */
static SesameOAuthExchange *
github_grant_exchange (SesameProvider *provider,
                       const char     *token,
                       const char     *client_id,
                       const char     *client_secret)
{
  g_autofree char *escaped_id = NULL;
  g_autofree char *uri = NULL;
  SesameOAuthExchange *ex;

  if (client_id == NULL)
    {
      client_id = sesame_provider_get_client_id (provider);
      client_secret = sesame_provider_get_client_secret (provider);
    }
  escaped_id = g_uri_escape_string (client_id != NULL ? client_id : "", NULL, FALSE);
  uri = g_strdup_printf ("%s/%s/grant", sesame_provider_get_revocation_endpoint (provider),
                         escaped_id);
  ex = sesame_oauth_exchange_new (sesame_provider_get_name (provider), SOUP_METHOD_DELETE, uri);
  sesame_oauth_exchange_authenticate_basic (ex, client_id, client_secret);
  sesame_oauth_exchange_set_json_secret (ex, "access_token", token);
  return ex;
}

void
sesame_oauth_client_revoke_async (SesameOAuthClient   *self,
                                  SesameProvider      *provider,
                                  const char          *token,
                                  const char          *token_type_hint,
                                  const char          *client_id,
                                  const char          *client_secret,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  const char *style;
  GTask *task;
  SesameOAuthExchange *ex;

  g_return_if_fail (SESAME_IS_OAUTH_CLIENT (self));
  g_return_if_fail (SESAME_IS_PROVIDER (provider));
  g_return_if_fail (token != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sesame_oauth_client_revoke_async);

  style = sesame_provider_get_revocation_style (provider);
  if (style == NULL)
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                               _("%s offers no way to revoke access."),
                               sesame_provider_get_name (provider));
      g_object_unref (task);
      return;
    }

  if (g_str_equal (style, SESAME_REVOCATION_GITHUB_GRANT))
    ex = github_grant_exchange (provider, token, client_id, client_secret);
  else
    ex = rfc7009_exchange (provider, token, token_type_hint, client_id, client_secret);
  sesame_oauth_exchange_send_async (ex, self, cancellable, on_revoke_response, task);
}

gboolean
sesame_oauth_client_revoke_finish (SesameOAuthClient  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        sesame_oauth_client_revoke_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Device authorization (RFC 8628) */

SesameDeviceAuthorization *
sesame_oauth_device_authorization_new (const char  *name,
                                       JsonObject  *object,
                                       GError     **error)
{
  g_autoptr(SesameDeviceAuthorization) authorization = g_new0 (SesameDeviceAuthorization, 1);
  const char *verification_uri = sesame_json_get_string (object, "verification_uri");
  gint64 expires_in, interval = DEFAULT_INTERVAL;

  /* Google names it verification_url. */
  if (verification_uri == NULL)
    verification_uri = sesame_json_get_string (object, "verification_url");

  authorization->device_code = g_strdup (sesame_json_get_string (object, "device_code"));
  authorization->user_code = g_strdup (sesame_json_get_string (object, "user_code"));
  authorization->verification_uri = g_strdup (verification_uri);
  authorization->verification_uri_complete =
    g_strdup (sesame_json_get_string (object, "verification_uri_complete"));

  if (authorization->device_code == NULL || authorization->user_code == NULL ||
      authorization->verification_uri == NULL ||
      !sesame_json_get_int (object, "expires_in", &expires_in) || expires_in <= 0)
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                   _("%s sent an incomplete answer to the device sign-in request."), name);
      return NULL;
    }
  if (sesame_json_get_int (object, "interval", &interval) && (interval < 1 || interval > 3600))
    interval = DEFAULT_INTERVAL;
  expires_in = MIN (expires_in, MAX_DEVICE_CODE_LIFETIME);

  authorization->expires_at = g_get_real_time () / G_USEC_PER_SEC + expires_in;
  authorization->interval = (guint) interval;
  return g_steal_pointer (&authorization);
}

static void
on_device_authorization_response (GObject      *source,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(SesameOAuthResponse) response = NULL;
  SesameDeviceAuthorization *authorization;
  GError *error = NULL;

  response = sesame_oauth_exchange_send_finish (result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  authorization = sesame_oauth_device_authorization_new (g_task_get_task_data (task),
                                                         response->object, &error);
  if (authorization == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, authorization,
                           (GDestroyNotify) sesame_device_authorization_free);
}

void
sesame_oauth_client_device_authorize_async (SesameOAuthClient   *self,
                                            SesameProvider      *provider,
                                            const char * const  *scopes,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_autoptr(GHashTable) form = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *scope = join_scopes (scopes);
  const char *name, *endpoint;
  GTask *task;
  SesameOAuthExchange *ex;

  g_return_if_fail (SESAME_IS_OAUTH_CLIENT (self));
  g_return_if_fail (SESAME_IS_PROVIDER (provider));

  name = sesame_provider_get_name (provider);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sesame_oauth_client_device_authorize_async);
  g_task_set_task_data (task, g_strdup (name), g_free);

  endpoint = sesame_provider_get_device_authorization_endpoint (provider);
  if (endpoint == NULL)
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                               _("%s does not offer sign-in from another device."), name);
      g_object_unref (task);
      return;
    }

  ex = sesame_oauth_exchange_new (name, SOUP_METHOD_POST, endpoint);
  if (scope != NULL)
    g_hash_table_insert (form, "scope", scope);
  sesame_oauth_exchange_authenticate_device (ex, form, provider);
  sesame_oauth_exchange_set_form (ex, form);

  sesame_oauth_exchange_send_async (ex, self, cancellable, on_device_authorization_response, task);
}

SesameDeviceAuthorization *
sesame_oauth_client_device_authorize_finish (SesameOAuthClient  *self,
                                             GAsyncResult       *result,
                                             GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        sesame_oauth_client_device_authorize_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
