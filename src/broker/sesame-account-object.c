/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-account-object.c: one account on the bus (dev.sesame.Account1) */
#include "config.h"

#include <signal.h>

#include <glib/gi18n-lib.h>

#include "sesame-account-object.h"
#include "sesame-bus-names.h"
#include "sesame-error.h"
#include "sesame-invocation.h"

struct _SesameAccountObject
{
  GObject               parent_instance;

  SesameAccountKeeper  *keeper;          /* owns us */
  SesameAccessControl  *access_control;
  SesameSignInService  *sign_ins;
  GDBusConnection      *connection;
  SesameCredentials    *credentials;
  char                 *path;
  GVariantDict         *changed;         /* properties to announce */
  guint                 changed_idle;
  gboolean              removal_running; /* one Remove at a time, or a start's */
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
  g_clear_object (&self->sign_ins);
  g_clear_object (&self->access_control);
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

/* One method call across its asynchronous steps. It belongs to its GTask,
 * whose callback answers the call. The call owns the reference GDBus
 * handed to the handler; answering steals it, so that it is given back
 * exactly once (an extra reference leaked every call). */
typedef struct {
  GDBusMethodInvocation *invocation;
  char                 **scopes;
  GError                *revoke_error;   /* Remove: told once the account is gone */
  gboolean               was_removing;   /* Remove: a removal cut short before */
  gboolean               runs_removal;   /* Remove: this call set removal_running */
} Call;

static void
call_free (Call *call)
{
  g_clear_object (&call->invocation);
  g_strfreev (call->scopes);
  g_clear_error (&call->revoke_error);
  g_free (call);
}

static void
on_call_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Call *call = g_task_get_task_data (G_TASK (result));
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;

  if (call->runs_removal)
    SESAME_ACCOUNT_OBJECT (source)->removal_running = FALSE;
  reply = g_task_propagate_pointer (G_TASK (result), &error);
  if (error != NULL)
    sesame_invocation_return_error (g_steal_pointer (&call->invocation), error);
  else
    g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation), reply);
}

static GTask *
call_new (SesameAccountObject   *self,
          GDBusMethodInvocation *invocation,
          const char * const    *scopes)
{
  GTask *task = g_task_new (self, NULL, on_call_done, NULL);
  Call *call = g_new0 (Call, 1);

  call->invocation = invocation;
  call->scopes = g_strdupv ((char **) scopes);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  return task;
}

/* Ends the call with @reply, or with no values when NULL. */
static void
return_reply (GTask    *task,
              GVariant *reply)
{
  g_task_return_pointer (task, reply ? g_variant_ref_sink (reply) : NULL,
                         (GDestroyNotify) g_variant_unref);
}

static gboolean
is_refresh (GDBusMethodInvocation *invocation)
{
  return g_strcmp0 (g_dbus_method_invocation_get_method_name (invocation), "Refresh") == 0;
}

