/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-secret-store.c: one Secret Service item per account */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-error.h"
#include "sesame-secret-store.h"

struct _SesameSecretStore
{
  GObject parent_instance;
};

G_DEFINE_FINAL_TYPE (SesameSecretStore, sesame_secret_store, G_TYPE_OBJECT)

static void
sesame_secret_store_class_init (SesameSecretStoreClass *klass)
{
}

static void
sesame_secret_store_init (SesameSecretStore *self)
{
}

SesameSecretStore *
sesame_secret_store_new (void)
{
  return g_object_new (SESAME_TYPE_SECRET_STORE, NULL);
}

const SecretSchema *
sesame_secret_store_get_schema (void)
{
  static const SecretSchema schema = {
    "dev.sesame.Sesame.Account", SECRET_SCHEMA_NONE,
    {
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };
  return &schema;
}

/* The libsecret message names the D-Bus failure; people need what to do. */
static GError *
keyring_error (GError *error)
{
  GError *mapped;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;
  mapped = g_error_new (SESAME_ERROR, SESAME_ERROR_KEYRING,
                        _("The keyring could not be used (%s). Make sure a Secret Service "
                          "such as GNOME Keyring is running and unlocked, then try again."),
                        error->message);
  g_error_free (error);
  return mapped;
}

static void
on_lookup (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GList *items = secret_service_search_finish (NULL, result, &error);
  g_autoptr(SecretValue) value = NULL;
  const char *secret;
  SesameToken *token;

  if (error != NULL)
    return g_task_return_error (task, keyring_error (error));
  /* Still locked: unlocking was refused or nobody could be asked. The
   * secret is there; it must not be taken for a missing one. */
  if (items != NULL && secret_item_get_locked (items->data))
    {
      g_list_free_full (items, g_object_unref);
      return g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_KEYRING,
                                      _("The keyring is locked. Unlock it (logging in again "
                                        "does), then try again."));
    }
  if (items != NULL)
    value = secret_item_get_secret (items->data);
  g_list_free_full (items, g_object_unref);
  if (value == NULL)
    return g_task_return_pointer (task, NULL, NULL);

  /* SecretValue keeps the text in non-pageable memory and wipes it. */
  secret = secret_value_get_text (value);
  if (secret == NULL)
    return g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_KEYRING,
                                    _("The account’s keyring item is not text."));
  token = sesame_token_new_from_secret (secret, &error);
  if (token == NULL)
    return g_task_return_error (task, error);
  g_task_return_pointer (task, token, (GDestroyNotify) sesame_token_free);
}

/* A search that loads the secret, rather than secret_password_lookup():
 * libsecret 0.20.5 leaks that one's whole D-Bus answer, the transported
 * secret included, at every lookup. It unlocks the same way. */
void
sesame_secret_store_lookup_async (SesameSecretStore   *self,
                                  const char          *account_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GHashTable) attributes = NULL;

  g_task_set_source_tag (task, sesame_secret_store_lookup_async);
  attributes = secret_attributes_build (sesame_secret_store_get_schema (),
                                        "account", account_id, NULL);
  secret_service_search (NULL, sesame_secret_store_get_schema (), attributes,
                         SECRET_SEARCH_LOAD_SECRETS | SECRET_SEARCH_UNLOCK, cancellable,
                         on_lookup, task);
}

SesameToken *
sesame_secret_store_lookup_finish (SesameSecretStore *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    return g_task_return_error (task, keyring_error (error));
  g_task_return_boolean (task, TRUE);
}

void
sesame_secret_store_store_async (SesameSecretStore   *self,
                                 const char          *account_id,
                                 const char          *label,
                                 const SesameToken   *token,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  char *secret = sesame_token_to_secret (token);

  g_task_set_source_tag (task, sesame_secret_store_store_async);
  secret_password_store (sesame_secret_store_get_schema (), SECRET_COLLECTION_DEFAULT,
                         label, secret, cancellable, on_stored, task,
                         "account", account_id, NULL);
  sesame_secret_string_free (secret);
}

gboolean
sesame_secret_store_store_finish (SesameSecretStore *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_cleared (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error: there was nothing to delete, which is fine. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    return g_task_return_error (task, keyring_error (error));
  g_task_return_boolean (task, TRUE);
}

void
sesame_secret_store_clear_async (SesameSecretStore   *self,
                                 const char          *account_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, sesame_secret_store_clear_async);
  secret_password_clear (sesame_secret_store_get_schema (), cancellable, on_cleared, task,
                         "account", account_id, NULL);
}

gboolean
sesame_secret_store_clear_finish (SesameSecretStore *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  GError *error = NULL;
  GList *items = secret_service_search_finish (NULL, result, &error);

  if (error != NULL)
    return g_task_return_error (task, keyring_error (error));
  for (GList *l = items; l != NULL; l = l->next)
    {
      g_autoptr(GHashTable) attributes = secret_item_get_attributes (l->data);
      const char *id = g_hash_table_lookup (attributes, "account");

      if (id != NULL)
        g_strv_builder_add (ids, id);
    }
  g_list_free_full (items, g_object_unref);
  g_task_return_pointer (task, g_strv_builder_end (ids), (GDestroyNotify) g_strfreev);
}

void
sesame_secret_store_list_async (SesameSecretStore   *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_task_set_source_tag (task, sesame_secret_store_list_async);
  secret_service_search (NULL, sesame_secret_store_get_schema (), attributes, SECRET_SEARCH_ALL,
                         cancellable, on_listed, task);
}

GStrv
sesame_secret_store_list_finish (SesameSecretStore *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
