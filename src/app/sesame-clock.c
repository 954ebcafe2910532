/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-clock.c: one shared tick that keeps "in 42 minutes" current */
#include "config.h"

#include "sesame-clock.h"

#define TICK_SECONDS 15

struct _SesameClock
{
  GObject parent_instance;

  guint timeout_id;
};

G_DEFINE_FINAL_TYPE (SesameClock, sesame_clock, G_TYPE_OBJECT)

enum { TICK, N_SIGNALS };
static guint signals[N_SIGNALS];

static SesameClock *default_clock;

static void
sesame_clock_dispose (GObject *object)
{
  SesameClock *self = SESAME_CLOCK (object);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  G_OBJECT_CLASS (sesame_clock_parent_class)->dispose (object);
}

static void
sesame_clock_class_init (SesameClockClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sesame_clock_dispose;

  signals[TICK] = g_signal_new ("tick", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static gboolean
on_timeout (gpointer user_data)
{
  g_signal_emit (user_data, signals[TICK], 0);
  return G_SOURCE_CONTINUE;
}

static void
sesame_clock_init (SesameClock *self)
{
  self->timeout_id = g_timeout_add_seconds (TICK_SECONDS, on_timeout, self);
}

SesameClock *
sesame_clock_dup_default (void)
{
  if (default_clock != NULL)
    return g_object_ref (default_clock);
  default_clock = g_object_new (SESAME_TYPE_CLOCK, NULL);
  g_object_add_weak_pointer (G_OBJECT (default_clock), (gpointer *) &default_clock);
  return default_clock;
}

gint64
sesame_clock_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}
