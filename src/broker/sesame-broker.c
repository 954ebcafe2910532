/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-broker.c: the D-Bus service: dev.sesame.Broker1 and the account objects */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-account-object.h"
#include "sesame-account-store.h"
#include "sesame-agent-manager.h"
#include "sesame-broker.h"
#include "sesame-dbus-generated.h"
#include "sesame-device-sign-in.h"
#include "sesame-error.h"
#include "sesame-provider-registry.h"
#include "sesame-sign-in.h"

#define CONTRACT_VERSION 1
#define MAX_SCOPES 64
#define MAX_SCOPE_LENGTH 512
/* One caller cannot pile up device sign-ins (each polls a provider). */
#define MAX_DEVICE_SIGN_INS_PER_CALLER 8
/* Each holds a loopback listener and a window: one caller cannot open many. */
#define MAX_SIGN_INS_PER_CALLER 8
#define MAX_OPTION_LENGTH 2048

struct _SesameBroker
{
  GObject                   parent_instance;

  GDBusConnection          *connection;
  SesameProviderRegistry   *providers;
  SesameOAuthClient        *client;
  SesameAccountStore       *store;
  SesameSecretStore        *secrets;
  SesameAgentManager       *agents;
  SesameGrantStore         *grants;
  SesameAccessControl      *access;
  GSettings                *settings;     /* NULL when the schema is not installed */

  guint                     manager_id;   /* ObjectManager at SESAME_BROKER_PATH */
  guint                     subtree_id;   /* every account */
  SesameBroker1            *iface;
  GHashTable               *objects;      /* account id → SesameAccountObject */
  GHashTable               *devices;      /* request id → SesameDeviceSignIn */
  GHashTable               *watched;      /* bus name → requests in progress (GUINT) */
  guint                     next_device;
  GHashTable               *adding;       /* ids whose secret is stored, metadata not yet */
  GCancellable             *reconciling;
};

G_DEFINE_FINAL_TYPE (SesameBroker, sesame_broker, G_TYPE_OBJECT)

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
  g_cancellable_cancel (self->reconciling);
  g_clear_object (&self->reconciling);
  g_clear_pointer (&self->adding, g_hash_table_unref);
  g_clear_pointer (&self->devices, g_hash_table_unref);
  g_clear_pointer (&self->watched, g_hash_table_unref);
  g_clear_pointer (&self->objects, g_hash_table_unref);
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
  self->watched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->adding = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

void
sesame_broker_return_error (GDBusMethodInvocation *invocation,
                            GError                *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&error);
      error = g_error_new_literal (SESAME_ERROR, SESAME_ERROR_CANCELLED,
                                   _("The request was cancelled."));
    }
  else if (error->domain != SESAME_ERROR)
    {
      GError *mapped = g_error_new_literal (SESAME_ERROR, SESAME_ERROR_PROVIDER, error->message);

      g_error_free (error);
      error = mapped;
    }
  g_dbus_method_invocation_take_error (invocation, error);
}

gboolean
sesame_broker_check_scopes (const char * const *scopes,
                            GError            **error)
{
  guint n = scopes ? g_strv_length ((char **) scopes) : 0;

  if (n > MAX_SCOPES)
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                   _("Too many scopes were asked for (%u; at most %u)."), n, MAX_SCOPES);
      return FALSE;
    }

  for (guint i = 0; i < n; i++)
    {
      if (strlen (scopes[i]) > MAX_SCOPE_LENGTH || !sesame_scope_is_valid (scopes[i]))
        {
          g_set_error_literal (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                               _("A scope was empty, too long or held characters a scope "
                                 "cannot have (spaces, quotes, backslashes)."));
          return FALSE;
        }
    }
  return TRUE;
}

typedef struct {
  GHashTable *watched;
  char       *sender;
  guint       watch_id;
} Watch;

static void
unwatch_caller (gpointer  user_data,
                GObject  *cancellable)
{
  Watch *watch = user_data;
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (watch->watched, watch->sender));

  g_bus_unwatch_name (watch->watch_id);
  if (n > 1)
    g_hash_table_insert (watch->watched, g_strdup (watch->sender), GUINT_TO_POINTER (n - 1));
  else
    g_hash_table_remove (watch->watched, watch->sender);
  g_hash_table_unref (watch->watched);
  g_free (watch->sender);
  g_free (watch);
}

static void
on_caller_vanished (GDBusConnection *connection,
                    const char      *name,
                    gpointer         user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

/* What a caller sent, for an error message: short, whatever it sent. */
static char *
shorten (const char *text)
{
  const char *end = text;
  g_autofree char *valid = NULL;

  for (guint i = 0; i < 64 && *end != '\0'; i++)
    end = g_utf8_next_char (end);
  valid = g_utf8_make_valid (text, end - text);
  return *end == '\0' ? g_steal_pointer (&valid) : g_strconcat (valid, "…", NULL);
}

static guint
count_watched (SesameBroker *self,
               const char   *sender)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->watched, sender));
}

GCancellable *
sesame_broker_watch_caller (SesameBroker          *self,
                            GDBusMethodInvocation *invocation)
{
  GCancellable *cancellable = g_cancellable_new ();
  Watch *watch = g_new0 (Watch, 1);
  const char *sender = g_dbus_method_invocation_get_sender (invocation);

  watch->watched = g_hash_table_ref (self->watched);
  watch->sender = g_strdup (sender);
  watch->watch_id = g_bus_watch_name_on_connection (self->connection, sender,
                                                    G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
                                                    on_caller_vanished, cancellable, NULL);
  g_hash_table_insert (self->watched, g_strdup (sender),
                       GUINT_TO_POINTER (count_watched (self, sender) + 1));
  g_object_weak_ref (G_OBJECT (cancellable), unwatch_caller, watch);
  return cancellable;
}

