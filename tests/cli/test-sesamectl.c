/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sesamectl.c: the built sesamectl against the real broker, keyring and
 * identity provider, as scripts and git run it */
#include "config.h"

#include <libsoup/soup.h>

#include "sesame-bus-names.h"
#include "sesame-test-agent.h"
#include "sesame-test-env.h"

static SesameTestEnv *env;
static SesameTestAgent *agent;
static char *sesamectl;            /* the built program */
static GPtrArray *seen_tokens;     /* every token handed out, to look for leaks */
static GString *all_stderr;        /* every run's standard error */
static char *alice;                /* alice's account path on testidp */
static char *alice_id;
static char *alice2;               /* alice's account path on testidp2 */
static char *alice2_id;

static GSubprocessLauncher *
new_launcher (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", env->bus_address, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", env->home, TRUE);
  g_subprocess_launcher_setenv (launcher, "GIT_CONFIG_NOSYSTEM", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "GIT_TERMINAL_PROMPT", "0", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  return launcher;
}

/* Feeds @input until the process ends (see sesame_test_communicate), and
 * keeps its standard error; returns its exit status. */
static int
finish (GSubprocess *process,
        const char  *input,
        char       **out,
        char       **err)
{
  g_autofree char *all_out = NULL;
  g_autofree char *all_err = NULL;
  int status = sesame_test_communicate (process, input, &all_out, &all_err);

  g_string_append (all_stderr, all_err);
  if (out != NULL)
    *out = g_steal_pointer (&all_out);
  if (err != NULL)
    *err = g_steal_pointer (&all_err);
  return status;
}

static GSubprocess *
spawn (const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                                          | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                          | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, sesamectl);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

/* Runs sesamectl with @args (NULL-terminated), standard input @input. */
static int
run (const char  *input,
     char       **out,
     char       **err,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  const char *arg;
  va_list ap;

  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  process = spawn ((const char * const *) args->pdata);
  return finish (process, input != NULL ? input : "", out, err);
}


static char *
add_account (const char *provider)
{
  g_autoptr(GError) error = NULL;
  char *path = sesame_test_env_add_account (env, provider, NULL, NULL, &error);

  g_assert_no_error (error);
  return path;
}

static char *
broker_token (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *token = sesame_test_env_get_token (env, path, NULL, NULL, &error);

  g_assert_no_error (error);
  g_ptr_array_add (seen_tokens, g_strdup (token));
  return token;
}

static gboolean
account_exists (const char *id)
{
  g_autofree char *out = NULL;
  g_autofree char *needle = g_strdup_printf ("\"%s\"", id);

  g_assert_cmpint (run (NULL, &out, NULL, "list", "--json", NULL), ==, 0);
  return strstr (out, needle) != NULL;
}


/* A second provider on the same identity provider: alice has an account on
 * both, so her identity alone is ambiguous; it answers git for its own host. */
static void
write_second_provider (void)
{
  g_autofree char *dir = g_build_filename (env->config_dir, "sesame", "providers", NULL);
  g_autofree char *first = g_build_filename (dir, "testidp.json", NULL);
  g_autofree char *second = g_build_filename (dir, "testidp2.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonObject *object;
  JsonArray *hosts = json_array_new ();

  json_parser_load_from_file (parser, first, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  json_object_set_string_member (object, "name", "Second Test Provider");
  json_array_add_string_element (hosts, "git.example.test");
  json_object_set_array_member (object, "git-hosts", hosts);
  text = json_to_string (json_parser_get_root (parser), TRUE);
  g_file_set_contents (second, text, -1, &error);
  g_assert_no_error (error);
}

/* Alice's accounts on both providers, as /cli/list adds them, for the cases
 * that use them. */
static void
ensure_accounts (void)
{
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "alice");
  if (alice == NULL)
    {
      alice = add_account ("testidp");
      alice_id = sesame_test_env_string_property (env, alice, "Id");
    }
  if (alice2 == NULL)
    {
      alice2 = add_account ("testidp2");
      alice2_id = sesame_test_env_string_property (env, alice2, "Id");
    }
}

/* A token that sesamectl printed, to look for on standard error. */
static void
ensure_token_seen (void)
{
  g_autofree char *out = NULL;

  if (seen_tokens->len == 0)
    {
      ensure_accounts ();
      g_assert_cmpint (run (NULL, &out, NULL, "token", alice_id, NULL), ==, 0);
      g_ptr_array_add (seen_tokens, g_strdup (g_strchomp (out)));
    }
}

static void
test_usage (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run (NULL, NULL, NULL, NULL), ==, 2);
  g_assert_cmpint (run (NULL, NULL, NULL, "frobnicate", NULL), ==, 2);
  g_assert_cmpint (run (NULL, NULL, NULL, "token", NULL), ==, 2);
  g_assert_cmpint (run (NULL, NULL, NULL, "list", "extra", NULL), ==, 2);
  g_assert_cmpint (run (NULL, NULL, NULL, "token", "x", "--format", "morse", NULL), ==, 2);
  g_assert_cmpint (run (NULL, &out, &err, "add", "no-such-provider", NULL), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "no-such-provider"));
  g_assert_cmpint (run (NULL, NULL, NULL, "add", "testidp", "--client-credentials", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (NULL, &out, NULL, "token", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "--format"));
}

