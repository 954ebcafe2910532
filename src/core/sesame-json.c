/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-json.c: JSON text parsed as exactly one value, of valid UTF-8, and
 * typed reads of an object's members */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "sesame-json.h"

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
hex4 (const char *p,
      const char *end)
{
  int value = 0;

  if (end - p < 4)
    return -1;
  for (guint i = 0; i < 4; i++)
    {
      if (!g_ascii_isxdigit (p[i]))
        return -1;
      value = value * 16 + g_ascii_xdigit_value (p[i]);
    }
  return value;
}

/* How many characters after a backslash make a JSON escape (RFC 8259 §7),
 * a UTF-16 surrogate pair as one; 0 when they do not. json-glib 1.6 takes
 * other escapes ("\222" as octal), and leaks memory on a short \u or a
 * surrogate that is not half of a pair. */
static gsize
escape_length (const char *p,
               const char *end)
{
  int unit;

  if (p < end && *p != '\0' && strchr ("\"\\/bfnrt", *p) != NULL)
    return 1;
  if (p == end || *p != 'u' || (unit = hex4 (p + 1, end)) < 0)
    return 0;
  if (unit >= 0xdc00 && unit <= 0xdfff)
    return 0;
  if (unit < 0xd800 || unit > 0xdbff)
    return 5;
  if (end - p < 11 || p[5] != '\\' || p[6] != 'u' ||
      (unit = hex4 (p + 7, end)) < 0xdc00 || unit > 0xdfff)
    return 0;
  return 11;
}

/* JSON nested deeper than this is no answer of a provider nor a file of
 * Sesame's, and json-glib would recurse as deep. */
#define MAX_DEPTH 128

static gboolean read_value (const char **p,
                            const char  *end,
                            guint        depth);

static void
skip_space (const char **p,
            const char  *end)
{
  while (*p < end && is_space (**p))
    (*p)++;
}

static gboolean
read_string (const char **p,
             const char  *end)
{
  for ((*p)++; *p < end && **p != '"'; (*p)++)
    {
      if ((guchar) **p < 0x20)
        return FALSE;
      if (**p == '\\')
        {
          gsize length = escape_length (*p + 1, end);

          if (length == 0)
            return FALSE;
          *p += length;
        }
    }
  if (*p == end)
    return FALSE;
  (*p)++;
  return TRUE;
}

static gboolean
read_digits (const char **p,
             const char  *end)
{
  const char *start = *p;

  while (*p < end && g_ascii_isdigit (**p))
    (*p)++;
  return *p > start;
}

/* RFC 8259 §6 */
static gboolean
read_number (const char **p,
             const char  *end)
{
  if (**p == '-')
    (*p)++;
  if (*p < end && **p == '0')
    (*p)++;
  else if (!read_digits (p, end))
    return FALSE;
  if (*p < end && **p == '.' && ((*p)++, !read_digits (p, end)))
    return FALSE;
  if (*p < end && (**p == 'e' || **p == 'E'))
    {
      (*p)++;
      if (*p < end && (**p == '+' || **p == '-'))
        (*p)++;
      if (!read_digits (p, end))
        return FALSE;
    }
  return TRUE;
}

static gboolean
read_word (const char **p,
           const char  *end,
           const char  *word)
{
  gsize length = strlen (word);

  if ((gsize) (end - *p) < length || strncmp (*p, word, length) != 0)
    return FALSE;
  *p += length;
  return TRUE;
}

/* The members of an object (@close '}') or the elements of an array (']'). */
static gboolean
read_container (const char **p,
                const char  *end,
                char         close,
                guint        depth)
{
  (*p)++;
  skip_space (p, end);
  if (*p < end && **p == close)
    {
      (*p)++;
      return TRUE;
    }
  for (;;)
    {
      if (close == '}')
        {
          if (*p == end || **p != '"' || !read_string (p, end))
            return FALSE;
          skip_space (p, end);
          if (*p == end || **p != ':')
            return FALSE;
          (*p)++;
        }
      if (!read_value (p, end, depth + 1))
        return FALSE;
      if (*p < end && **p == ',')
        {
          (*p)++;
          skip_space (p, end);
          continue;
        }
      if (*p < end && **p == close)
        {
          (*p)++;
          return TRUE;
        }
      return FALSE;
    }
}

