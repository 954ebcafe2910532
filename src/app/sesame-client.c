/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-client.c: the app's view of the broker: accounts, providers, grants */
#include "config.h"

#include <glib/gi18n.h>

#include "sesame-client.h"
#include "sesame-grant-info.h"

struct _SesameClient
{
  GObject parent_instance;

  GCancellable *cancellable;
  GDBusConnection *connection;
  guint watch_id;
  SesameBroker1 *broker;
  GDBusObjectManager *manager;
  GListStore *accounts;
  GListStore *providers;
  GListStore *grants;
  SesameClientState state;
  char *error_message;
  char *broker_owner;
  guint relist_id;
  gboolean starting;
};

G_DEFINE_FINAL_TYPE (SesameClient, sesame_client, G_TYPE_OBJECT)

enum { PROP_0, PROP_STATE, PROP_ERROR_MESSAGE, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { BROKER_APPEARED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
sesame_client_dispose (GObject *object)
{
  SesameClient *self = SESAME_CLIENT (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  g_clear_handle_id (&self->relist_id, g_source_remove);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->manager);
  g_clear_object (&self->broker);
  g_clear_object (&self->connection);
  g_clear_object (&self->accounts);
  g_clear_object (&self->providers);
  g_clear_object (&self->grants);
  g_clear_pointer (&self->error_message, g_free);
  g_clear_pointer (&self->broker_owner, g_free);

  G_OBJECT_CLASS (sesame_client_parent_class)->dispose (object);
}

static void
sesame_client_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SesameClient *self = SESAME_CLIENT (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sesame_client_class_init (SesameClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sesame_client_dispose;
  object_class->get_property = sesame_client_get_property;

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, SESAME_CLIENT_CONNECTING, SESAME_CLIENT_FAILED,
                      SESAME_CLIENT_CONNECTING,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The broker is (again) on the bus: an agent registers with it. */
  signals[BROKER_APPEARED] = g_signal_new ("broker-appeared", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);
}

static void
sesame_client_init (SesameClient *self)
{
  self->cancellable = g_cancellable_new ();
  self->accounts = g_list_store_new (SESAME_TYPE_ACCOUNT1);
  self->providers = g_list_store_new (SESAME_TYPE_PROVIDER_INFO);
  self->grants = g_list_store_new (SESAME_TYPE_GRANT_INFO);
}

SesameClient *
sesame_client_new (void)
{
  return g_object_new (SESAME_TYPE_CLIENT, NULL);
}

static void
set_state (SesameClient      *self,
           SesameClientState  state,
           const char        *error_message)
{
  if (g_strcmp0 (self->error_message, error_message) != 0)
    {
      g_free (self->error_message);
      self->error_message = g_strdup (error_message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
    }
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

/* Accounts --------------------------------------------------------------- */

static int
compare_accounts (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  SesameAccount1 *first = (SesameAccount1 *) a;
  SesameAccount1 *second = (SesameAccount1 *) b;
  int by_provider = g_utf8_collate (sesame_account1_get_provider_name (first) ?: "",
                                    sesame_account1_get_provider_name (second) ?: "");

  if (by_provider != 0)
    return by_provider;
  return g_utf8_collate (sesame_account1_get_identity (first) ?: "",
                         sesame_account1_get_identity (second) ?: "");
}

static int
compare_pointed_accounts (gconstpointer a,
                          gconstpointer b,
                          gpointer      user_data)
{
  return compare_accounts (*(gconstpointer *) a, *(gconstpointer *) b, user_data);
}

static SesameAccount1 *
account_of (GDBusObject *object)
{
  SesameAccount1 *account = sesame_object_get_account1 (SESAME_OBJECT (object));

  /* Sign-in and removal wait for the person or the provider. */
  if (account != NULL)
    g_dbus_proxy_set_default_timeout (G_DBUS_PROXY (account), G_MAXINT);
  return account;
}

static void
add_object (SesameClient *self,
            GDBusObject  *object)
{
  g_autoptr(SesameAccount1) account = account_of (object);

  if (account != NULL)
    g_list_store_insert_sorted (self->accounts, account, compare_accounts, NULL);
}

static void list_providers (SesameClient *self);

static gboolean
relist_providers (gpointer user_data)
{
  SesameClient *self = user_data;

  self->relist_id = 0;
  list_providers (self);
  return G_SOURCE_REMOVE;
}

static void
on_object_added (GDBusObjectManager *manager,
                 GDBusObject        *object,
                 SesameClient       *self)
{
  add_object (self, object);
  /* Adding may have configured a provider (the person's own client id);
   * once for a burst of additions, as when the broker comes back. */
  if (self->relist_id == 0)
    self->relist_id = g_idle_add (relist_providers, self);
}

static void
on_object_removed (GDBusObjectManager *manager,
                   GDBusObject        *object,
                   SesameClient       *self)
{
  const char *path = g_dbus_object_get_object_path (object);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GDBusProxy) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      if (g_str_equal (g_dbus_proxy_get_object_path (account), path))
        {
          g_list_store_remove (self->accounts, i);
          return;
        }
    }
}

/* All at once, sorted, in one change: a thousand accounts are one
 * items-changed, not a thousand. */
static void
fill_accounts (SesameClient *self)
{
  GList *objects = g_dbus_object_manager_get_objects (self->manager);
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func (g_object_unref);

  for (GList *l = objects; l != NULL; l = l->next)
    {
      SesameAccount1 *account = account_of (l->data);

      if (account != NULL)
        g_ptr_array_add (accounts, account);
    }
  g_list_free_full (objects, g_object_unref);
  g_ptr_array_sort_with_data (accounts, compare_pointed_accounts, NULL);
  g_list_store_splice (self->accounts, 0, g_list_model_get_n_items (G_LIST_MODEL (self->accounts)),
                       accounts->pdata, accounts->len);
}

SesameAccount1 *
sesame_client_lookup_account (SesameClient *self,
                              const char   *object_path)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  g_return_val_if_fail (SESAME_IS_CLIENT (self), NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SesameAccount1) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      if (g_str_equal (g_dbus_proxy_get_object_path (G_DBUS_PROXY (account)), object_path))
        return account;  /* the store keeps it */
    }
  return NULL;
}

/* Providers and grants --------------------------------------------------- */

static GPtrArray *
wrap_all (GVariant *list,
          gpointer (*wrap) (GVariant *))
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);
  GVariantIter iter;
  GVariant *item;

  g_variant_iter_init (&iter, list);
  while ((item = g_variant_iter_next_value (&iter)) != NULL)
    {
      g_ptr_array_add (items, wrap (item));
      g_variant_unref (item);
    }
  return items;
}

