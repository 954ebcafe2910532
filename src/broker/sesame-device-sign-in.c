/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-device-sign-in.c: one device authorization grant (RFC 8628) of a caller */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-device-sign-in.h"
#include "sesame-error.h"

/* RFC 8628 §3.5: slow_down adds 5 seconds to the interval. */
#define SLOW_DOWN_SECONDS 5

struct _SesameDeviceSignIn
{
  GObject                    parent_instance;

  char                      *id;
  char                      *owner;
  GDBusConnection           *connection;
  guint                      watch_id;
  SesameProviderRegistry    *providers;
  SesameOAuthClient         *client;
  SesameProvider            *provider;
  char                     **scopes;
  GCancellable              *cancellable;

  SesameDeviceAuthorization *authorization;
  guint                      interval;
  guint                      poll_id;
  GTask                      *finishing;   /* the pending FinishDeviceSignIn */
  SesameToken               *token;
};

G_DEFINE_FINAL_TYPE (SesameDeviceSignIn, sesame_device_sign_in, G_TYPE_OBJECT)

enum {
  OWNER_LEFT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
sesame_device_sign_in_dispose (GObject *object)
{
  SesameDeviceSignIn *self = SESAME_DEVICE_SIGN_IN (object);

  sesame_device_sign_in_cancel (self);
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);

  G_OBJECT_CLASS (sesame_device_sign_in_parent_class)->dispose (object);
}

static void
sesame_device_sign_in_finalize (GObject *object)
{
  SesameDeviceSignIn *self = SESAME_DEVICE_SIGN_IN (object);

  g_free (self->id);
  g_free (self->owner);
  g_clear_object (&self->connection);
  g_clear_object (&self->providers);
  g_clear_object (&self->client);
  g_clear_object (&self->provider);
  g_clear_object (&self->cancellable);
  g_strfreev (self->scopes);
  g_clear_pointer (&self->authorization, sesame_device_authorization_free);
  g_clear_pointer (&self->token, sesame_token_free);

  G_OBJECT_CLASS (sesame_device_sign_in_parent_class)->finalize (object);
}

static void
sesame_device_sign_in_class_init (SesameDeviceSignInClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sesame_device_sign_in_dispose;
  object_class->finalize = sesame_device_sign_in_finalize;

  signals[OWNER_LEFT] = g_signal_new ("owner-left", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sesame_device_sign_in_init (SesameDeviceSignIn *self)
{
  self->cancellable = g_cancellable_new ();
}

static void
on_owner_vanished (GDBusConnection *connection,
                   const char      *name,
                   gpointer         user_data)
{
  SesameDeviceSignIn *self = user_data;

  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  sesame_device_sign_in_cancel (self);
  g_signal_emit (self, signals[OWNER_LEFT], 0);
}

/* The provider's default scopes that device sign-in allows (device-scopes):
 * a provider's defaults may hold one it refuses there (Google's Gmail). */
static char **
dup_default_scopes (SesameProvider *provider)
{
  const char * const *defaults = sesame_provider_get_default_scopes (provider);
  const char * const *allowed = sesame_provider_get_device_scopes (provider);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; defaults[i] != NULL; i++)
    if (allowed == NULL || g_strv_contains (allowed, defaults[i]))
      g_strv_builder_add (builder, defaults[i]);
  return g_strv_builder_end (builder);
}

SesameDeviceSignIn *
sesame_device_sign_in_new (const char             *id,
                           GDBusConnection        *connection,
                           const char             *owner,
                           SesameProviderRegistry *providers,
                           SesameOAuthClient      *client,
                           SesameProvider         *provider,
                           const char * const     *scopes)
{
  SesameDeviceSignIn *self = g_object_new (SESAME_TYPE_DEVICE_SIGN_IN, NULL);

  self->id = g_strdup (id);
  self->owner = g_strdup (owner);
  self->connection = g_object_ref (connection);
  self->providers = g_object_ref (providers);
  self->client = g_object_ref (client);
  self->provider = g_object_ref (provider);
  self->scopes = scopes && scopes[0] ? g_strdupv ((char **) scopes)
                                     : dup_default_scopes (provider);
  self->watch_id = g_bus_watch_name_on_connection (connection, owner,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
                                                   on_owner_vanished, self, NULL);
  return self;
}

const char *
sesame_device_sign_in_get_id (SesameDeviceSignIn *self)
{
  return self->id;
}

const char *
sesame_device_sign_in_get_owner (SesameDeviceSignIn *self)
{
  return self->owner;
}

SesameProvider *
sesame_device_sign_in_get_provider (SesameDeviceSignIn *self)
{
  return self->provider;
}

static GVariant *
describe_authorization (SesameDeviceAuthorization *authorization)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  g_variant_dict_insert (&dict, "verification-uri", "s", authorization->verification_uri);
  if (authorization->verification_uri_complete != NULL)
    g_variant_dict_insert (&dict, "verification-uri-complete", "s",
                           authorization->verification_uri_complete);
  g_variant_dict_insert (&dict, "user-code", "s", authorization->user_code);
  g_variant_dict_insert (&dict, "expires-at", "x", authorization->expires_at);
  g_variant_dict_insert (&dict, "interval", "u", authorization->interval);
  return g_variant_dict_end (&dict);
}

