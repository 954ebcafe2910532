/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-json.h: JSON text parsed as exactly one value, of valid UTF-8, and
 * typed reads of an object's members */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* json_parser_load_from_data(), but only for strict JSON (RFC 8259, nested
 * at most 128 deep) of one value whose strings are UTF-8: json-glib 1.6
 * takes more ("{…}{…}", keeping the last; "\222" as octal; "\ud800" as
 * half a character, which D-Bus refuses) and leaks memory on most of what
 * it refuses. Text of white space only loads without a root.
 * @length -1: NUL-terminated. */
gboolean sesame_json_parser_load (JsonParser  *parser,
                                  const char  *data,
                                  gssize       length,
                                  GError     **error);

/* Typed members: a member of another type counts as absent, so that a
 * number never reads as a string nor a string as a number. @object may be
 * NULL (no members). */

/* TRUE when @object has no member @name, or it is null: an optional
 * member left out. */
gboolean    sesame_json_is_unset    (JsonObject *object,
                                     const char *name);
/* The member's string, or NULL unless it is a string value. */
const char *sesame_json_get_string  (JsonObject *object,
                                     const char *name);
/* TRUE and @value set when the member is an integer (not a double);
 * @value is left alone otherwise. */
gboolean    sesame_json_get_int     (JsonObject *object,
                                     const char *name,
                                     gint64     *value);
/* TRUE and @value set when the member is true or false; @value is left
 * alone otherwise. */
gboolean    sesame_json_get_boolean (JsonObject *object,
                                     const char *name,
                                     gboolean   *value);
/* The member as an array of strings, or NULL unless it is an array whose
 * every element is a string. */
char      **sesame_json_dup_strv    (JsonObject *object,
                                     const char *name);
/* The strings among the member's elements, others skipped; empty unless
 * the member is an array. Never NULL. */
char      **sesame_json_collect_strings (JsonObject *object,
                                         const char *name);

G_END_DECLS
