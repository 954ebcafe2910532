/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-oauth-exchange.c: one HTTP request to a provider's endpoint and its answer */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "sesame-error.h"
#include "sesame-json.h"
#include "sesame-oauth-client-private.h"
#include "sesame-oauth-exchange.h"

/* Token endpoints answer with a few kilobytes; anything past this is not
 * an OAuth answer and is not worth holding in memory. */
#define MAX_BODY_SIZE (1024 * 1024)
#define READ_CHUNK_SIZE 16384
#define TIMEOUT_SECONDS 30
/* RFC 6585; libsoup 3.2 has no name for it */
#define HTTP_TOO_MANY_REQUESTS 429

void
sesame_oauth_transport_init (SesameOAuthTransport *transport)
{
  const char *timeout = g_getenv ("SESAME_HTTP_TIMEOUT");

  /* Tests of providers that never answer shorten it. */
  transport->timeout = TIMEOUT_SECONDS;
  if (timeout != NULL)
    transport->timeout = CLAMP (g_ascii_strtoull (timeout, NULL, 10), 1, TIMEOUT_SECONDS);
  transport->session = soup_session_new_with_options ("user-agent", "Sesame/" PACKAGE_VERSION,
                                                      "timeout", transport->timeout,
                                                      NULL);
  /* DESIGN.md: retried "after about 0.5 s and 2 s" */
  transport->retry_delays[0] = 500;
  transport->retry_delays[1] = 2000;
}

void
sesame_oauth_transport_clear (SesameOAuthTransport *transport)
{
  g_clear_object (&transport->session);
}

void
sesame_oauth_response_free (SesameOAuthResponse *response)
{
  explicit_bzero (response->body, response->length);
  g_free (response->body);
  g_clear_pointer (&response->object, json_object_unref);
  g_free (response);
}

/* One request to one endpoint, sent again after a network error when
 * @retry is set. */
struct _SesameOAuthExchange
{
  char         *name;           /* who answers, for messages */
  const char   *method;
  char         *uri;
  GBytes       *form;           /* the request body, wiped when freed */
  const char   *content_type;   /* of the body */
  char         *authorization;  /* the Authorization header, wiped when freed */
  GHashTable   *error_aliases;  /* the provider's error codes → OAuth's; may be NULL */
  gboolean      retry;
  guint         attempt;

  SoupMessage  *message;
  GCancellable *cancellable;    /* the attempt's: the task's, or its deadline */
  gulong        cancelled_id;
  guint         deadline_id;
  gboolean      timed_out;
  GInputStream *stream;
  gboolean      read_to_end;
  GByteArray   *received;
  guint8        chunk[READ_CHUNK_SIZE];
};

static void
wipe_received (SesameOAuthExchange *ex)
{
  if (ex->received->len > 0)
    explicit_bzero (ex->received->data, ex->received->len);
  g_byte_array_set_size (ex->received, 0);
}

void
sesame_oauth_exchange_free (SesameOAuthExchange *ex)
{
  if (ex == NULL)
    return;

  g_clear_handle_id (&ex->deadline_id, g_source_remove);
  g_clear_object (&ex->cancellable);
  g_free (ex->name);
  g_free (ex->uri);
  g_clear_pointer (&ex->form, g_bytes_unref);
  sesame_secret_string_free (ex->authorization);
  g_clear_pointer (&ex->error_aliases, g_hash_table_unref);
  g_byte_array_unref (ex->received);
  g_free (ex);
}

SesameOAuthExchange *
sesame_oauth_exchange_new (const char *name,
                           const char *method,
                           const char *uri)
{
  SesameOAuthExchange *ex = g_new0 (SesameOAuthExchange, 1);

  ex->name = g_strdup (name);
  ex->method = method;
  ex->uri = g_strdup (uri);
  ex->received = g_byte_array_new ();
  return ex;
}

void
sesame_oauth_exchange_set_retry (SesameOAuthExchange *ex,
                                 gboolean             retry)
{
  ex->retry = retry;
}

