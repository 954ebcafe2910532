/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesamectl-qr.h: a QR code for the terminal, to open a sign-in address on a phone */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @text as a QR code drawn with half blocks and explicit colours (light
 * modules white, dark ones black, whatever the terminal's theme), two
 * module rows per line; NULL when it would be wider than @max_columns. */
char *sesamectl_qr_render (const char *text,
                           guint       max_columns);

G_END_DECLS
