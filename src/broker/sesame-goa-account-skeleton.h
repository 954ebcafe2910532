/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-goa-account-skeleton.h: GOA's Account interface, whose properties only host programs write */
#pragma once

#include "sesame-access-control.h"
#include "sesame-goa-generated.h"

G_BEGIN_DECLS

#define SESAME_TYPE_GOA_ACCOUNT_SKELETON (sesame_goa_account_skeleton_get_type ())
G_DECLARE_FINAL_TYPE (SesameGoaAccountSkeleton, sesame_goa_account_skeleton, SESAME,
                      GOA_ACCOUNT_SKELETON, SesameGoaDBusAccountSkeleton)

/* org.gnome.OnlineAccounts.Account, as the generated skeleton serves it,
 * but a write to its properties (MailDisabled…) changes what every app
 * sees: it is made only for a caller @access_control identifies as a host
 * program; a sandboxed one gets AccessDenied and nothing changes. */
SesameGoaDBusAccount *sesame_goa_account_skeleton_new (SesameAccessControl *access_control);

G_END_DECLS
