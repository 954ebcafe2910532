/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-test-lab.c: the provider lab (tests/labs): a stand-in for a real
 * provider on loopback, and the user provider file that points the
 * installed definition at it */
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include "sesame-bus-names.h"
#include "sesame-test-lab.h"

static void
die_with_test (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

SesameTestLab *
sesame_test_lab_start (const char *provider)
{
  SesameTestLab *lab = g_new0 (SesameTestLab, 1);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *script_name = g_strconcat (provider, ".mjs", NULL);
  g_autofree char *script = g_build_filename (g_getenv ("SESAME_SOURCE_DIR"), "tests", "labs",
                                              script_name, NULL);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autoptr(JsonNode) ready = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_launcher_set_child_setup (launcher, die_with_test, NULL, NULL);
  lab->provider = g_strdup (provider);
  lab->process = g_subprocess_launcher_spawn (launcher, &error, "node", script, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (lab->process));
  line = sesame_test_read_line (out, script);
  ready = json_from_string (line, &error);
  g_assert_no_error (error);
  lab->base = g_strdup (json_object_get_string_member (json_node_get_object (ready), "base"));
  return lab;
}

void
sesame_test_lab_free (SesameTestLab *lab)
{
  g_subprocess_send_signal (lab->process, SIGTERM);
  g_subprocess_wait (lab->process, NULL, NULL);
  g_object_unref (lab->process);
  g_free (lab->provider);
  g_free (lab->base);
  g_free (lab);
}

SesameTestLabRun *
sesame_test_lab_run_new (const char *provider,
                         const char *client_id,
                         const char *client_secret,
                         const char *device_client_id,
                         const char *device_client_secret)
{
  SesameTestLabRun *run = g_new0 (SesameTestLabRun, 1);

  run->env = sesame_test_env_new (3600);
  run->lab = sesame_test_lab_start (provider);
  sesame_test_lab_write_provider (run->lab, run->env, client_id, client_secret,
                                  device_client_id, device_client_secret);
  sesame_test_env_start_broker (run->env);
  run->agent = sesame_test_agent_new (run->env);
  sesame_test_agent_register (run->agent);
  sesame_test_agent_set (run->agent, SESAME_TEST_AGENT_SIGN_IN, "alice");
  return run;
}

void
sesame_test_lab_run_free (SesameTestLabRun *run)
{
  sesame_test_agent_free (run->agent);
  sesame_test_env_stop_broker (run->env);
  sesame_test_lab_free (run->lab);
  sesame_test_env_free (run->env);
  g_free (run);
}

/* @url with its scheme, host and port replaced by the lab's. */
static char *
move_to_lab (SesameTestLab *lab,
             const char    *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *path;

  g_assert_nonnull (uri);
  path = g_uri_get_path (uri);
  /* An issuer without a path is the lab's base as it is. */
  if (g_str_equal (path, "/") || *path == '\0')
    return g_strdup (lab->base);
  return g_strconcat (lab->base, path, NULL);
}

static JsonObject *
read_installed (const char *id)
{
  g_autofree char *name = g_strconcat (id, ".json", NULL);
  g_autofree char *path = g_build_filename (g_getenv ("SESAME_BUILD_DIR"), "data", "providers",
                                            name, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
set_if (JsonObject *object,
        const char *name,
        const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, name, value);
}

void
sesame_test_lab_write_provider (SesameTestLab *lab,
                                SesameTestEnv *env,
                                const char    *client_id,
                                const char    *client_secret,
                                const char    *device_client_id,
                                const char    *device_client_secret)
{
  g_autoptr(JsonObject) installed = read_installed (lab->provider);
  g_autoptr(JsonObject) override = json_object_new ();
  g_autoptr(GList) members = json_object_get_members (installed);
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *name = g_strconcat (lab->provider, ".json", NULL);
  g_autofree char *dir = g_build_filename (env->config_dir, "sesame", "providers", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *member = l->data;

      if (g_str_equal (member, "issuer") || g_str_has_suffix (member, "-endpoint"))
        {
          g_autofree char *moved = move_to_lab (lab, json_object_get_string_member (installed, member));
          json_object_set_string_member (override, member, moved);
        }
    }
  set_if (override, "client-id", client_id);
  set_if (override, "client-secret", client_secret);
  set_if (override, "device-client-id", device_client_id);
  set_if (override, "device-client-secret", device_client_secret);

  json_node_set_object (root, override);
  contents = json_to_string (root, TRUE);
  g_mkdir_with_parents (dir, 0700);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

JsonNode *
sesame_test_lab_request (SesameTestLab *lab,
                         const char    *method,
                         const char    *path_and_query)
{
  return sesame_test_request_json (lab->base, method, path_and_query);
}

JsonArray *
sesame_test_lab_seen (JsonNode   *state,
                      const char *name)
{
  return json_object_get_array_member (json_node_get_object (state), name);
}

JsonObject *
sesame_test_lab_last (SesameTestLab *lab,
                      const char    *name)
{
  g_autoptr(JsonNode) state = sesame_test_lab_request (lab, "GET", "/_test/state");
  JsonArray *seen = sesame_test_lab_seen (state, name);
  guint length = json_array_get_length (seen);

  if (length == 0)
    return NULL;
  return json_object_ref (json_array_get_object_element (seen, length - 1));
}

guint
sesame_test_lab_count (SesameTestLab *lab,
                       const char    *name)
{
  g_autoptr(JsonNode) state = sesame_test_lab_request (lab, "GET", "/_test/state");

  return json_array_get_length (sesame_test_lab_seen (state, name));
}

GVariant *
sesame_test_lab_provider_info (SesameTestEnv *env,
                               const char    *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE,
                                                    "ListProviders", NULL, "(aa{sv})", &error);
  g_autoptr(GVariant) list = NULL;

  g_assert_no_error (error);
  list = g_variant_get_child_value (reply, 0);
  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr(GVariant) info = g_variant_get_child_value (list, i);
      const char *provider = NULL;

      if (g_variant_lookup (info, "id", "&s", &provider) && g_str_equal (provider, id))
        return g_steal_pointer (&info);
    }
  g_assert_not_reached ();
}

void
sesame_test_lab_assert_removal (GVariant   *info,
                                gboolean    revokes,
                                const char *manage_url)
{
  const char *said_url = NULL;
  gboolean said_revokes = !revokes;

  g_assert_true (g_variant_lookup (info, "revokes", "b", &said_revokes));
  g_assert_true (g_variant_lookup (info, "manage-url", "&s", &said_url));
  g_assert_cmpint (said_revokes, ==, revokes);
  g_assert_cmpstr (said_url, ==, manage_url);
}

gboolean
sesame_test_lab_info_has (GVariant   *info,
                          const char *key,
                          const char *value)
{
  g_autofree const char **values = NULL;

  if (!g_variant_lookup (info, key, "^a&s", &values))
    return FALSE;
  return g_strv_contains (values, value);
}

GStrv
sesame_test_lab_scopes (SesameTestEnv *env,
                        const char    *path)
{
  g_autoptr(GVariant) value = sesame_test_env_get_property (env, path, "Scopes");

  return g_variant_dup_strv (value, NULL);
}

static char *
begin_device (SesameTestEnv      *env,
              const char         *provider,
              const char * const *scopes,
              GVariant          **details,
              GError            **error)
{
  const char *none[] = { NULL };
  g_autoptr(GVariant) reply = NULL;
  char *request = NULL;

  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "BeginDeviceSignIn",
                                g_variant_new ("(s^as@a{sv})", provider, scopes ? scopes : none,
                                               g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0)),
                                "(sa{sv})", error);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(s@a{sv})", &request, details);
  return request;
}

