/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd"

#include "config.h"

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "iocd-auth.h"
#include "iocd-config.h"
#include "iocd-demo.h"
#include "iocd-feeds.h"
#include "iocd-server.h"
#include "iocd-sqlite-store.h"
#include "iocd-tls.h"

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static char *
read_password (gboolean  from_stdin,
               gboolean *generated)
{
  char line[1024];

  *generated = !from_stdin;
  if (!from_stdin)
    return iocd_auth_new_password ();

  if (fgets (line, sizeof line, stdin) == NULL)
    return NULL;
  line[strcspn (line, "\r\n")] = '\0';

  return line[0] ? g_strdup (line) : NULL;
}

static int
user_command (IocdStore  *store,
              int         argc,
              char      **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *role = NULL;
  g_autofree char *department = NULL;
  g_autofree char *display_name = NULL;
  gboolean password_stdin = FALSE;
  GOptionEntry entries[] = {
    { "role", 0, 0, G_OPTION_ARG_STRING, &role, "operator, liaison, supervisor or admin", "ROLE" },
    { "department", 0, 0, G_OPTION_ARG_STRING, &department, "Department code (liaisons)", "CODE" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &display_name, "Name shown to others", "NAME" },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin, "Read the password from standard input", NULL },
    { NULL }
  };

  context = g_option_context_new ("add|passwd|list [USERNAME] — manage users");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("iocd user: %s\n", error->message);
      return 2;
    }

  if (argc >= 2 && g_str_equal (argv[1], "list"))
    {
      g_autoptr(GPtrArray) users = iocd_store_list_users (store, &error);

      if (users == NULL)
        goto fail;
      for (guint i = 0; i < users->len; i++)
        {
          IocUser *u = g_ptr_array_index (users, i);

          g_print ("%-20s %-10s %-8s %s%s\n", u->username, ioc_role_to_string (u->role),
                   u->department ? u->department : "-", u->display_name ? u->display_name : "",
                   u->disabled ? " (disabled)" : "");
        }
      return 0;
    }

  if (argc == 3 && g_str_equal (argv[1], "add"))
    {
      g_autoptr(IocUser) user = ioc_user_new ();
      g_autofree char *password = NULL;
      g_autofree char *hash = NULL;
      gboolean generated;

      user->username = g_strdup (argv[2]);
      user->role = ioc_role_from_string (role ? role : "");
      user->department = g_strdup (department);
      user->display_name = g_strdup (display_name ? display_name : argv[2]);
      if ((int) user->role < 0)
        {
          g_printerr ("iocd user add: --role must be operator, liaison, supervisor or admin\n");
          return 2;
        }
      if ((user->role == IOC_ROLE_LIAISON) != (department != NULL))
        {
          g_printerr ("iocd user add: a liaison needs --department, and only a liaison has one\n");
          return 2;
        }

      password = read_password (password_stdin, &generated);
      if (password == NULL)
        {
          g_printerr ("iocd user add: no password on standard input\n");
          return 2;
        }
      hash = iocd_auth_hash_password (password, &error);
      if (hash == NULL || iocd_store_create_user (store, user, hash, &error) == 0)
        goto fail;

      g_print ("Added %s (%s)\n", user->username, ioc_role_to_string (user->role));
      if (generated)
        g_print ("Password: %s\n", password);
      return 0;
    }

  if (argc == 3 && g_str_equal (argv[1], "passwd"))
    {
      g_autofree char *password = NULL;
      g_autofree char *hash = NULL;
      gboolean generated;

      password = read_password (password_stdin, &generated);
      if (password == NULL)
        {
          g_printerr ("iocd user passwd: no password on standard input\n");
          return 2;
        }
      hash = iocd_auth_hash_password (password, &error);
      if (hash == NULL || !iocd_store_set_password (store, argv[2], hash, &error))
        goto fail;

      g_print ("Changed the password of %s; their sessions are closed\n", argv[2]);
      if (generated)
        g_print ("Password: %s\n", password);
      return 0;
    }

  g_printerr ("%s", g_option_context_get_help (context, TRUE, NULL));
  return 2;

fail:
  g_printerr ("iocd user: %s\n", error->message);
  return 1;
}

static void
print_demo_accounts (const IocdConfig *config)
{
  g_autofree char *path = g_build_filename (config->state_dir, "demo-accounts.txt", NULL);
  g_autofree char *text = NULL;

  if (g_file_get_contents (path, &text, NULL, NULL))
    g_print ("%s", text);
}

