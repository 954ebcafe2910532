/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-app-models.c: what the app says in words, and how it reads the broker's answers */
#include "config.h"

#include <locale.h>

#include "sesame-access-dialog.h"
#include "sesame-consent-window.h"
#include "sesame-format.h"
#include "sesame-grant-info.h"
#include "sesame-provider-info.h"

#define NOW 1800000000

static void
test_relative (void)
{
  static const struct { gint64 offset; const char *words; } cases[] = {
    { 0, "in less than a minute" },
    { 59, "in less than a minute" },
    { 60, "in 1 minute" },
    { 42 * 60 + 10, "in 42 minutes" },
    { 59 * 60 + 40, "in 1 hour" },
    { 90 * 60, "in 2 hours" },
    { -5 * 60, "5 minutes ago" },
    { -3 * 3600, "3 hours ago" },
    { 3 * 86400, "in 3 days" },
    { -86400, "1 day ago" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *words = sesame_format_relative (NOW + cases[i].offset, NOW);

      g_assert_cmpstr (words, ==, cases[i].words);
    }
}

static void
test_expiry (void)
{
  g_autofree char *soon = sesame_format_expiry (NOW + 42 * 60, NOW);
  g_autofree char *past = sesame_format_expiry (NOW - 2 * 3600, NOW);
  g_autofree char *none = sesame_format_expiry (0, NOW);

  g_assert_cmpstr (soon, ==, "Token expires in 42 minutes");
  g_assert_cmpstr (past, ==, "Token expired 2 hours ago: a new one is fetched when an app asks");
  g_assert_cmpstr (none, ==, "No token yet: one is fetched when an app asks");
}

/* A grant's end: in words within a week, else nothing on the row. */
static void
test_coming_end (void)
{
  g_autoptr(GDateTime) march = g_date_time_new_local (2027, 3, 12, 12, 0, 0);
  gint64 end = g_date_time_to_unix (march);
  g_autofree char *near = sesame_format_coming_end (end, end - 6 * 86400);
  g_autofree char *far = sesame_format_coming_end (end, end - 8 * 86400);
  g_autofree char *unknown = sesame_format_coming_end (0, end);
  g_autofree char *words = sesame_format_refresh_end (end);

  g_assert_cmpstr (near, ==, "Sign in again before 12 March");
  g_assert_null (far);
  g_assert_null (unknown);
  g_assert_cmpstr (words, ==, "12 March 2027");
  g_assert_null (sesame_format_refresh_end (0));
}

static void
test_time (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 11, 25, 14, 5, 0);
  gint64 t = g_date_time_to_unix (now);
  g_autofree char *today = sesame_format_time (t, t);
  g_autofree char *tomorrow = sesame_format_time (t + 86400, t);
  g_autofree char *yesterday = sesame_format_time (t - 86400, t);
  g_autofree char *later = sesame_format_time (t + 5 * 86400, t);

  g_assert_cmpstr (today, ==, "Today at 14:05");
  g_assert_cmpstr (tomorrow, ==, "Tomorrow at 14:05");
  g_assert_cmpstr (yesterday, ==, "Yesterday at 14:05");
  g_assert_true (g_str_has_suffix (later, " at 14:05"));
  g_assert_false (g_str_has_prefix (later, "Today"));
}

