/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-goa-account-skeleton.c: GOA's Account interface, whose properties only host programs write */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-error.h"
#include "sesame-goa-account-skeleton.h"
#include "sesame-invocation.h"

#define PROPERTIES_IFACE "org.freedesktop.DBus.Properties"

/* The generated skeleton applies a Properties.Set synchronously, from
 * GDBus's set_property, which no ::g-authorize-method handler sees (GLib
 * hooks only method_call) and which cannot wait for the caller to be
 * identified. With set_property NULL, GDBus (since 2.38) hands the Set to
 * method_call instead, with the property checked for being writable and
 * the value for its type; it is applied there once the caller is known. */
struct _SesameGoaAccountSkeleton
{
  SesameGoaDBusAccountSkeleton parent_instance;

  SesameAccessControl         *access_control;
};

G_DEFINE_FINAL_TYPE (SesameGoaAccountSkeleton, sesame_goa_account_skeleton,
                     SESAME_GOA_DBUS_TYPE_ACCOUNT_SKELETON)

static GDBusInterfaceVTable *
parent_vtable (GDBusInterfaceSkeleton *skeleton)
{
  GDBusInterfaceSkeletonClass *parent = G_DBUS_INTERFACE_SKELETON_CLASS (sesame_goa_account_skeleton_parent_class);

  return parent->get_vtable (skeleton);
}

/* The generated skeleton's own write, for a caller that may make it. */
static void
apply_write (SesameGoaAccountSkeleton *self,
             GDBusMethodInvocation    *invocation)
{
  GDBusInterfaceSkeleton *skeleton = G_DBUS_INTERFACE_SKELETON (self);
  const char *interface_name, *property_name;
  g_autoptr(GVariant) value = NULL;
  GError *error = NULL;

  g_variant_get (g_dbus_method_invocation_get_parameters (invocation), "(&s&sv)",
                 &interface_name, &property_name, &value);
  if (!parent_vtable (skeleton)->set_property (g_dbus_method_invocation_get_connection (invocation),
                                               g_dbus_method_invocation_get_sender (invocation),
                                               g_dbus_method_invocation_get_object_path (invocation),
                                               interface_name, property_name, value, &error,
                                               self))
    {
      g_dbus_method_invocation_take_error (invocation, error);
      return;
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
on_writer_identified (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(SesameCaller) caller = NULL;
  GError *error = NULL;

  caller = sesame_access_control_identify_finish (SESAME_ACCESS_CONTROL (source), result, &error);
  if (caller != NULL && sesame_caller_is_sandboxed (caller))
    error = g_error_new (SESAME_ERROR, SESAME_ERROR_ACCESS_DENIED,
                         _("%s may not change what every app sees of an account. Turn the "
                           "account’s services on or off in the system settings instead."),
                         sesame_caller_get_app_name (caller));
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_write_checked (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GDBusMethodInvocation *invocation = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    sesame_invocation_return_error (g_object_ref (invocation), error);
  else
    apply_write (SESAME_GOA_ACCOUNT_SKELETON (source), g_object_ref (invocation));
}

/* Properties.Set, which GDBus sends here (see above); every other call goes
 * to the generated skeleton. The invocation is ours to answer. */
static void
handle_method_call (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *object_path,
                    const char            *interface_name,
                    const char            *method_name,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation,
                    gpointer               user_data)
{
  SesameGoaAccountSkeleton *self = SESAME_GOA_ACCOUNT_SKELETON (user_data);
  GTask *task;

  if (!g_str_equal (interface_name, PROPERTIES_IFACE))
    {
      parent_vtable (G_DBUS_INTERFACE_SKELETON (self))->method_call (connection, sender, object_path,
                                                                     interface_name, method_name,
                                                                     parameters, invocation,
                                                                     user_data);
      return;
    }
  task = g_task_new (self, NULL, on_write_checked, NULL);
  g_task_set_source_tag (task, handle_method_call);
  g_task_set_task_data (task, invocation, g_object_unref);
  sesame_access_control_identify_async (self->access_control, sender, on_writer_identified, task);
}

static GDBusInterfaceVTable *
get_vtable (GDBusInterfaceSkeleton *skeleton)
{
  static GDBusInterfaceVTable vtable;
  static gsize made;

  if (g_once_init_enter (&made))
    {
      vtable = *parent_vtable (skeleton);
      vtable.method_call = handle_method_call;
      vtable.set_property = NULL;
      g_once_init_leave (&made, 1);
    }
  return &vtable;
}

static void
sesame_goa_account_skeleton_finalize (GObject *object)
{
  SesameGoaAccountSkeleton *self = SESAME_GOA_ACCOUNT_SKELETON (object);

  g_clear_object (&self->access_control);

  G_OBJECT_CLASS (sesame_goa_account_skeleton_parent_class)->finalize (object);
}

static void
sesame_goa_account_skeleton_class_init (SesameGoaAccountSkeletonClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sesame_goa_account_skeleton_finalize;
  G_DBUS_INTERFACE_SKELETON_CLASS (klass)->get_vtable = get_vtable;
}

static void
sesame_goa_account_skeleton_init (SesameGoaAccountSkeleton *self)
{
}

SesameGoaDBusAccount *
sesame_goa_account_skeleton_new (SesameAccessControl *access_control)
{
  SesameGoaAccountSkeleton *self = g_object_new (SESAME_TYPE_GOA_ACCOUNT_SKELETON, NULL);

  self->access_control = g_object_ref (access_control);
  return SESAME_GOA_DBUS_ACCOUNT (self);
}
