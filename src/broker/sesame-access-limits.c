/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-access-limits.c: how much one app may ask the person, and when */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-access-limits.h"
#include "sesame-error.h"

/* Questions of one app open at once. The person answers one at a time;
 * three let an app ask about its mail, calendar and contacts accounts as it
 * starts, while one with many connections cannot bury the desktop in
 * windows. A request that would join an open question is not counted. */
#define MAX_OPEN_QUESTIONS_PER_APP 3

/* After a Deny the app is not asked again, about anything, for a while, so
 * that it cannot ask until the person clicks Allow to be left alone; each
 * Deny soon after the last doubles it. Host programs are trusted
 * (ask-host-apps is the person's own choice): one denied by a slip of the
 * hand may ask again at once. */
#define DENY_BACK_OFF_SECONDS 10
#define DENY_BACK_OFF_MAX_SECONDS 600

typedef struct {
  gint64 until;    /* monotonic time, µs */
  guint  seconds;
} Denial;

struct _SesameAccessLimits
{
  GObject     parent_instance;

  GHashTable *open;    /* app key → questions open (GUINT) */
  GHashTable *denied;  /* app key → Denial: one per app, whatever it asked */
};

G_DEFINE_FINAL_TYPE (SesameAccessLimits, sesame_access_limits, G_TYPE_OBJECT)

static void
sesame_access_limits_finalize (GObject *object)
{
  SesameAccessLimits *self = SESAME_ACCESS_LIMITS (object);

  g_hash_table_unref (self->open);
  g_hash_table_unref (self->denied);

  G_OBJECT_CLASS (sesame_access_limits_parent_class)->finalize (object);
}

static void
sesame_access_limits_class_init (SesameAccessLimitsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sesame_access_limits_finalize;
}

static void
sesame_access_limits_init (SesameAccessLimits *self)
{
  self->open = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->denied = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

SesameAccessLimits *
sesame_access_limits_new (void)
{
  return g_object_new (SESAME_TYPE_ACCESS_LIMITS, NULL);
}

/* As grants are keyed: a host program and a Flatpak app of one id differ. */
static char *
app_key (SesameCaller *caller)
{
  return g_strconcat (sesame_caller_get_kind_name (caller), "\n",
                      sesame_caller_get_app_id (caller), NULL);
}

static guint
count_open (SesameAccessLimits *self,
            const char         *key)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->open, key));
}

/* Long over: a Deny now starts afresh. */
static gboolean
denial_is_over (gpointer key,
                gpointer value,
                gpointer user_data)
{
  Denial *denial = value;
  gint64 now = *(gint64 *) user_data;

  return now >= denial->until + denial->seconds * G_TIME_SPAN_SECOND;
}

static gboolean
backing_off (SesameAccessLimits *self,
             SesameCaller       *caller,
             const char         *key,
             GError            **error)
{
  Denial *denial = g_hash_table_lookup (self->denied, key);
  gint64 now = g_get_monotonic_time ();

  if (denial == NULL || now >= denial->until)
    return FALSE;
  g_debug ("%s was denied lately: not asked again for %" G_GINT64_FORMAT " s",
           sesame_caller_get_app_id (caller), (denial->until - now) / G_TIME_SPAN_SECOND + 1);
  g_set_error (error, SESAME_ERROR, SESAME_ERROR_ACCESS_DENIED,
               _("You did not allow %s to do this."), sesame_caller_get_app_name (caller));
  return TRUE;
}

gboolean
sesame_access_limits_may_ask (SesameAccessLimits  *self,
                              SesameCaller        *caller,
                              GError             **error)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (SESAME_IS_ACCESS_LIMITS (self), FALSE);

  key = app_key (caller);
  if (backing_off (self, caller, key, error))
    return FALSE;
  if (count_open (self, key) < MAX_OPEN_QUESTIONS_PER_APP)
    return TRUE;
  g_debug ("%s has %u questions open: not asked more", sesame_caller_get_app_id (caller),
           count_open (self, key));
  g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
               g_dngettext (GETTEXT_PACKAGE,
                            "%s is already waiting for your answer to %u question. Answer it, "
                            "then try again.",
                            "%s is already waiting for your answers to %u questions. Answer "
                            "them, then try again.",
                            MAX_OPEN_QUESTIONS_PER_APP),
               sesame_caller_get_app_name (caller), MAX_OPEN_QUESTIONS_PER_APP);
  return FALSE;
}

void
sesame_access_limits_opened (SesameAccessLimits *self,
                             SesameCaller       *caller)
{
  g_autofree char *key = app_key (caller);
  guint n = count_open (self, key);

  g_hash_table_insert (self->open, g_steal_pointer (&key), GUINT_TO_POINTER (n + 1));
}

void
sesame_access_limits_closed (SesameAccessLimits *self,
                             SesameCaller       *caller)
{
  g_autofree char *key = app_key (caller);
  guint n = count_open (self, key);

  if (n > 1)
    g_hash_table_insert (self->open, g_steal_pointer (&key), GUINT_TO_POINTER (n - 1));
  else
    g_hash_table_remove (self->open, key);
}

void
sesame_access_limits_denied (SesameAccessLimits *self,
                             SesameCaller       *caller)
{
  g_autofree char *key = NULL;
  gint64 now = g_get_monotonic_time ();
  Denial *denial;

  if (!sesame_caller_is_sandboxed (caller))
    return;
  /* Only apps denied lately are remembered. */
  g_hash_table_foreach_remove (self->denied, denial_is_over, &now);
  key = app_key (caller);
  denial = g_hash_table_lookup (self->denied, key);
  if (denial != NULL)
    denial->seconds = MIN (denial->seconds * 2, DENY_BACK_OFF_MAX_SECONDS);
  else
    {
      denial = g_new0 (Denial, 1);
      denial->seconds = DENY_BACK_OFF_SECONDS;
      g_hash_table_insert (self->denied, g_strdup (key), denial);
    }
  denial->until = now + denial->seconds * G_TIME_SPAN_SECOND;
}
