/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-agent-manager.c: the registered agent (dev.sesame.Agent1) and calls to it */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-agent-manager.h"
#include "sesame-bus-names.h"
#include "sesame-error.h"

/* How long a freshly started app gets to register as agent. */
#define AGENT_START_TIMEOUT_MS 10000

struct _SesameAgentManager
{
  GObject          parent_instance;

  GDBusConnection *connection;
  char            *bus_name;
  char            *path;
  guint            watch_id;
  guint            next_request;
};

G_DEFINE_FINAL_TYPE (SesameAgentManager, sesame_agent_manager, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
clear_agent (SesameAgentManager *self)
{
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  g_clear_pointer (&self->bus_name, g_free);
  g_clear_pointer (&self->path, g_free);
}

static void
sesame_agent_manager_finalize (GObject *object)
{
  SesameAgentManager *self = SESAME_AGENT_MANAGER (object);

  clear_agent (self);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (sesame_agent_manager_parent_class)->finalize (object);
}

static void
sesame_agent_manager_class_init (SesameAgentManagerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sesame_agent_manager_finalize;

  /* Emitted when an agent registers or goes away. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sesame_agent_manager_init (SesameAgentManager *self)
{
}

SesameAgentManager *
sesame_agent_manager_new (GDBusConnection *connection)
{
  SesameAgentManager *self = g_object_new (SESAME_TYPE_AGENT_MANAGER, NULL);

  self->connection = g_object_ref (connection);
  return self;
}

static void
on_agent_vanished (GDBusConnection *connection,
                   const char      *name,
                   gpointer         user_data)
{
  SesameAgentManager *self = user_data;

  g_debug ("Agent %s left the bus", name);
  clear_agent (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
sesame_agent_manager_register (SesameAgentManager *self,
                               const char         *bus_name,
                               const char         *path)
{
  clear_agent (self);
  self->bus_name = g_strdup (bus_name);
  self->path = g_strdup (path);
  self->watch_id = g_bus_watch_name_on_connection (self->connection, bus_name,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   NULL, on_agent_vanished, self, NULL);
  g_signal_emit (self, signals[CHANGED], 0);
}

gboolean
sesame_agent_manager_unregister (SesameAgentManager *self,
                                 const char         *bus_name,
                                 const char         *path)
{
  if (g_strcmp0 (self->bus_name, bus_name) != 0 || g_strcmp0 (self->path, path) != 0)
    return FALSE;
  clear_agent (self);
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

char *
sesame_agent_manager_new_request_id (SesameAgentManager *self)
{
  return g_strdup_printf ("request%u", ++self->next_request);
}

void
sesame_agent_manager_cancel (SesameAgentManager *self,
                             const char         *request_id)
{
  if (self->bus_name == NULL)
    return;
  g_dbus_connection_call (self->connection, self->bus_name, self->path, SESAME_AGENT_IFACE,
                          "Cancel", g_variant_new ("(s)", request_id), NULL,
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
}

typedef struct {
  char     *method;
  char     *request_id;
  GVariant *details;
  gboolean  waiting;       /* for a started app to register */
  gulong    changed_id;
  gulong    cancelled_id;
  guint     timeout_id;
  GSource  *wait_cancelled;
} CallData;

static void
call_data_free (CallData *data)
{
  g_free (data->method);
  g_free (data->request_id);
  g_variant_unref (data->details);
  g_free (data);
}

static void
on_call_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CallData *data = g_task_get_task_data (task);
  GError *error = NULL;
  GVariant *reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  g_cancellable_disconnect (g_task_get_cancellable (task), data->cancelled_id);
  if (reply != NULL)
    {
      g_task_return_pointer (task, reply, (GDestroyNotify) g_variant_unref);
      return;
    }

  /* The agent's own answers (Cancelled…) pass; an agent that crashed or
   * left the bus is no answer from the person. */
  if (error->domain != SESAME_ERROR && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_debug ("Agent call %s failed: %s", data->method, error->message);
      g_clear_error (&error);
      error = g_error_new_literal (SESAME_ERROR, SESAME_ERROR_NO_AGENT,
                                   _("The Sesame window that should ask you closed "
                                     "unexpectedly. Open Sesame and try again."));
    }
  g_task_return_error (task, error);
}

static void
on_call_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  GTask *task = user_data;
  SesameAgentManager *self = g_task_get_source_object (task);
  CallData *data = g_task_get_task_data (task);

  sesame_agent_manager_cancel (self, data->request_id);
}

