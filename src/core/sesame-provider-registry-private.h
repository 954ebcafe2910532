/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-provider-registry-private.h: what the registry's loading and its
 * writing of the person's files share */
#pragma once

#include "sesame-oauth-client.h"
#include "sesame-provider-registry.h"

G_BEGIN_DECLS

#define DEFAULT_ICON_NAME "dialog-password-symbolic"
#define TEMPLATE_ID "openid-connect"

struct _SesameProviderRegistry
{
  GObject parent_instance;

  char *user_dir;
  GStrv system_dirs;

  GHashTable *providers;      /* id → SesameProvider */
  GHashTable *installed_ids;  /* ids defined in a system dir */
  GPtrArray *problems;        /* NULL-terminated sentences */
  GHashTable *discoveries;    /* SesameProvider → Discovery, while one runs */
};

/* The JSON object of @path, whose `id`, when given, must be @id. A missing
 * `id` is set to @id, so that a file is named once, by its file name. */
JsonObject *sesame_provider_registry_read_definition (const char  *path,
                                                      const char  *id,
                                                      GError     **error);
/* (Re)loads provider @id from the user and system directories. */
void        sesame_provider_registry_load_provider   (SesameProviderRegistry *self,
                                                      const char             *id);

/* As sesame_provider_registry_add_issuer_async(), finished by
 * sesame_provider_registry_add_issuer_finish(), but nothing is written: the
 * provider is the person's only once sesame_provider_registry_save_prepared()
 * writes it, after a successful sign-in. Another issuer on the same host
 * gets an id of its own (host_2…), never the file of the first. */
void            sesame_provider_registry_prepare_issuer_async (SesameProviderRegistry *self,
                                                               SesameOAuthClient      *client,
                                                               const char             *issuer,
                                                               const char             *client_id,
                                                               GCancellable           *cancellable,
                                                               GAsyncReadyCallback     callback,
                                                               gpointer                user_data);
/* @provider with the person's own @client_id, not written yet (as above). */
SesameProvider *sesame_provider_registry_prepare_client_id    (SesameProviderRegistry  *self,
                                                               SesameProvider          *provider,
                                                               const char              *client_id,
                                                               GError                 **error);
/* Writes a prepared provider's user file (atomically) and makes it the
 * registry's; TRUE at once for a provider that was not prepared. */
gboolean        sesame_provider_registry_save_prepared        (SesameProviderRegistry  *self,
                                                               SesameProvider          *provider,
                                                               GError                 **error);

G_END_DECLS
