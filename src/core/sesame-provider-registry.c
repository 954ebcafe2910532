/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-provider-registry.c: the provider files, user ones over installed ones */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "sesame-error.h"
#include "sesame-json.h"
#include "sesame-provider-registry-private.h"

G_DEFINE_FINAL_TYPE (SesameProviderRegistry, sesame_provider_registry, G_TYPE_OBJECT)

/* One discovery request, shared by every caller that waits for it. */
typedef struct {
  SesameProviderRegistry *registry;
  SesameProvider *provider;
  GPtrArray *waiters;  /* Waiter */
} Discovery;

typedef struct {
  Discovery *discovery;
  GTask *task;
  GSource *cancelled_source;  /* NULL without a cancellable */
} Waiter;

static void
waiter_forget_cancellable (Waiter *waiter)
{
  if (waiter->cancelled_source != NULL)
    g_source_destroy (waiter->cancelled_source);
  g_clear_pointer (&waiter->cancelled_source, g_source_unref);
}

static void
waiter_free (Waiter *waiter)
{
  waiter_forget_cancellable (waiter);
  g_object_unref (waiter->task);
  g_free (waiter);
}

static void
discovery_free (Discovery *discovery)
{
  g_clear_pointer (&discovery->waiters, g_ptr_array_unref);
  g_object_unref (discovery->provider);
  g_object_unref (discovery->registry);
  g_free (discovery);
}

static void
sesame_provider_registry_finalize (GObject *object)
{
  SesameProviderRegistry *self = SESAME_PROVIDER_REGISTRY (object);

  g_free (self->user_dir);
  g_strfreev (self->system_dirs);
  g_hash_table_unref (self->providers);
  g_hash_table_unref (self->installed_ids);
  g_ptr_array_unref (self->problems);
  g_hash_table_unref (self->discoveries);

  G_OBJECT_CLASS (sesame_provider_registry_parent_class)->finalize (object);
}

static void
sesame_provider_registry_class_init (SesameProviderRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sesame_provider_registry_finalize;
}

static void
sesame_provider_registry_init (SesameProviderRegistry *self)
{
  self->providers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->installed_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->problems = g_ptr_array_new_null_terminated (1, g_free, TRUE);
  /* Discoveries keep their registry alive, so this table is empty when the
   * registry goes: it frees nothing. */
  self->discoveries = g_hash_table_new (g_direct_hash, g_direct_equal);
}

/* The compiled-in data directory comes last, so that a build installed
 * outside $XDG_DATA_DIRS (a custom prefix) still finds its own files. */
SesameProviderRegistry *
sesame_provider_registry_new (void)
{
  const char * const *data_dirs = g_get_system_data_dirs ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *user_dir = NULL;
  g_autofree char *installed_dir = NULL;
  g_auto(GStrv) system_dirs = NULL;
  gboolean installed_seen = FALSE;

  user_dir = g_build_filename (g_get_user_config_dir (), "sesame", "providers", NULL);
  installed_dir = g_build_filename (SESAME_DATADIR, "providers", NULL);
  for (guint i = 0; data_dirs[i] != NULL; i++)
    {
      g_autofree char *dir = g_build_filename (data_dirs[i], "sesame", "providers", NULL);

      installed_seen |= g_str_equal (dir, installed_dir);
      g_strv_builder_add (builder, dir);
    }
  if (!installed_seen)
    g_strv_builder_add (builder, installed_dir);
  system_dirs = g_strv_builder_end (builder);
  return sesame_provider_registry_new_for_dirs (user_dir, (const char * const *) system_dirs);
}

/* @system_dirs in XDG order: the first that defines an id wins. */
SesameProviderRegistry *
sesame_provider_registry_new_for_dirs (const char         *user_dir,
                                       const char * const *system_dirs)
{
  SesameProviderRegistry *self;

  g_return_val_if_fail (user_dir != NULL, NULL);

  self = g_object_new (SESAME_TYPE_PROVIDER_REGISTRY, NULL);
  self->user_dir = g_strdup (user_dir);
  self->system_dirs = system_dirs != NULL ? g_strdupv ((char **) system_dirs) : g_new0 (char *, 1);
  return self;
}

static void
add_problem (SesameProviderRegistry *self,
             const char             *path,
             const GError           *error,
             gboolean                installed_kept)
{
  char *problem;

  if (installed_kept)
    problem = g_strdup_printf (_("The provider file “%s” was ignored and the installed "
                                 "definition is used instead. %s"), path, error->message);
  else
    problem = g_strdup_printf (_("The provider file “%s” was skipped. %s"), path, error->message);
  g_warning ("%s", problem);
  g_ptr_array_add (self->problems, problem);
}

/* Adds the id of every ID.json in @dir to @ids; a missing dir has none. */
static void
collect_ids (const char *dir,
             GHashTable *ids)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    if (g_str_has_suffix (name, ".json"))
      g_hash_table_add (ids, g_strndup (name, strlen (name) - strlen (".json")));
}