gboolean
sesame_broker_check_sign_in_quota (SesameBroker          *self,
                                   GDBusMethodInvocation *invocation)
{
  if (count_watched (self, g_dbus_method_invocation_get_sender (invocation)) <
      MAX_SIGN_INS_PER_CALLER)
    return TRUE;
  sesame_broker_return_error (invocation,
    g_error_new (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                 g_dngettext (GETTEXT_PACKAGE,
                              "You have %u sign-in in progress already. Finish or cancel it first.",
                              "You have %u sign-ins in progress already. Finish or cancel one first.",
                              MAX_SIGN_INS_PER_CALLER),
                 MAX_SIGN_INS_PER_CALLER));
  return FALSE;
}

/* Caller identification and per-application grants (DESIGN.md, "Which
 * applications may use an account") decide here; every method that hands
 * out, changes or removes an account comes through this one place. Until
 * grants exist every caller is treated as a host program, which DESIGN.md
 * allows by default: it runs as the same user and could read the keyring. */
gboolean
sesame_broker_check_access_now (SesameBroker          *self,
                                GDBusMethodInvocation *invocation,
                                SesameAccess           access,
                                SesameCredentials     *account,
                                const char * const    *scopes)
{
  return sesame_access_control_check_now (self->access,
                                          g_dbus_method_invocation_get_sender (invocation),
                                          access, account, scopes);
}

static void
on_access_checked (GObject      *source,
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
  g_task_return_boolean (task, TRUE);
}

/* Caller identification and grants (DESIGN.md, "Which applications may use
 * an account") decide here, for every method that hands out, changes,
 * adds or removes an account. */
void
sesame_broker_check_access_async (SesameBroker          *self,
                                  GDBusMethodInvocation *invocation,
                                  SesameAccess           access,
                                  SesameCredentials     *account,
                                  SesameProvider        *provider,
                                  const char * const    *scopes,
                                  GAsyncReadyCallback    callback,
                                  gpointer               user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, sesame_broker_check_access_async);
  sesame_access_control_check_async (self->access,
                                     g_dbus_method_invocation_get_sender (invocation),
                                     access, account, provider, scopes,
                                     sesame_access_control_get_leaving (self->access,
                                       g_dbus_method_invocation_get_sender (invocation)),
                                     on_access_checked, task);
}

gboolean
sesame_broker_check_access_finish (SesameBroker  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
prefers_browser (SesameBroker *self)
{
  return self->settings != NULL && g_settings_get_boolean (self->settings, "prefer-browser");
}

void
sesame_broker_sign_in_async (SesameBroker        *self,
                             SesameProvider      *provider,
                             const char * const  *scopes,
                             const char          *login_hint,
                             const char          *identity,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  sesame_sign_in_async (self->agents, self->client, provider, scopes, login_hint, identity,
                        prefers_browser (self), cancellable, callback, user_data);
}

SesameToken *
sesame_broker_sign_in_finish (SesameBroker  *self,
                              GAsyncResult  *result,
                              char         **identity,
                              GError       **error)
{
  return sesame_sign_in_finish (result, identity, error);
}

static GVariant *
interfaces_of (SesameAccountObject *object)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{sa{sv}}"));

  g_variant_builder_add (&builder, "{s@a{sv}}", SESAME_ACCOUNT_IFACE,
                         sesame_account_object_get_properties (object));
  return g_variant_builder_end (&builder);
}

/* Puts one account on the bus; @announce: emit InterfacesAdded. */
static SesameAccountObject *
export_account (SesameBroker      *self,
                SesameCredentials *credentials,
                gboolean           announce)
{
  SesameAccountObject *object = sesame_account_object_new (self, self->connection, credentials);
  SesameAccount *account = sesame_credentials_get_account (credentials);

  g_hash_table_insert (self->objects, g_strdup (sesame_account_get_id (account)), object);
  if (announce)
    g_dbus_connection_emit_signal (self->connection, NULL, SESAME_BROKER_PATH,
                                   "org.freedesktop.DBus.ObjectManager", "InterfacesAdded",
                                   g_variant_new ("(o@a{sa{sv}})",
                                                  sesame_account_object_get_path (object),
                                                  interfaces_of (object)),
                                   NULL);
  return object;
}

