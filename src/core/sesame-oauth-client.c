/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-oauth-client.c: the OAuth 2.0 client, on libsoup 3 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include <libsoup/soup.h>

#include "sesame-error.h"
#include "sesame-json.h"
#include "sesame-oauth-client.h"
#include "sesame-oauth-client-private.h"
#include "sesame-random.h"

/* Token endpoints answer with a few kilobytes; anything past this is not
 * an OAuth answer and is not worth holding in memory. */
#define MAX_BODY_SIZE (1024 * 1024)
#define READ_CHUNK_SIZE 16384
#define TIMEOUT_SECONDS 30
#define N_RETRIES 2
#define DEFAULT_INTERVAL 5
/* A person approves a device sign-in within minutes; a longer promised
 * lifetime is not worth polling for (and a huge one would overflow). */
#define MAX_DEVICE_CODE_LIFETIME (24 * 60 * 60)
/* RFC 6585; libsoup 3.2 has no name for it */
#define HTTP_TOO_MANY_REQUESTS 429
#define DEVICE_CODE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

struct _SesameOAuthClient
{
  GObject parent_instance;

  SoupSession *session;
  guint timeout;             /* seconds: for each read, and for a whole attempt */
  guint retry_delays[N_RETRIES];
};

G_DEFINE_FINAL_TYPE (SesameOAuthClient, sesame_oauth_client, G_TYPE_OBJECT)

static void
sesame_oauth_client_finalize (GObject *object)
{
  SesameOAuthClient *self = SESAME_OAUTH_CLIENT (object);

  g_clear_object (&self->session);

  G_OBJECT_CLASS (sesame_oauth_client_parent_class)->finalize (object);
}

static void
sesame_oauth_client_class_init (SesameOAuthClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sesame_oauth_client_finalize;
}

static void
sesame_oauth_client_init (SesameOAuthClient *self)
{
  const char *timeout = g_getenv ("SESAME_HTTP_TIMEOUT");

  /* Tests of providers that never answer shorten it. */
  self->timeout = TIMEOUT_SECONDS;
  if (timeout != NULL)
    self->timeout = CLAMP (g_ascii_strtoull (timeout, NULL, 10), 1, TIMEOUT_SECONDS);
  self->session = soup_session_new_with_options ("user-agent", "Sesame/" PACKAGE_VERSION,
                                                 "timeout", self->timeout,
                                                 NULL);
  /* DESIGN.md: retried "after about 0.5 s and 2 s" */
  self->retry_delays[0] = 500;
  self->retry_delays[1] = 2000;
}

SesameOAuthClient *
sesame_oauth_client_new (void)
{
  return g_object_new (SESAME_TYPE_OAUTH_CLIENT, NULL);
}

void
sesame_oauth_client_set_retry_delays (SesameOAuthClient *self,
                                      guint              first_ms,
                                      guint              second_ms)
{
  g_return_if_fail (SESAME_IS_OAUTH_CLIENT (self));

  self->retry_delays[0] = first_ms;
  self->retry_delays[1] = second_ms;
}

void
sesame_device_authorization_free (SesameDeviceAuthorization *self)
{
  if (self == NULL)
    return;

  /* The device code can be traded for tokens until it expires. */
  sesame_secret_string_free (self->device_code);
  g_free (self->user_code);
  g_free (self->verification_uri);
  g_free (self->verification_uri_complete);
  g_free (self);
}

/* One HTTP answer, its body capped at MAX_BODY_SIZE. */
typedef struct
{
  guint       status;
  char       *body;      /* NUL-terminated; wiped when freed */
  gsize       length;
  JsonObject *object;    /* NULL unless the body is a JSON object */
} Response;

static void
response_free (Response *response)
{
  explicit_bzero (response->body, response->length);
  g_free (response->body);
  g_clear_pointer (&response->object, json_object_unref);
  g_free (response);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, response_free)

/* One request to one endpoint, sent again after a network error when
 * @retry is set. */
typedef struct
{
  char         *name;           /* who answers, for messages */
  const char   *method;
  char         *uri;
  GBytes       *form;           /* the request body, wiped when freed */
  char         *authorization;  /* the Authorization header, wiped when freed */
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
} Exchange;

static void
wipe_received (Exchange *ex)
{
  if (ex->received->len > 0)
    explicit_bzero (ex->received->data, ex->received->len);
  g_byte_array_set_size (ex->received, 0);
}

