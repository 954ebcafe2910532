/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-client-credentials.c: client-credentials accounts (RFC 6749 §4.4)
 * against the real broker, keyring and identity provider, with no agent */
#include "config.h"

#include <libsecret/secret.h>
#include <libsoup/soup.h>

#include "sesame-bus-names.h"
#include "sesame-test-env.h"

#define ACCESS_TOKEN_TTL 4
#define CLIENT_ID "sesame-confidential"
#define CLIENT_SECRET "sesame-test-secret"

static SesameTestEnv *env;
static GPtrArray *seen_tokens;     /* every token handed out, to look for leaks */
static char *account;              /* the client-credentials account's path */
static char *last_token;           /* the last token handed out for it */


static GVariant *
options_new (const char *client_id,
             const char *secret)
{
  GVariantDict options;

  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "flow", "s", "client_credentials");
  if (client_id != NULL)
    g_variant_dict_insert (&options, "client-id", "s", client_id);
  if (secret != NULL)
    g_variant_dict_insert (&options, "client-secret", "s", secret);
  return g_variant_dict_end (&options);
}

static char *
add_account (const char *client_id,
             const char *secret,
             GError    **error)
{
  const char *scopes[] = { "api:read", NULL };

  return sesame_test_env_add_account (env, "testidp", scopes, options_new (client_id, secret),
                                      error);
}

static char *
get_token (const char * const *scopes,
           gint64             *expires_at,
           GError            **error)
{
  char *token = sesame_test_env_get_token (env, account, scopes, expires_at, error);

  if (token == NULL)
    return NULL;
  g_ptr_array_add (seen_tokens, g_strdup (token));
  g_free (last_token);
  last_token = g_strdup (token);
  return token;
}




static gint64
now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}


static gboolean
account_listed (const char *path)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) objects = NULL;
  g_autoptr(GVariant) found = NULL;
  g_autoptr(GError) error = NULL;

  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, "org.freedesktop.DBus.ObjectManager",
                                "GetManagedObjects", NULL,
                                "(a{oa{sa{sv}}})", &error);
  g_assert_no_error (error);
  objects = g_variant_get_child_value (reply, 0);
  found = g_variant_lookup_value (objects, path, NULL);
  return found != NULL;
}

/* Until the token has less than half its lifetime left: DESIGN.md's rule
 * for providers whose tokens live shorter than a minute. */
static void
wait_until_expiring (void)
{
  gboolean never = FALSE;

  sesame_test_wait_for (&never, (ACCESS_TOKEN_TTL / 2) * 1000 + 300);
}

/* The provider's introspection endpoint (RFC 7662), from discovery. */
static char *
introspection_endpoint (void)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *uri = g_strconcat (env->issuer, "/.well-known/openid-configuration", NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", uri);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  const char *endpoint;

  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
  node = sesame_test_parse_json (body);
  endpoint = json_object_get_string_member_with_default (json_node_get_object (node),
                                                         "introspection_endpoint", NULL);
  g_assert_nonnull (endpoint);
  return g_strdup (endpoint);
}

/* Asks the provider about @token, as the confidential client. */
static JsonObject *
introspect (const char *token)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *uri = introspection_endpoint ();
  g_autofree char *credentials = g_base64_encode ((const guchar *) CLIENT_ID ":" CLIENT_SECRET,
                                                  strlen (CLIENT_ID ":" CLIENT_SECRET));
  g_autofree char *basic = g_strconcat ("Basic ", credentials, NULL);
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  message = soup_message_new_from_encoded_form ("POST", uri, soup_form_encode ("token", token, NULL));
  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization", basic);
  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
  node = sesame_test_parse_json (body);
  return json_object_ref (json_node_get_object (node));
}

static gboolean
token_active (const char *token)
{
  JsonObject *answer = introspect (token);
  gboolean active = json_object_get_boolean_member_with_default (answer, "active", FALSE);

  json_object_unref (answer);
  return active;
}

static char *
keyring_secret (const char *id)
{
  return sesame_test_env_keyring_secret (env, id);
}

/* The account /client-credentials/add-without-agent adds, for the cases
 * that use it. */
static void
ensure_account (void)
{
  g_autoptr(GError) error = NULL;

  if (account == NULL)
    {
      account = add_account (CLIENT_ID, CLIENT_SECRET, &error);
      g_assert_no_error (error);
    }
}