static void
on_forget_saved (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!sesame_account_store_save_finish (SESAME_ACCOUNT_STORE (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
sesame_broker_forget_account_async (SesameBroker        *self,
                                    SesameCredentials   *account,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  const char *id = sesame_account_get_id (sesame_credentials_get_account (account));
  g_autofree char *path = g_strconcat (SESAME_ACCOUNTS_PATH, id, NULL);
  const char *removed[] = { SESAME_ACCOUNT_IFACE, NULL };

  g_task_set_source_tag (task, sesame_broker_forget_account_async);
  g_task_set_task_data (task, g_object_ref (account), g_object_unref);

  g_dbus_connection_emit_signal (self->connection, NULL, SESAME_BROKER_PATH,
                                 "org.freedesktop.DBus.ObjectManager", "InterfacesRemoved",
                                 g_variant_new ("(o^as)", path, removed), NULL);
  sesame_grant_store_forget_account (self->grants, id);
  sesame_account_store_remove (self->store, id);
  g_hash_table_remove (self->objects, id);
  sesame_account_store_save_async (self->store, NULL, on_forget_saved, task);
}

gboolean
sesame_broker_forget_account_finish (SesameBroker  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Storing a signed-in account (AddAccount, device and service accounts) ---- */

typedef struct {
  SesameCredentials *credentials;
  gboolean           is_new;
} Storing;

static void
storing_free (Storing *storing)
{
  g_clear_object (&storing->credentials);
  g_free (storing);
}

static void
on_account_saved (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Storing *storing = g_task_get_task_data (task);
  SesameAccount *account = sesame_credentials_get_account (storing->credentials);
  GError *error = NULL;

  if (!sesame_account_store_save_finish (SESAME_ACCOUNT_STORE (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_strconcat (SESAME_ACCOUNTS_PATH, sesame_account_get_id (account),
                                            NULL), g_free);
}

static void
on_account_secret_stored (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SesameBroker *self = g_task_get_source_object (task);
  Storing *storing = g_task_get_task_data (task);
  GError *error = NULL;

  /* The secret is in the keyring before the account exists anywhere else. */
  g_hash_table_remove (self->adding,
                       sesame_account_get_id (sesame_credentials_get_account (storing->credentials)));
  if (!sesame_credentials_replace_finish (storing->credentials, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (storing->is_new)
    {
      sesame_account_store_add (self->store, sesame_credentials_get_account (storing->credentials));
      export_account (self, storing->credentials, TRUE);
    }
  sesame_account_store_save_async (self->store, NULL, on_account_saved, g_steal_pointer (&task));
}

/* Signing in again to an identity that exists updates that account. */
static void
store_account_async (SesameBroker        *self,
                     SesameProvider      *provider,
                     const char          *flow,
                     const char          *identity,
                     const SesameToken   *token,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  Storing *storing = g_new0 (Storing, 1);
  SesameAccount *existing = sesame_account_store_find (self->store, sesame_provider_get_id (provider),
                                                       identity);

  g_task_set_task_data (task, storing, (GDestroyNotify) storing_free);
  if (existing != NULL)
    {
      SesameAccountObject *object = g_hash_table_lookup (self->objects,
                                                         sesame_account_get_id (existing));
      storing->credentials = g_object_ref (sesame_account_object_get_credentials (object));
    }
  else
    {
      g_autofree char *id = sesame_account_store_new_id (self->store, sesame_provider_get_id (provider));
      g_autoptr(SesameAccount) account =
        sesame_account_new (id, sesame_provider_get_id (provider), sesame_provider_get_name (provider),
                            identity, flow, g_get_real_time () / G_USEC_PER_SEC);

      storing->credentials = sesame_credentials_new (account, provider, self->providers, self->client,
                                                     self->secrets);
      storing->is_new = TRUE;
      /* Not an orphan for reconcile() while its metadata is on its way. */
      g_hash_table_add (self->adding, g_strdup (id));
    }
  sesame_credentials_replace_async (storing->credentials, token, NULL, on_account_secret_stored, task);
}

static char *
store_account_finish (SesameBroker  *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Broker1 ---- */

static GVariant *
strv_variant (const char * const *strv)
{
  return g_variant_new_strv (strv, -1);
}

static GVariant *
describe_provider (SesameProvider *provider)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_auto(GVariantBuilder) scopes = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));
  const char * const *names = sesame_provider_get_scopes (provider);
  g_auto(GStrv) flows = sesame_provider_dup_flows (provider);
  g_auto(GStrv) git_hosts = sesame_provider_dup_git_hosts (provider);

  for (guint i = 0; names && names[i]; i++)
    g_variant_builder_add (&scopes, "{ss}", names[i],
                           sesame_provider_get_scope_description (provider, names[i]));

  g_variant_dict_insert (&dict, "id", "s", sesame_provider_get_id (provider));
  g_variant_dict_insert (&dict, "name", "s", sesame_provider_get_name (provider));
  g_variant_dict_insert (&dict, "icon-name", "s", sesame_provider_get_icon_name (provider));
  g_variant_dict_insert_value (&dict, "scopes", g_variant_builder_end (&scopes));
  g_variant_dict_insert_value (&dict, "default-scopes",
                               strv_variant (sesame_provider_get_default_scopes (provider)));
  g_variant_dict_insert_value (&dict, "flows", strv_variant ((const char * const *) flows));
  g_variant_dict_insert (&dict, "configured", "b", sesame_provider_is_configured (provider));
  g_variant_dict_insert (&dict, "template", "b", sesame_provider_is_template (provider));
  g_variant_dict_insert_value (&dict, "git-hosts", strv_variant ((const char * const *) git_hosts));
  if (sesame_provider_get_registration_url (provider) != NULL)
    g_variant_dict_insert (&dict, "registration-url", "s",
                           sesame_provider_get_registration_url (provider));
  return g_variant_dict_end (&dict);
}

typedef struct {
  GDBusMethodInvocation *invocation;
  GPtrArray             *providers;
  guint                  pending;
} Listing;

static void
reply_providers (SesameBroker *self,
                 Listing      *listing)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));

  for (guint i = 0; i < listing->providers->len; i++)
    g_variant_builder_add_value (&builder, describe_provider (listing->providers->pdata[i]));
  sesame_broker1_complete_list_providers (self->iface, listing->invocation,
                                          g_variant_builder_end (&builder));
  g_ptr_array_unref (listing->providers);
  g_free (listing);
}

static void
on_listing_discovered (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  Listing *listing = user_data;
  g_autoptr(GError) error = NULL;

  /* A provider that cannot be reached is listed with what its file says. */
  if (!sesame_provider_registry_ensure_discovered_finish (SESAME_PROVIDER_REGISTRY (source),
                                                          result, &error))
    g_debug ("Discovery failed: %s", error->message);
  if (--listing->pending == 0)
    reply_providers (g_object_get_data (source, "sesame-broker"), listing);
}

static gboolean
handle_list_providers (SesameBroker1         *iface,
                       GDBusMethodInvocation *invocation,
                       SesameBroker          *self)
{
  Listing *listing = g_new0 (Listing, 1);

  listing->invocation = invocation;
  listing->providers = sesame_provider_registry_list (self->providers);
  listing->pending = 1;
  for (guint i = 0; i < listing->providers->len; i++)
    if (sesame_provider_needs_discovery (listing->providers->pdata[i]))
      {
        listing->pending++;
        sesame_provider_registry_ensure_discovered_async (self->providers, self->client,
                                                          listing->providers->pdata[i], NULL,
                                                          on_listing_discovered, listing);
      }
  if (--listing->pending == 0)
    reply_providers (self, listing);
  return TRUE;
}

/* ---- AddAccount ---- */

typedef struct {
  SesameBroker          *self;
  GDBusMethodInvocation *invocation;
  SesameProvider        *provider;
  char                 **scopes;
  char                  *flow;
  char                  *login_hint;
  char                  *client_id;
  char                  *client_secret;
  char                  *issuer;
  GCancellable          *cancellable;
} Adding;

static void
adding_free (Adding *adding)
{
  g_clear_object (&adding->invocation);
  g_clear_object (&adding->provider);
  g_clear_object (&adding->cancellable);
  g_strfreev (adding->scopes);
  g_free (adding->flow);
  g_free (adding->login_hint);
  g_free (adding->client_id);
  sesame_secret_string_free (adding->client_secret);
  g_free (adding->issuer);
  g_free (adding);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Adding, adding_free)

static void
on_added (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(Adding) adding = user_data;
  g_autofree char *path = NULL;
  GError *error = NULL;

  SesameAccountObject *object;

  if (!(path = store_account_finish (adding->self, result, &error)))
    {
      sesame_broker_return_error (g_steal_pointer (&adding->invocation), error);
      return;
    }
  object = g_hash_table_lookup (adding->self->objects, path + strlen (SESAME_ACCOUNTS_PATH));
  sesame_access_control_added (adding->self->access,
                               g_dbus_method_invocation_get_sender (adding->invocation),
                               sesame_account_object_get_credentials (object));
  sesame_broker1_complete_add_account (adding->self->iface, g_steal_pointer (&adding->invocation),
                                       path);
}

static void
on_signed_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(Adding) adding = user_data;
  g_autoptr(SesameToken) token = NULL;
  g_autofree char *identity = NULL;
  GError *error = NULL;
  Adding *owned;

  if (!(token = sesame_sign_in_finish (result, &identity, &error)))
    {
      sesame_broker_return_error (g_steal_pointer (&adding->invocation), error);
      return;
    }
  owned = g_steal_pointer (&adding);

  store_account_async (owned->self, owned->provider, SESAME_FLOW_AUTHORIZATION_CODE, identity,
                       token, on_added, owned);
}

static void
on_client_credentials (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(Adding) adding = user_data;
  g_autoptr(SesameToken) token = NULL;
  GError *error = NULL;
  Adding *owned;

  token = sesame_oauth_client_client_credentials_finish (SESAME_OAUTH_CLIENT (source), result, &error);
  if (token == NULL)
    {
      sesame_broker_return_error (g_steal_pointer (&adding->invocation), error);
      return;
    }

  /* The secret lives in the keyring item with the tokens, nowhere else. */
  token->client_secret = g_strdup (adding->client_secret);
  owned = g_steal_pointer (&adding);

  store_account_async (owned->self, owned->provider, SESAME_FLOW_CLIENT_CREDENTIALS,
                       owned->client_id, token, on_added, owned);
}

static GError *
check_flow (Adding *adding)
{
  const char *name = sesame_provider_get_name (adding->provider);

  if (!sesame_provider_offers_flow (adding->provider, adding->flow))
    return g_error_new (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                        _("%s does not offer the “%s” sign-in."), name, adding->flow);
  if (g_str_equal (adding->flow, SESAME_FLOW_CLIENT_CREDENTIALS))
    {
      if (adding->client_id == NULL || *adding->client_id == '\0' ||
          adding->client_secret == NULL || *adding->client_secret == '\0')
        return g_error_new_literal (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                                    _("A service account needs its client id and client "
                                      "secret."));
      return NULL;
    }
  if (!sesame_provider_is_configured (adding->provider))
    return g_error_new (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                        _("%s has no client id yet. Enter the client id of your registration "
                          "with %s in Sesame, then sign in again."), name, name);
  return NULL;
}

static void
add_with_provider (Adding *adding)
{
  SesameBroker *self = adding->self;
  GError *error = check_flow (adding);

  if (error != NULL)
    {
      sesame_broker_return_error (g_steal_pointer (&adding->invocation), error);
      adding_free (adding);
      return;
    }

  if (g_str_equal (adding->flow, SESAME_FLOW_CLIENT_CREDENTIALS))
    {
      sesame_oauth_client_client_credentials_async (self->client, adding->provider,
                                                    adding->client_id, adding->client_secret,
                                                    (const char * const *) adding->scopes,
                                                    adding->cancellable, on_client_credentials,
                                                    adding);
      return;
    }

  if (adding->scopes[0] == NULL)
    {
      g_strfreev (adding->scopes);
      adding->scopes = g_strdupv ((char **) sesame_provider_get_default_scopes (adding->provider));
    }
  sesame_broker_sign_in_async (self, adding->provider, (const char * const *) adding->scopes,
                               adding->login_hint, NULL, adding->cancellable, on_signed_in, adding);
}

static void
on_add_discovered (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Adding *adding = user_data;
  GError *error = NULL;

  if (!sesame_provider_registry_ensure_discovered_finish (SESAME_PROVIDER_REGISTRY (source),
                                                          result, &error))
    {
      sesame_broker_return_error (g_steal_pointer (&adding->invocation), error);
      adding_free (adding);
      return;
    }
  add_with_provider (adding);
}

/* The provider a step of adding resolved to (a new or rewritten provider
 * file); FALSE when that step failed, which ends the call. */
static gboolean
take_provider (Adding         *adding,
               SesameProvider *provider,
               GError         *error)
{
  if (provider == NULL)
    {
      sesame_broker_return_error (g_steal_pointer (&adding->invocation), error);
      adding_free (adding);
      return FALSE;
    }
  g_set_object (&adding->provider, provider);
  g_object_unref (provider);
  return TRUE;
}

static void
discover_then_add (Adding *adding)
{
  sesame_provider_registry_ensure_discovered_async (adding->self->providers, adding->self->client,
                                                    adding->provider, adding->cancellable,
                                                    on_add_discovered, adding);
}

static void
on_issuer_added (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Adding *adding = user_data;
  GError *error = NULL;
  SesameProvider *provider;

  provider = sesame_provider_registry_add_issuer_finish (SESAME_PROVIDER_REGISTRY (source),
                                                         result, &error);
  if (take_provider (adding, provider, error))
    add_with_provider (adding);
}

/* The person's own client id is remembered; then as for any provider. */
static void
on_client_id_set (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Adding *adding = user_data;
  GError *error = NULL;
  SesameProvider *provider;

  provider = sesame_provider_registry_set_client_id_finish (SESAME_PROVIDER_REGISTRY (source),
                                                            result, &error);
  if (take_provider (adding, provider, error))
    discover_then_add (adding);
}

static void
on_add_access (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Adding *adding = user_data;
  SesameBroker *self = adding->self;
  GError *error = NULL;

  if (!sesame_broker_check_access_finish (self, result, &error))
    {
      sesame_broker_return_error (g_steal_pointer (&adding->invocation), error);
      adding_free (adding);
      return;
    }

  if (sesame_provider_is_template (adding->provider))
    sesame_provider_registry_add_issuer_async (self->providers, self->client, adding->issuer,
                                               adding->client_id, adding->cancellable,
                                               on_issuer_added, adding);
  else if (adding->client_id != NULL &&
           g_str_equal (adding->flow, SESAME_FLOW_AUTHORIZATION_CODE))
    sesame_provider_registry_set_client_id_async (self->providers, adding->provider,
                                                  adding->client_id, adding->cancellable,
                                                  on_client_id_set, adding);
  else
    discover_then_add (adding);
}

/* Reads one optional string option; a value of another type is an error. */
static gboolean
lookup_option (GVariant    *options,
               const char  *key,
               char       **value,
               GError     **error)
{
  g_autoptr(GVariant) found = g_variant_lookup_value (options, key, NULL);

  if (found == NULL)
    return TRUE;
  if (!g_variant_is_of_type (found, G_VARIANT_TYPE_STRING))
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                   _("The option “%s” must be a string."), key);
      return FALSE;
    }
  if (g_variant_get_size (found) > MAX_OPTION_LENGTH)
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                   _("The option “%s” is too long (at most %u bytes)."), key,
                   MAX_OPTION_LENGTH);
      return FALSE;
    }
  *value = g_variant_dup_string (found, NULL);
  return TRUE;
}

