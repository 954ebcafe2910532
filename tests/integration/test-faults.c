/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-faults.c: a token endpoint that misbehaves every way, and a keyring that goes away,
 * against the real broker: accounts kept, clear errors, bounded time, others still served */
#include "config.h"

#include <sys/socket.h>

#include <libsecret/secret.h>

#include "sesame-bus-names.h"
#include "sesame-test-agent.h"
#include "sesame-test-env.h"

/* The broker's per-attempt deadline in this test (SESAME_HTTP_TIMEOUT),
 * and what a failing refresh may take at most: three attempts and the
 * retry delays (0.5 s, 2 s) between them, with room for a slow machine. */
#define HTTP_TIMEOUT_S 3
#define MAX_FAILURE_S 25
/* A token cached in memory is answered within this while another account
 * of the broker is stuck. */
#define MAX_OTHER_MS 2000

typedef enum {
  FAULT_5XX,
  FAULT_HANG,
  FAULT_SLOW_LORIS,
  FAULT_GARBAGE,
  FAULT_HUGE,
  FAULT_RESET,
  FAULT_TLS_ANSWER,   /* a good answer, from a self-signed certificate */
} Fault;

static SesameTestEnv *env;
static SesameTestAgent *agent;
static char *faulty;      /* the account whose provider misbehaves */
static char *healthy;     /* an account of the real provider */
static Fault fault;
static GPtrArray *held;   /* connections left hanging */
static guint n_connections;

/* ---- The misbehaving token endpoint, on 127.0.0.1 ---- */

typedef struct {
  GIOStream *stream;
  char       request[65536];
  gsize      length;     /* of the request read so far */
  guint      ticks;
} Connection;

static void
connection_free (Connection *connection)
{
  g_io_stream_close (connection->stream, NULL, NULL);
  g_object_unref (connection->stream);
  g_free (connection);
}

static void
write_and_close (Connection *connection,
                 const char *data,
                 gsize       length)
{
  GOutputStream *output = g_io_stream_get_output_stream (connection->stream);

  /* The broker may have stopped reading (a huge answer): errors are fine. */
  g_output_stream_write_all (output, data, length, NULL, NULL, NULL);
  connection_free (connection);
}

static gboolean
trickle (gpointer user_data)
{
  Connection *connection = user_data;
  GOutputStream *output = g_io_stream_get_output_stream (connection->stream);

  /* One byte now and then: never idle long enough for a read timeout. */
  if (g_output_stream_write (output, " ", 1, NULL, NULL) != 1 || ++connection->ticks > 600)
    {
      connection_free (connection);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
reset (Connection *connection)
{
  const char partial[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         "Content-Length: 400\r\n\r\n{\"access_token\": \"at-";
  GSocket *socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection->stream));
  struct linger abort_on_close = { 1, 0 };

  g_output_stream_write_all (g_io_stream_get_output_stream (connection->stream), partial,
                             strlen (partial), NULL, NULL, NULL);
  /* Closing with a zero linger sends RST: the connection is reset mid-answer. */
  setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &abort_on_close,
              sizeof abort_on_close);
  connection_free (connection);
}