static void
exchange_free (Exchange *ex)
{
  g_clear_handle_id (&ex->deadline_id, g_source_remove);
  g_clear_object (&ex->cancellable);
  g_free (ex->name);
  g_free (ex->uri);
  g_clear_pointer (&ex->form, g_bytes_unref);
  sesame_secret_string_free (ex->authorization);
  g_byte_array_unref (ex->received);
  g_free (ex);
}

static Exchange *
exchange_new (const char *name,
              const char *method,
              const char *uri)
{
  Exchange *ex = g_new0 (Exchange, 1);

  ex->name = g_strdup (name);
  ex->method = method;
  ex->uri = g_strdup (uri);
  ex->received = g_byte_array_new ();
  return ex;
}

/* Takes @form's borrowed strings; the encoded copy is wiped when freed. */
static void
exchange_set_form (Exchange   *ex,
                   GHashTable *form)
{
  char *encoded = soup_form_encode_hash (form);

  ex->form = g_bytes_new_with_free_func (encoded, strlen (encoded),
                                         (GDestroyNotify) sesame_secret_string_free, encoded);
}

/* RFC 6749 §2.3.1: the client id and secret, each form-encoded, as HTTP
 * Basic credentials. */
static void
exchange_set_basic_auth (Exchange   *ex,
                         const char *client_id,
                         const char *client_secret)
{
  g_autofree char *id = g_uri_escape_string (client_id, NULL, FALSE);
  char *secret = g_uri_escape_string (client_secret, NULL, FALSE);
  char *pair = g_strconcat (id, ":", secret, NULL);
  char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));

  ex->authorization = g_strconcat ("Basic ", encoded, NULL);
  sesame_secret_string_free (secret);
  sesame_secret_string_free (pair);
  sesame_secret_string_free (encoded);
}

/* Client authentication at the token, revocation and device endpoints.
 * @method is a token-endpoint-auth-method; a client without a secret is
 * a public client and only names itself. */
static void
authenticate_client (Exchange   *ex,
                     GHashTable *form,
                     const char *method,
                     const char *client_id,
                     const char *client_secret)
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

static void
authenticate_provider_client (Exchange       *ex,
                              GHashTable     *form,
                              SesameProvider *provider)
{
  authenticate_client (ex, form, sesame_provider_get_token_endpoint_auth_method (provider),
                       sesame_provider_get_client_id (provider),
                       sesame_provider_get_client_secret (provider));
}

/* An account's own client (client credentials) always has a secret: it is
 * sent with Basic unless the provider wants it in the body. */
static void
authenticate_own_client (Exchange       *ex,
                         GHashTable     *form,
                         SesameProvider *provider,
                         const char     *client_id,
                         const char     *client_secret)
{
  const char *method = sesame_provider_get_token_endpoint_auth_method (provider);

  if (g_strcmp0 (method, "client_secret_post") != 0)
    method = "client_secret_basic";
  authenticate_client (ex, form, method, client_id, client_secret);
}

