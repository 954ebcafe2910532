/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-account.c: one account's metadata (no secrets) */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-account.h"
#include "sesame-error.h"
#include "sesame-json.h"

struct _SesameAccount
{
  GObject parent_instance;

  char    *id;
  char    *provider;
  char    *provider_name;
  char    *identity;
  char    *flow;
  char   **scopes;
  gint64   expires_at;
  char    *attention_reason;
  gint64   created_at;
  char    *issuer;        /* the issuer it signed in with; NULL: not known (older accounts) */
  gboolean removing;
  gint64   refresh_expires_at;
  gint64   last_refresh;  /* the last sign-in or refresh; 0: not known */
  gboolean attention_notified;  /* the person heard of this attention episode */
  gint64   warned_end;          /* the RefreshExpiresAt the person heard of */
  char   **goa_disabled;        /* known services only, in goa_services' order */
};

G_DEFINE_FINAL_TYPE (SesameAccount, sesame_account, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_PROVIDER,
  PROP_PROVIDER_NAME,
  PROP_IDENTITY,
  PROP_FLOW,
  PROP_SCOPES,
  PROP_EXPIRES_AT,
  PROP_ATTENTION_NEEDED,
  PROP_ATTENTION_REASON,
  PROP_CREATED_AT,
  PROP_ISSUER,
  PROP_REMOVING,
  PROP_REFRESH_EXPIRES_AT,
  PROP_LAST_REFRESH,
  PROP_ATTENTION_NOTIFIED,
  PROP_WARNED_END,
  PROP_GOA_DISABLED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The services a GNOME Online Accounts client may turn off. */
static const char * const goa_services[] = { "mail", "calendar", "contacts", NULL };

static void
sesame_account_finalize (GObject *object)
{
  SesameAccount *self = SESAME_ACCOUNT (object);

  g_free (self->id);
  g_free (self->provider);
  g_free (self->provider_name);
  g_free (self->identity);
  g_free (self->flow);
  g_strfreev (self->scopes);
  g_strfreev (self->goa_disabled);
  g_free (self->attention_reason);
  g_free (self->issuer);

  G_OBJECT_CLASS (sesame_account_parent_class)->finalize (object);
}

static void
sesame_account_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SesameAccount *self = SESAME_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_PROVIDER: g_value_set_string (value, self->provider); break;
    case PROP_PROVIDER_NAME: g_value_set_string (value, self->provider_name); break;
    case PROP_IDENTITY: g_value_set_string (value, self->identity); break;
    case PROP_FLOW: g_value_set_string (value, self->flow); break;
    case PROP_SCOPES: g_value_set_boxed (value, self->scopes); break;
    case PROP_EXPIRES_AT: g_value_set_int64 (value, self->expires_at); break;
    case PROP_ATTENTION_NEEDED:
      g_value_set_boolean (value, self->attention_reason[0] != '\0');
      break;
    case PROP_ATTENTION_REASON: g_value_set_string (value, self->attention_reason); break;
    case PROP_CREATED_AT: g_value_set_int64 (value, self->created_at); break;
    case PROP_ISSUER: g_value_set_string (value, self->issuer); break;
    case PROP_REMOVING: g_value_set_boolean (value, self->removing); break;
    case PROP_REFRESH_EXPIRES_AT: g_value_set_int64 (value, self->refresh_expires_at); break;
    case PROP_LAST_REFRESH: g_value_set_int64 (value, self->last_refresh); break;
    case PROP_ATTENTION_NOTIFIED: g_value_set_boolean (value, self->attention_notified); break;
    case PROP_WARNED_END: g_value_set_int64 (value, self->warned_end); break;
    case PROP_GOA_DISABLED: g_value_set_boxed (value, self->goa_disabled); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
string_property (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, "",
                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

static GParamSpec *
int64_property (const char *name)
{
  return g_param_spec_int64 (name, NULL, NULL, 0, G_MAXINT64, 0,
                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

static GParamSpec *
strv_property (const char *name)
{
  return g_param_spec_boxed (name, NULL, NULL, G_TYPE_STRV,
                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

static void
sesame_account_class_init (SesameAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sesame_account_finalize;
  object_class->get_property = sesame_account_get_property;

  properties[PROP_ID] = string_property ("id");
  properties[PROP_PROVIDER] = string_property ("provider");
  properties[PROP_PROVIDER_NAME] = string_property ("provider-name");
  properties[PROP_IDENTITY] = string_property ("identity");
  properties[PROP_FLOW] = string_property ("flow");
  properties[PROP_SCOPES] = strv_property ("scopes");
  properties[PROP_EXPIRES_AT] = int64_property ("expires-at");
  properties[PROP_ATTENTION_NEEDED] =
    g_param_spec_boolean ("attention-needed", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ATTENTION_REASON] = string_property ("attention-reason");
  properties[PROP_CREATED_AT] = int64_property ("created-at");
  /* Not on the bus: a change is saved, as every property's. */
  properties[PROP_ISSUER] = string_property ("issuer");
  /* Not on the bus: its notification makes the store save it. */
  properties[PROP_REMOVING] =
    g_param_spec_boolean ("removing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_REFRESH_EXPIRES_AT] = int64_property ("refresh-expires-at");
  /* Not on the bus: saved, for the keep-alive of idle limits. */
  properties[PROP_LAST_REFRESH] = int64_property ("last-refresh");
  /* Not on the bus: saved, so that a restart does not notify again. */
  properties[PROP_ATTENTION_NOTIFIED] =
    g_param_spec_boolean ("attention-notified", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_WARNED_END] = int64_property ("warned-end");
  /* Not on the bus: saved, so that the person's choice outlives the broker. */
  properties[PROP_GOA_DISABLED] = strv_property ("goa-disabled");

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sesame_account_init (SesameAccount *self)
{
  self->scopes = g_new0 (char *, 1);
  self->goa_disabled = g_new0 (char *, 1);
  self->attention_reason = g_strdup ("");
}

gboolean
sesame_account_id_is_valid (const char *id)
{
  if (id == NULL || *id == '\0')
    return FALSE;
  for (const char *p = id; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

SesameAccount *
sesame_account_new (const char *id,
                    const char *provider,
                    const char *provider_name,
                    const char *identity,
                    const char *flow,
                    gint64      created_at)
{
  SesameAccount *self;

  g_return_val_if_fail (sesame_account_id_is_valid (id), NULL);

  self = g_object_new (SESAME_TYPE_ACCOUNT, NULL);
  self->id = g_strdup (id);
  self->provider = g_strdup (provider);
  self->provider_name = g_strdup (provider_name ? provider_name : provider);
  self->identity = g_strdup (identity);
  self->flow = g_strdup (flow);
  self->created_at = created_at;
  return self;
}

/* Of what the file lists, the known services; anything else (a value
 * that is no list, unknown names) is skipped, as hand edits may leave. */
static void
read_goa_disabled (SesameAccount *self,
                   JsonObject    *object)
{
  g_auto(GStrv) listed = sesame_json_collect_strings (object, "goa-disabled");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; goa_services[i] != NULL; i++)
    if (g_strv_contains ((const char * const *) listed, goa_services[i]))
      g_strv_builder_add (builder, goa_services[i]);
  g_strfreev (self->goa_disabled);
  self->goa_disabled = g_strv_builder_end (builder);
}

SesameAccount *
sesame_account_new_from_json (JsonObject *object,
                              GError    **error)
{
  const char *id = sesame_json_get_string (object, "id");
  const char *provider = sesame_json_get_string (object, "provider");
  const char *identity = sesame_json_get_string (object, "identity");
  const char *flow = sesame_json_get_string (object, "flow");
  gint64 created_at = 0;
  SesameAccount *self;

  if (!sesame_account_id_is_valid (id) || provider == NULL || identity == NULL)
    {
      g_set_error (error, SESAME_ERROR, SESAME_ERROR_INVALID_ARGUMENT,
                   _("An account entry lacks its id, provider or identity."));
      return NULL;
    }

  /* Members of the wrong type count as absent: 0, no scopes, no reason. */
  sesame_json_get_int (object, "created-at", &created_at);
  self = sesame_account_new (id, provider, sesame_json_get_string (object, "provider-name"),
                             identity, flow ? flow : "authorization_code", created_at);
  g_strfreev (self->scopes);
  self->scopes = sesame_json_collect_strings (object, "scopes");
  sesame_json_get_int (object, "expires-at", &self->expires_at);
  g_free (self->attention_reason);
  self->attention_reason = g_strdup (sesame_json_get_string (object, "attention-reason") ?: "");
  self->issuer = g_strdup (sesame_json_get_string (object, "issuer"));
  sesame_json_get_boolean (object, "removing", &self->removing);
  sesame_json_get_int (object, "refresh-expires-at", &self->refresh_expires_at);
  sesame_json_get_int (object, "last-refresh", &self->last_refresh);
  sesame_json_get_boolean (object, "attention-notified", &self->attention_notified);
  sesame_json_get_int (object, "warned-end", &self->warned_end);
  read_goa_disabled (self, object);
  return self;
}

static JsonArray *
strv_to_json (char **strv)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; strv[i] != NULL; i++)
    json_array_add_string_element (array, strv[i]);
  return array;
}

JsonObject *
sesame_account_to_json (SesameAccount *self)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "id", self->id);
  json_object_set_string_member (object, "provider", self->provider);
  json_object_set_string_member (object, "provider-name", self->provider_name);
  json_object_set_string_member (object, "identity", self->identity);
  json_object_set_string_member (object, "flow", self->flow);
  json_object_set_array_member (object, "scopes", strv_to_json (self->scopes));
  json_object_set_int_member (object, "expires-at", self->expires_at);
  json_object_set_string_member (object, "attention-reason", self->attention_reason);
  json_object_set_int_member (object, "created-at", self->created_at);
  if (self->issuer != NULL)
    json_object_set_string_member (object, "issuer", self->issuer);
  /* Only while it is true: files without it read as before. */
  if (self->removing)
    json_object_set_boolean_member (object, "removing", TRUE);
  json_object_set_int_member (object, "refresh-expires-at", self->refresh_expires_at);
  json_object_set_int_member (object, "last-refresh", self->last_refresh);
  if (self->attention_notified)
    json_object_set_boolean_member (object, "attention-notified", TRUE);
  if (self->warned_end != 0)
    json_object_set_int_member (object, "warned-end", self->warned_end);
  if (self->goa_disabled[0] != NULL)
    json_object_set_array_member (object, "goa-disabled", strv_to_json (self->goa_disabled));
  return object;
}

const char *
sesame_account_get_id (SesameAccount *self)
{
  return self->id;
}

const char *
sesame_account_get_provider (SesameAccount *self)
{
  return self->provider;
}

const char *
sesame_account_get_provider_name (SesameAccount *self)
{
  return self->provider_name;
}

const char *
sesame_account_get_identity (SesameAccount *self)
{
  return self->identity;
}

const char *
sesame_account_get_flow (SesameAccount *self)
{
  return self->flow;
}

const char * const *
sesame_account_get_scopes (SesameAccount *self)
{
  return (const char * const *) self->scopes;
}

gint64
sesame_account_get_expires_at (SesameAccount *self)
{
  return self->expires_at;
}

gboolean
sesame_account_get_attention_needed (SesameAccount *self)
{
  return self->attention_reason[0] != '\0';
}

const char *
sesame_account_get_attention_reason (SesameAccount *self)
{
  return self->attention_reason;
}

gint64
sesame_account_get_created_at (SesameAccount *self)
{
  return self->created_at;
}

gboolean
sesame_account_get_removing (SesameAccount *self)
{
  return self->removing;
}

void
sesame_account_set_removing (SesameAccount *self,
                             gboolean       removing)
{
  if (self->removing == !!removing)
    return;
  self->removing = !!removing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMOVING]);
}

void
sesame_account_set_scopes (SesameAccount      *self,
                           const char * const *scopes)
{
  if (g_strv_equal ((const char * const *) self->scopes, scopes))
    return;
  g_strfreev (self->scopes);
  self->scopes = g_strdupv ((char **) scopes);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCOPES]);
}

void
sesame_account_set_flow (SesameAccount *self,
                         const char    *flow)
{
  if (g_strcmp0 (self->flow, flow) == 0)
    return;
  g_free (self->flow);
  self->flow = g_strdup (flow);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FLOW]);
}

