/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-goa.c: Sesame's accounts seen through GNOME Online Accounts'
 * interfaces by a real, unmodified libgoa client (Debian's goa-1.0), and by
 * a Flatpak app run in a bubblewrap sandbox calling the GOA face */
#include "config.h"

#define GOA_API_IS_SUBJECT_TO_CHANGE
#include <goa/goa.h>

#include "sesame-bus-names.h"
#include "sesame-test-agent.h"
#include "sesame-test-env.h"

#define GOA_NAME "org.gnome.OnlineAccounts"
#define APP_ID "org.example.GoaMail"

static SesameTestEnv *env;
static SesameTestAgent *agent;
static char *account;          /* the Sesame account's path */
static gboolean goa_on;        /* the broker runs with goa-compatible true */

/* The test identity provider, as a provider that names a GOA provider
 * type: its mail service needs scopes every sign-in grants, its calendar
 * one that the default sign-in does not (so it is not offered). */
static void
write_goa_provider (void)
{
  g_autofree char *path = g_build_filename (env->config_dir, "sesame", "providers",
                                            "testgoa.json", NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *contents = g_strdup_printf (
    "{\"name\": \"Test Mail\", \"icon-name\": \"mail-send-symbolic\", \"issuer\": \"%s\",\n"
    " \"client-id\": \"sesame-test\",\n"
    " \"scopes\": {\"openid\": \"Know who you are\", \"email\": \"See your e-mail address\",\n"
    "   \"offline_access\": \"Stay signed in\", \"api:read\": \"Read your data\"},\n"
    " \"default-scopes\": [\"openid\", \"email\", \"offline_access\"],\n"
    " \"services\": {\"goa-provider-type\": \"google\",\n"
    "   \"mail\": {\"imap-host\": \"imap.example.test\", \"imap-port\": 993,\n"
    "     \"imap-security\": \"ssl\", \"smtp-host\": \"smtp.example.test\", \"smtp-port\": 2525,\n"
    "     \"smtp-security\": \"starttls\", \"scopes\": [\"openid\", \"email\"]},\n"
    "   \"calendar\": {\"uri\": \"https://dav.example.test/{identity}/\",\n"
    "     \"scopes\": [\"api:read\"]}}}\n", env->issuer);

  g_mkdir_with_parents (dir, 0700);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

static void
restart_broker (gboolean goa_compatible)
{
  g_autofree char *keyfile = g_build_filename (env->config_dir, "glib-2.0", "settings",
                                               "keyfile", NULL);
  g_autofree char *dir = g_path_get_dirname (keyfile);
  g_autofree char *contents = g_strdup_printf ("[dev/sesame/Sesame]\ngoa-compatible=%s\n",
                                               goa_compatible ? "true" : "false");

  g_mkdir_with_parents (dir, 0700);
  g_assert_true (g_file_set_contents (keyfile, contents, -1, NULL));
  sesame_test_env_stop_broker (env);
  env->settings_backend = "keyfile";
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
  goa_on = goa_compatible;
}

static char *
name_owner (const char *name)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  char *owner = NULL;

  reply = g_dbus_connection_call_sync (env->connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "GetNameOwner", g_variant_new ("(s)", name),
                                       G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  if (reply != NULL)
    g_variant_get (reply, "(s)", &owner);
  return owner;
}

static void
ensure_goa_on (void)
{
  if (!goa_on)
    restart_broker (TRUE);
}

static void
ensure_account (void)
{
  g_autoptr(GError) error = NULL;

  ensure_goa_on ();
  if (account != NULL)
    return;
  account = sesame_test_env_add_account (env, "testgoa", NULL, NULL, &error);
  g_assert_no_error (error);
}

static const char *
account_id (void)
{
  return strrchr (account, '/') + 1;
}

/* The GOA object of the Sesame account, as libgoa lists it; NULL when it
 * lists none within a few seconds. */
static GoaObject *
wait_for_goa_object (GoaClient *client,
                     gboolean   present)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  GoaObject *object = goa_client_lookup_by_id (client, account_id ());

  while ((object != NULL) != present && g_get_monotonic_time () < deadline)
    {
      g_clear_object (&object);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
      object = goa_client_lookup_by_id (client, account_id ());
    }
  return object;
}

static GoaClient *
goa_client (void)
{
  g_autoptr(GError) error = NULL;
  GoaClient *client = goa_client_new_sync (NULL, &error);

  g_assert_no_error (error);
  return client;
}

static void
test_off_serves_nothing (void)
{
  g_autofree char *owner = NULL;

  if (goa_on)
    restart_broker (FALSE);
  owner = name_owner (GOA_NAME);
  g_assert_null (owner);
}

static void
test_lists_account (void)
{
  g_autoptr(GoaClient) client = goa_client ();
  g_autoptr(GoaObject) object = wait_for_goa_object (client, TRUE);
  g_autofree char *identity = sesame_test_env_string_property (env, account, "Identity");
  g_autoptr(GoaAccount) goa_account = NULL;
  g_autoptr(GoaMail) mail = NULL;
  g_autoptr(GoaOAuth2Based) oauth2 = NULL;
  g_autoptr(GoaCalendar) calendar = NULL;

  g_assert_nonnull (object);
  goa_account = goa_object_get_account (object);
  g_assert_cmpstr (goa_account_get_provider_type (goa_account), ==, "google");
  g_assert_cmpstr (goa_account_get_provider_name (goa_account), ==, "Test Mail");
  g_assert_cmpstr (goa_account_get_id (goa_account), ==, account_id ());
  g_assert_cmpstr (goa_account_get_identity (goa_account), ==, identity);
  g_assert_cmpstr (goa_account_get_presentation_identity (goa_account), ==, identity);
  g_assert_false (goa_account_get_attention_needed (goa_account));

  mail = goa_object_get_mail (object);
  g_assert_nonnull (mail);
  g_assert_cmpstr (goa_mail_get_email_address (mail), ==, identity);
  g_assert_cmpstr (goa_mail_get_imap_host (mail), ==, "imap.example.test");
  g_assert_true (goa_mail_get_imap_use_ssl (mail));
  g_assert_cmpstr (goa_mail_get_imap_user_name (mail), ==, identity);
  g_assert_cmpstr (goa_mail_get_smtp_host (mail), ==, "smtp.example.test:2525");
  g_assert_true (goa_mail_get_smtp_use_tls (mail));
  g_assert_false (goa_mail_get_smtp_use_ssl (mail));
  g_assert_true (goa_mail_get_smtp_auth_xoauth2 (mail));
  g_assert_cmpstr (goa_mail_get_smtp_user_name (mail), ==, identity);

  /* Its scope was not granted: no calendar. */
  calendar = goa_object_get_calendar (object);
  g_assert_null (calendar);

  oauth2 = goa_object_get_oauth2_based (object);
  g_assert_cmpstr (goa_oauth2_based_get_client_id (oauth2), ==, "sesame-test");
  g_assert_cmpstr (goa_oauth2_based_get_client_secret (oauth2), ==, "");
}

static gboolean
has_mail (GoaObject *object)
{
  g_autoptr(GoaMail) mail = goa_object_get_mail (object);

  return mail != NULL;
}

/* TRUE once @object's Mail interface is there (@wanted) or gone, within a
 * few seconds. */
static gboolean
wait_for_mail (GoaObject *object,
               gboolean   wanted)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  while (has_mail (object) != wanted && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  return has_mail (object) == wanted;
}

/* The account's GOA object as @client lists it, in @object, and its
 * Account interface. */
static GoaAccount *
listed_account (GoaClient  *client,
                GoaObject **object)
{
  *object = wait_for_goa_object (client, TRUE);
  g_assert_nonnull (*object);
  return goa_object_get_account (*object);
}

/* Turns the account's mail off (@disabled) or on through libgoa, as GNOME
 * Settings does, and waits until the client sees it. */
static void
set_mail_disabled (gboolean disabled)
{
  g_autoptr(GoaClient) client = goa_client ();
  g_autoptr(GoaObject) object = NULL;
  g_autoptr(GoaAccount) goa_account = listed_account (client, &object);

  goa_account_set_mail_disabled (goa_account, disabled);
  g_assert_true (wait_for_mail (object, !disabled));
}

/* Fails unless a new client sees the account's mail on (@wanted) or off,
 * and MailDisabled says the same. */
static void
assert_mail_shown (gboolean wanted)
{
  g_autoptr(GoaClient) client = goa_client ();
  g_autoptr(GoaObject) object = NULL;
  g_autoptr(GoaAccount) goa_account = listed_account (client, &object);

  g_assert_cmpint (has_mail (object), ==, wanted);
  g_assert_cmpint (goa_account_get_mail_disabled (goa_account), ==, !wanted);
}

/* A GOA client that turns the account's mail off (as GNOME Settings does)
 * no longer sees its Mail interface; turned on again, it is back. */
static void
test_mail_disabled (void)
{
  set_mail_disabled (TRUE);
  set_mail_disabled (FALSE);
}

/* The person's choice outlives the broker: mail turned off stays off
 * after a restart, and turned on again, stays on. */
static void
test_mail_disabled_kept (void)
{
  gboolean wanted[] = { FALSE, TRUE };

  for (guint i = 0; i < G_N_ELEMENTS (wanted); i++)
    {
      set_mail_disabled (!wanted[i]);
      restart_broker (TRUE);
      assert_mail_shown (wanted[i]);
    }
}

static void
test_access_token (void)
{
  g_autoptr(GoaClient) client = goa_client ();
  g_autoptr(GoaObject) object = wait_for_goa_object (client, TRUE);
  g_autofree char *identity = sesame_test_env_string_property (env, account, "Identity");
  g_autoptr(GoaOAuth2Based) oauth2 = NULL;
  g_autoptr(GoaAccount) goa_account = NULL;
  g_autofree char *token = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *scope = NULL;
  g_autoptr(GError) error = NULL;
  int expires_in = 0;

  g_assert_nonnull (object);
  oauth2 = goa_object_get_oauth2_based (object);
  g_assert_true (goa_oauth2_based_call_get_access_token_sync (oauth2, &token, &expires_in, NULL,
                                                              &error));
  g_assert_no_error (error);
  g_assert_cmpint (expires_in, >, 60);
  owner = sesame_test_env_userinfo_email (env, token);
  g_assert_cmpstr (owner, ==, identity);
  /* The mail service's scopes, not the whole grant (no offline_access). */
  scope = sesame_test_env_token_scope (env, token);
  g_assert_null (strstr (scope, "offline_access"));

  goa_account = goa_object_get_account (object);
  expires_in = 0;
  g_assert_true (goa_account_call_ensure_credentials_sync (goa_account, &expires_in, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (expires_in, >, 60);
}

static void
test_add_account_refused (void)
{
  g_autoptr(GoaClient) client = goa_client ();
  GoaManager *manager = goa_client_get_manager (client);
  g_autoptr(GVariant) credentials = g_variant_ref_sink (g_variant_new ("a{sv}", NULL));
  g_autoptr(GVariant) details = g_variant_ref_sink (g_variant_new ("a{ss}", NULL));
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (manager);
  g_assert_false (goa_manager_call_add_account_sync (manager, "google", "someone@example.test",
                                                     "someone@example.test", credentials,
                                                     details, &path, NULL, &error));
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  g_assert_nonnull (strstr (error->message, "Sesame"));
}

typedef struct {
  gboolean  done;
  gboolean  success;
  char     *err;
} Run;

static void
on_app_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, NULL, &run->err, NULL);
  run->success = g_subprocess_get_successful (G_SUBPROCESS (source));
  run->done = TRUE;
}

/* Runs @command as the Flatpak app APP_ID; TRUE when it succeeded, its
 * standard error in @err. */
static gboolean
run_sandboxed (const char * const *command,
               char              **err)
{
  g_autoptr(GSubprocess) app = sesame_test_env_spawn_sandboxed (env, APP_ID, command);
  Run run = { 0 };

  g_subprocess_communicate_utf8_async (app, NULL, NULL, on_app_done, &run);
  g_assert_true (sesame_test_wait_for (&run.done, 30000));
  *err = run.err;
  return run.success;
}

static char *
goa_account_path (void)
{
  return g_strconcat ("/org/gnome/OnlineAccounts/Accounts/", account_id (), NULL);
}

/* A Flatpak app asks the GOA face for a token: it is asked about like any
 * app, and Deny refuses it with AccessDenied. */
static void
test_sandboxed_denied (void)
{
  g_autofree char *goa_path = goa_account_path ();
  const char *command[] = {
    "gdbus", "call", "--session", "--dest", GOA_NAME, "--object-path", goa_path,
    "--method", "org.gnome.OnlineAccounts.OAuth2Based.GetAccessToken", NULL
  };
  guint asked = agent->n_confirm;
  g_autofree char *err = NULL;
  gboolean success;

  agent->allow = FALSE;
  success = run_sandboxed (command, &err);
  agent->allow = TRUE;
  g_assert_false (success);
  g_assert_nonnull (strstr (err, "dev.sesame.Error.AccessDenied"));
  g_assert_cmpuint (agent->n_confirm, ==, asked + 1);
}

/* Turning a service off changes what every app sees: a Flatpak app may
 * not, and is not even asked about. */
static void
test_sandboxed_write_denied (void)
{
  g_autofree char *goa_path = goa_account_path ();
  const char *command[] = {
    "gdbus", "call", "--session", "--dest", GOA_NAME, "--object-path", goa_path,
    "--method", "org.freedesktop.DBus.Properties.Set", "org.gnome.OnlineAccounts.Account",
    "MailDisabled", "<true>", NULL
  };
  guint asked = agent->n_confirm;
  g_autofree char *err = NULL;

  g_assert_false (run_sandboxed (command, &err));
  g_assert_nonnull (strstr (err, "dev.sesame.Error.AccessDenied"));
  g_assert_cmpuint (agent->n_confirm, ==, asked);
  assert_mail_shown (TRUE);
}

/* Sets the member goa-disabled of the account's entry in the metadata to
 * @json, the broker stopped meanwhile. */
static void
write_stored_disabled (const char *json)
{
  g_autofree char *path = g_build_filename (env->data_dir, "sesame", "accounts.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) value = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  JsonArray *accounts;

  sesame_test_env_stop_broker (env);
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  json_parser_load_from_data (value, json, -1, &error);
  g_assert_no_error (error);
  accounts = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                           "accounts");
  for (guint i = 0; i < json_array_get_length (accounts); i++)
    {
      JsonObject *entry = json_array_get_object_element (accounts, i);

      if (g_str_equal (json_object_get_string_member (entry, "id"), account_id ()))
        json_object_set_member (entry, "goa-disabled", json_parser_steal_root (value));
    }
  contents = json_to_string (json_parser_get_root (parser), TRUE);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
}

/* A hand-edited or damaged goa-disabled loses the account nothing: a
 * value that is no list disables nothing, and in a list, what is no known
 * service is skipped. */
static void
test_bad_disabled_loads (void)
{
  write_stored_disabled ("\"mail\"");
  assert_mail_shown (TRUE);

  write_stored_disabled ("[\"chat\", 7, {\"mail\": true}, \"mail\", \"mail\"]");
  assert_mail_shown (FALSE);
  set_mail_disabled (FALSE);
}

/* The grant is revoked at the provider: once Sesame finds out, GOA clients
 * see AttentionNeeded too, as they would from goa-daemon. */
static void
test_attention_needed (void)
{
  g_autoptr(GoaClient) client = goa_client ();
  g_autoptr(GoaObject) object = wait_for_goa_object (client, TRUE);
  g_autoptr(GoaAccount) goa_account = NULL;
  g_autoptr(JsonNode) revoked = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  g_assert_nonnull (object);
  goa_account = goa_object_get_account (object);
  g_assert_false (goa_account_get_attention_needed (goa_account));
  revoked = sesame_test_env_idp_request (env, "POST", "/_test/revoke-account?account=alice");
  reply = sesame_test_env_call (env, account, SESAME_ACCOUNT_IFACE, "Refresh", NULL, "(x)", &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.NeedsAttention");
  while (!goa_account_get_attention_needed (goa_account) && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_true (goa_account_get_attention_needed (goa_account));
}

static void
test_removed_vanishes (void)
{
  g_autoptr(GoaClient) client = goa_client ();
  g_autoptr(GoaObject) before = wait_for_goa_object (client, TRUE);
  g_autoptr(GoaObject) after = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (before);
  reply = sesame_test_env_call (env, account, SESAME_ACCOUNT_IFACE, "Remove", NULL, NULL, &error);
  g_assert_no_error (error);
  after = wait_for_goa_object (client, FALSE);
  g_clear_pointer (&account, g_free);
  g_assert_null (after);
}

#define EDS_REGISTRY "/usr/libexec/evolution-source-registry"
#define EDS_SOURCES "org.gnome.evolution.dataserver.Sources5"

/* evolution-data-server's source registry, Debian's, on the test bus and in
 * the test's HOME: its GOA module reads the accounts from the broker. */
static GSubprocess *
start_source_registry (void)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *cache = g_build_filename (env->home, "cache", NULL);
  g_autofree char *log = g_build_filename (env->home, "evolution-source-registry.log", NULL);
  g_autoptr(GError) error = NULL;
  GSubprocess *registry;

  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", env->bus_address, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", env->home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", env->config_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", env->data_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", cache, TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  g_subprocess_launcher_setenv (launcher, "GOA_DEBUG", "1", TRUE);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  registry = g_subprocess_launcher_spawn (launcher, &error, EDS_REGISTRY, NULL);
  g_assert_no_error (error);
  return registry;
}

/* The Data (a key file) of the registry's source that says @needle, or
 * NULL. */
static char *
find_source (const char *needle)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariantIter) objects = NULL;
  GVariant *interfaces;
  const char *path;

  reply = g_dbus_connection_call_sync (env->connection, EDS_SOURCES,
                                       "/org/gnome/evolution/dataserver/SourceManager",
                                       "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                                       NULL, G_VARIANT_TYPE ("(a{oa{sa{sv}}})"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(a{oa{sa{sv}}})", &objects);
  while (g_variant_iter_next (objects, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      g_autoptr(GVariant) owned = interfaces;
      g_autoptr(GVariant) source = g_variant_lookup_value (owned, "org.gnome.evolution.dataserver.Source",
                                                           G_VARIANT_TYPE ("a{sv}"));
      const char *data = NULL;

      if (source != NULL && g_variant_lookup (source, "Data", "&s", &data) &&
          strstr (data, needle) != NULL)
        return g_strdup (data);
    }
  return NULL;
}

static char *
wait_for_source (const char *needle)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  char *data = find_source (needle);

  while (data == NULL && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (100000);
      data = find_source (needle);
    }
  return data;
}

/* evolution-data-server's own registry, unmodified, makes the Sesame
 * account a Google collection with its mail settings (what its GOA module
 * reads from a goa-daemon). */
static void
test_evolution_collection (void)
{
  g_autofree char *identity = sesame_test_env_string_property (env, account, "Identity");
  g_autofree char *account_line = g_strconcat ("AccountId=", account_id (), NULL);
  g_autofree char *identity_line = g_strconcat ("Identity=", identity, NULL);
  g_autofree char *user_line = g_strconcat ("User=", identity, NULL);
  g_autoptr(GSubprocess) registry = NULL;
  g_autofree char *collection = NULL;
  g_autofree char *mail = NULL;

  if (!g_file_test (EDS_REGISTRY, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("evolution-data-server is not installed (build-aux/install-deps.sh installs it)");
      return;
    }
  registry = start_source_registry ();
  collection = wait_for_source (account_line);
  g_test_message ("%s", collection);
  g_assert_nonnull (collection);
  g_assert_nonnull (strstr (collection, "[Collection]"));
  g_assert_nonnull (strstr (collection, "BackendName=google"));
  g_assert_nonnull (strstr (collection, identity_line));
  mail = wait_for_source ("Host=imap.example.test");
  g_test_message ("%s", mail);
  g_assert_nonnull (mail);
  g_assert_nonnull (strstr (mail, "Port=993"));
  g_assert_nonnull (strstr (mail, "Method=XOAUTH2"));
  g_assert_nonnull (strstr (mail, "Method=ssl-on-alternate-port"));
  g_assert_nonnull (strstr (mail, user_line));
  g_subprocess_force_exit (registry);
  g_subprocess_wait (registry, NULL, NULL);
}

/* Where another program (goa-daemon) has the name, the broker stays out
 * and says so in its log. */
static void
test_stays_out (void)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *log = NULL;
  guint32 result = 0;

  if (goa_on)
    restart_broker (FALSE);
  reply = g_dbus_connection_call_sync (env->connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "RequestName", g_variant_new ("(su)", GOA_NAME, 4),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &result);
  g_assert_cmpuint (result, ==, 1);
  restart_broker (TRUE);

  owner = name_owner (GOA_NAME);
  g_assert_cmpstr (owner, ==, g_dbus_connection_get_unique_name (env->connection));
  g_assert_true (g_file_get_contents (env->broker_log, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "owns " GOA_NAME ": Sesame stays out"));
  g_clear_pointer (&reply, g_variant_unref);
  reply = g_dbus_connection_call_sync (env->connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "ReleaseName", g_variant_new ("(s)", GOA_NAME),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  g_assert_no_error (error);
  goa_on = FALSE;
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  env = sesame_test_env_new (3600);
  write_goa_provider ();
  sesame_test_env_start_broker (env);
  agent = sesame_test_agent_new (env);
  sesame_test_agent_register (agent);

  g_test_add_func ("/goa/off-serves-nothing", test_off_serves_nothing);
  sesame_test_add_with_setup ("/goa/lists-account", ensure_account, test_lists_account);
  sesame_test_add_with_setup ("/goa/access-token", ensure_account, test_access_token);
  sesame_test_add_with_setup ("/goa/mail-disabled", ensure_account, test_mail_disabled);
  sesame_test_add_with_setup ("/goa/mail-disabled-kept", ensure_account, test_mail_disabled_kept);
  sesame_test_add_with_setup ("/goa/add-account-refused", ensure_goa_on, test_add_account_refused);
  sesame_test_add_with_setup ("/goa/sandboxed-denied", ensure_account, test_sandboxed_denied);
  sesame_test_add_with_setup ("/goa/sandboxed-write-denied", ensure_account,
                              test_sandboxed_write_denied);
  sesame_test_add_with_setup ("/goa/bad-disabled-loads", ensure_account, test_bad_disabled_loads);
  sesame_test_add_with_setup ("/goa/evolution-collection", ensure_account,
                              test_evolution_collection);
  sesame_test_add_with_setup ("/goa/attention-needed", ensure_account, test_attention_needed);
  sesame_test_add_with_setup ("/goa/removed-vanishes", ensure_account, test_removed_vanishes);
  g_test_add_func ("/goa/stays-out", test_stays_out);
  status = g_test_run ();

  sesame_test_agent_free (agent);
  sesame_test_env_stop_broker (env);
  sesame_test_env_free (env);
  g_free (account);
  return status;
}
