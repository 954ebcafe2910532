/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-oauth-client.c: the OAuth client against canned answers from a local SoupServer */
#include "config.h"

#include <libsoup/soup.h>

#include "sesame-error.h"
#include "sesame-oauth-client.h"
#include "sesame-oauth-client-private.h"
#include "sesame-random.h"

#define CLIENT_ID "sesame client"
#define CLIENT_SECRET "s3cret:/+"
#define REFRESH_TOKEN "rt-SECRET-91b2"
#define ACCESS_TOKEN "at-SECRET-c4d5"
#define TOKEN_BODY "{\"access_token\": \"" ACCESS_TOKEN "\", \"token_type\": \"Bearer\"," \
                   " \"expires_in\": 3600}"
#define JSON "application/json"

/* What the server answers, in turn; the last one is repeated. */
typedef struct
{
  guint    status;      /* 0: never answer */
  char    *content_type;
  GBytes  *body;
  gboolean chunked;
} Answer;

/* What the server was asked. */
typedef struct
{
  char       *method;
  char       *path;
  char       *authorization;
  char       *content_type;
  char       *accept;
  char       *user_agent;
  char       *body;
  GHashTable *form;
} Request;

typedef struct
{
  SoupServer        *server;
  char              *base;
  GHashTable        *answers;    /* path → GQueue of Answer */
  GPtrArray         *requests;
  SesameOAuthClient *client;
  GAsyncResult      *result;
} Fixture;

static void
answer_free (Answer *answer)
{
  g_free (answer->content_type);
  g_bytes_unref (answer->body);
  g_free (answer);
}

static void
answers_free (GQueue *queue)
{
  g_queue_free_full (queue, (GDestroyNotify) answer_free);
}

static void
request_free (Request *request)
{
  g_free (request->method);
  g_free (request->path);
  g_free (request->authorization);
  g_free (request->content_type);
  g_free (request->accept);
  g_free (request->user_agent);
  g_free (request->body);
  g_clear_pointer (&request->form, g_hash_table_unref);
  g_free (request);
}

static void
add_answer_bytes (Fixture    *f,
                  const char *path,
                  guint       status,
                  const char *content_type,
                  GBytes     *body,
                  gboolean    chunked)
{
  GQueue *queue = g_hash_table_lookup (f->answers, path);
  Answer *answer = g_new0 (Answer, 1);

  if (queue == NULL)
    {
      queue = g_queue_new ();
      g_hash_table_insert (f->answers, g_strdup (path), queue);
    }
  answer->status = status;
  answer->content_type = g_strdup (content_type);
  answer->body = g_bytes_ref (body);
  answer->chunked = chunked;
  g_queue_push_tail (queue, answer);
}

static void
add_answer (Fixture    *f,
            const char *path,
            guint       status,
            const char *content_type,
            const char *body)
{
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

  add_answer_bytes (f, path, status, content_type, bytes, FALSE);
}

static Request *
record_request (Fixture           *f,
                SoupServerMessage *msg,
                const char        *path)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  Request *request = g_new0 (Request, 1);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  request->method = g_strdup (soup_server_message_get_method (msg));
  request->path = g_strdup (path);
  request->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  request->content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
  request->accept = g_strdup (soup_message_headers_get_one (headers, "Accept"));
  request->user_agent = g_strdup (soup_message_headers_get_one (headers, "User-Agent"));
  request->body = g_strdup (text);
  request->form = soup_form_decode (text);
  g_ptr_array_add (f->requests, request);
  return request;
}

static void
serve (SoupServer        *server,
       SoupServerMessage *msg,
       const char        *path,
       GHashTable        *query,
       gpointer           user_data)
{
  Fixture *f = user_data;
  GQueue *queue = g_hash_table_lookup (f->answers, path);
  Answer *answer;
  gsize length;
  gconstpointer data;

  record_request (f, msg, path);
  if (queue == NULL || g_queue_is_empty (queue))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  answer = g_queue_get_length (queue) > 1 ? g_queue_pop_head (queue) : g_queue_peek_head (queue);
  if (answer->status == 0)
    {
      soup_server_message_pause (msg);
      return;
    }

  data = g_bytes_get_data (answer->body, &length);
  soup_server_message_set_status (msg, answer->status, NULL);
  if (answer->chunked)
    {
      SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
      SoupMessageBody *body = soup_server_message_get_response_body (msg);

      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_headers_set_content_type (headers, answer->content_type, NULL);
      soup_message_body_append (body, SOUP_MEMORY_COPY, data, length);
      soup_message_body_complete (body);
    }
  else
    {
      soup_server_message_set_response (msg, answer->content_type, SOUP_MEMORY_COPY, data, length);
    }
  if (answer != g_queue_peek_head (queue))
    answer_free (answer);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  f->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) answers_free);
  f->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) request_free);
  f->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->server, NULL, serve, f, NULL);
  soup_server_listen_local (f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (f->server);
  f->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  f->client = sesame_oauth_client_new ();
  sesame_oauth_client_set_retry_delays (f->client, 10, 20);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->client);
  soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  g_clear_object (&f->result);
  g_ptr_array_unref (f->requests);
  g_hash_table_unref (f->answers);
  g_free (f->base);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *f = user_data;

  g_assert_null (f->result);
  f->result = g_object_ref (result);
}

static GAsyncResult *
wait_for_result (Fixture *f)
{
  while (f->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return f->result;
}

static void
take_result (Fixture *f)
{
  g_clear_object (&f->result);
}

static Request *
request_at (Fixture *f,
            guint    i)
{
  g_assert_cmpuint (i, <, f->requests->len);
  return g_ptr_array_index (f->requests, i);
}

static const char *
form_value (Request    *request,
            const char *name)
{
  g_assert_nonnull (request->form);
  return g_hash_table_lookup (request->form, name);
}

/* A provider whose endpoints are on the test server. */
static SesameProvider *
provider_new (Fixture    *f,
              const char *extra)
{
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  SesameProvider *provider;

  json = g_strdup_printf ("{\"id\": \"test\", \"name\": \"Test Provider\", \"issuer\": \"%s\","
                          " \"authorization-endpoint\": \"%s/authorize\","
                          " \"token-endpoint\": \"%s/token\","
                          " \"revocation-endpoint\": \"%s/revoke\","
                          " \"device-authorization-endpoint\": \"%s/device\","
                          " \"userinfo-endpoint\": \"%s/userinfo\","
                          " \"client-id\": \"" CLIENT_ID "\","
                          " \"flows\": [\"authorization_code\", \"device_code\"] %s}",
                          f->base, f->base, f->base, f->base, f->base, f->base,
                          extra != NULL ? extra : "");
  node = json_from_string (json, &error);
  g_assert_no_error (error);
  provider = sesame_provider_new_from_json (json_node_get_object (node), &error);
  g_assert_no_error (error);
  return provider;
}

static SesameProvider *
basic_provider_new (Fixture *f)
{
  return provider_new (f, ", \"client-secret\": \"" CLIENT_SECRET "\"");
}

static SesameProvider *
post_provider_new (Fixture *f)
{
  return provider_new (f, ", \"client-secret\": \"" CLIENT_SECRET "\","
                          " \"token-endpoint-auth-method\": \"client_secret_post\"");
}

/* RFC 6749 §2.3.1: each part form-encoded, then Basic */
static char *
expected_basic (const char *id,
                const char *secret)
{
  g_autofree char *escaped_id = g_uri_escape_string (id, NULL, FALSE);
  g_autofree char *escaped_secret = g_uri_escape_string (secret, NULL, FALSE);
  g_autofree char *pair = g_strconcat (escaped_id, ":", escaped_secret, NULL);
  g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));

  return g_strconcat ("Basic ", encoded, NULL);
}

