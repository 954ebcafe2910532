/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-account.h: one account's metadata (no secrets) */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SESAME_TYPE_ACCOUNT (sesame_account_get_type ())
G_DECLARE_FINAL_TYPE (SesameAccount, sesame_account, SESAME, ACCOUNT, GObject)

/* Property names match dev.sesame.Account1's (Id → "id", ExpiresAt →
 * "expires-at"…), so the broker binds them one to one. */
SesameAccount *sesame_account_new           (const char *id,
                                             const char *provider,
                                             const char *provider_name,
                                             const char *identity,
                                             const char *flow,
                                             gint64      created_at);
SesameAccount *sesame_account_new_from_json (JsonObject *object,
                                             GError    **error);
JsonObject    *sesame_account_to_json       (SesameAccount *self);

const char         *sesame_account_get_id               (SesameAccount *self);
const char         *sesame_account_get_provider         (SesameAccount *self);
const char         *sesame_account_get_provider_name    (SesameAccount *self);
const char         *sesame_account_get_identity         (SesameAccount *self);
const char         *sesame_account_get_flow             (SesameAccount *self);
const char * const *sesame_account_get_scopes           (SesameAccount *self);
gint64              sesame_account_get_expires_at       (SesameAccount *self);
gboolean            sesame_account_get_attention_needed (SesameAccount *self);
const char         *sesame_account_get_attention_reason (SesameAccount *self);
gint64              sesame_account_get_created_at       (SesameAccount *self);
/* The issuer the account signed in with, NULL when not known. */
const char         *sesame_account_get_issuer           (SesameAccount *self);
/* TRUE from the moment Remove was asked for until the account is gone:
 * kept in the metadata, so that a broker killed meanwhile finishes it. */
gboolean            sesame_account_get_removing         (SesameAccount *self);
/* When the grant stops working unless renewed (Account1's RefreshExpiresAt);
 * 0 when unknown or unbounded. */
gint64              sesame_account_get_refresh_expires_at (SesameAccount *self);
/* The last sign-in or refresh, 0 when not known. */
gint64              sesame_account_get_last_refresh     (SesameAccount *self);

void sesame_account_set_scopes        (SesameAccount      *self,
                                       const char * const *scopes);
void sesame_account_set_expires_at    (SesameAccount      *self,
                                       gint64              expires_at);
/* A sign-in again may come by another flow (device sign-in's refresh
 * tokens belong to the provider's device client). */
void sesame_account_set_flow          (SesameAccount      *self,
                                       const char         *flow);
/* After a sign-in or a refresh at @last_refresh. */
void sesame_account_set_refreshed     (SesameAccount      *self,
                                       gint64              last_refresh,
                                       gint64              refresh_expires_at);
void sesame_account_set_removing      (SesameAccount      *self,
                                       gboolean            removing);
/* @reason NULL or empty clears the attention state. */
void sesame_account_set_attention     (SesameAccount      *self,
                                       const char         *reason);

void sesame_account_set_issuer        (SesameAccount      *self,
                                       const char         *issuer);
/* An account sends its tokens only to the issuer it signed in with: FALSE,
 * with attention needed and a NeedsAttention @error, when its provider now
 * names another @issuer. TRUE when none is remembered. */
gboolean sesame_account_check_issuer  (SesameAccount      *self,
                                       const char         *issuer,
                                       GError            **error);

/* Warnings (DESIGN.md, "Warnings before things break"): whether the person
 * was told of the present attention episode (cleared when it is mended),
 * and the end they were warned of (0: none). Kept in the metadata. */
gboolean sesame_account_get_attention_notified (SesameAccount *self);
void     sesame_account_set_attention_notified (SesameAccount *self,
                                                gboolean       notified);
gint64   sesame_account_get_warned_end         (SesameAccount *self);
void     sesame_account_set_warned_end         (SesameAccount *self,
                                                gint64         warned_end);

/* Whether a GNOME Online Accounts client turned @service ("mail",
 * "calendar" or "contacts") off for this account (its *Disabled
 * property). Kept in the metadata, as "goa-disabled". */
gboolean sesame_account_get_goa_disabled       (SesameAccount *self,
                                                const char    *service);
void     sesame_account_set_goa_disabled       (SesameAccount *self,
                                                const char    *service,
                                                gboolean       disabled);

/* TRUE when @id matches [a-z0-9_]+ (it becomes an object path element). */
gboolean sesame_account_id_is_valid   (const char *id);

G_END_DECLS
