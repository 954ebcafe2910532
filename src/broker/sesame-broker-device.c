/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-broker-device.c: BeginDeviceSignIn, FinishDeviceSignIn and CancelDeviceSignIn */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-broker-private.h"
#include "sesame-caller.h"
#include "sesame-device-sign-in.h"
#include "sesame-error.h"
#include "sesame-invocation.h"

/* One caller cannot pile up device sign-ins (each polls a provider), nor
 * one app through many connections. */
#define MAX_DEVICE_SIGN_INS_PER_CALLER 8

static gboolean check_device_quota (SesameBroker          *self,
                                    GDBusMethodInvocation *invocation);

static void
on_device_begun (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SesameBrokerCall) call = user_data;
  SesameDeviceSignIn *device = SESAME_DEVICE_SIGN_IN (source);
  g_autoptr(GVariant) details = NULL;
  GError *error = NULL;

  if (!(details = sesame_device_sign_in_begin_finish (device, result, &error)))
    {
      g_hash_table_remove (call->self->devices, sesame_device_sign_in_get_id (device));
      sesame_invocation_return_error (g_steal_pointer (&call->invocation), error);
      return;
    }
  sesame_broker1_complete_begin_device_sign_in (call->self->iface,
                                                g_steal_pointer (&call->invocation),
                                                sesame_device_sign_in_get_id (device), details);
}

static void
on_device_owner_left (SesameDeviceSignIn *device,
                      SesameBroker       *self)
{
  g_hash_table_remove (self->devices, sesame_device_sign_in_get_id (device));
}

static void
on_device_access (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SesameBrokerCall) call = user_data;
  SesameBroker *self = call->self;
  g_autofree const char **scopes = NULL;
  g_autofree char *id = NULL;
  SesameDeviceSignIn *device;
  GError *error = NULL;

  if (!sesame_access_control_check_finish (SESAME_ACCESS_CONTROL (source), result, &error))
    {
      sesame_invocation_return_error (g_steal_pointer (&call->invocation), error);
      return;
    }
  /* Again now that the caller is known: its app's other connections count. */
  if (!check_device_quota (self, call->invocation))
    {
      /* Answered: the call's reference went with the answer. */
      call->invocation = NULL;
      return;
    }

  g_variant_get (g_dbus_method_invocation_get_parameters (call->invocation), "(&s^a&s@a{sv})",
                 NULL, &scopes, NULL);
  id = g_strdup_printf ("device%u", ++self->next_device);
  device = sesame_device_sign_in_new (id, self->connection,
                                      g_dbus_method_invocation_get_sender (call->invocation),
                                      self->providers, self->client, call->provider, scopes);
  g_signal_connect (device, "owner-left", G_CALLBACK (on_device_owner_left), self);
  g_hash_table_insert (self->devices, g_strdup (id), device);
  sesame_device_sign_in_begin_async (device, on_device_begun, g_steal_pointer (&call));
}

/* FALSE, having answered @invocation, when its caller (its app, once
 * known) has too many device sign-ins in progress. */
static gboolean
check_device_quota (SesameBroker          *self,
                    GDBusMethodInvocation *invocation)
{
  g_autofree char *key = sesame_caller_get_limit_key (self->connection,
                                                      g_dbus_method_invocation_get_sender (invocation));
  GHashTableIter iter;
  gpointer device;
  guint n = 0;

  g_hash_table_iter_init (&iter, self->devices);
  while (g_hash_table_iter_next (&iter, NULL, &device))
    {
      g_autofree char *owner_key =
        sesame_caller_get_limit_key (self->connection, sesame_device_sign_in_get_owner (device));

      n += g_str_equal (owner_key, key);
    }
  if (n < MAX_DEVICE_SIGN_INS_PER_CALLER)
    return TRUE;

  sesame_invocation_return_error (invocation,
    g_error_new (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                 g_dngettext (GETTEXT_PACKAGE,
                              "You have %u device sign-in in progress already. Finish or "
                              "cancel it first.",
                              "You have %u device sign-ins in progress already. Finish or "
                              "cancel one first.", MAX_DEVICE_SIGN_INS_PER_CALLER),
                 MAX_DEVICE_SIGN_INS_PER_CALLER));
  return FALSE;
}

