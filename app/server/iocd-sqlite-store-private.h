/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "iocd-apikey-store.h"
#include "iocd-indicator-store.h"
#include "iocd-sensor-store.h"
#include "iocd-sqlite-store.h"

G_BEGIN_DECLS

/* Shared by the files that implement the store's interfaces
 * (iocd-sqlite-store.c, iocd-sqlite-apikeys.c, iocd-sqlite-indicators.c,
 * iocd-sqlite-sensors.c). Everything runs on the thread that owns the store. */
struct _IocdSqliteStore
{
  GObject     parent_instance;

  sqlite3    *db;
  char       *path;
  GHashTable *statements;   /* SQL text → sqlite3_stmt, prepared once */
  gboolean    in_batch;
  struct _IocdSqliteCheckpointer *checkpointer;   /* NULL unless the journal is a WAL */
  IocdSqliteStore *main;    /* of a writer (open_writer()): the store it was opened from */
};

gboolean       iocd_sqlite_set_sqlite_error (IocdSqliteStore *self, GError **error, const char *what);
sqlite3_stmt * iocd_sqlite_prepare (IocdSqliteStore *self, const char *sql, GError **error);
gboolean       iocd_sqlite_exec (IocdSqliteStore *self, const char *sql, GError **error);
gboolean       iocd_sqlite_step_done (IocdSqliteStore *self, sqlite3_stmt *stmt, GError **error);
void           iocd_sqlite_bind_text (sqlite3_stmt *stmt, int index, const char *text);
void           iocd_sqlite_bind_time (sqlite3_stmt *stmt, int index, gint64 value);
char *         iocd_sqlite_column_dup (sqlite3_stmt *stmt, int column);
const char *   iocd_sqlite_column_text (sqlite3_stmt *stmt, int column);
gboolean       iocd_sqlite_begin_write (IocdSqliteStore *self, GError **error);
gboolean       iocd_sqlite_commit_write (IocdSqliteStore *self, GError **error);
void           iocd_sqlite_rollback_write (IocdSqliteStore *self);

void iocd_sqlite_apikey_store_iface_init    (IocdApiKeyStoreInterface    *iface);
void iocd_sqlite_indicator_store_iface_init (IocdIndicatorStoreInterface *iface);
void iocd_sqlite_sensor_store_iface_init    (IocdSensorStoreInterface    *iface);

G_END_DECLS
