/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-auth-request.c: one authorization code request: PKCE, state, callback */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "sesame-auth-request.h"
#include "sesame-error.h"
#include "sesame-random.h"
#include "sesame-token.h"

/* 256 bits of state, and a 43-character verifier (RFC 7636 §4.1) */
#define RANDOM_BYTES 32

/* Encoded, so that paths are compared as sent; normalised, so that an
 * explicit default port equals an omitted one. */
#define REDIRECT_URI_FLAGS (G_URI_FLAGS_ENCODED | G_URI_FLAGS_SCHEME_NORMALIZE)

struct _SesameAuthRequest
{
  GObject parent_instance;

  SesameProvider *provider;
  char **scopes;
  char *redirect_uri;
  GUri *redirect;
  char *state;
  char *code_verifier;
  char *url;
};

G_DEFINE_FINAL_TYPE (SesameAuthRequest, sesame_auth_request, G_TYPE_OBJECT)

/* Parameters the request sets itself: a provider's authorization-params may
 * not replace them, so that it can never weaken PKCE or state. The provider
 * refuses most of them in its file already, but not login_hint, which
 * belongs to one sign-in. */
static const char * const own_parameters[] = {
  "response_type", "client_id", "redirect_uri", "scope", "state",
  "code_challenge", "code_challenge_method", "login_hint", NULL
};

static void
sesame_auth_request_finalize (GObject *object)
{
  SesameAuthRequest *self = SESAME_AUTH_REQUEST (object);

  g_clear_object (&self->provider);
  g_strfreev (self->scopes);
  g_free (self->redirect_uri);
  g_clear_pointer (&self->redirect, g_uri_unref);
  /* The state travels in the URL; the verifier stays secret until the code
   * is exchanged, so only it is wiped. */
  g_free (self->state);
  sesame_secret_string_free (self->code_verifier);
  g_free (self->url);

  G_OBJECT_CLASS (sesame_auth_request_parent_class)->finalize (object);
}

static void
sesame_auth_request_class_init (SesameAuthRequestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sesame_auth_request_finalize;
}

static void
sesame_auth_request_init (SesameAuthRequest *self)
{
}

static void
append_parameter (GString    *query,
                  const char *name,
                  const char *value)
{
  if (query->len > 0)
    g_string_append_c (query, '&');
  g_string_append_uri_escaped (query, name, NULL, FALSE);
  g_string_append_c (query, '=');
  g_string_append_uri_escaped (query, value, NULL, FALSE);
}

static void
append_provider_parameters (GString    *query,
                            GHashTable *params)
{
  GList *names;

  /* Sorted, so that one request always reads the same. */
  names = g_list_sort (g_hash_table_get_keys (params), (GCompareFunc) g_strcmp0);
  for (GList *l = names; l != NULL; l = l->next)
    if (!g_strv_contains (own_parameters, l->data))
      append_parameter (query, l->data, g_hash_table_lookup (params, l->data));
  g_list_free (names);
}

static char *
build_url (SesameAuthRequest *self,
           const char        *login_hint)
{
  const char *endpoint = sesame_provider_get_authorization_endpoint (self->provider);
  GHashTable *params = sesame_provider_get_authorization_params (self->provider);
  g_autoptr(GUri) base = NULL;
  g_autoptr(GUri) url = NULL;
  g_autoptr(GString) query = NULL;
  g_autofree char *scope = NULL;
  g_autofree char *challenge = NULL;

  /* Encoded: a query the endpoint already has is kept byte for byte. It
   * parses, as check_provider() parsed it already, more strictly. */
  base = g_uri_parse (endpoint, G_URI_FLAGS_ENCODED, NULL);

  scope = g_strjoinv (" ", self->scopes);
  challenge = sesame_pkce_challenge_s256 (self->code_verifier);

  query = g_string_new (g_uri_get_query (base));
  append_parameter (query, "response_type", "code");
  append_parameter (query, "client_id", sesame_provider_get_client_id (self->provider));
  append_parameter (query, "redirect_uri", self->redirect_uri);
  append_parameter (query, "scope", scope);
  append_parameter (query, "state", self->state);
  append_parameter (query, "code_challenge", challenge);
  append_parameter (query, "code_challenge_method", "S256");
  if (login_hint != NULL && login_hint[0] != '\0')
    append_parameter (query, "login_hint", login_hint);
  if (params != NULL)
    append_provider_parameters (query, params);
  /* OpenID Connect Core §11: strict providers issue a refresh token only
   * when consent was asked for. */
  if (g_strv_contains ((const char * const *) self->scopes, "offline_access") &&
      (params == NULL || !g_hash_table_contains (params, "prompt")))
    append_parameter (query, "prompt", "consent");

  url = g_uri_build (G_URI_FLAGS_ENCODED,
                     g_uri_get_scheme (base), g_uri_get_userinfo (base),
                     g_uri_get_host (base), g_uri_get_port (base),
                     g_uri_get_path (base), query->str, NULL);
  return g_uri_to_string (url);
}

