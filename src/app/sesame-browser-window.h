/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-browser-window.h: "continue in your browser" while the broker waits for the redirect */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SESAME_TYPE_BROWSER_WINDOW (sesame_browser_window_get_type ())
G_DECLARE_FINAL_TYPE (SesameBrowserWindow, sesame_browser_window, SESAME, BROWSER_WINDOW, AdwWindow)

/* Opens @authorization_url with the person's web browser and says so; emits
 * "cancelled" when the person cancels or closes the window. */
SesameBrowserWindow *sesame_browser_window_new (GtkApplication *application,
                                                const char     *provider_name,
                                                const char     *authorization_url);

G_END_DECLS
