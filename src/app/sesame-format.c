/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-format.c: times and scopes in words for people */
#include "config.h"

#include <glib/gi18n.h>

#include "sesame-format.h"

#define MINUTE 60
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)

/* Whole phrases, so that each language words "in 3 days" and "3 days ago"
 * its own way; rounded to the nearest unit, so that "in 59 minutes" becomes
 * "in 1 hour" only when it is nearer an hour. */
char *
sesame_format_relative (gint64 time,
                        gint64 now)
{
  gint64 span = ABS (time - now);
  gboolean future = time >= now;
  gint64 n;

  if (span < MINUTE)
    return g_strdup (future ? _("in less than a minute") : _("less than a minute ago"));
  if (span < HOUR - MINUTE / 2)
    {
      n = (span + MINUTE / 2) / MINUTE;
      return g_strdup_printf (future
                              ? g_dngettext (GETTEXT_PACKAGE, "in %d minute", "in %d minutes", n)
                              : g_dngettext (GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago", n),
                              (int) n);
    }
  if (span < DAY - HOUR / 2)
    {
      n = (span + HOUR / 2) / HOUR;
      return g_strdup_printf (future
                              ? g_dngettext (GETTEXT_PACKAGE, "in %d hour", "in %d hours", n)
                              : g_dngettext (GETTEXT_PACKAGE, "%d hour ago", "%d hours ago", n),
                              (int) n);
    }
  n = (span + DAY / 2) / DAY;
  return g_strdup_printf (future
                          ? g_dngettext (GETTEXT_PACKAGE, "in %d day", "in %d days", n)
                          : g_dngettext (GETTEXT_PACKAGE, "%d day ago", "%d days ago", n),
                          (int) n);
}

char *
sesame_format_expiry (gint64 expires_at,
                      gint64 now)
{
  g_autofree char *when = NULL;

  if (expires_at <= 0)
    return g_strdup (_("No token yet: one is fetched when an app asks"));
  when = sesame_format_relative (expires_at, now);
  if (expires_at > now)
    /* Translators: %s is "in 42 minutes" */
    return g_strdup_printf (_("Token expires %s"), when);
  /* Translators: %s is "42 minutes ago" */
  return g_strdup_printf (_("Token expired %s: a new one is fetched when an app asks"), when);
}

/* DESIGN.md, "Warnings before things break": a week ahead. */
#define WARNING_DAYS 7

static char *
format_date (gint64      time,
             const char *date_format)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_local (time);

  return date != NULL ? g_date_time_format (date, date_format) : NULL;
}

char *
sesame_format_coming_end (gint64 refresh_expires_at,
                          gint64 now)
{
  g_autofree char *date = NULL;

  if (refresh_expires_at <= 0 || refresh_expires_at - now >= WARNING_DAYS * DAY)
    return NULL;
  /* Translators: a day and month, "12 March"; see g_date_time_format() */
  date = format_date (refresh_expires_at, _("%-d %B"));
  /* Translators: %s is a date, "12 March" */
  return date != NULL ? g_strdup_printf (_("Sign in again before %s"), date) : NULL;
}

char *
sesame_format_refresh_end (gint64 refresh_expires_at)
{
  if (refresh_expires_at <= 0)
    return NULL;
  /* Translators: a date, "12 March 2027"; see g_date_time_format() */
  return format_date (refresh_expires_at, _("%-d %B %Y"));
}

char *
sesame_format_time (gint64 time,
                    gint64 now)
{
  g_autoptr(GDateTime) then = g_date_time_new_from_unix_local (time);
  g_autoptr(GDateTime) today = g_date_time_new_from_unix_local (now);
  g_autofree char *clock = NULL;
  g_autofree char *date = NULL;
  int days;

  if (then == NULL || today == NULL)
    return g_strdup ("");
  clock = g_date_time_format (then, "%H:%M");
  days = g_date_time_get_day_of_year (then) - g_date_time_get_day_of_year (today);
  if (g_date_time_get_year (then) == g_date_time_get_year (today))
    {
      if (days == 0)
        /* Translators: %s is a time, "14:05" */
        return g_strdup_printf (_("Today at %s"), clock);
      if (days == -1)
        /* Translators: %s is a time, "14:05" */
        return g_strdup_printf (_("Yesterday at %s"), clock);
      if (days == 1)
        /* Translators: %s is a time, "14:05" */
        return g_strdup_printf (_("Tomorrow at %s"), clock);
    }
  date = g_date_time_format (then, "%x");
  /* Translators: a date, then a time: "25/11/2026 at 14:05" */
  return g_strdup_printf (_("%s at %s"), date, clock);
}

char *
sesame_format_scope_label (const char *scope)
{
  static const struct { const char *scope; const char *label; } known[] = {
    { "openid", N_("Identity") },
    { "email", N_("Email address") },
    { "profile", N_("Profile") },
    { "offline_access", N_("Offline access") },
  };
  g_autoptr(GUri) uri = NULL;
  g_auto(GStrv) segments = NULL;
  const char *path;

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_str_equal (scope, known[i].scope))
      return g_strdup (_(known[i].label));

  uri = g_uri_parse (scope, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (scope);
  /* The last path segment names what a URL scope grants; a bare host names it too. */
  path = g_uri_get_path (uri);
  segments = g_strsplit (path, "/", -1);
  for (guint i = g_strv_length (segments); i > 0; i--)
    if (segments[i - 1][0] != '\0')
      return g_strdup (segments[i - 1]);
  return g_strdup (g_uri_get_host (uri));
}

char *
sesame_format_scope_summary (const char * const *scopes,
                             guint               max)
{
  guint n = scopes != NULL ? g_strv_length ((char **) scopes) : 0;
  guint shown = MIN (n, max);
  g_autoptr(GString) head = g_string_new (NULL);
  g_autofree char *last = NULL;

  if (n == 0)
    return g_strdup (_("No permissions"));
  /* All but the one that "and" joins on. */
  for (guint i = 0; i + (n > shown ? 0 : 1) < shown; i++)
    {
      g_autofree char *label = sesame_format_scope_label (scopes[i]);

      if (head->len > 0)
        /* Translators: joins items of a list */
        g_string_append (head, _(", "));
      g_string_append (head, label);
    }
  if (n > shown)
    /* Translators: a shortened list: "Identity, Email address and 2 more" */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s and %u more", "%s and %u more",
                                         n - shown), head->str, n - shown);
  last = sesame_format_scope_label (scopes[shown - 1]);
  if (head->len == 0)
    return g_steal_pointer (&last);
  /* Translators: the list so far, then its last item: "Identity, Profile and Email address" */
  return g_strdup_printf (_("%s and %s"), head->str, last);
}
