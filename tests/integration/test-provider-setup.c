/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-provider-setup.c: a provider without a client id: the person's own
 * registration is asked for, used, and remembered in their provider file */
#include "config.h"

#include "sesame-bus-names.h"
#include "sesame-test-agent.h"

#define REGISTRATION_URL "https://developer.example/apps"

static SesameTestEnv *env;
static SesameTestAgent *agent;
static char *user_file;

static GVariant *
find_provider (const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE,
                                                    "ListProviders", NULL, "(aa{sv})", &error);
  g_autoptr(GVariant) providers = NULL;
  GVariantIter iter;
  GVariant *provider;

  g_assert_no_error (error);
  providers = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, providers);
  while ((provider = g_variant_iter_next_value (&iter)) != NULL)
    {
      const char *found = NULL;

      if (g_variant_lookup (provider, "id", "&s", &found) && g_str_equal (found, id))
        return provider;
      g_variant_unref (provider);
    }
  return NULL;
}

static gboolean
configured (void)
{
  g_autoptr(GVariant) provider = find_provider ("unconfigured");
  gboolean value = FALSE;

  g_assert_nonnull (provider);
  g_assert_true (g_variant_lookup (provider, "configured", "b", &value));
  return value;
}

static char *
add_with_client_id (const char  *client_id,
                    GError     **error)
{
  g_auto(GVariantDict) options = G_VARIANT_DICT_INIT (NULL);

  if (client_id != NULL)
    g_variant_dict_insert (&options, "client-id", "s", client_id);
  return sesame_test_env_add_account (env, "unconfigured", NULL, g_variant_dict_end (&options),
                                      error);
}

static void
test_listed_unconfigured (void)
{
  g_autoptr(GVariant) provider = find_provider ("unconfigured");
  const char *url = NULL;

  g_assert_false (configured ());
  g_assert_true (g_variant_lookup (provider, "registration-url", "&s", &url));
  g_assert_cmpstr (url, ==, REGISTRATION_URL);
}

static void
test_refused_without_client_id (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = add_with_client_id (NULL, &error);

  g_assert_null (path);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  g_assert_nonnull (strstr (error->message, "client id"));
  g_assert_cmpuint (agent->n_authorize, ==, 0);
}

static void
test_blank_client_id_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = add_with_client_id ("   ", &error);
  g_autofree char *contents = NULL;

  g_assert_null (path);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  /* The person's file is as they left it. */
  g_assert_true (g_file_get_contents (user_file, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\"client-id\": \"\""));
}

static void
test_client_id_used_and_remembered (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = add_with_client_id ("sesame-test", &error);
  g_autofree char *contents = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (path);
  sesame_test_env_assert_token_of (env, path, "alice@example.test");
  g_assert_true (configured ());

  /* In the person's own file, which keeps what else it said. */
  g_assert_true (g_file_get_contents (user_file, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\"client-id\" : \"sesame-test\""));
  g_assert_nonnull (strstr (contents, REGISTRATION_URL));

  sesame_test_env_stop_broker (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
  g_assert_true (configured ());
}

static void
write_unconfigured (void)
{
  g_autofree char *contents = g_strdup_printf (
    "{\n"
    "  \"name\": \"Unconfigured\",\n"
    "  \"issuer\": \"%s\",\n"
    "  \"client-id\": \"\",\n"
    "  \"registration-url\": \"" REGISTRATION_URL "\",\n"
    "  \"scopes\": { \"openid\": \"Know who you are\", \"email\": \"See your e-mail address\" },\n"
    "  \"default-scopes\": [\"openid\", \"email\"]\n"
    "}\n", env->issuer);

  user_file = g_build_filename (env->config_dir, "sesame", "providers", "unconfigured.json", NULL);
  g_assert_true (g_file_set_contents (user_file, contents, -1, NULL));
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  env = sesame_test_env_new (3600);
  write_unconfigured ();
  sesame_test_env_start_broker (env);
  agent = sesame_test_agent_new (env);
  sesame_test_agent_register (agent);
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "alice");

  g_test_add_func ("/provider-setup/listed-unconfigured", test_listed_unconfigured);
  g_test_add_func ("/provider-setup/refused-without-client-id", test_refused_without_client_id);
  g_test_add_func ("/provider-setup/blank-client-id-refused", test_blank_client_id_refused);
  g_test_add_func ("/provider-setup/client-id-used-and-remembered",
                   test_client_id_used_and_remembered);
  status = g_test_run ();

  sesame_test_agent_free (agent);
  sesame_test_env_stop_broker (env);
  sesame_test_env_free (env);
  g_free (user_file);
  return status;
}
