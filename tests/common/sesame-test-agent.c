/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-test-agent.c: an Agent1 for tests: the scripted person answers */
#include "config.h"

#include <arpa/inet.h>

#include <libsoup/soup.h>

#include "sesame-bus-names.h"
#include "sesame-test-agent.h"

#define AGENT_PATH "/dev/sesame/TestAgent"

static const char agent_xml[] =
  "<node><interface name='dev.sesame.Agent1'>"
  "<method name='Authorize'><arg type='s' direction='in'/><arg type='a{sv}' direction='in'/>"
  "<arg type='s' direction='out'/></method>"
  "<method name='ConfirmAccess'><arg type='s' direction='in'/><arg type='a{sv}' direction='in'/>"
  "<arg type='b' direction='out'/></method>"
  "<method name='Cancel'><arg type='s' direction='in'/></method>"
  "</interface></node>";

typedef struct {
  SesameTestAgent       *agent;
  GDBusMethodInvocation *invocation;
} Pending;

static void
on_person_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Pending *pending = user_data;
  SesameTestAgent *agent = pending->agent;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &out, &err, &error) ||
      !g_subprocess_get_successful (G_SUBPROCESS (source)))
    g_error ("person.mjs failed: %s", error ? error->message : err);
  g_strchomp (out);

  if (agent->mode == SESAME_TEST_AGENT_FORGE_STATE)
    {
      g_autoptr(GRegex) state = g_regex_new ("state=[^&]*", 0, 0, NULL);
      g_autofree char *forged = g_regex_replace_literal (state, out, -1, 0,
                                                         "state=forged-by-a-test", 0, NULL);
      g_dbus_method_invocation_return_value (pending->invocation, g_variant_new ("(s)", forged));
    }
  else if (agent->mode == SESAME_TEST_AGENT_BROWSER)
    {
      /* The browser delivered the redirect; the broker's Cancel ends our call. */
      g_object_set_data_full (G_OBJECT (agent->env->connection), "browser-pending",
                              g_object_ref (pending->invocation), g_object_unref);
    }
  else
    g_dbus_method_invocation_return_value (pending->invocation, g_variant_new ("(s)", out));

  g_object_unref (pending->invocation);
  g_free (pending);
}

/* Where something listens on TCP @port, as the kernel lists it (comma
 * separated): "127.0.0.1" for a socket bound to loopback only, "0.0.0.0"
 * for every address, "ipv6" for any IPv6 socket. */
static char *
listening_addresses (guint port)
{
  const char * const tables[] = { "/proc/net/tcp", "/proc/net/tcp6" };
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;

      g_assert_true (g_file_get_contents (tables[t], &contents, NULL, NULL));
      lines = g_strsplit (contents, "\n", -1);
      for (guint i = 1; lines[i] != NULL; i++)
        {
          /* "sl local_address rem_address st …", the address as HEX:PORT */
          g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
          g_auto(GStrv) local = NULL;
          struct in_addr address;

          if (g_strv_length (fields) < 4)
            continue;
          local = g_strsplit (fields[1], ":", 2);
          if (local[1] == NULL || g_ascii_strtoull (local[1], NULL, 16) != port)
            continue;
          if (t == 1)
            {
              g_ptr_array_add (found, g_strdup ("ipv6"));
              continue;
            }
          /* The kernel prints the address as stored, in network order. */
          address.s_addr = (guint32) g_ascii_strtoull (local[0], NULL, 16);
          g_ptr_array_add (found, g_strdup (inet_ntoa (address)));
        }
    }
  g_ptr_array_add (found, NULL);
  return g_strjoinv (",", (char **) found->pdata);
}

/* What an attacker's page might load: the redirect URI with another state. */
static guint
try_forged_callback (const char *redirect_uri)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *uri = g_strconcat (redirect_uri, "?code=stolen&state=forged-by-a-test", NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", uri);
  g_autoptr(GBytes) G_GNUC_UNUSED body = soup_session_send_and_read (session, message, NULL, NULL);

  return soup_message_get_status (message);
}

