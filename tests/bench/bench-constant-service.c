/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-constant-service.c: the practical floor for the broker benchmark: a
 * minimal GDBus service whose method returns a constant */
#include "config.h"

#include <gio/gio.h>

static const char introspection[] =
  "<node><interface name='dev.sesame.BenchConstant'>"
  "<method name='GetAccessToken'><arg type='as' direction='in'/>"
  "<arg type='s' direction='out'/><arg type='x' direction='out'/></method>"
  "</interface></node>";

static void
on_method_call (GDBusConnection       *connection,
                const char            *sender,
                const char            *path,
                const char            *interface,
                const char            *method,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  g_dbus_method_invocation_return_value (invocation,
                                         g_variant_new ("(sx)", "constant-token", (gint64) 0));
}

static const GDBusInterfaceVTable vtable = { on_method_call, NULL, NULL, { 0 } };

static void
on_bus_acquired (GDBusConnection *connection,
                 const char      *name,
                 gpointer         user_data)
{
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (introspection, NULL);

  g_dbus_connection_register_object (connection, "/dev/sesame/BenchConstant", info->interfaces[0],
                                     &vtable, NULL, NULL, NULL);
}

int
main (void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_bus_own_name (G_BUS_TYPE_SESSION, "dev.sesame.BenchConstant", G_BUS_NAME_OWNER_FLAGS_NONE,
                  on_bus_acquired, NULL, NULL, NULL, NULL);
  g_main_loop_run (loop);
  return 0;
}
