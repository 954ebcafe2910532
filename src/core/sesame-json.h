/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-json.h: JSON text parsed as exactly one value, of valid UTF-8 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* json_parser_load_from_data(), but refusing what json-glib 1.6 takes and
 * should not: text holding more than one top-level value ("{…}{…}"; it
 * keeps the last and leaks the others, and which one a reader sees should
 * never be in doubt), and strings that are not UTF-8 once unescaped (it
 * reads "\222" as an octal escape and "\ud800" as half a character, and
 * D-Bus refuses such text), and escapes JSON does not have (it leaks on a
 * short "\u"). @length -1: NUL-terminated. */
gboolean sesame_json_parser_load (JsonParser  *parser,
                                  const char  *data,
                                  gssize       length,
                                  GError     **error);

G_END_DECLS
