/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-wall-clock.h: the time that grants' ends are kept and compared in */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Unix seconds, UTC. In a build with tests, the file named by the
 * environment variable SESAME_TEST_CLOCK_FILE may hold a number of seconds
 * added to it, so that tests see days pass at once; other builds ignore it. */
gint64 sesame_wall_clock_now (void);

G_END_DECLS
