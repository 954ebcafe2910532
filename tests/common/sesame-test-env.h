/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-test-env.h: real components for tests: a private bus, gnome-keyring,
 * the oidc-provider test identity provider and the broker, in a temporary HOME */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The password of the test keyring, which a person would type to unlock it. */
#define SESAME_TEST_KEYRING_PASSWORD "sesame-test-keyring"

typedef struct {
  char            *home;           /* temporary HOME, removed at the end */
  char            *data_dir;       /* $XDG_DATA_HOME */
  char            *config_dir;     /* $XDG_CONFIG_HOME */
  char            *bus_address;
  GSubprocess     *bus;
  GSubprocess     *keyring;
  GSubprocess     *idp;
  char            *issuer;
  guint            idp_port;
  guint            access_token_ttl;
  GSubprocess     *broker;
  char            *broker_log;     /* the broker's stderr */
  GDBusConnection *connection;     /* the test's own connection to the bus */
  const char      *settings_backend; /* GSETTINGS_BACKEND of the components: "memory" */
} SesameTestEnv;

/* Starts the bus, the keyring (unlocked) and the identity provider, and
 * writes the provider files "testidp" (authorization code, device) for it.
 * Skips the test program when a component is missing. */
SesameTestEnv *sesame_test_env_new           (guint access_token_ttl);
void           sesame_test_env_free          (SesameTestEnv *env);

/* Where the test providers say a person manages their access. */
#define SESAME_TEST_MANAGE_URL "https://id.example.test/account/apps"

/* Writes the provider @id: the test identity provider with its endpoints
 * given and no revocation endpoint, so that Remove cannot revoke. The
 * broker reads it when it next starts. */
void           sesame_test_env_write_unrevocable_provider (SesameTestEnv *env,
                                                           const char    *id);

void           sesame_test_env_start_broker  (SesameTestEnv *env);
/* SIGTERM, and waits: the broker must exit cleanly (status 0). */
void           sesame_test_env_stop_broker   (SesameTestEnv *env);
/* Stops and starts the provider on the same port, keeping its state. */
void           sesame_test_env_stop_idp      (SesameTestEnv *env);
void           sesame_test_env_start_idp     (SesameTestEnv *env);

/* A Remove of @path cut short (the broker stopped once the account was
 * marked "removing"), and a broker started while the provider is down,
 * which has given up finishing it (issue 21). The provider stays down. */
void           sesame_test_env_leave_removal_unfinished (SesameTestEnv *env,
                                                         const char    *path);

/* Locks every collection of the keyring, as when the screen was locked. */
void           sesame_test_env_lock_keyring  (SesameTestEnv *env);

/* Stops and starts gnome-keyring (the same keyring files). */
void           sesame_test_env_stop_keyring  (SesameTestEnv *env);
void           sesame_test_env_start_keyring (SesameTestEnv *env);

/* The provider's test endpoints (/_test/…); returns the parsed JSON. */
JsonNode      *sesame_test_env_idp_request   (SesameTestEnv *env,
                                              const char    *method,
                                              const char    *path_and_query);
/* A test endpoint of a server at @base: must answer 200; the parsed JSON. */
JsonNode      *sesame_test_request_json      (const char    *base,
                                              const char    *method,
                                              const char    *path_and_query);
gint64         sesame_test_env_idp_count     (SesameTestEnv *env,
                                              const char    *grant_type);

/* The scopes the provider says @token carries, space-separated. */
char          *sesame_test_env_token_scope   (SesameTestEnv *env,
                                              const char    *token);
/* The `scope` the last refresh request sent; NULL when it sent none. */
char          *sesame_test_env_last_refresh_scope (SesameTestEnv *env);

/* Calls the broker and waits (iterating the main loop, so an agent in this
 * process can answer). Returns the reply or NULL with @error set. */
GVariant      *sesame_test_env_call          (SesameTestEnv *env,
                                              const char    *path,
                                              const char    *interface,
                                              const char    *method,
                                              GVariant      *parameters,
                                              const char    *reply_type,
                                              GError       **error);
/* A call in progress, started by sesame_test_env_call_async(). */
typedef struct {
  GVariant *reply;
  GError   *error;
  gboolean  done;
} SesameTestCall;

/* Starts a call to the broker and returns at once; @call->done is set when
 * it ends. */
void           sesame_test_env_call_async    (SesameTestEnv  *env,
                                              SesameTestCall *call,
                                              const char     *path,
                                              const char     *interface,
                                              const char     *method,
                                              GVariant       *parameters,
                                              const char     *reply_type);
/* Waits for @call to end and frees what it got. */
void           sesame_test_call_clear        (SesameTestCall *call);

/* @command run as the Flatpak app @app_id: bubblewrap over the host's
 * /usr, a /.flatpak-info naming @app_id and the test's bus; it dies with
 * the test. */
GSubprocess   *sesame_test_env_spawn_sandboxed (SesameTestEnv      *env,
                                                const char         *app_id,
                                                const char * const *command);
/* ListGrants of a host caller: every grant, as aa{sv}. */
GVariant      *sesame_test_env_list_grants   (SesameTestEnv *env);
/* The grant of @app_id, or NULL. */
GVariant      *sesame_test_env_find_grant    (SesameTestEnv *env,
                                              const char    *app_id);
