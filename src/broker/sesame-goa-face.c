/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-goa-face.c: Sesame's accounts on org.gnome.OnlineAccounts, for GOA clients */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-error.h"
#include "sesame-goa-account.h"
#include "sesame-goa-face.h"
#include "sesame-goa-generated.h"
#include "sesame-invocation.h"

#define GOA_COMPATIBLE_KEY "goa-compatible"

struct _SesameGoaFace
{
  GObject                   parent_instance;

  GDBusConnection          *connection;
  GSettings                *settings;        /* NULL: the schema is not installed */
  SesameAccessControl      *access_control;
  GHashTable               *accounts;        /* the broker's: id → SesameAccountObject */

  guint                     owner_id;        /* while goa-compatible is on */
  GDBusObjectManagerServer *manager;         /* while the name is ours */
  GHashTable               *shown;           /* id → SesameGoaAccount */
};

G_DEFINE_FINAL_TYPE (SesameGoaFace, sesame_goa_face, G_TYPE_OBJECT)

static void
stop_serving (SesameGoaFace *self)
{
  g_hash_table_remove_all (self->shown);
  if (self->manager != NULL)
    g_dbus_object_manager_server_set_connection (self->manager, NULL);
  g_clear_object (&self->manager);
}

static void
sesame_goa_face_dispose (GObject *object)
{
  SesameGoaFace *self = SESAME_GOA_FACE (object);

  g_clear_handle_id (&self->owner_id, g_bus_unown_name);
  if (self->shown != NULL)
    stop_serving (self);
  g_clear_pointer (&self->shown, g_hash_table_unref);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  g_clear_object (&self->access_control);
  g_clear_object (&self->connection);
  self->accounts = NULL;

  G_OBJECT_CLASS (sesame_goa_face_parent_class)->dispose (object);
}

static void
sesame_goa_face_class_init (SesameGoaFaceClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sesame_goa_face_dispose;
}

static void
sesame_goa_face_init (SesameGoaFace *self)
{
  self->shown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

void
sesame_goa_face_account_added (SesameGoaFace       *self,
                               SesameAccountObject *object)
{
  SesameAccount *account = sesame_credentials_get_account (sesame_account_object_get_credentials (object));

  if (self->manager == NULL || !sesame_goa_account_is_shown (object))
    return;
  g_hash_table_replace (self->shown, g_strdup (sesame_account_get_id (account)),
                        sesame_goa_account_new (object, self->access_control, self->manager));
}

void
sesame_goa_face_account_removed (SesameGoaFace *self,
                                 const char    *id)
{
  g_hash_table_remove (self->shown, id);
}

/* Accounts are added in Sesame, where the person signs in and sees the
 * scopes; a GOA client cannot hand over credentials of its own. */
static gboolean
on_add_account (SesameGoaDBusManager  *manager,
                GDBusMethodInvocation *invocation,
                const char            *provider,
                const char            *identity,
                const char            *presentation_identity,
                GVariant              *credentials,
                GVariant              *details,
                SesameGoaFace         *self)
{
  sesame_invocation_return_error (invocation,
                                  g_error_new_literal (SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                                                       _("Accounts are added in Sesame. Open "
                                                         "Sesame and add the account there; it "
                                                         "then appears here by itself.")));
  return TRUE;
}

static void
export_manager (SesameGoaFace *self)
{
  g_autoptr(SesameGoaDBusObjectSkeleton) object = sesame_goa_dbus_object_skeleton_new (SESAME_GOA_PATH "/Manager");
  g_autoptr(SesameGoaDBusManager) manager = sesame_goa_dbus_manager_skeleton_new ();

  g_signal_connect_object (manager, "handle-add-account", G_CALLBACK (on_add_account), self, 0);
  sesame_goa_dbus_object_skeleton_set_manager (object, manager);
  g_dbus_object_manager_server_export (self->manager, G_DBUS_OBJECT_SKELETON (object));
}

static void
on_name_acquired (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  SesameGoaFace *self = user_data;
  GHashTableIter iter;
  gpointer object;

  g_message ("Serving Sesame’s accounts to GNOME Online Accounts clients on %s", name);
  self->manager = g_dbus_object_manager_server_new (SESAME_GOA_PATH);
  export_manager (self);
  g_hash_table_iter_init (&iter, self->accounts);
  while (g_hash_table_iter_next (&iter, NULL, &object))
    sesame_goa_face_account_added (self, object);
  g_dbus_object_manager_server_set_connection (self->manager, self->connection);
}

/* Never queued and never replacing: where goa-daemon (or anyone) has the
 * name, its clients stay with it. */
static void
on_name_lost (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  SesameGoaFace *self = user_data;

  g_message ("Another program (GNOME Online Accounts?) owns %s: Sesame stays out and does not "
             "serve its accounts there", name);
  stop_serving (self);
  g_clear_handle_id (&self->owner_id, g_bus_unown_name);
}

static void
follow_setting (SesameGoaFace *self)
{
  gboolean on = self->settings != NULL && g_settings_get_boolean (self->settings, GOA_COMPATIBLE_KEY);

  if (on && self->owner_id == 0)
    self->owner_id = g_bus_own_name_on_connection (self->connection, SESAME_GOA_BUS_NAME,
                                                   G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                                   on_name_acquired, on_name_lost, self, NULL);
  else if (!on && self->owner_id != 0)
    {
      g_clear_handle_id (&self->owner_id, g_bus_unown_name);
      stop_serving (self);
    }
}

SesameGoaFace *
sesame_goa_face_new (GDBusConnection     *connection,
                     GSettings           *settings,
                     SesameAccessControl *access_control,
                     GHashTable          *accounts)
{
  SesameGoaFace *self = g_object_new (SESAME_TYPE_GOA_FACE, NULL);

  self->connection = g_object_ref (connection);
  g_set_object (&self->settings, settings);
  self->access_control = g_object_ref (access_control);
  self->accounts = accounts;
  if (settings != NULL)
    g_signal_connect_swapped (settings, "changed::" GOA_COMPATIBLE_KEY,
                              G_CALLBACK (follow_setting), self);
  follow_setting (self);
  return self;
}
