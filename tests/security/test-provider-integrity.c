/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-provider-integrity.c: issue 22, items 3, 4, 7 and 8: what an app
 * allowed to add an account cannot change behind the person's back (client
 * ids, issuers, an account's scopes), and grants that hold for one kind of
 * caller only; Flatpak apps run for real under bubblewrap */
#include "config.h"

#include "sesame-bus-names.h"
#include "sesame-test-agent.h"
#include "sesame-test-env.h"

#define APP_ID "org.example.Mail"

static SesameTestEnv *env;
static SesameTestAgent *agent;
static char *account;

typedef struct {
  gboolean  done;
  gboolean  success;
  char     *out;
  char     *err;
} Run;

static void
on_sandboxed_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Run *run = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, &run->err, NULL);
  run->success = g_subprocess_get_successful (G_SUBPROCESS (source));
  run->done = TRUE;
}

/* gdbus inside a sandbox whose /.flatpak-info names APP_ID, while this
 * process's agent answers the broker's questions. */
static gboolean
run_sandboxed (const char * const *call,
               char              **err)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *gdbus[] = {
    "gdbus", "call", "--session", "--timeout", "120", "--dest", SESAME_BROKER_BUS_NAME, NULL
  };
  g_auto(GStrv) command = NULL;
  g_autoptr(GSubprocess) process = NULL;
  Run run = { 0 };

  g_strv_builder_addv (builder, gdbus);
  g_strv_builder_addv (builder, (const char **) call);
  command = g_strv_builder_end (builder);
  process = sesame_test_env_spawn_sandboxed (env, APP_ID, (const char * const *) command);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_sandboxed_done, &run);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);
  g_free (run.out);
  if (err != NULL)
    *err = run.err;
  else
    g_free (run.err);
  return run.success;
}

static gboolean
sandboxed_add (const char *provider,
               const char *scopes,
               const char *options,
               char      **err)
{
  const char *call[] = { "--object-path", SESAME_BROKER_PATH,
                         "--method", SESAME_BROKER_IFACE ".AddAccount",
                         provider, scopes, options, NULL };

  return run_sandboxed (call, err);
}

static char *
provider_file (const char *id)
{
  g_autofree char *name = g_strconcat (id, ".json", NULL);

  return g_build_filename (env->config_dir, "sesame", "providers", name, NULL);
}

static char *
read_file (const char *path)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return g_steal_pointer (&contents);
}

static char *
account_scopes (const char *path)
{
  g_autoptr(GVariant) scopes = sesame_test_env_get_property (env, path, "Scopes");
  g_autofree const char **strv = g_variant_get_strv (scopes, NULL);

  return g_strjoinv (" ", (char **) strv);
}

/* The person's testidp account, added by whichever case needs it first. */
static void
ensure_account (void)
{
  g_autoptr(GError) error = NULL;

  if (account != NULL)
    return;
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "alice");
  account = sesame_test_env_add_account (env, "testidp", NULL, NULL, &error);
  g_assert_no_error (error);
}

/* Item 8: a host program allowed as APP_ID (its desktop file's id) is not
 * the Flatpak app of that id: the app is asked. */
static void
test_grant_kind (void)
{
  g_autofree char *dir = g_build_filename (env->data_dir, "sesame", NULL);
  g_autofree char *grants = g_build_filename (dir, "grants.json", NULL);
  g_autofree char *contents = NULL;
  const char *id = account + strlen (SESAME_ACCOUNTS_PATH);
  const char *call[] = { "--object-path", account, "--method", SESAME_ACCOUNT_IFACE ".GetAccessToken",
                         "@as []", NULL };
  g_autofree char *err = NULL;
  guint asked;

  sesame_test_env_stop_broker (env);
  contents = g_strdup_printf ("{\"version\": 1, \"grants\": [{\"app-id\": \"" APP_ID "\", "
                              "\"app-name\": \"Mail\", \"kind\": \"host\", \"account\": \"%s\", "
                              "\"scopes\": [\"openid\", \"email\", \"offline_access\"], "
                              "\"granted-at\": 1764000000, \"last-used\": 0}]}\n", id);
  g_assert_true (g_file_set_contents (grants, contents, -1, NULL));
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);

  asked = agent->n_confirm;
  agent->allow = FALSE;
  g_assert_false (run_sandboxed (call, &err));
  g_assert_nonnull (strstr (err, "AccessDenied"));
  g_assert_cmpuint (agent->n_confirm, ==, asked + 1);
  agent->allow = TRUE;
  /* The Deny keeps APP_ID from being asked anything for a while
   * (tests/security/test-limits); a new broker forgets it. */
  sesame_test_env_stop_broker (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
}