static GError *
read_add_options (Adding   *adding,
                  GVariant *options)
{
  GError *error = NULL;

  if (!lookup_option (options, "flow", &adding->flow, &error) ||
      !lookup_option (options, "login-hint", &adding->login_hint, &error) ||
      !lookup_option (options, "client-id", &adding->client_id, &error) ||
      !lookup_option (options, "client-secret", &adding->client_secret, &error) ||
      !lookup_option (options, "issuer", &adding->issuer, &error))
    return error;

  if (adding->flow == NULL)
    adding->flow = g_strdup (SESAME_FLOW_AUTHORIZATION_CODE);
  if (!g_str_equal (adding->flow, SESAME_FLOW_AUTHORIZATION_CODE) &&
      !g_str_equal (adding->flow, SESAME_FLOW_CLIENT_CREDENTIALS))
    {
      g_autofree char *flow = shorten (adding->flow);

      return g_error_new (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                          _("The flow “%s” cannot be used here: use authorization_code or "
                            "client_credentials (device sign-in has its own methods)."), flow);
    }
  if (sesame_provider_is_template (adding->provider) && (adding->issuer == NULL || !*adding->issuer))
    return g_error_new (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                        _("Adding an %s account needs the address of its issuer."),
                        sesame_provider_get_name (adding->provider));
  return NULL;
}

