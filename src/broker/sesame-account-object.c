/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-account-object.c: one account on the bus (dev.sesame.Account1) */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-account-object.h"
#include "sesame-error.h"

struct _SesameAccountObject
{
  GObject               parent_instance;

  SesameBroker         *broker;          /* owns us */
  SesameCredentials    *credentials;
  SesameObjectSkeleton *skeleton;
  SesameAccount1       *iface;
  char                 *path;
};

G_DEFINE_FINAL_TYPE (SesameAccountObject, sesame_account_object, G_TYPE_OBJECT)

static void
sesame_account_object_finalize (GObject *object)
{
  SesameAccountObject *self = SESAME_ACCOUNT_OBJECT (object);

  g_signal_handlers_disconnect_by_data (self->iface, self);
  g_clear_object (&self->iface);
  g_clear_object (&self->skeleton);
  g_clear_object (&self->credentials);
  g_free (self->path);

  G_OBJECT_CLASS (sesame_account_object_parent_class)->finalize (object);
}

static void
sesame_account_object_class_init (SesameAccountObjectClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sesame_account_object_finalize;
}

static void
sesame_account_object_init (SesameAccountObject *self)
{
}

/* Keeps the invocation, the object and the request's scopes together
 * across the asynchronous steps of one method call. */
typedef struct {
  SesameAccountObject   *self;
  GDBusMethodInvocation *invocation;
  char                 **scopes;
} Call;

static Call *
call_new (SesameAccountObject   *self,
          GDBusMethodInvocation *invocation,
          const char * const    *scopes)
{
  Call *call = g_new0 (Call, 1);

  call->self = g_object_ref (self);
  call->invocation = g_object_ref (invocation);
  call->scopes = g_strdupv ((char **) scopes);
  return call;
}

static void
call_free (Call *call)
{
  g_object_unref (call->self);
  g_object_unref (call->invocation);
  g_strfreev (call->scopes);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)

static void
on_token (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  g_autofree char *token = NULL;
  gint64 expires_at = 0;
  GError *error = NULL;

  if (!sesame_credentials_get_token_finish (SESAME_CREDENTIALS (source), result,
                                            &token, &expires_at, &error))
    return sesame_broker_return_error (call->invocation, error);

  if (g_strcmp0 (g_dbus_method_invocation_get_method_name (call->invocation), "Refresh") == 0)
    sesame_account1_complete_refresh (call->self->iface, g_steal_pointer (&call->invocation),
                                      expires_at);
  else
    sesame_account1_complete_get_access_token (call->self->iface,
                                               g_steal_pointer (&call->invocation),
                                               token, expires_at);
  explicit_bzero (token, strlen (token));
}

static void
on_token_access (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Call *call = user_data;
  GError *error = NULL;
  gboolean refresh_now;

  if (!sesame_broker_check_access_finish (SESAME_BROKER (source), result, &error))
    return sesame_broker_return_error (call->invocation, error), call_free (call);

  refresh_now = g_strcmp0 (g_dbus_method_invocation_get_method_name (call->invocation),
                           "Refresh") == 0;
  sesame_credentials_get_token_async (call->self->credentials,
                                      (const char * const *) call->scopes, refresh_now,
                                      NULL, on_token, call);
}

static gboolean
handle_get_access_token (SesameAccount1        *iface,
                         GDBusMethodInvocation *invocation,
                         const char * const    *scopes,
                         SesameAccountObject   *self)
{
  g_autofree char *token = NULL;
  gint64 expires_at = 0;
  GError *error = NULL;

  if (!sesame_broker_check_scopes (scopes, &error))
    return sesame_broker_return_error (invocation, error), TRUE;

  /* A cached token for an allowed caller: answered without a main loop hop. */
  if (sesame_broker_check_access_now (self->broker, invocation, SESAME_ACCESS_USE,
                                      self->credentials) &&
      sesame_credentials_lookup_cached (self->credentials, scopes, &token, &expires_at))
    {
      sesame_account1_complete_get_access_token (iface, invocation, token, expires_at);
      explicit_bzero (token, strlen (token));
      return TRUE;
    }

  sesame_broker_check_access_async (self->broker, invocation, SESAME_ACCESS_USE,
                                    self->credentials, scopes, on_token_access,
                                    call_new (self, invocation, scopes));
  return TRUE;
}

static gboolean
handle_refresh (SesameAccount1        *iface,
                GDBusMethodInvocation *invocation,
                SesameAccountObject   *self)
{
  sesame_broker_check_access_async (self->broker, invocation, SESAME_ACCESS_MANAGE,
                                    self->credentials, NULL, on_token_access,
                                    call_new (self, invocation, NULL));
  return TRUE;
}

