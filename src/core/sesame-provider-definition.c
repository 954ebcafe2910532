/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-provider-definition.c: a provider read and checked from its JSON
 * definition, and completed from its discovery document */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "sesame-error.h"
#include "sesame-json.h"
#include "sesame-provider-private.h"

#define DEFAULT_ICON_NAME "dialog-password-symbolic"
#define DEFAULT_REDIRECT_URI "http://127.0.0.1/callback"
#define DEFAULT_IDENTITY_CLAIM "email"
#define IDENTITY_CLAIM "identity-claim"      /* the older, single form */
#define IDENTITY_CLAIMS "identity-claims"

/* Every string member of a definition. A URI must be https, or http on
 * loopback, without a fragment; `discovery` names the member of a discovery
 * document that fills it when the definition leaves it out. */
static const struct {
  const char *field;
  const char *discovery;
  gboolean    is_uri;
  gsize       offset;
} string_fields[] = {
  { "id", NULL, FALSE, G_STRUCT_OFFSET (SesameProvider, id) },
  { "name", NULL, FALSE, G_STRUCT_OFFSET (SesameProvider, name) },
  { "icon-name", NULL, FALSE, G_STRUCT_OFFSET (SesameProvider, icon_name) },
  { "issuer", NULL, TRUE, G_STRUCT_OFFSET (SesameProvider, issuer) },
  { "authorization-endpoint", "authorization_endpoint", TRUE,
    G_STRUCT_OFFSET (SesameProvider, authorization_endpoint) },
  { "token-endpoint", "token_endpoint", TRUE,
    G_STRUCT_OFFSET (SesameProvider, token_endpoint) },
  { "revocation-endpoint", "revocation_endpoint", TRUE,
    G_STRUCT_OFFSET (SesameProvider, revocation_endpoint) },
  { "device-authorization-endpoint", "device_authorization_endpoint", TRUE,
    G_STRUCT_OFFSET (SesameProvider, device_authorization_endpoint) },
  { "userinfo-endpoint", "userinfo_endpoint", TRUE,
    G_STRUCT_OFFSET (SesameProvider, userinfo_endpoint) },
  { "client-id", NULL, FALSE, G_STRUCT_OFFSET (SesameProvider, client_id) },
  { "client-secret", NULL, FALSE, G_STRUCT_OFFSET (SesameProvider, client_secret) },
  { "redirect-uri", NULL, TRUE, G_STRUCT_OFFSET (SesameProvider, redirect_uri) },
  { "user-agent", NULL, FALSE, G_STRUCT_OFFSET (SesameProvider, user_agent) },
  { "registration-url", NULL, TRUE, G_STRUCT_OFFSET (SesameProvider, registration_url) },
  { "token-endpoint-auth-method", NULL, FALSE,
    G_STRUCT_OFFSET (SesameProvider, token_endpoint_auth_method) },
  { "manage-url", NULL, TRUE, G_STRUCT_OFFSET (SesameProvider, manage_url) },
  { "revocation-style", NULL, FALSE, G_STRUCT_OFFSET (SesameProvider, revocation_style) },
  { "device-client-id", NULL, FALSE, G_STRUCT_OFFSET (SesameProvider, device_client_id) },
  { "device-client-secret", NULL, FALSE,
    G_STRUCT_OFFSET (SesameProvider, device_client_secret) },
};

static const char * const user_agents[] = { "embedded", "browser", NULL };
static const char * const auth_methods[] = {
  "client_secret_basic", "client_secret_post", "none", NULL
};
static const char * const revocation_styles[] = {
  SESAME_REVOCATION_RFC7009, SESAME_REVOCATION_GITHUB_GRANT, NULL
};
static const char * const known_flows[] = {
  SESAME_FLOW_AUTHORIZATION_CODE, SESAME_FLOW_DEVICE_CODE, SESAME_FLOW_CLIENT_CREDENTIALS, NULL
};
/* Parameters the OAuth client sets itself: overriding them from a file would
 * defeat PKCE, the state check or the loopback redirect. */
