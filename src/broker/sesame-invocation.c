/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-invocation.c: answering a method call: its errors, its scopes, its caller's access */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-error.h"
#include "sesame-invocation.h"

#define MAX_SCOPES 64
#define MAX_SCOPE_LENGTH 512

void
sesame_invocation_return_error (GDBusMethodInvocation *invocation,
                                GError                *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&error);
      error = g_error_new_literal (SESAME_ERROR, SESAME_ERROR_CANCELLED,
                                   _("The request was cancelled."));
    }
  else if (error->domain != SESAME_ERROR)
    {
      GError *mapped = g_error_new_literal (SESAME_ERROR, SESAME_ERROR_PROVIDER, error->message);

      g_error_free (error);
      error = mapped;
    }
  g_dbus_method_invocation_take_error (invocation, error);
}

static gboolean
check_scopes (const char * const *scopes,
              GError            **error)
{
  guint n = scopes ? g_strv_length ((char **) scopes) : 0;

  if (n > MAX_SCOPES)
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                   _("Too many scopes were asked for (%u; at most %u)."), n, MAX_SCOPES);
      return FALSE;
    }

  for (guint i = 0; i < n; i++)
    {
      if (strlen (scopes[i]) > MAX_SCOPE_LENGTH || !sesame_scope_is_valid (scopes[i]))
        {
          g_set_error_literal (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                               _("A scope was empty, too long or held characters a scope "
                                 "cannot have (spaces, quotes, backslashes)."));
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
sesame_invocation_check_scopes (GDBusMethodInvocation *invocation,
                                const char * const    *scopes)
{
  GError *error = NULL;

  if (check_scopes (scopes, &error))
    return TRUE;
  sesame_invocation_return_error (invocation, error);
  return FALSE;
}

char *
sesame_invocation_shorten (const char *text)
{
  const char *end = text;
  g_autofree char *valid = NULL;

  for (guint i = 0; i < 64 && *end != '\0'; i++)
    end = g_utf8_next_char (end);
  valid = g_utf8_make_valid (text, end - text);
  return *end == '\0' ? g_steal_pointer (&valid) : g_strconcat (valid, "…", NULL);
}

/* Caller identification and grants (DESIGN.md, "Which applications may use
 * an account") decide here. */
void
sesame_invocation_check_access_async (GDBusMethodInvocation *invocation,
                                      SesameAccessControl   *access_control,
                                      SesameAccess           access,
                                      SesameCredentials     *credentials,
                                      SesameProvider        *provider,
                                      const char * const    *scopes,
                                      GAsyncReadyCallback    callback,
                                      gpointer               user_data)
{
  const char *sender = g_dbus_method_invocation_get_sender (invocation);

  /* A question nobody waits for any more is withdrawn: the caller leaving
   * cancels its check. */
  sesame_access_control_check_async (access_control, sender, access, credentials, provider, scopes,
                                     sesame_access_control_get_leaving (access_control, sender),
                                     callback, user_data);
}

/* The task data of sesame_invocation_get_token_async(). */
typedef struct {
  SesameAccessControl *access_control;
  SesameCredentials   *credentials;
  char                *sender;
  char               **scopes;
  gboolean             refresh_now;
  char                *token;
  gint64               expires_at;
} TokenFetch;

static void
token_fetch_free (TokenFetch *fetch)
{
  g_object_unref (fetch->access_control);
  g_object_unref (fetch->credentials);
  g_free (fetch->sender);
  g_strfreev (fetch->scopes);
  sesame_secret_string_free (fetch->token);
  g_free (fetch);
}

/* A hand-out to an app, not Refresh() (the whole grant, whoever asks). */
static gboolean
hands_out (TokenFetch *fetch)
{
  return !(fetch->refresh_now && fetch->scopes == NULL);
}

static void
on_token (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TokenFetch *fetch = g_task_get_task_data (task);
  gboolean narrowed = TRUE;
  GError *error = NULL;

  if (!sesame_credentials_get_token_finish (fetch->credentials, result, &fetch->token,
                                            &fetch->expires_at, &narrowed, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (hands_out (fetch))
    sesame_access_control_note_narrowed (fetch->access_control, fetch->sender,
                                         fetch->credentials, narrowed);
  g_task_return_boolean (task, TRUE);
}

static void
on_token_allowed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  TokenFetch *fetch = g_task_get_task_data (task);
  g_auto(GStrv) token_scopes = NULL;
  GError *error = NULL;

  if (!sesame_access_control_check_finish (fetch->access_control, result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (hands_out (fetch))
    token_scopes = sesame_access_control_dup_token_scopes (fetch->access_control, fetch->sender,
                                                           fetch->credentials,
                                                           (const char * const *) fetch->scopes);
  sesame_credentials_get_token_async (fetch->credentials, (const char * const *) token_scopes,
                                      fetch->refresh_now, NULL, on_token, task);
}

void
sesame_invocation_get_token_async (GDBusMethodInvocation *invocation,
                                   SesameAccessControl   *access_control,
                                   SesameAccess           access,
                                   SesameCredentials     *credentials,
                                   const char * const    *scopes,
                                   gboolean               refresh_now,
                                   GAsyncReadyCallback    callback,
                                   gpointer               user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  TokenFetch *fetch = g_new0 (TokenFetch, 1);

  g_task_set_source_tag (task, sesame_invocation_get_token_async);
  fetch->access_control = g_object_ref (access_control);
  fetch->credentials = g_object_ref (credentials);
  fetch->sender = g_strdup (g_dbus_method_invocation_get_sender (invocation));
  fetch->scopes = g_strdupv ((char **) scopes);
  fetch->refresh_now = refresh_now;
  g_task_set_task_data (task, fetch, (GDestroyNotify) token_fetch_free);

  sesame_invocation_check_access_async (invocation, access_control, access, credentials, NULL,
                                        scopes, on_token_allowed, task);
}

gboolean
sesame_invocation_get_token_finish (GAsyncResult  *result,
                                    char         **token,
                                    gint64        *expires_at,
                                    GError       **error)
{
  TokenFetch *fetch = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  *token = g_steal_pointer (&fetch->token);
  *expires_at = fetch->expires_at;
  return TRUE;
}