static void
test_list (void)
{
  g_autofree char *out = NULL;
  g_autofree char *table = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gboolean found = FALSE;
  JsonArray *array;

  ensure_accounts ();
  g_assert_cmpstr (alice, !=, alice2);

  g_assert_cmpint (run (NULL, &out, NULL, "list", "--json", NULL), ==, 0);
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  array = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *account = json_array_get_object_element (array, i);
      JsonArray *scopes = json_object_get_array_member (account, "scopes");
      gboolean openid = FALSE;

      if (!g_str_equal (json_object_get_string_member (account, "id"), alice_id))
        continue;
      found = TRUE;
      g_assert_cmpstr (json_object_get_string_member (account, "provider"), ==, "testidp");
      g_assert_cmpstr (json_object_get_string_member (account, "provider-name"), ==, "Test Provider");
      g_assert_cmpstr (json_object_get_string_member (account, "identity"), ==, "alice@example.test");
      g_assert_cmpstr (json_object_get_string_member (account, "flow"), ==, "authorization_code");
      for (guint j = 0; j < json_array_get_length (scopes); j++)
        openid |= g_str_equal (json_array_get_string_element (scopes, j), "openid");
      g_assert_true (openid);
      g_assert_cmpint (json_object_get_int_member (account, "expires-at"), >, now);
      g_assert_false (json_object_get_boolean_member (account, "attention-needed"));
      g_assert_cmpstr (json_object_get_string_member (account, "attention-reason"), ==, "");
      g_assert_cmpint (json_object_get_int_member (account, "created-at"), >=, now - 60);
      /* Its provider says nothing of its refresh tokens' lifetime. */
      g_assert_cmpint (json_object_get_int_member (account, "refresh-expires-at"), ==, 0);
      g_assert_false (json_object_get_boolean_member (account, "removing"));
      g_assert_cmpuint (json_object_get_size (account), ==, 12);
    }
  g_assert_true (found);

  g_assert_cmpint (run (NULL, &table, NULL, "list", NULL), ==, 0);
  g_assert_nonnull (strstr (table, alice_id));
  g_assert_nonnull (strstr (table, alice2_id));
  g_assert_nonnull (strstr (table, "Second Test Provider"));
  g_assert_nonnull (strstr (table, "alice@example.test"));
}