GVariant      *sesame_test_env_get_property  (SesameTestEnv *env,
                                              const char    *path,
                                              const char    *name);

/* AddAccount with @scopes (NULL: the defaults) and @options (NULL: none);
 * returns the account's path, or NULL with @error set. */
char          *sesame_test_env_add_account     (SesameTestEnv      *env,
                                                const char         *provider,
                                                const char * const *scopes,
                                                GVariant           *options,
                                                GError            **error);
/* GetAccessToken on @path for @scopes (NULL: every granted scope). */
char          *sesame_test_env_get_token       (SesameTestEnv      *env,
                                                const char         *path,
                                                const char * const *scopes,
                                                gint64             *expires_at,
                                                GError            **error);

/* An Account1 property of the account at @path. */
char          *sesame_test_env_string_property (SesameTestEnv *env,
                                                const char    *path,
                                                const char    *name);
/* Fails the test unless the property @name of @path is @expected. */
void           sesame_test_env_assert_string_property (SesameTestEnv *env,
                                                       const char    *path,
                                                       const char    *name,
                                                       const char    *expected);
gint64         sesame_test_env_int_property    (SesameTestEnv *env,
                                                const char    *path,
                                                const char    *name);
gboolean       sesame_test_env_bool_property   (SesameTestEnv *env,
                                                const char    *path,
                                                const char    *name);
/* How many accounts the broker's ObjectManager lists. */
guint          sesame_test_env_count_accounts  (SesameTestEnv *env);
/* Who the provider's userinfo endpoint says @token belongs to (NULL when
 * it refuses the token). */
char          *sesame_test_env_userinfo_email  (SesameTestEnv *env,
                                                const char    *token);
/* @n GetAccessToken calls on @path at once, while the provider holds its
 * token endpoint for @delay_ms: returns the token every caller got, NULL
 * when one failed or they differ. */
char          *sesame_test_env_call_crowd      (SesameTestEnv *env,
                                                const char    *path,
                                                guint          n,
                                                guint          delay_ms);

/* Fails the test unless the account at @path gives a token that the
 * provider's userinfo endpoint says belongs to @email. */
void           sesame_test_env_assert_token_of (SesameTestEnv *env,
                                                const char    *path,
                                                const char    *email);

/* Feeds @input to @process (which pipes its standard streams), iterating
 * the main loop (an agent in this process may have to answer) until it
 * ends; @out and @err get what it wrote. Returns its exit status. */
int            sesame_test_communicate       (GSubprocess   *process,
                                              const char    *input,
                                              char         **out,
                                              char         **err);

/* Runs the scripted person (tests/idp/person.mjs) with @args and returns
 * its standard output without the final newline. */
char          *sesame_test_env_run_person    (const char * const *args,
                                              GError            **error);

/* The person enters the code of the device sign-in @request (as
 * BeginDeviceSignIn described it in @details) as @login at the provider;
 * returns FinishDeviceSignIn's account path, NULL with @error. */
char          *sesame_test_env_finish_device_sign_in (SesameTestEnv  *env,
                                                      const char     *request,
                                                      GVariant       *details,
                                                      const char     *login,
                                                      GError        **error);

/* The keyring secret of the account whose id is @account_id, NULL when
 * there is none; fails the test when the keyring cannot be read. */
char          *sesame_test_env_keyring_secret (SesameTestEnv *env,
                                               const char    *account_id);

/* Every file under HOME, concatenated, to look for leaked secrets. */
GBytes        *sesame_test_env_slurp_files   (SesameTestEnv *env);
gboolean       sesame_test_env_files_contain (SesameTestEnv *env,
                                              const char    *needle);

/* Lets the private bus start the accessibility bus on demand, as a desktop
 * session's bus does: GTK then serves its accessibility tree over AT-SPI,
 * as it does for a person with a screen reader. */
void           sesame_test_env_install_accessibility_bus (SesameTestEnv *env);

/* Writes @n accounts of the "testidp" provider into the metadata (no
 * secrets): for benchmarks of many accounts, before the broker starts. */
void           sesame_test_env_write_accounts (SesameTestEnv *env,
                                               guint          n);

/* Parses a JSON response body (which is not NUL-terminated). */
JsonNode      *sesame_test_parse_json        (GBytes *body);

/* Fails the test unless @error is the D-Bus error @name. */
void           sesame_test_assert_dbus_error (const GError *error,
                                              const char   *name);

/* The next line of @input (NULL at its end), within a minute even on a
 * loaded machine: a program that prints nothing fails the test, named
 * @name, instead of hanging it. */
char          *sesame_test_read_line         (GDataInputStream *input,
                                              const char       *name);

/* Iterates the main loop until *@flag is set or @timeout_ms passes. */
gboolean       sesame_test_wait_for          (gboolean *flag,
                                              guint     timeout_ms);

/* Adds the test case @path, which runs @setup and then @test. @setup makes
 * what the case needs (an account, a locked keyring…) unless an earlier case
 * left it: so that every case also runs alone (-p PATH). */
void           sesame_test_add_with_setup    (const char *path,
                                              GTestFunc   setup,
                                              GTestFunc   test);

G_END_DECLS
