/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-wall-clock.c: the time that grants' ends are kept and compared in */
#include "config.h"

#include "sesame-wall-clock.h"

#ifdef SESAME_TEST_HOOKS
/* Read at every call: a test moves the time of a running broker. The file
 * is tiny and local, and only tests set the variable. */
static gint64
test_offset (void)
{
  const char *path = g_getenv ("SESAME_TEST_CLOCK_FILE");
  g_autofree char *contents = NULL;
  gint64 offset = 0;

  if (path == NULL || !g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  offset = g_ascii_strtoll (g_strstrip (contents), NULL, 10);
  return offset;
}
#endif

gint64
sesame_wall_clock_now (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

#ifdef SESAME_TEST_HOOKS
  now += test_offset ();
#endif
  return now;
}
