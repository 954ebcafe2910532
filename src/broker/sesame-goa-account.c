/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-goa-account.c: one Sesame account as GNOME Online Accounts shows it */
#include "config.h"

#include "sesame-error.h"
#include "sesame-goa-account.h"
#include "sesame-goa-account-skeleton.h"
#include "sesame-goa-generated.h"
#include "sesame-invocation.h"
#include "sesame-json.h"

/* The services in the order their interfaces are offered; for providers
 * whose tokens serve one resource, the first offered names the token's. */
typedef enum {
  SERVICE_MAIL,
  SERVICE_CALENDAR,
  SERVICE_CONTACTS,
  N_SERVICES,
} Service;

static const char * const service_names[N_SERVICES] = { "mail", "calendar", "contacts" };
static const char * const disabled_properties[N_SERVICES] = {
  "mail-disabled", "calendar-disabled", "contacts-disabled"
};

struct _SesameGoaAccount
{
  GObject                      parent_instance;

  SesameAccountObject         *object;
  SesameAccessControl         *access_control;
  GDBusObjectManagerServer    *manager;
  SesameGoaDBusObjectSkeleton *skeleton;
  SesameGoaDBusAccount        *account_iface;
  GDBusInterfaceSkeleton      *services[N_SERVICES];   /* NULL while not offered */
};

G_DEFINE_FINAL_TYPE (SesameGoaAccount, sesame_goa_account, G_TYPE_OBJECT)

static SesameCredentials *
credentials_of (SesameGoaAccount *self)
{
  return sesame_account_object_get_credentials (self->object);
}

static JsonObject *
services_of (SesameProvider *provider)
{
  return sesame_provider_get_services (provider);
}

gboolean
sesame_goa_account_is_shown (SesameAccountObject *object)
{
  SesameProvider *provider = sesame_credentials_get_provider (sesame_account_object_get_credentials (object));
  JsonObject *services = services_of (provider);

  return services != NULL && sesame_json_get_string (services, "goa-provider-type") != NULL;
}

static void
sesame_goa_account_finalize (GObject *object)
{
  SesameGoaAccount *self = SESAME_GOA_ACCOUNT (object);
  const char *path = g_dbus_object_get_object_path (G_DBUS_OBJECT (self->skeleton));

  g_signal_handlers_disconnect_by_data (sesame_credentials_get_account (credentials_of (self)), self);
  g_signal_handlers_disconnect_by_data (self->account_iface, self);
  g_dbus_object_manager_server_unexport (self->manager, path);
  for (guint i = 0; i < N_SERVICES; i++)
    g_clear_object (&self->services[i]);
  g_clear_object (&self->account_iface);
  g_clear_object (&self->skeleton);
  g_clear_object (&self->manager);
  g_clear_object (&self->access_control);
  g_clear_object (&self->object);

  G_OBJECT_CLASS (sesame_goa_account_parent_class)->finalize (object);
}

static void
sesame_goa_account_class_init (SesameGoaAccountClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sesame_goa_account_finalize;
}

static void
sesame_goa_account_init (SesameGoaAccount *self)
{
}

/* "host", or "host:port" where @port is not the default for the
 * security, as GOA's Mail interface reads it. */
static char *
host_with_port (JsonObject *mail,
                const char *prefix,
                guint       default_port)
{
  g_autofree char *host_key = g_strconcat (prefix, "-host", NULL);
  g_autofree char *port_key = g_strconcat (prefix, "-port", NULL);
  const char *host = sesame_json_get_string (mail, host_key);
  gint64 port = default_port;

  if (host == NULL)
    return g_strdup ("");
  sesame_json_get_int (mail, port_key, &port);
  if (port == default_port)
    return g_strdup (host);
  return g_strdup_printf ("%s:%" G_GINT64_FORMAT, host, port);
}

static gboolean
uses_ssl (JsonObject *mail,
          const char *prefix)
{
  g_autofree char *key = g_strconcat (prefix, "-security", NULL);

  return g_strcmp0 (sesame_json_get_string (mail, key), "ssl") == 0;
}