void
sesame_account_set_expires_at (SesameAccount *self,
                               gint64         expires_at)
{
  if (self->expires_at == expires_at)
    return;
  self->expires_at = expires_at;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPIRES_AT]);
}

void
sesame_account_set_attention (SesameAccount *self,
                              const char    *reason)
{
  gboolean was_needed = sesame_account_get_attention_needed (self);

  if (g_strcmp0 (self->attention_reason, reason ? reason : "") == 0)
    return;
  g_free (self->attention_reason);
  self->attention_reason = g_strdup (reason ? reason : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTENTION_REASON]);
  if (was_needed != sesame_account_get_attention_needed (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTENTION_NEEDED]);
  /* Mended: the next break is a new episode. */
  if (!sesame_account_get_attention_needed (self))
    sesame_account_set_attention_notified (self, FALSE);
}

const char *
sesame_account_get_issuer (SesameAccount *self)
{
  return self->issuer;
}

void
sesame_account_set_issuer (SesameAccount *self,
                           const char    *issuer)
{
  if (g_strcmp0 (self->issuer, issuer) == 0)
    return;
  g_free (self->issuer);
  self->issuer = g_strdup (issuer);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ISSUER]);
}

gboolean
sesame_account_check_issuer (SesameAccount  *self,
                             const char     *issuer,
                             GError        **error)
{
  g_autofree char *reason = NULL;

  if (self->issuer == NULL || g_strcmp0 (self->issuer, issuer) == 0)
    return TRUE;
  reason = g_strdup_printf (_("Its provider now names another issuer than %s, which it signed "
                              "in with; Sesame sends its tokens nowhere else. Sign in again to "
                              "use the new one."), self->issuer);
  sesame_account_set_attention (self, reason);
  g_set_error_literal (error, SESAME_ERROR, SESAME_ERROR_NEEDS_ATTENTION, reason);
  return FALSE;
}