JsonObject *
sesame_provider_registry_read_definition (const char  *path,
                                          const char  *id,
                                          GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *contents = NULL;
  gsize length = 0;
  JsonObject *definition;

  if (!g_file_get_contents (path, &contents, &length, error) ||
      !sesame_json_parser_load (parser, contents, (gssize) length, error))
    return NULL;
  /* An empty file has no root. */
  if (json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                           _("It does not hold a JSON object."));
      return NULL;
    }
  definition = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (definition, "id"))
    json_object_set_string_member (definition, "id", id);
  else if (g_strcmp0 (sesame_json_get_string (definition, "id"), id) != 0)
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                   _("Its field “id” must be “%s”, as its file name says, or be left out."), id);
      return NULL;
    }
  return json_object_ref (definition);
}

/* Field by field: the user's members replace the installed ones whole, an
 * object such as `scopes` included, so that a user file can also drop a scope
 * or reorder them; a member set to null unsets the installed one. */
static JsonObject *
merge_definitions (JsonObject *installed,
                   JsonObject *user)
{
  /* The older single form and the list replace each other. */
  static const char * const forms[][2] = {
    { "identity-claim", "identity-claims" }, { "identity-claims", "identity-claim" },
  };
  JsonObject *merged = json_object_new ();
  JsonObject *layers[] = { installed, user };

  for (guint i = 0; i < G_N_ELEMENTS (layers); i++)
    {
      g_autoptr(GList) members = json_object_get_members (layers[i]);

      for (guint f = 0; f < G_N_ELEMENTS (forms); f++)
        if (json_object_has_member (layers[i], forms[f][0])
            && json_object_has_member (merged, forms[f][1]))
          json_object_remove_member (merged, forms[f][1]);
      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (merged, l->data,
                                json_node_copy (json_object_get_member (layers[i], l->data)));
    }
  return merged;
}

static SesameProvider *
provider_from_file (const char  *path,
                    const char  *id,
                    JsonObject  *installed,
                    JsonObject **definition_out,
                    GError     **error)
{
  g_autoptr(JsonObject) definition = sesame_provider_registry_read_definition (path, id, error);
  g_autoptr(JsonObject) merged = NULL;
  SesameProvider *provider;

  if (definition == NULL)
    return NULL;
  merged = installed != NULL ? merge_definitions (installed, definition)
                             : json_object_ref (definition);
  provider = sesame_provider_new_from_json (merged, error);
  if (provider != NULL && definition_out != NULL)
    *definition_out = g_steal_pointer (&definition);
  return provider;
}

/* The first system dir in XDG order with a good definition of @id wins; a
 * broken one does not hide a later one. */
static SesameProvider *
load_installed (SesameProviderRegistry  *self,
                const char              *id,
                JsonObject             **definition)
{
  g_autofree char *file_name = g_strconcat (id, ".json", NULL);

  for (guint i = 0; self->system_dirs[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (self->system_dirs[i], file_name, NULL);
      g_autoptr(GError) error = NULL;
      SesameProvider *provider;

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      provider = provider_from_file (path, id, NULL, definition, &error);
      if (provider != NULL)
        {
          g_hash_table_add (self->installed_ids, g_strdup (id));
          return provider;
        }
      add_problem (self, path, error, FALSE);
    }
  return NULL;
}

void
sesame_provider_registry_load_provider (SesameProviderRegistry *self,
                                        const char             *id)
{
  g_autofree char *file_name = g_strconcat (id, ".json", NULL);
  g_autofree char *user_path = g_build_filename (self->user_dir, file_name, NULL);
  g_autoptr(JsonObject) installed = NULL;
  g_autoptr(SesameProvider) provider = load_installed (self, id, &installed);

  if (g_file_test (user_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SesameProvider) user_provider = NULL;

      user_provider = provider_from_file (user_path, id, installed, NULL, &error);
      if (user_provider != NULL)
        g_set_object (&provider, user_provider);
      else
        add_problem (self, user_path, error, provider != NULL);
    }
  if (provider != NULL)
    g_hash_table_replace (self->providers, g_strdup (id), g_steal_pointer (&provider));
}

void
sesame_provider_registry_load (SesameProviderRegistry *self)
{
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GList) sorted_ids = NULL;

  g_return_if_fail (SESAME_IS_PROVIDER_REGISTRY (self));

  g_hash_table_remove_all (self->providers);
  g_hash_table_remove_all (self->installed_ids);
  g_ptr_array_set_size (self->problems, 0);

  collect_ids (self->user_dir, ids);
  for (guint i = 0; self->system_dirs[i] != NULL; i++)
    collect_ids (self->system_dirs[i], ids);

  /* Sorted, so that problems are reported in the same order every time. */
  sorted_ids = g_list_sort (g_hash_table_get_keys (ids), (GCompareFunc) g_strcmp0);
  for (GList *l = sorted_ids; l != NULL; l = l->next)
    sesame_provider_registry_load_provider (self, l->data);
}

const char * const *
sesame_provider_registry_get_problems (SesameProviderRegistry *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (SESAME_IS_PROVIDER_REGISTRY (self), NULL);
  /* A null-terminated GPtrArray may not have allocated its data yet. */
  return self->problems->pdata != NULL ? (const char * const *) self->problems->pdata : none;
}

