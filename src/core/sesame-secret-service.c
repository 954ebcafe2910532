/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-secret-service.c: the Secret Service, with prompts that free what
 * they answer.
 *
 * libsecret 0.20.5 keeps a reference to every prompt's answer (its default
 * prompt_finish takes a second one) and leaks an array whenever unlocking
 * needs a prompt; a locked keyring would cost memory at every unlock. This
 * subclass answers prompts itself, and unlocking is done here. */
#include "config.h"

/* For secret_service_prompt_at_dbus_path(), "unstable" since 2012. */
#define SECRET_API_SUBJECT_TO_CHANGE

#include <glib/gi18n-lib.h>

#include "sesame-error.h"
#include "sesame-secret-service.h"

struct _SesameSecretService
{
  SecretService parent_instance;
};

G_DEFINE_FINAL_TYPE (SesameSecretService, sesame_secret_service, SECRET_TYPE_SERVICE)

GError *
sesame_secret_service_new_locked_error (void)
{
  return g_error_new (SESAME_ERROR, SESAME_ERROR_KEYRING,
                      _("The keyring is locked. Unlock it (logging in again does), then try "
                        "again."));
}

static void
on_prompt_performed (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GVariant *answer = secret_prompt_perform_finish (SECRET_PROMPT (source), result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (answer == NULL)
    {
      g_task_return_error (task, sesame_secret_service_new_locked_error ());
      return;
    }
  g_task_return_pointer (task, answer, (GDestroyNotify) g_variant_unref);
}

static void
sesame_secret_service_prompt_async (SecretService      *service,
                                    SecretPrompt       *prompt,
                                    const GVariantType *return_type,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  GTask *task = g_task_new (service, cancellable, callback, user_data);

  g_task_set_source_tag (task, sesame_secret_service_prompt_async);
  /* No window to attach to: the broker has none. */
  secret_prompt_perform (prompt, NULL, return_type, cancellable, on_prompt_performed, task);
}

static GVariant *
sesame_secret_service_prompt_finish (SecretService *service,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
sesame_secret_service_class_init (SesameSecretServiceClass *klass)
{
  SecretServiceClass *service_class = SECRET_SERVICE_CLASS (klass);

  service_class->prompt_async = sesame_secret_service_prompt_async;
  service_class->prompt_finish = sesame_secret_service_prompt_finish;
}

static void
sesame_secret_service_init (SesameSecretService *self)
{
}

static void
on_unlock_prompted (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(GVariant) unlocked = secret_service_prompt_at_dbus_path_finish (SECRET_SERVICE (source),
                                                                            result, &error);

  if (unlocked == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Dismissed: gnome-keyring completes the prompt with nothing unlocked. */
  if (g_variant_n_children (unlocked) == 0)
    {
      g_task_return_error (task, sesame_secret_service_new_locked_error ());
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_unlock_called (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;
  g_autoptr(GVariant) reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), result, &error);
  const char *prompt;

  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_variant_get (reply, "(@ao&o)", NULL, &prompt);
  if (g_str_equal (prompt, "/"))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  secret_service_prompt_at_dbus_path (SECRET_SERVICE (source), prompt, G_VARIANT_TYPE ("ao"),
                                      cancellable, on_unlock_prompted, g_steal_pointer (&task));
}

void
sesame_secret_service_unlock_async (SesameSecretService *self,
                                    const char * const  *paths,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, sesame_secret_service_unlock_async);
  g_dbus_proxy_call (G_DBUS_PROXY (self), "Unlock", g_variant_new ("(^ao)", paths),
                     G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, cancellable, on_unlock_called, task);
}

gboolean
sesame_secret_service_unlock_finish (SesameSecretService *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Listing: libsecret's search returns its error twice when two items
 * fail to load (the keyring leaving meanwhile); this reads attributes only,
 * over D-Bus. ---- */

typedef struct {
  char         *attribute;
  GStrvBuilder *values;
  guint         pending;
  GError       *error;
} Listing;

static void
listing_free (Listing *listing)
{
  g_free (listing->attribute);
  g_strv_builder_unref (listing->values);
  g_clear_error (&listing->error);
  g_free (listing);
}

static void
listing_step_done (GTask *task)
{
  Listing *listing = g_task_get_task_data (task);

  if (--listing->pending > 0)
    return;
  if (listing->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&listing->error));
      return;
    }
  g_task_return_pointer (task, g_strv_builder_end (listing->values), (GDestroyNotify) g_strfreev);
}

static void
on_attributes (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Listing *listing = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result,
                                                             &error);
  g_autoptr(GVariant) attributes = NULL;
  const char *value;

  if (reply == NULL && listing->error == NULL)
    listing->error = error;
  else if (reply == NULL)
    g_error_free (error);
  else
    {
      g_variant_get (reply, "(v)", &attributes);
      if (g_variant_is_of_type (attributes, G_VARIANT_TYPE ("a{ss}")) &&
          g_variant_lookup (attributes, listing->attribute, "&s", &value))
        g_strv_builder_add (listing->values, value);
    }
  listing_step_done (task);
}

static void
read_attributes (GTask      *task,
                 GDBusProxy *service,
                 GVariant   *paths)
{
  Listing *listing = g_task_get_task_data (task);
  GVariantIter iter;
  const char *path;

  g_variant_iter_init (&iter, paths);
  while (g_variant_iter_next (&iter, "&o", &path))
    {
      listing->pending++;
      g_dbus_connection_call (g_dbus_proxy_get_connection (service), g_dbus_proxy_get_name (service),
                              path, "org.freedesktop.DBus.Properties", "Get",
                              g_variant_new ("(ss)", "org.freedesktop.Secret.Item", "Attributes"),
                              G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                              g_task_get_cancellable (task), on_attributes, g_object_ref (task));
    }
}

static void
on_searched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Listing *listing = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GVariant) reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), result, &error);
  g_autoptr(GVariant) unlocked = NULL;
  g_autoptr(GVariant) locked = NULL;

  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_variant_get (reply, "(@ao@ao)", &unlocked, &locked);
  /* One step for the search itself, so that nothing ends before all started. */
  listing->pending = 1;
  read_attributes (task, G_DBUS_PROXY (source), unlocked);
  read_attributes (task, G_DBUS_PROXY (source), locked);
  listing_step_done (task);
}

void
sesame_secret_service_list_async (SesameSecretService *self,
                                  const SecretSchema  *schema,
                                  const char          *attribute,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Listing *listing = g_new0 (Listing, 1);
  GVariantBuilder query;

  g_task_set_source_tag (task, sesame_secret_service_list_async);
  listing->attribute = g_strdup (attribute);
  listing->values = g_strv_builder_new ();
  g_task_set_task_data (task, listing, (GDestroyNotify) listing_free);
  g_variant_builder_init (&query, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&query, "{ss}", "xdg:schema", schema->name);
  g_dbus_proxy_call (G_DBUS_PROXY (self), "SearchItems", g_variant_new ("(a{ss})", &query),
                     G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, cancellable, on_searched, task);
}

GStrv
sesame_secret_service_list_finish (SesameSecretService *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
