/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-provider-info.c: one provider as the broker's ListProviders describes it */
#include "config.h"

#include "sesame-provider-info.h"

struct _SesameProviderInfo
{
  GObject parent_instance;

  char *id;
  char *name;
  char *icon_name;
  char *registration_url;
  char *manage_url;
  GStrv scopes;
  GHashTable *descriptions;
  GStrv default_scopes;
  GStrv flows;
  gboolean configured;
  gboolean template;
  gboolean revokes;
};

G_DEFINE_FINAL_TYPE (SesameProviderInfo, sesame_provider_info, G_TYPE_OBJECT)

static void
sesame_provider_info_finalize (GObject *object)
{
  SesameProviderInfo *self = SESAME_PROVIDER_INFO (object);

  g_free (self->id);
  g_free (self->name);
  g_free (self->icon_name);
  g_free (self->registration_url);
  g_free (self->manage_url);
  g_strfreev (self->scopes);
  g_hash_table_unref (self->descriptions);
  g_strfreev (self->default_scopes);
  g_strfreev (self->flows);

  G_OBJECT_CLASS (sesame_provider_info_parent_class)->finalize (object);
}

static void
sesame_provider_info_class_init (SesameProviderInfoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sesame_provider_info_finalize;
}

static void
sesame_provider_info_init (SesameProviderInfo *self)
{
  self->descriptions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static char *
lookup_string (GVariantDict *dict,
               const char   *key,
               const char   *fallback)
{
  char *value = NULL;

  if (!g_variant_dict_lookup (dict, key, "s", &value))
    value = g_strdup (fallback);
  return value;
}

static GStrv
lookup_strv (GVariantDict *dict,
             const char   *key)
{
  GStrv value = NULL;

  if (!g_variant_dict_lookup (dict, key, "^as", &value))
    value = g_new0 (char *, 1);
  return value;
}

/* A description the broker left out (or a newer broker's extra member) never
 * breaks the list: missing members take harmless defaults. */
SesameProviderInfo *
sesame_provider_info_new (GVariant *description)
{
  SesameProviderInfo *self = g_object_new (SESAME_TYPE_PROVIDER_INFO, NULL);
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (description);
  g_autoptr(GVariant) scopes = g_variant_dict_lookup_value (&dict, "scopes",
                                                            G_VARIANT_TYPE ("a{ss}"));
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  self->id = lookup_string (&dict, "id", "");
  self->name = lookup_string (&dict, "name", self->id);
  self->icon_name = lookup_string (&dict, "icon-name", "dialog-password-symbolic");
  self->registration_url = lookup_string (&dict, "registration-url", NULL);
  self->default_scopes = lookup_strv (&dict, "default-scopes");
  self->flows = lookup_strv (&dict, "flows");
  g_variant_dict_lookup (&dict, "configured", "b", &self->configured);
  g_variant_dict_lookup (&dict, "template", "b", &self->template);
  self->manage_url = lookup_string (&dict, "manage-url", "");
  if (!g_variant_dict_lookup (&dict, "revokes", "b", &self->revokes))
    self->revokes = TRUE;
  if (scopes != NULL)
    {
      GVariantIter iter;
      const char *scope, *text;

      g_variant_iter_init (&iter, scopes);
      while (g_variant_iter_next (&iter, "{&s&s}", &scope, &text))
        {
          g_strv_builder_add (names, scope);
          g_hash_table_replace (self->descriptions, g_strdup (scope), g_strdup (text));
        }
    }
  self->scopes = g_strv_builder_end (names);
  return self;
}

const char *
sesame_provider_info_get_id (SesameProviderInfo *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER_INFO (self), NULL);
  return self->id;
}

const char *
sesame_provider_info_get_name (SesameProviderInfo *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER_INFO (self), NULL);
  return self->name;
}

const char *
sesame_provider_info_get_icon_name (SesameProviderInfo *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER_INFO (self), NULL);
  return self->icon_name;
}

const char *
sesame_provider_info_get_registration_url (SesameProviderInfo *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER_INFO (self), NULL);
  return self->registration_url;
}

const char * const *
sesame_provider_info_get_scopes (SesameProviderInfo *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER_INFO (self), NULL);
  return (const char * const *) self->scopes;
}

const char *
sesame_provider_info_describe_scope (SesameProviderInfo *self,
                                     const char         *scope)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER_INFO (self), NULL);
  return g_hash_table_lookup (self->descriptions, scope);
}

const char * const *
sesame_provider_info_get_default_scopes (SesameProviderInfo *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER_INFO (self), NULL);
  return (const char * const *) self->default_scopes;
}

gboolean
sesame_provider_info_offers_flow (SesameProviderInfo *self,
                                  const char         *flow)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER_INFO (self), FALSE);
  return g_strv_contains ((const char * const *) self->flows, flow);
}

gboolean
sesame_provider_info_is_configured (SesameProviderInfo *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER_INFO (self), FALSE);
  return self->configured;
}

gboolean
sesame_provider_info_is_template (SesameProviderInfo *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER_INFO (self), FALSE);
  return self->template;
}

gboolean
sesame_provider_info_revokes (SesameProviderInfo *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER_INFO (self), TRUE);
  return self->revokes;
}

const char *
sesame_provider_info_get_manage_url (SesameProviderInfo *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER_INFO (self), NULL);
  return self->manage_url[0] != '\0' ? self->manage_url : NULL;
}
