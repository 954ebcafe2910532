/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-secret-store.c: one Secret Service item per account */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-error.h"
#include "sesame-secret-service.h"
#include "sesame-secret-store.h"

struct _SesameSecretStore
{
  GObject              parent_instance;
  SesameSecretService *service;   /* opened at first use, dropped when it leaves the bus */
  char                *owner;     /* the keyring process it talks to (its unique name) */
  GPtrArray           *waiting;   /* tasks waiting for it to open */
};

G_DEFINE_FINAL_TYPE (SesameSecretStore, sesame_secret_store, G_TYPE_OBJECT)

/* What an operation needs at each of its steps: a task's data. */
typedef struct {
  SesameSecretService *service;
  void               (*run) (GTask *task);
  char                *account_id;
  char                *label;
  SecretValue         *value;
  gboolean             may_unlock;
  gboolean             unlocked;   /* unlocking was asked for once */
  GPtrArray           *deleted;    /* items deleted so far (clear) */
} Operation;

static void
operation_free (Operation *operation)
{
  g_clear_object (&operation->service);
  g_free (operation->account_id);
  g_free (operation->label);
  g_clear_pointer (&operation->value, secret_value_unref);
  g_clear_pointer (&operation->deleted, g_ptr_array_unref);
  g_free (operation);
}

static void
sesame_secret_store_dispose (GObject *object)
{
  SesameSecretStore *self = SESAME_SECRET_STORE (object);

  if (self->service != NULL)
    g_signal_handlers_disconnect_by_data (self->service, self);
  g_clear_object (&self->service);
  G_OBJECT_CLASS (sesame_secret_store_parent_class)->dispose (object);
}

static void
sesame_secret_store_finalize (GObject *object)
{
  SesameSecretStore *self = SESAME_SECRET_STORE (object);

  g_ptr_array_unref (self->waiting);
  g_free (self->owner);
  G_OBJECT_CLASS (sesame_secret_store_parent_class)->finalize (object);
}

static void
sesame_secret_store_class_init (SesameSecretStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sesame_secret_store_dispose;
  object_class->finalize = sesame_secret_store_finalize;
}

static void
sesame_secret_store_init (SesameSecretStore *self)
{
  self->waiting = g_ptr_array_new ();
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

  /* Cancelled, or already a sentence of Sesame's (the keyring is locked). */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || error->domain == SESAME_ERROR)
    return error;
  mapped = g_error_new (SESAME_ERROR, SESAME_ERROR_KEYRING,
                        _("The keyring could not be used (%s). Make sure a Secret Service "
                          "such as GNOME Keyring is running and unlocked, then try again."),
                        error->message);
  g_error_free (error);
  return mapped;
}

/* ---- The service, opened once and shared ---- */

static void
on_service_owner (GObject    *object,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  SesameSecretStore *self = user_data;
  g_autofree char *owner = g_dbus_proxy_get_name_owner (G_DBUS_PROXY (object));

  /* Gone or replaced (the keyring stopped or restarted): its session went
   * with it. Open anew. */
  if (g_strcmp0 (owner, self->owner) != 0)
    {
      g_signal_handlers_disconnect_by_data (self->service, self);
      g_clear_object (&self->service);
      g_clear_pointer (&self->owner, g_free);
    }
}

static void
on_service_opened (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SesameSecretStore) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SecretService) service = secret_service_open_finish (result, &error);
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&self->waiting);
  g_autofree char *owner = NULL;

  self->waiting = g_ptr_array_new ();
  if (service != NULL)
    owner = g_dbus_proxy_get_name_owner (G_DBUS_PROXY (service));
  if (owner != NULL && self->service == NULL)
    {
      self->service = g_object_ref (SESAME_SECRET_SERVICE (service));
      self->owner = g_steal_pointer (&owner);
      g_signal_connect (self->service, "notify::g-name-owner", G_CALLBACK (on_service_owner), self);
    }

  for (guint i = 0; i < waiting->len; i++)
    {
      g_autoptr(GTask) task = waiting->pdata[i];
      Operation *operation = g_task_get_task_data (task);

      if (service == NULL)
        {
          g_task_return_error (task, keyring_error (g_error_copy (error)));
          continue;
        }
      operation->service = g_object_ref (SESAME_SECRET_SERVICE (service));
      operation->run (g_steal_pointer (&task));
    }
}

/* Runs @task's operation once the service is there. */
static void
start_operation (SesameSecretStore *self,
                 GTask             *task,
                 Operation         *operation)
{
  g_task_set_task_data (task, operation, (GDestroyNotify) operation_free);
  if (self->service != NULL)
    {
      operation->service = g_object_ref (self->service);
      operation->run (task);
      return;
    }
  g_ptr_array_add (self->waiting, task);
  if (self->waiting->len == 1)
    secret_service_open (SESAME_TYPE_SECRET_SERVICE, NULL, SECRET_SERVICE_NONE, NULL,
                         on_service_opened, g_object_ref (self));
}

