/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-broker.c: the D-Bus service: construction, settings, the handlers of Broker1 */
#include "config.h"

#include "sesame-broker-private.h"

#define CONTRACT_VERSION 1

G_DEFINE_FINAL_TYPE_WITH_CODE (SesameBroker, sesame_broker, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SESAME_TYPE_ACCOUNT_KEEPER,
                                                      sesame_broker_account_keeper_init))

static void
sesame_broker_dispose (GObject *object)
{
  SesameBroker *self = SESAME_BROKER (object);

  if (self->iface != NULL)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->iface));
  g_clear_object (&self->iface);
  if (self->manager_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->manager_id);
  if (self->subtree_id != 0)
    g_dbus_connection_unregister_subtree (self->connection, self->subtree_id);
  g_clear_object (&self->goa);
  g_cancellable_cancel (self->reconciling);
  g_clear_object (&self->reconciling);
  g_clear_pointer (&self->adding, g_hash_table_unref);
  g_clear_pointer (&self->devices, g_hash_table_unref);
  g_clear_pointer (&self->objects, g_hash_table_unref);
  g_clear_object (&self->warden);
  g_clear_object (&self->notifier);
  g_clear_object (&self->sign_ins);
  g_clear_object (&self->access);
  g_clear_object (&self->grants);
  g_clear_object (&self->agents);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_object (&self->secrets);
  g_clear_object (&self->client);
  g_clear_object (&self->providers);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (sesame_broker_parent_class)->dispose (object);
}

static void
sesame_broker_class_init (SesameBrokerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sesame_broker_dispose;
}

static void
sesame_broker_init (SesameBroker *self)
{
  self->objects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->adding = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

SesameBrokerCall *
sesame_broker_call_new (SesameBroker          *self,
                        GDBusMethodInvocation *invocation,
                        SesameProvider        *provider)
{
  SesameBrokerCall *call = g_new0 (SesameBrokerCall, 1);

  call->self = self;
  call->invocation = invocation;
  g_set_object (&call->provider, provider);
  return call;
}

/* The call owns the reference GDBus handed to the handler; answering
 * steals it, so that it is given back exactly once. */
void
sesame_broker_call_free (SesameBrokerCall *call)
{
  g_clear_object (&call->invocation);
  g_clear_object (&call->provider);
  g_free (call);
}

static GSettings *
settings_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL || !(schema = g_settings_schema_source_lookup (source, "dev.sesame.Sesame", TRUE)))
    {
      g_debug ("The dev.sesame.Sesame settings schema is not installed; using the defaults");
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

static void
connect_handlers (SesameBroker *self)
{
  g_signal_connect (self->iface, "handle-list-providers",
                    G_CALLBACK (sesame_broker_handle_list_providers), self);
  g_signal_connect (self->iface, "handle-add-account",
                    G_CALLBACK (sesame_broker_handle_add_account), self);
  g_signal_connect (self->iface, "handle-register-agent",
                    G_CALLBACK (sesame_broker_handle_register_agent), self);
  g_signal_connect (self->iface, "handle-unregister-agent",
                    G_CALLBACK (sesame_broker_handle_unregister_agent), self);
  g_signal_connect (self->iface, "handle-list-grants",
                    G_CALLBACK (sesame_broker_handle_list_grants), self);
  g_signal_connect (self->iface, "handle-revoke-grant",
                    G_CALLBACK (sesame_broker_handle_revoke_grant), self);
  g_signal_connect (self->iface, "handle-begin-device-sign-in",
                    G_CALLBACK (sesame_broker_handle_begin_device_sign_in), self);
  g_signal_connect (self->iface, "handle-finish-device-sign-in",
                    G_CALLBACK (sesame_broker_handle_finish_device_sign_in), self);
  g_signal_connect (self->iface, "handle-cancel-device-sign-in",
                    G_CALLBACK (sesame_broker_handle_cancel_device_sign_in), self);
}

/* The account metadata and the grants; a file that cannot be read is
 * reported and starts empty. */
static void
load_stores (SesameBroker *self)
{
  g_autofree char *data_dir = g_build_filename (g_get_user_data_dir (), "sesame", NULL);
  g_autoptr(GError) error = NULL;

  self->store = sesame_account_store_new (data_dir);
  if (!sesame_account_store_load (self->store, &error))
    g_warning ("%s", error->message);
  g_clear_error (&error);
  self->grants = sesame_grant_store_new (data_dir);
  if (!sesame_grant_store_load (self->grants, &error))
    g_warning ("%s", error->message);
}

SesameBroker *
sesame_broker_new (GDBusConnection  *connection,
                   GError          **error)
{
  g_autoptr(SesameBroker) self = g_object_new (SESAME_TYPE_BROKER, NULL);

  self->connection = g_object_ref (connection);
  self->providers = sesame_provider_registry_new ();
  sesame_provider_registry_load (self->providers);
  self->client = sesame_oauth_client_new ();
  self->secrets = sesame_secret_store_new ();
  self->agents = sesame_agent_manager_new (connection);
  self->settings = settings_if_installed ();
  load_stores (self);
  self->access = sesame_access_control_new (connection, self->agents, self->grants,
                                            self->settings);
  self->sign_ins = sesame_sign_in_service_new (connection, self->agents, self->client,
                                               self->settings);
  g_signal_connect_object (self->grants, "changed", G_CALLBACK (sesame_broker_on_grants_changed),
                           self, G_CONNECT_SWAPPED);

  self->notifier = sesame_notifier_new (connection, self->settings);
  self->warden = sesame_warden_new (self->notifier);

  sesame_broker_export_stored_accounts (self);
  if (!sesame_broker_register_object_manager (self, error))
    return NULL;
  sesame_broker_reconcile (self);
  sesame_warden_start (self->warden);

  self->iface = sesame_broker1_skeleton_new ();
  sesame_broker1_set_version (self->iface, CONTRACT_VERSION);
  connect_handlers (self);
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->iface), connection,
                                         SESAME_BROKER_PATH, error))
    return NULL;
  self->goa = sesame_goa_face_new (connection, self->settings, self->access, self->objects);
  return g_steal_pointer (&self);
}

void
sesame_broker_flush (SesameBroker *self)
{
  sesame_account_store_flush (self->store);
  sesame_grant_store_flush (self->grants);
}