static char *
join_scopes (const char * const *scopes)
{
  if (scopes == NULL || scopes[0] == NULL)
    return NULL;
  return g_strjoinv (" ", (char **) scopes);
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
close_stream (Exchange *ex)
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
  Exchange *ex = g_task_get_task_data (task);

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
  Exchange *ex = g_task_get_task_data (task);
  SesameOAuthClient *self = g_task_get_source_object (task);

  reset_attempt (task);

  if (ex->retry && ex->attempt < N_RETRIES &&
      g_error_matches (error, SESAME_ERROR, SESAME_ERROR_NETWORK))
    {
      g_error_free (error);
      schedule_retry (task, self->retry_delays[ex->attempt++]);
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
  Exchange *ex = g_task_get_task_data (task);
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
too_large_error (Exchange *ex)
{
  return g_error_new (SESAME_ERROR, SESAME_ERROR_PROVIDER,
                      _("%s sent an answer larger than %d KiB, which cannot be an OAuth answer."),
                      ex->name, MAX_BODY_SIZE / 1024);
}

/* RFC 6749 §5.2. Some providers (GitHub) send their errors with 200 OK, so
 * the body decides, whatever the status. json-glib only takes UTF-8, so
 * the texts are fit for a message. */
static GError *
oauth_error_new (const char *name,
                 JsonObject *object)
{
  const char *code = sesame_json_get_string (object, "error");
  const char *description = sesame_json_get_string (object, "error_description");

  if (code == NULL)
    return g_error_new (SESAME_ERROR, SESAME_ERROR_PROVIDER,
                        _("%s sent an error that cannot be read."), name);
  if (description == NULL || description[0] == '\0')
    return g_error_new (SESAME_OAUTH_ERROR, sesame_oauth_error_from_string (code),
                        _("%s refused the request: %s"), name, code);
  return g_error_new (SESAME_OAUTH_ERROR, sesame_oauth_error_from_string (code),
                      _("%s refused the request: %s (%s)"), name, code, description);
}

GError *
sesame_oauth_response_error (const char *name,
                             guint       status,
                             JsonObject *object)
{
  if (status >= 500 || status == HTTP_TOO_MANY_REQUESTS)
    return g_error_new (SESAME_ERROR, SESAME_ERROR_NETWORK,
                        _("%s is not available right now (HTTP status %u). Try again later."),
                        name, status);
  if (object != NULL && json_object_has_member (object, "error"))
    return oauth_error_new (name, object);
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

static Response *
response_new (Exchange *ex)
{
  Response *response = g_new0 (Response, 1);

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
  Exchange *ex = g_task_get_task_data (task);
  g_autoptr(Response) response = response_new (ex);
  GError *error = sesame_oauth_response_error (ex->name, response->status,
                                               response->object);

  if (error != NULL)
    {
      end_attempt (task, error);
      return;
    }

  reset_attempt (task);
  g_task_return_pointer (task, g_steal_pointer (&response), (GDestroyNotify) response_free);
  g_object_unref (task);
}

static void read_more (GTask *task);

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Exchange *ex = g_task_get_task_data (task);
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
  Exchange *ex = g_task_get_task_data (task);

  g_input_stream_read_async (ex->stream, ex->chunk, sizeof (ex->chunk), G_PRIORITY_DEFAULT,
                             ex->cancellable, on_read, task);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Exchange *ex = g_task_get_task_data (task);
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
  Exchange *ex = user_data;

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
  SesameOAuthClient *self = g_task_get_source_object (task);
  Exchange *ex = g_task_get_task_data (task);
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
    soup_message_set_request_body_from_bytes (ex->message, "application/x-www-form-urlencoded",
                                               ex->form);

  /* The session's timeout bounds each read; a server that sends a byte
   * now and then (slow loris) is bounded by the attempt's deadline. */
  ex->cancellable = g_cancellable_new ();
  ex->timed_out = FALSE;
  if (g_task_get_cancellable (task) != NULL)
    ex->cancelled_id = g_cancellable_connect (g_task_get_cancellable (task),
                                              G_CALLBACK (on_task_cancelled),
                                              ex->cancellable, NULL);
  ex->deadline_id = g_timeout_add_seconds (self->timeout, on_deadline, ex);
  soup_session_send_async (self->session, ex->message, G_PRIORITY_DEFAULT,
                           ex->cancellable, on_sent, task);
}

/* Sends @ex (taken) and completes with its Response. */
static void
exchange_async (SesameOAuthClient   *self,
                Exchange            *ex,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, exchange_async);
  g_task_set_task_data (task, ex, (GDestroyNotify) exchange_free);

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

static Response *
exchange_finish (GAsyncResult  *result,
                 GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Token endpoint requests */

typedef struct
{
  char   *name;
  char  **requested_scopes;
} TokenRequest;

static void
token_request_free (TokenRequest *request)
{
  g_free (request->name);
  g_strfreev (request->requested_scopes);
  g_free (request);
}

static void
on_token_response (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TokenRequest *request = g_task_get_task_data (task);
  g_autoptr(Response) response = NULL;
  SesameToken *token;
  GError *error = NULL;

  response = exchange_finish (result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  token = sesame_token_new_from_response (response->body, response->length,
                                          (const char * const *) request->requested_scopes,
                                          g_get_real_time () / G_USEC_PER_SEC, &error);
  if (token == NULL)
    {
      g_prefix_error (&error, "%s: ", request->name);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, token, (GDestroyNotify) sesame_token_free);
}

/* POSTs @form to the provider's token endpoint; @ex carries the client
 * authentication already. */
static void
request_token (SesameOAuthClient   *self,
               SesameProvider      *provider,
               Exchange            *ex,
               GHashTable          *form,
               const char * const  *requested_scopes,
               gpointer             source_tag,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  TokenRequest *request = g_new0 (TokenRequest, 1);

  request->name = g_strdup (sesame_provider_get_name (provider));
  request->requested_scopes = g_strdupv ((char **) requested_scopes);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, request, (GDestroyNotify) token_request_free);

  exchange_set_form (ex, form);
  exchange_async (self, ex, cancellable, on_token_response, task);
}

static Exchange *
token_exchange_new (SesameProvider *provider)
{
  return exchange_new (sesame_provider_get_name (provider), SOUP_METHOD_POST,
                       sesame_provider_get_token_endpoint (provider));
}

static SesameToken *
token_finish (SesameOAuthClient  *self,
              GAsyncResult       *result,
              gpointer            source_tag,
              GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
sesame_oauth_client_exchange_code_async (SesameOAuthClient   *self,
                                         SesameProvider      *provider,
                                         SesameAuthRequest   *request,
                                         const char          *code,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GHashTable) form = g_hash_table_new (g_str_hash, g_str_equal);
  Exchange *ex;

  g_return_if_fail (SESAME_IS_OAUTH_CLIENT (self));
  g_return_if_fail (SESAME_IS_PROVIDER (provider));
  g_return_if_fail (SESAME_IS_AUTH_REQUEST (request));
  g_return_if_fail (code != NULL);

  ex = token_exchange_new (provider);
  g_hash_table_insert (form, "grant_type", "authorization_code");
  g_hash_table_insert (form, "code", (char *) code);
  g_hash_table_insert (form, "redirect_uri",
                       (char *) sesame_auth_request_get_redirect_uri (request));
  g_hash_table_insert (form, "code_verifier",
                       (char *) sesame_auth_request_get_code_verifier (request));
  authenticate_provider_client (ex, form, provider);

  request_token (self, provider, ex, form, sesame_auth_request_get_scopes (request),
                 sesame_oauth_client_exchange_code_async, cancellable, callback, user_data);
}

SesameToken *
sesame_oauth_client_exchange_code_finish (SesameOAuthClient  *self,
                                          GAsyncResult       *result,
                                          GError            **error)
{
  return token_finish (self, result, sesame_oauth_client_exchange_code_async, error);
}

void
sesame_oauth_client_refresh_async (SesameOAuthClient   *self,
                                   SesameProvider      *provider,
                                   const char          *refresh_token,
                                   const char * const  *scopes,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GHashTable) form = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *scope = join_scopes (scopes);
  Exchange *ex;

  g_return_if_fail (SESAME_IS_OAUTH_CLIENT (self));
  g_return_if_fail (SESAME_IS_PROVIDER (provider));
  g_return_if_fail (refresh_token != NULL);

  ex = token_exchange_new (provider);
  ex->retry = TRUE;
  g_hash_table_insert (form, "grant_type", "refresh_token");
  g_hash_table_insert (form, "refresh_token", (char *) refresh_token);
  /* RFC 6749 §6: without `scope` the grant's full scope is asked for */
  if (scope != NULL)
    g_hash_table_insert (form, "scope", scope);
  authenticate_provider_client (ex, form, provider);

  request_token (self, provider, ex, form, scopes,
                 sesame_oauth_client_refresh_async, cancellable, callback, user_data);
}

SesameToken *
sesame_oauth_client_refresh_finish (SesameOAuthClient  *self,
                                    GAsyncResult       *result,
                                    GError            **error)
{
  return token_finish (self, result, sesame_oauth_client_refresh_async, error);
}

void
sesame_oauth_client_client_credentials_async (SesameOAuthClient   *self,
                                              SesameProvider      *provider,
                                              const char          *client_id,
                                              const char          *client_secret,
                                              const char * const  *scopes,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  g_autoptr(GHashTable) form = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *scope = join_scopes (scopes);
  Exchange *ex;

  g_return_if_fail (SESAME_IS_OAUTH_CLIENT (self));
  g_return_if_fail (SESAME_IS_PROVIDER (provider));
  g_return_if_fail (client_id != NULL);
  g_return_if_fail (client_secret != NULL);

  ex = token_exchange_new (provider);
  ex->retry = TRUE;
  g_hash_table_insert (form, "grant_type", "client_credentials");
  if (scope != NULL)
    g_hash_table_insert (form, "scope", scope);
  authenticate_own_client (ex, form, provider, client_id, client_secret);

  request_token (self, provider, ex, form, scopes,
                 sesame_oauth_client_client_credentials_async, cancellable, callback, user_data);
}

SesameToken *
sesame_oauth_client_client_credentials_finish (SesameOAuthClient  *self,
                                               GAsyncResult       *result,
                                               GError            **error)
{
  return token_finish (self, result, sesame_oauth_client_client_credentials_async, error);
}

void
sesame_oauth_client_device_poll_async (SesameOAuthClient   *self,
                                       SesameProvider      *provider,
                                       const char          *device_code,
                                       const char * const  *requested_scopes,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GHashTable) form = g_hash_table_new (g_str_hash, g_str_equal);
  Exchange *ex;

  g_return_if_fail (SESAME_IS_OAUTH_CLIENT (self));
  g_return_if_fail (SESAME_IS_PROVIDER (provider));
  g_return_if_fail (device_code != NULL);

  ex = token_exchange_new (provider);
  g_hash_table_insert (form, "grant_type", DEVICE_CODE_GRANT);
  g_hash_table_insert (form, "device_code", (char *) device_code);
  authenticate_provider_client (ex, form, provider);

  request_token (self, provider, ex, form, requested_scopes,
                 sesame_oauth_client_device_poll_async, cancellable, callback, user_data);
}

SesameToken *
sesame_oauth_client_device_poll_finish (SesameOAuthClient  *self,
                                        GAsyncResult       *result,
                                        GError            **error)
{
  return token_finish (self, result, sesame_oauth_client_device_poll_async, error);
}

/* Revocation (RFC 7009) */

static void
on_revoke_response (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(Response) response = NULL;
  GError *error = NULL;

  /* §2.2: any success status means revoked; the body does not matter. */
  response = exchange_finish (result, &error);
  if (response == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
sesame_oauth_client_revoke_async (SesameOAuthClient   *self,
                                  SesameProvider      *provider,
                                  const char          *token,
                                  const char          *token_type_hint,
                                  const char          *client_id,
                                  const char          *client_secret,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GHashTable) form = g_hash_table_new (g_str_hash, g_str_equal);
  const char *endpoint;
  GTask *task;
  Exchange *ex;

  g_return_if_fail (SESAME_IS_OAUTH_CLIENT (self));
  g_return_if_fail (SESAME_IS_PROVIDER (provider));
  g_return_if_fail (token != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sesame_oauth_client_revoke_async);

  endpoint = sesame_provider_get_revocation_endpoint (provider);
  if (endpoint == NULL)
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                               _("%s offers no way to revoke access."),
                               sesame_provider_get_name (provider));
      g_object_unref (task);
      return;
    }

  ex = exchange_new (sesame_provider_get_name (provider), SOUP_METHOD_POST, endpoint);
  g_hash_table_insert (form, "token", (char *) token);
  if (token_type_hint != NULL)
    g_hash_table_insert (form, "token_type_hint", (char *) token_type_hint);
  if (client_id != NULL)
    authenticate_own_client (ex, form, provider, client_id, client_secret);
  else
    authenticate_provider_client (ex, form, provider);
  exchange_set_form (ex, form);

  exchange_async (self, ex, cancellable, on_revoke_response, task);
}

