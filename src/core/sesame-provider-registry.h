/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-provider-registry.h: the provider files, user ones over installed ones */
#pragma once

#include "sesame-oauth-client.h"
#include "sesame-provider.h"

G_BEGIN_DECLS

#define SESAME_TYPE_PROVIDER_REGISTRY (sesame_provider_registry_get_type ())
G_DECLARE_FINAL_TYPE (SesameProviderRegistry, sesame_provider_registry, SESAME, PROVIDER_REGISTRY, GObject)

/* $XDG_CONFIG_HOME/sesame/providers, then $XDG_DATA_DIRS/sesame/providers */
SesameProviderRegistry *sesame_provider_registry_new           (void);
SesameProviderRegistry *sesame_provider_registry_new_for_dirs  (const char         *user_dir,
                                                                const char * const *system_dirs);

/* Reads every ID.json (a few small files, once at start). A malformed file
 * is reported with g_warning, listed in the problems, and skipped. */
void                sesame_provider_registry_load          (SesameProviderRegistry *self);
const char * const *sesame_provider_registry_get_problems  (SesameProviderRegistry *self);

/* Every provider, sorted by name; templates included. */
GPtrArray          *sesame_provider_registry_list          (SesameProviderRegistry *self);
SesameProvider     *sesame_provider_registry_lookup        (SesameProviderRegistry *self,
                                                            const char             *id);

/* Runs discovery once for a provider that needs it (sesame_provider_needs_discovery);
 * concurrent callers share one request; completes at once otherwise. */
void      sesame_provider_registry_ensure_discovered_async  (SesameProviderRegistry *self,
                                                             SesameOAuthClient      *client,
                                                             SesameProvider         *provider,
                                                             GCancellable           *cancellable,
                                                             GAsyncReadyCallback     callback,
                                                             gpointer                user_data);
gboolean  sesame_provider_registry_ensure_discovered_finish (SesameProviderRegistry *self,
                                                             GAsyncResult           *result,
                                                             GError                **error);

/* The openid-connect template: discovers @issuer, writes a user provider file
 * named after the issuer's host (atomically), and returns that provider. The
 * same issuer updates its file; another issuer on that host gets an id of
 * its own (host_2 …) and never takes the existing file. */
void            sesame_provider_registry_add_issuer_async  (SesameProviderRegistry *self,
                                                            SesameOAuthClient      *client,
                                                            const char             *issuer,
                                                            const char             *client_id,
                                                            GCancellable           *cancellable,
                                                            GAsyncReadyCallback     callback,
                                                            gpointer                user_data);
SesameProvider *sesame_provider_registry_add_issuer_finish (SesameProviderRegistry *self,
                                                            GAsyncResult           *result,
                                                            GError                **error);

G_END_DECLS
