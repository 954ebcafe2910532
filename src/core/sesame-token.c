/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-token.c: one token set, as a token endpoint answers it and one keyring item keeps it */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include <json-glib/json-glib.h>

#include "sesame-error.h"
#include "sesame-json.h"
#include "sesame-token.h"

G_DEFINE_BOXED_TYPE (SesameToken, sesame_token, sesame_token_copy, sesame_token_free)

void
sesame_secret_string_free (char *secret)
{
  if (secret == NULL)
    return;
  /* explicit_bzero() is not optimised away although the memory dies next */
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

static void
replace_secret (char       **field,
                const char  *value)
{
  sesame_secret_string_free (*field);
  *field = g_strdup (value);
}

SesameToken *
sesame_token_new (void)
{
  SesameToken *self = g_new0 (SesameToken, 1);

  self->scopes = g_new0 (char *, 1);
  return self;
}

SesameToken *
sesame_token_copy (const SesameToken *self)
{
  SesameToken *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (SesameToken, 1);
  copy->access_token = g_strdup (self->access_token);
  copy->refresh_token = g_strdup (self->refresh_token);
  copy->token_type = g_strdup (self->token_type);
  copy->id_token = g_strdup (self->id_token);
  copy->scopes = self->scopes != NULL ? g_strdupv (self->scopes) : g_new0 (char *, 1);
  copy->expires_at = self->expires_at;
  copy->client_secret = g_strdup (self->client_secret);
  copy->refresh_expires_in = self->refresh_expires_in;
  return copy;
}

void
sesame_token_free (SesameToken *self)
{
  if (self == NULL)
    return;

  sesame_secret_string_free (self->access_token);
  sesame_secret_string_free (self->refresh_token);
  sesame_secret_string_free (self->id_token);
  sesame_secret_string_free (self->client_secret);
  g_free (self->token_type);
  g_strfreev (self->scopes);
  g_free (self);
}

/* Reads an optional string member. A member that is absent or null leaves
 * @out NULL; any other type is an error. */
static gboolean
get_optional_string (JsonObject  *object,
                     const char  *name,
                     const char **out)
{
  *out = sesame_json_get_string (object, name);
  return *out != NULL || sesame_json_is_unset (object, name);
}

/* RFC 6749 §5.1 says "expires_in" is a number; some providers send it as
 * a string of digits, which is taken too (refresh_token_expires_in alike). */
static gboolean
get_lifetime (JsonObject *object,
              const char *name,
              gint64     *lifetime)
{
  JsonNode *node = json_object_get_member (object, name);
  guint64 value = 0;

  *lifetime = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      if (json_node_get_int (node) < 0 || json_node_get_int (node) > G_MAXINT32)
        return FALSE;
      *lifetime = json_node_get_int (node);
      return TRUE;

    case G_TYPE_DOUBLE:
      if (json_node_get_double (node) < 0 || json_node_get_double (node) > G_MAXINT32)
        return FALSE;
      *lifetime = (gint64) json_node_get_double (node);
      return TRUE;

    case G_TYPE_STRING:
      if (!g_ascii_string_to_unsigned (json_node_get_string (node), 10, 0, G_MAXINT32,
                                       &value, NULL))
        return FALSE;
      *lifetime = (gint64) value;
      return TRUE;

    default:
      return FALSE;
    }
}

