/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-gui.c: the app with 1,000 accounts: time to the first frame that shows
 * them, and how long each scroll step takes to draw (figures, not pass/fail) */
#include "config.h"

#include <gtk/gtk.h>

#include "sesame-application.h"
#include "sesame-test-env.h"
#include "sesame-window.h"

#define N_ACCOUNTS 1000
#define N_STEPS 200

static gint64 painted_at;

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       user_data)
{
  painted_at = g_get_monotonic_time ();
}

static void
iterate_until (gboolean (*done) (gpointer),
               gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static gboolean
all_listed (gpointer app)
{
  SesameClient *client = sesame_application_get_client (app);

  return g_list_model_get_n_items (sesame_client_get_accounts (client)) == N_ACCOUNTS &&
         g_list_model_get_n_items (sesame_client_get_providers (client)) > 0 && painted_at > 0;
}

static gboolean
painted_since (gpointer since)
{
  return painted_at > *(gint64 *) since;
}

static GtkScrolledWindow *
find_scrolled (GtkWidget *widget)
{
  if (GTK_IS_SCROLLED_WINDOW (widget) && gtk_widget_get_mapped (widget))
    return GTK_SCROLLED_WINDOW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkScrolledWindow *found = find_scrolled (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static int
compare (gconstpointer a,
         gconstpointer b)
{
  return (int) (*(const gint64 *) a - *(const gint64 *) b);
}

/* Each step scrolls half a page, as a mouse wheel does, and waits for its frame. */
static void
measure_scrolling (GtkWindow *window)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (find_scrolled (GTK_WIDGET (window)));
  g_autoptr(GArray) steps = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < N_STEPS; i++)
    {
      gint64 start = g_get_monotonic_time ();
      double value = gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) / 2;
      gint64 took;

      if (value > gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment))
        value = 0;
      gtk_adjustment_set_value (adjustment, value);
      iterate_until (painted_since, &start);
      took = painted_at - start;
      g_array_append_val (steps, took);
    }
  g_array_sort (steps, compare);
  g_print ("Scrolling %u accounts, %u steps of half a page: median %.1f ms, 95th %.1f ms, "
           "worst %.1f ms per frame (a stall would be > 50 ms)\n", N_ACCOUNTS, N_STEPS,
           g_array_index (steps, gint64, N_STEPS / 2) / 1000.0,
           g_array_index (steps, gint64, N_STEPS * 95 / 100) / 1000.0,
           g_array_index (steps, gint64, N_STEPS - 1) / 1000.0);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(SesameApplication) app = NULL;
  SesameTestEnv *env;
  GtkWindow *window;
  gint64 start;

  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("DISPLAY") == NULL)
    {
      g_print ("No display: run under xvfb-run\n");
      return 0;
    }
  env = sesame_test_env_new (3600);
  sesame_test_env_write_accounts (env, N_ACCOUNTS);
  sesame_test_env_start_broker (env);

  app = sesame_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_hold (G_APPLICATION (app));
  start = g_get_monotonic_time ();
  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_nonnull (gtk_widget_get_frame_clock (GTK_WIDGET (window)));
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                    G_CALLBACK (on_after_paint), NULL);
  iterate_until (all_listed, app);
  {
    gint64 listed = g_get_monotonic_time ();

    iterate_until (painted_since, &listed);
  }
  g_print ("First frame showing %u accounts: %.0f ms after activation (target < 1000 ms)\n",
           N_ACCOUNTS, (painted_at - start) / 1000.0);
  measure_scrolling (window);

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  sesame_test_env_stop_broker (env);
  sesame_test_env_free (env);
  return 0;
}
