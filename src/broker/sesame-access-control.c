/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-access-control.c: may this caller do this with that account? */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-access-control.h"
#include "sesame-access-limits.h"
#include "sesame-bus-names.h"
#include "sesame-error.h"


struct _SesameAccessControl
{
  GObject             parent_instance;

  GDBusConnection    *connection;
  SesameAgentManager *agents;
  SesameGrantStore   *grants;
  GSettings          *settings;
  GHashTable         *callers;      /* sender → SesameCaller */
  GHashTable         *watches;      /* sender → name watch id */
  GHashTable         *identifying;  /* sender → GPtrArray of GTask */
  GHashTable         *leaving;      /* sender → GCancellable, cancelled when it leaves */
  GHashTable         *questions;    /* question key → Question */
  SesameAccessLimits *limits;       /* questions open and Denies, per app */
};

G_DEFINE_FINAL_TYPE (SesameAccessControl, sesame_access_control, G_TYPE_OBJECT)

static void
unwatch (gpointer id)
{
  g_bus_unwatch_name (GPOINTER_TO_UINT (id));
}

static void
sesame_access_control_dispose (GObject *object)
{
  SesameAccessControl *self = SESAME_ACCESS_CONTROL (object);

  g_clear_pointer (&self->watches, g_hash_table_unref);
  g_clear_pointer (&self->callers, g_hash_table_unref);
  g_clear_pointer (&self->identifying, g_hash_table_unref);
  g_clear_pointer (&self->leaving, g_hash_table_unref);
  g_clear_pointer (&self->questions, g_hash_table_unref);
  g_clear_object (&self->limits);
  g_clear_object (&self->connection);
  g_clear_object (&self->agents);
  g_clear_object (&self->grants);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (sesame_access_control_parent_class)->dispose (object);
}

static void
sesame_access_control_class_init (SesameAccessControlClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sesame_access_control_dispose;
}

static void
sesame_access_control_init (SesameAccessControl *self)
{
  self->callers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->watches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, unwatch);
  self->identifying = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_ptr_array_unref);
  self->leaving = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->questions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->limits = sesame_access_limits_new ();
}

SesameAccessControl *
sesame_access_control_new (GDBusConnection    *connection,
                           SesameAgentManager *agents,
                           SesameGrantStore   *grants,
                           GSettings          *settings)
{
  SesameAccessControl *self = g_object_new (SESAME_TYPE_ACCESS_CONTROL, NULL);

  self->connection = g_object_ref (connection);
  self->agents = g_object_ref (agents);
  self->grants = g_object_ref (grants);
  self->settings = settings ? g_object_ref (settings) : NULL;
  return self;
}

/* ---- Who is calling ---- */

static void
on_sender_vanished (GDBusConnection *connection,
                    const char      *name,
                    gpointer         user_data)
{
  SesameAccessControl *self = user_data;
  g_autofree char *key = NULL;
  g_autoptr(GCancellable) leaving = NULL;

  g_hash_table_remove (self->callers, name);
  g_hash_table_remove (self->watches, name);
  if (g_hash_table_steal_extended (self->leaving, name, (gpointer *) &key, (gpointer *) &leaving))
    g_cancellable_cancel (leaving);
}

GCancellable *
sesame_access_control_get_leaving (SesameAccessControl *self,
                                   const char          *sender)
{
  GCancellable *leaving;

  g_return_val_if_fail (SESAME_IS_ACCESS_CONTROL (self), NULL);
  g_return_val_if_fail (sender != NULL, NULL);

  leaving = g_hash_table_lookup (self->leaving, sender);
  if (leaving == NULL)
    {
      /* Fired by the name watch that identifying the sender sets up; one
       * that cannot be identified is refused anyway, and forgotten. */
      leaving = g_cancellable_new ();
      g_hash_table_insert (self->leaving, g_strdup (sender), leaving);
    }
  return leaving;
}

typedef struct {
  SesameAccessControl *self;
  char                *sender;
} Identifying;

