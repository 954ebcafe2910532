/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-consent-window.c: the provider's sign-in page in an ephemeral web view */
#include "config.h"

#include <glib/gi18n.h>
#include <webkit/webkit.h>

#include "sesame-consent-window.h"

struct _SesameConsentWindow
{
  AdwWindow parent_instance;

  GtkImage *security_icon;
  AdwWindowTitle *window_title;
  GtkStack *stack;
  GtkOverlay *web_overlay;
  GtkProgressBar *progress;
  AdwStatusPage *error_page;

  WebKitWebView *web_view;
  char *redirect_uri;
  gboolean finished;   /* a signal was emitted: nothing more is reported */
};

G_DEFINE_FINAL_TYPE (SesameConsentWindow, sesame_consent_window, ADW_TYPE_WINDOW)

enum { REDIRECTED, CANCELLED, OPEN_IN_BROWSER, N_SIGNALS };
static guint signals[N_SIGNALS];

gboolean
sesame_consent_window_is_redirect (const char *uri,
                                   const char *redirect_uri)
{
  gsize length = strlen (redirect_uri);

  return g_ascii_strncasecmp (uri, redirect_uri, length) == 0 &&
         (uri[length] == '\0' || uri[length] == '?' || uri[length] == '#');
}

static gboolean
host_is_loopback (const char *host)
{
  return host != NULL && (g_str_equal (host, "127.0.0.1") || g_str_equal (host, "[::1]") ||
                          g_str_equal (host, "::1") || g_ascii_strcasecmp (host, "localhost") == 0);
}

gboolean
sesame_consent_window_may_navigate (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  const char *scheme;

  if (parsed == NULL)
    return FALSE;
  scheme = g_uri_get_scheme (parsed);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;
  if (g_ascii_strcasecmp (scheme, "http") == 0)
    return host_is_loopback (g_uri_get_host (parsed));
  return g_ascii_strcasecmp (scheme, "about") == 0 || g_ascii_strcasecmp (scheme, "data") == 0 ||
         g_ascii_strcasecmp (scheme, "blob") == 0;
}

static void
finish (SesameConsentWindow *self,
        guint                signal,
        const char          *uri)
{
  if (self->finished)
    return;
  self->finished = TRUE;
  if (uri != NULL)
    g_signal_emit (self, signals[signal], 0, uri);
  else
    g_signal_emit (self, signals[signal], 0);
}

static void
show_error (SesameConsentWindow *self,
            const char          *icon_name,
            const char          *title,
            const char          *description)
{
  webkit_web_view_stop_loading (self->web_view);
  adw_status_page_set_icon_name (self->error_page, icon_name);
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, description);
  gtk_stack_set_visible_child_name (self->stack, "error");
  gtk_widget_set_visible (GTK_WIDGET (self->progress), FALSE);
}

static void
refuse (SesameConsentWindow *self,
        const char          *uri)
{
  g_autofree char *description = NULL;

  /* Translators: %s is a web address */
  description = g_strdup_printf (_("The sign-in page tried to open %s, which is not a secure "
                                   "address. Sesame stopped it to keep your account safe. Cancel, "
                                   "and try again, or sign in with your web browser."), uri);
  show_error (self, "channel-insecure-symbolic", _("Unsafe Page Blocked"), description);
}

/* Every navigation, in the page or in a pop-up, passes here: the redirect is
 * intercepted and returned, never loaded; an unsafe address is refused. */
static gboolean
on_decide_policy (WebKitWebView            *web_view,
                  WebKitPolicyDecision     *decision,
                  WebKitPolicyDecisionType  type,
                  SesameConsentWindow      *self)
{
  WebKitNavigationAction *action;
  const char *uri;

  if (type == WEBKIT_POLICY_DECISION_TYPE_RESPONSE)
    return FALSE;
  action = webkit_navigation_policy_decision_get_navigation_action (WEBKIT_NAVIGATION_POLICY_DECISION (decision));
  uri = webkit_uri_request_get_uri (webkit_navigation_action_get_request (action));

  if (sesame_consent_window_is_redirect (uri, self->redirect_uri))
    {
      webkit_policy_decision_ignore (decision);
      finish (self, REDIRECTED, uri);
      return TRUE;
    }
  if (!sesame_consent_window_may_navigate (uri))
    {
      webkit_policy_decision_ignore (decision);
      refuse (self, uri);
      return TRUE;
    }
  /* A pop-up opens in this window: the sign-in stays in one place. */
  if (type == WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION)
    {
      webkit_policy_decision_ignore (decision);
      webkit_web_view_load_uri (web_view, uri);
      return TRUE;
    }
  webkit_policy_decision_use (decision);
  return TRUE;
}

