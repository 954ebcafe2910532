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
    return g_task_return_error (task, error);
  if (answer == NULL)
    return g_task_return_error (task, sesame_secret_service_new_locked_error ());
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
    return g_task_return_error (task, error);
  /* Dismissed: gnome-keyring completes the prompt with nothing unlocked. */
  if (g_variant_n_children (unlocked) == 0)
    return g_task_return_error (task, sesame_secret_service_new_locked_error ());
  g_task_return_boolean (task, TRUE);
}

static void
on_unlock_called (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(GVariant) reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), result, &error);
  const char *prompt;

  if (reply == NULL)
    return g_task_return_error (task, error);
  g_variant_get (reply, "(@ao&o)", NULL, &prompt);
  if (g_str_equal (prompt, "/"))
    return g_task_return_boolean (task, TRUE);
  secret_service_prompt_at_dbus_path (SECRET_SERVICE (source), prompt, G_VARIANT_TYPE ("ao"),
                                      g_task_get_cancellable (task), on_unlock_prompted,
                                      g_steal_pointer (&task));
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
