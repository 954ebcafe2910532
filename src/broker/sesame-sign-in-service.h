/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-sign-in-service.h: interactive sign-ins through the agent, and who has how many */
#pragma once

#include <gio/gio.h>

#include "sesame-agent-manager.h"
#include "sesame-oauth-client.h"

G_BEGIN_DECLS

#define SESAME_TYPE_SIGN_IN_SERVICE (sesame_sign_in_service_get_type ())
G_DECLARE_FINAL_TYPE (SesameSignInService, sesame_sign_in_service, SESAME, SIGN_IN_SERVICE, GObject)

/* @settings: dev.sesame.Sesame (prefer-browser), or NULL for its defaults. */
SesameSignInService *sesame_sign_in_service_new (GDBusConnection    *connection,
                                                 SesameAgentManager *agents,
                                                 SesameOAuthClient  *client,
                                                 GSettings          *settings);

/* FALSE, having answered @invocation, when its caller has too many
 * interactive sign-ins in progress. */
gboolean      sesame_sign_in_service_check_quota  (SesameSignInService   *self,
                                                   GDBusMethodInvocation *invocation);
/* A cancellable that fires when the caller of @invocation leaves the bus;
 * the caller counts as having one more sign-in in progress while it lives. */
GCancellable *sesame_sign_in_service_watch_caller (SesameSignInService   *self,
                                                   GDBusMethodInvocation *invocation);

/* Interactive sign-in through the agent (for AddAccount and Reauthenticate);
 * @identity: the account's, when signing in again. @cancellable is from
 * sesame_sign_in_service_watch_caller(): the sign-in counts against its
 * caller's app, and fails (InvalidArgument) when the app has too many. */
void         sesame_sign_in_service_sign_in_async  (SesameSignInService  *self,
                                                    SesameProvider       *provider,
                                                    const char * const   *scopes,
                                                    const char           *login_hint,
                                                    const char           *identity,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
SesameToken *sesame_sign_in_service_sign_in_finish (SesameSignInService  *self,
                                                    GAsyncResult         *result,
                                                    char                **identity,
                                                    GError              **error);

G_END_DECLS
