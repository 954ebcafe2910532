/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-account-store.c: every account's metadata, in one atomically written file */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-account-store.h"
#include "sesame-error.h"
#include "sesame-json-file.h"

#define FILE_VERSION 1

struct _SesameAccountStore
{
  GObject     parent_instance;

  SesameJsonFile *file;
  GHashTable     *accounts;    /* id → SesameAccount */
  GPtrArray      *order;       /* SesameAccount, in the order they were added */
};

G_DEFINE_FINAL_TYPE (SesameAccountStore, sesame_account_store, G_TYPE_OBJECT)

enum {
  ACCOUNT_ADDED,
  ACCOUNT_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
schedule_save (SesameAccountStore *self)
{
  sesame_json_file_schedule_save (self->file);
}

static void
sesame_account_store_dispose (GObject *object)
{
  SesameAccountStore *self = SESAME_ACCOUNT_STORE (object);

  if (self->file != NULL)
    sesame_json_file_detach (self->file);
  g_clear_object (&self->file);
  for (guint i = 0; self->order && i < self->order->len; i++)
    g_signal_handlers_disconnect_by_data (self->order->pdata[i], self);
  g_clear_pointer (&self->order, g_ptr_array_unref);
  g_clear_pointer (&self->accounts, g_hash_table_unref);

  G_OBJECT_CLASS (sesame_account_store_parent_class)->dispose (object);
}

static void
sesame_account_store_class_init (SesameAccountStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sesame_account_store_dispose;

  signals[ACCOUNT_ADDED] =
    g_signal_new ("account-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SESAME_TYPE_ACCOUNT);
  signals[ACCOUNT_REMOVED] =
    g_signal_new ("account-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SESAME_TYPE_ACCOUNT);
}

static void
sesame_account_store_init (SesameAccountStore *self)
{
  self->accounts = g_hash_table_new (g_str_hash, g_str_equal);
  self->order = g_ptr_array_new_with_free_func (g_object_unref);
}

static JsonNode *serialize (gpointer user_data);

SesameAccountStore *
sesame_account_store_new (const char *dir)
{
  SesameAccountStore *self = g_object_new (SESAME_TYPE_ACCOUNT_STORE, NULL);

  g_autofree char *path = g_build_filename (dir, "accounts.json", NULL);

  self->file = sesame_json_file_new (path, serialize, self);
  return self;
}

static void
on_account_notify (SesameAccountStore *self)
{
  schedule_save (self);
}

static void
insert_account (SesameAccountStore *self,
                SesameAccount      *account)
{
  g_ptr_array_add (self->order, g_object_ref (account));
  g_hash_table_insert (self->accounts, (char *) sesame_account_get_id (account), account);
  g_signal_connect_swapped (account, "notify", G_CALLBACK (on_account_notify), self);
}

static gboolean
load_accounts (SesameAccountStore *self,
               JsonNode           *root,
               GError            **error)
{
  JsonObject *object;
  JsonArray *array;
  g_autoptr(GPtrArray) loaded = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member ((object = json_node_get_object (root)), "accounts") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "accounts")))
    {
      g_set_error_literal (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                           _("it has no list of accounts"));
      return FALSE;
    }

  array = json_object_get_array_member (object, "accounts");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      SesameAccount *account;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error_literal (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                               _("an entry is not an account"));
          return FALSE;
        }
      if (!(account = sesame_account_new_from_json (json_node_get_object (node), error)))
        return FALSE;
      g_ptr_array_add (loaded, account);
      if (!g_hash_table_add (seen, (char *) sesame_account_get_id (account)))
        {
          g_set_error_literal (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                               _("two entries share an id"));
          return FALSE;
        }
    }

  for (guint i = 0; i < loaded->len; i++)
    insert_account (self, loaded->pdata[i]);
  return TRUE;
}

gboolean
sesame_account_store_load (SesameAccountStore *self,
                           GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = sesame_json_file_load (self->file, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (root != NULL && !load_accounts (self, root, &local_error))
    {
      sesame_json_file_set_aside (self->file, local_error->message, error);
      return FALSE;
    }
  return TRUE;
}

static gpointer
ref_account (gconstpointer account,
             gpointer      user_data)
{
  return g_object_ref ((gpointer) account);
}

GPtrArray *
sesame_account_store_list (SesameAccountStore *self)
{
  return g_ptr_array_copy (self->order, ref_account, NULL);
}

SesameAccount *
sesame_account_store_lookup (SesameAccountStore *self,
                             const char         *id)
{
  return id ? g_hash_table_lookup (self->accounts, id) : NULL;
}

SesameAccount *
sesame_account_store_find (SesameAccountStore *self,
                           const char         *provider,
                           const char         *identity)
{
  for (guint i = 0; i < self->order->len; i++)
    {
      SesameAccount *account = self->order->pdata[i];

      if (g_strcmp0 (sesame_account_get_provider (account), provider) == 0 &&
          g_strcmp0 (sesame_account_get_identity (account), identity) == 0)
        return account;
    }
  return NULL;
}

char *
sesame_account_store_new_id (SesameAccountStore *self,
                             const char         *provider)
{
  g_autofree char *base = g_ascii_strdown (provider, -1);

  for (char *p = base; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p))
      *p = '_';

  for (guint n = 1;; n++)
    {
      g_autofree char *id = g_strdup_printf ("%s_%u", base, n);

      if (!g_hash_table_contains (self->accounts, id))
        return g_steal_pointer (&id);
    }
}

void
sesame_account_store_add (SesameAccountStore *self,
                          SesameAccount      *account)
{
  g_return_if_fail (sesame_account_store_lookup (self, sesame_account_get_id (account)) == NULL);

  insert_account (self, account);
  g_signal_emit (self, signals[ACCOUNT_ADDED], 0, account);
  schedule_save (self);
}

void
sesame_account_store_remove (SesameAccountStore *self,
                             const char         *id)
{
  SesameAccount *found = sesame_account_store_lookup (self, id);
  g_autoptr(SesameAccount) account = found ? g_object_ref (found) : NULL;

  if (account == NULL)
    return;
  g_hash_table_remove (self->accounts, id);
  g_signal_handlers_disconnect_by_data (account, self);
  g_ptr_array_remove (self->order, account);
  g_signal_emit (self, signals[ACCOUNT_REMOVED], 0, account);
  schedule_save (self);
}

static JsonNode *
serialize (gpointer user_data)
{
  SesameAccountStore *self = user_data;
  JsonArray *array = json_array_sized_new (self->order->len);
  JsonObject *object = json_object_new ();
  JsonNode *root;

  for (guint i = 0; i < self->order->len; i++)
    json_array_add_object_element (array, sesame_account_to_json (self->order->pdata[i]));
  json_object_set_int_member (object, "version", FILE_VERSION);
  json_object_set_array_member (object, "accounts", array);
  root = json_node_init_object (json_node_alloc (), object);
  json_object_unref (object);
  return root;
}

void
sesame_account_store_save_async (SesameAccountStore  *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, sesame_account_store_save_async);
  sesame_json_file_save_task (self->file, task);
}

gboolean
sesame_account_store_save_finish (SesameAccountStore *self,
                                  GAsyncResult       *result,
                                  GError            **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
sesame_account_store_flush (SesameAccountStore *self)
{
  sesame_json_file_flush (self->file);
}
