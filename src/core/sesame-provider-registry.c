/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-provider-registry.c: the provider files, user ones over installed ones */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "sesame-error.h"
#include "sesame-json.h"
#include "sesame-provider-registry.h"

#define DEFAULT_ICON_NAME "dialog-password-symbolic"
#define TEMPLATE_ID "openid-connect"

struct _SesameProviderRegistry
{
  GObject parent_instance;

  char *user_dir;
  GStrv system_dirs;

  GHashTable *providers;      /* id → SesameProvider */
  GHashTable *installed_ids;  /* ids defined in a system dir */
  GPtrArray *problems;        /* NULL-terminated sentences */
  GHashTable *discoveries;    /* SesameProvider → Discovery, while one runs */
};

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

/* The JSON object of @path, whose `id`, when given, must be @id. A missing
 * `id` is set to @id, so that a file is named once, by its file name. */
static JsonObject *
read_definition (const char  *path,
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
  JsonObject *merged = json_object_new ();
  JsonObject *layers[] = { installed, user };

  for (guint i = 0; i < G_N_ELEMENTS (layers); i++)
    {
      g_autoptr(GList) members = json_object_get_members (layers[i]);

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
  g_autoptr(JsonObject) definition = read_definition (path, id, error);
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

static void
load_provider (SesameProviderRegistry *self,
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
    load_provider (self, l->data);
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

/* Adding an issuer */

typedef struct {
  char *issuer;
  char *client_id;       /* NULL: keep the file's */
  char *id;
  char *name;
  GFile *file;
  JsonObject *document;
  SesameProvider *provider;
  char *contents;
} AddIssuer;

static void
add_issuer_free (AddIssuer *data)
{
  g_free (data->issuer);
  g_free (data->client_id);
  g_free (data->id);
  g_free (data->name);
  g_clear_object (&data->file);
  g_clear_pointer (&data->document, json_object_unref);
  g_clear_object (&data->provider);
  g_free (data->contents);
  g_free (data);
}

/* What people see of OpenID Connect's standard scopes. English here and in
 * the file; sesame_provider_get_scope_description() translates them. */
static const struct {
  const char *scope;
  const char *description;
  gboolean    by_default;
} oidc_scopes[] = {
  { "openid", N_("Confirm who you are"), TRUE },
  { "email", N_("See your email address"), TRUE },
  { "profile", N_("See your name and profile picture"), FALSE },
  { "offline_access", N_("Stay signed in when you are not using the app"), TRUE },
};

/* OpenID Connect requires openid; a document that lists no scopes is taken
 * to have the standard claims scopes, but not offline_access, which some
 * providers refuse when asked for without support. */
static gboolean
scope_supported (JsonObject *document,
                 const char *scope)
{
  JsonNode *node = json_object_get_member (document, "scopes_supported");
  JsonArray *supported;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return !g_str_equal (scope, "offline_access");
  supported = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (supported); i++)
    {
      JsonNode *element = json_array_get_element (supported, i);

      if (JSON_NODE_HOLDS_VALUE (element)
          && g_strcmp0 (json_node_get_string (element), scope) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
set_scopes (JsonObject *definition,
            JsonObject *document)
{
  JsonObject *scopes = json_object_new ();
  JsonArray *default_scopes = json_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (oidc_scopes); i++)
    {
      if (!scope_supported (document, oidc_scopes[i].scope))
        continue;
      json_object_set_string_member (scopes, oidc_scopes[i].scope, oidc_scopes[i].description);
      if (oidc_scopes[i].by_default)
        json_array_add_string_element (default_scopes, oidc_scopes[i].scope);
    }
  json_object_set_object_member (definition, "scopes", scopes);
  json_object_set_array_member (definition, "default-scopes", default_scopes);
}

/* The file for @data's issuer. What the person added to an earlier file for
 * the same issuer stays, a name or client id they chose included; a file
 * that was for another issuer on the same host is replaced. */
static JsonObject *
build_definition (SesameProviderRegistry *self,
                  AddIssuer              *data,
                  JsonObject             *existing)
{
  SesameProvider *template = g_hash_table_lookup (self->providers, TEMPLATE_ID);
  JsonObject *definition;

  if (existing != NULL
      && g_strcmp0 (sesame_json_get_string (existing, "issuer"), data->issuer) == 0)
    definition = json_object_ref (existing);
  else
    definition = json_object_new ();

  json_object_set_string_member (definition, "id", data->id);
  if (sesame_json_get_string (definition, "name") == NULL)
    json_object_set_string_member (definition, "name", data->name);
  if (sesame_json_get_string (definition, "icon-name") == NULL)
    json_object_set_string_member (definition, "icon-name",
                                   template != NULL ? sesame_provider_get_icon_name (template)
                                                    : DEFAULT_ICON_NAME);
  json_object_set_string_member (definition, "issuer", data->issuer);
  if (data->client_id != NULL || sesame_json_get_string (definition, "client-id") == NULL)
    json_object_set_string_member (definition, "client-id",
                                   data->client_id != NULL ? data->client_id : "");
  set_scopes (definition, data->document);
  return definition;
}

static char *
to_json (JsonObject *definition)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), definition);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, NULL);
  return g_strconcat (text, "\n", NULL);
}