static GHashTable *
account_attributes (const char *account_id)
{
  return secret_attributes_build (sesame_secret_store_get_schema (), "account", account_id, NULL);
}

/* Asks once to unlock the locked items of @items; runs the operation again
 * after. FALSE when there is nothing more to do about them. */
static gboolean
unlock_items (GTask              **task,
              GList               *items,
              GAsyncReadyCallback  callback)
{
  Operation *operation = g_task_get_task_data (*task);
  g_autoptr(GStrvBuilder) paths = g_strv_builder_new ();
  GCancellable *cancellable;
  g_auto(GStrv) locked = NULL;

  for (GList *l = items; l != NULL; l = l->next)
    if (secret_item_get_locked (l->data))
      g_strv_builder_add (paths, g_dbus_proxy_get_object_path (l->data));
  locked = g_strv_builder_end (paths);
  if (locked[0] == NULL || !operation->may_unlock || operation->unlocked)
    return FALSE;
  operation->unlocked = TRUE;
  cancellable = g_task_get_cancellable (*task);
  sesame_secret_service_unlock_async (operation->service, (const char * const *) locked,
                                      cancellable, callback, g_steal_pointer (task));
  return TRUE;
}

static void
on_unlocked (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Operation *operation = g_task_get_task_data (task);
  GError *error = NULL;

  if (!sesame_secret_service_unlock_finish (SESAME_SECRET_SERVICE (source), result, &error))
    {
      g_task_return_error (task, keyring_error (error));
      return;
    }
  operation->run (g_steal_pointer (&task));
}

/* ---- Lookup ---- */

static void
on_lookup (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autolist(SecretItem) items = secret_service_search_finish (SECRET_SERVICE (source), result,
                                                               &error);
  g_autoptr(SecretValue) value = NULL;
  const char *secret;
  SesameToken *token;

  if (error != NULL)
    {
      g_task_return_error (task, keyring_error (error));
      return;
    }
  if (unlock_items (&task, items, on_unlocked))
    return;
  /* Still locked: unlocking was refused or nobody could be asked. The
   * secret is there; it must not be taken for a missing one. */
  if (items != NULL && secret_item_get_locked (items->data))
    {
      g_task_return_error (task, sesame_secret_service_new_locked_error ());
      return;
    }
  if (items == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  /* libsecret ignores a failure to load it: the secret is there all the same. */
  value = secret_item_get_secret (items->data);
  if (value == NULL)
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_KEYRING,
                               _("The account’s secret could not be read from the keyring. "
                                 "Try again; if it keeps failing, restart GNOME Keyring."));
      return;
    }

  /* SecretValue keeps the text in non-pageable memory and wipes it. */
  secret = secret_value_get_text (value);
  if (secret == NULL)
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_KEYRING,
                               _("The account’s keyring item is not text."));
      return;
    }
  token = sesame_token_new_from_secret (secret, &error);
  if (token == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, token, (GDestroyNotify) sesame_token_free);
}

/* A search that loads the secret, rather than secret_password_lookup():
 * libsecret 0.20.5 leaks that one's whole D-Bus answer, the transported
 * secret included, at every lookup. */
static void
lookup (GTask *task)
{
  Operation *operation = g_task_get_task_data (task);
  g_autoptr(GHashTable) attributes = account_attributes (operation->account_id);

  secret_service_search (SECRET_SERVICE (operation->service), sesame_secret_store_get_schema (),
                         attributes, SECRET_SEARCH_LOAD_SECRETS, g_task_get_cancellable (task),
                         on_lookup, task);
}

void
sesame_secret_store_lookup_async (SesameSecretStore   *self,
                                  const char          *account_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Operation *operation = g_new0 (Operation, 1);

  g_task_set_source_tag (task, sesame_secret_store_lookup_async);
  operation->run = lookup;
  operation->account_id = g_strdup (account_id);
  operation->may_unlock = TRUE;
  start_operation (self, task, operation);
}

