/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-json.h: JSON text parsed as exactly one value */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* json_parser_load_from_data(), but text holding more than one top-level
 * value ("{…}{…}") is refused: json-glib 1.6 takes the last of them and
 * leaks the others, and which one a reader sees should never be in doubt.
 * @length -1: NUL-terminated. Errors are JSON_PARSER_ERROR_PARSE. */
gboolean sesame_json_parser_load (JsonParser  *parser,
                                  const char  *data,
                                  gssize       length,
                                  GError     **error);

G_END_DECLS
