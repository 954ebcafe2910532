/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-provider.h: one OAuth 2.0 / OpenID Connect provider, from its JSON file */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SESAME_TYPE_PROVIDER (sesame_provider_get_type ())
G_DECLARE_FINAL_TYPE (SesameProvider, sesame_provider, SESAME, PROVIDER, GObject)

#define SESAME_FLOW_AUTHORIZATION_CODE "authorization_code"
#define SESAME_FLOW_DEVICE_CODE "device_code"
#define SESAME_FLOW_CLIENT_CREDENTIALS "client_credentials"

#define SESAME_REVOCATION_RFC7009 "rfc7009"
#define SESAME_REVOCATION_GITHUB_GRANT "github-grant"

/* TRUE when @scope is one RFC 6749 §3.3 scope-token. */
gboolean        sesame_scope_is_valid (const char *scope);

/* Takes the merged definition (user fields over installed ones). Checks the
 * required fields and that every endpoint is https, or http on loopback. */
SesameProvider *sesame_provider_new_from_json (JsonObject  *definition,
                                               GError     **error);

/* Fills the endpoints the definition did not give from a discovery document
 * (OpenID Connect or RFC 8414) and remembers what it announces. */
gboolean        sesame_provider_apply_discovery (SesameProvider  *self,
                                                 JsonObject      *document,
                                                 GError         **error);
gboolean        sesame_provider_needs_discovery (SesameProvider *self);

const char     *sesame_provider_get_id                       (SesameProvider *self);
const char     *sesame_provider_get_name                     (SesameProvider *self);
const char     *sesame_provider_get_icon_name                (SesameProvider *self);
const char     *sesame_provider_get_issuer                   (SesameProvider *self);
const char     *sesame_provider_get_authorization_endpoint   (SesameProvider *self);
const char     *sesame_provider_get_token_endpoint           (SesameProvider *self);
const char     *sesame_provider_get_revocation_endpoint      (SesameProvider *self);
const char     *sesame_provider_get_device_authorization_endpoint (SesameProvider *self);
const char     *sesame_provider_get_userinfo_endpoint        (SesameProvider *self);
const char     *sesame_provider_get_client_id                (SesameProvider *self);
const char     *sesame_provider_get_client_secret            (SesameProvider *self);
const char     *sesame_provider_get_redirect_uri             (SesameProvider *self);
/* "embedded" or "browser" */
/* Where a developer registers a client id for this provider; may be NULL. */
const char     *sesame_provider_get_registration_url         (SesameProvider *self);
const char     *sesame_provider_get_user_agent               (SesameProvider *self);
/* Ordered: the first claim the ID token (else the userinfo answer) carries
 * names the account. */
const char * const *sesame_provider_get_identity_claims      (SesameProvider *self);
/* "client_secret_basic", "client_secret_post" or "none" */
const char     *sesame_provider_get_token_endpoint_auth_method (SesameProvider *self);
/* Ordered scope names, and the description of each */
const char * const *sesame_provider_get_scopes               (SesameProvider *self);
const char     *sesame_provider_get_scope_description        (SesameProvider *self,
                                                              const char     *scope);
const char * const *sesame_provider_get_default_scopes       (SesameProvider *self);
/* The flows offered: explicit `flows`, else derived as DESIGN.md says */
char          **sesame_provider_dup_flows                    (SesameProvider *self);
gboolean        sesame_provider_offers_flow                  (SesameProvider *self,
                                                              const char     *flow);
/* Extra query parameters for the authorization request: name -> value */
GHashTable     *sesame_provider_get_authorization_params     (SesameProvider *self);
char          **sesame_provider_dup_git_hosts                (SesameProvider *self);
gboolean        sesame_provider_is_template                  (SesameProvider *self);
gboolean        sesame_provider_is_configured                (SesameProvider *self);
/* Where a person sees and removes this app's access at the provider; may be NULL. */
const char     *sesame_provider_get_manage_url               (SesameProvider *self);
/* How Remove withdraws access: a SESAME_REVOCATION_*, or NULL when the
 * provider cannot be told (no revocation endpoint). */
const char     *sesame_provider_get_revocation_style         (SesameProvider *self);
gboolean        sesame_provider_revokes                      (SesameProvider *self);
/* The services the file describes, of "mail", "calendar", "contacts". */
char          **sesame_provider_dup_services                 (SesameProvider *self);
/* The `services` object as the file wrote it (mail, calendar, contacts,
 * goa-provider-type), or NULL. */
JsonObject     *sesame_provider_get_services                 (SesameProvider *self);
/* RFC 9207: the provider announced authorization_response_iss_parameter_supported */
gboolean        sesame_provider_get_iss_parameter_supported  (SesameProvider *self);
/* How long a refresh token lives at most, and unused; 0 when not said. */
guint           sesame_provider_get_refresh_token_lifetime_days (SesameProvider *self);
guint           sesame_provider_get_refresh_token_idle_days     (SesameProvider *self);

/* scope as asked → the name the provider reports it under */
GHashTable     *sesame_provider_get_scope_aliases            (SesameProvider *self);
/* error-aliases: the provider's error code → the OAuth one it means */
GHashTable     *sesame_provider_get_error_aliases            (SesameProvider *self);
/* The client of device sign-in: device-client-id and its secret where the
 * file gives one, else the provider's client. */
const char     *sesame_provider_get_device_client_id         (SesameProvider *self);
const char     *sesame_provider_get_device_client_secret     (SesameProvider *self);
/* NULL when device sign-in takes any scope */
const char * const *sesame_provider_get_device_scopes        (SesameProvider *self);
/* FALSE, with InvalidArgument, when @scopes has one outside device-scopes. */
gboolean        sesame_provider_check_device_scopes          (SesameProvider      *self,
                                                              const char * const  *scopes,
                                                              GError             **error);
gboolean        sesame_provider_get_narrow_scopes            (SesameProvider *self);
gboolean        sesame_provider_get_one_resource_per_token   (SesameProvider *self);

/* TRUE when @uri is https, or http on a loopback host. */
gboolean        sesame_uri_is_secure_or_loopback             (const char *uri);

G_END_DECLS