static void
replace_all (GListStore *store,
             GPtrArray  *items)
{
  g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)),
                       items->pdata, items->len);
}

static void
on_grants_listed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SesameClient) self = user_data;
  g_autoptr(GVariant) grants = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;

  if (!sesame_broker1_call_list_grants_finish (SESAME_BROKER1 (source), &grants, result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not list the grants: %s", error->message);
      return;
    }
  items = wrap_all (grants, (gpointer (*) (GVariant *)) sesame_grant_info_new);
  sesame_grant_info_update_list (self->grants, items);
}

static void
list_grants (SesameClient *self)
{
  sesame_broker1_call_list_grants (self->broker, self->cancellable, on_grants_listed,
                                   g_object_ref (self));
}

static void
on_providers_listed (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(SesameClient) self = user_data;
  g_autoptr(GVariant) providers = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;

  if (!sesame_broker1_call_list_providers_finish (SESAME_BROKER1 (source), &providers,
                                                  result, &error))
    {
      g_autofree char *message = sesame_client_describe_error (error);

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_state (self, SESAME_CLIENT_FAILED, message);
      return;
    }
  items = wrap_all (providers, (gpointer (*) (GVariant *)) sesame_provider_info_new);
  replace_all (self->providers, items);
  set_state (self, SESAME_CLIENT_READY, NULL);
}

static void
list_providers (SesameClient *self)
{
  sesame_broker1_call_list_providers (self->broker, self->cancellable, on_providers_listed,
                                      g_object_ref (self));
}

