/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-client.h: the app's view of the broker: accounts, providers, grants */
#pragma once

#include <gio/gio.h>

#include "sesame-bus-names.h"
#include "sesame-dbus-generated.h"
#include "sesame-provider-info.h"

G_BEGIN_DECLS


typedef enum {
  SESAME_CLIENT_CONNECTING,
  SESAME_CLIENT_READY,
  SESAME_CLIENT_FAILED,
} SesameClientState;

#define SESAME_TYPE_CLIENT (sesame_client_get_type ())
G_DECLARE_FINAL_TYPE (SesameClient, sesame_client, SESAME, CLIENT, GObject)

SesameClient       *sesame_client_new                (void);
/* Connects to the session bus and starts the broker (D-Bus activation) when
 * it is not running; "state" says how that went. */
void                sesame_client_start              (SesameClient *self);
/* After a failure: tries to reach (and start) the broker again. */
void                sesame_client_retry              (SesameClient *self);

SesameClientState   sesame_client_get_state          (SesameClient *self);
/* Why the broker cannot be reached, in a sentence; NULL unless FAILED. */
const char         *sesame_client_get_error_message  (SesameClient *self);
GDBusConnection    *sesame_client_get_connection     (SesameClient *self);
SesameBroker1      *sesame_client_get_broker         (SesameClient *self);
/* The broker's unique bus name: the only caller the agent answers. */
const char         *sesame_client_get_broker_owner   (SesameClient *self);

/* SesameAccount1 proxies, sorted by provider and identity, following the broker live. */
GListModel         *sesame_client_get_accounts       (SesameClient *self);
SesameAccount1     *sesame_client_lookup_account     (SesameClient *self,
                                                      const char   *object_path);
/* SesameProviderInfo, as ListProviders gave them. */
GListModel         *sesame_client_get_providers      (SesameClient *self);
SesameProviderInfo *sesame_client_lookup_provider    (SesameClient *self,
                                                      const char   *id);
/* SesameGrantInfo of every account, listed again when the broker says they changed. */
GListModel         *sesame_client_get_grants         (SesameClient *self);

/* A broker error as a sentence for people: the broker's own message for its
 * errors, a general one for the bus's. */
char               *sesame_client_describe_error     (const GError *error);
gboolean            sesame_client_error_is_cancelled (const GError *error);

G_END_DECLS