void
sesame_oauth_exchange_set_error_aliases (SesameOAuthExchange *ex,
                                         GHashTable          *error_aliases)
{
  g_clear_pointer (&ex->error_aliases, g_hash_table_unref);
  ex->error_aliases = error_aliases != NULL ? g_hash_table_ref (error_aliases) : NULL;
}

void
sesame_oauth_exchange_set_form (SesameOAuthExchange *ex,
                                GHashTable          *form)
{
  char *encoded = soup_form_encode_hash (form);

  g_clear_pointer (&ex->form, g_bytes_unref);
  ex->form = g_bytes_new_with_free_func (encoded, strlen (encoded),
                                         (GDestroyNotify) sesame_secret_string_free, encoded);
  ex->content_type = "application/x-www-form-urlencoded";
}

void
sesame_oauth_exchange_set_json_secret (SesameOAuthExchange *ex,
                                       const char          *member,
                                       const char          *secret)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);
  char *copy;
  char *encoded;

  json_object_set_string_member (object, member, secret);
  json_node_set_object (body, object);
  encoded = json_to_string (body, FALSE);
  /* The object's own copy of the secret is wiped before it is freed. */
  copy = (char *) json_object_get_string_member (object, member);
  explicit_bzero (copy, strlen (copy));

  g_clear_pointer (&ex->form, g_bytes_unref);
  ex->form = g_bytes_new_with_free_func (encoded, strlen (encoded),
                                         (GDestroyNotify) sesame_secret_string_free, encoded);
  ex->content_type = "application/json";
}

void
sesame_oauth_exchange_set_bearer (SesameOAuthExchange *ex,
                                  const char          *access_token)
{
  sesame_secret_string_free (ex->authorization);
  ex->authorization = g_strconcat ("Bearer ", access_token, NULL);
}

/* HTTP Basic (RFC 7617) with @user and @password as given. */
static void
exchange_set_basic (SesameOAuthExchange *ex,
                    const char          *user,
                    const char          *password)
{
  char *pair = g_strconcat (user, ":", password, NULL);
  char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));

  sesame_secret_string_free (ex->authorization);
  ex->authorization = g_strconcat ("Basic ", encoded, NULL);
  sesame_secret_string_free (pair);
  sesame_secret_string_free (encoded);
}

/* RFC 6749 §2.3.1: the client id and secret, each form-encoded, as HTTP
 * Basic credentials. */
static void
exchange_set_basic_auth (SesameOAuthExchange *ex,
                         const char          *client_id,
                         const char          *client_secret)
{
  g_autofree char *id = g_uri_escape_string (client_id, NULL, FALSE);
  char *secret = g_uri_escape_string (client_secret, NULL, FALSE);

  exchange_set_basic (ex, id, secret);
  sesame_secret_string_free (secret);
}

void
sesame_oauth_exchange_authenticate_basic (SesameOAuthExchange *ex,
                                          const char          *client_id,
                                          const char          *client_secret)
{
  exchange_set_basic (ex, client_id != NULL ? client_id : "",
                      client_secret != NULL ? client_secret : "");
}

/* Client authentication at the token, revocation and device endpoints.
 * @method is a token-endpoint-auth-method; a client without a secret is
 * a public client and only names itself. */
static void
authenticate_client (SesameOAuthExchange *ex,
                     GHashTable          *form,
                     const char          *method,
                     const char          *client_id,
                     const char          *client_secret)
{
  /* An unconfigured provider is refused by the provider itself, in words
   * the person can act on (invalid_client). */
  if (client_id == NULL)
    client_id = "";

  if (client_secret == NULL || client_secret[0] == '\0' || g_strcmp0 (method, "none") == 0)
    {
      g_hash_table_insert (form, "client_id", (char *) client_id);
    }
  else if (g_strcmp0 (method, "client_secret_post") == 0)
    {
      g_hash_table_insert (form, "client_id", (char *) client_id);
      g_hash_table_insert (form, "client_secret", (char *) client_secret);
    }
  else
    {
      exchange_set_basic_auth (ex, client_id, client_secret);
    }
}

void
sesame_oauth_exchange_authenticate (SesameOAuthExchange *ex,
                                    GHashTable          *form,
                                    SesameProvider      *provider)
{
  authenticate_client (ex, form, sesame_provider_get_token_endpoint_auth_method (provider),
                       sesame_provider_get_client_id (provider),
                       sesame_provider_get_client_secret (provider));
}

