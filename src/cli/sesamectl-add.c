/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesamectl-add.c: sesamectl add PROVIDER [--device | --client-credentials] */
#include "config.h"

#include <stdio.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "sesamectl-qr.h"
#include "sesamectl.h"

/* The secret of a client-credentials account: all of standard input when it
 * is not a terminal (without the final line end), else typed without echo.
 * Never from the command line, where every process could read it. */
static char *
read_client_secret (void)
{
  GString *secret = g_string_new (NULL);

  if (isatty (STDIN_FILENO))
    {
      struct termios saved, quiet;
      gboolean restore;
      int c;

      fprintf (stderr, "%s", _("Client secret: "));
      fflush (stderr);
      restore = tcgetattr (STDIN_FILENO, &saved) == 0;
      if (restore)
        {
          quiet = saved;
          quiet.c_lflag &= ~(tcflag_t) ECHO;
          quiet.c_lflag |= ECHONL;
          tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
        }
      while ((c = getchar ()) != EOF && c != '\n')
        g_string_append_c (secret, (char) c);
      if (restore)
        tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
    }
  else
    {
      char buffer[4096];
      size_t n;

      while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
        g_string_append_len (secret, buffer, n);
      if (secret->len > 0 && secret->str[secret->len - 1] == '\n')
        g_string_truncate (secret, secret->len - 1);
      if (secret->len > 0 && secret->str[secret->len - 1] == '\r')
        g_string_truncate (secret, secret->len - 1);
    }
  return g_string_free (secret, FALSE);
}

static char *
account_id (GDBusConnection *connection,
            const char      *path,
            GError         **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;

  reply = sesamectl_call (connection, path, "org.freedesktop.DBus.Properties", "Get",
                          g_variant_new ("(ss)", SESAME_ACCOUNT_IFACE, "Id"), "(v)", -1, error);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(v)", &value);
  return g_variant_dup_string (value, NULL);
}

/* On a terminal wide enough, the address as a QR code for a phone's camera. */
static void
print_qr_code (const char *uri)
{
  struct winsize size = { 0 };
  g_autofree char *code = NULL;

  if (uri == NULL || !isatty (STDERR_FILENO) || ioctl (STDERR_FILENO, TIOCGWINSZ, &size) != 0)
    return;
  code = sesamectl_qr_render (uri, size.ws_col);
  if (code != NULL)
    fputs (code, stderr);
}

static GVariant *
device_sign_in (GDBusConnection    *connection,
                const char         *provider,
                const char * const *scopes,
                GVariant           *options,
                GError            **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) details = NULL;
  const char *request = NULL, *uri = NULL, *complete = NULL, *user_code = NULL;

  reply = sesamectl_call (connection, SESAME_BROKER_PATH, SESAME_BROKER_IFACE,
                          "BeginDeviceSignIn",
                          g_variant_new ("(s^as@a{sv})", provider, scopes, options),
                          "(sa{sv})", G_MAXINT, error);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(&s@a{sv})", &request, &details);
  g_variant_lookup (details, "verification-uri", "&s", &uri);
  g_variant_lookup (details, "verification-uri-complete", "&s", &complete);
  g_variant_lookup (details, "user-code", "&s", &user_code);

  fprintf (stderr, _("To sign in, open %s on any device and enter the code %s.\n"),
           uri != NULL ? uri : "", user_code != NULL ? user_code : "");
  if (complete != NULL && *complete != '\0')
    fprintf (stderr, _("Or open this address, which carries the code: %s\n"), complete);
  print_qr_code (complete != NULL && *complete != '\0' ? complete : uri);
  fprintf (stderr, "%s\n", _("Waiting for the sign-in to finish…"));
  fflush (stderr);

  /* On the same connection: the request belongs to this bus name. */
  return sesamectl_call (connection, SESAME_BROKER_PATH, SESAME_BROKER_IFACE,
                         "FinishDeviceSignIn", g_variant_new ("(s)", request), "(o)",
                         G_MAXINT, error);
}

