/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Times travel as ISO 8601 with an explicit offset and live in memory and in
 * the store as microseconds since the Unix epoch (g_get_real_time ()).
 */

#define IOC_DEFAULT_TIME_ZONE "Asia/Ho_Chi_Minh"

GTimeZone *ioc_time_zone             (void);
void       ioc_time_set_zone         (const char *identifier);
char      *ioc_time_format           (gint64      usec);
gboolean   ioc_time_parse            (const char *text,
                                      gint64     *usec);

G_END_DECLS
