/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-broker-object-manager.c: the accounts on the bus: an ObjectManager and one subtree */
#include "config.h"

#include "sesame-broker-private.h"

/* No exported skeleton per account: 1,000 accounts stay small. */

static GVariant *
interfaces_of (SesameAccountObject *object)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{sa{sv}}"));

  g_variant_builder_add (&builder, "{s@a{sv}}", SESAME_ACCOUNT_IFACE,
                         sesame_account_object_get_properties (object));
  return g_variant_builder_end (&builder);
}

void
sesame_broker_announce_added (SesameBroker        *self,
                              SesameAccountObject *object)
{
  g_dbus_connection_emit_signal (self->connection, NULL, SESAME_BROKER_PATH,
                                 "org.freedesktop.DBus.ObjectManager", "InterfacesAdded",
                                 g_variant_new ("(o@a{sa{sv}})",
                                                sesame_account_object_get_path (object),
                                                interfaces_of (object)),
                                 NULL);
  sesame_goa_face_account_added (self->goa, object);
}

void
sesame_broker_announce_removed (SesameBroker *self,
                                const char   *path)
{
  const char *removed[] = { SESAME_ACCOUNT_IFACE, NULL };

  g_dbus_connection_emit_signal (self->connection, NULL, SESAME_BROKER_PATH,
                                 "org.freedesktop.DBus.ObjectManager", "InterfacesRemoved",
                                 g_variant_new ("(o^as)", path, removed), NULL);
}

static const char object_manager_xml[] =
  "<node><interface name='org.freedesktop.DBus.ObjectManager'>"
  "<method name='GetManagedObjects'><arg type='a{oa{sa{sv}}}' direction='out'/></method>"
  "<signal name='InterfacesAdded'><arg type='o'/><arg type='a{sa{sv}}'/></signal>"
  "<signal name='InterfacesRemoved'><arg type='o'/><arg type='as'/></signal>"
  "</interface></node>";

static void
on_manager_call (GDBusConnection       *connection,
                 const char            *sender,
                 const char            *path,
                 const char            *interface,
                 const char            *method,
                 GVariant              *parameters,
                 GDBusMethodInvocation *invocation,
                 gpointer               user_data)
{
  SesameBroker *self = user_data;
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{oa{sa{sv}}}"));
  GHashTableIter iter;
  gpointer object;

  g_hash_table_iter_init (&iter, self->objects);
  while (g_hash_table_iter_next (&iter, NULL, &object))
    g_variant_builder_add (&builder, "{o@a{sa{sv}}}", sesame_account_object_get_path (object),
                           interfaces_of (object));
  g_dbus_method_invocation_return_value (invocation,
                                         g_variant_new ("(@a{oa{sa{sv}}})",
                                                        g_variant_builder_end (&builder)));
}

static const GDBusInterfaceVTable manager_vtable = { on_manager_call, NULL, NULL, { 0 } };

static void
on_account_call (GDBusConnection       *connection,
                 const char            *sender,
                 const char            *path,
                 const char            *interface,
                 const char            *method,
                 GVariant              *parameters,
                 GDBusMethodInvocation *invocation,
                 gpointer               user_data)
{
  sesame_account_object_handle_call (user_data, invocation);
}

static GVariant *
on_account_get_property (GDBusConnection  *connection,
                         const char       *sender,
                         const char       *path,
                         const char       *interface,
                         const char       *name,
                         GError          **error,
                         gpointer          user_data)
{
  return sesame_account_object_get_property (user_data, name);
}

static const GDBusInterfaceVTable account_vtable = {
  on_account_call, on_account_get_property, NULL, { 0 }
};

static char **
on_subtree_enumerate (GDBusConnection *connection,
                      const char      *sender,
                      const char      *path,
                      gpointer         user_data)
{
  SesameBroker *self = user_data;
  g_autofree char **ids = (char **) g_hash_table_get_keys_as_array (self->objects, NULL);

  /* GDBus frees what it gets. */
  return g_strdupv (ids);
}

static GDBusInterfaceInfo **
on_subtree_introspect (GDBusConnection *connection,
                       const char      *sender,
                       const char      *path,
                       const char      *node,
                       gpointer         user_data)
{
  SesameBroker *self = user_data;
  GDBusInterfaceInfo **infos;

  if (node == NULL || !g_hash_table_contains (self->objects, node))
    return NULL;
  infos = g_new0 (GDBusInterfaceInfo *, 2);
  infos[0] = g_dbus_interface_info_ref (sesame_account1_interface_info ());
  return infos;
}

static const GDBusInterfaceVTable *
on_subtree_dispatch (GDBusConnection *connection,
                     const char      *sender,
                     const char      *path,
                     const char      *interface,
                     const char      *node,
                     gpointer        *out_user_data,
                     gpointer         user_data)
{
  SesameBroker *self = user_data;
  SesameAccountObject *object = node ? g_hash_table_lookup (self->objects, node) : NULL;

  if (object == NULL || g_strcmp0 (interface, SESAME_ACCOUNT_IFACE) != 0)
    return NULL;
  *out_user_data = object;
  return &account_vtable;
}

static const GDBusSubtreeVTable subtree_vtable = {
  on_subtree_enumerate, on_subtree_introspect, on_subtree_dispatch, { 0 }
};

gboolean
sesame_broker_register_object_manager (SesameBroker  *self,
                                       GError       **error)
{
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (object_manager_xml, NULL);
  g_autofree char *accounts = g_strndup (SESAME_ACCOUNTS_PATH, strlen (SESAME_ACCOUNTS_PATH) - 1);

  self->manager_id = g_dbus_connection_register_object (self->connection, SESAME_BROKER_PATH,
                                                        info->interfaces[0], &manager_vtable,
                                                        self, NULL, error);
  if (self->manager_id == 0)
    return FALSE;
  self->subtree_id = g_dbus_connection_register_subtree (self->connection, accounts,
                                                         &subtree_vtable,
                                                         G_DBUS_SUBTREE_FLAGS_NONE, self,
                                                         NULL, error);
  return self->subtree_id != 0;
}