gboolean
sesame_oauth_client_revoke_finish (SesameOAuthClient  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        sesame_oauth_client_revoke_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Device authorization (RFC 8628) */

SesameDeviceAuthorization *
sesame_oauth_device_authorization_new (const char  *name,
                                       JsonObject  *object,
                                       GError     **error)
{
  g_autoptr(SesameDeviceAuthorization) authorization = g_new0 (SesameDeviceAuthorization, 1);
  const char *verification_uri = sesame_json_get_string (object, "verification_uri");
  gint64 expires_in, interval = DEFAULT_INTERVAL;

  /* Google names it verification_url. */
  if (verification_uri == NULL)
    verification_uri = sesame_json_get_string (object, "verification_url");

  authorization->device_code = g_strdup (sesame_json_get_string (object, "device_code"));
  authorization->user_code = g_strdup (sesame_json_get_string (object, "user_code"));
  authorization->verification_uri = g_strdup (verification_uri);
  authorization->verification_uri_complete =
    g_strdup (sesame_json_get_string (object, "verification_uri_complete"));

  if (authorization->device_code == NULL || authorization->user_code == NULL ||
      authorization->verification_uri == NULL ||
      !sesame_json_get_int (object, "expires_in", &expires_in) || expires_in <= 0)
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                   _("%s sent an incomplete answer to the device sign-in request."), name);
      return NULL;
    }
  if (sesame_json_get_int (object, "interval", &interval) && (interval < 1 || interval > 3600))
    interval = DEFAULT_INTERVAL;
  expires_in = MIN (expires_in, MAX_DEVICE_CODE_LIFETIME);

  authorization->expires_at = g_get_real_time () / G_USEC_PER_SEC + expires_in;
  authorization->interval = (guint) interval;
  return g_steal_pointer (&authorization);
}

