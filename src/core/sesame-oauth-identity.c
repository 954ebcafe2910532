/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-oauth-identity.c: which account signed in, from the ID token or
 * the userinfo endpoint */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "sesame-error.h"
#include "sesame-json.h"
#include "sesame-oauth-client.h"
#include "sesame-oauth-client-private.h"
#include "sesame-oauth-exchange.h"
#include "sesame-random.h"

typedef struct
{
  char  *name;
  char **claims;
  char  *subject;   /* the ID token's `sub`, which the userinfo answer must repeat */
} IdentityRequest;

static void
identity_request_free (IdentityRequest *request)
{
  g_free (request->name);
  g_strfreev (request->claims);
  g_free (request->subject);
  g_free (request);
}

static IdentityRequest *
identity_request_new (SesameProvider *provider)
{
  IdentityRequest *request = g_new0 (IdentityRequest, 1);

  request->name = g_strdup (sesame_provider_get_name (provider));
  request->claims = g_strdupv ((char **) sesame_provider_get_identity_claims (provider));
  return request;
}

/* OpenID Connect Core §2: `aud` is one string or an array of them. */
static gboolean
audience_contains (JsonObject *claims,
                   const char *client_id)
{
  g_auto(GStrv) audiences = sesame_json_collect_strings (claims, "aud");

  if (client_id == NULL)
    return FALSE;
  return g_strcmp0 (sesame_json_get_string (claims, "aud"), client_id) == 0 ||
         g_strv_contains ((const char * const *) audiences, client_id);
}

/* Sesame's own client, or the device sign-in's where it has one. */
static gboolean
audience_is_ours (JsonObject     *claims,
                  SesameProvider *provider)
{
  return audience_contains (claims, sesame_provider_get_client_id (provider)) ||
         audience_contains (claims, sesame_provider_get_device_client_id (provider));
}

/* Google's ID tokens may name its issuer without the scheme
 * (DESIGN.md, Real providers), so the issuer without it counts too (its
 * scheme is https, or http on loopback). */
static gboolean
issuer_matches (const char *iss,
                const char *issuer)
{
  const char *bare = strstr (issuer, "://");

  if (iss == NULL)
    return FALSE;
  return g_str_equal (iss, issuer) ||
         (bare != NULL && g_str_equal (iss, bare + strlen ("://")));
}

/* The ID token's claims. Its signature is not checked: it came straight
 * from the token endpoint over TLS (OpenID Connect Core §3.1.3.7, 6.);
 * its issuer and audience are, so that it cannot be another client's. */
JsonObject *
sesame_oauth_decode_id_token (SesameProvider  *provider,
                              const char      *id_token,
                              GError         **error)
{
  const char *name = sesame_provider_get_name (provider);
  const char *issuer = sesame_provider_get_issuer (provider);
  g_auto(GStrv) parts = g_strsplit (id_token, ".", 0);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree guint8 *payload = NULL;
  gsize length = 0;
  JsonObject *claims;
  JsonNode *root;

  if (g_strv_length (parts) == 3)
    payload = sesame_base64url_decode (parts[1], &length);
  if (payload == NULL ||
      !sesame_json_parser_load (parser, (const char *) payload, (gssize) length, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                   _("The ID token from %s cannot be read."), name);
      return NULL;
    }

  claims = json_node_get_object (root);
  if ((issuer != NULL && !issuer_matches (sesame_json_get_string (claims, "iss"), issuer)) ||
      !audience_is_ours (claims, provider))
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                   _("The ID token from %s was not issued by it for Sesame; it was refused."),
                   name);
      return NULL;
    }
  return json_object_ref (claims);
}

/* The first of the provider's identity claims that @object carries. */
static const char *
find_identity (IdentityRequest *request,
               JsonObject      *object)
{
  for (guint i = 0; request->claims[i] != NULL; i++)
    {
      const char *identity = sesame_json_get_string (object, request->claims[i]);

      if (identity != NULL && identity[0] != '\0')
        return identity;
    }
  return NULL;
}

static void
on_userinfo_response (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IdentityRequest *request = g_task_get_task_data (task);
  g_autoptr(SesameOAuthResponse) response = NULL;
  const char *identity, *subject;
  GError *error = NULL;

  response = sesame_oauth_exchange_send_finish (result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  identity = find_identity (request, response->object);
  subject = sesame_json_get_string (response->object, "sub");
  if (identity == NULL)
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                               _("%s did not say which account signed in (its answer has no "
                               "“%s”)."), request->name, request->claims[0]);
      return;
    }
  /* OpenID Connect Core §5.3.2: the answer must be about the ID token's
   * subject, or it may be about someone else. */
  if (request->subject != NULL && subject != NULL && !g_str_equal (subject, request->subject))
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                               _("%s answered about another account than the one that signed "
                               "in; it was refused."), request->name);
      return;
    }
  g_task_return_pointer (task, g_strdup (identity), g_free);
}

void
sesame_oauth_client_fetch_identity_async (SesameOAuthClient   *self,
                                          SesameProvider      *provider,
                                          const SesameToken   *token,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  IdentityRequest *request;
  const char *endpoint;
  GError *error = NULL;
  SesameOAuthExchange *ex;

  g_return_if_fail (SESAME_IS_OAUTH_CLIENT (self));
  g_return_if_fail (SESAME_IS_PROVIDER (provider));
  g_return_if_fail (token != NULL && token->access_token != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sesame_oauth_client_fetch_identity_async);
  request = identity_request_new (provider);
  g_task_set_task_data (task, request, (GDestroyNotify) identity_request_free);

  if (token->id_token != NULL)
    {
      g_autoptr(JsonObject) claims = sesame_oauth_decode_id_token (provider, token->id_token,
                                                                   &error);
      const char *identity;

      if (claims == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      identity = find_identity (request, claims);
      if (identity != NULL)
        {
          g_task_return_pointer (task, g_strdup (identity), g_free);
          return;
        }
      request->subject = g_strdup (sesame_json_get_string (claims, "sub"));
    }

  endpoint = sesame_provider_get_userinfo_endpoint (provider);
  if (endpoint == NULL)
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                               _("%s does not say which account signed in."), request->name);
      return;
    }

  ex = sesame_oauth_exchange_new (request->name, SOUP_METHOD_GET, endpoint);
  sesame_oauth_exchange_set_bearer (ex, token->access_token);
  sesame_oauth_exchange_send_async (ex, self, cancellable, on_userinfo_response,
                                    g_steal_pointer (&task));
}

char *
sesame_oauth_client_fetch_identity_finish (SesameOAuthClient  *self,
                                           GAsyncResult       *result,
                                           GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        sesame_oauth_client_fetch_identity_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
