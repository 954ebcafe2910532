/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-broker-add-account.c: AddAccount: interactive sign-in through the agent, or a service account */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-broker-private.h"
#include "sesame-error.h"
#include "sesame-invocation.h"
#include "sesame-provider-registry-private.h"

#define MAX_OPTION_LENGTH 2048

/* One AddAccount call; it belongs to its GTask, whose callback answers it.
 * Steps: the caller's access; the provider (an issuer or the person's
 * client id, prepared) and its discovery; the sign-in (or the client
 * credentials grant); a prepared provider written; storing the account. */
typedef struct {
  SesameBroker          *self;          /* not a reference, as for SesameBrokerCall */
  GDBusMethodInvocation *invocation;
  SesameProvider        *provider;
  char                 **scopes;
  char                 **shown;         /* the scopes the question showed, granted at most */
  char                  *flow;
  char                  *login_hint;
  char                  *client_id;
  char                  *client_secret;
  char                  *issuer;
} Adding;

static void
adding_free (Adding *adding)
{
  g_clear_object (&adding->invocation);
  g_clear_object (&adding->provider);
  g_strfreev (adding->scopes);
  g_strfreev (adding->shown);
  g_free (adding->flow);
  g_free (adding->login_hint);
  g_free (adding->client_id);
  sesame_secret_string_free (adding->client_secret);
  g_free (adding->issuer);
  g_free (adding);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Adding, adding_free)

static void
on_add_account_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Adding *adding = g_task_get_task_data (G_TASK (result));
  g_autoptr(SesameAccountObject) object = NULL;
  GError *error = NULL;

  object = g_task_propagate_pointer (G_TASK (result), &error);
  if (object == NULL)
    {
      sesame_invocation_return_error (g_steal_pointer (&adding->invocation), error);
      return;
    }
  sesame_access_control_added (adding->self->access,
                               g_dbus_method_invocation_get_sender (adding->invocation),
                               sesame_account_object_get_credentials (object),
                               (const char * const *) adding->shown);
  sesame_broker1_complete_add_account (adding->self->iface, g_steal_pointer (&adding->invocation),
                                       sesame_account_object_get_path (object));
}