/* The account, and a token of it handed out, to look for. */
static void
ensure_token_seen (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  ensure_account ();
  if (seen_tokens->len == 0)
    {
      token = get_token (NULL, NULL, &error);
      g_assert_no_error (error);
    }
}

static void
test_add_without_agent (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) scopes = NULL;
  g_autofree const char **scope_list = NULL;
  gint64 start = now ();
  gint64 before = sesame_test_env_idp_count (env, "client_credentials");

  /* No agent is registered in this program: none is needed. */
  account = add_account (CLIENT_ID, CLIENT_SECRET, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (account, SESAME_ACCOUNTS_PATH));
  g_assert_cmpint (sesame_test_env_idp_count (env, "client_credentials"), ==, before + 1);

  sesame_test_env_assert_string_property (env, account, "Identity", CLIENT_ID);
  sesame_test_env_assert_string_property (env, account, "Flow", "client_credentials");
  sesame_test_env_assert_string_property (env, account, "Provider", "testidp");
  scopes = sesame_test_env_get_property (env, account, "Scopes");
  scope_list = g_variant_get_strv (scopes, NULL);
  g_assert_cmpuint (g_strv_length ((char **) scope_list), ==, 1);
  g_assert_cmpstr (scope_list[0], ==, "api:read");
  g_assert_cmpint (sesame_test_env_int_property (env, account, "ExpiresAt"), >, start);
  g_assert_cmpint (sesame_test_env_int_property (env, account, "CreatedAt"), >=, start - 5);
  g_assert_false (sesame_test_env_bool_property (env, account, "AttentionNeeded"));
}

static void
test_token_active (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  JsonObject *answer;
  gint64 expires_at = 0;

  token = get_token (NULL, &expires_at, &error);
  g_assert_no_error (error);
  g_assert_cmpint (expires_at, >, now ());
  g_assert_cmpint (expires_at, ==, sesame_test_env_int_property (env, account, "ExpiresAt"));

  answer = introspect (token);
  g_assert_true (json_object_get_boolean_member_with_default (answer, "active", FALSE));
  g_assert_cmpstr (json_object_get_string_member_with_default (answer, "client_id", NULL), ==,
                   CLIENT_ID);
  json_object_unref (answer);
}

static void
test_cached_token (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  const char *read[] = { "api:read", NULL };
  gint64 before;

  /* A fresh token, far from half its lifetime. */
  reply = sesame_test_env_call (env, account, SESAME_ACCOUNT_IFACE, "Refresh", NULL, "(x)", &error);
  g_assert_no_error (error);
  before = sesame_test_env_idp_count (env, "client_credentials");
  first = get_token (NULL, NULL, &error);
  g_assert_no_error (error);
  second = get_token (read, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, second);
  g_assert_cmpint (sesame_test_env_idp_count (env, "client_credentials"), ==, before);
}

static void
test_refresh (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *old = get_token (NULL, NULL, &error);
  g_autofree char *fresh = NULL;
  gint64 before = sesame_test_env_idp_count (env, "client_credentials");
  gint64 old_expiry = sesame_test_env_int_property (env, account, "ExpiresAt");
  gint64 expires_at, fresh_expiry;
  gboolean never = FALSE;

  g_assert_no_error (error);
  /* A second passes, so that the new expiry is later than the old. */
  sesame_test_wait_for (&never, 1100);
  reply = sesame_test_env_call (env, account, SESAME_ACCOUNT_IFACE, "Refresh", NULL, "(x)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(x)", &expires_at);
  g_assert_cmpint (expires_at, >, now ());
  g_assert_cmpint (expires_at, >, old_expiry);
  g_assert_cmpint (sesame_test_env_idp_count (env, "client_credentials"), ==, before + 1);
  g_assert_cmpint (sesame_test_env_int_property (env, account, "ExpiresAt"), ==, expires_at);

  fresh = get_token (NULL, &fresh_expiry, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fresh, !=, old);
  g_assert_cmpint (fresh_expiry, ==, expires_at);
  g_assert_cmpint (sesame_test_env_idp_count (env, "client_credentials"), ==, before + 1);
  g_assert_true (token_active (fresh));

  /* The grant ran again for the scopes granted, not for every registered one. */
  {
    g_autoptr(GVariant) scopes = sesame_test_env_get_property (env, account, "Scopes");
    g_autofree const char **list = g_variant_get_strv (scopes, NULL);
    JsonObject *answer = introspect (fresh);

    g_assert_cmpuint (g_strv_length ((char **) list), ==, 1);
    g_assert_cmpstr (list[0], ==, "api:read");
    g_assert_cmpstr (json_object_get_string_member_with_default (answer, "scope", NULL), ==,
                     "api:read");
    json_object_unref (answer);
  }
}