static void
on_device_authorization_response (GObject      *source,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(Response) response = NULL;
  SesameDeviceAuthorization *authorization;
  GError *error = NULL;

  response = exchange_finish (result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  authorization = sesame_oauth_device_authorization_new (g_task_get_task_data (task),
                                                         response->object, &error);
  if (authorization == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, authorization,
                           (GDestroyNotify) sesame_device_authorization_free);
}

void
sesame_oauth_client_device_authorize_async (SesameOAuthClient   *self,
                                            SesameProvider      *provider,
                                            const char * const  *scopes,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_autoptr(GHashTable) form = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *scope = join_scopes (scopes);
  const char *name, *endpoint;
  GTask *task;
  Exchange *ex;

  g_return_if_fail (SESAME_IS_OAUTH_CLIENT (self));
  g_return_if_fail (SESAME_IS_PROVIDER (provider));

  name = sesame_provider_get_name (provider);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sesame_oauth_client_device_authorize_async);
  g_task_set_task_data (task, g_strdup (name), g_free);

  endpoint = sesame_provider_get_device_authorization_endpoint (provider);
  if (endpoint == NULL)
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                               _("%s does not offer sign-in from another device."), name);
      g_object_unref (task);
      return;
    }

  ex = exchange_new (name, SOUP_METHOD_POST, endpoint);
  if (scope != NULL)
    g_hash_table_insert (form, "scope", scope);
  authenticate_provider_client (ex, form, provider);
  exchange_set_form (ex, form);

  exchange_async (self, ex, cancellable, on_device_authorization_response, task);
}