void
sesame_oauth_exchange_authenticate_device (SesameOAuthExchange *ex,
                                           GHashTable          *form,
                                           SesameProvider      *provider)
{
  authenticate_client (ex, form, sesame_provider_get_token_endpoint_auth_method (provider),
                       sesame_provider_get_device_client_id (provider),
                       sesame_provider_get_device_client_secret (provider));
}

/* An account's own client (client credentials) always has a secret: it is
 * sent with Basic unless the provider wants it in the body. */
void
sesame_oauth_exchange_authenticate_own (SesameOAuthExchange *ex,
                                        GHashTable          *form,
                                        SesameProvider      *provider,
                                        const char          *client_id,
                                        const char          *client_secret)
{
  const char *method = sesame_provider_get_token_endpoint_auth_method (provider);

  if (g_strcmp0 (method, "client_secret_post") != 0)
    method = "client_secret_basic";
  authenticate_client (ex, form, method, client_id, client_secret);
}

static void send_attempt (GTask *task);

static gboolean
on_retry_due (gpointer user_data)
{
  GTask *task = user_data;

  if (g_task_return_error_if_cancelled (task))
    g_object_unref (task);
  else
    send_attempt (task);
  return G_SOURCE_REMOVE;
}

/* Waits in the main loop, not in a thread; a cancellation ends the wait at
 * once, through the cancellable's source. */
static void
schedule_retry (GTask *task,
                guint  delay_ms)
{
  g_autoptr(GSource) timeout = g_timeout_source_new (delay_ms);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (cancellable != NULL)
    {
      g_autoptr(GSource) cancelled = g_cancellable_source_new (cancellable);

      g_source_set_dummy_callback (cancelled);
      g_source_add_child_source (timeout, cancelled);
    }
  g_task_attach_source (task, timeout, on_retry_due);
}

/* Closing a body that was not read to its end would first read the rest
 * of it; a close that is already cancelled drops the connection instead. */
static void
close_stream (SesameOAuthExchange *ex)
{
  g_autoptr(GCancellable) abandon = NULL;

  if (ex->stream == NULL)
    return;
  if (!ex->read_to_end)
    {
      abandon = g_cancellable_new ();
      g_cancellable_cancel (abandon);
    }
  g_input_stream_close_async (ex->stream, G_PRIORITY_DEFAULT, abandon, NULL, NULL);
  g_clear_object (&ex->stream);
  ex->read_to_end = FALSE;
}

/* Every attempt ends here, so that no stream or secret outlives it. */
static void
reset_attempt (GTask *task)
{
  SesameOAuthExchange *ex = g_task_get_task_data (task);

  g_clear_handle_id (&ex->deadline_id, g_source_remove);
  if (ex->cancelled_id != 0)
    g_cancellable_disconnect (g_task_get_cancellable (task), ex->cancelled_id);
  ex->cancelled_id = 0;
  g_clear_object (&ex->cancellable);
  close_stream (ex);
  g_clear_object (&ex->message);
  wipe_received (ex);
  explicit_bzero (ex->chunk, sizeof (ex->chunk));
}

/* Ends one attempt: returns @error, or retries it when it is a network
 * failure and retries remain. Takes the task's reference and @error. */
static void
end_attempt (GTask  *task,
             GError *error)
{
  SesameOAuthExchange *ex = g_task_get_task_data (task);
  SesameOAuthTransport *transport =
    sesame_oauth_client_get_transport (g_task_get_source_object (task));

  reset_attempt (task);

  if (ex->retry && ex->attempt < SESAME_OAUTH_N_RETRIES &&
      g_error_matches (error, SESAME_ERROR, SESAME_ERROR_NETWORK))
    {
      g_error_free (error);
      schedule_retry (task, transport->retry_delays[ex->attempt++]);
      return;
    }

  g_task_return_error (task, error);
  g_object_unref (task);
}