static SesameToken *
refresh (Fixture            *f,
         SesameProvider     *provider,
         const char * const *scopes,
         GError            **error)
{
  SesameToken *token;

  sesame_oauth_client_refresh_async (f->client, provider, REFRESH_TOKEN, scopes, NULL, NULL, NULL,
                                     on_done, f);
  token = sesame_oauth_client_refresh_finish (f->client, wait_for_result (f), error);
  take_result (f);
  return token;
}

static void
assert_no_secret (const GError *error)
{
  g_assert_null (strstr (error->message, REFRESH_TOKEN));
  g_assert_null (strstr (error->message, ACCESS_TOKEN));
  g_assert_null (strstr (error->message, CLIENT_SECRET));
}

static void
test_exchange_code_basic (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = basic_provider_new (f);
  const char * const scopes[] = { "openid", "email", NULL };
  g_autoptr(SesameAuthRequest) auth = NULL;
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *basic = expected_basic (CLIENT_ID, CLIENT_SECRET);
  Request *request;

  auth = sesame_auth_request_new (provider, scopes, "http://127.0.0.1:4567/callback", NULL,
                                  &error);
  g_assert_no_error (error);
  add_answer (f, "/token", 200, JSON, TOKEN_BODY);

  sesame_oauth_client_exchange_code_async (f->client, provider, auth, "the-code", NULL,
                                           on_done, f);
  token = sesame_oauth_client_exchange_code_finish (f->client, wait_for_result (f), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token->access_token, ==, ACCESS_TOKEN);
  g_assert_true (g_strv_equal ((const char * const *) token->scopes, scopes));
  g_assert_cmpint (token->expires_at, >, g_get_real_time () / G_USEC_PER_SEC + 3500);

  g_assert_cmpuint (f->requests->len, ==, 1);
  request = request_at (f, 0);
  g_assert_cmpstr (request->method, ==, "POST");
  g_assert_cmpstr (request->path, ==, "/token");
  g_assert_cmpstr (request->content_type, ==, "application/x-www-form-urlencoded");
  g_assert_cmpstr (request->accept, ==, JSON);
  g_assert_cmpstr (request->user_agent, ==, "Sesame/" PACKAGE_VERSION);
  g_assert_cmpstr (request->authorization, ==, basic);
  g_assert_cmpstr (form_value (request, "grant_type"), ==, "authorization_code");
  g_assert_cmpstr (form_value (request, "code"), ==, "the-code");
  g_assert_cmpstr (form_value (request, "redirect_uri"), ==, "http://127.0.0.1:4567/callback");
  g_assert_cmpstr (form_value (request, "code_verifier"), ==,
                   sesame_auth_request_get_code_verifier (auth));
  g_assert_null (form_value (request, "client_id"));
  g_assert_null (form_value (request, "client_secret"));
}

static void
test_client_auth_post (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = post_provider_new (f);
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(GError) error = NULL;
  Request *request;

  add_answer (f, "/token", 200, JSON, TOKEN_BODY);
  token = refresh (f, provider, NULL, &error);
  g_assert_no_error (error);

  request = request_at (f, 0);
  g_assert_null (request->authorization);
  g_assert_cmpstr (form_value (request, "client_id"), ==, CLIENT_ID);
  g_assert_cmpstr (form_value (request, "client_secret"), ==, CLIENT_SECRET);
}

static void
test_client_auth_none (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = provider_new (f, NULL);
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(GError) error = NULL;
  Request *request;

  add_answer (f, "/token", 200, JSON, TOKEN_BODY);
  token = refresh (f, provider, NULL, &error);
  g_assert_no_error (error);

  request = request_at (f, 0);
  g_assert_null (request->authorization);
  g_assert_cmpstr (form_value (request, "client_id"), ==, CLIENT_ID);
  g_assert_null (form_value (request, "client_secret"));
}

static void
test_refresh_scope (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = basic_provider_new (f);
  const char * const narrower[] = { "email", "profile", NULL };
  g_autoptr(SesameToken) full = NULL;
  g_autoptr(SesameToken) narrow = NULL;
  g_autoptr(GError) error = NULL;
  Request *request;

  add_answer (f, "/token", 200, JSON, TOKEN_BODY);

  full = refresh (f, provider, NULL, &error);
  g_assert_no_error (error);
  request = request_at (f, 0);
  g_assert_cmpstr (form_value (request, "grant_type"), ==, "refresh_token");
  g_assert_cmpstr (form_value (request, "refresh_token"), ==, REFRESH_TOKEN);
  g_assert_false (g_hash_table_contains (request->form, "scope"));
  /* no scope asked, none answered: the caller keeps the grant's */
  g_assert_null (full->scopes[0]);

  narrow = refresh (f, provider, narrower, &error);
  g_assert_no_error (error);
  request = request_at (f, 1);
  g_assert_cmpstr (form_value (request, "scope"), ==, "email profile");
  g_assert_true (g_strv_equal ((const char * const *) narrow->scopes, narrower));
}

static void
test_retry_recovers (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = basic_provider_new (f);
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(GError) error = NULL;

  add_answer (f, "/token", 503, "text/plain", "busy");
  add_answer (f, "/token", 503, "text/plain", "busy");
  add_answer (f, "/token", 200, JSON, TOKEN_BODY);

  token = refresh (f, provider, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token->access_token, ==, ACCESS_TOKEN);
  g_assert_cmpuint (f->requests->len, ==, 3);
}

static void
test_retry_gives_up (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = basic_provider_new (f);
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(GError) error = NULL;

  add_answer (f, "/token", 503, "text/plain", "busy");

  token = refresh (f, provider, NULL, &error);
  g_assert_null (token);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "Test Provider"));
  assert_no_secret (error);
  g_assert_cmpuint (f->requests->len, ==, 3);
}

static void
test_retry_too_many_requests (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = basic_provider_new (f);
  const char * const scopes[] = { "api", NULL };
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(GError) error = NULL;

  add_answer (f, "/token", 429, JSON, "{}");
  add_answer (f, "/token", 200, JSON, TOKEN_BODY);

  sesame_oauth_client_client_credentials_async (f->client, provider, "own id", "own secret",
                                                scopes, NULL, on_done, f);
  token = sesame_oauth_client_client_credentials_finish (f->client, wait_for_result (f), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->requests->len, ==, 2);
}

static void
test_retry_only_refresh (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = basic_provider_new (f);
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(GError) error = NULL;

  add_answer (f, "/token", 502, "text/html", "<html>Bad gateway</html>");

  sesame_oauth_client_device_poll_async (f->client, provider, "dc", NULL, NULL, on_done, f);
  token = sesame_oauth_client_device_poll_finish (f->client, wait_for_result (f), &error);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_NETWORK);
  g_assert_cmpuint (f->requests->len, ==, 1);
}

static void
test_unreachable (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = basic_provider_new (f);
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(GError) error = NULL;

  /* nothing listens there any more */
  soup_server_disconnect (f->server);

  token = refresh (f, provider, NULL, &error);
  g_assert_null (token);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_NETWORK);
  g_assert_true (g_str_has_prefix (error->message, "Could not reach Test Provider: "));
}

