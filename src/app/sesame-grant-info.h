/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-grant-info.h: one application's grant, as ListGrants describes it */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SESAME_TYPE_GRANT_INFO (sesame_grant_info_get_type ())
G_DECLARE_FINAL_TYPE (SesameGrantInfo, sesame_grant_info, SESAME, GRANT_INFO, GObject)

/* @description: one a{sv} of ListGrants */
SesameGrantInfo    *sesame_grant_info_new             (GVariant        *description);

const char         *sesame_grant_info_get_app_id      (SesameGrantInfo *self);
const char         *sesame_grant_info_get_app_name    (SesameGrantInfo *self);
/* "flatpak", "snap" or "host" */
const char         *sesame_grant_info_get_kind        (SesameGrantInfo *self);
const char         *sesame_grant_info_get_account     (SesameGrantInfo *self);
const char * const *sesame_grant_info_get_scopes      (SesameGrantInfo *self);
gint64              sesame_grant_info_get_granted_at  (SesameGrantInfo *self);
gint64              sesame_grant_info_get_last_used   (SesameGrantInfo *self);

gboolean            sesame_grant_info_same_grant      (SesameGrantInfo *self,
                                                       SesameGrantInfo *other);

/* Brings @store (of SesameGrantInfo) to the grants in @fresh, in their order,
 * keeping the object of every grant still there and updating it in place
 * (its "changed" signal says so): its row, and the keyboard focus in it, stay. */
void                sesame_grant_info_update_list     (GListStore      *store,
                                                       GPtrArray       *fresh);

G_END_DECLS
