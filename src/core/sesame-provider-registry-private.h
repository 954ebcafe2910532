/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-provider-registry-private.h: what the registry's loading and its
 * writing of the person's files share */
#pragma once

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

G_END_DECLS
