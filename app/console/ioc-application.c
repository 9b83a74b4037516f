/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ioc-console"

#include "config.h"

#include <glib/gi18n.h>

#include "ioc-application.h"
#include "ioc-window.h"

struct _IocApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  char           *server;     /* --server: the address to open on */
};

G_DEFINE_FINAL_TYPE (IocApplication, ioc_application, ADW_TYPE_APPLICATION)

static void
apply_style (IocApplication *self)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();

  /* A control room is dark; a liaison's office may prefer the desktop's choice. */
  adw_style_manager_set_color_scheme (manager, g_settings_get_boolean (self->settings, "dark-style")
                                               ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_DEFAULT);
}

static void
ioc_application_startup (GApplication *application)
{
  IocApplication *self = IOC_APPLICATION (application);
  /* The same list as ui/help-overlay.ui shows. */
  static const struct {
    const char *action;
    const char *accels[3];
  } shortcuts[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "win.find", { "<Control>f", NULL } },
    { "win.new-task", { "<Control>n", NULL } },
    { "win.forward-selected", { "<Control><Shift>f", NULL } },
    { "win.reload", { "F5", NULL } },
    { "win.fullscreen", { "F11", NULL } },
    { "win.show-help-overlay", { "<Control>question", NULL } },
  };

  G_APPLICATION_CLASS (ioc_application_parent_class)->startup (application);

  self->settings = g_settings_new (APP_ID);
  g_signal_connect_swapped (self->settings, "changed::dark-style", G_CALLBACK (apply_style), self);
  apply_style (self);

  /* style.css comes from the resource base path: AdwApplication loads it. */
  for (guint i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (application), shortcuts[i].action,
                                           shortcuts[i].accels);
}

static void
ioc_application_activate (GApplication *application)
{
  IocApplication *self = IOC_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    {
      window = GTK_WINDOW (ioc_window_new (ADW_APPLICATION (application), self->settings));
      /* A server named on the command line still needs its certificate
       * confirmed the first time, like any other. */
      if (self->server != NULL)
        ioc_window_set_server (IOC_WINDOW (window), self->server);
    }

  gtk_window_present (window);
}

static int
ioc_application_handle_local_options (GApplication *application,
                                      GVariantDict *options)
{
  IocApplication *self = IOC_APPLICATION (application);

  g_variant_dict_lookup (options, "server", "s", &self->server);
  return -1;
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

/* A click on a notification: the task opens in a window of this console. */
static void
show_task_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);
  GtkWindow *window = gtk_application_get_active_window (application);

  if (!IOC_IS_WINDOW (window))
    for (GList *l = gtk_application_get_windows (application); l != NULL; l = l->next)
      if (IOC_IS_WINDOW (l->data))
        {
          window = l->data;
          break;
        }
  if (!IOC_IS_WINDOW (window))
    return;

  ioc_window_show_task (IOC_WINDOW (window), g_variant_get_int64 (parameter));
  gtk_window_present (window);
}

static void
ioc_application_dispose (GObject *object)
{
  IocApplication *self = IOC_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->server, g_free);

  G_OBJECT_CLASS (ioc_application_parent_class)->dispose (object);
}

static void
ioc_application_class_init (IocApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ioc_application_dispose;
  app_class->startup = ioc_application_startup;
  app_class->activate = ioc_application_activate;
  app_class->handle_local_options = ioc_application_handle_local_options;
}

static void
ioc_application_init (IocApplication *self)
{
  static const GActionEntry entries[] = {
    { "quit", quit_activated, NULL, NULL, NULL },
    { "show-task", show_task_activated, "x", NULL, NULL },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  g_application_add_main_option (G_APPLICATION (self), "server", 0, 0, G_OPTION_ARG_STRING,
                                 _("Address of the IOC server, e.g. https://127.0.0.1:8443"), "URI");
}

IocApplication *
ioc_application_new (void)
{
  return g_object_new (IOC_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", "/vn/gov/cantho/IocConsole",
                       NULL);
}
