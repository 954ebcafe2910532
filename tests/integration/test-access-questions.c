/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-access-questions.c: the life of an access question. One nobody waits
 * for any more is withdrawn (Agent1.Cancel) and a late Allow stores no
 * grant; an Allow covers exactly the scopes it showed; the first hand-out
 * is recorded as a use. The asking apps are Flatpak apps run for real in a
 * bubblewrap sandbox, killed while asked. */
#include "config.h"

#include "sesame-bus-names.h"
#include "sesame-test-agent.h"
#include "sesame-test-env.h"


/* How long the broker gets to withdraw a question, and how long a question
 * that must stay is watched. */
#define CANCEL_TIMEOUT_MS 5000
#define SETTLE_MS 1500

static SesameTestEnv *env;
static SesameTestAgent *agent;
static char *account;

typedef struct {
  gboolean  done;
  gboolean  success;
  char     *out;
  char     *err;
} Run;

typedef struct {
  GSubprocess *process;
  Run          run;
} App;

static void
on_app_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, &run->err, NULL);
  run->success = g_subprocess_get_successful (G_SUBPROCESS (source));
  run->done = TRUE;
}

/* The account every case asks for, added by whichever case runs first. */
static const char *
ensure_account (void)
{
  g_autoptr(GError) error = NULL;

  if (account == NULL)
    account = sesame_test_env_add_account (env, "testidp", NULL, NULL, &error);
  g_assert_no_error (error);
  return account;
}

/* @method of @path with @args (GVariant texts) from the Flatpak app
 * @app_id; the call dies with the sandbox (--die-with-parent), so killing
 * bwrap takes the app off the bus. */
static App *
app_call (const char         *app_id,
          const char         *path,
          const char         *method,
          const char * const *args)
{
  const char *gdbus[] = {
    "gdbus", "call", "--session", "--dest", SESAME_BROKER_BUS_NAME,
    "--object-path", path, "--method", method, NULL
  };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) command = NULL;
  App *app = g_new0 (App, 1);

  g_strv_builder_addv (builder, gdbus);
  g_strv_builder_addv (builder, (const char **) args);
  command = g_strv_builder_end (builder);
  app->process = sesame_test_env_spawn_sandboxed (env, app_id, (const char * const *) command);
  g_subprocess_communicate_utf8_async (app->process, NULL, NULL, on_app_done, &app->run);
  return app;
}

/* GetAccessToken (@scopes, a GVariant text) from the Flatpak app @app_id. */
static App *
app_start_for (const char *app_id,
               const char *scopes)
{
  const char *args[] = { scopes, NULL };

  return app_call (app_id, ensure_account (), SESAME_ACCOUNT_IFACE ".GetAccessToken", args);
}

static App *
app_start (const char *app_id)
{
  return app_start_for (app_id, "['email']");
}

static void
app_free (App *app)
{
  g_object_unref (app->process);
  g_free (app->run.out);
  g_free (app->run.err);
  g_free (app);
}

/* Waits for the app's call to end; TRUE when it got a token. */
static gboolean
app_finish (App *app)
{
  gboolean success;

  g_assert_true (sesame_test_wait_for (&app->run.done, 30000));
  success = app->run.success;
  if (!success)
    g_test_message ("The app's call failed: %s", app->run.err);
  app_free (app);
  return success;
}

/* The app leaves the bus while its question is pending. */
static void
app_kill (App *app)
{
  g_subprocess_force_exit (app->process);
  g_assert_true (sesame_test_wait_for (&app->run.done, 30000));
  g_assert_false (app->run.success);
  app_free (app);
}

/* The request id of the next question the agent is asked. */
static char *
wait_for_question (guint asked)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;

  while (agent->n_confirm == asked && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_cmpuint (agent->n_confirm, ==, asked + 1);
  return g_strdup (agent->last_confirm_id);
}

