/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-qr.c: the QR code sesamectl draws reads back, with a real reader
 * (zbarimg), as the address it was given */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "sesamectl-qr.h"

#define SCALE 4

static void
string_free (gpointer string)
{
  g_string_free (string, TRUE);
}

/* The drawing back to modules: each line holds two module rows. */
static GPtrArray *
read_back (const char *drawing)
{
  g_auto(GStrv) lines = g_strsplit (drawing, "\n", -1);
  GPtrArray *rows = g_ptr_array_new_with_free_func (string_free);

  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      GString *top = g_string_new (NULL), *bottom = g_string_new (NULL);
      const char *p = strstr (lines[i], "m") + 1;   /* after the colour */

      while (*p != '\0' && *p != '\033')
        {
          gunichar c = g_utf8_get_char (p);

          g_assert_true (c == 0x2588 || c == 0x2580 || c == 0x2584 || c == ' ');
          g_string_append_c (top, c == 0x2588 || c == 0x2580 ? '0' : '1');
          g_string_append_c (bottom, c == 0x2588 || c == 0x2584 ? '0' : '1');
          p = g_utf8_next_char (p);
        }
      g_ptr_array_add (rows, top);
      g_ptr_array_add (rows, bottom);
    }
  return rows;
}

/* A PBM picture of the modules (1 = dark), scaled up for the reader. */
static char *
write_pbm (GPtrArray  *rows,
           const char *dir)
{
  guint width = ((GString *) rows->pdata[0])->len;
  g_autoptr(GString) pbm = g_string_new (NULL);
  char *path = g_build_filename (dir, "qr.pbm", NULL);

  g_string_append_printf (pbm, "P1\n%u %u\n", (width + 8) * SCALE, (rows->len + 8) * SCALE);
  for (guint y = 0; y < (rows->len + 8) * SCALE; y++)
    {
      for (guint x = 0; x < (width + 8) * SCALE; x++)
        {
          guint mx = x / SCALE, my = y / SCALE;
          gboolean dark = mx >= 4 && my >= 4 && mx - 4 < width && my - 4 < rows->len &&
                          ((GString *) rows->pdata[my - 4])->str[mx - 4] == '1';

          g_string_append (pbm, dark ? "1 " : "0 ");
        }
      g_string_append_c (pbm, '\n');
    }
  g_assert_true (g_file_set_contents (path, pbm->str, pbm->len, NULL));
  return path;
}

static void
test_reads_back (void)
{
  const char *uri = "http://127.0.0.1:38529/device?user_code=WDJB-MJHT";
  g_autofree char *drawing = sesamectl_qr_render (uri, 200);
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sesame-qr-XXXXXX", NULL);
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status;
  const char *argv[] = { "zbarimg", "--quiet", "--raw", NULL, NULL };

  g_assert_nonnull (drawing);
  rows = read_back (drawing);
  path = write_pbm (rows, dir);
  argv[3] = path;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (g_strchomp (out), ==, uri);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_too_narrow (void)
{
  g_autofree char *wide = sesamectl_qr_render ("https://example.com/device", 200);
  g_autofree char *narrow = sesamectl_qr_render ("https://example.com/device", 20);
  g_auto(GStrv) lines = NULL;

  g_assert_nonnull (wide);
  g_assert_null (narrow);
  /* Two module rows a line: about half as many lines as columns. */
  lines = g_strsplit (wide, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines) - 1, <, 20);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/qr/reads-back", test_reads_back);
  g_test_add_func ("/qr/too-narrow", test_too_narrow);
  return g_test_run ();
}