static void
test_token (void)
{
  g_autofree char *expected = broker_token (alice);
  g_autofree char *out = NULL;
  g_autofree char *by_pair = NULL;
  g_autofree char *email = NULL;
  g_autofree char *line = g_strconcat (expected, "\n", NULL);

  g_assert_cmpint (run (NULL, &out, NULL, "token", alice_id, NULL), ==, 0);
  g_assert_cmpstr (out, ==, line);
  g_strchomp (out);
  email = sesame_test_env_userinfo_email (env, out);
  g_assert_cmpstr (email, ==, "alice@example.test");

  g_assert_cmpint (run (NULL, &by_pair, NULL, "token", "testidp:alice@example.test", NULL), ==, 0);
  g_assert_cmpstr (by_pair, ==, line);

  /* With a scope subset: still a token of alice's. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (NULL, &out, NULL, "token", alice_id, "--scope", "email", NULL), ==, 0);
  g_assert_cmpuint (strlen (out), >, 1);
  g_ptr_array_add (seen_tokens, g_strdup (g_strchomp (out)));
}

static void
test_sasl_formats (void)
{
  g_autofree char *token = broker_token (alice);
  struct { const char *format; char *expected; } cases[] = {
    { "xoauth2", g_strdup_printf ("user=alice@example.test\001auth=Bearer %s\001\001", token) },
    { "oauthbearer", g_strdup_printf ("n,a=alice@example.test,\001auth=Bearer %s\001\001", token) },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree guchar *decoded = NULL;
      gsize length;

      g_assert_cmpint (run (NULL, &out, NULL, "token", alice_id, "--format", cases[i].format, NULL),
                       ==, 0);
      g_assert_true (g_str_has_suffix (out, "\n"));
      g_strchomp (out);
      decoded = g_base64_decode (out, &length);
      g_assert_cmpmem (decoded, length, cases[i].expected, strlen (cases[i].expected));
      g_free (cases[i].expected);
    }
}

static void
test_account_forms (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  /* Alice's identity is on two providers: ambiguous, both listed. */
  g_assert_cmpint (run (NULL, &out, &err, "token", "alice@example.test", NULL), ==, 3);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, alice_id));
  g_assert_nonnull (strstr (err, alice2_id));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run (NULL, &out, &err, "token", "nobody@example.test", NULL), ==, 3);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "nobody@example.test"));
  g_assert_cmpint (run (NULL, NULL, NULL, "token", "nosuch:alice@example.test", NULL), ==, 3);
  g_assert_cmpint (run (NULL, NULL, NULL, "token", "testidp2:alice@example.test", NULL), ==, 0);
}

static void
test_add_device (void)
{
  const char *args[] = { "add", "testidp", "--device", NULL };
  g_autoptr(GSubprocess) process = spawn (args);
  g_autoptr(GDataInputStream) err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
  g_autofree char *uri = NULL;
  g_autofree char *code = NULL;
  g_autofree char *person = NULL;
  g_autofree char *out = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  while (code == NULL)
    {
      g_autofree char *line = sesame_test_read_line (err, "sesamectl add --device");
      const char *open, *and;

      g_assert_nonnull (line);
      g_string_append_printf (all_stderr, "%s\n", line);
      open = strstr (line, "open ");
      and = strstr (line, " on any device and enter the code ");
      if (open != NULL && and != NULL && g_str_has_suffix (line, "."))
        {
          uri = g_strndup (open + 5, and - open - 5);
          code = g_strndup (and + strlen (" on any device and enter the code "),
                            strlen (and) - strlen (" on any device and enter the code ") - 1);
        }
    }
  g_assert_true (g_str_has_prefix (uri, "http://127.0.0.1:"));

  {
    const char *person_args[] = { "--device-code", code, "--login", "dave", uri, NULL };
    person = sesame_test_env_run_person (person_args, &error);
    g_assert_no_error (error);
  }

  /* stderr was partly read through the data stream: drain the rest. */
  g_assert_cmpint (finish (process, NULL, &out, &rest), ==, 0);
  g_strchomp (out);
  g_assert_true (g_regex_match_simple ("^[a-z0-9_]+$", out, 0, 0));
  path = g_strconcat (SESAME_ACCOUNTS_PATH, out, NULL);
  sesame_test_env_assert_string_property (env, path, "Identity", "dave@example.test");
  sesame_test_env_assert_string_property (env, path, "Flow", "device_code");
}

