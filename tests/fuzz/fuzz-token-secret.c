/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-token-secret.c: the JSON an account's keyring item holds */
#include "config.h"

#include "fuzz-common.h"
#include "sesame-error.h"
#include "sesame-token.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_logging ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *secret = fuzz_dup (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(SesameToken) token = sesame_token_new_from_secret (secret, &error);
  g_autoptr(SesameToken) copy = NULL;
  g_autoptr(SesameToken) again = NULL;
  g_autofree char *written = NULL;
  const char * const some[] = { "openid", NULL };

  if (token == NULL)
    {
      g_assert (error != NULL && error->domain == SESAME_ERROR);
      return 0;
    }
  g_assert (token->scopes != NULL);

  /* The broker copies it, checks scopes against it and writes it back. */
  copy = sesame_token_copy (token);
  sesame_token_covers (copy, some);
  written = sesame_token_to_secret (copy);
  again = sesame_token_new_from_secret (written, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->access_token, ==, token->access_token);
  g_assert_cmpstr (again->refresh_token, ==, token->refresh_token);
  g_assert_cmpstr (again->client_secret, ==, token->client_secret);
  g_assert_cmpint (again->expires_at, ==, token->expires_at);
  g_assert_true (g_strv_equal ((const char * const *) again->scopes,
                               (const char * const *) token->scopes));
  return 0;
}
