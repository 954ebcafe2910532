/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-removal-note.c: the sentence for providers that cannot revoke */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sesame-removal-note.h"

char *
sesame_removal_note (const char *provider_name,
                     const char *manage_url)
{
  if (manage_url == NULL || manage_url[0] == '\0')
    /* Translators: %s is a provider, "Microsoft" */
    return g_strdup_printf (_("%s offers no way for Sesame to withdraw its access: remove "
                              "Sesame in your %s account’s security settings too."),
                            provider_name, provider_name);
  /* Translators: the first %s is a provider, "Microsoft"; the second an address */
  return g_strdup_printf (_("%s offers no way for Sesame to withdraw its access: remove Sesame "
                            "at %s too."), provider_name, manage_url);
}
