/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesamectl-qr.c: a QR code for the terminal, to open a sign-in address on a phone */
#include "config.h"

#include <qrencode.h>

#include "sesamectl-qr.h"

/* Readers want a light margin around the code; two modules suffice in practice. */
#define QUIET 2

static gboolean
light (const QRcode *code,
       int           x,
       int           y)
{
  x -= QUIET;
  y -= QUIET;
  if (x < 0 || y < 0 || x >= code->width || y >= code->width)
    return TRUE;
  return (code->data[y * code->width + x] & 1) == 0;
}

char *
sesamectl_qr_render (const char *text,
                     guint       max_columns)
{
  /* Low error correction keeps the code small: it is read off a screen. */
  QRcode *code = QRcode_encodeString (text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
  g_autoptr(GString) out = NULL;
  int size;

  if (code == NULL)
    return NULL;
  size = code->width + 2 * QUIET;
  if ((guint) size > max_columns)
    {
      QRcode_free (code);
      return NULL;
    }
  out = g_string_new (NULL);
  for (int y = 0; y < size; y += 2)
    {
      g_string_append (out, "\033[97;40m");
      for (int x = 0; x < size; x++)
        {
          gboolean top = light (code, x, y);
          gboolean bottom = y + 1 < size ? light (code, x, y + 1) : FALSE;

          g_string_append (out, top && bottom ? "█" : top ? "▀" : bottom ? "▄" : " ");
        }
      g_string_append (out, "\033[0m\n");
    }
  QRcode_free (code);
  return g_string_free (g_steal_pointer (&out), FALSE);
}
