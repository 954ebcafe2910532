/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-grant-info.c: one application's grant, as ListGrants describes it */
#include "config.h"

#include "sesame-grant-info.h"

struct _SesameGrantInfo
{
  GObject parent_instance;

  char *app_id;
  char *app_name;
  char *kind;
  char *account;
  GStrv scopes;
  gint64 granted_at;
  gint64 last_used;
};

G_DEFINE_FINAL_TYPE (SesameGrantInfo, sesame_grant_info, G_TYPE_OBJECT)

static void
sesame_grant_info_finalize (GObject *object)
{
  SesameGrantInfo *self = SESAME_GRANT_INFO (object);

  g_free (self->app_id);
  g_free (self->app_name);
  g_free (self->kind);
  g_free (self->account);
  g_strfreev (self->scopes);

  G_OBJECT_CLASS (sesame_grant_info_parent_class)->finalize (object);
}

static void
sesame_grant_info_class_init (SesameGrantInfoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sesame_grant_info_finalize;
}

static void
sesame_grant_info_init (SesameGrantInfo *self)
{
}

SesameGrantInfo *
sesame_grant_info_new (GVariant *description)
{
  SesameGrantInfo *self = g_object_new (SESAME_TYPE_GRANT_INFO, NULL);
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (description);

  if (!g_variant_dict_lookup (&dict, "app-id", "s", &self->app_id))
    self->app_id = g_strdup ("");
  if (!g_variant_dict_lookup (&dict, "app-name", "s", &self->app_name))
    self->app_name = g_strdup (self->app_id);
  if (!g_variant_dict_lookup (&dict, "kind", "s", &self->kind))
    self->kind = g_strdup ("host");
  if (!g_variant_dict_lookup (&dict, "account", "o", &self->account))
    self->account = g_strdup ("/");
  if (!g_variant_dict_lookup (&dict, "scopes", "^as", &self->scopes))
    self->scopes = g_new0 (char *, 1);
  g_variant_dict_lookup (&dict, "granted-at", "x", &self->granted_at);
  g_variant_dict_lookup (&dict, "last-used", "x", &self->last_used);
  return self;
}

const char *
sesame_grant_info_get_app_id (SesameGrantInfo *self)
{
  g_return_val_if_fail (SESAME_IS_GRANT_INFO (self), NULL);
  return self->app_id;
}

const char *
sesame_grant_info_get_app_name (SesameGrantInfo *self)
{
  g_return_val_if_fail (SESAME_IS_GRANT_INFO (self), NULL);
  return self->app_name;
}

const char *
sesame_grant_info_get_kind (SesameGrantInfo *self)
{
  g_return_val_if_fail (SESAME_IS_GRANT_INFO (self), NULL);
  return self->kind;
}

const char *
sesame_grant_info_get_account (SesameGrantInfo *self)
{
  g_return_val_if_fail (SESAME_IS_GRANT_INFO (self), NULL);
  return self->account;
}

const char * const *
sesame_grant_info_get_scopes (SesameGrantInfo *self)
{
  g_return_val_if_fail (SESAME_IS_GRANT_INFO (self), NULL);
  return (const char * const *) self->scopes;
}

gint64
sesame_grant_info_get_granted_at (SesameGrantInfo *self)
{
  g_return_val_if_fail (SESAME_IS_GRANT_INFO (self), 0);
  return self->granted_at;
}

gint64
sesame_grant_info_get_last_used (SesameGrantInfo *self)
{
  g_return_val_if_fail (SESAME_IS_GRANT_INFO (self), 0);
  return self->last_used;
}