static void
on_identified (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Identifying *identifying = user_data;
  g_autoptr(SesameAccessControl) self = identifying->self;
  g_autofree char *sender = identifying->sender;
  g_autoptr(GPtrArray) waiting = NULL;
  g_autofree char *key = NULL;
  g_autoptr(SesameCaller) caller = NULL;
  g_autoptr(GError) error = NULL;

  g_free (identifying);
  caller = sesame_caller_identify_finish (result, &error);
  if (self->identifying == NULL ||
      !g_hash_table_steal_extended (self->identifying, sender, (gpointer *) &key,
                                    (gpointer *) &waiting))
    return;
  if (caller == NULL)
    g_hash_table_remove (self->leaving, key);
  else
    {
      g_hash_table_insert (self->callers, g_strdup (key), g_object_ref (caller));
      g_hash_table_insert (self->watches, g_strdup (key),
                           GUINT_TO_POINTER (g_bus_watch_name_on_connection (
                             self->connection, key, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
                             on_sender_vanished, self, NULL)));
    }
  for (guint i = 0; i < waiting->len; i++)
    {
      g_autoptr(GTask) task = waiting->pdata[i];

      if (caller != NULL)
        g_task_return_pointer (task, g_object_ref (caller), g_object_unref);
      else
        g_task_return_error (task, g_error_copy (error));
    }
}

void
sesame_access_control_identify_async (SesameAccessControl *self,
                                      const char          *sender,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  SesameCaller *caller = g_hash_table_lookup (self->callers, sender);
  GPtrArray *waiting;

  g_task_set_source_tag (task, sesame_access_control_identify_async);
  if (caller != NULL)
    {
      g_task_return_pointer (task, g_object_ref (caller), g_object_unref);
      g_object_unref (task);
      return;
    }

  /* Concurrent first calls of one caller share one look. */
  waiting = g_hash_table_lookup (self->identifying, sender);
  if (waiting != NULL)
    {
      g_ptr_array_add (waiting, task);
      return;
    }
  waiting = g_ptr_array_new ();
  g_ptr_array_add (waiting, task);
  g_hash_table_insert (self->identifying, g_strdup (sender), waiting);
  {
    Identifying *identifying = g_new0 (Identifying, 1);

    identifying->self = g_object_ref (self);
    identifying->sender = g_strdup (sender);
    sesame_caller_identify_async (self->connection, sender, NULL, on_identified, identifying);
  }
}

