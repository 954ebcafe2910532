/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-dbus-abuse.c: malformed and oversized arguments for every method,
 * floods and vanishing callers: the broker answers clearly, stays bounded
 * and keeps serving others */
#include "config.h"

#include "sesame-bus-names.h"
#include "sesame-dbus-generated.h"
#include "sesame-test-env.h"

#define HUGE (1024 * 1024)

static SesameTestEnv *env;
static char *account;   /* a client-credentials account: no agent needed */

static GDBusConnection *
new_connection (void)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection = g_dbus_connection_new_for_address_sync (
    env->bus_address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, &error);

  g_assert_no_error (error);
  return connection;
}

static guint
broker_fds (void)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/fd", g_subprocess_get_identifier (env->broker));
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static gint64
broker_rss_kib (void)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (env->broker));
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoll (line + strlen ("VmRSS:"), NULL, 10);
}

/* The broker answers another caller, now. */
static void
assert_serving (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE,
                                                    "ListProviders", NULL, "(aa{sv})", &error);

  g_assert_no_error (error);
  g_assert_nonnull (reply);
}

static void
test_wrong_signatures (void)
{
  static const struct { const char *path; const char *interface; const char *method; } methods[] = {
    { SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "ListProviders" },
    { SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "AddAccount" },
    { SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "RegisterAgent" },
    { SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "UnregisterAgent" },
    { SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "ListGrants" },
    { SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "RevokeGrant" },
    { SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "BeginDeviceSignIn" },
    { SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "FinishDeviceSignIn" },
    { SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "CancelDeviceSignIn" },
    { NULL, SESAME_ACCOUNT_IFACE, "GetAccessToken" }, { NULL, SESAME_ACCOUNT_IFACE, "Refresh" },
    { NULL, SESAME_ACCOUNT_IFACE, "Reauthenticate" }, { NULL, SESAME_ACCOUNT_IFACE, "Remove" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) reply = NULL;

      reply = sesame_test_env_call (env, methods[i].path ? methods[i].path : account,
                                    methods[i].interface, methods[i].method,
                                    g_variant_new ("(ias)", 42, NULL), NULL, &error);
      g_assert_null (reply);
      sesame_test_assert_dbus_error (error, "org.freedesktop.DBus.Error.InvalidArgs");
    }
  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, 1);
  assert_serving ();
}

static void
assert_refused (const char *path,
                const char *interface,
                const char *method,
                GVariant   *parameters)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = sesame_test_env_call (env, path, interface, method, parameters, NULL,
                                                    &error);

  g_assert_null (reply);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.InvalidArgument");
  /* A sentence, not an echo of the megabyte. */
  g_assert_cmpuint (strlen (error->message), <, 400);
}

static void
test_oversized (void)
{
  g_autofree char *huge = g_strnfill (HUGE, 'a');
  g_autoptr(GPtrArray) many = g_ptr_array_new ();
  g_auto(GVariantDict) hint = G_VARIANT_DICT_INIT (NULL);
  g_auto(GVariantDict) issuer = G_VARIANT_DICT_INIT (NULL);
  const char *one_huge[] = { huge, NULL };

  for (guint i = 0; i < 10000; i++)
    g_ptr_array_add (many, "openid");
  g_ptr_array_add (many, NULL);
  g_variant_dict_insert (&hint, "login-hint", "s", huge);
  g_variant_dict_insert (&issuer, "issuer", "s", huge);

  assert_refused (account, SESAME_ACCOUNT_IFACE, "GetAccessToken",
                  g_variant_new ("(^as)", (char **) many->pdata));
  assert_refused (account, SESAME_ACCOUNT_IFACE, "GetAccessToken",
                  g_variant_new ("(^as)", (char **) one_huge));
  assert_refused (account, SESAME_ACCOUNT_IFACE, "Reauthenticate",
                  g_variant_new ("(^as)", (char **) many->pdata));
  assert_refused (SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "AddAccount",
                  g_variant_new ("(sas@a{sv})", "testidp", NULL, g_variant_dict_end (&hint)));
  assert_refused (SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "AddAccount",
                  g_variant_new ("(sas@a{sv})", "openid-connect", NULL, g_variant_dict_end (&issuer)));
  assert_refused (SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "AddAccount",
                  g_variant_new ("(sas@a{sv})", huge, NULL, g_variant_new ("a{sv}", NULL)));
  assert_refused (SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "BeginDeviceSignIn",
                  g_variant_new ("(s^as@a{sv})", "testidp", (char **) many->pdata,
                                 g_variant_new ("a{sv}", NULL)));
  assert_refused (SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "FinishDeviceSignIn",
                  g_variant_new ("(s)", huge));
  assert_refused (SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "CancelDeviceSignIn",
                  g_variant_new ("(s)", huge));
  assert_refused (SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "RevokeGrant",
                  g_variant_new ("(so)", huge, account));

  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, 1);
  assert_serving ();
}