static gboolean
any_cmdline_contains (const char *needle)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &contents, &length, NULL))
        continue;
      for (gsize i = 0; i < length; i++)
        if (contents[i] == '\0')
          contents[i] = ' ';
      if (strstr (contents, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_add_client_credentials (void)
{
  const char *args[] = { "add", "testidp", "--client-credentials", "--client-id",
                         "sesame-confidential", NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *table = NULL;
  g_autofree char *path = NULL;

  /* A refused secret: a provider error, and the secret in no message. */
  g_assert_cmpint (run ("not-the-secret\n", &out, &err, "add", "testidp", "--client-credentials",
                        "--client-id", "sesame-confidential", NULL), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_null (strstr (err, "not-the-secret"));
  g_clear_pointer (&out, g_free);

  /* sesamectl waits for the secret on standard input: it is in no argv. */
  process = spawn (args);
  g_assert_false (any_cmdline_contains ("sesame-test-secret"));
  g_assert_cmpint (finish (process, "sesame-test-secret\n", &out, NULL), ==, 0);
  g_strchomp (out);
  path = g_strconcat (SESAME_ACCOUNTS_PATH, out, NULL);
  sesame_test_env_assert_string_property (env, path, "Identity", "sesame-confidential");
  sesame_test_env_assert_string_property (env, path, "Flow", "client_credentials");

  g_assert_cmpint (run (NULL, &table, NULL, "list", NULL), ==, 0);
  g_assert_nonnull (strstr (table, "sesame-confidential (service account)"));
  g_assert_false (sesame_test_env_files_contain (env, "sesame-test-secret"));
}

static char *
git_fill (const char *input,
          int        *status)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                                          | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                          | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autofree char *helper = g_strdup_printf ("credential.helper=!%s git-credential", sesamectl);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  process = g_subprocess_launcher_spawn (launcher, &error, "git", "-c", "credential.helper=",
                                         "-c", helper, "-c", "credential.interactive=false",
                                         "credential", "fill", NULL);
  g_assert_no_error (error);
  *status = finish (process, input, &out, NULL);
  return out;
}

static void
test_git_credential (void)
{
  g_autofree char *host = g_strdup_printf ("127.0.0.1:%u", env->idp_port);
  g_autofree char *input = g_strdup_printf ("protocol=http\nhost=%s\nusername=alice@example.test\n\n",
                                            host);
  g_autofree char *out = NULL;
  g_autofree char *expected = broker_token (alice);
  g_autofree char *password = g_strdup_printf ("password=%s\n", expected);
  g_autofree char *second = NULL;
  g_autofree char *second_token = broker_token (alice2);
  g_autofree char *second_password = g_strdup_printf ("password=%s\n", second_token);
  g_autofree char *unknown = NULL;
  g_autofree char *direct = NULL;
  g_autofree char *erased = NULL;
  g_autofree char *fresh = NULL;
  gint64 refreshes;
  int status;

  if (!g_file_test ("/usr/bin/git", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("git is not installed");
      return;
    }

  /* testidp answers for its issuer's host:port. */
  out = git_fill (input, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "username=alice@example.test\n"));
  g_assert_nonnull (strstr (out, password));

  /* testidp2 answers for git.example.test only: its one account. */
  second = git_fill ("protocol=https\nhost=git.example.test\n\n", &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (second, "username=alice@example.test\n"));
  g_assert_nonnull (strstr (second, second_password));

  /* The expiry, which git 2.41 and later use, straight from the helper. */
  {
    g_autofree char *answer = NULL;
    g_autofree char *expiry = NULL;
    g_autoptr(GVariant) expires_at = sesame_test_env_get_property (env, alice2, "ExpiresAt");

    g_assert_cmpint (run ("protocol=https\nhost=git.example.test\n\n", &answer, NULL,
                          "git-credential", "get", NULL), ==, 0);
    g_assert_nonnull (strstr (answer, second_password));
    expiry = g_strdup_printf ("password_expiry_utc=%" G_GINT64_FORMAT "\n",
                              g_variant_get_int64 (expires_at));
    g_assert_nonnull (strstr (answer, expiry));
  }

  /* Other hosts get nothing from us (git then fails: no prompting). */
  unknown = git_fill ("protocol=https\nhost=unknown.example.test\n\n", &status);
  g_assert_cmpint (status, !=, 0);
  g_assert_null (strstr (unknown, "password="));
  g_assert_cmpint (run ("protocol=https\nhost=unknown.example.test\n\n", &direct, NULL,
                        "git-credential", "get", NULL), ==, 0);
  g_assert_cmpstr (direct, ==, "");

  /* store keeps nothing; erase refreshes and removes nothing. */
  g_assert_cmpint (run ("protocol=https\nhost=git.example.test\nusername=alice@example.test\n"
                        "password=whatever\n\n", NULL, NULL, "git-credential", "store", NULL), ==, 0);
  refreshes = sesame_test_env_idp_count (env, "refresh_token");
  g_assert_cmpint (run ("protocol=https\nhost=git.example.test\nusername=alice@example.test\n\n",
                        &erased, NULL, "git-credential", "erase", NULL), ==, 0);
  g_assert_cmpstr (erased, ==, "");
  g_assert_cmpint (sesame_test_env_idp_count (env, "refresh_token"), ==, refreshes + 1);
  fresh = broker_token (alice2);
  g_assert_cmpstr (fresh, !=, second_token);
  g_assert_true (account_exists (alice2_id));
}

static void
test_needs_attention (void)
{
  g_autofree char *frank = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) revoked = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "frank");
  frank = add_account ("testidp");
  g_free (broker_token (frank));
  revoked = sesame_test_env_idp_request (env, "POST", "/_test/revoke-account?account=frank");
  reply = sesame_test_env_call (env, frank, SESAME_ACCOUNT_IFACE, "Refresh", NULL, "(x)", &error);
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_assert_cmpint (run (NULL, &out, &err, "token", "frank@example.test", NULL), ==, 4);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (err, !=, "");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (NULL, &out, NULL, "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "needs attention: "));
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "alice");
}

/* The entry of @id in list --json, or NULL. */
static JsonObject *
listed_account (JsonNode   *root,
                const char *id)
{
  JsonArray *array = json_node_get_array (root);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *account = json_array_get_object_element (array, i);

      if (g_str_equal (json_object_get_string_member (account, "id"), id))
        return account;
    }
  return NULL;
}

