/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-warden.c: keeps grants alive before their refresh tokens die
 * unused, and has the person told of those that broke or will */
#include "config.h"

#include "sesame-wall-clock.h"
#include "sesame-warden.h"

#define DAY_SECONDS (24 * 60 * 60)
/* DESIGN.md, "Warnings before things break": a week before the end. */
#define WARNING_SECONDS (7 * DAY_SECONDS)
/* Just signed in or refreshed: another refresh would not move the end. */
#define FRESH_SECONDS (60 * 60)

struct _SesameWarden
{
  GObject          parent_instance;

  SesameNotifier  *notifier;
  GHashTable      *watched;      /* SesameAccount → its SesameCredentials, owned */
  guint            daily_id;
  guint            start_id;
  GDBusConnection *system_bus;
  guint            sleep_id;     /* PrepareForSleep subscription */
  GCancellable    *cancellable;
  gboolean         started;
};

G_DEFINE_FINAL_TYPE (SesameWarden, sesame_warden, G_TYPE_OBJECT)

static void
sesame_warden_dispose (GObject *object)
{
  SesameWarden *self = SESAME_WARDEN (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->daily_id, g_source_remove);
  g_clear_handle_id (&self->start_id, g_source_remove);
  if (self->sleep_id != 0)
    g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_id);
  self->sleep_id = 0;
  g_clear_object (&self->system_bus);
  if (self->watched != NULL)
    {
      GHashTableIter iter;
      gpointer account;

      g_hash_table_iter_init (&iter, self->watched);
      while (g_hash_table_iter_next (&iter, &account, NULL))
        g_signal_handlers_disconnect_by_data (account, self);
    }
  g_clear_pointer (&self->watched, g_hash_table_unref);
  g_clear_object (&self->notifier);

  G_OBJECT_CLASS (sesame_warden_parent_class)->dispose (object);
}

static void
sesame_warden_class_init (SesameWardenClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sesame_warden_dispose;
}

static void
sesame_warden_init (SesameWarden *self)
{
  self->watched = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_object_unref);
  self->cancellable = g_cancellable_new ();
}

SesameWarden *
sesame_warden_new (SesameNotifier *notifier)
{
  SesameWarden *self = g_object_new (SESAME_TYPE_WARDEN, NULL);

  self->notifier = g_object_ref (notifier);
  return self;
}

/* Idle limits: the last refresh (a sign-in counts) is older than the limit
 * less a week. Accounts from before the last refresh was kept count as
 * due. */
static gboolean
idle_refresh_due (SesameAccount *account,
                  guint          idle_days,
                  gint64         now)
{
  gint64 last = sesame_account_get_last_refresh (account);

  return idle_days > 0 &&
         (last == 0 || now - last > (gint64) idle_days * DAY_SECONDS - WARNING_SECONDS);
}

/* An end within the week that a refresh may move later (a lifetime that
 * rotates into a fresh one); not when the provider says it is absolute. */
static gboolean
renewal_due (SesameAccount  *account,
             SesameProvider *provider,
             gint64          now)
{
  gint64 end = sesame_account_get_refresh_expires_at (account);

  return end != 0 && end - now < WARNING_SECONDS &&
         sesame_provider_get_refresh_token_lifetime_days (provider) == 0;
}

/* Right after a sign-in or refresh another one would not move the end
 * (and must not follow at once: this check runs after each one). */
static gboolean
refresh_due (SesameAccount  *account,
             SesameProvider *provider,
             gint64          now)
{
  gint64 last = sesame_account_get_last_refresh (account);

  if (last != 0 && now - last <= FRESH_SECONDS)
    return FALSE;
  return idle_refresh_due (account, sesame_provider_get_refresh_token_idle_days (provider), now) ||
         renewal_due (account, provider, now);
}

static void
on_kept_alive (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  SesameCredentials *credentials = SESAME_CREDENTIALS (source);
  g_autofree char *token = NULL;
  g_autoptr(GError) error = NULL;
  gint64 expires_at;

  if (!sesame_credentials_get_token_finish (credentials, result, &token, &expires_at, NULL, &error))
    g_message ("Keeping account %s alive failed (%s %d); tried again at the next check",
               sesame_account_get_id (sesame_credentials_get_account (credentials)),
               g_quark_to_string (error->domain), error->code);
}

