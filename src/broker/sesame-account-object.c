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
  GDBusConnection      *connection;
  SesameCredentials    *credentials;
  char                 *path;
  GVariantDict         *changed;         /* properties to announce */
  guint                 changed_idle;
};

G_DEFINE_FINAL_TYPE (SesameAccountObject, sesame_account_object, G_TYPE_OBJECT)

static void
sesame_account_object_finalize (GObject *object)
{
  SesameAccountObject *self = SESAME_ACCOUNT_OBJECT (object);

  g_signal_handlers_disconnect_by_data (sesame_credentials_get_account (self->credentials), self);
  g_clear_handle_id (&self->changed_idle, g_source_remove);
  g_clear_pointer (&self->changed, g_variant_dict_unref);
  g_clear_object (&self->credentials);
  g_clear_object (&self->connection);
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
 * across the asynchronous steps of one method call. The call owns the
 * reference GDBus handed to the handler; answering steals it, so that it
 * is given back exactly once (an extra reference leaked every call). */
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
  call->invocation = invocation;
  call->scopes = g_strdupv ((char **) scopes);
  return call;
}

static void
call_free (Call *call)
{
  g_object_unref (call->self);
  g_clear_object (&call->invocation);
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
    {
      sesame_broker_return_error (g_steal_pointer (&call->invocation), error);
      return;
    }

  if (g_strcmp0 (g_dbus_method_invocation_get_method_name (call->invocation), "Refresh") == 0)
    g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation),
                                           g_variant_new ("(x)", expires_at));
  else
    g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation),
                                           g_variant_new ("(sx)", token, expires_at));
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
    {
      sesame_broker_return_error (g_steal_pointer (&call->invocation), error);
      call_free (call);
      return;
    }

  refresh_now = g_strcmp0 (g_dbus_method_invocation_get_method_name (call->invocation),
                           "Refresh") == 0;
  sesame_credentials_get_token_async (call->self->credentials,
                                      (const char * const *) call->scopes, refresh_now,
                                      NULL, on_token, call);
}

static void
handle_get_access_token (SesameAccountObject   *self,
                         GDBusMethodInvocation *invocation,
                         const char * const    *scopes)
{
  g_autofree char *token = NULL;
  gint64 expires_at = 0;
  GError *error = NULL;

  if (!sesame_broker_check_scopes (scopes, &error))
    {
      sesame_broker_return_error (invocation, error);
      return;
    }

  /* A cached token for an allowed caller: answered without a main loop hop. */
  if (sesame_broker_check_access_now (self->broker, invocation, SESAME_ACCESS_USE,
                                      self->credentials, scopes) &&
      sesame_credentials_lookup_cached (self->credentials, scopes, &token, &expires_at))
    {
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(sx)", token, expires_at));
      explicit_bzero (token, strlen (token));
      return;
    }

  sesame_broker_check_access_async (self->broker, invocation, SESAME_ACCESS_USE,
                                    self->credentials, NULL, scopes, on_token_access,
                                    call_new (self, invocation, scopes));
}

static void
handle_refresh (SesameAccountObject   *self,
                GDBusMethodInvocation *invocation)
{
  sesame_broker_check_access_async (self->broker, invocation, SESAME_ACCESS_MANAGE,
                                    self->credentials, NULL, NULL, on_token_access,
                                    call_new (self, invocation, NULL));
}

static void
on_reauthenticated_stored (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(Call) call = user_data;
  GError *error = NULL;

  if (!sesame_credentials_replace_finish (SESAME_CREDENTIALS (source), result, &error))
    {
      sesame_broker_return_error (g_steal_pointer (&call->invocation), error);
      return;
    }
  g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation), NULL);
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
    {
      sesame_broker_return_error (g_steal_pointer (&call->invocation), error);
      return;
    }

  if (g_strcmp0 (identity, sesame_account_get_identity (account)) != 0)
    {
      sesame_broker_return_error (g_steal_pointer (&call->invocation),
 g_error_new (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
              _("You signed in as %s, but this account is %s. Sign in as %s, or add "
                "%s as a new account."),
              identity, sesame_account_get_identity (account),
              sesame_account_get_identity (account), identity));
      return;
    }

  sesame_credentials_replace_async (call->self->credentials, token, NULL, on_reauthenticated_stored,
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
    {
      sesame_broker_return_error (g_steal_pointer (&call->invocation), error);
      call_free (call);
      return;
    }

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

static void
handle_reauthenticate (SesameAccountObject   *self,
                       GDBusMethodInvocation *invocation,
                       const char * const    *scopes)
{
  SesameAccount *account = sesame_credentials_get_account (self->credentials);
  GError *error = NULL;

  if (!sesame_broker_check_scopes (scopes, &error))
    {
      sesame_broker_return_error (invocation, error);
      return;
    }
  if (g_strcmp0 (sesame_account_get_flow (account), SESAME_FLOW_CLIENT_CREDENTIALS) == 0)
    {
      sesame_broker_return_error (invocation,
 g_error_new_literal (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                      _("A service account has no sign-in page. Add it again with its "
                        "new client secret instead.")));
      return;
    }
  if (!sesame_broker_check_sign_in_quota (self->broker, invocation))
    return;

  sesame_broker_check_access_async (self->broker, invocation, SESAME_ACCESS_MANAGE,
                                    self->credentials, NULL, scopes, on_reauthenticate_access,
                                    call_new (self, invocation, scopes));
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
    g_dbus_method_invocation_return_value (invocation, NULL);
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
  /* A keyring that cannot be read (locked, say) holds the token the
   * provider must be told to revoke: nothing is removed, the person is
   * told what to do and can try again. */
  if (g_error_matches (removal->revoke_error, SESAME_ERROR, SESAME_ERROR_KEYRING))
    {
      sesame_broker_return_error (g_steal_pointer (&removal->call->invocation),
                                  g_steal_pointer (&removal->revoke_error));
      removal_free (removal);
      return;
    }
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
    {
      sesame_broker_return_error (g_steal_pointer (&removal->call->invocation), error);
      removal_free (removal);
      return;
    }

  sesame_credentials_revoke_async (removal->call->self->credentials, NULL, on_revoked, removal);
}

static void
handle_remove (SesameAccountObject   *self,
               GDBusMethodInvocation *invocation)
{
  sesame_broker_check_access_async (self->broker, invocation, SESAME_ACCESS_REMOVE,
                                    self->credentials, NULL, NULL, on_remove_access,
                                    call_new (self, invocation, NULL));
}

/* Account1's properties: the D-Bus name and the SesameAccount property. */
static const struct {
  const char *dbus_name;
  const char *name;
} properties[] = {
  { "Id", "id" },
  { "Provider", "provider" },
  { "ProviderName", "provider-name" },
  { "Identity", "identity" },
  { "Scopes", "scopes" },
  { "ExpiresAt", "expires-at" },
  { "AttentionNeeded", "attention-needed" },
  { "AttentionReason", "attention-reason" },
  { "CreatedAt", "created-at" },
  { "Flow", "flow" },
};

static GVariant *
property_value (SesameAccountObject *self,
                const char          *name)
{
  SesameAccount *account = sesame_credentials_get_account (self->credentials);
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (account), name);
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, pspec->value_type);
  g_object_get_property (G_OBJECT (account), name, &value);
  if (pspec->value_type == G_TYPE_STRING)
    return g_variant_new_string (g_value_get_string (&value));
  if (pspec->value_type == G_TYPE_INT64)
    return g_variant_new_int64 (g_value_get_int64 (&value));
  if (pspec->value_type == G_TYPE_BOOLEAN)
    return g_variant_new_boolean (g_value_get_boolean (&value));
  return g_variant_new_strv (g_value_get_boxed (&value), -1);
}