static int
compare_by_name (gconstpointer a,
                 gconstpointer b)
{
  SesameProvider *first = *(SesameProvider **) a;
  SesameProvider *second = *(SesameProvider **) b;
  int by_name = g_utf8_collate (sesame_provider_get_name (first),
                                sesame_provider_get_name (second));

  return by_name != 0 ? by_name : g_strcmp0 (sesame_provider_get_id (first),
                                             sesame_provider_get_id (second));
}

GPtrArray *
sesame_provider_registry_list (SesameProviderRegistry *self)
{
  GPtrArray *providers;
  GHashTableIter iter;
  SesameProvider *provider;

  g_return_val_if_fail (SESAME_IS_PROVIDER_REGISTRY (self), NULL);

  providers = g_ptr_array_new_full (g_hash_table_size (self->providers), g_object_unref);
  g_hash_table_iter_init (&iter, self->providers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &provider))
    g_ptr_array_add (providers, g_object_ref (provider));
  g_ptr_array_sort (providers, compare_by_name);
  return providers;
}

SesameProvider *
sesame_provider_registry_lookup (SesameProviderRegistry *self,
                                 const char             *id)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER_REGISTRY (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return g_hash_table_lookup (self->providers, id);
}

static void
finish_discovery (Discovery    *discovery,
                  const GError *error)
{
  g_autoptr(SesameProviderRegistry) registry = g_object_ref (discovery->registry);
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&discovery->waiters);

  /* From here on the result answers every waiter; GTask still reports one
   * whose cancellable fired meanwhile as cancelled. */
  for (guint i = 0; i < waiters->len; i++)
    waiter_forget_cancellable (g_ptr_array_index (waiters, i));
  /* Removed before anyone hears of it, so that a failure is retried by the
   * next caller, even one calling from its callback. */
  g_hash_table_remove (registry->discoveries, discovery->provider);
  discovery_free (discovery);

  for (guint i = 0; i < waiters->len; i++)
    {
      Waiter *waiter = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (waiter->task, g_error_copy (error));
      else
        g_task_return_boolean (waiter->task, TRUE);
    }
}

static void
on_discovered (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Discovery *discovery = user_data;
  g_autoptr(JsonObject) document = NULL;
  g_autoptr(GError) error = NULL;

  document = sesame_oauth_client_discover_finish (SESAME_OAUTH_CLIENT (source_object),
                                                  result, &error);
  if (document != NULL)
    sesame_provider_apply_discovery (discovery->provider, document, &error);
  finish_discovery (discovery, error);
}

/* A caller that gives up is answered at once; the request goes on for the
 * others, and its result is kept for the next caller. */
static gboolean
on_waiter_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  Waiter *waiter = user_data;

  g_task_return_error_if_cancelled (waiter->task);
  g_ptr_array_remove (waiter->discovery->waiters, waiter);
  return G_SOURCE_REMOVE;
}

static void
add_waiter (Discovery *discovery,
            GTask     *task)
{
  GCancellable *cancellable = g_task_get_cancellable (task);
  Waiter *waiter = g_new0 (Waiter, 1);

  waiter->discovery = discovery;
  waiter->task = g_object_ref (task);
  if (cancellable != NULL)
    {
      waiter->cancelled_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (waiter->cancelled_source, G_SOURCE_FUNC (on_waiter_cancelled),
                             waiter, NULL);
      g_source_attach (waiter->cancelled_source, g_task_get_context (task));
    }
  g_ptr_array_add (discovery->waiters, waiter);
}

void
sesame_provider_registry_ensure_discovered_async (SesameProviderRegistry *self,
                                                  SesameOAuthClient      *client,
                                                  SesameProvider         *provider,
                                                  GCancellable           *cancellable,
                                                  GAsyncReadyCallback     callback,
                                                  gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  Discovery *discovery;

  g_return_if_fail (SESAME_IS_PROVIDER_REGISTRY (self));
  g_return_if_fail (SESAME_IS_OAUTH_CLIENT (client));
  g_return_if_fail (SESAME_IS_PROVIDER (provider));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sesame_provider_registry_ensure_discovered_async);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (!sesame_provider_needs_discovery (provider))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  discovery = g_hash_table_lookup (self->discoveries, provider);
  if (discovery == NULL)
    {
      discovery = g_new0 (Discovery, 1);
      discovery->registry = g_object_ref (self);
      discovery->provider = g_object_ref (provider);
      discovery->waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) waiter_free);
      g_hash_table_insert (self->discoveries, provider, discovery);
      /* No cancellable: the request belongs to every waiter, not the first. */
      sesame_oauth_client_discover_async (client, sesame_provider_get_issuer (provider),
                                          NULL, on_discovered, discovery);
    }
  add_waiter (discovery, task);
}

gboolean
sesame_provider_registry_ensure_discovered_finish (SesameProviderRegistry *self,
                                                   GAsyncResult           *result,
                                                   GError                **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
