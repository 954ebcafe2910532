/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesamectl-token.c: sesamectl token ACCOUNT [--scope S]… [--format F] */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include "sesamectl.h"

/* RFC 5801 §4 saslname: "," and "=" are escaped. */
static char *
escape_saslname (const char *name)
{
  GString *escaped = g_string_new (NULL);

  for (const char *c = name; *c != '\0'; c++)
    {
      if (*c == ',')
        g_string_append (escaped, "=2C");
      else if (*c == '=')
        g_string_append (escaped, "=3D");
      else
        g_string_append_c (escaped, *c);
    }
  return g_string_free (escaped, FALSE);
}

static char *
sasl_string (const char *format,
             const char *identity,
             const char *token)
{
  g_autofree char *plain = NULL;
  g_autofree char *saslname = NULL;

  if (g_str_equal (format, "xoauth2"))
    plain = g_strdup_printf ("user=%s\001auth=Bearer %s\001\001", identity, token);
  else
    {
      saslname = escape_saslname (identity);
      plain = g_strdup_printf ("n,a=%s,\001auth=Bearer %s\001\001", saslname, token);
    }
  return g_base64_encode ((const guchar *) plain, strlen (plain));
}

int
sesamectl_token (int    argc,
                 char **argv)
{
  g_auto(GStrv) scopes = NULL;
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "scope", 's', 0, G_OPTION_ARG_STRING_ARRAY, &scopes,
      N_("A scope the token must cover (repeat for more; default: every granted scope)"),
      N_("SCOPE") },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      N_("raw (the default), xoauth2 or oauthbearer (base64 SASL strings)"), N_("FORMAT") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ACCOUNT"));
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *none[] = { NULL };
  const char *token = NULL;
  SesamectlAccount *account;
  gint64 expires_at = 0;
  int status = SESAMECTL_EXIT_OK;

  g_option_context_set_summary (context, _("Prints an access token of ACCOUNT, and nothing else, "
                                           "on standard output."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!sesamectl_parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return sesamectl_usage_error (context, _("“token” needs exactly one account."));
  if (format != NULL && !g_str_equal (format, "raw") && !g_str_equal (format, "xoauth2")
      && !g_str_equal (format, "oauthbearer"))
    return sesamectl_usage_error (context, _("The format must be raw, xoauth2 or oauthbearer."));

  connection = sesamectl_connect (&error);
  if (connection != NULL)
    accounts = sesamectl_list_accounts (connection, &error);
  if (accounts == NULL)
    return sesamectl_report_error (error);
  account = sesamectl_resolve_account (accounts, argv[1], &status);
  if (account == NULL)
    return status;

  reply = sesamectl_call (connection, account->path, SESAME_ACCOUNT_IFACE, "GetAccessToken",
                          g_variant_new ("(^as)", scopes != NULL ? (const char **) scopes : none),
                          "(sx)", G_MAXINT, &error);
  if (reply == NULL)
    return sesamectl_report_error (error);
  g_variant_get (reply, "(&sx)", &token, &expires_at);

  if (format == NULL || g_str_equal (format, "raw"))
    printf ("%s\n", token);
  else
    {
      g_autofree char *sasl = sasl_string (format, account->identity, token);

      printf ("%s\n", sasl);
    }
  return SESAMECTL_EXIT_OK;
}
