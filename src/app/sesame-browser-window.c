/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-browser-window.c: "continue in your browser" while the broker waits for the redirect */
#include "config.h"

#include <glib/gi18n.h>

#include "sesame-browser-window.h"

struct _SesameBrowserWindow
{
  AdwWindow parent_instance;

  AdwToastOverlay *toasts;
  AdwStatusPage *status;

  char *authorization_url;
  gboolean cancelled;
};

G_DEFINE_FINAL_TYPE (SesameBrowserWindow, sesame_browser_window, ADW_TYPE_WINDOW)

enum { CANCELLED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
cancel (SesameBrowserWindow *self)
{
  if (self->cancelled)
    return;
  self->cancelled = TRUE;
  g_signal_emit (self, signals[CANCELLED], 0);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  cancel (SESAME_BROWSER_WINDOW (widget));
  gtk_window_destroy (GTK_WINDOW (widget));
}

static void
copy_link_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SesameBrowserWindow *self = SESAME_BROWSER_WINDOW (widget);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->authorization_url);
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (_("Link copied")));
}

static gboolean
sesame_browser_window_close_request (GtkWindow *window)
{
  cancel (SESAME_BROWSER_WINDOW (window));
  return GTK_WINDOW_CLASS (sesame_browser_window_parent_class)->close_request (window);
}

static void
sesame_browser_window_finalize (GObject *object)
{
  SesameBrowserWindow *self = SESAME_BROWSER_WINDOW (object);

  g_free (self->authorization_url);

  G_OBJECT_CLASS (sesame_browser_window_parent_class)->finalize (object);
}

static void
sesame_browser_window_class_init (SesameBrowserWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = sesame_browser_window_finalize;
  GTK_WINDOW_CLASS (klass)->close_request = sesame_browser_window_close_request;

  signals[CANCELLED] = g_signal_new ("cancelled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/dev/sesame/Sesame/sesame-browser-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SesameBrowserWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, SesameBrowserWindow, status);
  gtk_widget_class_install_action (widget_class, "browser.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "browser.copy-link", NULL, copy_link_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "browser.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK,
                                       "browser.copy-link", NULL);
}

static void
sesame_browser_window_init (SesameBrowserWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

static void
on_launched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SesameBrowserWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (gtk_show_uri_full_finish (GTK_WINDOW (source), result, &error))
    return;
  g_warning ("Could not open the web browser: %s", error->message);
  adw_status_page_set_description (self->status,
                                   _("Sesame could not open your web browser. Copy the link and "
                                     "open it in your browser yourself."));
}

SesameBrowserWindow *
sesame_browser_window_new (GtkApplication *application,
                           const char     *provider_name,
                           const char     *authorization_url)
{
  SesameBrowserWindow *self = g_object_new (SESAME_TYPE_BROWSER_WINDOW,
                                            "application", application, NULL);
  g_autofree char *description = NULL;

  self->authorization_url = g_strdup (authorization_url);
  /* Translators: %s is a provider, "Google" */
  description = g_strdup_printf (_("Sign in to %s in the browser window that opened. Sesame adds "
                                   "the account when you are done, and this window closes."),
                                 provider_name);
  adw_status_page_set_description (self->status, description);
  gtk_window_present (GTK_WINDOW (self));
  /* Through the OpenURI portal when Sesame runs in a sandbox. */
  gtk_show_uri_full (GTK_WINDOW (self), authorization_url, GDK_CURRENT_TIME, NULL, on_launched,
                     g_object_ref (self));
  return self;
}