char *
sesame_test_lab_device_sign_in (SesameTestEnv      *env,
                                const char         *provider,
                                const char * const *scopes,
                                const char         *login,
                                gboolean            deny,
                                GVariant          **details_out,
                                GError            **error)
{
  g_autoptr(GVariant) details = NULL;
  g_autofree char *request = begin_device (env, provider, scopes, &details, error);
  g_autofree char *person_out = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *uri = NULL, *code = NULL;
  char *path = NULL;

  if (request == NULL)
    return NULL;
  if (details_out != NULL)
    *details_out = g_variant_ref (details);
  g_assert_true (g_variant_lookup (details, "verification-uri", "&s", &uri));
  g_assert_true (g_variant_lookup (details, "user-code", "&s", &code));
  {
    const char *args[] = { "--login", login, "--device-code", code, uri, deny ? "--deny" : NULL, NULL };
    g_autoptr(GError) person_error = NULL;

    person_out = sesame_test_env_run_person (args, &person_error);
    g_assert_no_error (person_error);
  }
  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "FinishDeviceSignIn",
                                g_variant_new ("(s)", request), "(o)", error);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(o)", &path);
  return path;
}

void
sesame_test_lab_restart_broker (SesameTestEnv   *env,
                                SesameTestAgent *agent)
{
  sesame_test_env_stop_broker (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
}

int
sesame_test_lab_sesamectl (SesameTestEnv      *env,
                           const char * const *args,
                           const char         *input,
                           char              **out,
                           char              **err)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autofree char *sesamectl = g_build_filename (g_getenv ("SESAME_BUILD_DIR"), "src", "cli",
                                                 "sesamectl", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *all_out = NULL;
  g_autofree char *all_err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", env->bus_address, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", env->home, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_ptr_array_add (argv, sesamectl);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  status = sesame_test_communicate (process, input ? input : "", &all_out, &all_err);
  if (out != NULL)
    *out = g_steal_pointer (&all_out);
  if (err != NULL)
    *err = g_steal_pointer (&all_err);
  return status;
}

const char *
sesame_test_lab_string (JsonObject *object,
                        const char *name)
{
  return json_object_get_string_member_with_default (object, name, "");
}

char *
sesame_test_lab_newest_refresh_token (SesameTestLab *lab)
{
  g_autoptr(JsonNode) state = sesame_test_lab_request (lab, "GET", "/_test/state");
  JsonArray *issued = sesame_test_lab_seen (state, "refreshTokens");
  guint length = json_array_get_length (issued);

  g_assert_cmpuint (length, >, 0);
  return g_strdup (json_object_get_string_member (json_array_get_object_element (issued, length - 1),
                                                  "value"));
}

static void
refresh (SesameTestEnv *env,
         const char    *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) G_GNUC_UNUSED reply = sesame_test_env_call (env, path, SESAME_ACCOUNT_IFACE,
                                                                  "Refresh", NULL, "(x)", &error);

  g_assert_no_error (error);
}