static void
answer (Connection *connection)
{
  static const char good[] =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 71\r\n"
    "Connection: close\r\n\r\n"
    "{\"access_token\":\"at-from-a-fake\",\"token_type\":\"Bearer\",\"expires_in\":60}";
  static const char unavailable[] =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/html\r\nContent-Length: 23\r\n"
    "Connection: close\r\n\r\n<h1>Down for a bit</h1>";
  static const char garbage[] =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 34\r\n"
    "Connection: close\r\n\r\n\x89PNG\r\n\x1a\n\xff\xfe not json at all {{{";

  switch (fault)
    {
    case FAULT_5XX:
      write_and_close (connection, unavailable, strlen (unavailable));
      return;
    case FAULT_HANG:
      g_ptr_array_add (held, connection);
      return;
    case FAULT_SLOW_LORIS:
      {
        const char headers[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                               "Content-Length: 100000\r\n\r\n{";

        g_output_stream_write_all (g_io_stream_get_output_stream (connection->stream), headers,
                                   strlen (headers), NULL, NULL, NULL);
        g_timeout_add (200, trickle, connection);
        return;
      }
    case FAULT_GARBAGE:
      write_and_close (connection, garbage, sizeof garbage - 1);
      return;
    case FAULT_HUGE:
      {
        /* No length announced: the broker has to stop reading by itself. */
        const char headers[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                               "Connection: close\r\n\r\n{\"access_token\": \"";
        g_autoptr(GString) body = g_string_new (headers);

        while (body->len < 3 * 1024 * 1024 / 2)
          g_string_append (body, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        write_and_close (connection, body->str, body->len);
        return;
      }
    case FAULT_RESET:
      reset (connection);
      return;
    case FAULT_TLS_ANSWER:
    default:
      write_and_close (connection, good, strlen (good));
      return;
    }
}

/* The whole request, body included, must be read before answering:
 * closing a socket with unread data resets the connection, which would
 * turn every fault into a reset. */
static gboolean
request_complete (Connection *connection)
{
  const char *end = g_strstr_len (connection->request, connection->length, "\r\n\r\n");
  g_autofree char *headers = NULL;
  const char *length;
  gsize body;

  if (end == NULL)
    return FALSE;
  headers = g_ascii_strdown (connection->request, end - connection->request);
  length = strstr (headers, "\ncontent-length:");
  body = length != NULL ? g_ascii_strtoull (length + strlen ("\ncontent-length:"), NULL, 10) : 0;
  return connection->length >= (gsize) (end + 4 - connection->request) + body;
}

static void read_request (Connection *connection);

static void
on_request (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Connection *connection = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0)
    {
      connection_free (connection);
      return;
    }
  connection->length += n;
  if (!request_complete (connection) && connection->length < sizeof connection->request)
    {
      read_request (connection);
      return;
    }
  answer (connection);
}

static void
read_request (Connection *connection)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (connection->stream),
                             connection->request + connection->length,
                             sizeof connection->request - connection->length,
                             G_PRIORITY_DEFAULT, NULL, on_request, connection);
}

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Connection *connection = user_data;

  /* The broker refusing the certificate ends it here. */
  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, NULL))
    {
      connection_free (connection);
      return;
    }
  read_request (connection);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *socket_connection,
             GObject           *source,
             gpointer           user_data)
{
  GTlsCertificate *certificate = user_data;
  Connection *connection = g_new0 (Connection, 1);

  n_connections++;
  if (certificate == NULL)
    {
      connection->stream = G_IO_STREAM (g_object_ref (socket_connection));
      read_request (connection);
      return TRUE;
    }
  connection->stream = g_tls_server_connection_new (G_IO_STREAM (socket_connection),
                                                    certificate, NULL);
  g_assert_nonnull (connection->stream);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (connection->stream), G_PRIORITY_DEFAULT,
                                    NULL, on_handshake, connection);
  return TRUE;
}

static guint
start_server (GTlsCertificate *certificate)
{
  GSocketService *service = g_socket_service_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), certificate);
  g_socket_service_start (service);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* A self-signed certificate for 127.0.0.1, made for this run. */
static GTlsCertificate *
self_signed_certificate (void)
{
  g_autofree char *key = g_build_filename (env->home, "tls-key.pem", NULL);
  g_autofree char *cert = g_build_filename (env->home, "tls-cert.pem", NULL);
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate;
  int status = 0;
  const char *argv[] = {
    "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    "-keyout", key, "-out", cert, NULL
  };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  return certificate;
}

/* ---- The broker's side ---- */