SesameProviderInfo *
sesame_client_lookup_provider (SesameClient *self,
                               const char   *id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->providers));

  g_return_val_if_fail (SESAME_IS_CLIENT (self), NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SesameProviderInfo) info = g_list_model_get_item (G_LIST_MODEL (self->providers), i);

      if (g_strcmp0 (sesame_provider_info_get_id (info), id) == 0)
        return info;
    }
  return NULL;
}

/* The broker on the bus ---------------------------------------------------- */

static void
on_broker_appeared (GDBusConnection *connection,
                    const char      *name,
                    const char      *owner,
                    gpointer         user_data)
{
  SesameClient *self = user_data;

  self->starting = FALSE;
  g_free (self->broker_owner);
  self->broker_owner = g_strdup (owner);
  fill_accounts (self);
  /* The accounts are shown at once: listing the providers may wait on a
   * provider's discovery over the network; their icons follow. */
  set_state (self, SESAME_CLIENT_READY, NULL);
  list_providers (self);
  list_grants (self);
  g_signal_emit (self, signals[BROKER_APPEARED], 0);
}

static void
on_started (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SesameClient) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply != NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_dbus_error_strip_remote_error (error);
  /* Translators: %s is the system's own reason, kept for whoever helps */
  message = g_strdup_printf (_("Sesame’s service could not be started, so your accounts cannot "
                               "be shown. Reinstalling Sesame may help. (%s)"), error->message);
  set_state (self, SESAME_CLIENT_FAILED, message);
}

/* Started through D-Bus activation, at first and whenever it stops; a
 * failure to start is reported rather than retried in a loop. */
static void
on_broker_vanished (GDBusConnection *connection,
                    const char      *name,
                    gpointer         user_data)
{
  SesameClient *self = user_data;

  g_clear_pointer (&self->broker_owner, g_free);
  if (connection == NULL || self->starting)
    return;
  self->starting = TRUE;
  if (self->state == SESAME_CLIENT_READY)
    set_state (self, SESAME_CLIENT_CONNECTING, NULL);
  g_dbus_connection_call (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "StartServiceByName",
                          g_variant_new ("(su)", SESAME_BROKER_BUS_NAME, 0), G_VARIANT_TYPE ("(u)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable, on_started,
                          g_object_ref (self));
}

static void
on_grants_changed (SesameClient *self)
{
  list_grants (self);
}

static void
fail_to_connect (SesameClient *self,
                 const GError *error)
{
  g_autofree char *message = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  message = g_strdup_printf (_("Sesame cannot reach the session bus: %s"), error->message);
  set_state (self, SESAME_CLIENT_FAILED, message);
}

static void
on_manager (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SesameClient) self = user_data;
  g_autoptr(GError) error = NULL;

  self->manager = sesame_object_manager_client_new_finish (result, &error);
  if (self->manager == NULL)
    {
      fail_to_connect (self, error);
      return;
    }
  g_signal_connect_object (self->manager, "object-added", G_CALLBACK (on_object_added), self, 0);
  g_signal_connect_object (self->manager, "object-removed", G_CALLBACK (on_object_removed),
                           self, 0);
  self->watch_id = g_bus_watch_name_on_connection (self->connection, SESAME_BROKER_BUS_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   on_broker_appeared, on_broker_vanished,
                                                   self, NULL);
}

static void
on_broker_proxy (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SesameClient) self = user_data;
  g_autoptr(GError) error = NULL;

  self->broker = sesame_broker1_proxy_new_finish (result, &error);
  if (self->broker == NULL)
    {
      fail_to_connect (self, error);
      return;
    }
  /* AddAccount returns when the person has signed in. */
  g_dbus_proxy_set_default_timeout (G_DBUS_PROXY (self->broker), G_MAXINT);
  g_signal_connect_object (self->broker, "grants-changed", G_CALLBACK (on_grants_changed),
                           self, G_CONNECT_SWAPPED);
  sesame_object_manager_client_new (self->connection,
                                    G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START,
                                    SESAME_BROKER_BUS_NAME, SESAME_BROKER_PATH, self->cancellable,
                                    on_manager, g_object_ref (self));
}

