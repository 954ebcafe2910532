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

/* When each step happened after activation, and the work GTK did for it. */
typedef struct {
  gint64 start;           /* activation */
  gint64 accounts_at;     /* all accounts in the model */
  gint64 accounts_done;   /* and the app done with them */
  gint64 providers_at;    /* the providers in the model */
  gint64 providers_done;  /* and the app done with them */
  gint64 frame_at;        /* the current frame's phases, as each ends */
  gint64 update_at;
  gint64 layout_at;
  guint n_setup;
  guint n_bind;
  guint n_unbind;
  guint n_teardown;
  GString *frames;        /* one line a frame that laid out or drew rows */
  guint binds_before;     /* n_bind when the frame began */
  gint64 first_bind_at;
  gint64 last_bind_at;
  gint64 ticked_at;       /* the main loop's last tick, and the time it spent busy */
  gint64 busy;
  guint ticker;
} Timeline;

static Timeline timeline;

static double
ms_since_start (gint64 time)
{
  return (time - timeline.start) / 1000.0;
}

static void
on_accounts_changed (GListModel *accounts)
{
  if (timeline.accounts_at == 0 && g_list_model_get_n_items (accounts) == N_ACCOUNTS)
    timeline.accounts_at = g_get_monotonic_time ();
}

static void
on_accounts_done (GListModel *accounts)
{
  if (timeline.accounts_done == 0 && g_list_model_get_n_items (accounts) == N_ACCOUNTS)
    timeline.accounts_done = g_get_monotonic_time ();
}

static void
on_providers_changed (GListModel *providers)
{
  if (timeline.providers_at == 0 && g_list_model_get_n_items (providers) > 0)
    timeline.providers_at = g_get_monotonic_time ();
}

static void
on_providers_done (GListModel *providers)
{
  if (timeline.providers_done == 0 && g_list_model_get_n_items (providers) > 0)
    timeline.providers_done = g_get_monotonic_time ();
}

static void
count (guint *counter)
{
  (*counter)++;
}

/* Every 5 ms while idle: whatever delays a tick is the app (or GTK) at work. */
static gboolean
tick (gpointer data)
{
  gint64 now = g_get_monotonic_time ();

  if (now - timeline.ticked_at > 10 * 1000)
    timeline.busy += now - timeline.ticked_at - 5 * 1000;
  timeline.ticked_at = now;
  return G_SOURCE_CONTINUE;
}

static void
on_bind (void)
{
  timeline.last_bind_at = g_get_monotonic_time ();
  if (timeline.first_bind_at == 0)
    timeline.first_bind_at = timeline.last_bind_at;
  timeline.n_bind++;
}

static void
on_before_paint (GdkFrameClock *clock)
{
  timeline.frame_at = g_get_monotonic_time ();
  timeline.binds_before = timeline.n_bind;
}

static void
on_update (GdkFrameClock *clock)
{
  timeline.update_at = g_get_monotonic_time ();
}

static void
on_layout (GdkFrameClock *clock)
{
  timeline.layout_at = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       user_data)
{
  painted_at = g_get_monotonic_time ();
  if (timeline.frames->len < 4000 && painted_at - timeline.frame_at > 10 * 1000)
    g_string_append_printf (timeline.frames, "  frame at %.0f ms: layout %.0f ms (%u rows bound), "
                            "paint %.0f ms\n", ms_since_start (timeline.frame_at),
                            (timeline.layout_at - timeline.update_at) / 1000.0,
                            timeline.n_bind - timeline.binds_before,
                            (painted_at - timeline.layout_at) / 1000.0);
}