SesameCaller *
sesame_access_control_identify_finish (SesameAccessControl *self,
                                       GAsyncResult        *result,
                                       GError             **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Deciding ---- */

typedef enum {
  DECISION_ALLOW,
  DECISION_ASK,
} Decision;

static gboolean
ask_host_apps (SesameAccessControl *self)
{
  return self->settings != NULL && g_settings_get_boolean (self->settings, "ask-host-apps");
}

/* The account's id; NULL for ADD, which has no account yet. */
static const char *
account_id (SesameCredentials *credentials)
{
  return credentials ? sesame_account_get_id (sesame_credentials_get_account (credentials)) : NULL;
}

/* The scopes a request is for: empty asks for a sandboxed app's grant
 * where it has one, else for everything the account was granted. */
static const char * const *
requested_scopes (SesameAccessControl *self,
                  SesameCaller        *caller,
                  SesameCredentials   *credentials,
                  const char * const  *scopes)
{
  const SesameGrant *grant;

  if (scopes != NULL && scopes[0] != NULL)
    return scopes;
  grant = sesame_caller_is_sandboxed (caller)
    ? sesame_grant_store_lookup (self->grants, caller, account_id (credentials)) : NULL;
  if (grant != NULL)
    return (const char * const *) grant->scopes;
  return sesame_account_get_scopes (sesame_credentials_get_account (credentials));
}

static Decision
decide (SesameAccessControl *self,
        SesameCaller        *caller,
        SesameAccess         access,
        SesameCredentials   *credentials,
        const char * const  *scopes)
{
  const char *id = account_id (credentials);

  if (!sesame_caller_is_sandboxed (caller))
    {
      /* Host programs run as the person and could read the keyring: allowed
       * unless ask-host-apps says to ask before handing them tokens. */
      if (access == SESAME_ACCESS_USE && ask_host_apps (self) &&
          !sesame_grant_store_covers (self->grants, caller, id,
                                      requested_scopes (self, caller, credentials, scopes)))
        return DECISION_ASK;
      return DECISION_ALLOW;
    }

  switch (access)
    {
    case SESAME_ACCESS_USE:
      return sesame_grant_store_covers (self->grants, caller, id,
                                        requested_scopes (self, caller, credentials, scopes))
             ? DECISION_ALLOW : DECISION_ASK;
    case SESAME_ACCESS_MANAGE:
      return sesame_grant_store_covers (self->grants, caller, id, scopes)
             ? DECISION_ALLOW : DECISION_ASK;
    default:
      return DECISION_ASK;
    }
}

static void
record_use (SesameAccessControl *self,
            SesameCaller        *caller,
            SesameAccess         access,
            SesameCredentials   *credentials,
            const char * const  *scopes)
{
  if (access == SESAME_ACCESS_USE)
    sesame_grant_store_touch (self->grants, caller,
                              account_id (credentials),
                              requested_scopes (self, caller, credentials, scopes));
}

gboolean
sesame_access_control_check_now (SesameAccessControl *self,
                                 const char          *sender,
                                 SesameAccess         access,
                                 SesameCredentials   *credentials,
                                 const char * const  *scopes)
{
  SesameCaller *caller = g_hash_table_lookup (self->callers, sender);

  if (caller == NULL || decide (self, caller, access, credentials, scopes) != DECISION_ALLOW)
    return FALSE;
  record_use (self, caller, access, credentials, scopes);
  return TRUE;
}

char **
sesame_access_control_dup_token_scopes (SesameAccessControl *self,
                                        const char          *sender,
                                        SesameCredentials   *credentials,
                                        const char * const  *scopes)
{
  SesameCaller *caller = g_hash_table_lookup (self->callers, sender);

  if (caller == NULL || !sesame_caller_is_sandboxed (caller))
    return g_strdupv ((char **) scopes);
  return g_strdupv ((char **) requested_scopes (self, caller, credentials, scopes));
}

void
sesame_access_control_note_narrowed (SesameAccessControl *self,
                                     const char          *sender,
                                     SesameCredentials   *credentials,
                                     gboolean             narrowed)
{
  SesameCaller *caller = g_hash_table_lookup (self->callers, sender);

  if (caller != NULL)
    sesame_grant_store_set_narrowed (self->grants, caller, account_id (credentials), narrowed);
}

typedef struct _Question Question;

/* The task data of a check. */
typedef struct {
  SesameAccess       access;
  SesameCredentials *credentials;
  SesameProvider    *provider;
  char             **scopes;
  GVariant          *details;     /* a{sv} an add shows besides, or NULL */
  Question          *question;    /* the one it waits on, not owned */
  GSource           *cancelled;   /* while it waits: its cancellable fired */
} Check;

/* The check waits on its question no more. */
static void
check_stop_waiting (Check *check)
{
  check->question = NULL;
  if (check->cancelled != NULL)
    {
      g_source_destroy (check->cancelled);
      g_clear_pointer (&check->cancelled, g_source_unref);
    }
}

static void
check_free (Check *check)
{
  check_stop_waiting (check);
  g_clear_object (&check->credentials);
  g_clear_object (&check->provider);
  g_strfreev (check->scopes);
  g_clear_pointer (&check->details, g_variant_unref);
  g_free (check);
}

/* One question per app, account and action, whoever else asks meanwhile.
 * It is in self->questions while it can be joined, and lives until the
 * agent's call ends: on_answered() frees it. */
struct _Question {
  SesameAccessControl *self;
  SesameCaller        *caller;
  SesameCredentials   *credentials;
  SesameAccess         access;
  char                *key;
  char                *request_id;
  GPtrArray           *waiting;    /* GTask */
  GPtrArray           *scopes;     /* every scope asked for, owned strings */
  GVariant            *details;    /* what an add shows besides (issuer, client id), or NULL */
  GCancellable        *withdrawn;  /* cancelled when nobody waits any more */
};

static void
question_free (Question *question)
{
  g_object_unref (question->self);
  g_object_unref (question->caller);
  g_clear_object (&question->credentials);
  g_free (question->key);
  g_free (question->request_id);
  g_ptr_array_unref (question->waiting);
  g_ptr_array_unref (question->scopes);
  g_clear_pointer (&question->details, g_variant_unref);
  g_object_unref (question->withdrawn);
  g_free (question);
}

static const char *
action_name (SesameAccess access)
{
  switch (access)
    {
    case SESAME_ACCESS_REMOVE: return "remove";
    case SESAME_ACCESS_ADD: return "add";
    default: return "use";
    }
}

static GVariant *
question_details (Question       *question,
                  SesameProvider *provider)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_auto(GVariantBuilder) scopes = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));

  for (guint i = 0; i < question->scopes->len - 1; i++)
    {
      const char *scope = question->scopes->pdata[i];
      const char *description = sesame_provider_get_scope_description (provider, scope);

      g_variant_builder_add (&scopes, "{ss}", scope, description ? description : scope);
    }
  g_variant_dict_insert (&dict, "action", "s", action_name (question->access));
  g_variant_dict_insert (&dict, "app-id", "s", sesame_caller_get_app_id (question->caller));
  g_variant_dict_insert (&dict, "app-name", "s", sesame_caller_get_app_name (question->caller));
  g_variant_dict_insert (&dict, "provider-name", "s", sesame_provider_get_name (provider));
  if (question->credentials != NULL)
    {
      SesameAccount *account = sesame_credentials_get_account (question->credentials);
      g_autofree char *path = g_strconcat (SESAME_ACCOUNTS_PATH, sesame_account_get_id (account), NULL);

      g_variant_dict_insert (&dict, "account", "o", path);
      g_variant_dict_insert (&dict, "identity", "s", sesame_account_get_identity (account));
    }
  g_variant_dict_insert_value (&dict, "scopes", g_variant_builder_end (&scopes));
  if (question->details != NULL)
    {
      GVariantIter iter;
      const char *name;
      GVariant *value;

      g_variant_iter_init (&iter, question->details);
      while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
        {
          g_variant_dict_insert_value (&dict, name, value);
          g_variant_unref (value);
        }
    }
  return g_variant_dict_end (&dict);
}