static void
on_bus (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(SesameClient) self = user_data;
  g_autoptr(GError) error = NULL;

  self->connection = g_bus_get_finish (result, &error);
  if (self->connection == NULL)
    {
      fail_to_connect (self, error);
      return;
    }
  sesame_broker1_proxy_new (self->connection,
                            G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START |
                            G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
                            SESAME_BROKER_BUS_NAME, SESAME_BROKER_PATH, self->cancellable,
                            on_broker_proxy, g_object_ref (self));
}

void
sesame_client_start (SesameClient *self)
{
  g_return_if_fail (SESAME_IS_CLIENT (self));
  g_return_if_fail (self->connection == NULL);

  g_bus_get (G_BUS_TYPE_SESSION, self->cancellable, on_bus, g_object_ref (self));
}

void
sesame_client_retry (SesameClient *self)
{
  g_return_if_fail (SESAME_IS_CLIENT (self));

  if (self->state != SESAME_CLIENT_FAILED)
    return;
  set_state (self, SESAME_CLIENT_CONNECTING, NULL);
  if (self->connection == NULL)
    {
      g_clear_object (&self->broker);
      g_clear_object (&self->manager);
      g_bus_get (G_BUS_TYPE_SESSION, self->cancellable, on_bus, g_object_ref (self));
      return;
    }
  self->starting = FALSE;
  if (self->broker_owner == NULL)
    on_broker_vanished (self->connection, SESAME_BROKER_BUS_NAME, self);
  else
    {
      g_autofree char *owner = g_strdup (self->broker_owner);

      on_broker_appeared (self->connection, SESAME_BROKER_BUS_NAME, owner, self);
    }
}

SesameClientState
sesame_client_get_state (SesameClient *self)
{
  g_return_val_if_fail (SESAME_IS_CLIENT (self), SESAME_CLIENT_FAILED);
  return self->state;
}

const char *
sesame_client_get_error_message (SesameClient *self)
{
  g_return_val_if_fail (SESAME_IS_CLIENT (self), NULL);
  return self->error_message;
}

GDBusConnection *
sesame_client_get_connection (SesameClient *self)
{
  g_return_val_if_fail (SESAME_IS_CLIENT (self), NULL);
  return self->connection;
}

SesameBroker1 *
sesame_client_get_broker (SesameClient *self)
{
  g_return_val_if_fail (SESAME_IS_CLIENT (self), NULL);
  return self->broker;
}

const char *
sesame_client_get_broker_owner (SesameClient *self)
{
  g_return_val_if_fail (SESAME_IS_CLIENT (self), NULL);
  return self->broker_owner;
}

GListModel *
sesame_client_get_accounts (SesameClient *self)
{
  g_return_val_if_fail (SESAME_IS_CLIENT (self), NULL);
  return G_LIST_MODEL (self->accounts);
}

GListModel *
sesame_client_get_providers (SesameClient *self)
{
  g_return_val_if_fail (SESAME_IS_CLIENT (self), NULL);
  return G_LIST_MODEL (self->providers);
}

GListModel *
sesame_client_get_grants (SesameClient *self)
{
  g_return_val_if_fail (SESAME_IS_CLIENT (self), NULL);
  return G_LIST_MODEL (self->grants);
}

char *
sesame_client_describe_error (const GError *error)
{
  g_autofree char *remote = g_dbus_error_get_remote_error (error);
  g_autoptr(GError) copy = g_error_copy (error);

  if (remote != NULL && g_str_has_prefix (remote, "dev.sesame.Error."))
    {
      g_dbus_error_strip_remote_error (copy);
      return g_strdup (copy->message);
    }
  if (remote != NULL || error->domain == G_DBUS_ERROR)
    return g_strdup (_("Sesame’s service did not answer. Try again; if it keeps failing, "
                       "restart Sesame."));
  return g_strdup (error->message);
}

gboolean
sesame_client_error_is_cancelled (const GError *error)
{
  g_autofree char *remote = g_dbus_error_get_remote_error (error);

  return g_strcmp0 (remote, "dev.sesame.Error.Cancelled") == 0 ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}
