/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One value of a time series. */
typedef struct {
  gint64 t;   /* µs since the epoch */
  double v;
} IocSeriesPoint;

/*
 * Reduces @points (sorted by time, ascending) to at most @max_points
 * (at least 2) for a chart that must not lose peaks: the time from the first
 * to the last point is cut into @max_points / 2 equal buckets, and each
 * bucket that holds points gives its minimum and its maximum, in time order
 * (one point when they are the same point). A point at time t falls in bucket
 * floor ((t − t_first) × buckets / (t_last − t_first + 1)). Ties go to the
 * earliest point. Series that are short enough come back as they are.
 * Returns a new GArray of IocSeriesPoint.
 */
GArray *ioc_series_downsample (const IocSeriesPoint *points,
                               guint                 n_points,
                               guint                 max_points);

/* The bucket of @t among @buckets equal ones over [@first, @last]. */
guint   ioc_series_bucket     (gint64                t,
                               gint64                first,
                               gint64                last,
                               guint                 buckets);

G_END_DECLS
