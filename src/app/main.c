/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c: sesame, the accounts app and the broker's agent */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "sesame-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SesameApplication) application = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_("Sesame"));
  application = sesame_application_new ();
  return g_application_run (G_APPLICATION (application), argc, argv);
}
