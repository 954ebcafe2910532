/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-agent.c: the broker's agent (dev.sesame.Agent1): consent pages and access questions */
#include "config.h"

#include <glib/gi18n.h>

#include "sesame-access-dialog.h"
#include "sesame-agent.h"
#include "sesame-browser-window.h"
#include "sesame-consent-window.h"

struct _SesameAgent
{
  GObject parent_instance;

  GtkApplication *application;
  SesameClient *client;
  SesameAgent1 *skeleton;
  GHashTable *requests;   /* request id → Request */
};

G_DEFINE_FINAL_TYPE (SesameAgent, sesame_agent, G_TYPE_OBJECT)

/* One Authorize or ConfirmAccess the broker waits for. */
typedef struct {
  SesameAgent *agent;
  char *id;
  GDBusMethodInvocation *invocation;
  gboolean confirm;       /* ConfirmAccess, else Authorize */
  GtkWindow *window;      /* weak: closes with the request */
  char *provider_name;
  char *authorization_url;
} Request;

static void
request_forget_window (Request *request)
{
  if (request->window == NULL)
    return;
  g_signal_handlers_disconnect_by_data (request->window, request);
  g_object_remove_weak_pointer (G_OBJECT (request->window), (gpointer *) &request->window);
  request->window = NULL;
}

static gboolean
is_open (GtkWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (toplevel == window)
        return TRUE;
    }
  return FALSE;
}

static void
close_now (gpointer user_data)
{
  g_autoptr(GtkWindow) window = user_data;

  if (is_open (window))
    gtk_window_destroy (window);
}

/* Later, outside the window's own signal handlers; a window that closed
 * itself meanwhile (a dialog after its response) is left alone. */
static void
close_later (GtkWindow *window)
{
  g_idle_add_once (close_now, g_object_ref (window));
}

static void
request_free (Request *request)
{
  GtkWindow *window = request->window;

  request_forget_window (request);
  if (window != NULL)
    close_later (window);
  /* Replaced by a request of the same id, or the agent is going away. */
  if (request->invocation != NULL)
    g_dbus_method_invocation_return_dbus_error (g_steal_pointer (&request->invocation),
                                                "dev.sesame.Error.Cancelled",
                                                _("The request was cancelled."));
  g_free (request->id);
  g_free (request->provider_name);
  g_free (request->authorization_url);
  g_application_release (G_APPLICATION (request->agent->application));
  g_free (request);
}

static void
request_set_window (Request   *request,
                    GtkWindow *window)
{
  /* A sign-in window takes input while a modal window (Add Account, which
   * waits for it) blocks the others of the default group. */
  if (!request->confirm)
    {
      g_autoptr(GtkWindowGroup) group = gtk_window_group_new ();

      gtk_window_group_add_window (group, window);
    }
  request_forget_window (request);
  request->window = window;
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &request->window);
}

/* Answers the broker and forgets the request (which closes its window). */
static void
request_return (Request  *request,
                GVariant *value)
{
  g_dbus_method_invocation_return_value (g_steal_pointer (&request->invocation), value);
  g_hash_table_remove (request->agent->requests, request->id);
}

static void
request_return_cancelled (Request *request)
{
  g_dbus_method_invocation_return_dbus_error (g_steal_pointer (&request->invocation),
                                              "dev.sesame.Error.Cancelled",
                                              _("You cancelled signing in."));
  g_hash_table_remove (request->agent->requests, request->id);
}

static void
sesame_agent_dispose (GObject *object)
{
  SesameAgent *self = SESAME_AGENT (object);

  g_clear_pointer (&self->requests, g_hash_table_unref);
  if (self->skeleton != NULL)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->skeleton));
  g_clear_object (&self->skeleton);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (sesame_agent_parent_class)->dispose (object);
}

static void
sesame_agent_class_init (SesameAgentClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sesame_agent_dispose;
}