/* A removal that did not finish (issue 21): list says so, in words and
 * in JSON, and remove finishes it. */
static void
test_removing (void)
{
  g_autofree char *path = NULL;
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *table = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *account;
  char *line;

  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "gina");
  path = add_account ("testidp");
  id = sesame_test_env_string_property (env, path, "Id");
  sesame_test_env_leave_removal_unfinished (env, path);
  sesame_test_agent_register (agent);

  g_assert_cmpint (run (NULL, &out, NULL, "list", "--json", NULL), ==, 0);
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  account = listed_account (root, id);
  g_assert_nonnull (account);
  g_assert_true (json_object_get_boolean_member (account, "removing"));
  g_assert_true (json_object_get_boolean_member (account, "attention-needed"));
  g_assert_cmpint (run (NULL, &table, NULL, "list", NULL), ==, 0);
  line = strstr (table, id);
  g_assert_nonnull (line);
  *strchrnul (line, '\n') = '\0';
  g_assert_nonnull (strstr (line, "removal did not finish: remove it again"));
  g_assert_null (strstr (line, "needs attention"));
  g_assert_cmpint (run (NULL, NULL, NULL, "token", id, NULL), ==, 4);

  sesame_test_env_start_idp (env);
  g_assert_cmpint (run (NULL, NULL, NULL, "remove", id, "--yes", NULL), ==, 0);
  g_assert_false (account_exists (id));
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "alice");
}

static void
test_grants (void)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (run (NULL, &out, NULL, "grants", "--json", NULL), ==, 0);
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  g_assert_cmpint (run (NULL, NULL, NULL, "grants", NULL), ==, 0);
  g_assert_cmpint (run (NULL, NULL, NULL, "revoke-grant", "some.App", "nobody@example.test", NULL),
                   ==, 3);
}

static void
test_remove (void)
{
  g_autofree char *err = NULL;

  /* No terminal and no --yes: nothing removed. */
  g_assert_cmpint (run (NULL, NULL, &err, "remove", alice2_id, NULL), ==, 2);
  g_assert_cmpstr (err, !=, "");
  g_assert_true (account_exists (alice2_id));

  g_assert_cmpint (run (NULL, NULL, NULL, "remove", "nobody@example.test", "--yes", NULL), ==, 3);
  g_assert_cmpint (run (NULL, NULL, NULL, "remove", "testidp2:alice@example.test", "--yes", NULL),
                   ==, 0);
  g_assert_false (account_exists (alice2_id));
  g_assert_true (account_exists (alice_id));
  /* Alice's identity is no longer ambiguous. */
  g_assert_cmpint (run (NULL, NULL, NULL, "token", "alice@example.test", NULL), ==, 0);
  /* Gone: a later case that needs it adds it again. */
  g_clear_pointer (&alice2, g_free);
  g_clear_pointer (&alice2_id, g_free);
}