static GDBusInterfaceSkeleton *
mail_new (JsonObject *mail,
          const char *identity)
{
  SesameGoaDBusMail *iface = sesame_goa_dbus_mail_skeleton_new ();
  gboolean imap = sesame_json_get_string (mail, "imap-host") != NULL;
  gboolean smtp = sesame_json_get_string (mail, "smtp-host") != NULL;
  gboolean imap_ssl = uses_ssl (mail, "imap");
  gboolean smtp_ssl = uses_ssl (mail, "smtp");
  g_autofree char *imap_host = host_with_port (mail, "imap", imap_ssl ? 993 : 143);
  g_autofree char *smtp_host = host_with_port (mail, "smtp", smtp_ssl ? 465 : 587);

  g_object_set (iface,
                "email-address", identity, "name", "",
                "imap-supported", imap, "imap-host", imap_host, "imap-user-name", identity,
                "imap-use-ssl", imap && imap_ssl, "imap-use-tls", imap && !imap_ssl,
                "smtp-supported", smtp, "smtp-host", smtp_host, "smtp-user-name", identity,
                "smtp-use-ssl", smtp && smtp_ssl, "smtp-use-tls", smtp && !smtp_ssl,
                "smtp-use-auth", smtp, "smtp-auth-xoauth2", smtp,
                NULL);
  return G_DBUS_INTERFACE_SKELETON (iface);
}

/* The service's uri with {identity} replaced. */
static char *
service_uri (JsonObject *service,
             const char *identity)
{
  g_autoptr(GString) uri = g_string_new (sesame_json_get_string (service, "uri"));

  g_string_replace (uri, "{identity}", identity, 0);
  return g_string_free (g_steal_pointer (&uri), FALSE);
}

static GDBusInterfaceSkeleton *
service_new (Service     service,
             JsonObject *definition,
             const char *identity)
{
  g_autofree char *uri = NULL;

  if (service == SERVICE_MAIL)
    return mail_new (definition, identity);
  uri = service_uri (definition, identity);
  if (service == SERVICE_CALENDAR)
    return G_DBUS_INTERFACE_SKELETON (g_object_new (SESAME_GOA_DBUS_TYPE_CALENDAR_SKELETON,
                                                    "uri", uri, NULL));
  return G_DBUS_INTERFACE_SKELETON (g_object_new (SESAME_GOA_DBUS_TYPE_CONTACTS_SKELETON,
                                                  "uri", uri, NULL));
}

/* The service's definition when the account offers it: described by the
 * provider, its scopes granted, not disabled by a GOA client. */
static JsonObject *
offered_service (SesameGoaAccount *self,
                 Service           service)
{
  SesameAccount *account = sesame_credentials_get_account (credentials_of (self));
  JsonObject *services = services_of (sesame_credentials_get_provider (credentials_of (self)));
  JsonObject *definition;
  g_auto(GStrv) scopes = NULL;

  if (services == NULL || !json_object_has_member (services, service_names[service]) ||
      sesame_account_get_goa_disabled (account, service_names[service]))
    return NULL;
  definition = json_object_get_object_member (services, service_names[service]);
  scopes = sesame_json_collect_strings (definition, "scopes");
  for (guint i = 0; scopes[i] != NULL; i++)
    if (!g_strv_contains (sesame_account_get_scopes (account), scopes[i]))
      return NULL;
  return definition;
}

static void
update_services (SesameGoaAccount *self)
{
  const char *identity = sesame_account_get_identity (sesame_credentials_get_account (credentials_of (self)));

  for (Service s = 0; s < N_SERVICES; s++)
    {
      JsonObject *definition = offered_service (self, s);

      if (definition != NULL && self->services[s] == NULL)
        {
          self->services[s] = service_new (s, definition, identity);
          g_dbus_object_skeleton_add_interface (G_DBUS_OBJECT_SKELETON (self->skeleton),
                                                self->services[s]);
        }
      else if (definition == NULL && self->services[s] != NULL)
        {
          g_dbus_object_skeleton_remove_interface (G_DBUS_OBJECT_SKELETON (self->skeleton),
                                                   self->services[s]);
          g_clear_object (&self->services[s]);
        }
    }
}

/* The scopes of the services offered; for one-resource-per-token
 * providers, the first offered service's (the mail's where offered). */
