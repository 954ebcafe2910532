/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-sign-in.c: one interactive authorization code sign-in, through the agent */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-error.h"
#include "sesame-loopback-listener.h"
#include "sesame-sign-in.h"

/* A sign-in nobody finishes ends after this long. */
#define SIGN_IN_TIMEOUT_SECONDS (15 * 60)

typedef struct {
  SesameAgentManager     *agents;
  SesameOAuthClient      *client;
  SesameProvider         *provider;
  SesameAuthRequest      *request;
  SesameLoopbackListener *listener;
  GCancellable           *agent_cancellable;
  char                   *request_id;
  SesameToken            *token;
  guint                   timeout_id;
  gulong                  cancelled_id;
  gboolean                finished;      /* a callback was taken, or it failed */
} SignIn;

static void
sign_in_free (SignIn *sign_in)
{
  g_clear_handle_id (&sign_in->timeout_id, g_source_remove);
  if (sign_in->listener != NULL)
    sesame_loopback_listener_close (sign_in->listener);
  g_clear_object (&sign_in->listener);
  g_cancellable_cancel (sign_in->agent_cancellable);
  g_clear_object (&sign_in->agent_cancellable);
  g_clear_object (&sign_in->agents);
  g_clear_object (&sign_in->client);
  g_clear_object (&sign_in->provider);
  g_clear_object (&sign_in->request);
  g_clear_pointer (&sign_in->token, sesame_token_free);
  g_free (sign_in->request_id);
  g_free (sign_in);
}

/* Ends the sign-in: the listener closes and the agent is told to stop. */
static void
stop_waiting (GTask *task)
{
  SignIn *sign_in = g_task_get_task_data (task);

  sign_in->finished = TRUE;
  g_clear_handle_id (&sign_in->timeout_id, g_source_remove);
  g_cancellable_disconnect (g_task_get_cancellable (task), sign_in->cancelled_id);
  sign_in->cancelled_id = 0;
  if (sign_in->listener != NULL)
    sesame_loopback_listener_close (sign_in->listener);
  g_cancellable_cancel (sign_in->agent_cancellable);
}

static void
fail (GTask  *task,
      GError *error)
{
  stop_waiting (task);
  g_task_return_error (task, error);
}

static void
on_identity (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SignIn *sign_in = g_task_get_task_data (task);
  GError *error = NULL;
  char *identity = sesame_oauth_client_fetch_identity_finish (sign_in->client, result, &error);

  if (identity == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, identity, g_free);
}

static void
on_exchanged (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SignIn *sign_in = g_task_get_task_data (task);
  GError *error = NULL;

  sign_in->token = sesame_oauth_client_exchange_code_finish (sign_in->client, result, &error);
  if (sign_in->token == NULL)
    {
      /* At sign-in, a refused client is the provider's answer, not the account's state. */
      if (error->domain == SESAME_OAUTH_ERROR)
        {
          GError *mapped = g_error_new_literal (SESAME_ERROR, SESAME_ERROR_PROVIDER,
                                                error->message);
          g_error_free (error);
          error = mapped;
        }
      g_task_return_error (task, error);
      return;
    }

  sesame_oauth_client_fetch_identity_async (sign_in->client, sign_in->provider, sign_in->token,
                                            g_task_get_cancellable (task), on_identity,
                                            g_object_ref (task));
}

/* Checks a callback URI (from the agent or the listener) and, when it is
 * this sign-in's, goes on with the code. */
static gboolean
take_callback (GTask       *task,
               const char  *uri,
               GError     **error)
{
  SignIn *sign_in = g_task_get_task_data (task);
  g_autofree char *code = NULL;
  GError *local_error = NULL;

  if (sign_in->finished || !sesame_auth_request_matches_redirect (sign_in->request, uri))
    return FALSE;

  code = sesame_auth_request_parse_callback (sign_in->request, uri, &local_error);
  if (code == NULL && g_error_matches (local_error, SESAME_ERROR, SESAME_ERROR_PROVIDER))
    {
      /* A forged state or a mixed-up issuer: refused, the sign-in waits on. */
      g_debug ("Refused a callback: %s", local_error->message);
      g_propagate_error (error, local_error);
      return FALSE;
    }

  stop_waiting (task);
  if (code == NULL)
    {
      g_propagate_error (error, g_error_copy (local_error));
      g_task_return_error (task, local_error);
      return TRUE;
    }

  sesame_oauth_client_exchange_code_async (sign_in->client, sign_in->provider, sign_in->request,
                                           code, g_task_get_cancellable (task), on_exchanged,
                                           g_object_ref (task));
  return TRUE;
}

static gboolean
on_loopback_callback (const char  *uri,
                      GError     **error,
                      gpointer     user_data)
{
  return take_callback (G_TASK (user_data), uri, error);
}