static const char * const reserved_params[] = {
  "response_type", "client_id", "redirect_uri", "scope", "state",
  "code_challenge", "code_challenge_method", NULL
};

#define FIELD_STRING(self, i) ((char **) G_STRUCT_MEMBER_P ((self), string_fields[i].offset))

void
sesame_provider_clear_strings (SesameProvider *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (string_fields); i++)
    g_clear_pointer (FIELD_STRING (self, i), g_free);
}

static gboolean
id_is_valid (const char *id)
{
  if (!g_ascii_islower (id[0]) && !g_ascii_isdigit (id[0]))
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && strchr ("._-", *p) == NULL)
      return FALSE;
  return TRUE;
}

/* RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) */
gboolean
sesame_scope_is_valid (const char *scope)
{
  if (scope[0] == '\0')
    return FALSE;
  for (const char *p = scope; *p != '\0'; p++)
    if (*p < 0x21 || *p > 0x7e || *p == '"' || *p == '\\')
      return FALSE;
  return TRUE;
}

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  /* 127.0.0.0/8 for IPv4, ::1 for IPv6 */
  return address != NULL && g_inet_address_get_is_loopback (address);
}

gboolean
sesame_uri_is_secure_or_loopback (const char *uri)
{
  g_autoptr(GUri) parsed = NULL;
  const char *host;

  if (uri == NULL)
    return FALSE;
  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  if (parsed == NULL)
    return FALSE;
  host = g_uri_get_host (parsed);
  if (host == NULL || host[0] == '\0')
    return FALSE;
  if (g_ascii_strcasecmp (g_uri_get_scheme (parsed), "https") == 0)
    return TRUE;
  return g_ascii_strcasecmp (g_uri_get_scheme (parsed), "http") == 0 && host_is_loopback (host);
}

static gboolean set_invalid (GError     **error,
                             GQuark       domain,
                             int          code,
                             const char  *format,
                             ...) G_GNUC_PRINTF (4, 5);

/* Always FALSE, so that checks can `return set_invalid (…)`. */
static gboolean
set_invalid (GError     **error,
             GQuark       domain,
             int          code,
             const char  *format,
             ...)
{
  va_list args;

  if (error == NULL)
    return FALSE;
  va_start (args, format);
  *error = g_error_new_valist (domain, code, format, args);
  va_end (args);
  return FALSE;
}

#define INVALID(error, ...) \
  set_invalid ((error), SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT, __VA_ARGS__)

/* Endpoints must not be sent in the clear (DESIGN.md, Providers), and an
 * endpoint URI has no fragment (RFC 6749 §3.1, §3.2). */
static gboolean
check_endpoint (const char  *field,
                const char  *uri,
                GQuark       domain,
                int          code,
                GError     **error)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);

  if (!sesame_uri_is_secure_or_loopback (uri))
    return set_invalid (error, domain, code,
                        _("The field “%s” must be an https address, or an http address "
                          "on this computer (127.0.0.1, ::1 or localhost)."),
                        field);
  if (g_uri_get_fragment (parsed) != NULL)
    return set_invalid (error, domain, code,
                        _("The field “%s” must be an address without a fragment (#)."), field);
  return TRUE;
}

/* JSON null counts as absent, so that a user file can unset an installed field. */
static JsonNode *
get_member (JsonObject *definition,
            const char *field)
{
  JsonNode *node = json_object_get_member (definition, field);

  return node == NULL || JSON_NODE_HOLDS_NULL (node) ? NULL : node;
}

static gboolean
read_string_field (SesameProvider  *self,
                   JsonObject      *definition,
                   guint            i,
                   GError         **error)
{
  const char *field = string_fields[i].field;
  const char *value = sesame_json_get_string (definition, field);

  if (value == NULL && sesame_json_is_unset (definition, field))
    return TRUE;
  if (value == NULL)
    return INVALID (error, _("The field “%s” must be a string."), field);
  /* An empty string is a field left blank, as in the installed files
   * whose client id was not configured at build time. */
  if (value[0] == '\0')
    return TRUE;
  if (string_fields[i].is_uri
      && !check_endpoint (field, value, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT, error))
    return FALSE;
  *FIELD_STRING (self, i) = g_strdup (value);
  return TRUE;
}

