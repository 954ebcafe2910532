/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-broker-providers.c: ListProviders, and the provider a call names */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-broker-private.h"
#include "sesame-error.h"
#include "sesame-invocation.h"

SesameProvider *
sesame_broker_lookup_provider (SesameBroker          *self,
                               GDBusMethodInvocation *invocation,
                               const char            *provider_id)
{
  SesameProvider *provider = sesame_provider_registry_lookup (self->providers, provider_id);
  g_autofree char *shown = NULL;

  if (provider != NULL)
    return provider;

  shown = sesame_invocation_shorten (provider_id);
  sesame_invocation_return_error (invocation,
    g_error_new (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                 _("There is no provider “%s”. See the list of providers for the ones "
                   "this computer knows."), shown));
  return NULL;
}

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
  g_auto(GStrv) services = sesame_provider_dup_services (provider);
  const char *manage_url = sesame_provider_get_manage_url (provider);

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
  g_variant_dict_insert (&dict, "revokes", "b", sesame_provider_revokes (provider));
  g_variant_dict_insert (&dict, "manage-url", "s", manage_url != NULL ? manage_url : "");
  g_variant_dict_insert_value (&dict, "services", strv_variant ((const char * const *) services));
  if (sesame_provider_get_registration_url (provider) != NULL)
    g_variant_dict_insert (&dict, "registration-url", "s",
                           sesame_provider_get_registration_url (provider));
  return g_variant_dict_end (&dict);
}

/* One ListProviders call, answered once every discovery it waits on ended. */
typedef struct {
  SesameBroker          *self;
  GDBusMethodInvocation *invocation;
  GPtrArray             *providers;
  guint                  pending;
} Listing;

static void
reply_providers (Listing *listing)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));

  for (guint i = 0; i < listing->providers->len; i++)
    g_variant_builder_add_value (&builder, describe_provider (listing->providers->pdata[i]));
  sesame_broker1_complete_list_providers (listing->self->iface, listing->invocation,
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
    reply_providers (listing);
}

gboolean
sesame_broker_handle_list_providers (SesameBroker1         *iface,
                                     GDBusMethodInvocation *invocation,
                                     SesameBroker          *self)
{
  Listing *listing = g_new0 (Listing, 1);

  listing->self = self;
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
    reply_providers (listing);
  return TRUE;
}