static GError *
unknown_provider (const char *id)
{
  g_autofree char *shown = shorten (id);

  return g_error_new (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                      _("There is no provider “%s”. See the list of providers for the ones "
                        "this computer knows."), shown);
}

static gboolean
handle_add_account (SesameBroker1         *iface,
                    GDBusMethodInvocation *invocation,
                    const char            *provider_id,
                    const char * const    *scopes,
                    GVariant              *options,
                    SesameBroker          *self)
{
  SesameProvider *provider = sesame_provider_registry_lookup (self->providers, provider_id);
  g_autoptr(Adding) adding = NULL;
  GError *error = NULL;

  if (provider == NULL)
    {
      sesame_broker_return_error (invocation, unknown_provider (provider_id));
      return TRUE;
    }
  if (!sesame_broker_check_scopes (scopes, &error))
    {
      sesame_broker_return_error (invocation, error);
      return TRUE;
    }
  if (!sesame_broker_check_sign_in_quota (self, invocation))
    return TRUE;

  adding = g_new0 (Adding, 1);
  adding->self = self;
  adding->invocation = invocation;
  adding->provider = g_object_ref (provider);
  adding->scopes = g_strdupv ((char **) scopes);
  if ((error = read_add_options (adding, options)) != NULL)
    {
      sesame_broker_return_error (g_steal_pointer (&adding->invocation), error);
      return TRUE;
    }

  adding->cancellable = sesame_broker_watch_caller (self, invocation);
  sesame_broker_check_access_async (self, invocation, SESAME_ACCESS_ADD, NULL, provider, scopes,
                                    on_add_access, g_steal_pointer (&adding));
  return TRUE;
}

/* ---- Agents ---- */

static void
on_agent_caller (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  SesameBroker *self = g_object_get_data (source, "sesame-broker");
  g_autoptr(SesameCaller) caller = NULL;
  GError *error = NULL;
  const char *path;

  caller = sesame_access_control_identify_finish (SESAME_ACCESS_CONTROL (source), result, &error);
  if (caller == NULL)
    {
      sesame_broker_return_error (g_steal_pointer (&invocation), error);
      return;
    }

  /* An app must never answer its own access question; only the Sesame
   * app itself may be the agent from inside a sandbox. */
  if (sesame_caller_is_sandboxed (caller) &&
      !(sesame_caller_get_kind (caller) == SESAME_CALLER_FLATPAK &&
        g_str_equal (sesame_caller_get_app_id (caller), SESAME_APP_BUS_NAME)))
    {
      sesame_broker_return_error (g_steal_pointer (&invocation),
 g_error_new (SESAME_ERROR, SESAME_ERROR_ACCESS_DENIED,
              _("%s may not answer Sesame’s questions: only Sesame itself can."),
              sesame_caller_get_app_name (caller)));
      return;
    }

  g_variant_get (g_dbus_method_invocation_get_parameters (invocation), "(&o)", &path);
  sesame_agent_manager_register (self->agents, g_dbus_method_invocation_get_sender (invocation),
                                 path);
  sesame_broker1_complete_register_agent (self->iface, g_steal_pointer (&invocation));
}

