/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-json.c: JSON text parsed as exactly one value, of valid UTF-8 */
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

/* Where the first value of @data ends (after a string, a balanced object or
 * array, or a bare word), or NULL when it does not end: then the text is
 * malformed anyway and json-glib says how. Strings are skipped with their
 * escapes, so that brackets inside them do not count; an escape JSON does
 * not have sets @bad_escape. */
static const char *
first_value_end (const char *p,
                 const char *end,
                 gboolean   *bad_escape)
{
  guint depth = 0;

  do
    {
      if (p == end)
        return NULL;
      if (*p == '"')
        {
          for (p++; p < end && *p != '"'; p++)
            if (*p == '\\')
              {
                gsize length = escape_length (p + 1, end);

                if (length == 0)
                  {
                    *bad_escape = TRUE;
                    return NULL;
                  }
                p += length;
              }
          if (p == end)
            return NULL;
        }
      else if (*p == '{' || *p == '[')
        depth++;
      else if (*p == '}' || *p == ']')
        {
          if (depth == 0)
            return NULL;
          depth--;
        }
      else if (depth == 0)
        {
          /* A bare word: true, null, a number. */
          while (p + 1 < end && !is_space (p[1]) && strchr ("{}[]\",:", p[1]) == NULL)
            p++;
        }
      p++;
    }
  while (depth > 0);
  return p;
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
  gboolean bad_escape = FALSE;
  const char *end, *p;

  g_return_val_if_fail (JSON_IS_PARSER (parser), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (data == NULL)
    data = "";
  if (length < 0)
    length = (gssize) strlen (data);
  end = data + length;

  for (p = data; p < end && is_space (*p); p++)
    ;
  if (p < end && (p = first_value_end (p, end, &bad_escape)) != NULL)
    {
      while (p < end && is_space (*p))
        p++;
      if (p < end)
        {
          g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
                               _("There is more after the JSON value."));
          return FALSE;
        }
    }
  if (bad_escape)
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_BAREWORD,
                           _("A JSON string holds an escape JSON does not have."));
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
