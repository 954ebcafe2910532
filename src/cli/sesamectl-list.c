/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesamectl-list.c: sesamectl list [--json] */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "sesamectl.h"

static JsonNode *
accounts_to_json (GPtrArray *accounts)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < accounts->len; i++)
    {
      SesamectlAccount *account = accounts->pdata[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, account->id);
      json_builder_set_member_name (builder, "provider");
      json_builder_add_string_value (builder, account->provider);
      json_builder_set_member_name (builder, "provider-name");
      json_builder_add_string_value (builder, account->provider_name);
      json_builder_set_member_name (builder, "identity");
      json_builder_add_string_value (builder, account->identity);
      json_builder_set_member_name (builder, "flow");
      json_builder_add_string_value (builder, account->flow);
      json_builder_set_member_name (builder, "scopes");
      json_builder_begin_array (builder);
      for (char **scope = account->scopes; *scope != NULL; scope++)
        json_builder_add_string_value (builder, *scope);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "expires-at");
      json_builder_add_int_value (builder, account->expires_at);
      json_builder_set_member_name (builder, "attention-needed");
      json_builder_add_boolean_value (builder, account->attention_needed);
      json_builder_set_member_name (builder, "attention-reason");
      json_builder_add_string_value (builder, account->attention_reason);
      json_builder_set_member_name (builder, "created-at");
      json_builder_add_int_value (builder, account->created_at);
      json_builder_set_member_name (builder, "refresh-expires-at");
      json_builder_add_int_value (builder, account->refresh_expires_at);
      json_builder_set_member_name (builder, "removing");
      json_builder_add_boolean_value (builder, account->removing);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}

static char *
token_status (SesamectlAccount *account)
{
  g_autofree char *expiry = NULL;

  /* Before attention: the sign-in that attention asks for is refused. */
  if (account->removing && account->attention_needed)
    return g_strdup (_("removal did not finish: remove it again"));
  if (account->removing)
    return g_strdup (_("being removed"));
  if (account->attention_needed)
    return g_strdup_printf (_("needs attention: %s"), account->attention_reason);
  if (account->expires_at == 0)
    return g_strdup (_("no token stored"));
  if (account->expires_at <= g_get_real_time () / G_USEC_PER_SEC)
    return g_strdup (_("expired"));
  expiry = sesamectl_format_time (account->expires_at);
  return g_strdup_printf (_("expires %s"), expiry);
}

/* The token's state, then, where known, until when the grant works. */
static char *
account_status (SesamectlAccount *account)
{
  g_autofree char *status = token_status (account);
  g_autofree char *end = NULL;

  if (account->attention_needed || account->removing || account->refresh_expires_at == 0)
    return g_steal_pointer (&status);
  end = sesamectl_format_time (account->refresh_expires_at);
  /* Translators: the first %s is the token's state ("expires 2026-01-31
   * 10:00"), the second when the grant stops working unless renewed. */
  return g_strdup_printf (_("%s; sign in again before %s"), status, end);
}

/* Pads @text to @width characters (not bytes: identities may be UTF-8). */
static void
print_cell (const char *text,
            glong       width)
{
  glong length = g_utf8_strlen (text, -1);

  printf ("%s", text);
  for (glong i = length; i < width; i++)
    putchar (' ');
}

static void
print_table (GPtrArray *accounts)
{
  const char *headers[] = { _("ID"), _("PROVIDER"), _("IDENTITY"), _("SCOPES"), _("STATUS") };
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  glong widths[G_N_ELEMENTS (headers)] = { 0 };

  for (guint i = 0; i < accounts->len; i++)
    {
      SesamectlAccount *account = accounts->pdata[i];
      g_autofree char *scopes = g_strjoinv (" ", account->scopes);
      g_autofree char *identity = NULL;
      char **row = g_new0 (char *, G_N_ELEMENTS (headers) + 1);

      if (g_str_equal (account->flow, "client_credentials"))
        identity = g_strdup_printf (_("%s (service account)"), account->identity);
      else
        identity = g_strdup (account->identity);
      row[0] = g_strdup (account->id);
      row[1] = g_strdup (account->provider_name);
      row[2] = g_steal_pointer (&identity);
      row[3] = g_strdup (scopes);
      row[4] = account_status (account);
      g_ptr_array_add (rows, row);
    }

  for (gsize column = 0; column < G_N_ELEMENTS (headers); column++)
    {
      widths[column] = g_utf8_strlen (headers[column], -1);
      for (guint i = 0; i < rows->len; i++)
        widths[column] = MAX (widths[column],
                              g_utf8_strlen (((char **) rows->pdata[i])[column], -1));
    }

  for (gsize column = 0; column < G_N_ELEMENTS (headers); column++)
    {
      if (column + 1 < G_N_ELEMENTS (headers))
        {
          print_cell (headers[column], widths[column]);
          printf ("  ");
        }
      else
        printf ("%s\n", headers[column]);
    }
  for (guint i = 0; i < rows->len; i++)
    {
      char **row = rows->pdata[i];

      for (gsize column = 0; column < G_N_ELEMENTS (headers); column++)
        {
          if (column + 1 < G_N_ELEMENTS (headers))
            {
              print_cell (row[column], widths[column]);
              printf ("  ");
            }
          else
            printf ("%s\n", row[column]);
        }
    }
}

int
sesamectl_list (int    argc,
                char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the accounts as JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  int status = SESAMECTL_EXIT_OK;

  g_option_context_set_summary (context, _("Lists the accounts the broker keeps."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!sesamectl_parse_options (context, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return sesamectl_usage_error (context, _("“list” takes no arguments."));

  connection = sesamectl_connect (&error);
  if (connection != NULL)
    accounts = sesamectl_list_accounts (connection, &error);
  if (accounts == NULL)
    return sesamectl_report_error (error);

  if (json)
    {
      g_autoptr(JsonNode) root = accounts_to_json (accounts);
      g_autofree char *text = json_to_string (root, TRUE);

      printf ("%s\n", text);
    }
  else if (accounts->len == 0)
    sesamectl_message (_("There are no accounts. Add one with “sesamectl add PROVIDER”."));
  else
    print_table (accounts);
  return SESAMECTL_EXIT_OK;
}