static gboolean
on_tls_error (WebKitWebView        *web_view,
              const char           *failing_uri,
              GTlsCertificate      *certificate,
              GTlsCertificateFlags  errors,
              SesameConsentWindow  *self)
{
  g_autoptr(GUri) uri = g_uri_parse (failing_uri, G_URI_FLAGS_NONE, NULL);
  g_autofree char *description = NULL;

  /* Translators: %s is a host name */
  description = g_strdup_printf (_("Sesame could not verify that it is talking to %s, so it "
                                   "stopped before you entered anything. Check that this "
                                   "computer’s date and time are right, or try again on another "
                                   "network."), uri != NULL ? g_uri_get_host (uri) : failing_uri);
  show_error (self, "channel-insecure-symbolic", _("Connection Not Secure"), description);
  return TRUE;  /* handled: there is no way past it */
}

static gboolean
on_load_failed (WebKitWebView       *web_view,
                WebKitLoadEvent      event,
                const char          *failing_uri,
                GError              *error,
                SesameConsentWindow *self)
{
  /* Navigations ignored in decide-policy end here too. */
  if (g_error_matches (error, WEBKIT_NETWORK_ERROR, WEBKIT_NETWORK_ERROR_CANCELLED) ||
      g_error_matches (error, WEBKIT_POLICY_ERROR, WEBKIT_POLICY_ERROR_FRAME_LOAD_INTERRUPTED_BY_POLICY_CHANGE) ||
      self->finished || g_str_equal (gtk_stack_get_visible_child_name (self->stack), "error"))
    return TRUE;
  show_error (self, "network-error-symbolic", _("Sign-In Page Not Available"),
              _("The provider’s sign-in page could not be loaded. Check your connection to the "
                "internet, then cancel and try again."));
  return TRUE;
}

/* The header always shows whose page this is and whether the connection is private. */
static void
update_security (SesameConsentWindow *self)
{
  const char *uri = webkit_web_view_get_uri (self->web_view);
  g_autoptr(GUri) parsed = uri != NULL ? g_uri_parse (uri, G_URI_FLAGS_NONE, NULL) : NULL;
  GTlsCertificate *certificate = NULL;
  GTlsCertificateFlags errors = 0;
  const char *host = parsed != NULL ? g_uri_get_host (parsed) : NULL;
  const char *icon = "channel-insecure-symbolic";
  const char *tooltip = _("This connection is not secure");

  adw_window_title_set_subtitle (self->window_title, host != NULL ? host : "");
  if (parsed != NULL && g_ascii_strcasecmp (g_uri_get_scheme (parsed), "https") == 0 &&
      webkit_web_view_get_tls_info (self->web_view, &certificate, &errors) && errors == 0)
    {
      icon = "channel-secure-symbolic";
      tooltip = _("This connection is secure");
    }
  else if (parsed != NULL && host_is_loopback (host))
    {
      icon = "computer-symbolic";
      tooltip = _("This page comes from this computer");
    }
  gtk_image_set_from_icon_name (self->security_icon, icon);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->security_icon), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->security_icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
}

static void
on_load_changed (WebKitWebView       *web_view,
                 WebKitLoadEvent      event,
                 SesameConsentWindow *self)
{
  if (event == WEBKIT_LOAD_COMMITTED)
    update_security (self);
  gtk_widget_set_visible (GTK_WIDGET (self->progress), event != WEBKIT_LOAD_FINISHED);
}

