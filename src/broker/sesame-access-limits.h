/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-access-limits.h: how much one app may ask the person, and when */
#pragma once

#include "sesame-caller.h"

G_BEGIN_DECLS

/* Counted per app (kind and id, as grants are), whatever its connections,
 * accounts, actions or the issuer and client id an add shows. */
#define SESAME_TYPE_ACCESS_LIMITS (sesame_access_limits_get_type ())
G_DECLARE_FINAL_TYPE (SesameAccessLimits, sesame_access_limits, SESAME, ACCESS_LIMITS, GObject)

SesameAccessLimits *sesame_access_limits_new     (void);

/* Whether @caller may be asked a new question now; if not, @error says
 * why: AccessDenied after a Deny, InvalidArgument with too many open. */
gboolean            sesame_access_limits_may_ask (SesameAccessLimits  *self,
                                                  SesameCaller        *caller,
                                                  GError             **error);
/* A question of @caller's is shown; it is closed when answered or withdrawn. */
void                sesame_access_limits_opened  (SesameAccessLimits  *self,
                                                  SesameCaller        *caller);
void                sesame_access_limits_closed  (SesameAccessLimits  *self,
                                                  SesameCaller        *caller);
/* The person denied a question of @caller's. */
void                sesame_access_limits_denied  (SesameAccessLimits  *self,
                                                  SesameCaller        *caller);

G_END_DECLS