SesameToken *
sesame_secret_store_lookup_finish (SesameSecretStore *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Store ---- */

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_service_store_finish (SECRET_SERVICE (source), result, &error))
    {
      g_task_return_error (task, keyring_error (error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
store (GTask *task)
{
  Operation *operation = g_task_get_task_data (task);
  g_autoptr(GHashTable) attributes = account_attributes (operation->account_id);

  secret_service_store (SECRET_SERVICE (operation->service), sesame_secret_store_get_schema (),
                        attributes, SECRET_COLLECTION_DEFAULT, operation->label,
                        operation->value, g_task_get_cancellable (task), on_stored, task);
}

static void
on_collection_unlocked (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* Only a refusal stops here; any other failure, storing reports. */
  if (!sesame_secret_service_unlock_finish (SESAME_SECRET_SERVICE (source), result, &error) &&
      g_error_matches (error, SESAME_ERROR, SESAME_ERROR_KEYRING))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  store (g_steal_pointer (&task));
}

/* The collection is unlocked first, here: libsecret's own unlocking, when
 * storing finds it locked, is the leaking one. */
static void
unlock_then_store (GTask *task)
{
  Operation *operation = g_task_get_task_data (task);
  const char *paths[] = { "/org/freedesktop/secrets/aliases/default", NULL };

  sesame_secret_service_unlock_async (operation->service, paths, g_task_get_cancellable (task),
                                      on_collection_unlocked, task);
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
  Operation *operation = g_new0 (Operation, 1);
  char *secret = sesame_token_to_secret (token);

  g_task_set_source_tag (task, sesame_secret_store_store_async);
  operation->run = unlock_then_store;
  operation->account_id = g_strdup (account_id);
  operation->label = g_strdup (label);
  operation->value = secret_value_new (secret, -1, "text/plain");
  sesame_secret_string_free (secret);
  start_operation (self, task, operation);
}

gboolean
sesame_secret_store_store_finish (SesameSecretStore *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Clear ---- */

static void
on_item_deleted (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Operation *operation = g_task_get_task_data (task);
  GError *error = NULL;

  if (!secret_item_delete_finish (SECRET_ITEM (source), result, &error))
    {
      g_task_return_error (task, keyring_error (error));
      return;
    }
  /* Once more, until no item of the account is left. */
  operation->run (g_steal_pointer (&task));
}

/* Item by item: libsecret's own clearing deletes only unlocked items and
 * says nothing of the rest, and answers twice when a deletion fails. */
static void
on_clear_found (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Operation *operation = g_task_get_task_data (task);
  GError *error = NULL;
  g_autolist(SecretItem) items = secret_service_search_finish (SECRET_SERVICE (source), result,
                                                               &error);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (error != NULL)
    {
      g_task_return_error (task, keyring_error (error));
      return;
    }
  if (unlock_items (&task, items, on_unlocked))
    return;
  for (GList *l = items; l != NULL; l = l->next)
    {
      const char *path = g_dbus_proxy_get_object_path (l->data);

      if (secret_item_get_locked (l->data))
        continue;
      /* Deleted, yet still there: the keyring asked someone to confirm,
       * who refused (KeePassXC can), and libsecret took that for done. */
      if (g_ptr_array_find_with_equal_func (operation->deleted, path, g_str_equal, NULL))
        {
          g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_KEYRING,
                                   _("The keyring did not delete the account’s secret. "
                                     "Delete it in your keyring’s own window if you "
                                     "want it gone."));
          return;
        }
      g_ptr_array_add (operation->deleted, g_strdup (path));
      secret_item_delete (l->data, cancellable, on_item_deleted, g_steal_pointer (&task));
      return;
    }
  /* Only locked items are left: a refusal when the person was asked,
   * otherwise left for when the keyring is unlocked. */
  if (items != NULL && operation->may_unlock)
    {
      g_task_return_error (task, sesame_secret_service_new_locked_error ());
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
clear (GTask *task)
{
  Operation *operation = g_task_get_task_data (task);
  g_autoptr(GHashTable) attributes = account_attributes (operation->account_id);

  secret_service_search (SECRET_SERVICE (operation->service), sesame_secret_store_get_schema (),
                         attributes, SECRET_SEARCH_ALL, g_task_get_cancellable (task),
                         on_clear_found, task);
}

void
sesame_secret_store_clear_async (SesameSecretStore   *self,
                                 const char          *account_id,
                                 gboolean             may_unlock,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Operation *operation = g_new0 (Operation, 1);

  g_task_set_source_tag (task, sesame_secret_store_clear_async);
  operation->run = clear;
  operation->account_id = g_strdup (account_id);
  operation->deleted = g_ptr_array_new_with_free_func (g_free);
  operation->may_unlock = may_unlock;
  start_operation (self, task, operation);
}

gboolean
sesame_secret_store_clear_finish (SesameSecretStore *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- List ---- */

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GStrv ids = sesame_secret_service_list_finish (SESAME_SECRET_SERVICE (source), result, &error);

  if (ids == NULL)
    {
      g_task_return_error (task, keyring_error (error));
      return;
    }
  g_task_return_pointer (task, ids, (GDestroyNotify) g_strfreev);
}

static void
list (GTask *task)
{
  Operation *operation = g_task_get_task_data (task);

  sesame_secret_service_list_async (operation->service, sesame_secret_store_get_schema (),
                                    "account", g_task_get_cancellable (task), on_listed, task);
}

void
sesame_secret_store_list_async (SesameSecretStore   *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Operation *operation = g_new0 (Operation, 1);

  g_task_set_source_tag (task, sesame_secret_store_list_async);
  operation->run = list;
  start_operation (self, task, operation);
}

GStrv
sesame_secret_store_list_finish (SesameSecretStore *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