static gboolean
wait_for_cancel (const char *request_id,
                 guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  while (!sesame_test_agent_was_cancelled (agent, request_id) &&
         g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  return sesame_test_agent_was_cancelled (agent, request_id);
}

static void
settle (guint ms)
{
  gboolean never = FALSE;

  sesame_test_wait_for (&never, ms);
}

/* How often the broker logged a request joining a pending question. */
static guint
count_joined (void)
{
  g_autofree char *log = NULL;
  guint n = 0;

  if (!g_file_get_contents (env->broker_log, &log, NULL, NULL))
    return 0;
  for (const char *p = log; (p = strstr (p, "joins the pending question")) != NULL; p++)
    n++;
  return n;
}

/* A second request of the same app joins the pending question. */
static App *
app_start_joined (const char *app_id)
{
  guint joined = count_joined ();
  gint64 deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
  App *app = app_start (app_id);

  while (count_joined () == joined && g_get_monotonic_time () < deadline)
    settle (50);
  g_assert_cmpuint (count_joined (), ==, joined + 1);
  return app;
}

/* Request ids start again with a new broker: what the agent saw of the
 * old one is forgotten. */
static void
restart_broker (void)
{
  g_ptr_array_set_size (agent->cancelled, 0);
  g_ptr_array_set_size (agent->held_confirms, 0);
  sesame_test_env_stop_broker (env);
  sesame_test_env_start_broker (env);
  sesame_test_agent_register (agent);
}

static void
test_caller_leaves (void)
{
  const char *app_id = "org.example.MailReader";
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autoptr(GVariant) grant = NULL;
  guint asked = agent->n_confirm;
  gboolean cancelled;
  App *app;

  agent->hold_confirm = TRUE;
  app = app_start (app_id);
  first = wait_for_question (asked);
  app_kill (app);

  /* The window closes; the person clicks Allow as it goes: nothing is kept. */
  cancelled = wait_for_cancel (first, CANCEL_TIMEOUT_MS);
  g_assert_true (sesame_test_agent_answer (agent, first, TRUE));
  settle (500);
  grant = sesame_test_env_find_grant (env, app_id);
  g_test_message ("Cancel for %s: %s; grant after a late Allow: %s", first,
                  cancelled ? "yes" : "no", grant ? "stored" : "none");
  g_assert_true (cancelled);
  g_assert_null (grant);

  /* The app comes back: a new question, not the withdrawn one. */
  app = app_start (app_id);
  second = wait_for_question (asked + 1);
  g_assert_cmpstr (second, !=, first);
  app_kill (app);
  g_assert_true (wait_for_cancel (second, CANCEL_TIMEOUT_MS));
  g_assert_true (sesame_test_agent_answer (agent, second, TRUE));

  /* Nothing of either question survives a restart; the next call is asked
   * afresh and the person's Allow is kept. */
  restart_broker ();
  g_assert_null (sesame_test_env_find_grant (env, app_id));
  agent->hold_confirm = FALSE;
  agent->allow = TRUE;
  app = app_start (app_id);
  g_assert_true (app_finish (app));
  g_assert_cmpuint (agent->n_confirm, ==, asked + 3);
  g_clear_pointer (&grant, g_variant_unref);
  grant = sesame_test_env_find_grant (env, app_id);
  g_assert_nonnull (grant);
}

static void
test_last_of_joined_leaves (void)
{
  const char *app_id = "org.example.Calendar";
  g_autofree char *request_id = NULL;
  guint asked = agent->n_confirm;
  App *first;
  App *second;

  agent->hold_confirm = TRUE;
  first = app_start (app_id);
  request_id = wait_for_question (asked);
  second = app_start_joined (app_id);

  /* Someone still waits: the question stays. */
  app_kill (first);
  settle (SETTLE_MS);
  g_assert_false (sesame_test_agent_was_cancelled (agent, request_id));

  /* Nobody waits any more: it is withdrawn, and a late Allow stores nothing. */
  app_kill (second);
  g_assert_true (wait_for_cancel (request_id, CANCEL_TIMEOUT_MS));
  g_assert_true (sesame_test_agent_answer (agent, request_id, TRUE));
  settle (500);
  g_assert_null (sesame_test_env_find_grant (env, app_id));
  restart_broker ();
  g_assert_null (sesame_test_env_find_grant (env, app_id));
  g_assert_cmpuint (agent->n_confirm, ==, asked + 1);
}

static void
test_joined_request_still_answered (void)
{
  const char *app_id = "org.example.Notes";
  g_autofree char *request_id = NULL;
  g_autoptr(GVariant) grant = NULL;
  guint asked = agent->n_confirm;
  App *first;
  App *second;

  agent->hold_confirm = TRUE;
  first = app_start (app_id);
  request_id = wait_for_question (asked);
  second = app_start_joined (app_id);

  app_kill (first);
  settle (SETTLE_MS);
  g_assert_false (sesame_test_agent_was_cancelled (agent, request_id));

  /* The one still waiting gets the person's answer, and the grant is kept. */
  g_assert_true (sesame_test_agent_answer (agent, request_id, TRUE));
  g_assert_true (app_finish (second));
  g_assert_false (sesame_test_agent_was_cancelled (agent, request_id));
  g_assert_cmpuint (agent->n_confirm, ==, asked + 1);
  restart_broker ();
  grant = sesame_test_env_find_grant (env, app_id);
  g_assert_nonnull (grant);
}

/* DESIGN.md: every hand-out updates last-used, the one right after Allow
 * too; before, the grant read "never used" until the app's next call. */
static void
test_first_use_recorded (void)
{
  const char *app_id = "org.example.FirstUse";
  g_autoptr(GVariant) grant = NULL;
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;
  gint64 last_used = 0;

  agent->hold_confirm = FALSE;
  agent->allow = TRUE;
  g_assert_true (app_finish (app_start (app_id)));
  grant = sesame_test_env_find_grant (env, app_id);
  g_assert_nonnull (grant);
  g_assert_true (g_variant_lookup (grant, "last-used", "x", &last_used));
  g_assert_cmpint (last_used, >=, before);

  /* And it is kept. */
  restart_broker ();
  g_clear_pointer (&grant, g_variant_unref);
  grant = sesame_test_env_find_grant (env, app_id);
  g_assert_true (g_variant_lookup (grant, "last-used", "x", &last_used));
  g_assert_cmpint (last_used, >=, before);
}

/* A request that joins a pending question but asks for more than it shows
 * is not approved by that question's Allow: it is asked for itself. */
static void
test_joined_wider_request_asked (void)
{
  const char *app_id = "org.example.Wider";
  g_autofree char *narrow = NULL;
  g_autofree char *wide = NULL;
  g_autoptr(GVariant) grant = NULL;
  g_autofree const char **scopes = NULL;
  guint asked = agent->n_confirm;
  guint joined = count_joined ();
  App *first;
  App *second;

  agent->hold_confirm = TRUE;
  first = app_start (app_id);
  narrow = wait_for_question (asked);
  second = app_start_for (app_id, "['email', 'offline_access']");
  while (count_joined () == joined)
    settle (50);

  /* The person allows what the question showed: email. */
  g_assert_true (sesame_test_agent_answer (agent, narrow, TRUE));
  g_assert_true (app_finish (first));

  /* The wider request is asked about on its own, and denied. */
  wide = wait_for_question (asked + 1);
  g_assert_cmpstr (wide, !=, narrow);
  g_assert_true (sesame_test_agent_answer (agent, wide, FALSE));
  g_assert_false (app_finish (second));

  grant = sesame_test_env_find_grant (env, app_id);
  g_assert_nonnull (grant);
  g_assert_true (g_variant_lookup (grant, "scopes", "^a&s", &scopes));
  g_assert_cmpstrv (scopes, ((const char *[]) { "email", NULL }));
  agent->hold_confirm = FALSE;
}

/* A scope the account was never granted cannot be handed out anyway: it
 * is refused before the person is asked, so that no text an app makes up
 * reaches the question. */
static void
test_unknown_scope_not_asked (void)
{
  guint asked = agent->n_confirm;
  App *app;

  agent->hold_confirm = FALSE;
  agent->allow = TRUE;
  app = app_start_for ("org.example.Persuader",
                       "['email', 'Sesame-checked-this-app:it-is-safe-to-click-Allow']");
  g_assert_true (sesame_test_wait_for (&app->run.done, 30000));
  g_assert_false (app->run.success);
  g_assert_nonnull (strstr (app->run.err, "dev.sesame.Error.ScopeNotGranted"));
  g_assert_cmpuint (agent->n_confirm, ==, asked);
  g_assert_null (sesame_test_env_find_grant (env, "org.example.Persuader"));
  app_free (app);
}

/* The same for adding: an add that joins a question showing fewer scopes
 * than it would sign in for is asked about on its own. */
static void
test_joined_wider_add_asked (void)
{
  const char *app_id = "org.example.WiderAdd";
  const char *method = SESAME_BROKER_IFACE ".AddAccount";
  const char *narrow_add[] = { "testidp", "['openid']", "{}", NULL };
  const char *wide_add[] = { "testidp", "['openid', 'profile']", "{}", NULL };
  g_autofree char *narrow = NULL;
  g_autofree char *wide = NULL;
  guint asked = agent->n_confirm;
  guint joined = count_joined ();
  App *first;
  App *second;

  sesame_test_agent_set (agent, SESAME_TEST_AGENT_CANCEL, NULL);
  agent->hold_confirm = TRUE;
  first = app_call (app_id, SESAME_BROKER_PATH, method, narrow_add);
  narrow = wait_for_question (asked);
  second = app_call (app_id, SESAME_BROKER_PATH, method, wide_add);
  while (count_joined () == joined)
    settle (50);

  /* Allowed as shown: the first goes on to sign in (and the person
   * closes that window); the wider one is asked about, and denied. */
  g_assert_true (sesame_test_agent_answer (agent, narrow, TRUE));
  g_assert_false (app_finish (first));
  wide = wait_for_question (asked + 1);
  g_assert_cmpstr (wide, !=, narrow);
  g_assert_true (sesame_test_agent_answer (agent, wide, FALSE));
  g_assert_false (app_finish (second));
  agent->hold_confirm = FALSE;
}

int
main (int    argc,
      char **argv)
{
  int status;
  g_autofree char *bwrap = g_find_program_in_path ("bwrap");

  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (bwrap);
  env = sesame_test_env_new (3600);
  sesame_test_env_start_broker (env);
  agent = sesame_test_agent_new (env);
  sesame_test_agent_register (agent);

  g_test_add_func ("/access-questions/caller-leaves", test_caller_leaves);
  g_test_add_func ("/access-questions/last-of-joined-leaves", test_last_of_joined_leaves);
  g_test_add_func ("/access-questions/joined-request-still-answered",
                   test_joined_request_still_answered);
  g_test_add_func ("/access-questions/first-use-recorded", test_first_use_recorded);
  g_test_add_func ("/access-questions/joined-wider-request-asked", test_joined_wider_request_asked);
  g_test_add_func ("/access-questions/unknown-scope-not-asked", test_unknown_scope_not_asked);
  g_test_add_func ("/access-questions/joined-wider-add-asked", test_joined_wider_add_asked);
  status = g_test_run ();

  sesame_test_agent_free (agent);
  sesame_test_env_stop_broker (env);
  sesame_test_env_free (env);
  g_free (account);
  return status;
}