static void
sesame_agent_init (SesameAgent *self)
{
  self->requests = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) request_free);
}

/* Only the broker may put a sign-in page or a question in front of the
 * person: anything else could show its own page in Sesame's window. */
static gboolean
from_broker (SesameAgent           *self,
             GDBusMethodInvocation *invocation)
{
  const char *owner = sesame_client_get_broker_owner (self->client);

  if (owner != NULL && g_strcmp0 (g_dbus_method_invocation_get_sender (invocation), owner) == 0)
    return TRUE;
  g_dbus_method_invocation_return_dbus_error (invocation, "dev.sesame.Error.AccessDenied",
                                              _("Only Sesame’s service may ask Sesame’s agent."));
  return FALSE;
}

static Request *
request_new (SesameAgent           *self,
             const char            *id,
             GDBusMethodInvocation *invocation,
             gboolean               confirm)
{
  Request *request = g_new0 (Request, 1);

  request->agent = self;
  request->id = g_strdup (id);
  /* The handler's reference: answering gives it back, exactly once. */
  request->invocation = invocation;
  request->confirm = confirm;
  g_application_hold (G_APPLICATION (self->application));
  /* A repeated id replaces (and so cancels) the older request. */
  g_hash_table_replace (self->requests, request->id, request);
  return request;
}

/* Authorize ----------------------------------------------------------------- */

static void
on_redirected (SesameConsentWindow *window,
               const char          *uri,
               Request             *request)
{
  request_return (request, g_variant_new ("(s)", uri));
}

static void
on_cancelled (GtkWindow *window,
              Request   *request)
{
  request_return_cancelled (request);
}

static void
show_in_browser (Request *request)
{
  SesameBrowserWindow *window;

  window = sesame_browser_window_new (request->agent->application, request->provider_name,
                                      request->authorization_url);
  request_set_window (request, GTK_WINDOW (window));
  g_signal_connect (window, "cancelled", G_CALLBACK (on_cancelled), request);
}

/* The same request goes on in the browser; the broker's listener gets the
 * redirect and then calls Cancel. */
static void
on_open_in_browser (SesameConsentWindow *window,
                    Request             *request)
{
  request_forget_window (request);
  show_in_browser (request);
}

static void
show_consent (Request    *request,
              const char *redirect_uri)
{
  SesameConsentWindow *window;

  window = sesame_consent_window_new (request->agent->application, request->provider_name,
                                      request->authorization_url, redirect_uri);
  request_set_window (request, GTK_WINDOW (window));
  g_signal_connect (window, "redirected", G_CALLBACK (on_redirected), request);
  g_signal_connect (window, "cancelled", G_CALLBACK (on_cancelled), request);
  g_signal_connect (window, "open-in-browser", G_CALLBACK (on_open_in_browser), request);
  gtk_window_present (GTK_WINDOW (window));
}

static gboolean
handle_authorize (SesameAgent1          *skeleton,
                  GDBusMethodInvocation *invocation,
                  const char            *request_id,
                  GVariant              *details,
                  SesameAgent           *self)
{
  const char *provider_name = NULL, *url = NULL, *redirect_uri = NULL, *user_agent = NULL;
  Request *request;

  if (!from_broker (self, invocation))
    return TRUE;
  g_variant_lookup (details, "provider-name", "&s", &provider_name);
  g_variant_lookup (details, "authorization-url", "&s", &url);
  g_variant_lookup (details, "redirect-uri", "&s", &redirect_uri);
  g_variant_lookup (details, "user-agent", "&s", &user_agent);
  if (url == NULL || redirect_uri == NULL || !sesame_consent_window_may_navigate (url))
    {
      g_dbus_method_invocation_return_dbus_error (invocation, "dev.sesame.Error.InvalidArgument",
                                                  _("The sign-in request has no secure address "
                                                    "to open."));
      return TRUE;
    }

  request = request_new (self, request_id, invocation, FALSE);
  request->provider_name = g_strdup (provider_name != NULL ? provider_name : "");
  request->authorization_url = g_strdup (url);
  if (g_strcmp0 (user_agent, "browser") == 0)
    show_in_browser (request);
  else
    show_consent (request, redirect_uri);
  return TRUE;
}