static gboolean
read_string_array (JsonObject   *definition,
                   const char   *field,
                   GStrv        *out,
                   GError      **error)
{
  g_auto(GStrv) strings = NULL;

  if (sesame_json_is_unset (definition, field))
    return TRUE;
  strings = sesame_json_dup_strv (definition, field);
  if (strings == NULL)
    return INVALID (error, _("The field “%s” must be a list of strings."), field);
  *out = g_steal_pointer (&strings);
  return TRUE;
}

/* Reads an object whose values are strings into @table, and its names, in
 * file order, into @names when given. */
static gboolean
read_string_map (JsonObject   *definition,
                 const char   *field,
                 GHashTable   *table,
                 GStrv        *names,
                 GError      **error)
{
  JsonNode *node = get_member (definition, field);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return INVALID (error, _("The field “%s” must be an object whose values are strings."), field);
  object = json_node_get_object (node);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *value = sesame_json_get_string (object, l->data);

      if (value == NULL)
        return INVALID (error, _("The field “%s” must be an object whose values are strings."),
                        field);
      g_hash_table_insert (table, g_strdup (l->data), g_strdup (value));
      g_strv_builder_add (builder, l->data);
    }
  if (names != NULL)
    *names = g_strv_builder_end (builder);
  return TRUE;
}

/* Leaves @value as it is (its default) when the field is absent. */
static gboolean
read_boolean (JsonObject  *definition,
              const char  *field,
              gboolean    *value,
              GError     **error)
{
  if (sesame_json_is_unset (definition, field))
    return TRUE;
  if (!sesame_json_get_boolean (definition, field, value))
    return INVALID (error, _("The field “%s” must be true or false."), field);
  return TRUE;
}

/* `identity-claims`, or the older `identity-claim` as a list of one. */
static gboolean
read_identity_claims (SesameProvider  *self,
                      JsonObject      *definition,
                      GError         **error)
{
  const char *claim = sesame_json_get_string (definition, IDENTITY_CLAIM);

  if (!sesame_json_is_unset (definition, IDENTITY_CLAIMS)
      && !sesame_json_is_unset (definition, IDENTITY_CLAIM))
    return INVALID (error, _("The field “%s” replaces “%s”: give only one of them."),
                    IDENTITY_CLAIMS, IDENTITY_CLAIM);
  if (!sesame_json_is_unset (definition, IDENTITY_CLAIMS))
    return read_string_array (definition, IDENTITY_CLAIMS, &self->identity_claims, error);
  if (sesame_json_is_unset (definition, IDENTITY_CLAIM))
    return TRUE;
  if (claim == NULL)
    return INVALID (error, _("The field “%s” must be a string."), IDENTITY_CLAIM);
  self->identity_claims = g_strdupv ((char *[]) { (char *) claim, NULL });
  return TRUE;
}

/* `services`: an object of service objects, and the GNOME Online Accounts
 * type as a string; what each service holds is read by those who use it. */
static gboolean
read_services (SesameProvider  *self,
               JsonObject      *definition,
               GError         **error)
{
  JsonNode *node = get_member (definition, "services");
  g_autoptr(GList) members = NULL;
  JsonObject *services;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return INVALID (error, _("The field “%s” must be an object."), "services");
  services = json_node_get_object (node);
  members = json_object_get_members (services);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *member = json_object_get_member (services, l->data);
      gboolean valid = g_strv_contains (sesame_provider_service_names, l->data)
        ? JSON_NODE_HOLDS_OBJECT (member)
        : g_strcmp0 (l->data, "goa-provider-type") == 0 && sesame_json_get_string (services, l->data) != NULL;

      if (!valid)
        return INVALID (error, _("The field “%s” may hold only the objects mail, calendar and "
                                 "contacts, and the string goa-provider-type."), "services");
    }
  self->services = json_object_ref (services);
  return TRUE;
}