/* An add with no scopes gets the provider's defaults: the question shows
 * them. */
static const char * const *
added_scopes (SesameProvider     *provider,
              const char * const *scopes)
{
  if (scopes != NULL && scopes[0] != NULL)
    return scopes;
  return sesame_provider_get_default_scopes (provider);
}

static void ask (SesameAccessControl *self,
                 GTask               *task,
                 SesameCaller        *caller,
                 SesameAccess         access,
                 SesameCredentials   *credentials,
                 SesameProvider      *provider,
                 const char * const  *scopes);

/* TRUE when @question showed every scope @check is for. */
static gboolean
shown (Question *question,
       Check    *check)
{
  const char * const *scopes = (const char * const *) check->scopes;
  const char * const *asked = check->credentials
    ? requested_scopes (question->self, question->caller, check->credentials, scopes)
    : added_scopes (check->provider, scopes);

  for (guint i = 0; asked != NULL && asked[i] != NULL; i++)
    if (!g_strv_contains ((const char * const *) question->scopes->pdata, asked[i]))
      return FALSE;
  return TRUE;
}

/* An Allow covers what its question showed: a request that joined it
 * asking for more is asked about on its own (a use, where the grant now
 * kept falls short). A use let through is recorded, the first hand-out as
 * every other. */
static void
allow_one (Question *question,
           GTask    *task)
{
  SesameAccessControl *self = question->self;
  Check *check = g_task_get_task_data (task);
  const char * const *scopes = (const char * const *) check->scopes;

  if (!shown (question, check) ||
      (check->access == SESAME_ACCESS_USE &&
       decide (self, question->caller, check->access, check->credentials, scopes) != DECISION_ALLOW))
    {
      ask (self, task, question->caller, check->access, check->credentials, check->provider, scopes);
      return;
    }
  record_use (self, question->caller, check->access, check->credentials, scopes);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
answer_all (Question *question,
            GError   *error)
{
  g_autoptr(GError) owned = error;
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&question->waiting);

  /* A use asked about again may start a question of this same key. */
  question->waiting = g_ptr_array_new ();
  for (guint i = 0; i < waiting->len; i++)
    {
      GTask *task = waiting->pdata[i];

      check_stop_waiting (g_task_get_task_data (task));
      if (owned == NULL)
        {
          allow_one (question, task);
          continue;
        }
      g_task_return_error (task, g_error_copy (owned));
      g_object_unref (task);
    }
}

/* No request joins @question any more, nor does it count among its app's. */
static void
close_question (Question *question)
{
  g_hash_table_remove (question->self->questions, question->key);
  sesame_access_limits_closed (question->self->limits, question->caller);
}