static void
test_scope_labels (void)
{
  static const struct { const char *scope; const char *label; } cases[] = {
    { "openid", "Identity" },
    { "email", "Email address" },
    { "offline_access", "Offline access" },
    { "https://www.googleapis.com/auth/calendar", "calendar" },
    { "https://mail.google.com/", "mail.google.com" },
    { "api:read", "api:read" },
    { "Mail.Read", "Mail.Read" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *label = sesame_format_scope_label (cases[i].scope);

      g_assert_cmpstr (label, ==, cases[i].label);
    }
}

static void
test_scope_summary (void)
{
  const char *none[] = { NULL };
  const char *one[] = { "email", NULL };
  const char *two[] = { "openid", "email", NULL };
  const char *five[] = { "openid", "email", "profile", "offline_access", "https://mail.google.com/", NULL };
  g_autofree char *s0 = sesame_format_scope_summary (none, 3);
  g_autofree char *s1 = sesame_format_scope_summary (one, 3);
  g_autofree char *s2 = sesame_format_scope_summary (two, 3);
  g_autofree char *s5 = sesame_format_scope_summary (five, 3);

  g_assert_cmpstr (s0, ==, "No permissions");
  g_assert_cmpstr (s1, ==, "Email address");
  g_assert_cmpstr (s2, ==, "Identity and Email address");
  g_assert_cmpstr (s5, ==, "Identity, Email address, Profile and 2 more");
}

static void
test_provider_info (void)
{
  g_autoptr(GVariant) description = g_variant_ref_sink (g_variant_new_parsed (
    "{'id': <'google'>, 'name': <'Google'>, 'icon-name': <'sesame-google-symbolic'>,"
    " 'scopes': <{'openid': 'Confirm who you are', 'email': 'See your email address'}>,"
    " 'default-scopes': <['openid']>, 'flows': <['authorization_code', 'device_code']>,"
    " 'configured': <false>, 'template': <false>, 'git-hosts': <@as []>,"
    " 'registration-url': <'https://console.cloud.google.com/apis/credentials'>,"
    " 'a-later-addition': <42>}"));
  g_autoptr(GVariant) sparse = g_variant_ref_sink (g_variant_new_parsed ("{'id': <'x'>}"));
  g_autoptr(SesameProviderInfo) info = sesame_provider_info_new (description);
  g_autoptr(SesameProviderInfo) minimal = sesame_provider_info_new (sparse);

  g_assert_cmpstr (sesame_provider_info_get_name (info), ==, "Google");
  g_assert_cmpstr (sesame_provider_info_describe_scope (info, "email"), ==, "See your email address");
  g_assert_null (sesame_provider_info_describe_scope (info, "profile"));
  g_assert_cmpuint (g_strv_length ((char **) sesame_provider_info_get_scopes (info)), ==, 2);
  g_assert_true (sesame_provider_info_offers_flow (info, "device_code"));
  g_assert_false (sesame_provider_info_offers_flow (info, "client_credentials"));
  g_assert_false (sesame_provider_info_is_configured (info));
  g_assert_cmpstr (sesame_provider_info_get_registration_url (info), ==,
                   "https://console.cloud.google.com/apis/credentials");
  /* Whatever a broker leaves out gets a harmless default. */
  g_assert_cmpstr (sesame_provider_info_get_name (minimal), ==, "x");
  g_assert_cmpstr (sesame_provider_info_get_icon_name (minimal), ==, "dialog-password-symbolic");
  g_assert_cmpuint (g_strv_length ((char **) sesame_provider_info_get_scopes (minimal)), ==, 0);
  g_assert_null (sesame_provider_info_get_registration_url (minimal));
}

static void
test_grant_info (void)
{
  g_autoptr(GVariant) description = g_variant_ref_sink (g_variant_new_parsed (
    "{'app-id': <'org.example.Mail'>, 'app-name': <'Mail'>, 'kind': <'flatpak'>,"
    " 'account': <objectpath '/dev/sesame/Broker/accounts/a1'>, 'scopes': <['email']>,"
    " 'granted-at': <int64 100>, 'last-used': <int64 200>}"));
  g_autoptr(SesameGrantInfo) grant = sesame_grant_info_new (description);

  g_assert_cmpstr (sesame_grant_info_get_app_name (grant), ==, "Mail");
  g_assert_cmpstr (sesame_grant_info_get_kind (grant), ==, "flatpak");
  g_assert_cmpstr (sesame_grant_info_get_account (grant), ==, "/dev/sesame/Broker/accounts/a1");
  g_assert_cmpint (sesame_grant_info_get_last_used (grant), ==, 200);
  g_assert_cmpint (sesame_grant_info_get_granted_at (grant), ==, 100);
}

static SesameGrantInfo *
grant_of (const char *app_id,
          const char *kind,
          gint64      last_used)
{
  g_autoptr(GVariant) description = g_variant_ref_sink (g_variant_new_parsed (
    "{'app-id': <%s>, 'kind': <%s>, 'account': <objectpath '/dev/sesame/Broker/accounts/a1'>,"
    " 'scopes': <['email']>, 'last-used': <%x>}", app_id, kind, last_used));

  return sesame_grant_info_new (description);
}

static void
count_emission (guint *count)
{
  (*count)++;
}

/* Records each items-changed as "position-removed-added". */
static void
record_change (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               GString    *changes)
{
  g_string_append_printf (changes, "%u-%u-%u ", position, removed, added);
}

/* A new listing of the grants keeps the objects (and so the rows, and the
 * keyboard focus in them) of the grants still there: a grant used again is
 * updated in place, not replaced. */
static void
test_grant_list_update (void)
{
  g_autoptr(GListStore) store = g_list_store_new (SESAME_TYPE_GRANT_INFO);
  g_autoptr(GPtrArray) first = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) second = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) changes = g_string_new (NULL);
  g_autoptr(SesameGrantInfo) mail = NULL;
  g_autoptr(SesameGrantInfo) chat = NULL;
  g_autoptr(SesameGrantInfo) now = NULL;
  guint mail_changed = 0, chat_changed = 0;

  g_ptr_array_add (first, grant_of ("org.example.Mail", "flatpak", 0));
  g_ptr_array_add (first, grant_of ("org.example.Notes", "flatpak", 5));
  g_ptr_array_add (first, grant_of ("org.example.Chat", "flatpak", 7));
  sesame_grant_info_update_list (store, first);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 3);
  mail = g_list_model_get_item (G_LIST_MODEL (store), 0);
  chat = g_list_model_get_item (G_LIST_MODEL (store), 2);
  g_signal_connect_swapped (mail, "changed", G_CALLBACK (count_emission), &mail_changed);
  g_signal_connect_swapped (chat, "changed", G_CALLBACK (count_emission), &chat_changed);
  g_signal_connect (store, "items-changed", G_CALLBACK (record_change), changes);

  /* Mail used, Notes gone, Chat as it was, a host program's grant new (a
   * grant of another kind with Mail's id is another grant). */
  g_ptr_array_add (second, grant_of ("org.example.Mail", "flatpak", 300));
  g_ptr_array_add (second, grant_of ("org.example.Chat", "flatpak", 7));
  g_ptr_array_add (second, grant_of ("org.example.Mail", "host", 0));
  sesame_grant_info_update_list (store, second);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 3);
  now = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_true (now == mail);
  g_assert_cmpint (sesame_grant_info_get_last_used (mail), ==, 300);
  g_assert_cmpuint (mail_changed, ==, 1);
  g_clear_object (&now);
  now = g_list_model_get_item (G_LIST_MODEL (store), 1);
  g_assert_true (now == chat);
  g_assert_cmpuint (chat_changed, ==, 0);
  g_clear_object (&now);
  now = g_list_model_get_item (G_LIST_MODEL (store), 2);
  g_assert_cmpstr (sesame_grant_info_get_kind (now), ==, "host");
  /* Notes removed, the host program's grant added: no other row touched. */
  g_assert_cmpstr (changes->str, ==, "1-1-0 2-0-1 ");
}

