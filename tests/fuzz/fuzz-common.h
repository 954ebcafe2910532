/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-common.h: what every fuzz target shares: fatal criticals, quiet logs, temporary files */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize   (int *argc, char ***argv);

/* A g_return_if_fail() reached from outside input is a bug: criticals abort,
 * so libFuzzer reports them with the input. The core's own g_warning()s
 * about bad files are expected and only slow the run down. */
static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_FLAG_FATAL))
    return g_log_writer_standard_streams (level, fields, n_fields, user_data);
  return G_LOG_WRITER_HANDLED;
}

static inline void
fuzz_init_logging (void)
{
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
}

/* The input as a NUL-terminated string of exactly @size bytes (it may hold
 * NULs of its own: readers that take a length must not stop at them). */
static inline char *
fuzz_dup (const uint8_t *data,
          size_t         size)
{
  char *copy = g_malloc (size + 1);

  if (size > 0)
    memcpy (copy, data, size);
  copy[size] = '\0';
  return copy;
}

/* A private directory for the files a target reads, removed at exit. */
static char *fuzz_dir;

static void
fuzz_remove_dir (void)
{
  g_autoptr(GDir) dir = fuzz_dir != NULL ? g_dir_open (fuzz_dir, 0, NULL) : NULL;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fuzz_dir, name, NULL);

      g_remove (path);
    }
  if (fuzz_dir != NULL)
    g_rmdir (fuzz_dir);
}

static inline const char *
fuzz_get_dir (void)
{
  if (fuzz_dir == NULL)
    {
      fuzz_dir = g_dir_make_tmp ("sesame-fuzz-XXXXXX", NULL);
      g_assert (fuzz_dir != NULL);
      atexit (fuzz_remove_dir);
    }
  return fuzz_dir;
}

/* Empties the directory (a damaged file is set aside under a new name, and
 * those would pile up) and writes @name with the input. */
static inline char *
fuzz_write_file (const char    *name,
                 const uint8_t *data,
                 size_t         size)
{
  char *path = g_build_filename (fuzz_get_dir (), name, NULL);
  g_autoptr(GDir) dir = g_dir_open (fuzz_dir, 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *old = g_build_filename (fuzz_dir, entry, NULL);

      g_remove (old);
    }
  g_assert (g_file_set_contents (path, (const char *) data, (gssize) size, NULL));
  return path;
}
