/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-sign-in.h: one interactive authorization code sign-in, through the agent */
#pragma once

#include "sesame-agent-manager.h"
#include "sesame-oauth-client.h"

G_BEGIN_DECLS

/* Signs in on @provider's consent page, shown by the agent (embedded) or the
 * browser, with PKCE, state and iss checked, the redirect received by the
 * agent or a loopback listener, the code exchanged and the identity read.
 * @identity: the account's identity when signing in again (a hint to the
 * provider and the agent), else NULL. */
void         sesame_sign_in_async  (SesameAgentManager  *agents,
                                    SesameOAuthClient   *client,
                                    SesameProvider      *provider,
                                    const char * const  *scopes,
                                    const char          *login_hint,
                                    const char          *identity,
                                    gboolean             prefer_browser,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
SesameToken *sesame_sign_in_finish (GAsyncResult        *result,
                                    char               **identity,
                                    GError             **error);

G_END_DECLS
