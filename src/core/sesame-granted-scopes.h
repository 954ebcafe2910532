/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-granted-scopes.h: what a provider's answer granted, in the form it was asked (DESIGN.md, Granted scopes) */
#pragma once

#include "sesame-provider.h"

G_BEGIN_DECLS

/* The resource an access token for @scope serves: the origin of a URL
 * scope (scheme://host[:port]); NULL for a scope without a URL (OpenID's). */
char  *sesame_scope_dup_resource (const char *scope);

/* The scopes a token response granted. @echo: its `scope`, split; NULL when
 * it had none (then what was asked is granted, RFC 6749 §5.1). The echo is
 * read in the asked form (scope-aliases undone); OpenID's scopes asked and
 * left out count as granted (openid with an ID token, offline_access with a
 * refresh token, @renewal: the grant already holds them); for
 * one-resource-per-token providers, the asked URL scopes of resources the
 * echo does not name count as granted too. */
char **sesame_granted_scopes     (SesameProvider      *provider,
                                  const char * const  *asked,
                                  const char * const  *echo,
                                  gboolean             id_token,
                                  gboolean             refresh_token,
                                  gboolean             renewal);

/* TRUE when the URL scopes of @scopes belong to more than one resource. */
gboolean sesame_scopes_span_resources (const char * const *scopes);

/* For one-resource-per-token providers: the `scope` a token request may
 * carry, @scopes of one resource only (that of the first default URL
 * scope, where @scopes has it, else that of their first URL scope) and
 * those without a URL. NULL for other providers, and when @scopes is. */
char **sesame_scopes_of_one_resource (SesameProvider      *provider,
                                      const char * const  *scopes);

G_END_DECLS
