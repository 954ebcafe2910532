/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-account-object.h: one account on the bus (dev.sesame.Account1) */
#pragma once

#include <gio/gio.h>

#include "sesame-access-control.h"
#include "sesame-account-keeper.h"
#include "sesame-credentials.h"
#include "sesame-sign-in-service.h"

G_BEGIN_DECLS

#define SESAME_TYPE_ACCOUNT_OBJECT (sesame_account_object_get_type ())
G_DECLARE_FINAL_TYPE (SesameAccountObject, sesame_account_object, SESAME, ACCOUNT_OBJECT, GObject)


/* The broker serves every account from one subtree registration (no
 * exported skeleton per account: 1,000 accounts stay small); this object
 * answers the calls and announces its property changes. @keeper owns the
 * object and forgets its account on Remove; @access_control decides who may
 * call; @sign_ins runs Reauthenticate's sign-in. */
SesameAccountObject *sesame_account_object_new (SesameAccountKeeper *keeper,
                                                SesameAccessControl *access_control,
                                                SesameSignInService *sign_ins,
                                                GDBusConnection     *connection,
                                                SesameCredentials   *credentials);

SesameCredentials *sesame_account_object_get_credentials (SesameAccountObject *self);
/* At start, for an account whose Remove was cut short: revokes again
 * (harmless when it was done), deletes the secret and the metadata; where
 * that fails, the account stays marked and says to remove it again. */
void               sesame_account_object_finish_removal  (SesameAccountObject *self);
const char        *sesame_account_object_get_path        (SesameAccountObject *self);
/* dev.sesame.Account1's properties, all (a{sv}) or one by its D-Bus name. */
GVariant          *sesame_account_object_get_properties  (SesameAccountObject *self);
GVariant          *sesame_account_object_get_property    (SesameAccountObject *self,
                                                          const char          *dbus_name);
void               sesame_account_object_handle_call     (SesameAccountObject   *self,
                                                          GDBusMethodInvocation *invocation);

G_END_DECLS