/* Transport failures become Network errors; cancellation stays what it is. */
static void
end_attempt_with_io_error (GTask  *task,
                           GError *io_error)
{
  SesameOAuthExchange *ex = g_task_get_task_data (task);
  GError *error;

  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && ex->timed_out)
    {
      g_error_free (io_error);
      end_attempt (task, g_error_new (SESAME_ERROR, SESAME_ERROR_NETWORK,
                                      _("%s did not answer in time."), ex->name));
      return;
    }
  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      end_attempt (task, io_error);
      return;
    }
  error = g_error_new (SESAME_ERROR, SESAME_ERROR_NETWORK,
                       _("Could not reach %s: %s."), ex->name, io_error->message);
  g_error_free (io_error);
  end_attempt (task, error);
}

static GError *
too_large_error (SesameOAuthExchange *ex)
{
  return g_error_new (SESAME_ERROR, SESAME_ERROR_PROVIDER,
                      _("%s sent an answer larger than %d KiB, which cannot be an OAuth answer."),
                      ex->name, MAX_BODY_SIZE / 1024);
}

/* RFC 6749 §5.2. Some providers (GitHub) send their errors with 200 OK, so
 * the body decides, whatever the status. json-glib only takes UTF-8, so
 * the texts are fit for a message. */
/* The message keeps the provider's own code, which its documentation
 * explains; the error code is the OAuth one it means (error-aliases). */
static GError *
oauth_error_new (const char *name,
                 JsonObject *object,
                 GHashTable *error_aliases)
{
  const char *code = sesame_json_get_string (object, "error");
  const char *description = sesame_json_get_string (object, "error_description");
  const char *meaning;
  int error_code;

  if (code == NULL)
    return g_error_new (SESAME_ERROR, SESAME_ERROR_PROVIDER,
                        _("%s sent an error that cannot be read."), name);
  meaning = error_aliases != NULL ? g_hash_table_lookup (error_aliases, code) : NULL;
  error_code = sesame_oauth_error_from_string (meaning != NULL ? meaning : code);
  if (description == NULL || description[0] == '\0')
    return g_error_new (SESAME_OAUTH_ERROR, error_code,
                        _("%s refused the request: %s"), name, code);
  return g_error_new (SESAME_OAUTH_ERROR, error_code,
                      _("%s refused the request: %s (%s)"), name, code, description);
}

GError *
sesame_oauth_response_error (const char *name,
                             guint       status,
                             JsonObject *object,
                             GHashTable *error_aliases)
{
  if (status >= 500 || status == HTTP_TOO_MANY_REQUESTS)
    return g_error_new (SESAME_ERROR, SESAME_ERROR_NETWORK,
                        _("%s is not available right now (HTTP status %u). Try again later."),
                        name, status);
  if (object != NULL && json_object_has_member (object, "error"))
    return oauth_error_new (name, object, error_aliases);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    return g_error_new (SESAME_ERROR, SESAME_ERROR_PROVIDER,
                        _("%s answered with the unexpected HTTP status %u."),
                        name, status);
  return NULL;
}

JsonObject *
sesame_oauth_parse_body (const char *body,
                         gsize       length)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (sesame_json_parser_load (parser, body, (gssize) length, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
    return json_object_ref (json_node_get_object (root));
  return NULL;
}

static SesameOAuthResponse *
response_new (SesameOAuthExchange *ex)
{
  SesameOAuthResponse *response = g_new0 (SesameOAuthResponse, 1);

  response->status = soup_message_get_status (ex->message);
  response->length = ex->received->len;
  g_byte_array_append (ex->received, (const guint8 *) "", 1);
  response->body = (char *) g_byte_array_steal (ex->received, NULL);
  response->object = sesame_oauth_parse_body (response->body, response->length);
  return response;
}

static void
end_attempt_with_body (GTask *task)
{
  SesameOAuthExchange *ex = g_task_get_task_data (task);
  g_autoptr(SesameOAuthResponse) response = response_new (ex);
  GError *error = sesame_oauth_response_error (ex->name, response->status,
                                               response->object, ex->error_aliases);

  if (error != NULL)
    {
      end_attempt (task, error);
      return;
    }

  reset_attempt (task);
  g_task_return_pointer (task, g_steal_pointer (&response),
                         (GDestroyNotify) sesame_oauth_response_free);
  g_object_unref (task);
}

static void read_more (GTask *task);

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  SesameOAuthExchange *ex = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n_read;

  n_read = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n_read < 0)
    {
      end_attempt_with_io_error (task, error);
      return;
    }
  if (n_read == 0)
    {
      ex->read_to_end = TRUE;
      end_attempt_with_body (task);
      return;
    }

  g_byte_array_append (ex->received, ex->chunk, (guint) n_read);
  if (ex->received->len > MAX_BODY_SIZE)
    {
      end_attempt (task, too_large_error (ex));
      return;
    }
  read_more (task);
}