/* Item 7: AddAccount with no scopes asks about the defaults it grants. */
static void
test_add_shows_defaults (void)
{
  g_autoptr(GVariant) scopes = NULL;
  const char *action;

  sesame_test_agent_set (agent, SESAME_TEST_AGENT_CANCEL, "alice");
  agent->allow = TRUE;
  g_assert_false (sandboxed_add ("testidp", "@as []", "@a{sv} {}", NULL));
  g_assert_nonnull (agent->last_confirm);
  g_assert_true (g_variant_lookup (agent->last_confirm, "action", "&s", &action));
  g_assert_cmpstr (action, ==, "add");
  scopes = g_variant_lookup_value (agent->last_confirm, "scopes", G_VARIANT_TYPE ("a{ss}"));
  g_assert_nonnull (scopes);
  g_assert_true (g_variant_lookup (scopes, "openid", "&s", NULL));
  g_assert_true (g_variant_lookup (scopes, "email", "&s", NULL));
  g_assert_true (g_variant_lookup (scopes, "offline_access", "&s", NULL));
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "alice");
}

/* Item 7: an app's add that signs in as the person's account never narrows
 * it: the person's other programs keep their scopes. */
static void
test_add_never_narrows (void)
{
  g_autofree char *before = account_scopes (account);
  g_autofree char *after = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *mail[] = { "email", NULL };
  g_autofree char *token = NULL;

  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "alice");
  agent->allow = TRUE;
  g_assert_false (sandboxed_add ("testidp", "['openid', 'email']", "@a{sv} {}", &err));
  g_test_message ("refused: %s", err);
  after = account_scopes (account);
  g_assert_cmpstr (after, ==, before);
  token = sesame_test_env_get_token (env, account, mail, NULL, &error);
  g_assert_no_error (error);
}

/* Item 3: an app's client id, with a sign-in that never happened, leaves
 * the person's provider as it was; the question shows it. */
static void
test_client_id_option (void)
{
  g_autofree char *path = provider_file ("testidp");
  g_autofree char *before = read_file (path);
  g_autofree char *after = NULL;
  g_autoptr(GVariant) refreshed = NULL;
  g_autoptr(GError) error = NULL;
  const char *client_id = NULL;

  sesame_test_agent_set (agent, SESAME_TEST_AGENT_CANCEL, "alice");
  agent->allow = TRUE;
  g_assert_false (sandboxed_add ("testidp", "@as []", "{'client-id': <'evil-client'>}", NULL));
  after = read_file (path);
  g_assert_cmpstr (after, ==, before);
  g_assert_true (g_variant_lookup (agent->last_confirm, "client-id", "&s", &client_id));
  g_assert_cmpstr (client_id, ==, "evil-client");
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "alice");

  /* The person's account still signs in with its own client. */
  sesame_test_env_stop_broker (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
  refreshed = sesame_test_env_call (env, account, SESAME_ACCOUNT_IFACE, "Refresh", NULL, "(x)", &error);
  g_assert_no_error (error);
}

/* Item 4: another issuer on the same host as the person's provider does not
 * replace it, not even when its sign-in is cancelled; the question shows
 * it. */
static void
test_issuer_same_host (void)
{
  g_autofree char *id = g_strdup_printf ("127.0.0.1_%u", env->idp_port);
  g_autofree char *path = provider_file (id);
  g_autofree char *corp = g_strdup_printf ("%s/realms/corp", env->issuer);
  g_autofree char *person = NULL;
  g_autofree char *after = NULL;
  g_autofree char *options = NULL;
  g_autofree char *second_id = g_strdup_printf ("%s_2", id);
  g_autofree char *second = provider_file (second_id);
  g_autofree char *accounts = g_build_filename (env->data_dir, "sesame", "accounts.json", NULL);
  g_autofree char *remembered = g_strdup_printf ("\"issuer\" : \"%s\"", env->issuer);
  g_autofree char *added = NULL;
  g_autoptr(GError) error = NULL;
  const char *issuer = NULL;

  person = g_strdup_printf ("{\n  \"id\": \"%s\",\n  \"name\": \"Corp\",\n  \"issuer\": \"%s\",\n"
                            "  \"authorization-endpoint\": \"%s/auth\",\n"
                            "  \"token-endpoint\": \"%s/token\",\n"
                            "  \"client-id\": \"sesame-test\",\n"
                            "  \"scopes\": {\"openid\": \"Know who you are\"},\n"
                            "  \"default-scopes\": [\"openid\"]\n}\n",
                            id, corp, corp, corp);
  sesame_test_env_stop_broker (env);
  g_assert_true (g_file_set_contents (path, person, -1, NULL));
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);

  sesame_test_agent_set (agent, SESAME_TEST_AGENT_CANCEL, "alice");
  agent->allow = TRUE;
  options = g_strdup_printf ("{'issuer': <'%s'>, 'client-id': <'sesame-test'>}", env->issuer);
  g_assert_false (sandboxed_add ("openid-connect", "@as []", options, NULL));
  after = read_file (path);
  g_assert_cmpstr (after, ==, person);
  g_assert_true (g_variant_lookup (agent->last_confirm, "issuer", "&s", &issuer));
  g_assert_cmpstr (issuer, ==, env->issuer);
  g_assert_false (g_file_test (second, G_FILE_TEST_EXISTS));

  /* Signed in, the new issuer is the person's, under an id of its own. */
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "alice");
  added = sesame_test_env_add_account (env, "openid-connect", NULL,
                                       g_variant_new_parsed (options), &error);
  g_assert_no_error (error);
  sesame_test_env_assert_string_property (env, added, "Provider", second_id);
  g_clear_pointer (&after, g_free);
  after = read_file (path);
  g_assert_cmpstr (after, ==, person);
  g_clear_pointer (&after, g_free);
  after = read_file (second);
  g_assert_nonnull (strstr (after, env->issuer));

  /* The account remembers the issuer it signed in with. */
  sesame_test_env_stop_broker (env);
  g_clear_pointer (&after, g_free);
  after = read_file (accounts);
  g_assert_nonnull (strstr (after, remembered));
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
}