/* A whole number of days, at most ten years; absent or null: 0. */
static gboolean
read_days (JsonObject  *definition,
           const char  *field,
           guint       *days,
           GError     **error)
{
  gint64 value = 0;

  if (sesame_json_is_unset (definition, field))
    return TRUE;
  if (!sesame_json_get_int (definition, field, &value) || value < 1 || value > 3650)
    return INVALID (error, _("The field “%s” must be a whole number of days from 1 to 3650."),
                    field);
  *days = (guint) value;
  return TRUE;
}

static gboolean
read_fields (SesameProvider  *self,
             JsonObject      *definition,
             GError         **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (string_fields); i++)
    if (!read_string_field (self, definition, i, error))
      return FALSE;

  return read_string_map (definition, "scopes", self->scope_descriptions, &self->scopes, error)
    && read_string_array (definition, "default-scopes", &self->default_scopes, error)
    && read_string_array (definition, "flows", &self->flows, error)
    && read_string_map (definition, "authorization-params", self->authorization_params,
                        NULL, error)
    && read_string_array (definition, "git-hosts", &self->git_hosts, error)
    && read_services (self, definition, error)
    && read_boolean (definition, "template", &self->template, error)
    && read_identity_claims (self, definition, error)
    && read_string_map (definition, "scope-aliases", self->scope_aliases, NULL, error)
    && read_string_map (definition, "error-aliases", self->error_aliases, NULL, error)
    && read_string_array (definition, "device-scopes", &self->device_scopes, error)
    && read_boolean (definition, "narrow-scopes", &self->narrow_scopes, error)
    && read_boolean (definition, "one-resource-per-token", &self->one_resource_per_token, error)
    && read_days (definition, "refresh-token-lifetime-days",
                  &self->refresh_token_lifetime_days, error)
    && read_days (definition, "refresh-token-idle-days", &self->refresh_token_idle_days, error);
}

static gboolean
check_enum (const char          *field,
            const char          *value,
            const char * const  *allowed,
            GError             **error)
{
  g_autofree char *choices = NULL;

  if (value == NULL || g_strv_contains (allowed, value))
    return TRUE;
  choices = g_strjoinv (", ", (char **) allowed);
  return INVALID (error, _("The field “%s” must be one of: %s."), field, choices);
}

static gboolean
check_scopes (const char          *field,
              const char * const  *scopes,
              GError             **error)
{
  for (guint i = 0; scopes != NULL && scopes[i] != NULL; i++)
    if (!sesame_scope_is_valid (scopes[i]))
      return INVALID (error, _("The field “%s” holds a scope that is empty or has spaces."), field);
  return TRUE;
}

static gboolean
check_claims (const char * const  *claims,
              GError             **error)
{
  for (guint i = 0; claims != NULL && claims[i] != NULL; i++)
    if (claims[i][0] == '\0')
      return INVALID (error, _("The field “%s” holds an empty claim name."), IDENTITY_CLAIMS);
  return TRUE;
}

static gboolean
check_git_hosts (const char * const  *hosts,
                 GError             **error)
{
  for (guint i = 0; hosts != NULL && hosts[i] != NULL; i++)
    if (hosts[i][0] == '\0' || strpbrk (hosts[i], "/@ \t") != NULL)
      return INVALID (error, _("The field “%s” must list host names, each with an optional "
                               ":port."), "git-hosts");
  return TRUE;
}

static gboolean
check_values (SesameProvider  *self,
              GError         **error)
{
  GHashTableIter iter;
  const char *param;

  if (self->id == NULL || !id_is_valid (self->id))
    return INVALID (error, _("The field “%s” must be lowercase letters, digits, dots, "
                             "underscores and dashes, starting with a letter or digit."), "id");

  g_hash_table_iter_init (&iter, self->authorization_params);
  while (g_hash_table_iter_next (&iter, (gpointer *) &param, NULL))
    if (g_strv_contains (reserved_params, param))
      return INVALID (error, _("The field “%s” may not set the parameters that Sesame sets "
                               "itself, such as state or redirect_uri."), "authorization-params");

  for (guint i = 0; self->flows != NULL && self->flows[i] != NULL; i++)
    if (!check_enum ("flows", self->flows[i], known_flows, error))
      return FALSE;

  return check_enum ("user-agent", self->user_agent, user_agents, error)
    && check_enum ("token-endpoint-auth-method", self->token_endpoint_auth_method,
                   auth_methods, error)
    && check_enum ("revocation-style", self->revocation_style, revocation_styles, error)
    && check_scopes ("scopes", (const char * const *) self->scopes, error)
    && check_scopes ("default-scopes", (const char * const *) self->default_scopes, error)
    && check_scopes ("device-scopes", (const char * const *) self->device_scopes, error)
    && check_claims ((const char * const *) self->identity_claims, error)
    && check_git_hosts ((const char * const *) self->git_hosts, error);
}