int
sesamectl_add (int    argc,
               char **argv)
{
  g_auto(GStrv) scopes = NULL;
  gboolean device = FALSE, client_credentials = FALSE;
  g_autofree char *client_id = NULL;
  g_autofree char *issuer = NULL;
  g_autofree char *login_hint = NULL;
  const GOptionEntry entries[] = {
    { "scope", 's', 0, G_OPTION_ARG_STRING_ARRAY, &scopes,
      N_("A scope to ask for (repeat for more; default: the provider’s default scopes)"),
      N_("SCOPE") },
    { "device", 'd', 0, G_OPTION_ARG_NONE, &device,
      N_("Sign in on another device with a code (for machines without a display)"), NULL },
    { "client-credentials", 0, 0, G_OPTION_ARG_NONE, &client_credentials,
      N_("Add a service account (client credentials); the secret is read from standard input"),
      NULL },
    { "client-id", 0, 0, G_OPTION_ARG_STRING, &client_id,
      N_("The client id of the service account"), N_("ID") },
    { "issuer", 0, 0, G_OPTION_ARG_STRING, &issuer,
      N_("The issuer URL, for the openid-connect provider"), N_("URL") },
    { "login-hint", 0, 0, G_OPTION_ARG_STRING, &login_hint,
      N_("The login or e-mail address to suggest on the sign-in page"), N_("LOGIN") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("PROVIDER"));
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) providers = NULL;
  g_autoptr(GVariant) provider = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *id = NULL;
  g_autofree char *secret = NULL;
  const char *none[] = { NULL };
  const char * const *scope_list;
  GVariantDict options;
  int status = SESAMECTL_EXIT_OK;

  g_option_context_set_summary (context, _("Adds an account of PROVIDER and prints its id. "
                                           "By default the person signs in through the Sesame "
                                           "app."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!sesamectl_parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return sesamectl_usage_error (context, _("“add” needs exactly one provider."));
  if (device && client_credentials)
    return sesamectl_usage_error (context, _("--device and --client-credentials exclude each other."));
  if (client_credentials && (client_id == NULL || *client_id == '\0'))
    return sesamectl_usage_error (context, _("--client-credentials needs --client-id."));
  if (!client_credentials && client_id != NULL)
    return sesamectl_usage_error (context, _("--client-id only applies with --client-credentials."));

  connection = sesamectl_connect (&error);
  if (connection != NULL)
    providers = sesamectl_list_providers (connection, &error);
  if (providers == NULL)
    return sesamectl_report_error (error);
  provider = sesamectl_find_provider (providers, argv[1]);
  if (provider == NULL)
    {
      GString *known = g_string_new (NULL);

      for (gsize i = 0; i < g_variant_n_children (providers); i++)
        {
          g_autoptr(GVariant) dict = g_variant_get_child_value (providers, i);
          const char *provider_id = "";

          g_variant_lookup (dict, "id", "&s", &provider_id);
          g_string_append_printf (known, "%s%s", i > 0 ? ", " : "", provider_id);
        }
      sesamectl_message (_("There is no provider “%s”. The providers are: %s."),
                         argv[1], known->str);
      g_string_free (known, TRUE);
      return SESAMECTL_EXIT_USAGE;
    }

  g_variant_dict_init (&options, NULL);
  if (issuer != NULL)
    g_variant_dict_insert (&options, "issuer", "s", issuer);
  if (login_hint != NULL)
    g_variant_dict_insert (&options, "login-hint", "s", login_hint);
  if (client_credentials)
    {
      secret = read_client_secret ();
      if (*secret == '\0')
        {
          g_variant_dict_clear (&options);
          sesamectl_message (_("The client secret is empty; give it on standard input."));
          return SESAMECTL_EXIT_USAGE;
        }
      g_variant_dict_insert (&options, "flow", "s", "client_credentials");
      g_variant_dict_insert (&options, "client-id", "s", client_id);
      g_variant_dict_insert (&options, "client-secret", "s", secret);
    }

  scope_list = scopes != NULL ? (const char * const *) scopes : none;
  if (device)
    reply = device_sign_in (connection, argv[1], scope_list, g_variant_dict_end (&options), &error);
  else
    reply = sesamectl_call (connection, SESAME_BROKER_PATH, SESAME_BROKER_IFACE,
                            "AddAccount",
                            g_variant_new ("(s^as@a{sv})", argv[1], scope_list,
                                           g_variant_dict_end (&options)),
                            "(o)", G_MAXINT, &error);
  if (secret != NULL)
    memset (secret, 0, strlen (secret));
  if (reply == NULL)
    return sesamectl_report_error (error);

  g_variant_get (reply, "(o)", &path);
  id = account_id (connection, path, &error);
  if (id == NULL)
    return sesamectl_report_error (error);
  printf ("%s\n", id);
  return SESAMECTL_EXIT_OK;
}
