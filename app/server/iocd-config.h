/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char    *listen;            /* host:port, [v6]:port */
  char    *state_dir;
  char    *database;
  char    *tls_cert;
  char    *tls_key;
  char    *data_dir;          /* reference data for --demo */
  char    *time_zone;
  gboolean demo;
  gboolean demo_live;
  GHashTable *tile_sets;      /* name → MBTiles path, from the [tiles] group */
  guint    demo_tasks;
  gsize    body_limit;
  guint    session_hours;
  guint    login_max_failures;
  guint    login_window_s;
} IocdConfig;

IocdConfig *iocd_config_new        (void);
void        iocd_config_free       (IocdConfig  *config);
/* Reads a GKeyFile: every key of the [server] and [demo] groups is optional. */
gboolean    iocd_config_load_file  (IocdConfig  *config,
                                    const char  *path,
                                    GError     **error);
/* Fills what is still unset from the state directory. */
void        iocd_config_finish     (IocdConfig  *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IocdConfig, iocd_config_free)

G_END_DECLS
