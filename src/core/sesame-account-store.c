/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-account-store.c: every account's metadata, in one atomically written file */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "sesame-account-store.h"
#include "sesame-error.h"

#define FILE_VERSION 1

struct _SesameAccountStore
{
  GObject     parent_instance;

  char       *dir;
  char       *path;
  GHashTable *accounts;        /* id → SesameAccount */
  GPtrArray  *order;           /* SesameAccount, in the order they were added */

  /* One write at a time; changes made meanwhile are written next. */
  gboolean    writing;
  gboolean    dirty;
  guint       save_idle;
  GPtrArray  *waiting;         /* GTask waiting for the write in flight */
  GPtrArray  *waiting_next;    /* GTask waiting for the next write */
};

G_DEFINE_FINAL_TYPE (SesameAccountStore, sesame_account_store, G_TYPE_OBJECT)

enum {
  ACCOUNT_ADDED,
  ACCOUNT_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void schedule_save (SesameAccountStore *self);

static void
sesame_account_store_dispose (GObject *object)
{
  SesameAccountStore *self = SESAME_ACCOUNT_STORE (object);

  g_clear_handle_id (&self->save_idle, g_source_remove);
  for (guint i = 0; self->order && i < self->order->len; i++)
    g_signal_handlers_disconnect_by_data (self->order->pdata[i], self);
  g_clear_pointer (&self->order, g_ptr_array_unref);
  g_clear_pointer (&self->accounts, g_hash_table_unref);

  G_OBJECT_CLASS (sesame_account_store_parent_class)->dispose (object);
}

static void
sesame_account_store_finalize (GObject *object)
{
  SesameAccountStore *self = SESAME_ACCOUNT_STORE (object);

  g_free (self->dir);
  g_free (self->path);
  g_ptr_array_unref (self->waiting);
  g_ptr_array_unref (self->waiting_next);

  G_OBJECT_CLASS (sesame_account_store_parent_class)->finalize (object);
}

static void
sesame_account_store_class_init (SesameAccountStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sesame_account_store_dispose;
  object_class->finalize = sesame_account_store_finalize;

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
  self->waiting = g_ptr_array_new ();
  self->waiting_next = g_ptr_array_new ();
}

SesameAccountStore *
sesame_account_store_new (const char *dir)
{
  SesameAccountStore *self = g_object_new (SESAME_TYPE_ACCOUNT_STORE, NULL);

  self->dir = g_strdup (dir);
  self->path = g_build_filename (dir, "accounts.json", NULL);
  return self;
}

const char *
sesame_account_store_get_path (SesameAccountStore *self)
{
  return self->path;
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

/* Keeps a damaged file for the person (or a developer) to look at. */
static void
set_damaged_file_aside (SesameAccountStore *self,
                        const char         *problem,
                        GError            **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *aside = g_strdup_printf ("%s.damaged-%s", self->path, stamp);

  if (g_rename (self->path, aside) != 0)
    aside[0] = '\0';
  g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
               _("The account list %s was damaged (%s); it was kept as %s and Sesame "
                 "starts without it. Restore it from there or add the accounts again."),
               self->path, problem, aside[0] ? aside : self->path);
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
    return g_set_error_literal (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                                _("it has no list of accounts")), FALSE;

  array = json_object_get_array_member (object, "accounts");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      SesameAccount *account;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return g_set_error_literal (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                                    _("an entry is not an account")), FALSE;
      if (!(account = sesame_account_new_from_json (json_node_get_object (node), error)))
        return FALSE;
      g_ptr_array_add (loaded, account);
      if (!g_hash_table_add (seen, (char *) sesame_account_get_id (account)))
        return g_set_error_literal (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                                    _("two entries share an id")), FALSE;
    }

  for (guint i = 0; i < loaded->len; i++)
    insert_account (self, loaded->pdata[i]);
  return TRUE;
}

gboolean
sesame_account_store_load (SesameAccountStore *self,
                           GError            **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (!g_file_get_contents (self->path, &contents, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                   _("Could not read the account list %s: %s"),
                   self->path, local_error->message);
      return FALSE;
    }

  if (!json_parser_load_from_data (parser, contents, length, &local_error) ||
      !load_accounts (self, json_parser_get_root (parser), &local_error))
    {
      set_damaged_file_aside (self, local_error->message, error);
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

guint
sesame_account_store_get_n_accounts (SesameAccountStore *self)
{
  return self->order->len;
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

static GBytes *
serialize (SesameAccountStore *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  JsonArray *array = json_array_sized_new (self->order->len);
  JsonObject *object = json_object_new ();
  char *text;
  gsize length;

  for (guint i = 0; i < self->order->len; i++)
    json_array_add_object_element (array, sesame_account_to_json (self->order->pdata[i]));
  json_object_set_int_member (object, "version", FILE_VERSION);
  json_object_set_array_member (object, "accounts", array);
  root = json_node_init_object (json_node_alloc (), object);
  json_object_unref (object);

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, &length);
  return g_bytes_new_take (text, length);
}

static void write_now (SesameAccountStore *self);

static void
complete_waiting (GPtrArray    *waiting,
                  const GError *error)
{
  for (guint i = 0; i < waiting->len; i++)
    {
      g_autoptr(GTask) task = waiting->pdata[i];

      if (error)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
  g_ptr_array_set_size (waiting, 0);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SesameAccountStore) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_warning ("Could not save the account list %s: %s", self->path, error->message);

  self->writing = FALSE;
  complete_waiting (self->waiting, error);
  if (self->dirty)
    write_now (self);
}

static void
write_now (SesameAccountStore *self)
{
  g_autoptr(GFile) file = g_file_new_for_path (self->path);
  g_autoptr(GBytes) bytes = NULL;

  g_clear_handle_id (&self->save_idle, g_source_remove);
  if (self->writing)
    {
      self->dirty = TRUE;
      return;
    }

  g_mkdir_with_parents (self->dir, 0700);
  bytes = serialize (self);
  self->writing = TRUE;
  self->dirty = FALSE;
  g_ptr_array_extend_and_steal (self->waiting, g_steal_pointer (&self->waiting_next));
  self->waiting_next = g_ptr_array_new ();

  /* g_file_replace writes a temporary file and renames it over the old one. */
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                       G_FILE_CREATE_PRIVATE, NULL,
                                       on_written, g_object_ref (self));
}

static gboolean
save_idle_cb (gpointer user_data)
{
  SesameAccountStore *self = user_data;

  self->save_idle = 0;
  write_now (self);
  return G_SOURCE_REMOVE;
}

/* Coalesces the changes of one main-loop iteration into one write. */
static void
schedule_save (SesameAccountStore *self)
{
  if (self->writing)
    self->dirty = TRUE;
  else if (self->save_idle == 0)
    self->save_idle = g_idle_add (save_idle_cb, self);
}

void
sesame_account_store_save_async (SesameAccountStore  *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, sesame_account_store_save_async);
  g_ptr_array_add (self->waiting_next, task);
  self->dirty = TRUE;
  write_now (self);
}

gboolean
sesame_account_store_save_finish (SesameAccountStore *self,
                                  GAsyncResult       *result,
                                  GError            **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