static void
on_account_stored (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Adding *adding = g_task_get_task_data (task);
  SesameAccountObject *object;
  SesameCredentials *credentials;
  const char *issuer;
  GError *error = NULL;

  object = sesame_broker_store_account_finish (SESAME_BROKER (source), result, &error);
  if (object == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Remembered, so that its tokens never go to another issuer. */
  issuer = sesame_provider_get_issuer (adding->provider);
  credentials = sesame_account_object_get_credentials (object);
  if (issuer != NULL)
    sesame_account_set_issuer (sesame_credentials_get_account (credentials), issuer);
  g_task_return_pointer (task, object, g_object_unref);
}

static void
store_account (GTask             *task,
               const char        *flow,
               const char        *identity,
               const SesameToken *token)
{
  Adding *adding = g_task_get_task_data (task);

  sesame_broker_store_account_async (adding->self, adding->provider, flow, identity, token,
                                     on_account_stored, g_object_ref (task));
}

/* Signing in again to an account that exists replaces its tokens: an add
 * that got less than the account holds would take scopes away from every
 * program using it. It is refused, and the account kept as it was, rather
 * than widened: the person was asked about this sign-in's scopes only. */
static GError *
check_not_narrowed (Adding            *adding,
                    const char        *identity,
                    const SesameToken *token)
{
  SesameAccount *existing = sesame_account_store_find (adding->self->store,
                                                       sesame_provider_get_id (adding->provider),
                                                       identity);

  if (existing == NULL || sesame_token_covers (token, sesame_account_get_scopes (existing)))
    return NULL;
  return g_error_new (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                      _("Your %s account %s already allows more than this sign-in did, so it "
                        "was left as it was. To sign in to it again, ask for all of its "
                        "scopes."),
                      sesame_provider_get_name (adding->provider), identity);
}

static void
on_signed_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Adding *adding = g_task_get_task_data (task);
  g_autoptr(SesameToken) token = NULL;
  g_autofree char *identity = NULL;
  GError *error = NULL;

  token = sesame_sign_in_service_sign_in_finish (adding->self->sign_ins, result, &identity, &error);
  if (token == NULL || (error = check_not_narrowed (adding, identity, token)) != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* An issuer or client id becomes the person's only with a sign-in that
   * worked: a cancelled one leaves their files as they were. */
  if (!sesame_provider_registry_save_prepared (adding->self->providers, adding->provider, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  store_account (task, SESAME_FLOW_AUTHORIZATION_CODE, identity, token);
}

static void
on_client_credentials (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Adding *adding = g_task_get_task_data (task);
  g_autoptr(SesameToken) token = NULL;
  GError *error = NULL;

  token = sesame_oauth_client_client_credentials_finish (SESAME_OAUTH_CLIENT (source), result, &error);
  if (token == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* The secret lives in the keyring item with the tokens, nowhere else. */
  token->client_secret = g_strdup (adding->client_secret);
  store_account (task, SESAME_FLOW_CLIENT_CREDENTIALS, adding->client_id, token);
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
add_with_provider (GTask *task)
{
  Adding *adding = g_task_get_task_data (task);
  SesameBroker *self = adding->self;
  GError *error = check_flow (adding);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (g_str_equal (adding->flow, SESAME_FLOW_CLIENT_CREDENTIALS))
    {
      sesame_oauth_client_client_credentials_async (self->client, adding->provider,
                                                    adding->client_id, adding->client_secret,
                                                    (const char * const *) adding->scopes,
                                                    g_task_get_cancellable (task),
                                                    on_client_credentials, g_object_ref (task));
      return;
    }

  if (adding->scopes[0] == NULL)
    {
      g_strfreev (adding->scopes);
      adding->scopes = g_strdupv ((char **) sesame_provider_get_default_scopes (adding->provider));
    }
  sesame_sign_in_service_sign_in_async (self->sign_ins, adding->provider,
                                        (const char * const *) adding->scopes, adding->login_hint,
                                        NULL, g_task_get_cancellable (task), on_signed_in,
                                        g_object_ref (task));
}

static void
on_add_discovered (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!sesame_provider_registry_ensure_discovered_finish (SESAME_PROVIDER_REGISTRY (source),
                                                          result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  add_with_provider (task);
}

/* A provider discovered already goes on without a main loop hop; one that
 * is cancelled meanwhile stops here, as discovery would stop it. */
static void
discover_then_add (GTask *task)
{
  Adding *adding = g_task_get_task_data (task);

  if (sesame_provider_needs_discovery (adding->provider))
    sesame_provider_registry_ensure_discovered_async (adding->self->providers, adding->self->client,
                                                      adding->provider,
                                                      g_task_get_cancellable (task),
                                                      on_add_discovered, g_object_ref (task));
  else if (!g_task_return_error_if_cancelled (task))
    add_with_provider (task);
}

/* A provider that accounts use keeps its client id: their refresh tokens
 * belong to it, and another one would lock them all out. */
static GError *
check_replaces_nothing (Adding         *adding,
                        SesameProvider *prepared)
{
  const char *id = sesame_provider_get_id (prepared);
  SesameProvider *current = sesame_provider_registry_lookup (adding->self->providers, id);
  g_autoptr(GPtrArray) accounts = NULL;

  if (current == NULL || !sesame_provider_is_configured (current) ||
      g_strcmp0 (sesame_provider_get_client_id (current),
                 sesame_provider_get_client_id (prepared)) == 0)
    return NULL;
  accounts = sesame_account_store_list (adding->self->store);
  for (guint i = 0; i < accounts->len; i++)
    if (g_str_equal (sesame_account_get_provider (accounts->pdata[i]), id))
      {
        g_autofree char *client_id = sesame_invocation_shorten (sesame_provider_get_client_id (prepared));

        return g_error_new (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                            _("Your %s accounts sign in with another client id; the client "
                              "id “%s” would stop them working. Remove them first to use it."),
                            sesame_provider_get_name (current), client_id);
      }
  return NULL;
}

/* TRUE, the add going on with @provider, when the registry gave one that
 * replaces nothing the person's accounts use. */
static gboolean
keep_provider (GTask          *task,
               SesameProvider *provider,
               GError         *error)
{
  Adding *adding = g_task_get_task_data (task);

  if (provider == NULL || (error = check_replaces_nothing (adding, provider)) != NULL)
    {
      g_task_return_error (task, error);
      return FALSE;
    }
  g_set_object (&adding->provider, provider);
  return TRUE;
}

/* An issuer's provider is discovered as it is added. */
static void
on_issuer_added (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(SesameProvider) provider = NULL;
  GError *error = NULL;

  provider = sesame_provider_registry_add_issuer_finish (SESAME_PROVIDER_REGISTRY (source),
                                                         result, &error);
  if (keep_provider (task, provider, error))
    add_with_provider (task);
}

static void
on_add_access (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Adding *adding = g_task_get_task_data (task);
  SesameBroker *self = adding->self;
  g_autoptr(SesameProvider) prepared = NULL;
  GError *error = NULL;

  if (!sesame_access_control_check_finish (SESAME_ACCESS_CONTROL (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (sesame_provider_is_template (adding->provider))
    {
      sesame_provider_registry_prepare_issuer_async (self->providers, self->client, adding->issuer,
                                                     adding->client_id,
                                                     g_task_get_cancellable (task),
                                                     on_issuer_added, g_object_ref (task));
    }
  else if (adding->client_id != NULL &&
           g_str_equal (adding->flow, SESAME_FLOW_AUTHORIZATION_CODE))
    {
      prepared = sesame_provider_registry_prepare_client_id (self->providers, adding->provider,
                                                             adding->client_id, &error);
      if (keep_provider (task, prepared, error))
        discover_then_add (task);
    }
  else
    {
      discover_then_add (task);
    }
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
      g_autofree char *flow = sesame_invocation_shorten (adding->flow);

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

gboolean
sesame_broker_handle_add_account (SesameBroker1         *iface,
                                  GDBusMethodInvocation *invocation,
                                  const char            *provider_id,
                                  const char * const    *scopes,
                                  GVariant              *options,
                                  SesameBroker          *self)
{
  SesameProvider *provider = sesame_broker_lookup_provider (self, invocation, provider_id);
  g_autoptr(Adding) adding = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_auto(GVariantDict) details = G_VARIANT_DICT_INIT (NULL);
  GError *error = NULL;
  GTask *task;
  const char * const *shown;

  if (provider == NULL ||
      !sesame_invocation_check_scopes (invocation, scopes) ||
      !sesame_sign_in_service_check_quota (self->sign_ins, invocation))
    return TRUE;

  adding = g_new0 (Adding, 1);
  adding->self = self;
  adding->invocation = invocation;
  adding->provider = g_object_ref (provider);
  adding->scopes = g_strdupv ((char **) scopes);
  if ((error = read_add_options (adding, options)) != NULL)
    {
      sesame_invocation_return_error (g_steal_pointer (&adding->invocation), error);
      return TRUE;
    }
  /* The question shows what the add will grant: no scopes mean the
   * provider's defaults (an issuer's own are among the template's). */
  adding->shown = g_strdupv (scopes[0] != NULL ? (char **) scopes
                             : (char **) sesame_provider_get_default_scopes (provider));
  shown = (const char * const *) adding->shown;
  /* What a sign-in would make the person's: shown, so they can judge it
   * (a client secret never is). */
  if (adding->issuer != NULL)
    g_variant_dict_insert (&details, "issuer", "s", adding->issuer);
  if (adding->client_id != NULL)
    g_variant_dict_insert (&details, "client-id", "s", adding->client_id);

  cancellable = sesame_sign_in_service_watch_caller (self->sign_ins, invocation);
  /* No source object: a pending sign-in must not keep the broker from its
   * dispose at exit. Cancelling stops the steps, not the answer: an
   * account signed in before its caller left is stored and its grant kept. */
  task = g_task_new (NULL, cancellable, on_add_account_done, NULL);
  g_task_set_source_tag (task, sesame_broker_handle_add_account);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, g_steal_pointer (&adding), (GDestroyNotify) adding_free);
  sesame_access_control_check_add_async (self->access, g_dbus_method_invocation_get_sender (invocation),
                                         provider, shown, g_variant_dict_end (&details),
                                         on_add_access, task);
  return TRUE;
}
