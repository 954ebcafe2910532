/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-oauth-discovery.c: an issuer's configuration (OpenID Connect
 * Discovery §4, RFC 8414 §3) */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "sesame-error.h"
#include "sesame-json.h"
#include "sesame-oauth-client.h"
#include "sesame-oauth-exchange.h"

typedef struct
{
  char *issuer;
  char *host;
  char *fallback_uri;   /* NULL once it was tried */
} Discovery;

static void
discovery_free (Discovery *discovery)
{
  g_free (discovery->issuer);
  g_free (discovery->host);
  g_free (discovery->fallback_uri);
  g_free (discovery);
}

static char *
well_known_uri (GUri       *issuer,
                const char *path_start,
                const char *path_end)
{
  g_autofree char *path = g_strconcat (path_start, path_end, NULL);
  g_autoptr(GUri) uri = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (issuer), NULL,
                                     g_uri_get_host (issuer), g_uri_get_port (issuer),
                                     path, NULL, NULL);

  return g_uri_to_string (uri);
}

/* OpenID Connect appends the well-known path to the issuer's path; RFC 8414
 * puts it between the host and the issuer's path. */
static Discovery *
discovery_new (const char  *issuer,
               char       **openid_uri,
               GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (issuer, G_URI_FLAGS_ENCODED, NULL);
  g_autofree char *path = NULL;
  Discovery *discovery;

  /* RFC 8414 §2: an issuer is https, without query or fragment. */
  if (uri == NULL || g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a valid issuer address."), issuer);
      return NULL;
    }
  if (!sesame_uri_is_secure_or_loopback (issuer))
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                   _("The issuer “%s” is not an https address; Sesame only asks issuers over "
                   "an encrypted connection."), issuer);
      return NULL;
    }

  path = g_strdup (g_uri_get_path (uri));
  while (path[0] != '\0' && g_str_has_suffix (path, "/"))
    path[strlen (path) - 1] = '\0';

  discovery = g_new0 (Discovery, 1);
  discovery->issuer = g_strdup (issuer);
  discovery->host = g_strdup (g_uri_get_host (uri));
  discovery->fallback_uri = well_known_uri (uri, "/.well-known/oauth-authorization-server", path);
  *openid_uri = well_known_uri (uri, path, "/.well-known/openid-configuration");
  return discovery;
}

static void discovery_fetch (GTask      *task,
                             const char *uri);

/* A missing or unreadable document is a reason to try the other address;
 * a network failure or a cancellation is not. */
static gboolean
may_fall_back (const GError *error)
{
  return error->domain == SESAME_OAUTH_ERROR ||
         g_error_matches (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
}

static void
on_discovery_response (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Discovery *discovery = g_task_get_task_data (task);
  g_autoptr(SesameOAuthResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  const char *issuer;

  response = sesame_oauth_exchange_send_finish (result, &error);
  if (response != NULL && response->object == NULL)
    error = g_error_new (SESAME_ERROR, SESAME_ERROR_PROVIDER,
                         _("%s sent a discovery document that is not JSON."), discovery->host);

  if (error != NULL && may_fall_back (error) && discovery->fallback_uri != NULL)
    {
      g_autofree char *uri = g_steal_pointer (&discovery->fallback_uri);

      discovery_fetch (g_steal_pointer (&task), uri);
      return;
    }
  if (error != NULL && may_fall_back (error))
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                               _("%s publishes no OpenID Connect or OAuth 2.0 configuration."),
                               discovery->host);
      return;
    }
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* OpenID Connect Discovery §4.3, RFC 8414 §3.3: a document for another
   * issuer could send every request elsewhere. */
  issuer = sesame_json_get_string (response->object, "issuer");
  if (g_strcmp0 (issuer, discovery->issuer) != 0)
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                               _("The configuration published by %s is not for the issuer "
                               "“%s”; it was refused."), discovery->host, discovery->issuer);
      return;
    }
  g_task_return_pointer (task, json_object_ref (response->object),
                         (GDestroyNotify) json_object_unref);
}

/* Takes the task's reference. */
static void
discovery_fetch (GTask      *task,
                 const char *uri)
{
  Discovery *discovery = g_task_get_task_data (task);
  SesameOAuthExchange *ex = sesame_oauth_exchange_new (discovery->host, SOUP_METHOD_GET, uri);

  /* Every call that needs the endpoints waits for this: a network failure
   * is retried as a token request's is, not failed at once. */
  sesame_oauth_exchange_set_retry (ex, TRUE);
  sesame_oauth_exchange_send_async (ex, g_task_get_source_object (task),
                                    g_task_get_cancellable (task), on_discovery_response, task);
}

void
sesame_oauth_client_discover_async (SesameOAuthClient   *self,
                                    const char          *issuer,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autofree char *openid_uri = NULL;
  Discovery *discovery;
  GError *error = NULL;
  GTask *task;

  g_return_if_fail (SESAME_IS_OAUTH_CLIENT (self));
  g_return_if_fail (issuer != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sesame_oauth_client_discover_async);

  discovery = discovery_new (issuer, &openid_uri, &error);
  if (discovery == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_task_set_task_data (task, discovery, (GDestroyNotify) discovery_free);
  discovery_fetch (task, openid_uri);
}

JsonObject *
sesame_oauth_client_discover_finish (SesameOAuthClient  *self,
                                     GAsyncResult       *result,
                                     GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        sesame_oauth_client_discover_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
