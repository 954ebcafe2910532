/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-broker.h: the D-Bus service: dev.sesame.Broker1 and the account objects */
#pragma once

#include <gio/gio.h>

#include "sesame-access-control.h"
#include "sesame-bus-names.h"
#include "sesame-credentials.h"
#include "sesame-provider.h"

G_BEGIN_DECLS


#define SESAME_TYPE_BROKER (sesame_broker_get_type ())
G_DECLARE_FINAL_TYPE (SesameBroker, sesame_broker, SESAME, BROKER, GObject)

/* Loads the providers and the account metadata (no secrets) and exports
 * every object on @connection. */
SesameBroker *sesame_broker_new (GDBusConnection  *connection,
                                 GError          **error);
/* Writes the metadata not yet on disk (before exiting). */
void          sesame_broker_flush (SesameBroker *self);

/* The one place where the broker decides whether the caller of
 * @invocation may do @access with @account (NULL for ADD, then @provider
 * is what is added). */
void     sesame_broker_check_access_async  (SesameBroker          *self,
                                            GDBusMethodInvocation *invocation,
                                            SesameAccess           access,
                                            SesameCredentials     *account,
                                            SesameProvider        *provider,
                                            const char * const    *scopes,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data);
gboolean sesame_broker_check_access_finish (SesameBroker          *self,
                                            GAsyncResult          *result,
                                            GError               **error);

/* The same decision when it needs no question and no I/O: TRUE when the
 * caller may go ahead at once (the fast path of cached tokens). */
gboolean sesame_broker_check_access_now (SesameBroker          *self,
                                         GDBusMethodInvocation *invocation,
                                         SesameAccess           access,
                                         SesameCredentials     *account,
                                         const char * const    *scopes);

/* A cancellable that fires when the caller of @invocation leaves the bus;
 * the caller counts as having one more request in progress while it lives. */
GCancellable *sesame_broker_watch_caller (SesameBroker          *self,
                                          GDBusMethodInvocation *invocation);
/* FALSE, having answered @invocation, when its caller has too many
 * interactive sign-ins in progress. */
gboolean      sesame_broker_check_sign_in_quota (SesameBroker          *self,
                                                 GDBusMethodInvocation *invocation);

/* Interactive sign-in through the agent (for AddAccount and Reauthenticate). */
void         sesame_broker_sign_in_async  (SesameBroker        *self,
                                           SesameProvider      *provider,
                                           const char * const  *scopes,
                                           const char          *login_hint,
                                           const char          *identity,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
SesameToken *sesame_broker_sign_in_finish (SesameBroker        *self,
                                           GAsyncResult        *result,
                                           char               **identity,
                                           GError             **error);

/* Forgets an account's metadata and object (its secret is already gone). */
void     sesame_broker_forget_account_async  (SesameBroker        *self,
                                              SesameCredentials   *account,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean sesame_broker_forget_account_finish (SesameBroker        *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* Checks a scope list from a caller: every scope a valid RFC 6749 §3.3
 * scope-token, and not absurdly many or long. */
gboolean sesame_broker_check_scopes (const char * const *scopes,
                                     GError            **error);

/* Answers @invocation with @error, never leaking a non-Sesame error name. */
void     sesame_broker_return_error (GDBusMethodInvocation *invocation,
                                     GError                *error);

G_END_DECLS
