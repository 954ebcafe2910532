/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-access-control.h: may this caller do this with that account? */
#pragma once

#include "sesame-agent-manager.h"
#include "sesame-caller.h"
#include "sesame-credentials.h"
#include "sesame-grant-store.h"

G_BEGIN_DECLS

/* What a caller may do with an account (DESIGN.md, "Which applications may
 * use an account"). */
typedef enum {
  SESAME_ACCESS_USE,      /* get tokens */
  SESAME_ACCESS_MANAGE,   /* Refresh, Reauthenticate: needs a grant */
  SESAME_ACCESS_REMOVE,
  SESAME_ACCESS_ADD,
} SesameAccess;

#define SESAME_TYPE_ACCESS_CONTROL (sesame_access_control_get_type ())
G_DECLARE_FINAL_TYPE (SesameAccessControl, sesame_access_control, SESAME, ACCESS_CONTROL, GObject)

/* @settings: dev.sesame.Sesame (ask-host-apps), or NULL for its defaults. */
SesameAccessControl *sesame_access_control_new (GDBusConnection    *connection,
                                                SesameAgentManager *agents,
                                                SesameGrantStore   *grants,
                                                GSettings          *settings);

/* The caller behind a unique bus name, identified once while it stays. */
void          sesame_access_control_identify_async  (SesameAccessControl *self,
                                                     const char          *sender,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
SesameCaller *sesame_access_control_identify_finish (SesameAccessControl *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
/* A cancellable, owned by @self, that fires when @sender leaves the bus
 * (for checks that may wait on a question). */
GCancellable *sesame_access_control_get_leaving     (SesameAccessControl *self,
                                                     const char          *sender);

/* Decides without a question or I/O: TRUE when the caller, already
 * identified, may go ahead now; a USE is then recorded as last-used. */
gboolean sesame_access_control_check_now    (SesameAccessControl *self,
                                             const char          *sender,
                                             SesameAccess         access,
                                             SesameCredentials   *credentials,
                                             const char * const  *scopes);
/* The scopes the token for @sender (identified and allowed) carries: what
 * it asked for; a sandboxed app asking for none gets its grant's
 * (DESIGN.md, Tokens per scope set). */
char   **sesame_access_control_dup_token_scopes (SesameAccessControl *self,
                                                 const char          *sender,
                                                 SesameCredentials   *credentials,
                                                 const char * const  *scopes);
/* Records on @sender's grant whether its token carried no more than it
 * asked for. */
void     sesame_access_control_note_narrowed    (SesameAccessControl *self,
                                                 const char          *sender,
                                                 SesameCredentials   *credentials,
                                                 gboolean             narrowed);
/* Decides, asking the person through the agent (ConfirmAccess) where
 * needed; Allow is remembered as a grant, Deny is AccessDenied. @credentials
 * is NULL for ADD, then @provider names what is added. When @cancellable
 * fires, the check ends with Cancelled, and a question nobody else waits
 * for is withdrawn (Agent1.Cancel): a later answer stores no grant. */
void     sesame_access_control_check_async  (SesameAccessControl *self,
                                             const char          *sender,
                                             SesameAccess         access,
                                             SesameCredentials   *credentials,
                                             SesameProvider      *provider,
                                             const char * const  *scopes,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* As sesame_access_control_check_async() for an add of @provider; the
 * question also shows @details (a{sv}: `issuer`, `client-id`), which a
 * sign-in would write into the person's provider files, and a question is
 * shared only by adds that show the same. Finish with
 * sesame_access_control_check_finish(). */
void     sesame_access_control_check_add_async (SesameAccessControl *self,
                                                const char          *sender,
                                                SesameProvider      *provider,
                                                const char * const  *scopes,
                                                GVariant            *details,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean sesame_access_control_check_finish (SesameAccessControl *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* A sandboxed app the person allowed to add an account holds a grant for
 * the scopes it was shown (@shown), those the account was granted. */
void     sesame_access_control_added        (SesameAccessControl *self,
                                             const char          *sender,
                                             SesameCredentials   *credentials,
                                             const char * const  *shown);

G_END_DECLS
