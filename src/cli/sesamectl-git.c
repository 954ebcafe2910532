/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesamectl-git.c: sesamectl git-credential get|store|erase, a git
 * credential helper (gitcredentials(7)) answering with access tokens */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include "sesamectl.h"

/* git's key=value lines, up to a blank line or the end of input. */
static GHashTable *
read_request (void)
{
  GHashTable *request = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  char line[8192];

  while (fgets (line, sizeof line, stdin) != NULL)
    {
      char *equals;

      g_strchomp (line);
      if (*line == '\0')
        break;
      equals = strchr (line, '=');
      if (equals == NULL)
        continue;
      *equals = '\0';
      g_hash_table_replace (request, g_strdup (line), g_strdup (equals + 1));
    }
  return request;
}

/* The providers whose git-hosts hold @host (host[:port]). */
static GPtrArray *
providers_for_host (GVariant   *providers,
                    const char *host)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; i < g_variant_n_children (providers); i++)
    {
      g_autoptr(GVariant) dict = g_variant_get_child_value (providers, i);
      g_autofree const char **hosts = NULL;
      const char *id = NULL;

      if (!g_variant_lookup (dict, "id", "&s", &id)
          || !g_variant_lookup (dict, "git-hosts", "^a&s", &hosts))
        continue;
      for (gsize j = 0; hosts[j] != NULL; j++)
        {
          if (g_ascii_strcasecmp (hosts[j], host) == 0)
            {
              g_ptr_array_add (ids, g_strdup (id));
              break;
            }
        }
    }
  return ids;
}

/* The account answering for the request: one of the host's providers, with
 * the identity git names, else the first that needs no attention. */
static SesamectlAccount *
pick_account (GPtrArray  *accounts,
              GPtrArray  *provider_ids,
              const char *username)
{
  SesamectlAccount *fallback = NULL;

  for (guint i = 0; i < provider_ids->len; i++)
    {
      for (guint j = 0; j < accounts->len; j++)
        {
          SesamectlAccount *account = accounts->pdata[j];

          if (!g_str_equal (account->provider, provider_ids->pdata[i]))
            continue;
          if (username != NULL && *username != '\0')
            {
              if (g_str_equal (account->identity, username))
                return account;
              continue;
            }
          if (!account->attention_needed)
            return account;
          if (fallback == NULL)
            fallback = account;
        }
    }
  return fallback;
}

int
sesamectl_git_credential (int    argc,
                          char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("get|store|erase"));
  g_autoptr(GHashTable) request = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) providers = NULL;
  g_autoptr(GPtrArray) provider_ids = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  SesamectlAccount *account;
  const char *action, *host;
  int status = SESAMECTL_EXIT_OK;

  g_option_context_set_summary (context,
                                _("A git credential helper: answers with an account’s access "
                                  "token for the hosts of a provider’s git-hosts. Configure it "
                                  "with: git config --global credential.helper "
                                  "\"!sesamectl git-credential\""));
  if (!sesamectl_parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return sesamectl_usage_error (context, _("“git-credential” needs get, store or erase."));
  action = argv[1];
  if (!g_str_equal (action, "get") && !g_str_equal (action, "store")
      && !g_str_equal (action, "erase"))
    return sesamectl_usage_error (context, _("“git-credential” needs get, store or erase."));

  request = read_request ();
  /* git keeps the credentials we give; Sesame keeps nothing it is given. */
  if (g_str_equal (action, "store"))
    return SESAMECTL_EXIT_OK;

  host = g_hash_table_lookup (request, "host");
  if (host == NULL || *host == '\0')
    return SESAMECTL_EXIT_OK;

  connection = sesamectl_connect (&error);
  if (connection != NULL)
    providers = sesamectl_list_providers (connection, &error);
  if (providers == NULL)
    return sesamectl_report_error (error);
  provider_ids = providers_for_host (providers, host);
  if (provider_ids->len == 0)
    return SESAMECTL_EXIT_OK;

  accounts = sesamectl_list_accounts (connection, &error);
  if (accounts == NULL)
    return sesamectl_report_error (error);
  account = pick_account (accounts, provider_ids, g_hash_table_lookup (request, "username"));
  if (account == NULL)
    return SESAMECTL_EXIT_OK;

  if (g_str_equal (action, "erase"))
    {
      /* git saw the token refused: the next get should have a new one. */
      reply = sesamectl_call (connection, account->path, SESAME_ACCOUNT_IFACE, "Refresh",
                              NULL, "(x)", G_MAXINT, &error);
      if (reply == NULL)
        return sesamectl_report_error (error);
      return SESAMECTL_EXIT_OK;
    }

  {
    const char *none[] = { NULL };
    const char *token = NULL;
    gint64 expires_at = 0;

    reply = sesamectl_call (connection, account->path, SESAME_ACCOUNT_IFACE, "GetAccessToken",
                            g_variant_new ("(^as)", none), "(sx)", G_MAXINT, &error);
    if (reply == NULL)
      return sesamectl_report_error (error);
    g_variant_get (reply, "(&sx)", &token, &expires_at);
    printf ("username=%s\n", account->identity);
    printf ("password=%s\n", token);
    if (expires_at != 0)
      printf ("password_expiry_utc=%" G_GINT64_FORMAT "\n", expires_at);
  }
  return SESAMECTL_EXIT_OK;
}
