/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-removal-note.h: what the app and sesamectl tell a person whose
 * provider cannot withdraw Sesame's access on Remove */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A sentence naming where to remove the access by hand: @manage_url, or
 * the account's security settings when it is NULL or empty. */
char *sesame_removal_note (const char *provider_name,
                           const char *manage_url);

G_END_DECLS
