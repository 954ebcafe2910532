/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-provider.c: one OAuth 2.0 / OpenID Connect provider: what it says
 * once read (its definition is read in sesame-provider-definition.c) */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "sesame-error.h"
#include "sesame-json.h"
#include "sesame-provider-private.h"

G_DEFINE_FINAL_TYPE (SesameProvider, sesame_provider, G_TYPE_OBJECT)

const char * const sesame_provider_service_names[] = { "mail", "calendar", "contacts", NULL };

static void
sesame_provider_finalize (GObject *object)
{
  SesameProvider *self = SESAME_PROVIDER (object);

  sesame_provider_clear_strings (self);
  g_clear_pointer (&self->scopes, g_strfreev);
  g_clear_pointer (&self->scope_descriptions, g_hash_table_unref);
  g_clear_pointer (&self->default_scopes, g_strfreev);
  g_clear_pointer (&self->flows, g_strfreev);
  g_clear_pointer (&self->authorization_params, g_hash_table_unref);
  g_clear_pointer (&self->git_hosts, g_strfreev);
  g_clear_pointer (&self->grant_types_supported, g_strfreev);
  g_clear_pointer (&self->services, json_object_unref);
  g_clear_pointer (&self->identity_claims, g_strfreev);
  g_clear_pointer (&self->scope_aliases, g_hash_table_unref);
  g_clear_pointer (&self->error_aliases, g_hash_table_unref);
  g_clear_pointer (&self->device_scopes, g_strfreev);

  G_OBJECT_CLASS (sesame_provider_parent_class)->finalize (object);
}

static void
sesame_provider_class_init (SesameProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sesame_provider_finalize;
}

static void
sesame_provider_init (SesameProvider *self)
{
  self->scope_descriptions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->authorization_params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->scope_aliases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->error_aliases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->narrow_scopes = TRUE;
}

const char *
sesame_provider_get_id (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return self->id;
}

/* Names and scope descriptions go through the catalogue, so that the English
 * texts Sesame writes itself (sesame-provider-registry.c) and those of the
 * installed files that translators add are shown translated. */
static const char *
translate (const char *text)
{
  return text == NULL || text[0] == '\0' ? text : g_dgettext (GETTEXT_PACKAGE, text);
}

const char *
sesame_provider_get_name (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return translate (self->name);
}

const char *
sesame_provider_get_icon_name (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return self->icon_name;
}

const char *
sesame_provider_get_issuer (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return self->issuer;
}

const char *
sesame_provider_get_authorization_endpoint (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return self->authorization_endpoint;
}

const char *
sesame_provider_get_token_endpoint (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return self->token_endpoint;
}

const char *
sesame_provider_get_revocation_endpoint (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return self->revocation_endpoint;
}

const char *
sesame_provider_get_device_authorization_endpoint (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return self->device_authorization_endpoint;
}

const char *
sesame_provider_get_userinfo_endpoint (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return self->userinfo_endpoint;
}

/* NULL when not configured (missing or empty in the file). */
const char *
sesame_provider_get_client_id (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return self->client_id;
}

const char *
sesame_provider_get_client_secret (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return self->client_secret;
}

const char *
sesame_provider_get_redirect_uri (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return self->redirect_uri;
}

const char *
sesame_provider_get_registration_url (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);

  return self->registration_url;
}

const char *
sesame_provider_get_manage_url (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return self->manage_url;
}

/* DESIGN.md, Providers: RFC 7009 wherever a revocation endpoint is known,
 * unless the file names the provider's own style; nothing without one. */
const char *
sesame_provider_get_revocation_style (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);

  if (self->revocation_endpoint == NULL)
    return NULL;
  return self->revocation_style != NULL ? self->revocation_style : SESAME_REVOCATION_RFC7009;
}

gboolean
sesame_provider_revokes (SesameProvider *self)
{
  return sesame_provider_get_revocation_style (self) != NULL;
}

char **
sesame_provider_dup_services (SesameProvider *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);

  for (guint i = 0; self->services != NULL && sesame_provider_service_names[i] != NULL; i++)
    if (json_object_has_member (self->services, sesame_provider_service_names[i]))
      g_strv_builder_add (builder, sesame_provider_service_names[i]);
  return g_strv_builder_end (builder);
}

JsonObject *
sesame_provider_get_services (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return self->services;
}

const char *
sesame_provider_get_user_agent (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return self->user_agent;
}

const char * const *
sesame_provider_get_identity_claims (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return (const char * const *) self->identity_claims;
}

const char *
sesame_provider_get_token_endpoint_auth_method (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return self->token_endpoint_auth_method;
}

const char * const *
sesame_provider_get_scopes (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return (const char * const *) self->scopes;
}

/* NULL for a scope the file does not describe. */
const char *
sesame_provider_get_scope_description (SesameProvider *self,
                                       const char     *scope)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (scope != NULL, NULL);
  return translate (g_hash_table_lookup (self->scope_descriptions, scope));
}

const char * const *
sesame_provider_get_default_scopes (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return (const char * const *) self->default_scopes;
}

/* A provider that limits device sign-in to some scopes wants a client of
 * its own for it (DESIGN.md, Providers): without one, there is none. */
