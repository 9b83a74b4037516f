/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Copies the regular files of a flat state directory (a cached, seeded
 * iocd state) into @to, leaving out SQLite's shared-memory index, and
 * syncs each copy; adds up the bytes copied in @bytes when not NULL. */
gboolean bench_copy_state (const char  *from,
                           const char  *to,
                           guint64     *bytes,
                           GError     **error);

G_END_DECLS
