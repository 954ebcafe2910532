/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesamectl.c: the command-line client of sesame-broker: dispatch, account
 * resolution, errors and exit codes */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <glib/gi18n.h>

#include "sesamectl.h"

void
sesamectl_account_free (SesamectlAccount *account)
{
  g_free (account->path);
  g_free (account->id);
  g_free (account->provider);
  g_free (account->provider_name);
  g_free (account->identity);
  g_free (account->flow);
  g_strfreev (account->scopes);
  g_free (account->attention_reason);
  g_free (account);
}

void
sesamectl_message (const char *format,
                   ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "sesamectl: %s\n", message);
}

static gboolean
is_broker_unavailable (const GError *error)
{
  if (error->domain == G_DBUS_ERROR)
    {
      switch (error->code)
        {
        case G_DBUS_ERROR_SERVICE_UNKNOWN:
        case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
        case G_DBUS_ERROR_NO_SERVER:
        case G_DBUS_ERROR_DISCONNECTED:
        case G_DBUS_ERROR_NO_REPLY:
        case G_DBUS_ERROR_SPAWN_EXEC_FAILED:
        case G_DBUS_ERROR_SPAWN_FORK_FAILED:
        case G_DBUS_ERROR_SPAWN_CHILD_EXITED:
        case G_DBUS_ERROR_SPAWN_CHILD_SIGNALED:
        case G_DBUS_ERROR_SPAWN_FAILED:
        case G_DBUS_ERROR_SPAWN_SETUP_FAILED:
        case G_DBUS_ERROR_SPAWN_CONFIG_INVALID:
        case G_DBUS_ERROR_SPAWN_SERVICE_INVALID:
        case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
        case G_DBUS_ERROR_SPAWN_PERMISSIONS_INVALID:
        case G_DBUS_ERROR_SPAWN_FILE_INVALID:
        case G_DBUS_ERROR_SPAWN_NO_MEMORY:
          return TRUE;
        default:
          return FALSE;
        }
    }
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

int
sesamectl_report_error (const GError *error)
{
  g_autofree char *remote = g_dbus_error_get_remote_error (error);
  g_autoptr(GError) copy = g_error_copy (error);
  int code = SESAMECTL_EXIT_FAILURE;

  g_dbus_error_strip_remote_error (copy);
  if (is_broker_unavailable (error))
    {
      sesamectl_message (_("The Sesame broker is not available: %s"), copy->message);
      return SESAMECTL_EXIT_BROKER_UNAVAILABLE;
    }

  if (g_strcmp0 (remote, "dev.sesame.Error.NeedsAttention") == 0)
    code = SESAMECTL_EXIT_NEEDS_ATTENTION;
  else if (g_strcmp0 (remote, "dev.sesame.Error.AccessDenied") == 0)
    code = SESAMECTL_EXIT_ACCESS_DENIED;
  else if (g_strcmp0 (remote, "dev.sesame.Error.Network") == 0)
    code = SESAMECTL_EXIT_NETWORK;
  sesamectl_message ("%s", copy->message);
  return code;
}

int
sesamectl_usage_error (GOptionContext *context,
                       const char     *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  sesamectl_message ("%s", message);
  fprintf (stderr, "%s", help);
  return SESAMECTL_EXIT_USAGE;
}

gboolean
sesamectl_parse_options (GOptionContext *context,
                         int            *argc,
                         char         ***argv,
                         int            *exit_code)
{
  g_autoptr(GError) error = NULL;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *exit_code = sesamectl_usage_error (context, error->message);
      return FALSE;
    }
  return TRUE;
}

GDBusConnection *
sesamectl_connect (GError **error)
{
  g_autoptr(GError) local_error = NULL;
  GDBusConnection *connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &local_error);

  /* Whatever the cause, the broker cannot be reached. */
  if (connection == NULL)
    g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_SERVER,
                 _("There is no session bus to reach it on (%s)."), local_error->message);
  return connection;
}

GVariant *
sesamectl_call (GDBusConnection *connection,
                const char      *path,
                const char      *interface,
                const char      *method,
                GVariant        *parameters,
                const char      *reply_type,
                int              timeout_msec,
                GError         **error)
{
  return g_dbus_connection_call_sync (connection, SESAME_BROKER_BUS_NAME, path, interface, method,
                                      parameters,
                                      reply_type ? G_VARIANT_TYPE (reply_type) : NULL,
                                      G_DBUS_CALL_FLAGS_NONE, timeout_msec, NULL, error);
}

static int
compare_accounts (gconstpointer a,
                  gconstpointer b)
{
  const SesamectlAccount *first = *(SesamectlAccount * const *) a;
  const SesamectlAccount *second = *(SesamectlAccount * const *) b;

  if (first->created_at != second->created_at)
    return first->created_at < second->created_at ? -1 : 1;
  return g_strcmp0 (first->id, second->id);
}

static char *
dup_string (GVariant   *properties,
            const char *name)
{
  const char *value = NULL;

  if (!g_variant_lookup (properties, name, "&s", &value))
    value = "";
  return g_strdup (value);
}

