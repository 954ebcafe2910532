/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-invocation.h: answering a method call: its errors, its scopes, its caller's access */
#pragma once

#include <gio/gio.h>

#include "sesame-access-control.h"

G_BEGIN_DECLS

/* Answers @invocation with @error, never leaking a non-Sesame error name. */
void     sesame_invocation_return_error       (GDBusMethodInvocation *invocation,
                                               GError                *error);

/* FALSE, having answered @invocation, unless every scope is a valid
 * RFC 6749 §3.3 scope-token and they are not absurdly many or long. */
gboolean sesame_invocation_check_scopes       (GDBusMethodInvocation *invocation,
                                               const char * const    *scopes);

/* What a caller sent, for an error message: short, whatever it sent. */
char    *sesame_invocation_shorten            (const char            *text);

/* May the caller of @invocation do @access with @credentials (NULL for
 * ADD, then @provider is what is added)? Finish with
 * sesame_access_control_check_finish(). The one call into the access
 * control's question, for every method that hands out, changes, adds or
 * removes an account. */
void     sesame_invocation_check_access_async (GDBusMethodInvocation *invocation,
                                               SesameAccessControl   *access_control,
                                               SesameAccess           access,
                                               SesameCredentials     *credentials,
                                               SesameProvider        *provider,
                                               const char * const    *scopes,
                                               GAsyncReadyCallback    callback,
                                               gpointer               user_data);

/* Once the caller of @invocation may do @access (asked as
 * sesame_invocation_check_access_async() asks): a token for the scopes its
 * token carries (a sandboxed app asking for none: its grant's), the
 * caller's grant noting whether the provider narrowed it. NULL @scopes with
 * @refresh_now: Refresh(), the whole grant, whoever asks. */
void     sesame_invocation_get_token_async    (GDBusMethodInvocation *invocation,
                                               SesameAccessControl   *access_control,
                                               SesameAccess           access,
                                               SesameCredentials     *credentials,
                                               const char * const    *scopes,
                                               gboolean               refresh_now,
                                               GAsyncReadyCallback    callback,
                                               gpointer               user_data);
gboolean sesame_invocation_get_token_finish   (GAsyncResult          *result,
                                               char                 **token,
                                               gint64                *expires_at,
                                               GError               **error);

G_END_DECLS
