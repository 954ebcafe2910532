/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-error.h: the error domain shared by the core, the broker and D-Bus */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SESAME_ERROR (sesame_error_quark ())

/* Each code maps to dev.sesame.Error.NAME on the bus (DESIGN.md, Errors). */
typedef enum {
  SESAME_ERROR_CANCELLED,
  SESAME_ERROR_ACCESS_DENIED,
  SESAME_ERROR_SCOPE_NOT_GRANTED,
  SESAME_ERROR_NEEDS_ATTENTION,
  SESAME_ERROR_PROVIDER,
  SESAME_ERROR_NETWORK,
  SESAME_ERROR_NO_AGENT,
  SESAME_ERROR_INVALID_ARGUMENT,
  SESAME_ERROR_KEYRING,
} SesameError;

#define SESAME_OAUTH_ERROR (sesame_oauth_error_quark ())

/* OAuth error responses (RFC 6749 §5.2, RFC 8628 §3.5) the core acts on.
 * The message carries `error` and `error_description` for people. */
typedef enum {
  SESAME_OAUTH_ERROR_OTHER,
  SESAME_OAUTH_ERROR_INVALID_REQUEST,
  SESAME_OAUTH_ERROR_INVALID_CLIENT,
  SESAME_OAUTH_ERROR_INVALID_GRANT,
  SESAME_OAUTH_ERROR_INVALID_SCOPE,
  SESAME_OAUTH_ERROR_UNAUTHORIZED_CLIENT,
  SESAME_OAUTH_ERROR_ACCESS_DENIED,
  SESAME_OAUTH_ERROR_AUTHORIZATION_PENDING,
  SESAME_OAUTH_ERROR_SLOW_DOWN,
  SESAME_OAUTH_ERROR_EXPIRED_TOKEN,
} SesameOAuthError;

GQuark sesame_error_quark       (void);
GQuark sesame_oauth_error_quark (void);

SesameOAuthError sesame_oauth_error_from_string (const char *error);

G_END_DECLS
