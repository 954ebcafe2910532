/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesamectl-grants.c: sesamectl grants [--json], sesamectl revoke-grant */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "sesamectl.h"

static SesamectlAccount *
account_by_path (GPtrArray  *accounts,
                 const char *path)
{
  for (guint i = 0; i < accounts->len; i++)
    {
      SesamectlAccount *account = accounts->pdata[i];

      if (g_str_equal (account->path, path))
        return account;
    }
  return NULL;
}

int
sesamectl_grants (int    argc,
                  char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the grants as JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) grants = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  int status = SESAMECTL_EXIT_OK;

  g_option_context_set_summary (context, _("Lists which applications may use which accounts, "
                                           "and when they last did."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!sesamectl_parse_options (context, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return sesamectl_usage_error (context, _("“grants” takes no arguments."));

  connection = sesamectl_connect (&error);
  if (connection != NULL)
    accounts = sesamectl_list_accounts (connection, &error);
  if (accounts != NULL)
    reply = sesamectl_call (connection, SESAME_BROKER_PATH, SESAME_BROKER_IFACE,
                            "ListGrants", NULL, "(aa{sv})", -1, &error);
  if (reply == NULL)
    return sesamectl_report_error (error);

  grants = g_variant_get_child_value (reply, 0);
  if (!json && g_variant_n_children (grants) == 0)
    {
      sesamectl_message (_("No application has used an account yet."));
      return SESAMECTL_EXIT_OK;
    }

  json_builder_begin_array (builder);
  for (gsize i = 0; i < g_variant_n_children (grants); i++)
    {
      g_autoptr(GVariant) grant = g_variant_get_child_value (grants, i);
      const char *app_id = "", *app_name = "", *kind = "", *path = "/";
      g_autofree const char **scopes = NULL;
      gint64 granted_at = 0, last_used = 0;
      SesamectlAccount *account;
      const char *account_id;

      g_variant_lookup (grant, "app-id", "&s", &app_id);
      g_variant_lookup (grant, "app-name", "&s", &app_name);
      g_variant_lookup (grant, "kind", "&s", &kind);
      g_variant_lookup (grant, "account", "&o", &path);
      g_variant_lookup (grant, "scopes", "^a&s", &scopes);
      g_variant_lookup (grant, "granted-at", "x", &granted_at);
      g_variant_lookup (grant, "last-used", "x", &last_used);
      account = account_by_path (accounts, path);
      account_id = account != NULL ? account->id : "";

      if (json)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "app-id");
          json_builder_add_string_value (builder, app_id);
          json_builder_set_member_name (builder, "app-name");
          json_builder_add_string_value (builder, app_name);
          json_builder_set_member_name (builder, "kind");
          json_builder_add_string_value (builder, kind);
          json_builder_set_member_name (builder, "account");
          json_builder_add_string_value (builder, account_id);
          json_builder_set_member_name (builder, "scopes");
          json_builder_begin_array (builder);
          for (gsize j = 0; scopes != NULL && scopes[j] != NULL; j++)
            json_builder_add_string_value (builder, scopes[j]);
          json_builder_end_array (builder);
          json_builder_set_member_name (builder, "granted-at");
          json_builder_add_int_value (builder, granted_at);
          json_builder_set_member_name (builder, "last-used");
          json_builder_add_int_value (builder, last_used);
          json_builder_end_object (builder);
        }
      else
        {
          g_autofree char *granted = sesamectl_format_time (granted_at);
          g_autofree char *used = last_used != 0 ? sesamectl_format_time (last_used)
                                                 : g_strdup (_("never"));
          g_autofree char *scope_list = scopes != NULL ? g_strjoinv (" ", (char **) scopes)
                                                       : g_strdup ("");

          printf ("%s (%s, %s)\n", app_name, app_id, kind);
          printf ("  %s %s:%s (%s)\n", _("account:"),
                  account != NULL ? account->provider : "",
                  account != NULL ? account->identity : path, account_id);
          printf ("  %s %s\n", _("scopes:"), scope_list);
          printf ("  %s %s\n", _("granted:"), granted);
          printf ("  %s %s\n", _("last used:"), used);
        }
    }
  json_builder_end_array (builder);

  if (json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (builder);
      g_autofree char *text = json_to_string (root, TRUE);

      printf ("%s\n", text);
    }
  return SESAMECTL_EXIT_OK;
}

int
sesamectl_revoke_grant (int    argc,
                        char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("APP ACCOUNT"));
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  SesamectlAccount *account;
  int status = SESAMECTL_EXIT_OK;

  g_option_context_set_summary (context, _("Takes ACCOUNT away from the application APP (its "
                                           "app id, as “sesamectl grants” shows it)."));
  if (!sesamectl_parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 3)
    return sesamectl_usage_error (context, _("“revoke-grant” needs an application and an account."));

  connection = sesamectl_connect (&error);
  if (connection != NULL)
    accounts = sesamectl_list_accounts (connection, &error);
  if (accounts == NULL)
    return sesamectl_report_error (error);
  account = sesamectl_resolve_account (accounts, argv[2], &status);
  if (account == NULL)
    return status;

  reply = sesamectl_call (connection, SESAME_BROKER_PATH, SESAME_BROKER_IFACE,
                          "RevokeGrant", g_variant_new ("(so)", argv[1], account->path),
                          NULL, -1, &error);
  if (reply == NULL)
    return sesamectl_report_error (error);
  return SESAMECTL_EXIT_OK;
}