GPtrArray *
sesamectl_list_accounts (GDBusConnection *connection,
                         GError         **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) objects = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  GVariantIter iter;
  const char *path;
  GVariant *interfaces;

  reply = sesamectl_call (connection, SESAME_BROKER_PATH, "org.freedesktop.DBus.ObjectManager",
                          "GetManagedObjects", NULL, "(a{oa{sa{sv}}})", -1, error);
  if (reply == NULL)
    return NULL;

  accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) sesamectl_account_free);
  objects = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, objects);
  while (g_variant_iter_next (&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      g_autoptr(GVariant) owned = interfaces;
      g_autoptr(GVariant) properties = NULL;
      SesamectlAccount *account;

      properties = g_variant_lookup_value (owned, SESAME_ACCOUNT_IFACE, G_VARIANT_TYPE ("a{sv}"));
      if (properties == NULL)
        continue;

      account = g_new0 (SesamectlAccount, 1);
      account->path = g_strdup (path);
      account->id = dup_string (properties, "Id");
      account->provider = dup_string (properties, "Provider");
      account->provider_name = dup_string (properties, "ProviderName");
      account->identity = dup_string (properties, "Identity");
      account->flow = dup_string (properties, "Flow");
      account->attention_reason = dup_string (properties, "AttentionReason");
      if (!g_variant_lookup (properties, "Scopes", "^as", &account->scopes))
        account->scopes = g_new0 (char *, 1);
      g_variant_lookup (properties, "ExpiresAt", "x", &account->expires_at);
      g_variant_lookup (properties, "CreatedAt", "x", &account->created_at);
      g_variant_lookup (properties, "RefreshExpiresAt", "x", &account->refresh_expires_at);
      g_variant_lookup (properties, "AttentionNeeded", "b", &account->attention_needed);
      g_variant_lookup (properties, "Removing", "b", &account->removing);
      g_ptr_array_add (accounts, account);
    }
  g_ptr_array_sort (accounts, compare_accounts);
  return g_steal_pointer (&accounts);
}

SesamectlAccount *
sesamectl_resolve_account (GPtrArray  *accounts,
                           const char *spec,
                           int        *exit_code)
{
  g_autoptr(GPtrArray) matches = g_ptr_array_new ();
  const char *colon = strchr (spec, ':');

  for (guint i = 0; i < accounts->len; i++)
    {
      SesamectlAccount *account = accounts->pdata[i];

      if (g_str_equal (account->id, spec))
        return account;
    }

  for (guint i = 0; i < accounts->len; i++)
    {
      SesamectlAccount *account = accounts->pdata[i];
      gboolean match = g_str_equal (account->identity, spec);

      if (!match && colon != NULL)
        match = strncmp (account->provider, spec, colon - spec) == 0
                && account->provider[colon - spec] == '\0'
                && g_str_equal (account->identity, colon + 1);
      if (match)
        g_ptr_array_add (matches, account);
    }

  if (matches->len == 1)
    return matches->pdata[0];

  *exit_code = SESAMECTL_EXIT_NO_ACCOUNT;
  if (matches->len == 0)
    {
      sesamectl_message (_("No account matches “%s”. Run “sesamectl list” to see the accounts."),
                         spec);
      return NULL;
    }

  sesamectl_message (_("Several accounts match “%s”; name one by its id or as PROVIDER:IDENTITY:"),
                     spec);
  for (guint i = 0; i < matches->len; i++)
    {
      SesamectlAccount *account = matches->pdata[i];

      fprintf (stderr, "  %s\t%s:%s\n", account->id, account->provider, account->identity);
    }
  return NULL;
}

GVariant *
sesamectl_list_providers (GDBusConnection *connection,
                          GError         **error)
{
  g_autoptr(GVariant) reply = NULL;

  reply = sesamectl_call (connection, SESAME_BROKER_PATH, SESAME_BROKER_IFACE,
                          "ListProviders", NULL, "(aa{sv})", -1, error);
  if (reply == NULL)
    return NULL;
  return g_variant_get_child_value (reply, 0);
}

/* The provider's dict from ListProviders, or NULL. */
GVariant *
sesamectl_find_provider (GVariant   *providers,
                         const char *id)
{
  for (gsize i = 0; i < g_variant_n_children (providers); i++)
    {
      g_autoptr(GVariant) dict = g_variant_get_child_value (providers, i);
      const char *provider_id = NULL;

      if (g_variant_lookup (dict, "id", "&s", &provider_id) && g_str_equal (provider_id, id))
        return g_steal_pointer (&dict);
    }
  return NULL;
}

char *
sesamectl_format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_time);

  if (time == NULL)
    return g_strdup ("?");
  return g_date_time_format (time, "%Y-%m-%d %H:%M");
}

typedef struct {
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "list", sesamectl_list, N_("List the accounts") },
  { "token", sesamectl_token, N_("Print an access token of an account") },
  { "add", sesamectl_add, N_("Add an account") },
  { "remove", sesamectl_remove, N_("Remove an account and revoke its grant") },
  { "grants", sesamectl_grants, N_("List which applications may use which accounts") },
  { "revoke-grant", sesamectl_revoke_grant, N_("Take an account away from an application") },
  { "git-credential", sesamectl_git_credential, N_("Act as a git credential helper") },
};

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n\n%s\n", _("Usage: sesamectl COMMAND [OPTION…]"), _("Commands:"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-16s%s\n", commands[i].name, _(commands[i].summary));
  fprintf (stream, "\n%s\n", _("Run “sesamectl COMMAND --help” for a command’s options."));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *program = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      print_usage (stderr);
      return SESAMECTL_EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")
      || g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return SESAMECTL_EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("sesamectl %s\n", PACKAGE_VERSION);
      return SESAMECTL_EXIT_OK;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (argv[1], commands[i].name))
        {
          /* The command sees "sesamectl COMMAND" as its program name. */
          program = g_strdup_printf ("sesamectl %s", commands[i].name);
          g_set_prgname (program);
          argv[1] = program;
          return commands[i].run (argc - 1, argv + 1);
        }
    }

  sesamectl_message (_("“%s” is not a sesamectl command."), argv[1]);
  print_usage (stderr);
  return SESAMECTL_EXIT_USAGE;
}