static void
apply_defaults (SesameProvider *self)
{
  if (self->name == NULL)
    self->name = g_strdup (self->id);
  if (self->icon_name == NULL)
    self->icon_name = g_strdup (DEFAULT_ICON_NAME);
  if (self->redirect_uri == NULL)
    self->redirect_uri = g_strdup (DEFAULT_REDIRECT_URI);
  if (self->user_agent == NULL)
    self->user_agent = g_strdup ("embedded");
  if (self->identity_claims == NULL || self->identity_claims[0] == NULL)
    {
      g_strfreev (self->identity_claims);
      self->identity_claims = g_strdupv ((char *[]) { DEFAULT_IDENTITY_CLAIM, NULL });
    }
  if (self->token_endpoint_auth_method == NULL)
    self->token_endpoint_auth_method = g_strdup (self->client_secret != NULL
                                                 ? "client_secret_basic" : "none");
  if (self->scopes == NULL)
    self->scopes = g_new0 (char *, 1);
  if (self->default_scopes == NULL)
    self->default_scopes = g_new0 (char *, 1);
}

/* What a usable provider needs, once its endpoints are all known: a token
 * endpoint always, and the endpoint of each flow it offers. Templates are
 * never used directly. */
static gboolean
check_complete (SesameProvider  *self,
                GQuark           domain,
                int              code,
                GError         **error)
{
  if (self->template)
    return TRUE;
  if (self->token_endpoint == NULL)
    return set_invalid (error, domain, code,
                        _("The field “%s” is required, unless the issuer’s discovery document "
                          "gives it."), "token-endpoint");
  if (self->authorization_endpoint == NULL
      && sesame_provider_offers_flow (self, SESAME_FLOW_AUTHORIZATION_CODE))
    return set_invalid (error, domain, code,
                        _("The field “%s” is required to sign in with the authorization code "
                          "flow."), "authorization-endpoint");
  if (self->device_authorization_endpoint == NULL
      && sesame_provider_offers_flow (self, SESAME_FLOW_DEVICE_CODE))
    return set_invalid (error, domain, code,
                        _("The field “%s” is required to sign in with the device code flow."),
                        "device-authorization-endpoint");
  return TRUE;
}

SesameProvider *
sesame_provider_new_from_json (JsonObject  *definition,
                               GError     **error)
{
  g_autoptr(SesameProvider) self = NULL;

  g_return_val_if_fail (definition != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (SESAME_TYPE_PROVIDER, NULL);
  if (!read_fields (self, definition, error) || !check_values (self, error))
    return NULL;
  apply_defaults (self);
  /* A provider still waiting for discovery is checked once it is done. */
  if (!sesame_provider_needs_discovery (self)
      && !check_complete (self, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT, error))
    return NULL;
  return g_steal_pointer (&self);
}

static gboolean
check_discovered_issuer (SesameProvider  *self,
                         JsonObject      *document,
                         GError         **error)
{
  const char *issuer = sesame_json_get_string (document, "issuer");

  /* RFC 8414 §3.3, OpenID Connect Discovery §4.3: the document must name
   * exactly the issuer it was fetched for, or it may be an impostor's. */
  if (issuer == NULL || g_strcmp0 (issuer, self->issuer) != 0)
    return set_invalid (error, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                        _("The discovery document of %s is for another issuer."), self->issuer);
  return TRUE;
}

/* Collects the endpoints the definition left out, indexed like string_fields,
 * checking them all before anything in @self changes. */
static gboolean
collect_discovered_endpoints (SesameProvider  *self,
                              JsonObject      *document,
                              const char     **found,
                              GError         **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (string_fields); i++)
    {
      const char *key = string_fields[i].discovery;
      const char *value;

      if (key == NULL || *FIELD_STRING (self, i) != NULL || sesame_json_is_unset (document, key))
        continue;
      value = sesame_json_get_string (document, key);
      if (value == NULL)
        return set_invalid (error, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                            _("The discovery document’s “%s” must be a string."), key);
      if (!check_endpoint (key, value, SESAME_ERROR, SESAME_ERROR_PROVIDER, error))
        return FALSE;
      found[i] = value;
    }
  return TRUE;
}

