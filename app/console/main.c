/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "ioc-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(IocApplication) application = NULL;

  setlocale (LC_ALL, "");
  /* Run from the build tree (build-aux/run-demo), translations are there. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("IOC_LOCALEDIR") ? g_getenv ("IOC_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  application = ioc_application_new ();
  return g_application_run (G_APPLICATION (application), argc, argv);
}
