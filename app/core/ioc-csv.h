/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks;
 * CRLF and LF both end a record. Each record is a GStrv; its first line number
 * is kept so that validation can name the line. */
typedef struct {
  GPtrArray *records;   /* GStrv */
  GArray    *lines;     /* guint: the line each record starts on, from 1 */
} IocCsv;

IocCsv     *ioc_csv_parse       (const char  *text,
                                 gsize        length,
                                 GError     **error);
IocCsv     *ioc_csv_load        (const char  *path,
                                 GError     **error);
void        ioc_csv_free        (IocCsv      *csv);
/* The index of @name in the header (record 0), or -1. */
int         ioc_csv_column      (IocCsv      *csv,
                                 const char  *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IocCsv, ioc_csv_free)

G_END_DECLS
