/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-provider-info.h: one provider as the broker's ListProviders describes it */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SESAME_TYPE_PROVIDER_INFO (sesame_provider_info_get_type ())
G_DECLARE_FINAL_TYPE (SesameProviderInfo, sesame_provider_info, SESAME, PROVIDER_INFO, GObject)

/* @description: one a{sv} of ListProviders */
SesameProviderInfo *sesame_provider_info_new                  (GVariant           *description);

const char         *sesame_provider_info_get_id               (SesameProviderInfo *self);
const char         *sesame_provider_info_get_name             (SesameProviderInfo *self);
const char         *sesame_provider_info_get_icon_name        (SesameProviderInfo *self);
const char         *sesame_provider_info_get_registration_url (SesameProviderInfo *self);
/* Every scope the provider knows, in the broker's order. */
const char * const *sesame_provider_info_get_scopes           (SesameProviderInfo *self);
/* The description for people, or NULL for a scope the provider does not describe. */
const char         *sesame_provider_info_describe_scope       (SesameProviderInfo *self,
                                                               const char         *scope);
const char * const *sesame_provider_info_get_default_scopes   (SesameProviderInfo *self);
gboolean            sesame_provider_info_offers_flow          (SesameProviderInfo *self,
                                                               const char         *flow);
gboolean            sesame_provider_info_is_configured        (SesameProviderInfo *self);
gboolean            sesame_provider_info_is_template          (SesameProviderInfo *self);
/* FALSE when Remove cannot withdraw access at the provider. */
gboolean            sesame_provider_info_revokes              (SesameProviderInfo *self);
/* Where a person removes the access by hand; NULL when unknown. */
const char         *sesame_provider_info_get_manage_url       (SesameProviderInfo *self);

G_END_DECLS