static void
on_answered (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Question *question = user_data;
  SesameAccessControl *self = question->self;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  gboolean allowed = FALSE;

  reply = sesame_agent_manager_call_finish (self->agents, result, &error);
  if (g_cancellable_is_cancelled (question->withdrawn))
    {
      /* Nobody asks any more, whatever the person clicked: no grant. A
       * new question of the same key may be in the table now. */
      g_debug ("Question %s was withdrawn; its answer is not kept", question->request_id);
      question_free (question);
      return;
    }

  close_question (question);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &allowed);

  if (allowed)
    {
      if (question->credentials != NULL)
        sesame_grant_store_allow (self->grants, question->caller,
                                  account_id (question->credentials),
                                  (const char * const *) question->scopes->pdata);
      answer_all (question, NULL);
    }
  else if (error != NULL && !g_error_matches (error, SESAME_ERROR, SESAME_ERROR_CANCELLED))
    answer_all (question, g_error_new (SESAME_ERROR, SESAME_ERROR_ACCESS_DENIED,
                                       _("Nobody could be asked whether %s may do this. Open "
                                         "Sesame and try again; it will ask you."),
                                       sesame_caller_get_app_name (question->caller)));
  else
    {
      sesame_access_limits_denied (self->limits, question->caller);
      answer_all (question, g_error_new (SESAME_ERROR, SESAME_ERROR_ACCESS_DENIED,
                                         _("You did not allow %s to do this."),
                                         sesame_caller_get_app_name (question->caller)));
    }
  question_free (question);
}

static void
add_scopes (GPtrArray          *list,
            const char * const *scopes)
{
  /* The list stays NULL-terminated for the grant store. */
  g_ptr_array_remove_index (list, list->len - 1);
  for (guint i = 0; scopes && scopes[i]; i++)
    if (!g_ptr_array_find_with_equal_func (list, scopes[i], g_str_equal, NULL))
      g_ptr_array_add (list, g_strdup (scopes[i]));
  g_ptr_array_add (list, NULL);
}

/* Nobody waits for the answer any more: the agent closes its window
 * (Agent1.Cancel through the call's cancellable), and whoever asks next
 * gets a question of its own. */
static void
withdraw (Question *question)
{
  g_debug ("Nobody waits for question %s any more: withdrawn", question->request_id);
  close_question (question);
  g_cancellable_cancel (question->withdrawn);
}

/* A waiting check was cancelled (its caller left the bus): it ends now
 * with Cancelled, the others keep waiting. */
static gboolean
on_check_cancelled (GCancellable *cancellable,
                    gpointer      user_data)
{
  GTask *task = user_data;
  Check *check = g_task_get_task_data (task);
  Question *question = check->question;

  check_stop_waiting (check);
  /* The question's reference to the task is ours now. */
  g_ptr_array_remove (question->waiting, task);
  g_task_return_error_if_cancelled (task);
  g_object_unref (task);
  if (question->waiting->len == 0)
    withdraw (question);
  return G_SOURCE_REMOVE;
}

/* @task waits on @question until it is answered or its cancellable fires. */
static void
wait_on (Question *question,
         GTask    *task)
{
  Check *check = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  g_ptr_array_add (question->waiting, task);
  check->question = question;
  if (cancellable != NULL)
    {
      /* A source, not a signal handler: it runs from the main loop, where
       * it may remove itself and withdraw the question. */
      check->cancelled = g_cancellable_source_new (cancellable);
      g_source_set_callback (check->cancelled, G_SOURCE_FUNC (on_check_cancelled), task, NULL);
      g_source_attach (check->cancelled, g_task_get_context (task));
    }
}

