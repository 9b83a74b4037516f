/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "iocd-store.h"

G_BEGIN_DECLS

#define IOCD_TYPE_SQLITE_STORE (iocd_sqlite_store_get_type ())
G_DECLARE_FINAL_TYPE (IocdSqliteStore, iocd_sqlite_store, IOCD, SQLITE_STORE, GObject)

/* Opens (creating when missing) and migrates the database at @path. */
IocdStore *iocd_sqlite_store_open (const char  *path,
                                   GError     **error);

G_END_DECLS