static void
test_restart_keeps_account (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  guint before = sesame_test_env_count_accounts (env);
  gint64 grants;

  sesame_test_env_stop_broker (env);
  /* The token is past half its life when the new broker starts: it must
   * run the grant again with the secret from the keyring. */
  wait_until_expiring ();
  sesame_test_env_start_broker (env);
  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, before);
  g_assert_true (account_listed (account));
  sesame_test_env_assert_string_property (env, account, "Identity", CLIENT_ID);
  sesame_test_env_assert_string_property (env, account, "Flow", "client_credentials");

  grants = sesame_test_env_idp_count (env, "client_credentials");
  token = get_token (NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sesame_test_env_idp_count (env, "client_credentials"), ==, grants + 1);
  g_assert_true (token_active (token));
  g_assert_false (sesame_test_env_bool_property (env, account, "AttentionNeeded"));
}

static void
test_scope_not_granted (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  const char *admin[] = { "api:admin", NULL };
  const char *openid[] = { "openid", NULL };
  const char *write[] = { "api:write", NULL };

  token = get_token (admin, NULL, &error);
  g_assert_null (token);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.ScopeNotGranted");
  g_clear_error (&error);

  token = get_token (openid, NULL, &error);
  g_assert_null (token);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.ScopeNotGranted");
  g_clear_error (&error);

  /* Registered for the client, but not granted to this account. */
  token = get_token (write, NULL, &error);
  g_assert_null (token);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.ScopeNotGranted");
  g_clear_error (&error);

  g_assert_false (sesame_test_env_bool_property (env, account, "AttentionNeeded"));
}

