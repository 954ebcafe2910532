/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-account-object.h: one account on the bus (dev.sesame.Account1) */
#pragma once

#include "sesame-broker.h"
#include "sesame-dbus-generated.h"

G_BEGIN_DECLS

#define SESAME_TYPE_ACCOUNT_OBJECT (sesame_account_object_get_type ())
G_DECLARE_FINAL_TYPE (SesameAccountObject, sesame_account_object, SESAME, ACCOUNT_OBJECT, GObject)

#define SESAME_ACCOUNTS_PATH SESAME_BROKER_PATH "/accounts/"

SesameAccountObject *sesame_account_object_new (SesameBroker      *broker,
                                                SesameCredentials *credentials);

SesameObjectSkeleton *sesame_account_object_get_skeleton    (SesameAccountObject *self);
SesameCredentials    *sesame_account_object_get_credentials (SesameAccountObject *self);
const char           *sesame_account_object_get_path        (SesameAccountObject *self);

G_END_DECLS