static void
on_authorized (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SesameDeviceSignIn *self = g_task_get_source_object (task);
  GError *error = NULL;

  self->authorization = sesame_oauth_client_device_authorize_finish (self->client, result, &error);
  if (self->authorization == NULL)
    {
      if (error->domain == SESAME_OAUTH_ERROR)
        {
          GError *mapped = g_error_new_literal (SESAME_ERROR, SESAME_ERROR_PROVIDER, error->message);
          g_error_free (error);
          error = mapped;
        }
      g_task_return_error (task, error);
      return;
    }
  self->interval = MAX (self->authorization->interval, 1);
  g_task_return_pointer (task, g_variant_ref_sink (describe_authorization (self->authorization)),
                         (GDestroyNotify) g_variant_unref);
}

static void
on_discovered (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SesameDeviceSignIn *self = g_task_get_source_object (task);
  const char *name = sesame_provider_get_name (self->provider);
  GError *error = NULL;

  if (!sesame_provider_registry_ensure_discovered_finish (self->providers, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!sesame_provider_offers_flow (self->provider, SESAME_FLOW_DEVICE_CODE))
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                               _("%s does not offer sign-in with a code on another device. "
                                 "Sign in on a computer with a web browser instead."), name);
      return;
    }
  if (!sesame_provider_is_configured (self->provider))
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                               _("%s has no client id yet. Enter the client id of your "
                                 "registration with %s in Sesame first."), name, name);
      return;
    }

  sesame_oauth_client_device_authorize_async (self->client, self->provider,
                                              (const char * const *) self->scopes,
                                              self->cancellable, on_authorized,
                                              g_steal_pointer (&task));
}

void
sesame_device_sign_in_begin_async (SesameDeviceSignIn  *self,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task = g_task_new (self, self->cancellable, callback, user_data);

  g_task_set_source_tag (task, sesame_device_sign_in_begin_async);
  sesame_provider_registry_ensure_discovered_async (self->providers, self->client, self->provider,
                                                    self->cancellable, on_discovered, task);
}

GVariant *
sesame_device_sign_in_begin_finish (SesameDeviceSignIn  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void schedule_poll (SesameDeviceSignIn *self);

static void
end_finishing (SesameDeviceSignIn *self,
               GError             *error,
               char               *identity)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->finishing);

  if (task == NULL)
    return;
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, identity, g_free);
}

static void
on_identity (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SesameDeviceSignIn) self = user_data;
  GError *error = NULL;
  char *identity = sesame_oauth_client_fetch_identity_finish (self->client, result, &error);

  end_finishing (self, error, identity);
}

