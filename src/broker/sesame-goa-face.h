/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-goa-face.h: Sesame's accounts on org.gnome.OnlineAccounts, for GOA clients */
#pragma once

#include <gio/gio.h>

#include "sesame-access-control.h"
#include "sesame-account-object.h"

G_BEGIN_DECLS

#define SESAME_GOA_BUS_NAME "org.gnome.OnlineAccounts"
#define SESAME_GOA_PATH "/org/gnome/OnlineAccounts"

#define SESAME_TYPE_GOA_FACE (sesame_goa_face_get_type ())
G_DECLARE_FINAL_TYPE (SesameGoaFace, sesame_goa_face, SESAME, GOA_FACE, GObject)

/* Follows the GSettings key goa-compatible of @settings (NULL: off): while
 * it is on, owns org.gnome.OnlineAccounts on @connection unless another
 * program has it (then says so once in the log and stays out), and shows
 * the accounts of @accounts (id → SesameAccountObject, the broker's) whose
 * provider names a GOA provider type. */
SesameGoaFace *sesame_goa_face_new             (GDBusConnection     *connection,
                                                GSettings           *settings,
                                                SesameAccessControl *access_control,
                                                GHashTable          *accounts);
void           sesame_goa_face_account_added   (SesameGoaFace       *self,
                                                SesameAccountObject *object);
void           sesame_goa_face_account_removed (SesameGoaFace       *self,
                                                const char          *id);

G_END_DECLS
