/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-sign-in-service.c: interactive sign-ins through the agent, and who has how many */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-caller.h"
#include "sesame-error.h"
#include "sesame-invocation.h"
#include "sesame-sign-in.h"
#include "sesame-sign-in-service.h"

/* Each holds a loopback listener and a window: one caller cannot open many,
 * nor one app through many connections. */
#define MAX_SIGN_INS_PER_CALLER 8

#define WATCH_KEY "sesame-sign-in-watch"

struct _SesameSignInService
{
  GObject             parent_instance;

  GDBusConnection    *connection;
  SesameAgentManager *agents;
  SesameOAuthClient  *client;
  GSettings          *settings;   /* NULL when the schema is not installed */
  GHashTable         *watched;    /* bus name → sign-ins in progress (GUINT) */
  GHashTable         *running;    /* limit key → sign-ins begun (GUINT) */
};

G_DEFINE_FINAL_TYPE (SesameSignInService, sesame_sign_in_service, G_TYPE_OBJECT)

static void
sesame_sign_in_service_dispose (GObject *object)
{
  SesameSignInService *self = SESAME_SIGN_IN_SERVICE (object);

  g_clear_pointer (&self->watched, g_hash_table_unref);
  g_clear_pointer (&self->running, g_hash_table_unref);
  g_clear_object (&self->settings);
  g_clear_object (&self->client);
  g_clear_object (&self->agents);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (sesame_sign_in_service_parent_class)->dispose (object);
}

static void
sesame_sign_in_service_class_init (SesameSignInServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sesame_sign_in_service_dispose;
}

static void
sesame_sign_in_service_init (SesameSignInService *self)
{
  self->watched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->running = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

SesameSignInService *
sesame_sign_in_service_new (GDBusConnection    *connection,
                            SesameAgentManager *agents,
                            SesameOAuthClient  *client,
                            GSettings          *settings)
{
  SesameSignInService *self = g_object_new (SESAME_TYPE_SIGN_IN_SERVICE, NULL);

  self->connection = g_object_ref (connection);
  self->agents = g_object_ref (agents);
  self->client = g_object_ref (client);
  g_set_object (&self->settings, settings);
  return self;
}

/* One sign-in in progress, alive as long as its cancellable. */
typedef struct {
  GHashTable *watched;
  GHashTable *running;
  char       *sender;
  char       *limit_key;  /* once it has begun */
  guint       watch_id;
} Watch;

static void
count_down (GHashTable *counts,
            const char *key)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, key));

  if (n > 1)
    g_hash_table_insert (counts, g_strdup (key), GUINT_TO_POINTER (n - 1));
  else
    g_hash_table_remove (counts, key);
}

static void
unwatch_caller (gpointer  user_data,
                GObject  *cancellable)
{
  Watch *watch = user_data;

  g_bus_unwatch_name (watch->watch_id);
  count_down (watch->watched, watch->sender);
  if (watch->limit_key != NULL)
    count_down (watch->running, watch->limit_key);
  g_hash_table_unref (watch->watched);
  g_hash_table_unref (watch->running);
  g_free (watch->sender);
  g_free (watch->limit_key);
  g_free (watch);
}

static void
on_caller_vanished (GDBusConnection *connection,
                    const char      *name,
                    gpointer         user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static guint
count_watched (SesameSignInService *self,
               const char          *sender)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->watched, sender));
}

GCancellable *
sesame_sign_in_service_watch_caller (SesameSignInService   *self,
                                     GDBusMethodInvocation *invocation)
{
  GCancellable *cancellable = g_cancellable_new ();
  Watch *watch = g_new0 (Watch, 1);
  const char *sender = g_dbus_method_invocation_get_sender (invocation);

  watch->watched = g_hash_table_ref (self->watched);
  watch->running = g_hash_table_ref (self->running);
  watch->sender = g_strdup (sender);
  watch->watch_id = g_bus_watch_name_on_connection (self->connection, sender,
                                                    G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
                                                    on_caller_vanished, cancellable, NULL);
  g_hash_table_insert (self->watched, g_strdup (sender),
                       GUINT_TO_POINTER (count_watched (self, sender) + 1));
  g_object_weak_ref (G_OBJECT (cancellable), unwatch_caller, watch);
  g_object_set_data (G_OBJECT (cancellable), WATCH_KEY, watch);
  return cancellable;
}

static GError *
quota_error (void)
{
  return g_error_new (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                      g_dngettext (GETTEXT_PACKAGE,
                                   "You have %u sign-in in progress already. Finish or cancel it first.",
                                   "You have %u sign-ins in progress already. Finish or cancel one first.",
                                   MAX_SIGN_INS_PER_CALLER),
                      MAX_SIGN_INS_PER_CALLER);
}

gboolean
sesame_sign_in_service_check_quota (SesameSignInService   *self,
                                    GDBusMethodInvocation *invocation)
{
  if (count_watched (self, g_dbus_method_invocation_get_sender (invocation)) <
      MAX_SIGN_INS_PER_CALLER)
    return TRUE;
  sesame_invocation_return_error (invocation, quota_error ());
  return FALSE;
}

/* Counted when a sign-in begins, after its access question, when its
 * caller is known: an app's connections share one limit. FALSE when the
 * app has as many under way already. */
static gboolean
begin_counted (SesameSignInService *self,
               GCancellable        *cancellable)
{
  Watch *watch = cancellable ? g_object_get_data (G_OBJECT (cancellable), WATCH_KEY) : NULL;
  g_autofree char *key = NULL;
  guint n;

  if (watch == NULL || watch->limit_key != NULL)
    return TRUE;
  key = sesame_caller_get_limit_key (self->connection, watch->sender);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (self->running, key));
  if (n >= MAX_SIGN_INS_PER_CALLER)
    return FALSE;
  g_hash_table_insert (self->running, g_strdup (key), GUINT_TO_POINTER (n + 1));
  watch->limit_key = g_steal_pointer (&key);
  return TRUE;
}

static gboolean
prefers_browser (SesameSignInService *self)
{
  return self->settings != NULL && g_settings_get_boolean (self->settings, "prefer-browser");
}

void
sesame_sign_in_service_sign_in_async (SesameSignInService  *self,
                                      SesameProvider       *provider,
                                      const char * const   *scopes,
                                      const char           *login_hint,
                                      const char           *identity,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data)
{
  if (!begin_counted (self, cancellable))
    {
      g_task_report_error (self, callback, user_data, sesame_sign_in_service_sign_in_async,
                           quota_error ());
      return;
    }
  sesame_sign_in_async (self->agents, self->client, provider, scopes, login_hint, identity,
                        prefers_browser (self), cancellable, callback, user_data);
}

SesameToken *
sesame_sign_in_service_sign_in_finish (SesameSignInService  *self,
                                       GAsyncResult         *result,
                                       char                **identity,
                                       GError              **error)
{
  if (g_async_result_is_tagged (result, sesame_sign_in_service_sign_in_async))
    return g_task_propagate_pointer (G_TASK (result), error);
  return sesame_sign_in_finish (result, identity, error);
}