/* RFC 6749 §3.3 separates scopes with spaces; GitHub uses commas. */
static char **
split_scopes (const char *scope)
{
  g_auto(GStrv) parts = g_strsplit_set (scope, " ,", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_strv_builder_add (builder, parts[i]);
  return g_strv_builder_end (builder);
}

static JsonObject *
parse_object (const char  *text,
              gssize       length,
              GQuark       domain,
              int          code,
              const char  *what,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  /* The parser's own message may quote the text, which holds secrets. */
  if (!sesame_json_parser_load (parser, text, length, NULL))
    {
      g_set_error (error, domain, code, _("%s is not valid JSON."), what);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, domain, code, _("%s is not a JSON object."), what);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

SesameToken *
sesame_token_new_from_response (const char          *body,
                                gsize                length,
                                const char * const  *requested_scopes,
                                gint64               now,
                                GError             **error)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(SesameToken) token = NULL;
  const char *access_token, *token_type, *refresh_token, *id_token, *scope;
  gint64 lifetime, refresh_lifetime;

  g_return_val_if_fail (body != NULL || length == 0, NULL);

  object = parse_object (body != NULL ? body : "", (gssize) length,
                         /* Translators: the subject of "%s is not valid JSON." */
                         SESAME_ERROR, SESAME_ERROR_PROVIDER, _("The token endpoint’s answer"),
                         error);
  if (object == NULL)
    return NULL;

  if (!get_optional_string (object, "access_token", &access_token) ||
      !get_optional_string (object, "token_type", &token_type) ||
      !get_optional_string (object, "refresh_token", &refresh_token) ||
      !get_optional_string (object, "id_token", &id_token) ||
      !get_optional_string (object, "scope", &scope) ||
      !get_lifetime (object, "expires_in", &lifetime) ||
      !get_lifetime (object, "refresh_token_expires_in", &refresh_lifetime))
    {
      g_set_error_literal (error, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                           _("The token response has a field of the wrong type."));
      return NULL;
    }
  if (access_token == NULL || access_token[0] == '\0' || token_type == NULL)
    {
      g_set_error_literal (error, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                           _("The token response lacks the access token or its type."));
      return NULL;
    }

  token = g_new0 (SesameToken, 1);
  token->access_token = g_strdup (access_token);
  token->token_type = g_strdup (token_type);
  token->refresh_token = g_strdup (refresh_token);
  token->id_token = g_strdup (id_token);
  /* A lifetime of 0 says nothing usable; it counts as none given. */
  token->expires_at = lifetime > 0 ? now + lifetime : 0;
  token->refresh_expires_in = refresh_lifetime;
  if (scope != NULL)
    token->scopes = split_scopes (scope);
  else if (requested_scopes != NULL)
    token->scopes = g_strdupv ((char **) requested_scopes);
  else
    token->scopes = g_new0 (char *, 1);

  return g_steal_pointer (&token);
}

/* Absent or null: none; otherwise an array of strings. */
static gboolean
read_secret_scopes (JsonObject   *object,
                    char       ***scopes)
{
  if (sesame_json_is_unset (object, "scopes"))
    *scopes = g_new0 (char *, 1);
  else
    *scopes = sesame_json_dup_strv (object, "scopes");
  return *scopes != NULL;
}

static gboolean
read_secret_expiry (JsonObject *object,
                    gint64     *expires_at)
{
  *expires_at = 0;
  return sesame_json_is_unset (object, "expires_at") ||
         sesame_json_get_int (object, "expires_at", expires_at);
}

SesameToken *
sesame_token_new_from_secret (const char  *secret,
                              GError     **error)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(SesameToken) token = NULL;
  const char *access_token, *refresh_token, *token_type, *id_token, *client_secret;

  g_return_val_if_fail (secret != NULL, NULL);

  object = parse_object (secret, -1, SESAME_ERROR, SESAME_ERROR_KEYRING,
                         /* Translators: the subject of "%s is not valid JSON." */
                         _("The account’s keyring item"), error);
  if (object == NULL)
    return NULL;

  token = g_new0 (SesameToken, 1);
  if (!get_optional_string (object, "access_token", &access_token) ||
      !get_optional_string (object, "refresh_token", &refresh_token) ||
      !get_optional_string (object, "token_type", &token_type) ||
      !get_optional_string (object, "id_token", &id_token) ||
      !get_optional_string (object, "client_secret", &client_secret) ||
      !read_secret_scopes (object, &token->scopes) ||
      !read_secret_expiry (object, &token->expires_at))
    {
      g_set_error_literal (error, SESAME_ERROR, SESAME_ERROR_KEYRING,
                           _("The account’s keyring item has a field of the wrong type."));
      return NULL;
    }

  token->access_token = g_strdup (access_token);
  token->refresh_token = g_strdup (refresh_token);
  token->token_type = g_strdup (token_type);
  token->id_token = g_strdup (id_token);
  token->client_secret = g_strdup (client_secret);
  return g_steal_pointer (&token);
}

static void
add_optional_string (JsonBuilder *builder,
                     const char  *name,
                     const char  *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

char *
sesame_token_to_secret (const SesameToken *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (builder);
  add_optional_string (builder, "access_token", self->access_token);
  add_optional_string (builder, "refresh_token", self->refresh_token);
  add_optional_string (builder, "token_type", self->token_type);
  add_optional_string (builder, "id_token", self->id_token);
  add_optional_string (builder, "client_secret", self->client_secret);

  json_builder_set_member_name (builder, "scopes");
  json_builder_begin_array (builder);
  for (guint i = 0; self->scopes != NULL && self->scopes[i] != NULL; i++)
    json_builder_add_string_value (builder, self->scopes[i]);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "expires_at");
  json_builder_add_int_value (builder, self->expires_at);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

gboolean
sesame_token_covers (const SesameToken  *self,
                     const char * const *scopes)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; scopes != NULL && scopes[i] != NULL; i++)
    if (self->scopes == NULL || !g_strv_contains ((const char * const *) self->scopes, scopes[i]))
      return FALSE;
  return TRUE;
}

void
sesame_token_update (SesameToken       *self,
                     const SesameToken *refreshed)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (refreshed != NULL);

  replace_secret (&self->access_token, refreshed->access_token);
  g_free (self->token_type);
  self->token_type = g_strdup (refreshed->token_type);
  self->expires_at = refreshed->expires_at;
  self->refresh_expires_in = refreshed->refresh_expires_in;

  if (refreshed->refresh_token != NULL)
    replace_secret (&self->refresh_token, refreshed->refresh_token);
  /* OpenID Connect Core §12.2: a refresh response may omit the ID token. */
  if (refreshed->id_token != NULL)
    replace_secret (&self->id_token, refreshed->id_token);
  /* A refresh that asked for no particular scopes and got no `scope` back
   * keeps the grant as it was (RFC 6749 §5.1). */
  if (refreshed->scopes != NULL && refreshed->scopes[0] != NULL)
    {
      g_strfreev (self->scopes);
      self->scopes = g_strdupv (refreshed->scopes);
    }
}