static gboolean
read_discovery_announcements (JsonObject  *document,
                              gboolean    *iss_parameter_supported,
                              GStrv       *grant_types_supported,
                              GError     **error)
{
  const char *iss = "authorization_response_iss_parameter_supported";
  const char *grant_types = "grant_types_supported";
  gboolean iss_supported = FALSE;
  g_auto(GStrv) grant_types_list = NULL;

  if (!sesame_json_is_unset (document, iss)
      && !sesame_json_get_boolean (document, iss, &iss_supported))
    return set_invalid (error, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                        _("The discovery document’s “%s” must be true or false."), iss);
  if (!sesame_json_is_unset (document, grant_types))
    {
      grant_types_list = sesame_json_dup_strv (document, grant_types);
      if (grant_types_list == NULL)
        return set_invalid (error, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                            _("The discovery document’s “%s” must be a list of strings."),
                            grant_types);
      *grant_types_supported = g_steal_pointer (&grant_types_list);
    }
  *iss_parameter_supported = iss_supported;
  return TRUE;
}

gboolean
sesame_provider_apply_discovery (SesameProvider  *self,
                                 JsonObject      *document,
                                 GError         **error)
{
  const char *found[G_N_ELEMENTS (string_fields)] = { NULL, };
  gboolean iss_parameter_supported = FALSE;
  g_auto(GStrv) grant_types = NULL;

  g_return_val_if_fail (SESAME_IS_PROVIDER (self), FALSE);
  g_return_val_if_fail (document != NULL, FALSE);

  if (self->issuer == NULL || self->template)
    return set_invalid (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                        _("The provider “%s” has no issuer to discover."), self->id);
  if (!check_discovered_issuer (self, document, error)
      || !collect_discovered_endpoints (self, document, found, error)
      || !read_discovery_announcements (document, &iss_parameter_supported, &grant_types, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (string_fields); i++)
    if (found[i] != NULL)
      *FIELD_STRING (self, i) = g_strdup (found[i]);
  self->discovered = TRUE;
  if (check_complete (self, SESAME_ERROR, SESAME_ERROR_PROVIDER, error))
    {
      self->iss_parameter_supported = iss_parameter_supported;
      g_strfreev (self->grant_types_supported);
      self->grant_types_supported = g_steal_pointer (&grant_types);
      return TRUE;
    }

  /* Left as it was, so that a later discovery may try again. */
  for (guint i = 0; i < G_N_ELEMENTS (string_fields); i++)
    if (found[i] != NULL)
      g_clear_pointer (FIELD_STRING (self, i), g_free);
  self->discovered = FALSE;
  return FALSE;
}

/* An issuer is discovered when discovery could change what Sesame does: an
 * endpoint needed to sign in is missing, or the flows are derived (the
 * client credentials flow comes only from grant_types_supported). A file
 * that gives both endpoints and its flows is used as it is: it keeps working
 * while the discovery document is unreachable, at the price of not learning
 * the optional endpoints or the RFC 9207 announcement (a returned `iss` is
 * still checked). */
gboolean
sesame_provider_needs_discovery (SesameProvider *self)
{
  g_return_val_if_fail (SESAME_IS_PROVIDER (self), FALSE);

  if (self->issuer == NULL || self->template || self->discovered)
    return FALSE;
  return self->authorization_endpoint == NULL
    || self->token_endpoint == NULL
    || self->flows == NULL;
}