static gboolean
check_provider (SesameProvider  *provider,
                GError         **error)
{
  const char *endpoint = sesame_provider_get_authorization_endpoint (provider);
  const char *client_id = sesame_provider_get_client_id (provider);

  if (endpoint == NULL)
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                   _("%s has no authorization endpoint."), sesame_provider_get_name (provider));
      return FALSE;
    }
  if (!sesame_uri_is_secure_or_loopback (endpoint))
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                   _("The authorization endpoint of %s is not encrypted (plain http)."),
                   sesame_provider_get_name (provider));
      return FALSE;
    }
  if (client_id == NULL || client_id[0] == '\0')
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                   _("%s has no client id yet."), sesame_provider_get_name (provider));
      return FALSE;
    }
  return TRUE;
}

SesameAuthRequest *
sesame_auth_request_new (SesameProvider     *provider,
                         const char * const *scopes,
                         const char         *redirect_uri,
                         const char         *login_hint,
                         GError            **error)
{
  g_autoptr(SesameAuthRequest) self = NULL;
  g_autoptr(GUri) redirect = NULL;

  g_return_val_if_fail (SESAME_IS_PROVIDER (provider), NULL);
  g_return_val_if_fail (redirect_uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (scopes == NULL || scopes[0] == NULL)
    {
      g_set_error_literal (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                           _("A sign-in needs at least one scope."));
      return NULL;
    }
  if (!check_provider (provider, error))
    return NULL;
  redirect = g_uri_parse (redirect_uri, REDIRECT_URI_FLAGS, NULL);
  if (redirect == NULL)
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                   _("The redirect URI “%s” is not valid."), redirect_uri);
      return NULL;
    }

  self = g_object_new (SESAME_TYPE_AUTH_REQUEST, NULL);
  self->provider = g_object_ref (provider);
  self->scopes = g_strdupv ((char **) scopes);
  self->redirect_uri = g_strdup (redirect_uri);
  self->redirect = g_steal_pointer (&redirect);
  self->state = sesame_random_string (RANDOM_BYTES);
  self->code_verifier = sesame_random_string (RANDOM_BYTES);
  self->url = build_url (self, login_hint);
  return g_steal_pointer (&self);
}

const char *
sesame_auth_request_get_url (SesameAuthRequest *self)
{
  g_return_val_if_fail (SESAME_IS_AUTH_REQUEST (self), NULL);
  return self->url;
}

const char *
sesame_auth_request_get_redirect_uri (SesameAuthRequest *self)
{
  g_return_val_if_fail (SESAME_IS_AUTH_REQUEST (self), NULL);
  return self->redirect_uri;
}

const char *
sesame_auth_request_get_state (SesameAuthRequest *self)
{
  g_return_val_if_fail (SESAME_IS_AUTH_REQUEST (self), NULL);
  return self->state;
}

const char *
sesame_auth_request_get_code_verifier (SesameAuthRequest *self)
{
  g_return_val_if_fail (SESAME_IS_AUTH_REQUEST (self), NULL);
  return self->code_verifier;
}

const char * const *
sesame_auth_request_get_scopes (SesameAuthRequest *self)
{
  g_return_val_if_fail (SESAME_IS_AUTH_REQUEST (self), NULL);
  return (const char * const *) self->scopes;
}

static gboolean
hosts_equal (const char *a,
             const char *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_ascii_strcasecmp (a, b) == 0;
}

gboolean
sesame_auth_request_matches_redirect (SesameAuthRequest *self,
                                      const char        *uri)
{
  g_autoptr(GUri) callback = NULL;

  g_return_val_if_fail (SESAME_IS_AUTH_REQUEST (self), FALSE);
  g_return_val_if_fail (uri != NULL, FALSE);

  callback = g_uri_parse (uri, REDIRECT_URI_FLAGS, NULL);
  return callback != NULL &&
         g_ascii_strcasecmp (g_uri_get_scheme (callback), g_uri_get_scheme (self->redirect)) == 0 &&
         hosts_equal (g_uri_get_host (callback), g_uri_get_host (self->redirect)) &&
         g_uri_get_port (callback) == g_uri_get_port (self->redirect) &&
         g_strcmp0 (g_uri_get_path (callback), g_uri_get_path (self->redirect)) == 0;
}

/* Time independent of where the strings differ, so that a page watching
 * the loopback listener cannot guess the state byte by byte. Lengths are
 * not secret: every state has the same one. */