static void
check_account (SesameWarden      *self,
               SesameCredentials *credentials)
{
  SesameAccount *account = sesame_credentials_get_account (credentials);
  SesameProvider *provider = sesame_credentials_get_provider (credentials);
  const char * const all[] = { NULL };
  gint64 now = sesame_wall_clock_now ();
  gint64 end = sesame_account_get_refresh_expires_at (account);

  if (sesame_account_get_removing (account))
    return;
  if (sesame_account_get_attention_needed (account))
    {
      sesame_notifier_attention (self->notifier, account);
      return;
    }
  if (g_strcmp0 (sesame_account_get_flow (account), "client_credentials") == 0)
    return;
  /* An end no refresh can move (absolute, or not moved by the last one). */
  if (!refresh_due (account, provider, now))
    {
      if (end != 0 && end - now < WARNING_SECONDS)
        sesame_notifier_coming_end (self->notifier, account);
      return;
    }
  g_debug ("Refreshing account %s to keep its grant alive", sesame_account_get_id (account));
  sesame_credentials_get_token_async (credentials, all, TRUE, self->cancellable, on_kept_alive,
                                      NULL);
}

void
sesame_warden_check_all (SesameWarden *self)
{
  GHashTableIter iter;
  gpointer credentials;

  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, NULL, &credentials))
    check_account (self, credentials);
}

static void
on_account_changed (SesameAccount *account,
                    GParamSpec    *pspec,
                    SesameWarden  *self)
{
  SesameCredentials *credentials = g_hash_table_lookup (self->watched, account);

  if (credentials != NULL)
    check_account (self, credentials);
}

void
sesame_warden_watch (SesameWarden      *self,
                     SesameCredentials *credentials)
{
  SesameAccount *account = sesame_credentials_get_account (credentials);

  if (g_hash_table_contains (self->watched, account))
    return;
  g_hash_table_insert (self->watched, account, g_object_ref (credentials));
  g_signal_connect (account, "notify::last-refresh", G_CALLBACK (on_account_changed), self);
  g_signal_connect (account, "notify::attention-needed", G_CALLBACK (on_account_changed), self);
  /* A new account: its sign-in came before it was watched. */
  if (self->started)
    check_account (self, credentials);
}

void
sesame_warden_forget (SesameWarden      *self,
                      SesameCredentials *credentials)
{
  SesameAccount *account = sesame_credentials_get_account (credentials);

  g_signal_handlers_disconnect_by_data (account, self);
  g_hash_table_remove (self->watched, account);
}

static gboolean
on_daily (gpointer user_data)
{
  sesame_warden_check_all (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_start (gpointer user_data)
{
  SesameWarden *self = user_data;

  self->start_id = 0;
  sesame_warden_check_all (self);
  return G_SOURCE_REMOVE;
}

/* logind: FALSE when the machine has resumed. Monotonic timers stood still
 * meanwhile, wall-clock ends did not. */
static void
on_prepare_for_sleep (GDBusConnection *connection,
                      const char      *sender,
                      const char      *path,
                      const char      *interface,
                      const char      *signal,
                      GVariant        *parameters,
                      gpointer         user_data)
{
  gboolean sleeping = TRUE;

  g_variant_get (parameters, "(b)", &sleeping);
  if (sleeping)
    return;
  g_debug ("Resumed from suspend: checking every grant's end");
  sesame_warden_check_all (user_data);
}

static void
on_system_bus (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SesameWarden) self = user_data;
  g_autoptr(GError) error = NULL;

  self->system_bus = g_bus_get_finish (result, &error);
  if (self->system_bus == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("No system bus (%s %d): grants are checked at start and daily, "
                   "not at resume from suspend", g_quark_to_string (error->domain), error->code);
      return;
    }
  self->sleep_id = g_dbus_connection_signal_subscribe (self->system_bus, "org.freedesktop.login1",
                                                       "org.freedesktop.login1.Manager",
                                                       "PrepareForSleep", "/org/freedesktop/login1",
                                                       NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                       on_prepare_for_sleep, self, NULL);
}

void
sesame_warden_start (SesameWarden *self)
{
  /* After start, not before the bus name is owned: a refresh may take a while. */
  self->started = TRUE;
  self->start_id = g_idle_add (on_start, self);
  self->daily_id = g_timeout_add_seconds (DAY_SECONDS, on_daily, self);
  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, on_system_bus, g_object_ref (self));
}