static void
ask (SesameAccessControl *self,
     GTask               *task,
     SesameCaller        *caller,
     SesameAccess         access,
     SesameCredentials   *credentials,
     SesameProvider      *provider,
     const char * const  *scopes)
{
  Check *check = g_task_get_task_data (task);
  g_autofree char *shown = check->details ? g_variant_print (check->details, FALSE) : NULL;
  /* Keyed as grants are, by kind and id: a host program and a Flatpak app
   * of the same id never share a question; nor do adds that show another
   * issuer or client id. How many an app has open, and whether it was
   * denied lately, counts per app whatever the key. */
  g_autofree char *key = g_strdup_printf ("%s\n%s\n%s\n%s\n%s",
                                          sesame_caller_get_kind_name (caller),
                                          sesame_caller_get_app_id (caller),
                                          credentials ? account_id (credentials)
                                                      : sesame_provider_get_id (provider),
                                          action_name (access), shown ? shown : "");
  Question *question = g_hash_table_lookup (self->questions, key);
  GError *error = NULL;

  if (question != NULL)
    {
      /* test-access-questions waits for this line. */
      g_debug ("A request of %s joins the pending question %s",
               sesame_caller_get_app_id (caller), question->request_id);
      wait_on (question, task);
      return;
    }
  if (!sesame_access_limits_may_ask (self->limits, caller, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  question = g_new0 (Question, 1);
  question->self = g_object_ref (self);
  question->caller = g_object_ref (caller);
  question->credentials = credentials ? g_object_ref (credentials) : NULL;
  question->access = access;
  question->key = g_strdup (key);
  question->details = check->details ? g_variant_ref (check->details) : NULL;
  question->waiting = g_ptr_array_new ();
  question->scopes = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (question->scopes, NULL);
  add_scopes (question->scopes, credentials ? requested_scopes (self, caller, credentials, scopes)
                                            : added_scopes (provider, scopes));
  question->request_id = sesame_agent_manager_new_request_id (self->agents);
  question->withdrawn = g_cancellable_new ();
  wait_on (question, task);
  g_hash_table_insert (self->questions, g_steal_pointer (&key), question);
  sesame_access_limits_opened (self->limits, caller);

  sesame_agent_manager_call_async (self->agents, "ConfirmAccess", question->request_id,
                                   question_details (question, provider), question->withdrawn,
                                   on_answered, question);
}

static void
on_caller (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  SesameAccessControl *self = g_task_get_source_object (task);
  Check *check = g_task_get_task_data (task);
  g_autoptr(SesameCaller) caller = NULL;
  GError *error = NULL;

  caller = sesame_access_control_identify_finish (self, result, &error);
  if (caller == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  /* Its caller left while it was identified: nobody to ask for. */
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  if (decide (self, caller, check->access, check->credentials,
              (const char * const *) check->scopes) == DECISION_ALLOW)
    {
      record_use (self, caller, check->access, check->credentials,
                  (const char * const *) check->scopes);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  ask (self, task, caller, check->access, check->credentials, check->provider,
       (const char * const *) check->scopes);
}

static void
start_check (SesameAccessControl *self,
             const char          *sender,
             SesameAccess         access,
             SesameCredentials   *credentials,
             SesameProvider      *provider,
             const char * const  *scopes,
             GVariant            *details,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Check *check = g_new0 (Check, 1);

  g_task_set_source_tag (task, sesame_access_control_check_async);
  check->access = access;
  check->credentials = credentials ? g_object_ref (credentials) : NULL;
  check->provider = g_object_ref (credentials ? sesame_credentials_get_provider (credentials)
                                              : provider);
  check->scopes = g_strdupv ((char **) scopes);
  check->details = details ? g_variant_ref_sink (details) : NULL;
  g_task_set_task_data (task, check, (GDestroyNotify) check_free);
  sesame_access_control_identify_async (self, sender, on_caller, task);
}

void
sesame_access_control_check_async (SesameAccessControl *self,
                                   const char          *sender,
                                   SesameAccess         access,
                                   SesameCredentials   *credentials,
                                   SesameProvider      *provider,
                                   const char * const  *scopes,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  start_check (self, sender, access, credentials, provider, scopes, NULL, cancellable,
               callback, user_data);
}

void
sesame_access_control_check_add_async (SesameAccessControl *self,
                                       const char          *sender,
                                       SesameProvider      *provider,
                                       const char * const  *scopes,
                                       GVariant            *details,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  /* As every check: the caller leaving withdraws its question. */
  start_check (self, sender, SESAME_ACCESS_ADD, NULL, provider, scopes, details,
               sesame_access_control_get_leaving (self, sender), callback, user_data);
}

gboolean
sesame_access_control_check_finish (SesameAccessControl  *self,
                                    GAsyncResult         *result,
                                    GError              **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
sesame_access_control_added (SesameAccessControl *self,
                             const char          *sender,
                             SesameCredentials   *credentials,
                             const char * const  *shown)
{
  SesameCaller *caller = g_hash_table_lookup (self->callers, sender);
  SesameAccount *added = sesame_credentials_get_account (credentials);
  const char * const *granted = sesame_account_get_scopes (added);
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) scopes = NULL;

  if (caller == NULL || !sesame_caller_is_sandboxed (caller))
    return;
  /* Never more than the question showed, whatever the provider granted. */
  builder = g_strv_builder_new ();
  for (guint i = 0; shown != NULL && shown[i] != NULL; i++)
    if (g_strv_contains (granted, shown[i]))
      g_strv_builder_add (builder, shown[i]);
  scopes = g_strv_builder_end (builder);
  sesame_grant_store_allow (self->grants, caller, sesame_account_get_id (added),
                            (const char * const *) scopes);
}