static gboolean
equal_constant_time (const char *a,
                     const char *b)
{
  gsize length = strlen (a);
  guint8 difference = 0;

  if (strlen (b) != length)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    difference |= (guint8) a[i] ^ (guint8) b[i];
  return difference == 0;
}

/* The callback's parameters; RFC 6749 §3.1 allows each at most once, and a
 * repeated one could smuggle a second state or code past the checks. */
static GHashTable *
parse_callback_query (SesameAuthRequest  *self,
                      const char         *uri,
                      GError            **error)
{
  g_autoptr(GHashTable) params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GUri) callback = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY, NULL);
  const char *query = callback != NULL ? g_uri_get_query (callback) : NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean repeated = FALSE;
  GUriParamsIter iter;
  char *name, *value;

  g_uri_params_iter_init (&iter, query != NULL ? query : "", -1, "&", G_URI_PARAMS_WWW_FORM);
  while (!repeated && g_uri_params_iter_next (&iter, &name, &value, &local_error))
    {
      repeated = g_hash_table_contains (params, name);
      g_hash_table_insert (params, name, value);
    }

  if (repeated || local_error != NULL)
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                   _("The answer from %s could not be read. "
                   "Nothing was added; please sign in again."),
                   sesame_provider_get_name (self->provider));
      return NULL;
    }
  return g_steal_pointer (&params);
}

static gboolean
check_origin (SesameAuthRequest  *self,
              GHashTable         *params,
              GError            **error)
{
  const char *name = sesame_provider_get_name (self->provider);
  const char *issuer = sesame_provider_get_issuer (self->provider);
  const char *state = g_hash_table_lookup (params, "state");
  const char *iss = g_hash_table_lookup (params, "iss");
  const char *problem = NULL;

  if (state == NULL || !equal_constant_time (state, self->state))
    problem = "it does not belong to this sign-in";
  /* RFC 9207 §2.4: guards against a mix-up with another provider's answer */
  else if (iss != NULL && issuer != NULL && !g_str_equal (iss, issuer))
    problem = "it names another issuer";
  else if (iss == NULL && sesame_provider_get_iss_parameter_supported (self->provider))
    problem = "it does not name its issuer";

  if (problem == NULL)
    return TRUE;

  g_set_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER,
               _("The answer from %s could not be verified: %s. "
               "Nothing was added; please sign in again."), name, problem);
  return FALSE;
}

/* The query was decoded as UTF-8, so both texts are fit for a message. */
static void
set_oauth_error (SesameAuthRequest  *self,
                 const char         *oauth_error,
                 const char         *description,
                 GError            **error)
{
  const char *name = sesame_provider_get_name (self->provider);
  SesameOAuthError code = sesame_oauth_error_from_string (oauth_error);

  if (code == SESAME_OAUTH_ERROR_ACCESS_DENIED)
    g_set_error (error, SESAME_ERROR, SESAME_ERROR_CANCELLED,
                 _("The sign-in to %s was cancelled."), name);
  else if (description == NULL || description[0] == '\0')
    g_set_error (error, SESAME_OAUTH_ERROR, code,
                 _("%s refused the sign-in: %s"), name, oauth_error);
  else
    g_set_error (error, SESAME_OAUTH_ERROR, code,
                 _("%s refused the sign-in: %s (%s)"), name, oauth_error, description);
}

char *
sesame_auth_request_parse_callback (SesameAuthRequest  *self,
                                    const char         *uri,
                                    GError            **error)
{
  g_autoptr(GHashTable) params = NULL;
  const char *oauth_error, *code;

  g_return_val_if_fail (SESAME_IS_AUTH_REQUEST (self), NULL);
  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!sesame_auth_request_matches_redirect (self, uri))
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                   _("The answer from %s went to another address than this sign-in’s. "
                   "Nothing was added; please sign in again."),
                   sesame_provider_get_name (self->provider));
      return NULL;
    }

  params = parse_callback_query (self, uri, error);
  if (params == NULL)
    return NULL;

  /* Checked before anything else, error answers included: an unverified
   * answer may not even cancel the sign-in. */
  if (!check_origin (self, params, error))
    return NULL;

  oauth_error = g_hash_table_lookup (params, "error");
  if (oauth_error != NULL)
    {
      set_oauth_error (self, oauth_error, g_hash_table_lookup (params, "error_description"),
                       error);
      return NULL;
    }

  code = g_hash_table_lookup (params, "code");
  if (code == NULL || code[0] == '\0')
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                   _("%s sent no authorization code. Nothing was added; please sign in again."),
                   sesame_provider_get_name (self->provider));
      return NULL;
    }
  return g_strdup (code);
}