/* After the app's own handlers: each phase's time ends with GTK's work in it. */
static void
watch_frames (GtkWidget *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_signal_connect_after (clock, "before-paint", G_CALLBACK (on_before_paint), NULL);
  g_signal_connect_after (clock, "update", G_CALLBACK (on_update), NULL);
  g_signal_connect_after (clock, "layout", G_CALLBACK (on_layout), NULL);
  g_signal_connect_after (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
}

static void
watch_models (SesameClient *client)
{
  g_signal_connect (sesame_client_get_accounts (client), "items-changed",
                    G_CALLBACK (on_accounts_changed), NULL);
  g_signal_connect_after (sesame_client_get_accounts (client), "items-changed",
                          G_CALLBACK (on_accounts_done), NULL);
  g_signal_connect (sesame_client_get_providers (client), "items-changed",
                    G_CALLBACK (on_providers_changed), NULL);
  g_signal_connect_after (sesame_client_get_providers (client), "items-changed",
                          G_CALLBACK (on_providers_done), NULL);
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

/* The first widget of @type under @widget (only a mapped one if @mapped;
 * a label saying @text if that is not NULL). */
static GtkWidget *
find_widget (GtkWidget  *widget,
             GType       type,
             gboolean    mapped,
             const char *text)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && (!mapped || gtk_widget_get_mapped (widget)) &&
      (text == NULL || (GTK_IS_LABEL (widget) &&
                        g_str_equal (gtk_label_get_text (GTK_LABEL (widget)), text))))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, mapped, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The accounts' page is on screen with every account in its model. */
static gboolean
all_listed (gpointer app)
{
  SesameClient *client = sesame_application_get_client (app);
  GtkWidget *window = GTK_WIDGET (gtk_application_get_active_window (app));

  return g_list_model_get_n_items (sesame_client_get_accounts (client)) == N_ACCOUNTS &&
         find_widget (window, GTK_TYPE_LIST_VIEW, TRUE, NULL) != NULL;
}

static gboolean
painted_since (gpointer since)
{
  return painted_at > *(gint64 *) since;
}

static gboolean
providers_listed (gpointer data)
{
  return timeline.providers_done > 0;
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
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (
    GTK_SCROLLED_WINDOW (find_widget (GTK_WIDGET (window), GTK_TYPE_SCROLLED_WINDOW, TRUE, NULL)));
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

/* Scrolled to its end, the list shows its last account (GTK 4.8 keeps rows
 * for 200 accounts: a list view without a scrollable parent shows no more). */
static void
print_end_of_list (GtkWindow    *window,
                   SesameClient *client)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (
    GTK_SCROLLED_WINDOW (find_widget (GTK_WIDGET (window), GTK_TYPE_SCROLLED_WINDOW, TRUE, NULL)));
  g_autoptr(SesameAccount1) account = g_list_model_get_item (sesame_client_get_accounts (client),
                                                              N_ACCOUNTS - 1);
  const char *last = sesame_account1_get_identity (account);

  for (guint i = 0; i < 3; i++)
    {
      gint64 start = g_get_monotonic_time ();

      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) -
                                            gtk_adjustment_get_page_size (adjustment));
      iterate_until (painted_since, &start);
    }
  g_print ("At the end of the list, the last account (%s) on screen: %s\n", last,
           find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, TRUE, last) != NULL ? "yes" : "no");
}

/* The rows the list view made and filled, through its factory's signals. */
static void
watch_rows (GtkWindow *window)
{
  GtkWidget *list = find_widget (GTK_WIDGET (window), GTK_TYPE_LIST_VIEW, FALSE, NULL);
  GtkListItemFactory *factory = gtk_list_view_get_factory (GTK_LIST_VIEW (list));

  g_signal_connect_swapped (factory, "setup", G_CALLBACK (count), &timeline.n_setup);
  g_signal_connect_swapped (factory, "bind", G_CALLBACK (on_bind), NULL);
  g_signal_connect_swapped (factory, "unbind", G_CALLBACK (count), &timeline.n_unbind);
  g_signal_connect_swapped (factory, "teardown", G_CALLBACK (count), &timeline.n_teardown);
}

static void
print_timeline (void)
{
  g_print ("  accounts in the model at %.0f ms (the app done with them at %.0f ms)\n",
           ms_since_start (timeline.accounts_at), ms_since_start (timeline.accounts_done));
  g_print ("  the main loop busy for %.0f ms of that time (in stretches over 5 ms)\n",
           timeline.busy / 1000.0);
  g_print ("%s", timeline.frames->str);
  g_print ("  until that frame: %u rows set up, %u bound (the first at %.0f ms, the last at "
           "%.0f ms), %u unbound, %u torn down\n", timeline.n_setup, timeline.n_bind,
           ms_since_start (timeline.first_bind_at), ms_since_start (timeline.last_bind_at),
           timeline.n_unbind, timeline.n_teardown);
}

/* The providers' icons: ListProviders may wait on a provider's discovery. */
static void
print_providers (void)
{
  iterate_until (providers_listed, NULL);
  iterate_until (painted_since, &timeline.providers_done);
  g_print ("  providers in the model at %.0f ms (the app done with them at %.0f ms), their "
           "icons in a frame at %.0f ms; %u rows set up and %u bound by then\n",
           ms_since_start (timeline.providers_at), ms_since_start (timeline.providers_done),
           ms_since_start (painted_at), timeline.n_setup, timeline.n_bind);
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
  sesame_test_env_install_accessibility_bus (env);
  sesame_test_env_write_accounts (env, N_ACCOUNTS);
  sesame_test_env_start_broker (env);

  app = sesame_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_hold (G_APPLICATION (app));
  timeline.frames = g_string_new (NULL);
  watch_models (sesame_application_get_client (app));
  start = timeline.start = timeline.ticked_at = g_get_monotonic_time ();
  timeline.ticker = g_timeout_add (5, tick, NULL);
  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_nonnull (gtk_widget_get_frame_clock (GTK_WIDGET (window)));
  watch_frames (GTK_WIDGET (window));
  watch_rows (window);
  iterate_until (all_listed, app);
  {
    gint64 listed = g_get_monotonic_time ();

    iterate_until (painted_since, &listed);
  }
  g_print ("First frame showing %u accounts: %.0f ms after activation (target < 1000 ms)\n",
           N_ACCOUNTS, (painted_at - start) / 1000.0);
  g_source_remove (timeline.ticker);
  print_timeline ();
  print_providers ();
  measure_scrolling (window);
  print_end_of_list (window, sesame_application_get_client (app));

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  sesame_test_env_stop_broker (env);
  sesame_test_env_free (env);
  return 0;
}