static void
call_agent (GTask *task)
{
  SesameAgentManager *self = g_task_get_source_object (task);
  CallData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (cancellable != NULL)
    data->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_call_cancelled),
                                                task, NULL);
  /* The person takes their time: no D-Bus timeout, the caller cancels. */
  g_dbus_connection_call (self->connection, self->bus_name, self->path, SESAME_AGENT_IFACE,
                          data->method,
                          g_variant_new ("(s@a{sv})", data->request_id, data->details),
                          NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, G_MAXINT,
                          cancellable, on_call_done, g_object_ref (task));
}

/* Ends the wait for a started app, whichever way it ends, once. */
static void
end_waiting (GTask *task)
{
  SesameAgentManager *self = g_task_get_source_object (task);
  CallData *data = g_task_get_task_data (task);

  if (!data->waiting)
    return;
  data->waiting = FALSE;
  g_clear_signal_handler (&data->changed_id, self);
  g_clear_handle_id (&data->timeout_id, g_source_remove);
  if (data->wait_cancelled != NULL)
    {
      g_source_destroy (data->wait_cancelled);
      g_clear_pointer (&data->wait_cancelled, g_source_unref);
    }

  /* Nobody waits for the answer any more: the agent is not asked at all. */
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    g_task_return_error_if_cancelled (task);
  else if (self->bus_name != NULL)
    call_agent (task);
  else
    g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_NO_AGENT,
                             _("No Sesame window is available to ask you. Open Sesame, or "
                               "sign in on this computer’s desktop, then try again."));
  g_object_unref (task);   /* the wait's reference */
}

static void
on_agent_changed (SesameAgentManager *self,
                  GTask              *task)
{
  if (self->bus_name != NULL)
    end_waiting (task);
}

static gboolean
on_wait_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  end_waiting (G_TASK (user_data));
  return G_SOURCE_REMOVE;
}

static gboolean
on_start_timeout (gpointer user_data)
{
  CallData *data = g_task_get_task_data (G_TASK (user_data));

  data->timeout_id = 0;
  end_waiting (G_TASK (user_data));
  return G_SOURCE_REMOVE;
}

static void
on_app_started (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      g_debug ("Could not start %s: %s", SESAME_APP_BUS_NAME, error->message);
      end_waiting (task);
    }
}

/* No agent: activate the app and wait a while for it to register. */
static void
start_app_and_wait (GTask *task)
{
  SesameAgentManager *self = g_task_get_source_object (task);
  CallData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  data->waiting = TRUE;
  g_object_ref (task);     /* the wait's reference */
  data->changed_id = g_signal_connect (self, "changed", G_CALLBACK (on_agent_changed), task);
  data->timeout_id = g_timeout_add (AGENT_START_TIMEOUT_MS, on_start_timeout, task);
  if (cancellable != NULL)
    {
      /* A source, not a signal handler: end_waiting() must not run inside
       * g_cancellable_cancel(), whose handlers it could not disconnect. */
      data->wait_cancelled = g_cancellable_source_new (cancellable);
      g_source_set_callback (data->wait_cancelled, G_SOURCE_FUNC (on_wait_cancelled), task, NULL);
      g_source_attach (data->wait_cancelled, g_task_get_context (task));
    }
  g_dbus_connection_call (self->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "StartServiceByName",
                          g_variant_new ("(su)", SESAME_APP_BUS_NAME, 0), G_VARIANT_TYPE ("(u)"),
                          G_DBUS_CALL_FLAGS_NONE, AGENT_START_TIMEOUT_MS, NULL,
                          on_app_started, g_object_ref (task));
}

void
sesame_agent_manager_call_async (SesameAgentManager  *self,
                                 const char          *method,
                                 const char          *request_id,
                                 GVariant            *details,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  CallData *data = g_new0 (CallData, 1);

  g_task_set_source_tag (task, sesame_agent_manager_call_async);
  data->method = g_strdup (method);
  data->request_id = g_strdup (request_id);
  data->details = g_variant_ref_sink (details);
  g_task_set_task_data (task, data, (GDestroyNotify) call_data_free);

  /* Nothing was asked yet, so there is nothing to tell the agent. */
  if (g_task_return_error_if_cancelled (task))
    return;
  if (self->bus_name != NULL)
    call_agent (task);
  else
    start_app_and_wait (task);
}

GVariant *
sesame_agent_manager_call_finish (SesameAgentManager *self,
                                  GAsyncResult       *result,
                                  GError            **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
