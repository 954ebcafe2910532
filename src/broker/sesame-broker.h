/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-broker.h: the D-Bus service: dev.sesame.Broker1 and the account objects */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SESAME_TYPE_BROKER (sesame_broker_get_type ())
G_DECLARE_FINAL_TYPE (SesameBroker, sesame_broker, SESAME, BROKER, GObject)

/* Loads the providers and the account metadata (no secrets) and exports
 * every object on @connection. */
SesameBroker *sesame_broker_new   (GDBusConnection  *connection,
                                   GError          **error);
/* Writes the metadata not yet on disk (before exiting). */
void          sesame_broker_flush (SesameBroker     *self);

G_END_DECLS