gboolean
sesame_broker_handle_begin_device_sign_in (SesameBroker1         *iface,
                                           GDBusMethodInvocation *invocation,
                                           const char            *provider_id,
                                           const char * const    *scopes,
                                           GVariant              *options,
                                           SesameBroker          *self)
{
  SesameProvider *provider = sesame_broker_lookup_provider (self, invocation, provider_id);
  GError *error = NULL;

  if (provider == NULL ||
      !sesame_invocation_check_scopes (invocation, scopes) ||
      !check_device_quota (self, invocation))
    return TRUE;
  /* Before the person is asked, and before the provider is contacted. */
  if (!sesame_provider_check_device_scopes (provider, scopes, &error))
    {
      sesame_invocation_return_error (invocation, error);
      return TRUE;
    }

  sesame_invocation_check_access_async (invocation, self->access, SESAME_ACCESS_ADD, NULL,
                                        provider, scopes, on_device_access,
                                        sesame_broker_call_new (self, invocation, provider));
  return TRUE;
}

static SesameDeviceSignIn *
lookup_device (SesameBroker          *self,
               GDBusMethodInvocation *invocation,
               const char            *request)
{
  SesameDeviceSignIn *device = g_hash_table_lookup (self->devices, request);

  if (device == NULL ||
      g_strcmp0 (sesame_device_sign_in_get_owner (device),
                 g_dbus_method_invocation_get_sender (invocation)) != 0)
    {
      g_autofree char *shown = sesame_invocation_shorten (request);

      sesame_invocation_return_error (invocation,
        g_error_new (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                     _("There is no device sign-in “%s” of yours. Begin a new one."), shown));
      return NULL;
    }
  return device;
}

static void
on_device_account_stored (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(SesameBrokerCall) call = user_data;
  g_autoptr(SesameAccountObject) object = NULL;
  GError *error = NULL;

  object = sesame_broker_store_account_finish (call->self, result, &error);
  if (object == NULL)
    {
      sesame_invocation_return_error (g_steal_pointer (&call->invocation), error);
      return;
    }
  sesame_broker1_complete_finish_device_sign_in (call->self->iface,
                                                 g_steal_pointer (&call->invocation),
                                                 sesame_account_object_get_path (object));
}

static void
on_device_approved (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SesameBrokerCall) call = user_data;
  SesameBroker *self = call->self;
  g_autoptr(SesameDeviceSignIn) device = g_object_ref (SESAME_DEVICE_SIGN_IN (source));
  g_autoptr(SesameToken) token = NULL;
  g_autofree char *identity = NULL;
  GError *error = NULL;

  token = sesame_device_sign_in_poll_finish (device, result, &identity, &error);
  g_hash_table_remove (self->devices, sesame_device_sign_in_get_id (device));
  if (token == NULL)
    {
      sesame_invocation_return_error (g_steal_pointer (&call->invocation), error);
      return;
    }
  sesame_broker_store_account_async (self, sesame_device_sign_in_get_provider (device),
                                     SESAME_FLOW_DEVICE_CODE, identity, token,
                                     on_device_account_stored, g_steal_pointer (&call));
}

gboolean
sesame_broker_handle_finish_device_sign_in (SesameBroker1         *iface,
                                            GDBusMethodInvocation *invocation,
                                            const char            *request,
                                            SesameBroker          *self)
{
  SesameDeviceSignIn *device = lookup_device (self, invocation, request);

  if (device != NULL)
    sesame_device_sign_in_poll_async (device, on_device_approved,
                                      sesame_broker_call_new (self, invocation, NULL));
  return TRUE;
}

gboolean
sesame_broker_handle_cancel_device_sign_in (SesameBroker1         *iface,
                                            GDBusMethodInvocation *invocation,
                                            const char            *request,
                                            SesameBroker          *self)
{
  SesameDeviceSignIn *device = lookup_device (self, invocation, request);

  if (device == NULL)
    return TRUE;
  sesame_device_sign_in_cancel (device);
  g_hash_table_remove (self->devices, request);
  sesame_broker1_complete_cancel_device_sign_in (iface, invocation);
  return TRUE;
}
