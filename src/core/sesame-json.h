/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-json.h: JSON text parsed as exactly one value, of valid UTF-8 */
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

G_END_DECLS