static void
on_progress (SesameConsentWindow *self)
{
  gtk_progress_bar_set_fraction (self->progress,
                                 webkit_web_view_get_estimated_load_progress (self->web_view));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SesameConsentWindow *self = SESAME_CONSENT_WINDOW (widget);

  finish (self, CANCELLED, NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
open_in_browser_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  SesameConsentWindow *self = SESAME_CONSENT_WINDOW (widget);

  finish (self, OPEN_IN_BROWSER, NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

static gboolean
sesame_consent_window_close_request (GtkWindow *window)
{
  finish (SESAME_CONSENT_WINDOW (window), CANCELLED, NULL);
  return GTK_WINDOW_CLASS (sesame_consent_window_parent_class)->close_request (window);
}

static void
sesame_consent_window_finalize (GObject *object)
{
  SesameConsentWindow *self = SESAME_CONSENT_WINDOW (object);

  g_free (self->redirect_uri);

  G_OBJECT_CLASS (sesame_consent_window_parent_class)->finalize (object);
}

static void
sesame_consent_window_class_init (SesameConsentWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = sesame_consent_window_finalize;
  GTK_WINDOW_CLASS (klass)->close_request = sesame_consent_window_close_request;

  signals[REDIRECTED] = g_signal_new ("redirected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[CANCELLED] = g_signal_new ("cancelled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[OPEN_IN_BROWSER] = g_signal_new ("open-in-browser", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/dev/sesame/Sesame/sesame-consent-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SesameConsentWindow, security_icon);
  gtk_widget_class_bind_template_child (widget_class, SesameConsentWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, SesameConsentWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SesameConsentWindow, web_overlay);
  gtk_widget_class_bind_template_child (widget_class, SesameConsentWindow, progress);
  gtk_widget_class_bind_template_child (widget_class, SesameConsentWindow, error_page);

  gtk_widget_class_install_action (widget_class, "consent.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "consent.open-in-browser", NULL,
                                   open_in_browser_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "consent.cancel", NULL);
}

/* An ephemeral session: no cookies, cache or storage outlive the window, and
 * certificate errors always fail. */
static WebKitWebView *
create_web_view (void)
{
  g_autoptr(WebKitNetworkSession) session = webkit_network_session_new_ephemeral ();
  WebKitWebView *web_view;
  WebKitSettings *settings;

  webkit_network_session_set_tls_errors_policy (session, WEBKIT_TLS_ERRORS_POLICY_FAIL);
  web_view = g_object_new (WEBKIT_TYPE_WEB_VIEW, "network-session", session, NULL);
  settings = webkit_web_view_get_settings (web_view);
  webkit_settings_set_enable_developer_extras (settings, FALSE);
  webkit_settings_set_javascript_can_open_windows_automatically (settings, FALSE);
  return web_view;
}

static void
sesame_consent_window_init (SesameConsentWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->web_view = create_web_view ();
  gtk_widget_set_vexpand (GTK_WIDGET (self->web_view), TRUE);
  gtk_overlay_set_child (self->web_overlay, GTK_WIDGET (self->web_view));
  g_signal_connect_object (self->web_view, "decide-policy", G_CALLBACK (on_decide_policy), self, 0);
  g_signal_connect_object (self->web_view, "load-failed-with-tls-errors",
                           G_CALLBACK (on_tls_error), self, 0);
  g_signal_connect_object (self->web_view, "load-failed", G_CALLBACK (on_load_failed), self, 0);
  g_signal_connect_object (self->web_view, "load-changed", G_CALLBACK (on_load_changed), self, 0);
  g_signal_connect_object (self->web_view, "notify::uri", G_CALLBACK (update_security), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->web_view, "notify::estimated-load-progress",
                           G_CALLBACK (on_progress), self, G_CONNECT_SWAPPED);
}

SesameConsentWindow *
sesame_consent_window_new (GtkApplication *application,
                           const char     *provider_name,
                           const char     *authorization_url,
                           const char     *redirect_uri)
{
  SesameConsentWindow *self = g_object_new (SESAME_TYPE_CONSENT_WINDOW,
                                            "application", application, NULL);
  g_autofree char *title = NULL;

  self->redirect_uri = g_strdup (redirect_uri);
  /* Translators: %s is a provider, "Google" */
  title = g_strdup_printf (_("Sign in to %s"), provider_name);
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  if (sesame_consent_window_may_navigate (authorization_url))
    webkit_web_view_load_uri (self->web_view, authorization_url);
  else
    refuse (self, authorization_url);
  return self;
}

WebKitWebView *
sesame_consent_window_get_web_view (SesameConsentWindow *self)
{
  g_return_val_if_fail (SESAME_IS_CONSENT_WINDOW (self), NULL);
  return self->web_view;
}