static gboolean
write_demo_accounts (const IocdConfig  *config,
                     const char        *password,
                     GError           **error)
{
  g_autofree char *path = g_build_filename (config->state_dir, "demo-accounts.txt", NULL);
  g_autofree char *text = g_strdup_printf (
    "Demo accounts (synthetic data), all with the password %s\n"
    "  trucban1, trucban2, trucban3   operators (cán bộ trực IOC)\n"
    "  lanhdao                        supervisor (lãnh đạo)\n"
    "  lienlac.<department>           liaison of each department, e.g. lienlac.sxd, lienlac.catp\n"
    "  admin                          administrator\n", password);

  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(IocdConfig) config = iocd_config_new ();
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IocdStore) store = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(IocdServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *database = NULL;
  g_autofree char *state_dir = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_autofree char *fingerprint = NULL;
  g_autoptr(GPtrArray) departments = NULL;
  gboolean demo = FALSE;
  gboolean demo_live = FALSE;
  int demo_tasks = -1;
  gboolean created = FALSE;
  GSList *uris;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "Configuration file (GKeyFile)", "FILE" },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, "Address and port (default 127.0.0.1:8443)", "ADDR:PORT" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &database, "SQLite database", "FILE" },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir, "Directory for the database and certificate", "DIR" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, "TLS certificate (PEM)", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, "TLS private key (PEM)", "FILE" },
    { "demo", 0, 0, G_OPTION_ARG_NONE, &demo, "Seed the Cần Thơ demo data on first start", NULL },
    { "demo-tasks", 0, 0, G_OPTION_ARG_INT, &demo_tasks, "How many demo tasks to seed (default 3000)", "N" },
    { "demo-live", 0, 0, G_OPTION_ARG_NONE, &demo_live, "Keep adding demo sensor readings in real time", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  /* Tests and scripts read the listening address as soon as it is printed. */
  setvbuf (stdout, NULL, _IOLBF, 0);

  context = g_option_context_new ("[user add|passwd|list …] [apikey add|list|revoke …] — the IOC server");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("iocd: %s\n", error->message);
      return 2;
    }

  if (config_path != NULL && !iocd_config_load_file (config, config_path, &error))
    {
      g_printerr ("iocd: %s\n", error->message);
      return 2;
    }

#define OVERRIDE(field, value) if (value) { g_free (config->field); config->field = g_steal_pointer (&value); }
  OVERRIDE (listen, listen);
  OVERRIDE (database, database);
  OVERRIDE (state_dir, state_dir);
  OVERRIDE (tls_cert, tls_cert);
  OVERRIDE (tls_key, tls_key);
#undef OVERRIDE
  if (demo)
    config->demo = TRUE;
  if (demo_tasks >= 0)
    config->demo_tasks = demo_tasks;
  if (demo_live)
    config->demo_live = TRUE;
  if ((config->tls_cert == NULL) != (config->tls_key == NULL))
    {
      g_printerr ("iocd: --tls-cert and --tls-key go together\n");
      return 2;
    }
  iocd_config_finish (config);
  if (config->time_zone != NULL)
    ioc_time_set_zone (config->time_zone);
  if (config->data_dir == NULL)
    config->data_dir = iocd_demo_find_data_dir ();

  if (!iocd_auth_init (&error))
    goto fail;

  if (g_mkdir_with_parents (config->state_dir, 0700) != 0)
    {
      g_printerr ("iocd: cannot create %s: %s\n", config->state_dir, g_strerror (errno));
      return 1;
    }

  store = iocd_sqlite_store_open (config->database, &error);
  if (store == NULL)
    goto fail;

  if (argc >= 2 && g_str_equal (argv[1], "user"))
    return user_command (store, argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "apikey"))
    return iocd_apikey_command (store, argc - 1, argv + 1);
  if (argc >= 2)
    {
      g_printerr ("iocd: unknown command “%s”\n", argv[1]);
      return 2;
    }

  if (config->demo)
    {
      g_autofree char *password = NULL;
      gint64 start = g_get_monotonic_time ();

      if (!iocd_demo_seed (store, config->data_dir, config->demo_tasks, 1792, &password, &error))
        goto fail;
      if (password != NULL)
        {
          g_print ("iocd: seeded the Cần Thơ demo data (%u tasks) in %.1f s\n", config->demo_tasks,
                   (g_get_monotonic_time () - start) / 1e6);
          if (!write_demo_accounts (config, password, &error))
            goto fail;
        }
      print_demo_accounts (config);
    }

  departments = iocd_store_list_departments (store, &error);
  if (departments == NULL)
    goto fail;
  if (departments->len == 0)
    {
      /* A new city server starts with Cần Thơ's organisation, categories and communes. */
      if (!iocd_demo_load_reference (store, config->data_dir, &error))
        goto fail;
    }

  if (!iocd_tls_ensure_self_signed (config->tls_cert, config->tls_key, &created, &error))
    goto fail;
  certificate = iocd_tls_load (config->tls_cert, config->tls_key, &error);
  if (certificate == NULL)
    goto fail;
  fingerprint = iocd_tls_fingerprint_sha256 (certificate);
  if (created)
    g_print ("iocd: created a self-signed certificate in %s\n", config->tls_cert);
  g_print ("iocd: certificate SHA-256 fingerprint %s\n", fingerprint);

  server = iocd_server_new (config, store, certificate);
  if (!iocd_server_listen (server, &error))
    goto fail;

  uris = iocd_server_get_uris (server);
  for (GSList *l = uris; l != NULL; l = l->next)
    {
      g_autofree char *uri = g_uri_to_string (l->data);
      g_print ("iocd: listening on %s\n", uri);
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  if (config->demo_live)
    iocd_server_start_demo_live (server);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  g_print ("iocd: stopped\n");
  return 0;

fail:
  g_printerr ("iocd: %s\n", error->message);
  return 1;
}
