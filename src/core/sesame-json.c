/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-json.c: JSON text parsed as exactly one value */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "sesame-json.h"

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Where the first value of @data ends (after a string, a balanced object or
 * array, or a bare word), or NULL when it does not end: then the text is
 * malformed anyway and json-glib says how. Strings are skipped with their
 * escapes, so that brackets inside them do not count. */
static const char *
first_value_end (const char *p,
                 const char *end)
{
  guint depth = 0;

  do
    {
      if (p == end)
        return NULL;
      if (*p == '"')
        {
          for (p++; p < end && *p != '"'; p++)
            if (*p == '\\' && p + 1 < end)
              p++;
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

  for (p = data; p < end && is_space (*p); p++)
    ;
  if (p < end && (p = first_value_end (p, end)) != NULL)
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
  return json_parser_load_from_data (parser, data, length, error);
}