static void
write_faulty_provider (const char *token_endpoint)
{
  g_autofree char *path = g_build_filename (env->config_dir, "sesame", "providers",
                                            "faulty.json", NULL);
  g_autofree char *endpoint = token_endpoint != NULL
    ? g_strdup_printf ("  \"token-endpoint\": \"%s\",\n", token_endpoint) : g_strdup ("");
  g_autofree char *contents = g_strdup_printf (
    "{\n"
    "  \"name\": \"Faulty Provider\",\n"
    "  \"issuer\": \"%s\",\n"
    "%s"
    "  \"client-id\": \"sesame-test\",\n"
    "  \"scopes\": { \"openid\": \"Know who you are\", \"email\": \"Your e-mail address\",\n"
    "                \"offline_access\": \"Stay signed in\" },\n"
    "  \"default-scopes\": [\"openid\", \"email\", \"offline_access\"]\n"
    "}\n", env->issuer, endpoint);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
restart_broker (void)
{
  sesame_test_env_stop_broker (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
}

static char *
stored_secret (const char *path)
{
  g_autofree char *id = sesame_test_env_string_property (env, path, "Id");

  return sesame_test_env_keyring_secret (env, id);
}

/* Refresh on the faulty account fails with @expected, within bounded time,
 * keeps the account, says nothing secret, and the other account is served
 * all along. */
static void
expect_refresh_failure (const char *expected)
{
  g_autofree char *secret = stored_secret (faulty);
  g_autoptr(JsonParser) parser = json_parser_new ();
  gint64 start = g_get_monotonic_time ();
  SesameTestCall call = { 0 };
  guint served = 0;
  JsonObject *tokens;

  g_assert_nonnull (secret);
  g_assert_true (json_parser_load_from_data (parser, secret, -1, NULL));
  tokens = json_node_get_object (json_parser_get_root (parser));
  sesame_test_env_call_async (env, &call, faulty, SESAME_ACCOUNT_IFACE, "Refresh", NULL, "(x)");
  while (!call.done)
    {
      gint64 asked = g_get_monotonic_time ();
      g_autoptr(GError) error = NULL;
      g_autofree char *token = sesame_test_env_get_token (env, healthy, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (token);
      g_assert_cmpint ((g_get_monotonic_time () - asked) / 1000, <, MAX_OTHER_MS);
      served++;
      for (guint i = 0; i < 5 && !call.done; i++)
        g_main_context_iteration (NULL, TRUE);
    }

  g_test_message ("%s after %.1f s (%u calls for the other account meanwhile): %s", expected,
                  (g_get_monotonic_time () - start) / 1e6, served,
                  call.error ? call.error->message : "no error");
  g_assert_null (call.reply);
  sesame_test_assert_dbus_error (call.error, expected);
  g_assert_cmpint ((g_get_monotonic_time () - start) / G_USEC_PER_SEC, <, MAX_FAILURE_S);
  /* A sentence for people, without a token in it. */
  g_assert_true (g_str_has_suffix (call.error->message, "."));
  g_assert_null (strstr (call.error->message,
                         json_object_get_string_member (tokens, "refresh_token")));
  g_assert_null (strstr (call.error->message,
                         json_object_get_string_member (tokens, "access_token")));
  /* The account stays, and a network failure is no reason to sign in again. */
  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, 2);
  if (g_str_equal (expected, "dev.sesame.Error.Network"))
    g_assert_false (sesame_test_env_bool_property (env, faulty, "AttentionNeeded"));
  g_clear_error (&call.error);
}

static void
test_5xx (void)
{
  fault = FAULT_5XX;
  expect_refresh_failure ("dev.sesame.Error.Network");
}

static void
test_timeout (void)
{
  fault = FAULT_HANG;
  expect_refresh_failure ("dev.sesame.Error.Network");
  g_ptr_array_set_size (held, 0);
}

static void
test_slow_loris (void)
{
  fault = FAULT_SLOW_LORIS;
  expect_refresh_failure ("dev.sesame.Error.Network");
}

static void
test_garbage (void)
{
  fault = FAULT_GARBAGE;
  expect_refresh_failure ("dev.sesame.Error.Provider");
}

static void
test_huge_body (void)
{
  fault = FAULT_HUGE;
  expect_refresh_failure ("dev.sesame.Error.Provider");
}

static void
test_reset (void)
{
  fault = FAULT_RESET;
  expect_refresh_failure ("dev.sesame.Error.Network");
}

/* libsoup must refuse the certificate, however good the answer behind it. */
static void
test_self_signed_tls (void)
{
  g_autoptr(GTlsCertificate) certificate = self_signed_certificate ();
  guint port = start_server (certificate);
  g_autofree char *endpoint = g_strdup_printf ("https://127.0.0.1:%u/token", port);
  guint before = n_connections;

  fault = FAULT_TLS_ANSWER;
  write_faulty_provider (endpoint);
  restart_broker ();
  expect_refresh_failure ("dev.sesame.Error.Network");
  /* It was refused at the handshake, not for want of trying. */
  g_assert_cmpuint (n_connections, >, before);
}

/* The Secret Service leaves while the broker runs: a secret that is not in
 * memory yet cannot be read, which says so, deletes nothing, and is over
 * once the keyring is back. */
static void
test_keyring_goes_away (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *again = NULL;
  gint64 start;

  write_faulty_provider (NULL);
  restart_broker ();   /* nothing read from the keyring yet */
  sesame_test_env_stop_keyring (env);

  start = g_get_monotonic_time ();
  token = sesame_test_env_get_token (env, healthy, NULL, NULL, &error);
  g_assert_null (token);
  sesame_test_assert_dbus_error (error, "dev.sesame.Error.Keyring");
  g_assert_true (g_str_has_suffix (error->message, "."));
  g_assert_cmpint ((g_get_monotonic_time () - start) / G_USEC_PER_SEC, <, MAX_FAILURE_S);
  g_assert_cmpuint (sesame_test_env_count_accounts (env), ==, 2);
  g_assert_false (sesame_test_env_bool_property (env, healthy, "AttentionNeeded"));
  g_clear_error (&error);

  sesame_test_env_start_keyring (env);
  again = sesame_test_env_get_token (env, healthy, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *endpoint = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  /* The broker's deadline for each attempt, so that a provider that never
   * answers fails the test within seconds. */
  g_setenv ("SESAME_HTTP_TIMEOUT", G_STRINGIFY (HTTP_TIMEOUT_S), TRUE);
  held = g_ptr_array_new_with_free_func ((GDestroyNotify) connection_free);
  env = sesame_test_env_new (3600);

  /* Both accounts signed in at the real provider; then the faulty one's
   * token endpoint moves to the misbehaving server. */
  write_faulty_provider (NULL);
  sesame_test_env_start_broker (env);
  agent = sesame_test_agent_new (env);
  sesame_test_agent_register (agent);
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "faulty");
  faulty = sesame_test_env_add_account (env, "faulty", NULL, NULL, &error);
  g_assert_no_error (error);
  sesame_test_agent_set (agent, SESAME_TEST_AGENT_SIGN_IN, "healthy");
  healthy = sesame_test_env_add_account (env, "testidp", NULL, NULL, &error);
  g_assert_no_error (error);
  endpoint = g_strdup_printf ("http://127.0.0.1:%u/token", start_server (NULL));
  write_faulty_provider (endpoint);
  restart_broker ();

  g_test_add_func ("/faults/5xx", test_5xx);
  g_test_add_func ("/faults/timeout", test_timeout);
  g_test_add_func ("/faults/slow-loris", test_slow_loris);
  g_test_add_func ("/faults/garbage", test_garbage);
  g_test_add_func ("/faults/huge-body", test_huge_body);
  g_test_add_func ("/faults/reset", test_reset);
  g_test_add_func ("/faults/self-signed-tls", test_self_signed_tls);
  g_test_add_func ("/faults/keyring-goes-away", test_keyring_goes_away);
  status = g_test_run ();

  sesame_test_agent_free (agent);
  sesame_test_env_free (env);
  g_ptr_array_unref (held);
  g_free (faulty);
  g_free (healthy);
  return status;
}
