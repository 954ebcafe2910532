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

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

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

  /* What the grant says changed (its scopes, when it was last used). */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
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

/* The same app's grant on the same account: grants are kept per kind and
 * id of the app (DESIGN.md, Access control). */
gboolean
sesame_grant_info_same_grant (SesameGrantInfo *self,
                              SesameGrantInfo *other)
{
  g_return_val_if_fail (SESAME_IS_GRANT_INFO (self), FALSE);
  g_return_val_if_fail (SESAME_IS_GRANT_INFO (other), FALSE);

  return g_str_equal (self->kind, other->kind)
    && g_str_equal (self->app_id, other->app_id)
    && g_str_equal (self->account, other->account);
}

static void
update (SesameGrantInfo *self,
        SesameGrantInfo *other)
{
  if (g_str_equal (self->app_name, other->app_name)
      && g_strv_equal ((const char * const *) self->scopes, (const char * const *) other->scopes)
      && self->granted_at == other->granted_at && self->last_used == other->last_used)
    return;
  g_free (self->app_name);
  self->app_name = g_strdup (other->app_name);
  g_strfreev (self->scopes);
  self->scopes = g_strdupv (other->scopes);
  self->granted_at = other->granted_at;
  self->last_used = other->last_used;
  g_signal_emit (self, signals[CHANGED], 0);
}

/* Finds @item's grant in @store at @from or later. */
static gboolean
find_from (GListStore      *store,
           guint            from,
           SesameGrantInfo *item,
           guint           *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  for (guint j = from; j < n; j++)
    {
      g_autoptr(SesameGrantInfo) there = g_list_model_get_item (G_LIST_MODEL (store), j);

      if (sesame_grant_info_same_grant (there, item))
        {
          *position = j;
          return TRUE;
        }
    }
  return FALSE;
}

void
sesame_grant_info_update_list (GListStore *store,
                               GPtrArray  *fresh)
{
  guint n;

  g_return_if_fail (G_IS_LIST_STORE (store));

  for (guint i = 0; i < fresh->len; i++)
    {
      guint j;

      if (find_from (store, i, fresh->pdata[i], &j))
        {
          g_autoptr(SesameGrantInfo) kept = NULL;

          /* What stood before it is gone, or comes back further on. */
          if (j > i)
            g_list_store_splice (store, i, j - i, NULL, 0);
          kept = g_list_model_get_item (G_LIST_MODEL (store), i);
          update (kept, fresh->pdata[i]);
        }
      else
        g_list_store_insert (store, i, fresh->pdata[i]);
    }
  n = g_list_model_get_n_items (G_LIST_MODEL (store));
  if (n > fresh->len)
    g_list_store_splice (store, fresh->len, n - fresh->len, NULL, 0);
}