static gboolean
device_client_missing (SesameProvider *self)
{
  return self->device_scopes != NULL && self->device_client_id == NULL;
}

char **
sesame_provider_dup_flows (SesameProvider *self)
{
  g_autoptr(GStrvBuilder) builder = NULL;

  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);

  builder = g_strv_builder_new ();
  if (self->flows != NULL)
    {
      for (guint i = 0; self->flows[i] != NULL; i++)
        if (!g_str_equal (self->flows[i], SESAME_FLOW_DEVICE_CODE) || !device_client_missing (self))
          g_strv_builder_add (builder, self->flows[i]);
      return g_strv_builder_end (builder);
    }

  /* The default flow, unless discovery showed that there is none. */
  if (self->authorization_endpoint != NULL || !self->discovered)
    g_strv_builder_add (builder, SESAME_FLOW_AUTHORIZATION_CODE);
  if (self->device_authorization_endpoint != NULL && !device_client_missing (self))
    g_strv_builder_add (builder, SESAME_FLOW_DEVICE_CODE);
  if (self->grant_types_supported != NULL
      && g_strv_contains ((const char * const *) self->grant_types_supported,
                          SESAME_FLOW_CLIENT_CREDENTIALS))
    g_strv_builder_add (builder, SESAME_FLOW_CLIENT_CREDENTIALS);
  return g_strv_builder_end (builder);
}

gboolean
sesame_provider_offers_flow (SesameProvider *self,
                             const char     *flow)
{
  g_auto(GStrv) flows = NULL;

  g_return_val_if_fail (SESAME_IS_PROVIDER (self), FALSE);
  g_return_val_if_fail (flow != NULL, FALSE);

  flows = sesame_provider_dup_flows (self);
  return g_strv_contains ((const char * const *) flows, flow);
}

GHashTable *
sesame_provider_get_authorization_params (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return self->authorization_params;
}

/* host[:port] as git names it: the port only when it is not the scheme's own. */
static char *
git_host_of (const char *uri)
{
  g_autoptr(GUri) parsed = NULL;
  const char *host;
  int port;

  if (uri == NULL || (parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL)) == NULL)
    return NULL;
  host = g_uri_get_host (parsed);
  port = g_uri_get_port (parsed);
  if (g_ascii_strcasecmp (g_uri_get_scheme (parsed), "https") == 0 && port == 443)
    port = -1;
  if (g_ascii_strcasecmp (g_uri_get_scheme (parsed), "http") == 0 && port == 80)
    port = -1;
  if (port == -1)
    return g_ascii_strdown (host, -1);
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%d", host, port);
  return g_strdup_printf ("%s:%d", host, port);
}

char **
sesame_provider_dup_git_hosts (SesameProvider *self)
{
  g_autofree char *host = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;

  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);

  if (self->git_hosts != NULL)
    return g_strdupv (self->git_hosts);

  builder = g_strv_builder_new ();
  host = git_host_of (self->issuer != NULL ? self->issuer : self->authorization_endpoint);
  if (host != NULL)
    g_strv_builder_add (builder, host);
  return g_strv_builder_end (builder);
}

gboolean
sesame_provider_is_template (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), FALSE);
  return self->template;
}

gboolean
sesame_provider_is_configured (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), FALSE);
  return self->client_id != NULL;
}

gboolean
sesame_provider_get_iss_parameter_supported (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), FALSE);
  return self->iss_parameter_supported;
}

/* The asked name → the name the provider reports (scope-aliases). */
GHashTable *
sesame_provider_get_scope_aliases (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return self->scope_aliases;
}

/* The provider's error code → the OAuth one it means. */
GHashTable *
sesame_provider_get_error_aliases (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return self->error_aliases;
}

const char *
sesame_provider_get_device_client_id (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return self->device_client_id != NULL ? self->device_client_id : self->client_id;
}

const char *
sesame_provider_get_device_client_secret (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return self->device_client_id != NULL ? self->device_client_secret : self->client_secret;
}

const char * const *
sesame_provider_get_device_scopes (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), NULL);
  return (const char * const *) self->device_scopes;
}

gboolean
sesame_provider_check_device_scopes (SesameProvider      *self,
                                     const char * const  *scopes,
                                     GError             **error)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), FALSE);

  for (guint i = 0; self->device_scopes != NULL && scopes != NULL && scopes[i] != NULL; i++)
    if (!g_strv_contains ((const char * const *) self->device_scopes, scopes[i]))
      {
        g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                     _("%s does not allow the scope “%s” when signing in from another "
                       "device. Sign in on this computer instead, or leave that scope "
                       "out."), sesame_provider_get_name (self), scopes[i]);
        return FALSE;
      }
  return TRUE;
}

gboolean
sesame_provider_get_narrow_scopes (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), TRUE);
  return self->narrow_scopes;
}

gboolean
sesame_provider_get_one_resource_per_token (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), FALSE);
  return self->one_resource_per_token;
}

guint
sesame_provider_get_refresh_token_lifetime_days (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), 0);
  return self->refresh_token_lifetime_days;
}

guint
sesame_provider_get_refresh_token_idle_days (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), 0);
  return self->refresh_token_idle_days;
}
