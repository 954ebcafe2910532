/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-grant-store.c: which applications may use which account */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-error.h"
#include "sesame-grant-store.h"
#include "sesame-json.h"
#include "sesame-json-file.h"

#define FILE_VERSION 1
/* last-used changes with every token: written at most this often. */
#define TOUCH_SAVE_SECONDS 5

struct _SesameGrantStore
{
  GObject         parent_instance;

  SesameJsonFile *file;
  GPtrArray      *grants;    /* SesameGrant */
  guint           touch_save_id;
};

G_DEFINE_FINAL_TYPE (SesameGrantStore, sesame_grant_store, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* Every change is saved and announced. */
static void
changed (SesameGrantStore *self)
{
  sesame_json_file_schedule_save (self->file);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
grant_free (SesameGrant *grant)
{
  g_free (grant->app_id);
  g_free (grant->app_name);
  g_free (grant->kind);
  g_free (grant->account);
  g_strfreev (grant->scopes);
  g_free (grant);
}

static void
sesame_grant_store_dispose (GObject *object)
{
  SesameGrantStore *self = SESAME_GRANT_STORE (object);

  g_clear_handle_id (&self->touch_save_id, g_source_remove);
  if (self->file != NULL)
    sesame_json_file_detach (self->file);
  g_clear_object (&self->file);
  g_clear_pointer (&self->grants, g_ptr_array_unref);

  G_OBJECT_CLASS (sesame_grant_store_parent_class)->dispose (object);
}

static void
sesame_grant_store_class_init (SesameGrantStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sesame_grant_store_dispose;

  /* A grant was added, widened, revoked or used (uses at most every few
   * seconds): whoever shows grants lists them again. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sesame_grant_store_init (SesameGrantStore *self)
{
  self->grants = g_ptr_array_new_with_free_func ((GDestroyNotify) grant_free);
}

static JsonNode *
serialize (gpointer user_data)
{
  SesameGrantStore *self = user_data;
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, FILE_VERSION);
  json_builder_set_member_name (builder, "grants");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->grants->len; i++)
    {
      SesameGrant *grant = self->grants->pdata[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "app-id");
      json_builder_add_string_value (builder, grant->app_id);
      json_builder_set_member_name (builder, "app-name");
      json_builder_add_string_value (builder, grant->app_name);
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, grant->kind);
      json_builder_set_member_name (builder, "account");
      json_builder_add_string_value (builder, grant->account);
      json_builder_set_member_name (builder, "scopes");
      json_builder_begin_array (builder);
      for (guint j = 0; grant->scopes[j]; j++)
        json_builder_add_string_value (builder, grant->scopes[j]);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "granted-at");
      json_builder_add_int_value (builder, grant->granted_at);
      json_builder_set_member_name (builder, "last-used");
      json_builder_add_int_value (builder, grant->last_used);
      json_builder_set_member_name (builder, "narrowed");
      json_builder_add_boolean_value (builder, grant->narrowed);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

SesameGrantStore *
sesame_grant_store_new (const char *dir)
{
  SesameGrantStore *self = g_object_new (SESAME_TYPE_GRANT_STORE, NULL);
  g_autofree char *path = g_build_filename (dir, "grants.json", NULL);

  self->file = sesame_json_file_new (path, serialize, self);
  return self;
}

/* A member of another type counts as absent: every field goes on the bus
 * as a string. A grant's scopes are all strings, or it is not a grant. */
static SesameGrant *
grant_from_json (JsonObject *object)
{
  const char *app_id = sesame_json_get_string (object, "app-id");
  const char *account = sesame_json_get_string (object, "account");
  g_auto(GStrv) scopes = sesame_json_dup_strv (object, "scopes");
  SesameGrant *grant;

  if (app_id == NULL || account == NULL || scopes == NULL)
    return NULL;

  grant = g_new0 (SesameGrant, 1);
  grant->app_id = g_strdup (app_id);
  grant->account = g_strdup (account);
  grant->app_name = g_strdup (sesame_json_get_string (object, "app-name") ?: app_id);
  /* Every file so far names the kind; one without it is read as a host
   * program's, which no sandboxed app matches: such an app is asked again. */
  grant->kind = g_strdup (sesame_json_get_string (object, "kind") ?: "host");
  /* json-glib's reading, as before: a double is truncated, true is 1, a
   * string is 0 */
  grant->granted_at = json_object_get_int_member_with_default (object, "granted-at", 0);
  grant->last_used = json_object_get_int_member_with_default (object, "last-used", 0);
  /* Files from before tokens were narrowed: nothing wider was seen yet. */
  grant->narrowed = json_object_get_boolean_member_with_default (object, "narrowed", TRUE);
  grant->scopes = g_steal_pointer (&scopes);
  return grant;
}

gboolean
sesame_grant_store_load (SesameGrantStore  *self,
                         GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = sesame_json_file_load (self->file, &local_error);
  JsonArray *array;

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (root == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "grants") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (root), "grants")))
    {
      sesame_json_file_set_aside (self->file, _("it has no list of grants"), error);
      return FALSE;
    }

  array = json_object_get_array_member (json_node_get_object (root), "grants");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      SesameGrant *grant = JSON_NODE_HOLDS_OBJECT (node)
                           ? grant_from_json (json_node_get_object (node)) : NULL;

      if (grant == NULL)
        {
          g_ptr_array_set_size (self->grants, 0);
          sesame_json_file_set_aside (self->file, _("an entry is not a grant"), error);
          return FALSE;
        }
      g_ptr_array_add (self->grants, grant);
    }
  return TRUE;
}