/* ConfirmAccess ---------------------------------------------------------------- */

static void
on_answered (SesameAccessDialog *dialog,
             gboolean            allowed,
             Request            *request)
{
  request_return (request, g_variant_new ("(b)", allowed));
}

static gboolean
handle_confirm_access (SesameAgent1          *skeleton,
                       GDBusMethodInvocation *invocation,
                       const char            *request_id,
                       GVariant              *details,
                       SesameAgent           *self)
{
  GtkWindow *parent = gtk_application_get_active_window (self->application);
  SesameAccessDialog *dialog;
  Request *request;

  if (!from_broker (self, invocation))
    return TRUE;
  request = request_new (self, request_id, invocation, TRUE);
  dialog = sesame_access_dialog_new (parent, details);
  gtk_window_set_application (GTK_WINDOW (dialog), self->application);
  request_set_window (request, GTK_WINDOW (dialog));
  g_signal_connect (dialog, "answered", G_CALLBACK (on_answered), request);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

/* Cancel: the broker no longer waits. A browser sign-in completed this way
 * answers "" as the contract says; a question answers no. */
static gboolean
handle_cancel (SesameAgent1          *skeleton,
               GDBusMethodInvocation *invocation,
               const char            *request_id,
               SesameAgent           *self)
{
  Request *request;

  if (!from_broker (self, invocation))
    return TRUE;
  request = g_hash_table_lookup (self->requests, request_id);
  if (request != NULL)
    request_return (request, request->confirm ? g_variant_new ("(b)", FALSE)
                                              : g_variant_new ("(s)", ""));
  sesame_agent1_complete_cancel (skeleton, invocation);
  return TRUE;
}

/* Registration -------------------------------------------------------------------- */

static void
on_registered (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!sesame_broker1_call_register_agent_finish (SESAME_BROKER1 (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not register as the broker’s agent: %s", error->message);
}

static void
on_broker_appeared (SesameAgent *self)
{
  GDBusInterfaceSkeleton *skeleton = G_DBUS_INTERFACE_SKELETON (self->skeleton);
  g_autoptr(GError) error = NULL;

  if (g_dbus_interface_skeleton_get_connection (skeleton) == NULL &&
      !g_dbus_interface_skeleton_export (skeleton, sesame_client_get_connection (self->client),
                                         SESAME_AGENT_PATH, &error))
    {
      g_warning ("Could not export the agent: %s", error->message);
      return;
    }
  /* A new broker knows no request of the old one. */
  g_hash_table_remove_all (self->requests);
  sesame_broker1_call_register_agent (sesame_client_get_broker (self->client), SESAME_AGENT_PATH,
                                      NULL, on_registered, NULL);
}

SesameAgent *
sesame_agent_new (GtkApplication *application,
                  SesameClient   *client)
{
  SesameAgent *self = g_object_new (SESAME_TYPE_AGENT, NULL);

  self->application = application;
  self->client = g_object_ref (client);
  self->skeleton = sesame_agent1_skeleton_new ();
  g_signal_connect_object (self->skeleton, "handle-authorize", G_CALLBACK (handle_authorize),
                           self, 0);
  g_signal_connect_object (self->skeleton, "handle-confirm-access",
                           G_CALLBACK (handle_confirm_access), self, 0);
  g_signal_connect_object (self->skeleton, "handle-cancel", G_CALLBACK (handle_cancel), self, 0);
  g_signal_connect_object (client, "broker-appeared", G_CALLBACK (on_broker_appeared), self,
                           G_CONNECT_SWAPPED);
  return self;
}