/* Item 3: a client id of its own for a provider that accounts use is
 * refused, even for a host program: their refresh tokens belong to the
 * client id they signed in with. */
static void
test_client_id_of_used_provider (void)
{
  g_autofree char *path = provider_file ("testidp");
  g_autofree char *before = read_file (path);
  g_autofree char *after = NULL;
  g_autofree char *added = NULL;
  g_autoptr(GError) error = NULL;

  added = sesame_test_env_add_account (env, "testidp", NULL,
                                       g_variant_new_parsed ("{'client-id': <'another-client'>}"),
                                       &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  after = read_file (path);
  g_assert_cmpstr (after, ==, before);
}

/* Item 4: an account sends its tokens only to the issuer it signed in
 * with. Its provider's file naming another issuer (edited, or replaced by
 * anything) with endpoints of its own makes it need attention, and no
 * refresh token leaves (the endpoints here are the test provider's, so
 * that one sent would be seen). */
static void
test_account_keeps_its_issuer (void)
{
  g_autofree char *options = g_strdup_printf ("{'issuer': <'%s'>, 'client-id': <'sesame-test'>}",
                                              env->issuer);
  g_autofree char *evil = g_strdup_printf ("%s/realms/evil", env->issuer);
  g_autofree char *added = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *token_endpoint = g_strdup_printf ("%s/token", env->issuer);
  g_autofree char *authorization_endpoint = g_strdup_printf ("%s/auth", env->issuer);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  JsonObject *definition;
  g_autoptr(GVariant) refreshed = NULL;
  g_autoptr(GError) error = NULL;
  gint64 refreshes;

  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "carol");
  added = sesame_test_env_add_account (env, "openid-connect", NULL,
                                       g_variant_new_parsed (options), &error);
  g_assert_no_error (error);
  id = sesame_test_env_string_property (env, added, "Provider");
  path = provider_file (id);

  sesame_test_env_stop_broker (env);
  g_assert_true (json_parser_load_from_file (parser, path, NULL));
  definition = json_node_get_object (json_parser_get_root (parser));
  json_object_set_string_member (definition, "issuer", evil);
  json_object_set_string_member (definition, "token-endpoint", token_endpoint);
  json_object_set_string_member (definition, "authorization-endpoint", authorization_endpoint);
  json_generator_set_root (generator, json_parser_get_root (parser));
  g_assert_true (json_generator_to_file (generator, path, NULL));
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);

  refreshes = sesame_test_env_idp_count (env, "refresh_token");
  refreshed = sesame_test_env_call (env, added, SESAME_ACCOUNT_IFACE, "Refresh", NULL, "(x)",
                                    &error);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.NeedsAttention");
  g_assert_true (sesame_test_env_bool_property (env, added, "AttentionNeeded"));
  g_assert_cmpint (sesame_test_env_idp_count (env, "refresh_token"), ==, refreshes);
}

int
main (int    argc,
      char **argv)
{
  int status;
  g_autofree char *bwrap = g_find_program_in_path ("bwrap");

  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (bwrap);
  env = sesame_test_env_new (3600);
  sesame_test_env_start_broker (env);
  agent = sesame_test_agent_new (env);
  sesame_test_agent_register (agent);

  sesame_test_add_with_setup ("/security/grant-kind", ensure_account, test_grant_kind);
  sesame_test_add_with_setup ("/security/add-shows-defaults", ensure_account,
                              test_add_shows_defaults);
  sesame_test_add_with_setup ("/security/add-never-narrows", ensure_account,
                              test_add_never_narrows);
  sesame_test_add_with_setup ("/security/client-id-option", ensure_account,
                              test_client_id_option);
  g_test_add_func ("/security/issuer-same-host", test_issuer_same_host);
  sesame_test_add_with_setup ("/security/client-id-of-used-provider", ensure_account,
                              test_client_id_of_used_provider);
  g_test_add_func ("/security/account-keeps-its-issuer", test_account_keeps_its_issuer);
  status = g_test_run ();

  sesame_test_agent_free (agent);
  sesame_test_env_stop_broker (env);
  sesame_test_env_free (env);
  g_free (account);
  return status;
}