static void
test_bad_add (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  guint before = sesame_test_env_count_accounts (env);

  g_assert_null (add_account (CLIENT_ID, "not-the-secret", &error));
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.Provider");
  g_assert_null (strstr (error->message, "not-the-secret"));
  g_clear_error (&error);

  g_assert_null (add_account (CLIENT_ID, NULL, &error));
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  g_clear_error (&error);

  g_assert_null (add_account (CLIENT_ID, "", &error));
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  g_clear_error (&error);

  g_assert_null (add_account (NULL, CLIENT_SECRET, &error));
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  g_assert_null (strstr (error->message, CLIENT_SECRET));
  g_clear_error (&error);

  /* Nothing added, and the existing account is untouched. */
  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, before);
  g_assert_false (sesame_test_env_bool_property (env, account, "AttentionNeeded"));
  token = get_token (NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
test_secret_rotation (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *again = NULL;
  g_autofree char *token = NULL;
  guint before = sesame_test_env_count_accounts (env);
  gint64 grants = sesame_test_env_idp_count (env, "client_credentials");

  again = add_account (CLIENT_ID, CLIENT_SECRET, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, account);
  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, before);
  g_assert_cmpint (sesame_test_env_idp_count (env, "client_credentials"), ==, grants + 1);
  sesame_test_env_assert_string_property (env, account, "Identity", CLIENT_ID);
  g_assert_false (sesame_test_env_bool_property (env, account, "AttentionNeeded"));

  /* The token the new secret just got is the one handed out. */
  token = get_token (NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (token_active (token));
  g_assert_cmpint (sesame_test_env_idp_count (env, "client_credentials"), ==, grants + 1);
}


static void
test_hundred_callers_one_grant (void)
{
  g_autofree char *token = NULL;
  g_autofree char *shared = NULL;
  g_autoptr(GError) error = NULL;
  gint64 before;

  /* A fresh token, then past half its lifetime. */
  token = get_token (NULL, NULL, &error);
  g_assert_no_error (error);
  wait_until_expiring ();
  /* The grant stays in flight while every call arrives. */
  before = sesame_test_env_idp_count (env, "client_credentials");
  shared = sesame_test_env_call_crowd (env, account, 100, 500);
  g_assert_nonnull (shared);
  g_assert_cmpstr (shared, !=, token);
  g_assert_cmpint (sesame_test_env_idp_count (env, "client_credentials"), ==, before + 1);
  g_ptr_array_add (seen_tokens, g_strdup (shared));
}

static gboolean
contains (const char *haystack,
          gsize       length,
          const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= length; i++)
    if (memcmp (haystack + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

static void
test_secret_never_leaks (void)
{
  g_autofree char *log = NULL;
  g_autofree char *cmdline_path = NULL;
  g_autofree char *cmdline = NULL;
  g_autoptr(GDir) proc = NULL;
  const char *name;
  gsize length = 0;

  /* Metadata, logs, the provider files: never the secret, nor a token. */
  g_assert_false (sesame_test_env_files_contain (env, CLIENT_SECRET));
  for (guint i = 0; i < seen_tokens->len; i++)
    g_assert_false (sesame_test_env_files_contain (env, seen_tokens->pdata[i]));

  /* The broker's log, on its own. */
  g_assert_true (g_file_get_contents (env->broker_log, &log, &length, NULL));
  g_assert_false (contains (log, length, CLIENT_SECRET));

  /* The broker's command line, and every other process's we can read. */
  cmdline_path = g_strdup_printf ("/proc/%s/cmdline", g_subprocess_get_identifier (env->broker));
  g_assert_true (g_file_get_contents (cmdline_path, &cmdline, &length, NULL));
  g_assert_cmpuint (length, >, 0);
  g_assert_false (contains (cmdline, length, CLIENT_SECRET));

  proc = g_dir_open ("/proc", 0, NULL);
  g_assert_nonnull (proc);
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_build_filename ("/proc", name, "cmdline", NULL);
      if (g_file_get_contents (path, &contents, &length, NULL))
        g_assert_false (contains (contents, length, CLIENT_SECRET));
    }
}

static void
test_remove (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *id = sesame_test_env_string_property (env, account, "Id");
  g_autofree char *secret = NULL;
  g_autofree char *left = NULL;
  g_autofree char *token = get_token (NULL, NULL, &error);
  gint64 revocations = sesame_test_env_idp_count (env, "revocation");
  guint before = sesame_test_env_count_accounts (env);

  g_assert_no_error (error);
  g_assert_true (token_active (token));
  secret = keyring_secret (id);
  g_assert_nonnull (secret);

  reply = sesame_test_env_call (env, account, SESAME_ACCOUNT_IFACE, "Remove", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sesame_test_env_idp_count (env, "revocation"), ==, revocations + 1);

  /* The last token handed out no longer works at the provider. */
  g_assert_false (token_active (last_token));

  /* The keyring item and the object are gone. */
  left = keyring_secret (id);
  g_assert_null (left);
  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, before - 1);
  g_assert_false (account_listed (account));
  g_clear_pointer (&reply, g_variant_unref);
  reply = sesame_test_env_call (env, account, "org.freedesktop.DBus.Properties", "Get",
                                g_variant_new ("(ss)", SESAME_ACCOUNT_IFACE, "Identity"), "(v)",
                                &error);
  g_assert_nonnull (error);
  /* Gone: a later case that needs it adds it again. */
  g_clear_pointer (&account, g_free);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  env = sesame_test_env_new (ACCESS_TOKEN_TTL);
  sesame_test_env_start_broker (env);
  seen_tokens = g_ptr_array_new_with_free_func (g_free);

  g_test_add_func ("/client-credentials/add-without-agent", test_add_without_agent);
  sesame_test_add_with_setup ("/client-credentials/token-active", ensure_account,
                              test_token_active);
  sesame_test_add_with_setup ("/client-credentials/cached-token", ensure_account,
                              test_cached_token);
  sesame_test_add_with_setup ("/client-credentials/refresh", ensure_account, test_refresh);
  sesame_test_add_with_setup ("/client-credentials/restart-keeps-account", ensure_account,
                              test_restart_keeps_account);
  sesame_test_add_with_setup ("/client-credentials/scope-not-granted", ensure_account,
                              test_scope_not_granted);
  sesame_test_add_with_setup ("/client-credentials/bad-add", ensure_account, test_bad_add);
  sesame_test_add_with_setup ("/client-credentials/secret-rotation", ensure_account,
                              test_secret_rotation);
  sesame_test_add_with_setup ("/client-credentials/hundred-callers-one-grant", ensure_account,
                              test_hundred_callers_one_grant);
  sesame_test_add_with_setup ("/client-credentials/secret-never-leaks", ensure_token_seen,
                              test_secret_never_leaks);
  sesame_test_add_with_setup ("/client-credentials/remove", ensure_account, test_remove);
  status = g_test_run ();

  sesame_test_env_stop_broker (env);
  sesame_test_env_free (env);
  g_ptr_array_unref (seen_tokens);
  g_free (account);
  g_free (last_token);
  return status;
}