static void
on_issuer_written (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SesameProviderRegistry *self = g_task_get_source_object (task);
  AddIssuer *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source_object), result, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_hash_table_replace (self->providers, g_strdup (data->id), g_object_ref (data->provider));
  g_task_return_pointer (task, g_object_ref (data->provider), g_object_unref);
}

/* Checks the definition by building its provider before writing it, so that
 * the file written always loads. */
static void
write_definition (GTask      *task,
                  JsonObject *existing)
{
  SesameProviderRegistry *self = g_task_get_source_object (task);
  AddIssuer *data = g_task_get_task_data (task);
  g_autoptr(JsonObject) definition = build_definition (self, data, existing);
  g_autoptr(GError) error = NULL;

  data->provider = sesame_provider_new_from_json (definition, &error);
  if (data->provider == NULL
      || !sesame_provider_apply_discovery (data->provider, data->document, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_mkdir_with_parents (self->user_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("Could not create the folder %s: %s"),
                               self->user_dir, g_strerror (saved_errno));
      return;
    }
  data->contents = to_json (definition);
  /* Written to a temporary file that is renamed over the old one. */
  g_file_replace_contents_async (data->file, data->contents, strlen (data->contents), NULL,
                                 FALSE, G_FILE_CREATE_NONE, g_task_get_cancellable (task),
                                 on_issuer_written, g_object_ref (task));
}

static void
on_existing_loaded (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *contents = NULL;
  gsize length;
  JsonObject *existing = NULL;

  if (!g_file_load_contents_finish (G_FILE (source_object), result, &contents, &length,
                                    NULL, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* A damaged earlier file was skipped at load; the new one replaces it. */
  if (contents != NULL && sesame_json_parser_load (parser, contents, (gssize) length, NULL)
      && json_parser_get_root (parser) != NULL
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    existing = json_node_get_object (json_parser_get_root (parser));
  write_definition (task, existing);
}

static void
on_issuer_discovered (GObject      *source_object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AddIssuer *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->document = sesame_oauth_client_discover_finish (SESAME_OAUTH_CLIENT (source_object),
                                                        result, &error);
  if (data->document == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_file_load_contents_async (data->file, g_task_get_cancellable (task),
                              on_existing_loaded, g_object_ref (task));
}

/* A provider id from the issuer's host: lowercase, with "_PORT" when the
 * port is not the scheme's own ("127.0.0.1:8080" → "127.0.0.1_8080"); every
 * other character outside [a-z0-9._-] becomes "_", and "host" is put in
 * front of an id that would not start with a letter or digit (IPv6). */
static char *
id_for_host (const char *host,
             int         port)
{
  g_autofree char *ascii_host = g_hostname_to_ascii (host);
  g_autofree char *lower = g_ascii_strdown (ascii_host != NULL ? ascii_host : host, -1);
  g_autofree char *id = port != -1 ? g_strdup_printf ("%s_%d", lower, port) : g_strdup (lower);

  g_strcanon (id, "abcdefghijklmnopqrstuvwxyz0123456789._-", '_');
  if (!g_ascii_isalnum (id[0]))
    return g_strconcat ("host", id, NULL);
  return g_steal_pointer (&id);
}

/* RFC 8414 §2: an https URL without query or fragment; http on loopback for
 * local providers, as for every endpoint. */
static gboolean
parse_issuer (const char  *issuer,
              AddIssuer   *data,
              GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *host;
  int port;

  if (issuer != NULL)
    uri = g_uri_parse (issuer, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || !sesame_uri_is_secure_or_loopback (issuer)
      || g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                   _("The issuer “%s” must be an https address without a query or fragment, "
                     "or an http address on this computer."), issuer != NULL ? issuer : "");
      return FALSE;
    }
  host = g_uri_get_host (uri);
  port = g_uri_get_port (uri);
  if (port == (g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80))
    port = -1;
  data->id = id_for_host (host, port);
  if (port == -1)
    data->name = g_strdup (host);
  else if (strchr (host, ':') != NULL)
    data->name = g_strdup_printf ("[%s]:%d", host, port);
  else
    data->name = g_strdup_printf ("%s:%d", host, port);
  return TRUE;
}

void
sesame_provider_registry_add_issuer_async (SesameProviderRegistry *self,
                                           SesameOAuthClient      *client,
                                           const char             *issuer,
                                           const char             *client_id,
                                           GCancellable           *cancellable,
                                           GAsyncReadyCallback     callback,
                                           gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file_name = NULL;
  g_autofree char *path = NULL;
  AddIssuer *data;

  g_return_if_fail (SESAME_IS_PROVIDER_REGISTRY (self));
  g_return_if_fail (SESAME_IS_OAUTH_CLIENT (client));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sesame_provider_registry_add_issuer_async);
  data = g_new0 (AddIssuer, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) add_issuer_free);
  data->issuer = g_strdup (issuer);
  data->client_id = client_id != NULL && client_id[0] != '\0' ? g_strdup (client_id) : NULL;

  if (!parse_issuer (issuer, data, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* A user file with an installed id would be merged into that provider. */
  if (g_hash_table_contains (self->installed_ids, data->id))
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                               _("The issuer %s has the name of an installed provider, %s."),
                               issuer, data->id);
      return;
    }
  file_name = g_strconcat (data->id, ".json", NULL);
  path = g_build_filename (self->user_dir, file_name, NULL);
  data->file = g_file_new_for_path (path);
  sesame_oauth_client_discover_async (client, issuer, cancellable,
                                      on_issuer_discovered, g_steal_pointer (&task));
}

SesameProvider *
sesame_provider_registry_add_issuer_finish (SesameProviderRegistry *self,
                                            GAsyncResult           *result,
                                            GError                **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  char *id;
  char *client_id;
  char *path;
} SetClientId;

static void
set_client_id_free (SetClientId *data)
{
  g_free (data->id);
  g_free (data->client_id);
  g_free (data->path);
  g_free (data);
}

/* In a worker thread: a small read-modify-write of one user file. */
static void
write_client_id (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  SesameProviderRegistry *self = source_object;
  SetClientId *data = task_data;
  g_autoptr(JsonObject) definition = NULL;
  g_autofree char *contents = NULL;
  GError *error = NULL;

  if (g_file_test (data->path, G_FILE_TEST_EXISTS))
    definition = read_definition (data->path, data->id, &error);
  else
    definition = json_object_new ();
  if (definition == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  json_object_set_string_member (definition, "id", data->id);
  json_object_set_string_member (definition, "client-id", data->client_id);
  contents = to_json (definition);
  if (g_mkdir_with_parents (self->user_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("Could not create the folder %s: %s"),
                               self->user_dir, g_strerror (saved_errno));
      return;
    }
  if (!g_file_set_contents_full (data->path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0600, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
sesame_provider_registry_set_client_id_async (SesameProviderRegistry *self,
                                              SesameProvider         *provider,
                                              const char             *client_id,
                                              GCancellable           *cancellable,
                                              GAsyncReadyCallback     callback,
                                              gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *file_name = NULL;
  SetClientId *data;

  g_return_if_fail (SESAME_IS_PROVIDER_REGISTRY (self));
  g_return_if_fail (SESAME_IS_PROVIDER (provider));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sesame_provider_registry_set_client_id_async);
  data = g_new0 (SetClientId, 1);
  data->id = g_strdup (sesame_provider_get_id (provider));
  data->client_id = g_strstrip (g_strdup (client_id));
  file_name = g_strconcat (data->id, ".json", NULL);
  data->path = g_build_filename (self->user_dir, file_name, NULL);
  g_task_set_task_data (task, data, (GDestroyNotify) set_client_id_free);
  if (sesame_provider_is_template (provider) || data->client_id[0] == '\0')
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                               _("Enter the client id of your registration with %s."),
                               sesame_provider_get_name (provider));
      return;
    }
  g_task_run_in_thread (task, write_client_id);
}

SesameProvider *
sesame_provider_registry_set_client_id_finish (SesameProviderRegistry *self,
                                               GAsyncResult           *result,
                                               GError                **error)
{
  SetClientId *data;
  SesameProvider *provider;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  data = g_task_get_task_data (G_TASK (result));
  load_provider (self, data->id);
  provider = g_hash_table_lookup (self->providers, data->id);
  if (provider == NULL)
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                   _("The provider file %s could not be read again."), data->path);
      return NULL;
    }
  return g_object_ref (provider);
}
