/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesamectl.h: what the command groups of sesamectl share */
#pragma once

#include <gio/gio.h>

#include "sesame-bus-names.h"

G_BEGIN_DECLS


/* The exit codes of DESIGN.md, "sesamectl conventions". */
typedef enum {
  SESAMECTL_EXIT_OK = 0,
  SESAMECTL_EXIT_FAILURE = 1,
  SESAMECTL_EXIT_USAGE = 2,
  SESAMECTL_EXIT_NO_ACCOUNT = 3,
  SESAMECTL_EXIT_NEEDS_ATTENTION = 4,
  SESAMECTL_EXIT_ACCESS_DENIED = 5,
  SESAMECTL_EXIT_NETWORK = 6,
  SESAMECTL_EXIT_BROKER_UNAVAILABLE = 7,
} SesamectlExit;

typedef struct {
  char    *path;
  char    *id;
  char    *provider;
  char    *provider_name;
  char    *identity;
  char    *flow;
  GStrv    scopes;
  gint64   expires_at;
  gboolean attention_needed;
  char    *attention_reason;
  gint64   created_at;
  gint64   refresh_expires_at;
  gboolean removing;
} SesamectlAccount;

void              sesamectl_account_free     (SesamectlAccount *account);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SesamectlAccount, sesamectl_account_free)

/* Messages for people, on standard error. */
void              sesamectl_message          (const char *format,
                                              ...) G_GNUC_PRINTF (1, 2);
/* Prints @error's message and returns the exit code it maps to. */
int               sesamectl_report_error     (const GError *error);
int               sesamectl_usage_error      (GOptionContext *context,
                                              const char     *message);

GDBusConnection  *sesamectl_connect          (GError **error);
GVariant         *sesamectl_call             (GDBusConnection *connection,
                                              const char      *path,
                                              const char      *interface,
                                              const char      *method,
                                              GVariant        *parameters,
                                              const char      *reply_type,
                                              int              timeout_msec,
                                              GError         **error);

/* Every account, ordered by creation time. */
GPtrArray        *sesamectl_list_accounts    (GDBusConnection *connection,
                                              GError         **error);
/* ID, IDENTITY or PROVIDER:IDENTITY; NULL with *@exit_code set (and a
 * message printed) when none or several match. */
SesamectlAccount *sesamectl_resolve_account  (GPtrArray  *accounts,
                                              const char *spec,
                                              int        *exit_code);
/* ListProviders' dicts, as an "aa{sv}" array. */
GVariant         *sesamectl_list_providers   (GDBusConnection *connection,
                                              GError         **error);
/* The dict of provider @id in @providers (from the above), or NULL. */
GVariant         *sesamectl_find_provider    (GVariant   *providers,
                                              const char *id);
char             *sesamectl_format_time      (gint64 unix_time);
/* Parses the command's options; returns FALSE with *@exit_code set. */
gboolean          sesamectl_parse_options    (GOptionContext *context,
                                              int            *argc,
                                              char         ***argv,
                                              int            *exit_code);

int sesamectl_list          (int argc, char **argv);
int sesamectl_token         (int argc, char **argv);
int sesamectl_add           (int argc, char **argv);
int sesamectl_remove        (int argc, char **argv);
int sesamectl_grants        (int argc, char **argv);
int sesamectl_revoke_grant  (int argc, char **argv);
int sesamectl_git_credential (int argc, char **argv);

G_END_DECLS
