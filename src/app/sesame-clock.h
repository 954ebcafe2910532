/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-clock.h: one shared tick that keeps "in 42 minutes" current */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SESAME_TYPE_CLOCK (sesame_clock_get_type ())
G_DECLARE_FINAL_TYPE (SesameClock, sesame_clock, SESAME, CLOCK, GObject)

/* Emits "tick" every 15 seconds while anyone holds it. */
SesameClock *sesame_clock_dup_default (void);
/* Unix seconds, wall clock: expiry is wall-clock time, also across suspend. */
gint64       sesame_clock_now         (void);

G_END_DECLS
