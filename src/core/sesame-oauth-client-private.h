/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-oauth-client-private.h: the OAuth client's readers of provider answers, for the fuzz targets */
#pragma once

#include "sesame-oauth-client.h"

G_BEGIN_DECLS

/* These are what the OAuth client runs on every answer; they are exposed
 * so that the fuzz targets feed the real code, not a copy. */

/* sesame-oauth-exchange.c */

/* The body as a JSON object, or NULL when it is not one. */
JsonObject *sesame_oauth_parse_body (const char *body,
                                     gsize       length);
/* The error an answer means (5xx, an OAuth error object, an unexpected
 * status), or NULL when it is a success to be read further.
 * @error_aliases: the provider's codes → OAuth's, or NULL. */
GError     *sesame_oauth_response_error (const char *name,
                                         guint       status,
                                         JsonObject *object,
                                         GHashTable *error_aliases);
/* sesame-oauth-client.c */

/* RFC 8628 §3.2; @object may be NULL. */
SesameDeviceAuthorization *
            sesame_oauth_device_authorization_new (const char  *name,
                                                   JsonObject  *object,
                                                   GError     **error);
/* sesame-oauth-identity.c */

/* The ID token's claims, its issuer and audience checked. */
JsonObject *sesame_oauth_decode_id_token (SesameProvider  *provider,
                                          const char      *id_token,
                                          GError         **error);

G_END_DECLS
