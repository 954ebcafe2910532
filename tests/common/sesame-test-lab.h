/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-test-lab.h: the provider lab (tests/labs): a stand-in for a real
 * provider on loopback, and the user provider file that points the
 * installed definition at it */
#pragma once

#include "sesame-test-agent.h"

G_BEGIN_DECLS

typedef struct {
  char        *provider;   /* "google", "microsoft", "github", "gitlab" */
  GSubprocess *process;
  char        *base;       /* http://127.0.0.1:PORT */
} SesameTestLab;

/* What a lab test program runs on: the bus, keyring and broker of @env,
 * the lab, and a registered agent that signs in as alice. */
typedef struct {
  SesameTestEnv   *env;
  SesameTestLab   *lab;
  SesameTestAgent *agent;
} SesameTestLabRun;

/* Starts all of it, with the test provider file for the lab's clients
 * (see sesame_test_lab_write_provider). */
SesameTestLabRun *sesame_test_lab_run_new    (const char       *provider,
                                              const char       *client_id,
                                              const char       *client_secret,
                                              const char       *device_client_id,
                                              const char       *device_client_secret);
void              sesame_test_lab_run_free   (SesameTestLabRun *run);

/* Starts tests/labs/@provider.mjs; it dies with the test. */
SesameTestLab *sesame_test_lab_start          (const char    *provider);
void           sesame_test_lab_free           (SesameTestLab *lab);

/* Writes $XDG_CONFIG_HOME/sesame/providers/ID.json with only the installed
 * definition's endpoints and issuer moved to the lab (same paths), and the
 * lab's clients: @device_client_id and its secret may be NULL. Everything
 * else comes from the installed definition. */
void           sesame_test_lab_write_provider (SesameTestLab *lab,
                                               SesameTestEnv *env,
                                               const char    *client_id,
                                               const char    *client_secret,
                                               const char    *device_client_id,
                                               const char    *device_client_secret);

/* A test endpoint of the lab (/_test/…): the parsed JSON answer. */
JsonNode      *sesame_test_lab_request        (SesameTestLab *lab,
                                               const char    *method,
                                               const char    *path_and_query);
/* The lab's /_test/state member @name (an array), owned by @state. */
JsonArray     *sesame_test_lab_seen           (JsonNode      *state,
                                               const char    *name);
/* The last element of /_test/state's @name, or NULL; a new reference. */
JsonObject    *sesame_test_lab_last           (SesameTestLab *lab,
                                               const char    *name);
/* How many of /_test/state's @name there are. */
guint          sesame_test_lab_count          (SesameTestLab *lab,
                                               const char    *name);


/* ListProviders' dict of provider @id (a{sv}); fails the test without it. */
GVariant      *sesame_test_lab_provider_info  (SesameTestEnv *env,
                                               const char    *id);
/* Fails unless @info says whether Remove @revokes and names @manage_url. */
void           sesame_test_lab_assert_removal (GVariant      *info,
                                               gboolean       revokes,
                                               const char    *manage_url);
/* Whether @info's string array @key holds @value. */
gboolean       sesame_test_lab_info_has       (GVariant      *info,
                                               const char    *key,
                                               const char    *value);

/* A string member of @object, "" when it has none. */
const char    *sesame_test_lab_string         (JsonObject    *object,
                                               const char    *name);

/* The newest refresh token the lab handed out. */
char          *sesame_test_lab_newest_refresh_token (SesameTestLab *lab);

/* Refresh of the account at @path, a broker restart, and Refresh again:
 * fails the test unless both succeed and the second sent the newest
 * refresh token the lab handed out (rotation kept, or none). */
void           sesame_test_lab_refresh_across_restart (SesameTestLabRun *run,
                                                       const char       *path);

/* `sesamectl remove --yes ID` of the account at @path: its exit status. */
int            sesame_test_lab_remove         (SesameTestEnv *env,
                                               const char    *path,
                                               char         **err);

/* `sesamectl add PROVIDER` (the agent signs in), `list --json` and
 * `token`: the account is listed with @identity, and its token works at
 * the lab. Returns the account's id. */
char          *sesame_test_lab_check_sesamectl (SesameTestLabRun *run,
                                                const char       *provider,
                                                const char       *identity);

/* The account's Scopes. */
GStrv          sesame_test_lab_scopes         (SesameTestEnv *env,
                                               const char    *path);

/* BeginDeviceSignIn for @scopes; the person @login (tests/idp/person.mjs)
 * enters the code at the verification URI and approves, or denies with @deny;
 * then FinishDeviceSignIn. Returns the account's path or NULL with @error.
 * @details_out (may be NULL) gets BeginDeviceSignIn's details. */
char          *sesame_test_lab_device_sign_in (SesameTestEnv      *env,
                                               const char         *provider,
                                               const char * const *scopes,
                                               const char         *login,
                                               gboolean            deny,
                                               GVariant          **details_out,
                                               GError            **error);

/* Stops the broker and starts it again; the agent registers again. */
void           sesame_test_lab_restart_broker (SesameTestEnv   *env,
                                               SesameTestAgent *agent);

/* Runs the built sesamectl with @args and @input (NULL: none) on its
 * standard input, iterating the main loop meanwhile
 * (the agent may answer); returns its exit status. */
int            sesame_test_lab_sesamectl      (SesameTestEnv      *env,
                                               const char * const *args,
                                               const char         *input,
                                               char              **out,
                                               char              **err);

G_END_DECLS