static gboolean
handle_register_agent (SesameBroker1         *iface,
                       GDBusMethodInvocation *invocation,
                       const char            *path,
                       SesameBroker          *self)
{
  sesame_access_control_identify_async (self->access,
                                        g_dbus_method_invocation_get_sender (invocation),
                                        on_agent_caller, invocation);
  return TRUE;
}

static gboolean
handle_unregister_agent (SesameBroker1         *iface,
                         GDBusMethodInvocation *invocation,
                         const char            *path,
                         SesameBroker          *self)
{
  if (!sesame_agent_manager_unregister (self->agents,
                                        g_dbus_method_invocation_get_sender (invocation), path))
    {
      sesame_broker_return_error (invocation,
 g_error_new_literal (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                      _("This agent is not the registered one.")));
      return TRUE;
    }
  sesame_broker1_complete_unregister_agent (iface, invocation);
  return TRUE;
}

/* ---- Grants ---- */

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
  return g_variant_dict_end (&dict);
}

static void
on_grants_caller (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  SesameBroker *self = g_object_get_data (source, "sesame-broker");
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));
  g_autoptr(SesameCaller) caller = NULL;
  g_autoptr(GPtrArray) grants = NULL;
  GError *error = NULL;

  caller = sesame_access_control_identify_finish (SESAME_ACCESS_CONTROL (source), result, &error);
  if (caller == NULL)
    {
      sesame_broker_return_error (g_steal_pointer (&invocation), error);
      return;
    }

  /* A sandboxed app sees its own grants only. */
  grants = sesame_grant_store_list (self->grants);
  for (guint i = 0; i < grants->len; i++)
    {
      const SesameGrant *grant = grants->pdata[i];

      if (!sesame_caller_is_sandboxed (caller) ||
          g_str_equal (grant->app_id, sesame_caller_get_app_id (caller)))
        g_variant_builder_add_value (&builder, describe_grant (grant));
    }
  sesame_broker1_complete_list_grants (self->iface, g_steal_pointer (&invocation),
                                       g_variant_builder_end (&builder));
}

static void
on_grants_changed (SesameBroker *self)
{
  if (self->iface != NULL)
    sesame_broker1_emit_grants_changed (self->iface);
}

static gboolean
handle_list_grants (SesameBroker1         *iface,
                    GDBusMethodInvocation *invocation,
                    SesameBroker          *self)
{
  sesame_access_control_identify_async (self->access,
                                        g_dbus_method_invocation_get_sender (invocation),
                                        on_grants_caller, invocation);
  return TRUE;
}

static void
on_revoke_caller (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  SesameBroker *self = g_object_get_data (source, "sesame-broker");
  g_autoptr(SesameCaller) caller = NULL;
  const char *app_id, *account;
  GError *error = NULL;

  caller = sesame_access_control_identify_finish (SESAME_ACCESS_CONTROL (source), result, &error);
  if (caller == NULL)
    {
      sesame_broker_return_error (g_steal_pointer (&invocation), error);
      return;
    }

  g_variant_get (g_dbus_method_invocation_get_parameters (invocation), "(&s&o)", &app_id, &account);
  if (!g_str_has_prefix (account, SESAME_ACCOUNTS_PATH) ||
      !g_hash_table_contains (self->objects, account + strlen (SESAME_ACCOUNTS_PATH)))
    {
      sesame_broker_return_error (g_steal_pointer (&invocation),
 g_error_new (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
              _("There is no account %s."), account));
      return;
    }
  if (sesame_caller_is_sandboxed (caller) &&
      !g_str_equal (app_id, sesame_caller_get_app_id (caller)))
    {
      sesame_broker_return_error (g_steal_pointer (&invocation),
 g_error_new_literal (SESAME_ERROR, SESAME_ERROR_ACCESS_DENIED,
                      _("An app may revoke only its own access.")));
      return;
    }
  if (!sesame_grant_store_revoke (self->grants, app_id, account + strlen (SESAME_ACCOUNTS_PATH)))
    {
      g_autofree char *shown = shorten (app_id);

      sesame_broker_return_error (g_steal_pointer (&invocation),
 g_error_new (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
              _("“%s” holds no grant for that account."), shown));
      return;
    }
  sesame_broker1_complete_revoke_grant (self->iface, g_steal_pointer (&invocation));
}

static gboolean
handle_revoke_grant (SesameBroker1         *iface,
                     GDBusMethodInvocation *invocation,
                     const char            *app_id,
                     const char            *account,
                     SesameBroker          *self)
{
  sesame_access_control_identify_async (self->access,
                                        g_dbus_method_invocation_get_sender (invocation),
                                        on_revoke_caller, invocation);
  return TRUE;
}

/* ---- Device sign-in ---- */

static void
on_device_begun (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  SesameDeviceSignIn *device = SESAME_DEVICE_SIGN_IN (source);
  SesameBroker *self = g_object_get_data (G_OBJECT (device), "sesame-broker");
  g_autoptr(GVariant) details = NULL;
  GError *error = NULL;

  if (!(details = sesame_device_sign_in_begin_finish (device, result, &error)))
    {
      g_hash_table_remove (self->devices, sesame_device_sign_in_get_id (device));
      sesame_broker_return_error (g_steal_pointer (&invocation), error);
      return;
    }
  sesame_broker1_complete_begin_device_sign_in (self->iface, g_steal_pointer (&invocation),
                                                sesame_device_sign_in_get_id (device),
                                                details);
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
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  SesameBroker *self = SESAME_BROKER (source);
  SesameProvider *provider = g_object_get_data (G_OBJECT (invocation), "sesame-provider");
  g_autofree const char **scopes = NULL;
  g_autofree char *id = NULL;
  SesameDeviceSignIn *device;
  GError *error = NULL;

  if (!sesame_broker_check_access_finish (self, result, &error))
    {
      sesame_broker_return_error (g_steal_pointer (&invocation), error);
      return;
    }

  g_variant_get (g_dbus_method_invocation_get_parameters (invocation), "(&s^a&s@a{sv})",
                 NULL, &scopes, NULL);
  id = g_strdup_printf ("device%u", ++self->next_device);
  device = sesame_device_sign_in_new (id, self->connection,
                                      g_dbus_method_invocation_get_sender (invocation),
                                      self->providers, self->client, provider, scopes);
  g_object_set_data (G_OBJECT (device), "sesame-broker", self);
  g_signal_connect (device, "owner-left", G_CALLBACK (on_device_owner_left), self);
  g_hash_table_insert (self->devices, g_strdup (id), device);
  sesame_device_sign_in_begin_async (device, on_device_begun, g_steal_pointer (&invocation));
}