static void
test_access_question (void)
{
  g_autoptr(GVariant) use = g_variant_ref_sink (g_variant_new_parsed (
    "{'action': <'use'>, 'app-name': <'Mail'>, 'identity': <'jo@example.com'>,"
    " 'provider-name': <'Google'>}"));
  g_autoptr(GVariant) remove = g_variant_ref_sink (g_variant_new_parsed (
    "{'action': <'remove'>, 'app-name': <'Mail'>, 'identity': <'jo@example.com'>,"
    " 'provider-name': <'Google'>}"));
  g_autoptr(GVariant) add = g_variant_ref_sink (g_variant_new_parsed (
    "{'action': <'add'>, 'app-name': <'Mail'>, 'provider-name': <'Google'>}"));
  g_autofree char *use_heading = sesame_access_dialog_heading (use);
  g_autofree char *use_body = sesame_access_dialog_body (use);
  g_autofree char *remove_heading = sesame_access_dialog_heading (remove);
  g_autofree char *remove_body = sesame_access_dialog_body (remove);
  g_autofree char *add_heading = sesame_access_dialog_heading (add);
  g_autofree char *add_body = sesame_access_dialog_body (add);
  /* What an add brings along, the person sees before Allow (issue 22). */
  g_autoptr(GVariant) add_own = g_variant_ref_sink (g_variant_new_parsed (
    "{'action': <'add'>, 'app-name': <'Mail'>, 'provider-name': <'OpenID Connect'>,"
    " 'issuer': <'https://id.example/realms/corp'>, 'client-id': <'mail-client'>}"));
  g_autofree char *add_own_body = sesame_access_dialog_body (add_own);

  g_assert_cmpstr (use_heading, ==, "Allow Mail to use your account?");
  g_assert_cmpstr (use_body, ==, "Mail asks to use jo@example.com (Google) for:");
  g_assert_cmpstr (remove_heading, ==, "Allow Mail to remove an account?");
  g_assert_nonnull (strstr (remove_body, "revoke its access"));
  g_assert_cmpstr (add_heading, ==, "Allow Mail to add an account?");
  g_assert_cmpstr (add_body, ==, "Mail asks to add a Google account. If you allow it, it may then "
                                 "use that account for:");
  g_assert_cmpstr (add_own_body, ==, "Mail asks to add an account at "
                                     "https://id.example/realms/corp, signing in with its own "
                                     "client id, mail-client. If you allow it, it may then use "
                                     "that account for:");
}

