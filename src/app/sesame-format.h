/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-format.h: times and scopes in words for people */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "in 42 minutes", "3 hours ago", "in less than a minute"; @now in Unix seconds. */
char *sesame_format_relative      (gint64              time,
                                   gint64              now);
/* The token's state in a sentence: "Token expires in 42 minutes". */
char *sesame_format_expiry        (gint64              expires_at,
                                   gint64              now);
/* The grant's coming end, when it is within a week: "Sign in again before
 * 12 March"; NULL when it is unknown (0) or further off. */
char *sesame_format_coming_end    (gint64              refresh_expires_at,
                                   gint64              now);
/* The grant's end, a date: "12 March 2027"; NULL when unknown (0). */
char *sesame_format_refresh_end   (gint64              refresh_expires_at);
/* A wall-clock time: "Today at 14:05", "Yesterday at 09:12", "25/11/2026 at 14:05". */
char *sesame_format_time          (gint64              time,
                                   gint64              now);
/* A short name for a scope: "Email address" for email, "calendar" for
 * https://www.googleapis.com/auth/calendar. */
char *sesame_format_scope_label   (const char         *scope);
/* "Identity, Email address and mail.google.com", at most @max named, then
 * "and N more". */
char *sesame_format_scope_summary (const char * const *scopes,
                                   guint               max);

G_END_DECLS
