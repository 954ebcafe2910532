/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-json-file.c: a metadata file: read once, written atomically, one write at a time */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "sesame-error.h"
#include "sesame-json.h"
#include "sesame-json-file.h"

struct _SesameJsonFile
{
  GObject                  parent_instance;

  char                    *path;
  SesameJsonFileSerialize  serialize;
  gpointer                 user_data;

  /* One write at a time; changes made meanwhile are written next. */
  gboolean                 writing;
  gboolean                 dirty;
  guint                    save_idle;
  GPtrArray               *waiting;        /* GTask waiting for the write in flight */
  GPtrArray               *waiting_next;   /* GTask waiting for the next write */
};

G_DEFINE_FINAL_TYPE (SesameJsonFile, sesame_json_file, G_TYPE_OBJECT)

static void
sesame_json_file_finalize (GObject *object)
{
  SesameJsonFile *self = SESAME_JSON_FILE (object);

  g_clear_handle_id (&self->save_idle, g_source_remove);
  g_free (self->path);
  g_ptr_array_unref (self->waiting);
  g_ptr_array_unref (self->waiting_next);

  G_OBJECT_CLASS (sesame_json_file_parent_class)->finalize (object);
}

static void
sesame_json_file_class_init (SesameJsonFileClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sesame_json_file_finalize;
}

static void
sesame_json_file_init (SesameJsonFile *self)
{
  self->waiting = g_ptr_array_new ();
  self->waiting_next = g_ptr_array_new ();
}

SesameJsonFile *
sesame_json_file_new (const char              *path,
                      SesameJsonFileSerialize  serialize,
                      gpointer                 user_data)
{
  SesameJsonFile *self = g_object_new (SESAME_TYPE_JSON_FILE, NULL);

  self->path = g_strdup (path);
  self->serialize = serialize;
  self->user_data = user_data;
  return self;
}

const char *
sesame_json_file_get_path (SesameJsonFile *self)
{
  return self->path;
}

void
sesame_json_file_detach (SesameJsonFile *self)
{
  g_clear_handle_id (&self->save_idle, g_source_remove);
  self->serialize = NULL;
}

void
sesame_json_file_set_aside (SesameJsonFile  *self,
                            const char      *problem,
                            GError         **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *aside = g_strdup_printf ("%s.damaged-%s", self->path, stamp);

  if (g_rename (self->path, aside) != 0)
    g_clear_pointer (&aside, g_free);
  g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
               _("The file %s was damaged (%s); it was kept as %s and Sesame starts without "
                 "it. Restore it from there, or add the accounts again."),
               self->path, problem, aside ? aside : self->path);
}

JsonNode *
sesame_json_file_load (SesameJsonFile  *self,
                       GError         **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (!g_file_get_contents (self->path, &contents, &length, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                     _("Could not read %s: %s"), self->path, local_error->message);
      return NULL;
    }
  if (!sesame_json_parser_load (parser, contents, (gssize) length, &local_error))
    {
      sesame_json_file_set_aside (self, local_error->message, error);
      return NULL;
    }
  /* Sesame never writes an empty file: one was cut short. */
  if (json_parser_get_root (parser) == NULL)
    {
      sesame_json_file_set_aside (self, _("it is empty"), error);
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

static void write_now (SesameJsonFile *self);

static void
complete_waiting (GPtrArray    *waiting,
                  const GError *error)
{
  for (guint i = 0; i < waiting->len; i++)
    {
      g_autoptr(GTask) task = waiting->pdata[i];

      if (error)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
  g_ptr_array_set_size (waiting, 0);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SesameJsonFile) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_warning ("Could not save %s: %s", self->path, error->message);

  self->writing = FALSE;
  complete_waiting (self->waiting, error);
  if (self->dirty)
    write_now (self);
}

static GBytes *
serialize (SesameJsonFile *self)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = self->serialize (self->user_data);
  gsize length;
  char *text;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, &length);
  return g_bytes_new_take (text, length);
}

static void
write_now (SesameJsonFile *self)
{
  g_autoptr(GFile) file = g_file_new_for_path (self->path);
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autoptr(GBytes) bytes = NULL;

  g_clear_handle_id (&self->save_idle, g_source_remove);
  if (self->writing)
    {
      self->dirty = TRUE;
      return;
    }
  if (self->serialize == NULL)
    {
      complete_waiting (self->waiting_next, NULL);
      return;
    }

  g_mkdir_with_parents (dir, 0700);
  bytes = serialize (self);
  self->writing = TRUE;
  self->dirty = FALSE;
  g_ptr_array_extend_and_steal (self->waiting, g_steal_pointer (&self->waiting_next));
  self->waiting_next = g_ptr_array_new ();

  /* g_file_replace writes a temporary file and renames it over the old one. */
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL,
                                       on_written, g_object_ref (self));
}

static gboolean
save_idle_cb (gpointer user_data)
{
  SesameJsonFile *self = user_data;

  self->save_idle = 0;
  write_now (self);
  return G_SOURCE_REMOVE;
}

void
sesame_json_file_flush (SesameJsonFile *self)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  if (self->serialize == NULL || (self->save_idle == 0 && !self->dirty && !self->writing))
    return;
  g_clear_handle_id (&self->save_idle, g_source_remove);
  bytes = serialize (self);
  if (!g_file_set_contents_full (self->path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_warning ("Could not save %s: %s", self->path, error->message);
  self->dirty = FALSE;
}

void
sesame_json_file_schedule_save (SesameJsonFile *self)
{
  if (self->writing)
    self->dirty = TRUE;
  else if (self->save_idle == 0)
    self->save_idle = g_idle_add (save_idle_cb, self);
}

void
sesame_json_file_save_async (SesameJsonFile      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, sesame_json_file_save_async);
  g_ptr_array_add (self->waiting_next, task);
  self->dirty = TRUE;
  write_now (self);
}

gboolean
sesame_json_file_save_finish (SesameJsonFile  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_task_saved (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!sesame_json_file_save_finish (SESAME_JSON_FILE (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
sesame_json_file_save_task (SesameJsonFile *self,
                            GTask          *task)
{
  sesame_json_file_save_async (self, g_task_get_cancellable (task), on_task_saved, task);
}