typedef struct {
  guint pending;
  guint ok;
  guint refused;
  GPtrArray *errors;
} Flood;

static void
on_flood_reply (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Flood *flood = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result,
                                                             &error);

  flood->pending--;
  if (reply != NULL)
    flood->ok++;
  else
    {
      g_autofree char *remote = g_dbus_error_get_remote_error (error);

      flood->refused++;
      g_ptr_array_add (flood->errors, g_strdup (remote ? remote : error->message));
    }
}

/* Thousands of calls at once from one caller: all answered, memory bounded,
 * and another caller is served meanwhile. */
static void
test_flood_of_token_calls (void)
{
  g_autoptr(GDBusConnection) flooder = new_connection ();
  Flood flood = { 0, 0, 0, g_ptr_array_new_with_free_func (g_free) };
  gint64 before = broker_rss_kib (), peak = before;
  const guint n = 5000;

  for (guint i = 0; i < n; i++)
    {
      g_dbus_connection_call (flooder, SESAME_BROKER_BUS_NAME, account, SESAME_ACCOUNT_IFACE,
                              "GetAccessToken", g_variant_new ("(as)", NULL), G_VARIANT_TYPE ("(sx)"),
                              G_DBUS_CALL_FLAGS_NONE, 60000, NULL, on_flood_reply, &flood);
      flood.pending++;
    }
  assert_serving ();
  while (flood.pending > 0)
    {
      g_main_context_iteration (NULL, TRUE);
      peak = MAX (peak, broker_rss_kib ());
    }
  g_test_message ("%u calls from one caller: %u answered with a token, %u refused by the bus; broker RSS "
                  "%" G_GINT64_FORMAT " KiB before, %" G_GINT64_FORMAT " KiB at most",
                  n, flood.ok, flood.refused, before, peak);
  /* The bus itself caps one connection's pending calls; whatever it let
   * through, the broker answered with a token. */
  for (guint i = 0; i < flood.errors->len; i++)
    g_assert_cmpstr (flood.errors->pdata[i], ==, "org.freedesktop.DBus.Error.LimitsExceeded");
  g_assert_cmpuint (flood.ok, >=, n / 5);
  /* Sanitizers' bookkeeping makes memory figures meaningless there. */
  if (g_getenv ("ASAN_OPTIONS") == NULL)
    g_assert_cmpint (peak - before, <, 32 * 1024);
  assert_serving ();
  g_ptr_array_unref (flood.errors);
}

/* An agent whose person never finishes: every Authorize waits until the
 * broker cancels it. */
static GPtrArray *held;
static guint n_cancelled;