/* Grants are keyed by kind and id: a host program's desktop file may have
 * the id of a Flatpak app, and that app is not the program. @kind NULL
 * matches every kind. */
static SesameGrant *
find (SesameGrantStore *self,
      const char       *kind,
      const char       *app_id,
      const char       *account)
{
  for (guint i = 0; i < self->grants->len; i++)
    {
      SesameGrant *grant = self->grants->pdata[i];

      if ((kind == NULL || g_str_equal (grant->kind, kind)) &&
          g_str_equal (grant->app_id, app_id) && g_str_equal (grant->account, account))
        return grant;
    }
  return NULL;
}

static SesameGrant *
find_for_caller (SesameGrantStore *self,
                 SesameCaller     *caller,
                 const char       *account)
{
  return find (self, sesame_caller_get_kind_name (caller), sesame_caller_get_app_id (caller),
               account);
}

static gboolean
strv_contains_all (const char * const *strv,
                     const char * const *scopes)
{
  for (guint i = 0; scopes && scopes[i]; i++)
    if (!g_strv_contains (strv, scopes[i]))
      return FALSE;
  return TRUE;
}

gboolean
sesame_grant_store_covers (SesameGrantStore   *self,
                           SesameCaller       *caller,
                           const char         *account,
                           const char * const *scopes)
{
  SesameGrant *grant = find_for_caller (self, caller, account);

  /* granted-at 0: a host program seen using the account, never asked about. */
  return grant != NULL && grant->granted_at != 0 &&
         strv_contains_all ((const char * const *) grant->scopes, scopes);
}

const SesameGrant *
sesame_grant_store_lookup (SesameGrantStore *self,
                           SesameCaller     *caller,
                           const char       *account)
{
  SesameGrant *grant = find_for_caller (self, caller, account);

  return grant != NULL && grant->granted_at != 0 ? grant : NULL;
}

void
sesame_grant_store_set_narrowed (SesameGrantStore *self,
                                 SesameCaller     *caller,
                                 const char       *account,
                                 gboolean          narrowed)
{
  SesameGrant *grant = find_for_caller (self, caller, account);

  if (grant == NULL || grant->narrowed == narrowed)
    return;
  grant->narrowed = narrowed;
  changed (self);
}

