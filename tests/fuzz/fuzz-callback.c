/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-callback.c: the URI a sign-in's redirect brings back, checked by its auth request */
#include "config.h"

#include "fuzz-common.h"
#include "sesame-auth-request.h"
#include "sesame-error.h"

#define ISSUER "https://idp.example.com"
#define REDIRECT "http://127.0.0.1:4242/callback"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_logging ();
  return 0;
}

static SesameProvider *
new_provider (gboolean iss_announced)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) discovery = json_parser_new ();
  g_autoptr(GError) error = NULL;
  SesameProvider *provider;

  g_assert (json_parser_load_from_data (parser,
    "{\"id\": \"fuzz\", \"name\": \"Fuzz\", \"issuer\": \"" ISSUER "\","
    " \"client-id\": \"sesame\", \"scopes\": {\"openid\": \"Who you are\"},"
    " \"default-scopes\": [\"openid\"]}", -1, NULL));
  provider = sesame_provider_new_from_json (json_node_get_object (json_parser_get_root (parser)),
                                            &error);
  g_assert_no_error (error);
  g_assert (json_parser_load_from_data (discovery, iss_announced
    ? "{\"issuer\": \"" ISSUER "\", \"authorization_endpoint\": \"" ISSUER "/auth\","
      " \"token_endpoint\": \"" ISSUER "/token\","
      " \"authorization_response_iss_parameter_supported\": true}"
    : "{\"issuer\": \"" ISSUER "\", \"authorization_endpoint\": \"" ISSUER "/auth\","
      " \"token_endpoint\": \"" ISSUER "/token\"}", -1, NULL));
  sesame_provider_apply_discovery (provider,
                                   json_node_get_object (json_parser_get_root (discovery)),
                                   &error);
  g_assert_no_error (error);
  return provider;
}

/* The input may say STATE where the request's own state goes: the fuzzer
 * cannot guess 32 random bytes, and the checks after it matter too. */
static void
check (SesameAuthRequest *request,
       const char        *input)
{
  g_auto(GStrv) parts = g_strsplit (input, "STATE", -1);
  g_autofree char *uri = g_strjoinv (sesame_auth_request_get_state (request), parts);
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;

  sesame_auth_request_matches_redirect (request, uri);
  code = sesame_auth_request_parse_callback (request, uri, &error);
  g_assert ((code == NULL) != (error == NULL));
  if (code != NULL)
    {
      /* Only an answer to this very request yields a code. */
      g_assert_true (sesame_auth_request_matches_redirect (request, uri));
      g_assert_nonnull (strstr (uri, sesame_auth_request_get_state (request)));
      g_assert_cmpstr (code, !=, "");
    }
  else
    g_assert (error->domain == SESAME_ERROR || error->domain == SESAME_OAUTH_ERROR);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static SesameProvider *providers[2];
  const char * const scopes[] = { "openid", NULL };
  g_autofree char *input = NULL;

  /* A URI is text; an embedded NUL ends it as it ends a C string. */
  input = g_strndup ((const char *) data, size);
  if (providers[0] == NULL)
    {
      providers[0] = new_provider (FALSE);
      providers[1] = new_provider (TRUE);
    }
  for (guint i = 0; i < G_N_ELEMENTS (providers); i++)
    {
      g_autoptr(SesameAuthRequest) request = NULL;
      g_autoptr(GError) error = NULL;

      request = sesame_auth_request_new (providers[i], scopes, REDIRECT, NULL, &error);
      g_assert_no_error (error);
      check (request, input);
    }
  return 0;
}