static void
test_cancel_during_retry (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = basic_provider_new (f);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  sesame_oauth_client_set_retry_delays (f->client, 60000, 60000);
  add_answer (f, "/token", 503, "text/plain", "busy");

  sesame_oauth_client_refresh_async (f->client, provider, REFRESH_TOKEN, NULL, NULL, NULL, cancellable,
                                     on_done, f);
  while (f->requests->len == 0)
    g_main_context_iteration (NULL, TRUE);
  /* let the 503 arrive, so that the retry is waiting */
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_cancellable_cancel (cancellable);

  token = sesame_oauth_client_refresh_finish (f->client, wait_for_result (f), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_assert_cmpuint (f->requests->len, ==, 1);
}

static void
test_cancel_in_flight (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = basic_provider_new (f);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(GError) error = NULL;

  add_answer (f, "/token", 0, NULL, "");

  sesame_oauth_client_refresh_async (f->client, provider, REFRESH_TOKEN, NULL, NULL, NULL, cancellable,
                                     on_done, f);
  while (f->requests->len == 0)
    g_main_context_iteration (NULL, TRUE);
  g_cancellable_cancel (cancellable);

  token = sesame_oauth_client_refresh_finish (f->client, wait_for_result (f), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (f->requests->len, ==, 1);
}

static void
test_invalid_grant (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = basic_provider_new (f);
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(GError) error = NULL;

  add_answer (f, "/token", 400, JSON,
              "{\"error\": \"invalid_grant\", \"error_description\": \"Refresh token expired\"}");

  token = refresh (f, provider, NULL, &error);
  g_assert_null (token);
  g_assert_error (error, SESAME_OAUTH_ERROR, SESAME_OAUTH_ERROR_INVALID_GRANT);
  g_assert_cmpstr (error->message, ==,
                   "Test Provider refused the request: invalid_grant (Refresh token expired)");
  g_assert_cmpuint (f->requests->len, ==, 1);
}

static void
test_invalid_client (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = basic_provider_new (f);
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(GError) error = NULL;

  add_answer (f, "/token", 401, JSON, "{\"error\": \"invalid_client\"}");

  token = refresh (f, provider, NULL, &error);
  g_assert_error (error, SESAME_OAUTH_ERROR, SESAME_OAUTH_ERROR_INVALID_CLIENT);
  g_assert_cmpstr (error->message, ==, "Test Provider refused the request: invalid_client");
}

static void
test_not_json (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = basic_provider_new (f);
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(GError) error = NULL;

  add_answer (f, "/token", 200, "text/html", "<html>Welcome " ACCESS_TOKEN "</html>");

  token = refresh (f, provider, NULL, &error);
  g_assert_null (token);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
  g_assert_nonnull (strstr (error->message, "Test Provider"));
  assert_no_secret (error);
  g_assert_cmpuint (f->requests->len, ==, 1);
}

static void
test_truncated (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = basic_provider_new (f);
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(GError) error = NULL;

  add_answer (f, "/token", 200, JSON, "{\"access_token\": \"" ACCESS_TOKEN "\", \"tok");

  token = refresh (f, provider, NULL, &error);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
  assert_no_secret (error);
}

static void
test_unexpected_status (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = basic_provider_new (f);
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(GError) error = NULL;

  add_answer (f, "/token", 302, "text/plain", "elsewhere");

  token = refresh (f, provider, NULL, &error);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
  g_assert_cmpuint (f->requests->len, ==, 1);
}

static void
assert_huge_refused (Fixture  *f,
                     gboolean  chunked)
{
  g_autoptr(SesameProvider) provider = basic_provider_new (f);
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(SesameToken) after = NULL;
  g_autoptr(GError) error = NULL;
  gsize size = 2 * 1024 * 1024;
  char *huge = g_malloc (size);
  g_autoptr(GBytes) body = NULL;

  /* valid JSON, only too long */
  memset (huge, ' ', size);
  huge[0] = '{';
  huge[size - 1] = '}';
  body = g_bytes_new_take (huge, size);
  add_answer_bytes (f, "/token", 200, JSON, body, chunked);
  add_answer (f, "/token", 200, JSON, TOKEN_BODY);

  token = refresh (f, provider, NULL, &error);
  g_assert_null (token);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
  g_assert_nonnull (strstr (error->message, "larger than"));
  g_clear_error (&error);

  /* the client is still usable */
  after = refresh (f, provider, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (after->access_token, ==, ACCESS_TOKEN);
}

static void
test_huge_body (Fixture       *f,
                gconstpointer  data)
{
  assert_huge_refused (f, FALSE);
}

static void
test_huge_body_chunked (Fixture       *f,
                        gconstpointer  data)
{
  assert_huge_refused (f, TRUE);
}

static void
test_client_credentials (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = provider_new (f, NULL);
  g_autoptr(SesameProvider) post = post_provider_new (f);
  const char * const scopes[] = { "api.read", "api.write", NULL };
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(SesameToken) posted = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *basic = expected_basic ("own id", "own secret");
  Request *request;

  add_answer (f, "/token", 200, JSON, TOKEN_BODY);

  /* a provider without a secret of its own: the account's client, Basic */
  sesame_oauth_client_client_credentials_async (f->client, provider, "own id", "own secret",
                                                scopes, NULL, on_done, f);
  token = sesame_oauth_client_client_credentials_finish (f->client, wait_for_result (f), &error);
  take_result (f);
  g_assert_no_error (error);
  g_assert_true (g_strv_equal ((const char * const *) token->scopes, scopes));
  request = request_at (f, 0);
  g_assert_cmpstr (request->authorization, ==, basic);
  g_assert_cmpstr (form_value (request, "grant_type"), ==, "client_credentials");
  g_assert_cmpstr (form_value (request, "scope"), ==, "api.read api.write");
  g_assert_null (form_value (request, "client_id"));

  sesame_oauth_client_client_credentials_async (f->client, post, "own id", "own secret",
                                                NULL, NULL, on_done, f);
  posted = sesame_oauth_client_client_credentials_finish (f->client, wait_for_result (f), &error);
  g_assert_no_error (error);
  request = request_at (f, 1);
  g_assert_null (request->authorization);
  g_assert_cmpstr (form_value (request, "client_id"), ==, "own id");
  g_assert_cmpstr (form_value (request, "client_secret"), ==, "own secret");
  g_assert_false (g_hash_table_contains (request->form, "scope"));
}

static gboolean
revoke_token (Fixture         *f,
              SesameProvider  *provider,
              const char      *client_id,
              const char      *client_secret,
              GError         **error)
{
  gboolean revoked;

  sesame_oauth_client_revoke_async (f->client, provider, REFRESH_TOKEN, "refresh_token",
                                    client_id, client_secret, NULL, on_done, f);
  revoked = sesame_oauth_client_revoke_finish (f->client, wait_for_result (f), error);
  take_result (f);
  return revoked;
}

static void
test_revoke (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = basic_provider_new (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *basic = expected_basic (CLIENT_ID, CLIENT_SECRET);
  g_autofree char *own_basic = expected_basic ("own id", "own secret");
  Request *request;

  add_answer (f, "/revoke", 200, "text/plain", "");
  g_assert_true (revoke_token (f, provider, NULL, NULL, &error));
  g_assert_no_error (error);
  request = request_at (f, 0);
  g_assert_cmpstr (request->method, ==, "POST");
  g_assert_cmpstr (request->authorization, ==, basic);
  g_assert_cmpstr (form_value (request, "token"), ==, REFRESH_TOKEN);
  g_assert_cmpstr (form_value (request, "token_type_hint"), ==, "refresh_token");

  g_assert_true (revoke_token (f, provider, "own id", "own secret", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (request_at (f, 1)->authorization, ==, own_basic);
}

static void
test_revoke_errors (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = basic_provider_new (f);
  g_autoptr(GError) error = NULL;

  add_answer (f, "/revoke", 503, "text/plain", "busy");
  add_answer (f, "/revoke", 400, JSON, "{\"error\": \"unsupported_token_type\"}");

  g_assert_false (revoke_token (f, provider, NULL, NULL, &error));
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_NETWORK);
  g_assert_cmpuint (f->requests->len, ==, 1);
  g_clear_error (&error);

  g_assert_false (revoke_token (f, provider, NULL, NULL, &error));
  g_assert_error (error, SESAME_OAUTH_ERROR, SESAME_OAUTH_ERROR_OTHER);
  g_assert_nonnull (strstr (error->message, "unsupported_token_type"));
  assert_no_secret (error);
}

/* GitHub's "Delete an app authorization": DELETE .../{client_id}/grant,
 * HTTP Basic (RFC 7617, unencoded) and the access token in JSON
 * (https://docs.github.com/rest/apps/oauth-applications#delete-an-app-authorization). */
static void
test_revoke_github_grant (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(SesameProvider) provider =
    provider_new (f, ", \"client-secret\": \"" CLIENT_SECRET "\","
                  " \"revocation-style\": \"github-grant\"");
  g_autofree char *pair = g_strdup (CLIENT_ID ":" CLIENT_SECRET);
  g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
  g_autofree char *basic = g_strconcat ("Basic ", encoded, NULL);
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GError) error = NULL;
  Request *request;

  add_answer (f, "/revoke/sesame client/grant", 204, "text/plain", "");
  add_answer (f, "/revoke/sesame client/grant", 422, JSON, "{\"message\": \"Validation Failed\"}");
  sesame_oauth_client_revoke_async (f->client, provider, ACCESS_TOKEN, "access_token",
                                    NULL, NULL, NULL, on_done, f);
  sesame_oauth_client_revoke_finish (f->client, wait_for_result (f), &error);
  take_result (f);
  g_assert_no_error (error);

  request = request_at (f, 0);
  g_assert_cmpstr (request->method, ==, "DELETE");
  g_assert_cmpstr (request->path, ==, "/revoke/sesame client/grant");
  g_assert_cmpstr (request->authorization, ==, basic);
  g_assert_cmpstr (request->content_type, ==, "application/json");
  body = json_from_string (request->body, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (body), "access_token"),
                   ==, ACCESS_TOKEN);

  /* An answer the API gives for a token it does not know (422) fails. */
  sesame_oauth_client_revoke_async (f->client, provider, ACCESS_TOKEN, "access_token",
                                    NULL, NULL, NULL, on_done, f);
  g_assert_false (sesame_oauth_client_revoke_finish (f->client, wait_for_result (f), &error));
  take_result (f);
  g_assert_nonnull (error);
  assert_no_secret (error);
}

static SesameToken *
poll_token (Fixture         *f,
            SesameProvider  *provider,
            GError         **error)
{
  const char * const scopes[] = { "openid", NULL };
  SesameToken *token;

  sesame_oauth_client_device_poll_async (f->client, provider, "the-device-code", scopes, NULL,
                                         on_done, f);
  token = sesame_oauth_client_device_poll_finish (f->client, wait_for_result (f), error);
  take_result (f);
  return token;
}

static void
test_device_flow (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = basic_provider_new (f);
  const char * const scopes[] = { "openid", "email", NULL };
  g_autoptr(SesameDeviceAuthorization) authorization = NULL;
  g_autoptr(SesameToken) pending = NULL;
  g_autoptr(SesameToken) slow = NULL;
  g_autoptr(SesameToken) github_pending = NULL;
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  Request *request;

  add_answer (f, "/device", 200, JSON,
              "{\"device_code\": \"the-device-code\", \"user_code\": \"WDJB-MJHT\","
              " \"verification_uri\": \"https://id.example/device\","
              " \"verification_uri_complete\": \"https://id.example/device?user_code=WDJB-MJHT\","
              " \"expires_in\": 1800, \"interval\": 7}");
  sesame_oauth_client_device_authorize_async (f->client, provider, scopes, NULL, on_done, f);
  authorization = sesame_oauth_client_device_authorize_finish (f->client, wait_for_result (f),
                                                               &error);
  take_result (f);
  g_assert_no_error (error);
  g_assert_cmpstr (authorization->device_code, ==, "the-device-code");
  g_assert_cmpstr (authorization->user_code, ==, "WDJB-MJHT");
  g_assert_cmpstr (authorization->verification_uri, ==, "https://id.example/device");
  g_assert_cmpstr (authorization->verification_uri_complete, ==,
                   "https://id.example/device?user_code=WDJB-MJHT");
  g_assert_cmpint (authorization->expires_at, >=, now + 1800);
  g_assert_cmpint (authorization->expires_at, <=, now + 1802);
  g_assert_cmpuint (authorization->interval, ==, 7);
  request = request_at (f, 0);
  g_assert_cmpstr (request->path, ==, "/device");
  g_assert_cmpstr (form_value (request, "scope"), ==, "openid email");

  add_answer (f, "/token", 400, JSON, "{\"error\": \"authorization_pending\"}");
  add_answer (f, "/token", 400, JSON, "{\"error\": \"slow_down\"}");
  /* GitHub's way: an error with 200 OK */
  add_answer (f, "/token", 200, JSON, "{\"error\": \"authorization_pending\"}");
  add_answer (f, "/token", 200, JSON, TOKEN_BODY);

  pending = poll_token (f, provider, &error);
  g_assert_error (error, SESAME_OAUTH_ERROR, SESAME_OAUTH_ERROR_AUTHORIZATION_PENDING);
  g_clear_error (&error);
  slow = poll_token (f, provider, &error);
  g_assert_error (error, SESAME_OAUTH_ERROR, SESAME_OAUTH_ERROR_SLOW_DOWN);
  g_clear_error (&error);
  github_pending = poll_token (f, provider, &error);
  g_assert_error (error, SESAME_OAUTH_ERROR, SESAME_OAUTH_ERROR_AUTHORIZATION_PENDING);
  g_clear_error (&error);
  token = poll_token (f, provider, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token->access_token, ==, ACCESS_TOKEN);

  request = request_at (f, 4);
  g_assert_cmpstr (form_value (request, "grant_type"), ==,
                   "urn:ietf:params:oauth:grant-type:device_code");
  g_assert_cmpstr (form_value (request, "device_code"), ==, "the-device-code");
}

static void
test_device_authorization_defaults (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = provider_new (f, NULL);
  g_autoptr(SesameDeviceAuthorization) authorization = NULL;
  g_autoptr(SesameDeviceAuthorization) incomplete = NULL;
  g_autoptr(GError) error = NULL;

  /* Google's spelling, no interval */
  add_answer (f, "/device", 200, JSON,
              "{\"device_code\": \"dc\", \"user_code\": \"ABCD\","
              " \"verification_url\": \"https://www.google.com/device\", \"expires_in\": 600}");
  add_answer (f, "/device", 200, JSON, "{\"device_code\": \"dc\", \"expires_in\": 600}");

  sesame_oauth_client_device_authorize_async (f->client, provider, NULL, NULL, on_done, f);
  authorization = sesame_oauth_client_device_authorize_finish (f->client, wait_for_result (f),
                                                               &error);
  take_result (f);
  g_assert_no_error (error);
  g_assert_cmpstr (authorization->verification_uri, ==, "https://www.google.com/device");
  g_assert_null (authorization->verification_uri_complete);
  g_assert_cmpuint (authorization->interval, ==, 5);
  /* a public client names itself */
  g_assert_cmpstr (form_value (request_at (f, 0), "client_id"), ==, CLIENT_ID);
  g_assert_false (g_hash_table_contains (request_at (f, 0)->form, "scope"));

  sesame_oauth_client_device_authorize_async (f->client, provider, NULL, NULL, on_done, f);
  incomplete = sesame_oauth_client_device_authorize_finish (f->client, wait_for_result (f),
                                                            &error);
  g_assert_null (incomplete);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
}

static JsonObject *
discover (Fixture     *f,
          const char  *issuer,
          GError     **error)
{
  JsonObject *document;

  sesame_oauth_client_discover_async (f->client, issuer, NULL, on_done, f);
  document = sesame_oauth_client_discover_finish (f->client, wait_for_result (f), error);
  take_result (f);
  return document;
}

static void
test_discovery_openid (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *body = g_strdup_printf ("{\"issuer\": \"%s\", \"token_endpoint\": \"%s/t\"}",
                                           f->base, f->base);
  g_autoptr(JsonObject) document = NULL;
  g_autoptr(GError) error = NULL;

  add_answer (f, "/.well-known/openid-configuration", 200, JSON, body);

  document = discover (f, f->base, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (document, "token_endpoint"),
                                   "/t"));
  g_assert_cmpuint (f->requests->len, ==, 1);
  g_assert_cmpstr (request_at (f, 0)->method, ==, "GET");
}

static void
test_discovery_fallback (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *issuer = g_strconcat (f->base, "/tenant/", NULL);
  g_autofree char *body = g_strdup_printf ("{\"issuer\": \"%s\"}", issuer);
  g_autoptr(JsonObject) document = NULL;
  g_autoptr(GError) error = NULL;

  /* RFC 8414 §3: the well-known path goes between the host and the path */
  add_answer (f, "/.well-known/oauth-authorization-server/tenant", 200, JSON, body);

  document = discover (f, issuer, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->requests->len, ==, 2);
  g_assert_cmpstr (request_at (f, 0)->path, ==, "/tenant/.well-known/openid-configuration");
  g_assert_cmpstr (request_at (f, 1)->path, ==, "/.well-known/oauth-authorization-server/tenant");
}

static void
test_discovery_issuer_mismatch (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(JsonObject) document = NULL;
  g_autoptr(GError) error = NULL;

  add_answer (f, "/.well-known/openid-configuration", 200, JSON,
              "{\"issuer\": \"https://evil.example\"}");
  add_answer (f, "/.well-known/oauth-authorization-server", 200, JSON,
              "{\"issuer\": \"https://evil.example\"}");

  document = discover (f, f->base, &error);
  g_assert_null (document);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
  g_assert_cmpuint (f->requests->len, ==, 1);
}

static void
test_discovery_nothing (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(JsonObject) document = NULL;
  g_autoptr(GError) error = NULL;

  add_answer (f, "/.well-known/openid-configuration", 200, "text/html", "<html>Hello</html>");

  document = discover (f, f->base, &error);
  g_assert_null (document);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
  g_assert_cmpuint (f->requests->len, ==, 2);
}

static void
test_discovery_refused (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(JsonObject) document = NULL;
  g_autoptr(GError) error = NULL;

  /* plain http off loopback: nothing is sent */
  document = discover (f, "http://id.example", &error);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  document = discover (f, "https://id.example/?tenant=1", &error);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (f->requests->len, ==, 0);
}

/* An unsigned JWT, as the token endpoint would hand it over. */
static char *
id_token_new (const char *claims)
{
  g_autofree char *header = sesame_base64url_encode ((const guint8 *) "{\"alg\":\"RS256\"}", 15);
  g_autofree char *payload = sesame_base64url_encode ((const guint8 *) claims, strlen (claims));

  return g_strconcat (header, ".", payload, ".c2lnbmF0dXJl", NULL);
}

static char *
fetch_identity (Fixture         *f,
                SesameProvider  *provider,
                const char      *claims,
                GError         **error)
{
  g_autoptr(SesameToken) token = sesame_token_new ();
  char *identity;

  token->access_token = g_strdup (ACCESS_TOKEN);
  token->token_type = g_strdup ("Bearer");
  token->id_token = claims != NULL ? id_token_new (claims) : NULL;

  sesame_oauth_client_fetch_identity_async (f->client, provider, token, NULL, on_done, f);
  identity = sesame_oauth_client_fetch_identity_finish (f->client, wait_for_result (f), error);
  take_result (f);
  return identity;
}

static void
test_identity_from_id_token (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = provider_new (f, NULL);
  g_autofree char *claims = g_strdup_printf ("{\"iss\": \"%s\", \"aud\": [\"other\", \"" CLIENT_ID
                                             "\"], \"sub\": \"1\", \"email\": \"person@example.com\"}",
                                             f->base);
  g_autoptr(GError) error = NULL;
  g_autofree char *identity = fetch_identity (f, provider, claims, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (identity, ==, "person@example.com");
  g_assert_cmpuint (f->requests->len, ==, 0);
}

static void
test_identity_id_token_refused (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = provider_new (f, NULL);
  g_autofree char *wrong_aud = g_strdup_printf ("{\"iss\": \"%s\", \"aud\": \"other\","
                                                " \"email\": \"person@example.com\"}", f->base);
  const char *wrong_iss = "{\"iss\": \"https://evil.example\", \"aud\": \"" CLIENT_ID "\","
                          " \"email\": \"person@example.com\"}";
  const char *claims[] = { wrong_aud, wrong_iss, "not json" };

  for (guint i = 0; i < G_N_ELEMENTS (claims); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *identity = fetch_identity (f, provider, claims[i], &error);

      g_assert_null (identity);
      g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
    }
  g_assert_cmpuint (f->requests->len, ==, 0);
}

static void
test_identity_from_userinfo (Fixture       *f,
                             gconstpointer  data)
{
  /* GitHub: no issuer, no ID token, the login from its user endpoint */
  g_autofree char *json = g_strdup_printf ("{\"id\": \"hub\", \"name\": \"Hub\","
                                           " \"authorization-endpoint\": \"%s/authorize\","
                                           " \"token-endpoint\": \"%s/token\","
                                           " \"userinfo-endpoint\": \"%s/user\","
                                           " \"client-id\": \"c\", \"identity-claim\": \"login\"}",
                                           f->base, f->base, f->base);
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autoptr(SesameProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *identity = NULL;
  Request *request;

  provider = sesame_provider_new_from_json (json_node_get_object (node), &error);
  g_assert_no_error (error);
  add_answer (f, "/user", 200, JSON, "{\"login\": \"octocat\", \"id\": 583231}");

  identity = fetch_identity (f, provider, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (identity, ==, "octocat");
  request = request_at (f, 0);
  g_assert_cmpstr (request->method, ==, "GET");
  g_assert_cmpstr (request->authorization, ==, "Bearer " ACCESS_TOKEN);
  g_assert_cmpstr (request->accept, ==, JSON);
}

static void
test_identity_userinfo_checks (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = provider_new (f, NULL);
  /* an ID token without the e-mail: the userinfo endpoint has it */
  g_autofree char *claims = g_strdup_printf ("{\"iss\": \"%s\", \"aud\": \"" CLIENT_ID "\","
                                             " \"sub\": \"1\"}", f->base);
  g_autofree char *identity = NULL;
  g_autofree char *someone_else = NULL;
  g_autofree char *nothing = NULL;
  g_autoptr(GError) error = NULL;

  add_answer (f, "/userinfo", 200, JSON, "{\"sub\": \"1\", \"email\": \"person@example.com\"}");
  add_answer (f, "/userinfo", 200, JSON, "{\"sub\": \"2\", \"email\": \"other@example.com\"}");
  add_answer (f, "/userinfo", 200, JSON, "{\"sub\": \"1\"}");

  identity = fetch_identity (f, provider, claims, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (identity, ==, "person@example.com");

  someone_else = fetch_identity (f, provider, claims, &error);
  g_assert_null (someone_else);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
  g_clear_error (&error);

  nothing = fetch_identity (f, provider, claims, &error);
  g_assert_null (nothing);
  g_assert_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
}


/* Microsoft: preferred_username only when `profile` is asked; the first
 * of the claims that the ID token carries names the account, and the
 * userinfo endpoint is asked only when it carries none. */
static void
test_identity_claims_order (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(SesameProvider) provider =
    provider_new (f, ", \"identity-claims\": [\"preferred_username\", \"email\"]");
  g_autofree char *with_email = g_strdup_printf ("{\"iss\": \"%s\", \"aud\": \"" CLIENT_ID "\","
                                                 " \"sub\": \"1\", \"email\": \"p@example.com\"}",
                                                 f->base);
  g_autofree char *with_both = g_strdup_printf ("{\"iss\": \"%s\", \"aud\": \"" CLIENT_ID "\","
                                                " \"sub\": \"1\", \"email\": \"p@example.com\","
                                                " \"preferred_username\": \"p@work.example\"}",
                                                f->base);
  g_autofree char *with_none = g_strdup_printf ("{\"iss\": \"%s\", \"aud\": \"" CLIENT_ID "\","
                                                " \"sub\": \"1\"}", f->base);
  g_autofree char *first = NULL, *second = NULL, *third = NULL;
  g_autoptr(GError) error = NULL;

  first = fetch_identity (f, provider, with_both, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, "p@work.example");
  second = fetch_identity (f, provider, with_email, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second, ==, "p@example.com");
  g_assert_cmpuint (f->requests->len, ==, 0);

  add_answer (f, "/userinfo", 200, JSON, "{\"sub\": \"1\", \"email\": \"p@example.com\"}");
  third = fetch_identity (f, provider, with_none, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (third, ==, "p@example.com");
  g_assert_cmpuint (f->requests->len, ==, 1);
}

/* GitHub's user endpoint wants a User-Agent (docs.github.com/en/rest/using-the-rest-api/
 * getting-started-with-the-rest-api#user-agent) and JSON asked for. */
static void
test_identity_user_agent (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = provider_new (f, ", \"identity-claims\": [\"login\"]");
  g_autofree char *identity = NULL;
  g_autoptr(GError) error = NULL;

  add_answer (f, "/userinfo", 200, JSON, "{\"login\": \"octocat\", \"id\": 1}");
  identity = fetch_identity (f, provider, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (identity, ==, "octocat");
  g_assert_cmpstr (request_at (f, 0)->user_agent, ==, "Sesame/" PACKAGE_VERSION);
  g_assert_cmpstr (request_at (f, 0)->accept, ==, JSON);
}

static SesameProvider *
https_issuer_provider_new (Fixture *f)
{
  return provider_new (f, ", \"issuer\": \"https://accounts.example.com\","
                          " \"device-client-id\": \"tv client\"");
}

/* Google's ID tokens may say accounts.google.com without the scheme
 * (developers.google.com/identity/openid-connect/openid-connect#validatinganidtoken). */
static void
test_identity_issuer_without_scheme (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = https_issuer_provider_new (f);
  static const struct {
    const char *iss;
    gboolean    accepted;
  } cases[] = {
    { "https://accounts.example.com", TRUE },
    { "accounts.example.com", TRUE },
    { "http://accounts.example.com", FALSE },
    { "accounts.example.com.evil.example", FALSE },
    { "example.com", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *claims = g_strdup_printf ("{\"iss\": \"%s\", \"aud\": \"" CLIENT_ID "\"}",
                                                 cases[i].iss);
      g_autofree char *id_token = id_token_new (claims);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) decoded = sesame_oauth_decode_id_token (provider, id_token, &error);

      g_test_message ("iss %s", cases[i].iss);
      g_assert_true ((decoded != NULL) == cases[i].accepted);
    }
}

/* The same for an issuer on loopback (provider labs): http, bare host:port */
static void
test_identity_loopback_issuer_without_scheme (Fixture       *f,
                                              gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = provider_new (f, NULL);
  const char *bare = f->base + strlen ("http://");
  g_autofree char *claims = g_strdup_printf ("{\"iss\": \"%s\", \"aud\": \"" CLIENT_ID "\"}", bare);
  g_autofree char *id_token = id_token_new (claims);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) decoded = sesame_oauth_decode_id_token (provider, id_token, &error);

  g_assert_no_error (error);
  g_assert_nonnull (decoded);
}

/* Device sign-in's ID token is issued to the device client. */
static void
test_identity_device_audience (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = https_issuer_provider_new (f);
  g_autofree char *id_token =
    id_token_new ("{\"iss\": \"https://accounts.example.com\", \"aud\": \"tv client\"}");
  g_autofree char *other =
    id_token_new ("{\"iss\": \"https://accounts.example.com\", \"aud\": \"someone\"}");
  g_autoptr(JsonObject) decoded = sesame_oauth_decode_id_token (provider, id_token, NULL);
  g_autoptr(JsonObject) refused = sesame_oauth_decode_id_token (provider, other, NULL);

  g_assert_nonnull (decoded);
  g_assert_null (refused);
}


/* error-aliases: GitHub Apps answer a dead refresh token with
 * `bad_refresh_token` and 200 OK (docs.github.com/en/apps/creating-github-apps/
 * authenticating-with-a-github-app/refreshing-user-access-tokens); Microsoft
 * answers a denied device sign-in with `authorization_declined`
 * (learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code). */
static void
test_error_aliases (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SesameProvider) provider =
    provider_new (f, ", \"error-aliases\": { \"bad_refresh_token\": \"invalid_grant\","
                     " \"authorization_declined\": \"access_denied\" }");
  g_autoptr(SesameProvider) plain = provider_new (f, NULL);
  g_autoptr(SesameToken) refreshed = NULL;
  g_autoptr(SesameToken) polled = NULL;
  g_autoptr(SesameToken) unaliased = NULL;
  g_autoptr(GError) error = NULL;

  add_answer (f, "/token", 200, JSON,
              "{\"error\": \"bad_refresh_token\", \"error_description\": \"The refresh token "
              "passed is incorrect or expired.\"}");
  refreshed = refresh (f, provider, NULL, &error);
  g_assert_null (refreshed);
  g_assert_error (error, SESAME_OAUTH_ERROR, SESAME_OAUTH_ERROR_INVALID_GRANT);
  /* the provider's own word stays in the message */
  g_assert_nonnull (strstr (error->message, "bad_refresh_token"));
  g_clear_error (&error);

  unaliased = refresh (f, plain, NULL, &error);
  g_assert_error (error, SESAME_OAUTH_ERROR, SESAME_OAUTH_ERROR_OTHER);
  g_clear_error (&error);

  g_hash_table_remove (f->answers, "/token");
  add_answer (f, "/token", 400, JSON, "{\"error\": \"authorization_declined\"}");
  polled = poll_token (f, provider, &error);
  g_assert_null (polled);
  g_assert_error (error, SESAME_OAUTH_ERROR, SESAME_OAUTH_ERROR_ACCESS_DENIED);
}

static SesameToken *
exchange_code (Fixture            *f,
               SesameProvider     *provider,
               const char * const *scopes,
               GError            **error)
{
  g_autoptr(SesameAuthRequest) auth = NULL;
  SesameToken *token;

  auth = sesame_auth_request_new (provider, scopes, "http://127.0.0.1:4567/callback", NULL,
                                  error);
  g_assert_nonnull (auth);
  sesame_oauth_client_exchange_code_async (f->client, provider, auth, "the-code", NULL,
                                           on_done, f);
  token = sesame_oauth_client_exchange_code_finish (f->client, wait_for_result (f), error);
  take_result (f);
  return token;
}

#define ECHO_BODY(scope, extra) \
  "{\"access_token\": \"" ACCESS_TOKEN "\", \"token_type\": \"Bearer\", \"expires_in\": 3600," \
  " \"scope\": \"" scope "\"" extra "}"

/* DESIGN.md, Granted scopes: the echo in the asked form. Google reports
 * email/profile under long names (developers.google.com/identity/protocols/
 * oauth2/scopes#oauth2); GitHub separates with commas (docs.github.com/en/
 * apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps). */
static void
test_granted_asked_form (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(SesameProvider) provider =
    provider_new (f, ", \"scope-aliases\": {"
                     " \"email\": \"https://www.googleapis.com/auth/userinfo.email\","
                     " \"profile\": \"https://www.googleapis.com/auth/userinfo.profile\" }");
  const char * const google[] = { "openid", "email", "profile", "https://mail.google.com/", NULL };
  const char * const github[] = { "repo", "read:user", NULL };
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(SesameToken) commas = NULL;
  g_autoptr(GError) error = NULL;

  add_answer (f, "/token", 200, JSON,
              ECHO_BODY ("https://www.googleapis.com/auth/userinfo.email openid "
                         "https://mail.google.com/ https://www.googleapis.com/auth/userinfo.profile",
                         ", \"id_token\": \"x.y.z\""));
  add_answer (f, "/token", 200, JSON, ECHO_BODY ("repo,read:user", ""));

  token = exchange_code (f, provider, google, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_equal ((const char * const *) token->scopes,
                               (const char *[]) { "email", "openid", "https://mail.google.com/",
                                                  "profile", NULL }));
  commas = exchange_code (f, provider, github, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_equal ((const char * const *) commas->scopes, github));
}

/* Microsoft leaves OpenID's scopes out of its echo
 * (learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
 * #successful-response-2): asked and not refused, they count as granted;
 * openid only with an ID token, offline_access only with a refresh token. */
static void
test_granted_openid_scopes (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = provider_new (f, NULL);
  const char * const asked[] = {
    "openid", "profile", "offline_access", "https://outlook.office.com/IMAP.AccessAsUser.All", NULL
  };
  g_autoptr(SesameToken) full = NULL;
  g_autoptr(SesameToken) bare = NULL;
  g_autoptr(GError) error = NULL;

  add_answer (f, "/token", 200, JSON,
              ECHO_BODY ("https://outlook.office.com/IMAP.AccessAsUser.All",
                         ", \"id_token\": \"x.y.z\", \"refresh_token\": \"" REFRESH_TOKEN "\""));
  add_answer (f, "/token", 200, JSON, ECHO_BODY ("https://outlook.office.com/IMAP.AccessAsUser.All", ""));

  full = exchange_code (f, provider, asked, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_equal ((const char * const *) full->scopes,
                               (const char *[]) { "https://outlook.office.com/IMAP.AccessAsUser.All",
                                                  "openid", "profile", "offline_access", NULL }));
  /* no ID token, no refresh token: neither openid nor offline_access */
  bare = exchange_code (f, provider, asked, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_equal ((const char * const *) bare->scopes,
                               (const char *[]) { "https://outlook.office.com/IMAP.AccessAsUser.All",
                                                  "profile", NULL }));
}

#define OUTLOOK_IMAP "https://outlook.office.com/IMAP.AccessAsUser.All"
#define OUTLOOK_SMTP "https://outlook.office.com/SMTP.Send"
#define GRAPH_FILES "https://graph.microsoft.com/Files.ReadWrite"

static SesameProvider *
one_resource_provider_new (Fixture *f)
{
  return provider_new (f, ", \"one-resource-per-token\": true, \"default-scopes\":"
                          " [\"openid\", \"offline_access\", \"" OUTLOOK_IMAP "\"]");
}

/* Microsoft refuses a token request for two resources with AADSTS28000
 * (learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc
 * #trailing-slash-and-default, "one resource per token"): the redemption
 * and the refreshes ask for the resource of the first default URL scope. */
static void
test_one_resource_per_token (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = one_resource_provider_new (f);
  const char * const asked[] = {
    "openid", "offline_access", GRAPH_FILES, OUTLOOK_IMAP, OUTLOOK_SMTP, NULL
  };
  const char * const granted[] = {
    OUTLOOK_IMAP, OUTLOOK_SMTP, "openid", "offline_access", GRAPH_FILES, NULL
  };
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(SesameToken) refreshed = NULL;
  g_autoptr(GError) error = NULL;

  add_answer (f, "/token", 200, JSON,
              ECHO_BODY (OUTLOOK_IMAP " " OUTLOOK_SMTP,
                         ", \"id_token\": \"x.y.z\", \"refresh_token\": \"" REFRESH_TOKEN "\""));
  /* a refresh answer need not repeat the ID token or a refresh token */
  add_answer (f, "/token", 200, JSON, ECHO_BODY (OUTLOOK_IMAP " " OUTLOOK_SMTP, ""));

  token = exchange_code (f, provider, asked, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (form_value (request_at (f, 0), "scope"), ==,
                   "openid offline_access " OUTLOOK_IMAP " " OUTLOOK_SMTP);
  /* Graph was consented to at sign-in, though the echo names Outlook only */
  g_assert_true (g_strv_equal ((const char * const *) token->scopes, granted));

  /* a refresh of the whole grant: one resource asked, the grant kept */
  sesame_oauth_client_refresh_async (f->client, provider, REFRESH_TOKEN, NULL, granted, NULL,
                                     NULL, on_done, f);
  refreshed = sesame_oauth_client_refresh_finish (f->client, wait_for_result (f), &error);
  take_result (f);
  g_assert_no_error (error);
  g_assert_cmpstr (form_value (request_at (f, 1), "scope"), ==,
                   OUTLOOK_IMAP " " OUTLOOK_SMTP " openid offline_access");
  g_assert_true (g_strv_equal ((const char * const *) refreshed->scopes, granted));
}

/* Other providers: no `scope` at the redemption, none at a full refresh. */
static void
test_scope_not_sent (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(SesameProvider) provider = provider_new (f, NULL);
  const char * const asked[] = { "openid", OUTLOOK_IMAP, GRAPH_FILES, NULL };
  g_autoptr(SesameToken) token = NULL;
  g_autoptr(SesameToken) refreshed = NULL;
  g_autoptr(GError) error = NULL;

  add_answer (f, "/token", 200, JSON, TOKEN_BODY);
  token = exchange_code (f, provider, asked, &error);
  g_assert_no_error (error);
  g_assert_false (g_hash_table_contains (request_at (f, 0)->form, "scope"));
  g_assert_true (g_strv_equal ((const char * const *) token->scopes, asked));

  sesame_oauth_client_refresh_async (f->client, provider, REFRESH_TOKEN, NULL, asked, NULL,
                                     NULL, on_done, f);
  refreshed = sesame_oauth_client_refresh_finish (f->client, wait_for_result (f), &error);
  take_result (f);
  g_assert_no_error (error);
  g_assert_false (g_hash_table_contains (request_at (f, 1)->form, "scope"));
  g_assert_true (g_strv_equal ((const char * const *) refreshed->scopes, asked));
}

/* Google's device sign-in needs a "TVs and Limited Input devices" client
 * (developers.google.com/identity/protocols/oauth2/limited-input-device):
 * the device request, its polling and the account's refreshes use it. */
static void
test_device_client (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SesameProvider) provider =
    provider_new (f, ", \"client-secret\": \"" CLIENT_SECRET "\","
                     " \"token-endpoint-auth-method\": \"client_secret_post\","
                     " \"device-client-id\": \"tv client\", \"device-client-secret\": \"tv secret\"");
  g_autoptr(SesameDeviceAuthorization) authorization = NULL;
  g_autoptr(SesameToken) polled = NULL;
  g_autoptr(SesameToken) device_refresh = NULL;
  g_autoptr(SesameToken) desktop_refresh = NULL;
  g_autoptr(GError) error = NULL;

  add_answer (f, "/device", 200, JSON,
              "{\"device_code\": \"dc\", \"user_code\": \"ABC-DEF\","
              " \"verification_url\": \"https://www.google.com/device\", \"expires_in\": 1800}");
  add_answer (f, "/token", 200, JSON, TOKEN_BODY);

  sesame_oauth_client_device_authorize_async (f->client, provider, NULL, NULL, on_done, f);
  authorization = sesame_oauth_client_device_authorize_finish (f->client, wait_for_result (f),
                                                               &error);
  take_result (f);
  g_assert_no_error (error);
  g_assert_cmpstr (authorization->verification_uri, ==, "https://www.google.com/device");
  polled = poll_token (f, provider, &error);
  g_assert_no_error (error);

  sesame_oauth_client_refresh_async (f->client, provider, REFRESH_TOKEN, NULL, NULL,
                                     SESAME_FLOW_DEVICE_CODE, NULL, on_done, f);
  device_refresh = sesame_oauth_client_refresh_finish (f->client, wait_for_result (f), &error);
  take_result (f);
  g_assert_no_error (error);
  desktop_refresh = refresh (f, provider, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpstr (form_value (request_at (f, i), "client_id"), ==, "tv client");
      g_assert_cmpstr (form_value (request_at (f, i), "client_secret"), ==, "tv secret");
    }
  g_assert_cmpstr (form_value (request_at (f, 3), "client_id"), ==, CLIENT_ID);
  g_assert_cmpstr (form_value (request_at (f, 3), "client_secret"), ==, CLIENT_SECRET);
}

static void
add_test (const char *path,
          void      (*test) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, test, fixture_tear_down);
}

int
main (int   argc,
      char *argv[])
{
  /* The requests go to 127.0.0.1 whatever proxy the environment names. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, NULL);

  add_test ("/oauth-client/exchange-code/basic-auth", test_exchange_code_basic);
  add_test ("/oauth-client/client-auth/post", test_client_auth_post);
  add_test ("/oauth-client/client-auth/none", test_client_auth_none);
  add_test ("/oauth-client/refresh/scope", test_refresh_scope);
  add_test ("/oauth-client/retry/recovers", test_retry_recovers);
  add_test ("/oauth-client/retry/gives-up", test_retry_gives_up);
  add_test ("/oauth-client/retry/too-many-requests", test_retry_too_many_requests);
  add_test ("/oauth-client/retry/only-refresh", test_retry_only_refresh);
  add_test ("/oauth-client/retry/unreachable", test_unreachable);
  add_test ("/oauth-client/cancel/during-retry", test_cancel_during_retry);
  add_test ("/oauth-client/cancel/in-flight", test_cancel_in_flight);
  add_test ("/oauth-client/errors/invalid-grant", test_invalid_grant);
  add_test ("/oauth-client/errors/invalid-client", test_invalid_client);
  add_test ("/oauth-client/errors/not-json", test_not_json);
  add_test ("/oauth-client/errors/truncated", test_truncated);
  add_test ("/oauth-client/errors/unexpected-status", test_unexpected_status);
  add_test ("/oauth-client/errors/huge-body", test_huge_body);
  add_test ("/oauth-client/errors/huge-body-chunked", test_huge_body_chunked);
  add_test ("/oauth-client/client-credentials", test_client_credentials);
  add_test ("/oauth-client/revoke/success", test_revoke);
  add_test ("/oauth-client/revoke/errors", test_revoke_errors);
  add_test ("/oauth-client/revoke/github-grant", test_revoke_github_grant);
  add_test ("/oauth-client/device/flow", test_device_flow);
  add_test ("/oauth-client/device/defaults", test_device_authorization_defaults);
  add_test ("/oauth-client/discovery/openid", test_discovery_openid);
  add_test ("/oauth-client/discovery/fallback", test_discovery_fallback);
  add_test ("/oauth-client/discovery/issuer-mismatch", test_discovery_issuer_mismatch);
  add_test ("/oauth-client/discovery/nothing", test_discovery_nothing);
  add_test ("/oauth-client/discovery/refused", test_discovery_refused);
  add_test ("/oauth-client/identity/id-token", test_identity_from_id_token);
  add_test ("/oauth-client/identity/id-token-refused", test_identity_id_token_refused);
  add_test ("/oauth-client/identity/userinfo", test_identity_from_userinfo);
  add_test ("/oauth-client/identity/userinfo-checks", test_identity_userinfo_checks);
  add_test ("/oauth-client/identity/claims-order", test_identity_claims_order);
  add_test ("/oauth-client/errors/aliases", test_error_aliases);
  add_test ("/oauth-client/scopes/asked-form", test_granted_asked_form);
  add_test ("/oauth-client/scopes/openid-scopes", test_granted_openid_scopes);
  add_test ("/oauth-client/scopes/one-resource-per-token", test_one_resource_per_token);
  add_test ("/oauth-client/scopes/not-sent", test_scope_not_sent);
  add_test ("/oauth-client/device/client", test_device_client);
  add_test ("/oauth-client/identity/user-agent", test_identity_user_agent);
  add_test ("/oauth-client/identity/issuer-without-scheme", test_identity_issuer_without_scheme);
  add_test ("/oauth-client/identity/loopback-issuer-without-scheme",
            test_identity_loopback_issuer_without_scheme);
  add_test ("/oauth-client/identity/device-audience", test_identity_device_audience);

  return g_test_run ();
}