static void
read_more (GTask *task)
{
  SesameOAuthExchange *ex = g_task_get_task_data (task);

  g_input_stream_read_async (ex->stream, ex->chunk, sizeof (ex->chunk), G_PRIORITY_DEFAULT,
                             ex->cancellable, on_read, task);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  SesameOAuthExchange *ex = g_task_get_task_data (task);
  SoupMessageHeaders *headers;
  GError *error = NULL;

  ex->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (ex->stream == NULL)
    {
      end_attempt_with_io_error (task, error);
      return;
    }

  /* Refused before reading when the size is announced. */
  headers = soup_message_get_response_headers (ex->message);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > MAX_BODY_SIZE)
    {
      end_attempt (task, too_large_error (ex));
      return;
    }
  read_more (task);
}

static gboolean
on_deadline (gpointer user_data)
{
  SesameOAuthExchange *ex = user_data;

  ex->deadline_id = 0;
  ex->timed_out = TRUE;
  g_cancellable_cancel (ex->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_task_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  g_cancellable_cancel (user_data);
}

/* Takes the task's reference. */
static void
send_attempt (GTask *task)
{
  SesameOAuthTransport *transport =
    sesame_oauth_client_get_transport (g_task_get_source_object (task));
  SesameOAuthExchange *ex = g_task_get_task_data (task);
  SoupMessageHeaders *headers;

  ex->message = soup_message_new (ex->method, ex->uri);
  if (ex->message == NULL)
    {
      end_attempt (task, g_error_new (SESAME_ERROR, SESAME_ERROR_PROVIDER,
                                      _("An endpoint of %s is not a valid URI."), ex->name));
      return;
    }

  /* A redirect could carry credentials to another host. */
  soup_message_add_flags (ex->message, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (ex->message);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (ex->authorization != NULL)
    soup_message_headers_replace (headers, "Authorization", ex->authorization);
  if (ex->form != NULL)
    soup_message_set_request_body_from_bytes (ex->message, ex->content_type, ex->form);

  /* The session's timeout bounds each read; a server that sends a byte
   * now and then (slow loris) is bounded by the attempt's deadline. */
  ex->cancellable = g_cancellable_new ();
  ex->timed_out = FALSE;
  if (g_task_get_cancellable (task) != NULL)
    ex->cancelled_id = g_cancellable_connect (g_task_get_cancellable (task),
                                              G_CALLBACK (on_task_cancelled),
                                              ex->cancellable, NULL);
  ex->deadline_id = g_timeout_add_seconds (transport->timeout, on_deadline, ex);
  soup_session_send_async (transport->session, ex->message, G_PRIORITY_DEFAULT,
                           ex->cancellable, on_sent, task);
}

void
sesame_oauth_exchange_send_async (SesameOAuthExchange *ex,
                                  SesameOAuthClient   *client,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task = g_task_new (client, cancellable, callback, user_data);

  g_task_set_source_tag (task, sesame_oauth_exchange_send_async);
  g_task_set_task_data (task, ex, (GDestroyNotify) sesame_oauth_exchange_free);

  if (ex->uri == NULL)
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                               _("The endpoints of %s are not known yet."), ex->name);
      g_object_unref (task);
      return;
    }
  if (!sesame_uri_is_secure_or_loopback (ex->uri))
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                               _("An endpoint of %s is not encrypted (plain http); "
                               "Sesame does not send anything there."), ex->name);
      g_object_unref (task);
      return;
    }
  send_attempt (task);
}

SesameOAuthResponse *
sesame_oauth_exchange_send_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        sesame_oauth_exchange_send_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
