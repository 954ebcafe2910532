/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-granted-scopes.c: what a provider's answer granted, in the form it was asked (DESIGN.md, Granted scopes) */
#include "config.h"

#include "sesame-granted-scopes.h"

/* OpenID Connect Core §5.4 and §11: scopes Microsoft leaves out of its echo */
static const char * const openid_scopes[] = { "openid", "profile", "email", "offline_access", NULL };

char *
sesame_scope_dup_resource (const char *scope)
{
  g_autoptr(GUri) uri = NULL;
  int port;

  g_return_val_if_fail (scope != NULL, NULL);

  uri = g_uri_parse (scope, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    return NULL;
  port = g_uri_get_port (uri);
  if (port == -1)
    return g_strdup_printf ("%s://%s", g_uri_get_scheme (uri), g_uri_get_host (uri));
  return g_strdup_printf ("%s://%s:%d", g_uri_get_scheme (uri), g_uri_get_host (uri), port);
}

/* The asked name of @reported: the alias whose value it is, else itself. */
static const char *
unalias (SesameProvider *provider,
         const char     *reported)
{
  GHashTableIter iter;
  const char *asked, *alias;

  g_hash_table_iter_init (&iter, sesame_provider_get_scope_aliases (provider));
  while (g_hash_table_iter_next (&iter, (gpointer *) &asked, (gpointer *) &alias))
    if (g_str_equal (alias, reported))
      return asked;
  return reported;
}

static void
add_once (GPtrArray  *scopes,
          const char *scope)
{
  for (guint i = 0; i < scopes->len; i++)
    if (g_str_equal (scopes->pdata[i], scope))
      return;
  g_ptr_array_add (scopes, g_strdup (scope));
}

static gboolean
openid_scope_granted (const char *scope,
                      gboolean    id_token,
                      gboolean    refresh_token,
                      gboolean    renewal)
{
  if (!g_strv_contains (openid_scopes, scope))
    return FALSE;
  if (g_str_equal (scope, "openid"))
    return id_token || renewal;
  if (g_str_equal (scope, "offline_access"))
    return refresh_token || renewal;
  return TRUE;
}

/* TRUE when @scope is a URL scope of a resource that no scope of
 * @granted (so far) belongs to. */
static gboolean
of_other_resource (const char *scope,
                   GPtrArray  *granted)
{
  g_autofree char *resource = sesame_scope_dup_resource (scope);

  if (resource == NULL)
    return FALSE;
  for (guint i = 0; i < granted->len; i++)
    {
      g_autofree char *other = sesame_scope_dup_resource (granted->pdata[i]);

      if (g_strcmp0 (other, resource) == 0)
        return FALSE;
    }
  return TRUE;
}

char **
sesame_granted_scopes (SesameProvider      *provider,
                       const char * const  *asked,
                       const char * const  *echo,
                       gboolean             id_token,
                       gboolean             refresh_token,
                       gboolean             renewal)
{
  g_autoptr(GPtrArray) granted = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) echoed = NULL;

  g_return_val_if_fail (SESAME_IS_PROVIDER (provider), NULL);

  if (echo == NULL)
    return asked != NULL ? g_strdupv ((char **) asked) : g_new0 (char *, 1);

  for (guint i = 0; echo[i] != NULL; i++)
    add_once (granted, unalias (provider, echo[i]));
  /* What the echo named, before the other resources are added (borrowed). */
  echoed = g_ptr_array_new ();
  for (guint i = 0; i < granted->len; i++)
    g_ptr_array_add (echoed, granted->pdata[i]);

  for (guint i = 0; asked != NULL && asked[i] != NULL; i++)
    if (openid_scope_granted (asked[i], id_token, refresh_token, renewal) ||
        (sesame_provider_get_one_resource_per_token (provider) &&
         of_other_resource (asked[i], echoed)))
      add_once (granted, asked[i]);

  g_ptr_array_add (granted, NULL);
  return (char **) g_ptr_array_steal (granted, NULL);
}

static gboolean
has_resource (const char * const *scopes,
              const char         *resource)
{
  for (guint i = 0; scopes[i] != NULL; i++)
    {
      g_autofree char *own = sesame_scope_dup_resource (scopes[i]);

      if (g_strcmp0 (own, resource) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The first resource of @scopes, NULL when none has a URL. */
static char *
first_resource (const char * const *scopes)
{
  for (guint i = 0; scopes[i] != NULL; i++)
    {
      char *resource = sesame_scope_dup_resource (scopes[i]);

      if (resource != NULL)
        return resource;
    }
  return NULL;
}

gboolean
sesame_scopes_span_resources (const char * const *scopes)
{
  g_autofree char *resource = NULL;

  if (scopes == NULL)
    return FALSE;
  resource = first_resource (scopes);
  for (guint i = 0; resource != NULL && scopes[i] != NULL; i++)
    {
      g_autofree char *own = sesame_scope_dup_resource (scopes[i]);

      if (own != NULL && !g_str_equal (own, resource))
        return TRUE;
    }
  return FALSE;
}

char **
sesame_scopes_of_one_resource (SesameProvider      *provider,
                               const char * const  *scopes)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  g_autofree char *resource = NULL;

  g_return_val_if_fail (SESAME_IS_PROVIDER (provider), NULL);

  if (!sesame_provider_get_one_resource_per_token (provider) || scopes == NULL)
    return NULL;

  resource = first_resource (sesame_provider_get_default_scopes (provider));
  if (resource == NULL || !has_resource (scopes, resource))
    {
      g_free (resource);
      resource = first_resource (scopes);
    }

  builder = g_strv_builder_new ();
  for (guint i = 0; scopes[i] != NULL; i++)
    {
      g_autofree char *own = sesame_scope_dup_resource (scopes[i]);

      if (own == NULL || g_strcmp0 (own, resource) == 0)
        g_strv_builder_add (builder, scopes[i]);
    }
  return g_strv_builder_end (builder);
}
