/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesamectl-remove.c: sesamectl remove ACCOUNT [--yes] */
#include "config.h"

#include <stdio.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "sesamectl.h"

static gboolean
confirm (SesamectlAccount *account)
{
  char answer[64];

  fprintf (stderr, _("Remove %s (%s) from this computer and revoke its grant? [y/N] "),
           account->identity, account->provider_name);
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

  if (!yes && !confirm (account))
    {
      sesamectl_message (_("Nothing was removed."));
      return SESAMECTL_EXIT_FAILURE;
    }

  reply = sesamectl_call (connection, account->path, SESAME_ACCOUNT_IFACE, "Remove",
                          NULL, NULL, G_MAXINT, &error);
  if (reply == NULL)
    return sesamectl_report_error (error);
  return SESAMECTL_EXIT_OK;
}
