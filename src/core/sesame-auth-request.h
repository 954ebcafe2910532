/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-auth-request.h: one authorization code request: PKCE, state, callback */
#pragma once

#include "sesame-provider.h"

G_BEGIN_DECLS

#define SESAME_TYPE_AUTH_REQUEST (sesame_auth_request_get_type ())
G_DECLARE_FINAL_TYPE (SesameAuthRequest, sesame_auth_request, SESAME, AUTH_REQUEST, GObject)

/* A new request with a fresh state and S256 code verifier. @redirect_uri is
 * the concrete one (with the listener's port). @scopes must not be empty. */
SesameAuthRequest *sesame_auth_request_new (SesameProvider     *provider,
                                            const char * const *scopes,
                                            const char         *redirect_uri,
                                            const char         *login_hint,
                                            GError            **error);

const char *sesame_auth_request_get_url           (SesameAuthRequest *self);
const char *sesame_auth_request_get_redirect_uri  (SesameAuthRequest *self);
const char *sesame_auth_request_get_state         (SesameAuthRequest *self);
const char *sesame_auth_request_get_code_verifier (SesameAuthRequest *self);
const char * const *sesame_auth_request_get_scopes (SesameAuthRequest *self);

/* TRUE when @uri is a callback for this request's redirect URI (same scheme,
 * host, port and path), whatever its parameters. */
gboolean    sesame_auth_request_matches_redirect  (SesameAuthRequest *self,
                                                   const char        *uri);
/* Checks a callback URI and returns the authorization code. A wrong or
 * missing state, or an iss that differs from the issuer (or is missing where
 * the provider announced RFC 9207), is SESAME_ERROR_PROVIDER; error=
 * access_denied is SESAME_ERROR_CANCELLED; other errors SESAME_OAUTH_ERROR. */
char       *sesame_auth_request_parse_callback    (SesameAuthRequest *self,
                                                   const char        *uri,
                                                   GError           **error);

G_END_DECLS