static guint
count_device_sign_ins (SesameBroker *self,
                       const char   *owner)
{
  GHashTableIter iter;
  gpointer device;
  guint n = 0;

  g_hash_table_iter_init (&iter, self->devices);
  while (g_hash_table_iter_next (&iter, NULL, &device))
    n += g_strcmp0 (sesame_device_sign_in_get_owner (device), owner) == 0;
  return n;
}

static gboolean
handle_begin_device_sign_in (SesameBroker1         *iface,
                             GDBusMethodInvocation *invocation,
                             const char            *provider_id,
                             const char * const    *scopes,
                             GVariant              *options,
                             SesameBroker          *self)
{
  SesameProvider *provider = sesame_provider_registry_lookup (self->providers, provider_id);
  GError *error = NULL;

  if (provider == NULL)
    {
      sesame_broker_return_error (invocation, unknown_provider (provider_id));
      return TRUE;
    }
  if (!sesame_broker_check_scopes (scopes, &error))
    {
      sesame_broker_return_error (invocation, error);
      return TRUE;
    }
  if (count_device_sign_ins (self, g_dbus_method_invocation_get_sender (invocation)) >=
      MAX_DEVICE_SIGN_INS_PER_CALLER)
    {
      sesame_broker_return_error (invocation,
 g_error_new (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
              g_dngettext (GETTEXT_PACKAGE,
                           "You have %u device sign-in in progress already. Finish or "
                           "cancel it first.",
                           "You have %u device sign-ins in progress already. Finish or "
                           "cancel one first.", MAX_DEVICE_SIGN_INS_PER_CALLER),
              MAX_DEVICE_SIGN_INS_PER_CALLER));
      return TRUE;
    }

  g_object_set_data_full (G_OBJECT (invocation), "sesame-provider", g_object_ref (provider),
                          g_object_unref);
  sesame_broker_check_access_async (self, invocation, SESAME_ACCESS_ADD, NULL, provider, scopes,
                                    on_device_access, invocation);
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
      g_autofree char *shown = shorten (request);

      sesame_broker_return_error (invocation,
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
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  SesameBroker *self = SESAME_BROKER (source);
  g_autofree char *path = NULL;
  GError *error = NULL;

  if (!(path = store_account_finish (self, result, &error)))
    {
      sesame_broker_return_error (g_steal_pointer (&invocation), error);
      return;
    }
  sesame_broker1_complete_finish_device_sign_in (self->iface, g_steal_pointer (&invocation), path);
}

static void
on_device_finished (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(SesameDeviceSignIn) device = g_object_ref (SESAME_DEVICE_SIGN_IN (source));
  SesameBroker *self = g_object_get_data (G_OBJECT (device), "sesame-broker");
  g_autoptr(SesameToken) token = NULL;
  g_autofree char *identity = NULL;
  GError *error = NULL;

  token = sesame_device_sign_in_finish_finish (device, result, &identity, &error);
  g_hash_table_remove (self->devices, sesame_device_sign_in_get_id (device));
  if (token == NULL)
    {
      sesame_broker_return_error (g_steal_pointer (&invocation), error);
      return;
    }
  store_account_async (self, sesame_device_sign_in_get_provider (device), SESAME_FLOW_DEVICE_CODE,
                       identity, token, on_device_account_stored, g_steal_pointer (&invocation));
}

static gboolean
handle_finish_device_sign_in (SesameBroker1         *iface,
                              GDBusMethodInvocation *invocation,
                              const char            *request,
                              SesameBroker          *self)
{
  SesameDeviceSignIn *device = lookup_device (self, invocation, request);

  if (device != NULL)
    sesame_device_sign_in_finish_async (device, on_device_finished, invocation);
  return TRUE;
}

static gboolean
handle_cancel_device_sign_in (SesameBroker1         *iface,
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

/* ---- Start ---- */

static SesameProvider *
provider_for_account (SesameBroker  *self,
                      SesameAccount *account)
{
  SesameProvider *provider = sesame_provider_registry_lookup (self->providers,
                                                              sesame_account_get_provider (account));
  g_autoptr(JsonObject) gone = NULL;
  g_autofree char *reason = NULL;

  if (provider != NULL)
    return g_object_ref (provider);

  /* Its provider file was removed: keep the account, say what happened. */
  gone = json_object_new ();
  json_object_set_string_member (gone, "id", sesame_account_get_provider (account));
  json_object_set_string_member (gone, "name", sesame_account_get_provider_name (account));
  json_object_set_boolean_member (gone, "template", TRUE);
  reason = g_strdup_printf (_("The provider “%s” is no longer installed. Install it again, or "
                              "remove this account."), sesame_account_get_provider (account));
  sesame_account_set_attention (account, reason);
  return sesame_provider_new_from_json (gone, NULL);
}

/* ---- After a crash: secrets and metadata agree again ---- */

/* A broker killed between the keyring write and the metadata write of a
 * new account leaves a secret no account owns; one killed while removing
 * leaves an account whose secret is gone. Once the keyring answers (never
 * holding up the start, never asking to unlock), orphan secrets are deleted
 * and accounts without one are marked for the person to sign in again. */
static void
on_orphan_cleared (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!sesame_secret_store_clear_finish (SESAME_SECRET_STORE (source), result, &error))
    g_warning ("Could not delete a keyring item no account owns: %s", error->message);
}

typedef struct {
  SesameBroker *self;
  GPtrArray    *accounts;   /* those there at start: later ones got their secret first */
} Reconciling;

static void
reconciling_free (Reconciling *reconciling)
{
  g_ptr_array_unref (reconciling->accounts);
  g_free (reconciling);
}

static void
on_secrets_listed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Reconciling *reconciling = user_data;
  SesameBroker *self = reconciling->self;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = sesame_secret_store_list_finish (SESAME_SECRET_STORE (source), result,
                                                       &error);

  if (ids == NULL)
    {
      /* Cancelled at shutdown, or no keyring: then nothing can be told.
       * The listing reads item attributes only, so its error holds no secret. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Secrets not reconciled: %s", error->message);
      reconciling_free (reconciling);
      return;
    }

  for (guint i = 0; ids[i] != NULL; i++)
    if (sesame_account_store_lookup (self->store, ids[i]) == NULL &&
        !g_hash_table_contains (self->adding, ids[i]))
      {
        g_debug ("Deleting the keyring item of %s, which no account owns", ids[i]);
        sesame_secret_store_clear_async (self->secrets, ids[i], FALSE, NULL, on_orphan_cleared,
                                         NULL);
      }

  for (guint i = 0; i < reconciling->accounts->len; i++)
    {
      SesameAccount *account = reconciling->accounts->pdata[i];
      const char *id = sesame_account_get_id (account);

      if (sesame_account_store_lookup (self->store, id) == account &&
          !g_strv_contains ((const char * const *) ids, id) &&
          !sesame_account_get_attention_needed (account))
        sesame_account_set_attention (account,
          _("Sesame lost this account’s sign-in: its keyring item is gone. Sign in again."));
    }
  reconciling_free (reconciling);
}

static void
reconcile (SesameBroker *self)
{
  Reconciling *reconciling = g_new0 (Reconciling, 1);

  reconciling->self = self;
  reconciling->accounts = sesame_account_store_list (self->store);
  self->reconciling = g_cancellable_new ();
  sesame_secret_store_list_async (self->secrets, self->reconciling, on_secrets_listed,
                                  reconciling);
}

static void
export_stored_accounts (SesameBroker *self)
{
  g_autoptr(GPtrArray) accounts = sesame_account_store_list (self->store);

  for (guint i = 0; i < accounts->len; i++)
    {
      g_autoptr(SesameProvider) provider = provider_for_account (self, accounts->pdata[i]);
      g_autoptr(SesameCredentials) credentials =
        sesame_credentials_new (accounts->pdata[i], provider, self->providers,
                                self->client, self->secrets);

      export_account (self, credentials, FALSE);
    }
}

/* ---- The accounts on the bus: an ObjectManager and one subtree ---- */

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

static gboolean
register_accounts (SesameBroker  *self,
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
  g_signal_connect (self->iface, "handle-list-providers", G_CALLBACK (handle_list_providers), self);
  g_signal_connect (self->iface, "handle-add-account", G_CALLBACK (handle_add_account), self);
  g_signal_connect (self->iface, "handle-register-agent", G_CALLBACK (handle_register_agent), self);
  g_signal_connect (self->iface, "handle-unregister-agent",
                    G_CALLBACK (handle_unregister_agent), self);
  g_signal_connect (self->iface, "handle-list-grants", G_CALLBACK (handle_list_grants), self);
  g_signal_connect (self->iface, "handle-revoke-grant", G_CALLBACK (handle_revoke_grant), self);
  g_signal_connect (self->iface, "handle-begin-device-sign-in",
                    G_CALLBACK (handle_begin_device_sign_in), self);
  g_signal_connect (self->iface, "handle-finish-device-sign-in",
                    G_CALLBACK (handle_finish_device_sign_in), self);
  g_signal_connect (self->iface, "handle-cancel-device-sign-in",
                    G_CALLBACK (handle_cancel_device_sign_in), self);
}

SesameBroker *
sesame_broker_new (GDBusConnection  *connection,
                   GError          **error)
{
  g_autoptr(SesameBroker) self = g_object_new (SESAME_TYPE_BROKER, NULL);
  g_autofree char *data_dir = g_build_filename (g_get_user_data_dir (), "sesame", NULL);
  g_autoptr(GError) load_error = NULL;

  self->connection = g_object_ref (connection);
  self->providers = sesame_provider_registry_new ();
  sesame_provider_registry_load (self->providers);
  g_object_set_data (G_OBJECT (self->providers), "sesame-broker", self);
  self->client = sesame_oauth_client_new ();
  self->secrets = sesame_secret_store_new ();
  self->agents = sesame_agent_manager_new (connection);
  self->settings = settings_if_installed ();
  self->store = sesame_account_store_new (data_dir);
  if (!sesame_account_store_load (self->store, &load_error))
    g_warning ("%s", load_error->message);
  g_clear_error (&load_error);
  self->grants = sesame_grant_store_new (data_dir);
  if (!sesame_grant_store_load (self->grants, &load_error))
    g_warning ("%s", load_error->message);
  self->access = sesame_access_control_new (connection, self->agents, self->grants,
                                            self->settings);
  g_signal_connect_object (self->grants, "changed", G_CALLBACK (on_grants_changed), self,
                           G_CONNECT_SWAPPED);
  g_object_set_data (G_OBJECT (self->access), "sesame-broker", self);

  export_stored_accounts (self);
  if (!register_accounts (self, error))
    return NULL;
  reconcile (self);

  self->iface = sesame_broker1_skeleton_new ();
  sesame_broker1_set_version (self->iface, CONTRACT_VERSION);
  connect_handlers (self);
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->iface), connection,
                                         SESAME_BROKER_PATH, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
sesame_broker_flush (SesameBroker *self)
{
  sesame_account_store_flush (self->store);
  sesame_grant_store_flush (self->grants);
}
