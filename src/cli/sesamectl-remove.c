/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesamectl-remove.c: sesamectl remove ACCOUNT [--yes] */
#include "config.h"

#include <stdio.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "sesame-removal-note.h"
#include "sesamectl.h"

/* Where the provider cannot withdraw access (`revokes` false): a sentence
 * saying where to remove it by hand, else NULL. */
static char *
unrevoked_sentence (GDBusConnection  *connection,
                    SesamectlAccount *account)
{
  g_autoptr(GVariant) providers = sesamectl_list_providers (connection, NULL);
  g_autoptr(GVariant) provider = NULL;
  const char *url = "";
  gboolean revokes = TRUE;

  if (providers != NULL)
    provider = sesamectl_find_provider (providers, account->provider);
  if (provider == NULL || !g_variant_lookup (provider, "revokes", "b", &revokes) || revokes)
    return NULL;
  g_variant_lookup (provider, "manage-url", "&s", &url);
  return sesame_removal_note (account->provider_name, url);
}

static gboolean
confirm (SesamectlAccount *account,
         const char       *unrevoked)
{
  char answer[64];

  if (unrevoked != NULL)
    {
      sesamectl_message ("%s", unrevoked);
      fprintf (stderr, _("Remove %s (%s) from this computer? [y/N] "),
               account->identity, account->provider_name);
    }
  else
    {
      fprintf (stderr, _("Remove %s (%s) from this computer and revoke its grant? [y/N] "),
               account->identity, account->provider_name);
    }
  fflush (stderr);
  if (fgets (answer, sizeof answer, stdin) == NULL)
    return FALSE;
  g_strstrip (answer);
  return g_ascii_strcasecmp (answer, "y") == 0 || g_ascii_strcasecmp (answer, "yes") == 0
         || g_ascii_strcasecmp (answer, _("y")) == 0 || g_ascii_strcasecmp (answer, _("yes")) == 0;
}

int
sesamectl_remove (int    argc,
                  char **argv)
{
  gboolean yes = FALSE;
  const GOptionEntry entries[] = {
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes, N_("Do not ask for confirmation"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ACCOUNT"));
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *unrevoked = NULL;
  SesamectlAccount *account;
  int status = SESAMECTL_EXIT_OK;

  g_option_context_set_summary (context, _("Removes ACCOUNT: revokes its grant at the provider "
                                           "and deletes its tokens and data from this computer."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!sesamectl_parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return sesamectl_usage_error (context, _("“remove” needs exactly one account."));
  if (!yes && !isatty (STDIN_FILENO))
    {
      sesamectl_message (_("Standard input is not a terminal, so there is no one to confirm: "
                           "nothing was removed. Add --yes to remove without asking."));
      return SESAMECTL_EXIT_USAGE;
    }

  connection = sesamectl_connect (&error);
  if (connection != NULL)
    accounts = sesamectl_list_accounts (connection, &error);
  if (accounts == NULL)
    return sesamectl_report_error (error);
  account = sesamectl_resolve_account (accounts, argv[1], &status);
  if (account == NULL)
    return status;

  unrevoked = unrevoked_sentence (connection, account);
  if (!yes && !confirm (account, unrevoked))
    {
      sesamectl_message (_("Nothing was removed."));
      return SESAMECTL_EXIT_FAILURE;
    }

  reply = sesamectl_call (connection, account->path, SESAME_ACCOUNT_IFACE, "Remove",
                          NULL, NULL, G_MAXINT, &error);
  if (reply == NULL)
    return sesamectl_report_error (error);
  /* Told after as well: with --yes nobody saw the question. */
  if (unrevoked != NULL)
    sesamectl_message (_("Removed from this computer. %s"), unrevoked);
  return SESAMECTL_EXIT_OK;
}