static void
test_redirect_and_navigation (void)
{
  const char *redirect = "http://127.0.0.1:41234/callback";

  g_assert_true (sesame_consent_window_is_redirect ("http://127.0.0.1:41234/callback?code=x&state=y",
                                                    redirect));
  g_assert_true (sesame_consent_window_is_redirect ("http://127.0.0.1:41234/callback#code=x", redirect));
  g_assert_true (sesame_consent_window_is_redirect (redirect, redirect));
  g_assert_false (sesame_consent_window_is_redirect ("http://127.0.0.1:41234/callbackx?code=x",
                                                     redirect));
  g_assert_false (sesame_consent_window_is_redirect ("http://127.0.0.1:4123/callback?code=x", redirect));
  g_assert_false (sesame_consent_window_is_redirect ("https://evil.example/?u=http://127.0.0.1:41234/callback",
                                                     redirect));

  g_assert_true (sesame_consent_window_may_navigate ("https://accounts.example.com/login"));
  g_assert_true (sesame_consent_window_may_navigate ("http://127.0.0.1:8080/auth"));
  g_assert_true (sesame_consent_window_may_navigate ("http://localhost/auth"));
  g_assert_true (sesame_consent_window_may_navigate ("about:blank"));
  g_assert_false (sesame_consent_window_may_navigate ("http://accounts.example.com/login"));
  g_assert_false (sesame_consent_window_may_navigate ("file:///etc/passwd"));
  g_assert_false (sesame_consent_window_may_navigate ("javascript:alert(1)"));
  g_assert_false (sesame_consent_window_may_navigate ("ftp://example.com/"));
  g_assert_false (sesame_consent_window_may_navigate ("not a uri"));
}

int
main (int    argc,
      char **argv)
{
  /* The English strings, whatever the machine's language. */
  g_setenv ("LANGUAGE", "C", TRUE);
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/format/relative", test_relative);
  g_test_add_func ("/app/format/expiry", test_expiry);
  g_test_add_func ("/app/format/time", test_time);
  g_test_add_func ("/app/format/coming-end", test_coming_end);
  g_test_add_func ("/app/format/scope-labels", test_scope_labels);
  g_test_add_func ("/app/format/scope-summary", test_scope_summary);
  g_test_add_func ("/app/models/provider-info", test_provider_info);
  g_test_add_func ("/app/models/grant-info", test_grant_info);
  g_test_add_func ("/app/models/grant-list-update", test_grant_list_update);
  g_test_add_func ("/app/access-question", test_access_question);
  g_test_add_func ("/app/consent/redirect-and-navigation", test_redirect_and_navigation);
  return g_test_run ();
}
