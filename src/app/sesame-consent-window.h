/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-consent-window.h: the provider's sign-in page in an ephemeral web view */
#pragma once

#include <adwaita.h>
#include <webkit/webkit.h>

G_BEGIN_DECLS

#define SESAME_TYPE_CONSENT_WINDOW (sesame_consent_window_get_type ())
G_DECLARE_FINAL_TYPE (SesameConsentWindow, sesame_consent_window, SESAME, CONSENT_WINDOW, AdwWindow)

/* Emits "redirected" (the full URI) once the provider redirects to
 * @redirect_uri, which is never loaded; "cancelled" when the person cancels
 * or closes it; "open-in-browser" when they ask for their web browser. */
SesameConsentWindow *sesame_consent_window_new (GtkApplication *application,
                                                const char     *provider_name,
                                                const char     *authorization_url,
                                                const char     *redirect_uri);

/* The web view showing the provider's page (tests drive it as a person would). */
WebKitWebView       *sesame_consent_window_get_web_view (SesameConsentWindow *self);

/* Whether @uri is where the provider sends the person back: @redirect_uri
 * with only a query or fragment added. */
gboolean sesame_consent_window_is_redirect   (const char *uri,
                                              const char *redirect_uri);
/* Whether the consent view may load @uri: https, plain http on loopback
 * only, and the in-page schemes about, data and blob. */
gboolean sesame_consent_window_may_navigate  (const char *uri);

G_END_DECLS