/* The grant of @caller for @account, made when missing. */
static SesameGrant *
ensure (SesameGrantStore *self,
        SesameCaller     *caller,
        const char       *account)
{
  SesameGrant *grant = find_for_caller (self, caller, account);

  if (grant == NULL)
    {
      grant = g_new0 (SesameGrant, 1);
      grant->app_id = g_strdup (sesame_caller_get_app_id (caller));
      grant->account = g_strdup (account);
      grant->kind = g_strdup (sesame_caller_get_kind_name (caller));
      grant->scopes = g_new0 (char *, 1);
      grant->narrowed = TRUE;
      g_ptr_array_add (self->grants, grant);
    }
  g_free (grant->app_name);
  grant->app_name = g_strdup (sesame_caller_get_app_name (caller));
  return grant;
}

static void
add_scopes (SesameGrant        *grant,
            const char * const *scopes)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_addv (builder, (const char **) grant->scopes);
  for (guint i = 0; scopes && scopes[i]; i++)
    if (!g_strv_contains ((const char * const *) grant->scopes, scopes[i]))
      g_strv_builder_add (builder, scopes[i]);
  g_strfreev (grant->scopes);
  grant->scopes = g_strv_builder_end (builder);
}

void
sesame_grant_store_allow (SesameGrantStore   *self,
                          SesameCaller       *caller,
                          const char         *account,
                          const char * const *scopes)
{
  SesameGrant *grant = ensure (self, caller, account);

  add_scopes (grant, scopes);
  grant->granted_at = g_get_real_time () / G_USEC_PER_SEC;
  changed (self);
}

static gboolean
save_touches (gpointer user_data)
{
  SesameGrantStore *self = user_data;

  self->touch_save_id = 0;
  changed (self);
  return G_SOURCE_REMOVE;
}

void
sesame_grant_store_touch (SesameGrantStore   *self,
                          SesameCaller       *caller,
                          const char         *account,
                          const char * const *scopes)
{
  SesameGrant *grant = find_for_caller (self, caller, account);
  gboolean known = grant != NULL;

  /* Every token hand-out comes here: the common case changes one number. */
  if (grant == NULL || !strv_contains_all ((const char * const *) grant->scopes, scopes))
    {
      grant = ensure (self, caller, account);
      add_scopes (grant, scopes);
    }
  grant->last_used = g_get_real_time () / G_USEC_PER_SEC;
  if (!known)
    changed (self);
  else if (self->touch_save_id == 0)
    self->touch_save_id = g_timeout_add_seconds (TOUCH_SAVE_SECONDS, save_touches, self);
}

gboolean
sesame_grant_store_revoke (SesameGrantStore *self,
                           const char       *app_id,
                           const char       *account)
{
  SesameGrant *grant;
  gboolean found = FALSE;

  /* RevokeGrant names no kind: every kind's grant of that id goes. */
  while ((grant = find (self, NULL, app_id, account)) != NULL)
    {
      g_ptr_array_remove (self->grants, grant);
      found = TRUE;
    }
  if (found)
    changed (self);
  return found;
}

void
sesame_grant_store_forget_account (SesameGrantStore *self,
                                   const char       *account)
{
  for (guint i = self->grants->len; i > 0; i--)
    {
      SesameGrant *grant = self->grants->pdata[i - 1];

      if (g_str_equal (grant->account, account))
        g_ptr_array_remove_index (self->grants, i - 1);
    }
  changed (self);
}

GPtrArray *
sesame_grant_store_list (SesameGrantStore *self)
{
  GPtrArray *list = g_ptr_array_new ();

  for (guint i = 0; i < self->grants->len; i++)
    g_ptr_array_add (list, self->grants->pdata[i]);
  return list;
}

void
sesame_grant_store_save_async (SesameGrantStore    *self,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, sesame_grant_store_save_async);
  sesame_json_file_schedule_save (self->file);
  sesame_json_file_save_task (self->file, task);
}

gboolean
sesame_grant_store_save_finish (SesameGrantStore  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
sesame_grant_store_flush (SesameGrantStore *self)
{
  g_clear_handle_id (&self->touch_save_id, g_source_remove);
  sesame_json_file_schedule_save (self->file);
  sesame_json_file_flush (self->file);
}
