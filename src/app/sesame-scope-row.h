/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-scope-row.h: one permission in a list, in words, optionally with a check box */
#pragma once

#include <adwaita.h>

#include "sesame-provider-info.h"

G_BEGIN_DECLS

/* A row titled with @provider's description of @scope (else a short name for
 * it), with @scope below; with a check box when @checkable. */
GtkWidget *sesame_scope_row_new          (SesameProviderInfo *provider,
                                          const char         *scope,
                                          gboolean            checkable,
                                          gboolean            checked);
/* The scopes of @list's rows whose check box is ticked. */
GStrv      sesame_scope_rows_get_checked (GtkListBox         *list);
/* Removes every row of @list. */
void       sesame_scope_rows_clear       (GtkListBox         *list);

G_END_DECLS
