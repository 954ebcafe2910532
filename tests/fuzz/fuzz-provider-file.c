/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-provider-file.c: a provider file, read by the registry over an installed one, then used */
#include "config.h"

#include "fuzz-common.h"
#include "sesame-auth-request.h"
#include "sesame-provider-registry.h"

/* The installed definition a user file is merged over, field by field. */
#define INSTALLED \
  "{\"id\": \"fuzz\", \"name\": \"Fuzz\", \"icon-name\": \"fuzz\"," \
  " \"authorization-endpoint\": \"https://fuzz.example.com/auth\"," \
  " \"token-endpoint\": \"https://fuzz.example.com/token\", \"client-id\": \"sesame\"," \
  " \"scopes\": {\"openid\": \"Who you are\", \"email\": \"Your address\"}," \
  " \"default-scopes\": [\"openid\", \"email\"]," \
  " \"authorization-params\": {\"access_type\": \"offline\"}}"

static char *user_dir;
static char *system_dir;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autofree char *installed = NULL;

  fuzz_init_logging ();
  user_dir = g_build_filename (fuzz_get_dir (), "user", NULL);
  system_dir = g_build_filename (fuzz_get_dir (), "system", NULL);
  g_assert (g_mkdir (user_dir, 0700) == 0 && g_mkdir (system_dir, 0700) == 0);
  installed = g_build_filename (system_dir, "fuzz.json", NULL);
  g_assert (g_file_set_contents (installed, INSTALLED, -1, NULL));
  return 0;
}

/* What the broker does with a provider: lists it and starts a sign-in. */
static void
use (SesameProvider *provider)
{
  const char * const *scopes = sesame_provider_get_default_scopes (provider);
  const char * const *all = sesame_provider_get_scopes (provider);
  g_autoptr(SesameAuthRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) flows = sesame_provider_dup_flows (provider);
  g_auto(GStrv) hosts = sesame_provider_dup_git_hosts (provider);
  const char * const fallback[] = { "openid", NULL };

  g_assert_nonnull (sesame_provider_get_id (provider));
  g_assert_nonnull (sesame_provider_get_name (provider));
  g_assert_nonnull (flows);
  g_assert_nonnull (hosts);
  for (guint i = 0; all != NULL && all[i] != NULL; i++)
    sesame_provider_get_scope_description (provider, all[i]);
  if (sesame_provider_is_template (provider) || sesame_provider_needs_discovery (provider))
    return;

  request = sesame_auth_request_new (provider,
                                     scopes != NULL && scopes[0] != NULL ? scopes : fallback,
                                     "http://127.0.0.1:4242/callback", "who@example.com",
                                     &error);
  /* The sign-in page is the endpoint's, whatever the file's parameters
   * (GUri may normalise the rest, an empty port for one). */
  if (request != NULL)
    {
      g_autoptr(GUri) endpoint = g_uri_parse (sesame_provider_get_authorization_endpoint (provider),
                                              G_URI_FLAGS_ENCODED, NULL);
      g_autoptr(GUri) url = g_uri_parse (sesame_auth_request_get_url (request),
                                         G_URI_FLAGS_ENCODED, NULL);

      g_assert_nonnull (url);
      g_assert_cmpstr (g_uri_get_scheme (url), ==, g_uri_get_scheme (endpoint));
      g_assert_cmpstr (g_uri_get_host (url), ==, g_uri_get_host (endpoint));
      g_assert_cmpint (g_uri_get_port (url), ==, g_uri_get_port (endpoint));
      g_assert_cmpstr (g_uri_get_userinfo (url), ==, g_uri_get_userinfo (endpoint));
    }
}

static void
load (const char * const *system_dirs)
{
  g_autoptr(SesameProviderRegistry) registry =
    sesame_provider_registry_new_for_dirs (user_dir, system_dirs);
  g_autoptr(GPtrArray) providers = NULL;

  sesame_provider_registry_load (registry);
  providers = sesame_provider_registry_list (registry);
  for (guint i = 0; i < providers->len; i++)
    use (providers->pdata[i]);
  g_assert_nonnull (sesame_provider_registry_get_problems (registry));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *path = g_build_filename (user_dir, "fuzz.json", NULL);
  const char * const with_installed[] = { system_dir, NULL };
  const char * const none[] = { NULL };

  g_assert (g_file_set_contents (path, (const char *) data, (gssize) size, NULL));
  /* Alone, and over the installed definition. */
  load (none);
  load (with_installed);
  return 0;
}
