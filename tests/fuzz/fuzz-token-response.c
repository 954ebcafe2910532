/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-token-response.c: a token endpoint's answer, as a success and as an OAuth error */
#include "config.h"

#include "fuzz-common.h"
#include "sesame-error.h"
#include "sesame-oauth-client-private.h"
#include "sesame-token.h"

#define NOW 1700000000

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_logging ();
  return 0;
}

/* What the client does with an answer: the status and body decide whether
 * it is an error (GitHub sends errors with 200 OK), else it is a token. */
static void
read_answer (guint       status,
             const char *body,
             gsize       length,
             JsonObject *object)
{
  static const char * const requested[] = { "openid", "email", NULL };
  g_autoptr(GError) error = sesame_oauth_response_error ("Fuzz", status, object, NULL);
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(SesameToken) stored = NULL;
  g_autoptr(SesameToken) again = NULL;
  g_autofree char *secret = NULL;

  if (error != NULL)
    {
      g_assert (error->message != NULL);
      return;
    }
  token = sesame_token_new_from_response (body, length, requested, NOW, &error);
  if (token == NULL)
    {
      g_assert (error != NULL);
      return;
    }
  g_assert_no_error (error);
  g_assert (token->access_token != NULL && token->token_type != NULL);
  g_assert (token->scopes != NULL);

  /* What the broker stores must read back the same. */
  secret = sesame_token_to_secret (token);
  again = sesame_token_new_from_secret (secret, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->access_token, ==, token->access_token);
  g_assert_cmpstr (again->refresh_token, ==, token->refresh_token);
  g_assert_cmpstr (again->id_token, ==, token->id_token);
  g_assert_cmpint (again->expires_at, ==, token->expires_at);
  g_assert_true (g_strv_equal ((const char * const *) again->scopes,
                               (const char * const *) token->scopes));
  sesame_secret_string_free (g_steal_pointer (&secret));

  /* And folding it into a stored token as a refresh keeps what it must. */
  stored = sesame_token_new ();
  stored->refresh_token = g_strdup ("rt-old");
  sesame_token_update (stored, token);
  g_assert_cmpstr (stored->access_token, ==, token->access_token);
  g_assert_nonnull (stored->refresh_token);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *body = fuzz_dup (data, size);
  g_autoptr(JsonObject) object = sesame_oauth_parse_body (body, size);
  static const guint statuses[] = { 200, 400, 401, 429, 503 };

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    read_answer (statuses[i], body, size, object);
  return 0;
}
