/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-notifier.h: desktop notifications of broken and dying grants */
#pragma once

#include <gio/gio.h>

#include "sesame-account.h"

G_BEGIN_DECLS

#define SESAME_TYPE_NOTIFIER (sesame_notifier_get_type ())
G_DECLARE_FINAL_TYPE (SesameNotifier, sesame_notifier, SESAME, NOTIFIER, GObject)

/* @settings NULL: the defaults (notifications on). */
SesameNotifier *sesame_notifier_new (GDBusConnection *connection,
                                     GSettings       *settings);

/* Tells the person that @account needs them to sign in again, once per
 * episode: it marks the account once the notification is shown. */
void sesame_notifier_attention   (SesameNotifier *self,
                                  SesameAccount  *account);
/* Tells the person by when to sign in again to @account, once per end. */
void sesame_notifier_coming_end  (SesameNotifier *self,
                                  SesameAccount  *account);

G_END_DECLS