static void
on_authorized (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SignIn *sign_in = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *redirect = NULL;

  reply = sesame_agent_manager_call_finish (sign_in->agents, result, &error);
  if (sign_in->finished)
    return;
  if (reply == NULL)
    {
      fail (task, g_steal_pointer (&error));
      return;
    }

  g_variant_get (reply, "(&s)", &redirect);
  /* Empty: the sign-in went on in the browser; the listener gets it. */
  if (*redirect == '\0')
    return;
  if (!take_callback (task, redirect, &error))
    fail (task, g_error_new_literal (SESAME_ERROR, SESAME_ERROR_PROVIDER,
                                     _("The sign-in page returned an answer that does not "
                                       "belong to this sign-in, so nothing was added. "
                                       "Try again.")));
}

static gboolean
on_timeout (gpointer user_data)
{
  GTask *task = user_data;
  SignIn *sign_in = g_task_get_task_data (task);

  sign_in->timeout_id = 0;
  fail (task, g_error_new_literal (SESAME_ERROR, SESAME_ERROR_CANCELLED,
                                   _("The sign-in took too long and was stopped. "
                                     "Start it again when you are ready.")));
  return G_SOURCE_REMOVE;
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  SignIn *sign_in = user_data;

  /* Runs inside g_cancellable_cancel: only stop the agent here; the
   * pending calls then end the task. */
  g_cancellable_cancel (sign_in->agent_cancellable);
}

/* The concrete redirect URI: a loopback one without a port gets the port
 * of this sign-in's listener (RFC 8252 §7.3). */
static char *
listen_for_redirect (GTask       *task,
                     GError     **error)
{
  SignIn *sign_in = g_task_get_task_data (task);
  const char *configured = sesame_provider_get_redirect_uri (sign_in->provider);
  g_autoptr(GUri) uri = g_uri_parse (configured, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 ||
      g_uri_get_port (uri) != -1 || !sesame_uri_is_secure_or_loopback (configured))
    return g_strdup (configured);

  sign_in->listener = sesame_loopback_listener_new (g_uri_get_path (uri), on_loopback_callback,
                                                    task, error);
  if (sign_in->listener == NULL)
    return NULL;
  return g_uri_join (G_URI_FLAGS_NONE, "http", NULL, "127.0.0.1",
                     sesame_loopback_listener_get_port (sign_in->listener),
                     g_uri_get_path (uri), NULL, NULL);
}

static GVariant *
authorize_details (SignIn     *sign_in,
                   const char *identity,
                   gboolean    prefer_browser)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  const char *user_agent = sesame_provider_get_user_agent (sign_in->provider);

  if (prefer_browser && sign_in->listener != NULL)
    user_agent = "browser";
  g_variant_dict_insert (&dict, "provider-name", "s", sesame_provider_get_name (sign_in->provider));
  g_variant_dict_insert (&dict, "icon-name", "s", sesame_provider_get_icon_name (sign_in->provider));
  g_variant_dict_insert (&dict, "authorization-url", "s",
                         sesame_auth_request_get_url (sign_in->request));
  g_variant_dict_insert (&dict, "redirect-uri", "s",
                         sesame_auth_request_get_redirect_uri (sign_in->request));
  g_variant_dict_insert (&dict, "user-agent", "s", user_agent);
  if (identity != NULL)
    g_variant_dict_insert (&dict, "identity", "s", identity);
  return g_variant_dict_end (&dict);
}

void
sesame_sign_in_async (SesameAgentManager  *agents,
                      SesameOAuthClient   *client,
                      SesameProvider      *provider,
                      const char * const  *scopes,
                      const char          *login_hint,
                      const char          *identity,
                      gboolean             prefer_browser,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  SignIn *sign_in = g_new0 (SignIn, 1);
  g_autofree char *redirect_uri = NULL;
  GError *error = NULL;

  g_task_set_source_tag (task, sesame_sign_in_async);
  g_task_set_task_data (task, sign_in, (GDestroyNotify) sign_in_free);
  sign_in->agents = g_object_ref (agents);
  sign_in->client = g_object_ref (client);
  sign_in->provider = g_object_ref (provider);
  sign_in->agent_cancellable = g_cancellable_new ();
  sign_in->request_id = sesame_agent_manager_new_request_id (agents);

  if (!(redirect_uri = listen_for_redirect (task, &error)) ||
      !(sign_in->request = sesame_auth_request_new (provider, scopes, redirect_uri,
                                                    login_hint ? login_hint : identity, &error)))
    {
      fail (task, error);
      return;
    }

  if (cancellable != NULL)
    sign_in->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled),
                                                   sign_in, NULL);
  sign_in->timeout_id = g_timeout_add_seconds (SIGN_IN_TIMEOUT_SECONDS, on_timeout, task);
  sesame_agent_manager_call_async (agents, "Authorize", sign_in->request_id,
                                   authorize_details (sign_in, identity, prefer_browser),
                                   sign_in->agent_cancellable, on_authorized,
                                   g_object_ref (task));
}

SesameToken *
sesame_sign_in_finish (GAsyncResult  *result,
                       char         **identity,
                       GError       **error)
{
  SignIn *sign_in = g_task_get_task_data (G_TASK (result));
  char *value = g_task_propagate_pointer (G_TASK (result), error);

  if (value == NULL)
    return NULL;
  *identity = value;
  return g_steal_pointer (&sign_in->token);
}