void
sesame_test_lab_refresh_across_restart (SesameTestLabRun *run,
                                        const char       *path)
{
  g_autofree char *newest = NULL;
  g_autoptr(JsonObject) used = NULL;

  refresh (run->env, path);
  newest = sesame_test_lab_newest_refresh_token (run->lab);
  sesame_test_lab_restart_broker (run->env, run->agent);
  refresh (run->env, path);
  used = sesame_test_lab_last (run->lab, "tokenRequests");
  g_assert_cmpstr (sesame_test_lab_string (used, "grant_type"), ==, "refresh_token");
  g_assert_cmpstr (sesame_test_lab_string (used, "refresh_token"), ==, newest);
  g_assert_false (sesame_test_env_bool_property (run->env, path, "AttentionNeeded"));
}

int
sesame_test_lab_remove (SesameTestEnv *env,
                        const char    *path,
                        char         **err)
{
  g_autofree char *id = sesame_test_env_string_property (env, path, "Id");
  const char *args[] = { "remove", "--yes", id, NULL };

  return sesame_test_lab_sesamectl (env, args, NULL, NULL, err);
}

/* The element of `sesamectl list --json`'s array whose id is @id. */
static JsonObject *
listed (const char *json,
        const char *id)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *accounts;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  accounts = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (accounts); i++)
    {
      JsonObject *account = json_array_get_object_element (accounts, i);

      if (g_str_equal (sesame_test_lab_string (account, "id"), id))
        return json_object_ref (account);
    }
  g_assert_not_reached ();
}

char *
sesame_test_lab_check_sesamectl (SesameTestLabRun *run,
                                 const char       *provider,
                                 const char       *identity)
{
  const char *add[] = { "add", provider, NULL };
  const char *list[] = { "list", "--json", NULL };
  const char *token_args[] = { "token", NULL, NULL };
  g_autofree char *id = NULL;
  g_autofree char *json = NULL;
  g_autofree char *token = NULL;
  g_autofree char *query = NULL;
  g_autoptr(JsonObject) account = NULL;
  g_autoptr(JsonNode) checked = NULL;

  g_assert_cmpint (sesame_test_lab_sesamectl (run->env, add, NULL, &id, NULL), ==, 0);
  g_strchomp (id);
  g_assert_cmpint (sesame_test_lab_sesamectl (run->env, list, NULL, &json, NULL), ==, 0);
  account = listed (json, id);
  g_assert_cmpstr (sesame_test_lab_string (account, "provider"), ==, provider);
  g_assert_cmpstr (sesame_test_lab_string (account, "identity"), ==, identity);
  token_args[1] = id;
  g_assert_cmpint (sesame_test_lab_sesamectl (run->env, token_args, NULL, &token, NULL), ==, 0);
  query = g_strconcat ("/_test/access-token?token=", g_strchomp (token), NULL);
  checked = sesame_test_lab_request (run->lab, "GET", query);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (checked), "live"));
  return g_steal_pointer (&id);
}