static GError *
map_poll_error (SesameDeviceSignIn *self,
                GError             *error)
{
  GError *mapped = NULL;

  if (g_error_matches (error, SESAME_OAUTH_ERROR, SESAME_OAUTH_ERROR_ACCESS_DENIED))
    mapped = g_error_new_literal (SESAME_ERROR, SESAME_ERROR_CANCELLED,
                                  _("The sign-in was denied on the other device, so no account "
                                    "was added."));
  else if (g_error_matches (error, SESAME_OAUTH_ERROR, SESAME_OAUTH_ERROR_EXPIRED_TOKEN))
    mapped = g_error_new (SESAME_ERROR, SESAME_ERROR_PROVIDER,
                          _("The code for %s expired before the sign-in was approved. "
                            "Start again."), sesame_provider_get_name (self->provider));
  else if (error->domain == SESAME_OAUTH_ERROR)
    mapped = g_error_new_literal (SESAME_ERROR, SESAME_ERROR_PROVIDER, error->message);
  else
    return error;

  g_error_free (error);
  return mapped;
}

static void
on_polled (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SesameDeviceSignIn) self = user_data;
  GError *error = NULL;

  self->token = sesame_oauth_client_device_poll_finish (self->client, result, &error);
  if (self->token != NULL)
    {
      sesame_oauth_client_fetch_identity_async (self->client, self->provider, self->token,
                                                self->cancellable, on_identity,
                                                g_object_ref (self));
      return;
    }

  if (g_error_matches (error, SESAME_OAUTH_ERROR, SESAME_OAUTH_ERROR_AUTHORIZATION_PENDING) ||
      g_error_matches (error, SESAME_OAUTH_ERROR, SESAME_OAUTH_ERROR_SLOW_DOWN) ||
      g_error_matches (error, SESAME_ERROR, SESAME_ERROR_NETWORK))
    {
      if (g_error_matches (error, SESAME_OAUTH_ERROR, SESAME_OAUTH_ERROR_SLOW_DOWN))
        self->interval += SLOW_DOWN_SECONDS;
      g_error_free (error);
      schedule_poll (self);
      return;
    }
  end_finishing (self, map_poll_error (self, error), NULL);
}

static gboolean
poll_cb (gpointer user_data)
{
  SesameDeviceSignIn *self = user_data;

  self->poll_id = 0;
  if (g_get_real_time () / G_USEC_PER_SEC >= self->authorization->expires_at)
    {
      end_finishing (self, map_poll_error (self, g_error_new_literal (SESAME_OAUTH_ERROR,
                                                                      SESAME_OAUTH_ERROR_EXPIRED_TOKEN,
                                                                      "expired_token")), NULL);
      return G_SOURCE_REMOVE;
    }
  sesame_oauth_client_device_poll_async (self->client, self->provider,
                                         self->authorization->device_code,
                                         (const char * const *) self->scopes, self->cancellable,
                                         on_polled, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
schedule_poll (SesameDeviceSignIn *self)
{
  self->poll_id = g_timeout_add_seconds (self->interval, poll_cb, self);
}

void
sesame_device_sign_in_poll_async (SesameDeviceSignIn  *self,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, sesame_device_sign_in_poll_async);
  if (self->authorization == NULL || self->finishing != NULL ||
      g_cancellable_is_cancelled (self->cancellable))
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                               _("This device sign-in is not waiting to be finished. "
                                 "Begin a new one."));
      return;
    }
  self->finishing = g_steal_pointer (&task);
  schedule_poll (self);
}

SesameToken *
sesame_device_sign_in_poll_finish (SesameDeviceSignIn  *self,
                                   GAsyncResult        *result,
                                   char               **identity,
                                   GError             **error)
{
  char *value = g_task_propagate_pointer (G_TASK (result), error);

  if (value == NULL)
    return NULL;
  *identity = value;
  return g_steal_pointer (&self->token);
}

void
sesame_device_sign_in_cancel (SesameDeviceSignIn *self)
{
  g_clear_handle_id (&self->poll_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  if (self->finishing != NULL)
    end_finishing (self, g_error_new_literal (SESAME_ERROR, SESAME_ERROR_CANCELLED,
                                              _("The device sign-in was cancelled.")), NULL);
}
