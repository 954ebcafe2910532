/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-caller.h: who is calling: a Flatpak app, a Snap or a host program */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SESAME_TYPE_CALLER (sesame_caller_get_type ())
G_DECLARE_FINAL_TYPE (SesameCaller, sesame_caller, SESAME, CALLER, GObject)

typedef enum {
  SESAME_CALLER_HOST,
  SESAME_CALLER_FLATPAK,
  SESAME_CALLER_SNAP,
} SesameCallerKind;

/* Notes, from now on, when each connection on @connection's bus is first
 * seen (its NameOwnerChanged; names already there: now), which identifying
 * needs. Call once, before the first call is handled. */
gboolean      sesame_caller_watch_bus       (GDBusConnection     *connection,
                                             GError             **error);

/* Identifies the process behind the unique bus name @sender from its D-Bus
 * credentials, as xdg-desktop-portal does, once for the connection's life.
 * The process must be proven the connection's own: the bus's ProcessFD, or
 * else a process that started before the connection was first seen. One
 * that cannot be proven, is gone or was replaced while the broker looked
 * is refused (AccessDenied), as is any on a bus not watched. */
void          sesame_caller_identify_async  (GDBusConnection     *connection,
                                             const char          *sender,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
SesameCaller *sesame_caller_identify_finish (GAsyncResult        *result,
                                             GError             **error);
/* The caller @sender was identified as, NULL when it was not (yet). */
SesameCaller *sesame_caller_lookup          (GDBusConnection     *connection,
                                             const char          *sender);
/* Whom limits count against: a sandboxed app by its kind and id, however
 * many connections it opens; a host program (or one not identified yet)
 * by its connection, @sender. */
char         *sesame_caller_get_limit_key   (GDBusConnection     *connection,
                                             const char          *sender);

/* For tests and the broker's own bookkeeping. */
SesameCaller *sesame_caller_new (SesameCallerKind  kind,
                                 const char       *app_id,
                                 const char       *app_name);

/* A Snap app from its AppArmor label ("snap.NAME.APP (enforce)"); NULL
 * for any other label. */
SesameCaller *sesame_caller_new_for_snap_label (const char *label);

SesameCallerKind sesame_caller_get_kind     (SesameCaller *self);
/* "flatpak", "snap" or "host" */
const char      *sesame_caller_get_kind_name (SesameCaller *self);
const char      *sesame_caller_get_app_id   (SesameCaller *self);
const char      *sesame_caller_get_app_name (SesameCaller *self);
gboolean         sesame_caller_is_sandboxed (SesameCaller *self);

/* The host program's app id: the id of the one desktop file under @dirs
 * (each an applications folder) whose Exec program resolves to @executable,
 * with its Name in @name; NULL when none or several match. */
char            *sesame_caller_find_desktop_file (const char          *executable,
                                                  const char * const  *dirs,
                                                  char               **name);

G_END_DECLS
