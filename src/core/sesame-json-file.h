/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-json-file.h: a metadata file: read once, written atomically, one write at a time */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SESAME_TYPE_JSON_FILE (sesame_json_file_get_type ())
G_DECLARE_FINAL_TYPE (SesameJsonFile, sesame_json_file, SESAME, JSON_FILE, GObject)

/* Returns the file's whole contents, built from the owner's state. */
typedef JsonNode *(*SesameJsonFileSerialize) (gpointer user_data);

SesameJsonFile *sesame_json_file_new        (const char              *path,
                                             SesameJsonFileSerialize  serialize,
                                             gpointer                 user_data);
const char     *sesame_json_file_get_path   (SesameJsonFile *self);

/* NULL without an error when there is no file yet. A file that is not JSON
 * is set aside and reported. */
JsonNode       *sesame_json_file_load       (SesameJsonFile  *self,
                                             GError         **error);
/* Keeps a damaged file for the person (renamed to PATH.damaged-TIME) and
 * reports @problem through @error; the owner starts without it. */
void            sesame_json_file_set_aside  (SesameJsonFile  *self,
                                             const char      *problem,
                                             GError         **error);

/* Coalesces the changes of one main-loop iteration into one write. */
void            sesame_json_file_schedule_save (SesameJsonFile *self);
/* Completes once everything changed so far is on disk. */
void            sesame_json_file_save_async    (SesameJsonFile      *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean        sesame_json_file_save_finish   (SesameJsonFile  *self,
                                                GAsyncResult    *result,
                                                GError         **error);
/* An owner's save: @task (owned) returns TRUE, or the error, once
 * everything changed so far is on disk. */
void            sesame_json_file_save_task     (SesameJsonFile *self,
                                                GTask          *task);
/* Writes now, synchronously, what is not on disk yet: for shutdown. */
void            sesame_json_file_flush         (SesameJsonFile *self);
/* Stops pending writes from calling back into a finished owner. */
void            sesame_json_file_detach        (SesameJsonFile *self);

G_END_DECLS