/* A provider that cannot revoke: remove says where to withdraw the access
 * by hand, on standard error, and standard output stays empty. */
static void
test_remove_unrevocable (void)
{
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  sesame_test_env_write_unrevocable_provider (env, "plainidp");
  sesame_test_env_stop_broker (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "bob");
  path = add_account ("plainidp");

  g_assert_cmpint (run (NULL, &out, &err, "remove", "plainidp:bob@example.test", "--yes", NULL),
                   ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, SESAME_TEST_MANAGE_URL));
  g_assert_nonnull (strstr (err, "Plain Test Provider"));
  g_assert_cmpint (run (NULL, NULL, NULL, "token", "plainidp:bob@example.test", NULL), ==, 3);
}

static void
test_broker_unavailable (void)
{
  g_autofree char *err = NULL;

  /* The test bus has no service file for the broker: it cannot be started. */
  sesame_test_env_stop_broker (env);
  g_assert_cmpint (run (NULL, NULL, &err, "list", NULL), ==, 7);
  g_assert_cmpstr (err, !=, "");
  g_assert_cmpint (run (NULL, NULL, NULL, "token", alice_id, NULL), ==, 7);
  g_assert_cmpint (run ("protocol=https\nhost=git.example.test\n\n", NULL, NULL,
                        "git-credential", "get", NULL), ==, 7);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
  g_assert_cmpint (run (NULL, NULL, NULL, "list", NULL), ==, 0);
}

static void
test_no_secret_on_stderr (void)
{
  for (guint i = 0; i < seen_tokens->len; i++)
    g_assert_null (strstr (all_stderr->str, seen_tokens->pdata[i]));
  g_assert_null (strstr (all_stderr->str, "sesame-test-secret"));
  g_assert_null (strstr (all_stderr->str, "not-the-secret"));
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  env = sesame_test_env_new (3600);
  write_second_provider ();
  sesame_test_env_start_broker (env);
  agent = sesame_test_agent_new (env);
  sesame_test_agent_register (agent);
  sesamectl = g_build_filename (g_getenv ("SESAME_BUILD_DIR"), "src", "cli", "sesamectl", NULL);
  seen_tokens = g_ptr_array_new_with_free_func (g_free);
  all_stderr = g_string_new (NULL);

  g_test_add_func ("/cli/usage", test_usage);
  g_test_add_func ("/cli/list", test_list);
  sesame_test_add_with_setup ("/cli/token", ensure_accounts, test_token);
  sesame_test_add_with_setup ("/cli/sasl-formats", ensure_accounts, test_sasl_formats);
  sesame_test_add_with_setup ("/cli/account-forms", ensure_accounts, test_account_forms);
  g_test_add_func ("/cli/add-device", test_add_device);
  g_test_add_func ("/cli/add-client-credentials", test_add_client_credentials);
  sesame_test_add_with_setup ("/cli/git-credential", ensure_accounts, test_git_credential);
  g_test_add_func ("/cli/needs-attention", test_needs_attention);
  g_test_add_func ("/cli/removing", test_removing);
  g_test_add_func ("/cli/grants", test_grants);
  sesame_test_add_with_setup ("/cli/remove", ensure_accounts, test_remove);
  g_test_add_func ("/cli/remove/unrevocable", test_remove_unrevocable);
  sesame_test_add_with_setup ("/cli/broker-unavailable", ensure_accounts, test_broker_unavailable);
  sesame_test_add_with_setup ("/cli/no-secret-on-stderr", ensure_token_seen,
                              test_no_secret_on_stderr);
  status = g_test_run ();

  sesame_test_agent_free (agent);
  sesame_test_env_stop_broker (env);
  sesame_test_env_free (env);
  g_ptr_array_unref (seen_tokens);
  g_string_free (all_stderr, TRUE);
  g_free (sesamectl);
  g_free (alice);
  g_free (alice_id);
  g_free (alice2);
  g_free (alice2_id);
  return status;
}