static char **
token_scopes (SesameGoaAccount *self)
{
  SesameProvider *provider = sesame_credentials_get_provider (credentials_of (self));
  gboolean one_resource = sesame_provider_get_one_resource_per_token (provider);
  g_autoptr(GPtrArray) scopes = g_ptr_array_new_with_free_func (g_free);

  for (Service s = 0; s < N_SERVICES; s++)
    {
      JsonObject *definition = self->services[s] ? offered_service (self, s) : NULL;
      g_auto(GStrv) service_scopes = NULL;

      if (definition == NULL)
        continue;
      service_scopes = sesame_json_collect_strings (definition, "scopes");
      for (guint i = 0; service_scopes[i] != NULL; i++)
        if (!g_ptr_array_find_with_equal_func (scopes, service_scopes[i], g_str_equal, NULL))
          g_ptr_array_add (scopes, g_strdup (service_scopes[i]));
      if (one_resource)
        break;
    }
  g_ptr_array_add (scopes, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&scopes), FALSE);
}

/* GetAccessToken or EnsureCredentials across its asynchronous steps; it
 * belongs to its GTask. The call owns the reference GDBus handed to the
 * handler; answering steals it. */
typedef struct {
  GDBusMethodInvocation *invocation;
  char                 **scopes;
  gboolean               ensure;   /* EnsureCredentials: only the seconds */
} Call;

static void
call_free (Call *call)
{
  g_clear_object (&call->invocation);
  g_strfreev (call->scopes);
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

  reply = g_task_propagate_pointer (G_TASK (result), &error);
  if (error != NULL)
    sesame_invocation_return_error (g_steal_pointer (&call->invocation), error);
  else
    g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation), reply);
}