SesameDeviceAuthorization *
sesame_oauth_client_device_authorize_finish (SesameOAuthClient  *self,
                                             GAsyncResult       *result,
                                             GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        sesame_oauth_client_device_authorize_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Discovery (OpenID Connect Discovery §4, RFC 8414 §3) */

typedef struct
{
  char *issuer;
  char *host;
  char *fallback_uri;   /* NULL once it was tried */
} Discovery;

static void
discovery_free (Discovery *discovery)
{
  g_free (discovery->issuer);
  g_free (discovery->host);
  g_free (discovery->fallback_uri);
  g_free (discovery);
}

static char *
well_known_uri (GUri       *issuer,
                const char *path_start,
                const char *path_end)
{
  g_autofree char *path = g_strconcat (path_start, path_end, NULL);
  g_autoptr(GUri) uri = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (issuer), NULL,
                                     g_uri_get_host (issuer), g_uri_get_port (issuer),
                                     path, NULL, NULL);

  return g_uri_to_string (uri);
}

/* OpenID Connect appends the well-known path to the issuer's path; RFC 8414
 * puts it between the host and the issuer's path. */
static Discovery *
discovery_new (const char  *issuer,
               char       **openid_uri,
               GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (issuer, G_URI_FLAGS_ENCODED, NULL);
  g_autofree char *path = NULL;
  Discovery *discovery;

  /* RFC 8414 §2: an issuer is https, without query or fragment. */
  if (uri == NULL || g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a valid issuer address."), issuer);
      return NULL;
    }
  if (!sesame_uri_is_secure_or_loopback (issuer))
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                   _("The issuer “%s” is not an https address; Sesame only asks issuers over "
                   "an encrypted connection."), issuer);
      return NULL;
    }

  path = g_strdup (g_uri_get_path (uri));
  while (path[0] != '\0' && g_str_has_suffix (path, "/"))
    path[strlen (path) - 1] = '\0';

  discovery = g_new0 (Discovery, 1);
  discovery->issuer = g_strdup (issuer);
  discovery->host = g_strdup (g_uri_get_host (uri));
  discovery->fallback_uri = well_known_uri (uri, "/.well-known/oauth-authorization-server", path);
  *openid_uri = well_known_uri (uri, path, "/.well-known/openid-configuration");
  return discovery;
}