static void
authorize (SesameTestAgent       *agent,
           GDBusMethodInvocation *invocation,
           GVariant              *details)
{
  const char *url = NULL;
  Pending *pending;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autofree char *person = g_build_filename (g_getenv ("SESAME_SOURCE_DIR"), "tests", "idp",
                                              "person.mjs", NULL);
  g_autoptr(GError) error = NULL;

  agent->n_authorize++;
  g_clear_pointer (&agent->last_details, g_variant_unref);
  agent->last_details = g_variant_ref (details);

  if (agent->mode == SESAME_TEST_AGENT_HOLD)
    {
      g_clear_object (&agent->held);
      /* The reference GDBus gave us, given back by the answer in cancel(). */
      agent->held = invocation;
      return;
    }
  if (agent->mode == SESAME_TEST_AGENT_CANCEL)
    {
      g_dbus_method_invocation_return_dbus_error (invocation, "dev.sesame.Error.Cancelled",
                                                  "The person closed the window.");
      return;
    }

  g_assert_true (g_variant_lookup (details, "authorization-url", "&s", &url));
  if (agent->mode == SESAME_TEST_AGENT_BROWSER)
    {
      const char *redirect_uri;
      g_autoptr(GUri) redirect = NULL;

      g_assert_true (g_variant_lookup (details, "redirect-uri", "&s", &redirect_uri));
      redirect = g_uri_parse (redirect_uri, G_URI_FLAGS_NONE, NULL);
      g_assert_nonnull (redirect);
      g_free (agent->listening);
      agent->listening = listening_addresses (g_uri_get_port (redirect));
      agent->forged_status = try_forged_callback (redirect_uri);
    }
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (char *) "node");
  g_ptr_array_add (argv, person);
  g_ptr_array_add (argv, (char *) "--login");
  g_ptr_array_add (argv, agent->login);
  if (agent->mode == SESAME_TEST_AGENT_DENY)
    g_ptr_array_add (argv, (char *) "--deny");
  if (agent->mode == SESAME_TEST_AGENT_BROWSER)
    g_ptr_array_add (argv, (char *) "--follow");
  g_ptr_array_add (argv, (char *) url);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  pending = g_new0 (Pending, 1);
  pending->agent = agent;
  pending->invocation = g_object_ref (invocation);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_person_done, pending);
}

