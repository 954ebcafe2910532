/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-random.c: state and PKCE values from the kernel's CSPRNG */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "sesame-random.h"

/* state and code verifiers guard sign-ins against forgery: they must come
 * from the kernel's CSPRNG, never from GLib's predictable generator. */
static void
fill_random (guint8 *buffer,
             gsize   length)
{
  gsize filled = 0;

  while (filled < length)
    {
      ssize_t n = getrandom (buffer + filled, length - filled, 0);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          /* Without randomness no sign-in can be made safe: stop here
           * rather than hand out guessable values. */
          g_error ("getrandom() failed: %s", g_strerror (errno));
        }
      filled += (gsize) n;
    }
}

char *
sesame_random_string (gsize n_bytes)
{
  g_autofree guint8 *bytes = g_malloc (MAX (n_bytes, 1));
  char *text;

  fill_random (bytes, n_bytes);
  text = sesame_base64url_encode (bytes, n_bytes);
  explicit_bzero (bytes, n_bytes);
  return text;
}

char *
sesame_pkce_challenge_s256 (const char *verifier)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_length = sizeof (digest);

  g_return_val_if_fail (verifier != NULL, NULL);

  g_checksum_update (checksum, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (checksum, digest, &digest_length);
  return sesame_base64url_encode (digest, digest_length);
}

char *
sesame_base64url_encode (const guint8 *data,
                         gsize         length)
{
  char *text = g_base64_encode (data, length);
  char *end = text + strlen (text);

  while (end > text && end[-1] == '=')
    *--end = '\0';
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  return text;
}

guint8 *
sesame_base64url_decode (const char *text,
                         gsize      *out_length)
{
  g_autofree char *padded = NULL;
  gsize length;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (out_length != NULL, NULL);

  /* g_base64_decode() skips what it does not know; check the alphabet
   * first so that garbage is refused instead of half decoded. */
  length = strspn (text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
  if (text[length] != '\0' || length % 4 == 1)
    return NULL;

  padded = g_malloc (length + 3);
  memcpy (padded, text, length);
  while (length % 4 != 0)
    padded[length++] = '=';
  padded[length] = '\0';
  g_strdelimit (padded, "-", '+');
  g_strdelimit (padded, "_", '/');

  return g_base64_decode (padded, out_length);
}