GVariant *
sesame_account_object_get_property (SesameAccountObject *self,
                                    const char          *dbus_name)
{
  for (guint i = 0; i < G_N_ELEMENTS (properties); i++)
    if (g_str_equal (properties[i].dbus_name, dbus_name))
      return property_value (self, properties[i].name);
  return NULL;
}

GVariant *
sesame_account_object_get_properties (SesameAccountObject *self)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (properties); i++)
    g_variant_dict_insert_value (&dict, properties[i].dbus_name,
                                 property_value (self, properties[i].name));
  return g_variant_dict_end (&dict);
}

static gboolean
emit_properties_changed (gpointer user_data)
{
  SesameAccountObject *self = user_data;
  g_autoptr(GVariantDict) changed = g_steal_pointer (&self->changed);
  const char *invalidated[] = { NULL };

  self->changed_idle = 0;
  g_dbus_connection_emit_signal (self->connection, NULL, self->path,
                                 "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                 g_variant_new ("(s@a{sv}^as)", SESAME_ACCOUNT_IFACE,
                                                g_variant_dict_end (changed), invalidated),
                                 NULL);
  return G_SOURCE_REMOVE;
}

/* Changes of one main-loop iteration go out in one PropertiesChanged. */
static void
on_account_notify (SesameAccount       *account,
                   GParamSpec          *pspec,
                   SesameAccountObject *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (properties); i++)
    if (g_str_equal (properties[i].name, pspec->name))
      {
        if (self->changed == NULL)
          self->changed = g_variant_dict_new (NULL);
        g_variant_dict_insert_value (self->changed, properties[i].dbus_name,
                                     property_value (self, pspec->name));
      }
  if (self->changed != NULL && self->changed_idle == 0)
    self->changed_idle = g_idle_add (emit_properties_changed, self);
}

void
sesame_account_object_handle_call (SesameAccountObject   *self,
                                   GDBusMethodInvocation *invocation)
{
  const char *method = g_dbus_method_invocation_get_method_name (invocation);
  GVariant *parameters = g_dbus_method_invocation_get_parameters (invocation);
  g_autofree const char **scopes = NULL;

  /* GDBus checked the signatures against the interface's introspection. */
  if (g_str_equal (method, "GetAccessToken") || g_str_equal (method, "Reauthenticate"))
    g_variant_get (parameters, "(^a&s)", &scopes);

  if (g_str_equal (method, "GetAccessToken"))
    handle_get_access_token (self, invocation, scopes);
  else if (g_str_equal (method, "Refresh"))
    handle_refresh (self, invocation);
  else if (g_str_equal (method, "Reauthenticate"))
    handle_reauthenticate (self, invocation, scopes);
  else
    handle_remove (self, invocation);
}

SesameAccountObject *
sesame_account_object_new (SesameBroker      *broker,
                           GDBusConnection   *connection,
                           SesameCredentials *credentials)
{
  SesameAccountObject *self = g_object_new (SESAME_TYPE_ACCOUNT_OBJECT, NULL);
  SesameAccount *account = sesame_credentials_get_account (credentials);

  self->broker = broker;
  self->connection = g_object_ref (connection);
  self->credentials = g_object_ref (credentials);
  self->path = g_strconcat (SESAME_ACCOUNTS_PATH, sesame_account_get_id (account), NULL);
  g_signal_connect (account, "notify", G_CALLBACK (on_account_notify), self);
  return self;
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
