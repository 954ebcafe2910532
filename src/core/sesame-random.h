/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-random.h: state and PKCE values from the kernel's CSPRNG */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @n_bytes random bytes from getrandom(2), base64url without padding. */
char *sesame_random_string          (gsize       n_bytes);
/* RFC 7636 §4.2: BASE64URL(SHA256(ASCII(verifier))) */
char *sesame_pkce_challenge_s256    (const char *verifier);
/* base64url without padding, and back (NULL when not valid base64url) */
char   *sesame_base64url_encode     (const guint8 *data,
                                     gsize         length);
guint8 *sesame_base64url_decode     (const char   *text,
                                     gsize        *out_length);

G_END_DECLS