static void
on_agent_call (GDBusConnection       *connection,
               const char            *sender,
               const char            *path,
               const char            *interface,
               const char            *method,
               GVariant              *parameters,
               GDBusMethodInvocation *invocation,
               gpointer               user_data)
{
  if (g_str_equal (method, "Authorize"))
    g_ptr_array_add (held, invocation);
  else if (g_str_equal (method, "Cancel"))
    {
      n_cancelled++;
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(b)", FALSE));
}

static void
register_slow_agent (void)
{
  static const GDBusInterfaceVTable vtable = { on_agent_call, NULL, NULL, { 0 } };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  held = g_ptr_array_new ();
  g_dbus_connection_register_object (env->connection, "/test/SlowAgent",
                                     sesame_agent1_interface_info (), &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  reply = sesame_test_env_call (env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE, "RegisterAgent",
                                g_variant_new ("(o)", "/test/SlowAgent"), NULL, &error);
  g_assert_no_error (error);
}

static gboolean
fds_back_to (gpointer baseline)
{
  return broker_fds () <= GPOINTER_TO_UINT (baseline);
}

/* Sign-ins from one caller are bounded; when the caller leaves, every one
 * of them ends, the agent hears so, and its listener closes. */
static void
test_sign_ins_bounded_and_ended_with_caller (void)
{
  GDBusConnection *caller = new_connection ();
  Flood flood = { 0, 0, 0, g_ptr_array_new_with_free_func (g_free) };
  guint baseline = broker_fds ();
  gint64 deadline;

  register_slow_agent ();
  for (guint i = 0; i < 20; i++)
    {
      g_dbus_connection_call (caller, SESAME_BROKER_BUS_NAME, SESAME_BROKER_PATH,
                              SESAME_BROKER_IFACE, "AddAccount",
                              g_variant_new ("(sas@a{sv})", "testidp", NULL,
                                             g_variant_new ("a{sv}", NULL)),
                              G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, G_MAXINT, NULL,
                              on_flood_reply, &flood);
      flood.pending++;
    }
  /* The twelve beyond the bound are refused at once. */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (flood.refused < 12 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (flood.refused, ==, 12);
  for (guint i = 0; i < flood.errors->len; i++)
    g_assert_cmpstr (flood.errors->pdata[i], ==, "dev.sesame.Error.InvalidArgument");
  /* Each of the eight reached the agent, and listens on loopback for its redirect. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (held->len < 8 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (held->len, ==, 8);
  g_assert_cmpuint (broker_fds (), >=, baseline + 8);

  /* The caller leaves with eight sign-ins in progress. */
  g_dbus_connection_close_sync (caller, NULL, NULL);
  g_object_unref (caller);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!fds_back_to (GUINT_TO_POINTER (baseline)) && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
    }
  g_assert_cmpuint (broker_fds (), <=, baseline);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (n_cancelled < 8 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (n_cancelled, ==, 8);
  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, 1);
  assert_serving ();
  g_ptr_array_unref (flood.errors);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_auto(GVariantDict) options = G_VARIANT_DICT_INIT (NULL);
  const char *scopes[] = { "api:read", NULL };
  int status;

  g_test_init (&argc, &argv, NULL);
  env = sesame_test_env_new (3600);
  sesame_test_env_start_broker (env);
  g_variant_dict_insert (&options, "flow", "s", "client_credentials");
  g_variant_dict_insert (&options, "client-id", "s", "sesame-confidential");
  g_variant_dict_insert (&options, "client-secret", "s", "sesame-test-secret");
  account = sesame_test_env_add_account (env, "testidp", scopes, g_variant_dict_end (&options),
                                         &error);
  g_assert_no_error (error);

  g_test_add_func ("/dbus-abuse/wrong-signatures", test_wrong_signatures);
  g_test_add_func ("/dbus-abuse/oversized", test_oversized);
  g_test_add_func ("/dbus-abuse/flood-of-token-calls", test_flood_of_token_calls);
  g_test_add_func ("/dbus-abuse/sign-ins-bounded-and-ended-with-caller",
                   test_sign_ins_bounded_and_ended_with_caller);
  status = g_test_run ();

  sesame_test_env_stop_broker (env);
  sesame_test_env_free (env);
  g_free (account);
  /* The broker stopped waiting long ago; the answers only free them. */
  for (guint i = 0; held != NULL && i < held->len; i++)
    g_dbus_method_invocation_return_dbus_error (held->pdata[i], "dev.sesame.Error.Cancelled",
                                                "The person never finished.");
  g_clear_pointer (&held, g_ptr_array_unref);
  return status;
}
