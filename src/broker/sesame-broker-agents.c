/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-broker-agents.c: RegisterAgent and UnregisterAgent */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-broker-private.h"
#include "sesame-error.h"
#include "sesame-invocation.h"

/* An app must never answer its own access question; only the Sesame app
 * itself may be the agent from inside a sandbox. */
static gboolean
may_be_agent (SesameCaller *caller)
{
  return !sesame_caller_is_sandboxed (caller) ||
         (sesame_caller_get_kind (caller) == SESAME_CALLER_FLATPAK &&
          g_str_equal (sesame_caller_get_app_id (caller), SESAME_APP_BUS_NAME));
}

static void
on_agent_caller (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SesameBrokerCall) call = user_data;
  g_autoptr(SesameCaller) caller = NULL;
  GError *error = NULL;
  const char *path;

  caller = sesame_access_control_identify_finish (SESAME_ACCESS_CONTROL (source), result, &error);
  if (caller == NULL)
    {
      sesame_invocation_return_error (g_steal_pointer (&call->invocation), error);
      return;
    }
  if (!may_be_agent (caller))
    {
      sesame_invocation_return_error (g_steal_pointer (&call->invocation),
 g_error_new (SESAME_ERROR, SESAME_ERROR_ACCESS_DENIED,
              _("%s may not answer Sesame’s questions: only Sesame itself can."),
              sesame_caller_get_app_name (caller)));
      return;
    }

  g_variant_get (g_dbus_method_invocation_get_parameters (call->invocation), "(&o)", &path);
  sesame_agent_manager_register (call->self->agents,
                                 g_dbus_method_invocation_get_sender (call->invocation), path);
  sesame_broker1_complete_register_agent (call->self->iface, g_steal_pointer (&call->invocation));
}

gboolean
sesame_broker_handle_register_agent (SesameBroker1         *iface,
                                     GDBusMethodInvocation *invocation,
                                     const char            *path,
                                     SesameBroker          *self)
{
  sesame_access_control_identify_async (self->access,
                                        g_dbus_method_invocation_get_sender (invocation),
                                        on_agent_caller,
                                        sesame_broker_call_new (self, invocation, NULL));
  return TRUE;
}

gboolean
sesame_broker_handle_unregister_agent (SesameBroker1         *iface,
                                       GDBusMethodInvocation *invocation,
                                       const char            *path,
                                       SesameBroker          *self)
{
  if (!sesame_agent_manager_unregister (self->agents,
                                        g_dbus_method_invocation_get_sender (invocation), path))
    {
      sesame_invocation_return_error (invocation,
 g_error_new_literal (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                      _("This agent is not the registered one.")));
      return TRUE;
    }
  sesame_broker1_complete_unregister_agent (iface, invocation);
  return TRUE;
}