static void
cancel (SesameTestAgent       *agent,
        GDBusMethodInvocation *invocation,
        const char            *request_id)
{
  GDBusMethodInvocation *browser;

  agent->n_cancel++;
  g_free (agent->last_cancelled);
  agent->last_cancelled = g_strdup (request_id);
  g_ptr_array_add (agent->cancelled, g_strdup (request_id));
  if (agent->held != NULL)
    g_dbus_method_invocation_return_dbus_error (g_steal_pointer (&agent->held),
                                                "dev.sesame.Error.Cancelled", "Closed.");
  browser = g_object_steal_data (G_OBJECT (agent->env->connection), "browser-pending");
  if (browser != NULL)
    {
      g_dbus_method_invocation_return_value (browser, g_variant_new ("(s)", ""));
      g_object_unref (browser);
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

typedef struct {
  GDBusMethodInvocation *invocation;
  gboolean               allow;
} Answer;

static gboolean
answer_later (gpointer user_data)
{
  Answer *answer = user_data;

  g_dbus_method_invocation_return_value (answer->invocation, g_variant_new ("(b)", answer->allow));
  g_object_unref (answer->invocation);
  g_free (answer);
  return G_SOURCE_REMOVE;
}

/* A held question the test never answered (its broker is gone, or the
 * test ends): the call ends as the window closing would end it. */
static void
drop_held (gpointer invocation)
{
  g_dbus_method_invocation_return_dbus_error (invocation, "dev.sesame.Error.Cancelled", "Closed.");
}

/* The person takes a moment to answer, so concurrent askers meet one question. */
static void
confirm_access (SesameTestAgent       *agent,
                GDBusMethodInvocation *invocation,
                GVariant              *parameters)
{
  Answer *answer = g_new0 (Answer, 1);

  agent->n_confirm++;
  g_clear_pointer (&agent->last_confirm, g_variant_unref);
  agent->last_confirm = g_variant_get_child_value (parameters, 1);
  g_free (agent->last_confirm_id);
  g_variant_get_child (parameters, 0, "s", &agent->last_confirm_id);
  if (agent->hold_confirm)
    {
      g_ptr_array_add (agent->held_confirms, invocation);
      g_free (answer);
      return;
    }
  answer->invocation = g_object_ref (invocation);
  answer->allow = agent->allow;
  g_timeout_add (300, answer_later, answer);
}

static void
on_method_call (GDBusConnection       *connection,
                const char            *sender,
                const char            *path,
                const char            *interface,
                const char            *method,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  SesameTestAgent *agent = user_data;

  if (g_str_equal (method, "Authorize"))
    {
      g_autoptr(GVariant) details = g_variant_get_child_value (parameters, 1);
      authorize (agent, invocation, details);
    }
  else if (g_str_equal (method, "Cancel"))
    {
      const char *request_id;
      g_variant_get (parameters, "(&s)", &request_id);
      cancel (agent, invocation, request_id);
    }
  else
    confirm_access (agent, invocation, parameters);
}

static const GDBusInterfaceVTable vtable = { on_method_call, NULL, NULL, { 0 } };

SesameTestAgent *
sesame_test_agent_new (SesameTestEnv *env)
{
  SesameTestAgent *agent = g_new0 (SesameTestAgent, 1);
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (agent_xml, NULL);
  g_autoptr(GError) error = NULL;

  agent->env = env;
  agent->login = g_strdup ("alice");
  agent->allow = TRUE;
  agent->held_confirms = g_ptr_array_new_with_free_func (drop_held);
  agent->cancelled = g_ptr_array_new_with_free_func (g_free);
  agent->registration_id =
    g_dbus_connection_register_object (env->connection, AGENT_PATH, info->interfaces[0],
                                       &vtable, agent, NULL, &error);
  g_assert_no_error (error);
  return agent;
}

void
sesame_test_agent_register (SesameTestAgent *agent)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = sesame_test_env_call (agent->env, SESAME_BROKER_PATH, SESAME_BROKER_IFACE,
                                "RegisterAgent", g_variant_new ("(o)", AGENT_PATH), NULL,
                                &error);
  g_assert_no_error (error);
}

void
sesame_test_agent_set (SesameTestAgent     *agent,
                       SesameTestAgentMode  mode,
                       const char          *login)
{
  agent->mode = mode;
  g_free (agent->login);
  agent->login = g_strdup (login);
}

gboolean
sesame_test_agent_answer (SesameTestAgent *agent,
                          const char      *request_id,
                          gboolean         allow)
{
  for (guint i = 0; i < agent->held_confirms->len; i++)
    {
      GDBusMethodInvocation *invocation = agent->held_confirms->pdata[i];
      const char *id;

      g_variant_get_child (g_dbus_method_invocation_get_parameters (invocation), 0, "&s", &id);
      if (g_str_equal (id, request_id))
        {
          g_ptr_array_steal_index (agent->held_confirms, i);
          g_dbus_method_invocation_return_value (invocation, g_variant_new ("(b)", allow));
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
sesame_test_agent_was_cancelled (SesameTestAgent *agent,
                                 const char      *request_id)
{
  return g_ptr_array_find_with_equal_func (agent->cancelled, request_id, g_str_equal, NULL);
}

void
sesame_test_agent_free (SesameTestAgent *agent)
{
  g_dbus_connection_unregister_object (agent->env->connection, agent->registration_id);
  g_clear_pointer (&agent->last_details, g_variant_unref);
  g_clear_object (&agent->held);
  g_clear_pointer (&agent->last_confirm, g_variant_unref);
  g_ptr_array_unref (agent->held_confirms);
  g_ptr_array_unref (agent->cancelled);
  g_free (agent->last_confirm_id);
  g_free (agent->last_cancelled);
  g_free (agent->listening);
  g_free (agent->login);
  g_free (agent);
}