static void discovery_fetch (GTask      *task,
                             const char *uri);

/* A missing or unreadable document is a reason to try the other address;
 * a network failure or a cancellation is not. */
static gboolean
may_fall_back (const GError *error)
{
  return error->domain == SESAME_OAUTH_ERROR ||
         g_error_matches (error, SESAME_ERROR, SESAME_ERROR_PROVIDER);
}

static void
on_discovery_response (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Discovery *discovery = g_task_get_task_data (task);
  g_autoptr(Response) response = NULL;
  g_autoptr(GError) error = NULL;
  const char *issuer;

  response = exchange_finish (result, &error);
  if (response != NULL && response->object == NULL)
    error = g_error_new (SESAME_ERROR, SESAME_ERROR_PROVIDER,
                         _("%s sent a discovery document that is not JSON."), discovery->host);

  if (error != NULL && may_fall_back (error) && discovery->fallback_uri != NULL)
    {
      g_autofree char *uri = g_steal_pointer (&discovery->fallback_uri);

      discovery_fetch (g_steal_pointer (&task), uri);
      return;
    }
  if (error != NULL && may_fall_back (error))
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                               _("%s publishes no OpenID Connect or OAuth 2.0 configuration."),
                               discovery->host);
      return;
    }
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* OpenID Connect Discovery §4.3, RFC 8414 §3.3: a document for another
   * issuer could send every request elsewhere. */
  issuer = sesame_json_get_string (response->object, "issuer");
  if (g_strcmp0 (issuer, discovery->issuer) != 0)
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                               _("The configuration published by %s is not for the issuer "
                               "“%s”; it was refused."), discovery->host, discovery->issuer);
      return;
    }
  g_task_return_pointer (task, json_object_ref (response->object),
                         (GDestroyNotify) json_object_unref);
}

/* Takes the task's reference. */
static void
discovery_fetch (GTask      *task,
                 const char *uri)
{
  Discovery *discovery = g_task_get_task_data (task);
  Exchange *ex = exchange_new (discovery->host, SOUP_METHOD_GET, uri);

  exchange_async (g_task_get_source_object (task), ex, g_task_get_cancellable (task),
                  on_discovery_response, task);
}

void
sesame_oauth_client_discover_async (SesameOAuthClient   *self,
                                    const char          *issuer,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autofree char *openid_uri = NULL;
  Discovery *discovery;
  GError *error = NULL;
  GTask *task;

  g_return_if_fail (SESAME_IS_OAUTH_CLIENT (self));
  g_return_if_fail (issuer != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sesame_oauth_client_discover_async);

  discovery = discovery_new (issuer, &openid_uri, &error);
  if (discovery == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_task_set_task_data (task, discovery, (GDestroyNotify) discovery_free);
  discovery_fetch (task, openid_uri);
}

JsonObject *
sesame_oauth_client_discover_finish (SesameOAuthClient  *self,
                                     GAsyncResult       *result,
                                     GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        sesame_oauth_client_discover_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Identity */

typedef struct
{
  char *name;
  char *claim;
  char *subject;   /* the ID token's `sub`, which the userinfo answer must repeat */
} IdentityRequest;

static void
identity_request_free (IdentityRequest *request)
{
  g_free (request->name);
  g_free (request->claim);
  g_free (request->subject);
  g_free (request);
}

/* OpenID Connect Core §2: `aud` is one string or an array of them. */
static gboolean
audience_contains (JsonObject *claims,
                   const char *client_id)
{
  g_auto(GStrv) audiences = sesame_json_collect_strings (claims, "aud");

  if (client_id == NULL)
    return FALSE;
  return g_strcmp0 (sesame_json_get_string (claims, "aud"), client_id) == 0 ||
         g_strv_contains ((const char * const *) audiences, client_id);
}

/* The ID token's claims. Its signature is not checked: it came straight
 * from the token endpoint over TLS (OpenID Connect Core §3.1.3.7, 6.);
 * its issuer and audience are, so that it cannot be another client's. */
JsonObject *
sesame_oauth_decode_id_token (SesameProvider  *provider,
                              const char      *id_token,
                              GError         **error)
{
  const char *name = sesame_provider_get_name (provider);
  const char *issuer = sesame_provider_get_issuer (provider);
  g_auto(GStrv) parts = g_strsplit (id_token, ".", 0);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree guint8 *payload = NULL;
  gsize length = 0;
  JsonObject *claims;
  JsonNode *root;

  if (g_strv_length (parts) == 3)
    payload = sesame_base64url_decode (parts[1], &length);
  if (payload == NULL ||
      !sesame_json_parser_load (parser, (const char *) payload, (gssize) length, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                   _("The ID token from %s cannot be read."), name);
      return NULL;
    }

  claims = json_node_get_object (root);
  if ((issuer != NULL && g_strcmp0 (sesame_json_get_string (claims, "iss"), issuer) != 0) ||
      !audience_contains (claims, sesame_provider_get_client_id (provider)))
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                   _("The ID token from %s was not issued by it for Sesame; it was refused."),
                   name);
      return NULL;
    }
  return json_object_ref (claims);
}