static void
on_token (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autofree char *token = NULL;
  gint64 expires_at = 0;
  GError *error = NULL;

  if (!sesame_invocation_get_token_finish (result, &token, &expires_at, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (is_refresh (call->invocation))
    return_reply (task, g_variant_new ("(x)", expires_at));
  else
    return_reply (task, g_variant_new ("(sx)", token, expires_at));
  explicit_bzero (token, strlen (token));
}

static void
handle_get_access_token (SesameAccountObject   *self,
                         GDBusMethodInvocation *invocation,
                         const char * const    *scopes)
{
  const char *sender = g_dbus_method_invocation_get_sender (invocation);
  g_autofree char *token = NULL;
  g_auto(GStrv) token_scopes = NULL;
  gint64 expires_at = 0;
  gboolean narrowed = TRUE;
  GError *error = NULL;

  if (!sesame_invocation_check_scopes (invocation, scopes))
    return;
  /* Before any question: what no token can carry is not asked about. */
  if (!sesame_credentials_check_scopes (self->credentials, scopes, &error))
    {
      sesame_invocation_return_error (invocation, error);
      return;
    }

  /* A cached token for an allowed caller: answered without a main loop hop. */
  if (sesame_access_control_check_now (self->access_control, sender, SESAME_ACCESS_USE,
                                       self->credentials, scopes) &&
      (token_scopes = sesame_access_control_dup_token_scopes (self->access_control, sender,
                                                              self->credentials, scopes)) &&
      sesame_credentials_lookup_cached (self->credentials, (const char * const *) token_scopes,
                                        &token, &expires_at, &narrowed))
    {
      sesame_access_control_note_narrowed (self->access_control, sender, self->credentials,
                                           narrowed);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(sx)", token, expires_at));
      explicit_bzero (token, strlen (token));
      return;
    }

  sesame_invocation_get_token_async (invocation, self->access_control, SESAME_ACCESS_USE,
                                     self->credentials, scopes, FALSE, on_token,
                                     call_new (self, invocation, scopes));
}

static void
handle_refresh (SesameAccountObject   *self,
                GDBusMethodInvocation *invocation)
{
  sesame_invocation_get_token_async (invocation, self->access_control, SESAME_ACCESS_MANAGE,
                                     self->credentials, NULL, TRUE, on_token,
                                     call_new (self, invocation, NULL));
}

static void
on_reauthenticated_stored (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!sesame_credentials_replace_finish (SESAME_CREDENTIALS (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  return_reply (task, NULL);
}

static void
on_reauthenticated (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SesameAccountObject *self = g_task_get_source_object (task);
  SesameAccount *account = sesame_credentials_get_account (self->credentials);
  g_autoptr(SesameToken) token = NULL;
  g_autofree char *identity = NULL;
  GError *error = NULL;

  token = sesame_sign_in_service_sign_in_finish (self->sign_ins, result, &identity, &error);
  if (token == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (g_strcmp0 (identity, sesame_account_get_identity (account)) != 0)
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                               _("You signed in as %s, but this account is %s. Sign in as %s, or add "
                                 "%s as a new account."),
                               identity, sesame_account_get_identity (account),
                               sesame_account_get_identity (account), identity);
      return;
    }

  sesame_credentials_replace_async (self->credentials, token, SESAME_FLOW_AUTHORIZATION_CODE,
                                    NULL, on_reauthenticated_stored, g_steal_pointer (&task));
}

/* Incremental consent: the provider's defaults, what was granted and what
 * is asked for now, so that signing in again never loses a scope the echo
 * left out (offline_access, openid). */
static char **
scopes_to_ask (SesameProvider     *provider,
               SesameAccount      *account,
               const char * const *asked)
{
  const char * const *layers[] = {
    sesame_provider_get_default_scopes (provider), sesame_account_get_scopes (account), asked,
  };
  g_autoptr(GPtrArray) scopes = g_ptr_array_new ();

  for (guint l = 0; l < G_N_ELEMENTS (layers); l++)
    for (guint i = 0; layers[l] != NULL && layers[l][i] != NULL; i++)
      if (!g_ptr_array_find_with_equal_func (scopes, layers[l][i], g_str_equal, NULL))
        g_ptr_array_add (scopes, (gpointer) layers[l][i]);
  g_ptr_array_add (scopes, NULL);
  return g_strdupv ((char **) scopes->pdata);
}

static void
on_reauthenticate_discovered (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SesameAccountObject *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  SesameAccount *account = sesame_credentials_get_account (self->credentials);
  g_auto(GStrv) scopes = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  GError *error = NULL;

  if (!sesame_credentials_ensure_discovered_finish (self->credentials, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  scopes = scopes_to_ask (sesame_credentials_get_provider (self->credentials), account,
                          (const char * const *) call->scopes);
  cancellable = sesame_sign_in_service_watch_caller (self->sign_ins, call->invocation);
  sesame_sign_in_service_sign_in_async (self->sign_ins,
                                        sesame_credentials_get_provider (self->credentials),
                                        (const char * const *) scopes, NULL,
                                        sesame_account_get_identity (account), cancellable,
                                        on_reauthenticated, g_steal_pointer (&task));
}

static void
on_reauthenticate_access (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SesameAccountObject *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!sesame_access_control_check_finish (SESAME_ACCESS_CONTROL (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* Right after a start the provider's endpoints may still be unknown. */
  sesame_credentials_ensure_discovered_async (self->credentials, NULL,
                                              on_reauthenticate_discovered,
                                              g_steal_pointer (&task));
}

static void
handle_reauthenticate (SesameAccountObject   *self,
                       GDBusMethodInvocation *invocation,
                       const char * const    *scopes)
{
  SesameAccount *account = sesame_credentials_get_account (self->credentials);
  GError *error = NULL;

  if (!sesame_invocation_check_scopes (invocation, scopes))
    return;
  /* Its grant may be revoked already: only Remove again goes on. */
  if (!sesame_credentials_check_not_removing (self->credentials, &error))
    {
      sesame_invocation_return_error (invocation, error);
      return;
    }
  if (g_strcmp0 (sesame_account_get_flow (account), SESAME_FLOW_CLIENT_CREDENTIALS) == 0)
    {
      sesame_invocation_return_error (invocation,
 g_error_new_literal (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                      _("A service account has no sign-in page. Add it again with its "
                        "new client secret instead.")));
      return;
    }
  if (!sesame_sign_in_service_check_quota (self->sign_ins, invocation))
    return;

  sesame_invocation_check_access_async (invocation, self->access_control, SESAME_ACCESS_MANAGE,
                                        self->credentials, NULL, scopes, on_reauthenticate_access,
                                        call_new (self, invocation, scopes));
}

/* For the crash-safety test: SESAME_CRASH_AT=STEP makes the broker kill
 * itself (SIGKILL, as a power cut would) right after that step of Remove,
 * a window no timer hits reliably. */
static void
crash_point (const char *step)
{
#ifdef SESAME_TEST_HOOKS
  if (g_strcmp0 (g_getenv ("SESAME_CRASH_AT"), step) == 0)
    raise (SIGKILL);
#endif
}

/* Remove, journaled so that a kill between any two steps is finished at
 * the next start, and no token is handed out from the first step on:
 *   1. the mark "removing" is written to the metadata (no secret);
 *      killed after it: the next start revokes, deletes, forgets;
 *   2. the grant is revoked at the provider; killed after it: the same
 *      (a second revocation of a revoked token is answered 200, RFC 7009);
 *   3. the keyring item is deleted; killed after it: the same, with
 *      nothing left to revoke;
 *   4. the grants and the metadata are forgotten (grants first, on disk
 *      before the account, so that no grant outlives it for a later
 *      account of the same id). */
/* Remove's answer when the provider could not be told: the account is
 * gone here; where to withdraw the access by hand. */
static GError *
revoke_failed_error (SesameProvider *provider,
                     const GError   *revoke_error)
{
  int code = revoke_error->code == SESAME_ERROR_NETWORK ? SESAME_ERROR_NETWORK
                                                        : SESAME_ERROR_PROVIDER;
  const char *name = sesame_provider_get_name (provider);
  const char *manage_url = sesame_provider_get_manage_url (provider);

  if (manage_url != NULL)
    return g_error_new (SESAME_ERROR, code,
                        _("The account is gone from this computer, but %s could not be told to "
                          "revoke Sesame’s access (%s). Remove Sesame’s access by hand at %s."),
                        name, revoke_error->message, manage_url);
  return g_error_new (SESAME_ERROR, code,
                      _("The account is gone from this computer, but %s could not be told to "
                        "revoke Sesame’s access (%s). Revoke it by hand in your %s account’s "
                        "security settings."),
                      name, revoke_error->message, name);
}

static void
on_forgotten (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SesameAccountObject *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  SesameProvider *provider = sesame_credentials_get_provider (self->credentials);
  GError *error = NULL;

  if (!sesame_account_keeper_forget_finish (SESAME_ACCOUNT_KEEPER (source), result, &error))
    g_task_return_error (task, error);
  else if (call->revoke_error != NULL)
    g_task_return_error (task, revoke_failed_error (provider, call->revoke_error));
  else
    return_reply (task, NULL);
}

static void
on_secret_deleted (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SesameAccountObject *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  /* The metadata goes even when the keyring failed: the person asked for
   * the account to be gone; a leftover item holds no account anymore. */
  if (!sesame_credentials_delete_finish (SESAME_CREDENTIALS (source), result, &error))
    g_warning ("Could not delete the keyring item of %s: %s",
               sesame_account_get_id (sesame_credentials_get_account (self->credentials)),
               error->message);
  crash_point ("remove-secret-deleted");
  sesame_account_keeper_forget_async (self->keeper, self->credentials, on_forgotten,
                                      g_steal_pointer (&task));
}

/* The removal stops before anything is deleted: a mark this call set
 * while nothing could be revoked is taken back; one that was there
 * before (a grant perhaps revoked already) stays, saying so. */
static void
stop_removal (GTask  *task,
              GError *error)
{
  SesameAccountObject *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);

  if (call->was_removing)
    sesame_credentials_removal_unfinished (self->credentials);
  else
    sesame_credentials_cancel_removal (self->credentials);
  g_task_return_error (task, error);
}

static void
on_revoked (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);

  sesame_credentials_revoke_finish (SESAME_CREDENTIALS (source), result, &call->revoke_error);
  crash_point ("remove-revoked");
  /* A keyring that cannot be read (locked, say) holds the token the
   * provider must be told to revoke: nothing is removed, the person is
   * told what to do and can try again. A removal finished at start needs
   * the revocation too: without it, it waits for the person to retry. */
  if (g_error_matches (call->revoke_error, SESAME_ERROR, SESAME_ERROR_KEYRING) ||
      (call->revoke_error != NULL && call->invocation == NULL))
    {
      stop_removal (task, g_steal_pointer (&call->revoke_error));
      return;
    }
  sesame_credentials_delete_async (SESAME_CREDENTIALS (source), NULL, on_secret_deleted,
                                   g_steal_pointer (&task));
}

static void
on_removal_marked (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SesameAccountObject *self = g_task_get_source_object (task);
  GError *error = NULL;

  /* Nothing is revoked before the intent is on disk. */
  if (!sesame_account_keeper_save_finish (SESAME_ACCOUNT_KEEPER (source), result, &error))
    {
      stop_removal (task, error);
      return;
    }
  crash_point ("remove-marked");
  sesame_credentials_revoke_async (self->credentials, NULL, on_revoked, g_steal_pointer (&task));
}

static void
start_removal (GTask *task)
{
  SesameAccountObject *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);

  /* A second one (a retry while the start's runs) would forget twice. */
  if (self->removal_running)
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_NEEDS_ATTENTION,
                               _("This account is being removed."));
      g_object_unref (task);
      return;
    }
  self->removal_running = TRUE;
  call->runs_removal = TRUE;
  call->was_removing = sesame_account_get_removing (sesame_credentials_get_account (self->credentials));
  sesame_credentials_begin_removal (self->credentials);
  sesame_account_keeper_save_async (self->keeper, on_removal_marked, task);
}

static void
on_remove_access (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!sesame_access_control_check_finish (SESAME_ACCESS_CONTROL (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  start_removal (g_steal_pointer (&task));
}

static void
handle_remove (SesameAccountObject   *self,
               GDBusMethodInvocation *invocation)
{
  sesame_invocation_check_access_async (invocation, self->access_control, SESAME_ACCESS_REMOVE,
                                        self->credentials, NULL, NULL, on_remove_access,
                                        call_new (self, invocation, NULL));
}

static void
on_removal_finished (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Call *call = g_task_get_task_data (G_TASK (result));
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  if (call->runs_removal)
    SESAME_ACCOUNT_OBJECT (source)->removal_running = FALSE;
  /* Which error, not its text, which a provider wrote. */
  reply = g_task_propagate_pointer (G_TASK (result), &error);
  if (error != NULL)
    g_message ("A removal cut short could not be finished yet (%s %d)",
               g_quark_to_string (error->domain), error->code);
}

void
sesame_account_object_finish_removal (SesameAccountObject *self)
{
  GTask *task = g_task_new (self, NULL, on_removal_finished, NULL);

  g_task_set_task_data (task, g_new0 (Call, 1), (GDestroyNotify) call_free);
  start_removal (task);
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
  { "RefreshExpiresAt", "refresh-expires-at" },
  { "Removing", "removing" },
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
sesame_account_object_new (SesameAccountKeeper *keeper,
                           SesameAccessControl *access_control,
                           SesameSignInService *sign_ins,
                           GDBusConnection     *connection,
                           SesameCredentials   *credentials)
{
  SesameAccountObject *self = g_object_new (SESAME_TYPE_ACCOUNT_OBJECT, NULL);
  SesameAccount *account = sesame_credentials_get_account (credentials);

  self->keeper = keeper;
  self->access_control = g_object_ref (access_control);
  self->sign_ins = g_object_ref (sign_ins);
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
