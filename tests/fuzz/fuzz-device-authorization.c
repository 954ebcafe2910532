/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-device-authorization.c: a device authorization endpoint's answer (RFC 8628 §3.2) */
#include "config.h"

#include "fuzz-common.h"
#include "sesame-error.h"
#include "sesame-oauth-client-private.h"

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
  g_autofree char *body = fuzz_dup (data, size);
  g_autoptr(JsonObject) object = sesame_oauth_parse_body (body, size);
  g_autoptr(GError) error = sesame_oauth_response_error ("Fuzz", 200, object, NULL);
  g_autoptr(SesameDeviceAuthorization) authorization = NULL;

  if (error != NULL)
    return 0;
  authorization = sesame_oauth_device_authorization_new ("Fuzz", object, &error);
  g_assert ((authorization == NULL) != (error == NULL));
  if (authorization == NULL)
    return 0;
  /* What BeginDeviceSignIn puts on the bus must be there. */
  g_assert_nonnull (authorization->device_code);
  g_assert_nonnull (authorization->user_code);
  g_assert_nonnull (authorization->verification_uri);
  g_assert_cmpuint (authorization->interval, >=, 1);
  g_assert_cmpint (authorization->expires_at, >, 0);
  return 0;
}
