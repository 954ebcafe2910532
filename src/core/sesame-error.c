/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-error.c: error domains, registered with GDBus so they cross the bus */
#include "config.h"

#include <gio/gio.h>

#include "sesame-error.h"

static const GDBusErrorEntry dbus_error_entries[] = {
  { SESAME_ERROR_CANCELLED, "dev.sesame.Error.Cancelled" },
  { SESAME_ERROR_ACCESS_DENIED, "dev.sesame.Error.AccessDenied" },
  { SESAME_ERROR_SCOPE_NOT_GRANTED, "dev.sesame.Error.ScopeNotGranted" },
  { SESAME_ERROR_NEEDS_ATTENTION, "dev.sesame.Error.NeedsAttention" },
  { SESAME_ERROR_PROVIDER, "dev.sesame.Error.Provider" },
  { SESAME_ERROR_NETWORK, "dev.sesame.Error.Network" },
  { SESAME_ERROR_NO_AGENT, "dev.sesame.Error.NoAgent" },
  { SESAME_ERROR_INVALID_ARGUMENT, "dev.sesame.Error.InvalidArgument" },
  { SESAME_ERROR_KEYRING, "dev.sesame.Error.Keyring" },
};

GQuark
sesame_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("sesame-error-quark", &quark,
                                      dbus_error_entries,
                                      G_N_ELEMENTS (dbus_error_entries));
  return (GQuark) quark;
}

G_DEFINE_QUARK (sesame-oauth-error-quark, sesame_oauth_error)

static const struct {
  const char *name;
  SesameOAuthError code;
} oauth_errors[] = {
  { "invalid_request", SESAME_OAUTH_ERROR_INVALID_REQUEST },
  { "invalid_client", SESAME_OAUTH_ERROR_INVALID_CLIENT },
  { "invalid_grant", SESAME_OAUTH_ERROR_INVALID_GRANT },
  { "invalid_scope", SESAME_OAUTH_ERROR_INVALID_SCOPE },
  { "unauthorized_client", SESAME_OAUTH_ERROR_UNAUTHORIZED_CLIENT },
  { "access_denied", SESAME_OAUTH_ERROR_ACCESS_DENIED },
  { "authorization_pending", SESAME_OAUTH_ERROR_AUTHORIZATION_PENDING },
  { "slow_down", SESAME_OAUTH_ERROR_SLOW_DOWN },
  { "expired_token", SESAME_OAUTH_ERROR_EXPIRED_TOKEN },
};

SesameOAuthError
sesame_oauth_error_from_string (const char *error)
{
  for (guint i = 0; error != NULL && i < G_N_ELEMENTS (oauth_errors); i++)
    if (g_str_equal (error, oauth_errors[i].name))
      return oauth_errors[i].code;
  return SESAME_OAUTH_ERROR_OTHER;
}
