/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-discovery.c: an issuer's discovery document, applied to a provider that needs it */
#include "config.h"

#include "fuzz-common.h"
#include "sesame-error.h"
#include "sesame-oauth-client-private.h"
#include "sesame-provider.h"

#define ISSUER "https://idp.example.com"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_logging ();
  return 0;
}

/* A provider file that gives only its issuer, and one that gives its
 * endpoints but not its flows: both are completed by discovery. */
static SesameProvider *
new_provider (gboolean with_endpoints)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  SesameProvider *provider;

  g_assert (json_parser_load_from_data (parser, with_endpoints
    ? "{\"id\": \"fuzz\", \"name\": \"Fuzz\", \"issuer\": \"" ISSUER "\","
      " \"authorization-endpoint\": \"" ISSUER "/auth\","
      " \"token-endpoint\": \"" ISSUER "/token\", \"client-id\": \"sesame\","
      " \"scopes\": {\"openid\": \"Who you are\"}, \"default-scopes\": [\"openid\"]}"
    : "{\"id\": \"fuzz\", \"name\": \"Fuzz\", \"issuer\": \"" ISSUER "\","
      " \"client-id\": \"sesame\", \"scopes\": {\"openid\": \"Who you are\"},"
      " \"default-scopes\": [\"openid\"]}", -1, NULL));
  provider = sesame_provider_new_from_json (json_node_get_object (json_parser_get_root (parser)),
                                            &error);
  g_assert_no_error (error);
  g_assert_true (sesame_provider_needs_discovery (provider));
  return provider;
}

static void
apply (JsonObject *document,
       gboolean    with_endpoints)
{
  g_autoptr(SesameProvider) provider = new_provider (with_endpoints);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) flows = NULL;
  g_auto(GStrv) hosts = NULL;

  if (!sesame_provider_apply_discovery (provider, document, &error))
    {
      g_assert (error != NULL);
      /* Left as it was, so that a later discovery may try again. */
      g_assert_true (sesame_provider_needs_discovery (provider));
      return;
    }
  g_assert_no_error (error);
  g_assert_false (sesame_provider_needs_discovery (provider));
  /* A discovered provider must be usable as one read from a file: an
   * issuer without an authorization endpoint offers no such sign-in. */
  g_assert_nonnull (sesame_provider_get_token_endpoint (provider));
  if (sesame_provider_offers_flow (provider, SESAME_FLOW_AUTHORIZATION_CODE))
    g_assert_nonnull (sesame_provider_get_authorization_endpoint (provider));
  if (sesame_provider_offers_flow (provider, SESAME_FLOW_DEVICE_CODE))
    g_assert_nonnull (sesame_provider_get_device_authorization_endpoint (provider));
  flows = sesame_provider_dup_flows (provider);
  hosts = sesame_provider_dup_git_hosts (provider);
  g_assert_nonnull (flows);
  g_assert_nonnull (hosts);
  sesame_provider_offers_flow (provider, SESAME_FLOW_DEVICE_CODE);
  sesame_provider_get_iss_parameter_supported (provider);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *body = fuzz_dup (data, size);
  g_autoptr(JsonObject) document = sesame_oauth_parse_body (body, size);
  g_autoptr(GError) error = sesame_oauth_response_error ("Fuzz", 200, document, NULL);

  /* The client refuses what is not a JSON object before the provider sees it. */
  if (document == NULL || error != NULL)
    return 0;
  apply (document, FALSE);
  apply (document, TRUE);
  return 0;
}
