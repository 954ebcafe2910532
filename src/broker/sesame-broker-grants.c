/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-broker-grants.c: ListGrants, RevokeGrant and GrantsChanged */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-broker-private.h"
#include "sesame-error.h"
#include "sesame-invocation.h"

void
sesame_broker_on_grants_changed (SesameBroker *self)
{
  if (self->iface != NULL)
    sesame_broker1_emit_grants_changed (self->iface);
}

static GVariant *
describe_grant (const SesameGrant *grant)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autofree char *path = g_strconcat (SESAME_ACCOUNTS_PATH, grant->account, NULL);

  g_variant_dict_insert (&dict, "app-id", "s", grant->app_id);
  g_variant_dict_insert (&dict, "app-name", "s", grant->app_name);
  g_variant_dict_insert (&dict, "kind", "s", grant->kind);
  g_variant_dict_insert (&dict, "account", "o", path);
  g_variant_dict_insert_value (&dict, "scopes",
                               g_variant_new_strv ((const char * const *) grant->scopes, -1));
  g_variant_dict_insert (&dict, "granted-at", "x", grant->granted_at);
  g_variant_dict_insert (&dict, "last-used", "x", grant->last_used);
  g_variant_dict_insert (&dict, "narrowed", "b", grant->narrowed);
  return g_variant_dict_end (&dict);
}

static void
on_grants_caller (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SesameBrokerCall) call = user_data;
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));
  g_autoptr(SesameCaller) caller = NULL;
  g_autoptr(GPtrArray) grants = NULL;
  GError *error = NULL;

  caller = sesame_access_control_identify_finish (SESAME_ACCESS_CONTROL (source), result, &error);
  if (caller == NULL)
    {
      sesame_invocation_return_error (g_steal_pointer (&call->invocation), error);
      return;
    }

  /* A sandboxed app sees its own grants only. */
  grants = sesame_grant_store_list (call->self->grants);
  for (guint i = 0; i < grants->len; i++)
    {
      const SesameGrant *grant = grants->pdata[i];

      if (!sesame_caller_is_sandboxed (caller) ||
          g_str_equal (grant->app_id, sesame_caller_get_app_id (caller)))
        g_variant_builder_add_value (&builder, describe_grant (grant));
    }
  sesame_broker1_complete_list_grants (call->self->iface, g_steal_pointer (&call->invocation),
                                       g_variant_builder_end (&builder));
}

gboolean
sesame_broker_handle_list_grants (SesameBroker1         *iface,
                                  GDBusMethodInvocation *invocation,
                                  SesameBroker          *self)
{
  sesame_access_control_identify_async (self->access,
                                        g_dbus_method_invocation_get_sender (invocation),
                                        on_grants_caller,
                                        sesame_broker_call_new (self, invocation, NULL));
  return TRUE;
}

/* NULL when @caller may revoke @app_id's grant on the account at @path,
 * else why not. */
static GError *
check_revoke (SesameBroker *self,
              SesameCaller *caller,
              const char   *app_id,
              const char   *path)
{
  if (!g_str_has_prefix (path, SESAME_ACCOUNTS_PATH) ||
      !g_hash_table_contains (self->objects, path + strlen (SESAME_ACCOUNTS_PATH)))
    return g_error_new (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                        _("There is no account %s."), path);
  if (sesame_caller_is_sandboxed (caller) &&
      !g_str_equal (app_id, sesame_caller_get_app_id (caller)))
    return g_error_new_literal (SESAME_ERROR, SESAME_ERROR_ACCESS_DENIED,
                                _("An app may revoke only its own access."));
  return NULL;
}

static void
on_revoke_caller (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SesameBrokerCall) call = user_data;
  SesameBroker *self = call->self;
  g_autoptr(SesameCaller) caller = NULL;
  g_autofree char *shown = NULL;
  const char *app_id, *path;
  GError *error = NULL;

  caller = sesame_access_control_identify_finish (SESAME_ACCESS_CONTROL (source), result, &error);
  if (caller == NULL)
    {
      sesame_invocation_return_error (g_steal_pointer (&call->invocation), error);
      return;
    }

  g_variant_get (g_dbus_method_invocation_get_parameters (call->invocation), "(&s&o)",
                 &app_id, &path);
  if ((error = check_revoke (self, caller, app_id, path)) != NULL)
    {
      sesame_invocation_return_error (g_steal_pointer (&call->invocation), error);
      return;
    }
  if (!sesame_grant_store_revoke (self->grants, app_id, path + strlen (SESAME_ACCOUNTS_PATH)))
    {
      shown = sesame_invocation_shorten (app_id);
      sesame_invocation_return_error (g_steal_pointer (&call->invocation),
 g_error_new (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
              _("“%s” holds no grant for that account."), shown));
      return;
    }
  sesame_broker1_complete_revoke_grant (self->iface, g_steal_pointer (&call->invocation));
}

gboolean
sesame_broker_handle_revoke_grant (SesameBroker1         *iface,
                                   GDBusMethodInvocation *invocation,
                                   const char            *app_id,
                                   const char            *account_path,
                                   SesameBroker          *self)
{
  sesame_access_control_identify_async (self->access,
                                        g_dbus_method_invocation_get_sender (invocation),
                                        on_revoke_caller,
                                        sesame_broker_call_new (self, invocation, NULL));
  return TRUE;
}