/* GOA answers how long the token lasts, in seconds; 0 when unknown. */
static gint32
expires_in (gint64 expires_at)
{
  gint64 left = expires_at - g_get_real_time () / G_USEC_PER_SEC;

  return expires_at == 0 ? 0 : (gint32) CLAMP (left, 1, G_MAXINT32);
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
  GVariant *reply;
  GError *error = NULL;

  if (!sesame_invocation_get_token_finish (result, &token, &expires_at, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  reply = call->ensure ? g_variant_new ("(i)", expires_in (expires_at))
                       : g_variant_new ("(si)", token, expires_in (expires_at));
  g_task_return_pointer (task, g_variant_ref_sink (reply), (GDestroyNotify) g_variant_unref);
  explicit_bzero (token, strlen (token));
}

/* The same access control as dev.sesame.Account1.GetAccessToken: the
 * caller identified the same way, asked the same question, and its token
 * covers the services' scopes only. */
static void
start_token_call (SesameGoaAccount      *self,
                  GDBusMethodInvocation *invocation,
                  gboolean               ensure)
{
  GTask *task = g_task_new (self, NULL, on_call_done, NULL);
  Call *call = g_new0 (Call, 1);
  GError *error = NULL;

  call->invocation = invocation;
  call->scopes = token_scopes (self);
  call->ensure = ensure;
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  if (!sesame_credentials_check_scopes (credentials_of (self), (const char * const *) call->scopes,
                                        &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  sesame_invocation_get_token_async (invocation, self->access_control, SESAME_ACCESS_USE,
                                     credentials_of (self), (const char * const *) call->scopes,
                                     FALSE, on_token, task);
}

static gboolean
on_get_access_token (SesameGoaDBusOAuth2Based *iface,
                     GDBusMethodInvocation    *invocation,
                     SesameGoaAccount         *self)
{
  start_token_call (self, invocation, FALSE);
  return TRUE;
}

static gboolean
on_ensure_credentials (SesameGoaDBusAccount  *iface,
                       GDBusMethodInvocation *invocation,
                       SesameGoaAccount      *self)
{
  start_token_call (self, invocation, TRUE);
  return TRUE;
}

/* Sesame's own Remove, with its access check, revocation and journal. */
static gboolean
on_remove (SesameGoaDBusAccount  *iface,
           GDBusMethodInvocation *invocation,
           SesameGoaAccount      *self)
{
  sesame_account_object_handle_call (self->object, invocation);
  return TRUE;
}

static void
on_attention_changed (SesameAccount    *account,
                      GParamSpec       *pspec,
                      SesameGoaAccount *self)
{
  sesame_goa_dbus_account_set_attention_needed (self->account_iface,
                                                sesame_account_get_attention_needed (account));
}

static void
on_scopes_changed (SesameGoaAccount *self)
{
  update_services (self);
}

/* A GOA client's write (MailDisabled…), which the skeleton let through,
 * kept with the account. */
static void
on_disabled_changed (SesameGoaAccount *self)
{
  SesameAccount *account = sesame_credentials_get_account (credentials_of (self));

  for (Service s = 0; s < N_SERVICES; s++)
    {
      gboolean disabled = FALSE;

      g_object_get (self->account_iface, disabled_properties[s], &disabled, NULL);
      sesame_account_set_goa_disabled (account, service_names[s], disabled);
    }
  update_services (self);
}

static SesameGoaDBusAccount *
account_iface_new (SesameAccount       *account,
                   SesameProvider      *provider,
                   SesameAccessControl *access_control)
{
  SesameGoaDBusAccount *iface = sesame_goa_account_skeleton_new (access_control);
  JsonObject *services = services_of (provider);

  for (Service s = 0; s < N_SERVICES; s++)
    g_object_set (iface, disabled_properties[s],
                  sesame_account_get_goa_disabled (account, service_names[s]), NULL);

  g_object_set (iface,
                "id", sesame_account_get_id (account),
                "provider-type", sesame_json_get_string (services, "goa-provider-type"),
                "provider-name", sesame_provider_get_name (provider),
                "provider-icon", sesame_provider_get_icon_name (provider),
                "identity", sesame_account_get_identity (account),
                "presentation-identity", sesame_account_get_identity (account),
                "attention-needed", sesame_account_get_attention_needed (account),
                NULL);
  return iface;
}

static SesameGoaDBusOAuth2Based *
oauth2_iface_new (SesameProvider *provider)
{
  SesameGoaDBusOAuth2Based *iface = sesame_goa_dbus_oauth2_based_skeleton_new ();

  /* The client secret stays in the broker: apps get tokens, not clients. */
  g_object_set (iface, "client-id", sesame_provider_get_client_id (provider),
                "client-secret", "", NULL);
  return iface;
}

static void
connect_handlers (SesameGoaAccount         *self,
                  SesameAccount            *account,
                  SesameGoaDBusOAuth2Based *oauth2)
{
  g_signal_connect (account, "notify::attention-needed", G_CALLBACK (on_attention_changed), self);
  g_signal_connect_swapped (account, "notify::scopes", G_CALLBACK (on_scopes_changed), self);
  g_signal_connect (self->account_iface, "handle-remove", G_CALLBACK (on_remove), self);
  g_signal_connect (self->account_iface, "handle-ensure-credentials",
                    G_CALLBACK (on_ensure_credentials), self);
  for (Service s = 0; s < N_SERVICES; s++)
    {
      g_autofree char *signal = g_strconcat ("notify::", disabled_properties[s], NULL);

      g_signal_connect_swapped (self->account_iface, signal, G_CALLBACK (on_disabled_changed),
                                self);
    }
  g_signal_connect_object (oauth2, "handle-get-access-token", G_CALLBACK (on_get_access_token),
                           self, 0);
}

SesameGoaAccount *
sesame_goa_account_new (SesameAccountObject      *object,
                        SesameAccessControl      *access_control,
                        GDBusObjectManagerServer *manager)
{
  SesameGoaAccount *self = g_object_new (SESAME_TYPE_GOA_ACCOUNT, NULL);
  SesameCredentials *credentials = sesame_account_object_get_credentials (object);
  SesameAccount *account = sesame_credentials_get_account (credentials);
  SesameProvider *provider = sesame_credentials_get_provider (credentials);
  g_autofree char *path = g_strconcat (SESAME_GOA_ACCOUNTS_PATH, sesame_account_get_id (account), NULL);
  g_autoptr(SesameGoaDBusOAuth2Based) oauth2 = oauth2_iface_new (provider);

  self->object = g_object_ref (object);
  self->access_control = g_object_ref (access_control);
  self->manager = g_object_ref (manager);
  self->skeleton = sesame_goa_dbus_object_skeleton_new (path);
  self->account_iface = account_iface_new (account, provider, access_control);
  sesame_goa_dbus_object_skeleton_set_account (self->skeleton, self->account_iface);
  sesame_goa_dbus_object_skeleton_set_oauth2_based (self->skeleton, oauth2);
  connect_handlers (self, account, oauth2);
  update_services (self);
  g_dbus_object_manager_server_export (manager, G_DBUS_OBJECT_SKELETON (self->skeleton));
  return self;
}