static gboolean
read_value (const char **p,
            const char  *end,
            guint        depth)
{
  gboolean read;

  skip_space (p, end);
  if (*p == end || depth > MAX_DEPTH)
    return FALSE;
  switch (**p)
    {
    case '{':
      read = read_container (p, end, '}', depth);
      break;
    case '[':
      read = read_container (p, end, ']', depth);
      break;
    case '"':
      read = read_string (p, end);
      break;
    case 't':
      read = read_word (p, end, "true");
      break;
    case 'f':
      read = read_word (p, end, "false");
      break;
    case 'n':
      read = read_word (p, end, "null");
      break;
    default:
      read = **p == '-' || g_ascii_isdigit (**p) ? read_number (p, end) : FALSE;
      break;
    }
  skip_space (p, end);
  return read;
}

/* Every string and member name of @node is UTF-8. The parser recursed as
 * deep to build it, so this does not go deeper. */
static gboolean
is_utf8 (JsonNode *node)
{
  if (node == NULL)
    return TRUE;
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &name, &member))
          if (!g_utf8_validate (name, -1, NULL) || !is_utf8 (member))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          if (!is_utf8 (json_array_get_element (array, i)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_VALUE:
      return json_node_get_value_type (node) != G_TYPE_STRING ||
             g_utf8_validate (json_node_get_string (node), -1, NULL);
    case JSON_NODE_NULL:
    default:
      return TRUE;
    }
}

gboolean
sesame_json_parser_load (JsonParser  *parser,
                         const char  *data,
                         gssize       length,
                         GError     **error)
{
  const char *end, *p;

  g_return_val_if_fail (JSON_IS_PARSER (parser), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (data == NULL)
    data = "";
  if (length < 0)
    length = (gssize) strlen (data);
  end = data + length;

  /* json-glib 1.6 takes what JSON does not allow, and leaks on most of
   * what it refuses: only strict JSON (RFC 8259) reaches it. Nothing but
   * white space is left to it: no root, which callers handle. */
  p = data;
  skip_space (&p, end);
  if (p < end && (!read_value (&p, end, 0) || p != end))
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
                           _("The text is not valid JSON."));
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, data, length, error))
    return FALSE;
  if (!is_utf8 (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           _("A JSON string is not valid UTF-8 once unescaped."));
      return FALSE;
    }
  return TRUE;
}

static JsonNode *
get_value (JsonObject *object,
           const char *name,
           GType       type)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != type)
    return NULL;
  return node;
}

gboolean
sesame_json_is_unset (JsonObject *object,
                      const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

const char *
sesame_json_get_string (JsonObject *object,
                        const char *name)
{
  JsonNode *node = get_value (object, name, G_TYPE_STRING);

  return node != NULL ? json_node_get_string (node) : NULL;
}

gboolean
sesame_json_get_int (JsonObject *object,
                     const char *name,
                     gint64     *value)
{
  JsonNode *node = get_value (object, name, G_TYPE_INT64);

  if (node == NULL)
    return FALSE;
  *value = json_node_get_int (node);
  return TRUE;
}

gboolean
sesame_json_get_boolean (JsonObject *object,
                         const char *name,
                         gboolean   *value)
{
  JsonNode *node = get_value (object, name, G_TYPE_BOOLEAN);

  if (node == NULL)
    return FALSE;
  *value = json_node_get_boolean (node);
  return TRUE;
}

static JsonArray *
get_array (JsonObject *object,
           const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static gboolean
node_is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

char **
sesame_json_dup_strv (JsonObject *object,
                      const char *name)
{
  JsonArray *array = get_array (object, name);
  g_autoptr(GStrvBuilder) builder = NULL;

  if (array == NULL)
    return NULL;
  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!node_is_string (element))
        return NULL;
      g_strv_builder_add (builder, json_node_get_string (element));
    }
  return g_strv_builder_end (builder);
}

char **
sesame_json_collect_strings (JsonObject *object,
                             const char *name)
{
  JsonArray *array = get_array (object, name);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (node_is_string (element))
        g_strv_builder_add (builder, json_node_get_string (element));
    }
  return g_strv_builder_end (builder);
}
