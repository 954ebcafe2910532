/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-loopback-listener.h: the loopback redirect listener of one sign-in (RFC 8252 §7.3) */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SESAME_TYPE_LOOPBACK_LISTENER (sesame_loopback_listener_get_type ())
G_DECLARE_FINAL_TYPE (SesameLoopbackListener, sesame_loopback_listener, SESAME, LOOPBACK_LISTENER, GObject)

/* Decides on one callback: TRUE when it belongs to the sign-in (it then
 * ends, @error telling how when it failed); FALSE for a stray or forged
 * request, which is answered 400 and changes nothing. */
typedef gboolean (*SesameLoopbackFunc) (const char  *uri,
                                        GError     **error,
                                        gpointer     user_data);

/* Listens on 127.0.0.1 on an ephemeral port, for @path only. */
SesameLoopbackListener *sesame_loopback_listener_new (const char          *path,
                                                      SesameLoopbackFunc   func,
                                                      gpointer             user_data,
                                                      GError             **error);
guint  sesame_loopback_listener_get_port (SesameLoopbackListener *self);
/* Stops listening; the port is closed at once. */
void   sesame_loopback_listener_close    (SesameLoopbackListener *self);

G_END_DECLS