gint64
sesame_account_get_refresh_expires_at (SesameAccount *self)
{
  return self->refresh_expires_at;
}

gint64
sesame_account_get_last_refresh (SesameAccount *self)
{
  return self->last_refresh;
}

void
sesame_account_set_refreshed (SesameAccount *self,
                              gint64         last_refresh,
                              gint64         refresh_expires_at)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->last_refresh != last_refresh)
    {
      self->last_refresh = last_refresh;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_REFRESH]);
    }
  if (self->refresh_expires_at != refresh_expires_at)
    {
      self->refresh_expires_at = refresh_expires_at;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESH_EXPIRES_AT]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
sesame_account_get_attention_notified (SesameAccount *self)
{
  return self->attention_notified;
}

void
sesame_account_set_attention_notified (SesameAccount *self,
                                       gboolean       notified)
{
  if (self->attention_notified == !!notified)
    return;
  self->attention_notified = !!notified;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTENTION_NOTIFIED]);
}

gint64
sesame_account_get_warned_end (SesameAccount *self)
{
  return self->warned_end;
}

void
sesame_account_set_warned_end (SesameAccount *self,
                               gint64         warned_end)
{
  if (self->warned_end == warned_end)
    return;
  self->warned_end = warned_end;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WARNED_END]);
}

gboolean
sesame_account_get_goa_disabled (SesameAccount *self,
                                 const char    *service)
{
  return g_strv_contains ((const char * const *) self->goa_disabled, service);
}

void
sesame_account_set_goa_disabled (SesameAccount *self,
                                 const char    *service,
                                 gboolean       disabled)
{
  g_autoptr(GStrvBuilder) builder = NULL;

  g_return_if_fail (g_strv_contains (goa_services, service));

  if (sesame_account_get_goa_disabled (self, service) == !!disabled)
    return;
  builder = g_strv_builder_new ();
  for (guint i = 0; goa_services[i] != NULL; i++)
    {
      gboolean off = g_str_equal (goa_services[i], service)
                     ? disabled : sesame_account_get_goa_disabled (self, goa_services[i]);

      if (off)
        g_strv_builder_add (builder, goa_services[i]);
    }
  g_strfreev (self->goa_disabled);
  self->goa_disabled = g_strv_builder_end (builder);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GOA_DISABLED]);
}