static void
on_reauthenticated_stored (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  GError *error = NULL;

  if (!sesame_credentials_replace_finish (SESAME_CREDENTIALS (source), result, &error))
    return sesame_broker_return_error (call->invocation, error);
  sesame_account1_complete_reauthenticate (call->self->iface, g_steal_pointer (&call->invocation));
}

static void
on_reauthenticated (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  SesameAccount *account = sesame_credentials_get_account (call->self->credentials);
  g_autoptr(SesameToken) token = NULL;
  g_autofree char *identity = NULL;
  GError *error = NULL;

  token = sesame_broker_sign_in_finish (SESAME_BROKER (source), result, &identity, &error);
  if (token == NULL)
    return sesame_broker_return_error (call->invocation, error);

  if (g_strcmp0 (identity, sesame_account_get_identity (account)) != 0)
    return sesame_broker_return_error (call->invocation,
      g_error_new (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                   _("You signed in as %s, but this account is %s. Sign in as %s, or add "
                     "%s as a new account."),
                   identity, sesame_account_get_identity (account),
                   sesame_account_get_identity (account), identity));

  SesameCredentials *credentials = call->self->credentials;

  sesame_credentials_replace_async (credentials, token, NULL, on_reauthenticated_stored,
                                    g_steal_pointer (&call));
}

static void
on_reauthenticate_access (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  Call *call = user_data;
  SesameAccount *account = sesame_credentials_get_account (call->self->credentials);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) scopes = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  GError *error = NULL;

  if (!sesame_broker_check_access_finish (SESAME_BROKER (source), result, &error))
    return sesame_broker_return_error (call->invocation, error), call_free (call);

  /* Incremental consent: what was granted plus what is asked for now. */
  g_strv_builder_addv (builder, (const char **) sesame_account_get_scopes (account));
  for (guint i = 0; call->scopes[i]; i++)
    if (!g_strv_contains (sesame_account_get_scopes (account), call->scopes[i]))
      g_strv_builder_add (builder, call->scopes[i]);
  scopes = g_strv_builder_end (builder);

  cancellable = sesame_broker_watch_caller (call->self->broker, call->invocation);
  sesame_broker_sign_in_async (call->self->broker,
                               sesame_credentials_get_provider (call->self->credentials),
                               (const char * const *) scopes, NULL,
                               sesame_account_get_identity (account), cancellable,
                               on_reauthenticated, call);
}

static gboolean
handle_reauthenticate (SesameAccount1        *iface,
                       GDBusMethodInvocation *invocation,
                       const char * const    *scopes,
                       SesameAccountObject   *self)
{
  SesameAccount *account = sesame_credentials_get_account (self->credentials);
  GError *error = NULL;

  if (!sesame_broker_check_scopes (scopes, &error))
    return sesame_broker_return_error (invocation, error), TRUE;
  if (g_strcmp0 (sesame_account_get_flow (account), SESAME_FLOW_CLIENT_CREDENTIALS) == 0)
    return sesame_broker_return_error (invocation,
      g_error_new_literal (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                           _("A service account has no sign-in page. Add it again with its "
                             "new client secret instead."))), TRUE;

  sesame_broker_check_access_async (self->broker, invocation, SESAME_ACCESS_MANAGE,
                                    self->credentials, scopes, on_reauthenticate_access,
                                    call_new (self, invocation, scopes));
  return TRUE;
}

/* Remove: revoke, then delete whatever happened, then answer. */
typedef struct {
  Call   *call;
  GError *revoke_error;
} Removal;

static void
removal_free (Removal *removal)
{
  call_free (removal->call);
  g_clear_error (&removal->revoke_error);
  g_free (removal);
}

static void
on_forgotten (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Removal *removal = user_data;
  SesameAccountObject *self = removal->call->self;
  SesameProvider *provider = sesame_credentials_get_provider (self->credentials);
  GDBusMethodInvocation *invocation = g_steal_pointer (&removal->call->invocation);
  GError *error = NULL;

  if (!sesame_broker_forget_account_finish (SESAME_BROKER (source), result, &error))
    sesame_broker_return_error (invocation, error);
  else if (removal->revoke_error != NULL)
    sesame_broker_return_error (invocation,
      g_error_new (SESAME_ERROR,
                   removal->revoke_error->code == SESAME_ERROR_NETWORK
                   ? SESAME_ERROR_NETWORK : SESAME_ERROR_PROVIDER,
                   _("The account is gone from this computer, but %s could not be told to "
                     "revoke Sesame’s access (%s). Revoke it by hand in your %s account’s "
                     "security settings."),
                   sesame_provider_get_name (provider), removal->revoke_error->message,
                   sesame_provider_get_name (provider)));
  else
    sesame_account1_complete_remove (self->iface, invocation);
  removal_free (removal);
}

