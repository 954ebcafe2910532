/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-warden.h: keeps grants alive before their refresh tokens die
 * unused, and has the person told of those that broke or will */
#pragma once

#include <gio/gio.h>

#include "sesame-credentials.h"
#include "sesame-notifier.h"

G_BEGIN_DECLS

#define SESAME_TYPE_WARDEN (sesame_warden_get_type ())
G_DECLARE_FINAL_TYPE (SesameWarden, sesame_warden, SESAME, WARDEN, GObject)

SesameWarden *sesame_warden_new    (SesameNotifier    *notifier);
/* Watches @credentials' account from now on, and checks it after every
 * sign-in and refresh, and when it comes to need attention. */
void          sesame_warden_watch  (SesameWarden      *self,
                                    SesameCredentials *credentials);
void          sesame_warden_forget (SesameWarden      *self,
                                    SesameCredentials *credentials);
/* Checks every account now (soon after start), then daily and after every
 * resume from suspend. */
void          sesame_warden_start  (SesameWarden      *self);
/* Checks every account now. */
void          sesame_warden_check_all (SesameWarden   *self);

G_END_DECLS
