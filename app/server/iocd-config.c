/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "iocd"

#include "config.h"

#include "iocd-config.h"

IocdConfig *
iocd_config_new (void)
{
  IocdConfig *config = g_new0 (IocdConfig, 1);

  config->demo_tasks = 3000;
  config->body_limit = 1024 * 1024;
  config->session_hours = 12;
  config->login_max_failures = 5;
  config->login_window_s = 10 * 60;
  config->tile_sets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return config;
}

void
iocd_config_free (IocdConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->listen);
  g_free (config->state_dir);
  g_free (config->database);
  g_free (config->tls_cert);
  g_free (config->tls_key);
  g_free (config->data_dir);
  g_free (config->time_zone);
  g_clear_pointer (&config->tile_sets, g_hash_table_unref);
  g_free (config);
}

static void
take_string (GKeyFile    *file,
             const char  *group,
             const char  *key,
             char       **out)
{
  char *value = g_key_file_get_string (file, group, key, NULL);

  if (value != NULL)
    {
      g_free (*out);
      *out = value;
    }
}

static gboolean
take_uint (GKeyFile    *file,
           const char  *group,
           const char  *key,
           guint64      min,
           guint64      max,
           guint64     *out,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  guint64 value;

  if (!g_key_file_has_key (file, group, key, NULL))
    return TRUE;

  value = g_key_file_get_uint64 (file, group, key, &local_error);
  if (local_error != NULL || value < min || value > max)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "[%s] %s must be a number from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT,
                   group, key, min, max);
      return FALSE;
    }

  *out = value;
  return TRUE;
}

gboolean
iocd_config_load_file (IocdConfig  *config,
                       const char  *path,
                       GError     **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  guint64 v;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }

  take_string (file, "server", "listen", &config->listen);
  take_string (file, "server", "state-dir", &config->state_dir);
  take_string (file, "server", "database", &config->database);
  take_string (file, "server", "tls-cert", &config->tls_cert);
  take_string (file, "server", "tls-key", &config->tls_key);
  take_string (file, "server", "time-zone", &config->time_zone);
  take_string (file, "demo", "data-dir", &config->data_dir);

  v = config->body_limit;
  if (!take_uint (file, "server", "body-limit", 1024, 256 * 1024 * 1024, &v, error))
    return FALSE;
  config->body_limit = v;

  v = config->session_hours;
  if (!take_uint (file, "server", "session-hours", 1, 24 * 90, &v, error))
    return FALSE;
  config->session_hours = v;

  if (g_key_file_has_group (file, "tiles"))
    {
      g_auto(GStrv) keys = g_key_file_get_keys (file, "tiles", NULL, NULL);

      /* Tile sets are named by the admin; requests only ever pick a name. */
      for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
        g_hash_table_insert (config->tile_sets, g_strdup (keys[i]),
                             g_key_file_get_string (file, "tiles", keys[i], NULL));
    }

  if (g_key_file_has_key (file, "demo", "live", NULL))
    config->demo_live = g_key_file_get_boolean (file, "demo", "live", NULL);

  if (g_key_file_has_key (file, "demo", "enabled", NULL))
    config->demo = g_key_file_get_boolean (file, "demo", "enabled", NULL);

  v = config->demo_tasks;
  if (!take_uint (file, "demo", "tasks", 0, 10000000, &v, error))
    return FALSE;
  config->demo_tasks = v;

  return TRUE;
}

void
iocd_config_finish (IocdConfig *config)
{
  if (config->listen == NULL)
    config->listen = g_strdup ("127.0.0.1:8443");
  if (config->state_dir == NULL)
    config->state_dir = g_build_filename (g_get_user_state_dir (), "iocd", NULL);
  if (config->database == NULL)
    config->database = g_build_filename (config->state_dir, "iocd.db", NULL);
  if (config->tls_cert == NULL && config->tls_key == NULL)
    {
      config->tls_cert = g_build_filename (config->state_dir, "tls", "iocd.crt", NULL);
      config->tls_key = g_build_filename (config->state_dir, "tls", "iocd.key", NULL);
    }
}