static void
on_secret_deleted (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Removal *removal = user_data;
  SesameAccountObject *self = removal->call->self;
  g_autoptr(GError) error = NULL;

  /* The metadata goes even when the keyring failed: the person asked for
   * the account to be gone; a leftover item holds no account anymore. */
  if (!sesame_credentials_delete_finish (SESAME_CREDENTIALS (source), result, &error))
    g_warning ("Could not delete the keyring item of %s: %s",
               sesame_account_get_id (sesame_credentials_get_account (self->credentials)),
               error->message);
  sesame_broker_forget_account_async (self->broker, self->credentials, on_forgotten, removal);
}

static void
on_revoked (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Removal *removal = user_data;

  sesame_credentials_revoke_finish (SESAME_CREDENTIALS (source), result, &removal->revoke_error);
  sesame_credentials_delete_async (SESAME_CREDENTIALS (source), NULL, on_secret_deleted, removal);
}

static void
on_remove_access (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Removal *removal = g_new0 (Removal, 1);
  GError *error = NULL;

  removal->call = user_data;
  if (!sesame_broker_check_access_finish (SESAME_BROKER (source), result, &error))
    return sesame_broker_return_error (removal->call->invocation, error), removal_free (removal);

  sesame_credentials_revoke_async (removal->call->self->credentials, NULL, on_revoked, removal);
}

static gboolean
handle_remove (SesameAccount1        *iface,
               GDBusMethodInvocation *invocation,
               SesameAccountObject   *self)
{
  sesame_broker_check_access_async (self->broker, invocation, SESAME_ACCESS_REMOVE,
                                    self->credentials, NULL, on_remove_access,
                                    call_new (self, invocation, NULL));
  return TRUE;
}

static const char * const property_names[] = {
  "id", "provider", "provider-name", "identity", "scopes", "expires-at",
  "attention-needed", "attention-reason", "created-at", "flow",
};

static void
copy_property (SesameAccountObject *self,
               SesameAccount       *account,
               const char          *name)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (account), name);
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, pspec->value_type);
  g_object_get_property (G_OBJECT (account), name, &value);
  g_object_set_property (G_OBJECT (self->iface), name, &value);
}

/* The account's properties and Account1's share their names; one handler
 * instead of a GBinding per property keeps 1,000 accounts small. */
static void
on_account_notify (SesameAccount       *account,
                   GParamSpec          *pspec,
                   SesameAccountObject *self)
{
  copy_property (self, account, pspec->name);
}

static void
bind_properties (SesameAccountObject *self,
                 SesameAccount       *account)
{
  for (guint i = 0; i < G_N_ELEMENTS (property_names); i++)
    copy_property (self, account, property_names[i]);
  g_signal_connect_object (account, "notify", G_CALLBACK (on_account_notify), self, 0);
}

SesameAccountObject *
sesame_account_object_new (SesameBroker      *broker,
                           SesameCredentials *credentials)
{
  SesameAccountObject *self = g_object_new (SESAME_TYPE_ACCOUNT_OBJECT, NULL);
  SesameAccount *account = sesame_credentials_get_account (credentials);

  self->broker = broker;
  self->credentials = g_object_ref (credentials);
  self->path = g_strconcat (SESAME_ACCOUNTS_PATH, sesame_account_get_id (account), NULL);
  self->skeleton = sesame_object_skeleton_new (self->path);
  self->iface = sesame_account1_skeleton_new ();
  sesame_object_skeleton_set_account1 (self->skeleton, self->iface);
  bind_properties (self, account);

  g_signal_connect (self->iface, "handle-get-access-token",
                    G_CALLBACK (handle_get_access_token), self);
  g_signal_connect (self->iface, "handle-refresh", G_CALLBACK (handle_refresh), self);
  g_signal_connect (self->iface, "handle-reauthenticate",
                    G_CALLBACK (handle_reauthenticate), self);
  g_signal_connect (self->iface, "handle-remove", G_CALLBACK (handle_remove), self);
  return self;
}

SesameObjectSkeleton *
sesame_account_object_get_skeleton (SesameAccountObject *self)
{
  return self->skeleton;
}

SesameCredentials *
sesame_account_object_get_credentials (SesameAccountObject *self)
{
  return self->credentials;
}

const char *
sesame_account_object_get_path (SesameAccountObject *self)
{
  return self->path;
}
