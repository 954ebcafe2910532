/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-provider-registry-edit.c: the person's own provider files, written:
 * a provider added by its issuer, a client id of their own */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "sesame-error.h"
#include "sesame-json.h"
#include "sesame-oauth-client.h"
#include "sesame-provider-registry-private.h"

/* A provider prepared, not yet written, carries the user file to write. */
#define PREPARED_DEFINITION "sesame-prepared-definition"
/* Issuers on one host that get an id of their own: host_2 … host_9. */
#define MAX_ISSUERS_PER_HOST 9

typedef struct {
  char *issuer;
  char *client_id;       /* NULL: keep the file's */
  gboolean save;         /* FALSE: prepared only; sesame_provider_registry_save_prepared() writes it */
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
  if (!data->save)
    {
      g_object_set_data_full (G_OBJECT (data->provider), PREPARED_DEFINITION,
                              json_object_ref (definition), (GDestroyNotify) json_object_unref);
      g_task_return_pointer (task, g_object_ref (data->provider), g_object_unref);
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

/* TRUE when @id is free for @issuer: no provider of another issuer has it,
 * in the registry or in the person's files. A file of the same issuer is
 * updated; one of another issuer on the same host is never replaced (its
 * accounts would send their tokens to the new one). */
static gboolean
id_is_free_for (SesameProviderRegistry *self,
                const char             *id,
                const char             *issuer)
{
  SesameProvider *loaded = g_hash_table_lookup (self->providers, id);
  g_autofree char *file_name = g_strconcat (id, ".json", NULL);
  g_autofree char *path = g_build_filename (self->user_dir, file_name, NULL);
  g_autoptr(JsonObject) existing = NULL;

  if (g_hash_table_contains (self->installed_ids, id))
    return FALSE;
  if (loaded != NULL && g_strcmp0 (sesame_provider_get_issuer (loaded), issuer) != 0)
    return FALSE;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  existing = sesame_provider_registry_read_definition (path, NULL, NULL);
  /* A damaged file is skipped at load and may be replaced. */
  return existing == NULL || g_strcmp0 (sesame_json_get_string (existing, "issuer"), issuer) == 0;
}

/* The host's id, or host_2, host_3… when another issuer has it. */
static gboolean
choose_id (SesameProviderRegistry  *self,
           AddIssuer               *data,
           GError                 **error)
{
  g_autofree char *host_id = g_steal_pointer (&data->id);

  for (guint i = 1; i <= MAX_ISSUERS_PER_HOST; i++)
    {
      g_autofree char *id = i == 1 ? g_strdup (host_id) : g_strdup_printf ("%s_%u", host_id, i);

      if (id_is_free_for (self, id, data->issuer))
        {
          data->id = g_steal_pointer (&id);
          if (i > 1)
            {
              g_free (data->name);
              data->name = g_strdup (data->issuer);
            }
          return TRUE;
        }
    }
  g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
               _("Sesame already knows too many issuers at the host of %s."), data->issuer);
  return FALSE;
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

static void
start_add_issuer (SesameProviderRegistry *self,
                  SesameOAuthClient      *client,
                  const char             *issuer,
                  const char             *client_id,
                  gboolean                save,
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
  data->save = save;
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
  if (!choose_id (self, data, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  file_name = g_strconcat (data->id, ".json", NULL);
  path = g_build_filename (self->user_dir, file_name, NULL);
  data->file = g_file_new_for_path (path);
  sesame_oauth_client_discover_async (client, issuer, cancellable,
                                      on_issuer_discovered, g_steal_pointer (&task));
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
  start_add_issuer (self, client, issuer, client_id, TRUE, cancellable, callback, user_data);
}

void
sesame_provider_registry_prepare_issuer_async (SesameProviderRegistry *self,
                                               SesameOAuthClient      *client,
                                               const char             *issuer,
                                               const char             *client_id,
                                               GCancellable           *cancellable,
                                               GAsyncReadyCallback     callback,
                                               gpointer                user_data)
{
  start_add_issuer (self, client, issuer, client_id, FALSE, cancellable, callback, user_data);
}

SesameProvider *
sesame_provider_registry_add_issuer_finish (SesameProviderRegistry *self,
                                            GAsyncResult           *result,
                                            GError                **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* @user over the installed definition of @id, field by field, as loading
 * merges them. */
static JsonObject *
merge_with_installed (SesameProviderRegistry *self,
                      const char             *id,
                      JsonObject             *user)
{
  g_autofree char *file_name = g_strconcat (id, ".json", NULL);
  JsonObject *merged = json_object_new ();
  g_autoptr(JsonObject) installed = NULL;
  g_autoptr(GList) members = NULL;

  for (guint i = 0; installed == NULL && self->system_dirs[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (self->system_dirs[i], file_name, NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        installed = sesame_provider_registry_read_definition (path, id, NULL);
    }
  if (installed != NULL)
    {
      g_autoptr(GList) installed_members = json_object_get_members (installed);

      for (GList *l = installed_members; l != NULL; l = l->next)
        json_object_set_member (merged, l->data,
                                json_node_copy (json_object_get_member (installed, l->data)));
    }
  members = json_object_get_members (user);
  for (GList *l = members; l != NULL; l = l->next)
    json_object_set_member (merged, l->data, json_node_copy (json_object_get_member (user, l->data)));
  return merged;
}

SesameProvider *
sesame_provider_registry_prepare_client_id (SesameProviderRegistry  *self,
                                            SesameProvider          *provider,
                                            const char              *client_id,
                                            GError                 **error)
{
  const char *id;
  g_autofree char *file_name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *stripped = NULL;
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(JsonObject) merged = NULL;
  SesameProvider *prepared;

  g_return_val_if_fail (SESAME_IS_PROVIDER_REGISTRY (self), NULL);
  g_return_val_if_fail (SESAME_IS_PROVIDER (provider), NULL);

  id = sesame_provider_get_id (provider);
  stripped = g_strstrip (g_strdup (client_id));
  if (sesame_provider_is_template (provider) || stripped[0] == '\0')
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                   _("Enter the client id of your registration with %s."),
                   sesame_provider_get_name (provider));
      return NULL;
    }
  file_name = g_strconcat (id, ".json", NULL);
  path = g_build_filename (self->user_dir, file_name, NULL);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    user = sesame_provider_registry_read_definition (path, id, error);
  else
    user = json_object_new ();
  if (user == NULL)
    return NULL;
  json_object_set_string_member (user, "id", id);
  json_object_set_string_member (user, "client-id", stripped);
  merged = merge_with_installed (self, id, user);
  prepared = sesame_provider_new_from_json (merged, error);
  if (prepared == NULL)
    return NULL;
  g_object_set_data_full (G_OBJECT (prepared), PREPARED_DEFINITION, json_object_ref (user),
                          (GDestroyNotify) json_object_unref);
  return prepared;
}

gboolean
sesame_provider_registry_save_prepared (SesameProviderRegistry  *self,
                                        SesameProvider          *provider,
                                        GError                 **error)
{
  JsonObject *definition;
  g_autofree char *file_name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;

  g_return_val_if_fail (SESAME_IS_PROVIDER_REGISTRY (self), FALSE);
  g_return_val_if_fail (SESAME_IS_PROVIDER (provider), FALSE);

  definition = g_object_get_data (G_OBJECT (provider), PREPARED_DEFINITION);
  if (definition == NULL)
    return TRUE;
  if (g_mkdir_with_parents (self->user_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the folder %s: %s"),
                   self->user_dir, g_strerror (saved_errno));
      return FALSE;
    }
  file_name = g_strconcat (sesame_provider_get_id (provider), ".json", NULL);
  path = g_build_filename (self->user_dir, file_name, NULL);
  contents = to_json (definition);
  if (!g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;
  g_object_set_data (G_OBJECT (provider), PREPARED_DEFINITION, NULL);
  g_hash_table_replace (self->providers, g_strdup (sesame_provider_get_id (provider)),
                        g_object_ref (provider));
  return TRUE;
}
