/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-loopback-listener.c: the loopback redirect listener of one sign-in (RFC 8252 §7.3) */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "sesame-error.h"
#include "sesame-loopback-listener.h"

struct _SesameLoopbackListener
{
  GObject             parent_instance;

  SoupServer         *server;
  char               *path;
  guint               port;
  SesameLoopbackFunc  func;
  gpointer            user_data;
  guint               in_flight;   /* responses not yet written */
  gboolean            closing;
};

G_DEFINE_FINAL_TYPE (SesameLoopbackListener, sesame_loopback_listener, G_TYPE_OBJECT)

static void
sesame_loopback_listener_finalize (GObject *object)
{
  SesameLoopbackListener *self = SESAME_LOOPBACK_LISTENER (object);

  sesame_loopback_listener_close (self);
  g_free (self->path);

  G_OBJECT_CLASS (sesame_loopback_listener_parent_class)->finalize (object);
}

static void
sesame_loopback_listener_class_init (SesameLoopbackListenerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sesame_loopback_listener_finalize;
}

static void
sesame_loopback_listener_init (SesameLoopbackListener *self)
{
}

static void
respond (SoupServerMessage *msg,
         guint              status,
         const char        *title,
         const char        *text)
{
  g_autofree char *title_html = g_markup_escape_text (title, -1);
  g_autofree char *text_html = g_markup_escape_text (text, -1);
  g_autofree char *page =
    g_strdup_printf ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                     "<meta name=\"viewport\" content=\"width=device-width\">"
                     "<title>%s</title></head><body style=\"font-family: sans-serif; "
                     "text-align: center; margin-top: 4em\"><h1>%s</h1><p>%s</p></body></html>\n",
                     title_html, title_html, text_html);

  soup_server_message_set_status (msg, status, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    page, strlen (page));
}

static void
disconnect (SesameLoopbackListener *self)
{
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
}

static gboolean
disconnect_idle (gpointer user_data)
{
  SesameLoopbackListener *self = user_data;

  /* A request that came meanwhile (the browser's icon, say) is answered
   * first; its end disconnects. */
  if (self->in_flight == 0)
    disconnect (self);
  return G_SOURCE_REMOVE;
}

static void
on_response_written (SoupServerMessage      *msg,
                     SesameLoopbackListener *self)
{
  /* The page reached the browser: now the port may close, but only once
   * libsoup is done with the message, which it finishes after this signal
   * by signalling on the server (freed here, that was a use after free). */
  if (--self->in_flight == 0 && self->closing)
    g_idle_add_full (G_PRIORITY_DEFAULT, disconnect_idle, g_object_ref (self), g_object_unref);
  g_object_unref (self);
}

static void
on_request (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  SesameLoopbackListener *self = user_data;
  g_autofree char *uri = g_uri_to_string (soup_server_message_get_uri (msg));
  g_autoptr(GError) error = NULL;

  self->in_flight++;
  g_signal_connect_object (msg, "finished", G_CALLBACK (on_response_written),
                           g_object_ref (self), 0);
  if (g_strcmp0 (path, self->path) != 0 || self->func == NULL ||
      !self->func (uri, &error, self->user_data))
    {
      respond (msg, SOUP_STATUS_BAD_REQUEST, _("Not a Sesame sign-in"),
               _("This address does not belong to a sign-in in progress. "
                 "Start the sign-in again from Sesame."));
      return;
    }

  if (error == NULL)
    respond (msg, SOUP_STATUS_OK, _("Signed in to Sesame"),
             _("Signed in to Sesame. You can close this tab."));
  else if (g_error_matches (error, SESAME_ERROR, SESAME_ERROR_CANCELLED))
    respond (msg, SOUP_STATUS_OK, _("Sign-in cancelled"),
             _("You did not allow access, so no account was added. You can close this tab."));
  else
    respond (msg, SOUP_STATUS_OK, _("Sign-in failed"), error->message);
}

SesameLoopbackListener *
sesame_loopback_listener_new (const char          *path,
                              SesameLoopbackFunc   func,
                              gpointer             user_data,
                              GError             **error)
{
  g_autoptr(SesameLoopbackListener) self = g_object_new (SESAME_TYPE_LOOPBACK_LISTENER, NULL);
  g_autoslist(GUri) uris = NULL;

  self->path = g_strdup (path);
  self->func = func;
  self->user_data = user_data;
  self->server = soup_server_new ("server-header", "Sesame", NULL);
  soup_server_add_handler (self->server, NULL, on_request, self, NULL);

  /* listen_local binds 127.0.0.1 only: nothing outside this computer connects. */
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    return NULL;
  uris = soup_server_get_uris (self->server);
  self->port = g_uri_get_port (uris->data);
  return g_steal_pointer (&self);
}

guint
sesame_loopback_listener_get_port (SesameLoopbackListener *self)
{
  return self->port;
}

void
sesame_loopback_listener_close (SesameLoopbackListener *self)
{
  self->func = NULL;
  self->closing = TRUE;
  if (self->in_flight == 0)
    disconnect (self);
}