static void
on_userinfo_response (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IdentityRequest *request = g_task_get_task_data (task);
  g_autoptr(Response) response = NULL;
  const char *identity, *subject;
  GError *error = NULL;

  response = exchange_finish (result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  identity = sesame_json_get_string (response->object, request->claim);
  subject = sesame_json_get_string (response->object, "sub");
  if (identity == NULL || identity[0] == '\0')
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                               _("%s did not say which account signed in (its answer has no "
                               "“%s”)."), request->name, request->claim);
      return;
    }
  /* OpenID Connect Core §5.3.2: the answer must be about the ID token's
   * subject, or it may be about someone else. */
  if (request->subject != NULL && subject != NULL && !g_str_equal (subject, request->subject))
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                               _("%s answered about another account than the one that signed "
                               "in; it was refused."), request->name);
      return;
    }
  g_task_return_pointer (task, g_strdup (identity), g_free);
}

void
sesame_oauth_client_fetch_identity_async (SesameOAuthClient   *self,
                                          SesameProvider      *provider,
                                          const SesameToken   *token,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  IdentityRequest *request;
  const char *endpoint;
  GError *error = NULL;
  Exchange *ex;

  g_return_if_fail (SESAME_IS_OAUTH_CLIENT (self));
  g_return_if_fail (SESAME_IS_PROVIDER (provider));
  g_return_if_fail (token != NULL && token->access_token != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sesame_oauth_client_fetch_identity_async);
  request = g_new0 (IdentityRequest, 1);
  request->name = g_strdup (sesame_provider_get_name (provider));
  request->claim = g_strdup (sesame_provider_get_identity_claim (provider));
  g_task_set_task_data (task, request, (GDestroyNotify) identity_request_free);

  if (token->id_token != NULL)
    {
      g_autoptr(JsonObject) claims = sesame_oauth_decode_id_token (provider, token->id_token,
                                                                   &error);
      const char *identity = sesame_json_get_string (claims, request->claim);

      if (claims == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      if (identity != NULL && identity[0] != '\0')
        {
          g_task_return_pointer (task, g_strdup (identity), g_free);
          return;
        }
      request->subject = g_strdup (sesame_json_get_string (claims, "sub"));
    }

  endpoint = sesame_provider_get_userinfo_endpoint (provider);
  if (endpoint == NULL)
    {
      g_task_return_new_error (task, SESAME_ERROR, SESAME_ERROR_PROVIDER,
                               _("%s does not say which account signed in."), request->name);
      return;
    }

  ex = exchange_new (request->name, SOUP_METHOD_GET, endpoint);
  ex->authorization = g_strconcat ("Bearer ", token->access_token, NULL);
  exchange_async (self, ex, cancellable, on_userinfo_response, g_steal_pointer (&task));
}

char *
sesame_oauth_client_fetch_identity_finish (SesameOAuthClient  *self,
                                           GAsyncResult       *result,
                                           GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        sesame_oauth_client_fetch_identity_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
