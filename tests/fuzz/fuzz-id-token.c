/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-id-token.c: an ID token from the token endpoint: its form and its claims */
#include "config.h"

#include "fuzz-common.h"
#include "sesame-error.h"
#include "sesame-oauth-client-private.h"
#include "sesame-random.h"

#define ISSUER "https://idp.example.com"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_logging ();
  return 0;
}

static SesameProvider *
new_provider (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  SesameProvider *provider;

  g_assert (json_parser_load_from_data (parser,
    "{\"id\": \"fuzz\", \"name\": \"Fuzz\", \"issuer\": \"" ISSUER "\","
    " \"authorization-endpoint\": \"" ISSUER "/auth\", \"token-endpoint\": \"" ISSUER "/token\","
    " \"flows\": [\"authorization_code\"], \"client-id\": \"sesame\","
    " \"scopes\": {\"openid\": \"Who you are\"}, \"default-scopes\": [\"openid\"]}", -1, NULL));
  provider = sesame_provider_new_from_json (json_node_get_object (json_parser_get_root (parser)),
                                            &error);
  g_assert_no_error (error);
  return provider;
}

static void
decode (SesameProvider *provider,
        const char     *id_token)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) claims = sesame_oauth_decode_id_token (provider, id_token, &error);
  JsonNode *identity;

  g_assert ((claims == NULL) != (error == NULL));
  if (claims == NULL)
    return;
  /* What fetch_identity reads next. */
  identity = json_object_get_member (claims, sesame_provider_get_identity_claims (provider)[0]);
  if (identity != NULL && JSON_NODE_HOLDS_VALUE (identity))
    json_node_get_string (identity);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static SesameProvider *provider;
  g_autofree char *raw = g_strndup ((const char *) data, size);
  g_autofree char *payload = sesame_base64url_encode (data, size);
  g_autofree char *wrapped = g_strconcat ("eyJhbGciOiJSUzI1NiJ9.", payload, ".c2ln", NULL);

  if (provider == NULL)
    provider = new_provider ();
  /* The input as a whole token, and as the claims of a well-formed one. */
  decode (provider, raw);
  decode (provider, wrapped);
  return 0;
}
